"""The task feature's client calls over real HTTP against the sandbox: what they ask and read.

What is checked is what the sandbox received (the query awork would parse) and what the client
made of awork's answer, compared with the sandbox's own data read straight over HTTP.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tray_app.awork.client import AworkClient, BearerToken
from tray_app.awork.errors import Refused
from tray_app.awork.models import TimeTracking, TimeTrackingPutForm
from tray_app.sandbox import ManualClock, Sandbox

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sandbox(clock: ManualClock) -> Iterator[Sandbox]:
    with Sandbox(clock=clock) as sb:
        yield sb


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[AworkClient]:
    with AworkClient(sandbox.url, auth=BearerToken(sandbox.token), timeout=5) as awork:
        yield awork


def everyone_s_entries(sandbox: Sandbox) -> list[dict[str, Any]]:
    """Every entry the sandbox holds, read without the client, unfiltered."""
    headers = {"Authorization": f"Bearer {sandbox.token}"}
    answer = httpx.get(
        f"{sandbox.url}/timeentries", params={"pageSize": 1000}, headers=headers, timeout=5
    )
    entries: list[dict[str, Any]] = answer.json()
    return entries


def two_weeks_ago(clock: ManualClock) -> date:
    return (clock().astimezone(BERLIN) - timedelta(days=14)).date()


# --- tasks --------------------------------------------------------------------------------------


def test_assigned_tasks_are_the_person_s_open_ones_of_running_projects(
    client: AworkClient, sandbox: Sandbox
) -> None:
    tasks = client.assigned_tasks()

    seed = sandbox.seed
    running = {p.id for p in seed.projects if p.status == "progress"}
    expected = [
        t.id
        for t in seed.tasks
        if seed.user_id in t.assignee_ids
        and not t.is_done
        and (t.project_id is None or t.project_id in running)
    ]
    assert [task.id for task in tasks] == expected
    (request,) = sandbox.requests
    assert request.query == {
        "inProgress": "true",
        "filterby": "taskStatus/type ne 'done'",
        "pageSize": "50",
    }


def test_a_task_by_id_has_its_type_of_work_and_its_project_s_billing(
    client: AworkClient, sandbox: Sandbox
) -> None:
    seeded = sandbox.seed.tasks[1]

    task = client.task(seeded.id)

    assert (task.id, task.name, task.type_of_work_id) == (
        seeded.id,
        seeded.name,
        seeded.type_of_work_id,
    )
    assert task.project is not None and task.project.is_billable_by_default is True


@pytest.mark.expect_log(
    "WARNING",
    r"^GET /api/v1/tasks/0b5c1d9e-0000-4000-8000-000000000000 refused: status=404 code=not-found "
    r"traceId=\w+$",
    logger="tray_app.awork.http",
)
def test_an_unknown_task_is_awork_s_refusal_in_one_line(
    client: AworkClient, sandbox: Sandbox
) -> None:
    with pytest.raises(Refused) as refused:
        client.task("0b5c1d9e-0000-4000-8000-000000000000")

    assert refused.value.status == 404
    assert "No task with the id" in str(refused.value)
    assert "\n" not in str(refused.value)


def test_an_id_that_is_no_uuid_is_never_sent(client: AworkClient, sandbox: Sandbox) -> None:
    for sneaky in ("../me", "x' or userId ne guid'y", ""):
        with pytest.raises(ValueError, match="not an awork id"):
            client.task(sneaky)
        with pytest.raises(ValueError, match="not an awork id"):
            client.entries_since(sneaky, date(2026, 11, 1))

    assert sandbox.requests == []


# --- search -------------------------------------------------------------------------------------


def test_search_asks_for_open_tasks_and_reads_the_hits(
    client: AworkClient, sandbox: Sandbox
) -> None:
    results = client.search_tasks("  contact   form ")

    assert [task.task_identifier for task in results.tasks] == ["WEB-12"]
    (request,) = sandbox.requests
    assert request.query == {
        "searchTerm": "contact form",
        "searchTypes": "task",
        "top": "20",
        "includeClosedAndStuck": "false",
    }


def test_a_long_search_term_is_cut_to_awork_s_50_characters(
    client: AworkClient, sandbox: Sandbox
) -> None:
    client.search_tasks("landing " * 10)  # awork refuses more than 50 characters

    (request,) = sandbox.requests
    assert request.status == 200
    assert len(request.query["searchTerm"]) <= 50
    assert request.query["searchTerm"].startswith("landing landing")


# --- time entries -------------------------------------------------------------------------------


def test_entries_since_are_the_person_s_own_newest_first(
    client: AworkClient, sandbox: Sandbox, clock: ManualClock
) -> None:
    since = two_weeks_ago(clock)
    everyone = everyone_s_entries(sandbox)
    sandbox.clear_requests()

    entries = client.entries_since(sandbox.user_id, since)

    own = [e for e in everyone if e["userId"] == sandbox.user_id]
    assert len(own) < len(everyone)  # the colleague's are there, and left out
    assert sorted(entry.id for entry in entries) == sorted(e["id"] for e in own)
    starts = [entry.start_utc for entry in entries]
    assert starts == sorted(starts, reverse=True)  # type: ignore[type-var]
    assert entries[0].id == sandbox.current_entry()["id"]  # type: ignore[index]
    (request,) = sandbox.requests
    assert request.query["filterby"] == (
        f"userId eq guid'{sandbox.user_id}' and startDateLocal ge datetime'{since}T00:00'"
    )
    assert request.query["orderby"] == "startDateUtc desc,startTimeUtc desc"
    assert request.query["pageSize"] == "200"


def test_entries_follow_aw_totalitems_to_the_next_pages(
    client: AworkClient, sandbox: Sandbox, clock: ManualClock
) -> None:
    since = two_weeks_ago(clock)
    whole = client.entries_since(sandbox.user_id, since)
    sandbox.clear_requests()

    paged = client.entries_since(sandbox.user_id, since, page_size=20)

    assert 40 < len(whole) <= 60  # three pages of 20
    assert [entry.id for entry in paged] == [entry.id for entry in whole]
    assert [request.query["page"] for request in sandbox.requests] == ["1", "2", "3"]


@pytest.mark.expect_log(
    "WARNING",
    r"^more than \d+ entries since \d{4}-\d\d-\d\d; the oldest are not read$",
    logger="tray_app.awork.task_calls",
)
def test_entries_stop_after_three_pages_and_say_so_in_the_log(
    client: AworkClient,
    sandbox: Sandbox,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        paged = client.entries_since(sandbox.user_id, two_weeks_ago(clock), page_size=5)

    assert len(paged) == 15
    assert len(sandbox.requests) == 3
    assert "the oldest are not read" in caplog.text


def test_the_filter_goes_out_url_encoded(sandbox: Sandbox, clock: ManualClock) -> None:
    sent: list[bytes] = []

    def keep(request: httpx.Request) -> None:
        sent.append(request.url.raw_path)

    with AworkClient(sandbox.url, auth=BearerToken(sandbox.token), timeout=5) as client:
        client._http.event_hooks["request"].append(keep)
        client.entries_since(sandbox.user_id, two_weeks_ago(clock))

    (raw,) = sent
    query = raw.split(b"?", 1)[1]
    assert b" " not in query and b"'" not in query
    assert b"guid%27" in query


# --- an entry's edit ----------------------------------------------------------------------------


def test_update_entry_changes_the_note_of_the_paused_timer(
    client: AworkClient, sandbox: Sandbox
) -> None:
    entry = TimeTracking.model_validate(sandbox.current_entry())

    updated = client.update_entry(entry.id, TimeTrackingPutForm.with_note(entry, "Wireframes"))

    assert updated.note == "Wireframes"
    assert sandbox.current_entry()["note"] == "Wireframes"  # type: ignore[index]


@pytest.mark.expect_log(  # the statuses the test accepts as awork's no
    "WARNING",
    r"^PUT /api/v1/timeentries/[0-9a-f-]{36} refused: "
    r"status=(400|403|404) code=[\w-]+ traceId=\w+$",
    logger="tray_app.awork.http",
)
def test_update_entry_refused_by_awork_raises_its_words(
    client: AworkClient, sandbox: Sandbox
) -> None:
    theirs = next(e for e in everyone_s_entries(sandbox) if e["userId"] != sandbox.user_id)
    entry = TimeTracking.model_validate(theirs)

    with pytest.raises(Refused) as refused:
        client.update_entry(entry.id, TimeTrackingPutForm.with_note(entry, "Mine now"))

    assert refused.value.status in {400, 403, 404}
    assert str(refused.value).strip() and "\n" not in str(refused.value)
    after = next(e for e in everyone_s_entries(sandbox) if e["id"] == entry.id)
    assert after["note"] == theirs["note"]


# --- types of work, capacity, settings ----------------------------------------------------------


def test_types_of_work_of_a_project_include_archived_ones_and_of_the_workspace_not(
    client: AworkClient, sandbox: Sandbox
) -> None:
    app = sandbox.seed.projects[1]

    of_project = client.project_types_of_work(app.id)
    of_workspace = client.types_of_work()

    assert {kind.id for kind in of_project} == set(app.type_of_work_ids)
    assert any(kind.is_archived for kind in of_project)
    active = [kind.id for kind in sandbox.seed.types_of_work if not kind.archived]
    assert [kind.id for kind in of_workspace] == active


def test_capacity_and_settings(client: AworkClient, sandbox: Sandbox) -> None:
    capacity = client.capacity(sandbox.user_id)
    settings = client.timetracking_settings()

    assert capacity.weekly_capacity is not None
    assert capacity.weekly_capacity.seconds_on(date(2026, 11, 30)) == 28800  # a Monday
    assert capacity.weekly_capacity.seconds_on(date(2026, 12, 5)) is None or (
        capacity.weekly_capacity.seconds_on(date(2026, 12, 5)) == 0
    )
    assert ("prevent-on-done-projects", True) in {(s.type, s.enabled) for s in settings}
