"""The composition root of the tray: builds the objects, wires them, runs the event loop.

Nothing here talks to awork itself; it only decides which client, clock and settings the parts
get, so each part is tested alone and the whole is tested against the sandbox.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from tray_app import logs
from tray_app.awork.client import AworkClient, BearerToken
from tray_app.awork.models import UserAndWorkspace
from tray_app.core.clock import ServerClock
from tray_app.core.settings import Settings, load_settings, save_settings
from tray_app.core.timer import Clock, utc_now
from tray_app.core.translation import fill
from tray_app.platform.sleep_watch import SleepWatch
from tray_app.ui.controller import TimerController
from tray_app.ui.icons import IconSet, variant_for
from tray_app.ui.notifier import Notifier
from tray_app.ui.presenter import Presenter
from tray_app.ui.single_instance import SHOW, SingleInstance
from tray_app.ui.tray import TrayIcon
from tray_app.ui.view_model import Connection
from tray_app.ui.worker import Outcome, Worker

if TYPE_CHECKING:
    import ssl

    import httpx

    from tray_app.platform.credentials import CredentialStore
    from tray_app.sandbox import Sandbox
    from tray_app.ui.window import StatusWindow

log = logging.getLogger(__name__)

# Desktops often start autostart apps before their panel; give the tray this long to appear.
TRAY_WAIT_MS = 10_000
TRAY_RETRY_MS = 500
FALLBACK_WEB_URL = "https://app.awork.com"


def open_in_browser(url: str) -> None:
    QDesktopServices.openUrl(QUrl(url))


@dataclass(frozen=True)
class Account:
    """How the tray signs the person in and out; both block, so they run off the GUI thread.

    ``sign_in(cancel)`` returns when the browser came back (or raises an awork error);
    ``sign_out()`` returns the line to show.
    """

    sign_in: Callable[[threading.Event], object]
    sign_out: Callable[[], str]


SIGN_IN = "sign-in"
SIGN_OUT = "sign-out"


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
        self._session = Worker(self, max_threads=1)
        self._session.finished.connect(self.on_session_finished)
        self._cancel_sign_in = threading.Event()
        self._session_busy: str | None = None
        self._person_line = ""
        self._reported_unexpected = False
        self._signed_out = False
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
        self.notifier = Notifier(self._notify, settings.notifications, parent=self)
        self.controller.changed_elsewhere.connect(self.notifier.on_controller_changed_elsewhere)
        self.controller.action_failed.connect(self.notifier.on_controller_action_failed)
        self.controller.connection_lost.connect(self.notifier.on_controller_connection_lost)
        self.controller.connection_back.connect(self.notifier.on_controller_connection_back)
        self.controller.person_changed.connect(self.on_controller_person_changed)
        self.controller.connection_changed.connect(self.on_controller_connection_changed)
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
        self._cancel_sign_in.set()
        self._session.shutdown()
        self._tray_timer.stop()
        self.presenter.tick.stop()
        self.tray.hide()
        self.controller.shutdown()
        self.client.close()

    def _connect_view(self, view: TrayIcon | StatusWindow) -> None:
        self.presenter.add_view(view)
        view.open_web_requested.connect(self.on_view_open_web_requested)
        view.settings_requested.connect(self.on_view_settings_requested)
        view.sign_in_requested.connect(self.on_view_sign_in_requested)
        view.sign_out_requested.connect(self.on_view_sign_out_requested)
        view.log_folder_requested.connect(self.on_view_log_folder_requested)
        view.show_person(self._person_line)
        self._show_account_items()
        view.quit_requested.connect(self.on_view_quit_requested)

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
                busy=self._session_busy,
            )

    def _views(self) -> list[TrayIcon | StatusWindow]:
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

    @Slot(str)
    def on_controller_connection_changed(self, connection: str) -> None:
        was_signed_out, self._signed_out = self._signed_out, connection == Connection.SIGNED_OUT
        if self._signed_out and not was_signed_out:
            self._person_line = ""
            for view in self._views():
                view.show_person("")
            if self._session_busy != SIGN_OUT:
                # awork ended the sign-in (a refused refresh): say it once, keep everything else.
                self._notify(
                    self.tr("Signed out of awork"),
                    self.tr("Choose Sign in from the awork Tray menu to go on."),
                    True,
                )
        self._show_account_items()

    @Slot()
    def on_view_sign_in_requested(self) -> None:
        if self.account is None or self._session_busy:
            return
        self._cancel_sign_in.clear()
        self._session_busy = SIGN_IN
        self._session.submit(SIGN_IN, self._sign_in)
        self._show_account_items()

    def _sign_in(self) -> object:
        assert self.account is not None
        return self.account.sign_in(self._cancel_sign_in)

    @Slot()
    def on_view_sign_out_requested(self) -> None:
        if self.account is None or self._session_busy:
            return
        self._session_busy = SIGN_OUT
        self.controller.pause_polling()
        self._session.submit(SIGN_OUT, self.account.sign_out)
        self._show_account_items()

    @Slot(object)
    def on_session_finished(self, outcome: Outcome) -> None:
        if outcome.job == SIGN_IN:
            self._session_busy = None
            if outcome.error is not None:
                self._notify(self.tr("Sign-in failed"), str(outcome.error), True)
            else:
                self.controller.signed_in()
        else:
            # Still "signing out" while the controller goes quiet: the person chose this, so
            # it is not announced as awork ending the sign-in.
            self.controller.signed_out()
            self._session_busy = None
            if outcome.error is not None:
                self._notify(self.tr("Sign-out"), str(outcome.error), True)
            else:
                self._notify(self.tr("Signed out"), str(outcome.value), False)
        self._show_account_items()

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
        # window refuses (it minimises instead), so Quit and SIGTERM did nothing there.
        QApplication.exit(0)

    @Slot(Qt.ColorScheme)
    def on_style_hints_color_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self.icons.set_variant(variant_for(scheme, macos=sys.platform == "darwin")):
            self.tray.rerender_icon()
            self.presenter.update()


@dataclass
class Prepared:
    """What the tray needs from outside Qt, made on a thread while the icon already shows."""

    settings: Settings
    client: AworkClient
    clock: Clock
    account: Account
    sandbox: Sandbox | None
    # Worker threads report keychain and sign-in lines through the app, once it exists.
    messages: list[TrayApplication]


def prepare(
    base_url: str | None,
    *,
    demo: bool = False,
    sandbox_port: int = 0,
    tls: Callable[[], ssl.SSLContext] | None = None,
) -> Prepared:
    """Settings, keychain and the awork client for ``base_url`` (None: the settings' one), or,
    in the demo, for a sandbox. ``tls`` gives the client's TLS context, made meanwhile.

    No Qt here: it runs on a thread while the GUI thread paints the icon.
    """
    from tray_app.cli import TOKEN_ENV, configured_base_url

    settings = load_settings()
    base_url = base_url or configured_base_url()
    sandbox = None
    if demo:
        from tray_app.sandbox import Sandbox

        sandbox = Sandbox(port=sandbox_port).start()
        base_url = sandbox.url
        # The sandbox's token is a throwaway of this run, printed so scripts can drive it too.
        print(f"awork sandbox running at {sandbox.url} (access token: {sandbox.token})", flush=True)
    messages: list[TrayApplication] = []

    # These run on worker threads once the tray exists (nothing reads the keychain before):
    # the signal carries their line to the GUI thread.
    def warn(line: str) -> None:
        for tray_app in messages:
            tray_app.message.emit(tray_app.tr("Keychain"), line, True)

    def announce(url: str) -> None:
        for tray_app in messages:
            tray_app.message.emit(tray_app.tr("Open this page to sign in"), url, False)

    def browser(url: str) -> bool:
        import webbrowser

        return webbrowser.open(url)

    # The keychain only once a sign-in needs it: keyring takes some 35 ms to import, which
    # AWORK_TOKEN never needs. The demo must not touch the person's keychain at all.
    stores: list[CredentialStore] = []

    def store() -> CredentialStore:
        if not stores:
            from tray_app.platform.credentials import CredentialStore, MemoryKeyring

            stores.append(CredentialStore(backend=MemoryKeyring() if demo else None, warn=warn))
        return stores[0]

    def sign_in_here(cancel: threading.Event) -> object:
        from tray_app.awork.auth import sign_in

        return sign_in(base_url, store(), open_browser=browser, announce=announce, cancel=cancel)

    def sign_out_here() -> str:
        from tray_app.awork.auth import sign_out

        return sign_out(base_url, store()).message

    account = Account(sign_in=sign_in_here, sign_out=sign_out_here)
    if demo:
        from tray_app.awork.auth import sign_in

        # Sign the demo in through the real OAuth flow, the sandbox approving by itself.
        sign_in(base_url, store(), open_browser=follow_redirects, announce=log.info, port=0)
    token = None if demo else os.environ.get(TOKEN_ENV)
    auth: httpx.Auth
    if token:
        logs.register_secret(token)
        auth = BearerToken(token)
    else:
        from tray_app.awork.auth import auth_for

        auth = auth_for(base_url, store(), environ={} if demo else dict(os.environ))
    server_clock = ServerClock()
    client = AworkClient(
        base_url,
        auth=auth,
        verify=tls() if tls is not None else True,
        on_server_date=server_clock.observe,
    )
    return Prepared(settings, client, server_clock.now, account, sandbox, messages)


def start_tray(
    qt_app: QApplication,
    stack: Prepared,
    tray: TrayIcon,
    icons: IconSet,
    *,
    instance: SingleInstance | None = None,
) -> TrayApplication:
    """Build the app around the icon already shown, wire it to the process, and start it."""
    tray_app = TrayApplication(
        stack.client,
        stack.settings,
        account=stack.account,
        clock=stack.clock,
        tray=tray,
        icons=icons,
        parent=qt_app,
    )
    stack.messages.append(tray_app)
    qt_app.aboutToQuit.connect(tray_app.shutdown)
    _report_unexpected_errors(tray_app)
    tray_app.start()  # first of all: awork answers while the rest is wired up
    if instance is not None:
        instance.message_received.connect(tray_app.on_instance_message)
        instance.listen()
    if sys.platform.startswith("linux"):
        sleep_watch = SleepWatch(tray_app)
        sleep_watch.woke.connect(tray_app.controller.on_system_woke)
        sleep_watch.start()
    if os.environ.get("AWORK_TRAY_BENCH_MARKS"):  # timestamps for bench/run.py (bench/README.md)
        from tray_app.ui.bench_marks import BenchMarks

        marks = qt_app.findChild(BenchMarks) or BenchMarks(qt_app)
        marks.watch(tray_app)
    return tray_app


def _report_unexpected_errors(tray_app: TrayApplication) -> None:
    """An exception nobody caught, in a slot or a thread, is logged and shown once; the app lives.

    PySide hands an exception raised in a slot to ``sys.excepthook``; threads use their own hook.
    """
    sys.excepthook = lambda kind, error, trace: tray_app.report_unexpected(error)
    threading.excepthook = lambda hook_args: tray_app.report_unexpected(hook_args.exc_value)


def follow_redirects(url: str) -> bool:
    """The demo's stand-in browser: follows the sandbox's redirects to our listener."""
    import httpx

    with httpx.Client(follow_redirects=True, timeout=10) as browser:
        return browser.get(url).is_success
