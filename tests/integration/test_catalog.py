"""The task catalog against a started sandbox over real HTTP: what it starts, lists and counts.

What is checked is what the sandbox received (the one start, its body) and what it holds
afterwards (the timer, the note), against the seed's own tasks, projects and types of work.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tray_app.awork.client import AworkClient, BearerToken
from tray_app.awork.errors import Refused
from tray_app.awork.models import TimeTracking
from tray_app.core.catalog import CannotEdit, NoTypeOfWork, TaskCatalog
from tray_app.core.tasks import TaskChoice, TaskSource, choice_of_task
from tray_app.sandbox import Fault, ManualClock, Sandbox
from tray_app.sandbox.seed import SeedTask

BERLIN = ZoneInfo("Europe/Berlin")
START = "/api/v1/me/timetracking/start"
# The seeded timer: started 47 min ago, one 8-minute break, paused 2 minutes ago: 37 min worked.
SEEDED_ELAPSED = 37 * 60
HTTP = "tray_app.awork.http"
ID = r"[0-9a-f-]{36}"  # an entry, task or user id


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()  # a Monday, 14:08 in Berlin


def open_sandbox(clock: ManualClock, *, paused_timer: bool = True) -> Sandbox:
    return Sandbox(clock=clock, paused_timer=paused_timer)


@pytest.fixture
def sandbox(clock: ManualClock) -> Iterator[Sandbox]:
    with open_sandbox(clock) as sb:
        yield sb


def catalog_of(sandbox: Sandbox, clock: ManualClock) -> Iterator[TaskCatalog]:
    with AworkClient(sandbox.url, auth=BearerToken(sandbox.token), timeout=5) as client:
        yield TaskCatalog(client, clock=clock, timezone=lambda: "Europe/Berlin")


@pytest.fixture
def catalog(sandbox: Sandbox, clock: ManualClock) -> Iterator[TaskCatalog]:
    yield from catalog_of(sandbox, clock)


def seed_task(sandbox: Sandbox, identifier: str) -> SeedTask:
    return next(t for t in sandbox.seed.tasks if t.task_identifier == identifier)


def type_named(sandbox: Sandbox, name: str) -> str:
    return next(t.id for t in sandbox.seed.types_of_work if t.name == name)


def starts(sandbox: Sandbox) -> list[dict[str, Any]]:
    """The bodies of every start the sandbox received."""
    bodies: list[dict[str, Any]] = [
        json.loads(r.body) for r in sandbox.requests if (r.method, r.path) == ("POST", START)
    ]
    return bodies


def paths(sandbox: Sandbox) -> list[str]:
    return [f"{r.method} {r.path.removeprefix('/api/v1')}" for r in sandbox.requests]


def everyone_s_entries(sandbox: Sandbox) -> list[dict[str, Any]]:
    """Every entry the sandbox holds, read without the client, unfiltered."""
    headers = {"Authorization": f"Bearer {sandbox.token}"}
    answer = httpx.get(
        f"{sandbox.url}/timeentries", params={"pageSize": 1000}, headers=headers, timeout=5
    )
    entries: list[dict[str, Any]] = answer.json()
    return entries


def recent_choice(catalog: TaskCatalog, identifier: str) -> TaskChoice:
    lists = catalog.lists(())
    menu = lists.menu((), lists.fetched_at)
    return next(c for c in menu.all() if c.identifier == identifier)


# --- starting -----------------------------------------------------------------------------------


def test_a_recent_task_starts_with_one_post_carrying_its_task_project_and_type(
    catalog: TaskCatalog, sandbox: Sandbox
) -> None:
    lists = catalog.lists(())
    recent = lists.menu((), lists.fetched_at).recent
    chosen = next(c for c in recent if c.id != sandbox.seed.tasks[0].id and c.type_of_work_id)
    task = sandbox.seed.task(chosen.id)
    assert task is not None and task.project_id is not None
    project = sandbox.seed.project(task.project_id)
    assert project is not None
    sandbox.clear_requests()

    entry = catalog.start(chosen, note="Kick-off", lists=lists)

    assert paths(sandbox) == ["POST /me/timetracking/start"]
    (body,) = starts(sandbox)
    assert body == {
        "timezone": "Europe/Berlin",
        "typeOfWorkId": task.type_of_work_id,
        "taskId": task.id,
        "projectId": task.project_id,
        "note": "Kick-off",
        "isBillable": project.billable_by_default,
    }
    assert sandbox.current_entry()["taskId"] == task.id == entry.task_id  # type: ignore[index]


def test_a_task_without_a_type_takes_the_one_last_used_on_its_project(
    catalog: TaskCatalog, sandbox: Sandbox
) -> None:
    web12 = seed_task(sandbox, "WEB-12")  # no type of work of its own, on Website Relaunch
    development = type_named(sandbox, "Development")
    # The person's newest entry on that project is Development, the project's second type.
    sandbox.other_client.start(task_id=seed_task(sandbox, "WEB-15").id)
    sandbox.other_client.stop()
    assert sandbox.seed.project(web12.project_id or "").type_of_work_ids[0] != development  # type: ignore[union-attr]
    lists = catalog.lists(())
    chosen = next(c for c in lists.menu((), lists.fetched_at).all() if c.id == web12.id)
    sandbox.clear_requests()

    catalog.start(chosen, lists=lists)

    (body,) = starts(sandbox)
    assert (body["taskId"], body["typeOfWorkId"]) == (web12.id, development)
    assert paths(sandbox) == ["POST /me/timetracking/start"]  # nothing else needed


def test_without_entries_on_the_project_its_first_active_type_never_an_archived_one(
    clock: ManualClock,
) -> None:
    with open_sandbox(clock, paused_timer=False) as sandbox:  # no entries of the person at all
        shop1 = seed_task(sandbox, "SHOP-1")  # no type; its project lists an archived one first
        shop = sandbox.seed.project(shop1.project_id or "")
        assert shop is not None
        first = sandbox.seed.type_of_work(shop.type_of_work_ids[0])
        assert first is not None and first.archived
        for catalog in catalog_of(sandbox, clock):
            with AworkClient(sandbox.url, auth=BearerToken(sandbox.token), timeout=5) as client:
                chosen = choice_of_task(client.task(shop1.id), TaskSource.ASSIGNED)
            sandbox.clear_requests()

            catalog.start(chosen)

        (body,) = starts(sandbox)
        assert body["typeOfWorkId"] == type_named(sandbox, "Project management")
        assert body["isBillable"] is False  # the project's isBillableByDefault
        assert f"GET /projects/{shop.id}/typeofwork" in paths(sandbox)


def test_a_search_hit_is_read_by_id_before_it_starts(
    catalog: TaskCatalog, sandbox: Sandbox
) -> None:
    app2 = seed_task(sandbox, "APP-2")
    (hit,) = [c for c in catalog.search("release version") if c.id == app2.id]
    assert hit.source is TaskSource.SEARCH and hit.type_of_work_id is None
    sandbox.clear_requests()

    catalog.start(hit)

    assert paths(sandbox) == [f"GET /tasks/{app2.id}", "POST /me/timetracking/start"]
    (body,) = starts(sandbox)
    assert (body["taskId"], body["typeOfWorkId"], body["isBillable"]) == (
        app2.id,
        app2.type_of_work_id,
        True,
    )


def test_a_type_the_person_chose_is_the_one_sent(catalog: TaskCatalog, sandbox: Sandbox) -> None:
    app1 = seed_task(sandbox, "APP-1")  # its project offers an archived type too
    with AworkClient(sandbox.url, auth=BearerToken(sandbox.token), timeout=5) as client:
        chosen = choice_of_task(client.task(app1.id), TaskSource.ASSIGNED)
    offered = [kind.id for kind in catalog.types_of_work(chosen)]
    design, archived = type_named(sandbox, "Design"), type_named(sandbox, "Consulting (old)")
    assert design in offered and archived not in offered
    assert design != app1.type_of_work_id
    sandbox.clear_requests()

    catalog.start(chosen, type_of_work_id=design)

    (body,) = starts(sandbox)
    assert (body["taskId"], body["typeOfWorkId"]) == (app1.id, design)


@pytest.mark.expect_log(
    "WARNING",
    r"^POST /api/v1/me/timetracking/start refused: status=400 code=invalid-operation traceId=\w+$",
    logger=HTTP,
)
def test_a_refused_start_raises_awork_s_words_and_changes_nothing(
    catalog: TaskCatalog, sandbox: Sandbox
) -> None:
    closed = seed_task(sandbox, "BRD-2")  # of the closed project; the workspace forbids it
    with AworkClient(sandbox.url, auth=BearerToken(sandbox.token), timeout=5) as client:
        chosen = choice_of_task(client.task(closed.id), TaskSource.FAVOURITE)
    before = sandbox.current_entry()

    with pytest.raises(Refused) as refused:
        catalog.start(chosen)

    assert "closed" in str(refused.value) and "\n" not in str(refused.value)
    assert refused.value.code == "invalid-operation"
    assert sandbox.current_entry() == before
    assert len(starts(sandbox)) == 1


@pytest.mark.expect_log(  # once for each catalog
    "WARNING", rf"^no active type of work for task {ID}$", logger="tray_app.core.catalog"
)
def test_no_usable_type_of_work_starts_nothing(clock: ManualClock) -> None:
    with open_sandbox(clock, paused_timer=False) as sandbox:  # nothing last used anywhere
        web12 = seed_task(sandbox, "WEB-12")
        archived = type_named(sandbox, "Consulting (old)")
        only_archived = json.dumps([{"id": archived, "name": "Old", "isArchived": True}])
        path = f"/projects/{web12.project_id}/typeofwork"
        sandbox.inject("GET", path, Fault.malformed(only_archived.encode(), "application/json"))
        with AworkClient(sandbox.url, auth=BearerToken(sandbox.token), timeout=5) as client:
            chosen = choice_of_task(client.task(web12.id), TaskSource.ASSIGNED)
        for catalog in catalog_of(sandbox, clock):
            with pytest.raises(NoTypeOfWork, match="No active type of work"):
                catalog.start(chosen)

        assert starts(sandbox) == []
        assert sandbox.current_entry() is None


# --- the lists and today's total ----------------------------------------------------------------


def test_lists_hold_the_person_s_own_entries_assigned_tasks_and_capacity(
    catalog: TaskCatalog, sandbox: Sandbox, clock: ManualClock
) -> None:
    lists = catalog.lists(())

    assert lists.person_id == sandbox.user_id
    assert lists.fetched_at == clock()
    assert {entry.person_id for entry in lists.entries} == {sandbox.user_id}
    assert lists.entries[0].id == sandbox.current_entry()["id"]  # type: ignore[index]
    assert all(not task.is_done for task in lists.assigned)
    assert lists.capacity is not None and lists.known == ()
    menu = lists.menu((), clock())
    assert 0 < len(menu.recent) <= 8 and 0 < len(menu.assigned) <= 10


@pytest.mark.expect_log(
    "WARNING",
    r"^GET /api/v1/tasks/0b5c1d9e-0000-4000-8000-000000000000 refused: status=404 code=not-found "
    r"traceId=\w+$",
    logger=HTTP,
)
@pytest.mark.expect_log(
    "WARNING", r"^a favourite is not a task id; left out$", logger="tray_app.core.catalog"
)
def test_a_favourite_in_no_list_is_read_by_id_and_a_gone_one_left_out(
    catalog: TaskCatalog, sandbox: Sandbox, clock: ManualClock
) -> None:
    theirs = seed_task(sandbox, "WEB-14")  # assigned to the colleague only, never tracked
    gone = "0b5c1d9e-0000-4000-8000-000000000000"
    favourites = (theirs.id, gone, "not-an-id")

    lists = catalog.lists(favourites)

    assert [task.id for task in lists.known] == [theirs.id]
    menu = lists.menu(favourites, clock())
    assert [c.name for c in menu.favourites] == [theirs.name]
    assert paths(sandbox).count(f"GET /tasks/{theirs.id}") == 1
    assert f"GET /tasks/{gone}" in paths(sandbox)
    assert not any("not-an-id" in path for path in paths(sandbox))


@pytest.mark.expect_log(
    "WARNING",
    rf"^GET /api/v1/users/{ID}/capacity refused: status=403 code=forbidden traceId=\w+$",
    logger=HTTP,
)
def test_capacity_refused_leaves_the_total_alone(
    catalog: TaskCatalog, sandbox: Sandbox, clock: ManualClock
) -> None:
    sandbox.inject("GET", f"/users/{sandbox.user_id}/capacity", Fault.status(403))

    lists = catalog.lists(())

    assert lists.capacity is None
    assert lists.today(clock(), BERLIN, None).line().startswith("Today ")
    assert " of " not in lists.today(clock(), BERLIN, None).line()


def own_today(sandbox: Sandbox, now: datetime, user_id: str) -> tuple[int, int]:
    """Seconds and count of ``user_id``'s finished entries that started today in Berlin."""
    day = now.astimezone(BERLIN).strftime("%Y-%m-%d")
    finished = [
        e
        for e in everyone_s_entries(sandbox)
        if e["userId"] == user_id and e["startDateLocal"].startswith(day) and e["endDateUtc"]
    ]
    return sum(e["duration"] for e in finished), len(finished)


def test_today_s_total_is_the_sandbox_s_for_the_person_only(
    catalog: TaskCatalog, sandbox: Sandbox, clock: ManualClock
) -> None:
    sandbox.other_client.resume()
    clock.advance(timedelta(minutes=10))
    finished, count = own_today(sandbox, clock(), sandbox.user_id)
    theirs, their_count = own_today(sandbox, clock(), sandbox.seed.colleagues[0].id)
    assert theirs > 0 and their_count > 0  # the colleague tracked today too
    lists = catalog.lists(())
    with AworkClient(sandbox.url, auth=BearerToken(sandbox.token), timeout=5) as client:
        current = client.current()

    total = lists.today(clock(), BERLIN, current)

    expected = finished + SEEDED_ELAPSED + 10 * 60
    assert abs(total.total_seconds - expected) <= 1
    assert total.entries == count + 1
    assert total.running is True
    assert total.capacity_seconds == 8 * 3600  # a Monday
    later = lists.today(clock() + timedelta(minutes=5), BERLIN, current)
    assert abs(later.total_seconds - (expected + 300)) <= 1  # the running timer counts on


# --- the note -----------------------------------------------------------------------------------


def current_entry(sandbox: Sandbox) -> TimeTracking:
    return TimeTracking.model_validate(sandbox.current_entry())


PUT_FORM_KEYS = {
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


def test_set_note_puts_a_whole_form_and_the_note_is_saved(
    catalog: TaskCatalog, sandbox: Sandbox
) -> None:
    paused = current_entry(sandbox)
    sandbox.clear_requests()

    saved = catalog.set_note(paused, "Wireframes for the hero")

    (request,) = sandbox.requests
    assert (request.method, request.path) == ("PUT", f"/api/v1/timeentries/{paused.id}")
    body = json.loads(request.body)
    assert set(body) == PUT_FORM_KEYS
    assert body["duration"] == 0 and body["endDateUtc"] is None
    assert saved.note == "Wireframes for the hero"
    assert sandbox.current_entry()["note"] == "Wireframes for the hero"  # type: ignore[index]


@pytest.mark.expect_log(
    "WARNING",
    rf"^PUT /api/v1/timeentries/{ID} refused: status=400 code=invalid-operation traceId=\w+$",
    logger=HTTP,
)
def test_a_refused_note_raises_awork_s_words_and_the_old_note_stays(
    catalog: TaskCatalog, sandbox: Sandbox
) -> None:
    paused = current_entry(sandbox)
    why = "Time entries of this project are locked."
    sandbox.inject("PUT", f"/timeentries/{paused.id}", Fault.status(400, "invalid-operation", why))

    with pytest.raises(Refused, match="locked"):
        catalog.set_note(paused, "Something else")

    assert sandbox.current_entry()["note"] == paused.note  # type: ignore[index]


@pytest.mark.expect_log(
    "WARNING",
    rf"^entry {ID} not editable: the entry has no type of work, and awork saves none without one$",
    logger="tray_app.core.catalog",
)
def test_an_entry_without_a_type_of_work_is_not_sent(
    catalog: TaskCatalog, sandbox: Sandbox
) -> None:
    incomplete = current_entry(sandbox).model_copy(
        update={"type_of_work_id": None, "type_of_work": None}
    )
    sandbox.clear_requests()

    with pytest.raises(CannotEdit):
        catalog.set_note(incomplete, "Lost")

    assert sandbox.requests == []


@pytest.mark.expect_log("WARNING", r"unknown time zone", logger="tray_app.core.catalog")
def test_an_unknown_time_zone_counts_days_in_utc_with_a_warning(
    sandbox: Sandbox, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    with AworkClient(sandbox.url, auth=BearerToken(sandbox.token), timeout=5) as client:
        catalog = TaskCatalog(client, clock=clock, timezone=lambda: "Mars/Olympus_Mons")

        zone = catalog.zone()
        lists = catalog.lists(())

    assert zone is UTC
    assert lists.today(clock(), zone, None).total_seconds > 0
    assert any("unknown time zone" in r.getMessage() for r in caplog.records)
