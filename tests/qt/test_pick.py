"""``awork-tray pick``: the running tray is asked for its find window; with none, a tray starts.

The command runs as its own process (as a keyboard shortcut starts it), under a user name of
its own so its single-instance socket is this test's alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tray_app.platform.single_instance import PICK, SingleInstance, instance_key
from tray_app.sandbox import Sandbox


@pytest.fixture
def person(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The environment of a person of our own: a runtime folder and a user name no one has.

    A short folder, as /run/user/1000 is: a socket's path may not exceed 107 bytes.
    """
    runtime = Path(tempfile.mkdtemp(prefix="rt-"))  # 0700
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("LOGNAME", f"pick-test-{uuid.uuid4().hex[:8]}")
    yield {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    shutil.rmtree(runtime, ignore_errors=True)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb


def pick(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tray_app", "pick", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_pick_hands_pick_to_the_running_tray(qtbot: QtBot, person: dict[str, str]) -> None:
    running = SingleInstance(instance_key())
    assert running.acquire()
    running.listen()
    try:
        with qtbot.waitSignal(running.message_received, timeout=20000) as received:
            process = pick(person)
        qtbot.waitUntil(lambda: process.poll() is not None, timeout=20000)
    finally:
        running.release()

    out, err = process.communicate()
    assert received.args == [PICK]
    assert process.returncode == 0, err
    assert out == "awork Tray is already running; opening its find window.\n"


def test_pick_with_no_tray_running_starts_one(
    qtbot: QtBot, person: dict[str, str], sandbox: Sandbox
) -> None:
    env = {**person, "AWORK_TOKEN": sandbox.token}
    process = pick(env, "--base-url", sandbox.url)
    later = SingleInstance(instance_key())
    try:
        # The tray is up once it asks awork for the timer; it then holds the one-tray lock.
        polled = ("GET", "/api/v1/me/timeentries/last")
        qtbot.waitUntil(
            lambda: polled in [(r.method, r.path) for r in sandbox.requests], timeout=30000
        )
        assert process.poll() is None, process.communicate()
        assert not later.acquire()
    finally:
        process.terminate()
        process.communicate(timeout=20)
