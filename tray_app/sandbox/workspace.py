"""The workspace's read routes and the entry edit: tasks, types of work, search, capacity, lists.

Each answers as awork does for the seed's person: lists page and filter through
:mod:`tray_app.sandbox.listing`, an unknown id is awork's 404, a query it cannot read its 400.
Kept apart from :mod:`tray_app.sandbox.api`, which routes, checks the token and runs the timer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tray_app.sandbox.answers import Answer, json_answer
from tray_app.sandbox.entries import edit_rule, parse_put_form
from tray_app.sandbox.errors import not_found, validation_failed
from tray_app.sandbox.filters import FilterContext, Item, field_paths
from tray_app.sandbox.listing import page_of, query_params
from tray_app.sandbox.seed import Seed, SeedTask
from tray_app.sandbox.state import Break, Clock, Entry, TimerWorld, as_utc
from tray_app.sandbox.wire import entry_json
from tray_app.sandbox.wire_tasks import (
    capacity_json,
    is_open,
    search_json,
    settings_json,
    task_json,
    type_of_work_json,
)

logger = logging.getLogger(__name__)

MAX_SEARCH_TERM = 50
DEFAULT_SEARCH_TOP = 20
SEARCH_TYPES = frozenset(
    {
        "all",
        "task",
        "project",
        "user",
        "company",
        "comment",
        "timeentry",
        "timereport",
        "file",
        "document",
        "tasklist",
        "dashboardnote",
    }
)
_COLLEAGUE_CAPACITY = (21600, 21600, 21600, 21600, 0, 0, 0)
"""A colleague works four days of six hours: capacity differs from person to person."""


def _flag(params: dict[str, str], name: str, default: bool) -> bool:
    raw = params.get(name.lower())
    if raw is None or raw == "":
        return default
    if raw.lower() not in ("true", "false"):
        raise validation_failed([(name, f"'{name}' must be true or false.")])
    return raw.lower() == "true"


class WorkspaceRoutes:
    """The answers of the workspace routes; ``query`` is the raw query string of the request."""

    def __init__(self, seed: Seed, world: TimerWorld, clock: Clock) -> None:
        self._seed = seed
        self._world = world
        self._clock = clock
        self._task_fields = field_paths([task_json(task, seed) for task in seed.tasks])
        self._entry_fields = field_paths([entry_json(self._sample_entry(), seed)])

    def context(self) -> FilterContext:
        """``me.id``, ``now`` and the person's ``today`` (midnight in their time zone)."""
        now = as_utc(self._clock())
        local = now.astimezone(ZoneInfo(self._seed.timezone))
        today = local.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
        return FilterContext(self._seed.user_id, now, today)

    def _listed(self, items: Sequence[Item], query: str, fields: frozenset[str]) -> Answer:
        page = page_of(items, query, self.context(), fields=fields | field_paths(items))
        return json_answer(page.items, headers=page.headers)

    def _tasks(self, tasks: Sequence[SeedTask], query: str) -> Answer:
        items = [task_json(task, self._seed) for task in tasks]
        return self._listed(items, query, self._task_fields)

    # --- tasks ------------------------------------------------------------------------------------

    def assigned_tasks(self, query: str, user: str | None) -> Answer:
        """``inProgress`` defaults to true, as the description says (the schema says false)."""
        user_id = (user or self._seed.user_id).lower()
        if self._seed.user(user_id) is None:
            raise not_found(f"No user with the id '{user}' exists in this workspace.")
        in_progress = _flag(query_params(query), "inProgress", True)
        tasks = [
            task
            for task in self._seed.tasks
            if user_id in task.assignee_ids and (not in_progress or self._in_progress(task))
        ]
        return self._tasks(tasks, query)

    def _in_progress(self, task: SeedTask) -> bool:
        project = self._seed.project(task.project_id) if task.project_id else None
        return project is None or project.status == "progress"

    def project_tasks(self, query: str) -> Answer:
        return self._tasks([task for task in self._seed.tasks if task.project_id], query)

    def private_tasks(self, query: str) -> Answer:
        return self._tasks([task for task in self._seed.tasks if not task.project_id], query)

    def all_available_tasks(self, query: str) -> Answer:
        return self._tasks(self._seed.tasks, query)

    def task(self, task_id: str | None) -> Answer:
        task = self._seed.task(task_id or "")
        if task is None:
            raise not_found(f"No task with the id '{task_id}' exists.")
        return json_answer(task_json(task, self._seed))

    # --- types of work, capacity, settings ------------------------------------------------------

    def types_of_work(self, query: str) -> Answer:
        show_archived = _flag(query_params(query), "showArchived", False)
        items = [
            type_of_work_json(item, self._seed)
            for item in self._seed.types_of_work
            if show_archived or not item.archived
        ]
        return self._listed(items, query, field_paths(items))

    def project_types_of_work(self, project_id: str | None) -> Answer:
        """Every type the project offers, archived ones too: a client must leave those out."""
        project = self._seed.project(project_id or "")
        if project is None:
            raise not_found(f"No project with the id '{project_id}' exists.")
        offered = self._seed.project_types_of_work(project)
        return json_answer([type_of_work_json(item, self._seed) for item in offered])

    def capacity(self, user: str | None) -> Answer:
        found = self._seed.user(user or "")
        if found is None:
            raise not_found(f"No user with the id '{user}' exists in this workspace.")
        weekly = (
            self._seed.weekly_capacity if found.id == self._seed.user_id else _COLLEAGUE_CAPACITY
        )
        return json_answer(capacity_json(found.id, weekly, self._seed))

    def settings(self) -> Answer:
        return json_answer(settings_json(self._seed))

    # --- search -----------------------------------------------------------------------------------

    def search(self, query: str) -> Answer:
        """Tasks whose name, identifier or project name hold every word of ``searchTerm``."""
        params = query_params(query)
        term = params.get("searchterm", "").strip()
        if not term:
            raise validation_failed([("searchTerm", "'searchTerm' is required.")])
        if len(term) > MAX_SEARCH_TERM:
            message = f"'searchTerm' must be at most {MAX_SEARCH_TERM} characters."
            raise validation_failed([("searchTerm", message)])
        types = {part.strip().lower() for part in params.get("searchtypes", "all").split(",")}
        unknown = sorted(types - SEARCH_TYPES)
        if unknown:
            message = f"'{', '.join(unknown)}' is not a type that can be searched."
            raise validation_failed([("searchTypes", message)])
        top = self._top(params)
        closed_too = _flag(params, "includeClosedAndStuck", False)
        hits: list[tuple[SeedTask, float]] = []
        if types & {"task", "all"}:
            for task in self._seed.tasks:
                score = self._score(task, term)
                if score and (closed_too or is_open(task, self._seed)):
                    hits.append((task, score))
        hits.sort(key=lambda hit: -hit[1])
        return json_answer(search_json(hits[:top], self._seed))

    @staticmethod
    def _top(params: dict[str, str]) -> int:
        raw = params.get("top", "")
        if not raw:
            return DEFAULT_SEARCH_TOP
        if not raw.isdigit() or not 1 <= int(raw) <= 1000:
            raise validation_failed([("top", "'top' must be a whole number between 1 and 1000.")])
        return int(raw)

    def _score(self, task: SeedTask, term: str) -> float:
        """0 for no match; more when the name itself starts with the term."""
        project = self._seed.project(task.project_id) if task.project_id else None
        words = [task.name, task.task_identifier or "", project.name if project else ""]
        text = " ".join(words).casefold()
        if not all(word in text for word in term.casefold().split()):
            return 0.0
        return 20.0 if task.name.casefold().startswith(term.casefold()) else 10.0

    # --- time entries -----------------------------------------------------------------------------

    def time_entries(self, query: str) -> Answer:
        """Everyone's entries the person may see, oldest first: a client filters by ``userId``."""
        entries = sorted(self._world.visible_entries(), key=lambda entry: entry.start)
        items = [entry_json(entry, self._seed) for entry in entries]
        return self._listed(items, query, self._entry_fields)

    def time_entry(self, entry_id: str | None) -> Answer:
        entry = self._world.entry(entry_id or "")
        if entry is None:
            raise not_found(f"No time entry with the id '{entry_id}' exists.")
        return json_answer(entry_json(entry, self._seed))

    def edit_time_entry(
        self, entry_id: str | None, body: bytes, content_type: str | None
    ) -> Answer:
        form = parse_put_form(body, content_type)
        edited = self._world.edit(entry_id or "", edit_rule(form, self._seed))
        return json_answer(entry_json(edited, self._seed))

    def _sample_entry(self) -> Entry:
        """A finished entry with every nested object, for the fields a filter may name."""
        task = self._seed.tasks[0]
        start = datetime(2026, 1, 5, 9, 0, tzinfo=ZoneInfo(self._seed.timezone))
        end = start + timedelta(hours=1)
        return Entry(
            id="00000000-0000-0000-0000-000000000000",
            user_id=self._seed.user_id,
            timezone=self._seed.timezone,
            type_of_work_id=task.type_of_work_id or self._seed.types_of_work[0].id,
            task_id=task.id,
            project_id=task.project_id,
            note="",
            is_billable=True,
            is_billed=False,
            start=start,
            created_on=start,
            updated_on=end,
            version=1,
            end=end,
            breaks=(Break(start, start + timedelta(minutes=5)),),
        )
