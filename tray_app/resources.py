"""Files from ``resources/`` (icons, translations), found both in a checkout and when installed.

The wheel and the bundle carry them as the package's ``tray_app/resources`` folder; an editable
checkout keeps them in the ``resources/`` folder beside the package. Both are plain folders on
disk (Qt loads translations from a path), so ``pathlib`` finds them without importlib.resources,
which would cost some 4 ms before the icon shows.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_PACKAGED = _PACKAGE / "resources"
_CHECKOUT = _PACKAGE.parent / "resources"


def resource(name: str) -> Path:
    """The resource called ``name`` (a path relative to ``resources/``)."""
    folder = _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT
    return folder.joinpath(*name.split("/"))


def resource_text(name: str) -> str:
    return resource(name).read_text(encoding="utf-8")
