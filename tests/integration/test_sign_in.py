"""Signing in, staying signed in and signing out, over real HTTP against the sandbox.

The browser is scripted: it asks the authorize URL without following the redirect, then calls
the Location (the loopback callback) itself, as a browser would after the person approved. What
is checked is what the person sees (pages, messages, exit codes), what awork (the sandbox)
received, and what the keychain holds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import keyring
import keyring.backends.fail
import pytest

from tests.conftest import MemoryKeyring
from tests.helpers.ports import free_port
from tray_app.awork.client import AworkClient, BearerToken
from tray_app.awork.errors import (
    MalformedAnswer,
    NotSignedIn,
    ServerError,
    SignInFailed,
    Unreachable,
)
from tray_app.awork.loopback import LoopbackListener, redirect_uri_for
from tray_app.awork.oauth import (
    SCOPE,
    Pkce,
    authorize_url,
    exchange_code,
    new_state,
    refresh_tokens,
    register_client,
    s256_challenge,
)
from tray_app.awork.sign_in import sign_in, sign_out
from tray_app.awork.token_auth import OAuthAuth, auth_for
from tray_app.cli import main
from tray_app.platform.credentials import SERVICE, CredentialStore, TokenSet
from tray_app.sandbox import Fault, Sandbox

REPO = Path(__file__).resolve().parents[2]
TOKEN = "/api/v1/accounts/token"
REGISTER = "/api/v1/clientapplications/register"
AUTHORIZE = "/api/v1/accounts/authorize"
ME = "/api/v1/me"
SIGNED_IN_PAGE = "Signed in to awork Tray — you can close this tab"


# --- helpers -----------------------------------------------------------------------------------


def assert_port_free(port: int) -> None:
    """Nothing listens on ``port`` any more, and a new sign-in could listen there again."""
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), 1):
        pass
    with LoopbackListener(new_state(), port=port) as listener:
        assert listener.port == port


@dataclass
class Page:
    status: int
    text: str


@dataclass
class ScriptedBrowser:
    """Follows the authorize URL the way a person's browser would, one step at a time.

    ``tamper`` may rewrite the callback URL awork redirected to, as an attacker's page would.
    """

    tamper: Callable[[str], str] | None = None
    opened: list[str] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        with httpx.Client(follow_redirects=False, timeout=5) as http:
            approval = http.get(url)
            assert approval.status_code == 302, approval.text
            callback = approval.headers["location"]
            if self.tamper is not None:
                callback = self.tamper(callback)
            page = http.get(callback)
        self.pages.append(Page(page.status_code, page.text))
        return True

    @property
    def page(self) -> Page:
        assert len(self.pages) == 1, self.pages
        return self.pages[0]


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def never_called(url: str) -> None:
    raise AssertionError(f"announce() was not expected: a browser was there ({url})")


def token_posts(sb: Sandbox, grant_type: str | None = None) -> list[dict[str, str]]:
    """The forms of every POST to the token endpoint, optionally of one grant type."""
    forms = [
        dict(parse_qsl(r.body.decode()))
        for r in sb.requests
        if (r.method, r.path) == ("POST", TOKEN)
    ]
    return [form for form in forms if grant_type is None or form["grant_type"] == grant_type]


def bearer_of(sb: Sandbox, path: str) -> list[str]:
    return [
        r.headers.get("authorization", "").removeprefix("Bearer ")
        for r in sb.requests
        if r.path == path
    ]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb


@pytest.fixture
def store() -> CredentialStore:
    return CredentialStore()


@pytest.fixture
def browser() -> ScriptedBrowser:
    return ScriptedBrowser()


@pytest.fixture
def signed_in(sandbox: Sandbox, store: CredentialStore, browser: ScriptedBrowser) -> TokenSet:
    """Signed in before the test starts; the sandbox's request log starts empty after it."""
    tokens = sign_in(
        sandbox.url,
        store,
        open_browser=browser,
        announce=never_called,
        port=free_port(),
        timeout=10,
    )
    sandbox.clear_requests()
    return tokens


@pytest.fixture
def client(sandbox: Sandbox, store: CredentialStore) -> Iterator[AworkClient]:
    with AworkClient(sandbox.url, auth=OAuthAuth(sandbox.url, store), timeout=5) as awork:
        yield awork


# --- PKCE and the authorize URL ---------------------------------------------------------------


def test_pkce_is_s256_of_a_long_random_verifier() -> None:
    first, second = Pkce.create(), Pkce.create()

    assert first.verifier != second.verifier
    assert 64 <= len(first.verifier) <= 128
    assert re.fullmatch(r"[A-Za-z0-9_-]+", first.verifier)
    assert first.challenge == s256_challenge(first.verifier)
    # RFC 7636, appendix B.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert s256_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert first.verifier not in repr(first)


def test_the_authorize_url_carries_what_awork_needs() -> None:
    url = authorize_url(
        "https://api.awork.com/api/v1/",
        client_id="client-1",
        redirect_uri="http://127.0.0.1:47420/callback",
        state="state-1",
        code_challenge="challenge-1",
    )

    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "api.awork.com",
        "/api/v1/accounts/authorize",
    )
    assert "scope=full_access%20offline_access" in parts.query
    assert dict(parse_qsl(parts.query)) == {
        "response_type": "code",
        "client_id": "client-1",
        "redirect_uri": "http://127.0.0.1:47420/callback",
        "scope": SCOPE,
        "state": "state-1",
        "code_challenge": "challenge-1",
        "code_challenge_method": "S256",
    }


# --- signing in --------------------------------------------------------------------------------


def test_full_sign_in(sandbox: Sandbox, store: CredentialStore, browser: ScriptedBrowser) -> None:
    port = free_port()
    before = datetime.now(UTC)

    tokens = sign_in(
        sandbox.url, store, open_browser=browser, announce=never_called, port=port, timeout=10
    )

    # The person saw the closing page; the keychain holds the sign-in.
    assert browser.page.status == 200
    assert SIGNED_IN_PAGE in browser.page.text
    assert CredentialStore().tokens(sandbox.url) == tokens
    assert timedelta(hours=23) < tokens.expires_at - before <= timedelta(hours=24, seconds=5)
    # awork got a public native client registration, without any credentials.
    register = next(r for r in sandbox.requests if r.path == REGISTER)
    assert "authorization" not in register.headers
    assert json.loads(register.body) == {
        "client_name": "awork Tray",
        "redirect_uris": [f"http://127.0.0.1:{port}/callback"],
        "token_endpoint_auth_method": "none",
        "application_type": "native",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": "full_access offline_access",
    }
    # The browser asked with a challenge; the exchange proved it with the verifier.
    authorize = dict(parse_qsl(urlsplit(browser.opened[0]).query))
    (exchange,) = token_posts(sandbox)
    assert exchange["grant_type"] == "authorization_code"
    assert exchange["client_id"] == authorize["client_id"] == store.client(sandbox.url).client_id
    assert exchange["redirect_uri"] == authorize["redirect_uri"] == redirect_uri_for(port)
    assert s256_challenge(exchange["code_verifier"]) == authorize["code_challenge"]
    assert len(authorize["state"]) >= 32
    # And the tokens work.
    with AworkClient(sandbox.url, auth=OAuthAuth(sandbox.url, store), timeout=5) as client:
        person = client.me()
    assert person.display_name == "Ada Lovelace"
    assert person.workspace is not None
    assert person.workspace.name == "Sandbox GmbH"
    assert bearer_of(sandbox, ME) == [tokens.access_token]
    assert_port_free(port)


def test_without_a_browser_the_url_is_announced(
    sandbox: Sandbox, store: CredentialStore, browser: ScriptedBrowser
) -> None:
    announced: list[str] = []

    def announce(url: str) -> None:  # the person copies the URL into a browser
        announced.append(url)
        browser(url)

    sign_in(sandbox.url, store, open_browser=None, announce=announce, port=free_port(), timeout=10)

    assert announced == browser.opened
    assert announced[0].startswith(f"{sandbox.url}/accounts/authorize?")
    assert store.tokens(sandbox.url) is not None


def test_a_browser_that_fails_to_open_falls_back_to_the_url(
    sandbox: Sandbox, store: CredentialStore, browser: ScriptedBrowser
) -> None:
    announced: list[str] = []

    def announce(url: str) -> None:
        announced.append(url)
        browser(url)

    sign_in(
        sandbox.url,
        store,
        open_browser=lambda url: False,  # what webbrowser.open says when it found none
        announce=announce,
        port=free_port(),
        timeout=10,
    )

    assert len(announced) == 1
    assert store.tokens(sandbox.url) is not None


@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/accounts/token refused: status=400 code=invalid_grant",
    logger="tray_app.awork.http",
)
def test_pkce_is_checked(sandbox: Sandbox) -> None:
    """A code is useless without the verifier of its challenge: a stolen code buys nothing."""
    redirect_uri = redirect_uri_for(free_port())
    pkce = Pkce.create()
    with httpx.Client(timeout=5) as http:
        client_id = register_client(http, sandbox.url, redirect_uri)
        url = authorize_url(
            sandbox.url,
            client_id=client_id,
            redirect_uri=redirect_uri,
            state=new_state(),
            code_challenge=pkce.challenge,
        )
        location = http.get(url).headers["location"]
        code = dict(parse_qsl(urlsplit(location).query))["code"]

        with pytest.raises(SignInFailed) as refused:
            exchange_code(
                http,
                sandbox.url,
                client_id=client_id,
                code=code,
                redirect_uri=redirect_uri,
                code_verifier=Pkce.create().verifier,  # an attacker's guess
                now=datetime.now(UTC),
            )

    assert str(refused.value).startswith("awork refused the sign-in")
    assert code not in str(refused.value)
    assert pkce.verifier not in str(refused.value)
    assert refused.value.code == "invalid_grant"


@pytest.mark.expect_log(
    "WARNING",
    r"^ignored a sign-in callback whose state did not match$",
    logger="tray_app.awork.loopback",
)
def test_a_wrong_state_is_refused_and_the_sign_in_still_times_out(
    sandbox: Sandbox, store: CredentialStore
) -> None:
    browser = ScriptedBrowser(tamper=lambda url: with_query(url, state="forged-state"))
    port = free_port()

    with pytest.raises(SignInFailed, match=r"No answer from the browser within 1 s"):
        sign_in(
            sandbox.url, store, open_browser=browser, announce=never_called, port=port, timeout=1
        )

    assert browser.page.status == 400
    assert "does not belong" in browser.page.text
    assert token_posts(sandbox) == []  # the code was never exchanged
    assert store.tokens(sandbox.url) is None
    assert_port_free(port)


@pytest.mark.expect_log(  # once for each of the three forged callbacks
    "WARNING",
    r"^ignored a sign-in callback whose state did not match$",
    logger="tray_app.awork.loopback",
)
def test_a_wrong_state_cannot_cancel_the_sign_in(sandbox: Sandbox, store: CredentialStore) -> None:
    """Another web page calls the listener first; awork's real answer still signs the person in."""
    pages: list[Page] = []

    def browser(url: str) -> bool:
        with httpx.Client(follow_redirects=False, timeout=5) as http:
            callback = http.get(url).headers["location"]
            for forged in (
                with_query(callback, state="forged-state"),
                with_query(callback, state="forged-state", error="access_denied"),
                with_query(callback, state="", code="attacker-code-123"),
            ):
                page = http.get(forged)
                pages.append(Page(page.status_code, page.text))
            page = http.get(callback)
            pages.append(Page(page.status_code, page.text))
        return True

    tokens = sign_in(
        sandbox.url, store, open_browser=browser, announce=never_called, port=0, timeout=10
    )

    assert [page.status for page in pages] == [400, 400, 400, 200]
    assert SIGNED_IN_PAGE in pages[-1].text
    assert len(token_posts(sandbox, "authorization_code")) == 1
    assert store.tokens(sandbox.url, reload=True) == tokens


def test_a_denied_sign_in_says_why(
    sandbox: Sandbox, store: CredentialStore, browser: ScriptedBrowser
) -> None:
    sandbox.oauth.deny_next()
    port = free_port()

    with pytest.raises(SignInFailed, match=r"^awork did not sign you in: ") as denied:
        sign_in(
            sandbox.url, store, open_browser=browser, announce=never_called, port=port, timeout=10
        )

    assert str(denied.value) in browser.page.text.replace("&#x27;", "'")
    assert token_posts(sandbox) == []
    assert store.tokens(sandbox.url) is None
    assert_port_free(port)


def test_no_answer_from_the_browser_times_out(sandbox: Sandbox, store: CredentialStore) -> None:
    port = free_port()
    started = time.monotonic()

    with pytest.raises(SignInFailed, match=r"No answer from the browser within 0\.3 s"):
        sign_in(
            sandbox.url,
            store,
            open_browser=lambda url: True,  # the person closed the tab
            announce=never_called,
            port=port,
            timeout=0.3,
        )

    assert time.monotonic() - started < 5
    assert store.tokens(sandbox.url) is None
    assert_port_free(port)


def test_a_cancelled_sign_in_ends_at_once(sandbox: Sandbox, store: CredentialStore) -> None:
    cancel = threading.Event()
    port = free_port()

    with pytest.raises(SignInFailed, match="cancelled"):
        sign_in(
            sandbox.url,
            store,
            open_browser=lambda url: cancel.set(),  # the person pressed Cancel in the tray
            announce=never_called,
            port=port,
            timeout=60,
            cancel=cancel,
        )

    assert_port_free(port)


@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/accounts/token refused: status=503 code=service-unavailable",
    logger="tray_app.awork.http",
)
def test_a_failing_token_endpoint_ends_the_sign_in(
    sandbox: Sandbox, store: CredentialStore, browser: ScriptedBrowser
) -> None:
    sandbox.inject("POST", "/accounts/token", Fault.status(503))
    port = free_port()

    with pytest.raises(ServerError) as failed:
        sign_in(
            sandbox.url, store, open_browser=browser, announce=never_called, port=port, timeout=10
        )

    assert "awork had a problem" in str(failed.value)
    assert store.tokens(sandbox.url) is None
    assert_port_free(port)


@pytest.mark.expect_log(
    "WARNING",
    r"cannot listen on port \d+: Address already in use",
    logger="tray_app.awork.loopback",
)
def test_a_busy_port_is_one_clear_message(sandbox: Sandbox, store: CredentialStore) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]

        with pytest.raises(SignInFailed) as busy:
            sign_in(
                sandbox.url,
                store,
                open_browser=never_called,
                announce=never_called,
                port=port,
                timeout=10,
            )

    assert str(busy.value) == (
        f"Port {port} on 127.0.0.1 is in use (is another sign-in still open?); "
        "close it, or choose another port."
    )
    assert sandbox.requests == []  # nothing registered, no browser opened


def test_the_listener_takes_one_answer_and_ignores_other_paths() -> None:
    state = new_state()
    with LoopbackListener(state, port=0) as listener, httpx.Client(timeout=5) as http:
        base = f"http://127.0.0.1:{listener.port}"
        assert http.get(f"{base}/favicon.ico").status_code == 404
        first = http.get(f"{base}/callback", params={"code": "code-123456", "state": state})
        second = http.get(f"{base}/callback", params={"code": "other-654321", "state": state})
        code = listener.wait(1)

    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-store"
    assert second.status_code == 409
    assert code == "code-123456"


def test_registration_is_reused(
    sandbox: Sandbox, store: CredentialStore, browser: ScriptedBrowser
) -> None:
    port = free_port()

    for _ in range(2):
        sign_in(
            sandbox.url, store, open_browser=browser, announce=never_called, port=port, timeout=10
        )
    # A new process, same keychain.
    sign_in(
        sandbox.url,
        CredentialStore(),
        open_browser=browser,
        announce=never_called,
        port=port,
        timeout=10,
    )

    assert [r.status for r in sandbox.requests if r.path == REGISTER] == [201]
    client_ids = {dict(parse_qsl(urlsplit(url).query))["client_id"] for url in browser.opened}
    assert len(client_ids) == 1


def test_another_port_registers_its_redirect_uri(
    sandbox: Sandbox, store: CredentialStore, browser: ScriptedBrowser
) -> None:
    for port in (free_port(), free_port()):
        sign_in(
            sandbox.url, store, open_browser=browser, announce=never_called, port=port, timeout=10
        )

    registered = [
        json.loads(r.body)["redirect_uris"] for r in sandbox.requests if r.path == REGISTER
    ]
    assert len(registered) == 2
    assert registered[0] != registered[1]


# --- staying signed in -------------------------------------------------------------------------


@pytest.mark.usefixtures("signed_in")
@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/accounts/token refused: status=400 code=invalid_grant",
    logger="tray_app.awork.http",
)
def test_refresh_rotates_the_refresh_token(sandbox: Sandbox, store: CredentialStore) -> None:
    old = store.tokens(sandbox.url)
    assert old is not None and old.refresh_token is not None
    client_id = store.client(sandbox.url).client_id

    with httpx.Client(timeout=5) as http:
        new = refresh_tokens(
            http,
            sandbox.url,
            client_id=client_id,
            refresh_token=old.refresh_token,
            now=old.expires_at,
        )
        with pytest.raises(NotSignedIn) as reused:
            refresh_tokens(
                http,
                sandbox.url,
                client_id=client_id,
                refresh_token=old.refresh_token,
                now=old.expires_at,
            )

    assert new.refresh_token not in (None, old.refresh_token)
    assert new.access_token != old.access_token
    assert str(reused.value) == "awork ended this sign-in: sign in again."
    assert old.refresh_token not in str(reused.value)


def test_the_token_is_renewed_when_less_than_two_minutes_are_left(
    sandbox: Sandbox, store: CredentialStore, signed_in: TokenSet
) -> None:
    now = [signed_in.expires_at - timedelta(minutes=3)]
    auth = OAuthAuth(sandbox.url, store, clock=lambda: now[0])

    with AworkClient(sandbox.url, auth=auth, timeout=5) as client:
        client.me()
        assert token_posts(sandbox, "refresh_token") == []  # three minutes left: not yet
        now[0] = signed_in.expires_at - timedelta(seconds=119)
        client.me()

    (refresh,) = token_posts(sandbox, "refresh_token")
    assert refresh["refresh_token"] == signed_in.refresh_token
    renewed = CredentialStore().tokens(sandbox.url)
    assert renewed is not None
    assert renewed.refresh_token != signed_in.refresh_token
    # Renewed before sending: no request went out with the expiring token and got a 401.
    assert bearer_of(sandbox, ME) == [signed_in.access_token, renewed.access_token]
    assert [r.status for r in sandbox.requests if r.path == ME] == [200, 200]


@pytest.mark.usefixtures("signed_in")
def test_a_401_renews_the_token_and_retries_once(
    sandbox: Sandbox, store: CredentialStore, client: AworkClient
) -> None:
    sandbox.expire_access_tokens()

    assert client.me().display_name == "Ada Lovelace"

    assert [(r.method, r.path, r.status) for r in sandbox.requests] == [
        ("GET", ME, 401),
        ("POST", TOKEN, 200),
        ("GET", ME, 200),
    ]
    assert token_posts(sandbox, "refresh_token")


@pytest.mark.usefixtures("signed_in")
def test_two_threads_racing_into_a_401_renew_once(
    sandbox: Sandbox, store: CredentialStore, client: AworkClient
) -> None:
    sandbox.expire_access_tokens()
    # Slow answers keep both requests with the old token in flight, and the first renewal
    # running while the second 401 arrives.
    sandbox.inject("GET", "/me", Fault.delay(0.2), times=2)
    sandbox.inject("POST", "/accounts/token", Fault.delay(0.3))
    start = threading.Barrier(2)
    names: queue.Queue[str] = queue.Queue()

    def ask() -> None:
        start.wait(5)
        names.put(client.me().display_name)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert [names.get_nowait(), names.get_nowait()] == ["Ada Lovelace", "Ada Lovelace"]
    assert len(token_posts(sandbox, "refresh_token")) == 1
    assert [r.status for r in sandbox.requests if r.path == ME].count(401) == 2


def test_two_clients_on_one_store_share_the_renewal(
    sandbox: Sandbox, store: CredentialStore, signed_in: TokenSet
) -> None:
    """The tray's client and a sign-out in the same process never renew side by side."""
    sandbox.expire_access_tokens()
    sandbox.inject("GET", "/me", Fault.delay(0.2), times=2)
    sandbox.inject("POST", "/accounts/token", Fault.delay(0.3))
    clients = [
        AworkClient(sandbox.url, auth=OAuthAuth(sandbox.url, store), timeout=5) for _ in "ab"
    ]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def ask(awork: AworkClient) -> None:
        start.wait(5)
        try:
            awork.me()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(awork,)) for awork in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    for awork in clients:
        awork.close()

    assert errors == []
    assert len(token_posts(sandbox, "refresh_token")) == 1
    assert [r.status for r in sandbox.requests if r.path == ME].count(401) == 2


def test_a_renewal_by_another_process_is_picked_up(
    sandbox: Sandbox, store: CredentialStore, signed_in: TokenSet, client: AworkClient
) -> None:
    """The command line renewed (and so killed our refresh token) while the tray was running."""
    client.me()
    other_process = OAuthAuth(sandbox.url, CredentialStore())
    sandbox.expire_access_tokens()
    with AworkClient(sandbox.url, auth=other_process, timeout=5) as command_line:
        command_line.me()
    sandbox.clear_requests()

    assert client.me().display_name == "Ada Lovelace"  # our copy was stale; the keychain is not

    assert token_posts(sandbox, "refresh_token") == []


@pytest.mark.usefixtures("signed_in")
@pytest.mark.expect_log(
    "WARNING", r"awork refused to renew the sign-in; signed out", logger="tray_app.awork.token_auth"
)
@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/accounts/token refused: status=400 code=invalid_grant",
    logger="tray_app.awork.http",
)
def test_revoked_tokens_sign_out(
    sandbox: Sandbox, store: CredentialStore, client: AworkClient, memory_keyring: MemoryKeyring
) -> None:
    client.me()
    # The person removed awork Tray in awork's settings: every token of the client is dead.
    token = store.tokens(sandbox.url)
    assert token is not None
    with httpx.Client(auth=BearerToken(token.access_token), timeout=5) as http:
        assert http.delete(
            f"{sandbox.url}/accounts/me/authorizedclients/{store.client(sandbox.url).client_id}"
        ).is_success

    with pytest.raises(NotSignedIn) as signed_out:
        client.me()

    assert str(signed_out.value) == "awork ended this sign-in: sign in again."
    assert store.tokens(sandbox.url) is None
    assert CredentialStore().tokens(sandbox.url) is None
    assert set(memory_keyring.entries) == {(SERVICE, f"{sandbox.url} client")}
    with pytest.raises(NotSignedIn):  # and no further call reaches awork
        client.me()


def oauth_error(status: int, error: str) -> Fault:
    """The token endpoint's OAuth error body (RFC 6749 section 5.2)."""
    body = json.dumps({"error": error, "error_description": f"{error} (injected)"}).encode()
    return Fault.page(status, body, "application/json")


TOKEN_POST = "POST /api/v1/accounts/token"
# Each answer, and the warning it leaves in the log.
KEEPS_THE_SIGN_IN = {
    "redirect": (Fault.redirect("https://portal.example/login"), "refused: status=302$"),
    "html-403": (Fault.page(403), "refused: status=403$"),
    "html-404": (Fault.page(404), "refused: status=404$"),
    "html-408": (Fault.page(408), "refused: status=408$"),
    "400-awork-body": (Fault.status(400), r"refused: status=400 code=bad-request traceId=\w+$"),
    "400-empty": (Fault.page(400, b"", "text/plain"), "refused: status=400$"),
    "400-invalid_request": (
        oauth_error(400, "invalid_request"),
        "refused: status=400 code=invalid_request$",
    ),
    "401-html": (Fault.page(401), "refused: status=401$"),
    "500": (Fault.status(500), r"refused: status=500 code=internal-server-error traceId=\w+$"),
    "503": (Fault.status(503), r"refused: status=503 code=service-unavailable traceId=\w+$"),
    "200-html": (Fault.malformed(), None),
    "dropped": (Fault.drop(), "failed: RemoteProtocolError$"),
}


def _keeps_the_sign_in_case(name: str, fault: Fault, warning: str | None) -> Any:
    pattern = (
        f"^{TOKEN_POST} {warning}"
        if warning
        else r"^/api/v1/accounts/token answered something that is not a JSON object$"
    )
    mark = pytest.mark.expect_log("WARNING", pattern, logger="tray_app.awork.http")
    return pytest.param(fault, marks=mark, id=name)


@pytest.mark.usefixtures("signed_in")
@pytest.mark.parametrize(
    "fault",
    [_keeps_the_sign_in_case(name, *case) for name, case in KEEPS_THE_SIGN_IN.items()],
)
def test_a_renewal_answered_by_anything_but_awork_s_no_keeps_the_sign_in(
    sandbox: Sandbox, store: CredentialStore, fault: Fault
) -> None:
    kept = CredentialStore().tokens(sandbox.url)
    sandbox.expire_access_tokens()
    sandbox.inject("POST", "/accounts/token", fault)

    with AworkClient(sandbox.url, auth=OAuthAuth(sandbox.url, store), timeout=5) as client:
        with pytest.raises((Unreachable, ServerError, MalformedAnswer)) as offline:
            client.me()
        assert "\n" not in str(offline.value)
        assert CredentialStore().tokens(sandbox.url) == kept  # still in the keychain
        assert client.me().display_name == "Ada Lovelace"  # the next renewal works

    first, second = token_posts(sandbox, "refresh_token")
    assert first["refresh_token"] == second["refresh_token"] == kept.refresh_token


@pytest.mark.usefixtures("signed_in")
@pytest.mark.parametrize(
    ("status", "error"),
    [
        pytest.param(
            status,
            error,
            marks=pytest.mark.expect_log(
                "WARNING",
                f"^{TOKEN_POST} refused: status={status} code={error}$",
                logger="tray_app.awork.http",
            ),
        )
        for status, error in [
            (400, "invalid_grant"),
            (401, "invalid_client"),
            (400, "unauthorized_client"),
        ]
    ],
)
@pytest.mark.expect_log(
    "WARNING",
    r"^awork refused to renew the sign-in; signed out$",
    logger="tray_app.awork.token_auth",
)
def test_awork_s_no_to_a_renewal_signs_out(
    sandbox: Sandbox, store: CredentialStore, memory_keyring: MemoryKeyring, status: int, error: str
) -> None:
    sandbox.expire_access_tokens()
    sandbox.inject("POST", "/accounts/token", oauth_error(status, error))

    with (
        AworkClient(sandbox.url, auth=OAuthAuth(sandbox.url, store), timeout=5) as client,
        pytest.raises(NotSignedIn) as signed_out,
    ):
        client.me()

    assert str(signed_out.value) == "awork ended this sign-in: sign in again."
    assert CredentialStore().tokens(sandbox.url) is None
    assert set(memory_keyring.entries) == {(SERVICE, f"{sandbox.url} client")}


def test_a_crash_right_after_a_refresh_still_leaves_a_working_sign_in(
    sandbox: Sandbox, store: CredentialStore, signed_in: TokenSet, memory_keyring: MemoryKeyring
) -> None:
    """The new refresh token is in the keychain before the new access token is even stored."""

    class Crash(BaseException):
        pass

    class CrashesOnAccessToken(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            if username.endswith("access_token"):
                raise Crash()
            super().set_password(service, username, password)

    crashing = CrashesOnAccessToken()
    crashing.entries = dict(memory_keyring.entries)
    keyring.set_keyring(crashing)
    sandbox.expire_access_tokens()
    with (
        AworkClient(sandbox.url, auth=OAuthAuth(sandbox.url, store), timeout=5) as client,
        pytest.raises(Crash),
    ):
        client.me()

    # The next start of the app, on what the keychain kept.
    restarted = MemoryKeyring()
    restarted.entries = dict(crashing.entries)
    keyring.set_keyring(restarted)
    sandbox.expire_access_tokens()
    with AworkClient(sandbox.url, auth=OAuthAuth(sandbox.url, CredentialStore()), timeout=5) as c:
        assert c.me().display_name == "Ada Lovelace"
    assert len(token_posts(sandbox, "refresh_token")) == 2


def test_a_token_in_the_environment_overrides_the_keychain(
    sandbox: Sandbox, store: CredentialStore
) -> None:
    assert isinstance(auth_for(sandbox.url, store, token="abc-123456"), BearerToken)
    assert isinstance(auth_for(sandbox.url, store), OAuthAuth)


def test_not_signed_in_sends_nothing(sandbox: Sandbox, client: AworkClient) -> None:
    with pytest.raises(NotSignedIn, match="sign in first"):
        client.me()

    assert sandbox.requests == []


# --- signing out -------------------------------------------------------------------------------


@pytest.mark.expect_log(
    "WARNING",
    r"GET /api/v1/me refused: status=401 code=unauthorized",
    logger="tray_app.awork.http",
)
@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/accounts/token refused: status=400 code=invalid_grant",
    logger="tray_app.awork.http",
)
def test_sign_out_revokes_on_awork_and_clears_the_keychain(
    sandbox: Sandbox, store: CredentialStore, signed_in: TokenSet, memory_keyring: MemoryKeyring
) -> None:
    result = sign_out(sandbox.url, store)

    assert (result.was_signed_in, result.revoked) == (True, True)
    assert result.message == "Signed out of awork."
    assert store.tokens(sandbox.url) is None
    assert not any(kind.endswith("token") for _, kind in memory_keyring.entries)
    # awork no longer takes the old tokens.
    with (
        AworkClient(sandbox.url, auth=BearerToken(signed_in.access_token), timeout=5) as old,
        pytest.raises(NotSignedIn),
    ):
        old.me()
    with httpx.Client(timeout=5) as http, pytest.raises(NotSignedIn):
        refresh_tokens(
            http,
            sandbox.url,
            client_id=store.client(sandbox.url).client_id,
            refresh_token=signed_in.refresh_token or "",
            now=datetime.now(UTC),
        )
    assert sign_out(sandbox.url, store).was_signed_in is False


@pytest.mark.expect_log(
    "WARNING", r"could not reach awork to revoke the sign-in", logger="tray_app.awork.sign_in"
)
@pytest.mark.expect_log(
    "WARNING",
    r"DELETE /api/v1/accounts/me/authorizedclients/dcr_\w+ failed: ConnectError",
    logger="tray_app.awork.http",
)
def test_sign_out_offline_still_forgets_the_tokens(
    sandbox: Sandbox, store: CredentialStore, signed_in: TokenSet
) -> None:
    url = sandbox.url
    sandbox.stop()

    result = sign_out(url, store)

    assert (result.was_signed_in, result.revoked) == (True, False)
    assert result.message == (
        "Signed out of awork; awork could not be reached, so the sign-in was not revoked there "
        "(its tokens run out by themselves within 30 days)."
    )
    assert CredentialStore().tokens(url) is None


def test_sign_out_with_expired_tokens_renews_to_revoke(
    sandbox: Sandbox, store: CredentialStore, signed_in: TokenSet
) -> None:
    sandbox.expire_access_tokens()

    result = sign_out(sandbox.url, store)

    assert result.revoked
    assert [r.status for r in sandbox.requests if r.method == "DELETE"] in ([401, 200], [401, 204])


# --- the command line --------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return Run(code, out, err)


@pytest.fixture
def browser_for_cli(monkeypatch: pytest.MonkeyPatch, browser: ScriptedBrowser) -> ScriptedBrowser:
    """``awork-tray sign-in`` opens the scripted browser instead of the system's."""
    monkeypatch.setattr("tray_app.cli._can_open_browser", lambda: True)
    monkeypatch.setattr("tray_app.cli._open_browser", browser)
    return browser


def test_cli_sign_in_status_sign_out(
    sandbox: Sandbox, browser_for_cli: ScriptedBrowser, capsys: pytest.CaptureFixture[str]
) -> None:
    port = str(free_port())

    signed_in = cli(capsys, "sign-in", "--port", port, "--base-url", sandbox.url)
    status = cli(capsys, "status", "--base-url", sandbox.url)
    signed_out = cli(capsys, "sign-out", "--base-url", sandbox.url)
    after = cli(capsys, "status", "--base-url", sandbox.url)

    assert (signed_in.code, signed_in.err) == (0, "")
    assert signed_in.out.splitlines()[-1] == "Signed in as Ada Lovelace (Sandbox GmbH)"
    assert (status.code, status.err) == (0, "")
    assert status.out.startswith("Paused at 0:37:")
    assert (signed_out.code, signed_out.out, signed_out.err) == (0, "Signed out of awork.\n", "")
    assert (after.code, after.out) == (3, "")
    assert after.err == (
        "awork-tray: not signed in: run 'awork-tray sign-in' "
        "(or set AWORK_TOKEN to an access token).\n"
    )


def test_cli_sign_in_failure_is_one_line(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.oauth.deny_next()
    monkeypatch.setattr("tray_app.cli._can_open_browser", lambda: True)
    monkeypatch.setattr("tray_app.cli._open_browser", ScriptedBrowser())

    run = cli(capsys, "sign-in", "--port", str(free_port()), "--base-url", sandbox.url)

    assert run.code == 1
    assert len(run.err.splitlines()) == 1
    assert run.err.startswith("awork-tray: awork did not sign you in: ")


@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/clientapplications/register failed: ConnectError",
    logger="tray_app.awork.http",
)
def test_cli_sign_in_unreachable_exits_4(capsys: pytest.CaptureFixture[str]) -> None:
    dead = f"http://127.0.0.1:{free_port()}/api/v1"

    run = cli(capsys, "sign-in", "--no-browser", "--port", str(free_port()), "--base-url", dead)

    assert run.code == 4
    assert run.err == "awork-tray: Could not reach awork; nothing changed.\n"


@pytest.mark.expect_log(
    "WARNING",
    r"keychain unusable \(NoKeyringError\): No keychain available",
    logger="tray_app.platform.credentials",
)
def test_cli_without_a_keychain_says_so_in_one_line(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())

    sign_in_run = cli(capsys, "sign-in", "--no-browser", "--base-url", sandbox.url)
    status = cli(capsys, "status", "--base-url", sandbox.url)

    assert (sign_in_run.code, sign_in_run.out) == (3, "")
    assert sign_in_run.err.startswith("awork-tray: cannot keep a sign-in here: no keychain")
    assert (status.code, status.out) == (3, "")
    assert status.err.startswith("awork-tray: not signed in: no keychain available")
    assert "AWORK_TOKEN" in status.err
    for run in (sign_in_run, status):
        assert len(run.err.splitlines()) == 1
    assert sandbox.requests == []


@pytest.mark.expect_log(
    "WARNING",
    r"GET /api/v1/me/timeentries/last refused: status=401",
    logger="tray_app.awork.http",
)
def test_cli_with_awork_token_ignores_the_keychain(
    sandbox: Sandbox,
    browser_for_cli: ScriptedBrowser,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli(capsys, "sign-in", "--port", str(free_port()), "--base-url", sandbox.url)
    monkeypatch.setenv("AWORK_TOKEN", "not-a-valid-token-123456")

    run = cli(capsys, "status", "--base-url", sandbox.url)

    assert run.code == 3
    assert bearer_of(sandbox, "/api/v1/me/timeentries/last") == ["not-a-valid-token-123456"]


@pytest.mark.usefixtures("browser_for_cli")
def test_no_secret_reaches_a_file_the_log_or_the_output(
    sandbox: Sandbox,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets: set[str] = set()
    runs = [cli(capsys, "-v", "sign-in", "--port", str(free_port()), "--base-url", sandbox.url)]
    secrets |= set(memory_keyring.entries.values())
    sandbox.expire_access_tokens()  # a renewal, with its logging, too
    runs.append(cli(capsys, "-v", "status", "--base-url", sandbox.url))
    secrets |= set(memory_keyring.entries.values())
    runs.append(cli(capsys, "-v", "sign-out", "--base-url", sandbox.url))
    assert [run.code for run in runs] == [0, 0, 0]

    for form in token_posts(sandbox):
        secrets |= {form[key] for key in ("code", "code_verifier", "refresh_token") if key in form}
    secrets |= {value for value in bearer_of(sandbox, ME) if value}
    secrets |= set(bearer_of(sandbox, "/api/v1/me/timeentries/last"))
    for entry in [value for value in secrets if value.startswith("{")]:
        secrets.discard(entry)  # the client registration is no secret; the access token entry is
        secrets.add(json.loads(entry).get("access_token", ""))
    secrets.discard("")
    assert len(secrets) >= 6  # code, verifier, two access and two refresh tokens at least

    log_files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert any(path.suffix == ".log" for path in log_files)
    haystacks = {
        str(path): path.read_text(encoding="utf-8", errors="replace") for path in log_files
    }
    haystacks["output"] = "".join(run.out + run.err for run in runs)
    haystacks["log records"] = caplog.text
    for where, text in haystacks.items():
        for secret in secrets:
            assert secret not in text, f"a secret leaked into {where}"


def test_cli_sign_in_as_a_process_and_status_in_another(sandbox: Sandbox, tmp_path: Path) -> None:
    """The person runs ``awork-tray sign-in --no-browser`` and opens the printed URL elsewhere."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "PYTHON_KEYRING_BACKEND": "tests.helpers.keyring_file.Keyring",
        "AWORK_TRAY_TEST_KEYRING_FILE": str(tmp_path / "test-keychain.json"),
    }
    env.pop("AWORK_TOKEN", None)
    command = [sys.executable, "-m", "tray_app"]
    port = str(free_port())
    lines: queue.Queue[str] = queue.Queue()
    with subprocess.Popen(
        [*command, "sign-in", "--no-browser", "--port", port, "--base-url", sandbox.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout])
        reader.start()
        try:
            printed = ""
            while "/accounts/authorize?" not in printed:
                printed += lines.get(timeout=20)
            url = re.search(r"http://\S+/accounts/authorize\?\S+", printed)
            assert url is not None, printed
            browser = ScriptedBrowser()
            browser(url[0])
            code = process.wait(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
            reader.join(timeout=10)
        errors = process.stderr.read()
    rest = "".join(lines.get_nowait() for _ in range(lines.qsize()))

    assert code == 0, errors
    assert errors == ""
    assert SIGNED_IN_PAGE in browser.page.text
    assert rest.splitlines()[-1] == "Signed in as Ada Lovelace (Sandbox GmbH)"

    status = subprocess.run(
        [*command, "status", "--base-url", sandbox.url],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=30,
        check=False,
    )
    assert (status.returncode, status.stderr) == (0, "")
    assert status.stdout.startswith("Paused at 0:37:")


RENEW_IN_A_PROCESS = """
import hashlib, sys, time
from pathlib import Path
from tray_app.awork.client import AworkClient
from tray_app.awork.token_auth import OAuthAuth
from tray_app.platform.credentials import CredentialStore

base, go = sys.argv[1], Path(sys.argv[2])
store = CredentialStore()
store.tokens(base)  # known before the race, as a running tray knows them
print("ready", flush=True)
while not go.exists():
    time.sleep(0.01)
with AworkClient(base, auth=OAuthAuth(base, store), timeout=10) as client:
    name = client.me().display_name
tokens = store.tokens(base)
print(name, hashlib.sha256(tokens.access_token.encode()).hexdigest(), flush=True)
"""


def test_two_processes_renewing_at_once_send_one_refresh(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tray and the command line find the access token dead at the same moment."""
    from tests.helpers.keyring_file import FILE_ENV
    from tests.helpers.keyring_file import Keyring as FileKeyring

    keychain = tmp_path / "test-keychain.json"
    monkeypatch.setenv(FILE_ENV, str(keychain))
    keyring.set_keyring(FileKeyring())
    old = sign_in(
        sandbox.url,
        CredentialStore(),
        open_browser=ScriptedBrowser(),
        announce=never_called,
        port=0,
        timeout=10,
    )
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "PYTHON_KEYRING_BACKEND": "tests.helpers.keyring_file.Keyring",
        FILE_ENV: str(keychain),
        "XDG_RUNTIME_DIR": str(runtime),
    }
    go = tmp_path / "go"
    sandbox.expire_access_tokens()
    # The first renewal to arrive takes a while, so the other surely comes while it runs.
    sandbox.inject("POST", "/accounts/token", Fault.delay(0.5))
    sandbox.clear_requests()
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", RENEW_IN_A_PROCESS, sandbox.url, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        for _ in range(2)
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            assert process.stdout.readline() == "ready\n"
        go.touch()
        outputs = [process.communicate(timeout=30) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()

    new = CredentialStore().tokens(sandbox.url, reload=True)
    assert new is not None and new.refresh_token not in (None, old.refresh_token)
    digest = hashlib.sha256(new.access_token.encode()).hexdigest()
    assert outputs == [(f"Ada Lovelace {digest}\n", "")] * 2
    (refresh,) = token_posts(sandbox, "refresh_token")
    assert refresh["refresh_token"] == old.refresh_token


@pytest.mark.usefixtures("signed_in")
@pytest.mark.expect_log(
    "WARNING",
    r"^no renewal lock shared with other processes: Not a directory$",
    logger="tray_app.platform.renewal_lock",
)
def test_without_a_usable_runtime_folder_the_renewal_still_happens(
    sandbox: Sandbox,
    client: AworkClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(not_a_folder))
    monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_folder))  # the fallback: unusable too
    sandbox.expire_access_tokens()

    assert client.me().display_name == "Ada Lovelace"

    assert len(token_posts(sandbox, "refresh_token")) == 1
    assert "no renewal lock shared with other processes" in caplog.text
