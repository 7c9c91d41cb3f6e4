"""One tray per person: a later start hands its request to the running one and exits.

A lock file says who runs (Qt checks that its process still lives, so a crash leaves no stale
lock behind), and a local socket carries the later start's request ("show") to the running one.
"""

from __future__ import annotations

import getpass
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
from PySide6.QtCore import QByteArray, QDeadlineTimer, QLockFile, QObject, QThread, Signal, Slot

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer

log = logging.getLogger(__name__)

SHOW = "show"
PICK = "pick"  # awork-tray pick: open the find window
_SEND_TIMEOUT_MS = 2000
_RETRY_MS = 50


def instance_key() -> str:
    """A name that is the same for every start by this person, and differs between people."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    return "awork-tray-" + re.sub(r"[^A-Za-z0-9_.-]", "_", user)


def _lock_path(key: str) -> Path:
    folder = platformdirs.user_runtime_path("awork-tray", appauthor=False)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{key}.lock"


class SingleInstance(QObject):
    """Holds the per-person lock and listens for later starts.

    Signals:
        message_received(str): a later start asked for something (e.g. "show").
    """

    message_received = Signal(str)

    def __init__(self, key: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = key or instance_key()
        self._lock = QLockFile(str(_lock_path(self.key)))
        # 0: never judge a lock stale by its age, only by whether its process still runs.
        self._lock.setStaleLockTime(0)
        self._server: QLocalServer | None = None

    def acquire(self) -> bool:
        """True when this is the first instance; False if one runs.

        Only the lock: :meth:`listen` opens the socket for later starts once the icon shows,
        since QtNetwork takes some 6 ms to load.
        """
        return bool(self._lock.tryLock(100))

    def listen(self) -> None:
        """Take later starts' requests (:attr:`message_received`); call after :meth:`acquire`."""
        from PySide6.QtNetwork import QLocalServer

        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.key):
            # A socket left by a crashed instance: the lock is ours, so it is safe to remove.
            QLocalServer.removeServer(self.key)
            if not server.listen(self.key):
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
            socket.connectToServer(self.key)
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
        self._lock.unlock()

    @Slot()
    def on_server_new_connection(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            connection = self._server.nextPendingConnection()
            connection.readyRead.connect(self.on_connection_ready_read)
            connection.disconnected.connect(connection.deleteLater)

    @Slot()
    def on_connection_ready_read(self) -> None:
        from PySide6.QtNetwork import QLocalSocket  # loaded by listen()

        connection = self.sender()
        if not isinstance(connection, QLocalSocket):
            return
        while connection.canReadLine():
            line = bytes(connection.readLine().data()).decode(errors="replace").strip()
            if line:
                log.info("a later start asked to %s", line)
                self.message_received.emit(line)
