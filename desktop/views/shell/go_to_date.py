"""Ctrl+G: jump the calendar to any date, typed or picked from a month."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QWidget


class GoToDateDialog(QDialog):
    def __init__(self, current: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("goToDateDialog")
        self.setWindowTitle("Go to date")
        self.setMinimumSize(300, 110)
        self.date_edit = QDateEdit(QDate(current.year, current.month, current.day))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.date_edit.setDateRange(QDate(1970, 1, 1), QDate(2199, 12, 31))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Go")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Date", self.date_edit)
        form.addRow(buttons)
        self.date_edit.setFocus()

    def chosen(self) -> date:
        value = self.date_edit.date()
        return date(value.year(), value.month(), value.day())
