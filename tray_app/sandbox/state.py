"""The timer world of the sandbox's one person: their time entries and the rules that change them.

Free of Qt and HTTP, so awork's rules (one active timer, breaks, the 24-hour stop) live in one place
and can be tested without a server. Entries are frozen: a caller gets a snapshot that no other
thread can change under it, and every change goes through one lock in :class:`TimerWorld`.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from tray_app.sandbox.errors import invalid_operation, not_found
from tray_app.sandbox.forms import StartForm
from tray_app.sandbox.seed import PREVENT_ON_DONE_PROJECTS, Seed, SeedTask

Clock = Callable[[], datetime]

AUTO_STOP_AFTER = timedelta(hours=24)
"""awork stops a timer by itself once it has run (or stood paused) this long."""

_TICKS_AT_UNIX_EPOCH = 621_355_968_000_000_000
_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ManualClock:
    """A clock that moves only when told: tests and demos reach awork's 24-hour stop at once.

    It starts at ``start`` (by default 2026-11-30 13:08:51.822063 UTC, so answers are predictable)
    and is safe to move from one thread while the sandbox reads it from others.
    """

    DEFAULT_START = datetime(2026, 11, 30, 13, 8, 51, 822063, tzinfo=UTC)

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._now = as_utc(start or self.DEFAULT_START)

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta``; returns the new now."""
        with self._lock:
            self._now += delta
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = as_utc(moment)


def as_utc(moment: datetime) -> datetime:
    """A clock's reading in UTC; a naive one is refused, since its zone would be a guess.

    Every part of the sandbox that reads the clock goes through it, so all agree on the time.
    """
    if moment.tzinfo is None:
        raise ValueError("the sandbox clock must give timezone-aware datetimes")
    return moment.astimezone(UTC)


def whole_seconds(span: timedelta) -> int:
    """awork counts durations in whole seconds, cutting off fractions."""
    return span // timedelta(seconds=1)


def ticks(moment: datetime) -> int:
    """.NET ticks (100 ns since year 1), the unit of awork's ``resourceVersion``."""
    return (moment - _UNIX_EPOCH) // timedelta(microseconds=1) * 10 + _TICKS_AT_UNIX_EPOCH


@dataclass(frozen=True)
class Break:
    """A pause; open (no end) while the timer stands."""

    start: datetime
    end: datetime | None = None

    @property
    def duration(self) -> int | None:
        return None if self.end is None else whole_seconds(self.end - self.start)


@dataclass(frozen=True)
class Entry:
    """One time entry; only the last one can be running or paused."""

    id: str
    user_id: str
    timezone: str
    type_of_work_id: str
    task_id: str | None
    project_id: str | None
    note: str | None
    is_billable: bool
    is_billed: bool
    start: datetime
    created_on: datetime
    updated_on: datetime
    version: int
    end: datetime | None = None
    breaks: tuple[Break, ...] = ()

    @property
    def is_stopped(self) -> bool:
        return self.end is not None

    @property
    def is_paused(self) -> bool:
        return not self.is_stopped and bool(self.breaks) and self.breaks[-1].end is None

    @property
    def is_running(self) -> bool:
        return not self.is_stopped and not self.is_paused

    @property
    def break_duration(self) -> int | None:
        """Sum of the closed breaks; None while there are none (awork's answer with an open one)."""
        closed = [b.duration for b in self.breaks if b.duration is not None]
        return sum(closed) if closed else None

    @property
    def duration(self) -> int:
        """Worked seconds once stopped; awork reports 0 while the timer runs or stands."""
        if self.end is None:
            return 0
        return whole_seconds(self.end - self.start) - (self.break_duration or 0)


def _paused(entry: Entry, now: datetime) -> Entry:
    return replace(entry, breaks=(*entry.breaks, Break(now)))


def _resumed(entry: Entry, now: datetime) -> Entry:
    *closed, open_break = entry.breaks
    return replace(entry, breaks=(*closed, Break(open_break.start, now)))


def _stopped(entry: Entry, at: datetime) -> Entry:
    """End the entry at ``at``, closing an open break there first, as awork does."""
    breaks = tuple(b if b.end else Break(b.start, max(b.start, at)) for b in entry.breaks)
    return replace(entry, end=at, breaks=breaks)


class TimerWorld:
    """The time entries of the seed's person, with awork's rules for start, pause, resume, stop.

    Every read first applies awork's 24-hour stop, so the world is always as awork would show it at
    ``clock()``. Every change gets a strictly larger ``version`` (ticks of ``clock()``, bumped by
    one when the clock stands still) and ``updated_on = clock()``.
    """

    def __init__(
        self,
        seed: Seed,
        clock: Clock,
        *,
        paused_timer: bool = True,
        history: Sequence[Entry] = (),
        others: Sequence[Entry] = (),
    ) -> None:
        """``history``: the person's finished entries, oldest first, all before the paused timer;
        ``others``: colleagues' entries, seen in ``GET /timeentries`` but never the person's own.
        """
        self._seed = seed
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: list[Entry] = list(history)
        self._others: list[Entry] = list(others)
        self._version = max((entry.version for entry in (*history, *others)), default=0)
        if paused_timer:
            self._entries.append(self._seeded_paused_entry(self._now()))

    def last(self) -> Entry | None:
        """The last entry started, or None when the person never tracked time."""
        with self._lock:
            return self._last(self._now())

    def entries(self) -> tuple[Entry, ...]:
        """Every entry, oldest first; the routes show only the last, tests look further back."""
        with self._lock:
            self._last(self._now())
            return tuple(self._entries)

    def visible_entries(self) -> tuple[Entry, ...]:
        """Everyone's entries, as ``GET /timeentries`` lists them before filters and order."""
        with self._lock:
            self._last(self._now())
            return (*self._others, *self._entries)

    def entry(self, entry_id: str) -> Entry | None:
        """Anyone's entry by id (any case), as ``GET /timeentries/{id}`` finds it."""
        wanted = entry_id.lower()
        return next((item for item in self.visible_entries() if item.id == wanted), None)

    def edit(self, entry_id: str, change: Callable[[Entry, datetime], Entry]) -> Entry:
        """Apply ``change(entry, now)`` to one of the person's entries and save it, versioned.

        ``change`` raises ApiError to refuse; the entry of someone else is refused here, as awork
        refuses to edit a colleague's time without the rights to.
        """
        wanted = entry_id.lower()
        with self._lock:
            now = self._now()
            self._last(now)
            if any(item.id == wanted for item in self._others):
                raise invalid_operation("You can only edit your own time entries.")
            index = next((i for i, item in enumerate(self._entries) if item.id == wanted), None)
            if index is None:
                raise not_found(f"No time entry with the id '{entry_id}' exists.")
            changed = change(self._entries[index], now)
            saved = replace(changed, updated_on=now, version=self._next_version(now))
            self._entries[index] = saved
            return saved

    def start(self, form: StartForm) -> Entry:
        """Stop whatever runs or stands (closing its break), then start a new running entry."""
        task = self._task_of(form)
        with self._lock:
            now = self._now()
            current = self._last(now)
            if current is not None and not current.is_stopped:
                self._save(_stopped(current, now), now)
            entry = self._new_entry(form, task, now)
            self._entries.append(entry)
            return entry

    def pause(self) -> Entry | None:
        """Open a break on a running timer; None (awork's 204) when nothing runs."""
        with self._lock:
            now = self._now()
            entry = self._last(now)
            if entry is None or not entry.is_running:
                return None
            return self._save(_paused(entry, now), now)

    def resume(self) -> Entry | None:
        """Close the open break; a running timer comes back unchanged, anything else is None."""
        with self._lock:
            now = self._now()
            entry = self._last(now)
            if entry is None or entry.is_stopped:
                return None
            if entry.is_running:
                return entry
            return self._save(_resumed(entry, now), now)

    def stop(self) -> Entry | None:
        """End a running or paused timer; None (awork's 204) when nothing runs or stands."""
        with self._lock:
            now = self._now()
            entry = self._last(now)
            if entry is None or entry.is_stopped:
                return None
            return self._save(_stopped(entry, now), now)

    def _now(self) -> datetime:
        return as_utc(self._clock())

    def _next_version(self, now: datetime) -> int:
        self._version = max(self._version + 1, ticks(now))
        return self._version

    def _save(self, entry: Entry, now: datetime) -> Entry:
        """Store a changed last entry with a new version; the caller holds the lock."""
        saved = replace(entry, updated_on=now, version=self._next_version(now))
        self._entries[-1] = saved
        return saved

    def _last(self, now: datetime) -> Entry | None:
        """The last entry, stopped first at start + 24 h if it has been active that long."""
        if not self._entries:
            return None
        entry = self._entries[-1]
        if not entry.is_stopped and now - entry.start >= AUTO_STOP_AFTER:
            entry = self._save(_stopped(entry, entry.start + AUTO_STOP_AFTER), now)
        return entry

    def _task_of(self, form: StartForm) -> SeedTask | None:
        """Check the form's ids against the seed the way awork answers unknown ones."""
        return check_work(self._seed, form.type_of_work_id, form.task_id, form.project_id)

    def _new_entry(self, form: StartForm, task: SeedTask | None, now: datetime) -> Entry:
        return Entry(
            id=str(uuid.uuid4()),
            user_id=self._seed.user_id,
            timezone=form.timezone,
            type_of_work_id=form.type_of_work_id,
            task_id=task.id if task else None,
            project_id=task.project_id if task else form.project_id,
            note=form.note,
            is_billable=bool(form.is_billable),
            is_billed=bool(form.is_billed),
            start=now,
            created_on=now,
            updated_on=now,
            version=self._next_version(now),
        )

    def _seeded_paused_entry(self, now: datetime) -> Entry:
        """Started 47 minutes ago on the first task, one 8-minute break, paused 2 minutes ago."""
        task = self._seed.tasks[0]
        start = now - timedelta(minutes=47)
        return Entry(
            id=str(uuid.uuid4()),
            user_id=self._seed.user_id,
            timezone=self._seed.timezone,
            type_of_work_id=task.type_of_work_id or self._seed.types_of_work[0].id,
            task_id=task.id,
            project_id=task.project_id,
            note="Hero section, second draft",
            is_billable=True,
            is_billed=False,
            start=start,
            created_on=start,
            updated_on=now - timedelta(minutes=2),
            version=self._next_version(now),
            breaks=(
                Break(now - timedelta(minutes=30), now - timedelta(minutes=22)),
                Break(now - timedelta(minutes=2)),
            ),
        )


def check_work(
    seed: Seed, type_of_work_id: str, task_id: str | None, project_id: str | None
) -> SeedTask | None:
    """awork's checks of what time is tracked on: the task, if any, for a start or an edit.

    An unknown id is a 404; an archived type of work, a task of another project, or (with the
    workspace's ``prevent-on-done-projects``) a closed project is awork's 400.
    """
    type_of_work = seed.type_of_work(type_of_work_id)
    if type_of_work is None:
        raise not_found(f"No type of work with the id '{type_of_work_id}' exists.")
    if type_of_work.archived:
        raise invalid_operation(f"The type of work '{type_of_work.name}' is archived.")
    project = seed.project(project_id) if project_id is not None else None
    if project_id is not None and project is None:
        raise not_found(f"No project with the id '{project_id}' exists.")
    task = seed.task(task_id) if task_id is not None else None
    if task_id is not None and task is None:
        raise not_found(f"No task with the id '{task_id}' exists.")
    if task is not None and project_id is not None and project_id != task.project_id:
        raise invalid_operation("The task does not belong to the given project.")
    if task is not None and task.project_id is not None:
        project = seed.project(task.project_id)
    if project is not None and project.is_closed and seed.setting(PREVENT_ON_DONE_PROJECTS):
        raise invalid_operation(
            f"Time cannot be tracked on the project '{project.name}': it is closed."
        )
    return task
