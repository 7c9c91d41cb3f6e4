"""Desktop notifications for changes made elsewhere and for failed actions, each said once."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Slot

from tray_app import APP_NAME
from tray_app.core.actions import Action
from tray_app.core.changes import Change, ChangeKind
from tray_app.core.settings import NotificationSettings
from tray_app.core.translation import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

Show = Callable[[str, str, bool], None]
_REMEMBERED = 64
_FAILED_TITLES = {
    Action.RESUME: QT_TRANSLATE_NOOP("Notifier", "Could not resume"),
    Action.PAUSE: QT_TRANSLATE_NOOP("Notifier", "Could not pause"),
    Action.STOP: QT_TRANSLATE_NOOP("Notifier", "Could not stop"),
    Action.START_AGAIN: QT_TRANSLATE_NOOP("Notifier", "Could not start again"),
}

# Which setting turns each kind of change's notification on.
_WANTED: dict[ChangeKind, Callable[[NotificationSettings], bool]] = {
    ChangeKind.STARTED: lambda wanted: wanted.started,
    ChangeKind.PAUSED: lambda wanted: wanted.paused,
    ChangeKind.RESUMED: lambda wanted: wanted.resumed,
    ChangeKind.STOPPED: lambda wanted: wanted.stopped,
    ChangeKind.AUTO_STOPPED: lambda wanted: wanted.auto_stopped,
    ChangeKind.SWITCHED: lambda wanted: wanted.switched,
    ChangeKind.TASK_CHANGED: lambda wanted: wanted.task_changed,
}


class Notifier(QObject):
    """Decides which events become a notification and hands them to ``show``."""

    def __init__(
        self, show: Show, settings: NotificationSettings, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._show = show
        self.settings = settings
        self._seen: deque[tuple[str, str | None, int | None, str]] = deque(maxlen=_REMEMBERED)

    @Slot(object)
    def on_controller_changed_elsewhere(self, change: Change) -> None:
        after = change.after
        key = (str(change.kind), after.entry_id, after.version, str(after.state))
        if key in self._seen:
            return
        self._seen.append(key)
        if not _WANTED[change.kind](self.settings):
            log.debug("notification for %s is turned off", change.kind)
            return
        self._show(APP_NAME, change.describe(self._translate_change), False)

    @Slot()
    def on_controller_connection_lost(self) -> None:
        if self.settings.connection:
            self._show(
                self.tr("awork cannot be reached"),
                self.tr("The timer shown may be out of date; awork Tray keeps trying."),
                True,
            )

    @Slot()
    def on_controller_connection_back(self) -> None:
        if self.settings.connection:
            self._show(
                APP_NAME, self.tr("awork can be reached again; the timer is up to date."), False
            )

    @Slot(object, str)
    def on_controller_action_failed(self, action: Action, message: str) -> None:
        if self.settings.action_failed:
            self._show(
                QCoreApplication.translate("Notifier", _FAILED_TITLES[action]),
                message,
                True,
            )

    @staticmethod
    def _translate_change(text: str) -> str:
        return QCoreApplication.translate("Change", text)
