"""Signing in to awork with OAuth 2.1: authorization code, PKCE (S256) and a loopback redirect.

awork's API keys act as a separate admin user, not as the person, so a personal timer signs the
person in (see the "Signing in" section of the API notes). The flow, Qt-free so the command line,
the tray's worker thread and the tests share it:

1. register the app once per base URL as a public native client (dynamic client registration);
2. listen on ``http://127.0.0.1:{port}/callback`` for exactly one answer;
3. send the browser to awork's authorize URL with a PKCE challenge and a random ``state``;
4. exchange the code (with the PKCE verifier) for an access and a refresh token, keep them in
   the keychain.

:class:`OAuthAuth` then keeps the access token fresh for
:class:`~tray_app.awork.client.AworkClient`. No token, code or verifier ever reaches a log
line, an exception message or a file: each is registered with
:func:`tray_app.logs.register_secret` the moment it exists.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import logging
import os
import secrets
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import httpx

from tray_app import logs
from tray_app.awork.client import USER_AGENT, AworkClient, BearerToken
from tray_app.awork.errors import (
    AworkError,
    MalformedAnswer,
    NotSignedIn,
    RateLimited,
    Refused,
    ServerError,
    Unreachable,
)
from tray_app.platform.credentials import (
    ClientRegistration,
    CredentialStore,
    TokenSet,
    normalize_base_url,
)

log = logging.getLogger(__name__)

__all__ = [
    "CLIENT_NAME",
    "DEFAULT_PORT",
    "DEFAULT_WAIT_SECONDS",
    "REFRESH_MARGIN",
    "SCOPE",
    "TOKEN_ENV",
    "LoopbackListener",
    "OAuthAuth",
    "Pkce",
    "SignInFailed",
    "SignOutResult",
    "TokenSet",
    "auth_for",
    "authorize_url",
    "exchange_code",
    "new_state",
    "open_client",
    "redirect_uri_for",
    "refresh_tokens",
    "register_client",
    "revoke_client",
    "sign_in",
    "sign_out",
]

CLIENT_NAME = "awork Tray"
SCOPE = "full_access offline_access"
# A fixed port: awork matches redirect URIs exactly, and whether it accepts any loopback port is
# unknown. 47420 is unassigned by IANA and far from the ports developers usually occupy.
DEFAULT_PORT = 47420
CALLBACK_PATH = "/callback"
# Long enough to type a password and pass a second factor; a closed browser tab ends it.
DEFAULT_WAIT_SECONDS = 300.0
# awork's own CLI renews at two minutes before expiry; a request in flight then still succeeds.
REFRESH_MARGIN = timedelta(minutes=2)
HTTP_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
TOKEN_ENV = "AWORK_TOKEN"

NOT_SIGNED_IN = "Not signed in to awork: sign in first."
SIGNED_OUT_BY_AWORK = "awork ended this sign-in: sign in again."
# How long one browser connection may sit idle; browsers open spare connections they never use.
_CONNECTION_IDLE_SECONDS = 5.0
_MAX_SHOWN_DESCRIPTION = 200

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SignInFailed(AworkError):
    """The sign-in did not complete: denied, wrong ``state``, timed out, port taken, or refused."""

    default_message = "Signing in to awork did not complete; nothing changed."


# -- PKCE and the authorize URL ----------------------------------------------------------------


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


def redirect_uri_for(port: int) -> str:
    return f"http://127.0.0.1:{port}{CALLBACK_PATH}"


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


def register_client(http: httpx.Client, base_url: str, redirect_uri: str) -> str:
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
    response = _send(http, "POST", url, json=body)
    if not response.is_success:
        raise _error_for(response, Refused, "awork refused to register awork Tray")
    client_id = _json(response).get("client_id")
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
) -> TokenSet:
    """Trade the browser's code and our PKCE verifier for tokens; a refusal is SignInFailed."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "code_verifier": code_verifier,
    }
    return _token_request(
        http,
        base_url,
        form,
        now=now,
        refused=SignInFailed,
        refused_message="awork refused the sign-in",
    )


def refresh_tokens(
    http: httpx.Client, base_url: str, *, client_id: str, refresh_token: str, now: datetime
) -> TokenSet:
    """Renew the tokens; awork rotates the refresh token, so the old one is dead afterwards.

    A refusal (used, revoked or expired refresh token) raises NotSignedIn: only signing in again
    helps then.
    """
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id}
    tokens = _token_request(
        http, base_url, form, now=now, refused=NotSignedIn, refused_message=SIGNED_OUT_BY_AWORK
    )
    if tokens.refresh_token is None:  # not rotated after all: the old one stays valid
        tokens = TokenSet(tokens.access_token, refresh_token, tokens.expires_at)
    return tokens


def revoke_client(http: httpx.Client, base_url: str, client_id: str) -> None:
    """End every token of this client for the signed-in person; ``http`` carries the bearer."""
    url = f"{normalize_base_url(base_url)}/accounts/me/authorizedclients/{quote(client_id)}"
    response = _send(http, "DELETE", url)
    if response.is_success or response.status_code == 404:  # 404: nothing left to revoke
        return
    raise _error_for(response, Refused, "awork refused to end the sign-in")


def _token_request(
    http: httpx.Client,
    base_url: str,
    form: dict[str, str],
    *,
    now: datetime,
    refused: type[AworkError],
    refused_message: str,
) -> TokenSet:
    url = f"{normalize_base_url(base_url)}/accounts/token"
    response = _send(http, "POST", url, data=form)
    if not response.is_success:
        raise _error_for(response, refused, refused_message)
    data = _json(response)
    access = data.get("access_token")
    refresh = data.get("refresh_token")
    expires_in = data.get("expires_in", 3600)
    token_type = str(data.get("token_type", "Bearer"))
    if (
        not isinstance(access, str)
        or not access
        or not isinstance(refresh, str | None)
        or not isinstance(expires_in, int | float)
        or token_type.lower() != "bearer"
    ):
        log.warning("the token endpoint answered an unusable token set (type %s)", token_type)
        raise MalformedAnswer()
    logs.register_secret(access)
    logs.register_secret(refresh)
    return TokenSet(access, refresh or None, now + timedelta(seconds=float(expires_in)))


def _send(http: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
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


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        log.warning("%s answered something that is not a JSON object", response.url.path)
        raise MalformedAnswer()
    return data


def _error_for(
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
        "description": _shown(description),
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
        shown = details["description"]
        error = refused(
            f"{refused_message}: {shown}" if shown else f"{refused_message}.", **details
        )
    log.warning(
        "%s %s refused: %s", response.request.method, response.url.path, error.log_details()
    )
    return error


def _shown(text: object) -> str | None:
    """A server's description, fit to show: one line, short, and never carrying a secret."""
    if not isinstance(text, str) or not text.strip():
        return None
    line = logs.redact(" ".join(text.split()))
    if len(line) > _MAX_SHOWN_DESCRIPTION:
        line = line[: _MAX_SHOWN_DESCRIPTION - 1] + "…"
    return line


# -- the loopback listener ---------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class _Outcome:
    code: str | None = None
    failure: str | None = None


class _CallbackServer(ThreadingHTTPServer):
    """Serves the one redirect back from awork; each browser connection in its own thread."""

    daemon_threads = True
    # On Windows SO_REUSEADDR lets another program bind the same port and steal the code;
    # SO_EXCLUSIVEADDRUSE (set in server_bind) is the safe equivalent there.
    allow_reuse_address = sys.platform != "win32"

    def __init__(self, address: tuple[str, int], state: str) -> None:
        self.expected_state = state
        self.outcome: _Outcome | None = None
        self.settled = threading.Event()
        self.settle_lock = threading.Lock()
        self._connections_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        super().__init__(address, _CallbackHandler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the host, which can take seconds."""
        if sys.platform == "win32":  # pragma: no cover - Windows only
            exclusive = getattr(socket, "SO_EXCLUSIVEADDRUSE", None)
            if exclusive is not None:
                self.socket.setsockopt(socket.SOL_SOCKET, exclusive, 1)
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def settle(self, params: Mapping[str, str]) -> tuple[int, str, str]:
        """Decide the sign-in from the callback's query; returns the page's status, title, text."""
        with self.settle_lock:
            if self.outcome is not None:
                return 409, "Sign-in already handled", "This sign-in has already ended."
            state = params.get("state", "")
            if not secrets.compare_digest(state.encode(), self.expected_state.encode()):
                self.outcome = _Outcome(
                    failure="The browser's answer did not belong to this sign-in (its state did "
                    "not match), so it was refused; sign in again."
                )
                return (
                    400,
                    "Sign-in refused",
                    "This answer does not belong to the sign-in awork Tray started. "
                    "Start the sign-in again from awork Tray.",
                )
            if "error" in params:
                why = _shown(params.get("error_description")) or _shown(params["error"])
                line = f"awork did not sign you in: {(why or 'denied').rstrip('.')}."
                self.outcome = _Outcome(failure=line)
                return 200, "Not signed in", line
            code = params.get("code")
            if not code:
                self.outcome = _Outcome(failure="awork's answer carried no sign-in code.")
                return 400, "Not signed in", "awork's answer carried no sign-in code."
            logs.register_secret(code)
            self.outcome = _Outcome(code=code)
            return 200, "Signed in", "Signed in to awork Tray — you can close this tab."

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End connections still open (a browser's idle spare ones) so nothing stays bound."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _CallbackHandler(BaseHTTPRequestHandler):
    server: _CallbackServer
    timeout = _CONNECTION_IDLE_SECONDS

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path != CALLBACK_PATH:
            self._page(404, "Not found", "Nothing here; this is awork Tray's sign-in listener.")
            return
        status, title, text = self.server.settle(dict(parse_qsl(url.query)))
        self._page(status, title, text)
        # Only now: the person sees the page before the listener goes away.
        self.server.settled.set()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence http.server's stderr lines: they carry the request line, code included."""

    def _page(self, status: int, title: str, text: str) -> None:
        body = (
            "<!doctype html><html><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)} · awork Tray</title></head>"
            "<body style='font-family: sans-serif; margin: 3em'>"
            f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>"
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")  # the code is in this page's URL
        self.send_header("Connection", "close")
        self.end_headers()
        with contextlib.suppress(OSError):  # the browser may have gone already
            self.wfile.write(body)


class LoopbackListener:
    """A one-shot listener on 127.0.0.1 for awork's redirect back to awork Tray.

    It accepts exactly one callback: a matching ``state`` with a ``code`` ends the wait with the
    code; a wrong ``state``, an ``error=``, the timeout or a cancel end it with one clear message.
    The socket is closed when the ``with`` block ends, whatever happened.
    """

    def __init__(self, state: str, *, port: int = DEFAULT_PORT, host: str = "127.0.0.1") -> None:
        self._state = state
        self._address = (host, port)
        self._server: _CallbackServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        try:
            server = _CallbackServer(self._address, self._state)
        except OSError as exc:
            port = self._address[1]
            log.warning("cannot listen on port %s: %s", port, exc.strerror)
            raise SignInFailed(
                f"Port {port} on 127.0.0.1 is in use (is another sign-in still open?); "
                "close it, or choose another port."
            ) from None
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="awork-sign-in-listener",
            daemon=True,
        )
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the listener is not started")
        return int(self._server.server_address[1])

    @property
    def redirect_uri(self) -> str:
        return redirect_uri_for(self.port)

    def wait(self, timeout: float, *, cancel: threading.Event | None = None) -> str:
        """The code from the browser's answer; raises SignInFailed for any other ending."""
        server = self._server
        if server is None:
            raise RuntimeError("the listener is not started")
        deadline = time.monotonic() + timeout
        while not server.settled.wait(min(0.05, max(0.0, deadline - time.monotonic()))):
            if cancel is not None and cancel.is_set():
                raise SignInFailed("Sign-in cancelled.")
            if time.monotonic() >= deadline:
                raise SignInFailed(
                    f"No answer from the browser within {_duration(timeout)}; "
                    "the sign-in was cancelled. Try again."
                )
        outcome = server.outcome
        if outcome is None or outcome.code is None:
            raise SignInFailed(outcome.failure if outcome else None)
        return outcome.code

    def close(self) -> None:
        """Stop listening and close the socket; safe to call twice."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _duration(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds:g} s"


# -- signing in and out ------------------------------------------------------------------------


def sign_in(
    base_url: str,
    store: CredentialStore,
    *,
    open_browser: Callable[[str], object] | None,
    announce: Callable[[str], None],
    port: int = DEFAULT_PORT,
    timeout: float = DEFAULT_WAIT_SECONDS,
    cancel: threading.Event | None = None,
    clock: Clock = _utc_now,
    http_timeout: httpx.Timeout | float = HTTP_TIMEOUT,
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
    with httpx.Client(timeout=http_timeout, headers={"User-Agent": USER_AGENT}) as http:
        # Listen first: a taken port fails before anything is registered or opened.
        with LoopbackListener(state, port=port) as listener:
            redirect_uri = listener.redirect_uri
            client_id = _registered_client(http, base, store, redirect_uri)
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
        )
    store.save_tokens(base, tokens)
    log.info("signed in to %s", base)
    return tokens


def _registered_client(
    http: httpx.Client, base: str, store: CredentialStore, redirect_uri: str
) -> str:
    """The stored client id for this base URL and redirect URI, registering one when needed."""
    known = store.client(base)
    if known is not None and known.redirect_uri == redirect_uri:
        return known.client_id
    client_id = register_client(http, base, redirect_uri)
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
    store: CredentialStore,
    *,
    clock: Clock = _utc_now,
    http_timeout: httpx.Timeout | float = HTTP_TIMEOUT,
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
        auth = OAuthAuth(base, store, clock=clock, http_timeout=http_timeout)
        try:
            with httpx.Client(
                auth=auth, timeout=http_timeout, headers={"User-Agent": USER_AGENT}
            ) as http:
                revoke_client(http, base, registration.client_id)
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


# -- authenticating requests -------------------------------------------------------------------


class OAuthAuth(httpx.Auth):
    """Sends the stored access token and keeps it fresh.

    It renews the token when less than :data:`REFRESH_MARGIN` is left, and on a 401 (then the
    request is sent once more). Only one renewal runs at a time (the store's renewal lock, shared
    by every OAuthAuth on that store): a request that waited for another thread's renewal uses
    its result. A refused renewal means awork ended the sign-in:
    the tokens are cleared and NotSignedIn is raised.
    """

    def __init__(
        self,
        base_url: str,
        store: CredentialStore,
        *,
        clock: Clock = _utc_now,
        margin: timedelta = REFRESH_MARGIN,
        http_timeout: httpx.Timeout | float = HTTP_TIMEOUT,
    ) -> None:
        self._base = normalize_base_url(base_url)
        self._store = store
        self._clock = clock
        self._margin = margin
        self._http_timeout = http_timeout

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
                with httpx.Client(
                    timeout=self._http_timeout, headers={"User-Agent": USER_AGENT}
                ) as http:
                    fresh = refresh_tokens(
                        http,
                        self._base,
                        client_id=registration.client_id,
                        refresh_token=tokens.refresh_token,
                        now=self._clock(),
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
    store: CredentialStore,
    *,
    environ: Mapping[str, str] | None = None,
    clock: Clock = _utc_now,
) -> httpx.Auth:
    """``AWORK_TOKEN`` when set (scripts, CI: a plain bearer token, never renewed), else the sign-in
    kept in ``store``, renewed as needed."""
    token = (os.environ if environ is None else environ).get(TOKEN_ENV)
    if token:
        logs.register_secret(token)
        return BearerToken(token)
    return OAuthAuth(base_url, store, clock=clock)


def open_client(
    base_url: str,
    store: CredentialStore,
    *,
    environ: Mapping[str, str] | None = None,
    clock: Clock = _utc_now,
    **client_options: Any,
) -> AworkClient:
    """An AworkClient for the signed-in person (see :func:`auth_for` for which credentials)."""
    auth = auth_for(base_url, store, environ=environ, clock=clock)
    return AworkClient(base_url, auth=auth, **client_options)
