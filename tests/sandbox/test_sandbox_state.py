"""The timer world without HTTP: awork's rules hold for any sequence of actions and pauses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tray_app.awork.models import TimeTracking
from tray_app.sandbox import AUTO_STOP_AFTER, ManualClock
from tray_app.sandbox.forms import StartForm
from tray_app.sandbox.seed import default_seed
from tray_app.sandbox.state import Entry, TimerWorld, ticks, whole_seconds
from tray_app.sandbox.wire import entry_json

SEED = default_seed()
FORM = StartForm(timezone="Europe/Berlin", type_of_work_id=SEED.types_of_work[1].id)


def act(world: TimerWorld, action: str) -> Entry | None:
    if action == "start":
        return world.start(FORM)
    result: Entry | None = getattr(world, action)()
    return result


def test_ticks_are_dotnet_ticks() -> None:
    assert ticks(datetime(1970, 1, 1, tzinfo=UTC)) == 621_355_968_000_000_000
    assert ticks(datetime(2001, 1, 1, tzinfo=UTC)) == 631_139_040_000_000_000
    assert ticks(datetime(2026, 1, 1, microsecond=1, tzinfo=UTC)) % 10 == 0


def test_start_stops_the_paused_timer_at_once_closing_its_break() -> None:
    clock = ManualClock()
    world = TimerWorld(SEED, clock)

    new = world.start(FORM)

    old = world.entries()[0]
    assert old.end == clock() == new.start
    assert old.breaks[-1].end == clock()
    assert old.break_duration == 480 + 120
    assert old.duration == 47 * 60 - 600
    assert [entry.id for entry in world.entries()] == [old.id, new.id]


def test_a_world_without_the_seeded_timer_is_empty() -> None:
    world = TimerWorld(SEED, ManualClock(), paused_timer=False)

    assert world.last() is None
    assert world.entries() == ()


def test_a_naive_clock_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        TimerWorld(SEED, datetime.now)


def test_the_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))

    assert clock.advance(timedelta(hours=1)) == clock() == datetime(2026, 1, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="aware"):
        clock.set(datetime(2026, 1, 1))


def check_entry(entry: Entry, now: datetime) -> None:
    """What awork guarantees of one entry."""
    end = entry.end or now
    assert entry.start <= end and end - entry.start <= AUTO_STOP_AFTER
    assert all(b.end is not None for b in entry.breaks[:-1]), "only the last break may be open"
    assert entry.is_stopped is (entry.end is not None)
    if entry.is_stopped:
        assert all(b.end is not None for b in entry.breaks)
        worked = whole_seconds(end - entry.start) - sum(b.duration or 0 for b in entry.breaks)
        assert entry.duration == worked >= 0
    else:
        assert entry.duration == 0
    for earlier, later in zip(entry.breaks, entry.breaks[1:], strict=False):
        assert earlier.end is not None and earlier.end <= later.start
    assert all(entry.start <= b.start <= (b.end or end) <= end for b in entry.breaks)


def check_answer(action: str, before: Entry | None, result: Entry | None) -> None:
    """The 200/204 rules of the README, from the state before the action."""
    active = before is not None and not before.is_stopped
    expect_answer = {
        "start": True,
        "pause": before is not None and before.is_running,
        "resume": active,
        "stop": active,
    }[action]
    assert (result is not None) is expect_answer
    if action == "resume" and before is not None and before.is_running:
        assert result == before, "resuming a running timer changes nothing"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["start", "pause", "resume", "stop"]),
            st.integers(min_value=0, max_value=30 * 3600),
        ),
        max_size=20,
    )
)
def test_any_sequence_keeps_awork_rules(steps: list[tuple[str, int]]) -> None:
    clock = ManualClock()
    world = TimerWorld(SEED, clock)
    seen_versions = {entry.version for entry in world.entries()}

    for action, seconds in steps:
        clock.advance(timedelta(seconds=seconds))
        before = world.last()
        result = act(world, action)
        check_answer(action, before, result)
        entries = world.entries()
        assert all(entry.is_stopped for entry in entries[:-1]), "one active timer at most"
        for entry in entries:
            check_entry(entry, clock())
        last = entries[-1]
        if last != before:
            assert last.version > max(seen_versions), "every change gets a larger version"
        seen_versions |= {entry.version for entry in entries}
        parsed = TimeTracking.model_validate(entry_json(last, SEED))
        assert (parsed.start_utc, parsed.end_utc) == (last.start, last.end)
        assert parsed.resource_version == last.version
