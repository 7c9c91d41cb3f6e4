"""Idle time on Windows: ``GetLastInputInfo`` against ``GetTickCount``, through ctypes.

Both count milliseconds since boot in a 32-bit DWORD that wraps after 49.7 days, so the
difference is taken modulo 2**32; a machine up for two months still reads right. The DLLs are
injected so the arithmetic is tested on any platform with fakes of the two calls.
"""

from __future__ import annotations

import ctypes
import logging
from typing import Any

__all__ = ["LASTINPUTINFO", "WindowsIdleTime"]

_log = logging.getLogger(__name__)

_DWORD_WRAP = 2**32


class LASTINPUTINFO(ctypes.Structure):
    # From winuser.h: cbSize must be set to the structure's size before the call.
    _fields_ = (("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint32))


class WindowsIdleTime:
    """The session's idle time; ``user32``/``kernel32`` default to the real DLLs on Windows."""

    def __init__(self, user32: Any = None, kernel32: Any = None) -> None:
        self._user32 = user32
        self._kernel32 = kernel32

    def start(self) -> bool:
        """Load the DLLs; False where they do not exist (any other platform)."""
        if self._user32 is None or self._kernel32 is None:
            windll = getattr(ctypes, "windll", None)
            if windll is None:
                return False
            self._user32, self._kernel32 = windll.user32, windll.kernel32
        self._kernel32.GetTickCount.restype = ctypes.c_uint32
        return True

    def idle_seconds(self) -> float | None:
        """Seconds since the last input in this session, or None when Windows will not say."""
        if self._user32 is None:
            return None
        info = LASTINPUTINFO()
        info.cbSize = ctypes.sizeof(LASTINPUTINFO)
        if not self._user32.GetLastInputInfo(ctypes.byref(info)):
            _log.info("presence: GetLastInputInfo failed")
            return None
        now = int(self._kernel32.GetTickCount()) % _DWORD_WRAP
        last = int(info.dwTime)
        return ((now - last) % _DWORD_WRAP) / 1000.0
