"""Screen lock and idle time on a Linux desktop, from D-Bus: GNOME, KDE, and anything freedesktop.

Listens to ``ActiveChanged`` of ``org.freedesktop.ScreenSaver`` and ``org.gnome.ScreenSaver`` on
the session bus, and to logind's ``Lock``/``Unlock`` and ``LockedHint`` for this session on the
system bus; asks ``org.gnome.Mutter.IdleMonitor.GetIdletime`` or else
``org.freedesktop.ScreenSaver.GetSessionIdleTime`` for the idle time.

Why jeepney, and not the ``dbus-idle`` package or QtDBus: ``dbus-idle`` answers only the idle
time (no lock signals, which the pause at the lock needs the moment they come), swallows every
failure into a warning, and pulls pywin32 in on Windows; its X11 part is a dozen lines of ctypes
we keep in ``presence_x11.py``. QtDBus would tie the adapter to a ``QApplication`` and to Qt's
slot-signature strings, so it could not be tested, or used, Qt-free. jeepney is pure Python, is
already installed with keyring's Secret Service backend, and needs no event loop: the tray
watches :meth:`DBusPresence.filenos` with a ``QSocketNotifier`` (or simply reads on its few-second
tick) and calls :meth:`DBusPresence.read_pending`; no thread, no busy loop. A method call (the
idle time) is one round trip on the local bus with a short timeout, and a service that fails is
not asked again.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from jeepney import (  # type: ignore[import-untyped]  # jeepney ships no type hints
    DBusAddress,
    HeaderFields,
    MatchRule,
    Message,
    MessageType,
    Properties,
    new_method_call,
)
from jeepney.bus_messages import message_bus  # type: ignore[import-untyped]
from jeepney.io.blocking import DBusConnection, open_dbus_connection  # type: ignore[import-untyped]
from jeepney.wrappers import DBusErrorResponse, unwrap_msg  # type: ignore[import-untyped]

from tray_app.core.timer import Clock, utc_now

__all__ = ["DBusPresence"]

_log = logging.getLogger(__name__)

CALL_TIMEOUT_S = 0.5

FREEDESKTOP_SCREENSAVER = DBusAddress(
    "/org/freedesktop/ScreenSaver",
    bus_name="org.freedesktop.ScreenSaver",
    interface="org.freedesktop.ScreenSaver",
)
GNOME_SCREENSAVER = DBusAddress(
    "/org/gnome/ScreenSaver", bus_name="org.gnome.ScreenSaver", interface="org.gnome.ScreenSaver"
)
MUTTER_IDLE = DBusAddress(
    "/org/gnome/Mutter/IdleMonitor/Core",
    bus_name="org.gnome.Mutter.IdleMonitor",
    interface="org.gnome.Mutter.IdleMonitor",
)
LOGIND_MANAGER = DBusAddress(
    "/org/freedesktop/login1",
    bus_name="org.freedesktop.login1",
    interface="org.freedesktop.login1.Manager",
)
LOGIND_SESSION = "org.freedesktop.login1.Session"
_SCREENSAVERS = (FREEDESKTOP_SCREENSAVER.interface, GNOME_SCREENSAVER.interface)


class DBusPresence:
    """The lock state and idle time the session's D-Bus services report.

    ``session_bus`` and ``system_bus`` are D-Bus addresses ("SESSION" and "SYSTEM" by default;
    tests pass a private bus). Nothing is opened before :meth:`start`.
    """

    def __init__(
        self,
        *,
        session_bus: str = "SESSION",
        system_bus: str | None = "SYSTEM",
        logind: str = "org.freedesktop.login1",
        clock: Clock = utc_now,
    ) -> None:
        self._session_address = session_bus
        self._system_address = system_bus
        self._logind = logind
        self._clock = clock
        self._session: DBusConnection | None = None
        self._system: DBusConnection | None = None
        self._session_path: str | None = None
        # Signals that come in while a call waits for its answer: jeepney drops what no filter
        # catches, and a lock must not be lost because it came during an idle-time query.
        self._early: deque[Message] = deque()
        # Each source's lock, kept apart: the screen is locked while any of them says so.
        self._locked: dict[str, datetime] = {}
        self._idle_methods: list[Callable[[DBusConnection], float]] = [
            _mutter_idle_seconds,
            _screensaver_idle_seconds,
        ]

    def start(self) -> bool:
        """Connect and listen; False when there is no session bus (then nothing is known)."""
        try:
            self._session = self._open(self._session_address)
        except (OSError, ValueError, KeyError) as exc:
            _log.info("presence: no session bus (%s): lock and idle time not known", exc)
            return False
        for interface in _SCREENSAVERS:
            self._add_match(self._session, MatchRule(type="signal", interface=interface))
        self._read_screensavers()
        if self._system_address is not None:
            self._start_logind(self._system_address)
        return True

    def close(self) -> None:
        for connection in (self._session, self._system):
            if connection is not None:
                connection.close()
        self._session = self._system = None

    def filenos(self) -> list[int]:
        """The sockets to watch for signals (e.g. with a ``QSocketNotifier``)."""
        return [c.sock.fileno() for c in (self._session, self._system) if c is not None]

    def read_pending(self) -> bool:
        """Handle the signals that have arrived, without waiting; True if the lock changed."""
        before = self.locked_since()
        while self._early:
            self._handle(self._early.popleft())
        for connection in (self._session, self._system):
            if connection is None:
                continue
            while True:
                try:
                    message = connection.receive(timeout=0)
                except TimeoutError:
                    break
                except OSError as exc:
                    _log.warning("presence: lost the bus: %s", exc)
                    self._forget(connection)
                    break
                self._handle(message)
        return self.locked_since() != before

    def locked_since(self) -> datetime | None:
        """Since when any source says the screen is locked (the earliest), else None."""
        return min(self._locked.values(), default=None)

    def idle_seconds(self) -> float | None:
        """Seconds since the last input, from the first service that answers; None without one."""
        self.read_pending()
        if self._session is None:
            return None
        while self._idle_methods:
            method = self._idle_methods[0]
            try:
                return method(self._session)
            except (DBusErrorResponse, TimeoutError, OSError, ValueError, IndexError) as exc:
                _log.info("presence: %s gives no idle time (%s)", method.__name__, exc)
                self._idle_methods.pop(0)
        return None

    def _open(self, address: str) -> DBusConnection:
        connection = open_dbus_connection(address)
        # Kept open for the connection's life; closing the connection drops it.
        connection.filter(MatchRule(type="signal"), queue=self._early)
        return connection

    def _add_match(self, connection: DBusConnection, rule: MatchRule) -> None:
        unwrap_msg(
            connection.send_and_get_reply(message_bus.AddMatch(rule), timeout=CALL_TIMEOUT_S)
        )

    def _call(self, connection: DBusConnection, message: Message) -> tuple[Any, ...]:
        reply = connection.send_and_get_reply(message, timeout=CALL_TIMEOUT_S)
        return tuple(unwrap_msg(reply))

    def _read_screensavers(self) -> None:
        assert self._session is not None
        for address in (FREEDESKTOP_SCREENSAVER, GNOME_SCREENSAVER):
            try:
                (active,) = self._call(self._session, new_method_call(address, "GetActive"))
            except (DBusErrorResponse, TimeoutError, ValueError) as exc:
                _log.debug("presence: %s.GetActive: %s", address.interface, exc)
                continue
            self._set_locked(address.interface, bool(active))

    def _start_logind(self, address: str) -> None:
        try:
            self._system = self._open(address)
            manager = DBusAddress(
                LOGIND_MANAGER.object_path,
                bus_name=self._logind,
                interface=LOGIND_MANAGER.interface,
            )
            (path,) = self._call(
                self._system, new_method_call(manager, "GetSessionByPID", "u", (os.getpid(),))
            )
            self._session_path = str(path)
            session = DBusAddress(
                self._session_path, bus_name=self._logind, interface=LOGIND_SESSION
            )
            self._add_match(
                self._system, MatchRule(type="signal", interface=LOGIND_SESSION, path=path)
            )
            self._add_match(
                self._system,
                MatchRule(
                    type="signal",
                    interface="org.freedesktop.DBus.Properties",
                    member="PropertiesChanged",
                    path=path,
                ),
            )
            ((_, locked),) = self._call(self._system, Properties(session).get("LockedHint"))
            self._set_locked("logind", bool(locked))
        except (DBusErrorResponse, TimeoutError, OSError, ValueError, KeyError) as exc:
            _log.info("presence: logind's session lock not available (%s)", exc)
            if self._system is not None:
                self._system.close()
            self._system = None

    def _handle(self, message: Message) -> None:
        header = message.header
        if header.message_type is not MessageType.signal:
            return
        interface = header.fields.get(HeaderFields.interface)
        member = header.fields.get(HeaderFields.member)
        if interface in _SCREENSAVERS and member == "ActiveChanged":
            self._set_locked(str(interface), bool(message.body[0]))
        elif header.fields.get(HeaderFields.path) != self._session_path:
            return
        elif interface == LOGIND_SESSION and member in ("Lock", "Unlock"):
            self._set_locked("logind", member == "Lock")
        elif member == "PropertiesChanged" and message.body[0] == LOGIND_SESSION:
            changed = message.body[1]
            if "LockedHint" in changed:
                self._set_locked("logind", bool(changed["LockedHint"][1]))

    def _set_locked(self, source: str, locked: bool) -> None:
        if locked and source not in self._locked:
            self._locked[source] = self._clock()
            _log.info("presence: the screen is locked (%s)", source)
        elif not locked and self._locked.pop(source, None) is not None:
            _log.info("presence: the screen is unlocked (%s)", source)

    def _forget(self, connection: DBusConnection) -> None:
        connection.close()
        if connection is self._session:
            self._session = None
            self._locked = {k: v for k, v in self._locked.items() if k == "logind"}
        else:
            self._system = None
            self._locked.pop("logind", None)


def _mutter_idle_seconds(connection: DBusConnection) -> float:
    reply = connection.send_and_get_reply(
        new_method_call(MUTTER_IDLE, "GetIdletime"), timeout=CALL_TIMEOUT_S
    )
    return float(unwrap_msg(reply)[0]) / 1000.0  # milliseconds


def _screensaver_idle_seconds(connection: DBusConnection) -> float:
    reply = connection.send_and_get_reply(
        new_method_call(FREEDESKTOP_SCREENSAVER, "GetSessionIdleTime"), timeout=CALL_TIMEOUT_S
    )
    return float(unwrap_msg(reply)[0])  # seconds, as the freedesktop interface defines it
