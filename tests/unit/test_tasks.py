"""The tasks the tray offers, typed-text matching, the CLI's TASK argument and the type of work."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers.contract import validate_request
from tests.unit.awork_json import COLLEAGUE, ME, entry_json, project_json, task_json, type_json, uid
from tray_app.awork.models import TimeTracking
from tray_app.awork.task_models import SearchResults, Task, TypeOfWork
from tray_app.core.task_match import filter_choices, resolve_task, search_term, with_found
from tray_app.core.tasks import (
    ASSIGNED_MAX,
    RECENT_MAX,
    TaskChoice,
    TaskMenu,
    TaskSource,
    choice_of_entry,
    choice_of_task,
    choices_of_search,
    choose_type_of_work,
    task_menu,
)

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
MY_ID = uid(f"user:{ME}")
WEB = project_json("WEB", "Website")
APP = project_json("APP", "Mobile app", billable=False)
CLOSED = project_json("OLD", "Old site", status="closed")


def task(slug: str, name: str, **kwargs: Any) -> dict[str, Any]:
    return task_json(slug, name, **kwargs)


def parsed_task(raw: dict[str, Any]) -> Task:
    return Task.model_validate(raw)


def worked(
    name: str, raw_task: dict[str, Any] | None, hours_ago: float, **kwargs: Any
) -> TimeTracking:
    """A finished entry on ``raw_task`` that started ``hours_ago`` before NOW and lasted 30 min."""
    start = NOW - timedelta(hours=hours_ago)
    data = entry_json(name, start, end=start + timedelta(minutes=30), task=raw_task, **kwargs)
    return TimeTracking.model_validate(data)


def menu(
    *,
    favourites: tuple[str, ...] = (),
    entries: tuple[TimeTracking, ...] = (),
    assigned: tuple[dict[str, Any], ...] = (),
    known: tuple[dict[str, Any], ...] = (),
) -> TaskMenu:
    return task_menu(
        favourite_ids=favourites,
        entries=entries,
        assigned=[parsed_task(t) for t in assigned],
        user_id=MY_ID,
        now=NOW,
        known=[parsed_task(t) for t in known],
    )


def names(choices: tuple[TaskChoice, ...] | list[TaskChoice]) -> list[str]:
    return [c.name for c in choices]


LOGO = task("logo", "Create logo concept", number=12)
SITEMAP = task("sitemap", "Write the sitemap", number=2)
LOGIN = task("login", "Login screen", number=7, project=APP)
MAIL = task("mail", "Answer mail", no_project=True, number=None)


# --- labels and JSON ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        (LOGO, "WEB-12 Create logo concept · Website"),
        (task("x", "No number", number=None), "No number · Website"),
        (MAIL, "Answer mail"),
        (task("blank", "  ", number=4), "WEB-4 · Website"),
    ],
)
def test_a_task_reads_name_and_project_with_its_identifier(raw: dict[str, Any], label: str) -> None:
    assert choice_of_task(parsed_task(raw), TaskSource.ASSIGNED).label() == label


def test_a_task_with_neither_name_nor_identifier_shows_its_id() -> None:
    raw = task("blank", "", number=None, no_project=True)

    assert choice_of_task(parsed_task(raw), TaskSource.ASSIGNED).label() == uid("task:blank")


def test_the_json_of_a_task_has_what_the_cli_promises() -> None:
    choice = choice_of_task(parsed_task(LOGIN), TaskSource.ASSIGNED)

    data = json.loads(json.dumps(choice.as_json()))

    assert data["id"] == uid("task:login")
    assert data["name"] == "Login screen"
    assert data["identifier"] == "APP-7"
    assert data["project"] == "Mobile app"
    assert data["source"] == "assigned"


# --- the menu's sections ------------------------------------------------------------------------


def test_nothing_known_gives_an_empty_menu() -> None:
    assert menu() == TaskMenu()
    assert menu(favourites=(uid("task:gone"),)).missing_favourites == (uid("task:gone"),)


def test_favourites_then_recent_then_assigned() -> None:
    result = menu(
        favourites=(LOGIN["id"],),
        entries=(worked("e1", SITEMAP, 2),),
        assigned=(LOGIN, LOGO),
    )

    assert names(result.favourites) == ["Login screen"]
    assert names(result.recent) == ["Write the sitemap"]
    assert names(result.assigned) == ["Create logo concept"]
    assert [c.source for c in result.all()] == [
        TaskSource.FAVOURITE,
        TaskSource.RECENT,
        TaskSource.ASSIGNED,
    ]


def test_favourites_keep_the_order_they_were_pinned_in_and_appear_once() -> None:
    result = menu(
        favourites=(SITEMAP["id"], LOGO["id"], SITEMAP["id"]),
        assigned=(LOGO, SITEMAP),
    )

    assert names(result.favourites) == ["Write the sitemap", "Create logo concept"]
    assert result.assigned == ()


def test_a_favourite_is_known_from_an_entry_when_no_task_list_has_it() -> None:
    result = menu(favourites=(LOGO["id"],), entries=(worked("e1", LOGO, 30 * 24),))

    (favourite,) = result.favourites
    assert favourite.label() == "WEB-12 Create logo concept · Website"
    assert favourite.type_of_work_id == uid("type:design")


def test_a_favourite_read_by_id_is_listed_and_no_longer_missing() -> None:
    gone = uid("task:gone")

    before = menu(favourites=(LOGO["id"], gone))
    after = menu(favourites=(LOGO["id"], gone), known=(LOGO,))

    assert before.favourites == ()
    assert before.missing_favourites == (LOGO["id"], gone)
    assert names(after.favourites) == ["Create logo concept"]
    assert after.missing_favourites == (gone,)


def test_a_favourite_stays_pinned_when_done() -> None:
    done = task("done", "Finished thing", status="done")

    assert names(menu(favourites=(done["id"],), known=(done,)).favourites) == ["Finished thing"]


def test_recent_tasks_are_distinct_and_newest_first() -> None:
    entries = (
        worked("e1", LOGO, 50),
        worked("e2", SITEMAP, 5),
        worked("e3", LOGO, 1),
        worked("e4", LOGIN, 3),
        worked("e5", SITEMAP, 2),
    )

    # Listed in no order: the newest entry decides.
    result = menu(entries=tuple(reversed(entries)))

    assert names(result.recent) == ["Create logo concept", "Write the sitemap", "Login screen"]


def test_recent_leaves_out_done_tasks_closed_projects_and_entries_without_a_task() -> None:
    done = task("done", "Finished thing", status="done")
    closed = task("closed", "Archived site", project=CLOSED)

    result = menu(
        entries=(
            worked("e1", done, 1),
            worked("e2", closed, 2),
            worked("e3", None, 3),
            worked("e4", LOGO, 4),
        )
    )

    assert names(result.recent) == ["Create logo concept"]


def test_recent_counts_only_the_persons_own_entries() -> None:
    result = menu(entries=(worked("e1", LOGO, 1, user=COLLEAGUE), worked("e2", SITEMAP, 2)))

    assert names(result.recent) == ["Write the sitemap"]


def test_recent_covers_the_last_14_days_only() -> None:
    result = menu(
        entries=(
            worked("e1", LOGO, 14 * 24 - 0.5),
            worked("e2", SITEMAP, 14 * 24 + 0.5),
        )
    )

    assert names(result.recent) == ["Create logo concept"]


def test_at_most_8_recent_tasks_after_the_favourites_are_taken_out() -> None:
    tasks = [task(f"t{n}", f"Task {n}", number=n) for n in range(12)]
    entries = tuple(worked(f"e{n}", t, n + 1) for n, t in enumerate(tasks))

    result = menu(favourites=(tasks[0]["id"],), entries=entries)

    assert names(result.favourites) == ["Task 0"]
    assert names(result.recent) == [f"Task {n}" for n in range(1, 1 + RECENT_MAX)]


def test_assigned_tasks_are_open_in_open_projects_at_most_10_in_awork_order() -> None:
    open_ones = [task(f"a{n}", f"Assigned {n}", number=n) for n in range(12)]
    assigned = (
        task("done", "Done one", status="done"),
        task("closed", "Closed one", project=CLOSED),
        *open_ones,
    )

    result = menu(assigned=assigned)

    assert names(result.assigned) == [f"Assigned {n}" for n in range(ASSIGNED_MAX)]


def test_a_task_both_recent_and_assigned_is_listed_once_as_recent() -> None:
    result = menu(entries=(worked("e1", LOGO, 1),), assigned=(LOGO, SITEMAP))

    assert names(result.recent) == ["Create logo concept"]
    assert names(result.assigned) == ["Write the sitemap"]


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        task_menu(
            favourite_ids=(), entries=(), assigned=(), user_id=MY_ID, now=datetime(2026, 1, 1)
        )


_slugs = st.sampled_from([f"t{n}" for n in range(15)])


@given(
    favourites=st.lists(_slugs, max_size=6),
    worked_on=st.lists(st.tuples(_slugs, st.floats(0, 20 * 24), st.booleans()), max_size=25),
    assigned=st.lists(_slugs, max_size=20),
    done=st.sets(_slugs),
)
def test_the_menu_never_repeats_a_task_nor_passes_its_caps(
    favourites: list[str],
    worked_on: list[tuple[str, float, bool]],
    assigned: list[str],
    done: set[str],
) -> None:
    def raw(slug: str) -> dict[str, Any]:
        return task(slug, f"Task {slug}", status="done" if slug in done else "todo")

    entries = tuple(
        worked(f"e{n}", raw(slug), hours, user=ME if mine else COLLEAGUE)
        for n, (slug, hours, mine) in enumerate(worked_on)
    )
    result = menu(
        favourites=tuple(uid(f"task:{s}") for s in favourites),
        entries=entries,
        assigned=tuple(raw(s) for s in assigned),
    )

    ids = [c.id for c in result.all()]
    assert len(ids) == len(set(ids))
    assert len(result.recent) <= RECENT_MAX
    assert len(result.assigned) <= ASSIGNED_MAX
    assert all(uid(f"task:{s}") not in {c.id for c in result.recent} for s in done)
    assert set(result.missing_favourites).isdisjoint(c.id for c in result.favourites)


# --- typing to filter, and search ---------------------------------------------------------------

OFFERED = [
    choice_of_task(parsed_task(t), TaskSource.ASSIGNED) for t in (LOGO, SITEMAP, LOGIN, MAIL)
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["Create logo concept", "Write the sitemap", "Login screen", "Answer mail"]),
        ("   ", ["Create logo concept", "Write the sitemap", "Login screen", "Answer mail"]),
        ("LOGO", ["Create logo concept"]),
        ("concept create", ["Create logo concept"]),
        ("web-2", ["Write the sitemap"]),
        ("web", ["Create logo concept", "Write the sitemap"]),
        ("mobile", ["Login screen"]),
        ("lo", ["Create logo concept", "Login screen"]),
        ("logo mobile", []),
        ("xyz", []),
    ],
)
def test_typing_filters_on_name_identifier_and_project(text: str, expected: list[str]) -> None:
    assert names(filter_choices(OFFERED, text)) == expected


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("", None),
        ("l", None),
        (" l ", None),
        ("lo", "lo"),
        ("  logo   concept ", "logo concept"),
        ("x" * 80, "x" * 50),
    ],
)
def test_search_starts_at_two_characters_and_sends_at_most_50(text: str, term: str | None) -> None:
    assert search_term(text) == term


def found(slug: str, name: str, *, is_open: bool = True, closed: bool = False) -> dict[str, Any]:
    project = CLOSED if closed else WEB
    return {
        "id": uid(f"task:{slug}"),
        "name": name,
        "taskIdentifier": None,
        "isOpen": is_open,
        "projectId": project["id"],
        "project": {"id": project["id"], "name": project["name"], **_status(project)},
    }


def _status(project: dict[str, Any]) -> dict[str, Any]:
    return {"projectStatus": project["projectStatus"], "isBillableByDefault": True}


def results(*entities: dict[str, Any]) -> SearchResults:
    return SearchResults.model_validate({"taskHits": {"hits": [{"entity": e} for e in entities]}})


def test_search_results_leave_out_closed_ones_and_repeat_none() -> None:
    answer = results(
        found("logo", "Create logo concept"),
        found("old", "Old logo", is_open=False),
        found("gone", "Logo of the old site", closed=True),
        found("logo", "Create logo concept"),
        found("new", "New logo"),
    )

    choices = choices_of_search(answer)

    assert names(choices) == ["Create logo concept", "New logo"]
    assert {c.source for c in choices} == {TaskSource.SEARCH}
    assert all(c.type_of_work_id is None for c in choices)  # read the task before starting it


def test_search_results_follow_the_local_matches_without_repeating_them() -> None:
    local = filter_choices(OFFERED, "logo")

    merged = with_found(local, choices_of_search(results(found("logo", "x"), found("new", "New"))))

    assert names(merged) == ["Create logo concept", "New"]
    assert merged[0].source is TaskSource.ASSIGNED


# --- the command line's TASK --------------------------------------------------------------------

ALIKE = [
    *OFFERED,
    choice_of_task(parsed_task(task("design", "Design", number=30)), TaskSource.RECENT),
    choice_of_task(parsed_task(task("review", "Design review", number=31)), TaskSource.RECENT),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (uid("task:login"), ["Login screen"]),
        (uid("task:login").upper(), ["Login screen"]),
        ("web-12", ["Create logo concept"]),
        ("  WEB-12 ", ["Create logo concept"]),
        ("logo", ["Create logo concept"]),
        ("sitemap write", ["Write the sitemap"]),
        ("mobile app", ["Login screen"]),
        ("design", ["Design"]),  # a name equal to the text wins over names containing it
        ("DESIGN   review", ["Design review"]),
        ("web", ["Create logo concept", "Write the sitemap", "Design", "Design review"]),
        ("des", ["Design", "Design review"]),
        ("nothing like it", []),
        ("", []),
        ("WEB-99", []),
    ],
)
def test_the_task_argument_names_one_several_or_none(text: str, expected: list[str]) -> None:
    assert names(resolve_task(text, ALIKE)) == expected


def test_a_task_in_several_sources_is_one_candidate_from_the_first() -> None:
    favourite = choice_of_task(parsed_task(LOGO), TaskSource.FAVOURITE)
    searched = choices_of_search(results(found("logo", "Create logo concept")))

    (only,) = resolve_task("logo", [favourite, *OFFERED, *searched])

    assert only.source is TaskSource.FAVOURITE


# --- the type of work ---------------------------------------------------------------------------


def types(*items: dict[str, Any]) -> list[TypeOfWork]:
    return [TypeOfWork.model_validate(t) for t in items]


def choose(
    raw: dict[str, Any],
    entries: tuple[TimeTracking, ...] = (),
    project_types: list[TypeOfWork] | None = None,
) -> str | None:
    choice = choice_of_task(parsed_task(raw), TaskSource.ASSIGNED)
    return choose_type_of_work(
        choice, entries=entries, user_id=MY_ID, project_types=project_types or []
    )


def test_the_tasks_own_type_comes_first() -> None:
    entries = (worked("e1", SITEMAP, 1, type_of_work="meeting"),)

    assert choose(LOGO, entries, types(type_json("code"))) == uid("type:design")


def test_without_its_own_type_the_one_last_used_on_the_project() -> None:
    untyped = task("untyped", "Untyped", type_of_work=None)
    entries = (
        worked("e1", SITEMAP, 30, type_of_work="meeting"),
        worked("e2", SITEMAP, 2, type_of_work="copywriting"),
        worked("e3", LOGIN, 1, type_of_work="code"),  # another project
        worked("e4", LOGO, 0.5, type_of_work="travel", user=COLLEAGUE),  # another person
    )

    assert choose(untyped, entries, types(type_json("design"))) == uid("type:copywriting")


def test_an_archived_own_type_is_passed_over() -> None:
    stale = task("stale", "Stale type", type_of_work="legacy", type_archived=True)

    assert choose(stale, (), types(type_json("code"))) == uid("type:code")


def test_an_own_type_the_project_lists_as_archived_is_passed_over() -> None:
    found_choice = choice_of_entry(worked("e1", LOGO, 1, type_of_work="legacy"), TaskSource.RECENT)
    assert found_choice is not None

    chosen = choose_type_of_work(
        found_choice,
        entries=(),
        user_id=MY_ID,
        project_types=types(type_json("design", archived=True), type_json("code")),
    )

    assert chosen == uid("type:code")


def test_a_type_last_used_but_archived_since_is_passed_over() -> None:
    untyped = task("untyped", "Untyped", type_of_work=None)
    entries = (
        worked("e1", SITEMAP, 1, type_of_work="legacy", type_archived=True),
        worked("e2", SITEMAP, 3, type_of_work="retired"),
        worked("e3", SITEMAP, 5, type_of_work="copywriting"),
    )
    project_types = types(type_json("retired", archived=True), type_json("design"))

    assert choose(untyped, entries, project_types) == uid("type:copywriting")


def test_else_the_projects_first_active_type() -> None:
    untyped = task("untyped", "Untyped", type_of_work=None)
    project_types = types(type_json("legacy", archived=True), type_json("code"), type_json("qa"))

    assert choose(untyped, (), project_types) == uid("type:code")


def test_a_project_with_no_active_type_gives_none() -> None:
    untyped = task("untyped", "Untyped", type_of_work=None)

    assert choose(untyped, (), types(type_json("legacy", archived=True))) is None
    assert choose(untyped, (), []) is None


def test_a_private_task_takes_the_first_active_type_of_those_given() -> None:
    private = task("private", "Private", no_project=True, type_of_work=None)
    entries = (worked("e1", SITEMAP, 1, type_of_work="meeting"),)

    assert choose(private, entries, types(type_json("admin"))) == uid("type:admin")


# --- the start form -----------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "billable"), [(LOGO, True), (LOGIN, False), (MAIL, None)])
def test_a_start_sends_the_task_its_project_and_billable_default(
    raw: dict[str, Any], billable: bool | None
) -> None:
    choice = choice_of_task(parsed_task(raw), TaskSource.RECENT)

    form = choice.start_form(type_of_work_id=uid("type:design"), timezone="Europe/Berlin", note="")
    body = json.dumps(form.to_json()).encode()

    validate_request(
        "POST",
        "/api/v1/me/timetracking/start",
        headers={"authorization": "Bearer t", "content-type": "application/json"},
        body=body,
    )
    sent = json.loads(body)
    assert sent.get("taskId") == raw["id"]
    assert sent.get("projectId") == raw["projectId"]
    assert sent.get("isBillable") == billable
    assert "note" not in sent


# --- no Qt, no HTTP, no pydantic before it is needed --------------------------------------------


def test_the_task_and_today_logic_imports_without_qt_httpx_or_pydantic() -> None:
    code = (
        "import sys\n"
        "sys.modules['PySide6'] = None\n"
        "sys.modules['httpx'] = None\n"
        "import tray_app.core.tasks, tray_app.core.task_match, tray_app.core.today\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'httpx', 'pydantic'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['PySide6', 'httpx']"  # only the blocked placeholders
