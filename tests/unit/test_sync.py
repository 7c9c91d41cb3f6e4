"""The sync policy without Qt or a network: a fake clock moves, answers and failures arrive."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from tray_app.awork.errors import NotSignedIn, RateLimited, Refused, ServerError, Unreachable
from tray_app.awork.models import TimeTracking
from tray_app.core.changes import ChangeKind
from tray_app.core.sync import Connection, Hold, Notice, SyncPolicy
from tray_app.core.timer import Snapshot, TimerState


@dataclass
class FakeClock:
    """The monotonic clock's seconds and the wall clock, moved by the test only."""

    now: float = 1000.0
    wall: datetime = field(default_factory=lambda: datetime(2026, 12, 3, 9, 0, tzinfo=UTC))

    def advance(self, seconds: float, *, wall_too: bool = True) -> None:
        self.now += seconds
        if wall_too:
            self.wall += timedelta(seconds=seconds)


def entry(entry_id: str, version: int | None, *, paused: bool) -> Snapshot:
    breaks = [{"startDate": "2026-12-03T08:30:00Z", "duration": None, "endDate": None}]
    data: dict[str, object] = {
        "id": entry_id,
        "startDateUtc": "2026-12-03T00:00:00Z",
        "startTimeUtc": "08:00:00",
        "breaks": breaks if paused else [],
        "task": {"id": "t1", "name": "Write report"},
    }
    if version is not None:
        data["resourceVersion"] = version
    return Snapshot.of(TimeTracking.model_validate(data))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def policy() -> SyncPolicy:
    return SyncPolicy(poll_interval_s=30.0, jitter=lambda: 1.0)


def answer(
    policy: SyncPolicy, clock: FakeClock, seq: int, snapshot: Snapshot, *, from_poll: bool = True
) -> bool:
    result, _ = policy.answer(seq, snapshot, clock.now, clock.wall, from_poll=from_poll)
    return result.applied


def offline(policy: SyncPolicy, clock: FakeClock) -> Notice | None:
    return policy.failed(Unreachable("no network"), clock.now, clock.wall, action=False)


# -- ordering ----------------------------------------------------------------------------------


def test_the_same_entry_is_ordered_by_resource_version_not_by_send_order(
    policy: SyncPolicy, clock: FakeClock
) -> None:
    assert answer(policy, clock, 1, entry("e1", 1, paused=True))
    # Sent later, but awork's answer is older (a poll that overtook a Resume's confirmation).
    assert answer(policy, clock, 3, entry("e1", 3, paused=False))
    assert not answer(policy, clock, 4, entry("e1", 2, paused=True))
    assert policy.snapshot is not None and policy.snapshot.state is TimerState.RUNNING


def test_other_entries_are_ordered_by_send_order(policy: SyncPolicy, clock: FakeClock) -> None:
    assert answer(policy, clock, 2, entry("e1", 5, paused=True))
    assert not answer(policy, clock, 1, entry("e0", 9, paused=False)), "sent earlier: stale"
    assert answer(policy, clock, 3, entry("e2", 1, paused=False))
    assert policy.snapshot is not None and policy.snapshot.entry_id == "e2"


def test_changes_are_reported_for_polls_only(policy: SyncPolicy, clock: FakeClock) -> None:
    answer(policy, clock, 1, entry("e1", 1, paused=True))
    clicked, _ = policy.answer(
        2, entry("e1", 2, paused=False), clock.now, clock.wall, from_poll=False
    )
    assert clicked.applied and clicked.changes == ()
    polled, _ = policy.answer(3, entry("e1", 3, paused=True), clock.now, clock.wall, from_poll=True)
    assert [change.kind for change in polled.changes] == [ChangeKind.PAUSED]
    again, _ = policy.answer(4, entry("e1", 3, paused=True), clock.now, clock.wall, from_poll=True)
    assert not again.applied and again.changes == (), "the same answer twice says nothing"


# -- back-off ----------------------------------------------------------------------------------


def test_back_off_doubles_to_the_cap_and_an_answer_ends_it(
    policy: SyncPolicy, clock: FakeClock
) -> None:
    assert policy.next_poll_delay() == 30.0
    delays = []
    for _ in range(9):
        offline(policy, clock)
        delays.append(policy.next_poll_delay())
    assert delays == [5.0, 10.0, 20.0, 40.0, 80.0, 160.0, 300.0, 300.0, 300.0]
    answer(policy, clock, 1, entry("e1", 1, paused=True))
    assert policy.next_poll_delay() == 30.0


@pytest.mark.parametrize(("jitter", "factor"), [(0.0, 0.5), (0.5, 0.75), (1.0, 1.0)])
def test_jitter_spreads_each_retry_between_half_and_the_whole_back_off(
    clock: FakeClock, jitter: float, factor: float
) -> None:
    policy = SyncPolicy(jitter=lambda: jitter)
    for _ in range(3):
        offline(policy, clock)
    assert policy.next_poll_delay() == pytest.approx(20.0 * factor)
    for _ in range(10):
        offline(policy, clock)
    assert policy.next_poll_delay() == pytest.approx(300.0 * factor)


def test_a_server_error_backs_off_like_a_dead_network(policy: SyncPolicy, clock: FakeClock) -> None:
    policy.failed(ServerError("503"), clock.now, clock.wall, action=False)
    assert policy.connection is Connection.OFFLINE
    assert policy.next_poll_delay() == 5.0


# -- offline notice ----------------------------------------------------------------------------


def test_an_outage_is_announced_after_30_s_once_and_its_end_once(
    policy: SyncPolicy, clock: FakeClock
) -> None:
    answer(policy, clock, 1, entry("e1", 1, paused=True))
    notices = [offline(policy, clock)]
    for _ in range(5):
        clock.advance(10)
        notices.append(offline(policy, clock))
    assert notices == [None, None, None, Notice.LOST, None, None], "said at 30 s, and only then"
    assert policy.connection is Connection.OFFLINE
    assert policy.snapshot is not None, "the last state stays shown"

    _, back = policy.answer(7, entry("e1", 1, paused=True), clock.now, clock.wall, from_poll=True)
    assert back is Notice.BACK
    _, again = policy.answer(8, entry("e1", 1, paused=True), clock.now, clock.wall, from_poll=True)
    assert again is None
    assert policy.connection is Connection.ONLINE


def test_a_short_blip_is_never_announced(policy: SyncPolicy, clock: FakeClock) -> None:
    assert offline(policy, clock) is None
    clock.advance(29)
    assert offline(policy, clock) is None
    _, back = policy.answer(2, entry("e1", 1, paused=True), clock.now, clock.wall, from_poll=True)
    assert back is None, "nothing was announced, so there is no end to announce"


def test_offline_a_click_is_refused_and_the_back_off_forgotten(
    policy: SyncPolicy, clock: FakeClock
) -> None:
    for _ in range(4):
        offline(policy, clock)
    refusal = policy.refusal(clock.now)
    assert refusal is not None and refusal.hold is Hold.OFFLINE
    assert policy.next_poll_delay() == 30.0, "the click's poll goes out at once, not backed off"


# -- rate limit --------------------------------------------------------------------------------


def test_a_429_blocks_polls_and_clicks_until_the_reset(
    policy: SyncPolicy, clock: FakeClock
) -> None:
    answer(policy, clock, 1, entry("e1", 1, paused=True))
    notice = policy.failed(RateLimited(60), clock.now, clock.wall, action=False)
    assert notice is None
    assert policy.connection is Connection.ERROR, "awork is there, it said no"
    assert policy.poll_wait(clock.now) == 60.0
    clock.advance(20)
    assert policy.poll_wait(clock.now) == 40.0
    refusal = policy.refusal(clock.now)
    assert refusal is not None and refusal.hold is Hold.RATE_LIMITED
    assert refusal.wait_s == pytest.approx(40.0)
    clock.advance(40)
    assert policy.poll_wait(clock.now) == 0.0
    assert policy.refusal(clock.now) is None


def test_a_refused_click_keeps_the_connection_online(policy: SyncPolicy, clock: FakeClock) -> None:
    answer(policy, clock, 1, entry("e1", 1, paused=True))
    policy.failed(Refused("no"), clock.now, clock.wall, action=True)
    assert (policy.connection, policy.detail) == (Connection.ONLINE, None)
    policy.failed(Refused("no"), clock.now, clock.wall, action=False)
    assert (policy.connection, policy.detail) == (Connection.ERROR, "no")


# -- clock jumps -------------------------------------------------------------------------------


def test_a_wall_clock_jump_means_poll_now_and_forget_the_back_off(
    policy: SyncPolicy, clock: FakeClock
) -> None:
    policy.watch_clocks_from(clock.wall, clock.now)
    clock.advance(5)
    assert not policy.clock_moved(clock.wall, clock.now), "both clocks moved alike"
    for _ in range(5):
        offline(policy, clock)
    # A suspend: the monotonic clock stood still for an hour while the wall clock went on.
    clock.advance(5)
    clock.wall += timedelta(hours=1)
    assert policy.clock_moved(clock.wall, clock.now)
    assert policy.next_poll_delay() == 30.0
    clock.advance(5)
    assert not policy.clock_moved(clock.wall, clock.now), "measured from the jump on"


def test_a_small_drift_is_not_a_jump(policy: SyncPolicy, clock: FakeClock) -> None:
    policy.watch_clocks_from(clock.wall, clock.now)
    clock.advance(5)
    clock.wall += timedelta(seconds=2.5)
    assert not policy.clock_moved(clock.wall, clock.now)


# -- signed out --------------------------------------------------------------------------------


def test_signed_out_stays_signed_out_whatever_the_network_does(
    policy: SyncPolicy, clock: FakeClock
) -> None:
    answer(policy, clock, 1, entry("e1", 1, paused=True))
    policy.failed(NotSignedIn("sign in again"), clock.now, clock.wall, action=False)
    assert policy.connection is Connection.SIGNED_OUT and policy.signed_out
    for _ in range(5):
        clock.advance(30)
        assert offline(policy, clock) is None, "no outage notice while signed out"
        assert policy.connection is Connection.SIGNED_OUT

    policy.signed_in()
    assert policy.connection is Connection.CONNECTING and not policy.signed_out


def test_a_sign_out_forgets_the_timer_and_asks_nothing(
    policy: SyncPolicy, clock: FakeClock
) -> None:
    answer(policy, clock, 1, entry("e1", 1, paused=True))
    policy.signing_out()
    assert policy.signed_out, "nothing is asked of awork while signing out"
    assert not answer(policy, clock, 2, entry("e1", 2, paused=False)), "sent before: dropped"
    policy.forget()
    assert policy.snapshot is None and policy.connection is Connection.SIGNED_OUT
    policy.signed_in()
    assert not policy.signed_out


def test_the_policy_and_the_action_table_import_without_qt_or_httpx() -> None:
    code = (
        "import sys\n"
        "sys.modules['PySide6'] = None\n"
        "sys.modules['httpx'] = None\n"
        "import tray_app.core.sync, tray_app.core.actions\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'httpx', 'shiboken'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['PySide6', 'httpx']"  # only the blocked placeholders
