"""A small, blocking awork client for the calls a tray timer makes.

It is Qt-free and synchronous on purpose: the tray runs it on a worker thread, the command line
runs it directly, and the tests run it against the sandbox over real HTTP. Every failure leaves it
as one of the typed errors in :mod:`tray_app.awork.errors`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import pydantic

from tray_app import logs
from tray_app.awork.errors import (
    MalformedAnswer,
    NotSignedIn,
)
from tray_app.awork.http import (
    DEFAULT_DEADLINE,
    DEFAULT_TIMEOUT,
    MAX_ANSWER_BYTES,
    Answer,
    error_for,
    new_client,
    send,
)
from tray_app.awork.models import StartForm, TimeTracking, UserAndWorkspace
from tray_app.awork.task_calls import TaskCalls

if TYPE_CHECKING:
    import ssl

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.awork.com/api/v1"

Model = TypeVar("Model", bound=pydantic.BaseModel)


class BearerToken(httpx.Auth):
    """Sends a bearer token that is looked up on every request, so a refreshed one is picked up."""

    def __init__(self, token: str | Callable[[], str | None]) -> None:
        if isinstance(token, str):
            logs.register_secret(token)  # from here on, no log line can carry it
        self._token = token

    def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]  # httpx's generator
        token = self._token() if callable(self._token) else self._token
        # A pasted token often brings a space or line break along; inside one, it is no token.
        token = token.strip() if token else token
        if not token:
            raise NotSignedIn()
        if any(char.isspace() or not char.isprintable() for char in token):
            raise NotSignedIn("The awork access token is malformed: sign in again.")
        request.headers["Authorization"] = f"Bearer {token}"
        yield request


class AworkClient(TaskCalls):
    """The awork calls of a tray timer, for the signed-in person (``/me``) or a given user id.

    The task feature's calls (lists, entries, search, types of work) come from
    :class:`tray_app.awork.task_calls.TaskCalls`.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        auth: httpx.Auth,
        user_id: str | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        verify: ssl.SSLContext | bool = True,
        on_server_date: Callable[[datetime], None] | None = None,
        deadline: float = DEFAULT_DEADLINE,
        max_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        """``verify``: a TLS context made beforehand (loading the CA certificates takes ~50 ms),
        or True for httpx's own; ``deadline``: seconds for a whole call; ``max_bytes``: the
        largest answer read."""
        self.base_url = base_url.rstrip("/")
        self._prefix = "/me" if user_id is None else f"/users/{user_id}"
        self._http = new_client(
            base_url=self.base_url,
            auth=auth,
            timeout=timeout,
            transport=transport,
            verify=verify,
            headers={"Accept": "application/json"},
        )
        self._deadline = deadline
        self._max_bytes = max_bytes
        self.last_server_date: datetime | None = None
        # Called from whichever thread made the call, with each answer's Date (clock skew).
        self._on_server_date = on_server_date

    # -- the timer ---------------------------------------------------------------------------

    def current(self) -> TimeTracking | None:
        """The last time entry started, from which the timer's state follows; None when none."""
        return self._entry_or_none("GET", f"{self._prefix}/timeentries/last")

    def resume(self) -> TimeTracking | None:
        """Resume a paused timer; None when awork had nothing to resume."""
        return self._entry_or_none("POST", f"{self._prefix}/timetracking/resume")

    def pause(self) -> TimeTracking | None:
        """Pause the running timer; None when awork had nothing to pause."""
        return self._entry_or_none("POST", f"{self._prefix}/timetracking/pause")

    def stop(self) -> TimeTracking | None:
        """Stop the running or paused timer; None when awork had nothing to stop."""
        return self._entry_or_none("POST", f"{self._prefix}/timetracking/stop")

    def start(self, form: StartForm) -> TimeTracking:
        """Start a new timer; awork stops any running or paused one first."""
        answer = self._send("POST", f"{self._prefix}/timetracking/start", body=form.to_json())
        return _parse(TimeTracking, answer)

    def me(self) -> UserAndWorkspace:
        """The signed-in person and the workspace their token belongs to."""
        return _parse(UserAndWorkspace, self._send("GET", "/me"))

    # -- plumbing ----------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> AworkClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _entry_or_none(self, method: str, path: str) -> TimeTracking | None:
        # Pause and resume take no body at all: awork refuses even an empty JSON object there.
        answer = self._send(method, path)
        if answer.status_code == 204 or not answer.content:
            return None
        return _parse(TimeTracking, answer)

    def _send(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Answer:
        answer = send(
            self._http,
            method,
            path,
            json=body,
            params=params,
            deadline=self._deadline,
            max_bytes=self._max_bytes,
        )
        self._note_server_date(answer)
        if answer.is_success:
            return answer
        raise error_for(answer)

    def _note_server_date(self, answer: Answer) -> None:
        date = answer.headers.get("date")
        if date:
            try:
                self.last_server_date = parsedate_to_datetime(date)
            except (TypeError, ValueError):
                log.debug("unreadable Date header %r", date)
                return
            if self._on_server_date is not None and self.last_server_date.tzinfo is not None:
                self._on_server_date(self.last_server_date)


def _parse(model: type[Model], answer: Answer) -> Model:
    try:
        return model.model_validate_json(answer.content)
    except pydantic.ValidationError as exc:
        log.warning(
            "malformed answer to %s %s: %s (traceId=%s)",
            answer.method,
            answer.path,
            exc.errors(include_url=False, include_input=False)[:3],
            answer.headers.get("traceid") or answer.headers.get("x-trace-id"),
        )
        raise MalformedAnswer() from None
