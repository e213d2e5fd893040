# The CCHC Index. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
# Development settings for the local targets; production sets DEBUG, SECRET_KEY, ALLOWED_HOSTS itself.
DEV    := DEBUG=true
# backup and restore run in production too: DEBUG from the environment when it is set.
OPS    := DEBUG=$(or $(DEBUG),true)

.DEFAULT_GOAL := help
.PHONY: help install lock migrate demo run test lint format messages bench backup restore clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# Every dependency, pinned with its hashes, comes from requirements.lock (make lock writes it).
$(BIN)/.installed: requirements.lock
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	@touch $@

install: $(BIN)/.installed ## Create .venv and install the locked dependencies and test tools

# pip-tools in a throwaway venv, from PyPI alone (LOCK_INDEX=… for a mirror); pins stay as they
# are unless pyproject.toml needs otherwise, or UPGRADE=1 (newest versions its bounds allow).
LOCK_INDEX ?= https://pypi.org/simple
lock: ## Regenerate requirements.lock (hashes) from pyproject.toml; UPGRADE=1 takes newer versions
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp" && "$$tmp/bin/pip" install --quiet pip-tools && \
	env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null \
	  CUSTOM_COMPILE_COMMAND="make lock" "$$tmp/bin/pip-compile" --quiet --generate-hashes \
	  --allow-unsafe --strip-extras --extra dev --index-url $(LOCK_INDEX) \
	  $(if $(UPGRADE),--upgrade) --output-file requirements.lock pyproject.toml

migrate: install ## Create or update the database (SQLite by default, DATABASE_URL otherwise)
	$(DEV) $(BIN)/python manage.py migrate --no-input
	$(DEV) $(BIN)/python manage.py createcachetable

demo: migrate ## Load the demo data (13 units, 3 years, demo accounts); running it twice changes nothing
	$(DEV) $(BIN)/python manage.py load_demo

# The task worker (large exports and imports) runs beside the web server on the same database,
# so nothing else needs to be running; Ctrl+C stops both (a background job of a non-interactive
# shell ignores SIGINT, hence the trap). No autoreload for the worker: restart after a change.
run: demo ## Set everything up and serve the app with demo data on http://127.0.0.1:$(PORT), with its task worker
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl+C to stop)"
	@$(DEV) $(BIN)/python manage.py run_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install ## Run the whole test suite (browser tests skip, saying so, where chromium is missing)
	$(BIN)/pytest

lint: install ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install ## Extract translatable strings into locale/en and compile every catalog
	$(DEV) $(BIN)/python manage.py makemessages --locale en --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*'
	$(BIN)/python scripts/compile_messages.py

# make bench: PostgreSQL (BENCH_DATABASE_URL; created if missing), wrk from Debian's packages.
BENCH_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/cchc_bench
BENCH_ENV := DATABASE_URL=$(BENCH_DATABASE_URL) DEBUG=false SECURE_SSL_REDIRECT=false \
	SECRET_KEY=bench-$(shell head -c 24 /dev/urandom | base64 | tr -d '/+=') \
	ALLOWED_HOSTS=127.0.0.1,localhost,testserver SITE_URL=http://127.0.0.1
bench: install ## Every scale figure with its target, PASS/FAIL (3,000 units × 150 leaves × 3 years on PostgreSQL)
	@command -v wrk >/dev/null || { command -v apt-get >/dev/null && apt-get install -y -qq wrk >/dev/null; } || \
	  { echo "make bench needs wrk (apt-get install wrk)"; exit 2; }
	@psql "$(BENCH_DATABASE_URL)" -qc "SELECT 1" >/dev/null 2>&1 || \
	  psql "$(dir $(BENCH_DATABASE_URL))postgres" -qc "CREATE DATABASE $(notdir $(BENCH_DATABASE_URL))"
	$(BENCH_ENV) $(BIN)/python manage.py migrate --no-input -v0
	$(BENCH_ENV) DEBUG=true $(BIN)/python manage.py load_demo >/dev/null
	$(BENCH_ENV) $(BIN)/python manage.py bench $(BENCH_ARGS)

backup: install ## Database and evidence files into one archive in BACKUP_DIR (default backups/)
	$(OPS) $(BIN)/python manage.py backup

restore: install ## Restore FILE=backups/cchc-backup-….tar.gz into an empty database (FORCE=1: replace)
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/cchc-backup-….tar.gz [FORCE=1]"; exit 2; }
	$(OPS) $(BIN)/python manage.py restore "$(FILE)" $(if $(FORCE),--force)

clean: ## Remove the virtualenv, the SQLite database and collected static files
	rm -rf $(VENV) db.sqlite3 staticfiles
