"""The task, search, type-of-work, capacity and settings models, and the entry's PUT form.

Every example is first checked against awork's document (``tests/contract.py``), so the models are
tested on answers awork may really give, and the form on a body awork would accept.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pydantic
import pytest

from tests.helpers.contract import ContractViolation, validate_request, validate_response
from tests.unit.awork_json import entry_json, project_json, task_json, type_json, uid
from tray_app.awork.models import TimeTracking, TimeTrackingPutForm
from tray_app.awork.task_models import (
    SearchResults,
    Task,
    TimeTrackingSetting,
    TypeOfWork,
    UserCapacity,
)

BEARER = {"authorization": "Bearer token-1", "content-type": "application/json"}
START = datetime(2026, 12, 2, 8, 15, 30, 250000, tzinfo=UTC)


def answer(method: str, path: str, data: Any) -> bytes:
    """``data`` as awork's JSON answer, after checking the document allows it."""
    body = json.dumps(data).encode()
    validate_response(method, path, 200, body, {"content-type": "application/json"})
    return body


# --- tasks --------------------------------------------------------------------------------------


def test_an_assigned_task_keeps_what_a_start_needs() -> None:
    raw = task_json("logo", "Create logo concept", number=12)
    body = answer("GET", "/api/v1/me/assignedtasks", [raw])

    (task,) = pydantic.TypeAdapter(list[Task]).validate_json(body)

    assert task.id == uid("task:logo")
    assert task.name == "Create logo concept"
    assert task.task_identifier == "WEB-12"
    assert task.base_type == "projecttask"
    assert task.type_of_work_id == uid("type:design")
    assert task.type_of_work is not None
    assert task.type_of_work.is_archived is False
    assert task.project is not None
    assert task.project.name == "Website"
    assert task.project.project_key == "WEB"
    assert task.project.is_billable_by_default is True
    assert not task.is_done
    assert not task.project.is_closed


def test_a_done_task_of_a_closed_project_says_so() -> None:
    raw = task_json("old", "Old", status="done", project=project_json("OLD", status="closed"))

    task = Task.model_validate_json(answer("GET", f"/api/v1/tasks/{raw['id']}", raw))

    assert task.is_done
    assert task.project is not None
    assert task.project.is_closed


def test_a_private_task_without_identifier_or_type_is_read() -> None:
    raw = task_json("mail", "Answer mail", no_project=True, type_of_work=None, number=None)

    task = Task.model_validate_json(answer("GET", f"/api/v1/tasks/{raw['id']}", raw))

    assert task.project is None
    assert task.project_id is None
    assert task.task_identifier is None
    assert task.type_of_work_id is None
    assert task.base_type == "private"


def test_a_task_without_its_name_is_refused() -> None:
    raw = task_json("x", "X")
    del raw["name"]

    with pytest.raises(pydantic.ValidationError):
        Task.model_validate(raw)


# --- search -------------------------------------------------------------------------------------


def search_json(*entities: dict[str, Any]) -> dict[str, Any]:
    return {
        "totalCount": len(entities),
        "maxScore": 9.5,
        "top": [],
        "taskHits": {
            "totalCount": len(entities),
            "maxScore": 9.5,
            "hasHits": bool(entities),
            "hits": [
                {"type": "task", "score": 9.5 - i, "entity": e, "highlights": {"name": ["x"]}}
                for i, e in enumerate(entities)
            ],
        },
    }


def found_json(slug: str, name: str, *, is_open: bool = True) -> dict[str, Any]:
    """A ``TaskSearchModel``: its project is a ``ProjectEntity`` (no key), no type of work id."""
    return {
        "id": uid(f"task:{slug}"),
        "workspaceId": uid("workspace"),
        "name": name,
        "taskIdentifier": "WEB-3",
        "baseType": "projecttask",
        "isOpen": is_open,
        "taskStatus": {"name": "To do", "type": "todo", "icon": None},
        "typeOfWork": {"name": "Design"},
        "projectId": uid("project:WEB"),
        "project": {
            "id": uid("project:WEB"),
            "name": "Website",
            "company": "Acme",  # a plain string here, unlike everywhere else
            "isBillableByDefault": False,
            "projectStatus": {"id": uid("status:progress"), "name": "Doing", "type": "progress"},
        },
    }


def test_search_results_give_the_task_hits_best_first() -> None:
    body = answer(
        "GET",
        "/api/v1/search?searchTerm=logo&searchTypes=task",
        search_json(found_json("logo", "Logo"), found_json("old", "Old logo", is_open=False)),
    )

    results = SearchResults.model_validate_json(body)

    assert [t.name for t in results.tasks] == ["Logo", "Old logo"]
    logo, old = results.tasks
    assert logo.task_identifier == "WEB-3"
    assert logo.project is not None
    assert logo.project.name == "Website"
    assert logo.project.is_billable_by_default is False
    assert not logo.is_done
    assert old.is_done


def test_search_without_task_hits_finds_nothing() -> None:
    assert SearchResults.model_validate({"totalCount": 0}).tasks == []
    assert SearchResults.model_validate({"taskHits": {"hits": None}}).tasks == []
    assert SearchResults.model_validate({"taskHits": {"hits": [{"score": 1.0}]}}).tasks == []


# --- types of work, capacity, settings ----------------------------------------------------------


def test_types_of_work_tell_archived_ones() -> None:
    pid = uid("project:WEB")
    body = answer(
        "GET",
        f"/api/v1/projects/{pid}/typeofwork",
        [type_json("design"), type_json("legacy", archived=True)],
    )

    design, legacy = pydantic.TypeAdapter(list[TypeOfWork]).validate_json(body)

    assert (design.name, design.is_archived) == ("Design", False)
    assert (legacy.name, legacy.is_archived) == ("Legacy", True)


def test_capacity_per_weekday() -> None:
    week = {"mon": 28800, "tue": 28800, "wed": 28800, "thu": 28800, "fri": 14400}
    raw = {"userId": uid("user:ada"), "weeklyCapacity": week | {"sat": 0, "sun": 0}}
    body = answer("GET", f"/api/v1/users/{uid('user:ada')}/capacity", raw)

    capacity = UserCapacity.model_validate_json(body)

    week_of = capacity.weekly_capacity
    assert week_of is not None
    monday = date(2026, 11, 30)
    days = [week_of.seconds_on(monday + timedelta(days=n)) for n in range(7)]
    assert days == [28800, 28800, 28800, 28800, 14400, 0, 0]


def test_time_tracking_settings() -> None:
    raw = [
        {"type": "prevent-on-done-projects", "enabled": True, "dayCount": None},
        {"type": "allow-on-past-days", "enabled": False, "dayCount": 7},
    ]
    body = answer("GET", "/api/v1/timetracking/settings", raw)

    done, past = pydantic.TypeAdapter(list[TimeTrackingSetting]).validate_json(body)

    assert (done.type, done.enabled) == ("prevent-on-done-projects", True)
    assert past.day_count == 7


# --- the entry as awork lists it ----------------------------------------------------------------


def test_an_entry_embeds_its_task_status_and_project_status() -> None:
    task = task_json("old", "Old", status="done", project=project_json("OLD", status="closed"))
    body = answer(
        "GET",
        "/api/v1/timeentries",
        [entry_json("e1", START, end=START + timedelta(hours=1), task=task)],
    )

    (entry,) = pydantic.TypeAdapter(list[TimeTracking]).validate_json(body)

    assert entry.task is not None
    assert entry.task.task_status is not None
    assert entry.task.task_status.type == "done"
    assert entry.task.base_type == "projecttask"
    assert entry.project is not None
    assert entry.project.project_status is not None
    assert entry.project.project_status.type == "closed"
    assert entry.project.is_billable_by_default is True


# --- PUT /timeentries/{id} ----------------------------------------------------------------------

FORM_KEYS = {
    "timezone",
    "typeOfWorkId",
    "taskId",
    "projectId",
    "userId",
    "note",
    "isBillable",
    "isBilled",
    "startDateUtc",
    "startTimeUtc",
    "endDateUtc",
    "endTimeUtc",
    "duration",
}


def entry(**kwargs: Any) -> TimeTracking:
    return TimeTracking.model_validate_json(
        json.dumps(entry_json("e1", START, task=task_json("logo", "Logo"), **kwargs))
    )


def sent(form: TimeTrackingPutForm, entry_id: str = uid("entry:e1")) -> dict[str, Any]:
    """The form's body, after checking awork's document accepts it as the PUT's body."""
    body = json.dumps(form.to_json()).encode()
    validate_request("PUT", f"/api/v1/timeentries/{entry_id}", headers=BEARER, body=body)
    data: dict[str, Any] = json.loads(body)
    return data


def test_a_running_entry_gets_its_new_note_with_the_same_start_no_end_duration_zero() -> None:
    running = entry()

    body = sent(TimeTrackingPutForm.with_note(running, "Sketches for the logo"))

    assert body == {
        "timezone": "Europe/Berlin",
        "typeOfWorkId": uid("type:design"),
        "taskId": uid("task:logo"),
        "projectId": uid("project:WEB"),
        "userId": uid("user:ada"),
        "note": "Sketches for the logo",
        "isBillable": True,
        "isBilled": False,
        "startDateUtc": "2026-12-02T00:00:00Z",
        "startTimeUtc": "08:15:30.2500000",
        "endDateUtc": None,
        "endTimeUtc": None,
        "duration": 0,
    }


def test_a_paused_entry_is_treated_as_running() -> None:
    raw = entry_json("e1", START, breaks=[{"startDate": "2026-12-02T09:00:00Z", "duration": None}])
    raw["duration"] = None  # awork has been seen to send null while paused
    paused = TimeTracking.model_validate(raw)

    body = sent(TimeTrackingPutForm.with_note(paused, "x"))

    assert (body["endDateUtc"], body["endTimeUtc"], body["duration"]) == (None, None, 0)


def test_a_seven_digit_start_is_sent_back_as_awork_wrote_it_to_the_microsecond() -> None:
    raw = entry_json("e1", START, task=task_json("logo", "Logo"))
    raw["startTimeUtc"] = "08:15:30.2500007"

    body = sent(TimeTrackingPutForm.with_note(TimeTracking.model_validate(raw), "x"))

    # Ticks below a microsecond are cut, as everywhere in the tray: 0.7 µs earlier, never later.
    assert body["startTimeUtc"] == "08:15:30.2500000"


def test_clearing_the_note_sends_null() -> None:
    body = sent(TimeTrackingPutForm.with_note(entry(), None))

    assert "note" in body
    assert body["note"] is None


def test_a_finished_entry_keeps_its_end_and_duration_with_a_new_note() -> None:
    finished = entry(end=START + timedelta(hours=2), duration=7000)

    body = sent(TimeTrackingPutForm.with_note(finished, "later"))

    assert body["endDateUtc"] == "2026-12-02T00:00:00Z"
    assert body["endTimeUtc"] == "10:15:30.2500000"
    assert body["duration"] == 7000


def test_an_echoed_entry_carries_keys_the_form_refuses_and_the_form_has_none_of_them() -> None:
    finished = entry(end=START + timedelta(hours=2))
    echoed = finished.model_dump(by_alias=True, mode="json")
    with pytest.raises(ContractViolation):  # the mistake the form exists to prevent
        validate_request(
            "PUT",
            f"/api/v1/timeentries/{finished.id}",
            headers=BEARER,
            body=json.dumps(echoed).encode(),
        )

    assert set(sent(TimeTrackingPutForm.with_note(finished, "n"))) == FORM_KEYS


def test_a_finished_entry_gets_a_new_end_and_awork_computes_the_duration() -> None:
    finished = entry(end=START + timedelta(hours=8), duration=28800)
    left = datetime(2026, 12, 3, 0, 30, 5, tzinfo=UTC)  # past midnight UTC: the next day's date

    body = sent(TimeTrackingPutForm.with_end(finished, left))

    assert body["endDateUtc"] == "2026-12-03T00:00:00Z"
    assert body["endTimeUtc"] == "00:30:05.0000000"
    assert body["duration"] is None
    assert body["startTimeUtc"] == "08:15:30.2500000"


def test_a_new_end_given_in_another_zone_is_sent_in_utc() -> None:
    finished = entry(end=START + timedelta(hours=8))
    berlin_evening = datetime.fromisoformat("2026-12-02T23:30:00+01:00")

    body = sent(TimeTrackingPutForm.with_end(finished, berlin_evening))

    assert (body["endDateUtc"], body["endTimeUtc"]) == ("2026-12-02T00:00:00Z", "22:30:00.0000000")


@pytest.mark.parametrize(
    ("kwargs", "end", "message"),
    [
        ({}, datetime(2026, 12, 2, 12, tzinfo=UTC), "stop the timer first"),
        ({"end": START + timedelta(hours=1)}, datetime(2026, 12, 2, 12), "aware"),
        ({"end": START + timedelta(hours=1)}, START - timedelta(seconds=1), "before"),
    ],
)
def test_an_end_that_cannot_be_is_refused(
    kwargs: dict[str, Any], end: datetime, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        TimeTrackingPutForm.with_end(entry(**kwargs), end)


def test_an_entry_logged_as_a_plain_duration_has_no_end_to_move() -> None:
    raw = entry_json("e1", START, duration=5400)
    raw["startTimeUtc"] = None

    with pytest.raises(ValueError, match="plain duration"):
        TimeTrackingPutForm.with_end(TimeTracking.model_validate(raw), START)


def test_an_entry_without_a_type_of_work_cannot_be_saved() -> None:
    raw = entry_json("e1", START)
    raw["typeOfWorkId"] = None
    raw["typeOfWork"] = None

    with pytest.raises(ValueError, match="type of work"):
        TimeTrackingPutForm.with_note(TimeTracking.model_validate(raw), "x")


def test_an_entry_logged_as_a_plain_duration_keeps_it() -> None:
    raw = entry_json("e1", START, duration=5400)
    raw["startTimeUtc"] = None

    body = sent(TimeTrackingPutForm.with_note(TimeTracking.model_validate(raw), "x"))

    assert (body["startTimeUtc"], body["duration"]) == (None, 5400)


def test_the_form_refuses_keys_awork_does_not_know() -> None:
    with pytest.raises(pydantic.ValidationError):
        TimeTrackingPutForm.model_validate(
            {"timezone": "UTC", "typeOfWorkId": uid("type:x"), "breakDuration": 60}
        )
