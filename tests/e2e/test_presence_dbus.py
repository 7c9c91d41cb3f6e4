"""The D-Bus presence adapter against real services on a private ``dbus-run-session`` bus.

``presence_service.py`` plays the screen saver and logind; the test locks and unlocks through its
control interface, as a desktop would, and checks what the adapter then reports.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from jeepney import DBusAddress, new_method_call  # type: ignore[import-untyped]
from jeepney.io.blocking import DBusConnection, open_dbus_connection  # type: ignore[import-untyped]

from tray_app.core.presence import AwayReason, PresenceTracker
from tray_app.platform.presence_dbus import DBusPresence

pytestmark = pytest.mark.e2e

SERVICE = Path(__file__).with_name("presence_service.py")
CONTROL = DBusAddress("/", bus_name="org.freedesktop.ScreenSaver", interface="org.awork.Test")
LOCKED_AT = datetime(2026, 12, 7, 10, 2, tzinfo=UTC)


class Bus:
    """The private bus and a connection to the stand-in's control interface."""

    def __init__(self, address: str, control: DBusConnection) -> None:
        self.address = address
        self._control = control

    def call(self, member: str, signature: str | None = None, *body: object) -> None:
        message = new_method_call(CONTROL, member, signature, body)
        self._control.send_and_get_reply(message, timeout=5)


@pytest.fixture
def bus() -> Iterator[Bus]:
    if shutil.which("dbus-run-session") is None:
        message = "dbus-run-session is needed (Debian package dbus)"
        if os.environ.get("AWORK_TRAY_REQUIRE_E2E") == "1":
            pytest.fail(message)
        pytest.skip(message)
    service = subprocess.Popen(
        ["dbus-run-session", "--", sys.executable, str(SERVICE)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert service.stdout is not None
        ready, _, _ = select.select([service.stdout], [], [], 20)
        line = service.stdout.readline().strip() if ready else ""
        assert line.startswith("address="), f"the stand-in did not start: {line!r}"
        address = line.removeprefix("address=")
        control = open_dbus_connection(address)
        try:
            yield Bus(address, control)
            Bus(address, control).call("Quit")
        finally:
            control.close()
        service.wait(timeout=10)
    finally:
        if service.poll() is None:
            service.terminate()
            service.wait(timeout=10)
        if service.stdout is not None:
            service.stdout.close()


def until(adapter: DBusPresence, condition: Callable[[], bool]) -> None:
    """Wait on the adapter's sockets (no sleeping) until ``condition`` holds, at most 5 s."""
    deadline = time.monotonic() + 5
    while not condition():
        left = deadline - time.monotonic()
        assert left > 0, "the adapter did not see the signal within 5 s"
        select.select(adapter.filenos(), [], [], left)
        adapter.read_pending()


@pytest.fixture
def adapter(bus: Bus) -> Iterator[DBusPresence]:
    # The private session bus also stands in for the system bus, where logind lives.
    presence = DBusPresence(
        session_bus=bus.address, system_bus=bus.address, clock=lambda: LOCKED_AT
    )
    assert presence.start()
    try:
        yield presence
    finally:
        presence.close()


@pytest.mark.parametrize("service", ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"])
def test_active_changed_locks_and_unlocks(bus: Bus, adapter: DBusPresence, service: str) -> None:
    assert adapter.locked_since() is None
    bus.call("SetActive", "sb", service, True)
    until(adapter, lambda: adapter.locked_since() is not None)
    assert adapter.locked_since() == LOCKED_AT
    bus.call("SetActive", "sb", service, False)
    until(adapter, lambda: adapter.locked_since() is None)


def test_idle_time_comes_from_get_session_idle_time(bus: Bus, adapter: DBusPresence) -> None:
    bus.call("SetIdle", "u", 0)
    assert adapter.idle_seconds() == 0
    bus.call("SetIdle", "u", 754)
    assert adapter.idle_seconds() == 754
    # Put together: away since the last input, 754 s before now.
    tracker = PresenceTracker(idle=adapter, lock=adapter)
    now = LOCKED_AT + timedelta(minutes=30)
    absence = tracker.presence(now).absence(now, timedelta(minutes=10))
    assert absence is not None
    assert (absence.reason, absence.since) == (AwayReason.IDLE, now - timedelta(seconds=754))


def test_a_lock_signalled_during_an_idle_query_is_not_lost(bus: Bus, adapter: DBusPresence) -> None:
    bus.call("SetIdle", "u", 30)
    bus.call("LockOnNextIdleQuery")
    assert adapter.idle_seconds() == 30  # the signal came in before this answer
    adapter.read_pending()
    assert adapter.locked_since() == LOCKED_AT


def test_logind_lock_and_unlock_signals(bus: Bus, adapter: DBusPresence) -> None:
    bus.call("LogindLock", "b", True)
    until(adapter, lambda: adapter.locked_since() is not None)
    bus.call("LogindLock", "b", False)
    until(adapter, lambda: adapter.locked_since() is None)


def test_logind_locked_hint(bus: Bus, adapter: DBusPresence) -> None:
    bus.call("LockedHint", "b", True)
    until(adapter, lambda: adapter.locked_since() is not None)
    bus.call("LockedHint", "b", False)
    until(adapter, lambda: adapter.locked_since() is None)


def test_a_screen_already_locked_at_start_is_known(bus: Bus) -> None:
    bus.call("SetActive", "sb", "org.gnome.ScreenSaver", True)
    presence = DBusPresence(session_bus=bus.address, system_bus=None, clock=lambda: LOCKED_AT)
    assert presence.start()
    try:
        assert presence.locked_since() == LOCKED_AT
    finally:
        presence.close()


def test_no_session_bus_means_nothing_known(tmp_path: Path) -> None:
    presence = DBusPresence(session_bus=f"unix:path={tmp_path / 'none'}", system_bus=None)
    assert not presence.start()
    assert presence.idle_seconds() is None
    assert presence.locked_since() is None
