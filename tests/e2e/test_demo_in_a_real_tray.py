"""``awork-tray --demo`` in a real XEmbed tray: the icon shows, the menu opens, Resume resumes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage

from tests.helpers.ports import free_port
from tests.helpers.screen import changed_rows, mapped_windows
from tests.helpers.tools import wait_for

pytestmark = pytest.mark.e2e

GREEN = QColor("#2e9d5b")
AMBER = QColor("#e0a100")
_BANNER = re.compile(r"running at (?P<url>\S+) \(access token: (?P<token>[^)\s]+)\)")
# Our icon in `xwininfo -tree`: '"awork Tray": ("awork-tray" "awork Tray")  22x30+0+0  +1001+1'
_ICON_LINE = re.compile(
    r'"awork-tray" "awork Tray"\)\s+(\d+)x(\d+)\+-?\d+\+-?\d+\s+\+(-?\d+)\+(-?\d+)'
)


@dataclass
class Demo:
    process: subprocess.Popen[str]
    url: str
    token: str
    env: dict[str, str]

    def entry(self) -> dict[str, object] | None:
        answer = httpx.get(
            f"{self.url}/me/timeentries/last",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=5,
        )
        return None if answer.status_code == 204 else answer.json()


@pytest.fixture
def demo(x_display: str, tmp_path: Path) -> Iterator[Demo]:
    env = {
        **os.environ,
        "DISPLAY": x_display,
        "QT_QPA_PLATFORM": "xcb",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tray_app", "--demo", "--sandbox-port", str(free_port())],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    banner = process.stdout.readline()
    match = _BANNER.search(banner)
    if match is None:
        process.kill()
        pytest.fail(f"the demo did not print its sandbox URL: {banner!r} {process.stderr.read()!r}")
    try:
        yield Demo(process, match["url"], match["token"], env)
    finally:
        if process.poll() is None:
            process.terminate()
        process.communicate(timeout=10)


def _icon_geometry(env: dict[str, str]) -> tuple[int, int, int, int] | None:
    tree = subprocess.run(
        ["xwininfo", "-root", "-tree"], check=True, env=env, capture_output=True, text=True
    ).stdout
    match = _ICON_LINE.search(tree)
    if match is None:
        return None
    width, height, x, y = (int(group) for group in match.groups())
    return x, y, width, height


def _screenshot(env: dict[str, str], path: Path) -> QImage:
    subprocess.run(["import", "-window", "root", str(path)], env=env, check=True)
    image = QImage(str(path))
    assert not image.isNull()
    return image


def _count(image: QImage, box: tuple[int, int, int, int], colour: QColor) -> int:
    x0, y0, width, height = box
    return sum(
        1
        for x in range(x0, x0 + width)
        for y in range(y0, y0 + height)
        if _close(image.pixelColor(x, y), colour)
    )


def _close(a: QColor, b: QColor) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < 40


def _wait_for_icon_colour(
    demo: Demo, box: tuple[int, int, int, int], colour: QColor, shot: Path
) -> QImage:
    """Screenshot until the icon's area shows ``colour``; the last screenshot is kept."""

    def showing() -> QImage | None:
        image = _screenshot(demo.env, shot)
        return image if _count(image, box, colour) > 20 else None

    image = wait_for(showing, 10, f"the icon to turn {colour.name()}")
    assert isinstance(image, QImage)
    return image


def _menu(env: dict[str, str]) -> QRect | None:
    """The open menu: our window that is larger than the icon."""
    menus = [window for window in mapped_windows(env, "awork-tray") if window.height() > 100]
    return menus[0] if menus else None


def _xdotool(env: dict[str, str], *args: str) -> None:
    subprocess.run(["xdotool", *args], env=env, check=True)


def test_resume_from_the_tray_menu(demo: Demo, artifacts: Path) -> None:
    box = wait_for(lambda: _icon_geometry(demo.env), 15, "the icon to embed in trayer")
    assert isinstance(box, tuple)
    entry = demo.entry()
    assert entry is not None and entry["breaks"][-1]["endDate"] is None, "the demo starts paused"

    # The icon shows the paused state: amber, no green.
    paused = _wait_for_icon_colour(demo, box, AMBER, artifacts / "icon-paused.png")
    assert _count(paused, box, GREEN) == 0

    # Right-click opens the menu; the first enabled item of a paused timer is Resume.
    x, y, width, height = box
    _xdotool(demo.env, "mousemove", str(x + width // 2), str(y + height // 2), "click", "3")
    time.sleep(0.8)
    _screenshot(demo.env, artifacts / "menu-open.png")
    _xdotool(demo.env, "key", "Down", "Return")

    wait_for(
        lambda: (demo.entry() or {}).get("breaks", [{}])[-1].get("endDate"),  # type: ignore[union-attr]
        10,
        "the sandbox's timer to run",
    )
    running = _wait_for_icon_colour(demo, box, GREEN, artifacts / "icon-running.png")
    assert _count(running, box, AMBER) == 0

    # Running, the open menu ticks: between two screenshots 2 s apart only its header changes.
    _xdotool(demo.env, "mousemove", str(x + width // 2), str(y + height // 2), "click", "3")
    menu = wait_for(lambda: _menu(demo.env), 10, "the menu to open again")
    assert isinstance(menu, QRect)
    _xdotool(demo.env, "mousemove", "5", "700")  # off the menu: no item highlighted
    time.sleep(0.5)
    before = _screenshot(demo.env, artifacts / "menu-running-1.png")
    time.sleep(2)
    after = _screenshot(demo.env, artifacts / "menu-running-2.png")
    changed = changed_rows(before, after, menu)
    assert changed, "the menu's elapsed time ticks while it is open"
    assert max(changed) - min(changed) < 30 and max(changed) < menu.y() + 100, changed
    _xdotool(demo.env, "key", "Escape")

    demo.process.terminate()
    _, stderr = demo.process.communicate(timeout=10)
    assert demo.process.returncode == 0
    assert "Traceback" not in stderr
