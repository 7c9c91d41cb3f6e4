"""The HTTP side: keep-alive framing, what gets recorded and logged, start/stop, serve_forever."""

from __future__ import annotations

import http.client
import io
import logging
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpx
import pytest

from tests.helpers.ports import free_port
from tray_app.sandbox import Fault, RecordedRequest, Sandbox, serve_forever


@contextmanager
def raw_connection(sandbox: Sandbox) -> Iterator[http.client.HTTPConnection]:
    address = urlsplit(sandbox.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=5)
    try:
        yield connection
    finally:
        connection.close()


def exchange(
    connection: http.client.HTTPConnection, method: str, path: str, token: str
) -> http.client.HTTPResponse:
    connection.request(method, "/api/v1" + path, headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    response.read()
    return response


def test_one_connection_carries_many_requests_and_204_has_no_body(sandbox: Sandbox) -> None:
    with raw_connection(sandbox) as connection:
        first = exchange(connection, "GET", "/me/timeentries/last", sandbox.token)
        sock = connection.sock
        paused = exchange(connection, "POST", "/me/timetracking/pause", sandbox.token)
        again = exchange(connection, "GET", "/me", sandbox.token)

        assert (first.status, paused.status, again.status) == (200, 204, 200)
        assert connection.sock is sock, "the connection was kept alive"
    assert paused.getheader("Content-Length") is None
    assert int(first.getheader("Content-Length") or 0) > 0


def test_every_request_is_recorded_as_it_arrived(api: httpx.Client, sandbox: Sandbox) -> None:
    form = {"timezone": "Europe/Berlin", "typeOfWorkId": sandbox.seed.types_of_work[0].id}
    api.post("/me/timetracking/start", params={"userId": sandbox.user_id}, json=form)
    api.post("/me/timetracking/pause")

    start, pause = sandbox.requests

    assert (start.method, start.path, start.status) == (
        "POST",
        "/api/v1/me/timetracking/start",
        200,
    )
    assert start.query == {"userId": sandbox.user_id}
    assert start.headers["authorization"] == f"Bearer {sandbox.token}"
    assert start.headers["content-type"] == "application/json"
    assert httpx.Response(200, content=start.body).json() == form
    assert (pause.path, pause.body, pause.status) == ("/api/v1/me/timetracking/pause", b"", 200)


def test_the_record_is_a_copy_and_can_be_cleared(api: httpx.Client, sandbox: Sandbox) -> None:
    api.get("/me")
    sandbox.requests.clear()

    assert len(sandbox.requests) == 1
    sandbox.clear_requests()
    assert sandbox.requests == []


def test_waiting_for_requests_ends_when_one_arrives(api: httpx.Client, sandbox: Sandbox) -> None:
    def polled(requests: list[RecordedRequest]) -> bool:
        return any(r.path == "/api/v1/me/timeentries/last" for r in requests)

    sandbox.inject("GET", "/me/timeentries/last", Fault.delay(0.3))  # decided 0.3 s after sent
    with ThreadPoolExecutor(max_workers=1) as pool:
        started = time.monotonic()
        sent = pool.submit(api.get, "/me/timeentries/last")

        assert sandbox.wait_for_requests(polled, timeout=5)
        assert time.monotonic() - started < 2, "woken by the arrival, not by the timeout"
        assert sent.result().status_code == 200
    assert sandbox.wait_for_requests(polled, timeout=0), "what has arrived stays arrived"


def test_waiting_for_requests_that_never_come_gives_up(api: httpx.Client, sandbox: Sandbox) -> None:
    api.get("/me")
    started = time.monotonic()

    assert not sandbox.wait_for_requests(lambda requests: len(requests) > 1, timeout=0.3)
    assert 0.3 <= time.monotonic() - started < 2


def test_requests_are_logged_without_the_token(
    api: httpx.Client, sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="tray_app.sandbox")

    api.get("/me")
    api.post("/me/timetracking/resume")

    assert "GET /api/v1/me -> 200" in caplog.text
    assert "POST /api/v1/me/timetracking/resume -> 200" in caplog.text
    assert sandbox.token not in caplog.text


def test_http_server_prints_nothing(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    address = urlsplit(sandbox.url)
    with socket.create_connection((address.hostname or "", address.port or 0), timeout=5) as sock:
        sock.sendall(b"BREW /api/v1/me HTTP/1.1\r\n\r\n")
        answer = sock.recv(1024)

    assert answer.startswith(b"HTTP/1.1 501")
    assert capsys.readouterr().err == ""


def test_a_chunked_body_is_refused(sandbox: Sandbox) -> None:
    with raw_connection(sandbox) as connection:
        connection.request(
            "POST",
            "/api/v1/me/timetracking/stop",
            body=iter([b"{}"]),
            headers={"Authorization": f"Bearer {sandbox.token}"},
            encode_chunked=True,
        )
        response = connection.getresponse()

        assert response.status == 411
        assert response.getheader("Connection") == "close"
        response.read()


def test_start_returns_the_sandbox_and_refuses_a_second_start() -> None:
    sandbox = Sandbox()
    with pytest.raises(RuntimeError, match="before start"):
        _ = sandbox.url
    try:
        assert sandbox.start() is sandbox
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/v1", sandbox.url)
        with pytest.raises(RuntimeError, match="already running"):
            sandbox.start()
    finally:
        sandbox.stop()
    sandbox.stop()  # a second stop is harmless


def test_stop_ends_kept_alive_connections(sandbox: Sandbox) -> None:
    with raw_connection(sandbox) as connection:
        exchange(connection, "GET", "/me", sandbox.token)
        started = time.monotonic()

        sandbox.stop()

        assert time.monotonic() - started < 1
        with pytest.raises((http.client.HTTPException, OSError)):
            exchange(connection, "GET", "/me", sandbox.token)


def test_a_fixed_port_is_used(unused_port: int) -> None:
    with Sandbox(port=unused_port) as sandbox:
        assert sandbox.url == f"http://127.0.0.1:{unused_port}/api/v1"


@pytest.fixture
def unused_port() -> int:
    return free_port()


SERVED = re.compile(
    r"awork sandbox listening on (http://127\.0\.0\.1:\d+/api/v1)\naccess token: (\S+)\n"
    r"OAuth sign-in: (\S+)\n"
)


def assert_serves(output: str) -> None:
    """The printed lines are enough to use the sandbox, with its token or by signing in."""
    match = SERVED.fullmatch(output)
    assert match, output
    url, token, authorize = match.groups()
    response = httpx.get(url + "/me", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert response.json()["firstName"] == "Ada"
    assert authorize == url + "/accounts/authorize"
    unknown_client = httpx.get(authorize, params={"client_id": "nobody"}, timeout=5)
    assert unknown_client.json()["code"] == "invalid-client"


def test_serve_forever_prints_url_and_token_until_stopped() -> None:
    out = io.StringIO()
    stop = threading.Event()
    thread = threading.Thread(target=serve_forever, kwargs={"out": out, "stop": stop})
    thread.start()
    try:
        deadline = time.monotonic() + 5
        while out.getvalue().count("\n") < 3 and time.monotonic() < deadline:
            time.sleep(0.01)  # nothing but the printed lines says the server is up
        assert_serves(out.getvalue())
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_forever_in_a_process_ends_cleanly_on_a_signal(signum: int) -> None:
    code = "from tray_app.sandbox import serve_forever; serve_forever()"
    with subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        output = "".join(process.stdout.readline() for _ in range(3))
        assert_serves(output)
        process.send_signal(signum)
        _, errors = process.communicate(timeout=10)

    assert process.returncode == 0, errors
    assert errors == ""


def test_head_answers_without_a_body_and_keeps_the_connection(sandbox: Sandbox) -> None:
    with raw_connection(sandbox) as connection:
        head = exchange(connection, "HEAD", "/me", sandbox.token)
        after = exchange(connection, "GET", "/me", sandbox.token)

    assert (head.status, after.status) == (405, 200)
