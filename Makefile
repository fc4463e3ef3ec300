# Two commands on a fresh machine: `make run` starts the bot, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run test lint bench soak clean

install: $(STAMP)

# Re-install only when the dependency list changes.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first: 2.13.0 is a CPU build; an unpinned torch would pull CUDA packages.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test,qdrant,multilingual]'
	@touch $(STAMP)

BENCH_STAMP := $(VENV)/.installed-bench

# The benchmark extra (LangChain, matplotlib) is installed only for `make bench`.
$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install -q -e '.[test,qdrant,multilingual,bench]'
	@touch $(BENCH_STAMP)

run: install
	$(VENV)/bin/articlebot run

test: install
	$(PY) -m pytest

bench: $(BENCH_STAMP)
	$(PY) -m benchmarks

# The reliability tests at length: many SIGKILL trials and fuzz cases; figures for RELIABILITY.md
# are written to reliability/ (git-ignored).
SOAK_TRIALS ?= 40
BOT_CRASH_TRIALS ?= 12
FUZZ_EXAMPLES ?= 1500
SOAK_QUESTIONS ?= 1200
soak: install
	SOAK_TRIALS=$(SOAK_TRIALS) BOT_CRASH_TRIALS=$(BOT_CRASH_TRIALS) FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
		SOAK_QUESTIONS=$(SOAK_QUESTIONS) \
		RELIABILITY_OUT=reliability \
		$(PY) -m pytest tests/test_durability.py tests/test_hostile_input.py \
		"tests/test_library.py::test_backups_taken_during_adds_are_consistent" \
		tests/test_bot_crash.py tests/test_bot_faults.py tests/test_bot_load.py \
		tests/test_concurrent_writer.py

lint: install
	$(VENV)/bin/ruff check bot index tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache
