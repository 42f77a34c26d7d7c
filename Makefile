# InjectWatch: `make run` starts the app on data/clinic.duckdb (demo clinic on first start);
# `make test` runs the whole suite. Both create .venv themselves with pinned versions.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test test-fast lint check golden bench bench-page clean-venv

$(VENV)/.runtime: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "InjectWatch needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(PY) -m dashboard init --demo-if-new
	$(PY) -m streamlit run dashboard/app.py --server.port $(PORT)

test: $(VENV)/.dev
	$(PY) -m pytest

# unit + integration tiers only (no AppTest pages, no browser, nothing slow): the quick loop while working
test-fast: $(VENV)/.dev
	$(PY) -m pytest -m "not app and not e2e and not slow"

# rewrite the demo goldens (tests/test_golden_demo.py) after a change meant to alter the signals or the export
golden: $(VENV)/.dev
	UPDATE_GOLDEN=1 $(PY) -m pytest -q tests/test_golden_demo.py

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

# the boundaries the README promises: layer contracts (pyproject [tool.importlinter]) and the type checker
check: lint
	$(VENV)/bin/lint-imports
	$(PY) -m mypy

bench: $(VENV)/.runtime
	$(PY) -m dashboard bench --treatments 1000000

bench-page: $(VENV)/.dev
	$(PY) -m tests.page_timing --treatments 1000000

clean-venv:
	rm -rf $(VENV)
