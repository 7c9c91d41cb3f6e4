"""``awork-tray tasks|start|today|note`` end to end against the sandbox.

What is checked is what a script or a person sees (stdout, stderr, the exit code of the contract)
and what the sandbox received and holds afterwards. The favourites come from a settings file in
the test's own config folder (``XDG_CONFIG_HOME``, set by the shared conftest).
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.helpers.sandbox_view import timer_state
from tests.integration.test_cli import (
    SEEDED_ELAPSED,
    Run,
    awork_tray,
    cli,
    one_error_line,
    run_process,
    sandbox,
    sent,
)
from tray_app.sandbox import Fault, Sandbox
from tray_app.sandbox.seed import SeedTask

__all__ = ["sandbox"]  # the fixture, shared with test_cli.py

BERLIN = ZoneInfo("Europe/Berlin")
START = ("POST", "/me/timetracking/start")
JSON_KEYS = {"id", "name", "identifier", "project", "source"}


def seed_task(sb: Sandbox, identifier: str) -> SeedTask:
    return next(t for t in sb.seed.tasks if t.task_identifier == identifier)


def pin(*task_ids: str) -> Path:
    """Write the settings file the person would have after pinning ``task_ids``."""
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "awork-tray"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "settings.json"
    path.write_text(json.dumps({"favourites": list(task_ids)}), encoding="utf-8")
    return path


def start_bodies(sb: Sandbox) -> list[dict[str, Any]]:
    return [
        json.loads(r.body)
        for r in sb.requests
        if (r.method, r.path) == ("POST", f"/api/v1{START[1]}")
    ]


def listed(run: Run) -> list[dict[str, Any]]:
    assert run.code == 0, run.err
    tasks: list[dict[str, Any]] = json.loads(run.out)
    return tasks


# --- tasks --------------------------------------------------------------------------------------


def test_tasks_json_lists_recent_then_assigned_each_once(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks = listed(awork_tray(sandbox, "tasks", "--json", capsys=capsys))

    assert tasks and all(set(task) >= JSON_KEYS for task in tasks)
    sources = [task["source"] for task in tasks]
    assert sources == sorted(sources, key=["favourite", "recent", "assigned"].index)
    assert {"recent", "assigned"} <= set(sources)
    assert len({task["id"] for task in tasks}) == len(tasks)
    web1 = next(task for task in tasks if task["identifier"] == "WEB-1")
    assert (web1["name"], web1["project"]) == ("Design the landing page", "Website Relaunch")
    assert all(method == "GET" for method, _ in sent(sandbox))


def test_tasks_in_plain_text_one_a_line(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    as_json = listed(awork_tray(sandbox, "tasks", "--json", capsys=capsys))
    plain = awork_tray(sandbox, "tasks", capsys=capsys)

    lines = plain.out.splitlines()
    assert len(lines) == len(as_json)
    first = as_json[0]
    assert first["source"] in lines[0] and first["name"] in lines[0] and first["id"] in lines[0]


def test_favourites_come_first_from_the_settings_file(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    theirs = seed_task(sandbox, "WEB-14")  # the colleague's: in none of the person's lists
    pin(theirs.id)

    tasks = listed(awork_tray(sandbox, "tasks", "--json", capsys=capsys))

    assert (tasks[0]["id"], tasks[0]["source"]) == (theirs.id, "favourite")
    assert [task["source"] for task in tasks].count("favourite") == 1


def test_search_filters_the_lists_and_adds_awork_s_hits(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks = listed(awork_tray(sandbox, "tasks", "--search", "website", "--json", capsys=capsys))

    assert tasks and all(task["project"] == "Website Relaunch" for task in tasks)
    found = {task["identifier"]: task["source"] for task in tasks}
    assert found["WEB-14"] == "search"  # the colleague's task: only awork's search has it
    assert found["WEB-1"] == "recent"
    assert "WEB-13" not in found  # done
    assert ("GET", "/search") in sent(sandbox)


# --- start --------------------------------------------------------------------------------------


def test_start_by_identifier_in_any_case(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    web2 = seed_task(sandbox, "WEB-2")

    run = awork_tray(sandbox, "start", "web-2", "--note", "Site map", capsys=capsys)

    assert run.code == 0, run.err
    assert run.out == f"Started: Running 0:00:00 · {web2.name} · Website Relaunch\n"
    (body,) = start_bodies(sandbox)
    assert (body["taskId"], body["typeOfWorkId"], body["note"]) == (
        web2.id,
        web2.type_of_work_id,
        "Site map",
    )
    assert timer_state(sandbox) == "running"
    assert sandbox.current_entry()["taskId"] == web2.id  # type: ignore[index]


def test_start_json_is_status_s_with_the_result(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    run = awork_tray(sandbox, "start", "contact form", "--json", capsys=capsys)

    assert run.code == 0, run.err
    result = json.loads(run.out)
    assert result["result"] == "started"
    assert (result["state"], result["task"]) == ("running", "Build the contact form")
    assert result["entry_id"] == sandbox.current_entry()["id"]  # type: ignore[index]
    assert 0 <= result["elapsed_seconds"] <= 2


def test_start_by_the_id_of_a_task_in_no_list_reads_it(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    theirs = seed_task(sandbox, "WEB-14")

    run = awork_tray(sandbox, "start", theirs.id.upper(), capsys=capsys)

    assert run.code == 0, run.err
    assert sandbox.current_entry()["taskId"] == theirs.id  # type: ignore[index]
    assert len(start_bodies(sandbox)) == 1


def test_several_matches_are_listed_and_nothing_starts(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    run = awork_tray(sandbox, "start", "web", capsys=capsys)

    assert run.code == 1
    (line,) = run.err.splitlines()
    assert line.startswith("awork-tray: 'web' matches ") and "nothing started" in line
    candidates = run.out.splitlines()
    assert len(candidates) >= 2
    ids = [re.search(r"\[([0-9a-f-]{36})\]$", c).group(1) for c in candidates]  # type: ignore[union-attr]
    assert seed_task(sandbox, "WEB-1").id in ids and seed_task(sandbox, "WEB-2").id in ids
    assert START not in sent(sandbox)
    assert timer_state(sandbox) == "paused"


def test_several_matches_in_json_are_the_candidates(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    run = awork_tray(sandbox, "start", "mobile app", "--json", capsys=capsys)

    assert run.code == 1
    assert len(run.err.splitlines()) == 1
    candidates = json.loads(run.out)
    assert len(candidates) >= 2 and all(c["project"] == "Mobile App" for c in candidates)


@pytest.mark.parametrize("as_json", [False, True], ids=["plain", "json"])
def test_no_match_exits_1_and_nothing_starts(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    extra = ["--json"] if as_json else []
    run = awork_tray(sandbox, "start", "quantum teleporter", *extra, capsys=capsys)

    assert run.code == 1
    assert "no task matches 'quantum teleporter'" in one_error_line(run)
    assert START not in sent(sandbox)
    assert timer_state(sandbox) == "paused"


@pytest.mark.expect_log("WARNING", r"refused: status=", logger="tray_app.awork.http")
def test_a_refused_start_says_awork_s_words_and_changes_nothing(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    closed = seed_task(sandbox, "BRD-2")  # of the closed project: the workspace forbids it
    pin(closed.id)
    before = sandbox.current_entry()

    run = awork_tray(sandbox, "start", "brd-2", capsys=capsys)

    assert run.code == 1
    assert "closed" in one_error_line(run)
    assert sandbox.current_entry() == before


# --- today --------------------------------------------------------------------------------------


def own_finished_today(sb: Sandbox) -> tuple[int, int]:
    """Seconds and count of the person's finished entries that started today in Berlin."""
    headers = {"Authorization": f"Bearer {sb.token}"}
    answer = httpx.get(
        f"{sb.url}/timeentries", params={"pageSize": 1000}, headers=headers, timeout=5
    )
    day = datetime.now(BERLIN).strftime("%Y-%m-%d")
    finished = [
        e
        for e in answer.json()
        if e["userId"] == sb.user_id and e["startDateLocal"].startswith(day) and e["endDateUtc"]
    ]
    return sum(e["duration"] for e in finished), len(finished)


def test_today_json_is_the_person_s_own_total(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    finished, count = own_finished_today(sandbox)

    run = awork_tray(sandbox, "today", "--json", capsys=capsys)

    assert run.code == 0, run.err
    today = json.loads(run.out)
    assert set(today) == {"total_seconds", "capacity_seconds", "entries", "running"}
    assert today["total_seconds"] == finished + SEEDED_ELAPSED  # the paused timer stands still
    assert today["entries"] == count + 1
    assert today["running"] is False
    weekday_capacity = sandbox.seed.weekly_capacity[datetime.now(BERLIN).weekday()]
    assert today["capacity_seconds"] == (weekday_capacity or None)


def test_today_in_plain_text(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    sandbox.other_client.resume()

    run = awork_tray(sandbox, "today", capsys=capsys)

    assert run.code == 0, run.err
    assert re.fullmatch(r"Today \d+:\d\d( of \d+:\d\d)?\n", run.out), run.out


# --- note ---------------------------------------------------------------------------------------


def test_note_sets_the_paused_timer_s_note(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    run = awork_tray(sandbox, "note", "Hero section, second pass", "--json", capsys=capsys)

    assert run.code == 0, run.err
    result = json.loads(run.out)
    assert (result["result"], result["state"]) == ("noted", "paused")
    assert sandbox.current_entry()["note"] == "Hero section, second pass"  # type: ignore[index]
    assert timer_state(sandbox) == "paused"


@pytest.mark.parametrize("as_json", [False, True], ids=["plain", "json"])
def test_note_without_a_running_or_paused_timer_exits_1(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    sandbox.other_client.stop()
    sandbox.clear_requests()

    run = awork_tray(sandbox, "note", "Too late", *(["--json"] if as_json else []), capsys=capsys)

    assert run.code == 1
    assert "No running or paused timer" in one_error_line(run)
    assert [method for method, _ in sent(sandbox)] == ["GET"]


@pytest.mark.expect_log("WARNING", r"refused: status=", logger="tray_app.awork.http")
def test_a_refused_note_says_why_and_the_old_note_stays(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sandbox.current_entry()
    assert before is not None
    why = "Time entries of this project are locked."
    sandbox.inject("PUT", f"/timeentries/{before['id']}", Fault.status(400, None, why))

    run = awork_tray(sandbox, "note", "Something else", capsys=capsys)

    assert run.code == 1
    assert why in one_error_line(run)
    assert sandbox.current_entry()["note"] == before["note"]  # type: ignore[index]


def test_the_task_commands_as_a_real_process(sandbox: Sandbox, tmp_path: Path) -> None:
    tasks = run_process("tasks", "--json", "--base-url", sandbox.url, cwd=tmp_path)
    start = run_process("start", "WEB-1", "--base-url", sandbox.url, cwd=tmp_path)

    assert tasks.code == 0 and json.loads(tasks.out)
    assert start.code == 0, start.err
    assert start.out.startswith("Started: Running ")


# --- awork failing ------------------------------------------------------------------------------


@pytest.mark.expect_log(
    "WARNING", r"refused: status=|failed: |malformed answer", logger="tray_app.awork"
)
@pytest.mark.parametrize(
    ("command", "path", "fault", "code"),
    [
        (("tasks",), "/timeentries", Fault.status(503), 4),
        (("tasks", "--search", "web"), "/search", Fault.malformed(), 4),
        (("start", "landing"), "/me/assignedtasks", Fault.drop(), 4),
        (("today", "--json"), "/timeentries", Fault.expired_token(), 3),
        (("note", "x"), "/me/timeentries/last", Fault.status(503), 4),
    ],
    ids=["tasks-503", "search-malformed", "start-dropped", "today-401", "note-503"],
)
def test_awork_failing_is_one_line_and_the_contract_s_exit_code(
    sandbox: Sandbox,
    capsys: pytest.CaptureFixture[str],
    command: tuple[str, ...],
    path: str,
    fault: Fault,
    code: int,
) -> None:
    before = sandbox.current_entry()
    sandbox.inject("GET", path, fault)

    run = awork_tray(sandbox, *command, capsys=capsys)

    assert run.code == code
    one_error_line(run)
    assert START not in sent(sandbox)
    assert sandbox.current_entry() == before


def test_the_task_commands_against_awork_tray_sandbox(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The issue's contract, against the stand-in server as a person runs it."""
    lines: queue.Queue[str] = queue.Queue()
    with subprocess.Popen(
        [sys.executable, "-m", "tray_app", "sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
        cwd=tmp_path,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        stdout = process.stdout
        reader = threading.Thread(target=lambda: [lines.put(line) for line in stdout])
        reader.start()
        try:
            printed = lines.get(timeout=20) + lines.get(timeout=5)
            url = re.search(r"http://127\.0\.0\.1:\d+/api/v1", printed)
            token = re.search(r"token\W+(\S+)", printed)
            assert url is not None and token is not None, printed
            monkeypatch.setenv("AWORK_TOKEN", token[1])

            tasks = listed(cli(capsys, "tasks", "--json", "--base-url", url[0]))
            started = cli(capsys, "start", "WEB-2", "--json", "--base-url", url[0])
            noted = cli(capsys, "note", "Site map", "--base-url", url[0])
            today = cli(capsys, "today", "--json", "--base-url", url[0])
        finally:
            process.terminate()
            code = process.wait(timeout=10)
            reader.join(timeout=10)
        errors = process.stderr.read()

    assert any(task["identifier"] == "WEB-2" for task in tasks)
    assert started.code == 0 and json.loads(started.out)["result"] == "started"
    assert noted.code == 0 and noted.out.startswith("Note set: Running ")
    assert today.code == 0 and json.loads(today.out)["running"] is True
    assert code == 0 and "Traceback" not in errors
