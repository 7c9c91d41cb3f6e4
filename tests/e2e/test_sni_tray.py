"""``awork-tray --demo`` in a StatusNotifierItem tray, as KDE and GNOME's AppIndicator show it.

A private session bus (what ``dbus-run-session`` starts) carries the item to
``gtk-sni-tray-standalone`` (host and watcher) and the notifications to ``dunst``;
``dbus-monitor`` records every ``org.freedesktop.Notifications`` call. The host draws the menu
itself from what Qt exports over D-Bus (com.canonical.dbusmenu), so what it shows is read two
ways: from the screen, and from the bus, as a screen reader would.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage

from tests.helpers.ports import free_port
from tests.helpers.screen import changed_rows, mapped_windows
from tests.helpers.tools import require, stop, wait_for

pytestmark = pytest.mark.e2e

GREEN = QColor("#2e9d5b")
AMBER = QColor("#e0a100")
BAR_HEIGHT = 40
ELAPSED = re.compile(r"\b\d+:\d\d:\d\d\b")
_BANNER = re.compile(r"running at (?P<url>\S+) \(access token: (?P<token>[^)\s]+)\)")
_NOTIFY = re.compile(
    r"member=Notify\n"
    r'\s+string "(?P<app>[^"]*)"\n\s+uint32 \d+\n\s+string "[^"]*"\n'
    r'\s+string "(?P<summary>[^"]*)"\n\s+string "(?P<body>[^"]*)"'
)


class Bus:
    """A small client of the private session bus (jeepney: pure Python, already a keyring dep)."""

    def __init__(self, address: str) -> None:
        from jeepney.io.blocking import open_dbus_connection

        self._connection = open_dbus_connection(bus=address)

    def close(self) -> None:
        self._connection.close()

    def call(
        self, name: str, path: str, interface: str, method: str, signature: str = "", *args: Any
    ) -> tuple[Any, ...]:
        from jeepney import DBusAddress, new_method_call
        from jeepney.wrappers import unwrap_msg

        address = DBusAddress(path, bus_name=name, interface=interface)
        message = new_method_call(address, method, signature, args)
        return tuple(unwrap_msg(self._connection.send_and_get_reply(message, timeout=5)))

    def get(self, name: str, path: str, interface: str, prop: str) -> Any:
        return self.call(
            name, path, "org.freedesktop.DBus.Properties", "Get", "ss", interface, prop
        )[0][1]

    def has_owner(self, name: str) -> bool:
        return bool(
            self.call(
                "org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus",
                "NameHasOwner",
                "s",
                name,
            )[0]
        )


@dataclass
class Session:
    env: dict[str, str]
    bus: Bus
    monitor_log: Path


@dataclass
class Demo:
    process: subprocess.Popen[str]
    url: str
    token: str
    session: Session
    item: str = ""  # the item's bus name, once registered

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def sandbox_state(self) -> str:
        """The timer as the sandbox (awork) has it, read from the raw JSON."""
        answer = httpx.get(f"{self.url}/me/timeentries/last", headers=self._headers(), timeout=5)
        if answer.status_code == 204:
            return "none"
        entry = answer.json()
        if entry["endTimeUtc"] is not None:
            return "stopped"
        breaks = entry.get("breaks") or []
        return "paused" if breaks and breaks[-1]["endDate"] is None else "running"

    def from_another_device(self, action: str) -> None:
        answer = httpx.post(
            f"{self.url}/me/timetracking/{action}", headers=self._headers(), timeout=5
        )
        assert answer.is_success, answer.text

    def tooltip(self) -> str:
        _icon, _pixmaps, title, text = self.session.bus.get(
            self.item, "/StatusNotifierItem", "org.kde.StatusNotifierItem", "ToolTip"
        )
        return f"{title}\n{text}".strip()

    def menu_labels(self) -> list[str]:
        """The visible labels of the exported menu, in order, mnemonics as GTK gets them."""
        path = self.session.bus.get(
            self.item, "/StatusNotifierItem", "org.kde.StatusNotifierItem", "Menu"
        )
        _revision, (_id, _props, children) = self.session.bus.call(
            self.item, path, "com.canonical.dbusmenu", "GetLayout", "iias", 0, -1, []
        )
        labels = []
        for _signature, (_child, props, _grandchildren) in children:
            if props.get("visible", ("b", True))[1] and "label" in props:
                labels.append(props["label"][1])
        return labels

    def header(self) -> str:
        return next(label for label in self.menu_labels() if ELAPSED.search(label))


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


@pytest.fixture
def session(xvfb: str, tmp_path: Path) -> Iterator[Session]:
    """A session bus, the SNI host with its watcher, dunst, and dbus-monitor, on ``xvfb``."""
    require("dbus-daemon", "dbus-monitor", "gtk-sni-tray-standalone", "dunst", "import", "xdotool")
    logs = tmp_path / "logs"
    logs.mkdir()
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert daemon.stdout is not None
    address = daemon.stdout.readline().strip()
    env = {
        **os.environ,
        "DISPLAY": xvfb,
        "DBUS_SESSION_BUS_ADDRESS": address,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "LC_ALL": "C.UTF-8",
        "LANGUAGE": "en",
        "NO_AT_BRIDGE": "1",  # GTK: no accessibility bus to look for
        "GDK_BACKEND": "x11",
    }
    helpers: list[subprocess.Popen[bytes]] = []
    bus = Bus(address)
    try:
        monitor_log = logs / "dbus-monitor.log"
        helpers.append(
            _start(["dbus-monitor", "interface='org.freedesktop.Notifications'"], env, monitor_log)
        )
        helpers.append(
            _start(
                [
                    "gtk-sni-tray-standalone",
                    "--top",
                    "--end",
                    "--size",
                    str(BAR_HEIGHT),
                    "--watcher",
                ],
                env,
                logs / "sni-host.log",
            )
        )
        helpers.append(_start(["dunst"], env, logs / "dunst.log"))
        wait_for(lambda: bus.has_owner("org.kde.StatusNotifierWatcher"), 15, "the SNI watcher")
        wait_for(lambda: bus.has_owner("org.freedesktop.Notifications"), 15, "dunst")
        yield Session(env, bus, monitor_log)
    finally:
        bus.close()
        for helper in reversed(helpers):
            if helper.poll() is None:
                helper.terminate()
                helper.wait(timeout=10)
        daemon.terminate()
        daemon.communicate(timeout=10)


@pytest.fixture
def demo(session: Session, tmp_path: Path) -> Iterator[Demo]:
    # Poll every 10 s (the settings' minimum), not 30, so a change elsewhere shows soon.
    settings = tmp_path / "config" / "awork-tray" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"poll_interval_seconds": 10}), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "tray_app", "--demo", "--sandbox-port", str(free_port())],
        env={**session.env, "QT_QPA_PLATFORM": "xcb"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    match = _BANNER.search(process.stdout.readline())
    if match is None:
        pytest.fail(f"the demo did not print its sandbox URL: {stop(process)!r}")
    demo = Demo(process, match["url"], match["token"], session)
    try:
        yield demo
    finally:
        stop(demo.process)


def _registered_item(demo: Demo) -> str | None:
    items = demo.session.bus.get(
        "org.kde.StatusNotifierWatcher",
        "/StatusNotifierWatcher",
        "org.kde.StatusNotifierWatcher",
        "RegisteredStatusNotifierItems",
    )
    # Items register as a bus name, or "name/path"; Qt's is a unique name with the default path.
    return items[0].split("/")[0] if items else None


def _screenshot(env: dict[str, str], path: Path) -> QImage:
    subprocess.run(["import", "-window", "root", str(path)], env=env, check=True, timeout=30)
    image = QImage(str(path))
    assert not image.isNull()
    return image.convertToFormat(QImage.Format.Format_RGB32)


def _close(a: QColor, b: QColor) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < 40


def _icon_pixels(image: QImage) -> dict[str, int]:
    """How many pixels of the bar's right end are our paused amber and our running green."""
    counts = {"amber": 0, "green": 0}
    for x in range(image.width() - 200, image.width()):
        for y in range(BAR_HEIGHT):
            colour = image.pixelColor(x, y)
            if _close(colour, AMBER):
                counts["amber"] += 1
            elif _close(colour, GREEN):
                counts["green"] += 1
    return counts


def _wait_for_icon(demo: Demo, colour: str, shot: Path) -> dict[str, int]:
    def showing() -> dict[str, int] | None:
        counts = _icon_pixels(_screenshot(demo.session.env, shot))
        return counts if counts[colour] > 50 else None

    return wait_for(showing, 15, f"the tray icon to turn {colour}")


def _xdotool(demo: Demo, *args: str) -> None:
    subprocess.run(["xdotool", *args], env=demo.session.env, check=True, timeout=10)


def _menu_geometry(env: dict[str, str]) -> QRect | None:
    """The host's menu: a window of gtk-sni-tray-standalone below the bar."""
    menus = [
        window
        for window in mapped_windows(env, "gtk-sni-tray-standalone")
        if window.y() >= BAR_HEIGHT and window.height() > 100
    ]
    return menus[0] if menus else None


def _open_menu(demo: Demo, icon_x: int) -> QRect:
    """Right-click the icon, wait for the host's menu, park the pointer away from it."""
    _xdotool(demo, "mousemove", str(icon_x), str(BAR_HEIGHT // 2), "click", "3")
    menu = wait_for(lambda: _menu_geometry(demo.session.env), 10, "the tray menu to open")
    _xdotool(demo, "mousemove", "5", "700")
    time.sleep(0.5)  # let GTK finish drawing the menu before the first screenshot
    return menu


def _notifications(demo: Demo) -> list[dict[str, str]]:
    text = demo.session.monitor_log.read_text(encoding="utf-8", errors="replace")
    return [match.groupdict() for match in _NOTIFY.finditer(text)]


def _elapsed(text: str) -> int:
    """The H:MM:SS in ``text``, in seconds."""
    found = ELAPSED.search(text)
    assert found is not None, text
    hours, minutes, seconds = (int(part) for part in found[0].split(":"))
    return hours * 3600 + minutes * 60 + seconds


def _icon_x(image: QImage) -> int:
    """The icon's centre column: the middle of our colours in the bar's right end."""
    columns = [
        x
        for x in range(image.width() - 200, image.width())
        for y in range(0, BAR_HEIGHT, 2)
        if _close(image.pixelColor(x, y), AMBER) or _close(image.pixelColor(x, y), GREEN)
    ]
    assert columns, "the icon is in the bar"
    return (min(columns) + max(columns)) // 2


def test_a_real_sni_tray(demo: Demo, artifacts: Path) -> None:
    shots = artifacts / "sni"
    shots.mkdir(exist_ok=True)
    demo.item = wait_for(lambda: _registered_item(demo), 15, "the item to register")
    assert demo.sandbox_state() == "paused", "the demo starts paused"

    # The icon is in the host's bar, amber while paused.
    paused = _wait_for_icon(demo, "amber", shots / "icon-paused.png")
    assert paused["green"] == 0
    icon_x = _icon_x(_screenshot(demo.session.env, shots / "icon-paused.png"))

    # Paused, the open menu stands still: two screenshots 2 s apart are the same.
    menu = _open_menu(demo, icon_x)
    before = _screenshot(demo.session.env, shots / "menu-paused-1.png")
    time.sleep(2)
    after = _screenshot(demo.session.env, shots / "menu-paused-2.png")
    assert changed_rows(before, after, menu) == [], "nothing in the menu moves while paused"
    assert "Paused at" in demo.header()
    _xdotool(demo, "key", "Escape")
    wait_for(lambda: _menu_geometry(demo.session.env) is None, 10, "the menu to close")

    # Another device resumes the timer: the next poll notices, says so on D-Bus, turns green.
    label = demo.header().split(" — ")[0]
    demo.from_another_device("resume")
    notes = wait_for(
        lambda: [n for n in _notifications(demo) if n["body"].startswith("Timer resumed")],
        25,
        "a Notify call about the resumed timer",
    )
    assert notes == [
        {"app": "awork Tray", "summary": "awork Tray", "body": f"Timer resumed: {label}"}
    ]
    running = _wait_for_icon(demo, "green", shots / "icon-running.png")
    assert running["amber"] == 0
    subprocess.run(["dunstctl", "close-all"], env=demo.session.env, check=False, timeout=10)

    # Running, the menu ticks: read over D-Bus and seen on screen.
    menu = _open_menu(demo, icon_x)
    first_header = demo.header()
    before = _screenshot(demo.session.env, shots / "menu-running-1.png")
    time.sleep(2)
    after = _screenshot(demo.session.env, shots / "menu-running-2.png")
    second_header = demo.header()
    assert "Running" in first_header
    assert _elapsed(first_header) < _elapsed(second_header)
    changed = changed_rows(before, after, menu)
    assert changed, "the menu on screen ticks while running"
    # Only the header's line changes: one text row near the menu's top.
    assert max(changed) - min(changed) < 30 and max(changed) < menu.y() + 100, changed

    # Pause and resume from the menu by keyboard: Down picks the first enabled item.
    _xdotool(demo, "key", "Down", "Return")  # running: Pause
    wait_for(lambda: demo.sandbox_state() == "paused", 10, "the sandbox's timer to pause")
    _wait_for_icon(demo, "amber", shots / "icon-paused-again.png")
    _open_menu(demo, icon_x)
    _xdotool(demo, "key", "Down", "Return")  # paused: Resume
    wait_for(lambda: demo.sandbox_state() == "running", 10, "the sandbox's timer to resume")
    _wait_for_icon(demo, "green", shots / "icon-resumed.png")

    # The tooltip ticks too. (For the 8 s a notification lasts, Qt's SNI item shows the
    # notification's text as its tooltip, in "NeedsAttention" status: wait that out.)
    def running_tooltip() -> str | None:
        tooltip = demo.tooltip()
        return tooltip if "Running" in tooltip else None

    first_tooltip = wait_for(running_tooltip, 15, "the tooltip to show the running time")
    time.sleep(1.5)
    assert _elapsed(first_tooltip) < _elapsed(demo.tooltip())

    # Clicks made here are not news: no notification about them.
    assert [n["body"] for n in _notifications(demo)] == [f"Timer resumed: {label}"]
    _, stderr = stop(demo.process)
    assert demo.process.returncode == 0, stderr
    assert "Traceback" not in stderr
