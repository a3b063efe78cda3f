# formgen: `make help` lists the targets.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help setup serve test lint bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install formgen with its test tools

serve: setup  ## set up and serve the API on http://127.0.0.1:8000
	$(BIN)/formgen serve --host 127.0.0.1 --port 8000

test: setup  ## set up and run the linters and the tests
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: setup  ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/mypy formgen forms api.py

bench: setup  ## run the benchmarks (writes benchmarks/results.json)
	$(BIN)/python benchmarks/run.py

clean:  ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
