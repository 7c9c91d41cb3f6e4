"""The HTTP layer under the OAuth calls: one request, its typed errors, its JSON object.

The API client and the OAuth endpoints both talk to awork over httpx; what a failed or strange
answer means to the person is decided here, once.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import httpx

from tray_app import __version__, logs
from tray_app.awork.errors import (
    AworkError,
    MalformedAnswer,
    NotSignedIn,
    RateLimited,
    ServerError,
    Unreachable,
)

log = logging.getLogger(__name__)

USER_AGENT = f"awork-tray/{__version__}"
# A tray must never hang on awork: connecting is quick or hopeless, answers come within seconds.
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
_MAX_SHOWN_DESCRIPTION = 200


def send(http: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One request with the client's explicit timeouts; transport trouble is Unreachable."""
    path = urlsplit(url).path
    try:
        response = http.request(method, url, **kwargs)
    except AworkError:
        raise
    except httpx.TimeoutException as exc:
        log.warning("%s %s timed out: %s", method, path, type(exc).__name__)
        raise Unreachable("awork did not answer in time; try again.") from None
    except httpx.HTTPError as exc:
        log.warning("%s %s failed: %s", method, path, type(exc).__name__)
        raise Unreachable() from None
    log.debug("%s %s -> %s", method, path, response.status_code)
    return response


def json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        log.warning("%s answered something that is not a JSON object", response.url.path)
        raise MalformedAnswer()
    return data


def error_for(
    response: httpx.Response, refused: type[AworkError], refused_message: str
) -> AworkError:
    """A refusal as a typed error; awork answers in its own format or OAuth's (``error``...)."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    body = body if isinstance(body, dict) else {}
    code = body.get("code") or body.get("error")
    description = body.get("description") or body.get("error_description")
    trace_id = body.get("traceId")
    details: dict[str, Any] = {
        "status": status,
        "code": str(code) if code else None,
        "description": shown(description),
        "trace_id": str(trace_id) if trace_id else None,
    }
    error: AworkError
    if status == 429:
        reset = response.headers.get("ratelimit-reset")
        try:
            seconds = max(0.0, float(reset)) if reset else 60.0
        except ValueError:
            seconds = 60.0
        error = RateLimited(seconds, **details)
    elif status >= 500:
        error = ServerError(**details)
    elif refused is NotSignedIn:
        error = NotSignedIn(refused_message, **details)
    else:
        said = details["description"]
        error = refused(f"{refused_message}: {said}" if said else f"{refused_message}.", **details)
    log.warning(
        "%s %s refused: %s", response.request.method, response.url.path, error.log_details()
    )
    return error


def shown(text: object) -> str | None:
    """A server's description, fit to show: one line, short, and never carrying a secret."""
    if not isinstance(text, str) or not text.strip():
        return None
    line = logs.redact(" ".join(text.split()))
    if len(line) > _MAX_SHOWN_DESCRIPTION:
        line = line[: _MAX_SHOWN_DESCRIPTION - 1] + "…"
    return line
