# Siproxylin: `make run` starts the app, `make test` runs everything CI runs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ARGS   ?=

.PHONY: run test venv system-deps lint typecheck layers unit bench lock clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
		{ rm -rf $(VENV); tools/install-test-deps.sh --venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

venv: $(STAMP)

## Start the desktop app (dev mode: data in ./sip_dev_paths). Pass options with ARGS="--xdg".
run: $(STAMP)
	tools/install-test-deps.sh --runtime || echo "run: some Qt libraries may be missing (see above)"
	$(BIN)/siproxylin $(ARGS)

## System packages the tests need (Prosody, proxies, coturn, Qt libraries...), installed when missing.
system-deps:
	tools/install-test-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check siproxylin tests bench tools
	$(BIN)/ruff format --check siproxylin tests bench tools

typecheck: $(STAMP)
	$(BIN)/mypy

layers: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q tests/unit

## Everything: lint, types, layering, then the whole suite against real local servers.
test: $(STAMP) system-deps lint typecheck layers
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q -p no:cacheprovider

bench: $(STAMP) system-deps
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/message_burst.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/mam_catchup.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/muc_join.py --gui
	$(BIN)/python bench/omemo_decrypt.py

## Regenerate the pinned lock from pyproject.toml (the source of truth).
lock:
	rm -rf /tmp/siproxylin-lock && $(PYTHON) -m venv /tmp/siproxylin-lock
	/tmp/siproxylin-lock/bin/pip install -q --upgrade pip
	/tmp/siproxylin-lock/bin/pip install -q '.[dev]'
	/tmp/siproxylin-lock/bin/pip freeze --exclude siproxylin | sort > requirements.lock

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
