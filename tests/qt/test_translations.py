"""German for awork's home market: every UI text is in the catalogue, and the tray speaks it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from pytestqt.qtbot import QtBot

from tests.qt.conftest import Seen, make_app
from tray_app.awork.client import AworkClient
from tray_app.core.actions import Action
from tray_app.sandbox import Sandbox
from tray_app.ui.i18n import install_translations

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "resources" / "translations" / "awork_tray_de.ts"
COMPILED = CATALOGUE.with_suffix(".qm")
TOOLS = Path(sys.executable).parent


@pytest.fixture
def german(qapp: QCoreApplication) -> Iterator[list[QTranslator]]:
    translators = install_translations(
        qapp, QLocale(QLocale.Language.German, QLocale.Country.Germany)
    )
    yield translators
    for translator in translators:
        qapp.removeTranslator(translator)


def test_every_ui_text_is_in_the_catalogue_and_translated(tmp_path: Path) -> None:
    scratch = tmp_path / "awork_tray_de.ts"
    shutil.copy(CATALOGUE, scratch)
    sources = [
        *ROOT.glob("tray_app/ui/*.py"),
        ROOT / "tray_app/app.py",
        ROOT / "tray_app/composition.py",
        ROOT / "tray_app/core/changes.py",
        ROOT / "tray_app/core/timer.py",
        ROOT / "tray_app/core/today.py",
        ROOT / "tray_app/core/away.py",
        ROOT / "tray_app/core/away_discard.py",
    ]
    done = subprocess.run(
        [
            str(TOOLS / "pyside6-lupdate"),
            *map(str, sources),
            "-ts",
            str(scratch),
            "-no-obsolete",
            "-locations",
            "none",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "(0 new and" in done.stdout, f"texts missing from the catalogue: {done.stdout}"
    assert scratch.read_text(encoding="utf-8") == CATALOGUE.read_text(encoding="utf-8"), (
        "run 'make translations'"
    )
    assert 'type="unfinished"' not in CATALOGUE.read_text(encoding="utf-8")


def test_the_compiled_catalogue_matches_its_source(tmp_path: Path) -> None:
    compiled = tmp_path / "de.qm"
    subprocess.run(
        [str(TOOLS / "pyside6-lrelease"), str(CATALOGUE), "-qm", str(compiled)],
        capture_output=True,
        check=True,
    )
    assert compiled.read_bytes() == COMPILED.read_bytes(), "run 'make translations'"


def test_the_tray_speaks_german(
    qtbot: QtBot,
    german: list[QTranslator],
    client: AworkClient,
    sandbox: Sandbox,
    seen: Seen,
    tray_available: None,
) -> None:
    assert len(german) == 2, "our catalogue and Qt's own"
    app = make_app(client, seen)
    app.start()
    qtbot.waitUntil(lambda: "Pausiert bei" in app.tray.header.text(), timeout=5000)
    assert app.tray.actions[Action.RESUME].text() == "&Fortsetzen"
    assert app.tray.quit.text() == "&Beenden"
    sandbox.other_client.resume()
    app.tray.refresh.trigger()
    qtbot.waitUntil(lambda: bool(seen.notifications), timeout=5000)
    assert seen.notifications[0][1].startswith("Timer fortgesetzt: ")
    app.shutdown()
