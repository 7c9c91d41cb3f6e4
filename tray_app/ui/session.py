"""Signing in and out from the tray: one state machine, one step at a time, off the GUI thread.

The states say what is going on, so whether "signed out" is news is a state, not an order of
calls: awork ending the sign-in is announced only when it happens while signed in; the person's
own sign-out (under way or done) is not announced as such.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from tray_app.core.sync import Connection
from tray_app.ui.worker import Outcome, Worker

if TYPE_CHECKING:  # the menu shows SessionState before the icon; the controller loads httpx
    from tray_app.ui.controller import TimerController

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Account:
    """How the tray signs the person in and out; both block, so they run off the GUI thread.

    ``sign_in(cancel)`` returns when the browser came back (or raises an awork error);
    ``sign_out()`` returns the line to show.
    """

    sign_in: Callable[[threading.Event], object]
    sign_out: Callable[[], str]


class SessionState(Enum):
    """Where the sign-in stands. Signed in is presumed until awork says otherwise."""

    SIGNED_IN = "signed-in"
    SIGNING_IN = "signing-in"
    SIGNING_OUT = "signing-out"
    SIGNED_OUT = "signed-out"

    @property
    def busy(self) -> bool:
        """A sign-in or sign-out is under way: the account items wait for it."""
        return self in {SessionState.SIGNING_IN, SessionState.SIGNING_OUT}


class Session(QObject):
    """Runs the account's sign-in and sign-out and keeps the controller in step with them.

    Signals:
        state_changed(SessionState): the state moved on (the account items follow it).
        sign_in_failed(str): the sign-in did not complete; why.
        signed_out(str): the person's sign-out is done; awork's line about it.
        sign_out_failed(str): the sign-out hit a problem (the tokens are forgotten anyway).
        ended_by_awork(): awork ended the sign-in while signed in (a refused refresh).
    """

    state_changed = Signal(object)
    sign_in_failed = Signal(str)
    signed_out = Signal(str)
    sign_out_failed = Signal(str)
    ended_by_awork = Signal()

    def __init__(
        self, account: Account | None, controller: TimerController, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.account = account
        self.state = SessionState.SIGNED_IN
        self._controller = controller
        self._worker = Worker(self, max_threads=1)
        self._cancel = threading.Event()
        controller.connection_changed.connect(self.on_controller_connection_changed)

    def sign_in(self) -> bool:
        """Start a sign-in (the browser opens); False when there is no account or one is busy."""
        if self.account is None or self.state.busy:
            return False
        account = self.account
        self._cancel.clear()
        self._move(SessionState.SIGNING_IN)
        self._worker.submit(lambda: account.sign_in(self._cancel), self._on_sign_in_done)
        return True

    def sign_out(self) -> bool:
        """Start a sign-out: polling stops at once, awork is told, the tokens are forgotten."""
        if self.account is None or self.state.busy:
            return False
        self._move(SessionState.SIGNING_OUT)
        self._controller.pause_polling()
        self._worker.submit(self.account.sign_out, self._on_sign_out_done)
        return True

    def shutdown(self) -> None:
        """Give up a sign-in waiting for the browser; let a sign-out under way finish."""
        self._cancel.set()
        self._worker.shutdown()

    def _on_sign_in_done(self, outcome: Outcome[object]) -> None:
        if outcome.error is not None:
            log.info("sign-in failed: %s", type(outcome.error).__name__)
            signed_out = self._controller.connection is Connection.SIGNED_OUT
            self._move(SessionState.SIGNED_OUT if signed_out else SessionState.SIGNED_IN)
            self.sign_in_failed.emit(str(outcome.error))
            return
        self._move(SessionState.SIGNED_IN)
        self._controller.signed_in()

    def _on_sign_out_done(self, outcome: Outcome[str]) -> None:
        self._move(SessionState.SIGNED_OUT)
        self._controller.signed_out()
        if outcome.error is not None:
            self.sign_out_failed.emit(str(outcome.error))
        else:
            self.signed_out.emit(str(outcome.value))

    @Slot(object)
    def on_controller_connection_changed(self, connection: Connection) -> None:
        if connection is not Connection.SIGNED_OUT:
            return
        if self.state is SessionState.SIGNED_IN:
            # awork ended the sign-in (a refused refresh, a revoked app): say it once.
            self._move(SessionState.SIGNED_OUT)
            self.ended_by_awork.emit()
        elif self.state is SessionState.SIGNING_IN:
            log.debug("awork still says signed out while a sign-in is under way")

    def _move(self, state: SessionState) -> None:
        if state is not self.state:
            log.debug("session: %s -> %s", self.state.value, state.value)
            self.state = state
            self.state_changed.emit(state)
