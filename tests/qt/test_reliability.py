"""Faults, outages and clock jumps, as the person sees them and as awork receives them."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot

from tests.qt.conftest import Seen, make_app
from tray_app.app import TrayApplication
from tray_app.awork.client import AworkClient, BearerToken
from tray_app.awork.models import TimeTracking
from tray_app.core.actions import Action
from tray_app.core.clock import ServerClock
from tray_app.core.timer import elapsed_seconds, parse_elapsed
from tray_app.sandbox import Fault, Sandbox
from tray_app.ui import controller as controller_module


def polls(sandbox: Sandbox) -> list[float]:
    return [r.received_at for r in sandbox.requests if r.path.endswith("/timeentries/last")]


@pytest.fixture
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(controller_module, "BACKOFF_FIRST_SECONDS", 0.1)
    monkeypatch.setattr(controller_module, "BACKOFF_CAP_SECONDS", 0.4)
    monkeypatch.setattr(controller_module, "OFFLINE_NOTICE_SECONDS", 0.5)
    monkeypatch.setattr(controller_module.random, "random", lambda: 1.0)  # no jitter here


@pytest.fixture
def offline_app(
    client: AworkClient, seen: Seen, tray_available: None, fast_backoff: None
) -> Iterator[TrayApplication]:
    app = make_app(client, seen)
    app.controller.poll_interval_s = 60
    app.start()
    yield app
    app.shutdown()


@pytest.mark.expect_log(
    "WARNING",
    r"poll failed: ServerError \(status=503 code=service-unavailable",
    logger="tray_app.ui.controller",
)
@pytest.mark.expect_log(
    "WARNING",
    r"GET /api/v1/me/timeentries/last refused: status=503 code=service-unavailable",
    logger="tray_app.awork.http",
)
def test_an_outage_backs_off_and_is_announced_once_and_so_is_its_end(
    qtbot: QtBot, offline_app: TrayApplication, sandbox: Sandbox, seen: Seen
) -> None:
    app = offline_app
    qtbot.waitUntil(lambda: "Paused at" in app.tray.header.text(), timeout=3000)
    sandbox.clear_requests()
    sandbox.inject("GET", "/me/timeentries/last", Fault.status(503), times=None)
    app.tray.refresh.trigger()
    qtbot.wait(2500)
    failed = [r for r in sandbox.requests if r.path.endswith("/timeentries/last")]
    # 0.1, 0.2, 0.4, 0.4... s apart with jitter: a handful of retries, not a burst.
    assert 4 <= len(failed) <= 12, len(failed)
    times = polls(sandbox)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # 0.1 s, 0.2 s, then the 0.4 s cap (plus each request's own time): they back off.
    assert gaps[0] < gaps[1] < gaps[2], f"retries should back off: {gaps}"
    assert all(gap >= 0.35 for gap in gaps[2:]), f"and stay at the cap: {gaps}"  # coarse timers
    assert [text for title, text in seen.notifications] == [
        "The timer shown may be out of date; awork Tray keeps trying."
    ]
    assert "(unconfirmed)" in app.tray.header.text()

    sandbox.clear_faults()
    qtbot.waitUntil(lambda: len(seen.notifications) == 2, timeout=3000)
    assert seen.notifications[1][1] == "awork can be reached again; the timer is up to date."
    assert "(unconfirmed)" not in app.tray.header.text()


@pytest.mark.expect_log(
    "WARNING",
    r"GET /api/v1/me/timeentries/last refused: status=429 code=too-many-requests",
    logger="tray_app.awork.http",
)
@pytest.mark.expect_log(
    "WARNING",
    r"poll failed: RateLimited \(status=429 code=too-many-requests",
    logger="tray_app.ui.controller",
)
def test_rate_limited_waits_and_clicks_meanwhile_say_so(
    qtbot: QtBot, offline_app: TrayApplication, sandbox: Sandbox, seen: Seen
) -> None:
    app = offline_app
    qtbot.waitUntil(lambda: "Paused at" in app.tray.header.text(), timeout=3000)
    sandbox.inject("GET", "/me/timeentries/last", Fault.rate_limited(reset=30))
    app.tray.refresh.trigger()
    qtbot.waitUntil(lambda: "slow down" in app.tray.status.text(), timeout=3000)
    sandbox.clear_requests()
    app.tray.actions[Action.RESUME].trigger()
    app.tray.refresh.trigger()
    qtbot.wait(300)
    assert sandbox.requests == [], "nothing is sent while awork asks us to wait"
    assert seen.notifications[-1][0] == "Could not resume"
    assert "wait" in seen.notifications[-1][1] and "nothing changed" in seen.notifications[-1][1]


def test_a_jump_of_the_wall_clock_polls_at_once(
    qtbot: QtBot,
    client: AworkClient,
    sandbox: Sandbox,
    seen: Seen,
    tray_available: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(controller_module, "CLOCK_WATCH_MS", 50)
    offset = [timedelta(0)]
    app = make_app(client, seen)
    controller = app.controller
    controller._clock = lambda: datetime.now(UTC) + offset[0]  # a suspend
    controller.poll_interval_s = 60
    app.start()
    qtbot.waitUntil(lambda: "Paused at" in app.tray.header.text(), timeout=3000)
    qtbot.wait(200)
    sandbox.clear_requests()
    sandbox.other_client.resume()
    offset[0] = timedelta(hours=2)  # the laptop slept two hours; awake now
    qtbot.waitUntil(lambda: "Running" in app.tray.header.text(), timeout=2000)
    assert len(polls(sandbox)) == 1
    app.shutdown()


@pytest.mark.expect_log(
    "WARNING", r"this machine's clock is -?\d+ s off awork's", logger="tray_app.core.clock"
)
def test_a_machine_clock_minutes_off_still_shows_awork_elapsed_time(
    qtbot: QtBot, seen: Seen, tray_available: None
) -> None:
    def awork_time() -> datetime:
        return datetime.now(UTC) + timedelta(minutes=10)  # this machine runs 10 min behind

    with Sandbox(clock=awork_time) as sandbox:
        sandbox.other_client.resume()
        server_clock = ServerClock()
        with AworkClient(
            sandbox.url, auth=BearerToken(sandbox.token), on_server_date=server_clock.observe
        ) as client:
            app = make_app(client, seen, clock=server_clock.now)
            app.start()
            qtbot.waitUntil(lambda: "Running" in app.tray.header.text(), timeout=3000)
            for _ in range(3):  # a few answers to be sure of the offset
                before = app.controller.last_answer_at
                app.tray.refresh.trigger()
                qtbot.waitUntil(
                    lambda seen_at=before: app.controller.last_answer_at != seen_at, timeout=3000
                )
            app.presenter.update()
            entry = TimeTracking.model_validate(sandbox.current_entry())
            expected = elapsed_seconds(entry, awork_time())
            shown = parse_elapsed(app.tray.header.text().rsplit(" ", 1)[-1])
            app.shutdown()
    assert abs(shown - expected) <= 2, (shown, expected)
