"""The person's own runtime folder, where awork Tray's locks and its single-instance socket live.

``$XDG_RUNTIME_DIR/awork-tray`` where the session has one; else a folder in the person's own
runtime or cache folder (macOS, Windows, a Linux session without logind), never one in the /tmp
that every user shares: a lock or socket there could be taken or spoofed by someone else.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import platformdirs

from tray_app.config import APP_ID


def runtime_folder() -> Path:
    """Where locks and sockets go; :func:`private_folder` makes it safe to use."""
    xdg = os.environ.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(xdg):
        return Path(xdg) / APP_ID
    if sys.platform in {"win32", "darwin"}:  # per person: %LOCALAPPDATA%\Temp, ~/Library/Caches
        return Path(platformdirs.user_runtime_dir(APP_ID, appauthor=False))
    # platformdirs would warn without XDG_RUNTIME_DIR and fall back to a shared /tmp path.
    return Path(platformdirs.user_cache_dir(APP_ID, appauthor=False)) / "run"


def private_folder(folder: Path) -> Path:
    """``folder``, created 0700 or tightened to it; refused when it is not the person's own.

    Raises OSError (PermissionError for a folder of someone else's) when it cannot be had.
    """
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name != "posix":
        return folder  # a folder in %LOCALAPPDATA% is the person's alone
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise PermissionError(f"{folder} is not a folder of this user's own")
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(folder, 0o700)
    return folder
