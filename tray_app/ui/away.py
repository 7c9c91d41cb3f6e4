"""The tray's side of being away: reads presence, feeds the away policy, carries out what it says.

:class:`~tray_app.core.away.AwayPolicy` decides; this QObject only ticks (every few seconds, and
at once when a D-Bus lock signal or logind's sleep arrives), and carries each decision out the
usual way: pause and resume through the controller's ``request`` (so pending items, ordering and
failure lines are the ones every click gets), notices through the app's notifier, the question
on return through the return window, and a discard's calls on a worker thread. The presence
source and the D-Bus sockets are injected by the composition root: ``ui`` imports no platform.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, tzinfo
from functools import partial
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier, QTimer, Slot

from tray_app.core.actions import Action, local_timezone_name
from tray_app.core.away import (
    AskAboutAway,
    AwayPolicy,
    Decision,
    NotifyPausedWhileAway,
    Pause,
    PollNow,
    RemindNotTracking,
    Resume,
    StopPolling,
    WarnRunningOver,
)
from tray_app.core.away_discard import AwayCalls, AwayChoice, DiscardOutcome, discard_time_away
from tray_app.core.away_settings import AwaySettings, ReminderSettings
from tray_app.core.presence import PresenceSource
from tray_app.core.timer import Clock, Snapshot, utc_now
from tray_app.ui.worker import Outcome, Worker

if TYPE_CHECKING:
    from tray_app.awork.client import AworkClient
    from tray_app.ui.away_window import AwayWindow
    from tray_app.ui.controller import TimerController

__all__ = ["TICK_MS", "AwayWatch", "LockSignals", "SleepNotes"]

log = logging.getLogger(__name__)

# Idle time is read this often: a few seconds is fine-grained enough for minutes of absence,
# and one D-Bus round trip per tick costs nothing noticeable. A lock acts at once, by its signal.
TICK_MS = 5_000

Notify = Callable[[str, str, bool], None]


class SleepNotes(Protocol):
    """Where logind's sleep and wake are noted (the presence tracker)."""

    def note_sleep(self, at: datetime) -> None: ...

    def note_wake(self) -> None: ...


class LockSignals(Protocol):
    """Sockets that carry lock signals (the D-Bus adapter): watched so a lock acts at once."""

    def filenos(self) -> list[int]: ...

    def read_pending(self) -> bool: ...


def _in_context(context: str) -> Callable[[str], str]:
    """Qt's translation for texts the Qt-free core marked in ``context``."""
    return partial(QCoreApplication.translate, context)


def local_zone() -> tzinfo:
    """The machine's time zone now, for work hours and the times the person reads."""
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None  # astimezone() always gives an aware datetime
    return zone


class AwayWatch(QObject):
    """Watches whether the person is there and acts on the away and reminder settings.

    No signals: what it decides goes to the controller, the notifier and the return window.
    """

    def __init__(
        self,
        controller: TimerController,
        client: AworkClient,
        presence: PresenceSource,
        *,
        away: AwaySettings,
        reminders: ReminderSettings,
        notify: Notify,
        lock_signals: LockSignals | None = None,
        sleep: SleepNotes | None = None,
        clock: Clock = utc_now,
        zone: tzinfo | None = None,
        timezone: Callable[[], str] = local_timezone_name,
        tick_ms: int = TICK_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._client = client
        self._presence = presence
        self._notify = notify
        self._clock = clock
        self._zone = zone or local_zone()
        self._timezone = timezone
        self._policy = AwayPolicy(away, reminders, self._zone)
        self._worker = Worker(self, max_threads=1)
        self._window: AwayWindow | None = None
        self._lock_signals = lock_signals
        self._sleep = sleep
        self._notifiers: list[QSocketNotifier] = []
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.on_timer_timeout)
        controller.answered.connect(self.on_controller_answered)

    @property
    def away(self) -> bool:
        """Whether an absence is under way (the menu and the tests read it)."""
        return self._policy.away

    @property
    def window(self) -> AwayWindow | None:
        """The return window while it asks, else None."""
        return self._window

    def start(self) -> None:
        """Tick from now on, and hear the lock signals the moment they come."""
        if self._lock_signals is not None:
            for fileno in self._lock_signals.filenos():
                notifier = QSocketNotifier(fileno, QSocketNotifier.Type.Read, self)
                notifier.activated.connect(self.on_lock_socket_activated)
                self._notifiers.append(notifier)
        self._timer.start()
        self.tick()

    def stop(self) -> None:
        """No more ticks; a discard under way still finishes."""
        self._timer.stop()
        for notifier in self._notifiers:
            notifier.setEnabled(False)
        self._notifiers.clear()
        if self._window is not None:
            self._window.close()
        self._worker.shutdown(10_000)

    def update_settings(self, away: AwaySettings, reminders: ReminderSettings) -> None:
        """New settings from the dialog apply from the next tick."""
        self._policy.update_settings(away, reminders)

    def tick(self) -> None:
        """Read presence now and act on what the policy says."""
        now = self._clock()
        try:
            presence = self._presence.presence(now)
        except Exception:
            # An adapter's bug must not stop the timer app; it knows nothing this tick.
            log.exception("away: could not read presence")
            return
        self._carry_out(self._policy.on_tick(now, presence, self._controller.snapshot))

    # -- what comes in -------------------------------------------------------------------------

    @Slot()
    def on_timer_timeout(self) -> None:
        self.tick()

    @Slot()
    def on_lock_socket_activated(self) -> None:
        if self._lock_signals is not None and self._lock_signals.read_pending():
            self.tick()

    @Slot()
    def on_sleep_watch_sleeping(self) -> None:
        """logind: the machine goes to sleep, which counts as away; act before it does."""
        if self._sleep is not None:
            self._sleep.note_sleep(self._clock())
        self.tick()

    @Slot()
    def on_sleep_watch_woke(self) -> None:
        """Awake again: the absence sleep began ends with this reading (unless idle or locked)."""
        if self._sleep is not None:
            self._sleep.note_wake()
        self.tick()

    @Slot(object)
    def on_controller_answered(self, snapshot: Snapshot | None) -> None:
        if snapshot is not None:
            self._carry_out(self._policy.on_answer(self._clock(), snapshot))

    # -- carrying decisions out ----------------------------------------------------------------

    def _carry_out(self, decisions: list[Decision]) -> None:
        for decision in decisions:
            log.debug("away: %s", type(decision).__name__)
            match decision:
                case Pause():
                    self._controller.request(Action.PAUSE)
                case Resume():
                    self._controller.request(Action.RESUME)
                case StopPolling():
                    self._controller.set_away(True)
                case PollNow():
                    self._controller.set_away(False)
                case AskAboutAway():
                    self._ask(decision)
                case NotifyPausedWhileAway():
                    line = decision.line(_in_context("AwayNotice"))
                    self._notify(self.tr("Welcome back"), line, False)
                case RemindNotTracking():
                    line = decision.line(_in_context("AwayNotice"))
                    self._notify(self.tr("Not tracking"), line, False)
                case WarnRunningOver():
                    line = decision.line(_in_context("AwayNotice"))
                    self._notify(self.tr("Long timer"), line, True)

    def _ask(self, ask: AskAboutAway) -> None:
        from tray_app.ui.away_window import AwayWindow  # only when asked: not before the icon

        if self._window is not None:
            self._window.close()
        window = AwayWindow(ask.line(self._zone, _in_context("AwayWindow")))
        window.chosen.connect(partial(self._on_chosen, ask))
        self._window = window
        window.present()

    def _on_chosen(self, ask: AskAboutAway, choice: AwayChoice) -> None:
        self._window = None
        if choice is AwayChoice.KEEP:
            log.info("away: the person keeps the time away")
            return
        calls = AwayCalls(
            current=self._client.current,
            stop=self._client.stop,
            put=self._client.update_entry,
            start=self._client.start,
        )
        job = partial(
            discard_time_away,
            ask,
            choice,
            calls,
            timezone=self._timezone(),
            zone=self._zone,
            clock=self._clock,
            translate=_in_context("AwayWindow"),
        )
        log.info("away: %s asked for entry %s", choice, ask.entry_id)
        self._worker.submit(job, partial(self._on_discarded, choice))

    def _on_discarded(self, choice: AwayChoice, outcome: Outcome[DiscardOutcome | None]) -> None:
        result = outcome.value
        if outcome.error is not None or result is None:
            # discard_time_away turns awork's errors into its lines; this is a bug's last word.
            self._notify(self.tr("Time away"), str(outcome.error or ""), True)
        else:
            complete = result.end_moved and (choice is AwayChoice.DISCARD or result.started_again)
            self._notify(self.tr("Time away"), result.text, not complete)
        self._controller.poll_now()
