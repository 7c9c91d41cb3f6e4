"""Idle time on an X11 desktop without a D-Bus idle service: the MIT-SCREEN-SAVER extension.

``XScreenSaverQueryInfo`` (libXss, Debian's ``libxss1``) gives the milliseconds since the last
input, read through ctypes so no X binding needs installing. The display is opened once, on
:meth:`X11IdleTime.start`, and each reading is one round trip to the X server.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from typing import Any

__all__ = ["X11IdleTime"]

_log = logging.getLogger(__name__)


class _XScreenSaverInfo(ctypes.Structure):
    # From <X11/extensions/scrnsaver.h>.
    _fields_ = (
        ("window", ctypes.c_ulong),
        ("state", ctypes.c_int),
        ("kind", ctypes.c_int),
        ("til_or_since", ctypes.c_ulong),
        ("idle", ctypes.c_ulong),
        ("event_mask", ctypes.c_ulong),
    )


def _load(name: str, soname: str) -> Any:
    path = ctypes.util.find_library(name) or soname
    return ctypes.CDLL(path)


class X11IdleTime:
    """The X server's idle counter for ``display`` (``None``: ``$DISPLAY``)."""

    def __init__(self, display: str | None = None) -> None:
        self._display_name = display
        self._x11: Any = None
        self._xss: Any = None
        self._display: int | None = None
        self._info: Any = None

    def start(self) -> bool:
        """Open the display; False without libX11/libXss, a display, or the extension."""
        try:
            self._x11 = _load("X11", "libX11.so.6")
            self._xss = _load("Xss", "libXss.so.1")
        except OSError as exc:
            _log.info("presence: no X11 idle time (%s); install libxss1", exc)
            return False
        self._x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self._x11.XOpenDisplay.restype = ctypes.c_void_p
        self._x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        self._x11.XDefaultRootWindow.restype = ctypes.c_ulong
        self._x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self._x11.XFree.argtypes = [ctypes.c_void_p]
        self._xss.XScreenSaverQueryExtension.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_int),
        ]
        self._xss.XScreenSaverAllocInfo.restype = ctypes.POINTER(_XScreenSaverInfo)
        self._xss.XScreenSaverQueryInfo.argtypes = [
            ctypes.c_void_p,
            ctypes.c_ulong,
            ctypes.POINTER(_XScreenSaverInfo),
        ]
        name = self._display_name.encode() if self._display_name else None
        display = self._x11.XOpenDisplay(name)
        if not display:
            _log.info("presence: cannot open the X display for idle time")
            return False
        event_base, error_base = ctypes.c_int(), ctypes.c_int()
        if not self._xss.XScreenSaverQueryExtension(
            display, ctypes.byref(event_base), ctypes.byref(error_base)
        ):
            _log.info("presence: the X server lacks MIT-SCREEN-SAVER: no idle time")
            self._x11.XCloseDisplay(display)
            return False
        self._display = display
        self._info = self._xss.XScreenSaverAllocInfo()
        return True

    def idle_seconds(self) -> float | None:
        """Seconds since the last key or pointer input on the display; None once it is gone."""
        if self._display is None:
            return None
        root = self._x11.XDefaultRootWindow(self._display)
        if not self._xss.XScreenSaverQueryInfo(self._display, root, self._info):
            _log.warning("presence: XScreenSaverQueryInfo failed; no idle time from now on")
            self.close()
            return None
        return float(self._info.contents.idle) / 1000.0

    def close(self) -> None:
        if self._info:
            self._x11.XFree(self._info)
            self._info = None
        if self._display is not None:
            self._x11.XCloseDisplay(self._display)
            self._display = None
