"""Builds the tray's stack and wires it to the process: the composition root.

:func:`prepare` is Qt-free and runs on a thread while the icon already shows (settings, keychain,
the awork client and awork's clock); :func:`start_tray` then assembles the app around the icon in
the GUI thread and connects it to the process (quit, uncaught errors, the single-instance socket,
logind's sleep and wake-up, the benchmark's marks) and, once a thread has opened them, to the
platform's presence adapters (screen lock, idle time). The entry points
(:mod:`tray_app.startup`) call these; nothing here imports them.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from tray_app.app import TrayApplication
from tray_app.awork.client import AworkClient, BearerToken
from tray_app.core.clock import ServerClock
from tray_app.core.settings import Settings, load_settings
from tray_app.core.timer import Clock
from tray_app.platform.sleep_watch import SleepWatch
from tray_app.ui.session import Account
from tray_app.urls import check_base_url

if TYPE_CHECKING:
    import ssl

    import httpx
    from PySide6.QtWidgets import QApplication

    from tray_app.platform.credentials import CredentialStore
    from tray_app.platform.presence import PlatformPresence
    from tray_app.platform.single_instance import SingleInstance
    from tray_app.sandbox import Sandbox
    from tray_app.ui.bench_marks import BenchMarks
    from tray_app.ui.icons import IconSet
    from tray_app.ui.tray import TrayIcon

log = logging.getLogger(__name__)


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
    token: str | None = None,
    demo: bool = False,
    sandbox_port: int = 0,
    tls: Callable[[], ssl.SSLContext] | None = None,
) -> Prepared:
    """Settings, keychain and the awork client for ``base_url`` (None: the settings' one), or,
    in the demo, for a sandbox. ``token`` is ``AWORK_TOKEN`` as the entry point took it out of
    the environment; ``tls`` gives the client's TLS context, made meanwhile.

    No Qt here: it runs on a thread while the GUI thread paints the icon.
    """
    settings = load_settings()
    # Checked again here, whoever called: plain http to another host would carry the token.
    base_url = check_base_url(base_url or settings.base_url)
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
        from tray_app.awork.sign_in import sign_in

        return sign_in(base_url, store(), open_browser=browser, announce=announce, cancel=cancel)

    def sign_out_here() -> str:
        from tray_app.awork.sign_in import sign_out

        return sign_out(base_url, store()).message

    account = Account(sign_in=sign_in_here, sign_out=sign_out_here)
    if demo:
        from tray_app.awork.sign_in import sign_in

        # Sign the demo in through the real OAuth flow, the sandbox approving by itself.
        sign_in(base_url, store(), open_browser=follow_redirects, announce=log.info, port=0)
    auth: httpx.Auth
    if token and not demo:
        # auth_for's first case, spelled here so that a start with AWORK_TOKEN loads no keyring.
        auth = BearerToken(token)
    else:
        from tray_app.awork.token_auth import auth_for

        auth = auth_for(base_url, store())
    server_clock = ServerClock()
    client = AworkClient(
        base_url,
        auth=auth,
        verify=tls() if tls is not None else True,
        on_server_date=server_clock.observe,
    )
    return Prepared(settings, client, server_clock.now, account, sandbox, messages)


def _start_presence() -> PlatformPresence | None:
    """The desktop's lock and idle adapters; a failure costs only the away features."""
    from tray_app.platform.presence import start_presence

    try:
        return start_presence()
    except Exception:
        log.exception("presence: could not start the adapters; away and reminders are off")
        return None


def start_tray(
    qt_app: QApplication,
    stack: Prepared,
    tray: TrayIcon,
    icons: IconSet,
    *,
    instance: SingleInstance | None = None,
    marks: BenchMarks | None = None,
    open_find: bool = False,
) -> TrayApplication:
    """Build the app around the icon already shown, wire it to the process, and start it.

    ``open_find`` (``awork-tray pick`` with no tray running): the app is handed the same
    ``pick`` request a running tray would get, once it is wired up.
    ``marks``, when the benchmark asked for them, watch what the app shows from now on.
    """
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
    sleep_watch = None
    if sys.platform.startswith("linux"):
        sleep_watch = SleepWatch(tray_app)
        sleep_watch.woke.connect(tray_app.controller.on_system_woke)
        sleep_watch.start()
    # The presence adapters open D-Bus and X connections (some 50 ms): on a thread of their
    # own, after the first poll is on its way, so the first state shows no later for them.
    starter = PresenceStarter(qt_app, tray_app, sleep_watch)
    threading.Thread(target=starter.run, name="awork-tray-presence", daemon=True).start()
    if marks is not None:
        marks.watch(tray_app.controller, tray_app.presenter)
    if open_find:
        from tray_app.platform.single_instance import PICK

        tray_app.on_instance_message(PICK)
    return tray_app


class PresenceStarter(QObject):
    """Opens the platform's presence adapters on a thread, then hands them to the app.

    Signals:
        ready(object): the ``PlatformPresence`` (or None without one), for the GUI thread.
    """

    ready = Signal(object)

    def __init__(
        self, qt_app: QApplication, tray_app: TrayApplication, sleep_watch: SleepWatch | None
    ) -> None:
        super().__init__(tray_app)
        self._qt_app = qt_app
        self._tray_app = tray_app
        self._sleep_watch = sleep_watch
        self.ready.connect(self.on_ready)

    def run(self) -> None:
        """On the presence thread: open the adapters; Qt queues the signal to the GUI thread."""
        self.ready.emit(_start_presence())

    @Slot(object)
    def on_ready(self, presence: PlatformPresence | None) -> None:
        if presence is None:
            return
        away = self._tray_app.watch_away(
            presence.tracker, lock_signals=presence.dbus, sleep=presence.tracker
        )
        self._qt_app.aboutToQuit.connect(presence.close)
        if self._sleep_watch is not None:
            # Sleep counts as away: the watch notes it in the tracker, then acts on it.
            self._sleep_watch.sleeping.connect(away.on_sleep_watch_sleeping)
            self._sleep_watch.woke.connect(away.on_sleep_watch_woke)


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
