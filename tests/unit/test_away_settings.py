"""The ``away`` and ``reminders`` sections of settings.json: a bad value costs only that value."""

from __future__ import annotations

import json
import logging
from datetime import time
from typing import Any

import pytest

from tray_app.core.away_settings import (
    AwaySettings,
    ReminderSettings,
    WeekDay,
    WhenIdle,
    WhenLocked,
)

ISSUE_EXAMPLE = json.loads(
    """
    {"away": {"after_minutes": 10, "when_locked": "ask", "when_idle": "ask",
              "resume_when_back": false},
     "reminders": {"not_tracking_after_minutes": 15,
                   "work_days": ["mon","tue","wed","thu","fri"],
                   "work_hours": ["09:00", "18:00"], "running_over_hours": 10}}
    """
)


def test_the_documented_example_is_the_default() -> None:
    assert AwaySettings.of(ISSUE_EXAMPLE["away"]) == AwaySettings()
    assert ReminderSettings.of(ISSUE_EXAMPLE["reminders"]) == ReminderSettings()
    assert ReminderSettings().to_json() == ISSUE_EXAMPLE["reminders"]
    assert AwaySettings().model_dump(mode="json") == ISSUE_EXAMPLE["away"]


def test_values_a_person_wrote_are_read() -> None:
    away = AwaySettings.of(
        {
            "after_minutes": 5,
            "when_locked": "pause",
            "when_idle": "nothing",
            "resume_when_back": True,
        }
    )
    assert (away.after_minutes, away.when_locked, away.when_idle, away.resume_when_back) == (
        5,
        WhenLocked.PAUSE,
        WhenIdle.NOTHING,
        True,
    )
    reminders = ReminderSettings.of(
        {
            "not_tracking_after_minutes": 0,
            "work_days": ["sat", "mon", "mon"],
            "work_hours": ["07:30", "16:15"],
            "running_over_hours": 0,
        }
    )
    assert reminders.not_tracking_after_minutes == 0
    assert reminders.work_days == (WeekDay.MON, WeekDay.SAT)
    assert reminders.work_hours == (time(7, 30), time(16, 15))
    assert reminders.running_over_hours == 0


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("after_minutes", "ten"),
        ("after_minutes", 0),
        ("after_minutes", -5),
        ("when_locked", "lock"),
        ("when_idle", "pause"),
        ("resume_when_back", "yes"),
    ],
)
@pytest.mark.expect_log("WARNING", r"^settings: \w+ .+ is not valid \(.+\); using ")
def test_a_bad_away_value_gives_that_fields_default(
    field: str, bad: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    read = AwaySettings.of({"after_minutes": 20, "when_locked": "pause", field: bad})
    expected = AwaySettings.model_fields[field].default
    assert getattr(read, field) == expected
    # The other fields survive.
    if field != "after_minutes":
        assert read.after_minutes == 20
    assert f"settings: {field}" in caplog.text


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("not_tracking_after_minutes", -1),
        ("not_tracking_after_minutes", None),
        ("work_days", ["monday"]),
        ("work_days", "mon"),
        ("work_hours", ["18:00", "09:00"]),
        ("work_hours", ["09:00"]),
        ("work_hours", ["9 am", "5 pm"]),
        ("running_over_hours", 24),
        ("running_over_hours", 2.5),
    ],
)
@pytest.mark.expect_log("WARNING", r"^settings: \w+ .+ is not valid \(.+\); using ")
def test_a_bad_reminder_value_gives_that_fields_default(field: str, bad: Any) -> None:
    read = ReminderSettings.of({"running_over_hours": 8, field: bad})
    assert getattr(read, field) == ReminderSettings.model_fields[field].default
    if field != "running_over_hours":
        assert read.running_over_hours == 8


NOT_AN_OBJECT = pytest.mark.expect_log("WARNING", r"^settings: (away|reminders) is not an object")


@pytest.mark.parametrize(
    "section",
    [
        None,  # the key is missing: no warning
        pytest.param([], marks=NOT_AN_OBJECT),
        pytest.param("ask", marks=NOT_AN_OBJECT),
        pytest.param(3, marks=NOT_AN_OBJECT),
    ],
)
def test_a_section_that_is_not_an_object_gives_the_defaults(section: object) -> None:
    assert AwaySettings.of(section) == AwaySettings()
    assert ReminderSettings.of(section) == ReminderSettings()
