"""The sign-in/out state machine, seen from the menu and the notifications, against the sandbox.

The account here is a stand-in whose steps the test releases, so each state can be looked at
while it lasts; awork's own sign-in flows are tested in test_session.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from tests.qt.conftest import Seen, make_app
from tray_app.app import Account, TrayApplication
from tray_app.awork.client import AworkClient
from tray_app.awork.errors import Refused
from tray_app.sandbox import Sandbox
from tray_app.ui.icons import IconKind
from tray_app.ui.session import SessionState


class Steps:
    """A sign-in and a sign-out that wait until the test lets them finish."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.refuse_sign_in = False

    def sign_in(self, cancel: threading.Event) -> object:
        self.release.wait(10)
        if self.refuse_sign_in:
            raise Refused("awork Tray was not allowed.")
        return object()

    def sign_out(self) -> str:
        self.release.wait(10)
        return "Signed out of awork."


@pytest.fixture
def steps() -> Steps:
    return Steps()


@pytest.fixture
def app(
    qtbot: QtBot, client: AworkClient, seen: Seen, steps: Steps, tray_available: None
) -> Iterator[TrayApplication]:
    tray_app = make_app(client, seen, account=Account(steps.sign_in, steps.sign_out))
    tray_app.start()
    qtbot.waitUntil(lambda: "Paused at" in tray_app.tray.header.text(), timeout=5000)
    yield tray_app
    steps.release.set()
    tray_app.shutdown()


def test_the_persons_sign_out_is_not_announced_as_awork_ending_it(
    qtbot: QtBot, app: TrayApplication, steps: Steps, seen: Seen, sandbox: Sandbox
) -> None:
    states: list[SessionState] = []
    app.session.state_changed.connect(states.append)

    app.tray.sign_out.trigger()
    assert app.tray.sign_out.text() == "Signing out…" and not app.tray.sign_out.isEnabled()
    sandbox.clear_requests()
    app.tray.refresh.trigger()  # nothing is asked of awork while signing out
    steps.release.set()
    qtbot.waitUntil(app.tray.sign_in.isVisible, timeout=5000)

    assert states == [SessionState.SIGNING_OUT, SessionState.SIGNED_OUT]
    assert [title for title, _ in seen.notifications] == ["Signed out"]
    assert app.presenter.display is not None
    assert app.presenter.display.icon is IconKind.SIGNED_OUT
    assert not [r for r in sandbox.requests if r.path.endswith("/timeentries/last")]


def test_a_second_click_while_signing_out_starts_nothing(
    qtbot: QtBot, app: TrayApplication, steps: Steps
) -> None:
    states: list[SessionState] = []
    app.session.state_changed.connect(states.append)
    app.tray.sign_out.trigger()
    assert not app.session.sign_out() and not app.session.sign_in(), "one step at a time"
    steps.release.set()
    qtbot.waitUntil(app.tray.sign_in.isVisible, timeout=5000)
    assert states == [SessionState.SIGNING_OUT, SessionState.SIGNED_OUT]


def test_a_refused_sign_in_says_why_and_stays_signed_out(
    qtbot: QtBot, app: TrayApplication, steps: Steps, seen: Seen
) -> None:
    app.tray.sign_out.trigger()
    steps.release.set()
    qtbot.waitUntil(app.tray.sign_in.isVisible, timeout=5000)
    steps.release.clear()
    steps.refuse_sign_in = True
    seen.notifications.clear()
    states: list[SessionState] = []
    app.session.state_changed.connect(states.append)

    app.tray.sign_in.trigger()
    assert app.tray.sign_in.text() == "Signing in… (finish in your browser)"
    steps.release.set()
    qtbot.waitUntil(app.tray.sign_in.isEnabled, timeout=5000)

    assert states == [SessionState.SIGNING_IN, SessionState.SIGNED_OUT]
    assert seen.notifications == [("Sign-in failed", "awork Tray was not allowed.")]
    assert app.tray.sign_in.isVisible() and not app.tray.sign_out.isVisible()


def test_signing_in_again_starts_over_with_awork(
    qtbot: QtBot, app: TrayApplication, steps: Steps, seen: Seen
) -> None:
    app.tray.sign_out.trigger()
    steps.release.set()
    qtbot.waitUntil(app.tray.sign_in.isVisible, timeout=5000)
    seen.notifications.clear()

    app.tray.sign_in.trigger()
    qtbot.waitUntil(lambda: "Paused at" in app.tray.header.text(), timeout=5000)
    assert app.session.state is SessionState.SIGNED_IN
    assert app.tray.sign_out.isVisible() and not app.tray.sign_in.isVisible()
    assert seen.notifications == []
