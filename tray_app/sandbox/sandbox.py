"""The sandbox as the app, the tests and ``awork-tray sandbox`` use it: start, inspect, stop.

It wires the seed, the timer world, the OAuth authority, the routes and the HTTP server together
and gives tests the levers awork itself has: another client changing the timer, faults, expiring
or revoked tokens, a person who declines to sign in.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from types import FrameType, TracebackType
from typing import Any, Self, TextIO

from tray_app.sandbox.api import API_PREFIX, AworkApi, TokenGate
from tray_app.sandbox.errors import not_found
from tray_app.sandbox.faults import Fault, FaultBook
from tray_app.sandbox.forms import StartForm
from tray_app.sandbox.history import seeded_history
from tray_app.sandbox.oauth import DEFAULT_TOKEN_LIFETIME, OAuthAuthority
from tray_app.sandbox.seed import Seed, default_seed
from tray_app.sandbox.server import (
    DEFAULT_CONNECTION_TIMEOUT,
    RecordedRequest,
    RequestLog,
    SandboxHTTPServer,
)
from tray_app.sandbox.state import Clock, Entry, TimerWorld, as_utc
from tray_app.sandbox.wire import entry_json
from tray_app.sandbox.workspace import WorkspaceRoutes


def _utc_now() -> datetime:
    return datetime.now(UTC)


class OtherClient:
    """The person's other awork clients (web app, phone): they change the timer without HTTP.

    Each method returns the entry as ``GET /me/timeentries/last`` would show it afterwards, or
    None where awork would answer 204.
    """

    def __init__(self, world: TimerWorld, seed: Seed) -> None:
        self._world = world
        self._seed = seed

    def pause(self) -> dict[str, Any] | None:
        return self._json(self._world.pause())

    def resume(self) -> dict[str, Any] | None:
        return self._json(self._world.resume())

    def stop(self) -> dict[str, Any] | None:
        return self._json(self._world.stop())

    def start(self, task_id: str | None = None) -> dict[str, Any]:
        """Start on ``task_id`` (a seed task; the first task by default) with its type of work.

        Raises ApiError (awork's 404) for an id that is not a seed task.
        """
        task = self._seed.task(task_id) if task_id else self._seed.tasks[0]
        if task is None:
            raise not_found(f"No task with the id '{task_id}' exists.")
        type_of_work = task.type_of_work_id or self._seed.types_of_work[0].id
        form = StartForm(self._seed.timezone, type_of_work, task_id=task.id)
        return entry_json(self._world.start(form), self._seed)

    def _json(self, entry: Entry | None) -> dict[str, Any] | None:
        return None if entry is None else entry_json(entry, self._seed)


class Sandbox:
    """A stand-in awork server on 127.0.0.1: Ada Lovelace, her workspace, two weeks of entries.

    The history (the person's and a colleague's finished entries) is made from ``clock`` at
    construction, so "today" is right; the person's paused timer comes last.

    Nothing listens until :meth:`start` (or ``with``). ``clock`` returns aware UTC datetimes and
    drives every time the sandbox writes or checks, including the 24-hour stop and the expiry of
    codes and tokens. ``paused_timer=False`` starts the person with no time entry at all (the
    colleague's remain), so ``GET /me/timeentries/last`` answers 204. ``token_lifetime`` is the
    ``expires_in`` (seconds) of access tokens from the OAuth flow; :attr:`token` is a static token
    that never expires.
    ``connection_timeout`` is how many seconds a connection has to send each request whole (its
    head and body), counted from the connection's start or the previous answer; a client that
    sends nothing, or trickles, is dropped after it.
    """

    def __init__(
        self,
        port: int = 0,
        clock: Clock | None = None,
        host: str = "127.0.0.1",
        token: str | None = None,
        *,
        paused_timer: bool = True,
        token_lifetime: int = DEFAULT_TOKEN_LIFETIME,
        connection_timeout: float = DEFAULT_CONNECTION_TIMEOUT,
    ) -> None:
        self._address = (host, port)
        self._connection_timeout = connection_timeout
        self.seed: Seed = default_seed()
        clock = clock or _utc_now
        self._clock = clock
        own, others = seeded_history(self.seed, as_utc(clock()))
        self._world = TimerWorld(
            self.seed,
            clock,
            paused_timer=paused_timer,
            history=own if paused_timer else (),
            others=others,
        )
        self._tokens = TokenGate(token)
        self._oauth = OAuthAuthority(clock, token_lifetime=token_lifetime)
        self._faults = FaultBook()
        self._log = RequestLog()
        workspace = WorkspaceRoutes(self.seed, self._world, clock)
        self._api = AworkApi(self.seed, self._world, self._tokens, self._oauth, workspace)
        self.other_client = OtherClient(self._world, self.seed)
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Bind and serve in a daemon thread; returns self so ``Sandbox().start()`` reads well."""
        if self._server is not None:
            raise RuntimeError("the sandbox is already running")
        server = SandboxHTTPServer(
            self._address,
            self._api,
            self._faults,
            self._log,
            self._clock,
            connection_timeout=self._connection_timeout,
        )
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.02},  # how long stop() may wait for the loop
            name="awork-sandbox",
            daemon=True,
        )
        self._server = server
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, end open connections and close the socket; safe to call twice."""
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
        self.stop()

    @property
    def url(self) -> str:
        """The API base URL, e.g. ``http://127.0.0.1:8765/api/v1``."""
        if self._server is None:
            raise RuntimeError("the sandbox has no URL before start()")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{API_PREFIX}"

    @property
    def token(self) -> str:
        """The access token accepted now (a new one after :meth:`revoke_token`)."""
        return self._tokens.token

    @property
    def oauth(self) -> OAuthAuthority:
        """The sign-in side: ``deny_next()``, ``clients``, ``authorizations``, counters."""
        return self._oauth

    @property
    def authorize_url(self) -> str:
        """Where a client sends the browser to sign in (the sandbox approves at once)."""
        return f"{self.url}/accounts/authorize"

    @property
    def user_id(self) -> str:
        return self.seed.user_id

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of every request received so far, oldest first."""
        return self._log.snapshot()

    def clear_requests(self) -> None:
        self._log.clear()

    def wait_for_requests(
        self, condition: Callable[[list[RecordedRequest]], bool], timeout: float = 5.0
    ) -> bool:
        """Wait until ``condition(requests)`` holds, asked as each request is decided.

        Returns False if it still does not after ``timeout`` seconds. A test waits on what the
        server received this way instead of sleeping and looking again.
        """
        return self._log.wait_for(condition, timeout)

    def inject(self, method: str, path: str, fault: Fault, times: int | None = 1) -> None:
        """Misbehave on ``method path`` (below the API base) ``times`` times; None: always."""
        self._faults.add(method, path, fault, times)

    def clear_faults(self) -> None:
        self._faults.clear()

    def current_entry(self) -> dict[str, Any] | None:
        """What ``GET /me/timeentries/last`` would answer now: the entry, or None for 204."""
        entry = self._world.last()
        return None if entry is None else entry_json(entry, self.seed)

    def revoke_token(self) -> str:
        """The current token gets 401 from now on, as an expired one does; returns the new one."""
        return self._tokens.rotate()

    def expire_access_tokens(self) -> int:
        """Let every access token from the OAuth flow run out now (not :attr:`token`).

        Returns how many were still valid; refresh tokens keep working, so a client can show
        that it refreshes after a 401.
        """
        return self._oauth.expire_access_tokens()


@contextmanager
def _sigterm_sets(event: threading.Event) -> Iterator[None]:
    """Let SIGTERM end the foreground sandbox cleanly (only the main thread may set handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        event.set()

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve_forever(
    port: int = 0, out: TextIO = sys.stdout, *, stop: threading.Event | None = None
) -> None:
    """Run the sandbox in the foreground until Ctrl+C, SIGTERM or ``stop`` is set.

    Prints the URL and the accepted token (this token opens nothing but the sandbox), then the
    authorize URL for a client that signs in with OAuth instead.
    """
    stop = stop or threading.Event()
    with Sandbox(port=port) as sandbox, _sigterm_sets(stop):
        print(f"awork sandbox listening on {sandbox.url}", file=out)
        print(f"access token: {sandbox.token}", file=out)
        print(f"OAuth sign-in: {sandbox.authorize_url}", file=out, flush=True)
        with suppress(KeyboardInterrupt):
            stop.wait()
