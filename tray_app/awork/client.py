"""A small, blocking awork client for the calls a tray timer makes.

It is Qt-free and synchronous on purpose: the tray runs it on a worker thread, the command line
runs it directly, and the tests run it against the sandbox over real HTTP. Every failure leaves it
as one of the typed errors in :mod:`tray_app.awork.errors`.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import pydantic

from tray_app.awork.errors import (
    AworkError,
    MalformedAnswer,
    NotSignedIn,
    RateLimited,
    Refused,
    ServerError,
    Unreachable,
)
from tray_app.awork.http import DEFAULT_TIMEOUT, USER_AGENT
from tray_app.awork.models import ErrorBody, StartForm, TimeTracking, UserAndWorkspace

if TYPE_CHECKING:
    import ssl

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.awork.com/api/v1"
# awork does not document a default wait on 429 without ratelimit-reset; a minute is its window.
DEFAULT_RATE_LIMIT_WAIT = 60.0

Model = TypeVar("Model", bound=pydantic.BaseModel)


class BearerToken(httpx.Auth):
    """Sends a bearer token that is looked up on every request, so a refreshed one is picked up."""

    def __init__(self, token: str | Callable[[], str | None]) -> None:
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


class AworkClient:
    """The awork calls of a tray timer, for the signed-in person (``/me``) or a given user id."""

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
    ) -> None:
        """``verify``: a TLS context made beforehand (loading the CA certificates takes ~50 ms),
        or True for httpx's own."""
        self.base_url = base_url.rstrip("/")
        self._prefix = "/me" if user_id is None else f"/users/{user_id}"
        self._http = httpx.Client(
            base_url=self.base_url,
            auth=auth,
            timeout=timeout,
            transport=transport,
            verify=verify,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=False,
        )
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
        response = self._send("POST", f"{self._prefix}/timetracking/start", body=form.to_json())
        return _parse(TimeTracking, response)

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
        response = self._send(method, path)
        if response.status_code == 204 or not response.content:
            return None
        return _parse(TimeTracking, response)

    def _send(
        self, method: str, path: str, *, body: dict[str, Any] | None = None
    ) -> httpx.Response:
        started = time.monotonic()
        try:
            response = self._http.request(method, path, json=body)
        except AworkError:
            raise
        except httpx.HTTPError as exc:
            log.warning("%s %s failed: %s", method, path, type(exc).__name__)
            raise _unreachable(method, exc) from None
        took_ms = (time.monotonic() - started) * 1000
        log.debug("%s %s -> %s in %.0f ms", method, path, response.status_code, took_ms)
        self._note_server_date(response)
        if response.is_success:
            return response
        raise _error_for(response)

    def _note_server_date(self, response: httpx.Response) -> None:
        date = response.headers.get("date")
        if date:
            try:
                self.last_server_date = parsedate_to_datetime(date)
            except (TypeError, ValueError):
                log.debug("unreadable Date header %r", date)
                return
            if self._on_server_date is not None and self.last_server_date.tzinfo is not None:
                self._on_server_date(self.last_server_date)


# Failures before the request left this machine: awork cannot have acted on it.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def _unreachable(method: str, exc: httpx.HTTPError) -> Unreachable:
    """Say "nothing changed" only when that is sure: a POST cut off after sending may have acted."""
    sure = isinstance(exc, _NOT_SENT) or method == "GET"
    outcome = "nothing changed" if sure else "it may have taken effect anyway"
    if isinstance(exc, httpx.TimeoutException):
        return Unreachable(f"awork did not answer in time; {outcome}.")
    if isinstance(exc, _NOT_SENT):
        return Unreachable()
    return Unreachable(f"The connection to awork broke off; {outcome}.")


def _parse(model: type[Model], response: httpx.Response) -> Model:
    try:
        return model.model_validate_json(response.content)
    except pydantic.ValidationError as exc:
        log.warning(
            "malformed answer to %s %s: %s (traceId=%s)",
            response.request.method,
            response.request.url.path,
            exc.errors(include_url=False, include_input=False)[:3],
            response.headers.get("traceid") or response.headers.get("x-trace-id"),
        )
        raise MalformedAnswer() from None


def _error_body(response: httpx.Response) -> ErrorBody:
    try:
        return ErrorBody.model_validate_json(response.content)
    except pydantic.ValidationError:
        return ErrorBody()


def _error_for(response: httpx.Response) -> AworkError:
    """Turn a refusal into the typed error a caller can act on, keeping awork's own words."""
    body = _error_body(response)
    status = response.status_code
    details: dict[str, Any] = {
        "status": status,
        "code": body.code,
        "description": _one_line(body.description),
        "trace_id": body.trace_id,
    }
    error: AworkError
    if status == 401:
        error = NotSignedIn(**details)
    elif status == 429:
        error = RateLimited(_reset_seconds(response), **details)
    elif status >= 500:
        error = ServerError(**details)
    elif body.description:
        error = Refused(**details)
    else:
        error = Refused(f"awork refused the request (HTTP {status}).", **details)
    log.warning(
        "%s %s refused: %s",
        response.request.method,
        response.request.url.path,
        error.log_details(),
    )
    return error


def _reset_seconds(response: httpx.Response) -> float:
    for header in ("ratelimit-reset", "retry-after"):
        value = response.headers.get(header)
        if value is None:
            continue
        try:
            seconds = float(value)
        except ValueError:
            seconds = math.nan
        if math.isfinite(seconds):
            return max(0.0, seconds)
        log.debug("unreadable %s header %r", header, value)
    return DEFAULT_RATE_LIMIT_WAIT


def _one_line(text: str | None) -> str | None:
    return " ".join(text.split()) if text else text
