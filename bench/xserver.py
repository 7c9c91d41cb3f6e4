"""A private X display (Xvfb) with an XEmbed tray host (trayer), and what the benchmark asks of it.

Xvfb picks a free display number itself (``-displayfd``), so the benchmark never collides with a
test run or another benchmark on the same machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass

TOOLS = ("Xvfb", "trayer", "xwininfo", "xdotool", "import")
INSTALL_HINT = (
    "apt-get install -y --no-install-recommends xvfb trayer x11-utils xdotool imagemagick "
    "libxcb-icccm4 libxcb-keysyms1"
)
# A window in `xwininfo -root -tree`:
#   '0x400007 "awork Tray": ("awork-tray" "awork Tray")  22x30+0+0  +1001+1'
_WINDOW = re.compile(
    r'^(?P<indent> *)(?P<id>0x[0-9a-f]+) .*\("(?P<instance>[^"]*)" "(?P<klass>[^"]*)"\)\s+'
    r"(?P<w>\d+)x(?P<h>\d+)\+-?\d+\+-?\d+\s+\+(?P<x>-?\d+)\+(?P<y>-?\d+)"
)
_TOP_LEVEL_INDENT = 5
# fmt: off
TRAYER = ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "32",
          "--transparent", "false", "--tint", "0xdddddd"]
# fmt: on


@dataclass(frozen=True)
class IconWindow:
    """An icon embedded in the tray: its X window and its place on the screen."""

    window: str
    x: int
    y: int
    width: int
    height: int

    @property
    def centre(self) -> tuple[int, int]:
        return self.x + self.width // 2, self.y + self.height // 2


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


class XServer:
    """Xvfb plus trayer docked at the top right; ``env`` is what a client needs to use them."""

    def __init__(self) -> None:
        self._xvfb: subprocess.Popen[bytes] | None = None
        self._trayer: subprocess.Popen[bytes] | None = None
        self.display = ""

    def start(self, timeout: float = 15.0) -> XServer:
        read_end, write_end = os.pipe()
        self._xvfb = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_end),
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write_end,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_end)
        with os.fdopen(read_end) as pipe:
            number = pipe.readline().strip()
        if not number:
            self.stop()
            raise RuntimeError("Xvfb did not start")
        self.display = f":{number}"
        # trayer now and then dies at start on a fresh display: give it a few chances.
        for _ in range(3):
            self._trayer = subprocess.Popen(
                TRAYER,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + timeout / 3
            while time.monotonic() < deadline:
                if '"panel": ("panel" "trayer")' in self.tree():
                    return self
                time.sleep(0.05)
            self._trayer.kill()
            self._trayer.wait()
        self.stop()
        raise RuntimeError("trayer did not show its panel")

    @property
    def env(self) -> dict[str, str]:
        """The session a tray client sees: this display, XEmbed (no D-Bus, so no SNI host)."""
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")
        }
        env.update(DISPLAY=self.display, QT_QPA_PLATFORM="xcb")
        return env

    def tray_host_alive(self) -> bool:
        """Whether trayer still runs (it now and then dies, and then the screen is all black)."""
        return self._trayer is not None and self._trayer.poll() is None

    def stop(self) -> None:
        for process in (self._trayer, self._xvfb):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self._trayer = self._xvfb = None

    def __enter__(self) -> XServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def tree(self) -> str:
        return subprocess.run(
            ["xwininfo", "-root", "-tree"],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        ).stdout

    def icons(self, wm_class: tuple[str, str]) -> list[IconWindow]:
        """The windows of ``wm_class`` (instance, class) that trayer has embedded."""
        found = []
        for line in self.tree().splitlines():
            match = _WINDOW.match(line)
            # Embedded means reparented into trayer's panel: nested below the top level.
            if (
                match
                and (match["instance"], match["klass"]) == wm_class
                and len(match["indent"]) > _TOP_LEVEL_INDENT
            ):
                found.append(
                    IconWindow(
                        match["id"],
                        int(match["x"]),
                        int(match["y"]),
                        int(match["w"]),
                        int(match["h"]),
                    )
                )
        return found

    def icon_pixels(self, window: str) -> bytes:
        """The icon window's pixels as packed RGB (a few ms: the window is small)."""
        return subprocess.run(
            ["import", "-silent", "-window", window, "-depth", "8", "rgb:-"],
            env=self.env,
            capture_output=True,
            check=False,
        ).stdout

    def region(self, x: int, y: int, width: int, height: int) -> bytes:
        """A part of the screen as packed RGB."""
        crop = f"{width}x{height}+{x}+{y}"
        return subprocess.run(
            ["import", "-silent", "-window", "root", "-crop", crop, "-depth", "8", "rgb:-"],
            env=self.env,
            capture_output=True,
            check=False,
        ).stdout

    def screenshot(self, path: str) -> None:
        subprocess.run(["import", "-silent", "-window", "root", path], env=self.env, check=False)

    def xdotool(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], env=self.env, check=True, capture_output=True)


def painted(rgb: bytes, tolerance: int = 30, enough: int = 20) -> bool:
    """Whether the icon window shows an icon, not only the panel's background (its corner)."""
    if len(rgb) < 3:
        return False
    corner = rgb[0], rgb[1], rgb[2]
    differing = sum(
        1
        for i in range(0, len(rgb) - 2, 3)
        if abs(rgb[i] - corner[0]) + abs(rgb[i + 1] - corner[1]) + abs(rgb[i + 2] - corner[2])
        > tolerance
    )
    return differing >= enough


def count_colour(rgb: bytes, colour: str, tolerance: int = 40) -> int:
    """How many pixels of packed RGB are within ``tolerance`` (summed channels) of ``#rrggbb``."""
    want = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return sum(
        1
        for i in range(0, len(rgb) - 2, 3)
        if abs(rgb[i] - want[0]) + abs(rgb[i + 1] - want[1]) + abs(rgb[i + 2] - want[2]) < tolerance
    )
