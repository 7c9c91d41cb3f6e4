"""Faults the tests can inject: slow or late answers, refusals, rate limits, garbage, drops.

The real awork fails in these ways now and then; injecting them on one route for a number of
requests lets a test show that the client and the app survive each of them.
"""

from __future__ import annotations

import enum
import threading
from dataclasses import dataclass
from http import HTTPStatus

from tray_app.sandbox.answers import Answer, error_answer, no_content
from tray_app.sandbox.api import route_key
from tray_app.sandbox.errors import UNAUTHORIZED_DESCRIPTION, ApiError, unauthorized


class FaultKind(enum.Enum):
    DELAY = "delay"
    LATE = "late"
    STATUS = "status"
    MALFORMED = "malformed"
    DROP = "drop"


@dataclass(frozen=True)
class Fault:
    """One injected misbehaviour; build it with a classmethod, e.g. ``Fault.rate_limited()``.

    A delay answers normally, later (the state is read when the wait is over); a late answer is
    decided at arrival and only sent later. Every other kind replaces the answer and changes no
    state.
    """

    kind: FaultKind
    seconds: float = 0.0
    http_status: int = 200
    error_code: str = ""
    description: str = ""
    body: bytes = b""
    content_type: str = ""
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """Answer as usual after ``seconds``; other requests are served meanwhile."""
        if seconds < 0:
            raise ValueError("a delay cannot be negative")
        return cls(FaultKind.DELAY, seconds=seconds)

    @classmethod
    def late(cls, seconds: float) -> Fault:
        """Answer from the state at arrival, but send it only after ``seconds``.

        A slow network on the way back: a request sent later can change the state and get its
        answer first, so a client sees answers out of order. Other requests are served meanwhile.
        """
        if seconds < 0:
            raise ValueError("a late answer cannot come before it was decided")
        return cls(FaultKind.LATE, seconds=seconds)

    @classmethod
    def status(
        cls, code: int, error_code: str | None = None, description: str | None = None
    ) -> Fault:
        """Answer ``code`` with awork's error body (no body for 204)."""
        phrase = HTTPStatus(code).phrase
        return cls(
            FaultKind.STATUS,
            http_status=code,
            error_code=error_code or phrase.lower().replace(" ", "-"),
            description=description or f"{phrase}.",
        )

    @classmethod
    def rate_limited(cls, reset: int = 30) -> Fault:
        """429 with awork's ``ratelimit-*`` headers; ``reset``: seconds until the next window."""
        return cls(
            FaultKind.STATUS,
            http_status=429,
            error_code="too-many-requests",
            description=f"Too many requests. Try again in {reset} seconds.",
            headers=(
                ("ratelimit-limit", "1000"),
                ("ratelimit-remaining", "0"),
                ("ratelimit-reset", str(reset)),
            ),
        )

    @classmethod
    def malformed(cls, body: bytes = b"<html>oops", content_type: str = "text/html") -> Fault:
        """200 with a body that is not what the client expects (a proxy's page, cut-off JSON)."""
        return cls(FaultKind.MALFORMED, body=body, content_type=content_type)

    @classmethod
    def page(
        cls,
        code: int,
        body: bytes = b"<html><body>Access denied</body></html>",
        content_type: str = "text/html",
    ) -> Fault:
        """``code`` with a body that is not awork's (a proxy's or a captive portal's page)."""
        return cls(FaultKind.MALFORMED, http_status=code, body=body, content_type=content_type)

    @classmethod
    def redirect(cls, location: str, code: int = 302) -> Fault:
        """A redirect elsewhere (a captive portal, a sign-in wall in front of awork)."""
        return cls(
            FaultKind.MALFORMED,
            http_status=code,
            body=b"",
            content_type="text/html",
            headers=(("Location", location),),
        )

    @classmethod
    def drop(cls) -> Fault:
        """Close the connection without answering."""
        return cls(FaultKind.DROP)

    @classmethod
    def expired_token(cls) -> Fault:
        """401 exactly as awork answers a token that has run out."""
        return cls(
            FaultKind.STATUS,
            http_status=401,
            error_code="unauthorized",
            description=UNAUTHORIZED_DESCRIPTION,
            headers=unauthorized().headers,
        )

    @property
    def drops_connection(self) -> bool:
        return self.kind is FaultKind.DROP

    @property
    def wait_before(self) -> float:
        """Seconds to wait before the request is answered (it reaches awork late)."""
        return self.seconds if self.kind is FaultKind.DELAY else 0.0

    @property
    def wait_after(self) -> float:
        """Seconds to hold an answer already decided (it comes back late)."""
        return self.seconds if self.kind is FaultKind.LATE else 0.0

    def replacement(self) -> Answer | None:
        """The answer sent instead of the normal one, or None when the normal one goes out."""
        if self.kind is FaultKind.MALFORMED:
            headers = (("Content-Type", self.content_type), *self.headers)
            return Answer(self.http_status, self.body, headers)
        if self.kind is not FaultKind.STATUS:
            return None
        if self.http_status == HTTPStatus.NO_CONTENT:
            return no_content()
        error = ApiError(self.http_status, self.error_code, self.description, headers=self.headers)
        return error_answer(error)


class FaultBook:
    """The injected faults, per route, each used up after ``times`` requests (None: never)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[tuple[str, str], list[tuple[Fault, int | None]]] = {}

    def add(self, method: str, path: str, fault: Fault, times: int | None = 1) -> None:
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for 'until cleared'")
        with self._lock:
            self._faults.setdefault(route_key(method, path), []).append((fault, times))

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault waiting for this route, counting one use of it."""
        with self._lock:
            queue = self._faults.get(route_key(method, path))
            if not queue:
                return None
            fault, times = queue[0]
            if times is None:
                return fault
            if times > 1:
                queue[0] = (fault, times - 1)
            else:
                queue.pop(0)
            return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
