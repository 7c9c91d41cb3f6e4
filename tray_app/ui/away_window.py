"""The window that asks, on return, what to do with the time away: Keep, Discard, or continue.

One line and three buttons, on top and focused, because the person has just come back and the
answer decides what awork records. One click each; Escape and closing the window keep the time,
the choice that sends nothing. The window only reports the choice: the calls are the
:class:`~tray_app.ui.away.AwayWatch`'s, on a worker thread.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from tray_app.core.away_discard import AwayChoice

__all__ = ["AwayWindow"]

log = logging.getLogger(__name__)


class AwayWindow(QWidget):
    """ "You were away from 11:02 to 11:45 (0:43)", and the three choices.

    Signals:
        chosen(AwayChoice): the person's one answer (Keep for Escape or closing), emitted once.
    """

    chosen = Signal(object)

    def __init__(self, line: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Dialog | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowTitle(self.tr("Time away · awork Tray"))
        self._answered = False
        self.line = QLabel(line)
        self.line.setWordWrap(True)
        self.keep = QPushButton(self.tr("&Keep"))
        self.keep.setToolTip(self.tr("Keep the time away on the timer; nothing is sent"))
        self.discard = QPushButton(self.tr("&Discard"))
        self.discard.setToolTip(self.tr("Stop the timer and end the entry when you left"))
        self.discard_and_continue = QPushButton(self.tr("Discard and &continue"))
        self.discard_and_continue.setToolTip(
            self.tr("The same, then start the same task again now")
        )
        buttons = QDialogButtonBox()
        for button in (self.keep, self.discard, self.discard_and_continue):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.keep.clicked.connect(self.on_keep_clicked)
        self.discard.clicked.connect(self.on_discard_clicked)
        self.discard_and_continue.clicked.connect(self.on_discard_and_continue_clicked)
        self.keep.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.line)
        layout.addWidget(buttons)

    def present(self) -> None:
        """Show on top and take the focus: the person has just come back to the machine."""
        self.show()
        self.raise_()
        self.activateWindow()
        self.keep.setFocus()

    @Slot()
    def on_keep_clicked(self) -> None:
        self.choose(AwayChoice.KEEP)

    @Slot()
    def on_discard_clicked(self) -> None:
        self.choose(AwayChoice.DISCARD)

    @Slot()
    def on_discard_and_continue_clicked(self) -> None:
        self.choose(AwayChoice.DISCARD_AND_CONTINUE)

    def choose(self, choice: AwayChoice) -> None:
        """Report ``choice`` once and close; later clicks (a double click) do nothing."""
        if self._answered:
            return
        self._answered = True
        log.info("away window: %s", choice)
        self.chosen.emit(choice)
        self.close()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802  # Qt's name
        if event.key() == Qt.Key.Key_Escape:
            self.choose(AwayChoice.KEEP)
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802  # Qt's name
        # Closing by the title bar is Escape: keep, send nothing.
        self.choose(AwayChoice.KEEP)
        super().closeEvent(event)
