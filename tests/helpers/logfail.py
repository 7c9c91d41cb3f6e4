"""Fail a test on a warning in the log that it did not declare, so a new warning is never missed.

A test that legitimately logs a warning says so with ``@pytest.mark.expect_log(level, pattern)``:
records of that level whose message matches ``pattern`` (``re.search``) are allowed, and the test
fails when no such record came, so a stale allowance does not outlive the warning it was for.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import pytest

MARKER = "expect_log"


@dataclass(frozen=True)
class Expected:
    """One declared warning: its level, a pattern for its message, and whether it must show."""

    level: int
    pattern: re.Pattern[str]
    logger: str | None = None
    optional: bool = False

    def allows(self, record: logging.LogRecord) -> bool:
        """True when ``record`` is this warning (same level, matching message and logger)."""
        if record.levelno != self.level:
            return False
        if self.logger is not None and not (
            record.name == self.logger or record.name.startswith(self.logger + ".")
        ):
            return False
        return self.pattern.search(record.getMessage()) is not None

    def __str__(self) -> str:
        where = f" from {self.logger}" if self.logger else ""
        return f"{logging.getLevelName(self.level)} /{self.pattern.pattern}/{where}"


def expected_from(markers: Iterable[pytest.Mark]) -> list[Expected]:
    """The warnings a test declares with its ``expect_log`` markers."""
    found: list[Expected] = []
    for mark in markers:
        level, pattern = mark.args
        number = logging.getLevelName(level) if isinstance(level, str) else level
        if not isinstance(number, int):
            raise pytest.UsageError(f"expect_log: unknown level {level!r}")
        found.append(
            Expected(
                number,
                re.compile(pattern),
                logger=mark.kwargs.get("logger"),
                optional=bool(mark.kwargs.get("optional", False)),
            )
        )
    return found


class WarningCollector(logging.Handler):
    """Keeps every record of WARNING or above, from any thread, for the check after the test."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self._lock_records = threading.Lock()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        with self._lock_records:
            self.records.append(record)


def describe(record: logging.LogRecord) -> str:
    """One line per record, as a person reading the failure needs it."""
    return f"{record.levelname} {record.name}: {record.getMessage()}"


def problems(records: list[logging.LogRecord], expected: list[Expected]) -> list[str]:
    """What is wrong: warnings nobody declared, and declared warnings that never came."""
    lines: list[str] = []
    seen: set[int] = set()
    for record in records:
        matches = [i for i, e in enumerate(expected) if e.allows(record)]
        if matches:
            seen.update(matches)
        else:
            lines.append(f"unexpected log record: {describe(record)}")
    for i, e in enumerate(expected):
        if i not in seen and not e.optional:
            lines.append(f"expected a log record that never came: {e}")
    return lines
