"""``PUT /timeentries/{id}``: the ``TimeTrackingPutForm`` and awork's rules for editing an entry.

A PUT replaces the entry, so a client must send a whole form built from it; one that sends a
TimeTracking back (with ``id``, ``user``, ``breaks``…) or forgets the time zone fails against
awork, and must fail here first. A running or paused entry may change only its note and start
(its duration stays 0); a finished one may also move its end, never before its start.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tray_app.sandbox.errors import invalid_operation, validation_failed
from tray_app.sandbox.forms import START_FIELDS, form_errors, json_object, property_name
from tray_app.sandbox.seed import Seed
from tray_app.sandbox.state import Break, Entry, check_work, whole_seconds

logger = logging.getLogger(__name__)

_TIME_OF_DAY = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$")
_MOMENTS = ("startDateUtc", "startTimeUtc", "endDateUtc", "endTimeUtc")
_LOCAL_MOMENTS = ("startDateLocal", "startTimeLocal", "endDateLocal", "endTimeLocal")


def _date_time(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return None
    return "must be a date-time such as '2026-12-02T00:00:00Z'."


def _time(value: object) -> str | None:
    if value is None or (isinstance(value, str) and _TIME_OF_DAY.match(value)):
        return None
    return "must be a time of day such as '09:21:00'."


def _seconds(value: object) -> str | None:
    ok = value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)
    return None if ok else "must be a whole number of seconds, 0 or more."


def _put_checks() -> dict[str, Callable[[object], str | None]]:
    checks = dict(START_FIELDS)
    checks.update({name: _date_time for name in _MOMENTS[::2] + _LOCAL_MOMENTS[::2]})
    checks.update({name: _time for name in _MOMENTS[1::2] + _LOCAL_MOMENTS[1::2]})
    checks.update({"duration": _seconds, "breakDuration": _seconds, "userId": checks["taskId"]})
    return checks


_PUT_CHECKS = _put_checks()


@dataclass(frozen=True)
class PutForm:
    """A valid ``TimeTrackingPutForm``; the moments are instants (None: not sent)."""

    timezone: str
    type_of_work_id: str
    task_id: str | None
    project_id: str | None
    note: str | None
    is_billable: bool | None
    is_billed: bool | None
    start: datetime | None
    end: datetime | None
    duration: int | None
    break_duration: int | None
    user_id: str | None


def _instant(data: dict[str, object], prefix: str, zone: str) -> datetime | None:
    """``<prefix>DateUtc`` + ``TimeUtc``, else the ``Local`` pair in ``zone``; None for neither."""
    for suffix, tz in (("Utc", UTC), ("Local", ZoneInfo(zone))):
        day, clock = data.get(f"{prefix}Date{suffix}"), data.get(f"{prefix}Time{suffix}")
        if day is None and clock is None:
            continue
        if day is None or clock is None:
            name = f"{prefix}Date{suffix}" if day is None else f"{prefix}Time{suffix}"
            raise validation_failed([(property_name(name), f"'{property_name(name)}' is missing.")])
        match = _TIME_OF_DAY.match(str(clock))
        if match is None:  # pragma: no cover - the form's checks let only times through
            raise validation_failed([("", "A time of day is malformed.")])
        hours, minutes, seconds, fraction = match.groups()
        offset = timedelta(
            hours=int(hours),
            minutes=int(minutes),
            seconds=int(seconds),
            microseconds=int((fraction or "").ljust(7, "0")) // 10,
        )
        written = datetime.fromisoformat(str(day))
        if suffix == "Utc" and written.tzinfo is not None:
            written = written.astimezone(UTC)
        midnight = written.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
        return (midnight + offset).replace(tzinfo=tz).astimezone(UTC)
    return None


def parse_put_form(body: bytes, content_type: str | None) -> PutForm:
    """The form, or awork's 400 for a missing, unknown or malformed field."""
    if not body:
        raise validation_failed([("", "A request body is required.")])
    data = json_object(body, content_type)
    errors = form_errors(
        data, _PUT_CHECKS, "TimeTrackingPutForm", required=("timezone", "typeOfWorkId")
    )
    if errors:
        raise validation_failed(errors)
    zone = str(data["timezone"])

    def text(key: str) -> str | None:
        value = data.get(key)
        return (
            value.lower()
            if isinstance(value, str) and key.endswith("Id")
            else (value if isinstance(value, str) else None)
        )

    def flag(key: str) -> bool | None:
        value = data.get(key)
        return value if isinstance(value, bool) else None

    def number(key: str) -> int | None:
        value = data.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return PutForm(
        timezone=zone,
        type_of_work_id=str(data["typeOfWorkId"]).lower(),
        task_id=text("taskId"),
        project_id=text("projectId"),
        note=text("note"),
        is_billable=flag("isBillable"),
        is_billed=flag("isBilled"),
        start=_instant(data, "start", zone),
        end=_instant(data, "end", zone),
        duration=number("duration"),
        break_duration=number("breakDuration"),
        user_id=text("userId"),
    )


def _clipped(breaks: tuple[Break, ...], start: datetime, end: datetime | None) -> tuple[Break, ...]:
    """Breaks inside the entry's new bounds; one outside them is dropped, one across is cut."""
    kept = []
    for item in breaks:
        if item.start < start or (end is not None and item.start >= end):
            continue
        stop = item.end if end is None or item.end is None else min(item.end, end)
        kept.append(Break(item.start, stop))
    return tuple(kept)


def _refuse(message: str) -> None:
    logger.info("sandbox refused an edit: %s", message)
    raise invalid_operation(message)


def edit_rule(form: PutForm, seed: Seed) -> Callable[[Entry, datetime], Entry]:
    """The change ``form`` makes to an entry, for :meth:`TimerWorld.edit`; ApiError to refuse."""

    def change(entry: Entry, now: datetime) -> Entry:
        if form.user_id is not None and form.user_id != entry.user_id:
            _refuse("A time entry cannot be moved to another user.")
        if form.break_duration is not None and form.break_duration != (entry.break_duration or 0):
            _refuse("The break duration cannot be set; it follows from the breaks.")
        start = form.start or entry.start
        if entry.is_stopped:
            return _finished(entry, form, start, now)
        return _active(entry, form, start, now)

    def _finished(entry: Entry, form: PutForm, start: datetime, now: datetime) -> Entry:
        end = form.end or entry.end
        assert end is not None
        if end < start:
            _refuse("The end of a time entry cannot be before its start.")
        if end > now:
            _refuse("The end of a time entry cannot be in the future.")
        check_work(seed, form.type_of_work_id, form.task_id, form.project_id)
        breaks = _clipped(entry.breaks, start, end)
        edited = replace(
            entry,
            timezone=form.timezone,
            type_of_work_id=form.type_of_work_id,
            task_id=form.task_id,
            project_id=_project_of(form, seed),
            note=form.note,
            is_billable=bool(form.is_billable),
            is_billed=bool(form.is_billed),
            start=start,
            end=end,
            breaks=breaks,
        )
        if form.duration is not None and form.duration != edited.duration:
            expected = whole_seconds(end - start) - (edited.break_duration or 0)
            _refuse(f"The duration does not match the start, end and breaks ({expected} s).")
        return edited

    def _active(entry: Entry, form: PutForm, start: datetime, now: datetime) -> Entry:
        if form.end is not None or (form.duration or 0) != 0:
            _refuse("A running time entry has no end, and its duration stays 0.")
        same = (
            form.type_of_work_id == entry.type_of_work_id
            and form.task_id == entry.task_id
            and (form.project_id or entry.project_id) == entry.project_id
        )
        if not same:
            _refuse("For a running time entry only the start time and the note can be changed.")
        first_break = entry.breaks[0].start if entry.breaks else now
        if start > first_break:
            _refuse("The start of a running time entry cannot be after now or its first break.")
        return replace(entry, timezone=form.timezone, note=form.note, start=start)

    return change


def _project_of(form: PutForm, seed: Seed) -> str | None:
    """The task's project when a task is given, as awork derives it; else the form's."""
    task = seed.task(form.task_id) if form.task_id else None
    return task.project_id if task is not None else form.project_id
