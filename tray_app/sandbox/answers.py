"""What the sandbox sends back, independent of sockets, so routing and faults stay testable."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tray_app.sandbox.errors import ApiError

JSON_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Answer:
    """One HTTP answer; a 204 carries no body."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()


def json_answer(payload: Any, status: int = 200, headers: Sequence[tuple[str, str]] = ()) -> Answer:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Answer(status, body, (("Content-Type", JSON_TYPE), *headers))


def no_content() -> Answer:
    return Answer(204)


def error_answer(error: ApiError) -> Answer:
    return json_answer(error.body(), error.status, error.headers)


def redirect(location: str) -> Answer:
    """A 302 to ``location``: how the authorize endpoint hands the browser back to the client.

    ``no-store`` because the location carries a sign-in code.
    """
    return Answer(302, b"", (("Location", location), ("Cache-Control", "no-store")))
