"""Which sessions go into an exported calendar file: one customer or the book, the dates,
a reminder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QWidget,
)

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.services.customers import CustomerRecord
from desktop.views.calendar_files.files import plural, pydate, qdate, today_et
from desktop.views.customers.customer_dialog import FieldMessage
from desktop.views.widgets.form_dialog import dialog_buttons, dialog_column, hint_and_buttons

REMINDER_KEY = "calendarFiles/feedReminder"
ALL_DATES_KEY = "calendarFiles/allDates"
DATE_FORMAT = "ddd d MMM yyyy"
# What calendar programs offer; 0 is none.
REMINDERS = (
    (0, "No reminder"),
    (5, "5 minutes before"),
    (10, "10 minutes before"),
    (15, "15 minutes before"),
    (30, "30 minutes before"),
    (60, "1 hour before"),
    (120, "2 hours before"),
    (24 * 60, "1 day before"),
)


@dataclass(frozen=True)
class ExportChoice:
    customer: CustomerRecord | None
    first: date | None
    last: date | None
    reminder: int | None


class ExportCalendarDialog(QDialog):
    """Which sessions go into the calendar file: one customer or the book, which dates,
    and a reminder. Says how many sessions that is before anything is written."""

    def __init__(
        self,
        context: AppContext,
        customer: CustomerRecord | None = None,
        parent: QWidget | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportCalendarDialog")
        self.setWindowTitle("Export calendar")
        self._context = context
        today = today or today_et(context)
        settings = QSettings()
        title = QLabel("Export calendar")
        title.setObjectName("dialogTitle")
        intro = QLabel(
            "Your sessions as a calendar file, to open in Outlook, Google Calendar or Apple "
            "Calendar. Cancelled sessions are left out, and no one is invited."
        )
        intro.setObjectName("cardSubtitle")
        intro.setWordWrap(True)
        grid = self._grid(
            (
                ("Sessions of", self._scope_row(context, customer)),
                ("", self.book_radio),
                ("Dates", self._dates_row(today, settings)),
                ("Reminder", self._reminder_row(settings)),
            )
        )
        self.summary = FieldMessage()
        self.buttons, self.export_button = dialog_buttons(
            QDialogButtonBox.StandardButton.Ok, "Export…"
        )
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = dialog_column(self, 12)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(4)
        layout.addLayout(grid)
        layout.addSpacing(4)
        layout.addLayout(hint_and_buttons(self.summary, self.buttons))
        self._watch_choice()
        # WORKAROUND: see CustomerDialog.__init__ (a minimum size set before the first show).
        self.ensurePolished()
        self.setMinimumSize(self.minimumSizeHint())
        self.resize(max(self.sizeHint().width(), 620), self.sizeHint().height())

    def _scope_row(self, context: AppContext, customer: CustomerRecord | None) -> QHBoxLayout:
        """One customer (the one given, else the first) or the whole book."""
        customers = context.customers.list()
        if customer is not None and all(c.id != customer.id for c in customers):
            customers.append(customer)  # an archived customer's own sessions
        self.customer_radio = QRadioButton("One customer")
        self.book_radio = QRadioButton(f"The whole book ({plural(len(customers), 'customer')})")
        self.customer_combo = QComboBox()
        self.customer_combo.setMinimumWidth(260)
        for record in customers:
            self.customer_combo.addItem(record.name, record)
        self.scope = QButtonGroup(self)
        self.scope.addButton(self.customer_radio)
        self.scope.addButton(self.book_radio)
        if customer is not None:
            self.customer_combo.setCurrentIndex(self.customer_combo.findText(customer.name))
            self.customer_radio.setChecked(True)
        else:
            self.book_radio.setChecked(True)
        self.customer_radio.setEnabled(bool(customers))
        customer_row = QHBoxLayout()
        customer_row.setSpacing(10)
        customer_row.addWidget(self.customer_radio)
        customer_row.addWidget(self.customer_combo, 1)
        return customer_row

    def _dates_row(self, today: date, settings: QSettings) -> QHBoxLayout:
        self.all_dates_check = QCheckBox("All dates")
        self.all_dates_check.setChecked(str(settings.value(ALL_DATES_KEY, "true")) == "true")
        self.from_edit = self._date_edit(today.replace(day=1))
        self.to_edit = self._date_edit(date(today.year + 1, today.month, 1))
        from_label = QLabel("From")
        to_label = QLabel("to")
        from_label.setBuddy(self.from_edit)
        to_label.setBuddy(self.to_edit)
        dates_row = QHBoxLayout()
        dates_row.setSpacing(8)
        dates_row.addWidget(self.all_dates_check)
        dates_row.addSpacing(12)
        dates_row.addWidget(from_label)
        dates_row.addWidget(self.from_edit)
        dates_row.addWidget(to_label)
        dates_row.addWidget(self.to_edit)
        dates_row.addStretch()
        return dates_row

    def _reminder_row(self, settings: QSettings) -> QHBoxLayout:
        self.reminder_combo = QComboBox()
        for minutes, text in REMINDERS:
            self.reminder_combo.addItem(text, minutes)
        stored = str(settings.value(REMINDER_KEY, 0))
        self.reminder_combo.setCurrentIndex(
            max(0, self.reminder_combo.findData(int(stored) if stored.isdigit() else 0))
        )
        reminder_row = QHBoxLayout()
        reminder_row.addWidget(self.reminder_combo)
        reminder_row.addStretch()
        return reminder_row

    @staticmethod
    def _grid(rows: tuple[tuple[str, QWidget | QHBoxLayout], ...]) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(10)
        grid.setColumnStretch(1, 1)
        for row, (caption_text, content) in enumerate(rows):
            if caption_text:
                caption = QLabel(caption_text)
                caption.setObjectName("fieldLabel")
                grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignRight)
            if isinstance(content, QWidget):
                grid.addWidget(content, row, 1)
            else:
                grid.addLayout(content, row, 1)
        return grid

    def _watch_choice(self) -> None:
        """Counting reads the book: once the user pauses, not on every click of a spin box."""
        self._recount = QTimer(self)
        self._recount.setSingleShot(True)
        self._recount.setInterval(150)
        self._recount.timeout.connect(self._count)
        self.scope.buttonToggled.connect(self._changed)
        self.customer_combo.currentIndexChanged.connect(self._changed)
        self.all_dates_check.toggled.connect(self._changed)
        self.from_edit.dateChanged.connect(self._changed)
        self.to_edit.dateChanged.connect(self._changed)
        self.sessions = 0
        self._enable()
        self._count()

    def _date_edit(self, day: date) -> QDateEdit:
        edit = QDateEdit(qdate(day))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat(DATE_FORMAT)
        edit.setDateRange(QDate(2000, 1, 1), QDate(2100, 12, 31))
        return edit

    def choice(self) -> ExportChoice:
        customer = None
        if self.customer_radio.isChecked():
            data = self.customer_combo.currentData()
            customer = data if isinstance(data, CustomerRecord) else None
        dated = not self.all_dates_check.isChecked()
        return ExportChoice(
            customer=customer,
            first=pydate(self.from_edit.date()) if dated else None,
            last=pydate(self.to_edit.date()) if dated else None,
            reminder=int(self.reminder_combo.currentData() or 0) or None,
        )

    def _enable(self) -> None:
        self.customer_combo.setEnabled(self.customer_radio.isChecked())
        dated = not self.all_dates_check.isChecked()
        self.from_edit.setEnabled(dated)
        self.to_edit.setEnabled(dated)

    def _changed(self, *_: object) -> None:
        self._enable()
        self.export_button.setEnabled(False)
        self._recount.start()

    def count_pending(self) -> bool:
        return self._recount.isActive()

    def _count(self) -> None:
        choice = self.choice()
        if choice.first and choice.last and choice.last < choice.first:
            self.sessions = 0
            self.summary.set_error("The end date is before the start date.")
            self.export_button.setEnabled(False)
            return
        try:
            found = self._context.scheduler.find(
                choice.customer, choice.first, choice.last, include_cancelled=False
            )
        except AmplanError as exc:
            self.summary.set_error(str(exc))
            self.export_button.setEnabled(False)
            return
        self.sessions = len(found)
        if found:
            self.summary.set_error(None)
            self.summary.set_hint(f"{plural(self.sessions, 'session')} will be exported.")
        else:
            self.summary.set_error("No sessions to export: choose other dates or customers.")
        self.export_button.setEnabled(bool(found))

    def _accept(self) -> None:
        if self.count_pending() or not self.export_button.isEnabled():
            return
        settings = QSettings()
        settings.setValue(REMINDER_KEY, int(self.reminder_combo.currentData() or 0))
        settings.setValue(ALL_DATES_KEY, "true" if self.all_dates_check.isChecked() else "false")
        settings.sync()
        self.accept()


def export_file_stem(choice: ExportChoice) -> str:
    scope = choice.customer.name if choice.customer else "all customers"
    stem = f"amplan - {scope}"
    if choice.first and choice.last:
        stem += f" {choice.first.isoformat()} to {choice.last.isoformat()}"
    return stem
