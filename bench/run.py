"""The benchmark of issue 7: awork Tray against the Qt floor and the stack floor, on a real tray.

``make bench`` (or ``.venv/bin/python -m bench.run``) starts its own Xvfb display with trayer and
measures, with medians over several runs:
- start-up: process start to the icon embedded in trayer (seen from outside with xwininfo), and
  to the first timer state from a separately started ``awork-tray sandbox`` (a running timer);
  then the same signed in through gnome-keyring instead of AWORK_TOKEN (bench/keychain.py);
- RSS after ``--seconds`` with the timer running, and CPU time over ``--seconds`` with the timer
  running and paused (several instances of each side by side; CPU time is per process);
- the GUI thread's longest stall while an in-process sandbox answers the first poll after 5 s;
- Resume (clicked with xdotool in the tray menu) to the running icon, less the sandbox's answer;
- requests per hour in steady state (from the sandboxes' request logs) and in an hour offline
  (simulated from the controller's back-off rules, checked against apps whose polls are dropped);
- memory growth over 10,000 polls (bench/soak.py, in one process).
Then it prints a table with the ratios to the floors and the issue's budget, PASS or MISS.
``--quick`` tries it all in about a minute and a half, with fewer runs and shorter windows.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import keychain as keychain_tools
from bench.backoff import offline_hour
from bench.keychain import Keychain
from bench.procs import (
    MARKS_ENV,
    PYTHON,
    ROOT,
    BenchError,
    ExternalSandbox,
    Launched,
    Workdir,
)
from bench.report import Figures, print_report
from bench.xserver import (
    INSTALL_HINT,
    IconWindow,
    XServer,
    count_colour,
    missing_tools,
    painted,
)
from tray_app.sandbox import Fault, Sandbox
from tray_app.ui.controller import BACKOFF_CAP_SECONDS, BACKOFF_FIRST_SECONDS

APP = "app"
QT_FLOOR = "qt-floor"
STACK_FLOOR = "stack-floor"
WM_CLASS = {
    APP: ("awork-tray", "awork Tray"),
    QT_FLOOR: ("qt-floor", "qt-floor"),
    STACK_FLOOR: ("stack-floor", "stack-floor"),
}
FLOOR_SCRIPTS = {
    QT_FLOOR: ROOT / "bench" / "floors" / "qt_floor.py",
    STACK_FLOOR: ROOT / "bench" / "floors" / "stack_floor.py",
}
GREEN = "#2e9d5b"  # the running icon
AMBER = "#e0a100"  # the paused icon
ICON_POLL_S = 0.005
STALL_DELAY_S = 5.0
TIMER_LAST = "/me/timeentries/last"
RESULTS = ROOT / "test-artifacts" / "bench" / "results.json"
PHASES = ("startup", "keychain", "resume", "stall", "sustained", "soak")


@dataclass
class Options:
    runs: int
    startup_runs: int
    stall_runs: int
    seconds: float
    soak_polls: int
    phases: tuple[str, ...]
    results: Path


@dataclass
class Bench:
    """What every phase needs: the display, private folders, and how to start each kind."""

    xserver: XServer
    workdir: Workdir
    in_app_marks: bool
    started: list[Launched] = field(default_factory=list)

    def launch(
        self,
        kind: str,
        *,
        marks: bool = False,
        stalls: bool = False,
        url: str = "",
        token: str = "",
        extra_env: dict[str, str] | None = None,
    ) -> Launched:
        """``token`` empty: the app signs in with what the keychain holds (``extra_env``)."""
        env, home = self.workdir.private_env(self.xserver.env, kind)
        env.update(extra_env or {})
        if marks or stalls:
            env[MARKS_ENV] = "stalls" if stalls else "1"
        if kind == APP:
            if token:
                env["AWORK_TOKEN"] = token
            # The probe installs the same marks from outside while app.py has no hook for them.
            module = "bench.probe" if env.get(MARKS_ENV) and not self.in_app_marks else "tray_app"
            argv = [PYTHON, "-m", module, "--base-url", url]
        else:
            argv = [PYTHON, str(FLOOR_SCRIPTS[kind])]
        launched = Launched(kind, argv, env, home)
        self.started.append(launched)
        return launched

    def stop_all(self) -> None:
        for launched in self.started:
            launched.stop()
        self.started.clear()

    def wait_icon(
        self, launched: Launched, kind: str, timeout: float = 30.0
    ) -> tuple[IconWindow, int]:
        """The icon once trayer has embedded it and it is painted, and when that was first seen
        (monotonic ns, taken just before the look that saw it)."""
        deadline = time.monotonic() + timeout
        icon = None
        while time.monotonic() < deadline:
            looked_at = time.monotonic_ns()
            if icon is None:
                icons = self.xserver.icons(WM_CLASS[kind])
                icon = icons[0] if icons else None
            if icon is not None and painted(self.xserver.icon_pixels(icon.window)):
                return icon, looked_at
            launched.check_alive()
            time.sleep(ICON_POLL_S)
        raise BenchError(f"{kind}: no icon in the tray after {timeout} s: {launched.tail()}")

    def wait_icons_gone(self, kind: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.xserver.icons(WM_CLASS[kind]):
            if time.monotonic() > deadline:
                raise BenchError(f"{kind}: an icon stayed in the tray after its process ended")
            time.sleep(0.05)


def ms(nanoseconds: float) -> float:
    return nanoseconds / 1e6


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# -- start-up ------------------------------------------------------------------------------------


def startup_once(
    bench: Bench, kind: str, sandbox: ExternalSandbox, keychain: Keychain | None = None
) -> dict[str, float]:
    """One start; with ``keychain``, the app reads its sign-in from there, not AWORK_TOKEN."""
    if keychain is None:
        launched = bench.launch(kind, marks=True, url=sandbox.url, token=sandbox.token)
    else:
        launched = bench.launch(kind, marks=True, url=sandbox.url, extra_env=keychain.env)
    try:
        icon, seen = bench.wait_icon(launched, kind)
        run = {"icon_ms": ms(seen - launched.started_ns)}
        run["icon_mark_ms"] = ms(launched.wait_mark("icon-shown", timeout=10) - launched.started_ns)
        if kind == APP:
            state = launched.wait_mark("first-state", timeout=15)
            run["state_ms"] = ms(state - launched.started_ns)
            run["icon_to_state_ms"] = run["state_ms"] - run["icon_ms"]
            time.sleep(0.1)
            run["state_on_screen"] = float(
                count_colour(bench.xserver.icon_pixels(icon.window), GREEN) > 20
            )
        elif kind == STACK_FLOOR:
            loaded = launched.wait_mark("stack-loaded", timeout=15)
            run["stack_loaded_ms"] = ms(loaded - launched.started_ns)
    finally:
        launched.stop()
        bench.started.remove(launched)
    bench.wait_icons_gone(kind)
    return run


def measure_startup(bench: Bench, runs: int) -> dict[str, list[dict[str, float]]]:
    sandbox = ExternalSandbox(bench.workdir, bench.xserver.env, running=True)
    kinds = [QT_FLOOR, STACK_FLOOR, APP]
    found: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
    try:
        for kind in kinds:  # warm-up: byte code compiled, files in the page cache
            startup_once(bench, kind, sandbox)
        for number in range(runs):
            order = kinds[number % 3 :] + kinds[: number % 3]
            for kind in order:
                found[kind].append(startup_once(bench, kind, sandbox))
            say(
                f"  start-up run {number + 1}/{runs}: "
                + ", ".join(f"{k} {found[k][-1]['icon_ms']:.0f} ms" for k in kinds)
                + f", first state {found[APP][-1]['state_ms']:.0f} ms"
            )
    finally:
        sandbox.stop()
    return found


def measure_keychain(bench: Bench, runs: int) -> list[dict[str, float]]:
    """Starts signed in through gnome-keyring (a desktop's Secret Service) instead of a token."""
    missing = keychain_tools.missing_tools()
    if missing:
        say(f"  keychain: missing {', '.join(missing)} ({keychain_tools.INSTALL_HINT}); skipped")
        return []
    sandbox = ExternalSandbox(bench.workdir, bench.xserver.env, running=True)
    keychain = None
    found = []
    try:
        keychain = Keychain(bench.workdir, bench.xserver.env)
        keychain.sign_in(sandbox.url)
        startup_once(bench, APP, sandbox, keychain)  # warm-up
        for number in range(runs):
            found.append(startup_once(bench, APP, sandbox, keychain))
            say(
                f"  keychain run {number + 1}/{runs}: icon {found[-1]['icon_ms']:.0f} ms, "
                f"first state {found[-1]['state_ms']:.0f} ms"
            )
    finally:
        if keychain is not None:
            keychain.stop()
        sandbox.stop()
    return found


# -- Resume click and GUI stall (in-process sandbox) ---------------------------------------------


class AnswerTimes(logging.Handler):
    """The sandbox's own time for each answer, from its debug line (method, path, status, ms)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.answers: list[tuple[str, str, float]] = []

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args
        if isinstance(args, tuple) and len(args) == 4 and str(record.msg).endswith("in %.0f ms"):
            took = args[3]
            if isinstance(took, int | float):
                self.answers.append((str(args[0]), str(args[1]), float(took)))


@contextmanager
def answer_times() -> Iterator[AnswerTimes]:
    logger = logging.getLogger("tray_app.sandbox.server")
    handler, level = AnswerTimes(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def open_menu(bench: Bench, icon: IconWindow) -> None:
    """Right-click the icon until its menu shows (light pixels below the icon, on a black root)."""
    x, y = icon.centre
    below = (max(0, icon.x - 200), icon.y + icon.height + 10, 100, 60)
    for _ in range(3):
        bench.xserver.xdotool("mousemove", str(x), str(y), "click", "3")
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            pixels = bench.xserver.region(*below)
            light = sum(sum(pixels[i : i + 3]) > 600 for i in range(0, len(pixels) - 2, 3))
            if light > len(pixels) // 6:  # over half of it: the menu's light background
                time.sleep(0.2)  # let it settle, as a person would
                return
            time.sleep(0.05)
        bench.xserver.xdotool("key", "Escape")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    bench.xserver.screenshot(str(RESULTS.parent / "menu-not-shown.png"))
    if not bench.xserver.tray_host_alive():
        raise BenchError("trayer died: the tray menu could not be opened (run the bench again)")
    raise BenchError("the tray menu did not open on a right click")


def resume_once(bench: Bench) -> dict[str, float]:
    with answer_times() as answers, Sandbox() as sandbox:  # seeded with a paused timer
        launched = bench.launch(APP, marks=True, url=sandbox.url, token=sandbox.token)
        try:
            icon, _ = bench.wait_icon(launched, APP)
            launched.wait_mark("icon", "paused", timeout=15)
            time.sleep(0.3)
            open_menu(bench, icon)
            # The first enabled item of a paused timer's menu is Resume.
            bench.xserver.xdotool("key", "--delay", "0", "Down")
            time.sleep(0.2)
            bench.xserver.xdotool("key", "--delay", "0", "Return")
            clicked = time.monotonic_ns()
            on_screen = None
            deadline = time.monotonic() + 10
            while on_screen is None and time.monotonic() < deadline:
                if count_colour(bench.xserver.icon_pixels(icon.window), GREEN) > 20:
                    on_screen = time.monotonic_ns()  # at the latest: when the capture returned
            running = launched.wait_mark("icon", "running", timeout=10)
        finally:
            launched.stop()
            bench.started.remove(launched)
        resume = [r for r in sandbox.requests if r.method == "POST" and r.path.endswith("/resume")]
        server = [a for a in answers.answers if a[0] == "POST" and a[1].endswith("/resume")]
    if len(resume) != 1 or not server or on_screen is None:
        raise BenchError(f"Resume went wrong: {len(resume)} requests, seen on screen: {on_screen}")
    arrived = int(resume[0].received_at * 1e9)
    server_ns = server[0][2] * 1e6
    bench.wait_icons_gone(APP)
    return {
        "click_to_icon_ms": ms(running - clicked),
        "server_ms": ms(server_ns),
        "beyond_server_ms": ms(running - clicked - server_ns),
        "click_to_request_ms": ms(arrived - clicked),
        "answer_to_icon_ms": ms(running - arrived - server_ns),
        "on_screen_beyond_server_ms": ms(on_screen - clicked - server_ns),
    }


def stall_once(bench: Bench) -> dict[str, float]:
    with Sandbox() as sandbox:
        sandbox.other_client.resume()
        sandbox.inject("GET", TIMER_LAST, Fault.delay(STALL_DELAY_S))
        launched = bench.launch(APP, stalls=True, url=sandbox.url, token=sandbox.token)
        try:
            bench.wait_icon(launched, APP)
            state = launched.wait_mark("first-state", timeout=STALL_DELAY_S + 15)
            time.sleep(0.5)
        finally:
            launched.stop()
            bench.started.remove(launched)
        polls = [r for r in sandbox.requests if r.method == "GET" and r.path.endswith(TIMER_LAST)]
    bench.wait_icons_gone(APP)
    asked = int(polls[0].received_at * 1e9)
    # The window: from the poll reaching the sandbox until its answer is on screen (plus 0.3 s).
    window = (asked, state + 300_000_000)
    stalls = [(int(args[0]), at) for args, at in launched.marks("stall")]
    during = [s for s, end in stalls if end >= window[0] and end - s <= window[1]]
    longest = launched.marks("longest-stall")
    return {
        "during_answer_ms": ms(max(during, default=0)),
        "answer_took_ms": ms(state - asked),
        "after_icon_ms": ms(int(longest[0][0][0])) if longest else float("nan"),
        "stalls_over_15ms": float(len(stalls)),
    }


# -- the long run: memory, CPU, requests ---------------------------------------------------------


def steady_waits(times: list[float]) -> list[float]:
    """The waits between polls, leaving out the start (the first poll comes with ``GET /me``)."""
    return [b - a for a, b in itertools.pairwise(times[1:])]


def measure_sustained(bench: Bench, instances: int, seconds: float) -> dict[str, Any]:
    env = bench.xserver.env
    running_sandboxes = [
        ExternalSandbox(bench.workdir, env, running=True) for _ in range(instances)
    ]
    paused_sandbox = ExternalSandbox(bench.workdir, env, running=False)
    offline_sandboxes = [Sandbox().start() for _ in range(min(instances, 2))]
    groups: dict[str, list[Launched]] = {}
    try:
        for sandbox in offline_sandboxes:
            # Every poll's connection is closed unanswered, as when awork cannot be reached.
            sandbox.inject("GET", TIMER_LAST, Fault.drop(), times=None)
        groups["app running"] = [
            bench.launch(APP, url=s.url, token=s.token) for s in running_sandboxes
        ]
        groups["app paused"] = [
            bench.launch(APP, url=paused_sandbox.url, token=paused_sandbox.token)
            for _ in range(instances)
        ]
        groups["app offline"] = [
            bench.launch(APP, url=s.url, token=s.token) for s in offline_sandboxes
        ]
        groups[QT_FLOOR] = [bench.launch(QT_FLOOR) for _ in range(instances)]
        groups[STACK_FLOOR] = [bench.launch(STACK_FLOOR) for _ in range(instances)]
        want = {APP: sum(len(g) for n, g in groups.items() if n.startswith("app"))}
        want.update({QT_FLOOR: instances, STACK_FLOOR: instances})
        deadline = time.monotonic() + 120
        while any(len(bench.xserver.icons(WM_CLASS[k])) < n for k, n in want.items()):
            if time.monotonic() > deadline:
                raise BenchError("not every instance showed its icon within 120 s")
            for launched in bench.started:
                launched.check_alive()
            time.sleep(0.5)
        time.sleep(5)  # the first state is in, the stack floors have loaded their stack
        everyone = [launched for group in groups.values() for launched in group]
        before = {launched.pid: launched.cpu_seconds() for launched in everyone}
        began = time.time()
        say(f"  {len(everyone)} processes in the tray; measuring for {seconds:.0f} s")
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            time.sleep(min(1.0, max(0.0, end - time.monotonic())))
            for launched in everyone:
                launched.check_alive()
        after = {launched.pid: launched.cpu_seconds() for launched in everyone}
        memory = {launched.pid: launched.memory_kib() for launched in everyone}
        ended = time.time()
        colours = icon_colours(bench)
    finally:
        bench.stop_all()
        for external in [*running_sandboxes, paused_sandbox]:
            external.stop()
        offline_times = [
            [r.received_at for r in s.requests if r.path.endswith(TIMER_LAST)]
            for s in offline_sandboxes
        ]
        for offline in offline_sandboxes:
            offline.stop()
    found: dict[str, Any] = {"groups": {}, "icon_colours": colours}
    for name, group in groups.items():
        found["groups"][name] = [
            {
                "cpu_percent": 100 * (after[g.pid] - before[g.pid]) / seconds,
                "rss_mib": memory[g.pid]["VmRSS"] / 1024,
                "rss_anon_mib": memory[g.pid].get("RssAnon", 0) / 1024,
            }
            for g in group
        ]
    polls = [s.request_times() for s in running_sandboxes]
    found["steady_waits"] = [[round(w, 3) for w in steady_waits(times)] for times in polls]
    found["polls_in_window"] = [sum(began <= t <= ended for t in times) for times in polls]
    found["offline_waits"] = [
        [round(b - a, 2) for a, b in itertools.pairwise(times)] for times in offline_times
    ]
    return found


def icon_colours(bench: Bench) -> dict[str, int]:
    """How many of the app's icons show running (green), paused (amber), or something else."""
    counts = {"running": 0, "paused": 0, "other": 0}
    for icon in bench.xserver.icons(WM_CLASS[APP]):
        pixels = bench.xserver.icon_pixels(icon.window)
        if count_colour(pixels, GREEN) > 20:
            counts["running"] += 1
        elif count_colour(pixels, AMBER) > 20:
            counts["paused"] += 1
        else:
            counts["other"] += 1
    return counts


def offline_waits_follow_rules(waits: list[list[float]]) -> bool | None:
    """Whether each measured wait is within the back-off bounds (0.5 to 1 times the back-off)."""
    checked = False
    for series in waits:
        for number, wait in enumerate(series, start=1):
            backoff = min(BACKOFF_CAP_SECONDS, BACKOFF_FIRST_SECONDS * 2 ** (number - 1))
            if not 0.5 * backoff - 0.5 <= wait <= backoff + 0.5:
                return False
            checked = True
    return True if checked else None


# -- memory over many polls ----------------------------------------------------------------------


def soak_process(bench: Bench, *args: str) -> dict[str, Any]:
    """Run bench/soak.py against its own sandbox; a crash is a result too, with how far it got."""
    sandbox = ExternalSandbox(bench.workdir, bench.xserver.env, running=True)
    env, _ = bench.workdir.private_env(dict(os.environ), "soak")
    env["AWORK_TOKEN"] = sandbox.token
    try:
        done = subprocess.run(
            [PYTHON, "-m", "bench.soak", "--base-url", sandbox.url, *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        sandbox.stop()
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    fatal = [line for line in done.stderr.splitlines() if line.startswith("Fatal Python error")]
    finished = [line for line in lines if "progress" not in line]
    if finished:
        result: dict[str, Any] = finished[-1]
        if done.returncode:
            result["aborted_at_exit"] = fatal[0] if fatal else f"exit code {done.returncode}"
        return result
    if not fatal:
        raise BenchError(f"bench.soak failed ({done.returncode}): {done.stderr[-800:]}")
    progress = [line for line in lines if "progress" in line]
    return {
        "crashed": fatal[0],
        "polls_before_crash": progress[-1]["progress"] if progress else 0,
        "refs_before_crash": progress[-1]["refs"] if progress else {},
    }


def measure_soak(bench: Bench, polls: int, steady_seconds: float) -> dict[str, Any]:
    result = soak_process(bench, "--polls", str(polls))
    result["steady"] = soak_process(bench, "--steady-seconds", str(steady_seconds))
    return result


# -- putting it together -------------------------------------------------------------------------


def run_phase(name: str, options: Options, figures: Figures, work: Callable[[], None]) -> None:
    if name not in options.phases:
        return
    say(f"{name}…")
    began = time.monotonic()
    work()
    figures.phase_seconds[name] = round(time.monotonic() - began, 1)


def collect(bench: Bench, options: Options) -> Figures:
    figures = Figures(
        runs=options.runs,
        seconds=options.seconds,
        soak_polls=options.soak_polls,
        in_app_marks=bench.in_app_marks,
    )

    def startup() -> None:
        figures.startup = measure_startup(bench, options.startup_runs)

    def keychain() -> None:
        figures.keychain = measure_keychain(bench, options.startup_runs)

    def resume() -> None:
        figures.resume = [resume_once(bench) for _ in range(options.runs)]

    def stall() -> None:
        figures.stall = [stall_once(bench) for _ in range(options.stall_runs)]

    def sustained() -> None:
        figures.sustained = measure_sustained(bench, options.runs, options.seconds)
        figures.sustained["offline_follow_rules"] = offline_waits_follow_rules(
            figures.sustained["offline_waits"]
        )

    def soak() -> None:
        figures.soak = measure_soak(bench, options.soak_polls, min(options.seconds, 30))

    for name, work in (
        ("startup", startup),
        ("keychain", keychain),
        ("resume", resume),
        ("stall", stall),
        ("sustained", sustained),
        ("soak", soak),
    ):
        run_phase(name, options, figures, work)
    figures.offline = offline_hour()
    return figures


def parse_options(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--runs", type=int, default=5, help="runs (and instances) per app")
    parser.add_argument(
        "--startup-runs",
        type=int,
        default=11,
        help="start-up runs of each (a second each; start-up times are the noisiest figures)",
    )
    parser.add_argument("--stall-runs", type=int, default=3, help="runs of the 5 s answer")
    parser.add_argument("--seconds", type=float, default=60, help="the memory and CPU window")
    parser.add_argument("--soak-polls", type=int, default=10_000, help="polls for memory growth")
    parser.add_argument(
        "--quick", action="store_true", help="2 runs, a 15 s window, 1,000 polls: for trying"
    )
    parser.add_argument(
        "--only", default=",".join(PHASES), help=f"phases to run, of {','.join(PHASES)}"
    )
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the figures")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.stall_runs, args.seconds, args.soak_polls = 2, 1, 15, 1000
        args.startup_runs = 3
    phases = tuple(p for p in args.only.split(",") if p)
    unknown = set(phases) - set(PHASES)
    if unknown or min(args.runs, args.startup_runs) < 1 or args.seconds <= 0:
        parser.error(f"unknown phases {sorted(unknown)}" if unknown else "runs and seconds > 0")
    return Options(
        args.runs,
        args.startup_runs,
        args.stall_runs,
        args.seconds,
        args.soak_polls,
        phases,
        args.json,
    )


def has_in_app_marks() -> bool:
    """Whether the app itself prints the marks; otherwise bench/probe.py installs them."""
    starts = [ROOT / "tray_app" / "app.py", ROOT / "tray_app" / "startup.py"]
    hooks = (MARKS_ENV, "BENCH_MARKS_ENV")  # the name itself, or tray_app.config's for it
    return any(
        hook in path.read_text(encoding="utf-8")
        for path in starts
        if path.exists()
        for hook in hooks
    )


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    # Stopped from outside, still stop every process it started (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    missing = missing_tools()
    if missing:
        say(f"bench: missing {', '.join(missing)}; install them with:\n  {INSTALL_HINT}")
        return 2
    began = time.monotonic()
    load = os.getloadavg()[0]
    say(
        f"awork Tray benchmark: {options.runs} runs, {options.seconds:.0f} s window, "
        f"{options.soak_polls} polls; load average {load:.2f} on {os.cpu_count()} cores"
    )
    workdir = Workdir()
    xserver = XServer()
    try:
        xserver.start()
        say(f"Xvfb {xserver.display} with trayer")
        bench = Bench(xserver, workdir, in_app_marks=has_in_app_marks())
        try:
            figures = collect(bench, options)
        finally:
            bench.stop_all()
    except RuntimeError as exc:  # BenchError, or Xvfb or trayer that would not start
        say(f"bench: {exc}")
        return 1
    finally:
        xserver.stop()
        workdir.remove()
    figures.load_average = load
    figures.python = platform.python_version()
    figures.total_seconds = round(time.monotonic() - began, 1)
    options.results.parent.mkdir(parents=True, exist_ok=True)
    options.results.write_text(json.dumps(figures.as_json(), indent=1), encoding="utf-8")
    print_report(figures, out=sys.stdout)
    say(f"figures written to {options.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
