"""The sandbox's OAuth 2.1 authority: client registration, consent, codes, tokens, revocation.

awork signs a person in with the authorization code flow and PKCE (S256), for public clients that
register themselves (RFC 7591). This module is that state machine without sockets or Qt, so its
rules are tested directly and :mod:`tray_app.sandbox.api` only translates HTTP. Tokens and codes
are stored as SHA-256 digests and log lines name client ids only: no token, code or verifier can
reach a log or a ``repr``.

Where RFC 6749 leaves a choice, the sandbox takes the strict one, so a client that passes here
passes against awork: redirect URIs match exactly (no loopback port wildcard, see the API notes),
``redirect_uri`` is required, a code is used up by the first exchange that names it, and
``invalid_client`` is a 400 (public clients send no ``Authorization`` header to answer with 401).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TypeVar
from urllib.parse import urlencode, urlsplit, urlunsplit

from tray_app.sandbox.errors import ApiError, OAuthError, not_found, validation_failed
from tray_app.sandbox.forms import OAuthParams, RegistrationForm
from tray_app.sandbox.state import Clock, as_utc

logger = logging.getLogger(__name__)

CODE_LIFETIME = timedelta(seconds=60)
"""How long an authorization code can be exchanged after it was issued."""
REFRESH_TOKEN_LIFETIME = timedelta(days=30)
"""awork's refresh tokens expire when used or after 30 days, whichever comes first."""
DEFAULT_TOKEN_LIFETIME = 86400
"""Seconds an access token lives: ``expires_in`` in awork's documented token answer."""

FULL_ACCESS = "full_access"
OFFLINE_ACCESS = "offline_access"
SCOPES = frozenset({FULL_ACCESS, OFFLINE_ACCESS})
DECLINED = "The person declined"

_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_GRANT_TYPES = frozenset({"authorization_code", "refresh_token"})
_RESPONSE_TYPES = frozenset({"code"})
# RFC 7636 section 4.1: 43 to 128 unreserved characters; an S256 challenge is exactly 43.
_PKCE_VALUE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")


def s256(verifier: str) -> str:
    """``BASE64URL(SHA256(verifier))`` without padding: the S256 challenge of RFC 7636."""
    digest = hashlib.sha256(verifier.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _digest(secret: str) -> str:
    """The key a token or code is stored under, so the state never holds one in clear text."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def is_loopback_redirect(uri: str) -> bool:
    """An ``http`` redirect to this machine (RFC 8252 section 7.3), without user or fragment."""
    try:
        parts = urlsplit(uri)
        _ = parts.port  # raises for a port that is not a number in range
    except ValueError:
        return False
    return (
        parts.scheme == "http"
        and parts.hostname in _LOOPBACK_HOSTS
        and "@" not in parts.netloc
        and not parts.fragment
    )


def with_params(uri: str, params: Mapping[str, str | None]) -> str:
    """``uri`` with ``params`` appended to its own query, which is kept byte for byte."""
    parts = urlsplit(uri)
    added = urlencode({key: value for key, value in params.items() if value is not None})
    query = f"{parts.query}&{added}" if parts.query else added
    return urlunsplit(parts._replace(query=query))


@dataclass(frozen=True)
class OAuthClient:
    """A registered client application; ``registration`` has RFC 7591's defaults filled in."""

    client_id: str
    issued_at: datetime
    registration: RegistrationForm

    @property
    def redirect_uris(self) -> tuple[str, ...]:
        return self.registration.redirect_uris or ()

    @property
    def grant_types(self) -> tuple[str, ...]:
        return self.registration.grant_types or ()


@dataclass(frozen=True)
class Authorization:
    """The person's consent to one client, from approval until revoked."""

    client_id: str
    client_name: str | None
    scopes: tuple[str, ...]
    authorized_on: datetime


@dataclass(frozen=True)
class IssuedTokens:
    """A token answer; ``refresh_token`` only when ``offline_access`` was granted."""

    access_token: str = field(repr=False)
    expires_in: int
    refresh_token: str | None = field(repr=False)


@dataclass(frozen=True)
class Revocation:
    """What a revocation ended: clients whose consent was withdrawn, live refresh tokens."""

    client_count: int
    refresh_token_count: int


@dataclass(frozen=True)
class _Code:
    client_id: str
    redirect_uri: str
    challenge: str
    scopes: tuple[str, ...]
    expires_at: datetime


@dataclass(frozen=True)
class _Grant:
    """What an access or refresh token stands for, stored under the token's digest."""

    client_id: str
    scopes: tuple[str, ...]
    expires_at: datetime


def _registration_errors(form: RegistrationForm) -> list[tuple[str, str]]:
    """Why awork would not register this client; only public loopback clients are allowed."""
    errors: list[tuple[str, str]] = []
    if not form.redirect_uris:
        errors.append(("redirect_uris", "'redirect_uris' must not be empty."))
    errors += [
        ("redirect_uris", f"'{uri}' is not an http loopback URI (127.0.0.1, localhost, [::1]).")
        for uri in form.redirect_uris or ()
        if not is_loopback_redirect(uri)
    ]
    if form.token_endpoint_auth_method != "none":
        errors.append(
            ("token_endpoint_auth_method", "'token_endpoint_auth_method' must be 'none'.")
        )
    allowed = (
        ("grant_types", form.grant_types, _GRANT_TYPES),
        ("response_types", form.response_types, _RESPONSE_TYPES),
        ("scope", tuple((form.scope or "").split()), SCOPES),
    )
    errors += [
        (name, f"'{name}' may only hold {', '.join(sorted(known))}.")
        for name, values, known in allowed
        if not set(values or ()) <= known
    ]
    return errors


def _scopes(requested: str | None, client: OAuthClient) -> tuple[str, ...]:
    """The scopes to grant, sorted; ``invalid_scope`` without full_access or beyond the client's."""
    scopes = set((requested or "").split())
    registered = client.registration.scope
    available = SCOPES & set(registered.split()) if registered else SCOPES
    if FULL_ACCESS not in scopes:
        raise OAuthError("invalid_scope", f"The scope must include {FULL_ACCESS}.")
    if not scopes <= available:
        unknown = " ".join(sorted(scopes - available))
        raise OAuthError("invalid_scope", f"Scopes not available to this client: {unknown}.")
    return tuple(sorted(scopes))


def _pkce_challenge(params: OAuthParams) -> str:
    """The S256 challenge; OAuth 2.1 requires PKCE of every client, and awork allows only S256."""
    challenge = params.get("code_challenge")
    if challenge is None:
        raise OAuthError("invalid_request", "code_challenge is required (PKCE).")
    if params.get("code_challenge_method") != "S256":
        raise OAuthError("invalid_request", "code_challenge_method must be S256.")
    if not _PKCE_VALUE.match(challenge):
        raise OAuthError("invalid_request", "code_challenge is not a valid S256 challenge.")
    return challenge


def _require(params: OAuthParams, *names: str) -> None:
    missing = [name for name in names if params.get(name) is None]
    if missing:
        raise OAuthError("invalid_request", f"Missing parameters: {', '.join(missing)}.")


def _invalid_grant(description: str) -> OAuthError:
    return OAuthError("invalid_grant", description)


class OAuthAuthority:
    """awork's sign-in for the seed's one person, who approves every request at once.

    Its state (clients, codes, tokens, consents) changes under one lock, and every reading of
    the clock (the sandbox's, so tests move it) is taken under that lock too. Access tokens live
    ``token_lifetime`` seconds, codes :data:`CODE_LIFETIME`, refresh tokens
    :data:`REFRESH_TOKEN_LIFETIME`; a refresh rotates the refresh token. Besides the protocol
    methods the routes call, tests use :meth:`deny_next`, :meth:`expire_access_tokens` and the
    read-only views :attr:`clients`, :attr:`authorizations`, :attr:`codes_issued`,
    :attr:`tokens_issued` and :attr:`refreshes`.
    """

    def __init__(self, clock: Clock, *, token_lifetime: int = DEFAULT_TOKEN_LIFETIME) -> None:
        if token_lifetime <= 0:
            raise ValueError("token_lifetime must be a positive number of seconds")
        self._clock = clock
        self._token_lifetime = token_lifetime
        self._lock = threading.Lock()
        self._clients: dict[str, OAuthClient] = {}
        self._authorizations: dict[str, Authorization] = {}
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, _Grant] = {}
        self._refresh: dict[str, _Grant] = {}
        self._deny_next = False
        self._codes_issued = 0
        self._tokens_issued = 0
        self._refreshes = 0

    # --- views for tests ------------------------------------------------------------------------

    @property
    def clients(self) -> tuple[OAuthClient, ...]:
        """Every registered client, oldest first."""
        with self._lock:
            return tuple(self._clients.values())

    @property
    def authorizations(self) -> tuple[Authorization, ...]:
        """The clients the person has approved and not revoked, oldest first."""
        with self._lock:
            return tuple(self._authorizations.values())

    @property
    def codes_issued(self) -> int:
        with self._lock:
            return self._codes_issued

    @property
    def tokens_issued(self) -> int:
        """Successful token answers, for codes and refreshes alike."""
        with self._lock:
            return self._tokens_issued

    @property
    def refreshes(self) -> int:
        """Successful refreshes: a client that refreshes twice for one expiry shows here."""
        with self._lock:
            return self._refreshes

    # --- levers for tests -----------------------------------------------------------------------

    def deny_next(self) -> None:
        """The person declines the next valid authorization request (``access_denied``).

        A request refused before consent (bad client, PKCE, scope) does not use it up.
        """
        with self._lock:
            self._deny_next = True

    def expire_access_tokens(self) -> int:
        """Let every issued access token run out now; returns how many were still valid.

        Refresh tokens stay valid, so a client can show that it refreshes on a 401.
        """
        with self._lock:
            now = self._now()
            live = {key: grant for key, grant in self._access.items() if now < grant.expires_at}
            for key, grant in live.items():
                self._access[key] = replace(grant, expires_at=now)
        if live:
            logger.info("expired %d access token(s)", len(live))
        return len(live)

    # --- the protocol ---------------------------------------------------------------------------

    def register(self, form: RegistrationForm) -> OAuthClient:
        """Register a public client (RFC 7591); awork's 400 names every field it cannot accept."""
        errors = _registration_errors(form)
        if errors:
            raise validation_failed(errors)
        registration = replace(
            form,
            grant_types=form.grant_types or ("authorization_code",),
            response_types=form.response_types or ("code",),
        )
        with self._lock:
            client = OAuthClient(f"dcr_{secrets.token_hex(16)}", self._now(), registration)
            self._clients[client.client_id] = client
        logger.info("registered client %s (%r)", client.client_id, form.client_name)
        return client

    def accepts(self, access_token: str) -> bool:
        """Whether an API request with this bearer token acts as the person."""
        with self._lock:
            grant = self._access.get(_digest(access_token))
            return grant is not None and self._now() < grant.expires_at

    def authorize(self, params: OAuthParams) -> str:
        """Where the browser goes next: the redirect URI with a ``code``, or with an ``error``.

        Raises ApiError (awork's 400) for an unknown client or a redirect URI it did not
        register: redirecting there could hand the answer to someone else (RFC 6749 4.1.2.1).
        """
        client, redirect_uri = self._browser_target(params)
        state = params.get("state")
        try:
            code = self._consent(client, redirect_uri, params)
        except OAuthError as error:
            logger.info("authorize for client %s: %s", client.client_id, error.error)
            failure = {"error": error.error, "error_description": error.description}
            return with_params(redirect_uri, {**failure, "state": state})
        logger.info("issued a code to client %s", client.client_id)
        return with_params(redirect_uri, {"code": code, "state": state})

    def token(self, params: OAuthParams) -> IssuedTokens:
        """Answer the token endpoint; a refusal is an OAuthError in RFC 6749's words."""
        grants: dict[str, Callable[[OAuthParams], IssuedTokens]] = {
            "authorization_code": self._exchange_code,
            "refresh_token": self._refresh_tokens,
        }
        grant_type = params.get("grant_type")
        try:
            if grant_type is None:
                raise OAuthError("invalid_request", "Missing parameters: grant_type.")
            grant = grants.get(grant_type)
            if grant is None:
                raise OAuthError("unsupported_grant_type", f"Unsupported grant: {grant_type}.")
            return grant(params)
        except OAuthError as error:
            logger.info("token request (%s) refused: %s", grant_type, error.error)
            raise

    def revoke(self, client_id: str) -> Revocation:
        """End the person's consent to one client and every token it holds; 404 if unknown."""
        with self._lock:
            if client_id not in self._clients:
                raise not_found(f"No client application with the id '{client_id}' exists.")
            revocation = self._revoke(client_id, self._now())
        logger.info("revoked client %s", client_id)
        return revocation

    def revoke_all(self) -> Revocation:
        """End the consent to every client, as the person's "sign out everywhere"."""
        with self._lock:
            now = self._now()
            results = [self._revoke(client_id, now) for client_id in list(self._clients)]
        logger.info("revoked all clients")
        return Revocation(
            sum(result.client_count for result in results),
            sum(result.refresh_token_count for result in results),
        )

    # --- inside the lock, or before state is touched ----------------------------------------------

    def _now(self) -> datetime:
        return as_utc(self._clock())

    def _browser_target(self, params: OAuthParams) -> tuple[OAuthClient, str]:
        """The client and the redirect URI, both known for certain, or awork's 400 page."""
        client_id, redirect_uri = params.get("client_id"), params.get("redirect_uri")
        with self._lock:
            client = self._clients.get(client_id or "")
        if client is None or "client_id" in params.repeated:
            raise ApiError(400, "invalid-client", "No client application with this id exists.")
        if (
            redirect_uri is None
            or redirect_uri not in client.redirect_uris
            or "redirect_uri" in params.repeated
        ):
            raise ApiError(
                400,
                "invalid-redirect-uri",
                "The redirect URI is not registered for this client application.",
            )
        return client, redirect_uri

    def _consent(self, client: OAuthClient, redirect_uri: str, params: OAuthParams) -> str:
        """Check the request, let the person approve (or decline), and issue a code."""
        if params.repeated:
            names = ", ".join(sorted(params.repeated))
            raise OAuthError("invalid_request", f"Parameters sent more than once: {names}.")
        response_type = params.get("response_type")
        if response_type is None:
            raise OAuthError("invalid_request", "Missing parameters: response_type.")
        if response_type != "code":
            raise OAuthError("unsupported_response_type", "Only response_type=code is supported.")
        challenge = _pkce_challenge(params)
        scopes = _scopes(params.get("scope"), client)
        code = secrets.token_urlsafe(32)
        with self._lock:
            if self._deny_next:
                self._deny_next = False
                raise OAuthError("access_denied", DECLINED)
            now = self._now()
            self._codes[_digest(code)] = _Code(
                client.client_id, redirect_uri, challenge, scopes, now + CODE_LIFETIME
            )
            self._codes_issued += 1
            earlier = self._authorizations.get(client.client_id)
            self._authorizations[client.client_id] = Authorization(
                client.client_id,
                client.registration.client_name,
                tuple(sorted({*scopes, *(earlier.scopes if earlier else ())})),
                earlier.authorized_on if earlier else now,
            )
        return code

    def _token_client(self, params: OAuthParams, grant_type: str) -> OAuthClient:
        """The client named in a token request, allowed to use this grant; the caller locks."""
        client = self._clients.get(params.get("client_id") or "")
        if client is None:
            raise OAuthError("invalid_client", "No client application with this id exists.")
        if grant_type not in client.grant_types:
            raise OAuthError("unauthorized_client", f"The client did not register {grant_type}.")
        return client

    def _exchange_code(self, params: OAuthParams) -> IssuedTokens:
        """Code plus PKCE verifier for tokens; the code is used up even by a failed exchange."""
        _require(params, "code", "redirect_uri", "client_id", "code_verifier")
        with self._lock:
            now = self._now()
            client = self._token_client(params, "authorization_code")
            code = self._codes.pop(_digest(params.values["code"]), None)
            if code is None or now >= code.expires_at:
                raise _invalid_grant("The code is invalid, used or expired.")
            if code.client_id != client.client_id:
                raise _invalid_grant("The code was issued to another client.")
            if code.redirect_uri != params.get("redirect_uri"):
                raise _invalid_grant("redirect_uri differs from the authorization request's.")
            if not secrets.compare_digest(s256(params.values["code_verifier"]), code.challenge):
                raise _invalid_grant("code_verifier does not match the code_challenge.")
            tokens = self._issue(client, code.scopes, now)
        logger.info("issued tokens to client %s for a code", client.client_id)
        return tokens

    def _refresh_tokens(self, params: OAuthParams) -> IssuedTokens:
        """A new access and refresh token; the refresh token used is dead from now on."""
        _require(params, "refresh_token", "client_id")
        with self._lock:
            now = self._now()
            client = self._token_client(params, "refresh_token")
            key = _digest(params.values["refresh_token"])
            grant = self._refresh.get(key)
            if grant is None or now >= grant.expires_at or grant.client_id != client.client_id:
                raise _invalid_grant("The refresh token is invalid, used, revoked or expired.")
            scopes = grant.scopes
            if params.get("scope") is not None:
                scopes = tuple(sorted(set(params.values["scope"].split())))
                if not set(scopes) <= set(grant.scopes) or FULL_ACCESS not in scopes:
                    raise OAuthError("invalid_scope", "The scope exceeds the original grant.")
            del self._refresh[key]
            self._refreshes += 1
            tokens = self._issue(client, scopes, now)
        logger.info("refreshed the tokens of client %s", client.client_id)
        return tokens

    def _issue(self, client: OAuthClient, scopes: tuple[str, ...], now: datetime) -> IssuedTokens:
        access = secrets.token_urlsafe(32)
        expires_at = now + timedelta(seconds=self._token_lifetime)
        self._access[_digest(access)] = _Grant(client.client_id, scopes, expires_at)
        refresh = None
        if OFFLINE_ACCESS in scopes and "refresh_token" in client.grant_types:
            refresh = secrets.token_urlsafe(32)
            refresh_expiry = now + REFRESH_TOKEN_LIFETIME
            self._refresh[_digest(refresh)] = _Grant(client.client_id, scopes, refresh_expiry)
        self._tokens_issued += 1
        return IssuedTokens(access, self._token_lifetime, refresh)

    def _revoke(self, client_id: str, now: datetime) -> Revocation:
        """Forget the client's consent, codes and tokens; counts only refresh tokens still live."""
        consented = self._authorizations.pop(client_id, None) is not None
        _take(self._codes, client_id)
        _take(self._access, client_id)
        refresh = _take(self._refresh, client_id)
        return Revocation(int(consented), sum(now < grant.expires_at for grant in refresh))


_Owned = TypeVar("_Owned", _Code, _Grant)


def _take(store: dict[str, _Owned], client_id: str) -> list[_Owned]:
    """Remove and return what ``store`` holds for one client."""
    keys = [key for key, item in store.items() if item.client_id == client_id]
    return [store.pop(key) for key in keys]
