# Every target here is a command named in the README.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: demo test lint format template examples bench bench-addins clean serve screenshots pdf

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m examples.demo

# The add-ins' Node packages, from the lockfile; nothing is fetched when they are
# already installed from the same lockfile (npm keeps a copy of it in node_modules).
addin/node_modules/.package-lock.json: addin/package-lock.json addin/package.json
	cd addin && npm ci --prefer-offline --no-audit --no-fund --loglevel=error

# Print the demo's company workbook to PDF (LibreOffice) and count its pages.
pdf: $(STAMP)
	$(BIN)/python -m examples.print_pdf

test: $(DEVSTAMP) $(if $(wildcard addin/package.json),addin/node_modules/.package-lock.json)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(if $(wildcard addin/package.json),cd addin && node --test tests/)
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: $(DEVSTAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEVSTAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

template: $(STAMP)
	$(BIN)/okr template -o okr_template.xlsx

examples: $(STAMP)
	$(BIN)/python -m examples.build

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_check.py
	$(BIN)/python benchmarks/bench_metrics.py
	$(BIN)/python benchmarks/bench_consolidate.py
	$(BIN)/python benchmarks/bench_gsheets.py
	$(BIN)/python benchmarks/bench_service.py

serve: $(STAMP)
	$(BIN)/okr serve --config demo/org/okr.toml

screenshots: $(DEVSTAMP)
	$(BIN)/python -m examples.screenshots --out docs

bench-addins: $(STAMP) addin/node_modules/.package-lock.json
	$(BIN)/python benchmarks/bench_addins.py

clean:
	rm -rf $(VENV) demo .pytest_cache .ruff_cache
