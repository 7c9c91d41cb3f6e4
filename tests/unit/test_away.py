"""The away and reminder policy, driven by a fake clock and a fake desk (idle counter and lock).

Each test plays a short scene (work, leave, come back) and checks what the tray would do or
say: the decisions and their lines, as the person would read them.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.unit.awork_json import entry_json, task_json
from tray_app.awork.models import TimeTracking
from tray_app.core.away import (
    AskAboutAway,
    AwayPolicy,
    Decision,
    NotifyPausedWhileAway,
    Pause,
    PollNow,
    RemindNotTracking,
    Resume,
    StopPolling,
    WarnRunningOver,
)
from tray_app.core.away_settings import AwaySettings, ReminderSettings
from tray_app.core.presence import AwayReason, PresenceTracker
from tray_app.core.timer import Snapshot

BERLIN = ZoneInfo("Europe/Berlin")
# Monday 7 December 2026; Berlin is UTC+1 then.
MONDAY = datetime(2026, 12, 7, tzinfo=BERLIN)
TASK = task_json("logo", "Draw the logo")


def local(hhmm: str, day: datetime = MONDAY) -> datetime:
    hours, minutes = hhmm.split(":")
    return day.replace(hour=int(hours), minute=int(minutes)).astimezone(UTC)


class Desk:
    """The person's machine: a clock, an idle counter and a screen lock, moved by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.last_input = now
        self.locked_at: datetime | None = None
        self.idle_known = True
        self.tracker = PresenceTracker(idle=self, lock=self)

    def idle_seconds(self) -> float | None:
        return (self.now - self.last_input).total_seconds() if self.idle_known else None

    def locked_since(self) -> datetime | None:
        return self.locked_at

    def work_until(self, at: datetime) -> None:
        """The person types until ``at`` (the clock moves there)."""
        self.now = self.last_input = at

    def wait_until(self, at: datetime) -> None:
        """No input until ``at``."""
        self.now = at


def running(start: datetime, entry: str = "e1", **extra: Any) -> Snapshot:
    return Snapshot.of(TimeTracking.model_validate(entry_json(entry, start, task=TASK, **extra)))


def paused(start: datetime, since: datetime, entry: str = "e1") -> Snapshot:
    open_break = {"startDate": since.isoformat(), "endDate": None, "duration": None}
    return running(start, entry, breaks=[open_break])


def stopped(start: datetime, end: datetime, entry: str = "e1") -> Snapshot:
    return Snapshot.of(TimeTracking.model_validate(entry_json(entry, start, end=end, task=TASK)))


def policy(
    away: dict[str, Any] | None = None, reminders: dict[str, Any] | None = None
) -> AwayPolicy:
    return AwayPolicy(
        AwaySettings.of(away or {}),
        ReminderSettings.of(
            reminders if reminders is not None else {"not_tracking_after_minutes": 0}
        ),
        BERLIN,
    )


def tick(rules: AwayPolicy, desk: Desk, snapshot: Snapshot | None) -> list[Decision]:
    return rules.on_tick(desk.now, desk.tracker.presence(desk.now), snapshot)


def lines(decisions: list[Decision]) -> list[str]:
    shown: list[str] = []
    for decision in decisions:
        if isinstance(decision, AskAboutAway):
            shown.append(decision.line(BERLIN))
        elif isinstance(decision, NotifyPausedWhileAway | RemindNotTracking | WarnRunningOver):
            shown.append(decision.line())
    return shown


# --- ask on return ------------------------------------------------------------------------------


def test_a_timer_running_through_a_lock_asks_on_return_from_when_input_stopped() -> None:
    desk = Desk(local("09:00"))
    rules = policy()
    timer = running(local("09:00"))
    desk.work_until(local("11:02"))
    desk.wait_until(local("11:04"))
    desk.locked_at = desk.now  # the person locks two minutes after the last key
    assert tick(rules, desk, timer) == [StopPolling()]
    desk.wait_until(local("11:45"))
    desk.locked_at = None
    desk.work_until(local("11:45"))
    assert tick(rules, desk, timer) == [PollNow()]
    asked = rules.on_answer(desk.now, timer)
    assert lines(asked) == ["You were away from 11:02 to 11:45 (0:43)"]
    assert isinstance(asked[0], AskAboutAway)
    assert asked[0].entry_id == timer.entry_id
    assert asked[0].start == local("11:02")
    # Asked once: the next answers ask nothing.
    assert rules.on_answer(desk.now, timer) == []
    assert tick(rules, desk, timer) == []


def test_idle_time_counts_from_the_last_input_not_from_the_threshold() -> None:
    desk = Desk(local("09:00"))
    rules = policy({"after_minutes": 10})
    timer = running(local("09:00"))
    desk.work_until(local("14:00"))
    desk.wait_until(local("14:09"))
    assert tick(rules, desk, timer) == []  # nine idle minutes: still here
    desk.wait_until(local("14:10"))
    assert tick(rules, desk, timer) == [StopPolling()]
    desk.wait_until(local("14:30"))
    assert tick(rules, desk, timer) == []  # still away, still not polling
    desk.work_until(local("14:31"))
    assert tick(rules, desk, timer) == [PollNow()]
    assert lines(rules.on_answer(desk.now, timer)) == ["You were away from 14:00 to 14:31 (0:31)"]


def test_sleep_counts_as_away_from_the_last_input_before_it() -> None:
    desk = Desk(local("09:00"))
    rules = policy()
    timer = running(local("09:00"))
    desk.work_until(local("12:00"))
    desk.wait_until(local("12:01"))
    desk.tracker.note_sleep(desk.now)
    assert tick(rules, desk, timer) == [StopPolling()]
    desk.wait_until(local("13:00"))
    desk.tracker.note_wake()
    desk.work_until(local("13:00"))
    assert tick(rules, desk, timer) == [PollNow()]
    assert lines(rules.on_answer(desk.now, timer)) == ["You were away from 12:00 to 13:00 (1:00)"]


def test_an_absence_shorter_than_the_setting_asks_nothing() -> None:
    desk = Desk(local("09:00"))
    rules = policy({"after_minutes": 10})
    timer = running(local("09:00"))
    desk.work_until(local("10:00"))
    desk.locked_at = desk.now
    assert tick(rules, desk, timer) == [StopPolling()]
    desk.locked_at = None
    desk.work_until(local("10:05"))
    assert tick(rules, desk, timer) == [PollNow()]
    assert rules.on_answer(desk.now, timer) == []


@pytest.mark.parametrize(
    "meanwhile",
    [
        paused(local("09:00"), since=local("10:30")),
        stopped(local("09:00"), end=local("10:30")),
        running(local("10:30"), entry="e2"),  # stopped and another started elsewhere
    ],
    ids=["paused elsewhere", "stopped by awork", "another task started"],
)
def test_a_timer_changed_elsewhere_while_away_asks_nothing(meanwhile: Snapshot) -> None:
    desk = Desk(local("09:00"))
    rules = policy()
    timer = running(local("09:00"))
    desk.work_until(local("10:00"))
    desk.locked_at = desk.now
    assert tick(rules, desk, timer) == [StopPolling()]
    desk.locked_at = None
    desk.work_until(local("11:00"))
    assert tick(rules, desk, timer) == [PollNow()]
    assert rules.on_answer(desk.now, meanwhile) == []


def test_no_timer_running_when_leaving_asks_nothing() -> None:
    desk = Desk(local("09:00"))
    rules = policy()
    timer = stopped(local("08:00"), end=local("09:00"))
    desk.locked_at = desk.now
    assert tick(rules, desk, timer) == [StopPolling()]
    desk.locked_at = None
    desk.work_until(local("10:00"))
    assert tick(rules, desk, timer) == [PollNow()]
    assert rules.on_answer(desk.now, running(local("10:00"))) == []


@pytest.mark.parametrize(
    ("settings", "lock"),
    [({"when_locked": "nothing"}, True), ({"when_idle": "nothing"}, False)],
    ids=["lock: nothing", "idle: nothing"],
)
def test_nothing_in_the_settings_asks_nothing(settings: dict[str, Any], lock: bool) -> None:
    desk = Desk(local("09:00"))
    rules = policy(settings)
    timer = running(local("09:00"))
    desk.work_until(local("10:00"))
    desk.wait_until(local("10:30"))
    if lock:
        desk.locked_at = desk.now
    assert tick(rules, desk, timer) == [StopPolling()]
    desk.locked_at = None
    desk.work_until(local("11:00"))
    assert tick(rules, desk, timer) == [PollNow()]
    assert rules.on_answer(desk.now, timer) == []


def test_a_desktop_without_an_idle_counter_never_guesses_away() -> None:
    desk = Desk(local("09:00"))
    desk.idle_known = False
    rules = policy()
    desk.wait_until(local("17:00"))
    assert tick(rules, desk, running(local("09:00"))) == []


# --- pause on lock ------------------------------------------------------------------------------


def test_pause_on_lock_pauses_at_once_then_tells_how_long_it_stood() -> None:
    desk = Desk(local("09:00"))
    rules = policy({"when_locked": "pause"})
    timer = running(local("09:00"))
    desk.work_until(local("11:02"))
    desk.locked_at = desk.now
    assert tick(rules, desk, timer) == [Pause(), StopPolling()]
    # The pause's own answer arrives while away: nothing more to do yet.
    assert rules.on_answer(desk.now, paused(local("09:00"), since=local("11:02"))) == []
    desk.wait_until(local("11:44"))
    assert tick(rules, desk, timer) == []  # no second pause
    desk.locked_at = None
    desk.work_until(local("11:44"))
    assert tick(rules, desk, timer) == [PollNow()]
    back = rules.on_answer(desk.now, paused(local("09:00"), since=local("11:02")))
    assert lines(back) == ["Paused while you were away (0:42)"]


def test_pause_on_lock_with_resume_when_back_resumes_once() -> None:
    desk = Desk(local("09:00"))
    rules = policy({"when_locked": "pause", "resume_when_back": True})
    timer = running(local("09:00"))
    desk.locked_at = desk.now
    assert tick(rules, desk, timer) == [Pause(), StopPolling()]
    on_break = paused(local("09:00"), since=local("09:00"))
    rules.on_answer(desk.now, on_break)
    desk.locked_at = None
    desk.work_until(local("09:30"))
    assert tick(rules, desk, on_break) == [PollNow()]
    assert rules.on_answer(desk.now, on_break) == [Resume()]
    assert rules.on_answer(desk.now, running(local("09:00"))) == []


def test_pause_on_lock_does_not_resume_a_timer_changed_elsewhere() -> None:
    desk = Desk(local("09:00"))
    rules = policy({"when_locked": "pause", "resume_when_back": True})
    timer = running(local("09:00"))
    desk.locked_at = desk.now
    assert tick(rules, desk, timer) == [Pause(), StopPolling()]
    rules.on_answer(desk.now, paused(local("09:00"), since=local("09:00")))
    desk.locked_at = None
    desk.work_until(local("10:00"))
    assert tick(rules, desk, timer) == [PollNow()]
    assert rules.on_answer(desk.now, stopped(local("09:00"), end=local("09:40"))) == []


def test_pause_on_lock_leaves_a_paused_timer_alone() -> None:
    desk = Desk(local("09:00"))
    rules = policy({"when_locked": "pause", "resume_when_back": True})
    on_break = paused(local("08:00"), since=local("08:30"))
    desk.locked_at = desk.now
    assert tick(rules, desk, on_break) == [StopPolling()]
    desk.locked_at = None
    desk.work_until(local("10:00"))
    assert tick(rules, desk, on_break) == [PollNow()]
    assert rules.on_answer(desk.now, on_break) == []  # not ours to resume


def test_a_lock_after_idle_time_still_pauses_with_pause_on_lock() -> None:
    desk = Desk(local("09:00"))
    rules = policy({"when_locked": "pause", "when_idle": "nothing"})
    timer = running(local("09:00"))
    desk.work_until(local("11:00"))
    desk.wait_until(local("11:10"))
    assert tick(rules, desk, timer) == [StopPolling()]  # idle: away, nothing to do
    desk.wait_until(local("11:15"))
    desk.locked_at = desk.now  # the screen locks itself after 15 idle minutes
    assert tick(rules, desk, timer) == [Pause()]
    rules.on_answer(desk.now, paused(local("09:00"), since=local("11:15")))
    desk.wait_until(local("11:20"))
    assert tick(rules, desk, timer) == []  # paused once
    desk.locked_at = None
    desk.work_until(local("11:45"))
    assert tick(rules, desk, timer) == [PollNow()]
    back = rules.on_answer(desk.now, paused(local("09:00"), since=local("11:15")))
    assert lines(back) == ["Paused while you were away (0:30)"]


def test_idle_never_pauses_even_with_pause_on_lock() -> None:
    desk = Desk(local("09:00"))
    rules = policy({"when_locked": "pause"})
    desk.wait_until(local("09:30"))
    assert tick(rules, desk, running(local("09:00"))) == [StopPolling()]


# --- reminders ----------------------------------------------------------------------------------

REMIND = {"not_tracking_after_minutes": 15}


def test_not_tracking_reminds_once_per_stopped_period_within_work_hours() -> None:
    desk = Desk(local("09:00"))
    rules = policy(reminders=REMIND)
    timer = stopped(local("08:00"), end=local("10:00"))
    desk.work_until(local("10:14"))
    assert tick(rules, desk, timer) == []
    desk.work_until(local("10:15"))
    assert lines(tick(rules, desk, timer)) == ["You are not tracking time"]
    desk.work_until(local("11:30"))
    assert tick(rules, desk, timer) == []  # once per stopped period
    # A new period: work, stop again; the reminder comes again 15 minutes later.
    later = stopped(local("11:30"), end=local("12:00"), entry="e2")
    rules.on_answer(desk.now, running(local("11:30"), entry="e2"))
    desk.work_until(local("12:14"))
    assert tick(rules, desk, later) == []
    desk.work_until(local("12:15"))
    assert lines(tick(rules, desk, later)) == ["You are not tracking time"]


def test_not_tracking_counts_from_the_start_of_the_work_day() -> None:
    desk = Desk(local("08:00"))
    rules = policy(reminders=REMIND)
    friday = stopped(
        local("09:00", MONDAY - timedelta(days=3)), local("17:00", MONDAY - timedelta(days=3))
    )
    desk.work_until(local("08:59"))
    assert tick(rules, desk, friday) == []  # before work hours
    desk.work_until(local("09:14"))
    assert tick(rules, desk, friday) == []
    desk.work_until(local("09:15"))
    assert lines(tick(rules, desk, friday)) == ["You are not tracking time"]


@pytest.mark.parametrize(
    ("when", "reminders"),
    [
        (local("19:00"), REMIND),  # after work hours
        (local("11:00", MONDAY - timedelta(days=1)), REMIND),  # Sunday
        (local("11:00"), {"not_tracking_after_minutes": 0}),  # turned off
        (local("11:00"), {**REMIND, "work_days": ["tue"]}),  # Monday is not a work day here
        (local("08:30"), {**REMIND, "work_hours": ["09:00", "17:00"]}),
    ],
    ids=["evening", "sunday", "off", "not a work day", "before hours"],
)
def test_no_reminder_outside_work_days_and_hours_or_when_off(
    when: datetime, reminders: dict[str, Any]
) -> None:
    desk = Desk(when - timedelta(hours=3))
    rules = policy(reminders=reminders)
    timer = stopped(when - timedelta(hours=5), end=when - timedelta(hours=4))
    desk.work_until(when)
    assert tick(rules, desk, timer) == []


def test_custom_work_hours_and_days_remind() -> None:
    sunday = MONDAY - timedelta(days=1)
    desk = Desk(local("06:00", sunday))
    rules = policy(reminders={**REMIND, "work_days": ["sun"], "work_hours": ["06:00", "07:00"]})
    timer = stopped(local("05:00", sunday), end=local("05:30", sunday))
    desk.work_until(local("06:15", sunday))
    assert lines(tick(rules, desk, timer)) == ["You are not tracking time"]


def test_no_reminder_while_away_and_the_count_restarts_on_return() -> None:
    desk = Desk(local("09:00"))
    rules = policy(reminders=REMIND)
    timer = stopped(local("08:00"), end=local("12:00"))
    desk.work_until(local("12:05"))
    assert tick(rules, desk, timer) == []
    desk.wait_until(local("13:00"))
    assert tick(rules, desk, timer) == [StopPolling()]  # away: no reminder
    desk.work_until(local("13:01"))
    assert tick(rules, desk, timer) == [PollNow()]
    rules.on_answer(desk.now, timer)
    desk.work_until(local("13:15"))
    assert tick(rules, desk, timer) == []
    desk.work_until(local("13:16"))
    assert lines(tick(rules, desk, timer)) == ["You are not tracking time"]


def test_a_timer_running_over_the_setting_warns_once() -> None:
    desk = Desk(local("09:00"))
    rules = policy(reminders={"not_tracking_after_minutes": 0, "running_over_hours": 10})
    timer = running(local("08:00"))
    desk.work_until(local("18:00"))
    assert tick(rules, desk, timer) == []
    desk.work_until(local("18:01"))
    assert lines(tick(rules, desk, timer)) == ["The timer has been running for over 10 hours"]
    desk.work_until(local("20:00"))
    assert tick(rules, desk, timer) == []
    desk.work_until(local("23:00"))
    assert lines(tick(rules, desk, running(local("12:00"), entry="e2"))) == [
        "The timer has been running for over 10 hours"
    ]


def test_running_over_zero_never_warns() -> None:
    desk = Desk(local("09:00"))
    rules = policy(reminders={"running_over_hours": 0, "not_tracking_after_minutes": 0})
    desk.work_until(local("23:59"))
    assert tick(rules, desk, running(local("00:01"))) == []


def test_the_policy_and_the_presence_adapters_import_without_qt_or_httpx() -> None:
    code = (
        "import sys\n"
        "sys.modules['PySide6'] = None\n"
        "sys.modules['httpx'] = None\n"
        "import tray_app.core.presence, tray_app.core.away, tray_app.core.away_settings\n"
        "import tray_app.core.away_discard, tray_app.platform.presence\n"
        "import tray_app.platform.presence_dbus, tray_app.platform.presence_x11\n"
        "import tray_app.platform.presence_windows, tray_app.platform.presence_macos\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'httpx', 'shiboken'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['PySide6', 'httpx']"  # only the blocked placeholders


def test_the_time_away_agrees_with_the_minutes_shown() -> None:
    # 11:02:40 to 11:45:10 is 42.5 minutes, but a person reading "11:02 to 11:45" expects 0:43.
    ask = AskAboutAway(
        start=local("11:02") + timedelta(seconds=40),
        end=local("11:45") + timedelta(seconds=10),
        entry_id="e1",
        reason=AwayReason.IDLE,
    )
    assert ask.line(BERLIN) == "You were away from 11:02 to 11:45 (0:43)"
