# Two commands do all set-up on a fresh machine (Python 3.11 and make):
#   make run    - the app on the embedded SQLite database, with the demo region loaded
#   make check  - system packages, lint and the whole test suite (what .ci/run runs)
# `make` alone lists every target.
VENV ?= .venv
PYTHON ?= python3
LOCK := requirements.lock
# The stamp names the checksum of the lock and pyproject.toml, so editing either reinstalls.
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) 2>/dev/null | cksum | cut -d' ' -f1)
PORT ?= 8501
# Loopback unless told otherwise (make run ADDRESS=0.0.0.0); see docs/deployment-checklist.md.
ADDRESS ?= 127.0.0.1
# uv only writes the lock; it runs from a throwaway venv, never from .venv.
UV_VERSION := 0.13.9
# The build backend, locked too so that the editable install needs nothing unhashed.
BUILD_REQUIRES := $(shell sed -n 's/^requires = \["\(.*\)"\]/\1/p' pyproject.toml)
# The domain tests: rules, readers and frames, by file; no AppTest, browser, office suite,
# PostgreSQL or store. -k drops the two risks tests that load the demo through the store (one of
# them a wall-clock timing) and any other test named for the demo or national scale.
FAST_TESTS := tests/test_phases.py tests/test_fields.py tests/test_calendar.py \
	tests/test_metrics.py tests/test_scope.py tests/test_risks.py tests/test_changes.py \
	tests/test_forecast.py tests/test_spread.py tests/test_reference.py tests/test_text.py \
	tests/test_layout_rules.py tests/ingest/test_columns.py tests/ingest/test_dates.py \
	tests/ingest/test_milestones.py tests/ingest/test_validate.py
FAST_MARKS := not slow and not postgres and not browser
FAST_SELECT := not demo and not national_scale

.DEFAULT_GOAL := help
.PHONY: help install run system-deps lint fast test check bench lock

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  make %-12s %s\n", $$1, $$2}' \
		$(MAKEFILE_LIST)

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip==25.3
	$(VENV)/bin/pip install --quiet --require-hashes -r $(LOCK)
	$(VENV)/bin/pip install --quiet --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP) ## create .venv from requirements.lock (hash-checked) and regiondash editable
	@true

run: $(STAMP) ## serve the app (127.0.0.1:8501; ADDRESS=, PORT=), demo region loaded into an empty db
	$(VENV)/bin/regiondash demo --if-empty
	$(VENV)/bin/streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT) \
		--server.headless true

system-deps: ## install Debian's Chromium, LibreOffice Impress/Calc and poppler if missing (root)
	bash scripts/install-system-deps.sh

lint: $(STAMP) ## ruff check, ruff format --check, the import layers and mypy on src/ (all run; fails if any fails)
	@status=0; \
	echo "+ ruff check ."; $(VENV)/bin/ruff check . || status=1; \
	echo "+ ruff format --check ."; $(VENV)/bin/ruff format --check . || status=1; \
	echo "+ lint-imports (the layers and contracts in pyproject.toml)"; \
	$(VENV)/bin/lint-imports --no-cache || status=1; \
	echo "+ mypy (src/, settings in pyproject.toml)"; \
	$(VENV)/bin/mypy || status=1; \
	exit $$status

fast: $(STAMP) ## the domain tests only (no app, browser, office, PostgreSQL): the quick loop
	$(VENV)/bin/pytest -n 2 -q -m "$(FAST_MARKS)" -k "$(FAST_SELECT)" $(FAST_TESTS)

test: $(STAMP) ## the whole test suite (PostgreSQL tests skip loudly without REGIONDASH_TEST_POSTGRES_URL)
	$(VENV)/bin/pytest -n 2

check: ## system-deps, lint, then the whole test suite: the README's test command and CI's
	$(MAKE) system-deps
	$(MAKE) lint
	$(MAKE) test

bench: $(STAMP) ## every bench in bench/ (history in its --quick form); minutes, figures on stdout
	@echo "+ bench_import.py: import speed and peak memory, national tracker (openpyxl, calamine, regiondash import)"
	$(VENV)/bin/python bench/bench_import.py
	@echo "+ bench_pages.py: each page's cold and warm AppTest run at 100 migrations and national scale"
	$(VENV)/bin/python bench/bench_pages.py
	@echo "+ bench_history.py --quick: summary, pages and storage as weekly uploads pile up (1 and 3 uploads, 600 practices)"
	$(VENV)/bin/python bench/bench_history.py --quick
	@echo "+ bench_text_bounds.py: server memory and time on text-amplifying inputs, all refused in < 5 s"
	$(VENV)/bin/python bench/bench_text_bounds.py
	@echo "+ bench_domain.py: the domain's speed goals (risks at national scale, any stored rows on every page); exits 1 on a miss"
	$(VENV)/bin/python bench/bench_domain.py

lock: ## regenerate requirements.lock (hashed) from pyproject.toml and its dev extra, with uv
	tools=$$(mktemp -d) && trap 'rm -rf "$$tools"' EXIT && \
	$(PYTHON) -m venv "$$tools" && "$$tools/bin/pip" install --quiet uv==$(UV_VERSION) && \
	printf '%s\n' '$(BUILD_REQUIRES)' | "$$tools/bin/uv" pip compile pyproject.toml - \
		--extra dev --generate-hashes --python-version 3.11 \
		--python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock" \
		--quiet --output-file $(LOCK)
