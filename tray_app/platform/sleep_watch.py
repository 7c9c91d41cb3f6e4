"""Hears the machine wake up from logind (Linux), so the timer is right at once after a suspend.

The controller also notices a suspend by comparing the wall clock with the monotonic one, but
only on its next check; logind says so the moment the machine is awake again.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import SLOT, QObject, Signal, Slot
from PySide6.QtDBus import QDBusConnection

log = logging.getLogger(__name__)

LOGIND = "org.freedesktop.login1"
LOGIND_PATH = "/org/freedesktop/login1"
LOGIND_MANAGER = "org.freedesktop.login1.Manager"


class SleepWatch(QObject):
    """Listens to logind's ``PrepareForSleep`` on the system bus, where there is one.

    Signals:
        sleeping(): the machine is about to suspend (the person counts as away from now).
        woke(): the machine has just resumed from suspend or hibernation.
    """

    sleeping = Signal()
    woke = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)

    def start(self, bus: QDBusConnection | None = None, service: str = LOGIND) -> bool:
        """Listen; False (and nothing else happens) without a bus or logind."""
        bus = bus if bus is not None else QDBusConnection.systemBus()
        if not bus.isConnected():
            log.info("no system bus: suspend is noticed by the clock watch alone")
            return False
        # Workaround: PySide's stubs want bytes for the slot, but at run time it takes only
        # SLOT()'s str (no upstream report known; seen with PySide6 6.11).
        listening = bus.connect(  # type: ignore[call-overload]
            service,
            LOGIND_PATH,
            LOGIND_MANAGER,
            "PrepareForSleep",
            self,
            SLOT("on_logind_prepare_for_sleep(bool)"),
        )
        if not listening:
            log.info("cannot listen to logind: %s", bus.lastError().message())
        return bool(listening)

    @Slot(bool)
    def on_logind_prepare_for_sleep(self, going_to_sleep: bool) -> None:
        if going_to_sleep:
            log.info("the machine is going to sleep")
            self.sleeping.emit()
        else:
            log.info("the machine woke up")
            self.woke.emit()
