"""Today's total: what the person tracked today, against the day's capacity.

awork books an entry on the day it started, so does this: an entry that started before midnight
and ran past it counts wholly on its start day, and a timer still running since yesterday adds
nothing to today. Days are the machine's (the ``zone`` passed in), taken from each entry's UTC
start, so a DST day is as long as it really is. No Qt and no HTTP: the caller passes the day's
entries it fetched, the poll's newest entry and ``now``; recomputing on every tick is cheap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from tray_app.core.timer import TimerState, elapsed_seconds, state_of
from tray_app.core.translation import QT_TRANSLATE_NOOP, as_is, fill

if TYPE_CHECKING:  # only annotations: the tray's first screen loads no pydantic
    from tray_app.awork.models import TimeTracking
    from tray_app.awork.task_models import UserCapacity

__all__ = ["TodayTotal", "format_hours_minutes", "today_total"]

_log = logging.getLogger(__name__)


def format_hours_minutes(seconds: int) -> str:
    """``H:MM``, minutes cut (never rounded up, so 7:59:59 is not yet 8:00)."""
    hours, minutes = divmod(max(seconds, 0) // 60, 60)
    return f"{hours}:{minutes:02d}"


@dataclass(frozen=True)
class TodayTotal:
    """Today's figures at one instant.

    ``running`` tells whether the total grows: one of today's entries runs (a paused one does
    not). ``capacity_seconds`` is None when the day has no capacity (0 or not known).
    """

    day: date
    total_seconds: int
    capacity_seconds: int | None
    entries: int
    running: bool

    def line(self, translate: Callable[[str], str] = as_is) -> str:
        """``Today 5:32 of 8:00``, or ``Today 5:32`` without a capacity."""
        total = format_hours_minutes(self.total_seconds)
        if self.capacity_seconds is None:
            return fill(translate(QT_TRANSLATE_NOOP("TodayTotal", "Today %1")), total)
        capacity = format_hours_minutes(self.capacity_seconds)
        return fill(translate(QT_TRANSLATE_NOOP("TodayTotal", "Today %1 of %2")), total, capacity)

    def as_json(self) -> dict[str, Any]:
        """What ``awork-tray today --json`` prints."""
        return {
            "total_seconds": self.total_seconds,
            "capacity_seconds": self.capacity_seconds,
            "entries": self.entries,
            "running": self.running,
        }


def today_total(
    entries: Iterable[TimeTracking],
    *,
    user_id: str,
    now: datetime,
    zone: tzinfo,
    capacity: UserCapacity | None = None,
    current: TimeTracking | None = None,
) -> TodayTotal:
    """Today's total at ``now`` from the person's own entries of today in ``zone``.

    A finished entry counts its ``duration`` (awork's, net of breaks; from its timestamps when
    awork gives none); the running or paused one counts from its start less its breaks, as the
    timer does. ``current`` is the poll's newest entry: it joins the list when the list lacks
    it, and replaces the listed entry with its id unless awork's ``resourceVersion`` says the
    listed one is newer (either may have been fetched last). Entries of another person are left
    out, whoever passed them in.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime; a naive one would be read as local time")
    today = now.astimezone(zone).date()
    by_id: dict[str, TimeTracking] = {}
    others = 0
    for entry in entries:
        if entry.person_id == user_id:
            by_id[entry.id] = entry
        else:
            others += 1
    if others:
        _log.debug("today's total leaves out %d entries of other people", others)
    if current is not None and current.person_id in (user_id, None):  # /me/...: theirs
        listed = by_id.get(current.id)
        if listed is None or not _is_older(current, listed):
            by_id[current.id] = current

    total = 0
    count = 0
    running = False
    for entry in by_id.values():
        if _day_of(entry, zone) != today:
            continue
        count += 1
        state = state_of(entry)
        if state.is_active:
            total += elapsed_seconds(entry, now)
            running = running or state is TimerState.RUNNING
        elif entry.duration is not None:
            total += max(entry.duration, 0)
        else:
            total += elapsed_seconds(entry, now)
    return TodayTotal(today, total, _capacity_on(capacity, today), count, running)


def _is_older(entry: TimeTracking, than: TimeTracking) -> bool:
    """Whether awork's versions show ``entry`` is an older state than ``than`` (False: unknown)."""
    if entry.resource_version is None or than.resource_version is None:
        return False
    return entry.resource_version < than.resource_version


def _day_of(entry: TimeTracking, zone: tzinfo) -> date | None:
    """The day awork books the entry on: its start's, in ``zone``.

    An entry logged as a plain duration has no start time: its booked date (``startDateLocal``,
    else ``startDateUtc``) is its day.
    """
    start = entry.start_utc
    if start is not None:
        return start.astimezone(zone).date()
    if entry.start_date_local is not None:
        return entry.start_date_local.date()
    if entry.start_date_utc is not None:
        return entry.start_date_utc.astimezone(UTC).date()
    return None


def _capacity_on(capacity: UserCapacity | None, day: date) -> int | None:
    if capacity is None or capacity.weekly_capacity is None:
        return None
    seconds = capacity.weekly_capacity.seconds_on(day)
    return seconds if seconds else None
