"""``awork-tray status|resume|pause|stop`` end to end against the sandbox; ``awork-tray sandbox``.

What is checked is what a script or a person sees (stdout, stderr, the exit code of the contract:
0 done, 1 awork said no or nothing to act on, 2 usage, 3 not signed in, 4 unreachable) and what the
sandbox received. Most runs call ``main()`` in-process; a few run the real command as a process.
"""

from __future__ import annotations

import json
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import platformdirs
import pytest

from tests.helpers.ports import free_port
from tests.helpers.sandbox_view import timer_state
from tray_app import logs
from tray_app.cli import main
from tray_app.sandbox import Fault, Sandbox

TASK = "Design the landing page"
PROJECT = "Website Relaunch"
LAST = "/me/timeentries/last"
# The seeded timer: started 47 min ago, one 8-minute break, paused 2 minutes ago: 37 min worked.
SEEDED_ELAPSED = 37 * 60


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    with Sandbox() as sb:
        monkeypatch.setenv("AWORK_TOKEN", sb.token)
        yield sb


def assert_clean(run: Run, secrets: tuple[str, ...]) -> None:
    """Never a traceback; never a token, on either stream."""
    assert "Traceback" not in run.err
    assert "Traceback" not in run.out
    for secret in secrets:
        assert secret not in run.out
        assert secret not in run.err


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    """Run ``awork-tray ARGS`` in-process, as the console script does (SystemExit included).

    The command takes AWORK_TOKEN out of the environment; it is put back afterwards, since each
    real run is a process of its own that inherits it from the shell.
    """
    capsys.readouterr()
    token = os.environ.get("AWORK_TOKEN")
    try:
        code = main(list(args))
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        if token is not None:
            os.environ["AWORK_TOKEN"] = token
    out, err = capsys.readouterr()
    run = Run(code, out, err)
    assert_clean(run, (token,) if token else ())
    return run


def awork_tray(sb: Sandbox, command: str, *args: str, capsys: pytest.CaptureFixture[str]) -> Run:
    """``awork-tray COMMAND --base-url <sandbox> ARGS`` in-process."""
    return cli(capsys, command, "--base-url", sb.url, *args)


def one_error_line(run: Run) -> str:
    """The single line on stderr, which is all a failing command may print."""
    assert run.out == ""
    lines = run.err.splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith("awork-tray: ")
    return lines[0]


def sent(sb: Sandbox) -> list[tuple[str, str]]:
    return [(r.method, r.path.removeprefix("/api/v1")) for r in sb.requests]


def elapsed_of(line: str) -> int:
    match = re.search(r"\b(\d+):(\d{2}):(\d{2})\b", line)
    assert match is not None, line
    hours, minutes, seconds = (int(part) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


# --- status -------------------------------------------------------------------------------------


def test_status_shows_the_paused_timer(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    run = awork_tray(sandbox, "status", capsys=capsys)

    assert run.code == 0
    assert run.out == f"Paused at 0:37:00 · {TASK} · {PROJECT}\n"
    assert run.err == ""
    assert sent(sandbox) == [("GET", LAST)]


def test_status_json_for_scripts(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    run = awork_tray(sandbox, "status", "--json", capsys=capsys)

    assert run.code == 0
    status = json.loads(run.out)
    assert status["state"] == "paused"
    assert status["elapsed_seconds"] == SEEDED_ELAPSED
    assert status["task"] == TASK


def test_status_json_of_a_running_timer_counts_on(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.other_client.resume()

    status = json.loads(awork_tray(sandbox, "status", "--json", capsys=capsys).out)

    assert status["state"] == "running"
    assert SEEDED_ELAPSED <= status["elapsed_seconds"] <= SEEDED_ELAPSED + 5


def test_status_json_of_a_stopped_timer(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.other_client.stop()

    status = json.loads(awork_tray(sandbox, "status", "--json", capsys=capsys).out)

    assert status["state"] == "stopped"
    assert SEEDED_ELAPSED <= status["elapsed_seconds"] <= SEEDED_ELAPSED + 5


def test_status_when_nothing_was_ever_tracked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Sandbox(paused_timer=False) as sb:
        monkeypatch.setenv("AWORK_TOKEN", sb.token)
        text = awork_tray(sb, "status", capsys=capsys)
        as_json = awork_tray(sb, "status", "--json", capsys=capsys)

    assert text.code == as_json.code == 0
    assert "No timer" in text.out
    status = json.loads(as_json.out)
    assert (status["state"], status["elapsed_seconds"]) == ("none", 0)


# --- resume, pause, stop ------------------------------------------------------------------------


def test_resume_a_paused_timer(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    run = awork_tray(sandbox, "resume", capsys=capsys)

    assert run.code == 0
    assert run.out.startswith("Resumed: Running ")
    assert TASK in run.out
    assert SEEDED_ELAPSED <= elapsed_of(run.out) <= SEEDED_ELAPSED + 5
    assert sent(sandbox) == [("GET", LAST), ("POST", "/me/timetracking/resume")]
    assert timer_state(sandbox) == "running"


def test_resume_json_reports_the_new_state(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    run = awork_tray(sandbox, "resume", "--json", capsys=capsys)

    assert run.code == 0
    result = json.loads(run.out)
    assert result["state"] == "running"
    assert SEEDED_ELAPSED <= result["elapsed_seconds"] <= SEEDED_ELAPSED + 5


def test_resume_a_running_timer_changes_nothing(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.other_client.resume()
    sandbox.clear_requests()

    run = awork_tray(sandbox, "resume", capsys=capsys)

    assert run.code == 0
    assert run.out.startswith("Already running")
    assert TASK in run.out
    assert sent(sandbox) == [("GET", LAST)]


@pytest.mark.parametrize("paused_timer", [True, False], ids=["stopped", "never-tracked"])
def test_resume_with_nothing_paused_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], paused_timer: bool
) -> None:
    with Sandbox(paused_timer=paused_timer) as sb:
        monkeypatch.setenv("AWORK_TOKEN", sb.token)
        sb.other_client.stop()
        sb.clear_requests()
        run = awork_tray(sb, "resume", capsys=capsys)

        assert run.code == 1
        assert "Nothing to resume" in one_error_line(run)
        assert sent(sb) == [("GET", LAST)]


def test_pause_a_running_timer(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    sandbox.other_client.resume()

    run = awork_tray(sandbox, "pause", capsys=capsys)

    assert run.code == 0
    assert run.out.startswith("Paused: Paused at ")
    assert TASK in run.out
    assert timer_state(sandbox) == "paused"


def test_pause_a_paused_timer_changes_nothing(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    run = awork_tray(sandbox, "pause", capsys=capsys)

    assert run.code == 0
    assert run.out.startswith("Already paused")
    assert sent(sandbox) == [("GET", LAST)]


def test_pause_a_stopped_timer_says_there_is_nothing_to_pause(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.other_client.stop()

    run = awork_tray(sandbox, "pause", capsys=capsys)

    assert run.code == 1
    assert "Nothing to pause" in one_error_line(run)


@pytest.mark.parametrize("running", [True, False], ids=["running", "paused"])
def test_stop_a_running_or_paused_timer(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], running: bool
) -> None:
    if running:
        sandbox.other_client.resume()

    run = awork_tray(sandbox, "stop", capsys=capsys)

    assert run.code == 0
    assert run.out.startswith("Stopped: Stopped at ")
    assert TASK in run.out
    assert timer_state(sandbox) == "stopped"


def test_stop_a_stopped_timer_says_there_is_nothing_to_stop(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.other_client.stop()

    run = awork_tray(sandbox, "stop", capsys=capsys)

    assert run.code == 1
    assert "Nothing to stop" in one_error_line(run)
    assert sent(sandbox) == [("GET", LAST)]


def test_a_timer_that_changes_between_look_and_act_is_reported(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    # awork answers 204 to the resume: someone stopped the timer after we looked.
    sandbox.inject("POST", "/me/timetracking/resume", Fault.status(204))

    run = awork_tray(sandbox, "resume", capsys=capsys)

    assert run.code == 1
    assert "Nothing to resume" in one_error_line(run)


# --- failures and their exit codes -----------------------------------------------------------


def test_without_awork_token_it_is_not_signed_in(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AWORK_TOKEN")

    run = awork_tray(sandbox, "resume", capsys=capsys)

    assert run.code == 3
    assert "AWORK_TOKEN" in one_error_line(run)
    assert sandbox.requests == []


@pytest.mark.expect_log(
    "WARNING",
    r"GET /api/v1/me/timeentries/last refused: status=401",
    logger="tray_app.awork.http",
)
def test_a_wrong_token_is_not_signed_in(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWORK_TOKEN", "wrong-token-123456")

    run = awork_tray(sandbox, "status", capsys=capsys)

    assert run.code == 3
    one_error_line(run)
    assert "wrong-token-123456" not in run.err


@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/me/timetracking/resume refused: status=401",
    logger="tray_app.awork.http",
)
def test_an_expired_token_is_not_signed_in(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.inject("POST", "/me/timetracking/resume", Fault.expired_token())

    run = awork_tray(sandbox, "resume", capsys=capsys)

    assert run.code == 3
    one_error_line(run)
    assert timer_state(sandbox) == "paused"


def test_a_token_pasted_with_a_line_break_still_works(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWORK_TOKEN", f"{sandbox.token}\n")

    run = awork_tray(sandbox, "status", capsys=capsys)

    assert run.code == 0
    assert run.out.startswith("Paused at ")


@pytest.mark.expect_log(
    "WARNING", r"GET /api/v1/me/timeentries/last failed: ConnectError", logger="tray_app.awork.http"
)
def test_nothing_listening_is_unreachable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWORK_TOKEN", "some-token-123456")

    run = cli(capsys, "resume", "--base-url", f"http://127.0.0.1:{free_port()}/api/v1")

    assert run.code == 4
    one_error_line(run)


@pytest.mark.parametrize(("method", "path"), [("GET", LAST), ("POST", "/me/timetracking/resume")])
@pytest.mark.expect_log(
    "WARNING", r"(GET|POST) /api/v1/me/\S+ refused: status=503", logger="tray_app.awork.http"
)
def test_a_503_is_unreachable_and_changes_nothing(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], method: str, path: str
) -> None:
    sandbox.inject(method, path, Fault.status(503))

    run = awork_tray(sandbox, "resume", capsys=capsys)

    assert run.code == 4
    one_error_line(run)
    assert timer_state(sandbox) == "paused"


@pytest.mark.parametrize("fault", [Fault.drop(), Fault.malformed()], ids=["drop", "html"])
@pytest.mark.expect_log(
    "WARNING",
    r"GET /api/v1/me/timeentries/last failed: RemoteProtocolError|"
    r"malformed answer to GET /api/v1/me/timeentries/last",
    logger="tray_app.awork",
)
def test_no_usable_answer_is_unreachable(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], fault: Fault
) -> None:
    sandbox.inject("GET", LAST, fault)

    run = awork_tray(sandbox, "status", "--json", capsys=capsys)

    assert run.code == 4
    one_error_line(run)


@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/me/timetracking/resume refused: status=400",
    logger="tray_app.awork.http",
)
def test_a_refusal_shows_awork_s_description(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.inject(
        "POST",
        "/me/timetracking/resume",
        Fault.status(400, "invalid-operation", "You can only resume your own time trackings"),
    )

    run = awork_tray(sandbox, "resume", capsys=capsys)

    assert run.code == 1
    assert one_error_line(run) == "awork-tray: You can only resume your own time trackings"


@pytest.mark.expect_log(
    "WARNING",
    r"GET /api/v1/me/timeentries/last refused: status=429",
    logger="tray_app.awork.http",
)
def test_a_rate_limit_says_when_to_try_again(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.inject("GET", LAST, Fault.rate_limited(reset=30))

    run = awork_tray(sandbox, "pause", capsys=capsys)

    assert run.code == 1
    line = one_error_line(run)
    assert "try again in 30 s" in line


@pytest.mark.parametrize(
    "args",
    [
        ("frobnicate",),
        ("status", "--bogus"),
        ("resume", "now"),
        ("status", "--base-url"),
        ("status", "--base-url", "ftp://example.com/api/v1"),
        ("status", "--base-url", "not a url"),
        ("--base-url", "http://[::1", "status"),
        ("pause", "--base-url", "http://127.0.0.1:99999/api/v1"),
        ("sandbox", "--port", "70000"),
        ("sandbox", "--port", "any"),
        ("--demo", "--sandbox-port", "-1"),
    ],
)
def test_a_usage_error_exits_2(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    run = cli(capsys, *args)

    assert run.code == 2
    assert run.out == ""
    assert run.err.splitlines()[-1].startswith("awork-tray")
    assert "error:" in run.err.splitlines()[-1]
    assert sandbox.requests == []


@pytest.mark.parametrize("before", [True, False], ids=["before", "after"])
def test_base_url_works_before_and_after_the_command(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], before: bool
) -> None:
    args = (
        ("--base-url", sandbox.url, "status", "--json")
        if before
        else ("status", "--json", "--base-url", sandbox.url)
    )

    run = cli(capsys, *args)

    assert run.code == 0
    assert json.loads(run.out)["state"] == "paused"
    assert sent(sandbox) == [("GET", LAST)]


# --- the log ------------------------------------------------------------------------------------


@pytest.mark.expect_log(
    "WARNING",
    r"GET /api/v1/me/timeentries/last refused: status=401",
    logger="tray_app.awork.http",
)
@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/me/timetracking/resume refused: status=400",
    logger="tray_app.awork.http",
)
def test_the_log_keeps_the_trace_id_but_never_the_token(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.inject("POST", "/me/timetracking/resume", Fault.status(400, "invalid-operation", "No."))
    awork_tray(sandbox, "resume", "-v", capsys=capsys)
    awork_tray(sandbox, "pause", "-v", capsys=capsys)
    sandbox.inject("GET", LAST, Fault.expired_token())
    awork_tray(sandbox, "status", "-v", capsys=capsys)
    logs.configure(to_file=False)  # flush and close the file before reading it

    folder = platformdirs.user_log_path("awork-tray", appauthor=False)
    files = [path for path in folder.rglob("*") if path.is_file()]
    text = "".join(path.read_text(encoding="utf-8") for path in files)
    assert text, f"nothing was logged in {folder}"
    assert re.search(r"traceId=[0-9a-f]{32}", text)
    assert "401" in text
    assert sandbox.token not in text


# --- as a real process --------------------------------------------------------------------------


def run_process(*args: str, cwd: Path) -> Run:
    """``python -m tray_app ARGS`` as its own process, with this test's environment."""
    done = subprocess.run(
        [sys.executable, "-m", "tray_app", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=dict(os.environ),
        cwd=cwd,
        timeout=30,
        check=False,
    )
    run = Run(done.returncode, done.stdout, done.stderr)
    token = os.environ.get("AWORK_TOKEN")
    assert_clean(run, (token,) if token else ())
    return run


def test_process_status_and_resume(sandbox: Sandbox, tmp_path: Path) -> None:
    status = run_process("status", "--base-url", sandbox.url, cwd=tmp_path)
    resume = run_process("--base-url", sandbox.url, "resume", cwd=tmp_path)

    assert status.code == 0
    assert status.out == f"Paused at 0:37:00 · {TASK} · {PROJECT}\n"
    assert resume.code == 0
    assert resume.out.startswith("Resumed: Running ")
    assert timer_state(sandbox) == "running"


def test_the_installed_command_prints_json(sandbox: Sandbox, tmp_path: Path) -> None:
    command = Path(sys.executable).parent / "awork-tray"
    done = subprocess.run(
        [str(command), "status", "--json", "--base-url", sandbox.url],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        cwd=tmp_path,
        timeout=30,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["state"] == "paused"


def test_process_failures_exit_with_the_contract_s_codes(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox.inject("GET", LAST, Fault.status(503))
    unavailable = run_process("status", "--base-url", sandbox.url, cwd=tmp_path)
    usage = run_process("status", "--frobnicate", cwd=tmp_path)
    monkeypatch.delenv("AWORK_TOKEN")
    no_token = run_process("pause", "--base-url", sandbox.url, cwd=tmp_path)

    assert (unavailable.code, usage.code, no_token.code) == (4, 2, 3)
    assert len(unavailable.err.splitlines()) == 1
    assert len(no_token.err.splitlines()) == 1
    assert "error:" in usage.err


def test_the_sandbox_command_serves_until_terminated(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines: queue.Queue[str] = queue.Queue()
    with subprocess.Popen(
        [sys.executable, "-m", "tray_app", "sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
        cwd=tmp_path,
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        stdout = process.stdout

        def read_lines() -> None:
            for line in stdout:
                lines.put(line)

        reader = threading.Thread(target=read_lines)
        reader.start()
        try:
            printed = lines.get(timeout=20) + lines.get(timeout=5)
            url = re.search(r"http://127\.0\.0\.1:\d+/api/v1", printed)
            token = re.search(r"token\W+(\S+)", printed)
            assert url is not None, printed
            assert token is not None, printed
            monkeypatch.setenv("AWORK_TOKEN", token[1])

            run = cli(capsys, "status", "--base-url", url[0])

            assert run.code == 0
            assert run.out.startswith("Paused at 0:37:")
        finally:
            process.terminate()
            code = process.wait(timeout=10)
            reader.join(timeout=10)
        errors = process.stderr.read()

    assert code == 0
    assert "Traceback" not in errors


def test_the_sandbox_command_on_a_busy_port_says_so_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])

        run = run_process("sandbox", "--port", port, cwd=tmp_path)

    assert run.code == 1
    assert run.out == ""
    assert len(run.err.splitlines()) == 1
    assert port in run.err


# --- plain http only for this machine ---------------------------------------------------------

ELSEWHERE = "http://example.invalid/api/v1"


@pytest.fixture
def sandbox_as_proxy(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The sandbox as the HTTP proxy: whatever is sent in clear to another host lands in its log."""
    for name in ("ALL_PROXY", "NO_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    proxy = sandbox.url.removesuffix("/api/v1")
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("http_proxy", proxy)
    return sandbox


@pytest.mark.parametrize(
    "args",
    [
        ("status", "--json"),
        ("resume",),
        ("sign-out",),
        ("sign-in", "--no-browser", "--port", "0"),
    ],
    ids=lambda args: args[0],
)
def test_plain_http_to_another_host_is_refused_and_nothing_is_sent(
    sandbox_as_proxy: Sandbox, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    run = cli(capsys, *args, "--base-url", ELSEWHERE)

    assert run.code == 2
    assert "https is required for example.invalid" in run.err.splitlines()[-1]
    assert run.out == ""
    assert sandbox_as_proxy.requests == []


def test_plain_http_to_another_host_in_the_environment_is_refused(
    sandbox_as_proxy: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWORK_BASE_URL", ELSEWHERE)

    run = cli(capsys, "status")

    assert run.code == 2
    assert "AWORK_BASE_URL: https is required for example.invalid" in run.err.splitlines()[-1]
    assert sandbox_as_proxy.requests == []


def test_the_tray_refuses_plain_http_to_another_host_before_it_starts(
    sandbox_as_proxy: Sandbox, tmp_path: Path
) -> None:
    run = run_process("--base-url", ELSEWHERE, cwd=tmp_path)

    assert run.code == 2
    assert "https is required for example.invalid" in run.err.splitlines()[-1]
    assert sandbox_as_proxy.requests == []


# --- AWORK_TOKEN is taken once --------------------------------------------------------------


def test_the_browser_sign_in_opens_does_not_inherit_awork_token(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """``sign-in`` with AWORK_TOKEN set: the browser it starts sees the environment without it."""
    seen = tmp_path / "browser-environment.json"
    browser = tmp_path / "browser"
    # A browser that notes its environment, then follows the sandbox's redirects to the listener.
    browser.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys, urllib.request\n"
        f"open({str(seen)!r}, 'w').write(json.dumps(dict(os.environ)))\n"
        "urllib.request.urlopen(sys.argv[1], timeout=10).read()\n",
        encoding="utf-8",
    )
    browser.chmod(0o700)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).parents[2]), os.environ.get("PYTHONPATH", "")]
        ),
        "PYTHON_KEYRING_BACKEND": "tests.helpers.keyring_file.Keyring",
        "AWORK_TRAY_TEST_KEYRING_FILE": str(tmp_path / "test-keychain.json"),
        "BROWSER": str(browser),
        "DISPLAY": ":0",  # a desktop session, as far as the choice of opening a browser goes
        "AWORK_TOKEN": sandbox.token,
    }
    command = ["sign-in", "--port", str(free_port()), "--base-url", sandbox.url]
    done = subprocess.run(
        [sys.executable, "-m", "tray_app", *command],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "Signed in as" in done.stdout
    browser_env = json.loads(seen.read_text(encoding="utf-8"))
    assert "AWORK_TOKEN" not in browser_env
    assert sandbox.token not in json.dumps(browser_env)
    assert browser_env["BROWSER"] == str(browser)  # the rest of the environment is passed on


def test_awork_token_still_signs_every_run_in_after_it_is_taken(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["resume", "--json", "--base-url", sandbox.url])  # not cli(): it puts it back

    assert code == 0
    assert json.loads(capsys.readouterr().out)["state"] == "running"
    assert "AWORK_TOKEN" not in os.environ  # taken out of this process's environment
    assert [r.headers.get("authorization") for r in sandbox.requests] == [
        f"Bearer {sandbox.token}"
    ] * 2


# --- awork's clock ------------------------------------------------------------------------------


def _clock_off(minutes: int) -> Any:
    """The case of a machine ``minutes`` off awork, and the warning each command logs of it
    (give or take a second: awork's Date header is whole seconds)."""
    seconds = "|".join(str(minutes * 60 + d) for d in (-1, 0, 1))
    mark = pytest.mark.expect_log(
        "WARNING",
        rf"^this machine's clock is ({seconds}) s off awork's$",
        logger="tray_app.core.clock",
    )
    return pytest.param(timedelta(minutes=minutes), marks=mark, id=f"{minutes:+d}min")


@pytest.mark.parametrize("machine_off", [_clock_off(-5), _clock_off(7)])
def test_elapsed_time_is_awork_s_when_the_machine_s_clock_is_off(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], machine_off: timedelta
) -> None:
    """awork's clock is the machine's minus ``machine_off``; its Date header says so."""
    with Sandbox(clock=lambda: datetime.now(UTC) - machine_off) as awork:
        monkeypatch.setenv("AWORK_TOKEN", awork.token)

        resumed = json.loads(awork_tray(awork, "resume", "--json", capsys=capsys).out)
        status = json.loads(awork_tray(awork, "status", "--json", capsys=capsys).out)
        line = awork_tray(awork, "status", capsys=capsys).out

    assert resumed["state"] == status["state"] == "running"
    assert SEEDED_ELAPSED <= resumed["elapsed_seconds"] <= SEEDED_ELAPSED + 2
    assert SEEDED_ELAPSED <= status["elapsed_seconds"] <= SEEDED_ELAPSED + 2
    assert SEEDED_ELAPSED <= elapsed_of(line) <= SEEDED_ELAPSED + 2


def test_the_tray_signs_in_with_awork_token_it_took(sandbox: Sandbox, tmp_path: Path) -> None:
    """The tray takes AWORK_TOKEN at its start too, and polls awork with it."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(runtime)}
    tray = subprocess.Popen(
        [sys.executable, "-m", "tray_app", "--base-url", sandbox.url],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not any(r.path.endswith(LAST) for r in sandbox.requests):
            assert time.monotonic() < deadline, "the tray did not ask awork"
            assert tray.poll() is None, tray.communicate()
            time.sleep(0.05)  # a process outside: no Qt event loop here to wait on
    finally:
        tray.terminate()
        _, stderr = tray.communicate(timeout=10)
    polls = [r for r in sandbox.requests if r.path.endswith(LAST)]
    assert polls[0].headers.get("authorization") == f"Bearer {sandbox.token}"
    assert polls[0].status == 200
    assert "Traceback" not in stderr
