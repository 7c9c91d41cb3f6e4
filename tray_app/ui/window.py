"""A small window with the tray's status and actions, for desktops that have no tray at all."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from tray_app import APP_NAME
from tray_app.core.actions import Action
from tray_app.ui.icons import IconSet
from tray_app.ui.session import SessionState
from tray_app.ui.tray import (
    action_of,
    menu_text,
    show_account_controls,
    show_line,
    show_timer_controls,
)
from tray_app.ui.view import ViewRequests
from tray_app.ui.view_model import TimerDisplay


class StatusWindow(QWidget):
    """The tray's stand-in: same texts, same buttons, the same :attr:`requests`; closing it
    minimises it, Quit quits."""

    def __init__(self, icons: IconSet) -> None:
        super().__init__()
        self._icons = icons
        self._requests = asks = ViewRequests(self)
        self.setWindowTitle(APP_NAME)
        self.person = QLabel()
        self.header = QLabel()
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel()
        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        self.buttons: dict[Action, QPushButton] = {}
        for action in Action:
            button = QPushButton()
            button.clicked.connect(self.on_button_clicked)
            buttons.addWidget(button)
            self.buttons[action] = button
        self.sign_in = QPushButton(menu_text("sign_in"))
        self.sign_in.clicked.connect(asks.sign_in_requested)
        self.sign_out = QPushButton(menu_text("sign_out"))
        self.sign_out.clicked.connect(asks.sign_out_requested)
        extras = QHBoxLayout()
        extras.addWidget(self.sign_in)
        extras.addWidget(self.sign_out)
        for text, signal in (
            (menu_text("open_web"), asks.open_web_requested),
            (menu_text("refresh"), asks.refresh_requested),
            (menu_text("settings"), asks.settings_requested),
            (menu_text("log_folder"), asks.log_folder_requested),
            (menu_text("quit"), asks.quit_requested),
        ):
            button = QPushButton(text)
            button.clicked.connect(signal)
            extras.addWidget(button)
        layout = QVBoxLayout(self)
        for widget in (self.person, self.header, self.status, self.message):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addLayout(extras)

    @property
    def requests(self) -> ViewRequests:
        return self._requests

    def show_display(self, display: TimerDisplay) -> None:
        self.setWindowIcon(self._icons.icon(display.icon))
        show_timer_controls(self.header, self.status, self.buttons, display)

    def show_person(self, text: str) -> None:
        show_line(self.person, text)

    def show_account(self, *, can_sign_in: bool, can_sign_out: bool, session: SessionState) -> None:
        show_account_controls(self.sign_in, self.sign_out, can_sign_in, can_sign_out, session)

    def notify(self, title: str, text: str, *, warning: bool = False) -> None:
        """Without a tray there are no balloons: the latest message is shown in the window."""
        self.message.setText(f"{title}: {text}")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802  # Qt's name
        # With no tray this window is the only way back to the app: keep it within reach.
        event.ignore()
        self.showMinimized()

    @Slot()
    def on_button_clicked(self) -> None:
        action = action_of(self.sender(), self.buttons)
        if action is not None:
            self._requests.action_requested.emit(action)
