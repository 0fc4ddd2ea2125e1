# The two commands of the README's quick start, and a few more for the people who build desk.
# A fresh clone needs only Python 3.11+ and make: the first run fetches uv (when it is not on the
# PATH) into .tools with pip, and uv creates .venv from uv.lock. `make demo` installs only what
# desk runs on; `make test` adds the test tools and the Debian packages the tests run for real.
# Each step leaves a stamp, so a second run starts at once.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools
UV_VERSION := 0.13.9
#: uv from the PATH when there is one, else a copy of our own in .tools
UV ?= $(or $(shell command -v uv 2>/dev/null),$(TOOLS)/bin/uv)
#: what `make demo` needs (runtime dependencies only) ...
RUNTIME := $(VENV)/.runtime
#: ... and what `make test` needs (the test extras too; other tools build on this stamp)
STAMP := $(VENV)/.installed
#: Debian packages the tests run for real (hledger reads the exports, zsh tries the completion,
#: chromium and its chromedriver load `desk serve` in tests/browser, postgresql's initdb and
#: pg_ctl start the throwaway server of the register's tests: tests/pgserver.py).
#: Adding one (postgresql, say) is adding its name here: `make test`
#: installs what is missing, or stops at once with the command that does.
TEST_SYSTEM_PACKAGES := hledger zsh chromium chromium-driver postgresql

# uv never downloads a Python of its own (only the package registries are reachable): it uses
# $(PYTHON); and it says nothing unless something goes wrong.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
UV_SYNC := $(UV) sync --locked --quiet

.PHONY: demo test system-packages lint lock bench screenshots clean

demo: $(RUNTIME)  ## run the desk on the built-in simulator, no accounts needed
	$(BIN)/desk demo

test: system-packages $(STAMP)  ## lint, the layers' contracts, then the whole test suite
	$(BIN)/ruff check desk tests bench
	$(BIN)/lint-imports --no-logo
	$(BIN)/python -m pytest -n 2 -q

system-packages:
	@.ci/tools $(TEST_SYSTEM_PACKAGES)

# --inexact: the demo after `make test` keeps the test tools instead of uninstalling them
$(RUNTIME): pyproject.toml uv.lock | $(UV)
	$(UV_SYNC) --inexact
	@touch $@

$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV_SYNC) --extra test
	@touch $@ $(RUNTIME)

# pip into a folder of our own (no venv to create, no pip to upgrade), without its notices.
# Most of pip's time goes to judging each of the thousands of files uv's releases list against
# every tag this Python accepts; told the one platform uv builds for Linux, it takes a third
# of that. Anywhere else, or if that binary does not run here, pip chooses as it always does.
UV_PLATFORM := $(shell [ "$$(uname -s)" = Linux ] && echo manylinux_2_17_$$(uname -m))
PIP_INSTALL_UV := PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 $(PYTHON) -m pip install -qq \
	--no-deps --no-compile --only-binary=:all: --no-warn-script-location --target $(TOOLS)
$(TOOLS)/bin/uv:
	@echo "make: fetching uv $(UV_VERSION) into $(TOOLS) with pip"
	@{ [ -n "$(UV_PLATFORM)" ] && $(PIP_INSTALL_UV) --platform $(UV_PLATFORM) --implementation py --abi none \
		uv==$(UV_VERSION) 2>/dev/null && $@ --version >/dev/null 2>&1; } \
		|| { rm -rf $(TOOLS) && $(PIP_INSTALL_UV) uv==$(UV_VERSION); } \
		|| { echo "make: $(PYTHON) -m pip could not fetch uv: install uv, or pip for $(PYTHON)" \
			"(Debian: apt-get install python3-pip), and run make again" >&2; exit 1; }

lock: | $(UV)  ## after changing dependencies in pyproject.toml: update uv.lock
	$(UV) lock

lint: $(STAMP)
	$(BIN)/ruff check desk tests bench
	$(BIN)/lint-imports --no-logo
	$(BIN)/ruff format --check desk tests bench || true

bench: $(STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

screenshots: $(STAMP)
	$(BIN)/python -m tests.tui.screenshots screenshots

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .ruff_cache .import_linter_cache build *.egg-info
