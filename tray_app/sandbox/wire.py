"""The sandbox's objects written the way awork writes them on the wire.

awork splits an instant into a UTC date at midnight plus a .NET TimeSpan, repeats both in the
entry's own time zone without a ``Z``, and sends more fields than its schema lists; clients must
cope with all of it, so the sandbox reproduces each of these habits here and nowhere else.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tray_app.awork.models import format_timespan
from tray_app.sandbox.oauth import Authorization, IssuedTokens, OAuthClient, Revocation
from tray_app.sandbox.seed import Seed, SeedProject, SeedTask, SeedTypeOfWork
from tray_app.sandbox.state import Break, Entry, ticks

_USER_CREATED = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)
_STATUS_NAMESPACE = uuid.UUID("0f6b2e7d-91c4-4a53-b8d2-6e1f3a9c5b07")


def utc_instant(moment: datetime) -> str:
    """An ISO 8601 UTC instant with ``Z``, as in ``createdOn`` and a break's ``startDate``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _time_of_day(moment: datetime) -> str:
    return format_timespan(
        timedelta(
            hours=moment.hour,
            minutes=moment.minute,
            seconds=moment.second,
            microseconds=moment.microsecond,
        )
    )


def _moment_fields(prefix: str, moment: datetime | None, timezone: str) -> dict[str, str | None]:
    """``<prefix>DateUtc``/``TimeUtc``/``DateLocal``/``TimeLocal``; all None for no moment."""
    names = [f"{prefix}{part}" for part in ("DateUtc", "TimeUtc", "DateLocal", "TimeLocal")]
    if moment is None:
        return dict.fromkeys(names)
    utc = moment.astimezone(UTC)
    local = moment.astimezone(ZoneInfo(timezone))
    values = (
        f"{utc:%Y-%m-%d}T00:00:00Z",
        _time_of_day(utc),
        f"{local:%Y-%m-%d}T00:00:00",
        _time_of_day(local),
    )
    return dict(zip(names, values, strict=True))


def _break_json(item: Break) -> dict[str, Any]:
    return {
        "startDate": utc_instant(item.start),
        "duration": item.duration,
        "endDate": None if item.end is None else utc_instant(item.end),
    }


def _type_of_work_json(type_of_work: SeedTypeOfWork) -> dict[str, Any]:
    return {
        "id": type_of_work.id,
        "name": type_of_work.name,
        "icon": type_of_work.icon,
        "isArchived": type_of_work.archived,
    }


_STATUS_NAMES = {
    "todo": "To do",
    "progress": "In progress",
    "review": "Review",
    "stuck": "Stuck",
    "done": "Done",
    "not-started": "Not started",
    "closed": "Closed",
}


def status_id(kind: str, status: str) -> str:
    """A stable id per status, as a workspace's statuses have (``task``/``project`` kinds)."""
    return str(uuid.uuid5(_STATUS_NAMESPACE, f"{kind}:{status}"))


def status_json(kind: str, status: str) -> dict[str, Any]:
    """``NestedStatusModel``/``NestedTaskStatusModel``: the fields both share."""
    return {
        "id": status_id(kind, status),
        "name": _STATUS_NAMES.get(status, status),
        "type": status,
    }


def user_json(seed: Seed, user_id: str | None = None) -> dict[str, Any]:
    """The nested user of an entry: the person's own, or a colleague's by ``user_id``."""
    user = seed.user(user_id or seed.user_id) or seed.users[0]
    return {
        "id": user.id,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "hasImage": False,
        "isExternal": False,
    }


def project_json(project: SeedProject, seed: Seed) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": project.id,
        "name": project.name,
        "projectKey": project.key,
        "key": project.key,  # not in the schema; real answers carry such fields
        "isPrivate": False,
        "hasImage": False,
        "isExternal": False,
        "isBillableByDefault": project.billable_by_default,
        "createdBy": seed.user_id,
        "projectStatus": {**status_json("project", project.status), "isArchived": False},
    }
    if project.company is not None:
        company = project.company
        body["company"] = {"id": company.id, "name": company.name, "hasImage": False}
    return body


def _task_json(task: SeedTask, seed: Seed) -> dict[str, Any]:
    """``TaskModelForTimeTrackings``; a task without a type of work leaves the key out."""
    body: dict[str, Any] = {
        "id": task.id,
        "name": task.name,
        "baseType": task.base_type,
        "taskIdentifier": task.task_identifier,
        "taskStatusId": status_id("task", task.status),
        "taskStatus": status_json("task", task.status),
        "projectId": task.project_id,
        "createdBy": seed.user_id,
        "correlationId": task.id,
        # not in the schema; real answers carry it
        "assignees": [{"id": user_id} for user_id in task.assignee_ids],
    }
    if task.type_of_work_id is not None:
        body["typeOfWorkId"] = task.type_of_work_id
    project = seed.project(task.project_id) if task.project_id else None
    if project is not None:
        body["project"] = project_json(project, seed)
    return body


def _nested_json(entry: Entry, seed: Seed) -> dict[str, Any]:
    """typeOfWork, task and project; a missing one is left out, as the schema allows no null."""
    type_of_work = seed.type_of_work(entry.type_of_work_id)
    task = seed.task(entry.task_id) if entry.task_id else None
    project = seed.project(entry.project_id) if entry.project_id else None
    nested = {
        "typeOfWork": type_of_work and _type_of_work_json(type_of_work),
        "task": task and _task_json(task, seed),
        "project": project and project_json(project, seed),
    }
    return {key: value for key, value in nested.items() if value}


def entry_json(entry: Entry, seed: Seed) -> dict[str, Any]:
    """A ``TimeTracking`` as ``GET /me/timeentries/last`` and the timer routes answer it."""
    return {
        "id": entry.id,
        "timezone": entry.timezone,
        "typeOfWorkId": entry.type_of_work_id,
        "isBillable": entry.is_billable,
        "isBilled": entry.is_billed,
        "taskId": entry.task_id,
        "projectId": entry.project_id,
        "note": entry.note,
        **_moment_fields("start", entry.start, entry.timezone),
        **_moment_fields("end", entry.end, entry.timezone),
        "duration": entry.duration,
        "breakDuration": entry.break_duration,
        "userId": entry.user_id,
        "createdBy": entry.user_id,
        "createdOn": utc_instant(entry.created_on),
        "updatedBy": entry.user_id,
        "updatedOn": utc_instant(entry.updated_on),
        **_nested_json(entry, seed),
        "user": user_json(seed, entry.user_id),
        "breaks": [_break_json(item) for item in entry.breaks],
        "resourceVersion": entry.version,
        "isExternal": False,
        "tags": [],  # not in the schema; real answers carry it
    }


def me_json(seed: Seed) -> dict[str, Any]:
    """``UserAndWorkspace``, the answer of ``GET /me``."""
    return {
        "id": seed.user_id,
        "firstName": seed.first_name,
        "lastName": seed.last_name,
        "position": "Analyst",
        "language": "en-GB",
        "status": {"invitationAccepted": True, "isDeactivated": False},
        "createdOn": utc_instant(_USER_CREATED),
        "createdBy": seed.user_id,
        "updatedOn": utc_instant(_USER_CREATED),
        "updatedBy": seed.user_id,
        "isArchived": False,
        "isDeactivated": False,
        "isAgent": False,
        "hasImage": False,
        "resourceVersion": ticks(_USER_CREATED),
        "isExternal": False,
        "workspace": {
            "id": seed.workspace_id,
            "name": seed.workspace_name,
            "url": seed.workspace_url,
        },
    }


def registration_json(client: OAuthClient) -> dict[str, Any]:
    """``DynamicClientRegistrationResponse``: the metadata as registered, the id, no secret.

    RFC 7591 echoes every registered field; a public client gets no ``client_secret``, and
    ``client_secret_expires_at`` is 0 ("never"), as the document's example has it.
    """
    registered = {key: value for key, value in asdict(client.registration).items() if value}
    return {
        **registered,
        "client_id": client.client_id,
        "client_id_issued_at": int(client.issued_at.timestamp()),
        "client_secret_expires_at": 0,
    }


def token_json(tokens: IssuedTokens) -> dict[str, Any]:
    """The token answer in the field order of awork's documented example."""
    body: dict[str, Any] = {
        "access_token": tokens.access_token,
        "token_type": "Bearer",
        "resource": "awork.com",
        "expires_in": tokens.expires_in,
    }
    if tokens.refresh_token is not None:
        body["refresh_token"] = tokens.refresh_token
    return body


def authorized_client_json(authorization: Authorization) -> dict[str, Any]:
    """``AuthorizedClientApplication``, an item of ``GET /accounts/me/authorizedclients``."""
    return {
        "clientId": authorization.client_id,
        "displayName": authorization.client_name,
        "scopes": list(authorization.scopes),
        "authorizedOn": utc_instant(authorization.authorized_on),
    }


def revocation_json(revocation: Revocation) -> dict[str, Any]:
    """``AuthorizedClientApplicationRevocationResponse``."""
    return {
        "revokedClientCount": revocation.client_count,
        "revokedRefreshTokenCount": revocation.refresh_token_count,
    }
