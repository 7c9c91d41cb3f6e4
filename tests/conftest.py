"""Shared test set-up: offscreen Qt, private config/log folders, an in-memory keychain, and no
warning in the log that a test did not declare."""

from __future__ import annotations

import logging
import os

# Without a display Qt aborts the whole run; offscreen must be chosen before Qt is imported.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from tests.helpers.logfail import MARKER, WarningCollector, expected_from, problems
from tray_app.platform.credentials import MemoryKeyring

__all__ = ["MemoryKeyring"]


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Config, data, state and log folders of the app live in the test's own temporary folder."""
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    monkeypatch.delenv("AWORK_TOKEN", raising=False)
    monkeypatch.delenv("AWORK_BASE_URL", raising=False)
    # Subprocesses must never reach the developer's real keychain (tests pick their own).
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def _fail_on_unexpected_warnings(request: pytest.FixtureRequest) -> Iterator[None]:
    """A warning nobody declared (``expect_log``) fails the test: it is a bug or an undeclared
    behaviour, and either way a person would see it in their log."""
    collector = WarningCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        yield
    finally:
        root.removeHandler(collector)
    wrong = problems(collector.records, expected_from(request.node.iter_markers(MARKER)))
    if wrong:
        pytest.fail("\n".join(wrong), pytrace=False)
