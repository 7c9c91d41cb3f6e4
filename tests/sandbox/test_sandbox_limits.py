"""What the sandbox refuses to hold on to: huge bodies, silent or trickling clients, deep JSON.

The demo runs the sandbox on a fixed port of this machine, where any local program (or a web
page, through the browser) can reach it; none of them may stall it, blow its stack or fill its
memory. Every test here talks to a started sandbox over a real socket.
"""

from __future__ import annotations

import json
import logging
import re
import select
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.helpers.sandbox_view import timer_state
from tray_app.sandbox import Sandbox
from tray_app.sandbox.forms import MAX_JSON_DEPTH
from tray_app.sandbox.server import DROPPED, MAX_BODY_BYTES, RECORDED_BODY_BYTES

START = "/me/timetracking/start"
REGISTER = "/clientapplications/register"
TIMEOUT = 0.5
"""The connection timeout of the sandboxes that test it: short, so the tests are quick."""


def connect(sandbox: Sandbox) -> socket.socket:
    address = urlsplit(sandbox.url)
    return socket.create_connection((address.hostname or "", address.port or 0), timeout=5)


def head(sandbox: Sandbox, method: str, path: str, **headers: str) -> bytes:
    """A request line and headers with the sandbox's token, ready to send."""
    lines = [f"{method} /api/v1{path} HTTP/1.1", "Host: 127.0.0.1"]
    lines.append(f"Authorization: Bearer {sandbox.token}")
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one answer framed by Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed before an answer: {data!r}"
        data += chunk
    raw_head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = raw_head.decode("latin-1").split("\r\n")
    headers = {
        name.lower(): value.strip()
        for name, _, value in (line.partition(":") for line in header_lines)
    }
    while len(body) < int(headers.get("content-length", 0)):
        chunk = sock.recv(65536)
        assert chunk, "the connection closed inside the answer's body"
        body += chunk
    return int(status_line.split()[1]), headers, body


# --- deep JSON -----------------------------------------------------------------------------------


def nested(depth: int) -> str:
    """A JSON value ``depth`` levels deep: arrays and objects in turn, the way an attack mixes."""
    opens = ['{"a": ' if level % 2 else "[" for level in range(depth)]
    closes = ["}" if level % 2 else "]" for level in reversed(range(depth))]
    return "".join(opens) + "1" + "".join(closes)


@pytest.mark.parametrize("path", [START, REGISTER])
@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
def test_json_nested_too_deep_is_awork_400(api: httpx.Client, path: str, depth: int) -> None:
    body = f'{{"note": {nested(depth - 1)}}}'.encode()

    response = api.post(path, content=body, headers={"Content-Type": "application/json"})
    after = api.get("/me")

    assert response.status_code == 400, response.text
    error = response.json()
    assert error["code"] == "validation-failed"
    assert error["validationErrors"] == [
        {"property": "", "message": f"The request body is nested deeper than {MAX_JSON_DEPTH}."}
    ]
    assert after.status_code == 200, "the server lives on"


def test_json_at_the_depth_limit_is_checked_as_usual(
    api: httpx.Client, start_form: dict[str, object]
) -> None:
    form = json.dumps(start_form)[:-1] + f', "note": {nested(MAX_JSON_DEPTH - 1)}}}'

    response = api.post(START, content=form, headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    [error] = response.json()["validationErrors"]
    assert error["property"] == "Note", "the form was parsed and its note refused"


def test_brackets_inside_strings_do_not_count_as_nesting(
    api: httpx.Client, start_form: dict[str, object]
) -> None:
    form = {**start_form, "note": '["\\' + "[{" * 100}

    response = api.post(START, json=form)

    assert response.status_code == 200, response.text
    assert response.json()["note"] == form["note"]


# --- the Content-Length cap ----------------------------------------------------------------------


def test_a_body_over_the_cap_is_refused_without_being_read(sandbox: Sandbox) -> None:
    announced = 1 << 40  # a terabyte the client never sends: nothing may wait for it
    with connect(sandbox) as sock:
        sock.sendall(
            head(
                sandbox,
                "POST",
                START,
                Content_Type="application/json",
                Content_Length=str(announced),
            )
        )
        status, headers, body = read_answer(sock)

    assert status == 413
    assert headers["connection"] == "close"
    error = json.loads(body)
    assert error["code"] == "payload-too-large"
    assert str(MAX_BODY_BYTES) in error["description"]
    assert re.fullmatch(r"[0-9a-f]{32}", error["traceId"])
    [recorded] = sandbox.requests
    assert (recorded.status, recorded.body, recorded.body_size) == (413, b"", announced)
    assert timer_state(sandbox) == "paused", "nothing was started"


def test_a_client_that_sends_the_oversized_body_anyway_gets_the_413(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    response = api.post(
        START, content=b" " * (MAX_BODY_BYTES + 1), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert response.json()["code"] == "payload-too-large"


def test_a_body_of_exactly_the_cap_is_read(api: httpx.Client) -> None:
    body = b" " * (MAX_BODY_BYTES - 2) + b"{}"

    response = api.post(START, content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    errors = {error["property"] for error in response.json()["validationErrors"]}
    assert errors == {"Timezone", "TypeOfWorkId"}, "the empty form was read and checked"


# --- what the record keeps -----------------------------------------------------------------------


def test_the_record_keeps_the_start_of_a_long_body_and_its_size(
    api: httpx.Client, sandbox: Sandbox, start_form: dict[str, object]
) -> None:
    form = {**start_form, "note": "n" * 10_000}
    sent = json.dumps(form).encode()

    response = api.post(START, content=sent, headers={"Content-Type": "application/json"})

    assert response.status_code == 200, "the whole body was read and used"
    assert response.json()["note"] == form["note"]
    [recorded] = sandbox.requests
    assert recorded.body == sent[:RECORDED_BODY_BYTES]
    assert recorded.body_size == len(sent)
    assert 200 <= RECORDED_BODY_BYTES <= 1000, "a few hundred bytes: a form, not a flood"


def test_the_record_keeps_a_short_body_whole(
    api: httpx.Client, sandbox: Sandbox, start_form: dict[str, object]
) -> None:
    sent = json.dumps(start_form).encode()

    api.post(START, content=sent, headers={"Content-Type": "application/json"})

    [recorded] = sandbox.requests
    assert (recorded.body, recorded.body_size) == (sent, len(sent))


def test_a_malformed_request_line_is_logged_cut_short(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="tray_app.sandbox")
    with connect(sandbox) as sock:
        sock.sendall(b"GET /api/v1/me " + b"x" * 10_000 + b" HTTP/1.1\r\n\r\n")
        status, _, _ = read_answer(sock)

    assert status == 400
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("connection")]
    assert "Bad request syntax" in line
    assert len(line) < 300, "the client's 10,000 bytes are not copied into the log"


# --- the connection timeout ----------------------------------------------------------------------


@pytest.fixture
def impatient() -> Iterator[Sandbox]:
    """A sandbox that gives each request half a second to arrive."""
    with Sandbox(connection_timeout=TIMEOUT) as sandbox:
        yield sandbox


def seconds_until_closed(sock: socket.socket, trickle: bytes = b"") -> float:
    """How long the server keeps ``sock`` open while we send ``trickle``, a byte every 0.1 s.

    The 0.1 s between bytes is the scenario (a client too slow to ever finish its request), and
    the wait between them is on the server's end of the connection, not a plain sleep.
    """
    started = time.monotonic()
    pending = trickle
    while time.monotonic() - started < 5:
        if pending:
            try:
                sock.sendall(pending[:1])
            except OSError:  # the server is gone and said so with a reset
                break
            pending = pending[1:]
        readable, _, _ = select.select([sock], [], [], 0.1)
        if readable:
            try:
                if sock.recv(65536) == b"":
                    break
            except OSError:
                break
    return time.monotonic() - started


def test_a_client_that_connects_and_sends_nothing_is_dropped(impatient: Sandbox) -> None:
    with connect(impatient) as sock:
        took = seconds_until_closed(sock)

    assert TIMEOUT * 0.8 < took < TIMEOUT + 1.5
    assert impatient.requests == []


def test_an_idle_kept_alive_connection_is_dropped_after_its_answer(impatient: Sandbox) -> None:
    with connect(impatient) as sock:
        sock.sendall(head(impatient, "GET", "/me"))
        status, _, _ = read_answer(sock)
        took = seconds_until_closed(sock)

    assert status == 200
    assert TIMEOUT * 0.8 < took < TIMEOUT + 1.5


def test_a_client_that_trickles_its_headers_is_dropped(impatient: Sandbox) -> None:
    """Every byte comes well inside the timeout: only a deadline for the whole request ends it."""
    with connect(impatient) as sock:
        sock.sendall(b"GET /api/v1/me HTTP/1.1\r\n")
        took = seconds_until_closed(sock, trickle=b"X-Slow: " + b"a" * 100)

    assert took < TIMEOUT + 1.5
    assert impatient.requests == []


def test_a_client_that_trickles_its_body_is_dropped_and_recorded(
    impatient: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="tray_app.sandbox")
    form = json.dumps({"timezone": "Europe/Berlin"}).encode()
    request = head(
        impatient, "POST", START, Content_Type="application/json", Content_Length=str(len(form))
    )
    with connect(impatient) as sock:
        sock.sendall(request)
        took = seconds_until_closed(sock, trickle=form)

    assert took < TIMEOUT + 1.5
    [recorded] = impatient.requests
    assert (recorded.path, recorded.status) == ("/api/v1" + START, DROPPED)
    assert timer_state(impatient) == "paused"
    assert f"the request did not arrive within {TIMEOUT} s" in caplog.text


def test_requests_in_time_share_one_connection_past_the_timeout(impatient: Sandbox) -> None:
    """The deadline is per request: a busy keep-alive connection is not cut after 0.5 s."""
    statuses = []
    started = time.monotonic()
    with connect(impatient) as sock:
        while time.monotonic() - started < TIMEOUT * 3:
            sock.sendall(head(impatient, "GET", "/me"))
            statuses.append(read_answer(sock)[0])

    assert set(statuses) == {200}
    assert len(statuses) > 3
