"""The Windows and macOS idle adapters with fakes of their system calls, and the idle chain.

Only Linux runs here, so each fake plays the DLL or framework function the adapter calls through
ctypes: it fills the structure the adapter passes, as Windows would, or returns a double.
"""

from __future__ import annotations

import ctypes
import logging
from typing import Any

import pytest

from tray_app.platform.presence import FirstIdleTime
from tray_app.platform.presence_macos import ANY_INPUT_EVENT, COMBINED_SESSION_STATE, MacIdleTime
from tray_app.platform.presence_windows import LASTINPUTINFO, WindowsIdleTime


class FakeCall:
    """A ctypes function: records its calls; ``argtypes``/``restype`` may be set on it."""

    def __init__(self, result: Any) -> None:
        self.result = result
        self.calls: list[tuple[Any, ...]] = []
        self.argtypes: Any = None
        self.restype: Any = None

    def __call__(self, *args: Any) -> Any:
        self.calls.append(args)
        return self.result(*args) if callable(self.result) else self.result


class FakeUser32:
    def __init__(self, last_input_ms: int, succeeds: bool = True) -> None:
        self.last_input_ms = last_input_ms
        self.succeeds = succeeds
        self.sizes: list[int] = []
        self.GetLastInputInfo = FakeCall(self._get_last_input_info)

    def _get_last_input_info(self, pointer: Any) -> int:
        info = ctypes.cast(pointer, ctypes.POINTER(LASTINPUTINFO)).contents
        self.sizes.append(info.cbSize)
        if self.succeeds:
            info.dwTime = self.last_input_ms
        return int(self.succeeds)


class FakeKernel32:
    def __init__(self, tick_ms: int) -> None:
        self.GetTickCount = FakeCall(tick_ms)


def windows(last_input_ms: int, tick_ms: int, succeeds: bool = True) -> WindowsIdleTime:
    idle = WindowsIdleTime(FakeUser32(last_input_ms, succeeds), FakeKernel32(tick_ms))
    assert idle.start()
    return idle


def test_windows_idle_time_is_ticks_since_the_last_input() -> None:
    user32 = FakeUser32(last_input_ms=1_000_000)
    idle = WindowsIdleTime(user32, FakeKernel32(tick_ms=1_754_500))
    assert idle.start()
    assert idle.idle_seconds() == 754.5
    # cbSize must be set before the call, or Windows refuses it.
    assert user32.sizes == [ctypes.sizeof(LASTINPUTINFO)]


def test_windows_idle_time_across_the_49_day_tick_wrap() -> None:
    # Input 2 s before the 32-bit counter wrapped, now 3 s after it.
    assert windows(last_input_ms=2**32 - 2000, tick_ms=3000).idle_seconds() == 5.0


def test_windows_refusing_the_call_gives_no_idle_time() -> None:
    assert windows(last_input_ms=0, tick_ms=5000, succeeds=False).idle_seconds() is None


def test_windows_adapter_elsewhere_does_not_start() -> None:
    if hasattr(ctypes, "windll"):
        pytest.skip("this is Windows")
    idle = WindowsIdleTime()
    assert not idle.start()
    assert idle.idle_seconds() is None


class FakeCoreGraphics:
    def __init__(self, seconds: float) -> None:
        self.CGEventSourceSecondsSinceLastEventType = FakeCall(seconds)


def test_macos_idle_time_asks_for_any_input_in_the_session() -> None:
    cg = FakeCoreGraphics(321.25)
    idle = MacIdleTime(cg)
    assert idle.start()
    assert idle.idle_seconds() == 321.25
    call = cg.CGEventSourceSecondsSinceLastEventType
    assert call.calls == [(COMBINED_SESSION_STATE, ANY_INPUT_EVENT)]
    assert call.restype is ctypes.c_double  # without it ctypes would read an int register


@pytest.mark.parametrize("bad", [float("nan"), -1.0, float("inf")])
def test_macos_nonsense_gives_no_idle_time(bad: float, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    idle = MacIdleTime(FakeCoreGraphics(bad))
    assert idle.start()
    assert idle.idle_seconds() is None
    assert "CoreGraphics gave no idle time" in caplog.text


def test_macos_adapter_elsewhere_does_not_start() -> None:
    assert not MacIdleTime().start()


class Counter:
    def __init__(self, *answers: float | None) -> None:
        self.answers = list(answers)
        self.asked = 0

    def idle_seconds(self) -> float | None:
        self.asked += 1
        return self.answers.pop(0) if self.answers else None


def test_the_idle_chain_falls_back_and_stays_with_what_works() -> None:
    dbus, x11 = Counter(None), Counter(12.0, 13.0)
    chain = FirstIdleTime([dbus, x11])
    assert chain.idle_seconds() == 12.0
    assert chain.idle_seconds() == 13.0
    assert dbus.asked == 1  # the failed one is not asked again
    assert chain.idle_seconds() is None
    assert FirstIdleTime([]).idle_seconds() is None
