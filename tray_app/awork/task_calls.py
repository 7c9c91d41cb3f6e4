"""The awork calls behind starting work on any task: task lists, entries, search, types of work.

A mixin of :class:`tray_app.awork.client.AworkClient`, kept apart so the timer's few calls stay
readable in ``client.py``. Every query goes through httpx's ``params`` (URL-encoded), and every
value put into an awork filter is checked first (a uuid, a date), so no text can change a filter.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date
from typing import Any, TypeVar

import pydantic

from tray_app.awork.errors import MalformedAnswer
from tray_app.awork.http import Answer
from tray_app.awork.models import TimeTracking, TimeTrackingPutForm
from tray_app.awork.task_models import (
    SearchResults,
    Task,
    TimeTrackingSetting,
    TypeOfWork,
    UserCapacity,
)

log = logging.getLogger(__name__)

ASSIGNED_PAGE_SIZE = 50
"""Assigned tasks asked for: the menu shows 10, and some are left out (closed projects)."""
ENTRY_PAGE_SIZE = 200
ENTRY_PAGES_MAX = 3
"""Two weeks of entries fit one page of 200; a busy person's a second; more is not read."""
SEARCH_TOP = 20
SEARCH_MAX_CHARS = 50
TYPES_PAGE_SIZE = 200
ENTRY_ORDER = "startDateUtc desc,startTimeUtc desc"

Item = TypeVar("Item", bound=pydantic.BaseModel)


class TaskCalls:
    """The task feature's awork calls; the client class provides ``_send`` and ``_prefix``."""

    _prefix: str

    def _send(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Answer:
        raise NotImplementedError  # AworkClient's: one request through the one HTTP layer

    # -- tasks -------------------------------------------------------------------------------

    def assigned_tasks(self, *, page_size: int = ASSIGNED_PAGE_SIZE) -> list[Task]:
        """Open tasks assigned to the person, of running projects only, in awork's order."""
        params = {
            # The description says it defaults to true, the schema false: say it.
            "inProgress": "true",
            "filterby": "taskStatus/type ne 'done'",
            "pageSize": page_size,
        }
        return _parse_list(Task, self._send("GET", f"{self._prefix}/assignedtasks", params=params))

    def task(self, task_id: str) -> Task:
        """One task by id (its type of work, its project's billing), e.g. before a start."""
        return _parse_one(Task, self._send("GET", f"/tasks/{_uuid(task_id)}"))

    def search_tasks(self, term: str, *, top: int = SEARCH_TOP) -> SearchResults:
        """awork's search for open tasks; ``term`` is cut to awork's 50 characters."""
        term = " ".join(term.split())[:SEARCH_MAX_CHARS].rstrip()
        if not term:
            raise ValueError("a search needs a term")
        params = {
            "searchTerm": term,
            "searchTypes": "task",
            "top": top,
            "includeClosedAndStuck": "false",
        }
        return _parse_one(SearchResults, self._send("GET", "/search", params=params))

    # -- time entries ------------------------------------------------------------------------

    def entries_since(
        self, user_id: str, since: date, *, page_size: int = ENTRY_PAGE_SIZE
    ) -> list[TimeTracking]:
        """``user_id``'s entries that started on ``since`` (a local date) or later, newest first.

        ``GET /timeentries`` lists everyone's entries the caller may see, hence the filter by
        user. Pages follow ``aw-totalitems``, at most :data:`ENTRY_PAGES_MAX` of them.
        """
        query = (
            f"userId eq guid'{_uuid(user_id)}' "
            f"and startDateLocal ge datetime'{since.isoformat()}T00:00'"
        )
        entries: list[TimeTracking] = []
        for page in range(1, ENTRY_PAGES_MAX + 1):
            params = {
                "filterby": query,
                "orderby": ENTRY_ORDER,
                "page": page,
                "pageSize": page_size,
            }
            answer = self._send("GET", "/timeentries", params=params)
            chunk = _parse_list(TimeTracking, answer)
            entries.extend(chunk)
            total = _total_items(answer)
            if not chunk or total is None or len(entries) >= total:
                break
            if page == ENTRY_PAGES_MAX:
                log.warning("more than %d entries since %s; the oldest are not read", total, since)
        return entries

    def update_entry(self, entry_id: str, form: TimeTrackingPutForm) -> TimeTracking:
        """Replace an entry with ``form`` (``PUT /timeentries/{id}``): a whole form, not a patch."""
        path = f"/timeentries/{_uuid(entry_id)}"
        return _parse_one(TimeTracking, self._send("PUT", path, body=form.to_json()))

    # -- types of work, capacity, settings ---------------------------------------------------

    def project_types_of_work(self, project_id: str) -> list[TypeOfWork]:
        """Every type of work the project offers, archived ones too (they cannot be used)."""
        path = f"/projects/{_uuid(project_id)}/typeofwork"
        return _parse_list(TypeOfWork, self._send("GET", path))

    def types_of_work(self, *, page_size: int = TYPES_PAGE_SIZE) -> list[TypeOfWork]:
        """The workspace's active types of work, for a task without a project."""
        params = {"showArchived": "false", "pageSize": page_size}
        return _parse_list(TypeOfWork, self._send("GET", "/typeofwork", params=params))

    def capacity(self, user_id: str) -> UserCapacity:
        """The seconds of work planned for each weekday; one's own needs no permission."""
        return _parse_one(UserCapacity, self._send("GET", f"/users/{_uuid(user_id)}/capacity"))

    def timetracking_settings(self) -> list[TimeTrackingSetting]:
        """The workspace's time-tracking rules, e.g. ``prevent-on-done-projects``."""
        return _parse_list(TimeTrackingSetting, self._send("GET", "/timetracking/settings"))


def _uuid(value: str) -> str:
    """An id as awork writes it; anything else never reaches a path or a filter."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        raise ValueError("not an awork id") from None


def _total_items(answer: Answer) -> int | None:
    raw = answer.headers.get("aw-totalitems", "")
    return int(raw) if raw.isdigit() else None


def _parse_one(model: type[Item], answer: Answer) -> Item:
    try:
        return model.model_validate_json(answer.content)
    except pydantic.ValidationError as exc:
        raise _malformed(answer, exc) from None


def _parse_list(model: type[Item], answer: Answer) -> list[Item]:
    try:
        return pydantic.TypeAdapter(list[model]).validate_json(answer.content)  # type: ignore[valid-type]
    except pydantic.ValidationError as exc:
        raise _malformed(answer, exc) from None


def _malformed(answer: Answer, exc: pydantic.ValidationError) -> MalformedAnswer:
    log.warning(
        "malformed answer to %s %s: %s (traceId=%s)",
        answer.method,
        answer.path,
        exc.errors(include_url=False, include_input=False)[:3],
        answer.headers.get("traceid") or answer.headers.get("x-trace-id"),
    )
    return MalformedAnswer()
