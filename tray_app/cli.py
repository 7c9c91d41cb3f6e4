"""The ``awork-tray`` command line: the tray (default), the timer, sign-in/out, the sandbox.

Heavy modules (Qt, httpx, pydantic) are imported inside the commands that use them, so the tray
can show its icon before the network stack is loaded.

Exit codes are a contract (see the README): 0 done, 1 awork said no or nothing to act on,
2 usage, 3 not signed in, 4 awork could not be reached. Every failure is one line on stderr.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from tray_app import __version__, logs
from tray_app.awork.errors import (
    AworkError,
    MalformedAnswer,
    NotSignedIn,
    ServerError,
    Unreachable,
)
from tray_app.config import (
    APP_ID,
    BASE_URL_ENV,
    SIGN_IN_PORT,
    TOKEN_ENV,
    choose_base_url,
    take_token,
)

if TYPE_CHECKING:
    from datetime import datetime

    from tray_app.awork.client import AworkClient
    from tray_app.core.clock import ServerClock
    from tray_app.core.timer import Snapshot

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_NOT_SIGNED_IN = 3
EXIT_UNREACHABLE = 4

TIMER_COMMANDS = ("status", "resume", "pause", "stop")
TASK_COMMANDS = ("tasks", "start", "today", "note")
NOT_SIGNED_IN = f"not signed in: run '{APP_ID} sign-in' (or set {TOKEN_ENV} to an access token)."


class CommandError(Exception):
    """A failure already worded for the person, with the exit code it maps to."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=APP_ID,
        description="A system-tray timer for awork. Without a command, runs the tray.",
    )
    # None: decided after parsing (environment, then the settings file, then awork's own).
    _add_common_options(parser, default_base_url=None)
    # The same options after the command; SUPPRESS keeps them from overwriting those before it.
    common = argparse.ArgumentParser(add_help=False)
    _add_common_options(common, default_base_url=argparse.SUPPRESS)
    parser.add_argument("--version", action="version", version=f"{APP_ID} {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="run the tray against an embedded sandbox"
    )
    parser.add_argument(
        "--sandbox-port", type=_port, default=0, metavar="N", help="port of the demo's sandbox"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    for name, text in (
        ("status", "show the timer's state and elapsed time"),
        ("resume", "resume the paused timer"),
        ("pause", "pause the running timer"),
        ("stop", "stop the running or paused timer"),
    ):
        sub = commands.add_parser(name, parents=[common], help=text, description=text)
        sub.add_argument("--json", action="store_true", help="print the result as JSON")

    _add_task_commands(commands, common)

    sandbox = commands.add_parser(
        "sandbox", parents=[common], help="run the stand-in awork server in the foreground"
    )
    sandbox.add_argument("--port", type=_port, default=0, help="port on 127.0.0.1 (default: any)")

    text = "sign in to awork in your browser; the sign-in is kept in the system keychain"
    sign_in = commands.add_parser("sign-in", parents=[common], help=text, description=text)
    sign_in.add_argument(
        "--no-browser",
        action="store_true",
        help="print the address to open instead of opening a browser",
    )
    sign_in.add_argument(
        "--port",
        type=_port,
        default=None,
        metavar="N",
        help=f"port on 127.0.0.1 that awork's answer comes back to (default: {SIGN_IN_PORT})",
    )
    text = "sign out: revoke the sign-in on awork and delete it from the keychain"
    commands.add_parser("sign-out", parents=[common], help=text, description=text)
    return parser


def _add_task_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """``tasks``, ``start``, ``today``, ``note`` and ``pick``: starting work on any task."""
    text = "list the tasks the tray offers: favourites, recent, assigned"
    tasks = commands.add_parser("tasks", parents=[common], help=text, description=text)
    tasks.add_argument("--search", metavar="TEXT", help="filter them and add awork's search")
    text = "start the timer on a task, stopping or replacing whatever runs"
    start = commands.add_parser("start", parents=[common], help=text, description=text)
    start.add_argument("task", metavar="TASK", help="a task id, an identifier (WEB-12) or words")
    start.add_argument("--note", metavar="TEXT", help="the new entry's note")
    text = "today's tracked time against the day's capacity"
    today = commands.add_parser("today", parents=[common], help=text, description=text)
    text = "set the note of the running or paused timer"
    note = commands.add_parser("note", parents=[common], help=text, description=text)
    note.add_argument("text", metavar="TEXT", help="the note ('' removes it)")
    for sub in (tasks, start, today, note):
        sub.add_argument("--json", action="store_true", help="print the result as JSON")
    text = "open the running tray's find window (starting the tray when none runs)"
    commands.add_parser("pick", parents=[common], help=text, description=text)


def _add_common_options(parser: argparse.ArgumentParser, default_base_url: str | None) -> None:
    parser.add_argument(
        "--base-url",
        default=default_base_url,
        type=_base_url,
        metavar="URL",
        help="awork API base URL (default: $AWORK_BASE_URL, else the settings, else awork's)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS if default_base_url is argparse.SUPPRESS else False,
        help="log debug details",
    )


def _base_url(text: str) -> str:
    """An https URL (http only for this machine): anything else is a usage error, sent nowhere.

    A mistyped address is not "awork unreachable", and plain http to another host would carry
    the token in clear. The check is stdlib-only (urllib.parse, some 5 ms, loads only when a URL
    is given): parsing the command line must not load httpx before the tray shows its icon.
    """
    from tray_app.awork.urls import InsecureBaseUrl, check_base_url

    try:
        return check_base_url(text)
    except InsecureBaseUrl as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _port(text: str) -> int:
    """A TCP port, 0 meaning "any free one"; out of range is a usage error, not a traceback."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number (0-65535): {text!r}")
    return port


def _settings_read_later() -> None:
    """The tray's choice: it reads the settings once its icon shows."""


def _settings_base_url() -> str:
    """The settings file's base URL, already checked (the settings load pydantic: ~70 ms)."""
    from tray_app.core.settings import load_settings

    return load_settings().base_url


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    # First of all, so nothing this process starts (a browser, xdg-open) inherits the token.
    token = take_token()
    parser = build_parser()
    args = parser.parse_args(argv)
    args.token = token
    if args.command is None:  # the tray: its log file is attached once the icon shows
        logs.hold(verbose=args.verbose)
    else:
        logs.configure(verbose=args.verbose)
    if token:
        logs.register_secret(token)
    # The tray reads the settings' base URL itself, once its icon shows.
    settings_url = _settings_base_url if args.command else _settings_read_later
    try:
        args.base_url = choose_base_url(args.base_url, os.environ, settings_url)
    except ValueError as exc:  # InsecureBaseUrl, without importing it before the icon shows
        parser.error(f"{BASE_URL_ENV}: {exc}")
    try:
        if args.command in TIMER_COMMANDS:
            return run_timer_command(args.command, args, out)
        if args.command in TASK_COMMANDS:
            return run_task_command(args.command, args, out)
        if args.command == "sign-in":
            return run_sign_in(args, out)
        if args.command == "sign-out":
            return run_sign_out(args, out)
        if args.command == "sandbox":
            from tray_app.sandbox import serve_forever

            try:
                serve_forever(port=args.port, out=out)
            except OSError as exc:
                raise CommandError(
                    f"cannot listen on port {args.port}: {exc.strerror or exc}", EXIT_REFUSED
                ) from None
            return EXIT_OK
        from tray_app.startup import run_tray

        return run_tray(
            base_url=args.base_url,
            token=token,
            demo=args.demo,
            sandbox_port=args.sandbox_port,
            verbose=args.verbose,
            open_find=args.command == "pick",
        )
    except CommandError as exc:
        print(f"{APP_ID}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def run_timer_command(command: str, args: argparse.Namespace, out: TextIO) -> int:
    """Read the timer, act when the command applies to its state, and print the outcome."""
    from tray_app.core.actions import RULES, Action, send
    from tray_app.core.clock import ServerClock
    from tray_app.core.timer import Snapshot

    # Elapsed time by awork's clock (its Date header), as the tray tells it: a machine minutes
    # off would otherwise print minutes too few or too many.
    clock = ServerClock()
    with _client(args.base_url, args.token, clock) as client:
        snapshot = Snapshot.of(_call(client.current))
        if command == "status":
            _print(out, args.json, snapshot, status_line(snapshot, clock.now()), clock=clock)
            return EXIT_OK
        action = Action(command)
        rule = RULES[action]
        if snapshot.state in rule.already:
            line = f"{rule.already[snapshot.state]}: {status_line(snapshot, clock.now())}"
            _print(out, args.json, snapshot, line, clock=clock, result="unchanged")
            return EXIT_OK
        if snapshot.state not in rule.acts_on:
            raise CommandError(f"{rule.nothing}.", EXIT_REFUSED)
        entry = _call(lambda: send(action, client, snapshot))
        if entry is None:
            # awork found nothing to act on after all: the timer changed between our two calls.
            raise CommandError(f"{rule.nothing} (it changed meanwhile).", EXIT_REFUSED)
        after = Snapshot.of(entry)
        line = f"{rule.done}: {status_line(after, clock.now())}"
        _print(out, args.json, after, line, clock=clock, result=command)
        return EXIT_OK


def run_task_command(command: str, args: argparse.Namespace, out: TextIO) -> int:
    """``tasks``, ``start``, ``today`` or ``note``, through the catalog the tray uses too."""
    from tray_app import task_commands
    from tray_app.core.catalog import TaskCatalog
    from tray_app.core.clock import ServerClock
    from tray_app.core.settings import load_settings
    from tray_app.core.timer import Snapshot

    clock = ServerClock()  # awork's clock, as for the timer commands
    with _client(args.base_url, args.token, clock) as client:
        catalog = TaskCatalog(client, clock=clock.now)
        try:
            if command == "tasks":
                favourites = load_settings().favourites
                _call(
                    lambda: task_commands.print_tasks(
                        out, args.json, catalog, favourites, args.search
                    )
                )
            elif command == "today":
                _call(lambda: task_commands.print_today(out, args.json, catalog, client, clock.now))
            else:
                if command == "start":
                    favourites = load_settings().favourites
                    done, result = "Started", "started"
                    entry = _call(
                        lambda: task_commands.start(catalog, args.task, favourites, args.note)
                    )
                else:
                    done, result = "Note set", "noted"
                    entry = _call(lambda: task_commands.set_note(catalog, client, args.text))
                after = Snapshot.of(entry)
                line = f"{done}: {status_line(after, clock.now())}"
                _print(out, args.json, after, line, clock=clock, result=result)
        except task_commands.NothingDone as exc:
            print(f"{APP_ID}: {exc}", file=sys.stderr)
            if exc.candidates:  # the tasks TASK could mean, for the person to name one
                task_commands.print_choices(out, args.json, exc.candidates)
            return EXIT_REFUSED
    return EXIT_OK


def status_line(snapshot: Snapshot, now: datetime) -> str:
    """One line saying what the timer does, e.g. ``Running 1:02:03 · Write report · Website``."""
    from tray_app.core.timer import TimerState, state_line

    line = state_line(snapshot, now)
    return line if snapshot.state is TimerState.NONE else f"{line} · {snapshot.label()}"


def _print(
    out: TextIO,
    as_json: bool,
    snapshot: Snapshot,
    line: str,
    *,
    clock: ServerClock,
    result: str | None = None,
) -> None:
    if not as_json:
        print(line, file=out)
        return
    import json

    payload: dict[str, Any] = {
        "state": str(snapshot.state),
        "elapsed_seconds": snapshot.elapsed_seconds(clock.now()),
        "task": snapshot.task_name,
        "project": snapshot.project_name,
        "entry_id": snapshot.entry_id,
        "started_at": snapshot.started_at.isoformat() if snapshot.started_at else None,
        "message": line,
    }
    if result is not None:
        payload["result"] = result
    print(json.dumps(payload), file=out)


def _client(base_url: str, token: str | None, clock: ServerClock) -> AworkClient:
    """A client with AWORK_TOKEN when it was set, else with the keychain's sign-in (renewed as
    needed); every answer's Date header sets ``clock``."""
    from tray_app.awork.token_auth import open_client
    from tray_app.core.credentials import CredentialStore

    store = CredentialStore()
    if not token and store.tokens(base_url) is None:
        if store.problem:
            raise CommandError(f"not signed in: {store.problem}.", EXIT_NOT_SIGNED_IN)
        raise CommandError(NOT_SIGNED_IN, EXIT_NOT_SIGNED_IN)
    # The token taken from the environment, handed over explicitly (it is no longer there).
    return open_client(base_url, store, token=token, on_server_date=clock.observe)


def run_sign_in(args: argparse.Namespace, out: TextIO) -> int:
    """Sign in through the browser, keep the sign-in in the keychain, and say who is signed in."""
    from tray_app.awork.client import AworkClient
    from tray_app.awork.loopback import DEFAULT_WAIT_SECONDS
    from tray_app.awork.sign_in import sign_in
    from tray_app.awork.token_auth import OAuthAuth
    from tray_app.core.credentials import CredentialStore

    store = CredentialStore()
    # Ask the keychain before the browser: without one this sign-in would end with the command.
    store.client(args.base_url)
    if store.problem:
        raise CommandError(f"cannot keep a sign-in here: {store.problem}.", EXIT_NOT_SIGNED_IN)

    def announce(url: str) -> None:
        print(f"Open this address in your browser to sign in to awork:\n{url}", file=out)
        out.flush()

    browser = None if args.no_browser or not _can_open_browser() else _open_browser
    if browser is not None:
        print("Opening your browser to sign in to awork…", file=out, flush=True)
    _call(
        lambda: sign_in(
            args.base_url,
            store,
            open_browser=browser,
            announce=announce,
            port=SIGN_IN_PORT if args.port is None else args.port,
            timeout=DEFAULT_WAIT_SECONDS,
        )
    )
    with AworkClient(args.base_url, auth=OAuthAuth(args.base_url, store)) as client:
        person = _call(client.me)
    workspace = f" ({person.workspace.name})" if person.workspace and person.workspace.name else ""
    print(f"Signed in as {person.display_name}{workspace}", file=out)
    if store.warning:
        print(f"{APP_ID}: {store.warning}", file=sys.stderr)
    return EXIT_OK


def run_sign_out(args: argparse.Namespace, out: TextIO) -> int:
    """Revoke the sign-in on awork when it can be reached; forget it here in any case."""
    from tray_app.awork.sign_in import sign_out
    from tray_app.core.credentials import CredentialStore

    store = CredentialStore()
    result = _call(lambda: sign_out(args.base_url, store))
    if store.problem:
        raise CommandError(f"cannot sign out here: {store.problem}.", EXIT_REFUSED)
    print(result.message, file=out)
    return EXIT_OK


def _can_open_browser() -> bool:
    """Not on a Linux console: Python's webbrowser would start a text browser in this terminal."""
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _open_browser(url: str) -> bool:
    import webbrowser

    return webbrowser.open(url)


def _call(function: Any) -> Any:
    """Run one client call and turn its typed error into the contract's exit code."""
    try:
        return function()
    except AworkError as exc:
        raise CommandError(str(exc), exit_code_for(exc)) from None


def exit_code_for(error: AworkError) -> int:
    if isinstance(error, NotSignedIn):
        return EXIT_NOT_SIGNED_IN
    if isinstance(error, Unreachable | ServerError | MalformedAnswer):
        return EXIT_UNREACHABLE
    return EXIT_REFUSED
