"""Start at login: what each platform would get written, read back, and removed again."""

from __future__ import annotations

import plistlib
from pathlib import Path

import pytest

from tray_app.platform.autostart import (
    RUN_KEY,
    STARTUP_APPROVED_KEY,
    autostart_path,
    exec_line,
    is_start_at_login,
    launch_agent_path,
    login_command,
    set_start_at_login,
)

COMMAND = ["/opt/awork-tray/bin/awork-tray"]


class FakeRegistry:
    """The calls of ``winreg`` that autostart makes, on a dict of HKCU's keys."""

    HKEY_CURRENT_USER = 0x80000001
    KEY_QUERY_VALUE = 0x0001
    KEY_SET_VALUE = 0x0002
    REG_SZ = 1
    REG_BINARY = 3

    def __init__(self, keys: dict[str, dict[str, tuple[object, int]]] | None = None) -> None:
        self.keys: dict[str, dict[str, tuple[object, int]]] = keys if keys is not None else {}
        self.open: list[str] = []

    def _open(self, root: int, sub_key: str) -> str:
        assert root == self.HKEY_CURRENT_USER, "only the person's own hive is touched"
        self.open.append(sub_key)
        return sub_key

    def OpenKey(self, key: int, sub_key: str, reserved: int = 0, access: int = 1) -> str:  # noqa: N802
        if sub_key not in self.keys:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return self._open(key, sub_key)

    def CreateKeyEx(self, key: int, sub_key: str, reserved: int = 0, access: int = 1) -> str:  # noqa: N802
        self.keys.setdefault(sub_key, {})
        return self._open(key, sub_key)

    def QueryValueEx(self, key: str, name: str) -> tuple[object, int]:  # noqa: N802
        try:
            return self.keys[key][name]
        except KeyError:
            raise FileNotFoundError(2, "The system cannot find the file specified") from None

    def SetValueEx(self, key: str, name: str, reserved: int, type: int, value: str) -> None:  # noqa: N802
        self.keys[key][name] = (value, type)

    def DeleteValue(self, key: str, name: str) -> None:  # noqa: N802
        if name not in self.keys[key]:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        del self.keys[key][name]

    def CloseKey(self, key: str) -> None:  # noqa: N802
        self.open.remove(key)


# --- Linux -------------------------------------------------------------------------------------


def test_linux_writes_an_xdg_autostart_entry_and_removes_it(tmp_path: Path) -> None:
    environ = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    where = tmp_path / "config" / "autostart" / "awork-tray.desktop"

    set_start_at_login(True, command=COMMAND, platform="linux", environ=environ)

    text = where.read_text(encoding="utf-8")
    assert text.startswith("[Desktop Entry]\n")
    assert "Type=Application\n" in text
    assert "Name=awork Tray\n" in text
    assert "Exec=/opt/awork-tray/bin/awork-tray\n" in text
    assert "Icon=awork-tray\n" in text
    assert "X-GNOME-Autostart-enabled=true\n" in text
    assert is_start_at_login(platform="linux", environ=environ)
    assert not list(where.parent.glob(".*.tmp")), "no temporary file left behind"

    set_start_at_login(False, platform="linux", environ=environ)
    assert not where.exists()
    assert not is_start_at_login(platform="linux", environ=environ)
    # Turning off what is already off is fine.
    set_start_at_login(False, platform="linux", environ=environ)


def test_linux_without_xdg_config_home_uses_dot_config(tmp_path: Path) -> None:
    for environ in ({}, {"XDG_CONFIG_HOME": ""}, {"XDG_CONFIG_HOME": "relative/config"}):
        assert autostart_path(tmp_path, environ) == (
            tmp_path / ".config" / "autostart" / "awork-tray.desktop"
        )
    set_start_at_login(True, command=COMMAND, platform="freebsd14", home=tmp_path, environ={})
    assert (tmp_path / ".config" / "autostart" / "awork-tray.desktop").is_file()


@pytest.mark.parametrize(
    ("command", "line"),
    [
        (["/usr/bin/awork-tray"], "/usr/bin/awork-tray"),
        (
            ["/home/ada/my apps/python3", "-m", "tray_app"],
            '"/home/ada/my apps/python3" -m tray_app',
        ),
        # Quoted, then the value's own escaping doubles every backslash.
        (['/srv/a$b"c`d\\e'], '"/srv/a\\\\$b\\\\"c\\\\`d\\\\\\\\e"'),
        (["/opt/100%/awork-tray"], "/opt/100%%/awork-tray"),
    ],
)
def test_the_exec_line_is_quoted_as_the_desktop_entry_spec_says(
    command: list[str], line: str
) -> None:
    assert exec_line(command) == line


@pytest.mark.parametrize(
    "extra", ["Hidden=true", "X-GNOME-Autostart-enabled=false"], ids=["hidden", "gnome-off"]
)
def test_linux_an_entry_switched_off_by_the_desktop_counts_as_off(
    tmp_path: Path, extra: str
) -> None:
    environ = {"XDG_CONFIG_HOME": str(tmp_path)}
    set_start_at_login(True, command=COMMAND, platform="linux", environ=environ)
    path = autostart_path(environ=environ)
    text = path.read_text(encoding="utf-8").replace("X-GNOME-Autostart-enabled=true\n", "")
    path.write_text(f"{text}{extra}\n", encoding="utf-8")
    assert not is_start_at_login(platform="linux", environ=environ)


# --- macOS -------------------------------------------------------------------------------------


def test_macos_writes_a_launch_agent_and_removes_it(tmp_path: Path) -> None:
    command = ["/Applications/awork Tray.app/Contents/MacOS/awork-tray"]
    set_start_at_login(True, command=command, platform="darwin", home=tmp_path)

    path = tmp_path / "Library" / "LaunchAgents" / "com.awork-tray.plist"
    assert launch_agent_path(tmp_path) == path
    agent = plistlib.loads(path.read_bytes())
    assert agent == {
        "Label": "com.awork-tray",
        "ProgramArguments": command,
        "RunAtLoad": True,
        "KeepAlive": False,
        "ProcessType": "Interactive",
        "LimitLoadToSessionType": "Aqua",
    }
    assert path.read_bytes().startswith(b"<?xml"), "an XML plist, readable with any editor"
    assert is_start_at_login(platform="darwin", home=tmp_path)

    set_start_at_login(False, platform="darwin", home=tmp_path)
    assert not path.exists()
    assert not is_start_at_login(platform="darwin", home=tmp_path)


@pytest.mark.expect_log("WARNING", r"launch agent ", logger="tray_app.platform.autostart")
def test_macos_a_broken_or_disabled_agent_counts_as_off(tmp_path: Path) -> None:
    path = launch_agent_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a plist")
    assert not is_start_at_login(platform="darwin", home=tmp_path)
    set_start_at_login(True, command=COMMAND, platform="darwin", home=tmp_path)
    agent = plistlib.loads(path.read_bytes())
    path.write_bytes(plistlib.dumps({**agent, "Disabled": True}))
    assert not is_start_at_login(platform="darwin", home=tmp_path)


# --- Windows -----------------------------------------------------------------------------------


def test_windows_sets_the_run_value_and_deletes_it() -> None:
    registry = FakeRegistry()
    command = [r"C:\Program Files\awork Tray\awork-tray.exe"]

    set_start_at_login(True, command=command, platform="win32", registry=registry)

    assert registry.keys[RUN_KEY] == {
        "awork-tray": (r'"C:\Program Files\awork Tray\awork-tray.exe"', FakeRegistry.REG_SZ)
    }
    assert is_start_at_login(platform="win32", registry=registry)

    set_start_at_login(False, platform="win32", registry=registry)
    assert registry.keys[RUN_KEY] == {}
    assert not is_start_at_login(platform="win32", registry=registry)
    set_start_at_login(False, platform="win32", registry=registry)
    assert registry.open == [], "every key opened was closed"


def test_windows_a_python_install_runs_pythonw_with_arguments_quoted() -> None:
    registry = FakeRegistry()
    command = [r"C:\Users\Ada Lovelace\venv\Scripts\pythonw.exe", "-m", "tray_app"]
    set_start_at_login(True, command=command, platform="win32", registry=registry)
    value, _ = registry.keys[RUN_KEY]["awork-tray"]
    assert value == r'"C:\Users\Ada Lovelace\venv\Scripts\pythonw.exe" -m tray_app'


def test_windows_without_a_run_key_is_off() -> None:
    assert not is_start_at_login(platform="win32", registry=FakeRegistry())


def test_windows_disabled_in_task_manager_counts_as_off_until_turned_on_again() -> None:
    registry = FakeRegistry(
        {
            RUN_KEY: {"awork-tray": ("awork-tray.exe", FakeRegistry.REG_SZ)},
            STARTUP_APPROVED_KEY: {
                "awork-tray": (b"\x03\x00\x00\x00" + bytes(8), FakeRegistry.REG_BINARY),
                "OtherApp": (b"\x03" + bytes(11), FakeRegistry.REG_BINARY),
            },
        }
    )
    assert not is_start_at_login(platform="win32", registry=registry)

    set_start_at_login(True, command=COMMAND, platform="win32", registry=registry)
    assert is_start_at_login(platform="win32", registry=registry)
    # Only our own switch is reset; another app's stays as the person set it.
    assert list(registry.keys[STARTUP_APPROVED_KEY]) == ["OtherApp"]
    assert registry.open == []


def test_windows_enabled_in_task_manager_counts_as_on() -> None:
    registry = FakeRegistry(
        {
            RUN_KEY: {"awork-tray": ("awork-tray.exe", FakeRegistry.REG_SZ)},
            STARTUP_APPROVED_KEY: {"awork-tray": (b"\x02" + bytes(11), FakeRegistry.REG_BINARY)},
        }
    )
    assert is_start_at_login(platform="win32", registry=registry)


# --- the command --------------------------------------------------------------------------------


def test_a_frozen_bundle_starts_itself() -> None:
    exe = "/opt/awork-tray/awork-tray"
    assert login_command(platform="linux", executable=exe, frozen=True) == [exe]
    exe = r"C:\Program Files\awork Tray\awork-tray.exe"
    assert login_command(platform="win32", executable=exe, frozen=True) == [exe]


def test_the_entry_point_beside_python_comes_first(tmp_path: Path) -> None:
    python = tmp_path / "bin" / "python"
    script = tmp_path / "bin" / "awork-tray"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    command = login_command(
        platform="linux", executable=str(python), frozen=False, which=lambda _: "/usr/bin/x"
    )
    assert command == [str(script)]


def test_then_the_entry_point_on_path_then_python_m(tmp_path: Path) -> None:
    python = str(tmp_path / "python3")
    found = login_command(
        platform="linux", executable=python, frozen=False, which=lambda _: "/usr/bin/awork-tray"
    )
    assert found == ["/usr/bin/awork-tray"]
    fallback = login_command(
        platform="darwin", executable=python, frozen=False, which=lambda _: None
    )
    assert fallback == [python, "-m", "tray_app"]


def test_windows_prefers_pythonw_so_no_console_opens_at_login(tmp_path: Path) -> None:
    python = tmp_path / "python.exe"
    assert login_command(platform="win32", executable=str(python), frozen=False) == [
        str(python),
        "-m",
        "tray_app",
    ]
    (tmp_path / "pythonw.exe").write_bytes(b"")
    assert login_command(platform="win32", executable=str(python), frozen=False) == [
        str(tmp_path / "pythonw.exe"),
        "-m",
        "tray_app",
    ]


def test_turning_on_without_a_command_uses_this_installation(tmp_path: Path) -> None:
    environ = {"XDG_CONFIG_HOME": str(tmp_path)}
    set_start_at_login(True, platform="linux", environ=environ)
    text = autostart_path(environ=environ).read_text(encoding="utf-8")
    exec_value = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert exec_value == f"Exec={exec_line(login_command(platform='linux'))}"
