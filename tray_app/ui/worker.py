"""Runs blocking awork calls off the GUI thread and posts each outcome back to it.

A small QThreadPool does the calls, so an action never waits behind a slow poll. Every call gets
a sequence number when it is sent; the controller uses it to keep late answers from overwriting
newer ones.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from tray_app.awork.errors import AworkError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What one call gave: ``value`` on success, ``error`` (a typed awork error) otherwise."""

    seq: int
    job: str
    value: Any = None
    error: AworkError | None = None


class _Call(QRunnable):
    def __init__(
        self, worker: Worker, seq: int, job: str, call: Callable[[], Any], droppable: bool
    ) -> None:
        super().__init__()
        self._worker = worker
        self._seq = seq
        self._job = job
        self._call = call
        self._droppable = droppable

    def run(self) -> None:
        if self._droppable and self._worker.closing:
            return
        try:
            outcome = Outcome(self._seq, self._job, value=self._call())
        except AworkError as exc:
            outcome = Outcome(self._seq, self._job, error=exc)
        except Exception:
            # A bug must not kill the pool thread silently: log it and answer with an error.
            log.exception("unexpected error in %s", self._job)
            outcome = Outcome(self._seq, self._job, error=AworkError("Something went wrong."))
        # Emitted from the pool thread; Qt queues it to the receivers in the GUI thread.
        self._worker.finished.emit(outcome)


class Worker(QObject):
    """Hands calls to a thread pool.

    Signals:
        finished(Outcome): a call ended; delivered in the receiver's (GUI) thread.
    """

    finished = Signal(object)

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._seq = itertools.count(1)
        self.closing = False

    def submit(self, job: str, call: Callable[[], Any], *, droppable: bool = False) -> int:
        """Start ``call`` on the pool; returns its sequence number.

        A droppable call (a poll) is skipped if it has not started when the worker shuts down;
        any other call (an action the person clicked) is always carried out.
        """
        seq = next(self._seq)
        self._pool.start(_Call(self, seq, job, call, droppable))
        return seq

    def shutdown(self, timeout_ms: int = -1) -> bool:
        """Skip droppable calls not yet started, finish the rest; True when all have ended."""
        self.closing = True
        return self._pool.waitForDone(timeout_ms)
