"""A small dialog that edits the person's settings."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tray_app.core.settings import NotificationSettings, Settings
from tray_app.core.translation import QT_TRANSLATE_NOOP
from tray_app.urls import InsecureBaseUrl, check_base_url

log = logging.getLogger(__name__)

_NOTIFICATION_LABELS = {
    "started": QT_TRANSLATE_NOOP("SettingsDialog", "A timer was started elsewhere"),
    "paused": QT_TRANSLATE_NOOP("SettingsDialog", "The timer was paused elsewhere"),
    "resumed": QT_TRANSLATE_NOOP("SettingsDialog", "The timer was resumed elsewhere"),
    "stopped": QT_TRANSLATE_NOOP("SettingsDialog", "The timer was stopped elsewhere"),
    "auto_stopped": QT_TRANSLATE_NOOP("SettingsDialog", "awork stopped the timer after 24 hours"),
    "switched": QT_TRANSLATE_NOOP("SettingsDialog", "The timer switched to another task"),
    "task_changed": QT_TRANSLATE_NOOP("SettingsDialog", "The timer's task or project changed"),
    "action_failed": QT_TRANSLATE_NOOP("SettingsDialog", "An action from this tray failed"),
    "connection": QT_TRANSLATE_NOOP(
        "SettingsDialog", "awork cannot be reached for a while, and when it is back"
    ),
}


class SettingsDialog(QDialog):
    """Edits a copy of the settings; the caller decides what to do with the result."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("awork Tray settings"))
        self.poll_interval = QSpinBox()
        self.poll_interval.setRange(10, 3600)
        self.poll_interval.setSuffix(self.tr(" s"))
        self.poll_interval.setValue(settings.poll_interval_seconds)
        self.poll_interval.setToolTip(
            self.tr(
                "awork's request limit is shared by everyone in your workspace: poll sparingly."
            )
        )
        self.base_url = QLineEdit(settings.base_url)
        self.start_at_login = QCheckBox(self.tr("&Start awork Tray when I log in"))
        self.start_at_login.setChecked(settings.start_at_login)

        form = QFormLayout()
        form.addRow(self.tr("&Check awork every"), self.poll_interval)
        form.addRow(self.tr("awork &API address"), self.base_url)
        note = QLabel(self.tr("A new address takes effect the next time awork Tray starts."))
        note.setWordWrap(True)
        form.addRow("", note)
        # Why an address is refused (awork.urls words it): shown instead of closing the dialog.
        self.base_url_problem = QLabel()
        self.base_url_problem.setWordWrap(True)
        self.base_url_problem.hide()
        form.addRow("", self.base_url_problem)

        self.notifications: dict[str, QCheckBox] = {}
        group = QGroupBox(self.tr("Notify me when"))
        group_layout = QVBoxLayout(group)
        for name, label in _NOTIFICATION_LABELS.items():
            box = QCheckBox(self.tr(label))
            box.setChecked(getattr(settings.notifications, name))
            group_layout.addWidget(box)
            self.notifications[name] = box

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.start_at_login)
        layout.addWidget(group)
        layout.addWidget(buttons)

    def accept(self) -> None:
        """Close only with an address the app may use: plain http to another host would carry
        the person's token in clear."""
        try:
            check_base_url(self._base_url_text())
        except InsecureBaseUrl as exc:
            log.warning("settings not saved: %s", exc)
            self.base_url_problem.setText(str(exc))
            self.base_url_problem.show()
            self.base_url.setFocus()
            return
        super().accept()

    def _base_url_text(self) -> str:
        return self.base_url.text().strip() or Settings().base_url

    def result_settings(self) -> Settings:
        """The settings as the dialog shows them now."""
        return Settings(
            base_url=self._base_url_text(),
            poll_interval_seconds=self.poll_interval.value(),
            notifications=NotificationSettings(
                **{name: box.isChecked() for name, box in self.notifications.items()}
            ),
            start_at_login=self.start_at_login.isChecked(),
        )

    @classmethod
    def edit(cls, settings: Settings, parent: QWidget | None = None) -> Settings | None:
        """Show the dialog and wait; the new settings, or None when cancelled.

        Tests replace this classmethod instead of clicking through a modal dialog.
        """
        dialog = cls(settings, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.result_settings()
        return None
