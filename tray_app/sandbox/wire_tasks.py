"""The workspace's objects on the wire: tasks, types of work, search hits, capacity, settings.

They follow :mod:`tray_app.sandbox.wire`'s habits (UTC instants with ``Z``, fields beyond the
schema where awork sends them); kept apart so that the timer's wire format stays one short file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tray_app.sandbox.seed import Seed, SeedProject, SeedTask, SeedTypeOfWork, SeedUser
from tray_app.sandbox.state import ticks
from tray_app.sandbox.wire import status_id, status_json, utc_instant

_CREATED = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
"""When the seed's workspace objects were made; fixed, so answers are predictable."""
_UPDATED = datetime(2026, 11, 2, 16, 30, tzinfo=UTC)
_STATUS_ORDER = {"todo": 1, "progress": 2, "review": 3, "stuck": 4, "done": 5}


def _stamps(seed: Seed) -> dict[str, Any]:
    return {
        "createdOn": utc_instant(_CREATED),
        "createdBy": seed.user_id,
        "updatedOn": utc_instant(_UPDATED),
        "updatedBy": seed.user_id,
    }


def type_of_work_json(item: SeedTypeOfWork, seed: Seed) -> dict[str, Any]:
    """``TypeOfWork``, an item of ``GET /typeofwork`` and ``GET /projects/{id}/typeofwork``."""
    return {
        "id": item.id,
        "name": item.name,
        "description": None,
        "icon": item.icon,
        "isArchived": item.archived,
        **_stamps(seed),
    }


def _assignee_json(user: SeedUser) -> dict[str, Any]:
    return {
        "id": user.id,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "hasImage": False,
        "plannedEffort": 0,
        "isDistributedPlannedEffort": False,
        "updatedOn": utc_instant(_UPDATED),
        "isExternal": False,
    }


def _task_project_json(project: SeedProject, seed: Seed) -> dict[str, Any]:
    """``NestedProjectModelForTasks``."""
    body: dict[str, Any] = {
        "id": project.id,
        "name": project.name,
        "projectKey": project.key,
        "projectStatus": {**status_json("project", project.status), "isArchived": False},
        "companyId": project.company.id if project.company else None,
        "hasImage": False,
        "isPrivate": False,
        "isBillableByDefault": project.billable_by_default,
        "createdBy": seed.user_id,
        "isExternal": False,
    }
    if project.company is not None:
        body["company"] = {
            "id": project.company.id,
            "name": project.company.name,
            "hasImage": False,
        }
    return body


def task_json(task: SeedTask, seed: Seed) -> dict[str, Any]:
    """``TaskModel``, as the task lists and ``GET /tasks/{id}`` answer it.

    A task without a type of work has neither ``typeOfWorkId`` nor ``typeOfWork`` (the schema
    allows no null there); a private one has no project and belongs to its ``userId``.
    """
    assignees = [user for user in seed.users if user.id in task.assignee_ids]
    body: dict[str, Any] = {
        "id": task.id,
        "name": task.name,
        "description": None,
        "isPrio": False,
        "startOn": None,
        "dueOn": None,
        "laneOrder": 0,
        "plannedDuration": 0,
        "taskNumber": task.number,
        "taskIdentifier": task.task_identifier,
        "isExternal": False,
        "isHiddenForConnectUsers": False,
        "baseType": task.base_type,
        "taskStatusId": status_id("task", task.status),
        "taskStatus": {
            **status_json("task", task.status),
            "order": _STATUS_ORDER.get(task.status, 0),
            "icon": task.status,
            "projectId": task.project_id,
            **_stamps(seed),
            "isExternal": False,
        },
        "assignees": [_assignee_json(user) for user in assignees],
        "projectId": task.project_id,
        "correlationId": task.id,
        "parentId": None,
        "isSubtask": False,
        "numberOfSubtasks": 0,
        "hasAttachment": False,
        "userId": None if task.project_id else seed.user_id,
        "tags": [],
        **_stamps(seed),
        "closedOn": utc_instant(_UPDATED) if task.is_done else None,
        "closedBy": seed.user_id if task.is_done else None,
        "order": float(task.number or 0),
        "isRecurring": False,
        "resourceVersion": ticks(_UPDATED),
        "checklistItemsDoneCount": 0,
        "checklistItemsCount": 0,
        "taskSchedulesCount": 0,
        "isCompletelyScheduled": False,
        "commentCount": 0,
    }
    kind = seed.type_of_work(task.type_of_work_id) if task.type_of_work_id else None
    if kind is not None:
        body["typeOfWorkId"] = kind.id
        body["typeOfWork"] = {
            "id": kind.id,
            "name": kind.name,
            "icon": kind.icon,
            "isArchived": kind.archived,
        }
    project = seed.project(task.project_id) if task.project_id else None
    if project is not None:
        body["project"] = _task_project_json(project, seed)
    return body


def _search_project_json(project: SeedProject, seed: Seed) -> dict[str, Any]:
    """``ProjectEntity``: here ``company`` is the company's name, not an object."""
    return {
        "id": project.id,
        "name": project.name,
        "company": project.company.name if project.company else None,
        "isPrivate": False,
        "isBillableByDefault": project.billable_by_default,
        "projectStatus": status_json("project", project.status),
        "createdBy": seed.user_id,
        "isExternal": False,
    }


def is_open(task: SeedTask, seed: Seed) -> bool:
    """Open for search: neither done nor stuck, in no closed or stuck project."""
    project = seed.project(task.project_id) if task.project_id else None
    project_open = project is None or project.status not in ("closed", "stuck")
    return task.status not in ("done", "stuck") and project_open


def task_search_json(task: SeedTask, seed: Seed) -> dict[str, Any]:
    """``TaskSearchModel``: no type-of-work id, so a client reads the task before starting it."""
    project = seed.project(task.project_id) if task.project_id else None
    kind = seed.type_of_work(task.type_of_work_id) if task.type_of_work_id else None
    body: dict[str, Any] = {
        "id": task.id,
        "workspaceId": seed.workspace_id,
        "userStats": [],
        "indexTime": utc_instant(_UPDATED),
        "name": task.name,
        "taskIdentifier": task.task_identifier,
        "description": None,
        "baseType": task.base_type,
        "assignees": [
            {"id": user.id, "firstName": user.first_name, "lastName": user.last_name}
            for user in seed.users
            if user.id in task.assignee_ids
        ],
        "tags": [],
        "lists": [],
        "isPrio": False,
        "isOpen": task.status != "done",
        "taskStatus": {
            "name": status_json("task", task.status)["name"],
            "type": task.status,
            "icon": task.status,
        },
        "projectId": task.project_id,
        "correlationId": task.id,
        "userId": None if task.project_id else seed.user_id,
        "createdBy": seed.user_id,
        "isExternal": False,
        "isHiddenForConnectUsers": False,
    }
    if kind is not None:
        body["typeOfWork"] = {"name": kind.name}
    if project is not None:
        body["project"] = _search_project_json(project, seed)
    return body


def search_json(hits: list[tuple[SeedTask, float]], seed: Seed) -> dict[str, Any]:
    """``SearchResults`` with task hits only, best first; ``top`` lists the same hits."""
    items = [
        {"type": "task", "score": score, "entity": task_search_json(task, seed), "highlights": {}}
        for task, score in hits
    ]
    best = max((score for _, score in hits), default=0.0)
    return {
        "totalCount": len(items),
        "maxScore": best,
        "top": items,
        "taskHits": {
            "totalCount": len(items),
            "maxScore": best,
            "hits": items,
            "hasHits": bool(items),
        },
    }


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def capacity_json(user_id: str, weekly: tuple[int, ...], seed: Seed) -> dict[str, Any]:
    """``UserCapacity``: seconds per weekday and their sum."""
    return {
        "userId": user_id,
        "weeklyCapacity": dict(zip(_WEEKDAYS, weekly, strict=True)),
        **_stamps(seed),
        "capacityPerWeek": sum(weekly),
    }


def settings_json(seed: Seed) -> list[dict[str, Any]]:
    """``TimeTrackingSetting[]``, the workspace's rules for tracking time."""
    return [
        {"type": kind, "enabled": enabled, "dayCount": days}
        for kind, enabled, days in seed.timetracking_settings
    ]
