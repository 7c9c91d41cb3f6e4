"""Authenticating requests: the signed-in person's renewing token, or ``AWORK_TOKEN``.

:class:`OAuthAuth` keeps the access token fresh for :class:`~tray_app.awork.client.AworkClient`;
renewals are serialized so that awork's rotation of refresh tokens never signs the person out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tray_app.awork.client import AworkClient, BearerToken
from tray_app.awork.errors import NotSignedIn
from tray_app.awork.http import DEFAULT_DEADLINE, DEFAULT_TIMEOUT, new_client
from tray_app.awork.oauth import SIGNED_OUT_BY_AWORK, refresh_tokens
from tray_app.awork.tokens import TokenSet, TokenStore, normalize_base_url

log = logging.getLogger(__name__)

# awork's own CLI renews at two minutes before expiry; a request in flight then still succeeds.
REFRESH_MARGIN = timedelta(minutes=2)
NOT_SIGNED_IN = "Not signed in to awork: sign in first."

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The default clock; tests inject their own to make tokens run out."""
    return datetime.now(UTC)


class OAuthAuth(httpx.Auth):
    """Sends the stored access token and keeps it fresh.

    It renews the token when less than :data:`REFRESH_MARGIN` is left, and on a 401 (then the
    request is sent once more). Only one renewal runs at a time, across threads and processes
    (the store's renewal lock): a request that waited for another's renewal uses its result,
    read from the keychain. Only awork's OAuth no to the
    renewal means it ended the sign-in: the tokens are cleared and NotSignedIn is raised.
    """

    def __init__(
        self,
        base_url: str,
        store: TokenStore,
        *,
        clock: Clock = utc_now,
        margin: timedelta = REFRESH_MARGIN,
        http_timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        deadline: float = DEFAULT_DEADLINE,
    ) -> None:
        self._base = normalize_base_url(base_url)
        self._store = store
        self._clock = clock
        self._margin = margin
        self._http_timeout = http_timeout
        self._deadline = deadline

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        tokens = self._usable_tokens()
        request.headers["Authorization"] = f"Bearer {tokens.access_token}"
        response = yield request
        if response.status_code != 401:
            return
        log.info("awork refused the access token; renewing it")
        tokens = self._renew(stale=tokens.access_token)
        request.headers["Authorization"] = f"Bearer {tokens.access_token}"
        yield request

    def _usable_tokens(self) -> TokenSet:
        tokens = self._store.tokens(self._base)
        if tokens is None:
            raise NotSignedIn(NOT_SIGNED_IN)
        if not tokens.expires_within(self._margin, self._clock()):
            return tokens
        return self._renew(stale=tokens.access_token)

    def _renew(self, stale: str) -> TokenSet:
        """Fresh tokens in place of ``stale``, renewing them only if nobody else just did."""
        # The store's lock serializes this process's threads, the file lock the processes
        # (the tray, the command line, a second tray).
        with self._store.renewal_lock(self._base):
            # First what this process knows (another thread's renewal), then the keychain
            # (another process's renewal: after a rotation our refresh token would be dead).
            for reload in (False, True):
                current = self._store.tokens(self._base, reload=reload)
                if current is None:
                    raise NotSignedIn(NOT_SIGNED_IN)
                if current.access_token != stale and not current.expires_within(
                    self._margin, self._clock()
                ):
                    return current
                if reload:
                    return self._refresh_locked(current)
            raise AssertionError("unreachable")

    def _refresh_locked(self, tokens: TokenSet) -> TokenSet:
        for attempt in (1, 2):
            registration = self._store.client(self._base)
            if tokens.refresh_token is None or registration is None:
                self._store.clear_tokens(self._base)
                raise NotSignedIn(SIGNED_OUT_BY_AWORK)
            try:
                with new_client(timeout=self._http_timeout) as http:
                    fresh = refresh_tokens(
                        http,
                        self._base,
                        client_id=registration.client_id,
                        refresh_token=tokens.refresh_token,
                        now=self._clock(),
                        deadline=self._deadline,
                    )
            except NotSignedIn:
                # Another process (the command line, a second tray) may have renewed or signed
                # in again just now; its tokens are in the keychain, and ours are dead.
                latest = self._store.tokens(self._base, reload=True)
                if (
                    attempt == 1
                    and latest is not None
                    and latest.refresh_token
                    not in (
                        None,
                        tokens.refresh_token,
                    )
                ):
                    log.info("the sign-in was renewed elsewhere meanwhile; using that")
                    if not latest.expires_within(self._margin, self._clock()):
                        return latest
                    tokens = latest
                    continue
                self._store.clear_tokens(self._base)
                log.warning("awork refused to renew the sign-in; signed out")
                raise
            # The new refresh token reaches the keychain before the new access token is used.
            self._store.save_tokens(self._base, fresh)
            log.info("renewed the access token (valid until %s)", fresh.expires_at.isoformat())
            return fresh
        raise AssertionError("unreachable")


def auth_for(
    base_url: str,
    store: TokenStore,
    *,
    token: str | None = None,
    clock: Clock = utc_now,
) -> httpx.Auth:
    """``token`` when given (``AWORK_TOKEN``, taken from the environment at the start: a plain
    bearer token, never renewed), else the sign-in kept in ``store``, renewed as needed."""
    if token:
        return BearerToken(token)
    return OAuthAuth(base_url, store, clock=clock)


def open_client(
    base_url: str,
    store: TokenStore,
    *,
    token: str | None = None,
    clock: Clock = utc_now,
    **client_options: Any,
) -> AworkClient:
    """An AworkClient for the signed-in person (see :func:`auth_for` for which credentials)."""
    auth = auth_for(base_url, store, token=token, clock=clock)
    return AworkClient(base_url, auth=auth, **client_options)
