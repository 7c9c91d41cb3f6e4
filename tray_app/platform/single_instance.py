"""One tray per person: a later start hands its request to the running one and exits.

A lock file says who runs (Qt checks that its process still lives, so a crash leaves no stale
lock behind), and a local socket carries the later start's request ("show") to the running one.
Both live in a folder only the person can enter: a socket in the shared /tmp could be taken or
flooded by anyone on the machine.
"""

from __future__ import annotations

import getpass
import logging
import os
import re
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QDeadlineTimer,
    QLockFile,
    QObject,
    QThread,
    QTimer,
    Signal,
    Slot,
)

from tray_app.config import APP_ID
from tray_app.platform.runtime_folder import private_folder, runtime_folder

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

SHOW = "show"
PICK = "pick"  # awork-tray pick: open the find window
_KNOWN_MESSAGES = frozenset({SHOW, PICK})
_SEND_TIMEOUT_MS = 2000
_RETRY_MS = 50
# "show" is four bytes: a longer line is not from us, and is not kept in memory.
MAX_LINE_BYTES = 64
# A later start writes its line at once and goes; a connection that stays silent is closed.
IDLE_TIMEOUT_MS = 5000


def instance_key() -> str:
    """A name that is the same for every start by this person, and differs between people."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    return f"{APP_ID}-" + re.sub(r"[^A-Za-z0-9_.-]", "_", user)


class SingleInstance(QObject):
    """Holds the per-person lock and listens for later starts.

    Signals:
        message_received(str): a later start asked for something known (e.g. "show").
    """

    message_received = Signal(str)

    def __init__(
        self,
        key: str | None = None,
        parent: QObject | None = None,
        *,
        idle_timeout_ms: int = IDLE_TIMEOUT_MS,
    ) -> None:
        super().__init__(parent)
        self.key = key or instance_key()
        self.folder = runtime_folder()
        # Windows: a named pipe (\\.\pipe\<key>), which takes no path; elsewhere a socket file.
        self.server_name = self.key if os.name == "nt" else str(self.folder / f"{self.key}.sock")
        self._idle_timeout_ms = idle_timeout_ms
        self._lock: QLockFile | None = None
        self._server: QLocalServer | None = None

    def acquire(self) -> bool:
        """True when this is the first instance; False if one runs.

        Only the lock: :meth:`listen` opens the socket for later starts once the icon shows,
        since QtNetwork takes some 6 ms to load. Without a private folder there is no lock to
        take: this start runs, and says why in the log.
        """
        try:
            private_folder(self.folder)
        except OSError as exc:
            log.warning("no private folder for the single-instance lock, running without: %s", exc)
            return True
        self._lock = QLockFile(str(self.folder / f"{self.key}.lock"))
        # 0: never judge a lock stale by its age, only by whether its process still runs.
        self._lock.setStaleLockTime(0)
        return bool(self._lock.tryLock(100))

    def listen(self) -> None:
        """Take later starts' requests (:attr:`message_received`); call after :meth:`acquire`."""
        from PySide6.QtNetwork import QLocalServer

        if self._lock is None or not self._lock.isLocked():
            return  # running without a lock: a socket would not be ours to keep
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.server_name):
            # A socket left by a crashed instance: the lock is ours, so it is safe to remove.
            QLocalServer.removeServer(self.server_name)
            if not server.listen(self.server_name):
                log.warning("cannot listen for later starts: %s", server.errorString())
        server.newConnection.connect(self.on_server_new_connection)
        self._server = server

    def send(self, message: str) -> bool:
        """Hand ``message`` to the running instance; True when it was delivered.

        The running one may still be starting (it listens once its icon shows): keep trying
        to connect for a while.
        """
        from PySide6.QtNetwork import QLocalSocket

        socket = QLocalSocket()
        deadline = QDeadlineTimer(_SEND_TIMEOUT_MS)
        while True:
            socket.connectToServer(self.server_name)
            if socket.waitForConnected(max(1, deadline.remainingTime())):
                break
            if deadline.hasExpired():
                log.warning("the running instance does not answer: %s", socket.errorString())
                return False
            QThread.msleep(_RETRY_MS)
        socket.write(QByteArray(message.encode() + b"\n"))
        delivered = socket.waitForBytesWritten(_SEND_TIMEOUT_MS)
        socket.disconnectFromServer()
        return delivered

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock is not None:
            self._lock.unlock()

    @Slot()
    def on_server_new_connection(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            connection = self._server.nextPendingConnection()
            # Qt keeps at most this much unread: a line that never ends cannot fill the memory.
            connection.setReadBufferSize(MAX_LINE_BYTES + 1)
            idle = QTimer(connection)
            idle.setSingleShot(True)
            idle.setInterval(self._idle_timeout_ms)
            idle.timeout.connect(self.on_idle_timeout)
            idle.start()
            connection.readyRead.connect(self.on_connection_ready_read)
            connection.disconnected.connect(connection.deleteLater)

    @Slot()
    def on_idle_timeout(self) -> None:
        from PySide6.QtNetwork import QLocalSocket  # loaded by listen()

        timer = self.sender()
        connection = timer.parent() if isinstance(timer, QTimer) else None
        if isinstance(connection, QLocalSocket):
            log.info("closed a connection from a later start that sent nothing for a while")
            self._close(connection)

    @Slot()
    def on_connection_ready_read(self) -> None:
        from PySide6.QtNetwork import QLocalSocket  # loaded by listen()

        connection = self.sender()
        if not isinstance(connection, QLocalSocket):
            return
        while connection.canReadLine():
            line = bytes(connection.readLine(MAX_LINE_BYTES + 2).data())
            if not line.endswith(b"\n") or len(line) > MAX_LINE_BYTES + 1:
                self._refuse(connection, len(line))
                return
            self._handle(line.rstrip(b"\r\n"))
            idle = connection.findChild(QTimer)
            if idle is not None:
                idle.start()  # a message is activity; the idle time starts again
        if connection.bytesAvailable() > MAX_LINE_BYTES:
            self._refuse(connection, connection.bytesAvailable())

    def _handle(self, line: bytes) -> None:
        message = line.decode("ascii", errors="replace").strip()
        if message in _KNOWN_MESSAGES:
            log.info("a later start asked to %s", message)
            self.message_received.emit(message)
        elif line.strip():
            # Not from awork-tray: its bytes may be anything, so they stay out of the log.
            log.warning("unknown message (%d bytes) from a later start, ignored", len(line))

    def _refuse(self, connection: QLocalSocket, size: int) -> None:
        log.warning(
            "closed a connection from a later start: a line of over %d bytes (%d so far)",
            MAX_LINE_BYTES,
            size,
        )
        self._close(connection)

    @staticmethod
    def _close(connection: QLocalSocket) -> None:
        connection.abort()
        connection.deleteLater()
