"""awork's OAuth 2.1 endpoints for a public native client: PKCE, registration, tokens, revocation.

No token, code or verifier ever reaches a log line, an exception message or a file: each is
registered with :func:`tray_app.logs.register_secret` the moment it exists.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

import httpx

from tray_app import logs
from tray_app.awork.errors import AworkError, MalformedAnswer, NotSignedIn, SignInFailed
from tray_app.awork.http import (
    DEFAULT_DEADLINE,
    Answer,
    error_for,
    error_words,
    json_object,
    log_refusal,
    send,
)
from tray_app.awork.tokens import TokenSet, normalize_base_url

log = logging.getLogger(__name__)

CLIENT_NAME = "awork Tray"
SCOPE = "full_access offline_access"
SIGNED_OUT_BY_AWORK = "awork ended this sign-in: sign in again."
RENEWAL_NOT_UNDERSTOOD = (
    "awork's answer to renewing the sign-in was not understood; still signed in, trying again."
)
# RFC 6749 section 5.2: the refresh token is dead (invalid_grant), or the client is unknown or
# no longer allowed (invalid_client, unauthorized_client: awork Tray was removed in awork).
_SIGNED_OUT_ERRORS = frozenset({"invalid_grant", "invalid_client", "unauthorized_client"})


@dataclass(frozen=True, repr=False)
class Pkce:
    """A PKCE pair (RFC 7636, S256): only the challenge leaves the app before the exchange."""

    verifier: str
    challenge: str

    @classmethod
    def create(cls) -> Pkce:
        # 64 random bytes give 86 URL-safe characters (RFC 7636 allows 43 to 128).
        verifier = secrets.token_urlsafe(64)
        logs.register_secret(verifier)
        return cls(verifier, s256_challenge(verifier))


def s256_challenge(verifier: str) -> str:
    """``BASE64URL(SHA256(verifier))`` without padding, as RFC 7636 section 4.2 says."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_state() -> str:
    """A random ``state``: the browser's answer must carry it back, or it is someone else's."""
    return secrets.token_urlsafe(32)


def authorize_url(
    base_url: str, *, client_id: str, redirect_uri: str, state: str, code_challenge: str
) -> str:
    """The page of awork where the person approves awork Tray (and picks a workspace)."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": SCOPE,
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        },
        quote_via=quote,  # scope as full_access%20offline_access, not with a "+"
    )
    return f"{normalize_base_url(base_url)}/accounts/authorize?{query}"


# -- the endpoints -----------------------------------------------------------------------------


def register_client(
    http: httpx.Client, base_url: str, redirect_uri: str, *, deadline: float = DEFAULT_DEADLINE
) -> str:
    """Register awork Tray as a public native client (RFC 7591); returns its ``client_id``."""
    body = {
        "client_name": CLIENT_NAME,
        "redirect_uris": [redirect_uri],
        "token_endpoint_auth_method": "none",
        "application_type": "native",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": SCOPE,
    }
    url = f"{normalize_base_url(base_url)}/clientapplications/register"
    answer = send(http, "POST", url, json=body, deadline=deadline)
    if not answer.is_success:
        raise error_for(answer, "awork refused to register awork Tray")
    client_id = json_object(answer).get("client_id")
    if not isinstance(client_id, str) or not client_id:
        log.warning("client registration answered without a client_id")
        raise MalformedAnswer()
    log.info("registered awork Tray as a client of %s", normalize_base_url(base_url))
    return client_id


def exchange_code(
    http: httpx.Client,
    base_url: str,
    *,
    client_id: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
    now: datetime,
    deadline: float = DEFAULT_DEADLINE,
) -> TokenSet:
    """Trade the browser's code and our PKCE verifier for tokens; a refusal is SignInFailed."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "code_verifier": code_verifier,
    }
    answer = _token_answer(http, base_url, form, deadline)
    if not answer.is_success:
        raise _sign_in_refusal(answer)
    return _token_set(answer, now)


def refresh_tokens(
    http: httpx.Client,
    base_url: str,
    *,
    client_id: str,
    refresh_token: str,
    now: datetime,
    deadline: float = DEFAULT_DEADLINE,
) -> TokenSet:
    """Renew the tokens; awork rotates the refresh token, so the old one is dead afterwards.

    Only awork's OAuth "no" to this grant or client (used, revoked or expired refresh token, a
    removed client) raises NotSignedIn: only signing in again helps then. Any other answer (a
    proxy's page, a redirect, a 5xx, a 400 without an OAuth error) raises an error that keeps
    the tokens, since the refresh token may well still be good.
    """
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id}
    answer = _token_answer(http, base_url, form, deadline)
    if not answer.is_success:
        raise _renewal_refusal(answer)
    tokens = _token_set(answer, now)
    if tokens.refresh_token is None:  # not rotated after all: the old one stays valid
        tokens = TokenSet(tokens.access_token, refresh_token, tokens.expires_at)
    return tokens


def revoke_client(
    http: httpx.Client, base_url: str, client_id: str, *, deadline: float = DEFAULT_DEADLINE
) -> None:
    """End every token of this client for the signed-in person; ``http`` carries the bearer."""
    url = f"{normalize_base_url(base_url)}/accounts/me/authorizedclients/{quote(client_id)}"
    answer = send(http, "DELETE", url, deadline=deadline)
    if answer.is_success or answer.status_code == 404:  # 404: nothing left to revoke
        return
    raise error_for(answer, "awork refused to end the sign-in")


def _token_answer(
    http: httpx.Client, base_url: str, form: dict[str, str], deadline: float
) -> Answer:
    url = f"{normalize_base_url(base_url)}/accounts/token"
    return send(http, "POST", url, data=form, deadline=deadline)


def _renewal_refusal(answer: Answer) -> AworkError:
    """A failed renewal: signed out only when awork's OAuth error says the grant is dead."""
    if answer.status_code == 429 or answer.status_code >= 500:
        return error_for(answer)
    words = error_words(answer)
    error: AworkError
    if answer.status_code in (400, 401) and words.code in _SIGNED_OUT_ERRORS:
        error = NotSignedIn(SIGNED_OUT_BY_AWORK, **words.details())
    else:
        error = MalformedAnswer(RENEWAL_NOT_UNDERSTOOD, **words.details())
    log_refusal(answer, error)
    return error


def _sign_in_refusal(answer: Answer) -> AworkError:
    """The token endpoint's no to a code: a rate limit or a 5xx mean what they mean anywhere."""
    if answer.status_code == 429 or answer.status_code >= 500:
        return error_for(answer)
    words = error_words(answer)
    said = words.description
    message = "awork refused the sign-in"
    error = SignInFailed(f"{message}: {said}" if said else f"{message}.", **words.details())
    log_refusal(answer, error)
    return error


# Ten years: no token lives longer, and a larger number only overflows the date arithmetic.
_MAX_EXPIRES_IN = 10 * 365 * 24 * 3600


def _token_set(answer: Answer, now: datetime) -> TokenSet:
    data = json_object(answer)
    access = data.get("access_token")
    refresh = data.get("refresh_token")
    expires_in = data.get("expires_in", 3600)
    token_type = str(data.get("token_type", "Bearer"))
    if (
        not isinstance(access, str)
        or not access
        or not isinstance(refresh, str | None)
        or isinstance(expires_in, bool)
        or not isinstance(expires_in, int | float)
        or not 0 < expires_in <= _MAX_EXPIRES_IN
        or token_type.lower() != "bearer"
    ):
        log.warning("the token endpoint answered an unusable token set (type %s)", token_type[:20])
        raise MalformedAnswer()
    logs.register_secret(access)
    logs.register_secret(refresh)
    return TokenSet(access, refresh or None, now + timedelta(seconds=float(expires_in)))
