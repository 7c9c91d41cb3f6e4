"""pydantic models of what starting work on any task needs: tasks, search, types of work, capacity.

Kept apart from ``models.py`` (the timer's entry and forms) so each file holds one job. Like every
answer model they ignore fields the schema does not list, and they keep only what the tray reads.
"""

from __future__ import annotations

from datetime import date

from tray_app.awork.models import AworkModel, NestedStatus, NestedType

__all__ = [
    "FoundTask",
    "SearchResults",
    "Task",
    "TaskHit",
    "TaskHits",
    "TaskProject",
    "TimeTrackingSetting",
    "TypeOfWork",
    "UserCapacity",
    "WeeklyCapacity",
]

DONE = "done"
"""``taskStatus.type`` of a finished task."""
CLOSED = "closed"
"""``projectStatus.type`` of a closed project."""


class TaskProject(AworkModel):
    """The project a task belongs to, as ``TaskModel`` and ``TaskSearchModel`` embed it."""

    id: str
    name: str | None = None
    project_key: str | None = None
    project_status: NestedStatus | None = None
    is_billable_by_default: bool | None = None

    @property
    def is_closed(self) -> bool:
        return self.project_status is not None and self.project_status.type == CLOSED


class Task(AworkModel):
    """awork's ``TaskModel`` (``/me/assignedtasks``, ``/tasks/{id}``…), what a start needs of it."""

    id: str
    name: str
    task_identifier: str | None = None
    base_type: str | None = None
    task_status: NestedStatus | None = None
    type_of_work_id: str | None = None
    type_of_work: NestedType | None = None
    project_id: str | None = None
    project: TaskProject | None = None

    @property
    def is_done(self) -> bool:
        return self.task_status is not None and self.task_status.type == DONE


class FoundTask(AworkModel):
    """awork's ``TaskSearchModel``: a search hit, which carries no type of work id."""

    id: str
    name: str | None = None
    task_identifier: str | None = None
    base_type: str | None = None
    is_open: bool | None = None
    task_status: NestedStatus | None = None
    project_id: str | None = None
    project: TaskProject | None = None

    @property
    def is_done(self) -> bool:
        return self.is_open is False or (
            self.task_status is not None and self.task_status.type == DONE
        )


class TaskHit(AworkModel):
    score: float | None = None
    entity: FoundTask | None = None


class TaskHits(AworkModel):
    total_count: int | None = None
    hits: list[TaskHit] | None = None


class SearchResults(AworkModel):
    """The answer of ``GET /search``; with ``searchTypes=task`` only ``taskHits`` matters."""

    total_count: int | None = None
    task_hits: TaskHits | None = None

    @property
    def tasks(self) -> list[FoundTask]:
        """The tasks found, best first, skipping hits that came without their entity."""
        hits = self.task_hits.hits if self.task_hits and self.task_hits.hits else []
        return [hit.entity for hit in hits if hit.entity is not None]


class TypeOfWork(NestedType):
    """An item of ``GET /typeofwork`` or ``GET /projects/{id}/typeofwork``; archived: unusable."""


class WeeklyCapacity(AworkModel):
    """``UserWeeklyCapacity``: seconds of work planned for each weekday."""

    mon: int | None = None
    tue: int | None = None
    wed: int | None = None
    thu: int | None = None
    fri: int | None = None
    sat: int | None = None
    sun: int | None = None

    def seconds_on(self, day: date) -> int | None:
        """The capacity of ``day``'s weekday, as awork has it (None when it has none)."""
        week = (self.mon, self.tue, self.wed, self.thu, self.fri, self.sat, self.sun)
        return week[day.weekday()]


class UserCapacity(AworkModel):
    """The answer of ``GET /users/{userId}/capacity``; absences are not in it."""

    user_id: str | None = None
    weekly_capacity: WeeklyCapacity | None = None


class TimeTrackingSetting(AworkModel):
    """One item of ``GET /timetracking/settings``, e.g. ``prevent-on-done-projects`` enabled."""

    type: str
    enabled: bool | None = None
    day_count: int | None = None
