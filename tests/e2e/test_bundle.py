"""The PyInstaller one-folder bundle builds, starts, shows its version and runs the demo.

Run with ``make bundle-test``, which installs PyInstaller (the ``packaging`` extra) first; plain
``make test`` skips these, since its environment has no PyInstaller. The bundle is built from
``packaging/awork-tray.spec`` into a temporary folder, so a developer's ``dist/`` is left alone.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers.ports import free_port
from tests.helpers.tools import stop, wait_for
from tray_app import __version__

pytestmark = [pytest.mark.e2e, pytest.mark.bundle]

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "awork-tray.spec"
_BANNER = re.compile(r"running at (?P<url>\S+) \(access token: (?P<token>[^)\s]+)\)")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Path:
    """The bundle's folder (``dist/awork-tray``), built once for this module."""
    if os.environ.get("AWORK_TRAY_BUNDLE_TESTS") != "1":
        pytest.skip("the bundle is built and tested by `make bundle-test`")
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.fail("PyInstaller is not installed: `make bundle-test` installs it")
    work = tmp_path_factory.mktemp("pyinstaller")
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            str(SPEC),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    folder = work / "dist" / "awork-tray"
    size = subprocess.run(
        ["du", "-sh", str(folder)], capture_output=True, text=True, check=True
    ).stdout.split()[0]
    report = f"bundle built in {time.monotonic() - started:.0f} s: {folder} is {size} on disk"
    terminal = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    if terminal is not None:
        terminal.write_line(f"\n{report}")
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / "bundle-size.txt").write_text(report + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "LC_ALL": "C.UTF-8",
        "LANGUAGE": "en",
    }


def test_the_bundle_shows_its_version(bundle: Path, env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(bundle / "awork-tray"), "--version"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"awork-tray {__version__}"


def test_the_bundle_carries_its_resources_and_not_the_unused_qt(bundle: Path) -> None:
    internal = bundle / "_internal"
    icons = internal / "tray_app" / "resources" / "icons"
    assert {p.name for p in icons.glob("*.svg")} >= {"app.svg", "state-running.svg"}
    assert (internal / "tray_app" / "resources" / "translations" / "awork_tray_de.qm").is_file()
    qt = internal / "PySide6" / "Qt"
    assert (qt / "plugins" / "platforms" / "libqxcb.so").is_file()
    assert (qt / "plugins" / "platforms" / "libqwayland.so").is_file()
    # The icons are drawn by the SVG image plugin, which needs the QtSvg library.
    assert (qt / "plugins" / "imageformats" / "libqsvg.so").is_file()
    assert list(qt.glob("lib/libQt6Svg.so*"))
    assert not list(qt.glob("lib/libQt6Pdf*")), "QtPdf is left out"
    assert not list(qt.glob("lib/libQt6Qml*")), "QML is left out"
    assert not list(internal.glob("libgtk-3*")), "no GTK of the build machine"


def test_the_bundle_runs_the_demo_offscreen(bundle: Path, env: dict[str, str]) -> None:
    process = subprocess.Popen(
        [str(bundle / "awork-tray"), "--demo", "--sandbox-port", str(free_port())],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    banner = process.stdout.readline()
    match = _BANNER.search(banner)
    assert match is not None, f"no sandbox URL printed: {banner!r} {stop(process)!r}"
    headers = {"Authorization": f"Bearer {match['token']}"}
    wait_for(
        lambda: httpx.get(f"{match['url']}/me", headers=headers, timeout=5).status_code == 200,
        15,
        "the bundled sandbox to answer",
    )
    # Signed in, icons drawn from the bundle, polling: it must still be up a little later.
    with pytest.raises(subprocess.TimeoutExpired):
        process.wait(timeout=3)
    _, stderr = stop(process)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    log = Path(env["XDG_STATE_HOME"], "awork-tray", "log", "awork-tray.log").read_text()
    assert "tray icon" in log or "no system tray" in log, log
    assert "cannot draw an icon" not in log


def test_the_bundled_command_line_works(bundle: Path, env: dict[str, str]) -> None:
    sandbox = subprocess.Popen(
        [str(bundle / "awork-tray"), "sandbox", "--port", str(free_port())],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert sandbox.stdout is not None
        url = sandbox.stdout.readline().split()[-1]
        token = sandbox.stdout.readline().split()[-1]
        result = subprocess.run(
            [str(bundle / "awork-tray"), "resume", "--json", "--base-url", url],
            capture_output=True,
            text=True,
            check=False,
            env={**env, "AWORK_TOKEN": token},
            timeout=30,
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["state"] == "running"
    finally:
        stop(sandbox)


def test_the_bundle_docks_in_a_real_tray(bundle: Path, env: dict[str, str], x_display: str) -> None:
    """Under X11 (xcb): the platform plugin and its libraries are all in the bundle."""
    process = subprocess.Popen(
        [str(bundle / "awork-tray"), "--demo", "--sandbox-port", str(free_port())],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "QT_QPA_PLATFORM": "xcb", "DISPLAY": x_display},
    )
    try:

        def docked() -> bool:
            tree = subprocess.run(
                ["xwininfo", "-root", "-tree"],
                env={**env, "DISPLAY": x_display},
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            return '"awork-tray" "awork Tray")' in tree and process.poll() is None

        wait_for(docked, 20, "the bundle's icon to dock in trayer")
    finally:
        _, stderr = stop(process)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
