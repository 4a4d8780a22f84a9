# Fupin — two commands on a fresh machine:
#   make run    venv, install, migrate, load the demo county if the database is empty, serve on 127.0.0.1:8000
#   make test   venv if needed, then the whole suite (browser tests run when Debian's chromium is installed)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for `make test` (one per core; `make test TEST_WORKERS=0` runs in one process)
TEST_WORKERS ?= auto

.PHONY: run test venv demo lint bench screenshots messages clean

$(BIN)/fupin: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

venv: $(BIN)/fupin

run: venv
	$(BIN)/fupin migrate --noinput
	$(BIN)/fupin demo --if-empty
	$(BIN)/fupin demo_logins --host $(HOST) --port $(PORT)
	$(BIN)/fupin runserver $(HOST):$(PORT) --noreload

test: venv
	@if [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; then \
	  echo "== browser tests: Debian's chromium found, they will run"; \
	else \
	  echo "== browser tests: SKIPPED — Debian's chromium is not installed (apt-get install chromium)"; \
	fi
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .

bench: venv
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

screenshots: venv
	$(BIN)/python docs/take_screenshots.py --base http://$(HOST):$(PORT)

messages: venv
	cd fupin && ../$(BIN)/django-admin makemessages -l en --ignore='*/migrations/*' && ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
