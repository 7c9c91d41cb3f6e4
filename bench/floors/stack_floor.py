"""The stack floor: the Qt floor that, once its icon shows, loads what any app on our stack loads.

httpx, pydantic and keyring are imported, an httpx client is made and keyring is asked for its
backend (which loads the backends it knows, Secret Service among them), and all are kept alive.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from qt_floor import mark, run

_kept: list[Any] = []


def load_stack() -> None:
    import httpx
    import keyring
    import pydantic

    _kept.extend((httpx.Client(timeout=10), keyring.get_keyring(), pydantic.BaseModel))
    mark("stack-loaded")


if __name__ == "__main__":
    # 200 ms after show(): the icon is embedded and painted before the stack blocks the loop.
    sys.exit(run("stack-floor", after_shown=load_stack, after_ms=200))
