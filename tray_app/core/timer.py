"""The timer's state and elapsed time, derived from awork's last time entry.

Nothing here counts ticks or reads local time: every figure is computed from the entry's UTC
timestamps and a clock passed in, so it stays right across midnight, DST changes, suspend and a
timer started in another time zone. No Qt and no HTTP, so it is tested without a ``QApplication``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from tray_app.core.translation import QT_TRANSLATE_NOOP, as_is, fill

if TYPE_CHECKING:  # only annotations: the tray's first screen loads no pydantic
    from tray_app.awork.models import Break, TimeTracking

__all__ = [
    "Clock",
    "Snapshot",
    "TimerState",
    "elapsed_seconds",
    "format_elapsed",
    "parse_elapsed",
    "state_of",
    "utc_now",
]

_ONE_SECOND = timedelta(seconds=1)
_ZERO = timedelta(0)
_ELAPSED = re.compile(r"^(?P<h>\d+):(?P<m>[0-5]\d):(?P<s>[0-5]\d)$")
_LABEL_NOTE_MAX = 60

Clock = Callable[[], datetime]
"""A source of the current aware instant; injected so tests can move time by hand."""


def utc_now() -> datetime:
    """The default clock: the aware current instant in UTC, never local wall time."""
    return datetime.now(UTC)


class TimerState(StrEnum):
    """What the person's timer is doing, as awork's last entry tells it."""

    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"
    NONE = "none"

    @property
    def is_active(self) -> bool:
        """Whether a timer is on (running or paused), i.e. one awork would stop on a new start."""
        return self in (TimerState.RUNNING, TimerState.PAUSED)


def _breaks_in_order(entry: TimeTracking) -> list[Break]:
    # "The last break" is the one that started last; do not trust the list's order.
    return sorted(entry.breaks or (), key=lambda b: b.start_date)


def _open_break(entry: TimeTracking) -> Break | None:
    breaks = _breaks_in_order(entry)
    if breaks and breaks[-1].is_open:
        return breaks[-1]
    return None


def state_of(entry: TimeTracking | None) -> TimerState:
    """Derive the timer state from the last entry, because awork has no "current timer" endpoint.

    The rules are the API notes' ones, in their order: no entry is NONE; an end (date or time) is
    STOPPED; a last break with neither ``endDate`` nor ``duration`` is PAUSED; a start time is
    RUNNING; an entry logged as a plain duration (no start time, no end) is a finished record,
    STOPPED.
    """
    if entry is None:
        return TimerState.NONE
    if entry.end_date_utc is not None or entry.end_time_utc is not None:
        return TimerState.STOPPED
    if _open_break(entry) is not None:
        return TimerState.PAUSED
    if entry.start_utc is not None:
        return TimerState.RUNNING
    return TimerState.STOPPED


def _require_aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime; a naive one would be read as local time")
    # Subtracting two datetimes that share a tzinfo uses wall time (wrong across DST): go to UTC.
    return now.astimezone(UTC)


def _worked(start: datetime, until: datetime, breaks: Sequence[Break]) -> timedelta:
    """Time between ``start`` and ``until`` that no break covers (breaks sorted by start).

    A closed break lasts its ``duration`` if given, else until its ``endDate``. An open break lasts
    until the next break starts, or until ``until`` if it is the last one. Each break counts only
    for the part inside ``[start, until]``, so a clock behind the server's never goes backwards.
    """
    total = until - start
    for index, brk in enumerate(breaks):
        brk_start = brk.start_date.astimezone(UTC)
        if brk.duration is not None:
            brk_end = brk_start + timedelta(seconds=brk.duration)
        elif brk.end_date is not None:
            brk_end = brk.end_date.astimezone(UTC)
        elif index + 1 < len(breaks):
            brk_end = breaks[index + 1].start_date.astimezone(UTC)
        else:
            brk_end = until
        overlap = min(brk_end, until) - max(brk_start, start)
        if overlap > _ZERO:
            total -= overlap
    return max(total, _ZERO)


def elapsed_seconds(entry: TimeTracking | None, now: datetime) -> int:
    """Whole seconds worked on the entry at ``now``, computed from timestamps on every call.

    Running: now - start - breaks. Paused: frozen at the open break's start. Stopped: end - start -
    breaks, or the entry's ``duration`` when it has no start or end time. Never negative; 0 for no
    entry. ``now`` must be aware (``ValueError`` otherwise); the arithmetic is all in UTC.
    """
    now_utc = _require_aware(now)
    if entry is None:
        return 0
    state = state_of(entry)
    start = entry.start_utc
    breaks = _breaks_in_order(entry)
    if state is TimerState.STOPPED:
        end = entry.end_utc
        if start is None or end is None:
            return max(entry.duration or 0, 0)
        return _worked(start, end, breaks) // _ONE_SECOND
    if start is None:
        # Paused without a start time: awork never answers this, and there is no clock to read.
        return max(entry.duration or 0, 0)
    until = breaks[-1].start_date.astimezone(UTC) if state is TimerState.PAUSED else now_utc
    return _worked(start, until, breaks) // _ONE_SECOND


def format_elapsed(seconds: int) -> str:
    """Show a duration as ``H:MM:SS`` with unbounded hours, the way a stopwatch reads."""
    minutes, sec = divmod(max(seconds, 0), 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02d}:{sec:02d}"


def parse_elapsed(text: str) -> int:
    """Read back an ``H:MM:SS`` text of :func:`format_elapsed`, so a shown figure can be checked."""
    match = _ELAPSED.match(text.strip())
    if match is None:
        raise ValueError(f"not an H:MM:SS duration: {text!r}")
    return int(match["h"]) * 3600 + int(match["m"]) * 60 + int(match["s"])


def _project_id(entry: TimeTracking) -> str | None:
    if entry.project_id:
        return entry.project_id
    if entry.project is not None:
        return entry.project.id
    if entry.task is not None:
        return entry.task.project_id or (entry.task.project.id if entry.task.project else None)
    return None


@dataclass(frozen=True)
class Snapshot:
    """What the tray shows, taken from one answer as plain values, so answers can be compared."""

    state: TimerState
    entry_id: str | None = None
    task_id: str | None = None
    task_name: str | None = None
    project_id: str | None = None
    project_name: str | None = None
    type_of_work_id: str | None = None
    note: str | None = None
    started_at: datetime | None = None
    version: int | None = None
    updated_on: datetime | None = None
    # Kept for the elapsed time; compared but not hashed (its breaks are a list).
    entry: TimeTracking | None = field(default=None, hash=False, repr=False)

    @classmethod
    def of(cls, entry: TimeTracking | None) -> Snapshot:
        """Take a snapshot of awork's last entry (``None`` for a 204: no entry at all)."""
        if entry is None:
            return cls(state=TimerState.NONE)
        return cls(
            state=state_of(entry),
            entry_id=entry.id,
            task_id=entry.task_id or (entry.task.id if entry.task else None),
            task_name=entry.task_name,
            project_id=_project_id(entry),
            project_name=entry.project_name,
            type_of_work_id=entry.type_of_work_id
            or (entry.type_of_work.id if entry.type_of_work else None),
            note=entry.note,
            started_at=entry.start_utc,
            version=entry.resource_version,
            updated_on=entry.updated_on.astimezone(UTC) if entry.updated_on else None,
            entry=entry,
        )

    def elapsed_seconds(self, now: datetime) -> int:
        """Whole seconds worked at ``now``; see :func:`elapsed_seconds`."""
        return elapsed_seconds(self.entry, now)

    def is_newer_than(self, other: Snapshot) -> bool | None:
        """Tell whether this answer supersedes ``other``, so a late, stale answer can be dropped.

        Only answers about the same entry can be ordered: by ``resourceVersion`` when both carry
        one, else by ``updatedOn``. An equal version or time is not newer. ``None`` when it cannot
        tell: different entries, no entry, or neither figure on both sides.
        """
        if self.entry_id is None or self.entry_id != other.entry_id:
            return None
        if self.version is not None and other.version is not None:
            return self.version > other.version
        if self.updated_on is not None and other.updated_on is not None:
            return self.updated_on > other.updated_on
        return None

    def label(self) -> str:
        """One line naming what the timer is on, for the tooltip, the menu and notifications."""
        if self.task_name and self.project_name:
            return f"{self.task_name} · {self.project_name}"
        if self.task_name or self.project_name:
            return self.task_name or self.project_name or ""
        note = (self.note or "").strip().splitlines()
        if note and note[0].strip():
            first = note[0].strip()
            if len(first) > _LABEL_NOTE_MAX:
                return first[: _LABEL_NOTE_MAX - 1].rstrip() + "…"
            return first
        return "No task"


_STATE_WORDS = {
    TimerState.RUNNING: QT_TRANSLATE_NOOP("TimerDisplay", "Running %1"),
    TimerState.PAUSED: QT_TRANSLATE_NOOP("TimerDisplay", "Paused at %1"),
    TimerState.STOPPED: QT_TRANSLATE_NOOP("TimerDisplay", "Stopped at %1"),
    TimerState.NONE: QT_TRANSLATE_NOOP("TimerDisplay", "No timer"),
}


def state_line(
    snapshot: Snapshot | None, now: datetime, translate: Callable[[str], str] = as_is
) -> str:
    """The timer's state in a few words with its elapsed time, e.g. ``Running 1:02:03``.

    The tray passes Qt's translation as ``translate``; the command line keeps English.
    """
    if snapshot is None:
        return translate(QT_TRANSLATE_NOOP("TimerDisplay", "Timer state not known yet"))
    elapsed = format_elapsed(snapshot.elapsed_seconds(now))
    return fill(translate(_STATE_WORDS[snapshot.state]), elapsed)
