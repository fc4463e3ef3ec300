# Two commands on a fresh machine: `make run` starts the bot, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run test lint bench clean

install: $(STAMP)

# Re-install only when the dependency list changes.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first: 2.13.0 is a CPU build; an unpinned torch would pull CUDA packages.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

BENCH_STAMP := $(VENV)/.installed-bench

# The benchmark extra (LangChain, matplotlib) is installed only for `make bench`.
$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install -q -e '.[test,bench]'
	@touch $(BENCH_STAMP)

run: install
	$(VENV)/bin/articlebot run

test: install
	$(PY) -m pytest

bench: $(BENCH_STAMP)
	$(PY) -m benchmarks

lint: install
	$(VENV)/bin/ruff check bot index tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache
