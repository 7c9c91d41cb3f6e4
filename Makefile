# The two commands of the README, and a few more for whoever works on the code.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

WHEELHOUSE := $(VENV)/wheelhouse
WHEELHOUSE_STAMP := $(WHEELHOUSE)/.filled

.PHONY: demo test lint sandbox clean translations wheelhouse imports

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

# The wheelhouse holds the runtime dependencies, pip, pipx and the build backend as wheels, so
# that tests/e2e/test_wheel.py builds the wheel and installs it with pip and pipx without the
# network (about 90 MB; only the tests need it). The project's own wheel is left out: the tests
# build a fresh one.
$(WHEELHOUSE_STAMP): $(STAMP)
	rm -rf $(WHEELHOUSE)
	$(BIN)/python -m pip wheel --quiet -c constraints.txt -w $(WHEELHOUSE) . pip pipx hatchling
	rm $(WHEELHOUSE)/awork_tray-*.whl
	touch $(WHEELHOUSE_STAMP)

wheelhouse: $(WHEELHOUSE_STAMP)

# import-linter checks the layers written in pyproject.toml ([tool.importlinter]). It lives in a
# venv of its own: it brings click, and httpx imports click at every start when it finds it. It
# reads the sources, so it needs none of the project's dependencies.
IMPORT_LINTER := $(VENV)/import-linter
IMPORT_LINTER_STAMP := $(IMPORT_LINTER)/.installed

$(IMPORT_LINTER_STAMP): constraints.txt | $(STAMP)
	test -x $(IMPORT_LINTER)/bin/python || $(PYTHON) -m venv $(IMPORT_LINTER)
	$(IMPORT_LINTER)/bin/python -m pip install --quiet -c constraints.txt import-linter
	touch $(IMPORT_LINTER_STAMP)

imports: $(IMPORT_LINTER_STAMP)
	$(IMPORT_LINTER)/bin/lint-imports

demo: $(STAMP)
	$(BIN)/awork-tray --demo

sandbox: $(STAMP)
	$(BIN)/awork-tray sandbox

test: $(STAMP) $(WHEELHOUSE_STAMP) $(IMPORT_LINTER_STAMP)
	$(BIN)/ruff check tray_app tests packaging bench
	$(BIN)/ruff format --check tray_app tests packaging bench
	$(BIN)/mypy
	$(IMPORT_LINTER)/bin/lint-imports
	$(BIN)/python -m pytest -m "not bundle"

lint: $(STAMP)
	$(BIN)/ruff check --fix tray_app tests packaging bench
	$(BIN)/ruff format tray_app tests packaging bench

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache

# Collect the UI's texts into the German catalogue and compile it (commit both files).
translations: $(STAMP)
	$(BIN)/pyside6-lupdate tray_app/ui/*.py tray_app/app.py tray_app/composition.py \
		tray_app/core/changes.py tray_app/core/timer.py tray_app/core/today.py \
		tray_app/core/away.py tray_app/core/away_discard.py \
		-ts resources/translations/awork_tray_de.ts -no-obsolete -locations none
	$(BIN)/pyside6-lrelease resources/translations/awork_tray_de.ts \
		-qm resources/translations/awork_tray_de.qm

# A one-folder PyInstaller bundle in dist/awork-tray (PyInstaller, the `packaging` extra, is
# installed into .venv for these two targets only). bundle-test builds its own in a temporary
# folder and runs it: --version, the demo offscreen and in a real tray, the command line.
.PHONY: bundle bundle-test
BUNDLE_STAMP := $(VENV)/.installed-packaging

$(BUNDLE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,packaging]'
	touch $(BUNDLE_STAMP)

bundle: $(BUNDLE_STAMP)
	$(BIN)/python -m PyInstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath build/pyinstaller packaging/awork-tray.spec
	du -sh dist/awork-tray

bundle-test: $(BUNDLE_STAMP)
	AWORK_TRAY_BUNDLE_TESTS=1 $(BIN)/python -m pytest -m bundle

# The benchmark of issue 7 on its own Xvfb display with trayer: the tray against the Qt floor and
# the stack floor, with the budget (bench/README.md). About three minutes; `--quick` for a try.
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python -m bench.run
