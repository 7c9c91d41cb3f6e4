"""Keeps the views (tray, or the fallback window) showing the controller's state.

It renders once per change the controller publishes and only passes a view a display that
differs from the last one.

It ticks once a second while the timer runs, and not at all otherwise: elapsed time is computed
from timestamps on each tick, so a late or skipped tick is never wrong, only late.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QTimer, Slot

from tray_app.core.timer import Clock, TimerState, utc_now
from tray_app.ui.controller import TimerController
from tray_app.ui.view import View
from tray_app.ui.view_model import TimerDisplay, present

log = logging.getLogger(__name__)


class Presenter(QObject):
    """Renders on every change and on each tick."""

    def __init__(
        self, controller: TimerController, clock: Clock = utc_now, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._clock = clock
        self._views: list[View] = []
        self.display: TimerDisplay | None = None
        self.tick = QTimer(self)
        self.tick.setSingleShot(True)
        self.tick.setTimerType(Qt.TimerType.PreciseTimer)
        self.tick.timeout.connect(self.on_tick_timeout)
        controller.changed.connect(self.on_controller_changed)

    def add_view(self, view: View) -> None:
        self._views.append(view)
        view.show_display(self._present())

    def update(self) -> None:
        display = self._present()
        if display != self.display:
            self.display = display
            for view in self._views:
                view.show_display(display)
        self._schedule_tick()

    def _present(self) -> TimerDisplay:
        c = self._controller
        return present(
            c.snapshot,
            c.connection,
            c.pending,
            self._clock(),
            detail=c.detail,
            last_answer=c.last_answer_time,
        )

    def _schedule_tick(self) -> None:
        snapshot = self._controller.snapshot
        if snapshot is None or snapshot.state is not TimerState.RUNNING:
            self.tick.stop()
            return
        # Wake just after the displayed second changes, so the clock never looks stuck.
        now = self._clock()
        started = snapshot.started_at or now
        fraction = (now - started).total_seconds() % 1.0
        self.tick.start(int((1.0 - fraction) * 1000) + 5)

    @Slot()
    def on_tick_timeout(self) -> None:
        self.update()

    @Slot()
    def on_controller_changed(self) -> None:
        self.update()
