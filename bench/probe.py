"""``python -m tray_app`` with :mod:`bench.marks` installed from outside, for an app.py without
the ``AWORK_TRAY_BENCH_MARKS`` hook; imports and start-up are otherwise the app's own.

Run from the repository's top folder: ``python -m bench.probe --base-url URL``.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

APP_MODULE = "tray_app.app"


class _PatchAppOnImport(importlib.abc.MetaPathFinder):
    """Wraps ``TrayApplication.start`` when the app module is first imported, not before."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != APP_MODULE:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        loader: Any = spec.loader
        exec_module = loader.exec_module

        def exec_and_patch(module: ModuleType) -> None:
            exec_module(module)
            _patch(module)

        loader.exec_module = exec_and_patch
        return spec


def _patch(module: Any) -> None:
    start = module.TrayApplication.start

    def start_and_mark(self: Any) -> None:
        start(self)
        import os

        from tray_app.config import BENCH_MARKS_ENV
        from tray_app.ui.bench_marks import BenchMarks

        marks = BenchMarks(stalls=os.environ.get(BENCH_MARKS_ENV) == "stalls")
        if self.tray.tray.isVisible():
            marks.icon_shown()
        marks.watch(self.controller, self.presenter)

    module.TrayApplication.start = start_and_mark


if __name__ == "__main__":
    sys.meta_path.insert(0, _PatchAppOnImport())
    from tray_app.cli import main

    sys.exit(main())
