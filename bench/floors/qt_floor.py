"""The Qt floor: the least a PySide6 tray costs, an icon, a menu and a tooltip ticking each second.

With ``AWORK_TRAY_BENCH_MARKS=1`` it prints ``MARK icon-shown <monotonic ns>`` to stderr, as the
real app does, so both are timed the same way.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

MARKS = bool(os.environ.get("AWORK_TRAY_BENCH_MARKS"))


def mark(name: str) -> None:
    if MARKS:
        print(f"MARK {name} {time.monotonic_ns()}", file=sys.stderr, flush=True)


def run(name: str, after_shown: Callable[[], None] | None = None, after_ms: int = 0) -> int:
    """Show the icon, tick its tooltip every second, and run until killed or Quit."""
    app = QApplication([name])  # argv[0] and the name make the window's WM_CLASS
    app.setApplicationName(name)
    app.setQuitOnLastWindowClosed(False)
    pixmap = QPixmap(22, 22)
    pixmap.fill(QColor("#2e9d5b"))
    tray = QSystemTrayIcon(QIcon(pixmap))
    menu = QMenu()
    menu.addAction("Pause")
    menu.addSeparator()
    menu.addAction("Quit").triggered.connect(app.quit)
    tray.setContextMenu(menu)
    started = time.monotonic()

    def on_tick() -> None:
        seconds = int(time.monotonic() - started)
        tray.setToolTip(f"Running {seconds // 3600}:{seconds // 60 % 60:02}:{seconds % 60:02}")

    tick = QTimer()
    tick.timeout.connect(on_tick)
    tick.start(1000)
    on_tick()
    tray.show()
    mark("icon-shown")
    if after_shown is not None:
        QTimer.singleShot(after_ms, after_shown)
    return app.exec()


if __name__ == "__main__":
    sys.exit(run("qt-floor"))
