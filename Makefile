# Two commands for a newcomer: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_ENV := DJANGO_SETTINGS_MODULE=truonghoc.settings.test
# The unit tests run in one process per CPU (pytest-xdist; each process has its own test database).
# `make unit PYTEST_WORKERS=0` runs them in this process, e.g. to use a debugger.
PYTEST_WORKERS ?= auto
CELERY_QUEUES := interactive,bulk

.PHONY: run serve serve-reload test lint check unit e2e bench bench-load assets messages install install-dev chromium wrk pdf-libs worker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

install: $(VENV)/.runtime assets messages pdf-libs
install-dev: $(VENV)/.dev assets messages pdf-libs

# Bootstrap, htmx, icons and Chart.js from the npm registry, copied into static/vendor/ and served by us.
assets: static/vendor/.stamp
static/vendor/.stamp: package.json package-lock.json scripts/vendor_assets.sh
	./scripts/vendor_assets.sh
	touch $@

# Compiled translations are built, not committed.
messages: $(VENV)/.runtime
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext >/dev/null)
	@$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

run: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_demo --if-empty
	@if [ -n "$$REDIS_URL" ]; then \
	  echo "REDIS_URL is set: starting a Celery worker on both queues, with beat (logs in celery.log)"; \
	  $(BIN)/celery -A truonghoc worker -B --queues=$(CELERY_QUEUES) --loglevel=INFO > celery.log 2>&1 & \
	  trap "kill $$! 2>/dev/null" EXIT; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT); \
	else \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT); \
	fi

# The site as in production, on this machine (README.md, Production): gunicorn, a Celery worker per queue
# and beat from the Procfile under honcho, with PostgreSQL and Redis from the environment. The environment
# is checked before anything is installed; `make run` stays the newcomer's command.
serve:
	@./scripts/serve.sh --check
	@$(MAKE) --no-print-directory install
	@./scripts/serve.sh

# New code or settings without dropping a request: gunicorn starts new workers, the old ones finish.
serve-reload:
	kill -HUP $$(cat $${GUNICORN_PIDFILE:-var/serve/gunicorn.pid})

# One worker for every kind of work (truonghoc/queues.py), with beat: a newcomer's machine. make serve and
# production run a worker per queue and one beat (Procfile).
worker: install
	$(BIN)/celery -A truonghoc worker -B --queues=$(CELERY_QUEUES) --loglevel=INFO

# Debian's chromium drives the browser tests (Playwright cannot download its own browser here).
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# Debian's wrk drives bench/bench_pages.py (each page's throughput under gunicorn against the 404's).
wrk:
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)

# WeasyPrint (the grade book's PDFs) needs pango and a font with every Vietnamese glyph (DejaVu, referenced
# by family in gradebook/print_css/book.css): Debian's packages, installed with apt-get when missing.
pdf-libs:
	@(ldconfig -p | grep -q libpangoft2-1.0 && fc-list | grep -qi "DejaVu Sans") || (apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(TEST_ENV) $(BIN)/pytest tests/test_layers.py -q -p no:cacheprovider

check: install-dev
	$(TEST_ENV) $(BIN)/python manage.py check --fail-level WARNING
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

unit: install-dev
	$(TEST_ENV) $(BIN)/pytest -m "not e2e" -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The browser tests in parallel too: each process has its own live server, database and chromium (the
# journeys mostly wait on the browser, so two processes keep two cores busy where one left them half idle).
e2e: install-dev chromium
	$(TEST_ENV) $(BIN)/pytest -m e2e -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test: lint check unit e2e

# The load bench's tools (bench/bench_load.py): locust in its own virtualenv, so it never touches the project's
# dependencies, and Debian's haproxy as the local load balancer (installed with apt-get when missing).
LOAD_VENV := .venv-load
$(LOAD_VENV)/.installed: bench/requirements-load.txt
	$(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/pip install --quiet -r bench/requirements-load.txt
	touch $@

bench-load: $(LOAD_VENV)/.installed
	@command -v haproxy >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null)

bench: install-dev wrk bench-load
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) $(LOAD_VENV) node_modules static/vendor staticfiles var test-output .pytest_cache .ruff_cache .import_linter_cache
