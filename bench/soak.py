"""Memory growth of the tray over many poll cycles, measured inside one process (offscreen Qt).

The real :class:`~tray_app.app.TrayApplication` (controller, presenter, tray menu, notifier) polls
an ``awork-tray sandbox`` in another process back to back, so nothing of the server's own
bookkeeping lands in this process. RSS is read after a warm-up and again after the last poll;
with ``--tracemalloc`` the largest Python allocation sites that grew are printed too.

It also counts the references held on ``None``, ``True`` and ``False``: on Python 3.11 these
objects are not immortal, and a binding that returns them without a reference makes the count
fall until the interpreter aborts ("deallocating None"). A progress line every 1,000 polls says
how far a run got if that happens.

Run by bench/run.py: ``AWORK_TOKEN=... python -m bench.soak --base-url URL --polls 10000``;
prints JSON lines, the last one with the result.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import threading
import time
import tracemalloc
from typing import Any

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from tray_app.app import TrayApplication
from tray_app.awork.client import AworkClient, BearerToken
from tray_app.core.clock import ServerClock
from tray_app.core.settings import Settings

CHECK_MS = 50
PROGRESS_EVERY = 1000


def singleton_refs() -> dict[str, int]:
    return {
        "none": sys.getrefcount(None),
        "true": sys.getrefcount(True),
        "false": sys.getrefcount(False),
    }


def rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


class PollCounter:
    """Counts the controller's polls (``client.current`` calls), from whichever thread."""

    def __init__(self, client: AworkClient) -> None:
        self._current = client.current
        self._lock = threading.Lock()
        self.count = 0
        client.current = self  # type: ignore[method-assign]  # the controller looks it up per poll

    def __call__(self) -> Any:
        with self._lock:
            self.count += 1
        return self._current()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--polls", type=int, default=10_000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument(
        "--steady-seconds",
        type=float,
        default=0,
        help="instead: run at the default poll interval this long and report the reference drain",
    )
    args = parser.parse_args()

    qt_app = QApplication(["awork-tray-soak"])
    qt_app.setQuitOnLastWindowClosed(False)
    clock = ServerClock()
    client = AworkClient(
        args.base_url, auth=BearerToken(os.environ["AWORK_TOKEN"]), on_server_date=clock.observe
    )
    counter = PollCounter(client)
    # Offscreen there is no tray: keep waiting for one instead of opening the fallback window.
    tray_app = TrayApplication(client, Settings(), clock=clock.now, tray_wait_ms=10**9)
    if args.steady_seconds:
        return steady(qt_app, tray_app, args.steady_seconds)
    # Back to back instead of every 30 s: the same code path, ten thousand times in a minute.
    tray_app.controller.poll_interval_s = 0.0
    result: dict[str, Any] = {"polls_wanted": args.polls}
    first: dict[str, Any] = {}

    progress = {"next": PROGRESS_EVERY}

    def on_check() -> None:
        if first and counter.count - first["polls"] >= progress["next"]:
            progress["next"] += PROGRESS_EVERY
            line = {"progress": counter.count - first["polls"], "refs": singleton_refs()}
            print(json.dumps(line), flush=True)
        if not first and counter.count >= args.warmup:
            gc.collect()
            first.update(rss_kib=rss_kib(), polls=counter.count, at=time.monotonic())
            result["refs_start"] = singleton_refs()
            if args.tracemalloc:
                tracemalloc.start(10)
                first["snapshot"] = tracemalloc.take_snapshot()
        elif first and counter.count - first["polls"] >= args.polls:
            gc.collect()
            result.update(
                rss_start_kib=first["rss_kib"],
                rss_end_kib=rss_kib(),
                polls=counter.count - first["polls"],
                seconds=round(time.monotonic() - first["at"], 2),
                connection=str(tray_app.controller.connection),
                refs_end=singleton_refs(),
            )
            if args.tracemalloc:
                stats = tracemalloc.take_snapshot().compare_to(first["snapshot"], "traceback")
                result["top_growth"] = [
                    {"kib": round(s.size_diff / 1024, 1), "where": str(s.traceback[-1])}
                    for s in stats[:8]
                ]
            qt_app.exit(0)

    check = QTimer()
    check.timeout.connect(on_check)
    check.start(CHECK_MS)
    qt_app.aboutToQuit.connect(tray_app.shutdown)
    tray_app.start()
    qt_app.exec()
    print(json.dumps(result), flush=True)
    return 0 if "rss_end_kib" in result else 1


def steady(qt_app: QApplication, tray_app: TrayApplication, seconds: float) -> int:
    """Run as a person would (a running timer, polls every 30 s); how fast the counts fall."""
    began: dict[str, Any] = {}

    def on_settled() -> None:
        began.update(refs=singleton_refs(), at=time.monotonic())
        QTimer.singleShot(round(seconds * 1000), lambda: qt_app.exit(0))

    QTimer.singleShot(2000, on_settled)
    qt_app.aboutToQuit.connect(tray_app.shutdown)
    tray_app.start()
    qt_app.exec()
    took = time.monotonic() - began["at"]
    end = singleton_refs()
    per_second = {name: (end[name] - began["refs"][name]) / took for name in end}
    print(json.dumps({"seconds": round(took, 1), "refs_end": end, "per_second": per_second}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
