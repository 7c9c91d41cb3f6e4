"""The fault matrix of issue 5: each fault the sandbox injects, on each call the tray makes.

Every case runs the real tray against the sandbox, injects one fault on one route, does what the
person does (a click on a timer item, or "Refresh now"), and then checks two things: what the
person sees (icon, menu header and status line, which items are enabled, notifications) and what
awork received (one POST per click, no POST without a click, no POST sent again). Where the app
should recover, the person's next "Refresh now" must bring everything back at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from pytestqt.qtbot import QtBot

from tests.qt.conftest import Seen, make_app
from tray_app import APP_NAME
from tray_app.app import TrayApplication
from tray_app.awork.client import AworkClient, BearerToken
from tray_app.awork.models import TimeTracking
from tray_app.awork.sign_in import sign_in
from tray_app.awork.token_auth import OAuthAuth
from tray_app.composition import follow_redirects
from tray_app.core.actions import Action
from tray_app.core.timer import Snapshot, TimerState
from tray_app.platform.credentials import CredentialStore, MemoryKeyring, normalize_base_url
from tray_app.sandbox import API_PREFIX, DROPPED, Fault, Sandbox
from tray_app.ui.icons import IconKind

CLIENT_TIMEOUT = 0.5
LATE = 1.0  # a delay past the client's timeout: awork acts, but only after the client gave up
WAIT_MS = 3000
QUIET_MS = 150  # long enough to see a retry the app must not send (its back-off starts at 2.5 s)

LAST = "/me/timeentries/last"
TOKEN = "/accounts/token"

FAULTS = {
    "timeout": Fault.delay(LATE),
    "5xx": Fault.status(503, "service-unavailable", "awork is down for maintenance."),
    "429": Fault.rate_limited(reset=30),
    "malformed": Fault.malformed(),
    "drop": Fault.drop(),
    "401": Fault.expired_token(),
    "400": Fault.status(400, "invalid-operation", "This time tracking cannot be changed now."),
    "404": Fault.status(404, "not-found", "No time tracking with this id exists."),
}
# The status the sandbox records for each fault (a late answer is a normal one, just late).
RECORDED = {
    "timeout": 200,
    "5xx": 503,
    "429": 429,
    "malformed": 200,
    "drop": DROPPED,
    "401": 401,
    "400": 400,
    "404": 404,
}
# Faults after which awork is as good as gone: the app shows offline and keeps the last state.
OFFLINE = {"timeout", "5xx", "malformed", "drop"}
# Faults that, answering a token renewal, are no OAuth "no" from awork: offline, still signed in.
RENEWAL_KEPT = {"401", "400", "404"}


@dataclass(frozen=True)
class Call:
    """One call the tray makes: where it goes, what the person clicks, the state it needs."""

    method: str
    path: str
    action: Action | None  # the timer item clicked; None: "Refresh now"
    other_client_first: str | None  # what the web app does first so the item applies
    before: TimerState


CALLS = {
    "poll": Call("GET", LAST, None, None, TimerState.PAUSED),
    "resume": Call("POST", "/me/timetracking/resume", Action.RESUME, None, TimerState.PAUSED),
    "pause": Call("POST", "/me/timetracking/pause", Action.PAUSE, "resume", TimerState.RUNNING),
    "stop": Call("POST", "/me/timetracking/stop", Action.STOP, "resume", TimerState.RUNNING),
    "start-again": Call(
        "POST", "/me/timetracking/start", Action.START_AGAIN, "stop", TimerState.STOPPED
    ),
    # The renewal of an expired access token, which any call may set off (here: a poll).
    "refresh": Call("POST", TOKEN, None, None, TimerState.PAUSED),
}

TITLES = {
    Action.RESUME: "Could not resume",
    Action.PAUSE: "Could not pause",
    Action.STOP: "Could not stop",
    Action.START_AGAIN: "Could not start again",
}
BUSY = {
    Action.RESUME: "Resuming…",
    Action.PAUSE: "Pausing…",
    Action.STOP: "Stopping…",
    Action.START_AGAIN: "Starting…",
}
# What a failed click says, per fault; 400 and 404 show awork's own description.
CLICK_MESSAGES = {
    "timeout": "awork did not answer in time; it may have taken effect anyway.",
    "5xx": "awork had a problem on its side; nothing changed. Try again shortly.",
    "429": "awork asks us to slow down: try again in 30 s.",
    "malformed": "awork sent an answer this app does not understand.",
    "drop": "The connection to awork broke off; it may have taken effect anyway.",
    "401": "Not signed in to awork, or the sign-in has expired: sign in again.",
    "400": "This time tracking cannot be changed now.",
    "404": "No time tracking with this id exists.",
}
SIGNED_OUT_NOTICE = ("Signed out of awork", "Choose Sign in from the awork Tray menu to go on.")
OFFLINE_STATUS = re.compile(r"awork cannot be reached since \d\d:\d\d")
WAIT_MESSAGE = re.compile(r"awork asked us to wait (29|30) s more; nothing changed\.")
STATE_WORDS = {
    TimerState.RUNNING: "Running",
    TimerState.PAUSED: "Paused at",
    TimerState.STOPPED: "Stopped at",
}
STATE_ICONS = {
    TimerState.RUNNING: IconKind.RUNNING,
    TimerState.PAUSED: IconKind.PAUSED,
    TimerState.STOPPED: IconKind.STOPPED,
}
USABLE = {
    TimerState.RUNNING: {Action.PAUSE, Action.STOP},
    TimerState.PAUSED: {Action.RESUME, Action.STOP},
    TimerState.STOPPED: {Action.START_AGAIN},
}


# -- what the person sees, what awork received -------------------------------------------------


def icon(app: TrayApplication) -> IconKind:
    assert app.presenter.display is not None
    return app.presenter.display.icon


def header(app: TrayApplication) -> str:
    return app.tray.header.text()


def status(app: TrayApplication) -> str:
    """The status line of the menu, or "" when it is hidden."""
    return app.tray.status.text() if app.tray.status.isVisible() else ""


def enabled(app: TrayApplication) -> set[Action]:
    return {action for action, item in app.tray.actions.items() if item.isEnabled()}


def item_texts(app: TrayApplication) -> list[str]:
    return [item.text() for item in app.tray.actions.values()]


IDLE_TEXTS = ["&Resume", "&Pause", "&Stop", "Start &again"]


def received(sandbox: Sandbox) -> list[tuple[str, str, int]]:
    """Method, path below the API and status of each request, in the order they arrived."""
    requests = sorted(sandbox.requests, key=lambda r: r.received_at)
    return [(r.method, r.path.removeprefix(API_PREFIX), r.status) for r in requests]


def sandbox_state(sandbox: Sandbox) -> TimerState:
    entry = sandbox.current_entry()
    return Snapshot.of(None if entry is None else TimeTracking.model_validate(entry)).state


def shows_state(app: TrayApplication, state: TimerState, *, confirmed: bool = True) -> bool:
    """The header shows ``state`` (and, confirmed, no "(unconfirmed)")."""
    text = header(app)
    return STATE_WORDS[state] in text and ("(unconfirmed)" in text) is not confirmed


def settle(qtbot: QtBot, until: Callable[[], bool]) -> None:
    """Wait for ``until``, then a quiet moment, after which it must still hold."""
    qtbot.waitUntil(until, timeout=WAIT_MS)
    qtbot.wait(QUIET_MS)
    assert until()


def click(app: TrayApplication, call: Call) -> None:
    if call.action is None:
        app.tray.refresh.trigger()
        return
    app.tray.actions[call.action].trigger()
    # The item says at once that the click is under way, and cannot be clicked twice.
    assert app.tray.actions[call.action].text() == BUSY[call.action]
    assert not app.tray.actions[call.action].isEnabled()


# -- the tray, signed in with a bearer token or through OAuth -----------------------------------


def signed_in_store(sandbox: Sandbox) -> CredentialStore:
    """A keychain in memory, signed in through the sandbox's OAuth with a browser that clicks."""
    store = CredentialStore(backend=MemoryKeyring())
    sign_in(
        sandbox.url,
        store,
        open_browser=follow_redirects,
        announce=lambda url: pytest.fail(f"the browser did not open {url}"),
        port=0,
        timeout=10,
    )
    return store


@contextmanager
def running_tray(
    qtbot: QtBot, client: AworkClient, seen: Seen, state: TimerState
) -> Iterator[TrayApplication]:
    app = make_app(client, seen)
    app.controller.poll_interval_s = 60  # only the person's clicks poll again during a case
    app.start()
    try:
        # Started: the timer and the person are shown, and nothing is under way any more.
        qtbot.waitUntil(
            lambda: shows_state(app, state) and app.tray.person.isVisible(), timeout=WAIT_MS
        )
        assert enabled(app) == USABLE[state]
        yield app
    finally:
        app.shutdown()


# -- the matrix --------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("call_name", CALLS)
@pytest.mark.expect_log(
    "WARNING",
    r"refused: status=\d{3}|failed: (ReadTimeout|RemoteProtocolError|Unreachable|ServerError|"
    r"RateLimited|MalformedAnswer|NotSignedIn|Refused)|malformed answer to|"
    r"timed out: ReadTimeout|awork refused to renew the sign-in|"
    r"answered something that is not a JSON object",
    logger="tray_app",
)
def test_fault_on_call(
    qtbot: QtBot,
    sandbox: Sandbox,
    seen: Seen,
    tray_available: None,
    call_name: str,
    fault: str,
) -> None:
    call = CALLS[call_name]
    if call.other_client_first:
        getattr(sandbox.other_client, call.other_client_first)()
    store = signed_in_store(sandbox) if call_name == "refresh" else None
    auth = (
        OAuthAuth(sandbox.url, store, http_timeout=CLIENT_TIMEOUT)
        if store is not None
        else BearerToken(sandbox.token)
    )
    client = AworkClient(sandbox.url, auth=auth, timeout=CLIENT_TIMEOUT)
    with running_tray(qtbot, client, seen, call.before) as app:
        sandbox.clear_requests()
        if store is not None:
            sandbox.expire_access_tokens()  # the next call meets a 401 and renews the token
        sandbox.inject(call.method, call.path, FAULTS[fault])

        click(app, call)

        if call.action is not None:
            check_failed_click(qtbot, app, sandbox, seen, call, fault)
        else:
            check_failed_look(qtbot, app, sandbox, seen, call_name, fault, store)


def check_failed_click(
    qtbot: QtBot, app: TrayApplication, sandbox: Sandbox, seen: Seen, call: Call, fault: str
) -> None:
    """A click met the fault: it says why once, shows what awork has, and is never resent."""
    assert call.action is not None
    failed = (TITLES[call.action], CLICK_MESSAGES[fault])
    sent = ("POST", call.path, RECORDED[fault])
    if fault == "401":
        # awork no longer takes the token (and a bearer token cannot be renewed): signed out.
        settle(qtbot, lambda: icon(app) is IconKind.SIGNED_OUT and not app.controller.pending)
        assert status(app) == f"Signed out of awork: {CLICK_MESSAGES['401']}"
        assert enabled(app) == set(), "signed out, no timer item can be clicked"
        assert item_texts(app) == IDLE_TEXTS
        # One notice: "Signed out" says why the click did nothing, a second would only repeat it.
        assert seen.notifications == [SIGNED_OUT_NOTICE]
        assert received(sandbox) == [sent], "signed out, the app asks awork nothing more"
        return

    # The click's answer came (the item is back), and the confirming poll, where one is due.
    confirm = [] if fault == "429" else [("GET", LAST, 200)]
    settle(
        qtbot,
        lambda: (
            not app.controller.pending
            and item_texts(app) == IDLE_TEXTS
            and len(sandbox.requests) == 1 + len(confirm)
        ),
    )
    assert seen.notifications == [failed]
    assert received(sandbox) == [sent, *confirm], "one POST for one click, never sent again"
    # What is shown is what awork had when it was asked: the same timer, online again.
    assert shows_state(app, call.before)
    assert icon(app) is STATE_ICONS[call.before]
    assert status(app) == ""
    assert enabled(app) == USABLE[call.before]

    if fault == "429":
        # Until awork's reset, a click says so instead of being sent.
        app.tray.actions[call.action].trigger()
        assert seen.notifications[-1][0] == TITLES[call.action]
        assert WAIT_MESSAGE.fullmatch(seen.notifications[-1][1]), seen.notifications[-1]
        qtbot.wait(QUIET_MS)
        assert received(sandbox) == [sent], "nothing is sent while awork asks us to wait"
        return

    if fault == "timeout":
        # awork carried the click out after the app gave up: the next look shows it, once.
        qtbot.waitUntil(lambda: len(sandbox.requests) == 2, timeout=WAIT_MS)
        assert sandbox_state(sandbox) is not call.before
    else:
        assert sandbox_state(sandbox) is call.before, "a refused click changes nothing"
    after = sandbox_state(sandbox)
    app.tray.refresh.trigger()
    settle(qtbot, lambda: shows_state(app, after) and icon(app) is STATE_ICONS[after])
    assert enabled(app) == USABLE[after]
    assert received(sandbox) == [sent, *confirm, ("GET", LAST, 200)]
    if fault == "timeout":
        assert seen.notifications[:-1] == [failed]
        title, text = seen.notifications[-1]
        assert title == APP_NAME and text.startswith("Timer "), seen.notifications
    else:
        assert seen.notifications == [failed]


def check_failed_look(
    qtbot: QtBot,
    app: TrayApplication,
    sandbox: Sandbox,
    seen: Seen,
    call_name: str,
    fault: str,
    store: CredentialStore | None,
) -> None:
    """A poll (or the token renewal it needed) met the fault: the right state, nothing sent."""
    state = TimerState.PAUSED
    renewing = call_name == "refresh"
    if renewing:
        sent = [("GET", LAST, 401), ("POST", TOKEN, RECORDED[fault])]
    else:
        sent = [("GET", LAST, RECORDED[fault])]

    # A renewal refused without awork's OAuth no (invalid_grant...) keeps the sign-in: the
    # 401/400/404 here carry awork's API error body, as a proxy or a broken gateway might.
    if fault in OFFLINE or (renewing and fault in RENEWAL_KEPT):
        settle(qtbot, lambda: icon(app) is IconKind.OFFLINE)
        # The last known timer stays, marked as unconfirmed, with the time of the last answer.
        assert shows_state(app, state, confirmed=False)
        assert OFFLINE_STATUS.fullmatch(status(app)), status(app)
        assert enabled(app) == USABLE[state], "a click offline fails at once, so it may be made"
        assert seen.notifications == [], "a short outage is not worth a notification"
        qtbot.waitUntil(lambda: len(sandbox.requests) == len(sent), timeout=WAIT_MS)
        assert received(sandbox) == sent, "no retry before the back-off"
        if renewing and fault == "timeout":
            # awork renewed after the app gave up: the refresh token it holds is spent. The next
            # look finds the sign-in ended, says so once and asks awork nothing more.
            app.tray.refresh.trigger()
            check_signed_out(qtbot, app, sandbox, seen, "awork ended this sign-in: sign in again.")
            assert store is not None and store.tokens(normalize_base_url(sandbox.url)) is None
            return
        # awork is back: the next look brings everything back at once.
        app.tray.refresh.trigger()
        settle(qtbot, lambda: icon(app) is IconKind.PAUSED)
        assert shows_state(app, state) and status(app) == ""
        again = [("GET", LAST, 401), ("POST", TOKEN, 200)] if renewing else []
        assert received(sandbox) == [*sent, *again, ("GET", LAST, 200)]
        assert seen.notifications == []
        return

    if fault == "429" or (fault in {"400", "404"} and not renewing):
        # awork answered and said no: its words in the status line (once, no notification).
        detail = CLICK_MESSAGES[fault]
        settle(qtbot, lambda: icon(app) is IconKind.ERROR)
        assert status(app) == f"awork answered with an error: {detail}"
        assert shows_state(app, state), "what awork said before is still true"
        assert enabled(app) == USABLE[state]
        assert seen.notifications == []
        assert received(sandbox) == sent
        if fault == "429":
            app.tray.actions[Action.RESUME].trigger()
            assert seen.notifications[-1][0] == "Could not resume"
            assert WAIT_MESSAGE.fullmatch(seen.notifications[-1][1]), seen.notifications
            app.tray.refresh.trigger()
            qtbot.wait(QUIET_MS)
            assert received(sandbox) == sent, "nothing is sent while awork asks us to wait"
        return

    # 401 on a poll with a bearer token: signed out.
    check_signed_out(qtbot, app, sandbox, seen, CLICK_MESSAGES["401"])
    assert received(sandbox)[: len(sent)] == sent


def check_signed_out(
    qtbot: QtBot, app: TrayApplication, sandbox: Sandbox, seen: Seen, detail: str
) -> None:
    """Signed out: said once, every timer item disabled, and awork is asked nothing more."""
    settle(qtbot, lambda: icon(app) is IconKind.SIGNED_OUT)
    assert status(app) == f"Signed out of awork: {detail}"
    assert enabled(app) == set()
    assert seen.notifications == [SIGNED_OUT_NOTICE], "said once"
    asked = len(sandbox.requests)
    app.tray.refresh.trigger()
    app.tray.actions[Action.RESUME].trigger()  # disabled: nothing happens
    qtbot.wait(QUIET_MS)
    assert len(sandbox.requests) == asked, "signed out, the app asks awork nothing more"
    assert seen.notifications == [SIGNED_OUT_NOTICE]


# -- a sign-in that runs out during a click ----------------------------------------------------


@pytest.mark.parametrize("call_name", ["resume", "pause", "stop", "start-again"])
def test_an_expired_sign_in_during_a_click_is_renewed_and_the_click_carried_out_once(
    qtbot: QtBot, sandbox: Sandbox, seen: Seen, tray_available: None, call_name: str
) -> None:
    call = CALLS[call_name]
    assert call.action is not None
    if call.other_client_first:
        getattr(sandbox.other_client, call.other_client_first)()
    store = signed_in_store(sandbox)
    auth = OAuthAuth(sandbox.url, store, http_timeout=CLIENT_TIMEOUT)
    client = AworkClient(sandbox.url, auth=auth, timeout=CLIENT_TIMEOUT)
    with running_tray(qtbot, client, seen, call.before) as app:
        sandbox.clear_requests()
        sandbox.expire_access_tokens()

        click(app, call)

        qtbot.waitUntil(lambda: not app.controller.pending, timeout=WAIT_MS)
        after = sandbox_state(sandbox)
        assert after is not call.before
        settle(qtbot, lambda: shows_state(app, after) and icon(app) is STATE_ICONS[after])
        # awork refused the first POST (401) without acting; it was sent once more after the
        # renewal. Exactly one POST was carried out, and no renewal was repeated.
        assert received(sandbox) == [
            ("POST", call.path, 401),
            ("POST", TOKEN, 200),
            ("POST", call.path, 200),
            ("GET", LAST, 200),
        ]
        assert seen.notifications == [], "the person's own click is not announced"
