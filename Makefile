# Two commands on a fresh machine: `make run` starts the bot, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run test lint bench soak clean lock

install: $(STAMP)

# Re-install only when the dependency list or the pinned versions change. constraints.txt pins
# every package to the version the README's figures were measured with: unpinned, a fresh
# machine gets whatever is newest that day, and the figures move with it.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first: 2.13.0 is a CPU build; an unpinned torch would pull CUDA packages.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -c constraints.txt -e '.[test,qdrant,multilingual]'
	@touch $(STAMP)

BENCH_STAMP := $(VENV)/.installed-bench

# The benchmark extra (LangChain, matplotlib) is installed only for `make bench`.
$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install -q -c constraints.txt -e '.[test,qdrant,multilingual,bench]'
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

# After upgrading a package in .venv on purpose (and measuring again): pin what is installed now.
lock: $(BENCH_STAMP)
	{ echo "# The versions the README's figures were measured with (make lock writes this from .venv)."; \
	  echo "# make install installs within them, so a fresh machine measures what the README says."; \
	  $(VENV)/bin/pip freeze | grep -v -E '^(articlebot|-e )' | sed 's/+cpu$$//'; } > constraints.txt

lint: install
	$(VENV)/bin/ruff check bot index tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache
