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

from jeepney import (  # type: ignore[import-untyped]
    DBusAddress,
    HeaderFields,
    MessageType,
    new_error,
    new_method_return,
    new_signal,
)
from jeepney.bus_messages import message_bus  # type: ignore[import-untyped]
from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped]

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


def main() -> None:
    bus = open_dbus_connection(os.environ["DBUS_SESSION_BUS_ADDRESS"])
    for name in NAMES:
        bus.send_and_get_reply(message_bus.RequestName(name))
    active = dict.fromkeys(SCREENSAVERS, False)
    locked_hint = False
    idle_seconds = 0
    print(f"address={os.environ['DBUS_SESSION_BUS_ADDRESS']}", flush=True)
    while True:
        message = bus.receive()
        header = message.header
        if header.message_type is not MessageType.method_call:
            continue
        interface = header.fields.get(HeaderFields.interface)
        member = header.fields.get(HeaderFields.member)
        reply = None
        if interface in SCREENSAVERS and member == "GetActive":
            reply = new_method_return(message, "b", (active[interface],))
        elif interface == "org.freedesktop.ScreenSaver" and member == "GetSessionIdleTime":
            reply = new_method_return(message, "u", (idle_seconds,))
        elif member == "GetSessionByPID":
            reply = new_method_return(message, "o", (SESSION_PATH,))
        elif interface == "org.freedesktop.DBus.Properties" and member == "Get":
            reply = new_method_return(message, "v", (("b", locked_hint),))
        elif interface == CONTROL and member == "SetActive":
            name, value = message.body
            active[name] = value
            bus.send(new_signal(SCREENSAVERS[name], "ActiveChanged", "b", (value,)))
            reply = new_method_return(message)
        elif interface == CONTROL and member == "SetIdle":
            (idle_seconds,) = message.body
            reply = new_method_return(message)
        elif interface == CONTROL and member == "LogindLock":
            (locked_hint,) = message.body
            bus.send(new_signal(LOGIND_SESSION, "Lock" if locked_hint else "Unlock"))
            reply = new_method_return(message)
        elif interface == CONTROL and member == "LockedHint":
            (locked_hint,) = message.body
            changed = {"LockedHint": ("b", locked_hint)}
            body = ("org.freedesktop.login1.Session", changed, [])
            bus.send(new_signal(PROPERTIES, "PropertiesChanged", "sa{sv}as", body))
            reply = new_method_return(message)
        elif interface == CONTROL and member == "Quit":
            bus.send(new_method_return(message))
            return
        if reply is None:
            reply = new_error(message, "org.freedesktop.DBus.Error.UnknownMethod")
        bus.send(reply)


if __name__ == "__main__":
    sys.exit(main())
