# Two commands do all set-up on a fresh machine:
#   make run   - the app on the embedded SQLite database, with the demo region loaded
#   make test  - the whole test suite
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PORT ?= 8501
# Loopback unless told otherwise (make run ADDRESS=0.0.0.0); see docs/deployment-checklist.md.
ADDRESS ?= 127.0.0.1

.PHONY: run test lint bench system-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip==25.3
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/regiondash demo --if-empty
	$(VENV)/bin/streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT) \
		--server.headless true

system-deps:
	bash scripts/install-system-deps.sh

test: $(STAMP) system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest -n 2

bench: $(STAMP)
	$(VENV)/bin/python bench/bench_import.py
