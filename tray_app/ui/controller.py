"""Keeps the tray's idea of the timer in step with awork: polls, sends actions, orders answers.

All of it runs in the GUI thread and never waits: calls go to the :class:`Worker` and come back
as outcomes. The rules that keep what is shown true:
- an answer is applied only if it is newer than what is shown (a higher ``resourceVersion`` of
  the same entry, else a later sequence number), so a slow poll cannot undo a Resume;
- a change is announced only when a poll found it, never for the person's own click;
- an action is sent only when clicked, once, and never queued for later: offline it fails at once;
- without awork, polls back off exponentially (with jitter) up to a cap; an answer ends that;
- a jump of the wall clock (suspend, resume, a manual change) triggers a poll at once.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from tray_app.awork.client import AworkClient
from tray_app.awork.errors import AworkError, NotSignedIn, RateLimited, Refused
from tray_app.awork.models import StartForm, TimeTracking
from tray_app.core.actions import Action, can
from tray_app.core.changes import changes_between
from tray_app.core.timer import Clock, Snapshot, utc_now
from tray_app.core.translation import fill
from tray_app.ui.view_model import Connection
from tray_app.ui.worker import Outcome, Worker

log = logging.getLogger(__name__)

POLL = "poll"
ME = "me"
# Opening the menu polls when the last answer is older than this; closer opens reuse it.
MENU_FRESHNESS_SECONDS = 5.0
# Back-off without awork: the first retry after this, doubling up to the cap.
BACKOFF_FIRST_SECONDS = 5.0
BACKOFF_CAP_SECONDS = 300.0
# Being offline is announced once it lasts this long, so a blip stays silent.
OFFLINE_NOTICE_SECONDS = 30.0
# How often the wall clock is compared with the monotonic one, and what counts as a jump.
CLOCK_WATCH_MS = 5_000
CLOCK_JUMP_SECONDS = 3.0


def local_timezone_name() -> str:
    """The machine's IANA timezone, as awork's start form wants it."""
    try:
        import tzlocal

        return tzlocal.get_localzone_name() or "UTC"
    except Exception:  # tzlocal raises several kinds on odd set-ups; UTC is always accepted
        log.warning("could not tell the local timezone; starting timers in UTC")
        return "UTC"


class TimerController(QObject):
    """The timer as far as awork last told us, and the one place that talks to awork.

    Signals:
        snapshot_changed(Snapshot): a newer timer state to show.
        connection_changed(str): a :class:`Connection` value.
        pending_changed(): an action started or ended.
        changed_elsewhere(Change): a poll found a change the person did not click here.
        action_failed(str, str): the action and one line saying why.
        person_changed(UserAndWorkspace): who is signed in, from ``GET /me``.
        connection_lost(): awork has not answered for a while (said once per outage).
        connection_back(): awork answers again after an announced outage.
    """

    snapshot_changed = Signal(object)
    connection_changed = Signal(str)
    pending_changed = Signal()
    changed_elsewhere = Signal(object)
    action_failed = Signal(str, str)
    person_changed = Signal(object)
    connection_lost = Signal()
    connection_back = Signal()

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
        self._jitter = jitter
        self.poll_interval_s = poll_interval_s
        self._worker = Worker(self)
        self._worker.finished.connect(self.on_worker_finished)
        self._poll_timer = QTimer(self)
        self._poll_timer.setSingleShot(True)
        # Precise, not Qt's default coarse timer: that one may fire up to 5 % early (29.7 s for
        # 30 s), which turns 120 polls an hour into a few more.
        self._poll_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._poll_timer.timeout.connect(self.on_poll_timer_timeout)
        self._clock_watch = QTimer(self)
        self._clock_watch.setInterval(CLOCK_WATCH_MS)
        self._clock_watch.timeout.connect(self.on_clock_watch_timeout)
        self._last_watch = (self._clock(), self._monotonic())

        self.snapshot: Snapshot | None = None
        self.connection = Connection.CONNECTING
        self.detail: str | None = None
        self.last_answer_at: float | None = None
        self.last_answer_time: datetime | None = None
        self._applied_seq = 0
        self._poll_seq: int | None = None
        self._poll_again = False
        self._pending: dict[int, Action] = {}
        self._blocked_until = 0.0
        self._failures = 0
        self._offline_since: float | None = None
        self._offline_announced = False
        self._paused = False
        self._stopped = False

    # -- what views read -----------------------------------------------------------------------

    @property
    def pending(self) -> frozenset[Action]:
        return frozenset(self._pending.values())

    # -- what views ask for --------------------------------------------------------------------

    def start(self) -> None:
        """Ask who is signed in and what the timer does; polling goes on from there."""
        self._worker.submit(ME, self._client.me, droppable=True)
        self._clock_watch.start()
        self._last_watch = (self._clock(), self._monotonic())
        self.poll_now()

    def poll_now(self) -> None:
        """Poll at once, unless a poll is already under way (then poll again after it)."""
        if self._stopped or self._signed_out():
            return
        if self._poll_seq is not None:
            self._poll_again = True
            return
        wait = self._blocked_until - self._monotonic()
        if wait > 0:
            self._schedule_poll(wait)
            return
        self._poll_timer.stop()
        self._poll_seq = self._worker.submit(POLL, self._client.current, droppable=True)

    def poll_if_stale(self, max_age_s: float = MENU_FRESHNESS_SECONDS) -> None:
        """Poll when the last answer is older than ``max_age_s`` (the menu is being opened)."""
        if self.last_answer_at is None or self._monotonic() - self.last_answer_at > max_age_s:
            self.poll_now()

    def request(self, action: Action) -> bool:
        """Send ``action`` to awork if it applies now; False when it was not sent."""
        state = self.snapshot.state if self.snapshot else None
        if self._stopped or self._pending or state is None or not can(action, state):
            log.info("not sending %s: state %s, pending %s", action, state, self.pending)
            return False
        refusal = self._refusal_before_sending()
        if refusal is not None:
            self.action_failed.emit(str(action), refusal)
            return False
        call = self._start_again_call() if action is Action.START_AGAIN else None
        if action is Action.START_AGAIN and call is None:
            return False
        seq = self._worker.submit(str(action), call or getattr(self._client, str(action)))
        self._pending[seq] = action
        log.info("%s clicked (request %d)", action, seq)
        self.pending_changed.emit()
        return True

    def pause_polling(self) -> None:
        """Send nothing more until told otherwise (a sign-out is under way)."""
        self._poll_timer.stop()
        self._paused = True

    def signed_out(self) -> None:
        """The person signed out: forget what awork said and stay quiet until a sign-in."""
        self.pause_polling()
        self.snapshot = None
        self._set_connection(Connection.SIGNED_OUT, None)
        self.snapshot_changed.emit(None)

    def signed_in(self) -> None:
        """A sign-in succeeded: start over, asking who it is and what the timer does."""
        self._paused = False
        self._failures = 0
        self.connection, self.detail = Connection.CONNECTING, None
        self.connection_changed.emit(str(Connection.CONNECTING))
        self.start()

    def shutdown(self, timeout_ms: int = 20_000) -> None:
        """Stop polling and wait for calls under way, so nothing is left half-sent."""
        self._stopped = True
        self._poll_timer.stop()
        self._clock_watch.stop()
        if not self._worker.shutdown(timeout_ms):
            log.warning("calls to awork were still running at quit")

    def _refusal_before_sending(self) -> str | None:
        """Why a click must fail at once instead of being sent, or None to send it."""
        wait = self._blocked_until - self._monotonic()
        if wait > 0:
            return fill(
                self.tr("awork asked us to wait %1 s more; nothing changed."), str(round(wait))
            )
        if self.connection is Connection.OFFLINE:
            # Never queued for later (that would book the wrong time); look again right away.
            self._failures = 0
            self.poll_now()
            return self.tr("Could not reach awork; nothing changed.")
        return None

    # -- answers -------------------------------------------------------------------------------

    @Slot()
    def on_poll_timer_timeout(self) -> None:
        self.poll_now()

    @Slot()
    def on_clock_watch_timeout(self) -> None:
        wall, mono = self._clock(), self._monotonic()
        last_wall, last_mono = self._last_watch
        self._last_watch = (wall, mono)
        drift = (wall - last_wall).total_seconds() - (mono - last_mono)
        if abs(drift) > CLOCK_JUMP_SECONDS:
            # Suspend stops the monotonic clock but not the wall clock: awake again, look now.
            log.info("wall clock jumped by %.0f s (suspend or clock change); polling", drift)
            self.on_system_woke()

    @Slot()
    def on_system_woke(self) -> None:
        """Awake after a suspend: what awork says now matters more than any back-off."""
        self._failures = 0
        self.poll_now()

    @Slot(object)
    def on_worker_finished(self, outcome: Outcome) -> None:
        action = self._pending.pop(outcome.seq, None)
        if action is not None:
            self.pending_changed.emit()
        elif outcome.seq == self._poll_seq:
            self._poll_seq = None
        if self._signed_out():
            # Sent before a sign-out: what awork said then must not come back, or the tray would
            # show a timer and a person while signed out, and never poll again.
            log.debug("dropping answer %d: signed out meanwhile", outcome.seq)
            return
        if outcome.job == ME:
            self._on_me(outcome)
            return
        if outcome.error is not None:
            self._on_error(outcome.error, action)
        else:
            self._on_answer(outcome, from_poll=action is None)
        if self._stopped or self._signed_out():
            return  # nothing to ask awork until the person signs in again
        if action is not None or self._poll_again:
            # After an action, confirm with a fresh poll; a poll sent before it is stale.
            self._poll_again = False
            self.poll_now()
        elif not self._poll_timer.isActive() and self._poll_seq is None:
            self._schedule_poll(self._next_poll_delay())

    def _signed_out(self) -> bool:
        """Signing out, or signed out (also when awork refused the sign-in): nothing to ask
        awork, and nothing it said before to take in, until the person signs in again."""
        return self._paused or self.connection is Connection.SIGNED_OUT

    def _next_poll_delay(self) -> float:
        if self._failures == 0:
            return self.poll_interval_s
        backoff = min(BACKOFF_CAP_SECONDS, BACKOFF_FIRST_SECONDS * 2.0 ** (self._failures - 1))
        # Jitter spreads the retries of a whole office coming back online at once.
        jitter = self._jitter() if self._jitter else random.random()
        return backoff * (0.5 + 0.5 * jitter)

    def _on_answer(self, outcome: Outcome, *, from_poll: bool) -> None:
        self._answered()
        self._set_connection(Connection.ONLINE, None)
        entry: TimeTracking | None = outcome.value
        if entry is None and not from_poll:
            # 204 to an action: awork found nothing to act on. Only a poll can say what is.
            return
        after = Snapshot.of(entry)
        if not self._is_newer(outcome.seq, after):
            log.debug("dropping stale answer %d", outcome.seq)
            return
        before = self.snapshot
        self._applied_seq = max(self._applied_seq, outcome.seq)
        if before == after:
            return
        self.snapshot = after
        if from_poll:
            for change in changes_between(before, after):
                log.info("changed elsewhere: %s", change.describe())
                self.changed_elsewhere.emit(change)
        self.snapshot_changed.emit(after)

    def _answered(self) -> None:
        """awork answered (even if it said no): the connection is fine again."""
        self.last_answer_at = self._monotonic()
        self.last_answer_time = self._clock()
        self._failures = 0
        self._offline_since = None
        if self._offline_announced:
            self._offline_announced = False
            self.connection_back.emit()

    def _is_newer(self, seq: int, after: Snapshot) -> bool:
        if self.snapshot is None:
            return True
        # The same entry's resourceVersion orders answers for sure; otherwise the send order.
        verdict = after.is_newer_than(self.snapshot)
        return verdict if verdict is not None else seq > self._applied_seq

    def _on_error(self, error: AworkError, action: Action | None) -> None:
        log.warning("%s failed: %s (%s)", action or POLL, type(error).__name__, error.log_details())
        if isinstance(error, RateLimited):
            self._blocked_until = self._monotonic() + error.reset_seconds
        if isinstance(error, NotSignedIn):
            self._set_connection(Connection.SIGNED_OUT, str(error))
        elif isinstance(error, Refused | RateLimited):
            # awork is there and said no; what is shown stays true.
            self._answered()
            self._set_connection(
                Connection.ONLINE if action else Connection.ERROR, None if action else str(error)
            )
        else:
            self._went_offline(str(error))
        # Signed out: the app says so once, and that is all there is to say about the click too.
        if action is not None and not isinstance(error, NotSignedIn):
            self.action_failed.emit(str(action), str(error))

    def _went_offline(self, detail: str) -> None:
        self._failures += 1
        now = self._monotonic()
        if self._offline_since is None:
            self._offline_since = now
        self._set_connection(Connection.OFFLINE, detail)
        if not self._offline_announced and now - self._offline_since >= OFFLINE_NOTICE_SECONDS:
            self._offline_announced = True
            self.connection_lost.emit()

    def _on_me(self, outcome: Outcome) -> None:
        if outcome.error is not None:
            log.info("could not read who is signed in: %s", type(outcome.error).__name__)
            if isinstance(outcome.error, NotSignedIn):
                self._set_connection(Connection.SIGNED_OUT, str(outcome.error))
            return
        self.person_changed.emit(outcome.value)

    def _set_connection(self, connection: Connection, detail: str | None) -> None:
        if self.connection is Connection.SIGNED_OUT and connection is Connection.OFFLINE:
            return  # signed out stays signed out until a sign-in, whatever the network does
        if (connection, detail) == (self.connection, self.detail):
            return
        self.connection, self.detail = connection, detail
        self.connection_changed.emit(str(connection))

    def _schedule_poll(self, seconds: float) -> None:
        self._poll_timer.start(max(0, round(seconds * 1000)))

    def _start_again_call(self) -> Callable[[], TimeTracking] | None:
        last = self.snapshot
        if last is None or not last.type_of_work_id:
            return None
        form = StartForm(
            timezone=self._timezone(),
            type_of_work_id=last.type_of_work_id,
            task_id=last.task_id,
            project_id=last.project_id,
            is_billable=last.entry.is_billable if last.entry else None,
        )
        return lambda: self._client.start(form)
