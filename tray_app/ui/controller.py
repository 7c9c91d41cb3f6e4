"""Keeps the tray's idea of the timer in step with awork: the Qt side of the sync policy.

All of it runs in the GUI thread and never waits: calls go to the :class:`Worker` and come back
to typed continuations. Every rule (ordering, back-off, offline, rate limit, clock jumps, the
connection state) is :class:`~tray_app.core.sync.SyncPolicy`'s; this class keeps the timers,
the worker and the signals. It emits after an outcome is fully applied, once: ``changed`` for
the views, then the details (the new snapshot before any notice about it), so a view never
renders a half-applied answer and the icon changes before the notification shows.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from tray_app.awork.client import AworkClient
from tray_app.awork.errors import AworkError, NotSignedIn
from tray_app.awork.models import TimeTracking, UserAndWorkspace
from tray_app.core.actions import Action, applies, local_timezone_name, send
from tray_app.core.changes import Change
from tray_app.core.sync import (
    BACKOFF_CAP_SECONDS,
    BACKOFF_FIRST_SECONDS,
    CLOCK_JUMP_SECONDS,
    OFFLINE_NOTICE_SECONDS,
    Connection,
    Hold,
    Limits,
    Notice,
    SyncPolicy,
)
from tray_app.core.timer import Clock, Snapshot, utc_now
from tray_app.core.translation import fill
from tray_app.ui.worker import Outcome, Worker

__all__ = [
    "BACKOFF_CAP_SECONDS",
    "BACKOFF_FIRST_SECONDS",
    "CLOCK_JUMP_SECONDS",
    "OFFLINE_NOTICE_SECONDS",
    "TimerController",
]

log = logging.getLogger(__name__)

# Opening the menu polls when the last answer is older than this; closer opens reuse it.
MENU_FRESHNESS_SECONDS = 5.0
# How often the wall clock is compared with the monotonic one.
CLOCK_WATCH_MS = 5_000


class TimerController(QObject):
    """The timer as far as awork last told us, and the one place that talks to awork.

    Signals, each emitted only once what it reports is applied, in this order:
        changed(): what the views show (snapshot, connection, pending actions) changed.
        snapshot_changed(Snapshot): a newer timer state (None when signed out).
        connection_changed(Connection): how the exchange with awork goes now.
        pending_changed(): an action started or ended.
        changed_elsewhere(Change): a poll found a change the person did not click here.
        connection_lost(): awork has not answered for a while (said once per outage).
        connection_back(): awork answers again after an announced outage.
        action_failed(Action, str): the action and one line saying why.
        person_changed(UserAndWorkspace): who is signed in, from ``GET /me``.
        answered(Snapshot): awork answered a poll or an action (also when nothing changed).
    """

    changed = Signal()
    snapshot_changed = Signal(object)
    connection_changed = Signal(object)
    pending_changed = Signal()
    changed_elsewhere = Signal(object)
    connection_lost = Signal()
    connection_back = Signal()
    action_failed = Signal(object, str)
    person_changed = Signal(object)
    answered = Signal(object)

    def __init__(
        self,
        client: AworkClient,
        *,
        poll_interval_s: float = 30.0,
        clock: Clock = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        timezone: Callable[[], str] = local_timezone_name,
        jitter: Callable[[], float] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._client = client
        self._clock = clock
        self._monotonic = monotonic
        self._timezone = timezone
        # The numbers are read when a controller is made, so a test can shrink them here.
        limits = Limits(
            backoff_first_s=BACKOFF_FIRST_SECONDS,
            backoff_cap_s=BACKOFF_CAP_SECONDS,
            offline_notice_s=OFFLINE_NOTICE_SECONDS,
            clock_jump_s=CLOCK_JUMP_SECONDS,
        )
        self._sync = SyncPolicy(
            poll_interval_s=poll_interval_s, limits=limits, jitter=jitter or random.random
        )
        self._worker = Worker(self)
        self._poll_timer = QTimer(self)
        self._poll_timer.setSingleShot(True)
        # Precise, not Qt's default coarse timer: that one may fire up to 5 % early (29.7 s for
        # 30 s), which turns 120 polls an hour into a few more.
        self._poll_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._poll_timer.timeout.connect(self.on_poll_timer_timeout)
        self._clock_watch = QTimer(self)
        self._clock_watch.setInterval(CLOCK_WATCH_MS)
        self._clock_watch.timeout.connect(self.on_clock_watch_timeout)
        self._poll_seq: int | None = None
        self._poll_again = False
        self._pending: dict[int, Action] = {}
        self._stopped = False
        # What to announce once the outcome being applied is shown (see _publishing).
        self._notices: list[Callable[[], None]] = []
        self._publishing_depth = 0
        self._away = False

    # -- what views read -----------------------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot | None:
        return self._sync.snapshot

    @property
    def connection(self) -> Connection:
        return self._sync.connection

    @property
    def detail(self) -> str | None:
        return self._sync.detail

    @property
    def last_answer_at(self) -> float | None:
        """When (monotonic seconds) awork last answered anything."""
        return self._sync.last_answer_at

    @property
    def last_answer_time(self) -> datetime | None:
        return self._sync.last_answer_time

    @property
    def pending(self) -> frozenset[Action]:
        return frozenset(self._pending.values())

    @property
    def poll_interval_s(self) -> float:
        return self._sync.poll_interval_s

    @poll_interval_s.setter
    def poll_interval_s(self, seconds: float) -> None:
        self._sync.poll_interval_s = seconds

    @property
    def _paused(self) -> bool:
        """A sign-out is under way (read by the stateful test's invariants)."""
        return self._sync.paused

    @property
    def _blocked_until(self) -> float:
        """Until when (monotonic seconds) awork asked us to wait."""
        return self._sync.blocked_until

    # -- what views ask for --------------------------------------------------------------------

    def start(self) -> None:
        """Ask who is signed in and what the timer does; polling goes on from there."""
        self._worker.submit(self._client.me, self._on_me, droppable=True)
        self._clock_watch.start()
        self._sync.watch_clocks_from(self._clock(), self._monotonic())
        self.poll_now()

    def poll_now(self) -> None:
        """Poll at once, unless a poll is already under way (then poll again after it)."""
        if self._stopped or self._sync.signed_out or self._away:
            return
        if self._poll_seq is not None:
            self._poll_again = True
            return
        wait = self._sync.poll_wait(self._monotonic())
        if wait > 0:
            self._schedule_poll(wait)
            return
        self._poll_timer.stop()
        self._poll_seq = self._worker.submit(self._client.current, self._on_poll, droppable=True)

    def poll_if_stale(self, max_age_s: float = MENU_FRESHNESS_SECONDS) -> None:
        """Poll when the last answer is older than ``max_age_s`` (the menu is being opened)."""
        last = self._sync.last_answer_at
        if last is None or self._monotonic() - last > max_age_s:
            self.poll_now()

    def request(self, action: Action) -> bool:
        """Send ``action`` to awork if it applies now; False when it was not sent."""
        last = self._sync.snapshot
        if self._stopped or self._pending or last is None or not applies(action, last):
            state = last.state if last else None
            log.info("not sending %s: state %s, pending %s", action, state, self.pending)
            return False
        refusal = self._sync.refusal(self._monotonic())
        if refusal is not None:
            if refusal.hold is Hold.RATE_LIMITED:
                wait = str(round(refusal.wait_s))
                line = fill(self.tr("awork asked us to wait %1 s more; nothing changed."), wait)
            else:
                # Never queued for later (that would book the wrong time); look again right away.
                self.poll_now()
                line = self.tr("Could not reach awork; nothing changed.")
            self.action_failed.emit(action, line)
            return False
        with self._publishing():
            seq = self._worker.submit(
                partial(send, action, self._client, last, self._timezone),
                partial(self._on_action, action),
            )
            self._pending[seq] = action
            log.info("%s clicked (request %d)", action, seq)
        return True

    def set_away(self, away: bool) -> None:
        """The person left (no polls: nobody looks, and awork's limit is shared) or is back
        (one poll at once, then as usual)."""
        if away == self._away:
            return
        self._away = away
        log.info(
            "polling %s: the person is %s",
            "stops" if away else "resumes",
            "away" if away else "back",
        )
        if away:
            self._poll_timer.stop()
        else:
            self.poll_now()

    def pause_polling(self) -> None:
        """Send nothing more until told otherwise (a sign-out is under way)."""
        self._poll_timer.stop()
        self._sync.signing_out()

    def signed_out(self) -> None:
        """The person signed out: forget what awork said and stay quiet until a sign-in."""
        self._poll_timer.stop()
        with self._publishing():
            self._sync.forget()

    def signed_in(self) -> None:
        """A sign-in succeeded: start over, asking who it is and what the timer does."""
        with self._publishing():
            self._sync.signed_in()
        self.start()

    def shutdown(self, timeout_ms: int = 20_000) -> None:
        """Stop polling and wait for calls under way, so nothing is left half-sent."""
        self._stopped = True
        self._poll_timer.stop()
        self._clock_watch.stop()
        if not self._worker.shutdown(timeout_ms):
            log.warning("calls to awork were still running at quit")

    # -- timers and the system -----------------------------------------------------------------

    @Slot()
    def on_poll_timer_timeout(self) -> None:
        self.poll_now()

    @Slot()
    def on_clock_watch_timeout(self) -> None:
        if self._sync.clock_moved(self._clock(), self._monotonic()):
            self.poll_now()

    @Slot()
    def on_system_woke(self) -> None:
        """Awake after a suspend: what awork says now matters more than any back-off."""
        self._sync.woke()
        self.poll_now()

    # -- answers -------------------------------------------------------------------------------

    def _on_poll(self, outcome: Outcome[TimeTracking | None]) -> None:
        if outcome.seq == self._poll_seq:
            self._poll_seq = None
        self._settle(outcome, None)

    def _on_action(self, action: Action, outcome: Outcome[TimeTracking | None]) -> None:
        with self._publishing():
            self._pending.pop(outcome.seq, None)
            self._settle(outcome, action)

    def _settle(self, outcome: Outcome[TimeTracking | None], action: Action | None) -> None:
        """Apply an answer to a poll or an action, then decide when to poll next."""
        if self._sync.signed_out:
            # Sent before a sign-out: what awork said then must not come back, or the tray would
            # show a timer and a person while signed out, and never poll again.
            log.debug("dropping answer %d: signed out meanwhile", outcome.seq)
            return
        with self._publishing():
            if outcome.error is not None:
                self._on_error(outcome.error, action)
            else:
                self._on_answer(outcome, action)
        if self._stopped or self._sync.signed_out:
            return  # nothing to ask awork until the person signs in again
        if action is not None or self._poll_again:
            # After an action, confirm with a fresh poll; a poll sent before it is stale.
            self._poll_again = False
            self.poll_now()
        elif not self._poll_timer.isActive() and self._poll_seq is None:
            self._schedule_poll(self._sync.next_poll_delay())

    def _on_answer(self, outcome: Outcome[TimeTracking | None], action: Action | None) -> None:
        now, wall = self._monotonic(), self._clock()
        if outcome.value is None and action is not None:
            # 204 to an action: awork found nothing to act on. Only a poll can say what is.
            self._notice(self._sync.answered(now, wall))
            return
        answer, notice = self._sync.answer(
            outcome.seq, Snapshot.of(outcome.value), now, wall, from_poll=action is None
        )
        self._notice(notice)
        self._notices.append(self._emit_answered)
        for change in answer.changes:
            log.info("changed elsewhere: %s", change.describe())
            self._notices.append(partial(self._emit_change, change))

    def _emit_answered(self) -> None:
        self.answered.emit(self.snapshot)

    def _emit_change(self, change: Change) -> None:
        self.changed_elsewhere.emit(change)

    def _on_error(self, error: AworkError, action: Action | None) -> None:
        log.warning(
            "%s failed: %s (%s)", action or "poll", type(error).__name__, error.log_details()
        )
        now, wall = self._monotonic(), self._clock()
        self._notice(self._sync.failed(error, now, wall, action=action is not None))
        # Signed out: the app says so once, and that is all there is to say about the click too.
        if action is not None and not isinstance(error, NotSignedIn):
            self._notices.append(partial(self.action_failed.emit, action, str(error)))

    def _notice(self, notice: Notice | None) -> None:
        if notice is Notice.LOST:
            self._notices.append(self.connection_lost.emit)
        elif notice is Notice.BACK:
            self._notices.append(self.connection_back.emit)

    def _on_me(self, outcome: Outcome[UserAndWorkspace]) -> None:
        if self._sync.signed_out:
            log.debug("dropping who is signed in: signed out meanwhile")
            return
        if outcome.error is not None:
            log.info("could not read who is signed in: %s", type(outcome.error).__name__)
            if isinstance(outcome.error, NotSignedIn):
                with self._publishing():
                    self._sync.set_connection(Connection.SIGNED_OUT, str(outcome.error))
            return
        self.person_changed.emit(outcome.value)

    @contextmanager
    def _publishing(self) -> Iterator[None]:
        """Apply what the block changes, then say so once: views first, then the details, then
        the notices about it. Nested blocks publish with the outermost one."""
        if self._publishing_depth:
            self._publishing_depth += 1
            try:
                yield
            finally:
                self._publishing_depth -= 1
            return
        self._publishing_depth = 1
        before = (self.snapshot, self.connection, self.detail, self.pending)
        try:
            yield
        finally:
            self._publishing_depth = 0
            notices, self._notices = self._notices, []
            snapshot, connection, detail, pending = before
            if (self.snapshot, self.connection, self.detail, self.pending) != before:
                self.changed.emit()
            if self.snapshot != snapshot:
                self.snapshot_changed.emit(self.snapshot)
            if (self.connection, self.detail) != (connection, detail):
                self.connection_changed.emit(self.connection)
            if self.pending != pending:
                self.pending_changed.emit()
            for emit in notices:
                emit()

    def _schedule_poll(self, seconds: float) -> None:
        self._poll_timer.start(max(0, round(seconds * 1000)))
