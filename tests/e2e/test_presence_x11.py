"""X11 idle time (MIT-SCREEN-SAVER through libXss) on a real X server, with input from xdotool."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.helpers.tools import require, wait_for
from tray_app.platform.presence_x11 import X11IdleTime

pytestmark = pytest.mark.e2e


def send_input(display: str, *args: str) -> None:
    subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display}, check=True)


def test_idle_time_grows_without_input_and_restarts_with_it(xvfb: str) -> None:
    require("xdotool")
    idle = X11IdleTime(xvfb)
    assert idle.start(), "libXss or the MIT-SCREEN-SAVER extension is missing"
    try:
        wait_for(lambda: (idle.idle_seconds() or 0) >= 1.5, 15, "1.5 s without input")
        send_input(xvfb, "mousemove", "200", "200")
        after_move = idle.idle_seconds()
        assert after_move is not None
        assert after_move < 1.0
        wait_for(lambda: (idle.idle_seconds() or 0) >= 1.5, 15, "1.5 s without input again")
        send_input(xvfb, "key", "shift")
        after_key = idle.idle_seconds()
        assert after_key is not None
        assert after_key < 1.0
    finally:
        idle.close()
    assert idle.idle_seconds() is None  # closed: nothing known, nothing crashes


def test_no_display_gives_no_idle_time() -> None:
    idle = X11IdleTime(":9999")
    assert not idle.start()
    assert idle.idle_seconds() is None
