"""What the tray loads before its icon shows: Qt and our small modules, not the network stack.

tray_app.startup imports these before the icon (README, "Performance"); httpx and pydantic
alone take some 150 ms, so they load on a thread after it.
"""

from __future__ import annotations

import subprocess
import sys

BEFORE_THE_ICON = (
    "tray_app.ui.tray",
    "tray_app.ui.view_model",
    "tray_app.ui.icons",
    "tray_app.ui.i18n",
    "tray_app.platform.single_instance",
    "tray_app.core.timer",
)


def test_the_modules_before_the_icon_load_no_network_stack() -> None:
    code = (
        "import sys\n"
        f"import {', '.join(BEFORE_THE_ICON)}\n"
        "heavy = ('httpx', 'pydantic', 'keyring', 'tzlocal', 'tray_app.awork.client',"
        " 'tray_app.ui.controller', 'jeepney', 'tray_app.platform.presence', 'tray_app.ui.away')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
