"""The ``away`` and ``reminders`` sections of settings.json: a bad value costs only that value."""

from __future__ import annotations

import json
import logging
import re
from datetime import time
from typing import Any

import pytest
from pydantic import BaseModel

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


AWAY_LOG = "tray_app.core.away_settings"


def bad_value(model: type[BaseModel], field: str, bad: Any, reason: str) -> Any:
    """The case of one bad value, and the warning that names it, says why and gives the
    default used instead."""
    default = model.model_fields[field].default
    pattern = (
        rf"^settings: {field} {re.escape(repr(bad))} is not valid \({re.escape(reason)}\); "
        rf"using {re.escape(repr(default))}$"
    )
    mark = pytest.mark.expect_log("WARNING", pattern, logger=AWAY_LOG)
    return pytest.param(field, bad, marks=mark)


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        bad_value(
            AwaySettings,
            "after_minutes",
            "ten",
            "Input should be a valid integer, unable to parse string as an integer",
        ),
        bad_value(AwaySettings, "after_minutes", 0, "Input should be greater than or equal to 1"),
        bad_value(AwaySettings, "after_minutes", -5, "Input should be greater than or equal to 1"),
        bad_value(
            AwaySettings, "when_locked", "lock", "Input should be 'ask', 'pause' or 'nothing'"
        ),
        bad_value(AwaySettings, "when_idle", "pause", "Input should be 'ask' or 'nothing'"),
        bad_value(AwaySettings, "resume_when_back", "yes", "Input should be a valid boolean"),
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
        bad_value(*case)
        for case in [
            (
                ReminderSettings,
                "not_tracking_after_minutes",
                -1,
                "Input should be greater than or equal to 0",
            ),
            (
                ReminderSettings,
                "not_tracking_after_minutes",
                None,
                "Input should be a valid integer",
            ),
            (
                ReminderSettings,
                "work_days",
                ["monday"],
                "Input should be 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun'",
            ),
            (ReminderSettings, "work_days", "mon", "Input should be a valid tuple"),
            (
                ReminderSettings,
                "work_hours",
                ["18:00", "09:00"],
                "Value error, the start of the work hours must come before their end",
            ),
            (ReminderSettings, "work_hours", ["09:00"], "Field required"),
            (
                ReminderSettings,
                "work_hours",
                ["9 am", "5 pm"],
                "Input should be in a valid time format, input is too short",
            ),
            (
                ReminderSettings,
                "running_over_hours",
                24,
                "Input should be less than or equal to 23",
            ),
            (
                ReminderSettings,
                "running_over_hours",
                2.5,
                "Input should be a valid integer, got a number with a fractional part",
            ),
        ]
    ],
)
@pytest.mark.expect_log("WARNING", r"^settings: \w+ .+ is not valid \(.+\); using ")
def test_a_bad_reminder_value_gives_that_fields_default(field: str, bad: Any) -> None:
    read = ReminderSettings.of({"running_over_hours": 8, field: bad})
    assert getattr(read, field) == ReminderSettings.model_fields[field].default
    if field != "running_over_hours":
        assert read.running_over_hours == 8


def not_an_object(section: object) -> Any:
    """A section that is no object: both sections warn so, and give their defaults."""
    marks = [
        pytest.mark.expect_log(
            "WARNING", rf"^settings: {name} is not an object; using the defaults$", logger=AWAY_LOG
        )
        for name in ("away", "reminders")
    ]
    return pytest.param(section, marks=marks)


# No section at all (None) is no mistake: the defaults, and nothing to warn about.
@pytest.mark.parametrize(
    "section", [None, not_an_object([]), not_an_object("ask"), not_an_object(3)]
)
def test_a_section_that_is_not_an_object_gives_the_defaults(section: object) -> None:
    assert AwaySettings.of(section) == AwaySettings()
    assert ReminderSettings.of(section) == ReminderSettings()
