"""The tray application: the controller, the views and the notifier for one person, wired.

Nothing here talks to awork itself; it is handed the client, clock and settings it uses
(:mod:`tray_app.composition` builds them), so each part is tested alone and the whole is tested
against the sandbox.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from tray_app import logs
from tray_app.awork.client import AworkClient
from tray_app.awork.models import UserAndWorkspace
from tray_app.core.actions import Action
from tray_app.core.settings import Settings, save_settings
from tray_app.core.sync import Connection
from tray_app.core.timer import Clock, utc_now
from tray_app.core.translation import fill
from tray_app.platform.single_instance import SHOW
from tray_app.ui.controller import TimerController
from tray_app.ui.icons import IconSet, variant_for
from tray_app.ui.notifier import Notifier
from tray_app.ui.presenter import Presenter
from tray_app.ui.session import Account, Session, SessionState
from tray_app.ui.tray import TrayIcon
from tray_app.ui.view import View, connect_requests

if TYPE_CHECKING:
    from tray_app.core.presence import PresenceSource
    from tray_app.ui.away import AwayWatch, LockSignals, SleepNotes
    from tray_app.ui.window import StatusWindow

log = logging.getLogger(__name__)

# Desktops often start autostart apps before their panel; give the tray this long to appear.
TRAY_WAIT_MS = 10_000
TRAY_RETRY_MS = 500
FALLBACK_WEB_URL = "https://app.awork.com"


def open_in_browser(url: str) -> None:
    QDesktopServices.openUrl(QUrl(url))


class TrayApplication(QObject):
    """Owns the controller, the views and the notifier for one signed-in person.

    Signals:
        message(str, str, bool): a line to show from another thread (title, text, warning).
    """

    message = Signal(str, str, bool)

    def __init__(
        self,
        client: AworkClient,
        settings: Settings,
        *,
        account: Account | None = None,
        clock: Clock = utc_now,
        open_url: Callable[[str], None] = open_in_browser,
        tray_wait_ms: int = TRAY_WAIT_MS,
        tray: TrayIcon | None = None,
        icons: IconSet | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.settings = settings
        self.account = account
        self._person_line = ""
        self._reported_unexpected = False
        self.message.connect(self.on_message)
        self._open_url = open_url
        self._tray_wait_left_ms = tray_wait_ms
        self.web_url = FALLBACK_WEB_URL
        hints = QGuiApplication.styleHints()
        variant = variant_for(hints.colorScheme(), macos=sys.platform == "darwin")
        # The start shows the icon before this app exists, without asking for the colour scheme
        # (tray_app.startup): take the icons over, in the scheme's variant.
        self.icons = icons or IconSet(variant)
        recoloured = self.icons.set_variant(variant)
        hints.colorSchemeChanged.connect(self.on_style_hints_color_scheme_changed)

        self.controller = TimerController(
            client, poll_interval_s=settings.poll_interval_seconds, parent=self
        )
        self.presenter = Presenter(self.controller, clock, parent=self)
        self.tray = tray or TrayIcon(self.icons)
        self.tray.setParent(self)
        if recoloured:
            self.tray.rerender_icon()
        self.window: StatusWindow | None = None
        self.away: AwayWatch | None = None
        self.notifier = Notifier(self._notify, settings.notifications, parent=self)
        self.controller.changed_elsewhere.connect(self.notifier.on_controller_changed_elsewhere)
        self.controller.action_failed.connect(self.notifier.on_controller_action_failed)
        self.controller.connection_lost.connect(self.notifier.on_controller_connection_lost)
        self.controller.connection_back.connect(self.notifier.on_controller_connection_back)
        self.controller.person_changed.connect(self.on_controller_person_changed)
        self.controller.connection_changed.connect(self.on_controller_connection_changed)
        self.session = Session(account, self.controller, parent=self)
        self.session.state_changed.connect(self.on_session_state_changed)
        self.session.ended_by_awork.connect(self.on_session_ended_by_awork)
        self.session.sign_in_failed.connect(self.on_session_sign_in_failed)
        self.session.signed_out.connect(self.on_session_signed_out)
        self.session.sign_out_failed.connect(self.on_session_sign_out_failed)
        self._connect_view(self.tray)
        self._tray_timer = QTimer(self)
        self._tray_timer.setInterval(TRAY_RETRY_MS)
        self._tray_timer.timeout.connect(self.on_tray_timer_timeout)

    def start(self) -> None:
        """Show the icon (or, after waiting for a tray, the window) and start talking to awork."""
        self.controller.start()
        if not self._show_tray_if_available():
            log.info("no system tray yet; waiting up to %d ms", self._tray_wait_left_ms)
            self._tray_timer.start()

    def watch_away(
        self,
        presence: PresenceSource,
        *,
        lock_signals: LockSignals | None = None,
        sleep: SleepNotes | None = None,
        **options: object,
    ) -> AwayWatch:
        """Act on the away and reminder settings from now on, reading ``presence`` (the
        platform's, handed in by the composition root; a fake in tests)."""
        from tray_app.ui.away import AwayWatch  # after the icon, with the presence adapters

        self.away = AwayWatch(
            self.controller,
            self.client,
            presence,
            away=self.settings.away,
            reminders=self.settings.reminders,
            notify=self._notify,
            lock_signals=lock_signals,
            sleep=sleep,
            parent=self,
            **options,  # type: ignore[arg-type]
        )
        self.away.start()
        return self.away

    def shutdown(self) -> None:
        """Stop timers, finish calls under way, then let go of the network."""
        if self.away is not None:
            self.away.stop()
        self.session.shutdown()
        self._tray_timer.stop()
        self.presenter.tick.stop()
        self.tray.hide()
        self.controller.shutdown()
        self.client.close()

    @property
    def _session_busy(self) -> SessionState | None:
        """The sign-in or sign-out under way, if any (the stateful test prints it)."""
        return self.session.state if self.session.state.busy else None

    def _connect_view(self, view: View) -> None:
        self.presenter.add_view(view)
        connect_requests(view.requests, self)
        view.show_person(self._person_line)
        self._show_account_items()

    def _show_tray_if_available(self) -> bool:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return False
        self.tray.show()
        log.info("tray icon shown")
        return True

    def _show_window(self) -> None:
        from tray_app.ui.window import StatusWindow

        log.warning("no system tray on this desktop; showing a window instead")
        self.window = StatusWindow(self.icons)
        self._connect_view(self.window)
        self.window.show()

    def _notify(self, title: str, text: str, warning: bool) -> None:
        if self.window is not None:
            self.window.notify(title, text, warning=warning)
        else:
            self.tray.notify(title, text, warning=warning)

    @Slot()
    def on_tray_timer_timeout(self) -> None:
        self._tray_wait_left_ms -= TRAY_RETRY_MS
        if self._show_tray_if_available():
            self._tray_timer.stop()
        elif self._tray_wait_left_ms <= 0:
            self._tray_timer.stop()
            self._show_window()

    def _show_account_items(self) -> None:
        signed_out = self.controller.connection is Connection.SIGNED_OUT
        for view in self._views():
            view.show_account(
                can_sign_in=self.account is not None and signed_out,
                can_sign_out=self.account is not None and not signed_out,
                session=self.session.state,
            )

    def _views(self) -> list[View]:
        return [self.tray] if self.window is None else [self.tray, self.window]

    @Slot(object)
    def on_controller_person_changed(self, person: UserAndWorkspace) -> None:
        if person.workspace and person.workspace.url:
            self.web_url = person.workspace.url
        workspace = person.workspace.name if person.workspace else None
        self._person_line = (
            f"{person.display_name} · {workspace}" if workspace else person.display_name
        )
        for view in self._views():
            view.show_person(self._person_line)
        log.info("signed in as %s", person.display_name)

    @Slot(object)
    def on_controller_connection_changed(self, connection: Connection) -> None:
        if connection is Connection.SIGNED_OUT and self._person_line:
            self._person_line = ""
            for view in self._views():
                view.show_person("")
        self._show_account_items()

    @Slot(object)
    def on_session_state_changed(self, state: SessionState) -> None:
        self._show_account_items()

    @Slot()
    def on_session_ended_by_awork(self) -> None:
        # awork ended the sign-in (a refused refresh): say it once, keep everything else.
        self._notify(
            self.tr("Signed out of awork"),
            self.tr("Choose Sign in from the awork Tray menu to go on."),
            True,
        )

    @Slot(str)
    def on_session_sign_in_failed(self, line: str) -> None:
        self._notify(self.tr("Sign-in failed"), line, True)

    @Slot(str)
    def on_session_signed_out(self, line: str) -> None:
        self._notify(self.tr("Signed out"), line, False)

    @Slot(str)
    def on_session_sign_out_failed(self, line: str) -> None:
        self._notify(self.tr("Sign-out"), line, True)

    @Slot()
    def on_view_sign_in_requested(self) -> None:
        self.session.sign_in()

    @Slot()
    def on_view_sign_out_requested(self) -> None:
        self.session.sign_out()

    @Slot(object)
    def on_view_action_requested(self, action: Action) -> None:
        self.controller.request(action)

    @Slot()
    def on_view_refresh_requested(self) -> None:
        self.controller.poll_now()

    @Slot()
    def on_view_looked_at(self) -> None:
        if self.away is not None:
            # Opening the menu is input: a person counted away is back now, not at the next tick,
            # so this very look polls.
            self.away.tick()
        self.controller.poll_if_stale()
        self.presenter.update()

    @Slot(str, str, bool)
    def on_message(self, title: str, text: str, warning: bool) -> None:
        self._notify(title, text, warning)

    @Slot()
    def on_view_open_web_requested(self) -> None:
        self._open_url(self.web_url)

    @Slot()
    def on_view_settings_requested(self) -> None:
        # Loaded when first asked for, not before the first state shows (some 7 ms).
        from tray_app.platform.autostart import is_start_at_login, set_start_at_login
        from tray_app.ui.settings_dialog import SettingsDialog

        shown = self.settings.model_copy(update={"start_at_login": is_start_at_login()})
        edited = SettingsDialog.edit(shown, self.window)
        if edited is None or edited == shown:
            return
        try:
            if edited.start_at_login != shown.start_at_login:
                set_start_at_login(edited.start_at_login)
            save_settings(edited)
        except OSError as exc:
            log.error("could not save settings: %s", exc)
            self._notify(
                self.tr("Settings not saved"),
                fill(self.tr("Could not write the settings file: %1"), str(exc)),
                True,
            )
            return
        self.settings = edited
        self.controller.poll_interval_s = edited.poll_interval_seconds
        self.notifier.settings = edited.notifications
        if self.away is not None:
            self.away.update_settings(edited.away, edited.reminders)
        log.info("settings saved")

    @Slot()
    def on_view_log_folder_requested(self) -> None:
        folder = logs.log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        self._open_url(QUrl.fromLocalFile(str(folder)).toString())

    @Slot(str)
    def on_instance_message(self, message: str) -> None:
        """A later start of awork-tray asked to be shown: open the menu, or raise the window."""
        if message != SHOW:
            return
        if self.window is not None:
            self.window.showNormal()
            self.window.raise_()
            self.window.activateWindow()
        else:
            self.tray.open_menu()

    def report_unexpected(self, error: BaseException | None) -> None:
        """Log an error nobody caught and say so once; the app keeps running."""
        log.critical("unexpected error", exc_info=error)
        if not self._reported_unexpected:
            self._reported_unexpected = True
            self._notify(
                self.tr("awork Tray hit a problem"),
                self.tr("It keeps running; the details are in the log (menu: Open log folder)."),
                True,
            )

    @Slot()
    def on_view_quit_requested(self) -> None:
        # exit(), not quit(): since Qt 6 quit() first asks the windows to close, and the fallback
        # window refuses (it minimises instead), so Quit and SIGTERM did nothing there. Qt's own
        # behaviour, no bug: https://doc.qt.io/qt-6/qcoreapplication.html#quit
        QApplication.exit(0)

    @Slot(Qt.ColorScheme)
    def on_style_hints_color_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self.icons.set_variant(variant_for(scheme, macos=sys.platform == "darwin")):
            self.tray.rerender_icon()
            self.presenter.update()
