"""Files from ``resources/`` (icons, translations), found both in a checkout and when installed.

The wheel and the bundle carry them as the package's ``tray_app/resources``; an editable checkout
keeps them in the ``resources/`` folder beside the package.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent / "resources"


def resource(name: str) -> Traversable:
    """The resource called ``name`` (a path relative to ``resources/``)."""
    packaged = files("tray_app") / "resources"
    if packaged.is_dir():
        return packaged.joinpath(*name.split("/"))
    return _CHECKOUT.joinpath(*name.split("/"))


def resource_text(name: str) -> str:
    return resource(name).read_text(encoding="utf-8")
