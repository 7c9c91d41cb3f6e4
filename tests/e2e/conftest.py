"""A real X display (Xvfb) with a real tray host (trayer) for the end-to-end tests.

Without the tools the tests are skipped on a developer's machine, but CI sets
AWORK_TRAY_REQUIRE_E2E=1 and there a missing tool fails the run instead of hiding the tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

TOOLS = ("Xvfb", "trayer", "xdotool", "xwininfo", "import")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"


def _require_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not missing:
        return
    message = f"end-to-end tools missing: {', '.join(missing)} (see .ci/run)"
    if os.environ.get("AWORK_TRAY_REQUIRE_E2E") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _free_display() -> int:
    for number in range(90, 140):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            return number
    raise RuntimeError("no free X display number")


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
def x_display() -> Iterator[str]:
    """An Xvfb display with trayer docked at the top right, as ``:N``."""
    _require_tools()
    display = f":{_free_display()}"
    xvfb = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = {**os.environ, "DISPLAY": display}
    deadline = time.monotonic() + 10
    while subprocess.run(
        ["xwininfo", "-root"], check=False, env=env, capture_output=True
    ).returncode:
        if time.monotonic() > deadline or xvfb.poll() is not None:
            _stop(xvfb)
            pytest.fail("Xvfb did not start")
        time.sleep(0.1)
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
        _stop(xvfb)
