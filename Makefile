PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench test-spark lint schema clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/pioneer demo

lint: $(STAMP)
	$(BIN)/ruff check scoring tui tests examples
	$(BIN)/ruff format --check scoring tui tests examples
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pytest tests/benchmarks --benchmark-only --benchmark-enable

# optional: Spark SQL in local mode (installs pyspark; needs Java 17+; skipped without)
test-spark: $(STAMP)
	-$(BIN)/python -m pip install --quiet -e '.[spark]'
	PIONEER_SPARK=1 $(BIN)/python -m pytest tests/spark -rs

schema: $(STAMP)
	$(BIN)/pioneer schema > rules/schema.json
	$(BIN)/pioneer schema --tests > rules/test.schema.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
