"""The composition root of the tray: builds the objects, wires them, runs the event loop.

Nothing here talks to awork itself; it only decides which client, clock and settings the parts
get, so each part is tested alone and the whole is tested against the sandbox.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from tray_app import APP_NAME, __version__
from tray_app.awork.client import AworkClient, BearerToken
from tray_app.awork.models import UserAndWorkspace
from tray_app.core.settings import Settings, load_settings, save_settings
from tray_app.core.timer import Clock, utc_now
from tray_app.ui.controller import TimerController
from tray_app.ui.icons import IconSet, variant_for
from tray_app.ui.notifier import Notifier
from tray_app.ui.presenter import Presenter
from tray_app.ui.settings_dialog import SettingsDialog
from tray_app.ui.tray import TrayIcon
from tray_app.ui.window import StatusWindow

log = logging.getLogger(__name__)

EXIT_NO_DISPLAY = 5
# Desktops often start autostart apps before their panel; give the tray this long to appear.
TRAY_WAIT_MS = 10_000
TRAY_RETRY_MS = 500
FALLBACK_WEB_URL = "https://app.awork.com"


def open_in_browser(url: str) -> None:
    QDesktopServices.openUrl(QUrl(url))


class TrayApplication(QObject):
    """Owns the controller, the views and the notifier for one signed-in person."""

    def __init__(
        self,
        client: AworkClient,
        settings: Settings,
        *,
        clock: Clock = utc_now,
        open_url: Callable[[str], None] = open_in_browser,
        tray_wait_ms: int = TRAY_WAIT_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.settings = settings
        self._open_url = open_url
        self._tray_wait_left_ms = tray_wait_ms
        self.web_url = FALLBACK_WEB_URL
        hints = QGuiApplication.styleHints()
        self.icons = IconSet(variant_for(hints.colorScheme(), macos=sys.platform == "darwin"))
        hints.colorSchemeChanged.connect(self.on_style_hints_color_scheme_changed)

        self.controller = TimerController(
            client, poll_interval_s=settings.poll_interval_seconds, clock=clock, parent=self
        )
        self.presenter = Presenter(self.controller, clock, parent=self)
        self.tray = TrayIcon(self.icons, parent=self)
        self.window: StatusWindow | None = None
        self.notifier = Notifier(self._notify, settings.notifications, parent=self)
        self.controller.changed_elsewhere.connect(self.notifier.on_controller_changed_elsewhere)
        self.controller.action_failed.connect(self.notifier.on_controller_action_failed)
        self.controller.person_changed.connect(self.on_controller_person_changed)
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

    def shutdown(self) -> None:
        """Stop timers, finish calls under way, then let go of the network."""
        self._tray_timer.stop()
        self.presenter.tick.stop()
        self.tray.hide()
        self.controller.shutdown()
        self.client.close()

    def _connect_view(self, view: TrayIcon | StatusWindow) -> None:
        self.presenter.add_view(view)
        view.open_web_requested.connect(self.on_view_open_web_requested)
        view.settings_requested.connect(self.on_view_settings_requested)
        view.quit_requested.connect(self.on_view_quit_requested)

    def _show_tray_if_available(self) -> bool:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return False
        self.tray.show()
        log.info("tray icon shown")
        return True

    def _show_window(self) -> None:
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

    @Slot(object)
    def on_controller_person_changed(self, person: UserAndWorkspace) -> None:
        if person.workspace and person.workspace.url:
            self.web_url = person.workspace.url
        log.info("signed in as %s", person.display_name)

    @Slot()
    def on_view_open_web_requested(self) -> None:
        self._open_url(self.web_url)

    @Slot()
    def on_view_settings_requested(self) -> None:
        edited = SettingsDialog.edit(self.settings, self.window)
        if edited is None or edited == self.settings:
            return
        try:
            save_settings(edited)
        except OSError as exc:
            log.error("could not save settings: %s", exc)
            self._notify("Settings not saved", f"Could not write the settings file: {exc}", True)
            return
        self.settings = edited
        self.controller.poll_interval_s = edited.poll_interval_seconds
        self.notifier.settings = edited.notifications
        log.info("settings saved")

    @Slot()
    def on_view_quit_requested(self) -> None:
        QApplication.quit()

    @Slot(Qt.ColorScheme)
    def on_style_hints_color_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self.icons.set_variant(variant_for(scheme, macos=sys.platform == "darwin")):
            self.tray.rerender_icon()
            self.presenter.update()


def has_display() -> bool:
    """Whether Qt can open a display here, asked before Qt is started (it aborts otherwise)."""
    if not sys.platform.startswith("linux"):
        return True
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith(("xcb", "wayland")):
        return True  # offscreen, vnc, eglfs...: no desktop session needed
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_tray(*, base_url: str, demo: bool = False, sandbox_port: int = 0) -> int:
    """Run the tray until Quit; returns the process's exit code."""
    if not has_display():
        print(
            "awork-tray: no display found (DISPLAY and WAYLAND_DISPLAY are unset); the tray needs "
            "a desktop session. 'awork-tray status' works without one.",
            file=sys.stderr,
        )
        return EXIT_NO_DISPLAY
    # A fixed argv[0] gives the same X11 WM_CLASS however the app was started.
    qt_app = QApplication(["awork-tray"])
    qt_app.setApplicationName(APP_NAME)
    qt_app.setApplicationVersion(__version__)
    qt_app.setDesktopFileName("awork-tray")
    qt_app.setQuitOnLastWindowClosed(False)

    settings = load_settings()
    sandbox = None
    token: str | None
    if demo:
        from tray_app.sandbox import Sandbox

        sandbox = Sandbox(port=sandbox_port).start()
        base_url, token = sandbox.url, sandbox.token
        # The sandbox's token is a throwaway of this run, printed so scripts can drive it too.
        print(f"awork sandbox running at {sandbox.url} (access token: {sandbox.token})", flush=True)
    else:
        token = os.environ.get("AWORK_TOKEN")
    from tray_app import logs

    logs.register_secret(token)
    client = AworkClient(base_url, auth=BearerToken(lambda: token))
    tray_app = TrayApplication(client, settings)
    qt_app.aboutToQuit.connect(tray_app.shutdown)
    _quit_on_signals(qt_app)
    tray_app.start()
    try:
        return qt_app.exec()
    finally:
        if sandbox is not None:
            sandbox.stop()


def _quit_on_signals(qt_app: QApplication) -> None:
    """Quit cleanly on SIGTERM and Ctrl+C; Qt's loop only lets Python see them when it wakes."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: qt_app.quit())
    waker = QTimer(qt_app)
    waker.timeout.connect(lambda: None)
    waker.start(500)
