"""Today's total: own entries of today in the machine's zone, the running one live, the capacity."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.awork_json import COLLEAGUE, entry_json, task_json, uid
from tray_app.awork.models import TimeTracking
from tray_app.awork.task_models import UserCapacity
from tray_app.core.today import TodayTotal, format_hours_minutes, today_total

BERLIN = ZoneInfo("Europe/Berlin")
MY_ID = uid("user:ada")
LOGO = task_json("logo", "Create logo concept")
# Wednesday 2 December 2026, 16:00 in Berlin.
NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


def berlin(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def entry(name: str, start: datetime, **kwargs: Any) -> TimeTracking:
    return TimeTracking.model_validate(entry_json(name, start, task=LOGO, **kwargs))


def finished(name: str, start: str, minutes: int, **kwargs: Any) -> TimeTracking:
    begin = berlin(start)
    return entry(name, begin, end=begin + timedelta(minutes=minutes), **kwargs)


def capacity(**week: int) -> UserCapacity:
    return UserCapacity.model_validate({"userId": MY_ID, "weeklyCapacity": week})


FULL_TIME = capacity(mon=28800, tue=28800, wed=28800, thu=28800, fri=28800, sat=0, sun=0)


def total(
    entries: list[TimeTracking],
    *,
    now: datetime = NOW,
    zone: Any = BERLIN,
    capacity: UserCapacity | None = FULL_TIME,
    current: TimeTracking | None = None,
) -> TodayTotal:
    return today_total(
        entries, user_id=MY_ID, now=now, zone=zone, capacity=capacity, current=current
    )


# --- the line -----------------------------------------------------------------------------------


def test_the_line_reads_the_total_of_the_capacity() -> None:
    day = total(
        [
            finished("e1", "2026-12-02T08:00", 3 * 60 + 2),
            finished("e2", "2026-12-02T12:00", 2 * 60 + 30),
        ]
    )

    assert day.line() == "Today 5:32 of 8:00"
    assert (day.total_seconds, day.capacity_seconds, day.entries, day.running) == (
        19920,
        28800,
        2,
        False,
    )


@pytest.mark.parametrize(
    "week",
    [capacity(wed=0), capacity(mon=28800), None, UserCapacity.model_validate({"userId": MY_ID})],
)
def test_without_a_capacity_today_the_total_stands_alone(week: UserCapacity | None) -> None:
    day = total([finished("e1", "2026-12-02T08:00", 90)], capacity=week)

    assert day.capacity_seconds is None
    assert day.line() == "Today 1:30"


def test_the_capacity_is_the_weekday_of_today_in_the_zone() -> None:
    # 23:30 UTC on Wednesday is already Thursday in Berlin.
    late = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)

    day = total([], now=late, capacity=capacity(wed=28800, thu=14400))

    assert day.line() == "Today 0:00 of 4:00"


def test_the_line_can_be_translated() -> None:
    day = total([finished("e1", "2026-12-02T08:00", 61)])
    german = {"Today %1 of %2": "Heute %1 von %2", "Today %1": "Heute %1"}

    assert day.line(german.__getitem__) == "Heute 1:01 von 8:00"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00"), (59, "0:00"), (60, "0:01"), (28799, "7:59"), (28800, "8:00"), (-5, "0:00")],
)
def test_hours_and_minutes_are_cut_not_rounded(seconds: int, text: str) -> None:
    assert format_hours_minutes(seconds) == text


def test_the_json_is_what_the_cli_promises() -> None:
    day = total([finished("e1", "2026-12-02T08:00", 60)], capacity=None)

    assert json.loads(json.dumps(day.as_json())) == {
        "total_seconds": 3600,
        "capacity_seconds": None,
        "entries": 1,
        "running": False,
    }


# --- which entries count ------------------------------------------------------------------------


def test_nothing_tracked_is_zero() -> None:
    day = total([])

    assert (day.total_seconds, day.entries, day.running) == (0, 0, False)
    assert day.line() == "Today 0:00 of 8:00"


def test_a_finished_entry_counts_its_duration_net_of_breaks() -> None:
    # 9:00 to 12:00 with a 30-minute break: awork's duration says 2.5 h.
    day = total([finished("e1", "2026-12-02T09:00", 180, duration=9000)])

    assert day.total_seconds == 9000


def test_another_persons_entries_are_left_out() -> None:
    day = total(
        [
            finished("e1", "2026-12-02T08:00", 60),
            finished("e2", "2026-12-02T09:00", 120, user=COLLEAGUE),
        ]
    )

    assert (day.total_seconds, day.entries) == (3600, 1)


def test_an_entry_without_a_user_is_not_counted_as_ones_own() -> None:
    orphan = entry_json("e1", berlin("2026-12-02T08:00"), end=berlin("2026-12-02T09:00"))
    orphan["userId"] = None
    orphan["user"] = None

    assert total([TimeTracking.model_validate(orphan)]).entries == 0


def test_an_entry_naming_its_person_only_in_the_embedded_user_is_theirs() -> None:
    raw = entry_json("e1", berlin("2026-12-02T08:00"), end=berlin("2026-12-02T09:00"))
    raw["userId"] = None

    assert total([TimeTracking.model_validate(raw)]).entries == 1


def test_yesterdays_and_tomorrows_entries_are_left_out() -> None:
    day = total(
        [
            finished("e1", "2026-12-01T23:00", 50),
            finished("e2", "2026-12-02T00:10", 20),
            finished("e3", "2026-12-03T00:00", 30),
        ]
    )

    assert (day.total_seconds, day.entries) == (1200, 1)


def test_an_entry_past_midnight_counts_wholly_on_its_start_day() -> None:
    late = finished("e1", "2026-12-01T22:00", 4 * 60)  # 22:00 to 02:00

    yesterday = total([late], now=berlin("2026-12-01T23:59"))
    today = total([late], now=berlin("2026-12-02T10:00"))

    assert yesterday.total_seconds == 4 * 3600
    assert today.total_seconds == 0


def test_a_timer_running_since_yesterday_adds_nothing_today() -> None:
    running = entry("e1", berlin("2026-12-01T22:00"))

    day = total([running], now=berlin("2026-12-02T01:00"))

    assert (day.total_seconds, day.entries, day.running) == (0, 0, False)


def test_the_day_is_the_zones_not_utcs() -> None:
    # 00:30 on 2 December in Berlin is still 1 December in UTC, and in New York.
    early = finished("e1", "2026-12-02T00:30", 60)

    assert total([early], zone=BERLIN).entries == 1
    assert total([early], zone=UTC).entries == 0
    assert total([early], zone=ZoneInfo("America/New_York")).entries == 0


def test_an_entry_logged_as_a_duration_counts_on_its_booked_day() -> None:
    raw = entry_json("e1", datetime(2026, 12, 2, tzinfo=UTC), duration=5400)
    raw["startTimeUtc"] = None
    raw["startTimeLocal"] = None
    raw["endDateUtc"] = None
    logged = TimeTracking.model_validate(raw)

    assert total([logged]).total_seconds == 5400


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        total([], now=datetime(2026, 12, 2, 16, 0))


# --- the running timer --------------------------------------------------------------------------


def test_the_running_entry_counts_live_from_its_start() -> None:
    running = entry("e2", berlin("2026-12-02T15:00"))
    entries = [finished("e1", "2026-12-02T09:00", 60), running]

    at_four = total(entries)
    later = total(entries, now=NOW + timedelta(minutes=10, seconds=5))

    assert (at_four.total_seconds, at_four.running, at_four.entries) == (7200, True, 2)
    assert later.total_seconds - at_four.total_seconds == 605


def test_a_running_entry_counts_without_its_breaks() -> None:
    breaks = [
        {
            "startDate": "2026-12-02T14:20:00Z",
            "endDate": "2026-12-02T14:30:00Z",
            "duration": 600,
        }
    ]
    running = entry("e1", berlin("2026-12-02T15:00"), breaks=breaks)

    assert total([running]).total_seconds == 3600 - 600


def test_a_paused_entry_stands_at_its_break_and_is_not_running() -> None:
    breaks = [{"startDate": "2026-12-02T14:40:00Z", "endDate": None, "duration": None}]
    paused = entry("e1", berlin("2026-12-02T15:00"), breaks=breaks)

    day = total([paused])

    assert (day.total_seconds, day.running) == (40 * 60, False)
    assert total([paused], now=NOW + timedelta(hours=1)).total_seconds == 40 * 60


def versioned(item: TimeTracking, version: int | None) -> TimeTracking:
    return item.model_copy(update={"resource_version": version})


@pytest.mark.parametrize(("old", "new"), [(None, None), (639315985493524517, 639315985493524518)])
def test_the_polls_newer_answer_replaces_the_listed_entry(old: int | None, new: int | None) -> None:
    # Running when the list was fetched; the poll says it stopped after 20 minutes.
    listed = versioned(entry("e1", berlin("2026-12-02T15:00")), old)
    stopped = versioned(finished("e1", "2026-12-02T15:00", 20), new)

    day = total([listed], current=stopped)

    assert (day.total_seconds, day.entries, day.running) == (1200, 1, False)


def test_a_list_fetched_after_the_poll_is_not_undone_by_it() -> None:
    # The poll's answer (running) is older than the list's entry (stopped after 20 minutes).
    polled = versioned(entry("e1", berlin("2026-12-02T15:00")), 639315985493524517)
    listed = versioned(finished("e1", "2026-12-02T15:00", 20), 639315985493524518)

    day = total([listed], current=polled)

    assert (day.total_seconds, day.running) == (1200, False)


def test_a_timer_started_after_the_list_was_fetched_joins_it() -> None:
    started = entry("e9", NOW - timedelta(minutes=5))

    day = total([finished("e1", "2026-12-02T09:00", 60)], current=started)

    assert (day.total_seconds, day.entries, day.running) == (3600 + 300, 2, True)


def test_the_polls_entry_of_another_person_is_left_out() -> None:
    theirs = entry("e9", NOW - timedelta(minutes=5), user=COLLEAGUE)

    assert total([], current=theirs).entries == 0


# --- DST ----------------------------------------------------------------------------------------


def test_a_timer_running_over_spring_forward_counts_real_time() -> None:
    # 29 March 2026 in Berlin: 02:00 becomes 03:00. 01:30 to 03:30 on the wall is one real hour.
    running = entry("e1", berlin("2026-03-29T01:30"))
    now = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST

    day = total([running], now=now)

    assert (day.total_seconds, day.entries) == (3600, 1)


def test_entries_at_both_ends_of_the_fall_back_day_count_and_no_others() -> None:
    # 25 October 2026 in Berlin lasts 25 hours: 00:00 CEST is 22:00 UTC on the 24th.
    first = entry("e1", datetime(2026, 10, 24, 22, 0, 30, tzinfo=UTC), duration=60)
    last = entry("e2", datetime(2026, 10, 25, 22, 59, tzinfo=UTC), duration=60)
    before = entry("e3", datetime(2026, 10, 24, 21, 59, 59, tzinfo=UTC), duration=60)
    after = entry("e4", datetime(2026, 10, 25, 23, 0, tzinfo=UTC), duration=60)
    now = datetime(2026, 10, 25, 12, 0, tzinfo=UTC)

    day = total([first, last, before, after], now=now)

    assert day.entries == 2


# --- properties ---------------------------------------------------------------------------------


@given(
    spans=st.lists(
        st.tuples(st.integers(-48 * 60, 24 * 60), st.integers(0, 600), st.booleans()), max_size=12
    )
)
def test_the_total_is_the_sum_of_todays_own_finished_entries(
    spans: list[tuple[int, int, bool]],
) -> None:
    midnight = berlin("2026-12-02T00:00")
    entries = [
        entry(
            f"e{n}",
            midnight + timedelta(minutes=offset),
            end=midnight + timedelta(minutes=offset + length),
            user="ada" if mine else COLLEAGUE,
        )
        for n, (offset, length, mine) in enumerate(spans)
    ]
    counted = [length * 60 for offset, length, mine in spans if mine and 0 <= offset < 24 * 60]

    day = total(entries, now=berlin("2026-12-02T23:59:59"))

    assert day.total_seconds == sum(counted)
    assert day.entries == len(counted)
