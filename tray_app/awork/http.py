"""The one HTTP layer under the API client and the OAuth calls: bounded sending, one error mapping.

Every answer is read with a size cap and within an overall deadline (a server trickling a byte
at a time passes every per-read timeout), and every failed or strange answer becomes one typed
error of :mod:`tray_app.awork.errors` here, once, so that the API client and sign-in cannot
disagree on what it means. No request leaves for a host that would carry its token, code or
verifier over plain http (:func:`tray_app.urls.check_base_url`).
"""

from __future__ import annotations

import contextvars
import logging
import math
import ssl
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx
import pydantic_core

from tray_app import __version__, logs
from tray_app.awork.errors import (
    AworkError,
    MalformedAnswer,
    NotSignedIn,
    RateLimited,
    Refused,
    ServerError,
    Unreachable,
)
from tray_app.urls import InsecureBaseUrl, check_base_url

log = logging.getLogger(__name__)

USER_AGENT = f"awork-tray/{__version__}"
# A tray must never hang on awork: connecting is quick or hopeless, answers come within seconds.
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
# The whole call, connecting and reading included; per-read timeouts alone let a trickle go on.
DEFAULT_DEADLINE = 15.0
# awork's largest answer to the tray is a few KiB; anything near this is not awork.
MAX_ANSWER_BYTES = 1024 * 1024
# awork does not document a default wait on 429 without ratelimit-reset; a minute is its window.
DEFAULT_RATE_LIMIT_WAIT = 60.0
# A reset beyond an hour is no rate-limit window of awork's; waiting longer would look dead.
MAX_RATE_LIMIT_WAIT = 3600.0
_MAX_SHOWN_DESCRIPTION = 200

# Failures before the request left this machine: awork cannot have acted on it.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


@dataclass(frozen=True)
class Answer:
    """An answer read whole, within the size cap and the deadline."""

    method: str
    url: httpx.URL
    status_code: int
    headers: httpx.Headers
    content: bytes

    @property
    def path(self) -> str:
        return self.url.path

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300


# -- the deadline, down to every socket operation ------------------------------------------------

# When the call under way on this thread must be over (a monotonic time), or None outside a call.
_call_ends: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "awork_call_ends", default=None
)


@contextmanager
def _deadline_of_call(ends: float) -> Iterator[None]:
    token = _call_ends.set(ends)
    try:
        yield
    finally:
        _call_ends.reset(token)


def _bounded(timeout: float | None, timed_out: type[Exception]) -> float | None:
    """``timeout`` shortened to what is left of the call under way; past it, ``timed_out``."""
    ends = _call_ends.get()
    if ends is None:
        return timeout
    left = ends - time.monotonic()
    if left <= 0:
        raise timed_out("the call's deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the deadline of the call using it.

    httpx's timeouts count per read: a server sending a byte each second, headers included,
    would keep a call open for ever. Reused keep-alive connections are bounded by the call
    that uses them, since the deadline is looked up on each operation.
    """

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """Opens connections as :class:`_DeadlineStream`; sockets and TLS are httpcore's own."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._inner.connect_tcp(host, port, bounded, local_address, socket_options)
        )

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, bounded, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def new_client(*, verify: ssl.SSLContext | bool = True, **options: Any) -> httpx.Client:
    """An httpx client whose calls through :func:`send` end by their deadline, to the socket.

    ``options`` are httpx.Client's (``transport=`` replaces the network entirely, for tests).
    """
    options.setdefault("timeout", DEFAULT_TIMEOUT)
    options.setdefault("follow_redirects", False)
    headers = {"User-Agent": USER_AGENT, **options.pop("headers", {})}
    if options.get("transport") is None:
        transport = httpx.HTTPTransport(verify=verify)
        # httpx (0.28) takes no network backend, but its pool is httpcore's, which does; the
        # pinned versions are tested (tests/integration/test_bounded_answers.py).
        pool = transport._pool
        if isinstance(pool, httpcore.ConnectionPool):
            pool._network_backend = _DeadlineBackend(pool._network_backend)
        options["transport"] = transport
    return httpx.Client(headers=headers, **options)


class _TooLarge(Exception):
    """The answer passed the size cap (internal: becomes MalformedAnswer)."""


class _TooSlow(Exception):
    """The answer did not arrive whole before the deadline (internal: becomes Unreachable)."""


def send(
    http: httpx.Client,
    method: str,
    url: str,
    *,
    deadline: float = DEFAULT_DEADLINE,
    max_bytes: int = MAX_ANSWER_BYTES,
    **kwargs: Any,
) -> Answer:
    """One request, its answer read whole; transport trouble, a trickle or a flood are typed.

    ``deadline``: seconds for the whole call; ``max_bytes``: the largest body accepted.
    """
    ends = time.monotonic() + deadline
    request = http.build_request(method, url, **kwargs)
    path = request.url.path
    try:
        check_base_url(str(request.url.copy_with(query=None, fragment=None)))
    except InsecureBaseUrl as exc:
        log.warning("%s %s not sent: %s", method, path, exc)
        raise Unreachable(f"Not sent: {exc}.") from None
    started = time.monotonic()
    try:
        with _deadline_of_call(ends):
            response = http.send(request, stream=True)
            try:
                content = _read_capped(response, ends, max_bytes)
            finally:
                response.close()
    except AworkError:
        raise
    except _TooLarge:
        log.warning("%s %s answered more than %d bytes; not read", method, path, max_bytes)
        raise MalformedAnswer("awork sent an answer far too large to be awork's.") from None
    except _TooSlow:
        log.warning("%s %s: no whole answer within %g s", method, path, deadline)
        raise _unreachable(method, timed_out=True, sent=True) from None
    except httpx.HTTPError as exc:
        log.warning("%s %s failed: %s", method, path, type(exc).__name__)
        raise _unreachable(
            method,
            timed_out=isinstance(exc, httpx.TimeoutException),
            sent=not isinstance(exc, _NOT_SENT),
        ) from None
    took_ms = (time.monotonic() - started) * 1000
    log.debug("%s %s -> %s in %.0f ms", method, path, response.status_code, took_ms)
    return Answer(method, request.url, response.status_code, response.headers, content)


def _read_capped(response: httpx.Response, ends: float, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _TooLarge()
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise _TooLarge()
        if time.monotonic() > ends:
            raise _TooSlow()
        chunks.append(chunk)
    if time.monotonic() > ends:
        raise _TooSlow()
    return b"".join(chunks)


def _unreachable(method: str, *, timed_out: bool, sent: bool) -> Unreachable:
    """Say "nothing changed" only when that is sure: a POST cut off after sending may have acted."""
    sure = not sent or method == "GET"
    outcome = "nothing changed" if sure else "it may have taken effect anyway"
    if timed_out:
        return Unreachable(f"awork did not answer in time; {outcome}.")
    if not sent:
        return Unreachable()
    return Unreachable(f"The connection to awork broke off; {outcome}.")


# -- reading answers ---------------------------------------------------------------------------


def json_value(answer: Answer) -> Any:
    """The answer's JSON, or None when it is none (pydantic's parser caps nesting, json's not)."""
    try:
        return pydantic_core.from_json(answer.content)
    except ValueError:
        return None


def json_object(answer: Answer) -> dict[str, Any]:
    """The answer's JSON object; anything else is MalformedAnswer."""
    data = json_value(answer)
    if not isinstance(data, dict):
        log.warning("%s answered something that is not a JSON object", answer.path)
        raise MalformedAnswer()
    return data


@dataclass(frozen=True)
class ErrorWords:
    """What a refusal said, in awork's format or OAuth's (RFC 6749 section 5.2)."""

    status: int
    code: str | None
    description: str | None
    trace_id: str | None

    def details(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "code": self.code,
            "description": self.description,
            "trace_id": self.trace_id,
        }


def error_words(answer: Answer) -> ErrorWords:
    """The code, description and trace id of a refusal, each fit for a log line."""
    data = json_value(answer)
    body: dict[str, Any] = data if isinstance(data, dict) else {}
    code = body.get("code") or body.get("error")
    trace_id = body.get("traceId") or answer.headers.get("traceid")
    return ErrorWords(
        answer.status_code,
        shown(code) if isinstance(code, str) else None,
        shown(body.get("description") or body.get("error_description")),
        shown(trace_id) if isinstance(trace_id, str) else None,
    )


def error_for(answer: Answer, refused_message: str | None = None) -> AworkError:
    """A refusal as the typed error a caller can act on, keeping awork's own words.

    ``refused_message`` leads what the person reads of a plain refusal (else awork's
    description, or the status).
    """
    words = error_words(answer)
    status = answer.status_code
    details = words.details()
    error: AworkError
    if status == 401:
        error = NotSignedIn(**details)
    elif status == 429:
        error = RateLimited(reset_seconds(answer), **details)
    elif status >= 500:
        error = ServerError(**details)
    elif refused_message is not None:
        said = words.description
        error = Refused(f"{refused_message}: {said}" if said else f"{refused_message}.", **details)
    elif words.description:
        error = Refused(**details)
    else:
        error = Refused(f"awork refused the request (HTTP {status}).", **details)
    log_refusal(answer, error)
    return error


def log_refusal(answer: Answer, error: AworkError) -> None:
    log.warning("%s %s refused: %s", answer.method, answer.path, error.log_details())


def reset_seconds(answer: Answer) -> float:
    """How long a 429 asks us to wait: a finite, non-negative number of seconds, at most an hour."""
    for header in ("ratelimit-reset", "retry-after"):
        value = answer.headers.get(header)
        if value is None:
            continue
        try:
            seconds = float(value)
        except ValueError:
            seconds = math.nan
        if math.isfinite(seconds):
            return min(MAX_RATE_LIMIT_WAIT, max(0.0, seconds))
        log.debug("unreadable %s header %r", header, value[:40])
    return DEFAULT_RATE_LIMIT_WAIT


def shown(text: object) -> str | None:
    """A server's words, fit to show: one line, short, and never carrying a secret."""
    if not isinstance(text, str) or not text.strip():
        return None
    line = logs.redact(" ".join(text.split()))
    if len(line) > _MAX_SHOWN_DESCRIPTION:
        line = line[: _MAX_SHOWN_DESCRIPTION - 1] + "…"
    return line
