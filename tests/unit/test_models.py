"""The awork models read awork-shaped JSON exactly as awork writes it, quirks included."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tray_app.awork.models import (
    ErrorBody,
    StartForm,
    TimeTracking,
    UserAndWorkspace,
    format_timespan,
    parse_timespan,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "awork-api" / "examples"
TASK_ID = "123e4567-e89b-12d3-a456-426614174001"
PROJECT_ID = "123e4567-e89b-12d3-a456-426614174002"
TYPE_ID = "123e4567-e89b-12d3-a456-426614174003"


def entry_json(**overrides: Any) -> dict[str, Any]:
    """A running entry as awork answers ``GET /me/timeentries/last``, extra fields included."""
    entry: dict[str, Any] = {
        "id": "123e4567-e89b-12d3-a456-426614174000",
        "timezone": "Europe/Berlin",
        "typeOfWorkId": TYPE_ID,
        "isBillable": True,
        "isBilled": False,
        "taskId": TASK_ID,
        "projectId": PROJECT_ID,
        "note": "I created a first draft for the new sitemap",
        "startDateUtc": "2022-09-21T00:00:00Z",
        "startTimeUtc": "09:21:00",
        "endDateUtc": None,
        "endTimeUtc": None,
        "startDateLocal": "2022-09-21T00:00:00",
        "startTimeLocal": "11:21:00",
        "endDateLocal": None,
        "endTimeLocal": None,
        "duration": 0,
        "breakDuration": None,
        "userId": "123e4567-e89b-12d3-a456-426614174004",
        "createdBy": "123e4567-e89b-12d3-a456-426614174004",
        "createdOn": "2022-09-21T09:21:00.5573839Z",
        "updatedBy": "123e4567-e89b-12d3-a456-426614174004",
        "updatedOn": "2022-09-21T09:21:00.5573839Z",
        "typeOfWork": {"id": TYPE_ID, "name": "Design", "icon": "brush", "isArchived": False},
        "user": {
            "id": "123e4567-e89b-12d3-a456-426614174004",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "hasImage": None,
            "isExternal": False,
        },
        "task": {
            "id": TASK_ID,
            "name": "Write the sitemap",
            "taskIdentifier": "WEB-2",
            "projectId": PROJECT_ID,
            "assignees": [{"id": "123e4567-e89b-12d3-a456-426614174004"}],
            "project": {"id": PROJECT_ID, "name": "Website Relaunch", "key": "WEB"},
        },
        "project": {
            "id": PROJECT_ID,
            "name": "Website Relaunch",
            "projectKey": "WEB",
            "key": "WEB",
            "company": {"id": "123e4567-e89b-12d3-a456-426614174005", "name": "Acme Corp"},
        },
        "breaks": [],
        "resourceVersion": 637825154598057900,
        "isExternal": False,
        "tags": [{"name": "sprint-4"}],
        "key": "WEB-2",
    }
    entry.update(overrides)
    return entry


def parse(entry: dict[str, Any]) -> TimeTracking:
    """Parse from JSON text, as the client does, so integers never pass through a float."""
    return TimeTracking.model_validate_json(json.dumps(entry))


# --- TimeSpan -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:21:00", timedelta(hours=9, minutes=21)),
        ("00:00:00", timedelta(0)),
        ("13:08:51.8220632", timedelta(hours=13, minutes=8, seconds=51, microseconds=822063)),
        ("13:08:51.8", timedelta(hours=13, minutes=8, seconds=51, microseconds=800000)),
        ("13:08:51.82", timedelta(hours=13, minutes=8, seconds=51, microseconds=820000)),
        ("13:08:51.822", timedelta(hours=13, minutes=8, seconds=51, microseconds=822000)),
        ("13:08:51.822063", timedelta(hours=13, minutes=8, seconds=51, microseconds=822063)),
        ("23:59:59.9999999", timedelta(hours=23, minutes=59, seconds=59, microseconds=999999)),
        ("1.02:03:04", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("12.00:00:00.5", timedelta(days=12, microseconds=500000)),
    ],
)
def test_timespan_with_zero_to_seven_fraction_digits_is_read(
    text: str, expected: timedelta
) -> None:
    entry = parse(entry_json(startTimeUtc=text))

    assert entry.start_time_utc == expected
    assert entry.start_utc == datetime(2022, 9, 21, tzinfo=UTC) + expected


@pytest.mark.parametrize(
    "text",
    ["", "9:21", "09:21", "nine o'clock", "09:21:00.12345678", "09:21:00Z", "-00:00:01", "1:"],
)
def test_a_time_that_is_no_timespan_is_refused(text: str) -> None:
    with pytest.raises(pydantic.ValidationError):
        parse(entry_json(startTimeUtc=text))


def test_a_timespan_sent_as_a_number_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError):
        parse(entry_json(startTimeUtc=33660))


@given(
    hours=st.integers(0, 23),
    minutes=st.integers(0, 59),
    seconds=st.integers(0, 59),
    fraction=st.text(alphabet="0123456789", min_size=0, max_size=7),
)
def test_any_dotnet_time_of_day_is_read_to_the_microsecond(
    hours: int, minutes: int, seconds: int, fraction: str
) -> None:
    text = f"{hours:02d}:{minutes:02d}:{seconds:02d}" + (f".{fraction}" if fraction else "")
    # 100 ns ticks below a microsecond are cut off, never rounded up into the next second.
    micro = int(fraction.ljust(7, "0")) // 10 if fraction else 0

    assert parse_timespan(text) == timedelta(
        hours=hours, minutes=minutes, seconds=seconds, microseconds=micro
    )


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10_000)))
def test_a_written_timespan_reads_back_unchanged(value: timedelta) -> None:
    assert parse_timespan(format_timespan(value)) == value


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=1) - timedelta.resolution))
def test_a_time_of_day_is_written_as_dotnet_does(value: timedelta) -> None:
    text = format_timespan(value)

    hours, minutes, rest = text.split(":")
    seconds, fraction = rest.split(".")
    assert (len(hours), len(minutes), len(seconds), len(fraction)) == (2, 2, 2, 7)


def test_a_timespan_of_days_is_written_with_a_day_count() -> None:
    assert format_timespan(timedelta(days=5, hours=2, seconds=3)) == "5.02:00:03.0000000"


def test_a_negative_timespan_is_not_written() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_timespan(timedelta(seconds=-1))


# --- TimeTracking -------------------------------------------------------------------------------


def test_a_running_entry_keeps_what_the_tray_shows() -> None:
    entry = parse(entry_json(startTimeUtc="13:08:51.8220632"))

    assert entry.start_utc == datetime(2022, 9, 21, 13, 8, 51, 822063, tzinfo=UTC)
    assert entry.end_utc is None
    assert entry.task_name == "Write the sitemap"
    assert entry.project_name == "Website Relaunch"
    assert entry.type_of_work is not None
    assert entry.type_of_work.name == "Design"
    assert entry.user is not None
    assert entry.user.first_name == "Ada"


def test_a_date_only_entry_has_no_start_instant() -> None:
    entry = parse(
        entry_json(
            startTimeUtc=None,
            startTimeLocal=None,
            endDateUtc="2022-09-21T00:00:00Z",
            endTimeUtc=None,
            duration=8635,
        )
    )

    assert entry.start_date_utc == datetime(2022, 9, 21, tzinfo=UTC)
    assert entry.start_utc is None
    assert entry.end_utc is None
    assert entry.duration == 8635


def test_a_stopped_entry_has_its_end_instant() -> None:
    entry = parse(
        entry_json(
            endDateUtc="2022-09-22T00:00:00Z",
            endTimeUtc="00:15:30.2500000",
            endDateLocal="2022-09-22T00:00:00",
            endTimeLocal="02:15:30.2500000",
            duration=53670,
        )
    )

    assert entry.end_utc == datetime(2022, 9, 22, 0, 15, 30, 250000, tzinfo=UTC)


NULLABLE_IN_THE_SPEC = (
    "taskId",
    "projectId",
    "note",
    "startDateUtc",
    "startTimeUtc",
    "endDateUtc",
    "endTimeUtc",
    "startDateLocal",
    "startTimeLocal",
    "endDateLocal",
    "endTimeLocal",
    "duration",
    "breakDuration",
    "userId",
    "breaks",
)


def test_every_field_the_spec_calls_nullable_may_be_null() -> None:
    entry = parse(entry_json(**dict.fromkeys(NULLABLE_IN_THE_SPEC)))

    assert entry.task_id is None
    assert entry.note is None
    assert entry.breaks is None
    assert entry.start_utc is None


def test_nullable_nested_fields_may_be_null() -> None:
    entry = parse(
        entry_json(
            typeOfWork={"id": TYPE_ID, "name": None, "icon": None, "isArchived": False},
            user={"id": "u", "firstName": None, "lastName": None, "hasImage": None},
            task={"id": TASK_ID, "name": None, "taskIdentifier": None, "projectId": None},
            project={"id": PROJECT_ID, "name": None, "projectKey": None, "company": None},
        )
    )

    assert entry.task_name is None
    assert entry.project_name is None


def test_an_entry_without_nested_objects_is_read() -> None:
    bare = {
        key: value
        for key, value in entry_json().items()
        if key not in {"typeOfWork", "user", "task", "project"}
    }

    entry = parse(bare)

    assert entry.task_name is None
    assert entry.task_id == TASK_ID


def test_fields_the_schema_does_not_list_are_accepted() -> None:
    entry = parse(
        entry_json(
            somethingNew={"nested": [1, 2, 3]},
            breaks=[{"startDate": "2022-09-21T10:00:00Z", "duration": 60, "endDate": None, "x": 1}],
        )
    )

    assert entry.id == "123e4567-e89b-12d3-a456-426614174000"
    assert entry.breaks is not None
    assert entry.breaks[0].duration == 60


@pytest.mark.parametrize("version", [637825154598057900, 639315985493524517, 2**53 + 1, 2**63 - 1])
def test_resource_version_above_two_to_the_53_is_kept_exactly(version: int) -> None:
    text = json.dumps(entry_json()).replace("637825154598057900", str(version))

    entry = TimeTracking.model_validate_json(text)

    assert entry.resource_version == version


def test_breaks_open_and_closed() -> None:
    entry = parse(
        entry_json(
            breaks=[
                {
                    "startDate": "2022-09-21T10:00:00.1234567Z",
                    "duration": 480,
                    "endDate": "2022-09-21T10:08:00.1234567Z",
                },
                {"startDate": "2022-09-21T11:30:00Z", "duration": None, "endDate": None},
            ],
            breakDuration=480,
        )
    )

    assert entry.breaks is not None
    closed, open_break = entry.breaks
    assert closed.start_date == datetime(2022, 9, 21, 10, 0, 0, 123456, tzinfo=UTC)
    assert closed.end_date == datetime(2022, 9, 21, 10, 8, 0, 123456, tzinfo=UTC)
    assert closed.duration == 480
    assert not closed.is_open
    assert open_break.start_date == datetime(2022, 9, 21, 11, 30, tzinfo=UTC)
    assert open_break.end_date is None
    assert open_break.duration is None
    assert open_break.is_open
    assert entry.break_duration == 480


def test_utc_fields_without_a_zone_are_read_as_utc_never_as_local() -> None:
    entry = parse(
        entry_json(
            startDateUtc="2022-09-21T00:00:00",
            createdOn="2022-09-21T09:21:00",
            breaks=[{"startDate": "2022-09-21T10:00:00", "duration": None, "endDate": None}],
        )
    )

    assert entry.start_utc == datetime(2022, 9, 21, 9, 21, tzinfo=UTC)
    assert entry.created_on == datetime(2022, 9, 21, 9, 21, tzinfo=UTC)
    assert entry.breaks is not None
    assert entry.breaks[0].start_date == datetime(2022, 9, 21, 10, 0, tzinfo=UTC)


def test_local_dates_without_a_zone_are_accepted() -> None:
    entry = parse(entry_json(startDateLocal="2022-03-01T00:00:00"))

    assert entry.start_date_local == datetime(2022, 3, 1)


def test_an_entry_written_back_to_json_reads_the_same() -> None:
    entry = parse(entry_json(startTimeUtc="13:08:51.8220632", breaks=[]))

    again = TimeTracking.model_validate_json(entry.model_dump_json(by_alias=True))

    assert again == entry


@pytest.mark.parametrize(
    "broken",
    [
        {"id": None},
        {"resourceVersion": "soon"},
        {"breaks": [{"duration": 5}]},
        {"breaks": {"startDate": "2022-09-21T10:00:00Z"}},
        {"startDateUtc": "yesterday"},
    ],
)
def test_an_entry_that_breaks_its_schema_is_refused(broken: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        parse(entry_json(**broken))


# --- /me and errors ------------------------------------------------------------------------------


def test_user_and_workspace_from_the_docs_example() -> None:
    me = UserAndWorkspace.model_validate_json(
        (EXAMPLES / "docs-users-me-response-excerpt.json").read_bytes()
    )

    assert me.id == "123e4567-e89b-12d3-a456-426614174000"
    assert me.workspace is not None
    assert me.workspace.name == "NCNSTN"
    assert me.workspace.url == "https://ncnstn.awork.com"
    # Without names, the person is shown by id rather than as an empty string.
    assert me.display_name == me.id


def test_user_and_workspace_with_names_and_more_fields() -> None:
    me = UserAndWorkspace.model_validate_json(
        json.dumps(
            {
                "id": "u1",
                "firstName": "Ada",
                "lastName": "Lovelace",
                "birthDate": None,
                "status": {"invitationAccepted": True},
                "resourceVersion": 639315985493524517,
                "workspace": {"id": "w1", "name": None, "url": None},
            }
        )
    )

    assert me.display_name == "Ada Lovelace"
    assert me.workspace is not None
    assert me.workspace.name is None


def test_error_body_from_the_docs_example() -> None:
    body = ErrorBody.model_validate_json((EXAMPLES / "docs-error-response.json").read_bytes())

    assert body.code == "validation-failed"
    assert body.description == (
        "The model sent in the request is invalid. See the validation errors for details."
    )
    assert body.link == "https://developers.awork.com/#response-types"
    assert body.trace_id == "a1b2c3d4e5f6"
    assert body.details == ["Some more details about the error can go here.", "Or here."]
    assert body.validation_errors is not None
    assert [(v.property, v.message) for v in body.validation_errors] == [
        ("Name", "'Name' should not be empty.")
    ]


def test_a_minimal_error_body_is_read() -> None:
    body = ErrorBody.model_validate_json(
        b'{"code":"invalid-operation","description":"You can only pause your own time trackings"'
        b',"link":"https://developers.awork.com","details":null,"validationErrors":null}'
    )

    assert body.code == "invalid-operation"
    assert body.description == "You can only pause your own time trackings"
    assert body.trace_id is None
    assert body.validation_errors is None


# --- the start form ------------------------------------------------------------------------------


def test_start_form_is_written_in_camel_case_without_nulls() -> None:
    form = StartForm(timezone="Europe/Berlin", type_of_work_id=TYPE_ID, task_id=TASK_ID)

    assert form.to_json() == {
        "timezone": "Europe/Berlin",
        "typeOfWorkId": TYPE_ID,
        "taskId": TASK_ID,
    }


def test_start_form_with_every_field() -> None:
    form = StartForm.model_validate(
        {
            "timezone": "Europe/London",
            "typeOfWorkId": TYPE_ID,
            "taskId": TASK_ID,
            "projectId": PROJECT_ID,
            "note": "Sitemap",
            "isBillable": False,
            "isBilled": False,
        }
    )

    # False is a value, not an absence: it must still be sent.
    assert form.to_json() == {
        "timezone": "Europe/London",
        "typeOfWorkId": TYPE_ID,
        "taskId": TASK_ID,
        "projectId": PROJECT_ID,
        "note": "Sitemap",
        "isBillable": False,
        "isBilled": False,
    }


@pytest.mark.parametrize("unknown", ["userId", "startDate", "duration", "type_of_work"])
def test_start_form_rejects_keys_awork_does_not_know(unknown: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=unknown):
        StartForm.model_validate(
            {"timezone": "Europe/Berlin", "typeOfWorkId": TYPE_ID, unknown: "x"}
        )


@pytest.mark.parametrize(
    "form",
    [
        {"typeOfWorkId": TYPE_ID},
        {"timezone": "Europe/Berlin"},
        {"timezone": "", "typeOfWorkId": TYPE_ID},
    ],
)
def test_start_form_requires_a_timezone_and_a_type_of_work(form: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        StartForm.model_validate(form)
