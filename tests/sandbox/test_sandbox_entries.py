"""Starting on a task as awork validates it, and editing an entry with ``PUT /timeentries/{id}``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.helpers.contract import validate_httpx_request, validate_httpx_response
from tests.sandbox.test_sandbox_routes import assert_error
from tray_app.sandbox import ApiError, ManualClock, Sandbox, SeedTask
from tray_app.sandbox.state import check_work


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """A client whose every request and answer is checked against the document."""

    def check(response: httpx.Response) -> None:
        validate_httpx_request(response.request)
        validate_httpx_response(response)

    headers = {"Authorization": f"Bearer {sandbox.token}"}
    hooks = {"response": [check]}
    with httpx.Client(base_url=sandbox.url, headers=headers, timeout=5, event_hooks=hooks) as c:
        yield c


def task(sandbox: Sandbox, identifier: str) -> SeedTask:
    return next(t for t in sandbox.seed.tasks if t.task_identifier == identifier)


def type_named(sandbox: Sandbox, name: str) -> str:
    return next(t.id for t in sandbox.seed.types_of_work if t.name == name)


def start(api: httpx.Client, sandbox: Sandbox, **form: object) -> httpx.Response:
    body = {"timezone": "Europe/Berlin", "typeOfWorkId": type_named(sandbox, "Design"), **form}
    return api.post("/me/timetracking/start", json=body)


# --- start ----------------------------------------------------------------------------------------


def test_start_on_a_task_with_its_project_runs_it(api: httpx.Client, sandbox: Sandbox) -> None:
    chosen = task(sandbox, "WEB-12")  # no type of work of its own: the client picks one

    response = start(api, sandbox, taskId=chosen.id, projectId=chosen.project_id, isBillable=True)

    assert response.status_code == 200, response.text
    assert sandbox.current_entry()["taskId"] == chosen.id  # type: ignore[index]


def test_start_refuses_an_archived_type_of_work_and_nothing_changes(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    before = sandbox.current_entry()
    archived = type_named(sandbox, "Consulting (old)")

    body = assert_error(start(api, sandbox, typeOfWorkId=archived), 400, "invalid-operation")

    assert "archived" in str(body["description"])
    assert sandbox.current_entry() == before


def test_start_refuses_a_task_of_a_closed_project(api: httpx.Client, sandbox: Sandbox) -> None:
    before = sandbox.current_entry()
    closed = task(sandbox, "BRD-2")

    response = start(api, sandbox, taskId=closed.id, projectId=closed.project_id)

    body = assert_error(response, 400, "invalid-operation")
    assert "closed" in str(body["description"])
    assert sandbox.current_entry() == before
    project_only = start(api, sandbox, projectId=closed.project_id)
    assert_error(project_only, 400, "invalid-operation")


def test_a_closed_project_is_allowed_when_the_workspace_does_not_forbid_it(
    sandbox: Sandbox,
) -> None:
    relaxed = replace(sandbox.seed, timetracking_settings=())
    closed = task(sandbox, "BRD-2")

    assert check_work(relaxed, relaxed.types_of_work[0].id, closed.id, None) == closed
    with pytest.raises(ApiError, match="closed"):
        check_work(sandbox.seed, relaxed.types_of_work[0].id, closed.id, None)


def test_start_refuses_a_private_task_given_with_a_project(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    private = next(t for t in sandbox.seed.tasks if t.project_id is None)

    wrong = start(api, sandbox, taskId=private.id, projectId=sandbox.seed.projects[0].id)
    right = start(api, sandbox, taskId=private.id)

    assert_error(wrong, 400, "invalid-operation")
    assert right.status_code == 200 and right.json()["projectId"] is None


# --- PUT /timeentries/{id} ------------------------------------------------------------------------

_FORM_FIELDS = (
    "isBillable",
    "isBilled",
    "taskId",
    "projectId",
    "note",
    "startDateUtc",
    "startTimeUtc",
    "endDateUtc",
    "endTimeUtc",
    "timezone",
    "duration",
    "typeOfWorkId",
)


def put_form(entry: dict[str, Any], **changes: object) -> dict[str, Any]:
    """A whole TimeTrackingPutForm built from the entry, as a client must send it."""
    return {**{key: entry[key] for key in _FORM_FIELDS}, **changes}


def finished(api: httpx.Client, sandbox: Sandbox) -> dict[str, Any]:
    flt = "userId eq me.id and endDateUtc ne null"
    params = {"filterby": flt, "orderby": "startDateUtc desc,startTimeUtc desc", "pageSize": 1}
    entry: dict[str, Any] = api.get("/timeentries", params=params).json()[0]
    return entry


def test_the_note_of_the_paused_timer_can_change_and_its_version_grows(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    paused = sandbox.current_entry()
    assert paused is not None

    response = api.put(f"/timeentries/{paused['id']}", json=put_form(paused, note="Third draft"))

    assert response.status_code == 200, response.text
    edited = response.json()
    assert edited["note"] == "Third draft"
    assert edited["resourceVersion"] > paused["resourceVersion"]
    assert edited["duration"] == 0 and edited["endDateUtc"] is None
    assert sandbox.current_entry()["note"] == "Third draft"  # type: ignore[index]
    assert api.get(f"/timeentries/{paused['id']}").json()["note"] == "Third draft"


def test_the_start_of_a_running_timer_can_move_earlier(
    api: httpx.Client, sandbox: Sandbox, clock: ManualClock
) -> None:
    running = sandbox.other_client.start()
    earlier = clock() - timedelta(minutes=20)
    form = put_form(
        running,
        startDateUtc=earlier.strftime("%Y-%m-%dT00:00:00Z"),
        startTimeUtc=earlier.strftime("%H:%M:%S"),
    )

    edited = api.put(f"/timeentries/{running['id']}", json=form).json()

    assert edited["startTimeUtc"].startswith(earlier.strftime("%H:%M:%S"))
    assert edited["duration"] == 0


@pytest.mark.parametrize(
    "change",
    [
        {"duration": 600},
        {"endDateUtc": "2026-11-30T00:00:00Z", "endTimeUtc": "13:00:00"},
        {"taskId": None, "projectId": None},
        {"startDateUtc": "2026-12-30T00:00:00Z", "startTimeUtc": "09:00:00"},  # after the break
    ],
    ids=["duration", "end", "task", "start-after-break"],
)
def test_a_paused_timer_may_change_only_its_note_and_start(
    api: httpx.Client, sandbox: Sandbox, change: dict[str, object]
) -> None:
    paused = sandbox.current_entry()
    assert paused is not None

    response = api.put(f"/timeentries/{paused['id']}", json=put_form(paused, **change))

    assert_error(response, 400, "invalid-operation")
    assert sandbox.current_entry() == paused


def test_a_finished_entrys_end_moves_and_its_duration_follows(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    entry = finished(api, sandbox)
    end = datetime.fromisoformat(entry["endDateUtc"]) + _time(entry["endTimeUtc"])
    new_end = end - timedelta(minutes=15)
    form = put_form(
        entry,
        endDateUtc=new_end.strftime("%Y-%m-%dT00:00:00Z"),
        endTimeUtc=new_end.strftime("%H:%M:%S"),
        duration=None,
    )

    edited = api.put(f"/timeentries/{entry['id']}", json=form).json()

    assert edited["endTimeUtc"].startswith(new_end.strftime("%H:%M:%S"))
    assert edited["duration"] == entry["duration"] - 15 * 60
    assert edited["resourceVersion"] > entry["resourceVersion"]


def _time(text: str) -> timedelta:
    hours, minutes, seconds = text.split(".", maxsplit=1)[0].split(":")
    return timedelta(hours=int(hours), minutes=int(minutes), seconds=int(seconds))


def test_a_finished_entrys_end_cannot_go_before_its_start(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    entry = finished(api, sandbox)
    start = datetime.fromisoformat(entry["startDateUtc"]) + _time(entry["startTimeUtc"])
    before = start - timedelta(minutes=1)
    form = put_form(
        entry,
        endDateUtc=before.strftime("%Y-%m-%dT00:00:00Z"),
        endTimeUtc=before.strftime("%H:%M:%S"),
        duration=None,
    )

    assert_error(api.put(f"/timeentries/{entry['id']}", json=form), 400, "invalid-operation")
    assert api.get(f"/timeentries/{entry['id']}").json() == entry


def test_a_finished_entry_can_change_its_note_task_and_type(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    entry = finished(api, sandbox)
    other = task(sandbox, "INT-2")
    form = put_form(
        entry,
        note="Moved",
        taskId=other.id,
        projectId=other.project_id,
        typeOfWorkId=type_named(sandbox, "Project management"),
    )

    edited = api.put(f"/timeentries/{entry['id']}", json=form).json()

    assert (edited["note"], edited["taskId"], edited["task"]["taskIdentifier"]) == (
        "Moved",
        other.id,
        "INT-2",
    )
    assert edited["duration"] == entry["duration"]


@pytest.mark.parametrize(
    ("form", "property_name"),
    [
        ({"note": "no zone, no type"}, "Timezone"),
        ({"timezone": "Europe/Berlin"}, "TypeOfWorkId"),
        ({"timezone": "Mars/Olympus", "typeOfWorkId": str(uuid.uuid4())}, "Timezone"),
    ],
)
def test_put_needs_timezone_and_type_of_work(
    sandbox: Sandbox, form: dict[str, object], property_name: str
) -> None:
    paused = sandbox.current_entry()
    assert paused is not None
    headers = {"Authorization": f"Bearer {sandbox.token}"}
    with httpx.Client(base_url=sandbox.url, headers=headers, timeout=5) as raw:
        response = raw.put(f"/timeentries/{paused['id']}", json=form)

    body = assert_error(response, 400, "validation-failed")
    assert property_name in [error["property"] for error in body["validationErrors"]]


def test_put_refuses_a_timetracking_echoed_back(sandbox: Sandbox) -> None:
    """The form's fields only: a TimeTracking carries ``id``, ``user``, ``breaks``…"""
    paused = sandbox.current_entry()
    assert paused is not None
    headers = {"Authorization": f"Bearer {sandbox.token}"}
    with httpx.Client(base_url=sandbox.url, headers=headers, timeout=5) as raw:
        response = raw.put(f"/timeentries/{paused['id']}", json={**paused, "note": "x"})

    body = assert_error(response, 400, "validation-failed")
    assert "Breaks" in [error["property"] for error in body["validationErrors"]]
    assert sandbox.current_entry() == paused


def test_put_refuses_someone_elses_entry_and_an_unknown_one(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    everyone = api.get("/timeentries", params={"pageSize": 1000}).json()
    theirs = next(entry for entry in everyone if entry["userId"] != sandbox.user_id)

    refused = api.put(f"/timeentries/{theirs['id']}", json=put_form(theirs, note="mine now"))
    unknown = api.put(f"/timeentries/{uuid.uuid4()}", json=put_form(theirs))

    assert_error(refused, 400, "invalid-operation")
    assert api.get(f"/timeentries/{theirs['id']}").json() == theirs
    assert_error(unknown, 404, "not-found")


def test_put_refuses_setting_the_break_duration(api: httpx.Client, sandbox: Sandbox) -> None:
    paused = sandbox.current_entry()
    assert paused is not None

    response = api.put(f"/timeentries/{paused['id']}", json=put_form(paused, breakDuration=5))

    assert_error(response, 400, "invalid-operation")
