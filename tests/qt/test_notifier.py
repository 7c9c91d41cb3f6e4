"""Notifications: one per change, never repeated, and each kind can be turned off."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tray_app.awork.models import TimeTracking
from tray_app.core.actions import Action
from tray_app.core.changes import changes_between
from tray_app.core.settings import NotificationSettings
from tray_app.core.timer import Snapshot
from tray_app.ui.notifier import Notifier


def entry(version: int, *, paused: bool) -> Snapshot:
    breaks = [{"startDate": "2026-11-30T10:30:00Z", "duration": None, "endDate": None}]
    return Snapshot.of(
        TimeTracking.model_validate(
            {
                "id": "e1",
                "startDateUtc": "2026-11-30T00:00:00Z",
                "startTimeUtc": "10:00:00",
                "breaks": breaks if paused else [],
                "resourceVersion": version,
                "task": {"id": "t1", "name": "Write report"},
            }
        )
    )


def test_a_change_is_announced_once(qtbot: QtBot) -> None:
    shown: list[tuple[str, str, bool]] = []
    notifier = Notifier(lambda *args: shown.append(args), NotificationSettings())
    (change,) = changes_between(entry(1, paused=False), entry(2, paused=True))
    notifier.on_controller_changed_elsewhere(change)
    notifier.on_controller_changed_elsewhere(change)
    assert shown == [("awork Tray", "Timer paused: Write report", False)]


def test_a_kind_turned_off_is_not_announced(qtbot: QtBot) -> None:
    shown: list[tuple[str, str, bool]] = []
    notifier = Notifier(lambda *args: shown.append(args), NotificationSettings(paused=False))
    (paused,) = changes_between(entry(1, paused=False), entry(2, paused=True))
    (resumed,) = changes_between(entry(2, paused=True), entry(3, paused=False))
    notifier.on_controller_changed_elsewhere(paused)
    notifier.on_controller_changed_elsewhere(resumed)
    assert [text for _, text, _ in shown] == ["Timer resumed: Write report"]


def test_failed_actions_are_announced_unless_turned_off(qtbot: QtBot) -> None:
    shown: list[tuple[str, str, bool]] = []
    settings = NotificationSettings()
    notifier = Notifier(lambda *args: shown.append(args), settings)
    notifier.on_controller_action_failed(Action.START_AGAIN, "awork refused the request.")
    settings.action_failed = False
    notifier.on_controller_action_failed(Action.RESUME, "Could not reach awork; nothing changed.")
    assert shown == [("Could not start again", "awork refused the request.", True)]
