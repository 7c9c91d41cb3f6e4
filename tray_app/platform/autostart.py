"""Start at login: what each desktop reads at login, written and removed here (no Qt).

Linux and other XDG desktops read ``$XDG_CONFIG_HOME/autostart/awork-tray.desktop``; Windows runs
the ``awork-tray`` value under ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``; macOS's
launchd loads ``~/Library/LaunchAgents/com.awork-tray.plist`` at the next login. The operating
system is the truth: the settings dialog shows :func:`is_start_at_login`, and a save calls
:func:`set_start_at_login`. Every place an OS is touched (home, environment, registry) can be
handed in, so the tests check what each platform would get without being that platform.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import plistlib
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol, cast

from tray_app import APP_NAME

log = logging.getLogger(__name__)

APP_ID = "awork-tray"
AUTOSTART_FILE_NAME = "awork-tray.desktop"
LAUNCH_AGENT_LABEL = "com.awork-tray"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
# Task Manager's "Startup apps" switch: a value named like ours, whose first byte is odd when the
# person turned the entry off there (observed 02/06 on, 03/07 off; not documented by Microsoft).
STARTUP_APPROVED_KEY = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"
RUN_VALUE_NAME = APP_ID
# Characters that make an Exec argument need quotes (Desktop Entry Specification, "Exec key").
_EXEC_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")


class KeyHandle(Protocol):
    """An open registry key; only ever passed back to :class:`Registry`."""


class Registry(Protocol):
    """The part of the standard ``winreg`` module used here; the tests hand in a fake."""

    HKEY_CURRENT_USER: int
    KEY_SET_VALUE: int
    KEY_QUERY_VALUE: int
    REG_SZ: int

    def OpenKey(  # noqa: N802
        self, key: int, sub_key: str, reserved: int = 0, access: int = ...
    ) -> KeyHandle: ...

    def CreateKeyEx(  # noqa: N802
        self, key: int, sub_key: str, reserved: int = 0, access: int = ...
    ) -> KeyHandle: ...

    def QueryValueEx(self, key: KeyHandle, name: str) -> tuple[object, int]: ...  # noqa: N802

    def SetValueEx(  # noqa: N802
        self, key: KeyHandle, name: str, reserved: int, type: int, value: str
    ) -> None: ...

    def DeleteValue(self, key: KeyHandle, name: str) -> None: ...  # noqa: N802

    def CloseKey(self, key: KeyHandle) -> None: ...  # noqa: N802


def login_command(
    *,
    platform: str = sys.platform,
    executable: str = sys.executable,
    frozen: bool = bool(getattr(sys, "frozen", False)),
    which: Callable[[str], str | None] = shutil.which,
) -> list[str]:
    """The command that starts this very installation of the tray.

    A PyInstaller bundle starts itself. Otherwise the ``awork-tray`` script beside the running
    Python (a venv or pipx), then one on PATH, then ``python -m tray_app``. Windows always gets
    ``pythonw -m tray_app`` when it can: the ``awork-tray.exe`` launcher would open a console
    window at every login.
    """
    if frozen:
        return [executable]
    here = Path(executable).parent
    if platform == "win32":
        pythonw = here / "pythonw.exe"
        return [str(pythonw if pythonw.exists() else Path(executable)), "-m", "tray_app"]
    beside = here / APP_ID
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = which(APP_ID)
    if found:
        return [str(Path(found).absolute())]
    return [executable, "-m", "tray_app"]


def set_start_at_login(
    enabled: bool,
    *,
    command: list[str] | None = None,
    platform: str = sys.platform,
    home: Path | None = None,
    environ: Mapping[str, str] | None = None,
    registry: Registry | None = None,
) -> None:
    """Make the tray start (or no longer start) when the person logs in.

    Raises ``OSError`` when the file or registry value cannot be written or removed; removing
    what is not there is not an error.
    """
    if enabled and command is None:
        command = login_command(platform=platform)
    if platform == "win32":
        _set_windows(command if enabled else None, registry or _winreg())
    elif platform == "darwin":
        _set_file(launch_agent_path(home), launch_agent(command) if enabled and command else None)
    else:
        path = autostart_path(home, environ)
        _set_file(path, desktop_entry(command).encode() if enabled and command else None)
    log.info("start at login %s", "on" if enabled else "off")


def is_start_at_login(
    *,
    platform: str = sys.platform,
    home: Path | None = None,
    environ: Mapping[str, str] | None = None,
    registry: Registry | None = None,
) -> bool:
    """Whether the tray will start at the next login, as the operating system sees it."""
    if platform == "win32":
        return _is_windows(registry or _winreg())
    if platform == "darwin":
        return _is_launch_agent(launch_agent_path(home))
    return _is_autostart_entry(autostart_path(home, environ))


# --- Linux and other XDG desktops ---------------------------------------------------------------


def autostart_path(home: Path | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/autostart/awork-tray.desktop`` (the variable counts only if absolute)."""
    environ = os.environ if environ is None else environ
    config = environ.get("XDG_CONFIG_HOME", "")
    base = Path(config) if config and Path(config).is_absolute() else _home(home) / ".config"
    return base / "autostart" / AUTOSTART_FILE_NAME


def desktop_entry(command: list[str]) -> str:
    """An XDG autostart entry that runs ``command``."""
    return "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            f"Name={APP_NAME}",
            "Comment=See, pause and resume your awork timer from the system tray",
            f"Exec={exec_line(command)}",
            f"Icon={APP_ID}",
            "Terminal=false",
            "Categories=Office;ProjectManagement;",
            "StartupNotify=false",
            "X-GNOME-Autostart-enabled=true",
            # The panel starts with the session too; the app also waits for the tray itself.
            "X-GNOME-Autostart-Delay=3",
            "",
        ]
    )


def exec_line(command: list[str]) -> str:
    """``command`` as a desktop entry's Exec value: quoted as the spec says, then escaped."""
    return " ".join(_escape_value(_quote_exec_arg(arg)) for arg in command)


def _quote_exec_arg(arg: str) -> str:
    arg = arg.replace("%", "%%")  # a lone % would be a field code
    if arg and not _EXEC_RESERVED.intersection(arg):
        return arg
    escaped = "".join("\\" + char if char in '"`$\\' else char for char in arg)
    return f'"{escaped}"'


def _escape_value(text: str) -> str:
    """The general string escapes of a desktop entry value (applied after Exec quoting)."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def _is_autostart_entry(path: Path) -> bool:
    """Present, and neither ``Hidden`` nor switched off by GNOME's ``Autostart-enabled``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return False
    entry = _desktop_group(text)
    return (
        entry.get("Hidden", "false") != "true"
        and entry.get("X-GNOME-Autostart-enabled", "true") != "false"
    )


def _desktop_group(text: str) -> dict[str, str]:
    """The keys of the ``[Desktop Entry]`` group (untranslated keys only)."""
    values: dict[str, str] = {}
    in_group = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            in_group = line == "[Desktop Entry]"
        elif in_group and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


# --- macOS -----------------------------------------------------------------------------------


def launch_agent_path(home: Path | None = None) -> Path:
    return _home(home) / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"


def launch_agent(command: list[str]) -> bytes:
    """A LaunchAgent that launchd runs once at login, in the person's GUI session."""
    return plistlib.dumps(
        {
            "Label": LAUNCH_AGENT_LABEL,
            "ProgramArguments": command,
            "RunAtLoad": True,
            # Quitting from the menu must stick: launchd must not start it again.
            "KeepAlive": False,
            "ProcessType": "Interactive",
            "LimitLoadToSessionType": "Aqua",
        },
        fmt=plistlib.FMT_XML,
    )


def _is_launch_agent(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            agent = plistlib.load(file)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except (plistlib.InvalidFileException, ValueError) as exc:
        log.warning("launch agent %s cannot be read: %s", path, exc)
        return False
    return (
        isinstance(agent, dict)
        and agent.get("RunAtLoad") is True
        and agent.get("Disabled") is not True
        and bool(agent.get("ProgramArguments"))
    )


# --- Windows -----------------------------------------------------------------------------------


def windows_command_line(command: list[str]) -> str:
    """``command`` quoted the way Windows programs split their command line."""
    return subprocess.list2cmdline(command)


def _winreg() -> Registry:
    # Imported here: the module exists only on Windows, and mypy on Linux sees it empty.
    return cast(Registry, importlib.import_module("winreg"))


def _set_windows(command: list[str] | None, registry: Registry) -> None:
    key = registry.CreateKeyEx(registry.HKEY_CURRENT_USER, RUN_KEY, 0, registry.KEY_SET_VALUE)
    try:
        if command is not None:
            registry.SetValueEx(
                key, RUN_VALUE_NAME, 0, registry.REG_SZ, windows_command_line(command)
            )
        else:
            _delete_value(registry, key, RUN_VALUE_NAME)
    finally:
        registry.CloseKey(key)
    # Turning it on here also undoes an earlier "Disable" in Task Manager, which would otherwise
    # keep the new value from running; turning it off leaves nothing behind.
    try:
        approved = registry.OpenKey(
            registry.HKEY_CURRENT_USER, STARTUP_APPROVED_KEY, 0, registry.KEY_SET_VALUE
        )
    except FileNotFoundError:
        return
    try:
        _delete_value(registry, approved, RUN_VALUE_NAME)
    finally:
        registry.CloseKey(approved)


def _delete_value(registry: Registry, key: KeyHandle, name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        registry.DeleteValue(key, name)


def _is_windows(registry: Registry) -> bool:
    if not isinstance(_query(registry, RUN_KEY), str):
        return False
    approved = _query(registry, STARTUP_APPROVED_KEY)
    disabled = isinstance(approved, bytes) and bool(approved) and approved[0] & 1
    return not disabled


def _query(registry: Registry, sub_key: str) -> object:
    """Our value under ``sub_key`` of HKCU, or None when the key or the value is missing."""
    try:
        key = registry.OpenKey(registry.HKEY_CURRENT_USER, sub_key, 0, registry.KEY_QUERY_VALUE)
    except FileNotFoundError:
        return None
    try:
        value, _type = registry.QueryValueEx(key, RUN_VALUE_NAME)
    except FileNotFoundError:
        return None
    finally:
        registry.CloseKey(key)
    return value


# --- files ---------------------------------------------------------------------------------------


def _home(home: Path | None) -> Path:
    return home if home is not None else Path.home()


def _set_file(path: Path, content: bytes | None) -> None:
    """Write ``content`` atomically, or remove the file when it is None."""
    if content is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)
