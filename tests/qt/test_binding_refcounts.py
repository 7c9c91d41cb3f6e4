"""The Qt binding keeps Python's reference counts right on the calls the tray repeats most.

Before Python 3.12 None, True and False are ordinary objects: a binding that hands one out without
taking a reference (PySide6 6.12.0 does so for every void method) runs its count down a little on
every call, until Python aborts with "deallocating None". The tray makes a dozen such calls a
second while a timer runs, so it would die within the hour.

From Python 3.12 on those three are immortal (PEP 683): their counts never move, so a check of
them cannot fail there. What can still break on every version is the same mistake made with a
mortal object, an argument the call is handed (a fresh string, a large int): its count must come
back to where it was. Calls that take no mortal object are checked on Python < 3.12 only.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

CALLS = 1000
MORTAL_SINGLETONS = sys.version_info < (3, 12)  # PEP 683 made None, True and False immortal
needs_mortal_singletons = pytest.mark.skipif(
    not MORTAL_SINGLETONS,
    reason="None, True and False are immortal from Python 3.12 on (PEP 683): nothing to lose",
)


def singleton_counts() -> tuple[int, ...]:
    return sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)


def drift(call: Callable[[], object], measure: Callable[[], tuple[int, ...]]) -> list[int]:
    """How far each count moved over CALLS calls (after one call, whose caching is no leak)."""
    call()
    before = measure()
    for _ in range(CALLS):
        call()
    after = measure()
    return [a - b for a, b in zip(after, before, strict=True)]


def leaks(moved: list[int]) -> bool:
    return max(abs(step) for step in moved) >= CALLS // 10


@pytest.fixture
def item(qtbot: QtBot) -> Iterator[QAction]:
    menu = QMenu()
    qtbot.addWidget(menu)
    yield menu.addAction("Resume")  # the menu, which owns the item, lives until the test ends


@needs_mortal_singletons
@pytest.mark.parametrize(
    "name",
    ["QAction.setText", "QAction.setEnabled", "QAction.isEnabled", "QTimer.start", "QTimer.stop"],
)
def test_calls_the_tray_repeats_leave_none_true_and_false_alone(item: QAction, name: str) -> None:
    timer = QTimer()
    calls: dict[str, Callable[[], object]] = {
        "QAction.setText": lambda: item.setText("Pause"),
        "QAction.setEnabled": lambda: item.setEnabled(True),
        "QAction.isEnabled": item.isEnabled,
        "QTimer.start": lambda: timer.start(60_000),
        "QTimer.stop": timer.stop,
    }
    moved = drift(calls[name], singleton_counts)
    assert not leaks(moved), f"{name} moved the counts of (None, True, False) by {moved}"


@pytest.mark.parametrize("name", ["QAction.setText", "QTimer.start"])
def test_calls_the_tray_repeats_give_their_arguments_back(item: QAction, name: str) -> None:
    timer = QTimer()
    # Made at run time, so that neither is a constant or a cached small int: both are mortal.
    text = "".join(["Pa", "use"])
    interval = int("60000")
    argument: object = text if name == "QAction.setText" else interval
    calls: dict[str, Callable[[], object]] = {
        "QAction.setText": lambda: item.setText(text),
        "QTimer.start": lambda: timer.start(interval),
    }
    moved = drift(calls[name], lambda: (sys.getrefcount(argument),))
    assert not leaks(moved), f"{name} moved its argument's count by {moved}"


@needs_mortal_singletons
def test_the_measure_sees_a_binding_that_loses_a_reference_to_none() -> None:
    # What PySide6 6.12.0 did on each void call, done here on purpose and undone right after.
    decref = ctypes.pythonapi.Py_DecRef
    decref.argtypes = [ctypes.py_object]
    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]
    try:
        moved = drift(lambda: decref(None), singleton_counts)
    finally:
        for _ in range(CALLS + 1):
            incref(None)
    assert leaks(moved)


def test_the_measure_sees_a_call_that_keeps_its_argument() -> None:
    kept: list[object] = []
    argument = "".join(["Pa", "use"])
    moved = drift(lambda: kept.append(argument), lambda: (sys.getrefcount(argument),))
    assert leaks(moved)
