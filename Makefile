# Warta — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_PYTHON := $(abspath $(BIN)/python)

.PHONY: run test test-long lint format bench setup clean-data messages

$(BIN)/uv:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Warta needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv

$(VENV)/.synced: pyproject.toml uv.lock $(BIN)/uv
	$(BIN)/uv sync --frozen --quiet
	@touch $@

setup: $(VENV)/.synced

## make run: start Warta on SQLite with demo data (web server + background worker).
run: setup
	$(BIN)/warta setup
	$(BIN)/warta serve

## make test: everything the tests need, then the whole suite on SQLite and PostgreSQL.
test: setup
	bash scripts/test.sh

## make test-long: the engine's random-action state machine with many more, longer examples.
test-long: setup
	HYPOTHESIS_PROFILE=long bash scripts/test.sh tests/workflow/test_engine_stateful.py

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: setup
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: setup
	bash scripts/bench.sh

## Remove the local SQLite database, media and generated keys (asks nothing: be sure).
clean-data:
	rm -rf var

## make messages: refresh the .po files from the code (needs GNU gettext) and compile them.
messages: setup
	cd src/warta && for app in */; do \
		if [ -d "$$app/locale" ]; then (cd "$$app" && ../../../$(BIN)/django-admin makemessages -l id -l en --no-obsolete >/dev/null); fi; \
	done
	$(BIN)/python scripts/messages.py compile
