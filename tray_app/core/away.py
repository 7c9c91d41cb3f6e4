"""What to do about the time a person was away, and when to remind them: decisions, not actions.

The tray calls :meth:`AwayPolicy.on_tick` every few seconds with the presence it read, and
:meth:`AwayPolicy.on_answer` with each answer from awork; both return the decisions that follow
(pause now, ask on return, remind…), and the tray carries them out. Nothing here sends a request
or reads a clock of its own, so every rule is tested with a fake clock and a hand-made presence.

The rules (issue 14): a lock with ``when_locked: pause`` pauses a running timer at once; coming
back resumes it only with ``resume_when_back``, else one notice says how long it stood. With
``ask``, a timer that ran through an absence of at least ``after_minutes`` (a lock, idle time or
sleep) makes the tray ask, on return, what to do with the time away; but only when the first
answer after the return shows the same entry still running, since while away the tray does not
poll and something else (the web app, awork's own stop) may have paused or stopped it. Sleep
follows ``when_idle``, unless the screen was locked first. Reminders come only while present.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from tray_app.core.away_settings import AwaySettings, ReminderSettings, WhenIdle, WhenLocked
from tray_app.core.presence import Absence, AwayReason, Presence
from tray_app.core.timer import Snapshot, TimerState
from tray_app.core.translation import QT_TRANSLATE_NOOP, as_is, fill

__all__ = [
    "AskAboutAway",
    "AwayPolicy",
    "Decision",
    "NotifyPausedWhileAway",
    "Pause",
    "PollNow",
    "RemindNotTracking",
    "Resume",
    "StopPolling",
    "WarnRunningOver",
    "format_away",
    "local_hhmm",
    "shown_minutes_between",
]

_log = logging.getLogger(__name__)


def format_away(seconds: float) -> str:
    """``H:MM`` for a time away, minutes cut: "0:43"."""
    hours, minutes = divmod(max(int(seconds), 0) // 60, 60)
    return f"{hours}:{minutes:02d}"


def shown_minutes_between(start: datetime, end: datetime) -> int:
    """Seconds between the two minutes a person reads (11:02:40 to 11:45:10 is 0:43, not 0:42)."""
    whole_minute = timedelta(minutes=1)
    start_minute = start - (start - datetime.min.replace(tzinfo=start.tzinfo)) % whole_minute
    end_minute = end - (end - datetime.min.replace(tzinfo=end.tzinfo)) % whole_minute
    return max(int((end_minute - start_minute).total_seconds()), 0)


def local_hhmm(instant: datetime, zone: tzinfo) -> str:
    """``11:02``: an instant as the person's wall clock shows it."""
    return instant.astimezone(zone).strftime("%H:%M")


@dataclass(frozen=True)
class Pause:
    """Pause the running timer now: the screen locked and the settings say ``pause``."""


@dataclass(frozen=True)
class Resume:
    """Resume the timer paused at the lock: the person is back and ``resume_when_back`` is on."""


@dataclass(frozen=True)
class StopPolling:
    """The person is away: stop polling awork until they are back."""


@dataclass(frozen=True)
class PollNow:
    """The person is back: poll once at once (and go on polling as usual)."""


@dataclass(frozen=True)
class AskAboutAway:
    """Ask what to do with the time away: Keep, Discard, or Discard and continue.

    ``start`` is when input stopped, ``end`` when the person came back; ``entry_id`` is the
    timer's entry, the one a Discard stops and shortens to ``start``.
    """

    start: datetime
    end: datetime
    entry_id: str
    reason: AwayReason

    def line(self, zone: tzinfo, translate: Callable[[str], str] = as_is) -> str:
        """``You were away from 11:02 to 11:45 (0:43)``."""
        text = QT_TRANSLATE_NOOP("AwayWindow", "You were away from %1 to %2 (%3)")
        away = format_away(shown_minutes_between(self.start, self.end))
        return fill(translate(text), local_hhmm(self.start, zone), local_hhmm(self.end, zone), away)


@dataclass(frozen=True)
class NotifyPausedWhileAway:
    """One notification on return after a pause at the lock: "Paused while you were away (0:42)"."""

    seconds: int

    def line(self, translate: Callable[[str], str] = as_is) -> str:
        text = QT_TRANSLATE_NOOP("AwayNotice", "Paused while you were away (%1)")
        return fill(translate(text), format_away(self.seconds))


@dataclass(frozen=True)
class RemindNotTracking:
    """One notification: "You are not tracking time" (the menu offers the last task)."""

    def line(self, translate: Callable[[str], str] = as_is) -> str:
        return translate(QT_TRANSLATE_NOOP("AwayNotice", "You are not tracking time"))


@dataclass(frozen=True)
class WarnRunningOver:
    """One notification: the timer has run for more than ``hours`` (awork stops it at 24 h)."""

    hours: int
    entry_id: str

    def line(self, translate: Callable[[str], str] = as_is) -> str:
        text = QT_TRANSLATE_NOOP("AwayNotice", "The timer has been running for over %1 hours")
        return fill(translate(text), str(self.hours))


Decision = (
    Pause
    | Resume
    | StopPolling
    | PollNow
    | AskAboutAway
    | NotifyPausedWhileAway
    | RemindNotTracking
    | WarnRunningOver
)


@dataclass
class _Episode:
    """One absence, from the moment it was seen until the first answer after the return."""

    absence: Absence
    # The entry that ran when the absence began; None when no timer ran.
    running_entry: str | None
    pause_asked: bool = False
    paused_entry: str | None = None
    paused_at: datetime | None = None
    returned_at: datetime | None = None


def _break_start(snapshot: Snapshot) -> datetime | None:
    """When awork's open break began: where the paused timer's clock stands."""
    entry = snapshot.entry
    if entry is None:
        return None
    starts = [brk.start_date.astimezone(UTC) for brk in entry.breaks or () if brk.is_open]
    return max(starts, default=None)


class AwayPolicy:
    """The away and reminder rules, as a small state machine fed by the tray.

    ``zone`` is the person's time zone, for work days and hours (the arithmetic stays in UTC).
    """

    def __init__(self, away: AwaySettings, reminders: ReminderSettings, zone: tzinfo) -> None:
        self._away = away
        self._reminders = reminders
        self._zone = zone
        self._episode: _Episode | None = None
        self._back_since: datetime | None = None
        self._reminded: tuple[str | None, date] | None = None
        self._warned_entry: str | None = None
        self._first_seen_stopped: tuple[str | None, datetime] | None = None

    @property
    def away(self) -> bool:
        """Whether an absence is under way (the tray does not poll meanwhile)."""
        return self._episode is not None and self._episode.returned_at is None

    def update_settings(self, away: AwaySettings, reminders: ReminderSettings) -> None:
        """New settings apply from the next tick; an absence under way keeps its course."""
        self._away = away
        self._reminders = reminders

    def on_tick(
        self, now: datetime, presence: Presence, snapshot: Snapshot | None
    ) -> list[Decision]:
        """The periodic check (every few seconds, and at once on a lock or wake signal)."""
        now = now.astimezone(UTC)
        absence = presence.absence(now, timedelta(minutes=self._away.after_minutes))
        episode = self._episode
        if absence is not None and (episode is None or episode.returned_at is not None):
            return self._leave(now, absence, snapshot)
        if absence is None and episode is not None and episode.returned_at is None:
            episode.returned_at = now
            self._back_since = now
            away_for = (now - episode.absence.since).total_seconds()
            _log.info("away: back after %s", format_away(away_for))
            return [PollNow()]
        if absence is not None and episode is not None:
            return self._pause_at_lock(episode, absence, snapshot)
        return self._reminders_due(now, snapshot)

    def on_answer(self, now: datetime, snapshot: Snapshot) -> list[Decision]:
        """An answer from awork; the first one after a return settles the absence."""
        now = now.astimezone(UTC)
        self._track_stopped(now, snapshot)
        episode = self._episode
        if episode is None:
            return []
        if episode.returned_at is None:
            self._note_pause(episode, snapshot)
            return []
        self._episode = None
        return self._settle(episode, snapshot)

    @staticmethod
    def _note_pause(episode: _Episode, snapshot: Snapshot) -> None:
        # The answer to our own pause at the lock: a return may resume that entry, and only it.
        if not episode.pause_asked or episode.paused_entry is not None:
            return
        if snapshot.state is TimerState.PAUSED and snapshot.entry_id == episode.running_entry:
            episode.paused_entry = snapshot.entry_id
            episode.paused_at = _break_start(snapshot) or episode.absence.since

    def _leave(self, now: datetime, absence: Absence, snapshot: Snapshot | None) -> list[Decision]:
        running = snapshot.entry_id if snapshot and snapshot.state is TimerState.RUNNING else None
        episode = _Episode(absence=absence, running_entry=running)
        self._episode = episode
        _log.info("away: %s since %s", absence.reason, absence.since.isoformat())
        return [*self._pause_at_lock(episode, absence, snapshot), StopPolling()]

    def _pause_at_lock(
        self, episode: _Episode, absence: Absence, snapshot: Snapshot | None
    ) -> list[Decision]:
        # Also when the lock comes during an absence that began idle: the screen locking
        # itself after some idle minutes is the usual case.
        if (
            episode.pause_asked
            or episode.running_entry is None
            or absence.reason is not AwayReason.LOCKED
            or self._away.when_locked is not WhenLocked.PAUSE
            or snapshot is None
            or snapshot.state is not TimerState.RUNNING
            or snapshot.entry_id != episode.running_entry
        ):
            return []
        episode.pause_asked = True
        return [Pause()]

    def _settle(self, episode: _Episode, snapshot: Snapshot) -> list[Decision]:
        returned = episode.returned_at or episode.absence.since
        if episode.paused_entry is not None:
            if snapshot.state is not TimerState.PAUSED or snapshot.entry_id != episode.paused_entry:
                _log.info("away: the paused timer changed elsewhere meanwhile; nothing to do")
                return []
            if self._away.resume_when_back:
                return [Resume()]
            since = episode.paused_at or episode.absence.since
            return [NotifyPausedWhileAway(int((returned - since).total_seconds()))]
        if episode.running_entry is None or not self._asks(episode.absence.reason):
            return []
        if snapshot.state is not TimerState.RUNNING or snapshot.entry_id != episode.running_entry:
            _log.info("away: the timer was paused or stopped meanwhile; nothing to ask")
            return []
        if returned - episode.absence.since < timedelta(minutes=self._away.after_minutes):
            return []
        return [
            AskAboutAway(
                start=episode.absence.since,
                end=returned,
                entry_id=episode.running_entry,
                reason=episode.absence.reason,
            )
        ]

    def _asks(self, reason: AwayReason) -> bool:
        if reason is AwayReason.LOCKED:
            return self._away.when_locked is WhenLocked.ASK
        return self._away.when_idle is WhenIdle.ASK

    def _track_stopped(self, now: datetime, snapshot: Snapshot) -> None:
        if snapshot.state.is_active:
            self._first_seen_stopped = None
            return
        if self._first_seen_stopped is None or self._first_seen_stopped[0] != snapshot.entry_id:
            self._first_seen_stopped = (snapshot.entry_id, now)

    def _reminders_due(self, now: datetime, snapshot: Snapshot | None) -> list[Decision]:
        if snapshot is None:
            return []
        if snapshot.state.is_active:
            return self._running_over(now, snapshot)
        return self._not_tracking(now, snapshot)

    def _running_over(self, now: datetime, snapshot: Snapshot) -> list[Decision]:
        hours = self._reminders.running_over_hours
        if hours == 0 or snapshot.started_at is None or snapshot.entry_id is None:
            return []
        if snapshot.entry_id == self._warned_entry:
            return []
        if now - snapshot.started_at <= timedelta(hours=hours):
            return []
        self._warned_entry = snapshot.entry_id
        return [WarnRunningOver(hours=hours, entry_id=snapshot.entry_id)]

    def _not_tracking(self, now: datetime, snapshot: Snapshot) -> list[Decision]:
        minutes = self._reminders.not_tracking_after_minutes
        if minutes == 0:
            return []
        local = now.astimezone(self._zone)
        if local.weekday() not in {day.weekday for day in self._reminders.work_days}:
            return []
        start, end = self._reminders.work_hours
        if not start <= local.time().replace(tzinfo=None) < end:
            return []
        period = (snapshot.entry_id, local.date())
        if self._reminded == period:
            return []
        work_start = datetime.combine(local.date(), start, tzinfo=self._zone).astimezone(UTC)
        since = max(self._stopped_since(now, snapshot), work_start)
        if self._back_since is not None:
            since = max(since, self._back_since)
        if now - since < timedelta(minutes=minutes):
            return []
        self._reminded = period
        return [RemindNotTracking()]

    def _stopped_since(self, now: datetime, snapshot: Snapshot) -> datetime:
        ended = snapshot.entry.end_utc if snapshot.entry is not None else None
        if ended is not None:
            return ended
        seen = self._first_seen_stopped
        if seen is not None and seen[0] == snapshot.entry_id:
            return seen[1]
        self._first_seen_stopped = (snapshot.entry_id, now)
        return now
