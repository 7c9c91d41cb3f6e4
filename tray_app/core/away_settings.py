"""The ``away`` and ``reminders`` keys of ``settings.json``, typed and forgiving.

A person may edit the file by hand, so a bad value costs only that value: it is logged and the
field's default is used, never a crash and never the loss of the other fields. Kept apart from
``settings.py`` so the away policy can be tested without the settings file's loading.
"""

from __future__ import annotations

import logging
from datetime import time
from enum import StrEnum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
)

__all__ = ["AwaySettings", "ReminderSettings", "WeekDay", "WhenIdle", "WhenLocked"]

_log = logging.getLogger(__name__)


class WhenLocked(StrEnum):
    """What a lock does to a running timer: ask on return, pause at once, or nothing."""

    ASK = "ask"
    PAUSE = "pause"
    NOTHING = "nothing"


class WhenIdle(StrEnum):
    """What idle time (and sleep) does to a running timer: ask on return, or nothing."""

    ASK = "ask"
    NOTHING = "nothing"


class WeekDay(StrEnum):
    """Days as the settings file spells them; ``weekday`` is Python's ``date.weekday()``."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def weekday(self) -> int:
        return list(WeekDay).index(self)


def _default_on_error(
    value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo, model: type[BaseModel]
) -> Any:
    try:
        return handler(value)
    except ValidationError as exc:
        field = model.model_fields[info.field_name or ""]
        default = field.get_default(call_default_factory=True)
        # The value is the person's own setting, never a secret: it may be logged.
        _log.warning(
            "settings: %s %r is not valid (%s); using %r",
            info.field_name,
            value,
            exc.errors()[0]["msg"],
            default,
        )
        return default


class AwaySettings(BaseModel):
    """``"away"``: when the person counts as away and what that does to a running timer."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    after_minutes: int = Field(default=10, ge=1, le=24 * 60)
    when_locked: WhenLocked = WhenLocked.ASK
    when_idle: WhenIdle = WhenIdle.ASK
    resume_when_back: bool = Field(default=False, strict=True)

    @field_validator("*", mode="wrap")
    @classmethod
    def _or_default(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        return _default_on_error(value, handler, info, cls)

    @classmethod
    def of(cls, data: object) -> AwaySettings:
        """The section as read from JSON; anything but an object gives the defaults."""
        if not isinstance(data, dict):
            if data is not None:
                _log.warning("settings: away is not an object; using the defaults")
            return cls()
        return cls.model_validate(data)


_DEFAULT_DAYS = (WeekDay.MON, WeekDay.TUE, WeekDay.WED, WeekDay.THU, WeekDay.FRI)


class ReminderSettings(BaseModel):
    """``"reminders"``: when to say "You are not tracking time", and the long-timer warning.

    ``work_hours`` is local wall time, start before end; a minutes or hours value of 0 turns
    that reminder off.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    not_tracking_after_minutes: int = Field(default=15, ge=0, le=24 * 60)
    work_days: tuple[WeekDay, ...] = _DEFAULT_DAYS
    work_hours: tuple[time, time] = (time(9, 0), time(18, 0))
    # awork stops a timer by itself at 24 h: a warning later than that would never come.
    running_over_hours: int = Field(default=10, ge=0, le=23)

    @field_validator("work_hours", mode="after")
    @classmethod
    def _start_before_end(cls, value: tuple[time, time]) -> tuple[time, time]:
        start, end = value
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError("work hours are local wall time, without a zone")
        if start >= end:
            raise ValueError("the start of the work hours must come before their end")
        return value

    @field_validator("work_days", mode="after")
    @classmethod
    def _once_each(cls, value: tuple[WeekDay, ...]) -> tuple[WeekDay, ...]:
        return tuple(day for day in WeekDay if day in value)

    @field_validator("*", mode="wrap")
    @classmethod
    def _or_default(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        return _default_on_error(value, handler, info, cls)

    @classmethod
    def of(cls, data: object) -> ReminderSettings:
        """The section as read from JSON; anything but an object gives the defaults."""
        if not isinstance(data, dict):
            if data is not None:
                _log.warning("settings: reminders is not an object; using the defaults")
            return cls()
        return cls.model_validate(data)

    def to_json(self) -> dict[str, Any]:
        """The section as ``settings.json`` keeps it (``"09:00"``, ``"mon"``)."""
        start, end = self.work_hours
        return {
            "not_tracking_after_minutes": self.not_tracking_after_minutes,
            "work_days": [day.value for day in self.work_days],
            "work_hours": [start.strftime("%H:%M"), end.strftime("%H:%M")],
            "running_over_hours": self.running_over_hours,
        }
