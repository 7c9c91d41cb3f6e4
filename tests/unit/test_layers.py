"""Imports run one way: entry points (cli, startup) -> composition -> app and ui -> core -> awork.

Read from the source, function-level imports included (many are lazy, for a fast start).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "tray_app"


def imports_of(path: Path) -> set[str]:
    """Every tray_app module ``path`` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("tray_app")}


def modules(under: str = "") -> dict[str, set[str]]:
    root = PACKAGE / under if under else PACKAGE
    return {
        str(path.relative_to(PACKAGE.parent).with_suffix("")).replace("/", "."): imports_of(path)
        for path in sorted(root.rglob("*.py"))
    }


def importers_of(target: str, among: dict[str, set[str]]) -> list[str]:
    return [name for name, imported in among.items() if target in imported and name != target]


@pytest.mark.parametrize("entry_point", ["tray_app.cli", "tray_app.startup"])
def test_nothing_but_the_entry_points_imports_an_entry_point(entry_point: str) -> None:
    allowed = {"tray_app.__main__", "tray_app.cli"}
    assert [name for name in importers_of(entry_point, modules()) if name not in allowed] == []


@pytest.mark.parametrize("above", ["tray_app.app", "tray_app.composition", "tray_app.startup"])
def test_ui_core_and_awork_import_nothing_above_them(above: str) -> None:
    below = modules("ui") | modules("core") | modules("awork")
    assert importers_of(above, below) == []


def test_the_app_does_not_import_its_composition() -> None:
    assert "tray_app.composition" not in imports_of(PACKAGE / "app.py")
