# Puljeflow — the two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
export PULJEFLOW_FAST_PASSWORDS ?=

.PHONY: run dev test install lint typecheck security contract pytest pytest-sqlite pytest-postgres bench load chart architecture lock messages clean

# Development and test install both locks; a deployment installs only the production one
# (README, "Production install").
$(VENV)/.installed: requirements/production.lock requirements/dev.lock pyproject.toml
	scripts/apt-ensure python3-venv gettext graphviz xmlsec1  # xmlsec1: pysaml2 signs and checks SAML with it
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --require-hashes --no-deps \
	  -r requirements/production.lock -r requirements/dev.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed messages

messages: $(VENV)/.installed
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules --ignore=var -v 0

## make run: migrate, load demo data, serve on 127.0.0.1:8000 (PORT=…) through gunicorn, with a
## Celery worker and beat.
run: install
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py seed_demo $(if $(PASSWORD),--password $(PASSWORD),)
	$(PY) manage.py collectstatic --no-input -v 0
	PORT=$(or $(PORT),8000) scripts/run-all

## make dev: the same data, served by Django's development server (auto-reload, DEBUG=1) with
## a Celery worker and beat: for developers only, the one place runserver is used.
dev: install
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py seed_demo $(if $(PASSWORD),--password $(PASSWORD),)
	PORT=$(or $(PORT),8000) scripts/run-dev

## make test: everything CI runs.
test: install lint typecheck security pytest contract

## lint: the hooks of .pre-commit-config.yaml (django-upgrade, ruff, ruff format; local, no
## network) over every tracked file, and no missing migration.
lint: $(VENV)/.installed
	$(VENV)/bin/pre-commit run --all-files --show-diff-on-failure
	$(PY) manage.py makemigrations --check --dry-run -v 0

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy cases workflows notifications web api accounts

## security: bandit on the code and Django's deployment checks with the production settings.
security: $(VENV)/.installed
	$(VENV)/bin/bandit -c pyproject.toml -q -ll -r cases workflows notifications web api accounts config
	DJANGO_SETTINGS_MODULE=config.settings_production \
	  DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
	  $(PY) manage.py check --deploy --fail-level WARNING

## contract: Schemathesis against the running app's OpenAPI schema.
contract: install
	scripts/api-contract

pytest: pytest-sqlite pytest-postgres

# WeasyPrint's libraries and fonts, and pdftotext/pdfinfo for the tests that read PDFs.
PDF_PACKAGES := poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

# pytest-xdist: a worker per CPU, each with its own test database (test_<name>_gw<N>);
# tests marked xdist_group run on one worker, in order (docs/testing.md says which and why).
# PYTEST_XDIST= runs in one process; PYTEST_ARGS="tests/cases -x" runs a part.
PYTEST_XDIST ?= -n auto --dist loadgroup
PYTEST_ARGS ?=

pytest-sqlite: install
	scripts/apt-ensure chromium $(PDF_PACKAGES)
	PULJEFLOW_FAST_PASSWORDS=1 $(VENV)/bin/pytest -q $(PYTEST_XDIST) $(PYTEST_ARGS)

pytest-postgres: install
	scripts/apt-ensure redis-server $(PDF_PACKAGES)  # the real-Redis worker tests run here
	DATABASE_URL=$$(scripts/postgres-up) PULJEFLOW_FAST_PASSWORDS=1 \
	  $(VENV)/bin/pytest -q -m "not browser" $(PYTEST_XDIST) $(PYTEST_ARGS)

## make bench: on PostgreSQL, never part of make test (see docs/benchmarks.md). Each part prints
## its goals of issue 19 with the figure and PASS/FAIL and writes benchmarks/results/<part>.json;
## the last line prints them all together (benchmarks/summary.py -> results/summary.json).
## 1. generating 300,000 applications into a fresh database (puljeflow_bench_generate, dropped
##    after) and verify_trail on it -> generate.json;
## 2. the reminder sweep over 100,000 open applications, cold and warm (database puljeflow_bench,
##    recreated on every run) -> reminder_sweep.json;
## 3. national scale: the transitions against their writes floor, pages and sweeps at 1,000 /
##    30,000 / 300,000 generated applications (databases puljeflow_bench_national_<size>, kept;
##    BENCH_ARGS=--fresh regenerates them) -> national.json;
## 4. every page at 1,000 and 300,000 in one run, against a bare signed-in page -> pages.json;
## 5. the production topology under load (2 web processes, 2 workers, 1 beat, Redis; locust,
##    50 users for 5 min, then again with a worker killed and Redis restarted; database
##    puljeflow_topo, recreated) -> topology.json. TOPOLOGY_ARGS="--users 10
##    --duration 60 --runs steady" runs less.
bench: install
	$(PY) manage.py collectstatic --no-input -v 0  # the page benchmarks render {% static %}
	DATABASE_URL=$$(scripts/postgres-up) $(PY) benchmarks/generate.py
	DATABASE_URL=$$(scripts/postgres-up) $(PY) benchmarks/reminder_sweep.py
	DATABASE_URL=$$(scripts/postgres-up) $(PY) benchmarks/national.py $(BENCH_ARGS)
	DATABASE_URL=$$(scripts/postgres-up) $(PY) benchmarks/pages.py
	DATABASE_URL=$$(scripts/postgres-up) $(PY) benchmarks/topology.py $(TOPOLOGY_ARGS)
	$(PY) benchmarks/summary.py

## make load: 50 clients for 60 s of mixed reads and writes against the server as make run
## starts it (gunicorn), on the embedded SQLite default and on PostgreSQL (database
## puljeflow_load, recreated) -> benchmarks/results/load.json. LOAD_ARGS="--config sqlite
## --clients 20 --duration 30" runs less. Never part of make test (docs/benchmarks.md).
load: install
	DATABASE_URL=$$(scripts/postgres-up) $(PY) benchmarks/load.py $(LOAD_ARGS)

chart: $(VENV)/.installed
	$(PY) manage.py flow_chart --dot docs/application-flow.dot --svg docs/application-flow.svg
	$(PY) manage.py flow_chart --flow usage_report --dot docs/usage-report-flow.dot --svg docs/usage-report-flow.svg
	$(PY) manage.py flow_chart --flow access --dot docs/access-request-flow.dot --svg docs/access-request-flow.svg
	$(PY) manage.py flow_chart --flow quick_pool --dot docs/quick-pool-flow.dot --svg docs/quick-pool-flow.svg
	$(PY) manage.py flow_chart --flow older_people --dot docs/older-people-flow.dot --svg docs/older-people-flow.svg

## make architecture: the package graph from the code's imports (docs/architecture.md).
architecture:
	python3 scripts/architecture.py dot > docs/architecture.dot
	dot -Tsvg docs/architecture.dot -o docs/architecture.svg

## make lock: re-resolve pyproject.toml into two hash-locked files, keeping the pins that
## still fit (pip-compile's --upgrade-package NAME moves one):
##   requirements/production.lock  [project].dependencies, all a deployment installs;
##   requirements/dev.lock         the same plus the dev extra, resolved with the production
##                                 pins as constraints, so both agree on every shared package.
PIP_COMPILE := $(PY) -m piptools compile -q --generate-hashes --strip-extras \
  --no-emit-index-url --no-emit-find-links
lock:
	$(PIP_COMPILE) -o requirements/production.lock pyproject.toml
	$(PIP_COMPILE) --extra dev -c requirements/production.lock -o requirements/dev.lock pyproject.toml

clean:
	rm -rf var/static var/broker
