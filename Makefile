# The CCHC Index. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
# Development settings for the local targets; production sets DEBUG, SECRET_KEY, ALLOWED_HOSTS itself.
DEV    := DEBUG=true

.DEFAULT_GOAL := help
.PHONY: help install migrate demo run test lint format messages bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet '.[dev]'
	@touch $@

install: $(BIN)/.installed ## Create .venv and install the app with its test tools

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

clean: ## Remove the virtualenv, the SQLite database and collected static files
	rm -rf $(VENV) db.sqlite3 staticfiles
