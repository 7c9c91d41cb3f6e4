"""Random interleavings of everything that happens to a tray timer, checked against the sandbox.

A hypothesis state machine drives the real :class:`TrayApplication` against the real sandbox over
HTTP: the person clicks menu items (disabled ones too: a disabled item does nothing, as it
should), opens the menu, refreshes, signs out and in; the web app changes the timer; awork
misbehaves (every kind of fault the sandbox has); time passes, the wall clock jumps and the
laptop sleeps. After every step, and after every settling poll, the invariants of issue 5 hold:

- nothing crashes: no exception reaches ``sys.excepthook``, nothing is logged as an error, and
  Qt warns of nothing (pytest-qt fails the test on a Qt warning);
- after a successful poll of a quiet awork, the tray shows what awork has;
- awork receives a timer action only for a click that the menu accepted, exactly once;
- a click is never silently lost: it is sent (the item says so) or answered at once;
- a failure is only announced for a click, and a notification never repeats for the same
  state of the same entry.
"""

from __future__ import annotations

import gc
import itertools
import logging
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from pytestqt.qtbot import QtBot

from tests.qt.conftest import Seen, make_app
from tray_app.app import Account, TrayApplication
from tray_app.awork.client import AworkClient, BearerToken
from tray_app.awork.models import TimeTracking
from tray_app.core.actions import Action
from tray_app.core.clock import ServerClock
from tray_app.core.timer import Snapshot, TimerState, elapsed_seconds, parse_elapsed
from tray_app.sandbox import API_PREFIX, Fault, Sandbox
from tray_app.ui import controller as controller_module
from tray_app.ui.icons import IconKind
from tray_app.ui.tray import menu_text
from tray_app.ui.view_model import Connection

CLIENT_TIMEOUT = 0.25
POLL_INTERVAL_S = 0.05
SETTLE_MS = 10_000
# About 4,000 steps in well under a minute; STATEFUL_EXAMPLES=400 explores ten times longer.
EXAMPLES = int(os.environ.get("STATEFUL_EXAMPLES", "40"))
STEPS_PER_EXAMPLE = 100

LAST = "/me/timeentries/last"
LOST = "The timer shown may be out of date; awork Tray keeps trying."
BACK = "awork can be reached again; the timer is up to date."
CONNECTION_ICONS = {
    Connection.OFFLINE: IconKind.OFFLINE,
    Connection.SIGNED_OUT: IconKind.SIGNED_OUT,
    Connection.ERROR: IconKind.ERROR,
}
ROUTES = {
    Action.RESUME: "/me/timetracking/resume",
    Action.PAUSE: "/me/timetracking/pause",
    Action.STOP: "/me/timetracking/stop",
    Action.START_AGAIN: "/me/timetracking/start",
}
FAULTY_ROUTES = [
    ("GET", LAST),
    ("GET", "/me"),
    *(("POST", path) for path in ROUTES.values()),
]
FAULTS = [
    Fault.delay(0.05),  # slow, but within the client's timeout
    Fault.delay(CLIENT_TIMEOUT + 0.1),  # awork acts after the client gave up
    Fault.late(0.05),  # decided at once, answered a little later (out of order)
    Fault.late(CLIENT_TIMEOUT + 0.1),
    Fault.status(500),
    Fault.status(503, "service-unavailable", "Down for maintenance."),
    Fault.rate_limited(reset=0),
    Fault.rate_limited(reset=2),
    Fault.status(429),  # no ratelimit-reset: the client waits 60 s
    Fault.malformed(),
    Fault.malformed(b'{"id": "cut off', "application/json"),
    Fault.drop(),
    Fault.expired_token(),
    Fault.status(400, "invalid-operation", "This operation is not valid now."),
    Fault.status(403, "forbidden", "You may not do that."),
    Fault.status(404, "not-found", "No such time tracking."),
    Fault.status(204),
]
BUSY = {
    Action.RESUME: "Resuming…",
    Action.PAUSE: "Pausing…",
    Action.STOP: "Stopping…",
    Action.START_AGAIN: "Starting…",
}
TITLES = {
    Action.RESUME: "Could not resume",
    Action.PAUSE: "Could not pause",
    Action.STOP: "Could not stop",
    Action.START_AGAIN: "Could not start again",
}
STATE_ICONS = {
    TimerState.RUNNING: IconKind.RUNNING,
    TimerState.PAUSED: IconKind.PAUSED,
    TimerState.STOPPED: IconKind.STOPPED,
    TimerState.NONE: IconKind.STOPPED,
}
STATE_WORDS = {
    TimerState.RUNNING: "Running",
    TimerState.PAUSED: "Paused at",
    TimerState.STOPPED: "Stopped at",
    TimerState.NONE: "No timer",
}


class CountingTransport(httpx.BaseTransport):
    """The real HTTP transport, counting what the app sends and what is still under way."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self._lock = threading.Lock()
        self.sent: Counter[tuple[str, str]] = Counter()
        self.under_way = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.sent[(request.method, request.url.path.removeprefix(API_PREFIX))] += 1
            self.under_way += 1
        try:
            return self._inner.handle_request(request)
        finally:
            with self._lock:
                self.under_way -= 1

    def close(self) -> None:
        self._inner.close()

    def total(self) -> int:
        with self._lock:
            return sum(self.sent.values())


class ErrorLog(logging.Handler):
    """Keeps every record of level ERROR and above: each one is a bug here."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass(frozen=True)
class Shown:
    """One notification, with what the tray showed when it came."""

    title: str
    text: str
    entry: tuple[str | None, int | None, int]  # entry id, its version, sign-ins so far


@dataclass
class Run:
    """What all examples share: the fixtures, the hooks, and the step count."""

    qtbot: QtBot
    errors: list[BaseException]
    error_log: ErrorLog
    steps: int = 0
    examples: int = 0


class TrayMachine(RuleBasedStateMachine):
    run: Run  # set by the test before hypothesis builds machines

    def __init__(self) -> None:
        super().__init__()
        self.qtbot = self.run.qtbot
        # Three clocks the steps move: this machine's wall clock, its monotonic clock (which a
        # suspend stops), and awork's clock (which never stops).
        self.wall_offset = timedelta(0)
        self.mono_offset = 0.0
        self.server_offset = timedelta(0)
        self.sandbox = Sandbox(clock=self.server_now).start()
        self.transport = CountingTransport()
        server_clock = ServerClock(local=self.wall_now)
        client = AworkClient(
            self.sandbox.url,
            auth=BearerToken(self.sandbox.token),
            timeout=CLIENT_TIMEOUT,
            transport=self.transport,
            on_server_date=server_clock.observe,
        )
        self.seen = Seen()
        self.sign_ins = 0
        account = Account(sign_in=self.signing_in, sign_out=lambda: "Signed out of awork.")
        self.app: TrayApplication = make_app(
            client, self.seen, account=account, clock=server_clock.now
        )
        controller = self.app.controller
        controller._clock = self.wall_now  # the machine's clock, which the steps move
        controller._monotonic = self.mono_now
        controller.poll_interval_s = POLL_INTERVAL_S
        self.shown: list[Shown] = []
        record = self.app.tray.tray.showMessage

        def remember(title: str, text: str, *args: object) -> None:
            snapshot = self.app.controller.snapshot
            entry = (snapshot.entry_id, snapshot.version) if snapshot else (None, None)
            self.shown.append(Shown(title, text, (*entry, self.sign_ins)))
            record(title, text, *args)

        self.app.tray.tray.showMessage = remember  # type: ignore[method-assign]
        self.clicks_sent: Counter[Action] = Counter()
        self.clicks_answered_at_once: Counter[Action] = Counter()
        self.run.examples += 1

    # -- the clocks ----------------------------------------------------------------------------

    def wall_now(self) -> datetime:
        return datetime.now(UTC) + self.wall_offset

    def mono_now(self) -> float:
        return time.monotonic() + self.mono_offset

    def server_now(self) -> datetime:
        return datetime.now(UTC) + self.server_offset

    def signing_in(self, cancel: threading.Event) -> object:
        return None  # the token awork gave still works: signing in is a formality here

    # -- set-up and tear-down ------------------------------------------------------------------

    @initialize()
    def start(self) -> None:
        self.app.start()
        self.qtbot.waitUntil(lambda: self.app.controller.snapshot is not None, timeout=SETTLE_MS)

    def teardown(self) -> None:
        try:
            self.settle_and_compare()
        finally:
            self.app.shutdown()
            self.sandbox.stop()
            del self.app
            gc.collect()  # free this example's Qt objects here, in the GUI thread

    def step(self) -> None:
        self.run.steps += 1
        # Let answers that arrived meanwhile reach the GUI thread, as the event loop would.
        self.qtbot.wait(1)

    # -- the person ----------------------------------------------------------------------------

    @rule(action=st.sampled_from(list(Action)))
    def click(self, action: Action) -> None:
        item = self.app.tray.actions[action]
        enabled = item.isEnabled()
        pending = self.app.controller.pending
        before = len(self.shown)
        item.trigger()
        new = self.shown[before:]
        if not enabled:
            assert new == [], "a disabled item does nothing"
            assert self.app.controller.pending == pending, "a disabled item sends nothing"
        elif item.text() == BUSY[action]:
            assert not item.isEnabled(), "an action under way cannot be clicked again"
            self.clicks_sent[action] += 1
        else:
            # Not sent (offline, or awork asked us to wait): it says so at once, exactly once.
            assert [shown.title for shown in new] == [TITLES[action]], new
            self.clicks_answered_at_once[action] += 1
        self.step()

    @rule()
    def refresh(self) -> None:
        self.app.tray.refresh.trigger()
        self.step()

    @rule()
    def open_menu(self) -> None:
        self.app.tray.menu_opening.emit()
        self.step()

    @rule()
    def sign_out(self) -> None:
        if self.app.tray.sign_out.isVisible() and self.app.tray.sign_out.isEnabled():
            self.app.tray.sign_out.trigger()
        self.step()

    @rule()
    def sign_in(self) -> None:
        if self.app.tray.sign_in.isVisible() and self.app.tray.sign_in.isEnabled():
            self.sign_ins += 1
            self.app.tray.sign_in.trigger()
        self.step()

    # -- the world -----------------------------------------------------------------------------

    @rule(change=st.sampled_from(["pause", "resume", "stop", "start"]))
    def elsewhere(self, change: str) -> None:
        getattr(self.sandbox.other_client, change)()
        self.step()

    @rule(
        route=st.sampled_from(FAULTY_ROUTES),
        fault=st.sampled_from(FAULTS),
        times=st.sampled_from([1, 1, 2, 3, None]),
    )
    def fault(self, route: tuple[str, str], fault: Fault, times: int | None) -> None:
        self.sandbox.inject(*route, fault, times=times)
        self.step()

    @rule()
    def awork_recovers(self) -> None:
        self.sandbox.clear_faults()
        self.step()

    @rule(ms=st.integers(0, 120))
    def wait(self, ms: int) -> None:
        self.qtbot.wait(ms)
        self.step()

    @rule(seconds=st.integers(1, 120))
    def time_passes(self, seconds: int) -> None:
        """Time goes on for everyone at once, as if the app sat idle meanwhile."""
        self.advance(seconds)
        self.step()

    @rule(seconds=st.integers(-7200, 7200).filter(lambda s: abs(s) > 5))
    def clock_set(self, seconds: int) -> None:
        """Someone sets this machine's clock; awork's clock is unaffected."""
        polls = self.polls_sent()
        self.wall_offset += timedelta(seconds=seconds)
        self.polls_at_once(since=polls)
        self.step()

    @rule(minutes=st.integers(1, 30 * 60))
    def suspend(self, minutes: int) -> None:
        """The laptop sleeps: wall time and awork's time go on, the monotonic clock does not."""
        polls = self.polls_sent()
        self.wall_offset += timedelta(minutes=minutes)
        self.server_offset += timedelta(minutes=minutes)
        self.polls_at_once(since=polls)
        self.step()

    def polls_sent(self) -> int:
        return self.transport.sent[("GET", LAST)]

    def polls_at_once(self, since: int) -> None:
        """A jump of the wall clock makes the tray look at awork again (the watch: 20 ms here)."""
        controller = self.app.controller
        may_poll = (
            controller.connection is not Connection.SIGNED_OUT
            and not controller._paused  # a sign-out is under way
            and controller._blocked_until <= self.mono_now()  # awork did not ask us to wait
        )
        if may_poll:
            # A poll already under way may come back with a 429 meanwhile: then waiting for
            # ratelimit-reset is right, and the next poll comes when the wait is over.
            self.wait_for(
                lambda: self.polls_sent() > since or controller._blocked_until > self.mono_now(),
                "a poll after the clock jumped",
            )

    @rule()
    def settle(self) -> None:
        self.settle_and_compare()
        self.step()

    def advance(self, seconds: float) -> None:
        self.wall_offset += timedelta(seconds=seconds)
        self.server_offset += timedelta(seconds=seconds)
        self.mono_offset += seconds

    # -- the invariants ------------------------------------------------------------------------

    @invariant()
    def nothing_crashed(self) -> None:
        assert self.run.errors == [], self.run.errors
        assert self.run.error_log.records == [], [
            record.getMessage() for record in self.run.error_log.records
        ]

    @invariant()
    def awork_received_only_clicked_actions(self) -> None:
        received = self.received_posts()
        for action, path in ROUTES.items():
            sent = self.transport.sent[("POST", path)]
            assert sent <= self.clicks_sent[action], (action, sent, self.clicks_sent)
            assert received[path] <= sent

    @invariant()
    def failures_are_announced_only_for_clicks(self) -> None:
        titles = Counter(shown.title for shown in self.shown)
        for action, title in TITLES.items():
            clicks = self.clicks_sent[action] + self.clicks_answered_at_once[action]
            assert titles[title] <= clicks, (title, titles[title], clicks)

    @invariant()
    def notifications_never_repeat(self) -> None:
        others = [shown for shown in self.shown if shown.title not in TITLES.values()]
        for first, second in itertools.pairwise(others):
            assert (first.title, first.text, first.entry) != (
                second.title,
                second.text,
                second.entry,
            ), f"said twice: {second}"

    @invariant()
    def outages_are_announced_once_and_so_are_their_ends(self) -> None:
        said = [shown.text for shown in self.shown if shown.text in (LOST, BACK)]
        expected = [LOST, BACK] * len(said)
        assert said == expected[: len(said)], said

    @invariant()
    def the_icon_tells_the_connection(self) -> None:
        controller, display = self.app.controller, self.app.presenter.display
        assert display is not None
        state = controller.snapshot.state if controller.snapshot else TimerState.NONE
        assert display.icon is CONNECTION_ICONS.get(controller.connection, STATE_ICONS[state])
        unconfirmed = "(unconfirmed)" in self.app.tray.header.text()
        assert unconfirmed is (
            controller.connection is Connection.OFFLINE and controller.snapshot is not None
        )

    def received_posts(self) -> Counter[str]:
        return Counter(
            r.path.removeprefix(API_PREFIX) for r in self.sandbox.requests if r.method == "POST"
        )

    def settle_and_compare(self) -> None:
        """awork calms down and a minute passes; then a poll must show exactly what awork has."""
        app, controller = self.app, self.app.controller
        self.sandbox.clear_faults()
        self.advance(61)  # past any rate limit: awork never asks for more than 60 s
        self.wait_for(self.quiet, "quiet")
        if app.tray.sign_in.isVisible():
            self.sign_ins += 1
            app.tray.sign_in.trigger()  # the person signs in again
            self.wait_for(lambda: controller.connection is Connection.ONLINE, "signed in")
            self.wait_for(self.quiet, "quiet after signing in")

        # Every click sent reached awork exactly once, and nothing else did.
        received = self.received_posts()
        for action, path in ROUTES.items():
            assert received[path] == self.transport.sent[("POST", path)] == self.clicks_sent[action]

        for _ in range(3):  # awork's own 24-hour stop may fall between two looks
            expected = self.awork_has()
            answered = controller.last_answer_at
            app.tray.refresh.trigger()
            self.wait_for(
                lambda seen=answered: controller.last_answer_at != seen and self.quiet(),
                "an answer to Refresh",
            )
            if self.awork_has() == expected:
                break
        snapshot = controller.snapshot
        assert snapshot is not None
        assert (snapshot.state, snapshot.entry_id, snapshot.version) == expected
        # ...and that is what the person sees.
        assert app.presenter.display is not None
        assert app.presenter.display.icon is STATE_ICONS[snapshot.state]
        assert STATE_WORDS[snapshot.state] in app.tray.header.text()
        assert "(unconfirmed)" not in app.tray.header.text()
        assert not app.tray.status.isVisible(), app.tray.status.text()
        if snapshot.entry_id is not None:
            # The elapsed time is awork's, even when this machine's clock was set wrong: the
            # tray learns awork's clock from the answers' Date (polls go on meanwhile).
            self.wait_for(self.shows_awork_elapsed, "the elapsed time awork would show")

    def shows_awork_elapsed(self) -> bool:
        entry = self.sandbox.current_entry()
        if entry is None:
            return False
        awork = elapsed_seconds(TimeTracking.model_validate(entry), self.server_now())
        self.app.presenter.update()
        shown = parse_elapsed(self.app.tray.header.text().rsplit(" ", 1)[-1])
        return abs(shown - awork) <= 2

    def awork_has(self) -> tuple[TimerState, str | None, int | None]:
        entry = self.sandbox.current_entry()
        snapshot = Snapshot.of(None if entry is None else TimeTracking.model_validate(entry))
        return snapshot.state, snapshot.entry_id, snapshot.version

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        try:
            self.qtbot.waitUntil(condition, timeout=SETTLE_MS)
        except Exception:  # pytest-qt's TimeoutError: say what the tray was doing
            pytest.fail(f"waited in vain for {what}: {self.describe()}")

    def describe(self) -> str:
        c = self.app.controller
        return (
            f"connection={c.connection} detail={c.detail!r} pending={set(c.pending)} "
            f"poll_seq={c._poll_seq} paused={c._paused} blocked_for="
            f"{c._blocked_until - c._monotonic():.1f}s timer_active={c._poll_timer.isActive()} "
            f"session={self.app._session_busy} sent={self.transport.total()} "
            f"under_way={self.transport.under_way} received={len(self.sandbox.requests)} "
            f"header={self.app.tray.header.text()!r} status={self.app.tray.status.text()!r} "
            f"sign_in={self.app.tray.sign_in.isVisible()} "
            f"sign_out={self.app.tray.sign_out.isVisible()}"
        )

    def quiet(self) -> bool:
        """Nothing under way: every request answered, and every answer taken in by the app."""
        controller = self.app.controller
        return (
            self.transport.under_way == 0
            and self.transport.total() == len(self.sandbox.requests)
            and not controller.pending
            and controller._poll_seq is None  # synchronisation only: no poll under way
            and self.app.tray.sign_in.text() == menu_text("sign_in")  # no sign-in under way
            and self.app.tray.sign_out.text() == menu_text("sign_out")  # nor a sign-out
        )


@pytest.fixture
def fast_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """Back-off and clock watch in milliseconds, so thousands of steps fit in a minute."""
    monkeypatch.setattr(controller_module, "BACKOFF_FIRST_SECONDS", 0.02)
    monkeypatch.setattr(controller_module, "BACKOFF_CAP_SECONDS", 0.1)
    monkeypatch.setattr(controller_module, "CLOCK_WATCH_MS", 20)


@pytest.fixture
def run(qtbot: QtBot) -> Iterator[Run]:
    errors: list[BaseException] = []
    error_log = ErrorLog()

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        errors.append(error)

    previous_hook: Callable[..., object] = sys.excepthook
    sys.excepthook = hook
    logging.getLogger().addHandler(error_log)
    try:
        yield Run(qtbot, errors, error_log)
    finally:
        logging.getLogger().removeHandler(error_log)
        sys.excepthook = previous_hook


@pytest.mark.timeout(EXAMPLES * 15)  # shrinking a failure takes longer than finding it
# Hypothesis picks the faults and awork's clock: each of these warnings may come, none must.
@pytest.mark.expect_log(
    "WARNING",
    r"this machine's clock is -?\d+ s off awork's",
    logger="tray_app.core.clock",
    optional=True,
)
@pytest.mark.expect_log(
    "WARNING",
    r"(GET|POST) /\S+ (refused: status=\d{3}|failed: \w+)|malformed answer to",
    logger="tray_app.awork",
    optional=True,
)
@pytest.mark.expect_log(
    "WARNING",
    r"(poll|resume|pause|stop|start-again) failed: \w+",
    logger="tray_app.ui.controller",
    optional=True,
)
def test_random_interleavings_keep_the_tray_true_to_awork(
    run: Run, fast_app: None, tray_available: None
) -> None:
    TrayMachine.run = run
    started = time.monotonic()
    run_state_machine_as_test(
        TrayMachine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS_PER_EXAMPLE,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    took = time.monotonic() - started
    print(f"\n{run.steps} random steps in {run.examples} examples, {took:.1f} s")
    assert run.steps >= 1000


# -- what the machine found, kept as plain tests -----------------------------------------------


@pytest.fixture
def signed_in_app(
    client: AworkClient, seen: Seen, tray_available: None
) -> Iterator[TrayApplication]:
    account = Account(sign_in=lambda cancel: None, sign_out=lambda: "Signed out of awork.")
    app = make_app(client, seen, account=account)
    app.start()
    yield app
    app.shutdown()


def test_an_answer_that_arrives_after_a_sign_out_does_not_bring_the_timer_back(
    qtbot: QtBot, signed_in_app: TrayApplication, sandbox: Sandbox
) -> None:
    app = signed_in_app
    qtbot.waitUntil(lambda: "Paused at" in app.tray.header.text(), timeout=3000)
    sandbox.clear_requests()
    sandbox.inject("GET", LAST, Fault.delay(0.3))
    app.tray.refresh.trigger()  # a poll is under way...
    app.tray.sign_out.trigger()  # ...when the person signs out
    qtbot.waitUntil(app.tray.sign_in.isVisible, timeout=3000)
    qtbot.waitUntil(lambda: len(sandbox.requests) == 1, timeout=3000)  # awork answered it
    qtbot.wait(100)
    assert app.presenter.display is not None
    assert app.presenter.display.icon is IconKind.SIGNED_OUT
    assert "Paused at" not in app.tray.header.text()
    assert not app.tray.person.isVisible() and not app.tray.sign_out.isVisible()
    # Signed in again, the tray polls again (it used to stay frozen on the late answer).
    app.tray.sign_in.trigger()
    qtbot.waitUntil(lambda: "Paused at" in app.tray.header.text(), timeout=3000)
    assert app.presenter.display.icon is IconKind.PAUSED


def test_a_sign_out_the_person_chose_is_announced_once(
    qtbot: QtBot, signed_in_app: TrayApplication, seen: Seen
) -> None:
    app = signed_in_app
    qtbot.waitUntil(lambda: "Paused at" in app.tray.header.text(), timeout=3000)
    app.tray.sign_out.trigger()
    qtbot.waitUntil(app.tray.sign_in.isVisible, timeout=3000)
    qtbot.wait(100)
    assert seen.notifications == [("Signed out", "Signed out of awork.")]
