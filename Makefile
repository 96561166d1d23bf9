# Shortcuts for developers. The scripts in bin/ and .ci/run do the work; each target names one.
# `make test ARGS="-k deadlines -x"` passes arguments on to pytest.

VENV := .venv
PYTHON := $(VENV)/bin/python
RUFF := $(VENV)/bin/ruff
UV := $(shell command -v uv 2>/dev/null || echo $(VENV)/bin/uv)

.DEFAULT_GOAL := help
.PHONY: help setup demo test lint format migrations check-migrations check-deploy lock ci

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

# The tools come from the venv; build it (bin/setup) when it is missing or the lock changed.
$(RUFF): requirements.lock
	bin/setup
	@touch $@

setup: ## Install Python and front-end packages, build static/dist (bin/setup)
	bin/setup

demo: ## Run the app with demo data on http://localhost:8000 (bin/demo)
	bin/demo

test: ## Run the whole test suite (bin/test); ARGS go to pytest
	bin/test $(ARGS)

lint: $(RUFF) ## ruff check and ruff format --check, as CI does
	$(RUFF) check .
	$(RUFF) format --check .

format: $(RUFF) ## Fix what ruff can fix, then format
	$(RUFF) check --fix .
	$(RUFF) format .

migrations: $(RUFF) ## makemigrations, then lint and format the new migrations
	DEBUG=true $(PYTHON) manage.py makemigrations
	$(RUFF) check --fix --quiet */migrations/
	$(RUFF) format --quiet */migrations/

check-migrations: $(RUFF) ## Fail if a model change has no migration
	DEBUG=true $(PYTHON) manage.py makemigrations --check --dry-run

check-deploy: $(RUFF) ## manage.py check --deploy with production settings and no warning allowed
	SECRET_KEY="$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
		ALLOWED_HOSTS=tracker.example.org \
		EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend EMAIL_HOST=smtp.example.org \
		DEFAULT_FROM_EMAIL=ombudsman-tracker@example.org \
		env -u DEBUG $(PYTHON) manage.py check --deploy --fail-level WARNING

lock: ## Recompile requirements.lock (dev) and requirements-prod.lock (the image) from pyproject.toml (ARGS="--upgrade" to take new releases)
	$(UV) pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock $(ARGS)
	$(UV) pip compile pyproject.toml --generate-hashes --python-version 3.11 -c requirements.lock -o requirements-prod.lock
	@! grep -nE 'https?://' requirements.lock requirements-prod.lock || { echo "a lock file names a host: remove it"; exit 1; }

ci: ## Run CI here: services, lint gates, deployment checks, tests (.ci/run)
	bash .ci/run
