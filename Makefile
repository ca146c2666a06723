# One entry point for every workflow. `make check` and `make test` are the two commands in the README.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: check test install lint typecheck bench feeds clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The embedded default, no network: the bundled catalog and SQLite in your data folder.
# (`aiwatch check` without --offline also polls the Commission's news feeds.)
check: $(STAMP)
	$(BIN)/aiwatch check --offline

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet ruff mypy
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/check_startup.py
	$(BIN)/python bench/calendar_speed.py
	$(BIN)/python bench/poll_speed.py
	$(BIN)/python bench/fanout_speed.py
	$(BIN)/python bench/daemon_memory.py

# feeds/ holds the calendars of the bundled catalog, exported from a fresh database so that the
# files depend on the catalog alone; a test fails when they are stale.
feeds: $(STAMP)
	tmp=$$(mktemp -d) && AIWATCH_CONFIG= AIWATCH_DATABASE_URL=sqlite:///$$tmp/feeds.db \
		$(BIN)/aiwatch calendar export feeds; rc=$$?; rm -rf $$tmp; exit $$rc

clean:
	rm -rf $(VENV) build dist .pytest_cache
