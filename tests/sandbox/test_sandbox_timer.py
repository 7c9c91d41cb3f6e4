"""The timer rules of the sandbox over real HTTP: 200 or 204, breaks, durations, 24-hour stop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tray_app.awork.models import TimeTracking
from tray_app.sandbox import ApiError, ManualClock, Sandbox

T0 = ManualClock.DEFAULT_START  # 2026-11-30 13:08:51.822063 UTC, 14:08 in Berlin
SEED_START = T0 - timedelta(minutes=47)


def last(api: httpx.Client) -> dict[str, Any]:
    response = api.get("/me/timeentries/last")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def act(api: httpx.Client, action: str, expected: int = 200) -> dict[str, Any] | None:
    response = api.post(f"/me/timetracking/{action}")
    assert response.status_code == expected, response.text
    return response.json() if expected == 200 else None


def state(entry: dict[str, Any]) -> str:
    """The state a client derives, following the README of awork-api."""
    if entry["endDateUtc"] is not None:
        return "stopped"
    if entry["breaks"] and entry["breaks"][-1]["endDate"] is None:
        return "paused"
    return "running"


def z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_last_shows_the_seeded_paused_timer_in_awork_formats(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    entry = last(api)

    assert state(entry) == "paused"
    assert entry["startDateUtc"] == "2026-11-30T00:00:00Z"
    assert entry["startTimeUtc"] == "12:21:51.8220630"
    assert entry["startDateLocal"] == "2026-11-30T00:00:00"
    assert entry["startTimeLocal"] == "13:21:51.8220630"
    assert entry["timezone"] == "Europe/Berlin"
    assert entry["breaks"] == [
        {
            "startDate": z(T0 - timedelta(minutes=30)),
            "duration": 480,
            "endDate": z(T0 - timedelta(minutes=22)),
        },
        {"startDate": z(T0 - timedelta(minutes=2)), "duration": None, "endDate": None},
    ]
    assert (entry["duration"], entry["breakDuration"]) == (0, 480)
    task = sandbox.seed.tasks[0]
    assert (entry["taskId"], entry["projectId"]) == (task.id, task.project_id)
    assert entry["task"]["name"] == "Design the landing page"
    assert entry["task"]["project"]["name"] == entry["project"]["name"] == "Website Relaunch"
    assert entry["typeOfWork"] == {
        "id": task.type_of_work_id,
        "name": "Design",
        "icon": "brush",
        "isArchived": False,
    }
    assert entry["user"]["id"] == entry["userId"] == sandbox.user_id
    assert entry["createdOn"] == z(SEED_START)


def test_answers_carry_fields_the_schema_does_not_list(api: httpx.Client) -> None:
    entry = last(api)

    assert entry["tags"] == []
    assert entry["task"]["assignees"]
    assert entry["project"]["key"] == "WEB"


def test_last_answers_204_when_the_person_never_tracked_time() -> None:
    with Sandbox(paused_timer=False) as sandbox, _client(sandbox) as api:
        assert api.get("/me/timeentries/last").status_code == 204
        for action in ("pause", "resume", "stop"):
            assert api.post(f"/me/timetracking/{action}").status_code == 204
        assert sandbox.current_entry() is None


def _client(sandbox: Sandbox) -> httpx.Client:
    headers = {"Authorization": f"Bearer {sandbox.token}"}
    return httpx.Client(base_url=sandbox.url, headers=headers, timeout=5)


@pytest.mark.parametrize(
    ("zone", "local"),
    [
        ("Europe/Berlin", ("2026-12-01T00:00:00", "00:30:00.0000000")),
        ("America/New_York", ("2026-11-30T00:00:00", "18:30:00.0000000")),
        ("Asia/Kolkata", ("2026-12-01T00:00:00", "05:00:00.0000000")),
    ],
)
def test_local_fields_are_in_the_entry_time_zone_without_a_zone_mark(
    api: httpx.Client,
    clock: ManualClock,
    start_form: dict[str, object],
    zone: str,
    local: tuple[str, str],
) -> None:
    clock.set(datetime(2026, 11, 30, 23, 30, tzinfo=UTC))

    entry = api.post("/me/timetracking/start", json={**start_form, "timezone": zone}).json()

    utc = ("2026-11-30T00:00:00Z", "23:30:00.0000000")
    assert (entry["startDateUtc"], entry["startTimeUtc"]) == utc
    assert (entry["startDateLocal"], entry["startTimeLocal"]) == local


def test_resume_closes_the_open_break(api: httpx.Client, clock: ManualClock) -> None:
    now = clock.advance(timedelta(minutes=3))

    entry = act(api, "resume")

    assert entry is not None and state(entry) == "running"
    assert entry["breaks"][-1] == {
        "startDate": z(T0 - timedelta(minutes=2)),
        "duration": 300,
        "endDate": z(now),
    }
    assert (entry["duration"], entry["breakDuration"]) == (0, 780)
    assert entry["updatedOn"] == z(now)


def test_resume_leaves_a_running_timer_as_it_is(api: httpx.Client, clock: ManualClock) -> None:
    first = act(api, "resume")
    clock.advance(timedelta(minutes=1))

    assert act(api, "resume") == first


def test_pause_opens_a_break_on_a_running_timer(api: httpx.Client, clock: ManualClock) -> None:
    act(api, "resume")
    now = clock.advance(timedelta(minutes=10))

    entry = act(api, "pause")

    assert entry is not None and state(entry) == "paused"
    assert entry["breaks"][-1] == {"startDate": z(now), "duration": None, "endDate": None}
    assert entry["breakDuration"] == 480 + 120


@pytest.mark.parametrize("setup", ["paused", "stopped"])
def test_pause_answers_204_when_no_timer_runs(
    api: httpx.Client, sandbox: Sandbox, setup: str
) -> None:
    if setup == "stopped":
        sandbox.other_client.stop()
    before = sandbox.current_entry()

    act(api, "pause", expected=204)

    assert sandbox.current_entry() == before


def test_resume_answers_204_after_a_stop(api: httpx.Client) -> None:
    act(api, "stop")

    act(api, "resume", expected=204)


def test_stop_ends_a_paused_timer_closing_its_break(api: httpx.Client, clock: ManualClock) -> None:
    now = clock.advance(timedelta(minutes=5))

    entry = act(api, "stop")

    assert entry is not None and state(entry) == "stopped"
    assert (entry["endDateUtc"], entry["endTimeUtc"]) == (
        "2026-11-30T00:00:00Z",
        "13:13:51.8220630",
    )
    assert entry["endTimeLocal"] == "14:13:51.8220630"
    assert entry["breaks"][-1] == {
        "startDate": z(T0 - timedelta(minutes=2)),
        "duration": 420,
        "endDate": z(now),
    }
    assert entry["breakDuration"] == 900
    assert entry["duration"] == 52 * 60 - 900


def test_stop_ends_a_running_timer(api: httpx.Client, clock: ManualClock) -> None:
    act(api, "resume")
    clock.advance(timedelta(minutes=10))

    entry = act(api, "stop")

    assert entry is not None
    assert entry["duration"] == 57 * 60 - 480 - 120


def test_stop_answers_204_when_nothing_runs(api: httpx.Client) -> None:
    act(api, "stop")

    act(api, "stop", expected=204)


def test_stop_accepts_an_empty_object(api: httpx.Client) -> None:
    assert api.post("/me/timetracking/stop", json={}).status_code == 200


def test_start_stops_the_paused_timer_and_runs_a_new_one(
    api: httpx.Client, sandbox: Sandbox, start_form: dict[str, object]
) -> None:
    old = last(api)
    task = sandbox.seed.tasks[2]

    response = api.post("/me/timetracking/start", json={**start_form, "taskId": task.id})

    entry = response.json()
    assert response.status_code == 200
    assert entry["id"] != old["id"]
    assert state(entry) == "running"
    assert (entry["breaks"], entry["breakDuration"], entry["duration"]) == ([], None, 0)
    assert (entry["startDateUtc"], entry["startTimeUtc"]) == (
        "2026-11-30T00:00:00Z",
        "13:08:51.8220630",
    )
    assert (entry["taskId"], entry["projectId"]) == (task.id, task.project_id)
    assert entry["task"]["project"]["id"] == entry["project"]["id"] == task.project_id
    assert last(api) == entry == sandbox.current_entry()


def test_start_on_a_project_without_a_task(
    api: httpx.Client, sandbox: Sandbox, start_form: dict[str, object]
) -> None:
    project = sandbox.seed.projects[1]

    entry = api.post("/me/timetracking/start", json={**start_form, "projectId": project.id}).json()

    assert (entry["taskId"], entry["projectId"]) == (None, project.id)
    assert "task" not in entry
    assert entry["project"]["company"]["name"] == "Globex"


def test_start_keeps_the_note_and_the_billing_flags(
    api: httpx.Client, start_form: dict[str, object]
) -> None:
    form = {**start_form, "note": "Call with Acme", "isBillable": True, "isBilled": True}

    entry = api.post("/me/timetracking/start", json=form).json()

    assert (entry["note"], entry["isBillable"], entry["isBilled"]) == ("Call with Acme", True, True)


def test_awork_stops_a_paused_timer_after_24_hours(api: httpx.Client, clock: ManualClock) -> None:
    clock.set(SEED_START + timedelta(hours=24))

    entry = last(api)

    assert state(entry) == "stopped"
    assert (entry["endDateUtc"], entry["endTimeUtc"]) == (
        "2026-12-01T00:00:00Z",
        "12:21:51.8220630",
    )
    assert entry["breaks"][-1]["endDate"] == z(SEED_START + timedelta(hours=24))
    open_break = 24 * 3600 - 45 * 60
    assert entry["breakDuration"] == 480 + open_break
    assert entry["duration"] == 24 * 3600 - 480 - open_break
    for action in ("pause", "resume", "stop"):
        act(api, action, expected=204)


def test_a_timer_younger_than_24_hours_keeps_going(api: httpx.Client, clock: ManualClock) -> None:
    clock.set(SEED_START + timedelta(hours=24) - timedelta(microseconds=1))

    assert state(last(api)) == "paused"


def test_awork_stops_a_running_timer_24_hours_after_its_start(
    api: httpx.Client, clock: ManualClock, start_form: dict[str, object]
) -> None:
    api.post("/me/timetracking/start", json=start_form)
    clock.advance(timedelta(hours=30))

    act(api, "resume", expected=204)
    entry = last(api)

    assert (entry["endDateUtc"], entry["endTimeUtc"]) == (
        "2026-12-01T00:00:00Z",
        "13:08:51.8220630",
    )
    assert (entry["duration"], entry["breakDuration"]) == (24 * 3600, None)


def test_resource_version_grows_with_every_change_and_stays_exact(
    api: httpx.Client, start_form: dict[str, object]
) -> None:
    responses = [api.get("/me/timeentries/last")]
    for action in ("resume", "pause", "resume", "stop"):
        responses.append(api.post(f"/me/timetracking/{action}"))
    responses.append(api.post("/me/timetracking/start", json=start_form))

    versions = [response.json()["resourceVersion"] for response in responses]

    assert versions == sorted(set(versions)), "the clock stands still, yet every change counts"
    assert all(isinstance(v, int) and v > 2**53 for v in versions)
    assert all(
        f'"resourceVersion": {v}' in r.text for v, r in zip(versions, responses, strict=True)
    )


def test_updated_on_moves_with_every_change(api: httpx.Client, clock: ManualClock) -> None:
    seen = [last(api)["updatedOn"]]
    for action in ("resume", "pause", "stop"):
        clock.advance(timedelta(seconds=1))
        entry = act(api, action)
        assert entry is not None
        seen.append(entry["updatedOn"])

    assert seen == sorted(set(seen))


def test_another_client_changes_the_timer_without_http(api: httpx.Client, sandbox: Sandbox) -> None:
    assert sandbox.other_client.resume() == last(api)
    assert state(last(api)) == "running"
    sandbox.other_client.pause()
    assert state(last(api)) == "paused"
    sandbox.other_client.stop()
    assert state(last(api)) == "stopped"
    assert sandbox.other_client.stop() is None
    assert sandbox.requests and all(r.method == "GET" for r in sandbox.requests)


def test_another_client_starts_on_a_task_or_the_first_one(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    chosen = sandbox.seed.tasks[3]

    assert sandbox.other_client.start(task_id=chosen.id)["taskId"] == chosen.id
    assert last(api)["typeOfWorkId"] == chosen.type_of_work_id
    assert sandbox.other_client.start()["taskId"] == sandbox.seed.tasks[0].id
    with pytest.raises(ApiError):
        sandbox.other_client.start(task_id="00000000-0000-4000-8000-000000000000")


def test_the_app_models_read_every_answer(api: httpx.Client, clock: ManualClock) -> None:
    entries = [last(api)]
    clock.advance(timedelta(minutes=1))
    entries += [act(api, "resume"), act(api, "pause"), act(api, "stop")]

    parsed = [TimeTracking.model_validate(entry) for entry in entries]

    assert all(item.start_utc == SEED_START for item in parsed)
    assert parsed[-1].end_utc == T0 + timedelta(minutes=1)
    assert [item.resource_version for item in parsed] == [
        e["resourceVersion"] for e in entries if e
    ]
