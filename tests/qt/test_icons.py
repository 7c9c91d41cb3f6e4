"""The state icons: crisp at every size, readable on light and dark panels, a macOS mask."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from tray_app.ui.icons import (
    INK_ON_ANY,
    INK_ON_DARK,
    SIZES,
    IconKind,
    IconSet,
    Variant,
    render,
    variant_for,
    variant_svg,
)


@pytest.mark.parametrize("kind", list(IconKind))
@pytest.mark.parametrize("size", [16, 22, 32, 64, 128])
def test_every_icon_renders_centred_and_with_a_hole_for_its_glyph(
    qtbot: QtBot, kind: IconKind, size: int
) -> None:
    image = render(variant_svg(kind, Variant.DARK_PANEL), size)
    centre_row = [image.pixelColor(x, size // 2).alpha() for x in range(size)]
    # Drawn: the disc or ring reaches both sides of the middle row...
    assert centre_row[size // 8] > 0 and centre_row[size - 1 - size // 8] > 0
    # ...and the corners stay clear, so it sits on any panel colour.
    assert image.pixelColor(0, 0).alpha() == 0


def test_the_icon_offers_a_pixmap_for_every_tray_size(qtbot: QtBot) -> None:
    icon = IconSet(Variant.DARK_PANEL).icon(IconKind.RUNNING)
    assert {size.width() for size in icon.availableSizes()} == set(SIZES)


def test_neutral_icons_follow_the_panel_and_coloured_ones_do_not(qtbot: QtBot) -> None:
    on_any = render(variant_svg(IconKind.STOPPED, Variant.ANY_PANEL), 64).pixelColor(32, 6)
    on_dark = render(variant_svg(IconKind.STOPPED, Variant.DARK_PANEL), 64).pixelColor(32, 6)
    assert on_any.name() == QColor(INK_ON_ANY).name()
    assert on_dark.name() == QColor(INK_ON_DARK).name()
    running_any = render(variant_svg(IconKind.RUNNING, Variant.ANY_PANEL), 64)
    running_dark = render(variant_svg(IconKind.RUNNING, Variant.DARK_PANEL), 64)
    assert running_any.pixelColor(32, 8) == running_dark.pixelColor(32, 8)


def contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours."""

    def luminance(colour: QColor) -> float:
        def linear(channel: float) -> float:
            return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

        r, g, b = (linear(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("panel", ["#ffffff", "#dddddd", "#333333", "#000000"])
def test_the_neutral_icon_for_an_unknown_panel_reads_on_light_and_dark_ones(
    qtbot: QtBot, panel: str
) -> None:
    """A light scheme or none says little about the panel (GNOME's top bar stays dark)."""
    ink = render(variant_svg(IconKind.STOPPED, Variant.ANY_PANEL), 64).pixelColor(32, 6)
    assert contrast(ink, QColor(panel)) >= 3.0


@pytest.mark.parametrize("kind", list(IconKind))
def test_the_mask_variant_is_black_only_and_marked_as_a_mask(qtbot: QtBot, kind: IconKind) -> None:
    image = render(variant_svg(kind, Variant.MASK), 32)
    colours = {
        image.pixelColor(x, y).rgb() & 0xFFFFFF
        for x in range(32)
        for y in range(32)
        if image.pixelColor(x, y).alpha() == 255
    }
    assert colours == {0}
    assert IconSet(Variant.MASK).icon(kind).isMask()


def test_variant_for_the_colour_scheme() -> None:
    assert variant_for(Qt.ColorScheme.Light, macos=False) is Variant.ANY_PANEL
    assert variant_for(Qt.ColorScheme.Dark, macos=False) is Variant.DARK_PANEL
    assert variant_for(Qt.ColorScheme.Unknown, macos=False) is Variant.ANY_PANEL
    assert variant_for(Qt.ColorScheme.Light, macos=True) is Variant.MASK
    # Not asked yet (the first icon): as for an unknown scheme; macOS's mask.
    assert variant_for(None, macos=False) is Variant.ANY_PANEL
    assert variant_for(None, macos=True) is Variant.MASK
