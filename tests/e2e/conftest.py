"""A real X display (Xvfb) with a real tray host (trayer) for the end-to-end tests.

Without the tools the tests are skipped on a developer's machine, but CI sets
AWORK_TRAY_REQUIRE_E2E=1 and there a missing tool fails the run instead of hiding the tests.
"""

from __future__ import annotations

import os
import select
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.tools import require

TOOLS = ("Xvfb", "trayer", "xdotool", "xwininfo", "import")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"


def _require_tools() -> None:
    require(*TOOLS)


def _start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """Xvfb on a display number it picks itself (``-displayfd``), so parallel runs never clash."""
    read_end, write_end = os.pipe()
    try:
        xvfb = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_end),
                "-screen",
                "0",
                "1024x768x24",
                "-nolisten",
                "tcp",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(write_end,),
        )
    finally:
        os.close(write_end)
    with os.fdopen(read_end, "rb") as announced:
        ready, _, _ = select.select([announced], [], [], 10)
        number = announced.readline().strip() if ready else b""
    if not number.isdigit():
        _stop(xvfb)
        pytest.fail("Xvfb did not start")
    return xvfb, f":{number.decode()}"


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def xvfb() -> Iterator[str]:
    """A bare Xvfb display (no tray host, no window manager), as ``:N``."""
    require("Xvfb", "xwininfo")
    xvfb, display = _start_xvfb()
    env = {**os.environ, "DISPLAY": display}
    deadline = time.monotonic() + 10
    while subprocess.run(
        ["xwininfo", "-root"], check=False, env=env, capture_output=True
    ).returncode:
        if time.monotonic() > deadline or xvfb.poll() is not None:
            _stop(xvfb)
            pytest.fail("Xvfb did not answer")
        time.sleep(0.1)
    try:
        yield display
    finally:
        _stop(xvfb)


@pytest.fixture
def x_display(xvfb: str) -> Iterator[str]:
    """An Xvfb display with trayer docked at the top right, as ``:N``."""
    _require_tools()
    display = xvfb
    env = {**os.environ, "DISPLAY": display}
    trayer = subprocess.Popen(
        [
            "trayer",
            "--edge",
            "top",
            "--align",
            "right",
            "--widthtype",
            "request",
            "--height",
            "32",
            "--transparent",
            "false",
            "--tint",
            "0xdddddd",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield display
    finally:
        _stop(trayer)
