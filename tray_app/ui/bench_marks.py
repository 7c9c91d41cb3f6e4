"""Timestamps from inside the tray for the benchmark, on stderr as ``MARK <what> ... <ns>``.

``AWORK_TRAY_BENCH_MARKS=1`` prints marks; ``=stalls`` also runs the 10 ms watchdog, which is
left out otherwise because it takes the GIL a hundred times a second and so slows what it times.
The last field of every line is ``time.monotonic_ns()``, the clock bench/run.py reads too:
- ``MARK icon-shown <ns>``: the tray icon was shown;
- ``MARK first-state <ns>``: the first timer state from awork is on screen;
- ``MARK icon <kind> <ns>``: the icon changed to ``kind`` (``running``, ``paused``...);
- ``MARK stall <stall ns> <ns>``: the GUI thread served a 10 ms timer this much too late (only
  stalls over 15 ms are printed); ``MARK longest-stall <stall ns> <ns>`` at quit.

Created by the start (tray_app.startup) when ``AWORK_TRAY_BENCH_MARKS`` is set and handed to the
composition root, which lets it watch the app's controller and presenter; it knows nothing of the
app itself. bench/probe.py can also install it from outside, for a build without that hook.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

# Not Qt.*: the first use of that namespace costs some 20 ms, and this may run before the app's.
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Slot

if TYPE_CHECKING:
    from tray_app.ui.controller import TimerController
    from tray_app.ui.presenter import Presenter

WATCH_MS = 10
PRINT_STALLS_OVER_NS = 15_000_000


def mark(*fields: object) -> None:
    print("MARK", *fields, time.monotonic_ns(), file=sys.stderr, flush=True)


class BenchMarks(QObject):
    """Measures how late the GUI thread answers from its creation on, and marks what is shown.

    Create it when the icon shows (then call :meth:`icon_shown`), and :meth:`watch` the app's
    controller and presenter once they exist; both can be the same moment. ``stalls`` also runs
    the watchdog.
    """

    def __init__(self, parent: QObject | None = None, *, stalls: bool = False) -> None:
        super().__init__(parent or QCoreApplication.instance())
        self._watching_stalls = stalls
        self._presenter: Presenter | None = None
        self._icon: str | None = None
        self._first_state = True
        self._longest = 0
        self._watch = QTimer(self)  # a coarse timer's slack at 10 ms is 0.5 ms: good enough
        self._watch.setInterval(WATCH_MS)
        self._watch.timeout.connect(self.on_watch_timeout)
        self._last = time.monotonic_ns()
        if self._watching_stalls:
            self._watch.start()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.on_app_about_to_quit)

    def icon_shown(self) -> None:
        mark("icon-shown")

    def watch(self, controller: TimerController, presenter: Presenter) -> None:
        """Mark the first state and each change of the icon ``presenter`` shows from now on."""
        self._presenter = presenter
        # Connected after the presenter's slots, so these run once the views show the change.
        controller.snapshot_changed.connect(self.on_controller_snapshot_changed)
        controller.connection_changed.connect(self.on_controller_changed)
        controller.pending_changed.connect(self.on_controller_changed)

    @Slot(object)
    def on_controller_snapshot_changed(self, snapshot: object) -> None:
        if self._first_state and snapshot is not None:
            self._first_state = False
            mark("first-state")
        self.on_controller_changed()

    @Slot()
    def on_controller_changed(self) -> None:
        display = self._presenter.display if self._presenter else None
        icon = str(display.icon) if display is not None else None
        if icon is not None and icon != self._icon:
            self._icon = icon
            mark("icon", icon)

    @Slot()
    def on_watch_timeout(self) -> None:
        now = time.monotonic_ns()
        stall = now - self._last - WATCH_MS * 1_000_000
        self._last = now
        self._longest = max(self._longest, stall)
        if stall > PRINT_STALLS_OVER_NS:
            mark("stall", stall)

    @Slot()
    def on_app_about_to_quit(self) -> None:
        self._watch.stop()
        if self._watching_stalls:
            mark("longest-stall", self._longest)
