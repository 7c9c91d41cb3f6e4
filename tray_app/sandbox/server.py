"""The HTTP side of the sandbox: HTTP/1.1 keep-alive on a thread per connection.

It only moves bytes between sockets and :class:`~tray_app.sandbox.api.AworkApi`, applies injected
faults and records what arrived, so a test can assert on what the server received.
"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlsplit

from tray_app.sandbox.answers import Answer, error_answer
from tray_app.sandbox.api import API_PREFIX, AworkApi, Request
from tray_app.sandbox.errors import ApiError, not_found
from tray_app.sandbox.faults import Fault, FaultBook

logger = logging.getLogger(__name__)

DROPPED = 0
"""The ``status`` recorded for a request whose connection was closed without an answer."""
MAX_BODY_BYTES = 1 << 20
"""The largest request body read (1 MiB, far above any form awork takes); larger ones get 413."""
RECORDED_BODY_BYTES = 512
"""How much of each body :class:`RequestLog` keeps: every form a client sends, not a flood."""
DEFAULT_CONNECTION_TIMEOUT = 10.0
"""Seconds a connection may take to send its next request; longer than httpx's 5 s keep-alive,
so a well-behaved client closes its idle connections before the sandbox does."""
_LINGER_SECONDS = 1.0
_LOGGED_CHARS = 200


@dataclass(frozen=True)
class RecordedRequest:
    """A request as it arrived; ``path`` is the full path without the query."""

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    """The body's first :data:`RECORDED_BODY_BYTES` bytes (the whole of any usual form)."""
    status: int = DROPPED
    received_at: float = 0.0
    """``time.monotonic()`` when the request arrived, to measure the spacing of polls."""
    body_size: int = 0
    """The body's full length as announced by its Content-Length."""


class RequestLog:
    """Every request the sandbox received, in order, safe to read and to wait on from any thread."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._items: list[RecordedRequest] = []

    def add(self, item: RecordedRequest) -> None:
        with self._changed:
            self._items.append(item)
            self._changed.notify_all()

    def snapshot(self) -> list[RecordedRequest]:
        with self._changed:
            return list(self._items)

    def clear(self) -> None:
        with self._changed:
            self._items.clear()

    def wait_for(self, condition: Callable[[list[RecordedRequest]], bool], timeout: float) -> bool:
        """Whether ``condition`` held of the requests within ``timeout`` s, asked at each one."""
        with self._changed:
            return self._changed.wait_for(lambda: condition(list(self._items)), timeout)


def _relative(path: str) -> str | None:
    """The path below ``/api/v1``, or None for a path outside the API."""
    if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
        return path[len(API_PREFIX) :] or "/"
    return None


class _DeadlineReader(io.RawIOBase):
    """A socket's incoming bytes, each read bounded by what is left of the request's time.

    A plain socket timeout bounds one read only: a client sending a byte every second would
    hold a thread for ever. Here every read waits at most until the deadline that
    :meth:`restart` sets when the server starts waiting for a request.
    """

    def __init__(self, connection: socket.socket, seconds: float) -> None:
        super().__init__()
        self._connection = connection
        self._seconds = seconds
        self._deadline = time.monotonic() + seconds

    def restart(self) -> None:
        self._deadline = time.monotonic() + self._seconds

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self._deadline - time.monotonic()
        try:
            if left <= 0:
                raise TimeoutError
            self._connection.settimeout(left)
            return self._connection.recv_into(buffer)
        except TimeoutError:
            raise TimeoutError(f"the request did not arrive within {self._seconds} s") from None


class _Handler(BaseHTTPRequestHandler):
    """One connection: reads requests until the client closes it (keep-alive) or is too slow."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stall
    server: SandboxHTTPServer

    def setup(self) -> None:
        """Read through a :class:`_DeadlineReader` instead of the socket's own file."""
        super().setup()
        self.rfile.close()
        self._reader = _DeadlineReader(self.connection, self.server.connection_timeout)
        self.rfile = io.BufferedReader(self._reader)

    def handle_one_request(self) -> None:
        """Give the next request the connection timeout to arrive whole, head and body."""
        self._reader.restart()
        super().handle_one_request()

    def do_GET(self) -> None:
        self._serve()

    do_HEAD = do_OPTIONS = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        """Silence http.server's lines on stderr; :meth:`_serve` logs each request instead."""

    def log_error(self, format: str, *args: Any) -> None:
        """http.server's refusals (a timed-out or malformed request) go to the debug log.

        Cut short: a malformed request line is quoted in the message, up to 64 KiB of it.
        """
        message = format % args
        if len(message) > _LOGGED_CHARS:
            message = message[:_LOGGED_CHARS] + "…"
        logger.debug("connection from %s: %s", self.client_address[0], message)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header by the sandbox's clock, so a client can notice a skewed machine."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        return format_datetime(self.server.clock(), usegmt=True)

    def _serve(self) -> None:
        """Answer one request; it is recorded when decided, which a late answer is before sent."""
        started = time.monotonic()
        url = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        size, framing_error = self._body_size()
        try:
            body = b"" if framing_error is not None else self.rfile.read(size)
        except TimeoutError:
            self.server.log.add(
                RecordedRequest(self.command, url.path, query, headers, b"", DROPPED, started, size)
            )
            raise  # http.server closes the connection; log_error says why
        fault = self.server.faults.take(self.command, url.path)
        answer = self._answer(url, headers, body, framing_error, fault)
        status = DROPPED if answer is None else answer.status
        recorded = body[:RECORDED_BODY_BYTES]
        self.server.log.add(
            RecordedRequest(self.command, url.path, query, headers, recorded, status, started, size)
        )
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.debug("%s %s -> %s in %.0f ms", self.command, url.path, status, elapsed_ms)
        if fault is not None and fault.wait_after:
            logger.debug(
                "%s %s: injected late answer after %s s", self.command, url.path, fault.seconds
            )
            if self.server.stopping.wait(fault.wait_after):
                answer = None
        self._send(answer)
        if framing_error is not None:
            self._linger()

    def _body_size(self) -> tuple[int, ApiError | None]:
        """The Content-Length; a body we cannot frame, or will not read, ends the connection."""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            return 0, ApiError(411, "length-required", "Send the body with a Content-Length.")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            return 0, ApiError(400, "bad-request", "The Content-Length header is invalid.")
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            return length, ApiError(
                413,
                "payload-too-large",
                f"The request body must not be larger than {MAX_BODY_BYTES} bytes.",
            )
        return length, None

    def _answer(
        self,
        url: SplitResult,
        headers: Mapping[str, str],
        body: bytes,
        framing_error: ApiError | None,
        fault: Fault | None,
    ) -> Answer | None:
        """The answer to send after any injected delay; None drops the connection."""
        if fault is not None and fault.wait_before:
            logger.debug("%s %s: injected delay of %s s", self.command, url.path, fault.seconds)
            if self.server.stopping.wait(fault.wait_before):
                return None  # stopped meanwhile: the client gets no answer, as from a dead server
        if fault is not None and fault.drops_connection:
            return None
        if framing_error is not None:
            return error_answer(framing_error)
        replacement = fault.replacement() if fault is not None else None
        if replacement is not None:
            return replacement
        relative = _relative(url.path)
        if relative is None:
            return error_answer(not_found())
        return self.server.api.answer(Request(self.command, relative, headers, body, url.query))

    def _linger(self) -> None:
        """Read what the client still sends of a refused body, for a moment, before closing.

        Closing at once, with its body unread, resets the connection under a client still
        writing it: the client sees a broken pipe instead of our answer (a "lingering close",
        as Apache and nginx do it). ``close_connections`` ends the wait when the sandbox stops.
        """
        self.wfile.flush()
        deadline = time.monotonic() + _LINGER_SECONDS
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_WR)
            while (left := deadline - time.monotonic()) > 0:
                self.connection.settimeout(left)
                if not self.connection.recv(65536):
                    return

    def _send(self, answer: Answer | None) -> None:
        """Write the answer with its Content-Length; None closes the connection unanswered."""
        if answer is None:
            self.close_connection = True
            return
        # The answer gets the whole timeout, whatever the request's reading left of it.
        self.connection.settimeout(self.server.connection_timeout)
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        if answer.status != 204:
            self.send_header("Content-Length", str(len(answer.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if answer.status != 204 and self.command != "HEAD":
            self.wfile.write(answer.body)


class SandboxHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP server that can end its keep-alive connections when it stops."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        api: AworkApi,
        faults: FaultBook,
        log: RequestLog,
        clock: Callable[[], datetime],
        *,
        connection_timeout: float = DEFAULT_CONNECTION_TIMEOUT,
    ) -> None:
        self.api = api
        self.clock = clock
        self.connection_timeout = connection_timeout
        self.faults = faults
        self.log = log
        self.stopping = threading.Event()
        self._connections_lock = threading.Lock()
        self._connections: dict[threading.Thread, socket.socket] = {}
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the host, which can take seconds."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve the connection in a thread that :meth:`close_connections` can find and join."""
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"awork-sandbox-{client_address[1]}",
            daemon=True,
        )
        with self._connections_lock:
            self._connections[thread] = request
        thread.start()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.pop(threading.current_thread(), None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer is normal here; log it instead of printing it."""
        logger.debug("connection from %s ended with an error", client_address, exc_info=True)

    def close_connections(self, timeout: float = 5.0) -> None:
        """Wake every connection thread (idle keep-alive, delayed answer) and wait for it."""
        self.stopping.set()
        with self._connections_lock:
            connections = dict(self._connections)
        for connection in connections.values():
            with contextlib.suppress(OSError):  # already closed by its thread
                connection.shutdown(socket.SHUT_RDWR)
        for thread in connections:
            thread.join(timeout)
