# The two commands of the README's quick start, and a few more for the people who build desk.
# Each target creates .venv and installs into it on first use, so a fresh clone needs only Python.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)  ## run the desk on the built-in simulator, no accounts needed
	$(BIN)/desk demo

test: $(STAMP)  ## lint, then the whole test suite
	$(BIN)/ruff check desk tests bench
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check desk tests bench
	$(BIN)/ruff format --check desk tests bench || true

bench: $(STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

screenshots: $(STAMP)
	$(BIN)/python -m desk.tui.screenshots screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
