"""Tests for change detection between two observations of the timer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tray_app.awork.models import TimeTracking
from tray_app.core.changes import (
    Change,
    ChangeKind,
    changes_between,
    is_auto_stop,
)
from tray_app.core.timer import Snapshot, TimerState

_UNSET: Any = object()


def split_utc(text: str) -> tuple[str, str]:
    """Split a UTC ``YYYY-MM-DDTHH:MM:SS`` into awork's date at midnight and TimeSpan."""
    day, time_of_day = text.split("T")
    return f"{day}T00:00:00Z", time_of_day + ".0000000"


def snap(
    state: str = "running",
    *,
    id: str = "tt-1",
    start: str = "2026-03-10T09:00:00",
    end: str | None = None,
    paused_at: str = "2026-03-10T10:00:00",
    task: tuple[str, str] | None = ("task-1", "Write report"),
    project: tuple[str, str] | None = ("proj-1", "Website"),
    version: int | None = None,
    breaks: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> Snapshot:
    """A snapshot of an awork-shaped answer in the given state (``"none"`` for a 204)."""
    if state == "none":
        return Snapshot.of(None)
    start_date, start_time = split_utc(start)
    data: dict[str, Any] = {
        "id": id,
        "timezone": "Europe/Berlin",
        "typeOfWorkId": "tow-1",
        "taskId": task[0] if task else None,
        "task": {"id": task[0], "name": task[1]} if task else None,
        "projectId": project[0] if project else None,
        "project": {"id": project[0], "name": project[1]} if project else None,
        "startDateUtc": start_date,
        "startTimeUtc": start_time,
        "duration": 0,
        "breakDuration": None,
        "breaks": list(breaks or []),
        "resourceVersion": version,
        "tags": [],
    }
    if state == "paused":
        data["breaks"].append({"startDate": paused_at + "Z", "endDate": None, "duration": None})
    elif state == "stopped":
        data["endDateUtc"], data["endTimeUtc"] = split_utc(end or "2026-03-10T10:00:00")
    data.update(overrides)
    result = Snapshot.of(TimeTracking.model_validate(data))
    assert result.state == state
    return result


def kinds(changes: list[Change]) -> list[ChangeKind]:
    return [change.kind for change in changes]


# --- first observation and idempotence ---------------------------------------------------------


@pytest.mark.parametrize("state", ["running", "paused", "stopped", "none"])
def test_first_poll_reports_nothing(state: str) -> None:
    assert changes_between(None, snap(state)) == []


@pytest.mark.parametrize("state", ["running", "paused", "stopped", "none"])
def test_the_same_answer_twice_reports_nothing(state: str) -> None:
    assert changes_between(snap(state), snap(state)) == []
    one = snap(state)
    assert changes_between(one, one) == []


def test_a_note_or_version_change_alone_is_not_news() -> None:
    before = snap("running", version=1, note="a")
    after = snap("running", version=2, note="b")
    assert changes_between(before, after) == []


# --- the same entry ----------------------------------------------------------------------------


def test_running_to_paused() -> None:
    before, after = snap("running"), snap("paused")
    changes = changes_between(before, after)
    assert kinds(changes) == [ChangeKind.PAUSED]
    assert changes[0].before is before
    assert changes[0].after is after
    assert changes[0].describe() == "Timer paused: Write report · Website"


def test_paused_to_running() -> None:
    changes = changes_between(snap("paused"), snap("running"))
    assert kinds(changes) == [ChangeKind.RESUMED]
    assert changes[0].describe() == "Timer resumed: Write report · Website"


@pytest.mark.parametrize("old", ["running", "paused"])
def test_active_to_stopped(old: str) -> None:
    changes = changes_between(snap(old), snap("stopped", end="2026-03-10T10:02:05"))
    assert kinds(changes) == [ChangeKind.STOPPED]
    assert changes[0].describe() == "Timer stopped after 1:02:05: Write report · Website"


def test_stopped_entry_coming_back_is_a_start() -> None:
    assert kinds(changes_between(snap("stopped"), snap("running"))) == [ChangeKind.STARTED]


def test_stopped_to_stopped_is_nothing_even_if_edited() -> None:
    before = snap("stopped", end="2026-03-10T10:00:00")
    after = snap("stopped", end="2026-03-10T11:00:00", task=("task-2", "Review"))
    assert changes_between(before, after) == []


@pytest.mark.parametrize(
    ("task", "project"),
    [
        (("task-2", "Review"), ("proj-1", "Website")),
        (("task-1", "Write report"), ("proj-2", "App")),
    ],
)
def test_task_or_project_changed_on_a_running_timer(
    task: tuple[str, str], project: tuple[str, str]
) -> None:
    after = snap("running", task=task, project=project)
    changes = changes_between(snap("running"), after)
    assert kinds(changes) == [ChangeKind.TASK_CHANGED]
    assert changes[0].describe() == (
        f"Timer task changed: Write report · Website → {task[1]} · {project[1]}"
    )


def test_renaming_a_task_is_not_a_task_change() -> None:
    after = snap("running", task=("task-1", "Write the report"))
    assert changes_between(snap("running"), after) == []


def test_task_change_combines_with_a_state_change_after_it() -> None:
    after = snap("paused", task=("task-2", "Review"))
    assert kinds(changes_between(snap("running"), after)) == [
        ChangeKind.PAUSED,
        ChangeKind.TASK_CHANGED,
    ]


def test_a_stale_answer_is_ignored() -> None:
    newer = snap("paused", version=638_760_000_000_000_002)
    older = snap("running", version=638_760_000_000_000_001)
    assert changes_between(newer, older) == []
    # Without versions it cannot tell, and the answer is taken at its word.
    assert kinds(changes_between(snap("paused"), snap("running"))) == [ChangeKind.RESUMED]
    # A newer version in the right order is a resume.
    assert kinds(changes_between(newer, snap("running", version=638_760_000_000_000_003))) == [
        ChangeKind.RESUMED
    ]


# --- awork's 24-hour stop ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "auto"),
    [
        ("2026-03-11T09:00:00", True),
        ("2026-03-11T09:01:00", True),  # +1 minute: still awork's
        ("2026-03-11T08:59:00", True),  # -1 minute: still awork's
        ("2026-03-11T09:01:01", False),
        ("2026-03-11T08:58:59", False),
        ("2026-03-10T17:00:00", False),
        ("2026-03-12T09:00:00", False),
    ],
)
def test_auto_stop_is_24_hours_after_start_within_a_minute(end: str, auto: bool) -> None:
    changes = changes_between(snap("running"), snap("stopped", end=end))
    expected = ChangeKind.AUTO_STOPPED if auto else ChangeKind.STOPPED
    assert kinds(changes) == [expected]


def test_auto_stop_counts_breaks_as_part_of_the_24_hours() -> None:
    breaks = [
        {
            "startDate": "2026-03-10T12:00:00Z",
            "endDate": "2026-03-10T14:00:00Z",
            "duration": 7200,
        }
    ]
    after = snap("stopped", end="2026-03-11T09:00:00", breaks=breaks)
    changes = changes_between(snap("paused", breaks=breaks, paused_at="2026-03-10T15:00:00"), after)
    assert kinds(changes) == [ChangeKind.AUTO_STOPPED]
    assert changes[0].describe() == "Timer stopped by awork after 24 hours: Write report · Website"
    assert after.elapsed_seconds(datetime(2026, 3, 11, 9, tzinfo=UTC)) == 22 * 3600


def test_auto_stop_is_24_real_hours_across_dst() -> None:
    # 2026-10-25 Berlin falls back: 24 real hours are 25 wall-clock hours there.
    before = snap("running", start="2026-10-24T09:00:00")
    after = snap("stopped", start="2026-10-24T09:00:00", end="2026-10-25T09:00:00")
    assert kinds(changes_between(before, after)) == [ChangeKind.AUTO_STOPPED]


def test_is_auto_stop_needs_a_stopped_entry_with_times() -> None:
    assert not is_auto_stop(snap("running", start="2026-03-09T09:00:00"))
    assert not is_auto_stop(Snapshot.of(None))
    plain = snap("stopped", startTimeUtc=None, endTimeUtc=None, duration=86400)
    assert not is_auto_stop(plain)
    assert is_auto_stop(snap("stopped", end="2026-03-11T09:00:30"))


def test_a_stop_of_a_different_entry_is_never_automatic() -> None:
    after = snap("stopped", id="tt-2", end="2026-03-11T09:00:00")
    assert kinds(changes_between(snap("running"), after)) == [ChangeKind.STOPPED]


# --- a different entry -------------------------------------------------------------------------

_OTHER: dict[str, Any] = {"id": "tt-2", "task": ("task-2", "Review"), "project": ("proj-2", "App")}


def test_none_to_running_is_started() -> None:
    changes = changes_between(snap("none"), snap("running"))
    assert kinds(changes) == [ChangeKind.STARTED]
    assert changes[0].describe() == "Timer started: Write report · Website"


def test_stopped_to_a_new_running_entry_is_started() -> None:
    after = snap("running", **_OTHER)
    assert kinds(changes_between(snap("stopped"), after)) == [ChangeKind.STARTED]


def test_new_entry_already_paused_is_started_and_says_so() -> None:
    changes = changes_between(snap("none"), snap("paused", **_OTHER))
    assert kinds(changes) == [ChangeKind.STARTED]
    assert changes[0].describe() == "Timer started, now paused: Review · App"


@pytest.mark.parametrize("old", ["running", "paused"])
@pytest.mark.parametrize("new", ["running", "paused"])
def test_new_entry_while_one_was_active_is_switched(old: str, new: str) -> None:
    changes = changes_between(snap(old), snap(new, **_OTHER))
    assert kinds(changes) == [ChangeKind.SWITCHED]
    assert changes[0].describe() == "Timer switched to Review · App (was Write report · Website)"


@pytest.mark.parametrize("old", ["running", "paused"])
@pytest.mark.parametrize("new", ["stopped", "none"])
def test_active_timer_replaced_by_a_finished_record_or_nothing_is_stopped(
    old: str, new: str
) -> None:
    fields = _OTHER if new == "stopped" else {}
    changes = changes_between(snap(old), snap(new, **fields))
    assert kinds(changes) == [ChangeKind.STOPPED]
    assert changes[0].describe() == "Timer stopped: Write report · Website"


@pytest.mark.parametrize("old", ["stopped", "none"])
def test_a_record_logged_elsewhere_is_not_news(old: str) -> None:
    assert changes_between(snap(old), snap("stopped", **_OTHER)) == []


def test_stopped_to_none_is_not_news() -> None:
    assert changes_between(snap("stopped"), snap("none")) == []


def test_every_kind_has_a_description_naming_the_task() -> None:
    after = snap("running")
    for kind in ChangeKind:
        text = Change(kind, snap("running", **_OTHER), after).describe()
        assert text.startswith("Timer ")
        assert "·" in text


# --- properties --------------------------------------------------------------------------------

_snapshots = st.builds(
    lambda state, id, task, paused_hour, version: snap(
        state,
        id=id,
        task=task,
        paused_at=f"2026-03-10T{paused_hour:02d}:00:00",
        version=version,
    ),
    st.sampled_from([s.value for s in TimerState]),
    st.sampled_from(["tt-1", "tt-2"]),
    st.sampled_from([None, ("task-1", "Write report"), ("task-2", "Review")]),
    st.integers(min_value=9, max_value=23),
    st.none() | st.integers(min_value=0, max_value=2**63 - 1),
)


@given(_snapshots)
def test_no_change_between_a_snapshot_and_itself(one: Snapshot) -> None:
    assert changes_between(one, one) == []


@given(_snapshots, _snapshots)
def test_changes_follow_their_inputs(before: Snapshot, after: Snapshot) -> None:
    changes = changes_between(before, after)
    assert len(changes) <= 2
    for change in changes:
        assert change.before is before
        assert change.after is after
        assert change.describe()
    fresh = before.entry_id != after.entry_id or not before.is_newer_than(after)
    if after.state is TimerState.RUNNING and before.state is not TimerState.RUNNING and fresh:
        # Seeing the timer run where it did not is always announced.
        assert kinds(changes)[:1] in (
            [ChangeKind.STARTED],
            [ChangeKind.RESUMED],
            [ChangeKind.SWITCHED],
        )
    if before.state is after.state and before.entry_id == after.entry_id:
        assert ChangeKind.TASK_CHANGED in kinds(changes) or changes == []
