# Quick start: `make run` (set up, index the notes, open the bot or the terminal chat)
#              `make test` (set up with the test extras, run the tests)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test test-quick bench eval clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[$*]'
	touch $@

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

run: $(VENV)/.installed
	$(BIN)/python -m bot

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# the core alone (search, quiz, practice, storage; about a minute): not the CLI, the terminal or
# the Discord end-to-end runs, which `make test` (and CI) add
test-quick: $(VENV)/.installed-test
	$(BIN)/python -m pytest tests/core -q $(PYTEST_ARGS)

bench: $(VENV)/.installed-bench
	$(BIN)/python bench/benchmark.py

eval: $(VENV)/.installed
	$(BIN)/python bench/evaluate.py

clean:
	rm -rf $(VENV) data .pytest_cache .hypothesis
