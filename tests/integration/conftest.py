"""Fixtures of the integration tests, which run the command line's main() in-process."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tray_app import logs


@pytest.fixture(autouse=True)
def _detach_log_handlers() -> Iterator[None]:
    """main() attaches a log file handler to the root logger; close it after each test."""
    root = logging.getLogger()
    level = root.level
    yield
    logs.configure(to_file=False)
    root.setLevel(level)
