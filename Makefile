# Two commands matter (see README): `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip

.PHONY: demo test install dev model bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
dev: $(VENV)/.dev-installed

## Label the bundled sample cases with the bundled default model and summarise.
demo: install
	@mkdir -p out
	$(BIN)/complaints label training_data/sample_cases.csv --output out/sample_cases_labelled.csv \
		--id-column case_ref --child-output out/sample_cases_child_authored.csv

## Run the test suite (what CI runs).
test: dev
	$(BIN)/python -m pytest -q -p no:cacheprovider

## Retrain models/default from training_data/ (fixed seed: reproducible).
model: install
	$(BIN)/complaints train training_data/representations.csv --out models/default --seed 0 \
		--learning-data training_data/learning_sentences.csv

## Benchmarks: results go to bench/RESULTS.md.
bench: dev
	$(BIN)/python bench/speed.py

clean:
	rm -rf $(VENV) out build dist *.egg-info .pytest_cache
