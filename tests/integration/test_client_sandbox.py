"""The awork client over real HTTP against the sandbox: answers, routes, and every way to fail."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from importlib.metadata import version

import pytest

from tests.helpers.ports import free_port
from tests.helpers.sandbox_view import timer_state
from tray_app.awork.client import AworkClient, BearerToken
from tray_app.awork.errors import (
    AworkError,
    MalformedAnswer,
    NotSignedIn,
    RateLimited,
    Refused,
    ServerError,
    Unreachable,
)
from tray_app.awork.models import StartForm, TimeTracking
from tray_app.sandbox import Fault, ManualClock, Sandbox

SOMEONE_ELSE = str(uuid.uuid4())
LAST = "/me/timeentries/last"
RESUME = "/me/timetracking/resume"
PAUSE = "/me/timetracking/pause"


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


def assert_person_readable(error: AworkError, token: str) -> None:
    """What a person may see: one line, no token, no traceback."""
    text = str(error)
    assert text.strip()
    assert "\n" not in text
    assert "\r" not in text
    assert token not in text
    assert "Traceback" not in text


# --- the timer ----------------------------------------------------------------------------------


def test_current_reads_the_paused_timer(client: AworkClient, sandbox: Sandbox) -> None:
    entry = client.current()

    served = sandbox.current_entry()
    assert entry is not None
    assert served is not None
    assert entry.id == served["id"]
    assert entry.task_name == sandbox.seed.tasks[0].name
    assert entry.breaks is not None
    assert entry.breaks[-1].end_date is None
    assert entry.end_utc is None
    # ticks are above 2^53; they must come through exactly, never via a float.
    assert served["resourceVersion"] > 2**53
    assert entry.resource_version == served["resourceVersion"]


def test_current_is_none_when_nothing_was_ever_tracked(clock: ManualClock) -> None:
    with (
        Sandbox(clock=clock, paused_timer=False) as sandbox,
        AworkClient(sandbox.url, auth=BearerToken(sandbox.token), timeout=5) as client,
    ):
        assert client.current() is None
        assert [r.status for r in sandbox.requests] == [204]


def test_resume_closes_the_break_at_the_moment_of_the_request(
    client: AworkClient, sandbox: Sandbox, clock: ManualClock
) -> None:
    resumed_at = clock.advance(timedelta(minutes=3))

    entry = client.resume()

    assert entry is not None
    assert entry.breaks is not None
    assert entry.breaks[-1].end_date == resumed_at
    assert timer_state(sandbox) == "running"


def test_resume_of_a_running_timer_answers_it_unchanged(
    client: AworkClient, sandbox: Sandbox
) -> None:
    sandbox.other_client.resume()
    before = sandbox.current_entry()

    entry = client.resume()

    assert entry is not None
    assert before is not None
    assert entry.resource_version == before["resourceVersion"]
    assert sandbox.current_entry() == before


def test_pause_opens_a_break_at_the_moment_of_the_request(
    client: AworkClient, sandbox: Sandbox, clock: ManualClock
) -> None:
    sandbox.other_client.resume()
    paused_at = clock.advance(timedelta(minutes=10))

    entry = client.pause()

    assert entry is not None
    assert entry.breaks is not None
    assert entry.breaks[-1].start_date == paused_at
    assert entry.breaks[-1].end_date is None
    assert timer_state(sandbox) == "paused"


def test_stop_ends_the_entry(client: AworkClient, sandbox: Sandbox, clock: ManualClock) -> None:
    stopped_at = clock.advance(timedelta(minutes=1))

    entry = client.stop()

    assert entry is not None
    assert entry.end_utc == stopped_at
    assert timer_state(sandbox) == "stopped"


@pytest.mark.parametrize("method", ["pause", "resume", "stop"])
def test_acting_on_a_stopped_timer_answers_none(
    client: AworkClient, sandbox: Sandbox, method: str
) -> None:
    sandbox.other_client.stop()

    assert getattr(client, method)() is None
    assert sandbox.requests[-1].status == 204


def test_pause_of_a_paused_timer_answers_none(client: AworkClient, sandbox: Sandbox) -> None:
    assert client.pause() is None
    assert timer_state(sandbox) == "paused"


def test_start_sends_the_form_and_answers_the_new_entry(
    client: AworkClient, sandbox: Sandbox, clock: ManualClock
) -> None:
    task = sandbox.seed.tasks[2]
    form = StartForm(
        timezone="Europe/Berlin", type_of_work_id=task.type_of_work_id, task_id=task.id
    )

    entry = client.start(form)

    assert entry.task_id == task.id
    assert entry.task_name == task.name
    assert entry.start_utc == clock()
    served = sandbox.current_entry()
    assert served is not None
    assert served["id"] == entry.id
    sent = sandbox.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/api/v1/me/timetracking/start")
    assert sent.headers["content-type"] == "application/json"
    assert json.loads(sent.body) == {
        "timezone": "Europe/Berlin",
        "typeOfWorkId": task.type_of_work_id,
        "taskId": task.id,
    }


def test_me_names_the_person_and_the_workspace(client: AworkClient, sandbox: Sandbox) -> None:
    me = client.me()

    assert me.id == sandbox.user_id
    assert me.display_name == "Ada Lovelace"
    assert me.workspace is not None
    assert me.workspace.name == sandbox.seed.workspace_name
    assert [(r.method, r.path) for r in sandbox.requests] == [("GET", "/api/v1/me")]


def test_pause_and_resume_send_no_body_at_all(client: AworkClient, sandbox: Sandbox) -> None:
    client.resume()
    client.pause()
    client.stop()

    sent = sandbox.requests
    assert [(r.path, r.status) for r in sent] == [
        ("/api/v1/me/timetracking/resume", 200),
        ("/api/v1/me/timetracking/pause", 200),
        ("/api/v1/me/timetracking/stop", 200),
    ]
    for request in sent:
        assert request.body == b""
        assert "content-type" not in request.headers
        assert request.headers.get("content-length", "0") == "0"


def test_every_request_names_the_app_and_its_version_and_carries_the_token(
    client: AworkClient, sandbox: Sandbox
) -> None:
    client.current()
    client.me()
    client.resume()

    for request in sandbox.requests:
        assert request.headers["user-agent"] == f"awork-tray/{version('awork-tray')}"
        assert request.headers["authorization"] == f"Bearer {sandbox.token}"
        assert request.query == {}


# --- /users/{userId}/... ------------------------------------------------------------------------


def test_the_users_routes_act_on_the_given_person(sandbox: Sandbox) -> None:
    task = sandbox.seed.tasks[0]
    with AworkClient(
        sandbox.url, auth=BearerToken(sandbox.token), user_id=sandbox.user_id, timeout=5
    ) as client:
        assert client.current() is not None
        assert client.resume() is not None
        assert client.pause() is not None
        assert client.stop() is not None
        client.start(StartForm(timezone="Europe/Berlin", type_of_work_id=task.type_of_work_id))
        assert client.me().id == sandbox.user_id

    prefix = f"/api/v1/users/{sandbox.user_id}"
    assert [(r.method, r.path, r.status) for r in sandbox.requests] == [
        ("GET", f"{prefix}/timeentries/last", 200),
        ("POST", f"{prefix}/timetracking/resume", 200),
        ("POST", f"{prefix}/timetracking/pause", 200),
        ("POST", f"{prefix}/timetracking/stop", 200),
        ("POST", f"{prefix}/timetracking/start", 200),
        ("GET", "/api/v1/me", 200),
    ]


@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/users/[\w-]+/timetracking/resume refused: status=400 code=invalid-operation",
    logger="tray_app.awork.http",
)
def test_someone_else_s_timer_cannot_be_resumed(sandbox: Sandbox) -> None:
    with AworkClient(
        sandbox.url, auth=BearerToken(sandbox.token), user_id=SOMEONE_ELSE, timeout=5
    ) as client:
        assert client.current() is None
        with pytest.raises(Refused) as caught:
            client.resume()

    error = caught.value
    assert str(error) == "You can only resume your own time trackings"
    assert (error.status, error.code) == (400, "invalid-operation")
    assert error.trace_id is not None
    assert re.fullmatch(r"[0-9a-f]{32}", error.trace_id)
    assert timer_state(sandbox) == "paused"


@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/users/[\w-]+/timetracking/start refused: status=404 code=not-found",
    logger="tray_app.awork.http",
)
def test_starting_for_an_unknown_person_is_refused_with_awork_s_words(sandbox: Sandbox) -> None:
    task = sandbox.seed.tasks[0]
    form = StartForm(timezone="Europe/Berlin", type_of_work_id=task.type_of_work_id)
    with (
        AworkClient(
            sandbox.url, auth=BearerToken(sandbox.token), user_id=SOMEONE_ELSE, timeout=5
        ) as client,
        pytest.raises(Refused) as caught,
    ):
        client.start(form)

    assert caught.value.status == 404
    assert SOMEONE_ELSE in str(caught.value)
    assert timer_state(sandbox) == "paused"


# --- signing in ---------------------------------------------------------------------------------


def test_without_a_token_nothing_is_sent(sandbox: Sandbox) -> None:
    with (
        AworkClient(sandbox.url, auth=BearerToken(lambda: None), timeout=5) as client,
        pytest.raises(NotSignedIn) as caught,
    ):
        client.resume()

    assert sandbox.requests == []
    assert_person_readable(caught.value, sandbox.token)


@pytest.mark.expect_log(
    "WARNING",
    r"GET /api/v1/me/timeentries/last refused: status=401 code=unauthorized",
    logger="tray_app.awork.http",
)
def test_a_wrong_token_is_not_signed_in(sandbox: Sandbox) -> None:
    with (
        AworkClient(sandbox.url, auth=BearerToken("not-the-token-123"), timeout=5) as client,
        pytest.raises(NotSignedIn) as caught,
    ):
        client.current()

    assert caught.value.status == 401
    assert "not-the-token-123" not in str(caught.value)
    assert_person_readable(caught.value, sandbox.token)


@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/me/timetracking/resume refused: status=401 code=unauthorized",
    logger="tray_app.awork.http",
)
def test_a_revoked_token_is_not_signed_in(client: AworkClient, sandbox: Sandbox) -> None:
    client.current()
    old = sandbox.token
    sandbox.revoke_token()

    with pytest.raises(NotSignedIn) as caught:
        client.resume()

    assert_person_readable(caught.value, old)
    assert timer_state(sandbox) == "paused"


def test_a_token_pasted_with_a_line_break_still_works(sandbox: Sandbox) -> None:
    with AworkClient(sandbox.url, auth=BearerToken(f" {sandbox.token}\n"), timeout=5) as client:
        assert client.current() is not None


# --- failures -----------------------------------------------------------------------------------

FAILURES: list[tuple[str, str, Fault, type[AworkError]]] = [
    ("GET", LAST, Fault.expired_token(), NotSignedIn),
    ("POST", RESUME, Fault.expired_token(), NotSignedIn),
    ("POST", PAUSE, Fault.status(400, "invalid-operation", "Nope."), Refused),
    ("POST", RESUME, Fault.status(403), Refused),
    ("POST", RESUME, Fault.status(404), Refused),
    ("GET", LAST, Fault.status(409, "concurrency-violation"), Refused),
    ("GET", LAST, Fault.rate_limited(reset=5), RateLimited),
    ("POST", RESUME, Fault.rate_limited(), RateLimited),
    ("GET", LAST, Fault.status(500), ServerError),
    ("POST", RESUME, Fault.status(502), ServerError),
    ("POST", RESUME, Fault.status(503), ServerError),
    ("GET", LAST, Fault.drop(), Unreachable),
    ("POST", RESUME, Fault.drop(), Unreachable),
    ("GET", LAST, Fault.malformed(), MalformedAnswer),
    ("POST", RESUME, Fault.malformed(), MalformedAnswer),
    ("GET", "/me", Fault.malformed(), MalformedAnswer),
    ("GET", LAST, Fault.malformed(b'{"id": 42}', "application/json"), MalformedAnswer),
    ("GET", LAST, Fault.malformed(b"[]", "application/json"), MalformedAnswer),
    ("GET", LAST, Fault.malformed(b'{"id": "abc", "brea', "application/json"), MalformedAnswer),
    ("POST", RESUME, Fault.malformed(b'{"note": "no id"}', "application/json"), MalformedAnswer),
    ("GET", "/me", Fault.malformed(b'{"id": null}', "application/json"), MalformedAnswer),
]


def call_for(client: AworkClient, method: str, path: str) -> Callable[[], object]:
    calls: dict[tuple[str, str], Callable[[], object]] = {
        ("GET", LAST): client.current,
        ("POST", RESUME): client.resume,
        ("POST", PAUSE): client.pause,
        ("GET", "/me"): client.me,
    }
    return calls[(method, path)]


@pytest.mark.parametrize(
    "case", FAILURES, ids=[f"{m} {p} {f.kind.value}-{f.http_status}" for m, p, f, _ in FAILURES]
)
@pytest.mark.expect_log(
    "WARNING",
    r"(GET|POST) /\S+ (refused: status=[45]\d\d|failed: RemoteProtocolError)|"
    r"malformed answer to (GET|POST) /api/v1/me",
    logger="tray_app.awork",
)
def test_each_failure_is_its_typed_error_in_one_line(
    client: AworkClient, sandbox: Sandbox, case: tuple[str, str, Fault, type[AworkError]]
) -> None:
    method, path, fault, expected = case
    sandbox.inject(method, path, fault)
    before = sandbox.current_entry()

    with pytest.raises(AworkError) as caught:
        call_for(client, method, path)()

    assert type(caught.value) is expected
    assert_person_readable(caught.value, sandbox.token)
    assert sandbox.current_entry() == before
    # The fault was used once: the very next call works again (raising would fail the test).
    call_for(client, method, path)()


@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/me/timetracking/pause refused: status=400 code=invalid-operation",
    logger="tray_app.awork.http",
)
def test_a_refusal_shows_awork_s_description_and_keeps_its_code_and_trace(
    client: AworkClient, sandbox: Sandbox
) -> None:
    sandbox.inject(
        "POST",
        PAUSE,
        Fault.status(400, "invalid-operation", "You can only pause your own time trackings"),
    )

    with pytest.raises(Refused) as caught:
        client.pause()

    error = caught.value
    assert str(error) == "You can only pause your own time trackings"
    assert (error.status, error.code) == (400, "invalid-operation")
    assert error.trace_id is not None
    assert re.fullmatch(r"[0-9a-f]{32}", error.trace_id)


@pytest.mark.parametrize("reset", [0, 5, 47])
@pytest.mark.expect_log(
    "WARNING",
    r"GET /api/v1/me/timeentries/last refused: status=429 code=too-many-requests",
    logger="tray_app.awork.http",
)
def test_a_rate_limit_says_when_to_try_again(
    client: AworkClient, sandbox: Sandbox, reset: int
) -> None:
    sandbox.inject("GET", LAST, Fault.rate_limited(reset=reset))

    with pytest.raises(RateLimited) as caught:
        client.current()

    assert caught.value.reset_seconds == reset
    assert f"{reset} s" in str(caught.value)


@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/me/timetracking/resume failed: ConnectError",
    logger="tray_app.awork.http",
)
def test_nothing_listening_is_unreachable(sandbox: Sandbox) -> None:
    url = f"http://127.0.0.1:{free_port()}/api/v1"
    with (
        AworkClient(url, auth=BearerToken(sandbox.token), timeout=5) as client,
        pytest.raises(Unreachable) as caught,
    ):
        client.resume()

    assert_person_readable(caught.value, sandbox.token)


@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/me/timetracking/resume failed: ReadTimeout",
    logger="tray_app.awork.http",
)
def test_a_slow_answer_is_unreachable_after_the_timeout(sandbox: Sandbox) -> None:
    sandbox.inject("POST", RESUME, Fault.delay(3))
    started = time.monotonic()

    with (
        AworkClient(sandbox.url, auth=BearerToken(sandbox.token), timeout=0.3) as client,
        pytest.raises(Unreachable) as caught,
    ):
        client.resume()

    assert time.monotonic() - started < 2.5
    assert "in time" in str(caught.value)
    assert_person_readable(caught.value, sandbox.token)


def wait_for_answers(sandbox: Sandbox, count: int) -> None:
    """Wait until the sandbox has answered ``count`` requests (delayed ones included)."""
    assert sandbox.wait_for_requests(lambda requests: len(requests) >= count), "no answer"


@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/me/timetracking/resume failed: ReadTimeout",
    logger="tray_app.awork.http",
)
def test_a_resume_cut_off_by_the_timeout_does_not_claim_nothing_changed(
    sandbox: Sandbox,
) -> None:
    sandbox.inject("POST", RESUME, Fault.delay(0.6))

    with (
        AworkClient(sandbox.url, auth=BearerToken(sandbox.token), timeout=0.2) as client,
        pytest.raises(Unreachable) as caught,
    ):
        client.resume()
    wait_for_answers(sandbox, 1)

    # awork got the request and acted on it after we stopped waiting.
    assert timer_state(sandbox) == "running"
    assert "nothing changed" not in str(caught.value)


@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/me/timetracking/pause failed: RemoteProtocolError",
    logger="tray_app.awork.http",
)
def test_a_pause_cut_off_by_a_dropped_connection_does_not_claim_nothing_changed(
    client: AworkClient, sandbox: Sandbox
) -> None:
    sandbox.other_client.resume()
    sandbox.inject("POST", PAUSE, Fault.drop())

    with pytest.raises(Unreachable) as caught:
        client.pause()

    assert "nothing changed" not in str(caught.value)
    assert_person_readable(caught.value, sandbox.token)


@pytest.mark.expect_log(
    "WARNING",
    r"GET /api/v1/me/timeentries/last failed: RemoteProtocolError",
    logger="tray_app.awork.http",
)
def test_a_read_that_fails_says_nothing_changed(client: AworkClient, sandbox: Sandbox) -> None:
    sandbox.inject("GET", LAST, Fault.drop())

    with pytest.raises(Unreachable) as caught:
        client.current()

    assert "nothing changed" in str(caught.value)


@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/me/timetracking/stop failed: ConnectError",
    logger="tray_app.awork.http",
)
def test_a_refused_connection_says_nothing_changed(sandbox: Sandbox) -> None:
    url = f"http://127.0.0.1:{free_port()}/api/v1"
    with (
        AworkClient(url, auth=BearerToken(sandbox.token), timeout=5) as client,
        pytest.raises(Unreachable) as caught,
    ):
        client.stop()

    assert "nothing changed" in str(caught.value)


def test_a_slow_answer_within_the_timeout_is_read(sandbox: Sandbox) -> None:
    sandbox.inject("GET", LAST, Fault.delay(0.2))

    with AworkClient(sandbox.url, auth=BearerToken(sandbox.token), timeout=3) as client:
        assert isinstance(client.current(), TimeTracking)


@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/me/timetracking/resume failed: RemoteProtocolError",
    logger="tray_app.awork.http",
)
def test_the_client_survives_a_dropped_connection_and_carries_on(
    client: AworkClient, sandbox: Sandbox
) -> None:
    client.current()
    sandbox.inject("POST", RESUME, Fault.drop())

    with pytest.raises(Unreachable):
        client.resume()
    entry = client.resume()

    assert entry is not None
    assert timer_state(sandbox) == "running"
