"""The wheel installs into a fresh venv and works from there, icons included, without the checkout.

The venv gets the wheel alone (``--no-deps``); its dependencies are borrowed from the project's
.venv through a path line in a ``.pth`` file. A plain path line puts that folder on ``sys.path``
after the venv's own site-packages and does not run the .pth files inside it, so the checkout's
editable install stays out: ``tray_app`` and its resources can only come from the wheel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.tools import free_port, stop, wait_for
from tray_app import __version__

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    (built,) = out.glob("awork_tray-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; returns its bin folder."""
    home = tmp_path_factory.mktemp("venv")
    venv.create(home, with_pip=False, symlinks=True)
    python = home / "bin" / "python"
    # The project's pip installs into the new venv (pip >= 22.3), so it needs no pip of its own.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "_borrowed_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    return home / "bin"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """No PYTHONPATH, English, a private config, and a folder far from the checkout."""
    environ = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    environ.update(QT_QPA_PLATFORM="offscreen", LC_ALL="C.UTF-8", LANGUAGE="en")
    return environ


def test_the_wheel_carries_the_package_its_resources_and_the_command(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        scripts = archive.read(entry_points).decode()
    for state in ("running", "paused", "stopped", "offline", "signed-out", "error"):
        assert f"tray_app/resources/icons/state-{state}.svg" in names
    assert "tray_app/resources/icons/app.svg" in names
    assert "tray_app/resources/translations/awork_tray_de.qm" in names
    assert "awork-tray = tray_app.cli:main" in scripts
    assert not [n for n in names if n.startswith(("tests/", "packaging/", "resources/"))]


def test_the_installed_command_shows_its_version(
    installed: Path, env: dict[str, str], tmp_path: Path
) -> None:
    result = subprocess.run(
        [str(installed / "awork-tray"), "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=env,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"awork-tray {__version__}"


def test_the_icons_are_found_inside_the_installed_package(
    installed: Path, env: dict[str, str], tmp_path: Path
) -> None:
    code = (
        "import json, tray_app, tray_app.resources as r\n"
        "from PySide6.QtGui import QGuiApplication\n"
        "app = QGuiApplication([])\n"
        "from tray_app.ui.icons import IconKind, IconSet, Variant\n"
        "icons = IconSet(Variant.DARK_PANEL)\n"
        "print(json.dumps({'package': tray_app.__file__,\n"
        "  'icon': str(r.resource('icons/state-running.svg')),\n"
        "  'sizes': [s.width() for s in icons.icon(IconKind.RUNNING).availableSizes()]}))\n"
    )
    result = subprocess.run(
        [str(installed / "python"), "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    venv_home = str(installed.parent)
    assert found["package"].startswith(venv_home), "tray_app comes from the wheel"
    assert found["icon"].startswith(venv_home), "the icons come from the wheel"
    assert str(ROOT) not in found["icon"]
    assert found["sizes"], "the running icon rendered"


@pytest.fixture
def sandbox(installed: Path, env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, str]]:
    process = subprocess.Popen(
        [str(installed / "awork-tray"), "sandbox", "--port", str(free_port())],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert process.stdout is not None
    url = process.stdout.readline().split()[-1]
    token = process.stdout.readline().split()[-1]
    try:
        yield url, token
    finally:
        _, stderr = stop(process)
        assert "Traceback" not in stderr


def test_the_installed_sandbox_answers(sandbox: tuple[str, str]) -> None:
    url, token = sandbox
    answer = httpx.get(f"{url}/me", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert answer.status_code == 200
    assert answer.json()["firstName"]


def test_the_installed_command_line_talks_to_it(
    installed: Path, sandbox: tuple[str, str], env: dict[str, str], tmp_path: Path
) -> None:
    url, token = sandbox
    result = subprocess.run(
        [str(installed / "awork-tray"), "status", "--json", "--base-url", url],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={**env, "AWORK_TOKEN": token},
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["state"] == "paused"


def test_the_installed_demo_starts_and_stays_up(
    installed: Path, env: dict[str, str], tmp_path: Path
) -> None:
    process = subprocess.Popen(
        [str(installed / "awork-tray"), "--demo", "--sandbox-port", str(free_port())],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**env, "XDG_CONFIG_HOME": str(tmp_path / "config")},
    )
    assert process.stdout is not None
    banner = process.stdout.readline()
    assert "awork sandbox running at http://127.0.0.1:" in banner
    url = banner.split(" at ")[1].split()[0]
    token = banner.rsplit("access token: ", 1)[1].rstrip(")\n")

    def answers() -> bool:
        answer = httpx.get(f"{url}/me", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        return answer.status_code == 200

    wait_for(answers, 15, "the demo's sandbox to answer")
    # The tray is up, its icons drawn from the installed package: it must still be running.
    with pytest.raises(subprocess.TimeoutExpired):
        process.wait(timeout=2)
    _, stderr = stop(process)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
