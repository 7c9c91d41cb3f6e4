"""The awork client against a fake transport, for answers the sandbox cannot be asked to give.

Everything a real server can do is tested over real HTTP in tests/integration; here go the
answers that need exact control: missing or odd headers, awork's documented error body verbatim.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tray_app.awork.client import AworkClient, BearerToken
from tray_app.awork.errors import (
    AworkError,
    MalformedAnswer,
    NotSignedIn,
    RateLimited,
    Refused,
    ServerError,
)

BASE = "https://awork.test/api/v1"
TOKEN = "unit-test-token-0123456789"
EXAMPLES = Path(__file__).resolve().parents[1] / "awork-api" / "examples"
ENTRY = {
    "id": "123e4567-e89b-12d3-a456-426614174000",
    "timezone": "Europe/Berlin",
    "typeOfWorkId": "123e4567-e89b-12d3-a456-426614174003",
    "startDateUtc": "2022-09-21T00:00:00Z",
    "startTimeUtc": "09:21:00",
    "breaks": [],
}
Handler = Callable[[httpx.Request], httpx.Response]


@contextmanager
def client_for(
    handler: Handler, token: str | Callable[[], str | None] = TOKEN
) -> Iterator[tuple[AworkClient, list[httpx.Request]]]:
    """A client whose every request goes to ``handler``; the list collects what was sent."""
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return handler(request)

    with AworkClient(
        BASE, auth=BearerToken(token), transport=httpx.MockTransport(record)
    ) as client:
        yield client, sent


def answer(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes):
            return httpx.Response(status, content=body, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return handler


def assert_one_clean_line(error: AworkError) -> None:
    text = str(error)
    assert text.strip()
    assert "\n" not in text
    assert "\r" not in text
    assert TOKEN not in text
    assert "Traceback" not in text


# --- rate limits --------------------------------------------------------------------------------


@pytest.mark.expect_log(
    "WARNING",
    r"GET /api/v1/me/timeentries/last refused: status=429 code=too-many-requests",
    logger="tray_app.awork.http",
)
def test_429_with_ratelimit_reset_waits_as_long_as_awork_says() -> None:
    headers = (EXAMPLES / "docs-rate-limit-headers.txt").read_text().splitlines()
    docs_headers = dict(line.split(": ", 1) for line in headers if line.strip())

    with (
        client_for(answer(429, {"code": "too-many-requests"}, docs_headers)) as (client, _),
        pytest.raises(RateLimited) as caught,
    ):
        client.current()

    assert caught.value.reset_seconds == 47
    assert "47 s" in str(caught.value)
    assert_one_clean_line(caught.value)


@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/me/timetracking/resume refused: status=429",
    logger="tray_app.awork.http",
)
def test_429_without_ratelimit_reset_waits_a_minute() -> None:
    with (
        client_for(answer(429, b"")) as (client, _),
        pytest.raises(RateLimited) as caught,
    ):
        client.resume()

    assert caught.value.reset_seconds == 60
    assert_one_clean_line(caught.value)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=12))
@pytest.mark.expect_log(
    "WARNING",
    r"GET /api/v1/me/timeentries/last refused: status=429",
    logger="tray_app.awork.http",
)
def test_429_with_any_ratelimit_reset_text_gives_a_usable_wait(header: str) -> None:
    with (
        client_for(answer(429, b"", {"ratelimit-reset": header})) as (client, _),
        pytest.raises(RateLimited) as caught,
    ):
        client.current()

    assert math.isfinite(caught.value.reset_seconds)
    assert caught.value.reset_seconds >= 0
    assert_one_clean_line(caught.value)


@pytest.mark.parametrize("header", ["inf", "Infinity", "nan", "-5", "1e400"])
@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/me/timetracking/pause refused: status=429",
    logger="tray_app.awork.http",
)
def test_429_with_a_nonsense_reset_still_gives_a_usable_wait(header: str) -> None:
    with (
        client_for(answer(429, b"", {"ratelimit-reset": header})) as (client, _),
        pytest.raises(RateLimited) as caught,
    ):
        client.pause()

    assert 0 <= caught.value.reset_seconds <= 60
    assert_one_clean_line(caught.value)


# --- awork's error body -------------------------------------------------------------------------


@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/me/timetracking/stop refused: status=400 code=validation-failed",
    logger="tray_app.awork.http",
)
def test_the_documented_error_body_reaches_the_caller_verbatim() -> None:
    body = (EXAMPLES / "docs-error-response.json").read_bytes()

    with (
        client_for(answer(400, body, {"content-type": "application/json"})) as (client, _),
        pytest.raises(Refused) as caught,
    ):
        client.stop()

    error = caught.value
    assert str(error) == (
        "The model sent in the request is invalid. See the validation errors for details."
    )
    assert (error.status, error.code, error.trace_id) == (400, "validation-failed", "a1b2c3d4e5f6")


@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/me/timetracking/pause refused: status=400 code=invalid-operation",
    logger="tray_app.awork.http",
)
def test_a_description_over_several_lines_is_shown_on_one() -> None:
    body = {"code": "invalid-operation", "description": "You can only\n  pause your own\r\ntime"}

    with (
        client_for(answer(400, body)) as (client, _),
        pytest.raises(Refused) as caught,
    ):
        client.pause()

    assert str(caught.value) == "You can only pause your own time"


@pytest.mark.parametrize("body", [b"", b"<html><body>Bad gateway</body></html>", b"[1, 2]"])
@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/me/timetracking/resume refused: status=409",
    logger="tray_app.awork.http",
)
def test_a_refusal_without_awork_s_body_names_the_status(body: bytes) -> None:
    with (
        client_for(answer(409, body)) as (client, _),
        pytest.raises(Refused) as caught,
    ):
        client.resume()

    assert "409" in str(caught.value)
    assert_one_clean_line(caught.value)


@pytest.mark.expect_log(
    "WARNING",
    r"GET /api/v1/me/timeentries/last refused: status=500 code=internal",
    logger="tray_app.awork.http",
)
def test_a_5xx_is_a_server_error_whatever_its_body_says() -> None:
    body = {"code": "internal", "description": "NullReferenceException at Awork.Api.Timer\n  at"}

    with (
        client_for(answer(500, body)) as (client, _),
        pytest.raises(ServerError) as caught,
    ):
        client.current()

    assert "NullReferenceException" not in str(caught.value)
    assert_one_clean_line(caught.value)


# --- answers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["current", "pause", "resume", "stop"])
def test_an_empty_200_is_read_as_nothing_to_act_on(method: str) -> None:
    with client_for(answer(200, b"")) as (client, _):
        assert getattr(client, method)() is None


@pytest.mark.expect_log(
    "WARNING", r"malformed answer to GET /api/v1/me:", logger="tray_app.awork.client"
)
def test_json_that_is_not_a_user_is_malformed() -> None:
    with (
        client_for(answer(200, {"workspace": "none"})) as (client, _),
        pytest.raises(MalformedAnswer) as caught,
    ):
        client.me()

    assert_one_clean_line(caught.value)


@pytest.mark.expect_log(
    "WARNING",
    r"malformed answer to GET /api/v1/me/timeentries/last:",
    logger="tray_app.awork.client",
)
def test_bytes_that_are_no_text_are_malformed() -> None:
    with (
        client_for(answer(200, b"\xff\xfe\x00{")) as (client, _),
        pytest.raises(MalformedAnswer),
    ):
        client.current()


# --- the token ----------------------------------------------------------------------------------


def test_the_token_is_looked_up_on_every_request() -> None:
    tokens = iter(["first-token-abcdef", "second-token-abcdef"])

    with client_for(answer(200, ENTRY), token=lambda: next(tokens)) as (client, sent):
        client.current()
        client.current()

    assert [r.headers["authorization"] for r in sent] == [
        "Bearer first-token-abcdef",
        "Bearer second-token-abcdef",
    ]


@pytest.mark.parametrize("token", ["", None])
def test_without_a_token_nothing_is_sent(token: str | None) -> None:
    with (
        client_for(answer(200, ENTRY), token=lambda: token) as (client, sent),
        pytest.raises(NotSignedIn) as caught,
    ):
        client.current()

    assert sent == []
    assert_one_clean_line(caught.value)


def test_whitespace_around_a_pasted_token_is_not_sent() -> None:
    with client_for(answer(200, ENTRY), token=f"  {TOKEN}\n") as (client, sent):
        client.current()

    assert sent[0].headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize("token", ["two words", "line\nbreak", "tab\there", "   "])
def test_a_token_that_cannot_be_one_is_not_signed_in(token: str) -> None:
    with (
        client_for(answer(200, ENTRY), token=token) as (client, sent),
        pytest.raises(NotSignedIn) as caught,
    ):
        client.current()

    assert sent == []
    assert token not in str(caught.value)
    assert_one_clean_line(caught.value)


# --- requests -----------------------------------------------------------------------------------


def test_every_request_carries_a_finite_timeout() -> None:
    with client_for(answer(200, ENTRY)) as (client, sent):
        client.current()
        client.resume()

    for request in sent:
        timeouts = request.extensions["timeout"]
        assert set(timeouts) == {"connect", "read", "write", "pool"}
        assert all(isinstance(v, float) and 0 < v <= 60 for v in timeouts.values())


def test_a_start_sends_the_form_as_json() -> None:
    from tray_app.awork.models import StartForm

    form = StartForm(timezone="Europe/Berlin", type_of_work_id=ENTRY["typeOfWorkId"], note="x")

    with client_for(answer(200, ENTRY)) as (client, sent):
        entry = client.start(form)

    assert entry.id == ENTRY["id"]
    assert sent[0].headers["content-type"] == "application/json"
    assert json.loads(sent[0].content) == {
        "timezone": "Europe/Berlin",
        "typeOfWorkId": ENTRY["typeOfWorkId"],
        "note": "x",
    }
