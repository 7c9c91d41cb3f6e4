"""The processes a benchmark run starts: the tray apps and the sandboxes, each in private folders.

Every process gets its own HOME, XDG folders, runtime folder and TMPDIR, so instances never share
settings, logs or the single-instance lock, and nothing touches the developer's own files.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MARKS_ENV = "AWORK_TRAY_BENCH_MARKS"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The sandbox's debug line for each request, e.g. '2025-01-01 10:00:00,123 DEBUG   awork-sandbox-1
# tray_app.sandbox.server: GET /api/v1/me -> 200 in 0 ms'
_SANDBOX_LINE = re.compile(
    r"^(?P<at>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) .*tray_app\.sandbox\.server: "
    r"(?P<method>[A-Z]+) (?P<path>\S+) -> (?P<status>\d+) in"
)
# What the parent's environment must not hand down: the app would pick these up.
_NOT_INHERITED = (
    "AWORK_TOKEN",
    "AWORK_BASE_URL",
    "PYTHON_KEYRING_BACKEND",
    MARKS_ENV,
)


class BenchError(RuntimeError):
    """A run went wrong in a way the figures cannot survive; the message says which and why."""


class Workdir:
    """A temporary folder holding one private home per process; removed at the end."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="awork-bench-"))
        self._count = 0

    def private_env(self, base: dict[str, str], name: str) -> tuple[dict[str, str], Path]:
        self._count += 1
        home = self.root / f"{self._count:03d}-{name}"
        env = {key: value for key, value in base.items() if key not in _NOT_INHERITED}
        for variable, folder in (
            ("HOME", ""),
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_STATE_HOME", "state"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_CACHE_HOME", "cache"),
            ("XDG_RUNTIME_DIR", "runtime"),
            ("TMPDIR", "tmp"),
        ):
            path = home / folder
            path.mkdir(parents=True, exist_ok=True)
            env[variable] = str(path)
        (home / "runtime").chmod(0o700)
        return env, home

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class Launched:
    """A started process; its output is read in the background and its MARK lines kept.

    ``started_ns`` is ``time.monotonic_ns()`` just before the process was spawned.
    """

    def __init__(self, name: str, argv: Sequence[str], env: dict[str, str], home: Path) -> None:
        self.name = name
        self.home = home
        self._lines: list[str] = []
        self._marks: list[tuple[str, tuple[str, ...], int]] = []
        self._changed = threading.Condition()
        self.started_ns = time.monotonic_ns()
        self.process = subprocess.Popen(
            argv,
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, name=f"read-{name}", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._changed:
                if line.startswith("MARK "):
                    fields = line.split()
                    self._marks.append((fields[1], tuple(fields[2:-1]), int(fields[-1])))
                else:
                    self._lines.append(line.rstrip())
                    del self._lines[:-40]
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def marks(self, name: str) -> list[tuple[tuple[str, ...], int]]:
        with self._changed:
            return [(args, at) for mark, args, at in self._marks if mark == name]

    def wait_mark(self, name: str, *args: str, timeout: float) -> int:
        """When ``MARK name args...`` came (monotonic ns); raises if it does not in time."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for mark, fields, at in self._marks:
                    if mark == name and fields[: len(args)] == args:
                        return at
                if self.process.poll() is not None and not self._reader.is_alive():
                    raise BenchError(f"{self.name} exited before MARK {name}: {self.tail()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BenchError(f"{self.name}: no MARK {name} {' '.join(args)} in {timeout} s")
                self._changed.wait(min(left, 0.1))

    def tail(self) -> str:
        with self._changed:
            return " | ".join(self._lines[-8:]) or "(no output)"

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise BenchError(f"{self.name} exited ({self.process.returncode}): {self.tail()}")

    def cpu_seconds(self) -> float:
        """User plus system time of all its threads so far, from /proc/<pid>/stat."""
        with open(f"/proc/{self.pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def memory_kib(self) -> dict[str, int]:
        """VmRSS and its anonymous and file-backed parts, from /proc/<pid>/status."""
        wanted = {"VmRSS", "RssAnon", "RssFile"}
        found = {}
        with open(f"/proc/{self.pid}/status", encoding="ascii") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in wanted:
                    found[key] = int(value.split()[0])
        return found

    def stop(self, timeout: float = 10.0) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=5)
        return self.process.returncode


def awork_tray_command() -> list[str]:
    """The ``awork-tray`` entry point of this environment (or ``python -m tray_app``)."""
    script = Path(PYTHON).parent / "awork-tray"
    return [str(script)] if script.exists() else [PYTHON, "-m", "tray_app"]


class ExternalSandbox:
    """``awork-tray -v sandbox`` in a process of its own; its debug log dates every request."""

    def __init__(self, workdir: Workdir, base_env: dict[str, str], *, running: bool) -> None:
        env, self.home = workdir.private_env(base_env, "sandbox")
        self._stderr = (self.home / "stderr.txt").open("w")
        self.process = subprocess.Popen(
            [*awork_tray_command(), "-v", "sandbox", "--port", "0"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        assert self.process.stdout is not None
        url = token = ""
        while not (url and token):
            line = self.process.stdout.readline()
            if not line:
                self.stop()
                raise BenchError(f"awork-tray sandbox did not start: {self._read_stderr()}")
            if "listening on " in line:
                url = line.split("listening on ", 1)[1].strip()
            elif line.startswith("access token:"):
                token = line.split(":", 1)[1].strip()
        self.url, self.token = url, token
        if running:
            self.act("resume")

    def act(self, action: str) -> None:
        """Pause or resume the timer over HTTP, as any other client of awork would."""
        answer = httpx.post(
            f"{self.url}/me/timetracking/{action}",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=5,
        )
        if answer.status_code not in (200, 204):
            raise BenchError(f"the sandbox refused {action}: {answer.status_code} {answer.text}")

    def request_times(self, path_end: str = "/me/timeentries/last") -> list[float]:
        """Arrival times (epoch seconds) of the requests whose path ends with ``path_end``."""
        times = []
        for log in sorted(self.home.rglob("*.log*")):
            for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
                match = _SANDBOX_LINE.match(line)
                if match and match["path"].endswith(path_end):
                    at = datetime.strptime(match["at"], "%Y-%m-%d %H:%M:%S,%f")
                    times.append(at.timestamp())
        return sorted(times)

    def _read_stderr(self) -> str:
        self._stderr.flush()
        return (self.home / "stderr.txt").read_text(errors="replace")[-500:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._stderr.close()
