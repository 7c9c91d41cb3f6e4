"""Tests for the Qt-free timer core: state derivation, elapsed time and snapshots."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tray_app.awork.models import TimeTracking
from tray_app.core.timer import (
    Snapshot,
    TimerState,
    elapsed_seconds,
    format_elapsed,
    parse_elapsed,
    state_of,
    utc_now,
)

BERLIN = ZoneInfo("Europe/Berlin")
_UNSET: Any = object()


# --- building awork-shaped answers -------------------------------------------------------------


def at(text: str) -> datetime:
    """An aware UTC instant from ``YYYY-MM-DDTHH:MM:SS[.ffffff]``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def split_utc(text: str) -> tuple[str, str]:
    """Split ``YYYY-MM-DDTHH:MM:SS[.fffffff]`` (UTC) the way awork writes it: date + TimeSpan."""
    day, time_of_day = text.split("T")
    if "." not in time_of_day:
        time_of_day += ".0000000"
    return f"{day}T00:00:00Z", time_of_day


def split_dt(instant: datetime) -> tuple[str, str]:
    """The same split for an aware datetime, with awork's 7 fraction digits."""
    utc = instant.astimezone(UTC)
    return split_utc(utc.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0")


def brk(start: str, end: str | None = None, duration: Any = _UNSET) -> dict[str, Any]:
    """A break as awork sends it; ``duration`` defaults to the whole seconds between the ends."""
    if duration is _UNSET:
        duration = None if end is None else int((at(end) - at(start)).total_seconds())
    return {
        "startDate": start + "Z",
        "endDate": None if end is None else end + "Z",
        "duration": duration,
    }


def tt_json(
    *,
    id: str = "tt-1",
    start: str | None = "2026-03-10T09:00:00",
    end: str | None = None,
    breaks: list[dict[str, Any]] | None = None,
    duration: int | None = 0,
    task: tuple[str, str] | None = ("task-1", "Write report"),
    project: tuple[str, str] | None = ("proj-1", "Website"),
    version: int | None = None,
    updated_on: str | None = None,
    note: str | None = None,
    timezone_name: str = "Europe/Berlin",
    **overrides: Any,
) -> dict[str, Any]:
    """An awork ``TimeTracking`` answer in camelCase JSON, with the extra fields real ones carry."""
    start_date, start_time = split_utc(start) if start else ("2026-03-10T00:00:00Z", None)
    end_date, end_time = split_utc(end) if end else (None, None)
    closed = [b["duration"] for b in breaks or [] if b["duration"] is not None]
    data: dict[str, Any] = {
        "id": id,
        "timezone": timezone_name,
        "typeOfWorkId": "tow-1",
        "typeOfWork": {"id": "tow-1", "name": "Development", "icon": "code", "isArchived": False},
        "isBillable": True,
        "isBilled": False,
        "taskId": task[0] if task else None,
        "projectId": project[0] if project else None,
        "task": (
            {"id": task[0], "name": task[1], "taskIdentifier": "WEB-1", "projectId": None}
            if task
            else None
        ),
        "project": {"id": project[0], "name": project[1], "projectKey": "WEB"} if project else None,
        "note": note,
        "startDateUtc": start_date,
        "startTimeUtc": start_time,
        "endDateUtc": end_date,
        "endTimeUtc": end_time,
        "startDateLocal": start_date.rstrip("Z"),
        "startTimeLocal": start_time,
        "duration": duration,
        "breakDuration": sum(closed) if closed else None,
        "breaks": breaks or [],
        "userId": "user-1",
        "resourceVersion": version,
        "updatedOn": updated_on,
        # Fields real answers carry that the schema does not list.
        "key": "abc",
        "tags": [],
        "assignees": [],
    }
    data.update(overrides)
    return data


def make(**kwargs: Any) -> TimeTracking:
    """A parsed ``TimeTracking`` built from :func:`tt_json`'s arguments."""
    return TimeTracking.model_validate(tt_json(**kwargs))


# --- state_of ----------------------------------------------------------------------------------


def test_no_entry_is_none() -> None:
    assert state_of(None) is TimerState.NONE


def test_entry_without_end_or_breaks_is_running() -> None:
    assert state_of(make()) is TimerState.RUNNING


def test_entry_with_end_is_stopped() -> None:
    assert state_of(make(end="2026-03-10T17:00:00")) is TimerState.STOPPED


@pytest.mark.parametrize(
    "overrides",
    [
        {"endDateUtc": "2026-03-10T00:00:00Z", "endTimeUtc": None},
        {"endDateUtc": None, "endTimeUtc": "17:00:00"},
    ],
)
def test_either_end_field_alone_means_stopped(overrides: dict[str, Any]) -> None:
    assert state_of(make(**overrides)) is TimerState.STOPPED


def test_stopped_wins_over_an_open_break() -> None:
    entry = make(end="2026-03-10T12:00:00", breaks=[brk("2026-03-10T11:00:00")])
    assert state_of(entry) is TimerState.STOPPED


def test_open_last_break_is_paused_even_with_null_break_duration() -> None:
    data = tt_json(breaks=[brk("2026-03-10T10:00:00")])
    assert data["breakDuration"] is None
    assert state_of(TimeTracking.model_validate(data)) is TimerState.PAUSED


def test_only_closed_breaks_is_running() -> None:
    entry = make(breaks=[brk("2026-03-10T10:00:00", "2026-03-10T10:15:00")])
    assert state_of(entry) is TimerState.RUNNING


def test_paused_after_earlier_closed_breaks() -> None:
    entry = make(
        breaks=[brk("2026-03-10T10:00:00", "2026-03-10T10:15:00"), brk("2026-03-10T11:00:00")]
    )
    assert state_of(entry) is TimerState.PAUSED


def test_last_break_is_the_one_started_last_not_listed_last() -> None:
    entry = make(
        breaks=[brk("2026-03-10T11:00:00"), brk("2026-03-10T10:00:00", "2026-03-10T10:15:00")]
    )
    assert state_of(entry) is TimerState.PAUSED


def test_break_with_a_duration_but_no_end_date_is_closed() -> None:
    entry = make(breaks=[brk("2026-03-10T10:00:00", None, duration=600)])
    assert state_of(entry) is TimerState.RUNNING


def test_plain_duration_entry_is_stopped_not_running() -> None:
    entry = make(start=None, duration=5400)
    assert entry.start_utc is None
    assert state_of(entry) is TimerState.STOPPED
    assert elapsed_seconds(entry, at("2026-03-10T12:00:00")) == 5400


# --- elapsed_seconds ---------------------------------------------------------------------------


def test_elapsed_for_no_entry_is_zero() -> None:
    assert elapsed_seconds(None, at("2026-03-10T12:00:00")) == 0


@pytest.mark.parametrize("entry", [None, make()])
def test_naive_now_is_refused(entry: TimeTracking | None) -> None:
    with pytest.raises(ValueError, match="aware"):
        elapsed_seconds(entry, datetime(2026, 3, 10, 12, 0))


def test_running_elapsed_is_now_minus_start() -> None:
    assert elapsed_seconds(make(), at("2026-03-10T10:02:05")) == 3725


def test_running_elapsed_subtracts_closed_breaks() -> None:
    entry = make(
        breaks=[
            brk("2026-03-10T10:00:00", "2026-03-10T10:10:00"),
            brk("2026-03-10T12:00:00", "2026-03-10T12:05:00"),
        ]
    )
    # 4 h minus 10 min minus 5 min.
    assert elapsed_seconds(entry, at("2026-03-10T13:00:00")) == 4 * 3600 - 900


def test_break_duration_wins_over_its_end_date() -> None:
    entry = make(breaks=[brk("2026-03-10T10:00:00", "2026-03-10T10:10:00", duration=300)])
    assert elapsed_seconds(entry, at("2026-03-10T11:00:00")) == 2 * 3600 - 300


def test_break_without_duration_uses_its_end_date() -> None:
    entry = make(breaks=[brk("2026-03-10T10:00:00", "2026-03-10T10:10:00", duration=None)])
    assert elapsed_seconds(entry, at("2026-03-10T11:00:00")) == 2 * 3600 - 600


def test_paused_elapsed_stands_at_the_open_break() -> None:
    entry = make(
        breaks=[brk("2026-03-10T10:00:00", "2026-03-10T10:10:00"), brk("2026-03-10T11:00:00")]
    )
    expected = 2 * 3600 - 600
    assert elapsed_seconds(entry, at("2026-03-10T11:00:01")) == expected
    assert elapsed_seconds(entry, at("2026-03-12T08:00:00")) == expected


def test_paused_with_null_break_duration_and_zero_duration() -> None:
    entry = make(breaks=[brk("2026-03-10T09:45:30")], duration=0)
    assert entry.break_duration is None
    assert elapsed_seconds(entry, at("2026-03-10T15:00:00")) == 45 * 60 + 30


def test_stopped_elapsed_is_end_minus_start_minus_breaks_whatever_now() -> None:
    entry = make(
        end="2026-03-10T17:00:00",
        breaks=[brk("2026-03-10T12:00:00", "2026-03-10T12:30:00")],
        duration=1,  # contradicts the timestamps, which win
    )
    assert elapsed_seconds(entry, at("2026-03-10T17:00:00")) == 7 * 3600 + 1800
    assert elapsed_seconds(entry, at("2020-01-01T00:00:00")) == 7 * 3600 + 1800


def test_stopped_while_paused_counts_the_open_break_until_the_end() -> None:
    entry = make(end="2026-03-10T12:00:00", breaks=[brk("2026-03-10T11:00:00")])
    assert elapsed_seconds(entry, at("2026-03-11T00:00:00")) == 2 * 3600


@pytest.mark.parametrize(("duration", "expected"), [(5400, 5400), (None, 0), (-30, 0)])
def test_stopped_without_times_uses_duration(duration: int | None, expected: int) -> None:
    entry = make(start=None, duration=duration, endDateUtc="2026-03-10T00:00:00Z")
    assert state_of(entry) is TimerState.STOPPED
    assert elapsed_seconds(entry, at("2026-03-10T12:00:00")) == expected


def test_end_before_start_is_zero_not_negative() -> None:
    entry = make(start="2026-03-10T10:00:00", end="2026-03-10T09:00:00")
    assert elapsed_seconds(entry, at("2026-03-10T12:00:00")) == 0


def test_clock_behind_the_server_gives_zero_not_negative() -> None:
    assert elapsed_seconds(make(), at("2026-03-10T08:59:00")) == 0


def test_now_inside_a_closed_break_does_not_go_backwards() -> None:
    # The local clock lags: the server already closed a break that, locally, has not ended.
    entry = make(breaks=[brk("2026-03-10T10:00:00", "2026-03-10T11:00:00")])
    assert elapsed_seconds(entry, at("2026-03-10T10:30:00")) == 3600
    assert elapsed_seconds(entry, at("2026-03-10T11:00:00")) == 3600
    assert elapsed_seconds(entry, at("2026-03-10T11:00:10")) == 3610


def test_seven_digit_fractions_are_floored_to_whole_seconds() -> None:
    entry = make(start="2026-03-10T13:08:51.8220632")
    # 100 ns ticks are cut to microseconds: the start is 13:08:51.822063.
    assert elapsed_seconds(entry, at("2026-03-10T13:08:52.822062")) == 0
    assert elapsed_seconds(entry, at("2026-03-10T13:08:52.822063")) == 1
    assert elapsed_seconds(entry, at("2026-03-10T14:08:51.900000")) == 3600


def test_stopped_with_seven_digit_fractions() -> None:
    entry = make(start="2026-03-10T13:08:51.8220632", end="2026-03-10T14:08:51.8220631")
    assert elapsed_seconds(entry, at("2026-03-10T15:00:00")) == 3600


# --- midnight, DST and time zones ----------------------------------------------------------------


def test_running_across_midnight() -> None:
    data = tt_json(start="2026-03-10T23:50:00")
    assert data["startDateUtc"] == "2026-03-10T00:00:00Z"
    entry = TimeTracking.model_validate(data)
    assert elapsed_seconds(entry, at("2026-03-11T00:10:00")) == 20 * 60


def test_stopped_across_midnight() -> None:
    entry = make(start="2026-03-10T23:50:00", end="2026-03-11T00:10:00.5")
    assert elapsed_seconds(entry, at("2026-03-12T00:00:00")) == 20 * 60


def test_running_across_new_year() -> None:
    entry = make(start="2026-12-31T23:59:30")
    assert elapsed_seconds(entry, at("2027-01-01T00:00:45")) == 75


def test_break_spanning_midnight() -> None:
    entry = make(
        start="2026-03-10T22:00:00",
        breaks=[brk("2026-03-10T23:30:00", "2026-03-11T00:30:00")],
    )
    assert elapsed_seconds(entry, at("2026-03-11T01:00:00")) == 2 * 3600


def test_open_break_started_before_midnight_stays_frozen_after_it() -> None:
    entry = make(start="2026-03-10T22:00:00", breaks=[brk("2026-03-10T23:45:00")])
    assert elapsed_seconds(entry, at("2026-03-10T23:50:00")) == 105 * 60
    assert elapsed_seconds(entry, at("2026-03-11T03:00:00")) == 105 * 60


def test_spring_forward_in_berlin_counts_real_seconds() -> None:
    # 2026-03-29: Berlin jumps from 02:00 CET to 03:00 CEST (01:00 UTC).
    entry = make(
        start="2026-03-29T00:30:00",  # 01:30 in Berlin
        startDateLocal="2026-03-29T00:00:00",
        startTimeLocal="01:30:00",
    )
    now_berlin = datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)  # wall clock says 2 h later
    assert now_berlin.astimezone(UTC) == at("2026-03-29T01:30:00")
    assert elapsed_seconds(entry, now_berlin) == 3600
    assert elapsed_seconds(entry, at("2026-03-29T01:30:00")) == 3600


def test_fall_back_in_berlin_counts_real_seconds() -> None:
    # 2026-10-25: Berlin goes from 03:00 CEST back to 02:00 CET (01:00 UTC).
    entry = make(
        start="2026-10-25T00:30:00",  # 02:30 CEST
        startDateLocal="2026-10-25T00:00:00",
        startTimeLocal="02:30:00",
    )
    now_berlin = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN)  # 02:30 CET, same wall time
    assert now_berlin.astimezone(UTC) == at("2026-10-25T01:30:00")
    assert elapsed_seconds(entry, now_berlin) == 3600


def test_now_and_start_in_the_same_zone_still_count_across_dst() -> None:
    # Subtracting two datetimes that share a ZoneInfo uses wall time; the core must not.
    entry = make(start="2026-10-25T00:30:00")
    now = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN)
    start_berlin = at("2026-10-25T00:30:00").astimezone(BERLIN)
    assert now - start_berlin == timedelta(0)  # the trap this test guards against
    assert elapsed_seconds(entry, now) == 3600


def test_paused_over_a_dst_change_keeps_true_break_length() -> None:
    entry = make(
        start="2026-03-28T23:00:00",
        breaks=[brk("2026-03-29T00:30:00", "2026-03-29T01:30:00")],
    )
    # Berlin wall clock shows a 2 h break (01:30 -> 03:30), but it lasted 1 h.
    assert elapsed_seconds(entry, at("2026-03-29T02:00:00")) == 2 * 3600


@pytest.fixture
def machine_tz() -> Iterator[None]:
    """Restore the process's time zone after a test changed ``TZ``."""
    old = os.environ.get("TZ")
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.mark.usefixtures("machine_tz")
@pytest.mark.parametrize("machine", ["UTC", "Pacific/Auckland", "America/Los_Angeles"])
def test_timer_in_a_foreign_zone_does_not_depend_on_the_machine_zone(machine: str) -> None:
    os.environ["TZ"] = machine
    time.tzset()
    assert time.tzname[0] != "CET"
    entry = make(
        start="2026-03-29T00:30:00",
        timezone_name="Asia/Kolkata",
        startDateLocal="2026-03-29T00:00:00",
        startTimeLocal="06:00:00",
        breaks=[brk("2026-03-29T01:00:00", "2026-03-29T01:20:00")],
    )
    assert elapsed_seconds(entry, at("2026-03-29T02:30:00")) == 2 * 3600 - 1200


def test_local_fields_and_timezone_are_ignored() -> None:
    plain = make(start="2026-10-25T00:30:00", timezone_name="Europe/Berlin")
    odd = make(
        start="2026-10-25T00:30:00",
        timezone_name="America/New_York",
        startDateLocal="2026-10-24T00:00:00",
        startTimeLocal="20:30:00",
        endDateLocal=None,
    )
    now = at("2026-10-25T05:00:00")
    assert elapsed_seconds(plain, now) == elapsed_seconds(odd, now) == 4 * 3600 + 1800


# --- format / parse ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0:00:00"),
        (59, "0:00:59"),
        (60, "0:01:00"),
        (3599, "0:59:59"),
        (3600, "1:00:00"),
        (3725, "1:02:05"),
        (86399, "23:59:59"),
        (90000, "25:00:00"),
        (360000, "100:00:00"),
        (-5, "0:00:00"),
    ],
)
def test_format_elapsed(seconds: int, text: str) -> None:
    assert format_elapsed(seconds) == text


@pytest.mark.parametrize("text", ["", "1:60:00", "1:00:60", "1:2:03", "abc", "-1:00:00", "1:00"])
def test_parse_elapsed_refuses_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="H:MM:SS"):
        parse_elapsed(text)


def test_parse_elapsed_reads_hours_above_a_day() -> None:
    assert parse_elapsed("25:00:01") == 90001


@given(st.integers(min_value=0, max_value=10**9))
def test_format_parse_round_trip(seconds: int) -> None:
    text = format_elapsed(seconds)
    assert parse_elapsed(text) == seconds
    assert text.split(":")[1:] == [f"{(seconds // 60) % 60:02d}", f"{seconds % 60:02d}"]


# --- properties --------------------------------------------------------------------------------

_instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)
_gap = st.integers(min_value=0, max_value=6 * 3600).map(lambda s: timedelta(seconds=s))
_micro_gap = st.integers(min_value=0, max_value=10**11).map(lambda us: timedelta(microseconds=us))
_zones = st.sampled_from(
    [UTC, BERLIN, ZoneInfo("America/Los_Angeles"), timezone(timedelta(hours=5, minutes=45))]
)


@st.composite
def running_entries(draw: st.DrawFn, *, paused: bool = False) -> tuple[TimeTracking, datetime]:
    """A running (or paused) entry with closed breaks after its start, and the last break's end."""
    start = draw(_instants)
    cursor = start
    breaks: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        cursor += draw(_gap)
        length = draw(st.integers(min_value=0, max_value=3 * 3600))
        end = cursor + timedelta(seconds=length)
        breaks.append(
            {
                "startDate": cursor.isoformat(),
                "endDate": end.isoformat(),
                "duration": length,
            }
        )
        cursor = end
    if paused:
        cursor += draw(_gap)
        breaks.append({"startDate": cursor.isoformat(), "endDate": None, "duration": None})
    day, time_of_day = split_dt(start)
    data = tt_json(breaks=breaks, startDateUtc=day, startTimeUtc=time_of_day)
    return TimeTracking.model_validate(data), cursor


@given(running_entries(), _micro_gap, st.integers(min_value=0, max_value=10**7))
def test_running_elapsed_grows_exactly_by_the_time_advanced(
    drawn: tuple[TimeTracking, datetime], offset: timedelta, advance: int
) -> None:
    entry, last_break_end = drawn
    assert state_of(entry) is TimerState.RUNNING
    now = last_break_end + offset
    before = elapsed_seconds(entry, now)
    assert elapsed_seconds(entry, now + timedelta(seconds=advance)) == before + advance


@given(running_entries(), _instants, _micro_gap)
def test_running_elapsed_is_monotonic_in_now(
    drawn: tuple[TimeTracking, datetime], now: datetime, advance: timedelta
) -> None:
    entry, _ = drawn
    assert elapsed_seconds(entry, now + advance) >= elapsed_seconds(entry, now) >= 0


@given(running_entries(paused=True), _instants, _instants)
def test_paused_elapsed_does_not_depend_on_now(
    drawn: tuple[TimeTracking, datetime], now1: datetime, now2: datetime
) -> None:
    entry, _ = drawn
    assert state_of(entry) is TimerState.PAUSED
    assert elapsed_seconds(entry, now1) == elapsed_seconds(entry, now2)


@given(running_entries(), _micro_gap, _zones)
def test_elapsed_does_not_depend_on_the_zone_of_now(
    drawn: tuple[TimeTracking, datetime], offset: timedelta, zone: Any
) -> None:
    entry, last_break_end = drawn
    now = last_break_end + offset
    assert elapsed_seconds(entry, now.astimezone(zone)) == elapsed_seconds(entry, now)


_break_json = st.builds(
    lambda start, length, closed, with_duration: {
        "startDate": start.isoformat(),
        "endDate": (start + timedelta(seconds=length)).isoformat() if closed else None,
        "duration": length if closed and with_duration else None,
    },
    _instants,
    st.integers(min_value=0, max_value=10**6),
    st.booleans(),
    st.booleans(),
)


@given(
    start=st.none() | _instants,
    end=st.none() | _instants,
    breaks=st.lists(_break_json, max_size=5),
    duration=st.none() | st.integers(min_value=-(10**6), max_value=10**7),
    now=_instants,
    zone=_zones,
)
def test_elapsed_is_never_negative_for_any_entry(
    start: datetime | None,
    end: datetime | None,
    breaks: list[dict[str, Any]],
    duration: int | None,
    now: datetime,
    zone: Any,
) -> None:
    fields: dict[str, Any] = {"duration": duration, "breaks": breaks}
    if start is not None:
        fields["startDateUtc"], fields["startTimeUtc"] = split_dt(start)
    else:
        fields["startTimeUtc"] = None
    if end is not None:
        fields["endDateUtc"], fields["endTimeUtc"] = split_dt(end)
    entry = TimeTracking.model_validate(tt_json(**fields))
    seconds = elapsed_seconds(entry, now.astimezone(zone))
    assert seconds >= 0
    if state_of(entry) is TimerState.RUNNING and entry.start_utc is not None:
        # Never more than the wall time since the start.
        assert seconds <= max((now - entry.start_utc) // timedelta(seconds=1), 0)


# --- Snapshot ----------------------------------------------------------------------------------


def test_snapshot_of_nothing() -> None:
    snap = Snapshot.of(None)
    assert snap.state is TimerState.NONE
    assert snap.entry_id is None
    assert snap.entry is None
    assert snap.label() == "No task"
    assert snap.elapsed_seconds(at("2026-03-10T12:00:00")) == 0


def test_snapshot_takes_plain_values_from_the_answer() -> None:
    big = 638_760_000_000_000_123  # ticks, above 2**53
    raw = json.dumps(
        tt_json(
            version=big,
            updated_on="2026-03-10T09:00:01.1234567Z",
            note="standup",
            breaks=[brk("2026-03-10T09:30:00")],
        )
    )
    entry = TimeTracking.model_validate_json(raw)
    snap = Snapshot.of(entry)
    assert snap.state is TimerState.PAUSED
    assert snap.entry_id == "tt-1"
    assert (snap.task_id, snap.task_name) == ("task-1", "Write report")
    assert (snap.project_id, snap.project_name) == ("proj-1", "Website")
    assert snap.type_of_work_id == "tow-1"
    assert snap.note == "standup"
    assert snap.started_at == at("2026-03-10T09:00:00")
    assert snap.version == big
    assert snap.updated_on == datetime(2026, 3, 10, 9, 0, 1, 123456, tzinfo=UTC)
    assert snap.entry is entry
    assert snap.elapsed_seconds(at("2026-03-11T00:00:00")) == 1800
    assert format_elapsed(snap.elapsed_seconds(utc_now())) == "0:30:00"


def test_snapshot_finds_ids_in_nested_objects() -> None:
    data = tt_json(task=None, project=None, typeOfWorkId=None)
    data["task"] = {
        "id": "task-9",
        "name": "Design",
        "projectId": None,
        "project": {"id": "proj-9", "name": "App"},
    }
    entry = TimeTracking.model_validate(data)
    snap = Snapshot.of(entry)
    assert (snap.task_id, snap.project_id, snap.type_of_work_id) == ("task-9", "proj-9", "tow-1")
    assert snap.label() == "Design · App"


def test_equal_answers_give_equal_hashable_snapshots() -> None:
    first = Snapshot.of(make(breaks=[brk("2026-03-10T10:00:00")]))
    second = Snapshot.of(make(breaks=[brk("2026-03-10T10:00:00")]))
    assert first == second
    assert hash(first) == hash(second)
    assert first != Snapshot.of(make(breaks=[brk("2026-03-10T10:00:01")]))


def test_utc_now_is_aware_utc() -> None:
    now = utc_now()
    assert now.utcoffset() == timedelta(0)
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


@pytest.mark.parametrize(
    ("mine", "theirs", "expected"),
    [
        ({"version": 2}, {"version": 1}, True),
        ({"version": 1}, {"version": 2}, False),
        ({"version": 2}, {"version": 2}, False),
        # Versions win over updatedOn.
        (
            {"version": 2, "updated_on": "2026-03-10T09:00:00Z"},
            {"version": 1, "updated_on": "2026-03-10T10:00:00Z"},
            True,
        ),
        ({"updated_on": "2026-03-10T10:00:00Z"}, {"updated_on": "2026-03-10T09:00:00Z"}, True),
        ({"updated_on": "2026-03-10T09:00:00Z"}, {"updated_on": "2026-03-10T10:00:00Z"}, False),
        ({"version": 2}, {"updated_on": "2026-03-10T10:00:00Z"}, None),
        ({}, {}, None),
        ({"version": 2}, {"version": 1, "id": "tt-2"}, None),
    ],
)
def test_is_newer_than(mine: dict[str, Any], theirs: dict[str, Any], expected: bool | None) -> None:
    assert Snapshot.of(make(**mine)).is_newer_than(Snapshot.of(make(**theirs))) is expected


def test_is_newer_than_without_an_entry_cannot_tell() -> None:
    snap = Snapshot.of(make(version=1))
    assert Snapshot.of(None).is_newer_than(snap) is None
    assert snap.is_newer_than(Snapshot.of(None)) is None
    assert Snapshot.of(None).is_newer_than(Snapshot.of(None)) is None


@pytest.mark.parametrize(
    ("fields", "label"),
    [
        ({}, "Write report · Website"),
        ({"project": None}, "Write report"),
        ({"task": None}, "Website"),
        ({"task": None, "project": None, "note": "  Standup\nwith team"}, "Standup"),
        ({"task": None, "project": None, "note": "x" * 80}, "x" * 59 + "…"),
        ({"task": None, "project": None, "note": "   "}, "No task"),
        ({"task": None, "project": None}, "No task"),
    ],
)
def test_label(fields: dict[str, Any], label: str) -> None:
    assert Snapshot.of(make(**fields)).label() == label
