"""A small dialog that edits the person's settings."""

from __future__ import annotations

import logging

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from tray_app.core.away_settings import (
    AwaySettings,
    ReminderSettings,
    WeekDay,
    WhenIdle,
    WhenLocked,
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

_WHEN_LOCKED = {
    WhenLocked.ASK: QT_TRANSLATE_NOOP("SettingsDialog", "ask me on return"),
    WhenLocked.PAUSE: QT_TRANSLATE_NOOP("SettingsDialog", "pause the timer"),
    WhenLocked.NOTHING: QT_TRANSLATE_NOOP("SettingsDialog", "do nothing"),
}
_WHEN_IDLE = {
    WhenIdle.ASK: QT_TRANSLATE_NOOP("SettingsDialog", "ask me on return"),
    WhenIdle.NOTHING: QT_TRANSLATE_NOOP("SettingsDialog", "do nothing"),
}
_DAY_LABELS = {
    WeekDay.MON: QT_TRANSLATE_NOOP("SettingsDialog", "Mon"),
    WeekDay.TUE: QT_TRANSLATE_NOOP("SettingsDialog", "Tue"),
    WeekDay.WED: QT_TRANSLATE_NOOP("SettingsDialog", "Wed"),
    WeekDay.THU: QT_TRANSLATE_NOOP("SettingsDialog", "Thu"),
    WeekDay.FRI: QT_TRANSLATE_NOOP("SettingsDialog", "Fri"),
    WeekDay.SAT: QT_TRANSLATE_NOOP("SettingsDialog", "Sat"),
    WeekDay.SUN: QT_TRANSLATE_NOOP("SettingsDialog", "Sun"),
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

        self._settings = settings
        away_group = self._away_group(settings.away, settings.reminders)

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
        layout.addWidget(away_group)
        layout.addWidget(buttons)

    def _away_group(self, away: AwaySettings, reminders: ReminderSettings) -> QGroupBox:
        """Away from the desk and the reminders: what a lock or idle time does to the timer."""
        self.when_locked = QComboBox()
        for value, label in _WHEN_LOCKED.items():
            self.when_locked.addItem(self.tr(label), value)
        self.when_locked.setCurrentIndex(self.when_locked.findData(away.when_locked))
        self.when_idle = QComboBox()
        for idle_value, label in _WHEN_IDLE.items():
            self.when_idle.addItem(self.tr(label), idle_value)
        self.when_idle.setCurrentIndex(self.when_idle.findData(away.when_idle))
        self.after_minutes = QSpinBox()
        self.after_minutes.setRange(1, 24 * 60)
        self.after_minutes.setSuffix(self.tr(" min"))
        self.after_minutes.setValue(away.after_minutes)
        self.resume_when_back = QCheckBox(
            self.tr("&Resume a timer paused at the lock when I am back")
        )
        self.resume_when_back.setChecked(away.resume_when_back)
        group = QGroupBox(self.tr("Away from the desk"))
        form = QFormLayout(group)
        form.addRow(self.tr("When the screen &locks"), self.when_locked)
        form.addRow(self.tr("When I am &idle or asleep"), self.when_idle)
        form.addRow(self.tr("&Away after"), self.after_minutes)
        form.addRow("", self.resume_when_back)
        self._add_reminders(form, reminders)
        return group

    def _add_reminders(self, form: QFormLayout, reminders: ReminderSettings) -> None:
        """The two reminders; 0 shows as "off" and turns one off."""
        off = self.tr("off")
        self.not_tracking_after = QSpinBox()
        self.not_tracking_after.setRange(0, 24 * 60)
        self.not_tracking_after.setSuffix(self.tr(" min"))
        self.not_tracking_after.setSpecialValueText(off)
        self.not_tracking_after.setValue(reminders.not_tracking_after_minutes)
        self.work_days: dict[WeekDay, QCheckBox] = {}
        days = QHBoxLayout()
        for day, label in _DAY_LABELS.items():
            box = QCheckBox(self.tr(label))
            box.setChecked(day in reminders.work_days)
            days.addWidget(box)
            self.work_days[day] = box
        start, end = reminders.work_hours
        self.work_start = QTimeEdit(QTime(start.hour, start.minute))
        self.work_end = QTimeEdit(QTime(end.hour, end.minute))
        for edit in (self.work_start, self.work_end):
            edit.setDisplayFormat("HH:mm")
        hours = QHBoxLayout()
        hours.addWidget(self.work_start)
        hours.addWidget(QLabel(self.tr("to")))
        hours.addWidget(self.work_end)
        self.running_over = QSpinBox()
        self.running_over.setRange(0, 23)
        self.running_over.setSuffix(self.tr(" h"))
        self.running_over.setSpecialValueText(off)
        self.running_over.setValue(reminders.running_over_hours)

        form.addRow(self.tr("Remind me when &not tracking after"), self.not_tracking_after)
        form.addRow(self.tr("Work days"), days)
        form.addRow(self.tr("Work hours"), hours)
        self.work_hours_problem = QLabel(self.tr("The work hours must start before they end."))
        self.work_hours_problem.hide()
        form.addRow("", self.work_hours_problem)
        form.addRow(self.tr("Warn when a timer &runs over"), self.running_over)

    def _away_settings(self) -> tuple[AwaySettings, ReminderSettings]:
        start, end = self.work_start.time(), self.work_end.time()
        reminders = ReminderSettings.of(
            {
                "not_tracking_after_minutes": self.not_tracking_after.value(),
                "work_days": [day.value for day, box in self.work_days.items() if box.isChecked()],
                "work_hours": [start.toString("HH:mm"), end.toString("HH:mm")],
                "running_over_hours": self.running_over.value(),
            }
        )
        away = AwaySettings(
            after_minutes=self.after_minutes.value(),
            when_locked=WhenLocked(self.when_locked.currentData()),
            when_idle=WhenIdle(self.when_idle.currentData()),
            resume_when_back=self.resume_when_back.isChecked(),
        )
        return away, reminders

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
        if self.work_start.time() >= self.work_end.time():
            # Saved, they would fall back to 09:00 to 18:00 without the person knowing.
            self.work_hours_problem.show()
            self.work_start.setFocus()
            return
        super().accept()

    def _base_url_text(self) -> str:
        return self.base_url.text().strip() or Settings().base_url

    def result_settings(self) -> Settings:
        """The settings as the dialog shows them now (and those it does not show, as they were)."""
        away, reminders = self._away_settings()
        # Built anew, not copied, so the address is checked and normalised as on every load.
        return Settings(
            **{
                **dict(self._settings),
                "base_url": self._base_url_text(),
                "poll_interval_seconds": self.poll_interval.value(),
                "notifications": NotificationSettings(
                    **{name: box.isChecked() for name, box in self.notifications.items()}
                ),
                "start_at_login": self.start_at_login.isChecked(),
                "away": away,
                "reminders": reminders,
            }
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
