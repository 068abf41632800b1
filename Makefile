# Two commands on a fresh machine:  make demo   and   make test
# Both create/use the local virtual environment .venv (offline apart from package registries).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.alphamed-installed
INSTALL_INPUTS := pyproject.toml serve/pyproject.toml train/pyproject.toml clients/python/pyproject.toml constraints.txt requirements-dev.txt
WORK ?= build/demo

.PHONY: install test test-fast demo demo-train clean help

help:
	@echo "make demo   - build the tiny model and run the main job on it (offline)"
	@echo "make test   - run the test suite"

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

demo: $(STAMP)
	$(PY) -m alphamed tiny-model $(WORK)/tiny-model
	$(PY) -m alphamed demo --model $(WORK)/tiny-model

demo-train: $(STAMP)
	$(PY) -m alphamed train tiny-cpu --checkpointing.output_dir $(WORK)/train

clean:
	rm -rf build .pytest_cache
