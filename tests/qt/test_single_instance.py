"""One tray per person: a second start hands over to the first; a crash leaves no stale lock."""

from __future__ import annotations

import logging
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QTimer
from PySide6.QtNetwork import QLocalSocket
from pytestqt.qtbot import QtBot

from tray_app.platform.single_instance import SHOW, SingleInstance


@pytest.fixture
def runtime_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A short path, as /run/user/1000 is: a socket's path may not exceed 107 bytes."""
    folder = Path(tempfile.mkdtemp(prefix="rt-"))  # 0700
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    yield folder
    shutil.rmtree(folder)


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
            "from tray_app.platform.single_instance import SingleInstance\n"
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
            "from tray_app.platform.single_instance import SingleInstance\n"
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


def connect_raw(instance: SingleInstance) -> QLocalSocket:
    """A connection as any program of the person's could open it, not only awork-tray."""
    socket = QLocalSocket()
    socket.connectToServer(instance.server_name)
    assert socket.waitForConnected(3000), socket.errorString()
    return socket


@pytest.fixture
def running(runtime_dir: Path) -> Iterator[SingleInstance]:
    instance = SingleInstance(f"awork-tray-test-{uuid.uuid4().hex[:8]}", idle_timeout_ms=300)
    assert instance.acquire()
    instance.listen()
    yield instance
    instance.release()


@pytest.mark.skipif(os.name != "posix", reason="Windows: a named pipe, no folder")
def test_the_lock_and_the_socket_are_in_a_folder_only_the_person_can_enter(
    runtime_dir: Path,
) -> None:
    folder = runtime_dir / "awork-tray"
    folder.mkdir(mode=0o755)  # as an older version left it
    folder.chmod(0o755)
    instance = SingleInstance(f"awork-tray-test-{uuid.uuid4().hex[:8]}")
    assert instance.acquire()
    instance.listen()
    try:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        inside = {path.name: path.stat().st_mode for path in folder.iterdir()}
        assert stat.S_ISSOCK(inside[f"{instance.key}.sock"])
        assert f"{instance.key}.lock" in inside
        assert not Path(tempfile.gettempdir(), instance.key).exists(), "nothing in the shared /tmp"
    finally:
        instance.release()


@pytest.mark.expect_log(
    "WARNING",
    r"^closed a connection from a later start: a line of over 64 bytes \(\d+ so far\)$",
    logger="tray_app.platform.single_instance",
)
def test_a_line_too_long_closes_the_connection_and_the_next_show_is_answered(
    qtbot: QtBot, running: SingleInstance, caplog: pytest.LogCaptureFixture
) -> None:
    intruder = connect_raw(running)
    with qtbot.waitSignal(intruder.disconnected, timeout=3000):
        intruder.write(QByteArray(b"show" + b"A" * 4000 + b"\n"))
        intruder.flush()
    refused = [r.getMessage() for r in caplog.records if "closed a connection" in r.getMessage()]
    assert len(refused) == 1
    assert "AAAA" not in caplog.text
    with qtbot.waitSignal(running.message_received, timeout=3000) as received:
        assert SingleInstance(running.key).send(SHOW)
    assert received.args == [SHOW]


@pytest.mark.expect_log(
    "WARNING",
    r"^closed a connection from a later start: a line of over 64 bytes \(\d+ so far\)$",
    logger="tray_app.platform.single_instance",
)
def test_a_line_that_never_ends_closes_the_connection(
    qtbot: QtBot, running: SingleInstance, caplog: pytest.LogCaptureFixture
) -> None:
    intruder = connect_raw(running)
    with qtbot.waitSignal(intruder.disconnected, timeout=3000):
        intruder.write(QByteArray(b"B" * 100_000))
        intruder.flush()
    assert "closed a connection from a later start: a line of over 64 bytes" in caplog.text
    assert "BBBB" not in caplog.text


def test_a_silent_connection_is_closed_after_the_idle_time(
    qtbot: QtBot, running: SingleInstance, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    silent = connect_raw(running)
    with qtbot.waitSignal(silent.disconnected, timeout=3000):
        pass  # it sends nothing; 300 ms later (the instance's idle time) it is closed
    assert "sent nothing for a while" in caplog.text


@pytest.mark.expect_log(
    "WARNING",
    r"^unknown message \(16 bytes\) from a later start, ignored$",
    logger="tray_app.platform.single_instance",
)
def test_an_unknown_message_is_logged_by_its_size_only(
    qtbot: QtBot, running: SingleInstance, caplog: pytest.LogCaptureFixture
) -> None:
    received: list[str] = []
    running.message_received.connect(received.append)
    with qtbot.waitSignal(running.message_received, timeout=3000):
        assert SingleInstance(running.key).send("open-secret-door")
        assert SingleInstance(running.key).send(SHOW)  # after it, so the first was handled
    assert received == [SHOW], "an unknown message asks for nothing"
    assert "unknown message (16 bytes)" in caplog.text
    assert "open-secret-door" not in caplog.text
