"""The tray's start: Qt, the single-instance check and the icon first, the network stack after.

Nothing imported here loads httpx, pydantic or keyring (about 250 ms together): the icon shows
as soon as a bare Qt tray's would, a thread then imports the rest and prepares the awork client,
settings and keychain, and the GUI thread assembles the app from them
(:mod:`tray_app.composition`).
Qt keeps painting meanwhile, so the icon never sits blank while Python imports.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSocketNotifier, Signal, Slot
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from tray_app import __version__, logs
from tray_app.config import APP_ID, APP_NAME, BENCH_MARKS_ENV
from tray_app.core.timer import utc_now
from tray_app.platform.single_instance import PICK, SHOW, SingleInstance
from tray_app.ui.i18n import install_translations
from tray_app.ui.icons import IconSet, variant_for
from tray_app.ui.tray import TrayIcon
from tray_app.ui.view_model import Connection, present

if TYPE_CHECKING:
    import ssl

    from tray_app.app import TrayApplication
    from tray_app.composition import Prepared
    from tray_app.ui.bench_marks import BenchMarks

log = logging.getLogger(__name__)

EXIT_NO_DISPLAY = 5


def has_display() -> bool:
    """Whether Qt can open a display here, asked before Qt is started (it aborts otherwise)."""
    if not sys.platform.startswith("linux"):
        return True
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith(("xcb", "wayland")):
        return True  # offscreen, vnc, eglfs...: no desktop session needed
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class Starter(QObject):
    """Prepares the app on a thread, then assembles and starts it in the GUI thread.

    Signals:
        prepared(object): the :class:`~tray_app.composition.Prepared` stack, or the exception that
            stopped it (emitted from the thread, delivered in the GUI thread).
    """

    prepared = Signal(object)

    def __init__(
        self,
        qt_app: QApplication,
        tray: TrayIcon,
        icons: IconSet,
        *,
        base_url: str | None,
        token: str | None,
        demo: bool,
        sandbox_port: int,
        verbose: bool,
        instance: SingleInstance | None,
        marks: BenchMarks | None = None,
        open_find: bool = False,
    ) -> None:
        super().__init__()
        self._qt_app = qt_app
        self._tray = tray
        self._icons = icons
        self._args = (base_url, demo, sandbox_port)
        self._token = token
        self._marks = marks
        self._verbose = verbose
        self._instance = instance
        self._open_find = open_find
        self.stack: Prepared | None = None
        self.tray_app: TrayApplication | None = None
        self.prepared.connect(self.on_prepared)

    def start(self) -> None:
        threading.Thread(target=self._prepare, name="awork-tray-start", daemon=True).start()

    def _prepare(self) -> None:
        # OpenSSL reads the CA certificates (~50 ms) without holding the GIL: on a thread of its
        # own, that overlaps the imports below instead of following them.
        from concurrent.futures import ThreadPoolExecutor  # after the icon: some 3 ms

        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="awork-tray-tls")
        tls = pool.submit(_tls_context)
        pool.shutdown(wait=False)  # the one task still runs; the thread ends after it
        logs.configure(verbose=self._verbose)  # the records held since the start go in first
        try:
            from tray_app.composition import prepare

            base_url, demo, sandbox_port = self._args
            outcome: object = prepare(
                base_url, token=self._token, demo=demo, sandbox_port=sandbox_port, tls=tls.result
            )
        except Exception as exc:  # an awork error (the demo's sign-in), or a bug: said below
            outcome = exc
        self.prepared.emit(outcome)

    @Slot(object)
    def on_prepared(self, outcome: object) -> None:
        from tray_app.composition import Prepared, start_tray

        if not isinstance(outcome, Prepared):
            print(f"{APP_ID}: {outcome}", file=sys.stderr)
            self._qt_app.exit(1)
            return
        self.stack = outcome
        self.tray_app = start_tray(
            self._qt_app,
            outcome,
            self._tray,
            self._icons,
            instance=self._instance,
            marks=self._marks,
            open_find=self._open_find,
        )

    def stop(self) -> None:
        if self.stack is not None and self.stack.sandbox is not None:
            self.stack.sandbox.stop()


def _tls_context() -> ssl.SSLContext:
    """The TLS context httpx would make for the client itself."""
    import httpx

    return httpx.create_ssl_context()


def run_tray(
    *,
    base_url: str | None,
    token: str | None = None,
    demo: bool = False,
    sandbox_port: int = 0,
    verbose: bool = False,
    open_find: bool = False,
) -> int:
    """Run the tray until Quit; returns the process's exit code.

    ``open_find``: ``awork-tray pick``: the running tray is asked to open its find window, or
    this one opens it once it is up.
    ``base_url`` None: the one in the settings, read after the icon shows. The log file is
    attached then too (:func:`tray_app.logs.hold` keeps what is logged before). ``token``:
    ``AWORK_TOKEN``, already taken out of the environment (:func:`tray_app.config.take_token`).
    """
    if not has_display():
        print(
            f"{APP_ID}: no display found (DISPLAY and WAYLAND_DISPLAY are unset); the tray needs "
            "a desktop session. 'awork-tray status' works without one.",
            file=sys.stderr,
        )
        return EXIT_NO_DISPLAY
    # A fixed argv[0] gives the same X11 WM_CLASS however the app was started.
    qt_app = QApplication([APP_ID])
    qt_app.setApplicationName(APP_NAME)
    qt_app.setApplicationVersion(__version__)
    qt_app.setDesktopFileName(APP_ID)
    qt_app.setQuitOnLastWindowClosed(False)
    # First of all, so a logout during start-up also ends the app cleanly.
    _quit_on_signals(qt_app)
    install_translations(qt_app)

    instance = None
    if not demo:  # the demo is a throwaway beside any real tray
        instance = SingleInstance()
        if not instance.acquire():
            shown = instance.send(PICK if open_find else SHOW)
            logs.configure(verbose=verbose)  # what was held (e.g. no answer) goes to the file
            doing = "; opening its find window." if open_find else "; showing it."
            print("awork Tray is already running" + (doing if shown else "."))
            return 0
    # The panel's colour scheme is asked once the icon shows (tray_app.app).
    icons = IconSet(variant_for(None, macos=sys.platform == "darwin"))
    tray = TrayIcon(icons)
    tray.show_display(present(None, Connection.CONNECTING, frozenset(), utc_now()))
    if QSystemTrayIcon.isSystemTrayAvailable():
        tray.show()  # otherwise the app waits for a tray, and then falls back to a window
    marks = None
    if os.environ.get(BENCH_MARKS_ENV):  # timestamps for bench/run.py (bench/README.md)
        from tray_app.ui.bench_marks import BenchMarks

        marks = BenchMarks(qt_app, stalls=os.environ[BENCH_MARKS_ENV] == "stalls")
        marks.icon_shown()
    starter = Starter(
        qt_app,
        tray,
        icons,
        base_url=base_url,
        token=token,
        marks=marks,
        demo=demo,
        sandbox_port=sandbox_port,
        verbose=verbose,
        instance=instance,
        open_find=open_find,
    )
    starter.start()
    try:
        return qt_app.exec()
    finally:
        starter.stop()
        if instance is not None:
            instance.release()


def _quit_on_signals(qt_app: QApplication) -> None:
    """Quit cleanly on SIGTERM (logout, system shutdown) and Ctrl+C.

    Python runs signal handlers only between bytecodes, and Qt's loop may sleep for minutes: the
    signal's wake-up byte on a pipe makes Qt wake up and give Python that chance.
    """
    read_fd, write_fd, drain = _wake_up_channel()
    signal.set_wakeup_fd(write_fd)
    notifier = QSocketNotifier(read_fd, QSocketNotifier.Type.Read, qt_app)
    notifier.activated.connect(drain)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: qt_app.exit(0))  # exit, not quit: see app.py


def _wake_up_channel() -> tuple[int, int, Callable[[], object]]:
    """A non-blocking channel for signal wake-up bytes: its two ends and how to empty it.

    A pipe, but on Windows, where set_wakeup_fd and QSocketNotifier take only sockets (as
    Python's signal.set_wakeup_fd documents: https://docs.python.org/3/library/signal.html). (Not
    sockets everywhere: the socket module costs some 5 ms before the icon shows.)
    """
    if sys.platform == "win32":
        import socket

        receiver, sender = socket.socketpair()
        receiver.setblocking(False)
        sender.setblocking(False)
        _wake_up_ends.extend((receiver, sender))  # they must live as long as the app does
        return receiver.fileno(), sender.fileno(), lambda: receiver.recv(64)
    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    os.set_blocking(write_fd, False)
    return read_fd, write_fd, lambda: os.read(read_fd, 64)


_wake_up_ends: list[object] = []
