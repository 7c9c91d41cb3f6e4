"""The Qt-free line: every module of tray_app/awork and tray_app/core imports without PySide6.

Each module is imported alone, in a fresh interpreter where PySide6 and shiboken6 cannot be
imported, so a failure names the module that pulled Qt in (directly or through another).
The core also knows nothing of HTTP, so its modules must not load httpx either.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import tray_app.awork
import tray_app.core

BLOCKED = ("PySide6", "shiboken6")


def modules() -> list[str]:
    found = [tray_app.awork.__name__, tray_app.core.__name__]
    for package in (tray_app.awork, tray_app.core):
        found += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    return found


def import_without(module: str, blocked: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    """Import ``module`` where each of ``blocked`` raises ImportError; print what else loaded."""
    code = (
        "import sys\n"
        f"for name in {blocked!r}:\n"
        "    sys.modules[name] = None\n"
        f"import {module}\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {blocked!r}))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )


def test_the_guard_finds_the_modules() -> None:
    found = modules()
    assert {"tray_app.core.timer", "tray_app.awork.client", "tray_app.core.settings"} <= set(found)


@pytest.mark.parametrize("module", modules())
def test_module_imports_without_qt(module: str) -> None:
    blocked = (*BLOCKED, "httpx") if module.startswith("tray_app.core") else BLOCKED
    done = import_without(module, blocked)
    assert done.returncode == 0, f"{module} pulled in one of {blocked}:\n{done.stderr}"
    assert done.stdout.strip() == repr(sorted(blocked)), "only the blocked placeholders"


def test_the_guard_notices_a_module_that_needs_qt() -> None:
    done = import_without("tray_app.ui.tray", BLOCKED)
    assert done.returncode != 0
    assert "PySide6" in done.stderr
