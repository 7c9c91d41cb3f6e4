"""The one-shot listener on 127.0.0.1 that receives awork's redirect back after a sign-in."""

from __future__ import annotations

import contextlib
import html
import logging
import secrets
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from tray_app import logs
from tray_app.awork.errors import SignInFailed
from tray_app.awork.http import shown

log = logging.getLogger(__name__)

# A fixed port: awork matches redirect URIs exactly, and whether it accepts any loopback port is
# unknown. 47420 is unassigned by IANA and far from the ports developers usually occupy.
DEFAULT_PORT = 47420
CALLBACK_PATH = "/callback"
# Long enough to type a password and pass a second factor; a closed browser tab ends it.
DEFAULT_WAIT_SECONDS = 300.0
# How long one browser connection may sit idle; browsers open spare connections they never use.
_CONNECTION_IDLE_SECONDS = 5.0


def redirect_uri_for(port: int) -> str:
    """Where awork sends the browser back: this listener, on 127.0.0.1 (never "localhost")."""
    return f"http://127.0.0.1:{port}{CALLBACK_PATH}"


@dataclass(frozen=True, repr=False)
class _Outcome:
    code: str | None = None
    failure: str | None = None


class _CallbackServer(ThreadingHTTPServer):
    """Serves the one redirect back from awork; each browser connection in its own thread."""

    daemon_threads = True
    # On Windows SO_REUSEADDR lets another program bind the same port and steal the code;
    # SO_EXCLUSIVEADDRUSE (set in server_bind) is the safe equivalent there. Windows' documented
    # behaviour, no bug: https://learn.microsoft.com/windows/win32/winsock/using-so-reuseaddr-and-so-exclusiveaddruse
    allow_reuse_address = sys.platform != "win32"

    def __init__(self, address: tuple[str, int], state: str) -> None:
        self.expected_state = state
        self.outcome: _Outcome | None = None
        self.settled = threading.Event()
        self.settle_lock = threading.Lock()
        self._connections_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        super().__init__(address, _CallbackHandler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the host, which can take seconds."""
        if sys.platform == "win32":  # pragma: no cover - Windows only
            exclusive = getattr(socket, "SO_EXCLUSIVEADDRUSE", None)
            if exclusive is not None:
                self.socket.setsockopt(socket.SOL_SOCKET, exclusive, 1)
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def settle(self, params: Mapping[str, str]) -> tuple[int, str, str]:
        """Decide the sign-in from the callback's query; returns the page's status, title, text."""
        with self.settle_lock:
            if self.outcome is not None:
                return 409, "Sign-in already handled", "This sign-in has already ended."
            state = params.get("state", "")
            if not secrets.compare_digest(state.encode(), self.expected_state.encode()):
                # Any web page can make the browser call this fixed port; only awork knows the
                # state, so a wrong one is ignored and the real answer is still awaited.
                log.warning("ignored a sign-in callback whose state did not match")
                return (
                    400,
                    "Sign-in refused",
                    "This answer does not belong to the sign-in awork Tray started, so it was "
                    "ignored.",
                )
            if "error" in params:
                why = shown(params.get("error_description")) or shown(params["error"])
                line = f"awork did not sign you in: {(why or 'denied').rstrip('.')}."
                self.outcome = _Outcome(failure=line)
                return 200, "Not signed in", line
            code = params.get("code")
            if not code:
                self.outcome = _Outcome(failure="awork's answer carried no sign-in code.")
                return 400, "Not signed in", "awork's answer carried no sign-in code."
            logs.register_secret(code)
            self.outcome = _Outcome(code=code)
            return 200, "Signed in", "Signed in to awork Tray — you can close this tab."

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End connections still open (a browser's idle spare ones) so nothing stays bound."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _CallbackHandler(BaseHTTPRequestHandler):
    server: _CallbackServer
    timeout = _CONNECTION_IDLE_SECONDS

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path != CALLBACK_PATH:
            self._page(404, "Not found", "Nothing here; this is awork Tray's sign-in listener.")
            return
        status, title, text = self.server.settle(dict(parse_qsl(url.query)))
        self._page(status, title, text)
        if self.server.outcome is not None:
            # Only now: the person sees the page before the listener goes away.
            self.server.settled.set()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence http.server's stderr lines: they carry the request line, code included."""

    def _page(self, status: int, title: str, text: str) -> None:
        body = (
            "<!doctype html><html><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)} · awork Tray</title></head>"
            "<body style='font-family: sans-serif; margin: 3em'>"
            f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>"
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")  # the code is in this page's URL
        self.send_header("Connection", "close")
        self.end_headers()
        with contextlib.suppress(OSError):  # the browser may have gone already
            self.wfile.write(body)


class LoopbackListener:
    """A one-shot listener on 127.0.0.1 for awork's redirect back to awork Tray.

    It accepts exactly one callback with the right ``state``: with a ``code`` it ends the wait
    with the code, with an ``error=`` in one clear message, as do the timeout and a cancel. A
    callback with a wrong ``state`` is answered 400 and changes nothing.
    The socket is closed when the ``with`` block ends, whatever happened.
    """

    def __init__(self, state: str, *, port: int = DEFAULT_PORT, host: str = "127.0.0.1") -> None:
        self._state = state
        self._address = (host, port)
        self._server: _CallbackServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        try:
            server = _CallbackServer(self._address, self._state)
        except OSError as exc:
            port = self._address[1]
            log.warning("cannot listen on port %s: %s", port, exc.strerror)
            raise SignInFailed(
                f"Port {port} on 127.0.0.1 is in use (is another sign-in still open?); "
                "close it, or choose another port."
            ) from None
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="awork-sign-in-listener",
            daemon=True,
        )
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the listener is not started")
        return int(self._server.server_address[1])

    @property
    def redirect_uri(self) -> str:
        return redirect_uri_for(self.port)

    def wait(self, timeout: float, *, cancel: threading.Event | None = None) -> str:
        """The code from the browser's answer; raises SignInFailed for any other ending."""
        server = self._server
        if server is None:
            raise RuntimeError("the listener is not started")
        deadline = time.monotonic() + timeout
        while not server.settled.wait(min(0.05, max(0.0, deadline - time.monotonic()))):
            if cancel is not None and cancel.is_set():
                raise SignInFailed("Sign-in cancelled.")
            if time.monotonic() >= deadline:
                raise SignInFailed(
                    f"No answer from the browser within {_duration(timeout)}; "
                    "the sign-in was cancelled. Try again."
                )
        outcome = server.outcome
        if outcome is None or outcome.code is None:
            raise SignInFailed(outcome.failure if outcome else None)
        return outcome.code

    def close(self) -> None:
        """Stop listening and close the socket; safe to call twice."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _duration(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds:g} s"
