"""The command line's words: every command, its options and how each value is checked.

Built before the tray shows its icon, so it imports the standard library and the configuration
only; a URL is checked by :mod:`tray_app.urls` when one is given.
"""

from __future__ import annotations

import argparse
from typing import Any

from tray_app import __version__
from tray_app.config import APP_ID, SIGN_IN_PORT


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
    from tray_app.urls import InsecureBaseUrl, check_base_url

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
