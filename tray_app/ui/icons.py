"""State icons rendered from the SVG masters in ``resources/icons``.

Each master draws one even-odd path, so its glyph is a hole the panel shows through: the coloured
icons read on light and dark panels alike. Neutral icons are drawn in ``currentColor``: a light
grey where the desktop's scheme is dark (its panel is dark too), else a mid grey that reads on
light and dark panels, since a light scheme says little about the panel (GNOME's top bar stays
dark) and bare X11 says nothing. The macOS variant paints everything black and is marked as a
mask (a "template" image), as the menu bar expects.
"""

from __future__ import annotations

import logging
import re
from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QSize
from PySide6.QtGui import QIcon, QImage, QImageReader, QPixmap

from tray_app.resources import resource_text

if TYPE_CHECKING:
    from PySide6.QtCore import Qt

log = logging.getLogger(__name__)

# Tray hosts ask for 16-24 px on a 1x screen and twice that on HiDPI; menus and windows want more.
SIZES = (16, 20, 22, 24, 32, 40, 44, 48, 64, 128)
INK_ON_DARK = "#e8e8e8"
# 3:1 contrast (WCAG's figure for icons) against a light panel (#dddddd) and a dark one (#333333).
INK_ON_ANY = "#7c7c7c"
_ANY_COLOUR = re.compile(r'fill="(?:#[0-9a-fA-F]{3,8}|currentColor)"')


class IconKind(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"
    OFFLINE = "offline"
    SIGNED_OUT = "signed-out"
    ERROR = "error"


class Variant(StrEnum):
    ANY_PANEL = "any-panel"
    DARK_PANEL = "dark-panel"
    MASK = "mask"


def master_svg(kind: IconKind) -> str:
    return resource_text(f"icons/state-{kind}.svg")


def variant_svg(kind: IconKind, variant: Variant) -> str:
    """The master with its colours set for one kind of panel."""
    svg = master_svg(kind)
    if variant is Variant.MASK:
        return _ANY_COLOUR.sub('fill="#000000"', svg)
    ink = INK_ON_DARK if variant is Variant.DARK_PANEL else INK_ON_ANY
    return svg.replace("currentColor", ink)


def render(svg: str, size: int) -> QImage:
    """``svg`` drawn ``size`` px square on a transparent ground, by Qt's SVG image plugin.

    Not QSvgRenderer and a QPainter on a cleared QImage: every way to clear one (``fill``) has an
    overload taking a ``Qt.GlobalColor``, and PySide loads the whole ``Qt`` namespace (~15 ms)
    to tell them apart, before the icon shows. The plugin draws the same pixels.
    """
    buffer = QBuffer()
    buffer.setData(QByteArray(svg.encode()))
    reader = QImageReader(buffer, QByteArray(b"svg"))
    reader.setScaledSize(QSize(size, size))
    image = reader.read()
    if image.isNull():  # e.g. a bundle built without the SVG plugin
        log.error("cannot draw an icon: %s", reader.errorString())
    return image


class IconSet:
    """Builds each state's icon once per panel variant and hands out the cached QIcon."""

    def __init__(self, variant: Variant) -> None:
        self.variant = variant
        self._cache: dict[IconKind, QIcon] = {}

    def icon(self, kind: IconKind) -> QIcon:
        cached = self._cache.get(kind)
        if cached is None:
            svg = variant_svg(kind, self.variant)
            cached = QIcon()
            for size in SIZES:
                cached.addPixmap(QPixmap.fromImage(render(svg, size)))
            # The macOS menu bar recolours template images itself; elsewhere this is ignored.
            cached.setIsMask(self.variant is Variant.MASK)
            self._cache[kind] = cached
        return cached

    def set_variant(self, variant: Variant) -> bool:
        """Switch to another panel variant; True when that changed anything."""
        if variant is self.variant:
            return False
        self.variant = variant
        self._cache.clear()
        return True


def variant_for(color_scheme: Qt.ColorScheme | None, *, macos: bool) -> Variant:
    """Which variant reads on the panel: light ink in a dark scheme, mid grey otherwise.

    ``None``: not asked yet. The first icon shows without asking, because the answer comes in
    the ``Qt`` namespace, whose first use costs some 15 ms; the app asks once the icon shows.
    """
    if macos:
        return Variant.MASK
    if color_scheme is None:
        return Variant.ANY_PANEL
    from PySide6.QtCore import Qt  # loaded already: the caller holds one of its values

    if color_scheme == Qt.ColorScheme.Dark:
        return Variant.DARK_PANEL
    return Variant.ANY_PANEL
