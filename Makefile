# Panel1 Helpdesk. `make run` sets up and serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
# V=1 shows every request line and the task worker's chatter during `make run`.
V ?=

.PHONY: run test lint install db setup serve bench cluster stop-db clean messages compilemessages

# The plugins shipped under plugins/ are installed too (each its own package, found through
# the `panel1.plugins` entry-point group).
PLUGIN_DIRS := $(sort $(dir $(wildcard plugins/*/pyproject.toml)))

$(STAMP): pyproject.toml $(wildcard plugins/*/pyproject.toml)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]" $(foreach dir,$(PLUGIN_DIRS),-e $(dir))
	@touch $(STAMP)

install: $(STAMP)

# Runs the database finder, migrations, the demo seed, then web + worker (Ctrl-C stops both).
run: install
	@set -e; DATABASE_URL=$$($(PY) scripts/dbsetup.py); export DATABASE_URL; \
	export DEBUG=$${DEBUG:-true}; \
	if [ -z "$(V)" ]; then export REQUEST_LOG_LEVEL=$${REQUEST_LOG_LEVEL:-WARNING} \
	  TASK_LOG_LEVEL=$${TASK_LOG_LEVEL:-WARNING}; fi; \
	$(PY) manage.py setup_platform; \
	$(PY) manage.py seed_demo --port $(PORT) --summary-file .data/run-summary.txt; \
	exec scripts/serve $(PORT)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	@set -e; DATABASE_URL=$$($(PY) scripts/dbsetup.py); export DATABASE_URL; \
	DJANGO_SETTINGS_MODULE=panel1.settings_test $(PY) manage.py check; \
	DJANGO_SETTINGS_MODULE=panel1.settings_test $(PY) manage.py makemigrations --check --dry-run

test: lint
	@set -e; DATABASE_URL=$$($(PY) scripts/dbsetup.py); export DATABASE_URL; \
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install
	@set -e; DATABASE_URL=$$($(PY) scripts/dbsetup.py); export DATABASE_URL; \
	for script in benchmarks/[!_]*.py; do echo "== $$script"; $(PY) $$script; done

# HAProxy -> 2 gunicorn nodes -> PgBouncer -> PostgreSQL, 2 job clusters on Redis (docs/scaling.md).
cluster: install
	@set -e; DATABASE_URL=$${DATABASE_URL:-$$($(PY) scripts/dbsetup.py)}; export DATABASE_URL; \
	exec scripts/cluster up

# Translations (docs/translations.md). `make messages` extracts every marked string of the code
# into locale/<lang>/LC_MESSAGES/django.po (Python, templates, mail) and djangojs.po
# (static/js), for each language of LANGUAGES but English; `make compilemessages` builds the
# .mo files, which are committed (running the project needs no gettext). Both need GNU gettext.
MESSAGE_IGNORES := --ignore=.venv --ignore=.git --ignore=.data --ignore=tests --ignore=benchmarks \
	--ignore=docs --ignore=scripts --ignore=node_modules --ignore=test-artifacts --ignore='*/tests/*'
LOCALES = $(shell $(PY) scripts/locales.py)

messages: install
	$(PY) manage.py makemessages $(foreach locale,$(LOCALES),-l $(locale)) -d django \
		--add-location=file $(MESSAGE_IGNORES)
	$(PY) manage.py makemessages $(foreach locale,$(LOCALES),-l $(locale)) -d djangojs \
		--add-location=file $(MESSAGE_IGNORES)

compilemessages: install
	$(PY) manage.py compilemessages $(MESSAGE_IGNORES)

stop-db:
	$(PY) scripts/dbsetup.py --stop

clean:
	rm -rf $(VENV) .data test-artifacts
