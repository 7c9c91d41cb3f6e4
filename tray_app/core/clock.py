"""Time as awork sees it: the machine's clock corrected by the offset awork's answers reveal.

awork stamps every answer with a ``Date`` header. When the machine's clock is off by more than a
couple of seconds, the elapsed time shown would be off by as much; so the offset is estimated
from recent answers and, past a threshold, applied to every reading.
"""

from __future__ import annotations

import logging
import statistics
import threading
from collections import deque
from datetime import datetime, timedelta

from tray_app.core.timer import Clock, utc_now

log = logging.getLogger(__name__)

# The Date header has whole seconds and the answer takes a while: below this, trust the machine.
SKEW_THRESHOLD = timedelta(seconds=2)
_SAMPLES = 5


class ServerClock:
    """A clock that agrees with awork's; thread-safe, since answers arrive on worker threads."""

    def __init__(self, local: Clock = utc_now) -> None:
        self._local = local
        self._lock = threading.Lock()
        self._samples: deque[float] = deque(maxlen=_SAMPLES)
        self._offset = timedelta(0)

    @property
    def offset(self) -> timedelta:
        """What is added to the machine's clock (zero while the two agree closely enough)."""
        with self._lock:
            return self._offset

    def observe(self, server_date: datetime, received_at: datetime | None = None) -> None:
        """Take one answer's ``Date`` into account; ``received_at`` is the local time then."""
        local = received_at or self._local()
        # Date is truncated to the second: its true value lies half a second later on average.
        sample = (server_date - local).total_seconds() + 0.5
        with self._lock:
            self._samples.append(sample)
            median = timedelta(seconds=statistics.median(self._samples))
            offset = median if abs(median) > SKEW_THRESHOLD else timedelta(0)
            same_mode = bool(offset) == bool(self._offset)
            if same_mode and abs(offset - self._offset) <= timedelta(seconds=1):
                return
            self._offset = offset
        if offset:
            log.warning("this machine's clock is %.0f s off awork's", -offset.total_seconds())
        else:
            log.info("this machine's clock agrees with awork's again")

    def now(self) -> datetime:
        """The current time as awork would tell it."""
        return self._local() + self.offset
