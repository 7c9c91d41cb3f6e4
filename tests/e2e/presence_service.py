"""A stand-in screen saver and logind on a private session bus, for the presence adapter's tests.

Run inside ``dbus-run-session``: it owns ``org.freedesktop.ScreenSaver``, ``org.gnome.ScreenSaver``
and ``org.freedesktop.login1``, answers what the adapter asks (``GetActive``,
``GetSessionIdleTime``, ``GetSessionByPID``, ``LockedHint``) and, when the test calls its control
interface ``org.awork.Test``, emits the signals a real desktop does (``ActiveChanged``, logind's
``Lock``/``Unlock`` and ``PropertiesChanged``). Prints ``address=<bus address>`` once it is ready.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from jeepney import (  # type: ignore[import-untyped]
    DBusAddress,
    HeaderFields,
    Message,
    MessageType,
    new_error,
    new_method_return,
    new_signal,
)
from jeepney.bus_messages import message_bus  # type: ignore[import-untyped]
from jeepney.io.blocking import DBusConnection, open_dbus_connection  # type: ignore[import-untyped]

NAMES = ("org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver", "org.freedesktop.login1")
SESSION_PATH = "/org/freedesktop/login1/session/_1"
CONTROL = "org.awork.Test"

SCREENSAVERS = {
    "org.freedesktop.ScreenSaver": DBusAddress(
        "/org/freedesktop/ScreenSaver", interface="org.freedesktop.ScreenSaver"
    ),
    "org.gnome.ScreenSaver": DBusAddress(
        "/org/gnome/ScreenSaver", interface="org.gnome.ScreenSaver"
    ),
}
LOGIND_SESSION = DBusAddress(SESSION_PATH, interface="org.freedesktop.login1.Session")
PROPERTIES = DBusAddress(SESSION_PATH, interface="org.freedesktop.DBus.Properties")


class StandIn:
    """The services' state, and one method per call it answers."""

    def __init__(self, bus: DBusConnection) -> None:
        self.bus = bus
        self.active = dict.fromkeys(SCREENSAVERS, False)
        self.locked_hint = False
        self.idle_seconds = 0
        self.lock_on_next_idle_query = False
        self.running = True

    def answer(self, message: Message) -> Message:
        interface = message.header.fields.get(HeaderFields.interface)
        member = message.header.fields.get(HeaderFields.member)
        if interface in SCREENSAVERS and member == "GetActive":
            return new_method_return(message, "b", (self.active[interface],))
        if interface == "org.freedesktop.ScreenSaver" and member == "GetSessionIdleTime":
            return self.get_session_idle_time(message)
        if member == "GetSessionByPID":
            return new_method_return(message, "o", (SESSION_PATH,))
        if interface == "org.freedesktop.DBus.Properties" and member == "Get":
            return new_method_return(message, "v", (("b", self.locked_hint),))
        controls: dict[str, Callable[..., None]] = {
            "SetActive": self.set_active,
            "SetIdle": self.set_idle,
            "LockOnNextIdleQuery": self.lock_on_next_query,
            "LogindLock": self.logind_lock,
            "LockedHint": self.logind_locked_hint,
            "Quit": self.quit,
        }
        control = controls.get(member) if interface == CONTROL else None
        if control is None:
            return new_error(message, "org.freedesktop.DBus.Error.UnknownMethod")
        control(*message.body)
        return new_method_return(message)

    def get_session_idle_time(self, message: Message) -> Message:
        if self.lock_on_next_idle_query:
            # The screen locks while the adapter waits for this answer.
            self.lock_on_next_idle_query = False
            self.set_active("org.freedesktop.ScreenSaver", True)
        return new_method_return(message, "u", (self.idle_seconds,))

    def set_active(self, name: str, value: bool) -> None:
        self.active[name] = value
        self.bus.send(new_signal(SCREENSAVERS[name], "ActiveChanged", "b", (value,)))

    def set_idle(self, seconds: int) -> None:
        self.idle_seconds = seconds

    def lock_on_next_query(self) -> None:
        self.lock_on_next_idle_query = True

    def logind_lock(self, locked: bool) -> None:
        self.locked_hint = locked
        self.bus.send(new_signal(LOGIND_SESSION, "Lock" if locked else "Unlock"))

    def logind_locked_hint(self, locked: bool) -> None:
        self.locked_hint = locked
        body = ("org.freedesktop.login1.Session", {"LockedHint": ("b", locked)}, [])
        self.bus.send(new_signal(PROPERTIES, "PropertiesChanged", "sa{sv}as", body))

    def quit(self) -> None:
        self.running = False


def main() -> None:
    bus = open_dbus_connection(os.environ["DBUS_SESSION_BUS_ADDRESS"])
    for name in NAMES:
        bus.send_and_get_reply(message_bus.RequestName(name))
    stand_in = StandIn(bus)
    print(f"address={os.environ['DBUS_SESSION_BUS_ADDRESS']}", flush=True)
    while stand_in.running:
        message = bus.receive()
        if message.header.message_type is MessageType.method_call:
            bus.send(stand_in.answer(message))


if __name__ == "__main__":
    sys.exit(main())
