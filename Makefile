# Two commands matter: `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
AXE := tests/browser/node_modules/axe-core/axe.min.js
PG_ADMIN_DSN ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test test-sqlite test-postgres lint messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the declared dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/lostfound migrate
	$(BIN)/lostfound demo
	$(BIN)/lostfound serve --host 127.0.0.1 --port 8000

# axe-core for the accessibility checks of the browser tests (npm registry).
$(AXE): tests/browser/package.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: browser tests will be skipped (CI installs it)"; fi

test: $(STAMP) $(AXE)
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider --junitxml=var/test-results/sqlite.xml

# The same suite on PostgreSQL; it creates and drops a database of its own.
test-postgres: $(STAMP)
	LOSTFOUND_TEST_POSTGRES=$(PG_ADMIN_DSN) $(BIN)/python -m pytest -q -p no:cacheprovider -m "not browser" \
		--junitxml=var/test-results/postgres.xml

lint: $(STAMP)
	$(BIN)/ruff check lostfound tests bench piccolo_conf.py
	$(BIN)/ruff format --check lostfound tests bench piccolo_conf.py

# Refresh the translation catalogues after changing user-visible strings.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _ -k gettext -k ngettext:1,2 --no-location --sort-output \
		-o lostfound/locale/messages.pot .
	$(BIN)/pybabel update -i lostfound/locale/messages.pot -d lostfound/locale --no-fuzzy-matching -w 100 -l zh_Hans
	$(BIN)/pybabel update -i lostfound/locale/messages.pot -d lostfound/locale --no-fuzzy-matching -w 100 -l en

clean:
	rm -rf $(VENV) tests/browser/node_modules
