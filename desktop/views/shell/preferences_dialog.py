"""Preferences: who the manager is and how much work a day may hold (the profile).

Kept in the user configuration, not in the book: the same person in every book they open.
"""

from __future__ import annotations

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSpinBox,
    QTimeEdit,
    QWidget,
)

from desktop.app import AppContext
from desktop.errors import AmplanError, BadInput
from desktop.services.profile import (
    MAX_BUFFER_MINUTES,
    MAX_LEAD_DAYS,
    MAX_SESSIONS_PER_DAY,
    ManagerProfile,
)
from desktop.views.customers.customer_dialog import FieldMessage
from desktop.views.widgets import messages
from desktop.views.widgets.form_dialog import Field, dialog_buttons, field_grid, titled_page

COMMON_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Australia/Sydney",
)


class PreferencesDialog(QDialog):
    """Edits the whole profile at once; a refused value is named under its field."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self._context = context
        profile = context.profiles.load()
        self._make_identity_fields(profile)
        lunch_row = self._make_workload_fields(profile)

        self.messages: dict[str, FieldMessage] = {}
        rows: list[tuple[str, str, Field, str]] = [
            ("name", "Name", self.name_edit, ""),
            ("email", "E-mail", self.email_edit, "Replies to your invites come here."),
            ("tz", "Your time zone", self.tz_combo, "Your days and lunch are counted here."),
            ("meeting_url", "Meeting link", self.url_edit, ""),
            ("max_per_day", "Sessions a day", self.per_day_spin, "At most; booked ones count."),
            ("buffer_minutes", "Between sessions", self.buffer_spin, ""),
            ("lunch", "Lunch", lunch_row, ""),
            ("lead_days", "Lead time", self.lead_spin, "Plans start no earlier."),
        ]
        for key, _caption, _field, hint in rows:
            self.messages[key] = FieldMessage()
            self.messages[key].set_hint(hint)
        grid = field_grid([(caption, field, self.messages[key]) for key, caption, field, _ in rows])
        self.buttons, self.save_button = dialog_buttons(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        titled_page(
            self,
            "You and your working day",
            "Invites name you as their organizer. Plans never book more than your sessions a "
            "day, keep the minutes between sessions and your lunch free, and start after your "
            "lead time. These settings follow you to every book you open.",
            grid,
            self.buttons,
        )
        self.ensurePolished()
        self.setMinimumWidth(600)  # the lunch row: its box, two times and "to" side by side

    def _make_identity_fields(self, profile: ManagerProfile) -> None:
        self.name_edit = QLineEdit(profile.name)
        self.email_edit = QLineEdit(profile.email)
        self.tz_combo = QComboBox()
        self.tz_combo.setEditable(True)
        self.tz_combo.addItems(COMMON_ZONES)
        self.tz_combo.setCurrentText(profile.tz)
        self.url_edit = QLineEdit(profile.meeting_url)
        self.url_edit.setPlaceholderText("https://… (optional; goes into invites)")

    def _make_workload_fields(self, profile: ManagerProfile) -> QHBoxLayout:
        """In the order Tab visits them; returns the lunch row."""
        self.per_day_spin = QSpinBox()
        self.per_day_spin.setRange(1, MAX_SESSIONS_PER_DAY)
        self.per_day_spin.setValue(profile.max_per_day)
        self.buffer_spin = QSpinBox()
        self.buffer_spin.setRange(0, MAX_BUFFER_MINUTES)
        self.buffer_spin.setSingleStep(5)
        self.buffer_spin.setSuffix(" min")
        self.buffer_spin.setValue(profile.buffer_minutes)
        lunch_row = self._lunch_row(profile)
        self.lead_spin = QSpinBox()
        self.lead_spin.setRange(0, MAX_LEAD_DAYS)
        self.lead_spin.setSuffix(" business day(s)")
        self.lead_spin.setValue(profile.lead_days)
        return lunch_row

    def _lunch_row(self, profile: ManagerProfile) -> QHBoxLayout:
        self.lunch_check = QCheckBox("Keep lunch free")
        self.lunch_from = QTimeEdit()
        self.lunch_to = QTimeEdit()
        for edit in (self.lunch_from, self.lunch_to):
            edit.setDisplayFormat("HH:mm")
        lunch = profile.lunch or ManagerProfile().lunch
        assert lunch is not None
        self.lunch_from.setTime(QTime(lunch[0].hour, lunch[0].minute))
        self.lunch_to.setTime(QTime(lunch[1].hour, lunch[1].minute))
        self.lunch_check.setChecked(profile.lunch is not None)
        self.lunch_check.toggled.connect(self._lunch_toggled)
        self._lunch_toggled(profile.lunch is not None)
        lunch_row = QHBoxLayout()
        # The times take what they need; the box keeps its whole label.
        self.lunch_check.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        for edit in (self.lunch_from, self.lunch_to):
            edit.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        lunch_row.addWidget(self.lunch_check)
        lunch_row.addWidget(self.lunch_from)
        lunch_row.addWidget(QLabel("to"))
        lunch_row.addWidget(self.lunch_to)
        lunch_row.addStretch()
        return lunch_row

    def _lunch_toggled(self, on: bool) -> None:
        self.lunch_from.setEnabled(on)
        self.lunch_to.setEnabled(on)

    def values(self) -> dict[str, str]:
        lunch = (
            f"{self.lunch_from.time().toString('HH:mm')}-{self.lunch_to.time().toString('HH:mm')}"
            if self.lunch_check.isChecked()
            else "none"
        )
        return {
            "name": self.name_edit.text(),
            "email": self.email_edit.text(),
            "tz": self.tz_combo.currentText(),
            "meeting_url": self.url_edit.text(),
            "max_per_day": str(self.per_day_spin.value()),
            "buffer_minutes": str(self.buffer_spin.value()),
            "lunch": lunch,
            "lead_days": str(self.lead_spin.value()),
        }

    def save(self) -> None:
        for message in self.messages.values():
            message.set_error(None)
        try:
            self._context.profiles.update(**self.values())
        except BadInput as exc:
            self.messages[_field_of(str(exc))].set_error(str(exc))
            return
        except AmplanError as exc:
            messages.show_error(self, "Preferences not saved", str(exc))
            return
        self.accept()


def _field_of(message: str) -> str:
    """Which field a validation message is about (the profile names it in its words)."""
    text = message.lower()
    for words, key in (
        ("e-mail", "email"),
        ("time zone", "tz"),
        ("meeting link", "meeting_url"),
        ("sessions a day", "max_per_day"),
        ("minutes between", "buffer_minutes"),
        ("lunch", "lunch"),
        ("lead days", "lead_days"),
    ):
        if words in text:
            return key
    return "name"
