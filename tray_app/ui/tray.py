"""The tray icon and its menu: renders a :class:`TimerDisplay`, turns clicks into requests.

Every action is in the menu, because StatusNotifierItem hosts never send a double-click; a left
click opens the same menu.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, QObject, QPoint, Signal, Slot
from PySide6.QtGui import QAction, QCursor, QIcon
from PySide6.QtWidgets import QAbstractButton, QLabel, QMenu, QSystemTrayIcon

from tray_app.core.actions import Action
from tray_app.core.translation import QT_TRANSLATE_NOOP
from tray_app.ui.icons import IconSet
from tray_app.ui.session import SessionState
from tray_app.ui.view import ViewRequests
from tray_app.ui.view_model import TimerDisplay

log = logging.getLogger(__name__)


MENU_TEXTS = {
    "open_web": QT_TRANSLATE_NOOP("Menu", "&Open in awork"),
    "refresh": QT_TRANSLATE_NOOP("Menu", "Re&fresh now"),
    "settings": QT_TRANSLATE_NOOP("Menu", "Se&ttings…"),
    "sign_in": QT_TRANSLATE_NOOP("Menu", "Sign &in…"),
    "signing_in": QT_TRANSLATE_NOOP("Menu", "Signing in… (finish in your browser)"),
    "sign_out": QT_TRANSLATE_NOOP("Menu", "Sign ou&t"),
    "signing_out": QT_TRANSLATE_NOOP("Menu", "Signing out…"),
    "log_folder": QT_TRANSLATE_NOOP("Menu", "Open &log folder"),
    "quit": QT_TRANSLATE_NOOP("Menu", "&Quit"),
}


def menu_text(key: str) -> str:
    """A menu item's (or button's) text in the person's language."""
    return QCoreApplication.translate("Menu", MENU_TEXTS[key])


Control = QAction | QAbstractButton | QLabel


def show_line(control: Control, text: str) -> None:
    """A line of text that takes no room while it is empty."""
    control.setText(text)
    control.setVisible(bool(text))


def show_timer_controls(
    header: Control,
    status: Control,
    items: Mapping[Action, QAction | QAbstractButton],
    display: TimerDisplay,
) -> None:
    """The texts and action items of ``display``, in a menu or in the fallback window alike."""
    header.setText(display.header)
    show_line(status, display.status)
    for action, item in items.items():
        shown = display.items[action]
        item.setText(shown.text)
        item.setEnabled(shown.enabled)


def show_account_controls(
    sign_in: QAction | QAbstractButton,
    sign_out: QAction | QAbstractButton,
    can_sign_in: bool,
    can_sign_out: bool,
    session: SessionState,
) -> None:
    """Sign in / Sign out items (menu actions or buttons) for the account's current state."""
    busy = session.busy
    sign_in.setVisible(can_sign_in or session is SessionState.SIGNING_IN)
    sign_in.setText(menu_text("signing_in" if busy else "sign_in"))
    sign_in.setEnabled(not busy)
    sign_out.setVisible(can_sign_out or session is SessionState.SIGNING_OUT)
    sign_out.setText(menu_text("signing_out" if busy else "sign_out"))
    sign_out.setEnabled(not busy)


def action_of(sender: QObject | None, items: Mapping[Action, QObject]) -> Action | None:
    """Which action ``sender`` (a menu item or a button) stands for."""
    return next((action for action, item in items.items() if item is sender), None)


class TrayIcon(QObject):
    """The icon in the panel and its menu; what the person asks for goes out through
    :attr:`requests` (the contract it shares with the fallback window).

    Signals:
        menu_opening(): the menu is about to show (also ``requests.looked_at``).
        menu_closed(): the menu was hidden.
    """

    menu_opening = Signal()
    menu_closed = Signal()

    def __init__(self, icons: IconSet, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._icons = icons
        self._requests = ViewRequests(self)
        asks = self._requests
        self._display: TimerDisplay | None = None
        self.menu = QMenu()
        self.menu.setToolTipsVisible(True)
        self.person = self.menu.addAction("")
        self.person.setEnabled(False)
        self.person.setVisible(False)
        self.header = self.menu.addAction("")
        self.header.setEnabled(False)
        self.status = self.menu.addAction("")
        self.status.setEnabled(False)
        self.menu.addSeparator()
        self.actions: dict[Action, QAction] = {}
        for action in Action:
            item = self.menu.addAction("")
            item.triggered.connect(self.on_action_triggered)
            self.actions[action] = item
        self.menu.addSeparator()
        self.open_web = self.menu.addAction(menu_text("open_web"))
        self.open_web.triggered.connect(asks.open_web_requested)
        self.refresh = self.menu.addAction(menu_text("refresh"))
        self.refresh.triggered.connect(asks.refresh_requested)
        self.settings = self.menu.addAction(menu_text("settings"))
        self.settings.triggered.connect(asks.settings_requested)
        self.sign_in = self.menu.addAction(menu_text("sign_in"))
        self.sign_in.triggered.connect(asks.sign_in_requested)
        self.sign_out = self.menu.addAction(menu_text("sign_out"))
        self.sign_out.triggered.connect(asks.sign_out_requested)
        self.log_folder = self.menu.addAction(menu_text("log_folder"))
        self.log_folder.triggered.connect(asks.log_folder_requested)
        self.menu.addSeparator()
        self.quit = self.menu.addAction(menu_text("quit"))
        self.quit.triggered.connect(asks.quit_requested)
        self.menu.aboutToShow.connect(self.on_menu_about_to_show)
        self.menu.aboutToHide.connect(self.menu_closed)
        self.menu_opening.connect(asks.looked_at)

        self.tray = QSystemTrayIcon(self)
        self.tray.setContextMenu(self.menu)
        self.tray.activated.connect(self.on_tray_activated)

    @property
    def requests(self) -> ViewRequests:
        return self._requests

    @property
    def menu_open(self) -> bool:
        return self.menu.isVisible()

    def show(self) -> None:
        self.tray.show()
        # Workaround: a tooltip set before show() can come up empty (Windows 11, some tray hosts),
        # so set it again once shown: https://github.com/ActivityWatch/aw-qt/issues/112 (fixed
        # there the same way); no QTBUG known.
        if self._display is not None:
            self.tray.setToolTip(self._display.tooltip)

    def hide(self) -> None:
        self.tray.hide()

    def show_display(self, display: TimerDisplay) -> None:
        """Show ``display``; unchanged parts are left alone so hosts are not flooded."""
        previous, self._display = self._display, display
        if previous is None or previous.icon != display.icon:
            self.tray.setIcon(self._icons.icon(display.icon))
        if previous is None or previous.tooltip != display.tooltip:
            self.tray.setToolTip(display.tooltip)
        show_timer_controls(self.header, self.status, self.actions, display)

    def show_person(self, text: str) -> None:
        """Who is signed in, and to which workspace; nothing when signed out."""
        show_line(self.person, text)

    def show_account(self, *, can_sign_in: bool, can_sign_out: bool, session: SessionState) -> None:
        show_account_controls(self.sign_in, self.sign_out, can_sign_in, can_sign_out, session)

    def icon(self) -> QIcon:
        return self.tray.icon()

    def rerender_icon(self) -> None:
        """Draw the icon again, e.g. after the panel's colour scheme changed."""
        if self._display is not None:
            self.tray.setIcon(self._icons.icon(self._display.icon))

    def notify(self, title: str, text: str, *, warning: bool = False) -> None:
        kind = (
            QSystemTrayIcon.MessageIcon.Warning
            if warning
            else QSystemTrayIcon.MessageIcon.Information
        )
        self.tray.showMessage(title, text, kind, 8000)

    @Slot()
    def on_action_triggered(self) -> None:
        action = action_of(self.sender(), self.actions)
        if action is not None:
            self._requests.action_requested.emit(action)

    @Slot()
    def on_menu_about_to_show(self) -> None:
        self.menu_opening.emit()

    def open_menu(self) -> None:
        """Open the menu by the icon (or, where the host does not say where it is, the mouse)."""
        geometry = self.tray.geometry()
        where = geometry.center() if geometry.isValid() else QCursor.pos()
        self.menu.popup(QPoint(where))

    @Slot(QSystemTrayIcon.ActivationReason)
    def on_tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            # A left click opens the same menu (the context menu only opens on a right click).
            self.open_menu()
