"""The workspace routes over HTTP: tasks, types of work, search, capacity, settings, entry lists.

Every answer is checked against awork's document, every request the tests send too, so what a
client learns here holds against awork.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.helpers.contract import validate_httpx_request, validate_httpx_response
from tests.sandbox.test_sandbox_routes import assert_error
from tray_app.sandbox import Fault, ManualClock, Sandbox

BERLIN = ZoneInfo("Europe/Berlin")
SOMEONE_ELSE = str(uuid.uuid4())


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


def paging(response: httpx.Response) -> tuple[int, int, int, int]:
    headers = response.headers
    return (
        int(headers["aw-page"]),
        int(headers["aw-pagesize"]),
        int(headers["aw-items"]),
        int(headers["aw-totalitems"]),
    )


def names(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()]


def my_entries(api: httpx.Client, sandbox: Sandbox, extra: str = "") -> list[dict[str, Any]]:
    flt = f"userId eq guid'{sandbox.user_id}'" + extra
    response = api.get("/timeentries", params={"filterby": flt, "pageSize": 1000})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


# --- tasks ----------------------------------------------------------------------------------------


def test_assigned_tasks_are_the_persons_with_status_type_of_work_and_project(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    response = api.get("/me/assignedtasks", params={"inProgress": "false", "pageSize": 100})

    tasks = {task["taskIdentifier"]: task for task in response.json()}
    assert "WEB-12" in tasks and "WEB-14" not in tasks  # WEB-14 is only the colleague's
    assert tasks["WEB-1"]["taskStatus"]["type"] == "progress"
    assert tasks["WEB-13"]["taskStatus"]["type"] == "done"
    assert tasks["WEB-1"]["typeOfWorkId"] == sandbox.seed.types_of_work[0].id
    assert "typeOfWorkId" not in tasks["WEB-12"]  # a task without a type of work
    assert tasks["WEB-1"]["project"]["projectKey"] == "WEB"
    assert tasks["WEB-1"]["project"]["isBillableByDefault"] is True
    assert tasks["INT-1"]["project"]["isBillableByDefault"] is False
    assert tasks["BRD-2"]["project"]["projectStatus"]["type"] == "closed"
    assert tasks[None]["baseType"] == "private"  # a private task has no identifier


def test_assigned_tasks_in_progress_leave_closed_and_unstarted_projects_out(
    api: httpx.Client,
) -> None:
    running = names(api.get("/me/assignedtasks", params={"inProgress": "true", "pageSize": 100}))
    every = names(api.get("/me/assignedtasks", params={"inProgress": "false", "pageSize": 100}))

    assert "Style guide" in every and "Style guide" not in running  # closed project
    assert "Requirements workshop" in every and "Requirements workshop" not in running
    assert "Expense report" in running  # private tasks belong to no project


def test_done_tasks_are_left_out_with_the_filter_a_client_sends(api: httpx.Client) -> None:
    params = {"filterby": "taskStatus/type ne 'done'", "pageSize": 100, "inProgress": "false"}
    open_tasks = api.get("/me/assignedtasks", params=params).json()

    assert open_tasks
    assert {task["taskStatus"]["type"] for task in open_tasks} <= {"todo", "progress", "review"}
    assert "Cookie banner" not in [task["name"] for task in open_tasks]


def test_a_colleagues_assigned_tasks(api: httpx.Client, sandbox: Sandbox) -> None:
    grace = sandbox.seed.colleagues[0].id
    tasks = names(api.get(f"/users/{grace}/assignedtasks", params={"inProgress": "false"}))

    assert "Dark mode" in tasks and "Design the landing page" not in tasks
    assert_error(api.get(f"/users/{SOMEONE_ELSE}/assignedtasks"), 404, "not-found")


def test_project_private_and_all_available_tasks(api: httpx.Client) -> None:
    project = api.get("/me/projecttasks", params={"pageSize": 100}).json()
    private = api.get("/me/privatetasks", params={"pageSize": 100}).json()
    every = api.get("/me/allavailabletasks", params={"pageSize": 100}).json()

    assert {task["baseType"] for task in project} == {"projecttask"}
    assert {task["baseType"] for task in private} == {"private"}
    assert len(every) == len(project) + len(private)
    assert "Accessibility review" in [task["name"] for task in every]  # not assigned to me


def test_a_task_by_id_and_an_unknown_one(api: httpx.Client, sandbox: Sandbox) -> None:
    task = sandbox.seed.tasks[5]

    body = api.get(f"/tasks/{task.id.upper()}").json()

    assert (body["id"], body["taskIdentifier"], body["name"]) == (task.id, "WEB-12", task.name)
    assert_error(api.get(f"/tasks/{SOMEONE_ELSE}"), 404, "not-found")


# --- paging and ordering --------------------------------------------------------------------------


def test_lists_page_with_awork_headers(api: httpx.Client) -> None:
    every = names(api.get("/me/allavailabletasks", params={"pageSize": 1000}))
    first = api.get("/me/allavailabletasks", params={"pageSize": 5})
    last = api.get("/me/allavailabletasks", params={"pageSize": 5, "page": 4})
    beyond = api.get("/me/allavailabletasks", params={"pageSize": 5, "page": 9})
    default = api.get("/me/allavailabletasks")

    total = len(every)
    assert paging(first) == (1, 5, 5, total)
    assert names(first) == every[:5]
    assert paging(last) == (4, 5, total - 15, total)
    assert names(last) == every[15:]
    assert paging(beyond) == (9, 5, 0, total) and beyond.json() == []
    assert paging(default) == (1, 10, 10, total)  # the document's default page size


@pytest.mark.parametrize(
    "params",
    [{"pageSize": 0}, {"pageSize": 1001}, {"pageSize": "ten"}, {"page": 0}, {"page": -1}],
    ids=repr,
)
def test_a_bad_page_or_page_size_is_refused(api: httpx.Client, params: dict[str, object]) -> None:
    body = assert_error(api.get("/me/allavailabletasks", params=params), 400, "validation-failed")

    assert body["validationErrors"][0]["property"] in ("page", "pageSize")


def test_orderby_sorts_by_the_fields_tasks_have(api: httpx.Client) -> None:
    by_name = names(api.get("/me/allavailabletasks", params={"orderby": "name", "pageSize": 100}))
    by_name_desc = names(
        api.get("/me/allavailabletasks", params={"orderby": "name desc", "pageSize": 100})
    )
    params = {"orderby": "project/name desc,name asc", "pageSize": 100}
    by_project = api.get("/me/allavailabletasks", params=params).json()

    assert by_name == sorted(by_name, key=str.casefold)
    assert by_name_desc == by_name[::-1]
    projects = [(task.get("project") or {}).get("name") or "" for task in by_project]
    assert projects == sorted(projects, key=str.casefold, reverse=True)


@pytest.mark.parametrize(
    "params",
    [
        {"filterby": "colour eq 'red'"},
        {"filterby": "taskStatus/type ne"},
        {"filterby": "name eq 'unterminated"},
        {"filterby": "substringof(name)"},
        {"orderby": "colour"},
        {"orderby": "name upwards"},
    ],
    ids=repr,
)
def test_a_filter_or_order_awork_cannot_read_is_its_400(
    api: httpx.Client, params: dict[str, str]
) -> None:
    body = assert_error(api.get("/me/allavailabletasks", params=params), 400, "validation-failed")

    assert body["validationErrors"][0]["property"] == next(iter(params))


# --- types of work, capacity, settings ------------------------------------------------------------


def test_types_of_work_leave_the_archived_one_out_unless_asked(api: httpx.Client) -> None:
    active = api.get("/typeofwork").json()
    every = api.get("/typeofwork", params={"showArchived": "true"}).json()

    assert [item["isArchived"] for item in active] == [False] * len(active)
    assert [item["name"] for item in every if item["isArchived"]] == ["Consulting (old)"]
    assert len(every) == len(active) + 1


def test_a_projects_types_of_work_include_an_archived_one(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    app = sandbox.seed.projects[1]

    offered = api.get(f"/projects/{app.id}/typeofwork").json()

    assert [(item["name"], item["isArchived"]) for item in offered] == [
        ("Design", False),
        ("Development", False),
        ("Consulting (old)", True),
    ]
    assert_error(api.get(f"/projects/{SOMEONE_ELSE}/typeofwork"), 404, "not-found")


def test_capacity_is_eight_hours_on_weekdays_and_differs_for_a_colleague(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    mine = api.get(f"/users/{sandbox.user_id}/capacity").json()
    grace = api.get(f"/users/{sandbox.seed.colleagues[0].id}/capacity").json()

    assert mine["userId"] == sandbox.user_id
    assert mine["weeklyCapacity"] == {
        "mon": 28800,
        "tue": 28800,
        "wed": 28800,
        "thu": 28800,
        "fri": 28800,
        "sat": 0,
        "sun": 0,
    }
    assert mine["capacityPerWeek"] == 5 * 28800
    assert grace["weeklyCapacity"]["fri"] == 0 and grace["weeklyCapacity"]["mon"] == 21600
    assert_error(api.get(f"/users/{SOMEONE_ELSE}/capacity"), 404, "not-found")


def test_timetracking_settings_forbid_tracking_on_closed_projects(api: httpx.Client) -> None:
    settings = {item["type"]: item["enabled"] for item in api.get("/timetracking/settings").json()}

    assert settings["prevent-on-done-projects"] is True


# --- search ---------------------------------------------------------------------------------------


def search(api: httpx.Client, term: str, **params: object) -> httpx.Response:
    return api.get("/search", params={"searchTerm": term, "searchTypes": "task", **params})


def hits(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return [hit["entity"] for hit in response.json()["taskHits"]["hits"]]


def test_search_finds_tasks_by_name_identifier_and_project(api: httpx.Client) -> None:
    by_name = hits(search(api, "login"))
    by_identifier = hits(search(api, "web-12"))
    by_project = hits(search(api, "mobile app", top=50))

    assert [task["taskIdentifier"] for task in by_name] == ["APP-1"]
    assert [task["name"] for task in by_identifier] == ["Build the contact form"]
    assert by_identifier[0]["project"]["name"] == "Website Relaunch"
    assert "typeOfWorkId" not in by_identifier[0]  # a client reads the task before starting it
    assert {task["project"]["name"] for task in by_project} == {"Mobile App"}


def test_search_leaves_closed_stuck_and_done_out_unless_asked(api: httpx.Client) -> None:
    usual = [task["name"] for task in hits(search(api, "e", top=100))]
    params = {"top": 100, "includeClosedAndStuck": "true"}
    everything = [task["name"] for task in hits(search(api, "e", **params))]

    for name in ("Cookie banner", "Image optimisation", "Style guide"):  # done, stuck, closed
        assert name in everything and name not in usual


def test_search_answers_at_most_top_hits_best_first(api: httpx.Client) -> None:
    response = search(api, "the", top=2)
    body = response.json()

    assert len(body["taskHits"]["hits"]) == 2
    scores = [hit["score"] for hit in body["taskHits"]["hits"]]
    assert scores == sorted(scores, reverse=True)
    assert body["taskHits"]["hasHits"] is True
    assert hits(search(api, "nothing matches this")) == []


@pytest.mark.parametrize(
    "params",
    [
        {"searchTerm": "x" * 51, "searchTypes": "task"},
        {"searchTerm": "", "searchTypes": "task"},
        {"searchTypes": "task"},
        {"searchTerm": "web", "searchTypes": "gizmo"},
        {"searchTerm": "web", "top": 0},
    ],
    ids=lambda params: ",".join(f"{k}={str(v)[:8]}" for k, v in params.items()),
)
def test_search_refuses_what_awork_refuses(api: httpx.Client, params: dict[str, object]) -> None:
    assert_error(api.get("/search", params=params), 400, "validation-failed")


# --- time entries ---------------------------------------------------------------------------------


def test_the_person_has_two_weeks_of_working_days_in_their_time_zone(
    api: httpx.Client, sandbox: Sandbox, clock: ManualClock
) -> None:
    entries = my_entries(api, sandbox)

    today = clock().astimezone(BERLIN).date()
    days = {datetime.fromisoformat(entry["startDateLocal"]).date() for entry in entries}
    assert min(days) >= today - timedelta(days=14)
    assert today in days
    assert {day.weekday() for day in days - {today}} <= {0, 1, 2, 3, 4}
    assert len(days) >= 10
    finished = [entry for entry in entries if entry["endDateUtc"]]
    assert len(finished) == len(entries) - 1  # and the paused timer
    for entry in finished:
        local_start = entry["startTimeLocal"][:5]
        assert "08:00" <= local_start <= "18:00"
        assert entry["duration"] > 0


def test_the_colleagues_entries_are_there_unfiltered_and_gone_filtered_by_user(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    everyone = api.get("/timeentries", params={"pageSize": 1000}).json()
    mine = my_entries(api, sandbox)

    grace = sandbox.seed.colleagues[0].id
    assert {entry["userId"] for entry in everyone} == {sandbox.user_id, grace}
    assert {entry["user"]["firstName"] for entry in everyone} == {"Ada", "Grace"}
    assert {entry["userId"] for entry in mine} == {sandbox.user_id}
    assert len(mine) < len(everyone)


def test_the_filter_a_client_sends_for_the_last_14_days_newest_first(
    api: httpx.Client, sandbox: Sandbox, clock: ManualClock
) -> None:
    since = (clock().astimezone(BERLIN) - timedelta(days=14)).strftime("%Y-%m-%dT00:00")
    params = {
        "filterby": f"userId eq guid'{sandbox.user_id}' and startDateLocal ge datetime'{since}'",
        "orderby": "startDateUtc desc,startTimeUtc desc",
        "pageSize": 200,
    }

    response = api.get("/timeentries", params=params)

    entries = response.json()
    starts = [entry["startDateUtc"][:10] + entry["startTimeUtc"] for entry in entries]
    assert starts == sorted(starts, reverse=True)
    assert entries[0]["id"] == sandbox.current_entry()["id"]  # type: ignore[index]
    assert paging(response)[3] == len(my_entries(api, sandbox))
    assert {entry["task"]["taskStatus"]["type"] for entry in entries} >= {"done"}


def test_todays_entries_with_the_today_keyword(
    api: httpx.Client, sandbox: Sandbox, clock: ManualClock
) -> None:
    today = my_entries(api, sandbox, " and startDateLocal eq today")
    recent = my_entries(api, sandbox, " and startDateLocal ge today-14d")

    local_day = clock().astimezone(BERLIN).strftime("%Y-%m-%dT00:00:00")
    assert today and {entry["startDateLocal"] for entry in today} == {local_day}
    assert len(recent) == len(my_entries(api, sandbox))
    ends = [entry for entry in today if entry["endDateUtc"]]
    paused = sandbox.current_entry()
    assert paused is not None
    assert all(
        e["endDateLocal"] + e["endTimeLocal"] < paused["startDateLocal"] + paused["startTimeLocal"]
        for e in ends
    )


def test_an_entry_by_id_is_anyones_and_an_unknown_one_is_404(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    everyone = api.get("/timeentries", params={"pageSize": 1000}).json()
    theirs = next(entry for entry in everyone if entry["userId"] != sandbox.user_id)

    assert api.get(f"/timeentries/{theirs['id']}").json() == theirs
    assert_error(api.get(f"/timeentries/{SOMEONE_ELSE}"), 404, "not-found")


def test_a_started_timer_shows_in_the_list(api: httpx.Client, sandbox: Sandbox) -> None:
    started = sandbox.other_client.start(task_id=sandbox.seed.tasks[2].id)

    newest = my_entries(api, sandbox)[-1]

    assert newest["id"] == started["id"] and newest["duration"] == 0


def test_without_the_seeded_timer_the_person_has_no_entries_at_all() -> None:
    with Sandbox(paused_timer=False) as sandbox:
        headers = {"Authorization": f"Bearer {sandbox.token}"}
        with httpx.Client(base_url=sandbox.url, headers=headers, timeout=5) as client:
            assert client.get("/me/timeentries/last").status_code == 204
            assert my_entries(client, sandbox) == []
            assert client.get("/timeentries", params={"pageSize": 1000}).json()  # colleague's


# --- faults apply to the new routes as to the old ---------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/timeentries"), ("GET", "/search"), ("GET", "/me/assignedtasks")],
)
def test_faults_apply_to_the_workspace_routes(
    api: httpx.Client, sandbox: Sandbox, method: str, path: str
) -> None:
    sandbox.inject(method, path, Fault.rate_limited(reset=7))

    refused = api.request(method, path, params={"searchTerm": "web"} if path == "/search" else {})
    again = api.request(method, path, params={"searchTerm": "web"} if path == "/search" else {})

    assert refused.status_code == 429 and refused.headers["ratelimit-reset"] == "7"
    assert again.status_code == 200
