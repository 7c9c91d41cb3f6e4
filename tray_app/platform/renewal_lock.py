"""A lock shared by every process of this person that renews one awork sign-in.

awork rotates refresh tokens: when the tray and the command line renew at once, one of them
sends a refresh token the other just used up. A file lock in the runtime folder (per awork
address) lets one renew while the other waits and then reads the new tokens from the keychain.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from tray_app.awork.errors import Unreachable
from tray_app.platform.runtime_folder import private_folder, runtime_folder

log = logging.getLogger(__name__)

# Longer than a renewal may take (the HTTP layer's deadline), so a live holder is waited for.
DEFAULT_WAIT_SECONDS = 30.0
_POLL_SECONDS = 0.02


def lock_path(base_url: str) -> Path:
    """One lock file per awork address; its name is a digest, so the address stays private."""
    digest = hashlib.sha256(base_url.encode("utf-8")).hexdigest()[:24]
    return private_folder(runtime_folder()) / f"renew-{digest}.lock"


@contextlib.contextmanager
def renewal_file_lock(base_url: str, *, wait: float = DEFAULT_WAIT_SECONDS) -> Iterator[None]:
    """Hold the cross-process renewal lock of ``base_url`` for the ``with`` block.

    The operating system drops the lock with the process, so a crash leaves no stale lock.
    Without a usable runtime folder the block runs unlocked (one log line): a race is rare, a
    renewal that never happens is not. A holder that keeps it past ``wait`` is Unreachable.
    """
    try:
        fd = os.open(lock_path(base_url), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        log.warning("no renewal lock shared with other processes: %s", exc.strerror)
        yield
        return
    try:
        _acquire(fd, wait)
        try:
            yield
        finally:
            _release(fd)
    finally:
        os.close(fd)


def _acquire(fd: int, wait: float) -> None:
    ends = time.monotonic() + wait
    while not _try_lock(fd):
        if time.monotonic() >= ends:
            log.warning("another process held the renewal lock for over %g s", wait)
            raise Unreachable("Another awork Tray is renewing the sign-in; try again shortly.")
        time.sleep(_POLL_SECONDS)


if sys.platform == "win32":  # pragma: no cover - Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _release(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _release(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
