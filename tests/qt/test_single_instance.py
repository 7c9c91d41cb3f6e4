"""One tray per person: a second start hands over to the first; a crash leaves no stale lock."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from tray_app.ui.single_instance import SHOW, SingleInstance


@pytest.fixture
def runtime_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "runtime"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    return folder


def test_a_second_instance_hands_its_request_to_the_first(qtbot: QtBot, runtime_dir: Path) -> None:
    key = f"awork-tray-test-{uuid.uuid4().hex[:8]}"
    first, second = SingleInstance(key), SingleInstance(key)
    assert first.acquire()
    first.listen()
    assert not second.acquire()
    with qtbot.waitSignal(first.message_received, timeout=3000) as received:
        assert second.send(SHOW)
    assert received.args == [SHOW]
    first.release()
    assert second.acquire(), "once the first has quit, the next start runs"
    second.release()


def test_a_start_reaches_one_that_begins_to_listen_a_moment_later(
    qtbot: QtBot, runtime_dir: Path
) -> None:
    """The running tray listens only once its icon shows; a start just before still gets in."""
    key = f"awork-tray-test-{uuid.uuid4().hex[:8]}"
    first, second = SingleInstance(key), SingleInstance(key)
    assert first.acquire()
    assert not second.acquire()
    QTimer.singleShot(300, first.listen)
    results: list[bool] = []
    with qtbot.waitSignal(first.message_received, timeout=3000) as received:
        # As a separate start would: it blocks while it retries, so it runs on a thread here
        # and the first instance's event loop keeps turning.
        sender = threading.Thread(target=lambda: results.append(second.send(SHOW)))
        sender.start()
        qtbot.waitUntil(lambda: not sender.is_alive(), timeout=3000)
    assert results == [True]
    assert received.args == [SHOW]
    first.release()


def test_a_lock_left_by_a_crash_does_not_block_the_next_start(
    qtbot: QtBot, runtime_dir: Path
) -> None:
    key = f"awork-tray-test-{uuid.uuid4().hex[:8]}"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from PySide6.QtCore import QCoreApplication\n"
            "from tray_app.ui.single_instance import SingleInstance\n"
            "app = QCoreApplication([])\n"
            f"held = SingleInstance({key!r})\n"
            "assert held.acquire()\n"
            "print('locked', flush=True)\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    assert not SingleInstance(key).acquire()
    holder.kill()  # a crash: no clean-up at all
    holder.wait()
    holder.stdout.close()
    assert (runtime_dir / "awork-tray" / f"{key}.lock").exists()
    instance = SingleInstance(key)
    assert instance.acquire()
    instance.release()


def test_starting_awork_tray_twice_shows_the_running_one(runtime_dir: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(runtime_dir)}
    first = subprocess.Popen(
        [sys.executable, "-m", "tray_app", "--base-url", "http://127.0.0.1:9/api/v1", "-v"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        lock = next(iter([]), None)
        deadline = time.monotonic() + 15
        while lock is None and time.monotonic() < deadline:
            lock = (
                next((runtime_dir / "awork-tray").glob("*.lock"), None)
                if (runtime_dir / "awork-tray").exists()
                else None
            )
            time.sleep(0.1)
        assert lock is not None, "the first start took the lock"
        second = subprocess.run(
            [sys.executable, "-m", "tray_app"],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert second.returncode == 0
        assert second.stdout.strip() == "awork Tray is already running; showing it."
        assert first.poll() is None, "the first one keeps running"
    finally:
        first.terminate()
        assert first.wait(timeout=10) == 0


def test_a_start_that_finds_no_answer_says_so_and_logs_why(
    runtime_dir: Path, tmp_path: Path
) -> None:
    """The lock is held but nobody listens (a tray hung at start): one line, and the log says."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_RUNTIME_DIR": str(runtime_dir),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\n"
            "from PySide6.QtCore import QCoreApplication\n"
            "from tray_app.ui.single_instance import SingleInstance\n"
            "app = QCoreApplication([])\n"
            "held = SingleInstance()\n"
            "assert held.acquire()\n"  # the lock, and no listening
            "print('locked', flush=True)\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        second = subprocess.run(
            [sys.executable, "-m", "tray_app"],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    finally:
        holder.kill()
        holder.communicate()
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "awork Tray is already running."
    log = tmp_path / "state" / "awork-tray" / "log" / "awork-tray.log"
    assert "the running instance does not answer" in log.read_text(encoding="utf-8")
