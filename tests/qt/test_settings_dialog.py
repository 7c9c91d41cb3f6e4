"""The settings dialog refuses an awork address the app may not use (issue 11, item 1)."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from tray_app.core.settings import Settings
from tray_app.ui.settings_dialog import SettingsDialog


def shown_dialog(qtbot: QtBot) -> SettingsDialog:
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


@pytest.mark.expect_log(
    "WARNING",
    r"^settings not saved: https is required for awork\.example\.com: "
    r"plain http is only for this machine \(127\.0\.0\.1, ::1, localhost\)$",
    logger="tray_app.ui.settings_dialog",
)
def test_plain_http_to_another_host_is_not_saved(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    dialog = shown_dialog(qtbot)
    dialog.base_url.setText("http://awork.example.com/api/v1")

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(dialog.base_url_problem.isVisible)
    assert "https is required for awork.example.com" in dialog.base_url_problem.text()
    assert dialog.isVisible()  # still open: nothing to save yet
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        "settings not saved: https is required for awork.example.com: plain http is only for "
        "this machine (127.0.0.1, ::1, localhost)"
    ]


@pytest.mark.expect_log(
    "WARNING",
    r"^settings not saved: https is required for awork\.example\.com: "
    r"plain http is only for this machine \(127\.0\.0\.1, ::1, localhost\)$",
    logger="tray_app.ui.settings_dialog",
)
def test_once_the_address_is_corrected_the_dialog_saves_it(qtbot: QtBot) -> None:
    dialog = shown_dialog(qtbot)
    dialog.base_url.setText("http://awork.example.com/api/v1")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.base_url_problem.isVisible)

    dialog.base_url.setText("https://awork.example.com/api/v1/")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert not dialog.isVisible()
    assert dialog.result_settings().base_url == "https://awork.example.com/api/v1"


@pytest.mark.parametrize(
    "address", ["http://127.0.0.1:8765/api/v1", "http://localhost:8765/api/v1", "http://[::1]/x"]
)
def test_plain_http_on_this_machine_is_saved(qtbot: QtBot, address: str) -> None:
    dialog = shown_dialog(qtbot)
    dialog.base_url.setText(address)

    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert dialog.result_settings().base_url == address
