"""Looking at the X display: windows on screen and what changed between two screenshots."""

from __future__ import annotations

import re
import subprocess

from PySide6.QtCore import QRect
from PySide6.QtGui import QImage

# A line of `xwininfo -root -tree`: '0x400014 "name": ("instance" "Class")  445x270+579+16  ...'
_WINDOW = re.compile(
    r'^\s*(?P<id>0x[0-9a-f]+) "[^"]*": \("(?P<instance>[^"]*)" "(?P<class>[^"]*)"\)'
    r"\s+(?P<w>\d+)x(?P<h>\d+)\+(?P<x>-?\d+)\+(?P<y>-?\d+)",
    re.MULTILINE,
)


def mapped_windows(env: dict[str, str], instance: str) -> list[QRect]:
    """Where the top-level windows of ``instance`` (the WM_CLASS instance) are on screen.

    Only mapped ones: toolkits keep a closed menu's window, unmapped, for the next time.
    """
    tree = subprocess.run(
        ["xwininfo", "-root", "-tree"], env=env, capture_output=True, text=True, check=True
    ).stdout
    found = []
    for match in _WINDOW.finditer(tree):
        if match["instance"] != instance:
            continue
        info = subprocess.run(
            ["xwininfo", "-id", match["id"]], env=env, capture_output=True, text=True, check=False
        ).stdout
        if "Map State: IsViewable" in info:
            x, y, w, h = (int(match[key]) for key in ("x", "y", "w", "h"))
            found.append(QRect(x, y, w, h))
    return found


def changed_rows(a: QImage, b: QImage, area: QRect) -> list[int]:
    """The screen rows inside ``area`` where two screenshots differ."""
    first = a.copy(area).convertToFormat(QImage.Format.Format_RGB32)
    second = b.copy(area).convertToFormat(QImage.Format.Format_RGB32)
    stride = first.bytesPerLine()
    bits_a, bits_b = bytes(first.constBits()), bytes(second.constBits())
    return [
        area.y() + row
        for row in range(area.height())
        if bits_a[row * stride : (row + 1) * stride] != bits_b[row * stride : (row + 1) * stride]
    ]
