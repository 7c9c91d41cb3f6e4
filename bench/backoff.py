"""Requests in an hour without awork, from the controller's back-off rules.

The controller retries after ``BACKOFF_FIRST_SECONDS``, doubling up to ``BACKOFF_CAP_SECONDS``,
each wait scaled by ``0.5 + 0.5 * jitter`` with jitter uniform in [0, 1). This simulates that
schedule (seeded, many hours) instead of waiting an hour; bench/run.py checks the first waits
against a real app whose sandbox drops every poll.
"""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass

from tray_app.ui.controller import BACKOFF_CAP_SECONDS, BACKOFF_FIRST_SECONDS

HOUR = 3600.0


def wait_after(failures: int, jitter: float) -> float:
    """The controller's wait before the next poll after ``failures`` failures in a row."""
    backoff = min(BACKOFF_CAP_SECONDS, BACKOFF_FIRST_SECONDS * 2.0 ** (failures - 1))
    return backoff * (0.5 + 0.5 * jitter)


def requests_in(seconds: float, jitter: float | None, rng: random.Random) -> int:
    """Polls sent in ``seconds`` from the first failed one (fixed ``jitter``, or random)."""
    sent, failures, at = 1, 1, 0.0
    while True:
        at += wait_after(failures, rng.random() if jitter is None else jitter)
        if at >= seconds:
            return sent
        sent += 1
        failures += 1


@dataclass(frozen=True)
class OfflineHour:
    mean: float
    fewest: int
    most: int
    waits: tuple[float, ...]  # the mean waits of the first retries, in seconds


def offline_hour(samples: int = 2000, seed: int = 7) -> OfflineHour:
    rng = random.Random(seed)
    counts = [requests_in(HOUR, None, rng) for _ in range(samples)]
    return OfflineHour(
        mean=statistics.fmean(counts),
        fewest=requests_in(HOUR, 0.999999, rng),
        most=requests_in(HOUR, 0.0, rng),
        waits=tuple(wait_after(n, 0.5) for n in range(1, 9)),
    )
