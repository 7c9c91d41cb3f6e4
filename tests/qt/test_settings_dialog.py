"""The settings dialog refuses an awork address the app may not use (issue 11, item 1)."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from tray_app.core.away_settings import WeekDay
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


def test_the_away_and_reminder_settings_are_edited_and_the_rest_kept(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Settings(favourites=["task-1"]))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.when_locked.currentText() == "ask me on return"
    assert dialog.not_tracking_after.text() == "15 min"

    dialog.when_locked.setCurrentIndex(dialog.when_locked.findText("pause the timer"))
    dialog.when_idle.setCurrentIndex(dialog.when_idle.findText("do nothing"))
    dialog.after_minutes.setValue(20)
    qtbot.mouseClick(dialog.resume_when_back, Qt.MouseButton.LeftButton)
    dialog.not_tracking_after.setValue(0)
    qtbot.mouseClick(dialog.work_days[WeekDay.FRI], Qt.MouseButton.LeftButton)
    dialog.work_start.setTime(QTime(8, 30))
    dialog.running_over.setValue(0)
    assert dialog.not_tracking_after.text() == "off"
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    result = dialog.result_settings()
    assert result.away.model_dump(mode="json") == {
        "after_minutes": 20,
        "when_locked": "pause",
        "when_idle": "nothing",
        "resume_when_back": True,
    }
    assert result.reminders.to_json() == {
        "not_tracking_after_minutes": 0,
        "work_days": ["mon", "tue", "wed", "thu"],
        "work_hours": ["08:30", "18:00"],
        "running_over_hours": 0,
    }
    assert result.favourites == ["task-1"]


def test_work_hours_that_end_before_they_start_are_not_saved(qtbot: QtBot) -> None:
    dialog = shown_dialog(qtbot)
    dialog.work_start.setTime(QTime(19, 0))

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(dialog.work_hours_problem.isVisible)
    assert dialog.work_hours_problem.text() == "The work hours must start before they end."
    assert dialog.isVisible()
