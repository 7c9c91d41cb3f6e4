"""Idle time on macOS: ``CGEventSourceSecondsSinceLastEventType`` of CoreGraphics, via ctypes.

Asked for the combined session state and any input event type, it gives the seconds since the
person last typed, moved or clicked, with no permission prompt (unlike an event tap). The
framework is injected so the call is tested on any platform with a fake.
"""

from __future__ import annotations

import ctypes
import logging
import math
from typing import Any

__all__ = ["MacIdleTime"]

_log = logging.getLogger(__name__)

CORE_GRAPHICS = "/System/Library/Frameworks/CoreGraphics.framework/CoreGraphics"
# CGEventSourceStateID and CGEventType from CGEventTypes.h.
COMBINED_SESSION_STATE = 0
ANY_INPUT_EVENT = 0xFFFFFFFF  # kCGAnyInputEventType, ~0 as a uint32


class MacIdleTime:
    """The session's idle time; ``core_graphics`` defaults to the real framework on macOS."""

    def __init__(self, core_graphics: Any = None) -> None:
        self._cg = core_graphics

    def start(self) -> bool:
        """Load CoreGraphics; False where it does not exist (any other platform)."""
        if self._cg is None:
            try:
                self._cg = ctypes.CDLL(CORE_GRAPHICS)
            except OSError:
                return False
        call = self._cg.CGEventSourceSecondsSinceLastEventType
        call.argtypes = [ctypes.c_int32, ctypes.c_uint32]
        call.restype = ctypes.c_double
        return True

    def idle_seconds(self) -> float | None:
        """Seconds since the last input, or None when macOS gives no usable figure."""
        if self._cg is None:
            return None
        seconds = float(
            self._cg.CGEventSourceSecondsSinceLastEventType(COMBINED_SESSION_STATE, ANY_INPUT_EVENT)
        )
        if not math.isfinite(seconds) or seconds < 0:
            _log.info("presence: CoreGraphics gave no idle time (%r)", seconds)
            return None
        return seconds
