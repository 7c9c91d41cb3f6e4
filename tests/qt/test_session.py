"""Signing in and out from the tray, against the sandbox's OAuth, with a browser that clicks."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest
from pytestqt.qtbot import QtBot

from tests.qt.conftest import Seen
from tray_app.app import Account, TrayApplication
from tray_app.awork.client import AworkClient
from tray_app.awork.sign_in import sign_in, sign_out
from tray_app.awork.token_auth import OAuthAuth
from tray_app.composition import follow_redirects
from tray_app.core.actions import Action
from tray_app.core.settings import Settings
from tray_app.platform.credentials import CredentialStore, MemoryKeyring
from tray_app.sandbox import Sandbox
from tray_app.ui.icons import IconKind


@pytest.fixture
def store() -> CredentialStore:
    return CredentialStore(backend=MemoryKeyring())


@pytest.fixture
def session_app(
    qtbot: QtBot, sandbox: Sandbox, store: CredentialStore, seen: Seen, tray_available: None
) -> Iterator[TrayApplication]:
    def signing_in(cancel: threading.Event) -> object:
        return sign_in(
            sandbox.url,
            store,
            open_browser=follow_redirects,
            announce=lambda url: pytest.fail("the browser was opened; nothing to announce"),
            port=0,
            timeout=10,
            cancel=cancel,
        )

    account = Account(signing_in, lambda: sign_out(sandbox.url, store).message)
    client = AworkClient(sandbox.url, auth=OAuthAuth(sandbox.url, store), timeout=5)
    app = TrayApplication(client, Settings(), account=account, open_url=seen.opened.append)
    app.tray.tray.showMessage = lambda title, text, *rest: seen.notifications.append(  # type: ignore[method-assign]
        (title, text)
    )
    app.start()
    yield app
    app.shutdown()


# A poll may or may not land while nobody is signed in: the warning is allowed, not required.
@pytest.mark.expect_log(
    "WARNING", r"poll failed: NotSignedIn \(\)", logger="tray_app.ui.controller", optional=True
)
def test_signed_out_at_first_then_signed_in_from_the_menu(
    qtbot: QtBot, session_app: TrayApplication, sandbox: Sandbox, store: CredentialStore
) -> None:
    app = session_app
    qtbot.waitUntil(app.tray.sign_in.isVisible, timeout=3000)
    assert app.presenter.display is not None
    assert app.presenter.display.icon is IconKind.SIGNED_OUT
    assert not app.tray.sign_out.isVisible()
    assert not [r for r in sandbox.requests if r.path.endswith("/timeentries/last")], (
        "nothing is asked of awork without a sign-in"
    )

    app.tray.sign_in.trigger()
    qtbot.waitUntil(lambda: "Paused at" in app.tray.header.text(), timeout=10_000)
    qtbot.waitUntil(app.tray.person.isVisible, timeout=3000)
    assert app.tray.person.text() == "Ada Lovelace · Sandbox GmbH"
    assert app.tray.sign_out.isVisible() and not app.tray.sign_in.isVisible()
    assert store.tokens(sandbox.url) is not None


# A poll may or may not land while nobody is signed in: the warning is allowed, not required.
@pytest.mark.expect_log(
    "WARNING", r"poll failed: NotSignedIn \(\)", logger="tray_app.ui.controller", optional=True
)
def test_sign_out_revokes_on_awork_and_forgets_the_tokens(
    qtbot: QtBot, session_app: TrayApplication, sandbox: Sandbox, store: CredentialStore, seen: Seen
) -> None:
    app = session_app
    app.tray.sign_in.trigger()
    qtbot.waitUntil(lambda: "Paused at" in app.tray.header.text(), timeout=10_000)
    tokens = store.tokens(sandbox.url)
    assert tokens is not None

    app.tray.sign_out.trigger()
    qtbot.waitUntil(app.tray.sign_in.isVisible, timeout=5000)
    assert store.tokens(sandbox.url) is None
    revoked = [r for r in sandbox.requests if r.method == "DELETE"]
    assert len(revoked) == 1 and "/accounts/me/authorizedclients/" in revoked[0].path
    old = httpx.get(f"{sandbox.url}/me", headers={"Authorization": f"Bearer {tokens.access_token}"})
    assert old.status_code == 401
    assert seen.notifications[-1] == ("Signed out", "Signed out of awork.")
    assert not app.tray.person.isVisible()


def signed_in_then_revoked(
    qtbot: QtBot, app: TrayApplication, sandbox: Sandbox, store: CredentialStore, seen: Seen
) -> None:
    """Sign in from the menu; then the person revokes awork Tray in awork's web app, and the
    access token expires: the next call's refresh is refused. Notices and requests start anew."""
    app.tray.sign_in.trigger()
    qtbot.waitUntil(lambda: "Paused at" in app.tray.header.text(), timeout=10_000)
    registration = store.client(sandbox.url)
    assert registration is not None
    seen.notifications.clear()
    httpx.delete(
        f"{sandbox.url}/accounts/me/authorizedclients/{registration.client_id}",
        headers={"Authorization": f"Bearer {sandbox.token}"},
    ).raise_for_status()
    sandbox.expire_access_tokens()
    sandbox.clear_requests()


@pytest.mark.expect_log(
    "WARNING", r"awork refused to renew the sign-in; signed out", logger="tray_app.awork.token_auth"
)
@pytest.mark.expect_log(
    "WARNING",
    r"poll failed: NotSignedIn \(status=400 code=invalid_grant\)",
    logger="tray_app.ui.controller",
)
@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/accounts/token refused: status=400 code=invalid_grant",
    logger="tray_app.awork.http",
)
# The second refresh finds nobody signed in; whether its poll is answered within the 300 ms the
# test waits is timing: the warning is allowed, not required.
@pytest.mark.expect_log(
    "WARNING", r"^poll failed: NotSignedIn \(\)$", logger="tray_app.ui.controller", optional=True
)
def test_awork_ending_the_sign_in_says_so_once(
    qtbot: QtBot, session_app: TrayApplication, sandbox: Sandbox, store: CredentialStore, seen: Seen
) -> None:
    app = session_app
    signed_in_then_revoked(qtbot, app, sandbox, store, seen)
    app.tray.refresh.trigger()
    qtbot.waitUntil(app.tray.sign_in.isVisible, timeout=5000)
    app.tray.refresh.trigger()
    qtbot.wait(300)
    titles = [title for title, _ in seen.notifications]
    assert titles == ["Signed out of awork"]
    assert app.presenter.display is not None
    assert app.presenter.display.icon is IconKind.SIGNED_OUT
    refreshes = [r for r in sandbox.requests if r.path.endswith("/accounts/token")]
    assert len(refreshes) == 1, "one refused refresh, then nothing more is tried"


@pytest.mark.expect_log(
    "WARNING",
    r"resume failed: NotSignedIn \(status=400 code=invalid_grant\)",
    logger="tray_app.ui.controller",
)
@pytest.mark.expect_log(
    "WARNING", r"awork refused to renew the sign-in; signed out", logger="tray_app.awork.token_auth"
)
# A poll may or may not land while nobody is signed in: the warning is allowed, not required.
@pytest.mark.expect_log(
    "WARNING", r"poll failed: NotSignedIn \(\)", logger="tray_app.ui.controller", optional=True
)
@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/accounts/token refused: status=400 code=invalid_grant",
    logger="tray_app.awork.http",
)
def test_a_click_that_finds_the_sign_in_ended_gives_one_notice(
    qtbot: QtBot, session_app: TrayApplication, sandbox: Sandbox, store: CredentialStore, seen: Seen
) -> None:
    """Not "Signed out" and "Could not resume" both: the first says all there is to say."""
    app = session_app
    signed_in_then_revoked(qtbot, app, sandbox, store, seen)
    app.tray.actions[Action.RESUME].trigger()
    qtbot.waitUntil(app.tray.sign_in.isVisible, timeout=5000)
    qtbot.wait(300)
    assert [title for title, _ in seen.notifications] == ["Signed out of awork"]
    resumes = [r.status for r in sandbox.requests if r.path.endswith("/timetracking/resume")]
    assert resumes == [401], "refused once with the expired token, not sent again"
