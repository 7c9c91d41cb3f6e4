"""The wheel installs with pip and with pipx, and works from there without the checkout.

Nothing here reaches the network: the wheel is built, and pipx installs it with its dependencies,
from the wheelhouse that ``make`` fills inside the project's .venv (``.venv/wheelhouse``).

Each check runs against both installations:

- pip: a fresh venv gets the wheel alone (``--no-deps``); its dependencies are borrowed from the
  project's .venv through a path line in a ``.pth`` file. A plain path line puts that folder on
  ``sys.path`` after the venv's own site-packages and does not run the .pth files inside it, so
  the checkout's editable install stays out: ``tray_app`` and its resources can only come from
  the wheel.
- pipx: ``pipx install <wheel>`` as a person runs it, with the dependencies installed into pipx's
  own venv from the wheelhouse (pinned by constraints.txt). Everything pipx writes, its home, the
  folder of the commands, its shared libraries and the caches, lies in a temporary folder. pipx
  itself runs from a venv of its own, also filled from the wheelhouse: in .venv, its dependency
  click would make every ``import httpx`` load httpx's command line (click, pygments: ~40 ms).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.helpers.ports import free_port
from tests.helpers.tools import stop, wait_for
from tray_app import __version__

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
WHEELHOUSE = Path(sys.prefix) / "wheelhouse"


@dataclass(frozen=True)
class Installation:
    """Where an installation of the wheel put the command, and the venv that holds the package."""

    bin: Path
    venv: Path

    @property
    def command(self) -> Path:
        return self.bin / "awork-tray"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"


@pytest.fixture(scope="module")
def wheelhouse() -> Path:
    """The wheels that `make` puts into .venv; skipped without them (failed in CI)."""
    # The build backend for the wheel, pipx, and pip for pipx's shared libraries.
    if not all(any(WHEELHOUSE.glob(f"{name}-*.whl")) for name in ("hatchling", "pip", "pipx")):
        message = f"no wheelhouse at {WHEELHOUSE}: `make wheelhouse` (or `make test`) fills it"
        if os.environ.get("AWORK_TRAY_REQUIRE_E2E") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return WHEELHOUSE


def offline(wheelhouse: Path) -> dict[str, str]:
    """An environment in which every pip finds packages in ``wheelhouse`` and nowhere else.

    The person's pip settings (variables and configuration files) are left out, so that neither
    an index nor a constraint of theirs gets in.
    """
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PIP_", "PIPX_")) and key not in {"PYTHONPATH", "PYTHONHOME"}
    }
    environ.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(wheelhouse),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return environ


def pip(wheelhouse: Path, *args: str) -> None:
    """Runs the project's pip offline, failing the test if it fails."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", *args],
        capture_output=True,
        text=True,
        check=False,
        env=offline(wheelhouse),
        timeout=180,
    )
    assert result.returncode == 0, f"pip {' '.join(args)}:\n{result.stderr}"


def new_venv(home: Path) -> Path:
    """A venv without pip at ``home`` (the project's pip installs into it); returns its Python."""
    venv.create(home, with_pip=False, symlinks=True)
    return home / "bin" / "python"


@pytest.fixture(scope="module")
def wheel(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    pip(wheelhouse, "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT))
    (built,) = out.glob("awork_tray-*.whl")
    return built


def install_with_pip(wheel: Path, wheelhouse: Path, home: Path) -> Installation:
    """A fresh venv with the wheel alone, its dependencies borrowed from .venv."""
    python = new_venv(home)
    pip(wheelhouse, "--python", str(python), "install", "--quiet", "--no-deps", str(wheel))
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "_borrowed_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    return Installation(home / "bin", home)


def pipx_environment(root: Path, wheelhouse: Path) -> dict[str, str]:
    """pipx, and each pip it runs, offline, with all it writes under ``root``."""
    home = root / "home"
    home.mkdir(parents=True, exist_ok=True)
    environ = offline(wheelhouse)
    environ.update(
        # pip also writes outside pipx's folders: its cache, and (through the `rustc --version`
        # of its user agent, where rustup is installed) ~/.rustup.
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        PIPX_HOME=str(root / "pipx"),
        PIPX_SHARED_LIBS=str(root / "pipx" / "shared"),
        PIPX_BIN_DIR=str(root / "bin"),
        PIPX_MAN_DIR=str(root / "man"),
        PIPX_COMPLETION_DIR=str(root / "completions"),
        # pipx prefers uv where it finds one, and uv reads none of pip's settings.
        PIPX_DEFAULT_BACKEND="pip",
    )
    return environ


@pytest.fixture(scope="module")
def pipx_python(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Python of a venv that holds pipx (pinned), installed from the wheelhouse."""
    python = new_venv(tmp_path_factory.mktemp("pipx-tool"))
    pip(wheelhouse, "--python", str(python), "install", "-c", str(ROOT / "constraints.txt"), "pipx")
    return python


def pipx(python: Path, environ: dict[str, str], *args: str, timeout: float = 60) -> str:
    """Runs pipx; returns what it printed, failing the test if it failed."""
    result = subprocess.run(
        [str(python), "-m", "pipx", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=environ["HOME"],
        env=environ,
        timeout=timeout,
    )
    assert result.returncode == 0, f"pipx {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def install_with_pipx(python: Path, wheel: Path, wheelhouse: Path, root: Path) -> Installation:
    """``pipx install <wheel>`` with the pinned dependencies; about 7 s from the wheelhouse."""
    environ = pipx_environment(root, wheelhouse)
    constraints = shlex.quote(str(ROOT / "constraints.txt"))
    pipx(python, environ, "install", f"--pip-args=-c {constraints}", str(wheel), timeout=300)
    return Installation(Path(environ["PIPX_BIN_DIR"]), root / "pipx" / "venvs" / "awork-tray")


@pytest.fixture(scope="module", params=["pip", "pipx"])
def installed(
    request: pytest.FixtureRequest,
    wheel: Path,
    wheelhouse: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Installation]:
    """The wheel installed with pip into a fresh venv, and with pipx."""
    if request.param == "pip":
        yield install_with_pip(wheel, wheelhouse, tmp_path_factory.mktemp("venv"))
        return
    root = tmp_path_factory.mktemp("pipx")
    python = request.getfixturevalue("pipx_python")
    yield install_with_pipx(python, wheel, wheelhouse, root)
    # pytest keeps the temporary folders of the last three runs: not 290 MB of Qt each time.
    shutil.rmtree(root, ignore_errors=True)


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
    installed: Installation, env: dict[str, str], tmp_path: Path
) -> None:
    result = subprocess.run(
        [str(installed.command), "--version"],
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
    installed: Installation, env: dict[str, str], tmp_path: Path
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
        [str(installed.python), "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    venv_home = str(installed.venv)
    assert found["package"].startswith(venv_home), "tray_app comes from the wheel"
    assert found["icon"].startswith(venv_home), "the icons come from the wheel"
    assert str(ROOT) not in found["icon"]
    assert found["sizes"], "the running icon rendered"
    # pipx's command is a link into its venv; pip's lies in the venv's bin folder.
    assert installed.command.resolve().is_relative_to(installed.venv.resolve())


@pytest.fixture
def sandbox(
    installed: Installation, env: dict[str, str], tmp_path: Path
) -> Iterator[tuple[str, str]]:
    process = subprocess.Popen(
        [str(installed.command), "sandbox", "--port", str(free_port())],
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
    installed: Installation, sandbox: tuple[str, str], env: dict[str, str], tmp_path: Path
) -> None:
    url, token = sandbox
    result = subprocess.run(
        [str(installed.command), "status", "--json", "--base-url", url],
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
    installed: Installation, env: dict[str, str], tmp_path: Path
) -> None:
    process = subprocess.Popen(
        [str(installed.command), "--demo", "--sandbox-port", str(free_port())],
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


def test_pipx_lists_the_app_and_uninstalls_it(
    pipx_python: Path, wheel: Path, wheelhouse: Path, tmp_path: Path
) -> None:
    """A person's way back out: the command and pipx's venv are gone after `pipx uninstall`."""
    installation = install_with_pipx(pipx_python, wheel, wheelhouse, tmp_path)
    environ = pipx_environment(tmp_path, wheelhouse)
    listed = pipx(pipx_python, environ, "list", "--short").splitlines()
    assert f"awork-tray {__version__}" in listed
    pipx(pipx_python, environ, "uninstall", "awork-tray")
    assert not installation.command.exists()
    assert not installation.command.is_symlink()
    assert not installation.venv.exists()
    assert "awork-tray" not in pipx(pipx_python, environ, "list", "--short")
