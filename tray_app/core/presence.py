"""Whether the person is at the machine: one Qt-free picture built from the platform's adapters.

The adapters (``tray_app/platform/presence_*.py``) only answer narrow questions: how long since
the last input, since when the screen is locked. This module puts those answers and the sleep
the app hears from logind together into one :class:`Presence`, so the away policy reads one
value and can be tested with a hand-made one. Away starts when input stopped, not when a
threshold was crossed: every "since" here is the last input or the lock, whichever came first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

__all__ = [
    "Absence",
    "AwayReason",
    "IdleTime",
    "LockState",
    "Presence",
    "PresenceSource",
    "PresenceTracker",
]

_log = logging.getLogger(__name__)


class AwayReason(StrEnum):
    """Why the person counts as away; the settings treat a lock apart from idle time."""

    LOCKED = "locked"
    IDLE = "idle"
    ASLEEP = "asleep"


@dataclass(frozen=True)
class Absence:
    """An absence under way: why, and since when (the moment input stopped)."""

    reason: AwayReason
    since: datetime


@dataclass(frozen=True)
class Presence:
    """What the adapters know at one instant; ``None`` everywhere means "present, as far as known".

    ``last_input`` is when the person last touched a key or the mouse (``None``: no idle source
    on this desktop); ``locked_since`` and ``asleep_since`` are set while the screen is locked or
    the machine is going to sleep.
    """

    last_input: datetime | None = None
    locked_since: datetime | None = None
    asleep_since: datetime | None = None

    def absence(self, now: datetime, idle_after: timedelta) -> Absence | None:
        """The absence under way at ``now``, or None while the person is there.

        A lock or sleep is an absence at once; idle time only from ``idle_after`` on. Either way
        the absence starts at the earlier of the last input and the lock (or sleep), because a
        screen that locks itself after ten idle minutes was left ten minutes before it locked.
        """
        for reason, since in (
            (AwayReason.ASLEEP, self.asleep_since),
            (AwayReason.LOCKED, self.locked_since),
        ):
            if since is not None:
                start = min(since, self.last_input) if self.last_input is not None else since
                return Absence(reason, start)
        if self.last_input is not None and now - self.last_input >= idle_after:
            return Absence(AwayReason.IDLE, self.last_input)
        return None


class PresenceSource(Protocol):
    """Anything that can say, at ``now``, what is known of the person's presence."""

    def presence(self, now: datetime) -> Presence: ...


class IdleTime(Protocol):
    """A platform's idle counter: seconds since the last input, or None when it cannot tell."""

    def idle_seconds(self) -> float | None: ...


class LockState(Protocol):
    """A platform's screen lock: since when it is locked (None: unlocked, or not known)."""

    def locked_since(self) -> datetime | None: ...


class PresenceTracker:
    """The :class:`PresenceSource` the app uses: an idle counter, a lock watch and logind's sleep.

    Any of the adapters may be missing (``None``) on a desktop that lacks it; the tracker then
    knows less, and never guesses "away" from what it does not know.
    """

    def __init__(self, *, idle: IdleTime | None = None, lock: LockState | None = None) -> None:
        self._idle = idle
        self._lock = lock
        self._asleep_since: datetime | None = None

    def note_sleep(self, at: datetime) -> None:
        """The machine is going to sleep (logind's ``PrepareForSleep(true)``)."""
        if self._asleep_since is None:
            self._asleep_since = at.astimezone(UTC)
            _log.info("away: the machine goes to sleep")

    def note_wake(self) -> None:
        """The machine is awake again; the absence it caused ends with the next reading."""
        self._asleep_since = None

    @property
    def asleep_since(self) -> datetime | None:
        return self._asleep_since

    def presence(self, now: datetime) -> Presence:
        """Read the adapters now; an adapter that fails counts as knowing nothing."""
        last_input = None
        if self._idle is not None:
            idle = self._idle.idle_seconds()
            if idle is not None:
                last_input = now.astimezone(UTC) - timedelta(seconds=max(idle, 0.0))
        locked = self._lock.locked_since() if self._lock is not None else None
        return Presence(last_input=last_input, locked_since=locked, asleep_since=self._asleep_since)
