"""awork-shaped JSON for the task, search, capacity and day's-entries tests, built from the schemas.

Ids are UUIDs made from readable names (``uid("task:logo")``), so every example also passes the
contract checks of ``tests/contract.py`` and a failing assertion still says which object it was.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

ME = "ada"
COLLEAGUE = "grace"
_NAMESPACE = uuid.UUID("6f1c2a57-0000-4000-8000-000000000000")


def uid(name: str) -> str:
    """A stable UUID for a readable name."""
    return str(uuid.uuid5(_NAMESPACE, name))


def project_json(
    key: str = "WEB",
    name: str = "Website",
    *,
    status: str = "progress",
    billable: bool | None = True,
) -> dict[str, Any]:
    """A project as ``TaskModel`` embeds it (``NestedProjectModelForTasks``)."""
    return {
        "id": uid(f"project:{key}"),
        "name": name,
        "projectKey": key,
        "projectStatus": {"id": uid(f"status:{status}"), "name": status, "type": status},
        "isBillableByDefault": billable,
        "isPrivate": False,
        "color": "blue",  # a field the tray does not read
    }


def task_json(
    slug: str,
    name: str,
    *,
    number: int | None = 1,
    project: dict[str, Any] | None = None,
    status: str = "todo",
    type_of_work: str | None = "design",
    type_archived: bool = False,
    no_project: bool = False,
) -> dict[str, Any]:
    """A ``TaskModel`` as ``GET /me/assignedtasks`` or ``GET /tasks/{id}`` answers it."""
    proj = None if no_project else (project or project_json())
    identifier = f"{proj['projectKey']}-{number}" if proj and number is not None else None
    data: dict[str, Any] = {
        "id": uid(f"task:{slug}"),
        "name": name,
        "taskIdentifier": identifier,
        "taskNumber": number,
        "baseType": "private" if no_project else "projecttask",
        "taskStatusId": uid(f"status:{status}"),
        "taskStatus": {"id": uid(f"status:{status}"), "name": status.title(), "type": status},
        "projectId": proj["id"] if proj else None,
        "isPrio": False,
        "lists": [],
    }
    if type_of_work is not None:
        data["typeOfWorkId"] = uid(f"type:{type_of_work}")
        data["typeOfWork"] = {
            "id": uid(f"type:{type_of_work}"),
            "name": type_of_work.title(),
            "icon": "brush",
            "isArchived": type_archived,
        }
    if proj is not None:
        data["project"] = proj
    return data


def type_json(name: str, *, archived: bool = False) -> dict[str, Any]:
    """A ``TypeOfWork`` as ``GET /projects/{id}/typeofwork`` answers it."""
    return {
        "id": uid(f"type:{name}"),
        "name": name.title(),
        "icon": "code",
        "isArchived": archived,
        "createdOn": "2026-01-05T08:00:00Z",
    }


def split_utc(instant: datetime) -> tuple[str, str]:
    """An aware instant as awork writes it: the UTC date at midnight and a .NET TimeSpan."""
    utc = instant.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT00:00:00Z"), utc.strftime("%H:%M:%S.%f") + "0"


def entry_json(
    entry: str,
    start: datetime,
    *,
    end: datetime | None = None,
    task: dict[str, Any] | None = None,
    user: str = ME,
    duration: int | None = None,
    breaks: list[dict[str, Any]] | None = None,
    type_of_work: str = "design",
    type_archived: bool = False,
    timezone: str = "Europe/Berlin",
) -> dict[str, Any]:
    """A ``TimeTracking`` as ``GET /timeentries`` lists it, with its task embedded.

    ``task`` is a :func:`task_json`; the entry embeds it as ``TaskModelForTimeTrackings`` does.
    ``duration`` defaults to end - start (no breaks) for a finished entry and 0 for a running one.
    """
    start_date, start_time = split_utc(start)
    end_date, end_time = split_utc(end) if end else (None, None)
    if duration is None:
        duration = int((end - start).total_seconds()) if end else 0
    data: dict[str, Any] = {
        "id": uid(f"entry:{entry}"),
        "timezone": timezone,
        "typeOfWorkId": uid(f"type:{type_of_work}"),
        "typeOfWork": {
            "id": uid(f"type:{type_of_work}"),
            "name": type_of_work.title(),
            "icon": "brush",
            "isArchived": type_archived,
        },
        "isBillable": True,
        "isBilled": False,
        "note": None,
        "startDateUtc": start_date,
        "startTimeUtc": start_time,
        "endDateUtc": end_date,
        "endTimeUtc": end_time,
        "startDateLocal": start_date.rstrip("Z"),
        "startTimeLocal": start_time,
        "duration": duration,
        "breakDuration": None,
        "breaks": breaks or [],
        "userId": uid(f"user:{user}"),
        "user": {"id": uid(f"user:{user}"), "firstName": user.title(), "lastName": "X"},
        "resourceVersion": 639315985493524517,
        "tags": [],  # a field the schema does not list
    }
    if task is not None:
        project = task.get("project")
        data["taskId"] = task["id"]
        data["projectId"] = task["projectId"]
        data["task"] = {
            key: task[key]
            for key in ("id", "name", "baseType", "taskIdentifier", "projectId", "taskStatus")
            if key in task
        }
        if "typeOfWorkId" in task:
            data["task"]["typeOfWorkId"] = task["typeOfWorkId"]
        if project is not None:
            data["task"]["project"] = _for_entries(project)
            data["project"] = _for_entries(project)
    else:
        data["taskId"] = None
        data["projectId"] = None
    return data


def _for_entries(project: dict[str, Any]) -> dict[str, Any]:
    """A project as a time entry embeds it (``ProjectModelForTimeTrackings``)."""
    keep = ("id", "name", "projectKey", "projectStatus", "isBillableByDefault", "isPrivate")
    return {key: project[key] for key in keep if key in project}
