"""Render the app icon's SVG master into what each platform's packaging wants.

    python packaging/make_icons.py [--out build/icons]

writes ``hicolor/<N>x<N>/apps/awork-tray.png`` (16 to 512) and ``hicolor/scalable/apps/
awork-tray.svg`` for Linux, ``awork-tray.ico`` for Windows and ``awork-tray.icns`` for macOS.
They are built, not committed: the SVG is the one source, so the sizes can never drift from it.
Qt's own ICO and ICNS writers store a single size, so both containers are written here, each
entry a PNG (which Windows Vista and later and every macOS since 10.7 read).
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MASTER = ROOT / "resources" / "icons" / "app.svg"
ICON_NAME = "awork-tray"
HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
# Explorer picks from these for lists, tiles, the taskbar and the title bar at 100-200 % scaling.
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 256)
# Each ICNS entry type and the pixel size it holds (the @2x types share a size with 1x ones).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def render_png(svg: bytes, size: int) -> bytes:
    """``svg`` drawn at ``size`` x ``size`` pixels (as the tray draws its icons), as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    from tray_app.ui.icons import render

    image = render(svg.decode("utf-8"), size)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError(f"cannot encode a {size} px PNG")
    buffer.close()
    return data.data()


def ico(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding each PNG: ICONDIR, one ICONDIRENTRY per size, then the images."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries = b""
    for size in sizes:
        if not 0 < size <= 256:
            raise ValueError(f"an ICO entry is 1 to 256 px, not {size}")
        data = pngs[size]
        # Width and height are one byte each; 0 stands for 256.
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return header + entries + b"".join(pngs[size] for size in sizes)


def icns(entries: Iterable[tuple[bytes, bytes]]) -> bytes:
    """A macOS .icns: ``icns``, the total length, then (type, length, PNG) per entry."""
    body = b"".join(kind + struct.pack(">I", 8 + len(data)) + data for kind, data in entries)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def read_ico(data: bytes) -> dict[int, bytes]:
    """Each size in an .ico and its image: the inverse of :func:`ico`, for checks."""
    reserved, kind, count = struct.unpack_from("<HHH", data)
    if (reserved, kind) != (0, 1):
        raise ValueError("not an icon file")
    images = {}
    for index in range(count):
        width, height, _, _, _, _, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index
        )
        if width != height:
            raise ValueError("a non-square entry")
        images[width or 256] = data[offset : offset + length]
    return images


def read_icns(data: bytes) -> list[tuple[bytes, bytes]]:
    """Each (type, image) of an .icns: the inverse of :func:`icns`, for checks."""
    if data[:4] != b"icns" or struct.unpack_from(">I", data, 4)[0] != len(data):
        raise ValueError("not an icns file")
    entries, at = [], 8
    while at < len(data):
        kind, length = data[at : at + 4], struct.unpack_from(">I", data, at + 4)[0]
        entries.append((kind, data[at + 8 : at + length]))
        at += length
    return entries


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    width, height = struct.unpack_from(">II", data, 16)
    return width, height


def make_icons(out: Path, master: Path = MASTER) -> list[Path]:
    """Write every icon file into ``out``; returns what was written."""
    svg = master.read_bytes()
    wanted = {*HICOLOR_SIZES, *ICO_SIZES, *(size for _, size in ICNS_TYPES)}
    pngs = {size: render_png(svg, size) for size in sorted(wanted)}
    written = []
    for size in HICOLOR_SIZES:
        path = out / "hicolor" / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"
        written.append(_write(path, pngs[size]))
    scalable = out / "hicolor" / "scalable" / "apps" / f"{ICON_NAME}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(master, scalable)
    written.append(scalable)
    written.append(_write(out / f"{ICON_NAME}.ico", ico({s: pngs[s] for s in ICO_SIZES})))
    icns_data = icns((kind, pngs[size]) for kind, size in ICNS_TYPES)
    written.append(_write(out / f"{ICON_NAME}.icns", icns_data))
    return written


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "icons")
    parser.add_argument("--master", type=Path, default=MASTER)
    args = parser.parse_args(argv)
    # Rendering needs no screen; a QGuiApplication keeps Qt's image plugins happy.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(["make_icons"])
    for path in make_icons(args.out, args.master):
        print(path.relative_to(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
