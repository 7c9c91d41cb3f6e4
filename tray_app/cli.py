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

from tray_app import logs
from tray_app.awork.errors import (
    AworkError,
    MalformedAnswer,
    NotSignedIn,
    ServerError,
    Unreachable,
)
from tray_app.cli_parser import build_parser
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
    from tray_app.platform.credentials import CredentialStore

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
    from tray_app.platform.credentials import CredentialStore

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
    from tray_app.platform.credentials import CredentialStore

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
