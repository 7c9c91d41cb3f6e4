"""A small window with the tray's status and actions, for desktops that have no tray at all."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from tray_app import APP_NAME
from tray_app.core.actions import Action
from tray_app.ui.icons import IconSet
from tray_app.ui.tray import menu_text, show_account_controls, show_line, show_timer_controls
from tray_app.ui.view_model import TimerDisplay


class StatusWindow(QWidget):
    """The tray's stand-in: same texts, same buttons; closing it minimises it, Quit quits.

    Signals:
        action_requested(str), refresh_requested(), open_web_requested(), settings_requested(),
        sign_in_requested(), sign_out_requested(), log_folder_requested(), quit_requested()
    """

    action_requested = Signal(str)
    refresh_requested = Signal()
    open_web_requested = Signal()
    settings_requested = Signal()
    sign_in_requested = Signal()
    sign_out_requested = Signal()
    log_folder_requested = Signal()
    quit_requested = Signal()

    def __init__(self, icons: IconSet) -> None:
        super().__init__()
        self._icons = icons
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
            button.setProperty("action", str(action))
            button.clicked.connect(self.on_button_clicked)
            buttons.addWidget(button)
            self.buttons[action] = button
        self.sign_in = QPushButton(menu_text("sign_in"))
        self.sign_in.clicked.connect(self.sign_in_requested)
        self.sign_out = QPushButton(menu_text("sign_out"))
        self.sign_out.clicked.connect(self.sign_out_requested)
        extras = QHBoxLayout()
        extras.addWidget(self.sign_in)
        extras.addWidget(self.sign_out)
        for text, signal in (
            (menu_text("open_web"), self.open_web_requested),
            (menu_text("refresh"), self.refresh_requested),
            (menu_text("settings"), self.settings_requested),
            (menu_text("log_folder"), self.log_folder_requested),
            (menu_text("quit"), self.quit_requested),
        ):
            button = QPushButton(text)
            button.clicked.connect(signal)
            extras.addWidget(button)
        layout = QVBoxLayout(self)
        for widget in (self.person, self.header, self.status, self.message):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addLayout(extras)

    def show_display(self, display: TimerDisplay) -> None:
        self.setWindowIcon(self._icons.icon(display.icon))
        show_timer_controls(self.header, self.status, self.buttons, display)

    def show_person(self, text: str) -> None:
        show_line(self.person, text)

    def show_account(self, *, can_sign_in: bool, can_sign_out: bool, busy: str | None) -> None:
        show_account_controls(self.sign_in, self.sign_out, can_sign_in, can_sign_out, busy)

    def notify(self, title: str, text: str, *, warning: bool = False) -> None:
        """Without a tray there are no balloons: the latest message is shown in the window."""
        self.message.setText(f"{title}: {text}")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802  # Qt's name
        # With no tray this window is the only way back to the app: keep it within reach.
        event.ignore()
        self.showMinimized()

    @Slot()
    def on_button_clicked(self) -> None:
        sender = self.sender()
        if isinstance(sender, QPushButton):
            self.action_requested.emit(str(sender.property("action")))
