"""The clock correction from awork's Date headers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tray_app.core.clock import ServerClock

LOCAL = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)


def test_a_machine_that_agrees_with_awork_is_trusted() -> None:
    clock = ServerClock(lambda: LOCAL)
    clock.observe(LOCAL.replace(microsecond=0) + timedelta(seconds=1))
    assert clock.now() == LOCAL


@pytest.mark.expect_log(
    "WARNING", r"this machine's clock is -?\d+ s off awork's", logger="tray_app.core.clock"
)
def test_a_machine_minutes_off_shows_awork_time() -> None:
    clock = ServerClock(lambda: LOCAL)
    for _ in range(3):
        clock.observe(LOCAL + timedelta(minutes=7))
    assert abs(clock.now() - (LOCAL + timedelta(minutes=7))) <= timedelta(seconds=1)


def test_one_odd_answer_does_not_move_the_clock() -> None:
    clock = ServerClock(lambda: LOCAL)
    clock.observe(LOCAL)
    clock.observe(LOCAL)
    clock.observe(LOCAL + timedelta(hours=3))
    assert clock.now() == LOCAL


@pytest.mark.expect_log(
    "WARNING", r"this machine's clock is -?\d+ s off awork's", logger="tray_app.core.clock"
)
def test_the_correction_ends_when_the_machine_is_set_right() -> None:
    now = [LOCAL - timedelta(minutes=5)]
    clock = ServerClock(lambda: now[0])
    for _ in range(5):
        clock.observe(LOCAL)
    assert abs(clock.now() - LOCAL) <= timedelta(seconds=1)
    now[0] = LOCAL
    for _ in range(5):
        clock.observe(LOCAL)
    assert clock.now() == LOCAL
