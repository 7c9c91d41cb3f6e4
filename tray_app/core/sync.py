"""When to ask awork, which answer to believe, and what to tell the person: the sync policy.

The Qt controller keeps the timers, the thread pool and the signals; every decision lives here,
as a plain object driven by explicit calls with the time passed in, so each rule is tested with
a fake clock and no event loop:
- an answer is taken only if it is newer than what is shown (a higher ``resourceVersion`` of the
  same entry, else a later sequence number), so a slow poll cannot undo a Resume;
- a change is reported only when a poll found it, never for the person's own click;
- without awork, polls back off exponentially (with jitter) up to a cap; an answer ends that;
  an outage is announced once it lasts 30 s, and its end once;
- a 429 blocks polls and clicks until awork's ``ratelimit-reset``;
- a jump between the wall and the monotonic clock (suspend, a manual change) means: poll now;
- signed out stays signed out, whatever the network does, until a sign-in.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, StrEnum

from tray_app.awork.errors import AworkError, NotSignedIn, RateLimited, Refused
from tray_app.core.changes import Change, changes_between
from tray_app.core.timer import Snapshot

log = logging.getLogger(__name__)

# Back-off without awork: the first retry after this, doubling up to the cap.
BACKOFF_FIRST_SECONDS = 5.0
BACKOFF_CAP_SECONDS = 300.0
# Being offline is announced once it lasts this long, so a blip stays silent.
OFFLINE_NOTICE_SECONDS = 30.0
# A drift between the wall and the monotonic clock over this counts as a jump.
CLOCK_JUMP_SECONDS = 3.0


class Connection(StrEnum):
    """How the last exchange with awork went, beside the timer's own state."""

    CONNECTING = "connecting"
    ONLINE = "online"
    OFFLINE = "offline"
    SIGNED_OUT = "signed-out"
    ERROR = "error"


class Notice(Enum):
    """Something about the connection worth one notification."""

    LOST = "lost"  # awork has not answered for a while (once per outage)
    BACK = "back"  # awork answers again after an announced outage


class Hold(Enum):
    """Why a click is answered at once instead of being sent."""

    RATE_LIMITED = "rate-limited"
    OFFLINE = "offline"


@dataclass(frozen=True)
class Refusal:
    """A click that must fail at once; ``wait_s`` is how long awork asked us to wait."""

    hold: Hold
    wait_s: float = 0.0


@dataclass(frozen=True)
class Answer:
    """What taking an answer did: whether it is now shown, and the changes a poll found."""

    applied: bool
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Limits:
    """The policy's numbers; the defaults are the tray's, tests shrink them."""

    backoff_first_s: float = BACKOFF_FIRST_SECONDS
    backoff_cap_s: float = BACKOFF_CAP_SECONDS
    offline_notice_s: float = OFFLINE_NOTICE_SECONDS
    clock_jump_s: float = CLOCK_JUMP_SECONDS


class SyncPolicy:
    """The tray's idea of the timer and of the connection, and the rules that keep both true.

    Times are the monotonic clock's seconds (``now``) and the wall clock (``wall``), passed in by
    the caller, so the policy never reads a clock itself.
    """

    def __init__(
        self,
        *,
        poll_interval_s: float = 30.0,
        limits: Limits = Limits(),
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.poll_interval_s = poll_interval_s
        self.limits = limits
        self._jitter = jitter
        self.snapshot: Snapshot | None = None
        self.connection = Connection.CONNECTING
        self.detail: str | None = None
        self.last_answer_at: float | None = None
        self.last_answer_time: datetime | None = None
        self.blocked_until = 0.0
        self.paused = False  # a sign-out is under way
        self._applied_seq = 0
        self._failures = 0
        self._offline_since: float | None = None
        self._offline_announced = False
        self._last_watch: tuple[datetime, float] | None = None

    # -- may we ask ----------------------------------------------------------------------------

    @property
    def signed_out(self) -> bool:
        """Signing out, or signed out (also when awork refused the sign-in): nothing to ask
        awork, and nothing it said before to take in, until the person signs in again."""
        return self.paused or self.connection is Connection.SIGNED_OUT

    def poll_wait(self, now: float) -> float:
        """Seconds until a poll may be sent (awork's rate limit); 0 when it may go now."""
        return max(0.0, self.blocked_until - now)

    def refusal(self, now: float) -> Refusal | None:
        """Why a click must fail at once instead of being sent, or None to send it.

        Offline, a click is never queued for later (that would book the wrong time): it fails,
        and the back-off is forgotten so the caller can look again right away.
        """
        wait = self.blocked_until - now
        if wait > 0:
            return Refusal(Hold.RATE_LIMITED, wait)
        if self.connection is Connection.OFFLINE:
            self._failures = 0
            return Refusal(Hold.OFFLINE)
        return None

    def next_poll_delay(self) -> float:
        """Seconds to the next regular poll: the interval, or the back-off while awork is away."""
        if self._failures == 0:
            return self.poll_interval_s
        limits = self.limits
        backoff = min(limits.backoff_cap_s, limits.backoff_first_s * 2.0 ** (self._failures - 1))
        # Jitter spreads the retries of a whole office coming back online at once.
        return backoff * (0.5 + 0.5 * self._jitter())

    # -- what awork said -----------------------------------------------------------------------

    def answer(
        self, seq: int, after: Snapshot, now: float, wall: datetime, *, from_poll: bool
    ) -> tuple[Answer, Notice | None]:
        """awork answered call ``seq`` with ``after``: show it if it is newer than what is shown.

        Signed out (or signing out), what awork said before must not come back: it is dropped.
        """
        if self.signed_out:
            return Answer(applied=False), None
        notice = self.answered(now, wall)
        if not self._is_newer(seq, after):
            log.debug("dropping stale answer %d", seq)
            return Answer(applied=False), notice
        before = self.snapshot
        self._applied_seq = max(self._applied_seq, seq)
        if before == after:
            return Answer(applied=False), notice
        self.snapshot = after
        changes = tuple(changes_between(before, after)) if from_poll else ()
        return Answer(applied=True, changes=changes), notice

    def answered(self, now: float, wall: datetime) -> Notice | None:
        """awork answered (even if it said no): the connection is fine again."""
        if self.signed_out:
            return None
        self.last_answer_at = now
        self.last_answer_time = wall
        self._failures = 0
        self._offline_since = None
        self.set_connection(Connection.ONLINE, None)
        if self._offline_announced:
            self._offline_announced = False
            return Notice.BACK
        return None

    def failed(
        self, error: AworkError, now: float, wall: datetime, *, action: bool
    ) -> Notice | None:
        """A call failed with ``error`` (``action``: a click's, else a poll's).

        Signed out, nothing more is counted or announced until a sign-in.
        """
        if self.signed_out:
            return None
        if isinstance(error, RateLimited):
            self.blocked_until = now + error.reset_seconds
        if isinstance(error, NotSignedIn):
            self.set_connection(Connection.SIGNED_OUT, str(error))
            return None
        if isinstance(error, Refused | RateLimited):
            # awork is there and said no; what is shown stays true.
            notice = self.answered(now, wall)
            if not action:
                self.set_connection(Connection.ERROR, str(error))
            return notice
        return self._went_offline(str(error), now)

    def _went_offline(self, detail: str, now: float) -> Notice | None:
        self._failures += 1
        if self._offline_since is None:
            self._offline_since = now
        self.set_connection(Connection.OFFLINE, detail)
        if (
            not self._offline_announced
            and now - self._offline_since >= self.limits.offline_notice_s
        ):
            self._offline_announced = True
            return Notice.LOST
        return None

    def _is_newer(self, seq: int, after: Snapshot) -> bool:
        if self.snapshot is None:
            return True
        # The same entry's resourceVersion orders answers for sure; otherwise the send order.
        verdict = after.is_newer_than(self.snapshot)
        return verdict if verdict is not None else seq > self._applied_seq

    def set_connection(self, connection: Connection, detail: str | None) -> None:
        if self.connection is Connection.SIGNED_OUT and connection is Connection.OFFLINE:
            return  # signed out stays signed out until a sign-in, whatever the network does
        self.connection, self.detail = connection, detail

    # -- the machine and the person ------------------------------------------------------------

    def watch_clocks_from(self, wall: datetime, now: float) -> None:
        """Compare the clocks from here on (polling starts, or starts again)."""
        self._last_watch = (wall, now)

    def clock_moved(self, wall: datetime, now: float) -> bool:
        """Compare the clocks; True when the wall clock jumped (poll now, back-off forgotten)."""
        last, self._last_watch = self._last_watch, (wall, now)
        if last is None:
            return False
        drift = (wall - last[0]).total_seconds() - (now - last[1])
        if abs(drift) <= self.limits.clock_jump_s:
            return False
        # Suspend stops the monotonic clock but not the wall clock: awake again, look now.
        log.info("wall clock jumped by %.0f s (suspend or clock change); polling", drift)
        self.woke()
        return True

    def woke(self) -> None:
        """Awake after a suspend: what awork says now matters more than any back-off."""
        self._failures = 0

    def signing_out(self) -> None:
        """A sign-out is under way: ask nothing more, take in nothing more."""
        self.paused = True

    def forget(self) -> None:
        """Signed out: forget what awork said."""
        self.paused = True
        self.snapshot = None
        self.set_connection(Connection.SIGNED_OUT, None)

    def signed_in(self) -> None:
        """A sign-in succeeded: start over."""
        self.paused = False
        self._failures = 0
        self.connection, self.detail = Connection.CONNECTING, None
