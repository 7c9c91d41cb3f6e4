"""Answers no awork would send, over real HTTP: a trickle, a flood, deep JSON, odd rate limits.

A tiny stdlib server on 127.0.0.1 plays the misbehaving server. The API client and the OAuth
token calls must end each of them alike: one typed error, one line, within the call's deadline.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tray_app.awork.client import AworkClient, BearerToken
from tray_app.awork.errors import (
    AworkError,
    MalformedAnswer,
    RateLimited,
    SignInFailed,
    Unreachable,
)
from tray_app.awork.http import new_client
from tray_app.awork.oauth import exchange_code, refresh_tokens

TOKEN = "bounded-answers-token-0123456789"
REFRESH = "bounded-answers-refresh-0123456789"
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
# Per-read timeouts far above the trickle's pace, so that only the overall deadline can end it.
TIMEOUT = httpx.Timeout(3.0, connect=1.0)
DEADLINE = 1.0
NESTED = b"[" * 10_000 + b"]" * 10_000


@dataclass
class Script:
    """What the server answers every request with."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    trickle_seconds: float = 0.0  # a pause before each byte when above zero
    chunked: bool = False
    trickle_head: bool = False  # the status line and headers trickle too, not only the body


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test's own output is what matters."""

    def _answer(self) -> None:
        script = self.server.script
        if script.trickle_head:
            self._trickle_head(script)
            return
        self.send_response(script.status)
        for name, value in script.headers:
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        if script.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(script.body)))
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            if script.trickle_seconds:
                for byte in script.body:
                    if self.server.stopping.wait(script.trickle_seconds):
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
            elif script.chunked:
                step = 64 * 1024
                for start in range(0, len(script.body), step):
                    piece = script.body[start : start + step]
                    self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.wfile.write(script.body)
        except OSError:  # the client hung up, as it should on a trickle or a flood
            pass

    def _trickle_head(self, script: Script) -> None:
        """A byte of the status line and headers at a time: no answer ever arrives whole."""
        head = f"HTTP/1.1 {script.status} OK\r\n" + "".join(
            f"X-Filler-{n}: {'x' * 20}\r\n" for n in range(20)
        )
        try:
            for byte in head.encode():
                if self.server.stopping.wait(script.trickle_seconds):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
        except OSError:  # the client hung up, as it should
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script = Script()
        self.stopping = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/v1"


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield srv
    srv.stopping.set()
    srv.shutdown()
    srv.server_close()
    thread.join()


def current_entry(server: _Server) -> None:
    """The tray's poll: GET /me/timeentries/last."""
    with AworkClient(
        server.base_url, auth=BearerToken(TOKEN), timeout=TIMEOUT, deadline=DEADLINE
    ) as client:
        client.current()


def renew(server: _Server) -> None:
    with new_client(timeout=TIMEOUT) as http:
        refresh_tokens(
            http,
            server.base_url,
            client_id="client-1",
            refresh_token=REFRESH,
            now=NOW,
            deadline=DEADLINE,
        )


def exchange(server: _Server) -> None:
    with new_client(timeout=TIMEOUT) as http:
        exchange_code(
            http,
            server.base_url,
            client_id="client-1",
            code="code-0123456789",
            redirect_uri="http://127.0.0.1:47420/callback",
            code_verifier="verifier-0123456789",
            now=NOW,
            deadline=DEADLINE,
        )


CALLS = {"client": current_entry, "refresh": renew, "exchange": exchange}
# What each call's warnings name: its method and the path it asked.
REQUEST = {
    "client": "GET /api/v1/me/timeentries/last",
    "refresh": "POST /api/v1/accounts/token",
    "exchange": "POST /api/v1/accounts/token",
}
HTTP = "tray_app.awork.http"


def calls_warning(pattern: str, logger: str = HTTP, **per_call: tuple[str, str]) -> list[Any]:
    """Each call as a case that declares the warning it logs: ``pattern`` with ``{request}``
    filled in, or a call's own (pattern, logger) from ``per_call``."""
    cases = []
    for name in CALLS:
        own_pattern, own_logger = per_call.get(name, (pattern, logger))
        expected = own_pattern.format(request=re.escape(REQUEST[name]))
        mark = pytest.mark.expect_log("WARNING", expected, logger=own_logger)
        cases.append(pytest.param(name, marks=mark, id=name))
    return cases


def assert_one_line(error: AworkError) -> None:
    text = str(error)
    assert text.strip()
    assert "\n" not in text and "\r" not in text
    for secret in (TOKEN, REFRESH, "verifier-0123456789", "code-0123456789"):
        assert secret not in text


# Whether the deadline ends the call between two reads or inside one (the socket's timeout cut
# to what is left) is timing: either is this one warning.
@pytest.mark.parametrize(
    "call", calls_warning(r"^{request}(: no whole answer within 1 s| failed: ReadTimeout)$")
)
def test_a_trickling_answer_ends_at_the_deadline(server: _Server, call: str) -> None:
    # A byte every 0.2 s for 40 bytes: every read is quick, the whole answer takes 8 s.
    server.script = Script(body=b" " * 40, trickle_seconds=0.2)
    started = time.monotonic()
    with pytest.raises(Unreachable) as caught:
        CALLS[call](server)
    took = time.monotonic() - started

    assert DEADLINE <= took < DEADLINE + 1.0
    assert "did not answer in time" in str(caught.value)
    assert_one_line(caught.value)


@pytest.mark.parametrize(
    "call", calls_warning(r"^{request}(: no whole answer within 1 s| failed: ReadTimeout)$")
)
def test_trickling_headers_end_at_the_deadline(server: _Server, call: str) -> None:
    # The status line and headers a byte every 0.2 s: each read is quick, the head takes minutes.
    server.script = Script(trickle_head=True, trickle_seconds=0.2)
    started = time.monotonic()
    with pytest.raises(Unreachable) as caught:
        CALLS[call](server)
    took = time.monotonic() - started

    assert DEADLINE <= took < DEADLINE + 1.0
    assert "did not answer in time" in str(caught.value)
    assert_one_line(caught.value)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize(
    "call", calls_warning(r"^{request} answered more than 1048576 bytes; not read$")
)
def test_an_oversized_answer_is_not_read(server: _Server, call: str, chunked: bool) -> None:
    server.script = Script(body=b'{"a": "' + b"x" * (2 * 1024 * 1024) + b'"}', chunked=chunked)
    with pytest.raises(MalformedAnswer) as caught:
        CALLS[call](server)

    assert "too large" in str(caught.value)
    assert_one_line(caught.value)


@pytest.mark.parametrize(
    "call",
    calls_warning(
        r"^/api/v1/accounts/token answered something that is not a JSON object$",
        client=(
            r"^malformed answer to {request}: .*'json_invalid'.*recursion limit exceeded",
            "tray_app.awork.client",
        ),
    ),
)
def test_deeply_nested_json_is_a_malformed_answer(server: _Server, call: str) -> None:
    server.script = Script(body=NESTED)
    with pytest.raises(MalformedAnswer) as caught:
        CALLS[call](server)

    assert_one_line(caught.value)


@pytest.mark.parametrize("call", calls_warning(r"^{request} refused: status=400$"))
def test_deeply_nested_json_in_a_refusal_is_one_typed_error(server: _Server, call: str) -> None:
    server.script = Script(status=400, body=NESTED)
    with pytest.raises(AworkError) as caught:
        CALLS[call](server)

    assert type(caught.value) is not AworkError
    assert_one_line(caught.value)


@pytest.mark.parametrize("reset", ["inf", "nan", "-5", "abc", "1e400", "-inf"])
@pytest.mark.parametrize(
    "call", calls_warning(r"^{request} refused: status=429 code=too-many-requests$")
)
def test_any_ratelimit_reset_is_a_usable_wait(server: _Server, call: str, reset: str) -> None:
    server.script = Script(
        status=429,
        headers=(("ratelimit-reset", reset),),
        body=b'{"code": "too-many-requests", "description": "Too many requests."}',
    )
    with pytest.raises(RateLimited) as caught:
        CALLS[call](server)

    seconds = caught.value.reset_seconds
    assert math.isfinite(seconds) and 0 <= seconds <= 3600
    assert str(caught.value) == f"awork asks us to slow down: try again in {round(seconds)} s."


@pytest.mark.parametrize("expires_in", ["1e400", "-1", "true", '"soon"'])
@pytest.mark.expect_log(
    "WARNING",
    r"^the token endpoint answered an unusable token set \(type Bearer\)$",
    logger="tray_app.awork.oauth",
)
def test_an_unusable_token_lifetime_is_a_malformed_answer(server: _Server, expires_in: str) -> None:
    server.script = Script(
        body=b'{"access_token": "a-0123456789", "token_type": "Bearer", "expires_in": '
        + expires_in.encode()
        + b"}"
    )
    with pytest.raises(MalformedAnswer) as caught:
        renew(server)

    assert_one_line(caught.value)


@pytest.mark.expect_log(
    "WARNING", r"^POST /api/v1/accounts/token refused: status=400$", logger=HTTP
)
def test_an_exchange_refused_with_deep_json_still_says_sign_in_failed(server: _Server) -> None:
    server.script = Script(status=400, body=NESTED)
    with pytest.raises(SignInFailed) as caught:
        exchange(server)

    assert str(caught.value) == "awork refused the sign-in."
