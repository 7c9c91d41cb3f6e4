"""The one contract between the app and its views (the tray, or the fallback window).

Both views own a :class:`ViewRequests` and render through the same methods, so what a person
can ask for is declared once and wired once, by :func:`connect_requests`.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, Signal

from tray_app.core.actions import Action
from tray_app.ui.session import SessionState
from tray_app.ui.view_model import TimerDisplay


class ViewRequests(QObject):
    """What a person asked a view for.

    Signals:
        action_requested(Action): a timer action was clicked.
        refresh_requested(): "Refresh now".
        looked_at(): the person is about to look (the menu opens): time to refresh what it says.
        open_web_requested(): "Open in awork".
        settings_requested(): "Settings…".
        sign_in_requested(), sign_out_requested(): "Sign in…", "Sign out".
        log_folder_requested(): "Open log folder".
        quit_requested(): "Quit".
    """

    action_requested = Signal(object)
    refresh_requested = Signal()
    looked_at = Signal()
    open_web_requested = Signal()
    settings_requested = Signal()
    sign_in_requested = Signal()
    sign_out_requested = Signal()
    log_folder_requested = Signal()
    quit_requested = Signal()


class View(Protocol):
    """A view: it shows the timer, the person and the account items, and says what was asked."""

    @property
    def requests(self) -> ViewRequests: ...

    def show_display(self, display: TimerDisplay) -> None: ...
    def show_person(self, text: str) -> None: ...
    def show_account(
        self, *, can_sign_in: bool, can_sign_out: bool, session: SessionState
    ) -> None: ...
    def notify(self, title: str, text: str, *, warning: bool = False) -> None: ...


class RequestHandler(Protocol):
    """Who carries out what the views ask for (the app)."""

    def on_view_action_requested(self, action: Action) -> None: ...
    def on_view_refresh_requested(self) -> None: ...
    def on_view_looked_at(self) -> None: ...
    def on_view_open_web_requested(self) -> None: ...
    def on_view_settings_requested(self) -> None: ...
    def on_view_sign_in_requested(self) -> None: ...
    def on_view_sign_out_requested(self) -> None: ...
    def on_view_log_folder_requested(self) -> None: ...
    def on_view_quit_requested(self) -> None: ...


def connect_requests(requests: ViewRequests, handler: RequestHandler) -> None:
    """Wire every request of a view to its handler: the one place that does."""
    requests.action_requested.connect(handler.on_view_action_requested)
    requests.refresh_requested.connect(handler.on_view_refresh_requested)
    requests.looked_at.connect(handler.on_view_looked_at)
    requests.open_web_requested.connect(handler.on_view_open_web_requested)
    requests.settings_requested.connect(handler.on_view_settings_requested)
    requests.sign_in_requested.connect(handler.on_view_sign_in_requested)
    requests.sign_out_requested.connect(handler.on_view_sign_out_requested)
    requests.log_folder_requested.connect(handler.on_view_log_folder_requested)
    requests.quit_requested.connect(handler.on_view_quit_requested)
