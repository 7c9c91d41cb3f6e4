"""Signing the person in through their browser, and out again.

The flow, Qt-free so the command line, the tray's worker thread and the tests share it:

1. register the app once per base URL as a public native client (dynamic client registration);
2. listen on ``http://127.0.0.1:{port}/callback`` for exactly one answer;
3. send the browser to awork's authorize URL with a PKCE challenge and a random ``state``;
4. exchange the code (with the PKCE verifier) for an access and a refresh token, keep them in
   the keychain.

awork's API keys act as a separate admin user, not as the person, so a personal timer signs the
person in (see the "Signing in" section of the API notes).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from tray_app.awork.errors import AworkError, NotSignedIn, Unreachable
from tray_app.awork.http import DEFAULT_DEADLINE, DEFAULT_TIMEOUT, new_client
from tray_app.awork.loopback import DEFAULT_PORT, DEFAULT_WAIT_SECONDS, LoopbackListener
from tray_app.awork.oauth import (
    Pkce,
    authorize_url,
    exchange_code,
    new_state,
    register_client,
    revoke_client,
)
from tray_app.awork.token_auth import Clock, OAuthAuth, utc_now
from tray_app.awork.tokens import ClientRegistration, TokenSet, TokenStore, normalize_base_url

log = logging.getLogger(__name__)


def sign_in(
    base_url: str,
    store: TokenStore,
    *,
    open_browser: Callable[[str], object] | None,
    announce: Callable[[str], None],
    port: int = DEFAULT_PORT,
    timeout: float = DEFAULT_WAIT_SECONDS,
    cancel: threading.Event | None = None,
    clock: Clock = utc_now,
    http_timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    deadline: float = DEFAULT_DEADLINE,
) -> TokenSet:
    """Sign the person in through their browser and keep the tokens in ``store``.

    ``open_browser(url)`` opens the authorize page; when it is None, returns False or fails,
    ``announce(url)`` tells the person to open it themselves. Blocks until the browser comes back,
    ``timeout`` seconds pass or ``cancel`` is set: run it off the GUI thread. Raises SignInFailed,
    Refused, Unreachable, ServerError or MalformedAnswer, each with one line for the person.
    """
    base = normalize_base_url(base_url)
    pkce = Pkce.create()
    state = new_state()
    with new_client(timeout=http_timeout) as http:
        # Listen first: a taken port fails before anything is registered or opened.
        with LoopbackListener(state, port=port) as listener:
            redirect_uri = listener.redirect_uri
            client_id = _registered_client(http, base, store, redirect_uri, deadline)
            url = authorize_url(
                base,
                client_id=client_id,
                redirect_uri=redirect_uri,
                state=state,
                code_challenge=pkce.challenge,
            )
            if not _opened(open_browser, url):
                announce(url)
            code = listener.wait(timeout, cancel=cancel)
        tokens = exchange_code(
            http,
            base,
            client_id=client_id,
            code=code,
            redirect_uri=redirect_uri,
            code_verifier=pkce.verifier,
            now=clock(),
            deadline=deadline,
        )
    store.save_tokens(base, tokens)
    log.info("signed in to %s", base)
    return tokens


def _registered_client(
    http: httpx.Client, base: str, store: TokenStore, redirect_uri: str, deadline: float
) -> str:
    """The stored client id for this base URL and redirect URI, registering one when needed."""
    known = store.client(base)
    if known is not None and known.redirect_uri == redirect_uri:
        return known.client_id
    client_id = register_client(http, base, redirect_uri, deadline=deadline)
    store.save_client(base, ClientRegistration(client_id, redirect_uri))
    return client_id


def _opened(open_browser: Callable[[str], object] | None, url: str) -> bool:
    if open_browser is None:
        return False
    try:
        return open_browser(url) is not False
    except Exception as exc:  # a broken browser set-up must not end the sign-in
        log.warning("could not open the browser: %s", type(exc).__name__)
        return False


@dataclass(frozen=True)
class SignOutResult:
    """What sign-out did: ``revoked`` on awork's side, and the line to show the person."""

    was_signed_in: bool
    revoked: bool
    message: str


def sign_out(
    base_url: str,
    store: TokenStore,
    *,
    clock: Clock = utc_now,
    http_timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    deadline: float = DEFAULT_DEADLINE,
) -> SignOutResult:
    """Revoke the sign-in on awork (best effort) and forget its tokens here in any case.

    Offline, the tokens are still deleted from the keychain: nobody here can use them again, and
    on awork's side they run out by themselves. The registered client is kept for the next
    sign-in.
    """
    base = normalize_base_url(base_url)
    tokens = store.tokens(base, reload=True)
    registration = store.client(base)
    if tokens is None:
        store.clear_tokens(base)
        return SignOutResult(False, False, "Not signed in to awork; nothing to sign out.")
    revoked, note = False, ""
    if registration is None:
        note = "; awork Tray's client registration was missing, so awork was not told"
    else:
        auth = OAuthAuth(base, store, clock=clock, http_timeout=http_timeout, deadline=deadline)
        try:
            with new_client(auth=auth, timeout=http_timeout) as http:
                revoke_client(http, base, registration.client_id, deadline=deadline)
            revoked = True
        except NotSignedIn:
            revoked = True  # awork no longer accepts these tokens: nothing left to revoke
        except Unreachable:
            log.warning("could not reach awork to revoke the sign-in")
            note = (
                "; awork could not be reached, so the sign-in was not revoked there "
                "(its tokens run out by themselves within 30 days)"
            )
        except AworkError as exc:
            log.warning("could not revoke the sign-in on awork: %s", type(exc).__name__)
            note = (
                f"; awork did not revoke the sign-in there ({exc.message.rstrip('.')}; its "
                "tokens run out by themselves within 30 days)"
            )
    store.clear_tokens(base)
    log.info("signed out of %s (revoked on awork: %s)", base, revoked)
    return SignOutResult(True, revoked, f"Signed out of awork{note}.")
