"""The tray application against the sandbox over real HTTP, in a real Qt event loop (offscreen)."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QElapsedTimer, QPoint, QTimer
from PySide6.QtGui import QColor, QIcon
from pytestqt.qtbot import QtBot

from tests.qt.conftest import Seen, make_app
from tray_app.app import TrayApplication
from tray_app.awork.client import AworkClient
from tray_app.core.actions import Action
from tray_app.core.timer import parse_elapsed
from tray_app.sandbox import Fault, Sandbox

GREEN = QColor("#2e9d5b")
AMBER = QColor("#e0a100")


def icon_colour(icon: QIcon) -> QColor:
    """The colour of the icon's disc, just inside its top edge, as the panel draws it."""
    image = icon.pixmap(64, 64).toImage()
    return image.pixelColor(32, 8)


def header(app: TrayApplication) -> str:
    return app.tray.header.text()


def shown_elapsed(app: TrayApplication) -> int:
    """The H:MM:SS the menu header shows, in seconds."""
    return parse_elapsed(header(app).rsplit(" ", 1)[-1])


def posts(sandbox: Sandbox, path: str) -> int:
    return sum(1 for r in sandbox.requests if r.method == "POST" and r.path.endswith(path))


def wait_for_header(qtbot: QtBot, app: TrayApplication, text: str, timeout: int = 5000) -> None:
    qtbot.waitUntil(lambda: text in header(app), timeout=timeout)


def running_elsewhere(qtbot: QtBot, app: TrayApplication, sandbox: Sandbox) -> None:
    """Resume the seeded timer from another client and let the tray see it."""
    wait_for_header(qtbot, app, "Paused at")
    sandbox.other_client.resume()
    app.tray.refresh.trigger()
    wait_for_header(qtbot, app, "Running")


def test_starts_showing_the_seeded_paused_timer(qtbot: QtBot, tray_app: TrayApplication) -> None:
    wait_for_header(qtbot, tray_app, "Paused at")
    items = tray_app.tray.actions
    assert items[Action.RESUME].isEnabled()
    assert not items[Action.PAUSE].isEnabled()
    assert items[Action.STOP].isEnabled()
    assert icon_colour(tray_app.tray.icon()) == AMBER
    assert "Paused at" in tray_app.tray.tray.toolTip()
    assert not tray_app.presenter.tick.isActive(), "a paused timer must not keep the app ticking"


def test_resume_sends_one_request_and_the_clock_runs_on_from_the_paused_time(
    qtbot: QtBot, tray_app: TrayApplication, sandbox: Sandbox
) -> None:
    wait_for_header(qtbot, tray_app, "Paused at")
    paused_at = shown_elapsed(tray_app)
    sandbox.clear_requests()

    tray_app.tray.actions[Action.RESUME].trigger()

    assert tray_app.tray.actions[Action.RESUME].text() == "Resuming…"
    assert not tray_app.tray.actions[Action.RESUME].isEnabled()
    wait_for_header(qtbot, tray_app, "Running")
    assert posts(sandbox, "/me/timetracking/resume") == 1
    assert icon_colour(tray_app.tray.icon()) == GREEN
    assert shown_elapsed(tray_app) - paused_at in (0, 1)
    # The clock keeps counting from there, and the sandbox agrees that the timer runs.
    qtbot.waitUntil(lambda: shown_elapsed(tray_app) >= paused_at + 2, timeout=4000)
    entry = sandbox.current_entry()
    assert entry is not None and entry["breaks"][-1]["endDate"] is not None
    assert posts(sandbox, "/me/timetracking/resume") == 1


def test_a_double_click_on_resume_sends_it_once(
    qtbot: QtBot, tray_app: TrayApplication, sandbox: Sandbox
) -> None:
    wait_for_header(qtbot, tray_app, "Paused at")
    sandbox.inject("POST", "/me/timetracking/resume", Fault.delay(0.5))
    tray_app.tray.actions[Action.RESUME].trigger()
    tray_app.tray.actions[Action.RESUME].trigger()
    wait_for_header(qtbot, tray_app, "Running")
    assert posts(sandbox, "/me/timetracking/resume") == 1


def test_pause_then_stop_then_start_again(
    qtbot: QtBot, tray_app: TrayApplication, sandbox: Sandbox
) -> None:
    wait_for_header(qtbot, tray_app, "Paused at")
    tray_app.tray.actions[Action.RESUME].trigger()
    wait_for_header(qtbot, tray_app, "Running")
    qtbot.waitUntil(lambda: not tray_app.controller.pending, timeout=3000)

    tray_app.tray.actions[Action.PAUSE].trigger()
    wait_for_header(qtbot, tray_app, "Paused at")
    assert icon_colour(tray_app.tray.icon()) == AMBER
    assert posts(sandbox, "/me/timetracking/pause") == 1

    tray_app.tray.actions[Action.STOP].trigger()
    wait_for_header(qtbot, tray_app, "Stopped at")
    assert sandbox.current_entry()["endTimeUtc"] is not None  # type: ignore[index]
    assert tray_app.tray.actions[Action.START_AGAIN].isEnabled()
    stopped_id = sandbox.current_entry()["id"]  # type: ignore[index]
    task_name = sandbox.current_entry()["task"]["name"]  # type: ignore[index]

    tray_app.tray.actions[Action.START_AGAIN].trigger()
    wait_for_header(qtbot, tray_app, "Running")
    started = sandbox.current_entry()
    assert started is not None and started["id"] != stopped_id
    assert started["task"]["name"] == task_name
    start_requests = [r for r in sandbox.requests if r.path.endswith("/timetracking/start")]
    assert len(start_requests) == 1
    assert b'"timezone"' in start_requests[0].body
    assert tray_app.presenter.tick.isActive()


def test_a_change_made_elsewhere_gives_one_notification(
    qtbot: QtBot, tray_app: TrayApplication, sandbox: Sandbox, seen: Seen
) -> None:
    wait_for_header(qtbot, tray_app, "Paused at")
    sandbox.other_client.resume()
    tray_app.tray.refresh.trigger()
    wait_for_header(qtbot, tray_app, "Running")
    assert len(seen.notifications) == 1
    assert seen.notifications[0][1].startswith("Timer resumed: ")
    # Polling again finds nothing new: no repeat.
    tray_app.tray.refresh.trigger()
    qtbot.waitUntil(lambda: tray_app.controller.last_answer_at is not None, timeout=3000)
    before = tray_app.controller.last_answer_at
    tray_app.tray.refresh.trigger()
    qtbot.waitUntil(lambda: tray_app.controller.last_answer_at != before, timeout=3000)
    assert len(seen.notifications) == 1


def test_the_persons_own_click_is_not_announced(
    qtbot: QtBot, tray_app: TrayApplication, seen: Seen
) -> None:
    wait_for_header(qtbot, tray_app, "Paused at")
    tray_app.tray.actions[Action.RESUME].trigger()
    wait_for_header(qtbot, tray_app, "Running")
    before = tray_app.controller.last_answer_at
    tray_app.tray.refresh.trigger()
    qtbot.waitUntil(lambda: tray_app.controller.last_answer_at != before, timeout=3000)
    assert seen.notifications == []


@pytest.mark.expect_log(
    "WARNING",
    r"POST /api/v1/me/timetracking/resume refused: status=400 code=invalid-operation",
    logger="tray_app.awork.http",
)
@pytest.mark.expect_log(
    "WARNING",
    r"resume failed: Refused \(status=400 code=invalid-operation",
    logger="tray_app.ui.controller",
)
def test_a_refused_action_says_why_and_changes_nothing(
    qtbot: QtBot, tray_app: TrayApplication, sandbox: Sandbox, seen: Seen
) -> None:
    wait_for_header(qtbot, tray_app, "Paused at")
    sandbox.inject(
        "POST",
        "/me/timetracking/resume",
        Fault.status(400, "invalid-operation", "You can only resume your own time trackings"),
    )
    tray_app.tray.actions[Action.RESUME].trigger()
    qtbot.waitUntil(lambda: bool(seen.notifications), timeout=3000)
    assert seen.notifications == [
        ("Could not resume", "You can only resume your own time trackings")
    ]
    qtbot.waitUntil(tray_app.tray.actions[Action.RESUME].isEnabled, timeout=3000)
    assert "Paused at" in header(tray_app)


def test_the_menu_header_ticks_while_the_menu_is_open(
    qtbot: QtBot, tray_app: TrayApplication, sandbox: Sandbox
) -> None:
    running_elsewhere(qtbot, tray_app, sandbox)
    tray_app.tray.menu.popup(QPoint(10, 10))
    qtbot.waitUntil(tray_app.tray.menu.isVisible, timeout=2000)
    first = shown_elapsed(tray_app)
    qtbot.waitUntil(lambda: shown_elapsed(tray_app) >= first + 2, timeout=4000)
    tray_app.tray.menu.hide()


def test_the_gui_stays_responsive_while_awork_answers_slowly(
    qtbot: QtBot, tray_app: TrayApplication, sandbox: Sandbox
) -> None:
    running_elsewhere(qtbot, tray_app, sandbox)
    sandbox.inject("GET", "/me/timeentries/last", Fault.delay(5), times=None)
    longest = 0
    clock = QElapsedTimer()
    clock.start()
    beat = QTimer()
    beat.setInterval(10)

    def on_beat() -> None:
        nonlocal longest
        longest = max(longest, clock.restart())

    beat.timeout.connect(on_beat)
    beat.start()
    tray_app.tray.refresh.trigger()
    tray_app.tray.menu.popup(QPoint(10, 10))
    first = shown_elapsed(tray_app)
    started = time.monotonic()
    qtbot.waitUntil(lambda: shown_elapsed(tray_app) >= first + 3, timeout=5000)
    assert time.monotonic() - started < 4.5, "the clock must tick while awork is slow"
    beat.stop()
    tray_app.tray.menu.hide()
    sandbox.clear_faults()
    print(f"longest event-loop stall with a 5 s awork: {longest} ms")
    assert longest < 250


def test_polls_once_per_interval_in_steady_state(
    qtbot: QtBot, client: AworkClient, sandbox: Sandbox, seen: Seen, tray_available: None
) -> None:
    app = make_app(client, seen)
    app.controller.poll_interval_s = 0.25
    app.start()
    qtbot.waitUntil(lambda: app.controller.snapshot is not None, timeout=3000)
    sandbox.clear_requests()
    qtbot.wait(1300)
    app.shutdown()
    polls = [r for r in sandbox.requests if r.path.endswith("/timeentries/last")]
    assert 3 <= len(polls) <= 6
    assert all(r.method == "GET" for r in sandbox.requests)


@pytest.mark.expect_log(
    "WARNING", r"no system tray on this desktop; showing a window instead", logger="tray_app.app"
)
def test_without_a_tray_a_window_offers_the_same_status_and_actions(
    qtbot: QtBot, client: AworkClient, sandbox: Sandbox, seen: Seen
) -> None:
    app = make_app(client, seen, tray_wait_ms=500)
    app.start()
    qtbot.waitUntil(lambda: app.window is not None and app.window.isVisible(), timeout=3000)
    window = app.window
    assert window is not None
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: "Paused at" in window.header.text(), timeout=3000)
    window.buttons[Action.RESUME].click()
    qtbot.waitUntil(lambda: "Running" in window.header.text(), timeout=3000)
    assert posts(sandbox, "/me/timetracking/resume") == 1
    app.shutdown()


def test_open_in_awork_opens_the_workspace(
    qtbot: QtBot, tray_app: TrayApplication, seen: Seen
) -> None:
    wait_for_header(qtbot, tray_app, "Paused at")
    qtbot.waitUntil(lambda: tray_app.web_url.startswith("http"), timeout=3000)
    tray_app.tray.open_web.trigger()
    assert seen.opened == [tray_app.web_url]


@pytest.mark.parametrize("fault", [Fault.drop(), Fault.status(503, "unavailable", "Down")])
@pytest.mark.expect_log(
    "WARNING",
    r"GET /api/v1/me/timeentries/last failed: RemoteProtocolError|"
    r"GET /api/v1/me/timeentries/last refused: status=503",
    logger="tray_app.awork.http",
)
@pytest.mark.expect_log(
    "WARNING", r"poll failed: (Unreachable|ServerError)", logger="tray_app.ui.controller"
)
def test_offline_shows_the_offline_icon_and_keeps_the_last_state(
    qtbot: QtBot, tray_app: TrayApplication, sandbox: Sandbox, fault: Fault
) -> None:
    wait_for_header(qtbot, tray_app, "Paused at")
    sandbox.inject("GET", "/me/timeentries/last", fault)
    tray_app.tray.refresh.trigger()
    qtbot.waitUntil(lambda: "cannot be reached" in tray_app.tray.status.text(), timeout=3000)
    assert "Paused at" in header(tray_app) and "(unconfirmed)" in header(tray_app)
    assert icon_colour(tray_app.tray.icon()) not in (GREEN, AMBER)


@pytest.mark.expect_log(
    "WARNING", r"poll failed: Unreachable \(\)", logger="tray_app.ui.controller"
)
@pytest.mark.expect_log(
    "WARNING",
    r"GET /api/v1/me/timeentries/last failed: RemoteProtocolError",
    logger="tray_app.awork.http",
)
def test_a_click_while_offline_fails_at_once_and_sends_nothing(
    qtbot: QtBot, tray_app: TrayApplication, sandbox: Sandbox, seen: Seen
) -> None:
    wait_for_header(qtbot, tray_app, "Paused at")
    sandbox.inject("GET", "/me/timeentries/last", Fault.drop(), times=None)
    tray_app.tray.refresh.trigger()
    qtbot.waitUntil(lambda: "cannot be reached" in tray_app.tray.status.text(), timeout=3000)
    tray_app.tray.actions[Action.RESUME].trigger()
    assert seen.notifications == [("Could not resume", "Could not reach awork; nothing changed.")]
    qtbot.wait(300)
    assert posts(sandbox, "/timetracking/resume") == 0
    # Once awork answers again, everything comes back at once.
    sandbox.clear_faults()
    tray_app.tray.refresh.trigger()
    qtbot.waitUntil(lambda: not tray_app.tray.status.isVisible(), timeout=3000)
    assert "(unconfirmed)" not in header(tray_app)
    assert tray_app.tray.actions[Action.RESUME].isEnabled()


def test_a_late_poll_does_not_undo_a_newer_resume(
    qtbot: QtBot, tray_app: TrayApplication, sandbox: Sandbox
) -> None:
    wait_for_header(qtbot, tray_app, "Paused at")
    shown: list[str] = []
    tray_app.controller.snapshot_changed.connect(lambda _: shown.append(header(tray_app)))
    # The poll is answered by awork before the resume, but reaches us only after it.
    sandbox.inject("GET", "/me/timeentries/last", Fault.late(1.0))
    tray_app.tray.refresh.trigger()
    qtbot.wait(150)
    tray_app.tray.actions[Action.RESUME].trigger()
    wait_for_header(qtbot, tray_app, "Running")
    late = [r for r in sandbox.requests if r.path.endswith("/timeentries/last")][-1]
    resume = [r for r in sandbox.requests if r.path.endswith("/timetracking/resume")][-1]
    assert late.received_at < resume.received_at, "the poll was sent before the click"

    def confirmed_after_the_late_answer() -> bool:
        # The tray polls again once the late answer is in: first, late, confirming.
        polls = [r for r in sandbox.requests if r.path.endswith("/timeentries/last")]
        return len(polls) >= 3

    qtbot.waitUntil(confirmed_after_the_late_answer, timeout=5000)
    qtbot.wait(200)
    assert all("Running" in text for text in shown), f"flipped back meanwhile: {shown}"
    assert "Running" in header(tray_app)
    assert icon_colour(tray_app.tray.icon()) == GREEN
