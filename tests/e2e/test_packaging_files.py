"""The Linux desktop files pass the freedesktop validators; the icons hold every size promised."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage, QImageReader
from PySide6.QtWidgets import QApplication

from tests.helpers.tools import require
from tray_app import __version__
from tray_app.platform.autostart import desktop_entry

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
DESKTOP_FILE = LINUX / "awork-tray.desktop"
METAINFO = LINUX / "io.github.awork_tray.metainfo.xml"


def _load_make_icons() -> ModuleType:
    # Loaded by path: a folder called "packaging" must not shadow the PyPI package of that name.
    spec = importlib.util.spec_from_file_location(
        "make_icons", ROOT / "packaging" / "make_icons.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_icons = _load_make_icons()


@pytest.fixture(scope="module")
def icons(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The icons as a packager makes them: the script run on its own, offscreen."""
    out = tmp_path_factory.mktemp("icons")
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "make_icons.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return out


def _validate(*command: str) -> None:
    require(command[0])
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    report = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, report


def test_the_desktop_file_is_valid() -> None:
    _validate("desktop-file-validate", str(DESKTOP_FILE))


def test_the_autostart_entry_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "awork-tray.desktop"
    path.write_text(desktop_entry(["/home/ada/my apps/bin/awork-tray"]), encoding="utf-8")
    _validate("desktop-file-validate", str(path))


def test_the_metainfo_is_valid() -> None:
    # --strict: warnings fail too, not only errors.
    _validate("appstreamcli", "validate", "--no-net", "--strict", str(METAINFO))


def test_an_installed_tree_is_valid(icons: Path, tmp_path: Path) -> None:
    """What a distribution package installs: the validator finds the desktop file and icon."""
    share = tmp_path / "usr" / "share"
    (share / "metainfo").mkdir(parents=True)
    (share / "applications").mkdir()
    shutil.copy(METAINFO, share / "metainfo")
    shutil.copy(DESKTOP_FILE, share / "applications")
    shutil.copytree(icons / "hicolor", share / "icons" / "hicolor")
    _validate("appstreamcli", "validate-tree", "--no-net", "--strict", str(tmp_path))


def test_the_metainfo_names_this_version_and_the_desktop_files_names() -> None:
    component = ET.parse(METAINFO).getroot()
    releases = [release.get("version") for release in component.iter("release")]
    assert releases[0] == __version__, "the newest release in the metainfo is this version"
    assert component.findtext("launchable") == DESKTOP_FILE.name
    desktop = DESKTOP_FILE.read_text(encoding="utf-8")
    icon = re.search(r"^Icon=(.*)$", desktop, re.MULTILINE)
    assert icon is not None
    assert icon[1] == component.findtext("icon") == make_icons.ICON_NAME
    # Qt's desktop file name (app.py) must match, or Wayland and the SNI host lose the icon.
    assert DESKTOP_FILE.stem == "awork-tray"


def test_hicolor_has_every_standard_size_and_the_svg(icons: Path) -> None:
    for size in (16, 22, 24, 32, 48, 64, 128, 256, 512):
        png = (icons / "hicolor" / f"{size}x{size}" / "apps" / "awork-tray.png").read_bytes()
        assert make_icons.png_size(png) == (size, size)
    svg = icons / "hicolor" / "scalable" / "apps" / "awork-tray.svg"
    assert svg.read_bytes() == (ROOT / "resources" / "icons" / "app.svg").read_bytes()


def test_the_ico_holds_each_windows_size_as_png(icons: Path, qapp: QApplication) -> None:
    data = (icons / "awork-tray.ico").read_bytes()
    images = make_icons.read_ico(data)
    assert sorted(images) == [16, 20, 24, 32, 40, 48, 64, 256]
    for size, png in images.items():
        assert make_icons.png_size(png) == (size, size)
    # An independent reader (Qt's ICO plugin) sees the same sizes.
    buffer = _buffer(data)  # kept: the reader does not own it
    reader = QImageReader(buffer, QByteArray(b"ico"))
    sizes = set()
    for index in range(reader.imageCount()):
        assert reader.jumpToImage(index)
        image = reader.read()
        assert not image.isNull(), reader.errorString()
        sizes.add(image.width())
    assert sizes == set(images)


def test_the_icns_holds_each_macos_size_as_png(icons: Path) -> None:
    entries = make_icons.read_icns((icons / "awork-tray.icns").read_bytes())
    sizes = {kind.decode(): make_icons.png_size(png)[0] for kind, png in entries}
    assert sizes == {
        "icp4": 16,
        "icp5": 32,
        "icp6": 64,
        "ic07": 128,
        "ic08": 256,
        "ic09": 512,
        "ic10": 1024,
        "ic11": 32,
        "ic12": 64,
        "ic13": 256,
        "ic14": 512,
    }


def test_the_app_icon_is_drawn_to_the_edge_of_its_square(icons: Path) -> None:
    """Not blank, not a state icon: the brand square fills most of the canvas."""
    image = QImage(str(icons / "hicolor" / "48x48" / "apps" / "awork-tray.png"))
    opaque = sum(1 for x in range(48) for y in range(48) if image.pixelColor(x, y).alpha() > 200)
    assert opaque > 0.7 * 48 * 48


def _buffer(data: bytes) -> QBuffer:
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    return buffer
