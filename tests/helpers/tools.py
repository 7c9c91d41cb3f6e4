"""Which outside programs an end-to-end test needs: skipped without them, failed in CI.

A developer's machine without the Debian packages skips those tests; CI sets
AWORK_TRAY_REQUIRE_E2E=1 and there a missing program fails the run instead of hiding the tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")


def require(*programs: str) -> None:
    """Skip (or, in CI, fail) the calling test unless every program is on PATH."""
    missing = [program for program in programs if shutil.which(program) is None]
    if not missing:
        return
    message = f"end-to-end tools missing: {', '.join(missing)} (see .ci/run)"
    if os.environ.get("AWORK_TRAY_REQUIRE_E2E") == "1":
        pytest.fail(message)
    pytest.skip(message)


def wait_for(condition: Callable[[], T | None], timeout: float, what: str) -> T:
    """``condition()``'s first truthy value, asked every 0.1 s; fails the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    """Ask ``process`` to end (SIGTERM), kill it if it will not; returns its output."""
    if process.poll() is None:
        process.terminate()
    try:
        return process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()
