"""Two weeks of finished time entries, the person's and a colleague's, made from the clock.

The tray's recent tasks and today's total are built from these, so they must look like a real
workspace's on any day the sandbox starts: working days in the person's time zone, a morning and
an afternoon, now and then a break or a note, today's entries ending before the paused timer.
The choice of tasks is seeded by the date, so the same day gives the same history.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tray_app.sandbox.seed import Seed, SeedTask
from tray_app.sandbox.state import Break, Entry, ticks

logger = logging.getLogger(__name__)

HISTORY_DAYS = 14
"""How far back the seeded entries go (the tray's "recent tasks" look back as far)."""
TODAY_ENDS_BEFORE = timedelta(minutes=47 + 10)
"""Today's entries end this long before now: before the seeded paused timer, which began 47
minutes ago, with a gap."""

_NAMESPACE = uuid.UUID("9d3c6a71-2b8e-4f0a-8e55-41c7a8f2d913")
_SLOTS = ((time(8, 45), 95), (time(10, 30), 80), (time(13, 0), 105), (time(15, 0), 110))
"""Start (local) and minutes of a working day's blocks: the lunch hour falls between."""
_NOTES = ("Call with the client", "Review comments", None, None, "Follow-up", None)


def _usable(seed: Seed, task: SeedTask, user_id: str) -> bool:
    return user_id in task.assignee_ids and task.project_id is not None


def _type_of_work(seed: Seed, task: SeedTask) -> str:
    """The task's type of work, else the project's first active one (what a client would pick)."""
    if task.type_of_work_id:
        return task.type_of_work_id
    project = seed.project(task.project_id or "")
    offered = seed.project_types_of_work(project) if project else seed.types_of_work
    return next(item.id for item in offered if not item.archived)


def _entry(
    seed: Seed, user_id: str, task: SeedTask, start: datetime, *, minutes: int, rng: random.Random
) -> Entry:
    end = start + timedelta(minutes=minutes)
    breaks: tuple[Break, ...] = ()
    if minutes >= 90 and rng.random() < 0.3:
        pause = start + timedelta(minutes=minutes // 2)
        breaks = (Break(pause, pause + timedelta(minutes=10)),)
    project = seed.project(task.project_id or "")
    return Entry(
        id=str(uuid.uuid5(_NAMESPACE, f"{user_id}:{start.isoformat()}")),
        user_id=user_id,
        timezone=seed.timezone,
        type_of_work_id=_type_of_work(seed, task),
        task_id=task.id,
        project_id=task.project_id,
        note=rng.choice(_NOTES),
        is_billable=bool(project and project.billable_by_default),
        is_billed=False,
        start=start,
        created_on=start,
        updated_on=end,
        version=ticks(end),
        end=end,
        breaks=breaks,
    )


def _days(today: date) -> Iterator[date]:
    """The working days of the last two weeks, oldest first, then today whatever day it is."""
    for back in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=back)
        if day.weekday() < 5:
            yield day
    yield today


def entries_of(seed: Seed, user_id: str, now: datetime, *, blocks: int = 4) -> list[Entry]:
    """``user_id``'s finished entries of the last two weeks, oldest first, all ended before now.

    ``blocks`` is how many of the day's four blocks they work (a colleague tracks less).
    """
    zone = ZoneInfo(seed.timezone)
    local_now = now.astimezone(zone)
    latest_end = now - TODAY_ENDS_BEFORE
    tasks = [task for task in seed.tasks if _usable(seed, task, user_id)]
    if not tasks:
        return []
    entries: list[Entry] = []
    for day in _days(local_now.date()):
        rng = random.Random(f"{user_id}:{day.isoformat()}")
        for slot, planned in _SLOTS[:blocks]:
            start = datetime.combine(day, slot, zone)
            minutes = min(planned, int((latest_end - start) / timedelta(minutes=1)))
            if minutes < 15:
                break
            task = rng.choice(tasks)
            entries.append(_entry(seed, user_id, task, start, minutes=minutes, rng=rng))
    logger.debug("seeded %d entries for %s", len(entries), user_id)
    return entries


def seeded_history(seed: Seed, now: datetime) -> tuple[list[Entry], list[Entry]]:
    """The person's entries and their colleagues', both oldest first."""
    own = entries_of(seed, seed.user_id, now)
    others = [
        entry for user in seed.colleagues for entry in entries_of(seed, user.id, now, blocks=2)
    ]
    return own, sorted(others, key=lambda entry: entry.start)
