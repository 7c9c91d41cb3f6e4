"""Away from the desk, end to end: the demo in a real tray, a screen saver on a session bus.

``presence_service.py`` plays the screen saver (and logind) on a private ``dbus-run-session``
bus that the demo takes as its session and system bus. The screen "locks" and the sandbox's
timer is paused within 5 s; later an idle stretch makes the tray ask on return, and the return
window is kept as a screenshot in ``test-artifacts/e2e/``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_demo_in_a_real_tray import _BANNER, _icon_geometry, _screenshot, _xdotool
from tests.e2e.test_presence_dbus import Bus, bus  # noqa: F401  # the stand-in's fixture
from tests.helpers.ports import free_port
from tests.helpers.screen import mapped_windows
from tests.helpers.tools import wait_for

pytestmark = pytest.mark.e2e

SCREENSAVER = "org.freedesktop.ScreenSaver"


class Demo:
    """The demo tray's process and the sandbox it runs against."""

    def __init__(self, process: subprocess.Popen[str], url: str, token: str, env: dict[str, str]):
        self.process = process
        self.url = url
        self.token = token
        self.env = env

    def timer(self) -> str:
        """'running', 'paused' or 'stopped', as the sandbox (awork) has it now."""
        answer = httpx.get(
            f"{self.url}/me/timeentries/last",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=5,
        )
        entry = answer.json()
        if entry["endDateUtc"] is not None:
            return "stopped"
        breaks = entry["breaks"] or []
        return "paused" if breaks and breaks[-1]["endDate"] is None else "running"


@pytest.fixture
def demo(x_display: str, tmp_path: Path, bus: Bus) -> Iterator[Demo]:  # noqa: F811
    config = tmp_path / "config"
    (config / "awork-tray").mkdir(parents=True)
    settings = {"away": {"when_locked": "pause", "when_idle": "ask", "after_minutes": 10}}
    (config / "awork-tray" / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    env = {
        **os.environ,
        "DISPLAY": x_display,
        "QT_QPA_PLATFORM": "xcb",
        "XDG_CONFIG_HOME": str(config),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "DBUS_SESSION_BUS_ADDRESS": bus.address,
        "DBUS_SYSTEM_BUS_ADDRESS": bus.address,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tray_app", "--demo", "--sandbox-port", str(free_port())],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    match = _BANNER.search(process.stdout.readline())
    if match is None:
        process.kill()
        pytest.fail(f"the demo did not print its sandbox URL: {process.stderr.read()!r}")
    try:
        yield Demo(process, match["url"], match["token"], env)
    finally:
        if process.poll() is None:
            process.terminate()
        process.communicate(timeout=10)


def resume_from_the_menu(demo: Demo, box: tuple[int, int, int, int]) -> None:
    """Right-click the icon, take the paused timer's first item (Resume), as a person would."""
    x, y, width, height = box
    _xdotool(demo.env, "mousemove", str(x + width // 2), str(y + height // 2), "click", "3")
    wait_for(
        lambda: [w for w in mapped_windows(demo.env, "awork-tray") if w.height() > 100] or None,
        10,
        "the menu to open",
    )
    time.sleep(0.8)  # as in test_demo_in_a_real_tray: the menu takes keys once it has the grab
    _xdotool(demo.env, "key", "Down", "Return")
    wait_for(lambda: demo.timer() == "running" or None, 10, "the sandbox's timer to run")


def test_a_lock_pauses_at_once_and_a_return_after_idle_asks(
    demo: Demo,
    bus: Bus,  # noqa: F811
    artifacts: Path,
) -> None:
    box = wait_for(lambda: _icon_geometry(demo.env), 15, "the icon to embed in trayer")
    assert isinstance(box, tuple)
    assert demo.timer() == "paused", "the demo starts paused"
    resume_from_the_menu(demo, box)

    # The screen locks: the timer is paused within 5 s, by the lock signal.
    locked = time.monotonic()
    bus.call("SetActive", "sb", SCREENSAVER, True)
    wait_for(lambda: demo.timer() == "paused" or None, 5, "the timer to pause at the lock")
    assert time.monotonic() - locked < 5
    bus.call("SetActive", "sb", SCREENSAVER, False)

    # Back and running again, then 12 minutes without input, then a key: the tray asks.
    wait_for(lambda: _icon_geometry(demo.env), 5, "the icon")
    resume_from_the_menu(demo, box)
    bus.call("SetIdle", "u", 754)
    time.sleep(6)  # one tick of the tray (5 s) reads the idle time: the absence begins
    bus.call("SetIdle", "u", 0)
    window = wait_for(
        lambda: [w for w in mapped_windows(demo.env, "awork-tray") if w.height() > 40] or None,
        15,
        "the return window to show",
    )
    time.sleep(0.5)  # let it paint
    _screenshot(demo.env, artifacts / "away-return-window.png")
    assert window, "the return window is mapped"

    # Escape keeps the time: nothing sent, the timer still runs.
    _xdotool(demo.env, "key", "Escape")
    wait_for(
        lambda: not [w for w in mapped_windows(demo.env, "awork-tray") if w.height() > 40] or None,
        10,
        "the return window to close",
    )
    assert demo.timer() == "running"

    demo.process.terminate()
    _, stderr = demo.process.communicate(timeout=10)
    assert demo.process.returncode == 0
    assert "Traceback" not in stderr
