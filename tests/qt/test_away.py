"""Away from the desk against the sandbox: pause at the lock, ask on return, discard (issue 14).

The presence source is a hand-made one the test locks and unlocks; everything else is the real
tray, and every assertion is what the sandbox received or what the person was shown. The sandbox
runs on a clock the test can move forward, so an absence of minutes takes no minutes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot

from tests.helpers.sandbox_view import timer_state
from tests.qt.conftest import Seen, make_app
from tray_app.app import TrayApplication
from tray_app.awork.client import AworkClient, BearerToken
from tray_app.awork.models import TimeTracking
from tray_app.core.actions import Action
from tray_app.core.away_settings import AwaySettings, ReminderSettings, WeekDay, WhenLocked
from tray_app.core.presence import Presence, PresenceTracker
from tray_app.core.timer import TimerState
from tray_app.sandbox import Sandbox
from tray_app.sandbox.faults import Fault
from tray_app.sandbox.server import RecordedRequest
from tray_app.ui.away_window import AwayWindow

TICK_MS = 40
NO_REMINDERS = ReminderSettings(not_tracking_after_minutes=0, running_over_hours=0)


class ShiftedClock:
    """The real clock, moved forward by what the test says: the sandbox and the tray share it."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


class FakePresence:
    """A presence source the test locks and unlocks; input is always "just now" otherwise."""

    def __init__(self, clock: ShiftedClock) -> None:
        self._clock = clock
        self.locked_since: datetime | None = None
        self.readings = 0

    def presence(self, now: datetime) -> Presence:
        self.readings += 1
        if self.locked_since is not None:
            return Presence(last_input=self.locked_since, locked_since=self.locked_since)
        return Presence(last_input=now)


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock()


@pytest.fixture
def sandbox(clock: ShiftedClock) -> Iterator[Sandbox]:
    with Sandbox(clock=clock) as server:
        yield server


@pytest.fixture
def app(sandbox: Sandbox, seen: Seen, tray_available: None) -> Iterator[TrayApplication]:
    with AworkClient(sandbox.url, auth=BearerToken(sandbox.token), timeout=10) as client:
        tray = make_app(client, seen)
        tray.start()
        yield tray
        tray.shutdown()


def entry_end(sandbox: Sandbox) -> datetime:
    """When the sandbox now says the person's last entry ends."""
    end = TimeTracking.model_validate(sandbox.current_entry()).end_utc
    assert end is not None
    return end


def header(app: TrayApplication) -> str:
    """What the menu's first line shows the person."""
    return app.tray.header.text()


def calls(sandbox: Sandbox, method: str, ending: str) -> list[RecordedRequest]:
    return [r for r in sandbox.requests if r.method == method and r.path.endswith(ending)]


def timer_calls(sandbox: Sandbox) -> list[str]:
    """Every request that could change the timer, in order: what a discard sent."""
    return [
        f"{r.method} {r.path.rsplit('/', 1)[-1] if r.method == 'PUT' else r.path}"
        for r in sandbox.requests
        if r.method in {"POST", "PUT"}
    ]


def running(qtbot: QtBot, app: TrayApplication, sandbox: Sandbox) -> str:
    """Resume the seeded timer elsewhere, let the tray see it; the running entry's id."""
    qtbot.waitUntil(lambda: app.controller.snapshot is not None)
    sandbox.other_client.resume()
    app.controller.poll_now()
    qtbot.waitUntil(lambda: "Running" in header(app))
    entry = sandbox.current_entry()
    assert entry is not None
    return str(entry["id"])


def watch(
    app: TrayApplication, clock: ShiftedClock, presence: FakePresence, **away: object
) -> None:
    app.settings = app.settings.model_copy(
        update={"away": AwaySettings(**away), "reminders": NO_REMINDERS}  # type: ignore[arg-type]
    )
    app.watch_away(presence, clock=clock, tick_ms=TICK_MS)


def ticks(qtbot: QtBot, presence: FakePresence, count: int = 5) -> None:
    """Let the watch read presence ``count`` more times (what it would do over a while)."""
    target = presence.readings + count
    qtbot.waitUntil(lambda: presence.readings >= target)


def test_a_lock_with_pause_sends_one_pause_and_no_polls_while_away(
    qtbot: QtBot, app: TrayApplication, sandbox: Sandbox, clock: ShiftedClock
) -> None:
    presence = FakePresence(clock)
    running(qtbot, app, sandbox)
    watch(app, clock, presence, when_locked=WhenLocked.PAUSE)
    sandbox.clear_requests()

    presence.locked_since = clock()
    qtbot.waitUntil(lambda: timer_state(sandbox) == "paused", timeout=5000)
    qtbot.waitUntil(lambda: app.controller.snapshot.state is TimerState.PAUSED)  # type: ignore[union-attr]
    app.controller.poll_now()  # as the menu opening would: nobody is there to read it
    ticks(qtbot, presence, 10)

    assert len(calls(sandbox, "POST", "/me/timetracking/pause")) == 1
    assert [r.path for r in sandbox.requests] == ["/api/v1/me/timetracking/pause"]


def test_back_with_resume_when_back_sends_one_resume(
    qtbot: QtBot, app: TrayApplication, sandbox: Sandbox, clock: ShiftedClock, seen: Seen
) -> None:
    presence = FakePresence(clock)
    running(qtbot, app, sandbox)
    watch(app, clock, presence, when_locked=WhenLocked.PAUSE, resume_when_back=True)
    presence.locked_since = clock()
    qtbot.waitUntil(lambda: timer_state(sandbox) == "paused", timeout=5000)
    ticks(qtbot, presence)
    clock.offset += timedelta(minutes=20)

    presence.locked_since = None
    qtbot.waitUntil(lambda: timer_state(sandbox) == "running", timeout=5000)
    qtbot.waitUntil(lambda: "Running" in header(app))
    ticks(qtbot, presence, 10)

    assert len(calls(sandbox, "POST", "/me/timetracking/pause")) == 1
    assert len(calls(sandbox, "POST", "/me/timetracking/resume")) == 1
    assert not any("away" in text for _, text in seen.notifications)


def test_back_without_resume_says_how_long_the_timer_stood(
    qtbot: QtBot, app: TrayApplication, sandbox: Sandbox, clock: ShiftedClock, seen: Seen
) -> None:
    presence = FakePresence(clock)
    running(qtbot, app, sandbox)
    watch(app, clock, presence, when_locked=WhenLocked.PAUSE)
    presence.locked_since = clock()
    qtbot.waitUntil(lambda: timer_state(sandbox) == "paused", timeout=5000)
    ticks(qtbot, presence)
    clock.offset += timedelta(minutes=42, seconds=10)

    presence.locked_since = None
    qtbot.waitUntil(
        lambda: ("Welcome back", "Paused while you were away (0:42)") in seen.notifications
    )
    assert calls(sandbox, "POST", "/me/timetracking/resume") == []
    assert timer_state(sandbox) == "paused"


def away_and_back(
    qtbot: QtBot, app: TrayApplication, sandbox: Sandbox, clock: ShiftedClock
) -> tuple[AwayWindow, datetime]:
    """Lock for 40 minutes with ``ask`` while the timer runs; the window shown on return."""
    presence = FakePresence(clock)
    running(qtbot, app, sandbox)
    watch(app, clock, presence, after_minutes=5)
    clock.offset += timedelta(minutes=5)
    left = clock()
    presence.locked_since = left
    qtbot.waitUntil(lambda: app.away is not None and app.away.away)
    clock.offset += timedelta(minutes=40)
    sandbox.clear_requests()
    presence.locked_since = None
    qtbot.waitUntil(lambda: app.away is not None and app.away.window is not None, timeout=5000)
    window = app.away.window  # type: ignore[union-attr]
    assert window is not None
    qtbot.waitUntil(window.isVisible)
    return window, left


def test_back_after_a_lock_asks_and_discard_moves_the_end_to_the_lock(
    qtbot: QtBot, app: TrayApplication, sandbox: Sandbox, clock: ShiftedClock, seen: Seen
) -> None:
    window, left = away_and_back(qtbot, app, sandbox, clock)
    local = left.astimezone()
    back = (left + timedelta(minutes=40)).astimezone()
    assert window.line.text() == (f"You were away from {local:%H:%M} to {back:%H:%M} (0:40)")
    assert timer_calls(sandbox) == []

    qtbot.mouseClick(window.discard, qtbot_left())
    qtbot.waitUntil(lambda: timer_state(sandbox) == "stopped", timeout=5000)
    qtbot.waitUntil(lambda: any(title == "Time away" for title, _ in seen.notifications))

    entry = sandbox.current_entry()
    assert entry is not None
    assert timer_calls(sandbox) == ["POST /api/v1/me/timetracking/stop", f"PUT {entry['id']}"]
    assert abs((entry_end(sandbox) - left).total_seconds()) <= 2
    assert ("Time away", f"Discarded 0:40 away: the entry now ends at {local:%H:%M}") in (
        seen.notifications
    )


def test_discard_and_continue_then_starts_the_same_task_once(
    qtbot: QtBot, app: TrayApplication, sandbox: Sandbox, clock: ShiftedClock
) -> None:
    task = sandbox.current_entry()["taskId"]  # type: ignore[index]
    window, _ = away_and_back(qtbot, app, sandbox, clock)
    stopped_id = sandbox.current_entry()["id"]  # type: ignore[index]

    qtbot.mouseClick(window.discard_and_continue, qtbot_left())
    qtbot.waitUntil(lambda: sandbox.current_entry()["id"] != stopped_id, timeout=5000)  # type: ignore[index]
    qtbot.waitUntil(lambda: "Running" in header(app))

    assert timer_calls(sandbox) == [
        "POST /api/v1/me/timetracking/stop",
        f"PUT {stopped_id}",
        "POST /api/v1/me/timetracking/start",
    ]
    assert sandbox.current_entry()["taskId"] == task  # type: ignore[index]
    assert timer_state(sandbox) == "running"


def test_keep_and_escape_send_nothing(
    qtbot: QtBot, app: TrayApplication, sandbox: Sandbox, clock: ShiftedClock
) -> None:
    window, _ = away_and_back(qtbot, app, sandbox, clock)

    qtbot.keyClick(window, qtbot_escape())
    qtbot.waitUntil(lambda: not window.isVisible())
    app.controller.poll_now()
    qtbot.waitUntil(lambda: len(calls(sandbox, "GET", "/me/timeentries/last")) >= 2)

    assert timer_calls(sandbox) == []
    assert timer_state(sandbox) == "running"


@pytest.mark.expect_log("WARNING", r"PUT /api/v1/timeentries/\S+ refused: status=403 code=locked")
@pytest.mark.expect_log("WARNING", r"away: stopped, but the end was not moved")
def test_a_refused_put_after_the_stop_says_exactly_that(
    qtbot: QtBot, app: TrayApplication, sandbox: Sandbox, clock: ShiftedClock, seen: Seen
) -> None:
    window, left = away_and_back(qtbot, app, sandbox, clock)
    entry_id = sandbox.current_entry()["id"]  # type: ignore[index]
    reason = "The entry is locked by an approval"
    sandbox.inject("PUT", f"/timeentries/{entry_id}", Fault.status(403, "locked", reason + "."))

    qtbot.mouseClick(window.discard, qtbot_left())
    qtbot.waitUntil(lambda: any(title == "Time away" for title, _ in seen.notifications))

    stopped_at = entry_end(sandbox).astimezone()
    moved = left.astimezone()
    line = f"Stopped at {stopped_at:%H:%M}; could not move the end to {moved:%H:%M}: {reason}"
    assert ("Time away", line) in seen.notifications
    assert len(calls(sandbox, "PUT", entry_id)) == 1, "nothing is retried"
    assert timer_state(sandbox) == "stopped"


def test_a_timer_paused_elsewhere_while_away_asks_nothing(
    qtbot: QtBot, app: TrayApplication, sandbox: Sandbox, clock: ShiftedClock, seen: Seen
) -> None:
    presence = FakePresence(clock)
    running(qtbot, app, sandbox)
    watch(app, clock, presence, after_minutes=5)
    clock.offset += timedelta(minutes=5)
    presence.locked_since = clock()
    qtbot.waitUntil(lambda: app.away is not None and app.away.away)
    clock.offset += timedelta(minutes=40)
    sandbox.other_client.pause()
    sandbox.clear_requests()

    presence.locked_since = None
    qtbot.waitUntil(lambda: "Paused" in header(app), timeout=5000)
    ticks(qtbot, presence, 10)

    assert app.away is not None and app.away.window is None
    assert timer_calls(sandbox) == []


def qtbot_left() -> object:
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def qtbot_escape() -> object:
    from PySide6.QtCore import Qt

    return Qt.Key.Key_Escape


ALL_DAY = {"work_days": [day.value for day in WeekDay], "work_hours": ["00:00", "23:59"]}


def test_not_tracking_is_said_once_and_the_menu_offers_the_last_task(
    qtbot: QtBot, app: TrayApplication, sandbox: Sandbox, clock: ShiftedClock, seen: Seen
) -> None:
    presence = FakePresence(clock)
    qtbot.waitUntil(lambda: "Paused" in header(app))
    sandbox.other_client.stop()
    app.controller.poll_now()
    qtbot.waitUntil(app.tray.actions[Action.START_AGAIN].isEnabled)
    app.settings = app.settings.model_copy(
        update={
            "reminders": ReminderSettings.of(
                {"not_tracking_after_minutes": 15, "running_over_hours": 0, **ALL_DAY}
            )
        }
    )
    app.watch_away(presence, clock=clock, tick_ms=TICK_MS)
    ticks(qtbot, presence)
    assert not any(title == "Not tracking" for title, _ in seen.notifications), "not yet"

    clock.offset += timedelta(minutes=16)
    qtbot.waitUntil(lambda: ("Not tracking", "You are not tracking time") in seen.notifications)
    ticks(qtbot, presence, 10)

    assert [n for n in seen.notifications if n[0] == "Not tracking"] == [
        ("Not tracking", "You are not tracking time")
    ]
    assert app.tray.actions[Action.START_AGAIN].isEnabled()


def test_a_timer_running_over_the_hours_is_said_once(
    qtbot: QtBot, app: TrayApplication, sandbox: Sandbox, clock: ShiftedClock, seen: Seen
) -> None:
    presence = FakePresence(clock)
    running(qtbot, app, sandbox)
    app.settings = app.settings.model_copy(
        update={
            "reminders": ReminderSettings.of(
                {"not_tracking_after_minutes": 0, "running_over_hours": 2, **ALL_DAY}
            )
        }
    )
    app.watch_away(presence, clock=clock, tick_ms=TICK_MS)
    ticks(qtbot, presence)
    clock.offset += timedelta(hours=2)

    line = ("Long timer", "The timer has been running for over 2 hours")
    qtbot.waitUntil(lambda: line in seen.notifications)
    ticks(qtbot, presence, 10)
    assert seen.notifications.count(line) == 1


class NoIdle:
    """An idle counter that always says "input just now": only the sleep makes an absence."""

    def idle_seconds(self) -> float:
        return 0.0


def test_a_sleep_through_which_the_timer_ran_asks_on_waking(
    qtbot: QtBot, app: TrayApplication, sandbox: Sandbox, clock: ShiftedClock
) -> None:
    running(qtbot, app, sandbox)
    tracker = PresenceTracker(idle=NoIdle())
    app.settings = app.settings.model_copy(
        update={"away": AwaySettings(after_minutes=5), "reminders": NO_REMINDERS}
    )
    away = app.watch_away(tracker, sleep=tracker, clock=clock, tick_ms=TICK_MS)
    clock.offset += timedelta(minutes=5)
    slept = clock()

    away.on_sleep_watch_sleeping()  # logind's PrepareForSleep(true), as the composition wires it
    qtbot.waitUntil(lambda: away.away)
    clock.offset += timedelta(minutes=30)
    away.on_sleep_watch_woke()

    qtbot.waitUntil(lambda: away.window is not None and away.window.isVisible(), timeout=5000)
    back = (slept + timedelta(minutes=30)).astimezone()
    assert away.window is not None
    assert away.window.line.text() == (
        f"You were away from {slept.astimezone():%H:%M} to {back:%H:%M} (0:30)"
    )
    assert timer_calls(sandbox) == []


def test_opening_the_menu_while_counted_away_polls_at_once(
    qtbot: QtBot, app: TrayApplication, sandbox: Sandbox, clock: ShiftedClock
) -> None:
    presence = FakePresence(clock)
    running(qtbot, app, sandbox)
    app.settings = app.settings.model_copy(update={"reminders": NO_REMINDERS})
    away = app.watch_away(presence, clock=clock, tick_ms=3_600_000)  # no tick but the first
    presence.locked_since = clock() - timedelta(minutes=1)
    away.tick()
    assert away.away
    presence.locked_since = None  # unlocked: the next reading finds the person back
    sandbox.clear_requests()

    app.tray.menu.aboutToShow.emit()  # the person opens the menu

    qtbot.waitUntil(lambda: len(calls(sandbox, "GET", "/me/timeentries/last")) == 1)
    assert not away.away
