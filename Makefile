# Veiligheidsregie — the README's commands. `make run` starts the demo; `make test` runs every check.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: help install assets run serve demo test lint format typecheck boundaries djangocheck pytest messages compilemessages bench bench-import bench-load bench-policy bench-reports bench-meldpunt openapi clean

help:
	@echo "make run    install, migrate, load the demo and serve on http://127.0.0.1:$(PORT) (with a worker)"
	@echo "make test   ruff, mypy, Django checks, migrations check and the whole pytest suite"
	@echo "make format apply ruff's formatting and import order"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json
	npm install --no-package-lock --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed assets

assets: node_modules/.installed $(VENV)/.installed
	$(BIN)/python -m regie.core.vega_bundle

run: install
	mkdir -p var
	$(BIN)/regie keys init
	$(BIN)/regie migrate --noinput
	$(BIN)/regie collectstatic --noinput --verbosity 0
	$(BIN)/regie demo
	$(BIN)/regie serve

serve: install
	$(BIN)/regie serve

demo: install
	$(BIN)/regie demo

test: install lint typecheck boundaries djangocheck pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck:
	$(BIN)/mypy src

# Apps meet only through models, selectors and services; no cycles; stats without Django (ADR 0018)
boundaries:
	$(BIN)/lint-imports --no-logo --no-cache

djangocheck:
	$(BIN)/regie check --fail-level WARNING
	$(BIN)/regie makemigrations --check --dry-run

pytest:
	$(BIN)/pytest $(PYTEST_ARGS)

# The committed OpenAPI schema of /api/v1/ (English); tests/test_openapi_schema.py checks it is current.
openapi: install
	$(BIN)/regie spectacular --lang en --validate --fail-on-warn --file docs/api/openapi.yaml

messages:
	cd src/regie && ../../$(BIN)/regie makemessages -l nl -l en --no-obsolete --ignore=node_modules
	@echo "Now translate the new msgids in src/regie/locale/nl/LC_MESSAGES/django.po (and remove"
	@echo "any 'fuzzy' flags), then run: make compilemessages"

compilemessages:
	cd src/regie && ../../$(BIN)/regie compilemessages

# Benchmarks (several minutes each; need PostgreSQL on 127.0.0.1:5432): docs/performance.md
bench: bench-import bench-load bench-policy bench-reports

bench-import: $(VENV)/.installed
	$(BIN)/python bench/generate_national_months.py
	$(BIN)/python bench/import_benchmark.py

bench-load: $(VENV)/.installed
	$(BIN)/python bench/generate_national_months.py
	$(BIN)/python bench/load_benchmark.py

# Every status of a 50-indicator plan against a query-per-indicator loop (about three minutes).
bench-policy: $(VENV)/.installed
	$(BIN)/python bench/policy_benchmark.py

# The yearly evaluation (50 indicators, 100 actions) as PDF, DOCX and XLSX against its HTML page;
# memory over ten PDF builds (SQLite only, about six minutes).
bench-reports: $(VENV)/.installed
	$(BIN)/python bench/bench_reports.py

# Issue 18: a million encrypted signals (generated once into var/bench-meldpunt.sqlite3, about
# half an hour; kept for the next run): intake, hermelding lookup, werkvoorraad and a retention
# run against the bare view (SQLite by default; DATABASE_URL for PostgreSQL).
bench-meldpunt: $(VENV)/.installed
	$(BIN)/python bench/bench_meldpunt.py

clean:
	rm -rf $(VENV) node_modules var/static .mypy_cache .ruff_cache .pytest_cache
