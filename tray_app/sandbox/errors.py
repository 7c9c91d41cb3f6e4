"""awork's error answers: raised anywhere in the sandbox, written once as awork's error body.

awork answers every refusal with the same body (``code``, ``description``, ``link``, ``traceId``
and, for a bad form, ``validationErrors``); building it in one place keeps every refusal alike.
The OAuth token endpoint is the exception: it refuses in RFC 6749's words (:class:`OAuthError`).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

DOCS_LINK = "https://developers.awork.com/#response-types"
UNAUTHORIZED_DESCRIPTION = "The access token is missing, invalid or has expired."
NO_ROUTE_DESCRIPTION = "There is no matching path for this URL."


class ApiError(Exception):
    """A refusal the way awork words it; the server turns it into status, headers and body."""

    def __init__(
        self,
        status: int,
        code: str,
        description: str,
        *,
        validation_errors: Sequence[tuple[str, str]] = (),
        headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description
        self.validation_errors = tuple(validation_errors)
        self.headers = tuple(headers)

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.description, self.validation_errors)


def error_body(
    code: str, description: str, validation_errors: Sequence[tuple[str, str]] = ()
) -> dict[str, Any]:
    """awork's error body; each answer gets its own trace id, as awork's do."""
    body: dict[str, Any] = {
        "code": code,
        "description": description,
        "link": DOCS_LINK,
        "traceId": secrets.token_hex(16),
    }
    if validation_errors:
        body["validationErrors"] = [
            {"property": prop, "message": message} for prop, message in validation_errors
        ]
    return body


def unauthorized() -> ApiError:
    return ApiError(
        401,
        "unauthorized",
        UNAUTHORIZED_DESCRIPTION,
        headers=[("WWW-Authenticate", 'Bearer error="invalid_token"')],
    )


def not_found(description: str = NO_ROUTE_DESCRIPTION) -> ApiError:
    return ApiError(404, "not-found", description)


def method_not_allowed(allowed: Sequence[str]) -> ApiError:
    return ApiError(
        405,
        "method-not-allowed",
        "This path does not accept that HTTP method.",
        headers=[("Allow", ", ".join(allowed))],
    )


def invalid_operation(description: str) -> ApiError:
    return ApiError(400, "invalid-operation", description)


def validation_failed(errors: Sequence[tuple[str, str]]) -> ApiError:
    return ApiError(
        400,
        "validation-failed",
        "The model sent in the request is invalid. See the validation errors for details.",
        validation_errors=errors,
    )


NO_STORE = (("Cache-Control", "no-store"), ("Pragma", "no-cache"))
"""RFC 6749 section 5.1: answers of the token endpoint carry tokens, so no cache may keep them."""


class OAuthError(ApiError):
    """A refusal in OAuth's words (RFC 6749 section 5.2): ``error`` and ``error_description``.

    The token endpoint answers it as its body; the authorize endpoint puts the same two fields
    into the redirect instead. It subclasses :class:`ApiError` so that every route catches both
    in one place. ``invalid_client`` is a 400 too: RFC 6749 allows 401 only with an
    ``Authorization`` header, which public clients never send.
    """

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(status, error, description, headers=NO_STORE)

    @property
    def error(self) -> str:
        return self.code

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "error_description": self.description}
