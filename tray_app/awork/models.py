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


class NestedStatus(AworkModel):
    """A task's or project's status; its ``type`` (``done``, ``closed``…) is what the tray reads."""

    id: str | None = None
    name: str | None = None
    type: str | None = None


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
    project_status: NestedStatus | None = None
    is_billable_by_default: bool | None = None


class TimeTrackingTask(AworkModel):
    id: str
    name: str | None = None
    task_identifier: str | None = None
    base_type: str | None = None
    project_id: str | None = None
    type_of_work_id: str | None = None
    task_status: NestedStatus | None = None
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
    def person_id(self) -> str | None:
        """Whose entry it is (``GET /timeentries`` lists everyone's the caller may see)."""
        return self.user_id or (self.user.id if self.user else None)

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


def _utc_text(value: datetime | None) -> str | None:
    """A UTC date-time the way awork writes one (``2022-03-01T00:00:00Z``), never with an offset."""
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


UtcDateOut = Annotated[
    UtcDateTime | None, PlainSerializer(_utc_text, return_type=str | None, when_used="always")
]


def _midnight_utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


class TimeTrackingPutForm(BaseModel):
    """The body of ``PUT /timeentries/{id}``: the whole entry, because a PUT replaces it.

    Only the form's own fields: a TimeTracking echoed back carries keys (``id``, ``breaks``…) that
    awork refuses. Of the form, ``breakDuration`` is left out ("cannot be set via API"), and so are
    the ``*Local`` times: awork derives them from the UTC ones and ``timezone``, so the two can
    never disagree. Every other field is sent, ``null`` included, so nothing is left to a guess.
    """

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    timezone: str = Field(min_length=1)
    type_of_work_id: str = Field(min_length=1)
    task_id: str | None = None
    project_id: str | None = None
    user_id: str | None = None
    note: str | None = None
    is_billable: bool | None = None
    is_billed: bool | None = None
    start_date_utc: UtcDateOut = None
    start_time_utc: TimeSpan = None
    end_date_utc: UtcDateOut = None
    end_time_utc: TimeSpan = None
    duration: int | None = None

    @classmethod
    def with_note(cls, entry: TimeTracking, note: str | None) -> TimeTrackingPutForm:
        """The entry as it stands with a new note.

        A running or paused entry keeps its start, gets no end and ``duration`` 0: awork's docs
        say a running entry's duration "stays 0". A finished one (or one logged as a plain
        duration) keeps its end and its duration.
        """
        active = _is_active(entry)
        return cls._from(
            entry,
            note=note,
            end_date_utc=None if active else entry.end_date_utc,
            end_time_utc=None if active else entry.end_time_utc,
            duration=0 if active else entry.duration,
        )

    @classmethod
    def with_end(cls, entry: TimeTracking, end: datetime) -> TimeTrackingPutForm:
        """The finished entry with its end moved to ``end`` (e.g. when the person left).

        The duration is sent as ``null``: awork computes it from the start, the new end and the
        breaks it keeps, which the form cannot carry. A running entry cannot be given an end this
        way (awork lets only its start change): stop it first.
        """
        if end.tzinfo is None or end.utcoffset() is None:
            raise ValueError("the new end must be an aware datetime, not local wall time")
        if _is_active(entry):
            raise ValueError("only a finished entry's end can be moved: stop the timer first")
        start = entry.start_utc
        if start is None:
            raise ValueError("an entry logged as a plain duration has no end to move")
        if end < start:
            raise ValueError("the new end lies before the entry's start")
        return cls._from(
            entry,
            note=entry.note,
            end_date_utc=_midnight_utc(end),
            end_time_utc=end.astimezone(UTC) - _midnight_utc(end),
            duration=None,
        )

    @classmethod
    def _from(
        cls,
        entry: TimeTracking,
        *,
        note: str | None,
        end_date_utc: datetime | None,
        end_time_utc: timedelta | None,
        duration: int | None,
    ) -> TimeTrackingPutForm:
        type_of_work_id = entry.type_of_work_id or (
            entry.type_of_work.id if entry.type_of_work else None
        )
        if not type_of_work_id:
            raise ValueError("the entry has no type of work, and awork saves none without one")
        if not entry.timezone:
            raise ValueError("the entry has no time zone, and awork saves none without one")
        return cls(
            timezone=entry.timezone,
            type_of_work_id=type_of_work_id,
            task_id=entry.task_id or (entry.task.id if entry.task else None),
            project_id=entry.project_id or (entry.project.id if entry.project else None),
            user_id=entry.user_id or (entry.user.id if entry.user else None),
            note=note,
            is_billable=entry.is_billable,
            is_billed=entry.is_billed,
            start_date_utc=entry.start_date_utc,
            start_time_utc=entry.start_time_utc,
            end_date_utc=end_date_utc,
            end_time_utc=end_time_utc,
            duration=duration,
        )

    def to_json(self) -> dict[str, Any]:
        """The form as awork reads it; ``isBillable``/``isBilled`` (never null there) if known."""
        body = self.model_dump(by_alias=True)
        for flag in ("isBillable", "isBilled"):
            if body[flag] is None:
                del body[flag]
        return body


def _is_active(entry: TimeTracking) -> bool:
    """Running or paused, by core/timer.py's rules: no end yet, and a start time to run from."""
    ended = entry.end_date_utc is not None or entry.end_time_utc is not None
    return not ended and entry.start_utc is not None
