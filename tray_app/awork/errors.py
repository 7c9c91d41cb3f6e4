"""Typed errors of the awork client, each with one line a person understands.

``str(error)`` is that line. awork's own ``code``, ``description`` and ``traceId`` ride along for
the log. No error message ever contains a token: the client never puts one there.
"""

from __future__ import annotations


class AworkError(Exception):
    """Anything that kept a call to awork from giving a usable answer."""

    default_message = "awork could not do that."
    # Only refusals carry a description written for the person; 401 and 5xx texts are generic.
    shows_description = False

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        code: str | None = None,
        description: str | None = None,
        trace_id: str | None = None,
    ) -> None:
        shown = description if self.shows_description else None
        self.message = message or shown or self.default_message
        self.status = status
        self.code = code
        self.description = description
        self.trace_id = trace_id
        super().__init__(self.message)

    def log_details(self) -> str:
        """What goes to the log beside the message: status, awork's code and trace id."""
        parts = {"status": self.status, "code": self.code, "traceId": self.trace_id}
        return " ".join(f"{key}={value}" for key, value in parts.items() if value)


class NotSignedIn(AworkError):
    """No token, or awork rejected it (401)."""

    default_message = "Not signed in to awork, or the sign-in has expired: sign in again."


class Refused(AworkError):
    """awork understood the request and said no (400, 403, 404, 409...)."""

    default_message = "awork refused the request."
    shows_description = True


class RateLimited(AworkError):
    """Too many requests from this workspace (429); ``reset_seconds`` says when to try again."""

    def __init__(self, reset_seconds: float, **kwargs: object) -> None:
        self.reset_seconds = reset_seconds
        message = f"awork asks us to slow down: try again in {round(reset_seconds)} s."
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class ServerError(AworkError):
    """awork failed on its side (5xx)."""

    default_message = "awork had a problem on its side; nothing changed. Try again shortly."


class Unreachable(AworkError):
    """No answer at all: no network, DNS failure, refused connection, timeout."""

    default_message = "Could not reach awork; nothing changed."


class MalformedAnswer(AworkError):
    """awork answered, but not with what its API promises."""

    default_message = "awork sent an answer this app does not understand."


class SignInFailed(AworkError):
    """The sign-in did not complete: denied, wrong ``state``, timed out, port taken, or refused."""

    default_message = "Signing in to awork did not complete; nothing changed."
