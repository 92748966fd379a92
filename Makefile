# Siproxylin: `make run` starts the app, `make test` runs everything CI runs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ARGS   ?=
# libwebrtc for the call interop tests (npm @roamhq/wrtc, pinned by its package-lock)
WRTC   := tests/support/wrtc
WRTC_STAMP := $(WRTC)/node_modules/.installed

.PHONY: run test venv system-deps wrtc lint typecheck layers unit bench lock clean

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

## libwebrtc (node) for tests/integration/test_interop_wrtc.py; `npm ci` only when the
## lock changed. node and npm come from tools/install-test-deps.sh when missing.
$(WRTC_STAMP): $(WRTC)/package.json $(WRTC)/package-lock.json
	command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || tools/install-test-deps.sh
	npm ci --prefix $(WRTC) --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

wrtc: $(WRTC_STAMP)

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
# The audio device tests run in a process of their own: QtMultimedia binds to the
# sound server of the first process that asks (the GUI tests' call windows do), and
# these tests start their own PulseAudio.
AUDIO_TESTS = tests/integration/test_audio_devices.py

test: $(STAMP) system-deps $(WRTC_STAMP) lint typecheck layers
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q -p no:cacheprovider $(AUDIO_TESTS)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q -p no:cacheprovider --ignore=$(AUDIO_TESTS)

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
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache $(WRTC)/node_modules
