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

demo: migrate ## Load the demo data (13 units, 3 years, demo accounts); running it twice changes nothing
	$(DEV) $(BIN)/python manage.py load_demo

run: demo ## Set everything up and serve the app with demo data on http://127.0.0.1:$(PORT)
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl+C to stop)"
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

bench: install ## Time, memory and queries of the ranking (13 to 1,300 units) and the score matrix export (3,000 × 150 leaves)
	$(DEV) $(BIN)/python manage.py bench_ranking
	$(DEV) $(BIN)/python manage.py bench_exports

backup: install ## Database and evidence files into one archive in BACKUP_DIR (default backups/)
	$(OPS) $(BIN)/python manage.py backup

restore: install ## Restore FILE=backups/cchc-backup-….tar.gz into an empty database (FORCE=1: replace)
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/cchc-backup-….tar.gz [FORCE=1]"; exit 2; }
	$(OPS) $(BIN)/python manage.py restore "$(FILE)" $(if $(FORCE),--force)

clean: ## Remove the virtualenv, the SQLite database and collected static files
	rm -rf $(VENV) db.sqlite3 staticfiles
