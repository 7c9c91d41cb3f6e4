"""Runs blocking awork calls off the GUI thread and hands each outcome back to it.

A small QThreadPool does the calls, so an action never waits behind a slow poll. Every call gets
a sequence number when it is sent (the controller orders answers by it) and carries its own
typed continuation, called in the GUI thread with the outcome: no job names to dispatch on.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from tray_app.awork.errors import AworkError

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What one call gave: ``value`` on success, ``error`` (a typed awork error) otherwise."""

    seq: int
    value: T | None = None
    error: AworkError | None = None


class _Call(QRunnable, Generic[T]):
    def __init__(
        self,
        worker: Worker,
        seq: int,
        call: Callable[[], T],
        done: Callable[[Outcome[T]], None],
        droppable: bool,
    ) -> None:
        super().__init__()
        self._worker = worker
        self._seq = seq
        self._call = call
        self._done = done
        self._droppable = droppable

    def run(self) -> None:
        if self._droppable and self._worker.closing:
            return
        outcome: Outcome[T]
        try:
            outcome = Outcome(self._seq, value=self._call())
        except AworkError as exc:
            outcome = Outcome(self._seq, error=exc)
        except Exception:
            # A bug must not kill the pool thread silently: log it and answer with an error.
            log.exception("unexpected error in call %d", self._seq)
            outcome = Outcome(self._seq, error=AworkError("Something went wrong."))
        # Emitted from the pool thread; Qt queues it to the worker's (the GUI) thread.
        self._worker.call_finished.emit(outcome, self._done)


class Worker(QObject):
    """Hands calls to a thread pool and their outcomes to their continuations.

    Signals:
        call_finished(Outcome, continuation): a call ended (internal: queues it to the GUI thread).
    """

    call_finished = Signal(object, object)

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._seq = itertools.count(1)
        self.closing = False
        self.call_finished.connect(self.on_call_finished)

    def submit(
        self,
        call: Callable[[], T],
        done: Callable[[Outcome[T]], None],
        *,
        droppable: bool = False,
    ) -> int:
        """Start ``call`` on the pool, then ``done(outcome)`` in the GUI thread; returns its
        sequence number.

        A droppable call (a poll) is skipped if it has not started when the worker shuts down;
        any other call (an action the person clicked) is always carried out.
        """
        seq = next(self._seq)
        self._pool.start(_Call(self, seq, call, done, droppable))
        return seq

    def shutdown(self, timeout_ms: int = -1) -> bool:
        """Skip droppable calls not yet started, finish the rest; True when all have ended."""
        self.closing = True
        return self._pool.waitForDone(timeout_ms)

    @Slot(object, object)
    def on_call_finished(self, outcome: Outcome[Any], done: Callable[[Outcome[Any]], None]) -> None:
        done(outcome)
