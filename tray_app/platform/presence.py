"""Which presence adapters this platform has, put together into one ``PresenceTracker``.

The tray's composition root calls :func:`start_presence` once; whatever the desktop lacks is
left out (logged), and the tracker then knows less rather than guessing "away".
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from tray_app.core.presence import IdleTime, PresenceTracker

if TYPE_CHECKING:
    from tray_app.platform.presence_dbus import DBusPresence

__all__ = ["FirstIdleTime", "PlatformPresence", "start_presence"]

_log = logging.getLogger(__name__)


class _Closable(Protocol):
    def close(self) -> None: ...


class FirstIdleTime:
    """The first of several idle counters that answers; one that fails is asked no more."""

    def __init__(self, sources: Sequence[IdleTime]) -> None:
        self._sources = list(sources)

    def idle_seconds(self) -> float | None:
        while self._sources:
            seconds = self._sources[0].idle_seconds()
            if seconds is not None:
                return seconds
            _log.info("presence: %s gives no idle time", type(self._sources[0]).__name__)
            self._sources.pop(0)
        return None


@dataclass
class PlatformPresence:
    """The tracker, and the D-Bus adapter whose sockets the tray watches (Linux only)."""

    tracker: PresenceTracker
    dbus: DBusPresence | None = None
    closers: list[_Closable] = field(default_factory=list)

    def close(self) -> None:
        """Close the buses and the X display the adapters opened."""
        for adapter in self.closers:
            adapter.close()


def start_presence() -> PlatformPresence:
    """Start this platform's adapters; Linux: D-Bus (lock and idle), then X11 for idle time."""
    if sys.platform == "win32":
        from tray_app.platform.presence_windows import WindowsIdleTime

        windows = WindowsIdleTime()
        return PlatformPresence(PresenceTracker(idle=windows if windows.start() else None))
    if sys.platform == "darwin":
        from tray_app.platform.presence_macos import MacIdleTime

        mac = MacIdleTime()
        return PlatformPresence(PresenceTracker(idle=mac if mac.start() else None))
    from tray_app.platform.presence_dbus import DBusPresence
    from tray_app.platform.presence_x11 import X11IdleTime

    dbus: DBusPresence | None = DBusPresence()
    idle: list[IdleTime] = []
    closers: list[_Closable] = []
    if dbus is not None and dbus.start():
        idle.append(dbus)
        closers.append(dbus)
    else:
        dbus = None
    if os.environ.get("DISPLAY"):
        x11 = X11IdleTime()
        if x11.start():
            idle.append(x11)
            closers.append(x11)
    tracker = PresenceTracker(idle=FirstIdleTime(idle), lock=dbus)
    return PlatformPresence(tracker, dbus=dbus, closers=closers)
