"""The tray's menu and the fallback window ask for the same things, and both are carried out."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from tests.qt.conftest import Seen, make_app
from tray_app.app import TrayApplication
from tray_app.awork.client import AworkClient
from tray_app.sandbox import Sandbox
from tray_app.ui.tray import menu_text


def polls(sandbox: Sandbox) -> int:
    return sum(1 for r in sandbox.requests if r.path.endswith("/me/timeentries/last"))


def check_requests(
    qtbot: QtBot, app: TrayApplication, sandbox: Sandbox, seen: Seen, press: Callable[[str], None]
) -> None:
    """Press "Refresh now", "Open in awork" and "Open log folder" and look at what followed."""
    qtbot.waitUntil(lambda: app.web_url.startswith("http"), timeout=3000)
    qtbot.waitUntil(lambda: "Paused at" in app.tray.header.text(), timeout=3000)
    before = polls(sandbox)
    press("refresh")
    qtbot.waitUntil(lambda: polls(sandbox) > before, timeout=3000)
    press("open_web")
    press("log_folder")
    assert seen.opened[0] == app.web_url
    assert seen.opened[1].startswith("file://") and seen.opened[1].endswith("log")


def test_the_menu_s_requests_are_carried_out(
    qtbot: QtBot, tray_app: TrayApplication, sandbox: Sandbox, seen: Seen
) -> None:
    items = {
        "refresh": tray_app.tray.refresh,
        "open_web": tray_app.tray.open_web,
        "log_folder": tray_app.tray.log_folder,
    }
    check_requests(qtbot, tray_app, sandbox, seen, lambda key: items[key].trigger())


@pytest.mark.expect_log(  # offscreen Qt has no tray: the window stands in, as on such a desktop
    "WARNING", r"^no system tray on this desktop; showing a window instead$", logger="tray_app.app"
)
def test_the_window_s_requests_are_carried_out_the_same_way(
    qtbot: QtBot, client: AworkClient, sandbox: Sandbox, seen: Seen
) -> None:
    app = make_app(client, seen, tray_wait_ms=500)
    app.start()
    qtbot.waitUntil(lambda: app.window is not None and app.window.isVisible(), timeout=3000)
    window = app.window
    assert window is not None
    qtbot.addWidget(window)
    buttons = {button.text(): button for button in window.findChildren(QPushButton)}
    try:
        check_requests(qtbot, app, sandbox, seen, lambda key: buttons[menu_text(key)].click())
    finally:
        app.shutdown()
