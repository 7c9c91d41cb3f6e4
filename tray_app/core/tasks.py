"""Which tasks the tray offers, and which type of work a start on one of them uses.

The menu's task section, the find window and the ``tasks``/``start`` commands all read the same
lists (favourites, recent, assigned, search) through these rules, so they can never disagree;
``task_match.py`` finds a task among them by typed text.
No Qt and no HTTP: the caller fetches the lists and passes them in, with the clock's ``now``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only annotations: the tray's first screen loads no pydantic
    from tray_app.awork.models import StartForm, TimeTracking
    from tray_app.awork.task_models import FoundTask, SearchResults, Task, TypeOfWork

__all__ = [
    "ASSIGNED_MAX",
    "RECENT_DAYS",
    "RECENT_MAX",
    "TaskChoice",
    "TaskMenu",
    "TaskSource",
    "choice_of_entry",
    "choice_of_found",
    "choice_of_task",
    "choices_of_search",
    "choose_type_of_work",
    "task_menu",
]

_log = logging.getLogger(__name__)

RECENT_DAYS = 14
RECENT_MAX = 8
ASSIGNED_MAX = 10
_DONE = "done"
_CLOSED = "closed"


class TaskSource(StrEnum):
    """The list a task is offered from; the value is what ``tasks --json`` prints."""

    FAVOURITE = "favourite"
    RECENT = "recent"
    ASSIGNED = "assigned"
    SEARCH = "search"


@dataclass(frozen=True)
class TaskChoice:
    """A task the person can start, as plain values, whatever list it came from.

    ``type_of_work_id`` is the task's own type, None when it has none or it is archived (then
    :func:`choose_type_of_work` finds one). ``billable`` is the project's ``isBillableByDefault``,
    None when unknown (the start then leaves it to awork).
    """

    id: str
    name: str
    identifier: str | None
    project_id: str | None
    project_name: str | None
    type_of_work_id: str | None
    billable: bool | None
    source: TaskSource

    def label(self) -> str:
        """The menu's words for it: ``WEB-12 Write the sitemap · Website``, less what it lacks."""
        name = self.name.strip() or self.identifier or self.id
        title = f"{self.identifier} {name}" if self.identifier and name != self.identifier else name
        return f"{title} · {self.project_name}" if self.project_name else title

    def as_json(self) -> dict[str, Any]:
        """The object ``awork-tray tasks --json`` prints for it."""
        return {
            "id": self.id,
            "name": self.name,
            "identifier": self.identifier,
            "project": self.project_name,
            "project_id": self.project_id,
            "type_of_work_id": self.type_of_work_id,
            "billable": self.billable,
            "source": self.source.value,
        }

    def start_form(self, *, type_of_work_id: str, timezone: str, note: str | None) -> StartForm:
        """The body of the one ``POST /me/timetracking/start`` that switches to this task."""
        from tray_app.awork.models import StartForm  # pydantic only once a start is made

        return StartForm(
            timezone=timezone,
            type_of_work_id=type_of_work_id,
            task_id=self.id,
            project_id=self.project_id,
            note=note or None,
            is_billable=self.billable,
        )


# --- from awork's models ------------------------------------------------------------------------


def choice_of_task(task: Task, source: TaskSource) -> TaskChoice:
    """A ``TaskModel`` (assigned, or read by id); an archived own type counts as none."""
    archived = task.type_of_work is not None and task.type_of_work.is_archived is True
    project = task.project
    return TaskChoice(
        id=task.id,
        name=task.name,
        identifier=task.task_identifier or None,
        project_id=task.project_id or (project.id if project else None),
        project_name=project.name if project else None,
        type_of_work_id=None if archived else task.type_of_work_id or None,
        billable=project.is_billable_by_default if project else None,
        source=source,
    )


def choice_of_entry(entry: TimeTracking, source: TaskSource) -> TaskChoice | None:
    """The task a time entry was on (None for an entry without one), from what the entry embeds."""
    task = entry.task
    task_id = entry.task_id or (task.id if task else None)
    if task is None or not task_id:
        return None
    project = entry.project or task.project
    return TaskChoice(
        id=task_id,
        name=task.name or "",
        identifier=task.task_identifier or None,
        project_id=_entry_project_id(entry),
        project_name=project.name if project else None,
        type_of_work_id=task.type_of_work_id or None,
        billable=project.is_billable_by_default if project else None,
        source=source,
    )


def choice_of_found(found: FoundTask) -> TaskChoice:
    """A search hit; it has no type of work id, so the task must be read before it starts."""
    project = found.project
    return TaskChoice(
        id=found.id,
        name=found.name or "",
        identifier=found.task_identifier or None,
        project_id=found.project_id or (project.id if project else None),
        project_name=project.name if project else None,
        type_of_work_id=None,
        billable=project.is_billable_by_default if project else None,
        source=TaskSource.SEARCH,
    )


def choices_of_search(results: SearchResults) -> list[TaskChoice]:
    """The open tasks of a search answer, best first, each once; closed projects left out."""
    seen: set[str] = set()
    choices = []
    for found in results.tasks:
        closed = found.project is not None and found.project.is_closed
        if found.is_done or closed or found.id in seen:
            continue
        seen.add(found.id)
        choices.append(choice_of_found(found))
    return choices


def _entry_project_id(entry: TimeTracking) -> str | None:
    if entry.project_id:
        return entry.project_id
    if entry.project is not None:
        return entry.project.id
    task = entry.task
    if task is not None:
        return task.project_id or (task.project.id if task.project else None)
    return None


def _entry_start(entry: TimeTracking) -> datetime | None:
    """When the entry started, or its day for one logged as a plain duration."""
    start = entry.start_utc or entry.start_date_utc
    return start.astimezone(UTC) if start else None


def _entry_is_done_or_closed(entry: TimeTracking) -> bool:
    task = entry.task
    if task is not None and task.task_status is not None and task.task_status.type == _DONE:
        return True
    projects = (entry.project, task.project if task else None)
    return any(
        p is not None and p.project_status is not None and p.project_status.type == _CLOSED
        for p in projects
    )


def _own_entries_newest_first(
    entries: Iterable[TimeTracking], user_id: str
) -> list[tuple[datetime, TimeTracking]]:
    """The person's own entries with a start, newest first (another person's are ignored)."""
    own = []
    for entry in entries:
        start = _entry_start(entry)
        if start is not None and entry.person_id == user_id:
            own.append((start, entry))
    own.sort(key=lambda pair: pair[0], reverse=True)
    return own


# --- the menu's task section --------------------------------------------------------------------


@dataclass(frozen=True)
class TaskMenu:
    """The task section: favourites, recent, assigned, each task in one section only.

    ``missing_favourites`` are pinned ids found in no list passed in: read them by id
    (``GET /tasks/{id}``) and pass them as ``known``, or let the person unpin them.
    """

    favourites: tuple[TaskChoice, ...] = ()
    recent: tuple[TaskChoice, ...] = ()
    assigned: tuple[TaskChoice, ...] = ()
    missing_favourites: tuple[str, ...] = ()

    def all(self) -> tuple[TaskChoice, ...]:
        """Every task offered, in the menu's order."""
        return self.favourites + self.recent + self.assigned


def task_menu(
    *,
    favourite_ids: Sequence[str],
    entries: Sequence[TimeTracking],
    assigned: Sequence[Task],
    user_id: str,
    now: datetime,
    known: Sequence[Task] = (),
) -> TaskMenu:
    """Build the task section from the lists awork gave.

    - favourites: in the order pinned, each once, whatever their status (the person pinned them);
      what is known of each comes from ``known`` (tasks read by id), else ``assigned``, else the
      newest of ``entries`` on it;
    - recent: the distinct tasks of the person's own ``entries`` of the last 14 days before
      ``now``, newest first, at most 8, done tasks and closed projects left out;
    - assigned: open tasks of open projects, in awork's order, at most 10.
    A task already listed in an earlier section is not listed again.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    own = _own_entries_newest_first(entries, user_id)
    favourites, missing = _favourites(favourite_ids, own, assigned, known)
    taken = {choice.id for choice in favourites}

    recent: list[TaskChoice] = []
    since = now.astimezone(UTC) - timedelta(days=RECENT_DAYS)
    for start, entry in own:
        if len(recent) >= RECENT_MAX or start < since:
            break
        choice = choice_of_entry(entry, TaskSource.RECENT)
        if choice is None or choice.id in taken or _entry_is_done_or_closed(entry):
            continue
        taken.add(choice.id)
        recent.append(choice)

    mine: list[TaskChoice] = []
    for task in assigned:
        if len(mine) >= ASSIGNED_MAX:
            break
        closed = task.project is not None and task.project.is_closed
        if task.id in taken or task.is_done or closed:
            continue
        taken.add(task.id)
        mine.append(choice_of_task(task, TaskSource.ASSIGNED))
    return TaskMenu(tuple(favourites), tuple(recent), tuple(mine), tuple(missing))


def _favourites(
    favourite_ids: Sequence[str],
    own: Sequence[tuple[datetime, TimeTracking]],
    assigned: Sequence[Task],
    known: Sequence[Task],
) -> tuple[list[TaskChoice], list[str]]:
    by_id: dict[str, TaskChoice] = {}
    for _start, entry in reversed(own):  # oldest first, so the newest entry's view wins
        choice = choice_of_entry(entry, TaskSource.FAVOURITE)
        if choice is not None:
            by_id[choice.id] = choice
    for task in (*assigned, *known):  # a TaskModel knows more than an entry's embedded task
        by_id[task.id] = choice_of_task(task, TaskSource.FAVOURITE)
    favourites: list[TaskChoice] = []
    missing: list[str] = []
    for task_id in dict.fromkeys(favourite_ids):
        if task_id in by_id:
            favourites.append(by_id[task_id])
        else:
            missing.append(task_id)
    if missing:
        _log.debug("%d favourite task(s) found in no list", len(missing))
    return favourites, missing


# --- the type of work of a start ----------------------------------------------------------------


def choose_type_of_work(
    task: TaskChoice,
    *,
    entries: Sequence[TimeTracking],
    user_id: str,
    project_types: Sequence[TypeOfWork] = (),
) -> str | None:
    """The type of work to start ``task`` with, never an archived one.

    The task's own; else the type this person last used on the task's project (their newest
    entry there); else the first active one of ``project_types`` (``GET
    /projects/{id}/typeofwork``, or ``GET /typeofwork`` for a task without a project). None when
    there is none: the caller says so instead of starting. Call it first without
    ``project_types``; fetch them only when it answers None.
    """
    archived = {t.id for t in project_types if t.is_archived}
    if task.type_of_work_id and task.type_of_work_id not in archived:
        return task.type_of_work_id
    if task.project_id:
        for _start, entry in _own_entries_newest_first(entries, user_id):
            if _entry_project_id(entry) != task.project_id:
                continue
            nested = entry.type_of_work
            type_id = entry.type_of_work_id or (nested.id if nested else None)
            if nested is not None and nested.is_archived and nested.id == type_id:
                continue
            if type_id and type_id not in archived:
                return type_id
    for kind in project_types:
        if not kind.is_archived:
            return kind.id
    return None
