# The two commands of the README, and a few more for whoever works on the code.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint sandbox clean translations

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/awork-tray --demo

sandbox: $(STAMP)
	$(BIN)/awork-tray sandbox

test: $(STAMP)
	$(BIN)/ruff check tray_app tests
	$(BIN)/ruff format --check tray_app tests
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check --fix tray_app tests
	$(BIN)/ruff format tray_app tests

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache

# Collect the UI's texts into the German catalogue and compile it (commit both files).
translations: $(STAMP)
	$(BIN)/pyside6-lupdate tray_app/ui/*.py tray_app/app.py tray_app/core/changes.py \
		-ts resources/translations/awork_tray_de.ts -no-obsolete -locations none
	$(BIN)/pyside6-lrelease resources/translations/awork_tray_de.ts \
		-qm resources/translations/awork_tray_de.qm
