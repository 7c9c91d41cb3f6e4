"""pydantic models for the parts of the awork API a tray timer reads and writes.

awork answers carry more fields than its schema lists, so answer models ignore unknown fields;
request models forbid them, because awork rejects a start form with keys it does not know.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer
from pydantic.alias_generators import to_camel

# A .NET TimeSpan as awork writes it: "09:21:00", "13:08:51.8220632", or with days "1.02:03:04".
_TIMESPAN = re.compile(
    r"^(?:(?P<days>\d+)\.)?(?P<h>\d{1,2}):(?P<m>\d{2}):(?P<s>\d{2})(?:\.(?P<frac>\d{1,7}))?$"
)


def parse_timespan(value: object) -> timedelta | None:
    """Turn awork's TimeSpan string into a timedelta (100 ns ticks are cut to microseconds)."""
    if value is None or isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        raise ValueError("a time of day must be a string like '09:21:00'")
    match = _TIMESPAN.match(value)
    if match is None:
        raise ValueError(f"not a time of day: {value!r}")
    frac = (match["frac"] or "").ljust(7, "0")
    microseconds = int(frac) // 10
    return timedelta(
        days=int(match["days"] or 0),
        hours=int(match["h"]),
        minutes=int(match["m"]),
        seconds=int(match["s"]),
        microseconds=microseconds,
    )


def format_timespan(value: timedelta) -> str:
    """Write a TimeSpan the way awork (.NET) does: ``HH:MM:SS.fffffff``, ``d.HH:MM:SS.fffffff``."""
    if value < timedelta(0):
        raise ValueError("a negative TimeSpan is no time of day")
    total_us = value // timedelta(microseconds=1)
    seconds, us = divmod(total_us, 1_000_000)
    minutes, sec = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    days, hour = divmod(hours, 24)
    day_part = f"{days}." if days else ""
    return f"{day_part}{hour:02d}:{minute:02d}:{sec:02d}.{us:06d}0"


def _as_utc(value: object) -> object:
    """awork's UTC fields end in Z; a value without a zone is taken as UTC, never as local."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    if isinstance(value, str) and value and not re.search(r"(Z|[+-]\d{2}:?\d{2})$", value):
        return value + "Z"
    return value


TimeSpan = Annotated[
    timedelta | None,
    BeforeValidator(parse_timespan),
    PlainSerializer(lambda v: None if v is None else format_timespan(v), return_type=str | None),
]
UtcDateTime = Annotated[datetime, BeforeValidator(_as_utc)]


class AworkModel(BaseModel):
    """Base of every answer model: camelCase on the wire, unknown fields accepted."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )


class Break(AworkModel):
    start_date: UtcDateTime
    duration: int | None = None
    end_date: UtcDateTime | None = None

    @property
    def is_open(self) -> bool:
        return self.end_date is None and self.duration is None


class NestedType(AworkModel):
    id: str
    name: str | None = None
    icon: str | None = None
    is_archived: bool | None = None


class NestedCompany(AworkModel):
    id: str
    name: str | None = None


class TimeTrackingUser(AworkModel):
    id: str
    first_name: str | None = None
    last_name: str | None = None
    has_image: bool | None = None
    is_external: bool | None = None


class TimeTrackingProject(AworkModel):
    id: str
    name: str | None = None
    project_key: str | None = None
    company: NestedCompany | None = None
    is_external: bool | None = None


class TimeTrackingTask(AworkModel):
    id: str
    name: str | None = None
    task_identifier: str | None = None
    project_id: str | None = None
    type_of_work_id: str | None = None
    project: TimeTrackingProject | None = None


class TimeTracking(AworkModel):
    """One time entry; the last one started tells whether the person's timer runs."""

    id: str
    timezone: str | None = None
    type_of_work_id: str | None = None
    is_billable: bool | None = None
    is_billed: bool | None = None
    task_id: str | None = None
    project_id: str | None = None
    note: str | None = None
    start_date_utc: UtcDateTime | None = None
    start_time_utc: TimeSpan = None
    end_date_utc: UtcDateTime | None = None
    end_time_utc: TimeSpan = None
    start_date_local: datetime | None = None
    start_time_local: TimeSpan = None
    end_date_local: datetime | None = None
    end_time_local: TimeSpan = None
    duration: int | None = None
    break_duration: int | None = None
    user_id: str | None = None
    created_by: str | None = None
    created_on: UtcDateTime | None = None
    updated_by: str | None = None
    updated_on: UtcDateTime | None = None
    type_of_work: NestedType | None = None
    user: TimeTrackingUser | None = None
    task: TimeTrackingTask | None = None
    project: TimeTrackingProject | None = None
    breaks: list[Break] | None = None
    resource_version: int | None = None
    is_external: bool | None = None

    @property
    def start_utc(self) -> datetime | None:
        """The instant the entry started, or None for an entry logged as a plain duration."""
        return _instant(self.start_date_utc, self.start_time_utc)

    @property
    def end_utc(self) -> datetime | None:
        return _instant(self.end_date_utc, self.end_time_utc)

    @property
    def task_name(self) -> str | None:
        return self.task.name if self.task else None

    @property
    def project_name(self) -> str | None:
        if self.project and self.project.name:
            return self.project.name
        if self.task and self.task.project:
            return self.task.project.name
        return None


def _instant(day: datetime | None, time_of_day: timedelta | None) -> datetime | None:
    if day is None or time_of_day is None:
        return None
    midnight = day.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + time_of_day


class Workspace(AworkModel):
    id: str
    name: str | None = None
    url: str | None = None


class UserAndWorkspace(AworkModel):
    """The answer of ``GET /me``: the signed-in person and the workspace the token belongs to."""

    id: str
    first_name: str | None = None
    last_name: str | None = None
    workspace: Workspace | None = None

    @property
    def display_name(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or self.id


class ValidationError(AworkModel):
    property: str | None = None
    message: str | None = None


class ErrorBody(AworkModel):
    """awork's error answer; ``description`` is written for people."""

    code: str | None = None
    description: str | None = None
    link: str | None = None
    details: list[Any] | None = None
    validation_errors: list[ValidationError] | None = None
    trace_id: str | None = None


class StartForm(BaseModel):
    """The body of ``POST .../timetracking/start``; awork accepts no other keys."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    timezone: str = Field(min_length=1)
    type_of_work_id: str
    task_id: str | None = None
    project_id: str | None = None
    note: str | None = None
    is_billable: bool | None = None
    is_billed: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)
