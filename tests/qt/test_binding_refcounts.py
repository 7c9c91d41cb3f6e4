"""The Qt binding keeps Python's reference counts of None, True and False right.

Before Python 3.12 those three are ordinary objects: a binding that hands one out without taking
a reference (PySide6 6.12.0 does so for every void method) runs its count down a little on every
call, until Python aborts with "deallocating None". The tray makes a dozen such calls a second
while a timer runs, so it would die within the hour. This checks the calls the tray makes most.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

CALLS = 1000


def counts() -> tuple[int, int, int]:
    return sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)


@pytest.mark.parametrize(
    "name",
    ["QAction.setText", "QAction.setEnabled", "QAction.isEnabled", "QTimer.start", "QTimer.stop"],
)
def test_calls_the_tray_repeats_leave_none_true_and_false_alone(qtbot: QtBot, name: str) -> None:
    menu = QMenu()
    qtbot.addWidget(menu)
    item = menu.addAction("Resume")
    timer = QTimer()
    calls: dict[str, Callable[[], object]] = {
        "QAction.setText": lambda: item.setText("Pause"),
        "QAction.setEnabled": lambda: item.setEnabled(True),
        "QAction.isEnabled": item.isEnabled,
        "QTimer.start": lambda: timer.start(60_000),
        "QTimer.stop": timer.stop,
    }
    call = calls[name]
    call()  # whatever a first call caches is not a leak
    before = counts()
    for _ in range(CALLS):
        call()
    after = counts()
    lost = [b - a for a, b in zip(after, before, strict=True)]
    assert max(lost) < CALLS // 10, f"{name} lost references to (None, True, False): {lost}"
