"""Calendar files from the GUI: send an invite, export a calendar, import and clear busy time.

Each public function is one user action, called from a menu entry or a button. It asks for
what it needs (the organizer's profile, the options, a file name), calls `context.calendars`
and says in plain words what happened. Long work (an import, a large export) runs on the
thread pool behind a progress dialog, so the window keeps painting and Cancel works; the
function returns once that work is over, with what it did.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QDate,
    QEventLoop,
    QObject,
    QRunnable,
    QSettings,
    QSize,
    QStandardPaths,
    Qt,
    QThreadPool,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import QCloseEvent, QDesktopServices, QIcon
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.app import AppContext
from desktop.errors import AmplanError, BadInput
from desktop.services.business_time import format_day
from desktop.services.calendar_files.calendar_files import write_file
from desktop.services.calendar_files.ical_import import ImportCancelled, import_horizon
from desktop.services.customers import CustomerRecord
from desktop.services.display.session_format import when_et
from desktop.services.scheduling.conflicts import conflicting_sessions, find_conflicts
from desktop.views.customers.customer_dialog import FieldMessage
from desktop.views.widgets import messages

ICS_FILTER = "Calendar files (*.ics)"
OPEN_FILTER = f"{ICS_FILTER};;All files (*)"
SAVE_FOLDER_KEY = "calendarFiles/saveFolder"
IMPORT_FOLDER_KEY = "calendarFiles/importFolder"
REMINDER_KEY = "calendarFiles/feedReminder"
ALL_DATES_KEY = "calendarFiles/allDates"
DATE_FORMAT = "ddd d MMM yyyy"
# Work that ends sooner than this never shows its progress dialog (no flash for small files).
SHOW_PROGRESS_AFTER_MS = 400
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
# Contacts named in a confirmation; the rest are counted.
NAMED_CONTACTS = 3
_UNSAFE = set('\\/:*?"<>|')


# --- small helpers ------------------------------------------------------------------------
def _plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def safe_file_name(stem: str, suffix: str = ".ics") -> str:
    """`stem` as a file name every system accepts: no separators, no reserved characters."""
    cleaned = "".join("-" if ch in _UNSAFE or ord(ch) < 32 else ch for ch in stem)
    cleaned = " ".join(cleaned.split()).strip(" .")[:120].strip(" .")
    return f"{cleaned or 'calendar'}{suffix}"


def _folder(key: str) -> Path:
    """The folder last used for `key`, else Documents, else home."""
    stored = QSettings().value(key)
    if stored and Path(str(stored)).is_dir():
        return Path(str(stored))
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return Path(documents)
    return Path.home()


def _remember(key: str, folder: Path) -> None:
    settings = QSettings()
    settings.setValue(key, str(folder))
    settings.sync()


def _ask_save_path(parent: QWidget | None, title: str, file_name: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(
        parent, title, str(_folder(SAVE_FOLDER_KEY) / file_name), ICS_FILTER
    )
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() != ".ics":
        path = path.with_name(f"{path.name}.ics")
    _remember(SAVE_FOLDER_KEY, path.parent)
    return path


def _today(context: AppContext) -> date:
    return context.clock.et_date(datetime.now(UTC))


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def open_folder(parent: QWidget | None, folder: Path) -> bool:
    """Show `folder` in the system's file manager."""
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
        return True
    messages.show_error(
        parent, "Folder not opened", f"The folder could not be opened. The file is in {folder}."
    )
    return False


def show_saved(parent: QWidget | None, title: str, text: str, path: Path) -> None:
    """Say what was saved, with an "Open folder" button next to OK.

    Shaped like the functions of `messages` (tests replace it the same way), with the saved
    file as the one extra argument.
    """
    box = QMessageBox(
        QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    box.setObjectName("calendarFileSaved")
    folder_button = box.addButton("Open folder", QMessageBox.ButtonRole.ActionRole)
    ok = box.addButton(QMessageBox.StandardButton.Ok)
    box.setDefaultButton(ok)
    box.setEscapeButton(ok)
    box.exec()
    if box.clickedButton() is folder_button:
        open_folder(parent, path.parent)


# --- work off the GUI thread ------------------------------------------------------------------
class _JobSignals(QObject):
    """Lives on the GUI thread; a worker's emits arrive there queued."""

    progress = Signal(int, int)
    finished = Signal()


class _Job(QRunnable):
    """Runs `work(report)` once on the pool; keeps its result or error for the GUI thread.

    `report(done, total)` is the progress callback the services take: it tells the GUI and,
    once a stop was asked for, raises ImportCancelled so that the service saves nothing.
    """

    def __init__(self, work: Callable[[Callable[[int, int], bool]], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.signals = _JobSignals()
        self.stop = threading.Event()
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self._work = work

    def report(self, done: int, total: int) -> bool:
        # Raised rather than returned: the service ignores the answer of its last call,
        # and a stop asked for then must still save nothing.
        if self.stop.is_set():
            raise ImportCancelled("Import stopped; nothing was saved.")
        self.signals.progress.emit(done, total)
        return True

    def run(self) -> None:
        try:
            self.result = self._work(self.report)
        except BaseException as exc:  # handed to the GUI thread, which shows or re-raises it
            self.error = exc
        # Emit before `done`: once `done` is set the GUI thread may drop this object.
        self.signals.finished.emit()
        self.done.set()


class _StopButton(QPushButton):
    """Cancel, as wide as it will be once it says "Stopping…": the progress dialog places
    its button by the size hint and does not place it again when the text changes."""

    def __init__(self) -> None:
        super().__init__("Stopping…")
        self._widest = super().sizeHint()
        self.setText("Cancel")

    def sizeHint(self) -> QSize:
        return super().sizeHint().expandedTo(self._widest)


class WorkProgress(QProgressDialog):
    """The progress of one job: a busy bar until the job counts, then a count.

    Cancel (the button, Escape or the close button) asks the job to stop and says so; the
    dialog stays up until the job has really stopped.
    """

    def __init__(
        self, parent: QWidget | None, title: str, label: str, cancellable: bool = True
    ) -> None:
        super().__init__(label, "Cancel", 0, 0, parent)
        self.setObjectName("calendarWorkProgress")
        self.setWindowTitle(title)
        self.setWindowModality(
            Qt.WindowModality.WindowModal if parent else Qt.WindowModality.ApplicationModal
        )
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumDuration(SHOW_PROGRESS_AFTER_MS)
        # At its minimum the dialog starts the timer that shows it; reading a file reports
        # nothing for a while, so without this it would show only at the first count.
        self.setValue(0)
        self.setMinimumWidth(440)
        self.cancel_button: QPushButton | None = None
        # Without a button first: setting one over the default button would add a second
        # Escape shortcut beside the default's, and two make Escape do nothing.
        self.setCancelButton(None)
        if cancellable:
            self.cancel_button = _StopButton()
            self.setCancelButton(self.cancel_button)
        # QProgressDialog hides itself on Cancel; this one waits for the job to stop.
        self.canceled.disconnect(self.cancel)
        self.canceled.connect(self.request_stop)
        self.stopping = False
        self.running = True
        self._job: _Job | None = None

    def watch(self, job: _Job) -> None:
        self._job = job
        job.signals.progress.connect(self.show_progress)

    @Slot(int, int)
    def show_progress(self, done: int, total: int) -> None:
        if self.stopping or (total <= 0 and done <= 0):
            return
        if total <= 0:  # reading occurrences one by one: their number is not known yet
            self.setLabelText(f"Importing busy time: {done:,} events read…")
            return
        if self.maximum() != total:
            self.setRange(0, total)
        self.setValue(min(done, total))
        self.setLabelText(f"Importing busy time: {done:,} of {total:,} events…")

    @Slot()
    def request_stop(self) -> None:
        if self.cancel_button is None or self.stopping or not self.running:
            return
        self.stopping = True
        if self._job is not None:
            self._job.stop.set()
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Stopping…")
        self.setRange(0, 0)
        self.setLabelText("Stopping the import. Nothing will be saved.")

    def reject(self) -> None:  # Escape
        self.request_stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running:
            event.ignore()
            self.request_stop()
        else:
            super().closeEvent(event)

    def finish(self) -> None:
        self.running = False
        # reset() stops the timer that shows the dialog after SHOW_PROGRESS_AFTER_MS: left
        # running, it fired inside the result's message box (whose loop does not delete
        # this dialog) and put a finished progress, with a dead Cancel, over the result.
        self.reset()
        self.hide()
        self.deleteLater()


_running: list[_Job] = []


def _run(progress: WorkProgress, work: Callable[[Callable[[int, int], bool]], Any]) -> _Job:
    """Run `work` on the pool while `progress` shows; returns the finished job.

    A local event loop keeps the GUI painting and answering (the progress dialog is modal,
    so only it takes input) and ends when the job does.
    """
    job = _Job(work)
    progress.watch(job)
    loop = QEventLoop()
    job.signals.finished.connect(loop.quit)
    _running.append(job)
    try:
        QThreadPool.globalInstance().start(job)
        if not job.done.is_set():
            loop.exec()
        job.done.wait()  # the loop also ends when the application quits
    finally:
        _running.remove(job)
        progress.finish()
    return job


def _busy_elsewhere(parent: QWidget | None) -> bool:
    """One calendar job at a time: another action clicked during one waits its turn."""
    if _running:
        messages.show_info(
            parent, "Still working", "A calendar file is still being read or written; wait."
        )
        return True
    return False


# --- the organizer's profile ------------------------------------------------------------------
class ProfileDialog(QDialog):
    """Asks once for the name and e-mail that invites carry as their organizer."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profileDialog")
        self.setWindowTitle("Your name and e-mail")
        self._context = context
        name, email = context.profiles.identity()

        title = QLabel("Who sends the invites?")
        title.setObjectName("dialogTitle")
        intro = QLabel(
            "Invites name you as the organizer, so that replies come back to you. "
            "amplan asks once and remembers."
        )
        intro.setObjectName("cardSubtitle")
        intro.setWordWrap(True)

        self.name_edit = QLineEdit(name)
        self.name_edit.setPlaceholderText("e.g. Dana Whitfield")
        self.name_edit.setMinimumWidth(300)
        self.email_edit = QLineEdit(email)
        self.email_edit.setPlaceholderText("e.g. dana.whitfield@inflectra.com")
        self.name_message = FieldMessage()
        self.email_message = FieldMessage()
        self.email_message.set_hint("Replies to the invites come to this address.")

        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(2)
        grid.setColumnStretch(1, 1)
        for row, (caption_text, edit, message) in enumerate(
            (
                ("Name", self.name_edit, self.name_message),
                ("E-mail", self.email_edit, self.email_message),
            )
        ):
            caption = QLabel(caption_text)
            caption.setObjectName("fieldLabel")
            caption.setBuddy(edit)
            grid.addWidget(caption, row * 2, 0, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(edit, row * 2, 1)
            grid.addWidget(message, row * 2 + 1, 1)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Save and go on")
        self.ok_button.setObjectName("primary")
        for button in self.buttons.buttons():
            button.setIcon(QIcon())
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.buttons)

        self.name_edit.textChanged.connect(self._changed)
        self.email_edit.textChanged.connect(self._changed)
        self._changed()
        # WORKAROUND: see CustomerDialog.__init__ (a minimum size set before the first show).
        self.ensurePolished()
        self.setMinimumSize(self.minimumSizeHint())
        self.resize(self.sizeHint())

    def _changed(self) -> None:
        self.name_message.set_error(None)
        self.email_message.set_error(None)
        self.ok_button.setEnabled(
            bool(self.name_edit.text().strip()) and "@" in self.email_edit.text()
        )

    def _save(self) -> None:
        try:
            self._context.profiles.set_identity(self.name_edit.text(), self.email_edit.text())
        except BadInput as exc:
            target = self.name_message if "name" in str(exc).lower() else self.email_message
            target.set_error(str(exc))
            return
        except AmplanError as exc:
            messages.show_error(self, "Profile not saved", str(exc))
            return
        self.accept()


def ensure_profile(parent: QWidget | None, context: AppContext) -> bool:
    """True once the organizer's e-mail is known, asking for it if need be."""
    _, email = context.profiles.identity()
    if email:
        return True
    dialog = ProfileDialog(context, parent)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()


# --- 1. an invite for one session ----------------------------------------------------------
def _names(names: list[str], limit: int = NAMED_CONTACTS) -> str:
    if len(names) <= limit:
        return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
    return f"{', '.join(names[:limit])} and {len(names) - limit} more"


def send_invite(parent: QWidget | None, context: AppContext, session_id: int) -> Path | None:
    """Save the invite (or, for a cancelled session, the cancellation) of one session as an
    .ics file to attach to an e-mail; None when the user stopped or it could not be done."""
    try:
        session = context.scheduler.get(session_id)
        customers = [context.customers.get(cid) for cid in session.customer_ids]
    except AmplanError as exc:
        messages.show_error(parent, "Invite not saved", str(exc))
        return None
    contacts: dict[str, str] = {}
    for customer in customers:
        for contact in customer.contacts:
            contacts.setdefault(contact.email.lower(), contact.name or contact.email)
    if not contacts:
        names = _names([c.name for c in customers])
        messages.show_error(
            parent,
            "No one to invite",
            f"{names} {'has' if len(customers) == 1 else 'have'} no contacts yet, so there is "
            "no one to send the invite to. Edit the customer, add a contact as "
            "Name <e-mail>, then send the invite again.",
        )
        return None
    if not ensure_profile(parent, context):
        return None
    try:
        data = context.calendars.invite(session.id)
    except AmplanError as exc:
        messages.show_error(parent, "Invite not saved", str(exc))
        return None

    cancelled = session.status == "cancelled"
    label = context.policy.kind(session.kind).label
    day = context.clock.et_date(session.start_utc).isoformat()
    stem = f"{', '.join(session.customers)} - {label} {day}"
    path = _ask_save_path(
        parent,
        "Save the cancellation" if cancelled else "Save the invite",
        safe_file_name(f"{stem} cancellation" if cancelled else stem),
    )
    if path is None:
        return None
    try:
        write_file(path, data)
    except AmplanError as exc:
        messages.show_error(parent, "Invite not saved", str(exc))
        return None

    when = when_et(context.clock, session.start_utc, session.end_utc, session.all_day)
    who = f"{_plural(len(contacts), 'contact')} ({_names(list(contacts.values()))})"
    send = f"Saved as {path.name}. Attach it to an e-mail, or open it in Outlook, to send it."
    if cancelled:
        text = (
            f"Cancellation for {who}: {label}, {when}.\n\nThe session is cancelled, so this "
            f"file takes it out of their calendars.\n\n{send}"
        )
        show_saved(parent, "Cancellation saved", text, path)
    else:
        text = f"Invite for {who}: {label}, {when}.\n\n{send}"
        show_saved(parent, "Invite saved", text, path)
    return path


# --- 2. a calendar of many sessions -----------------------------------------------------------
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
        today = today or _today(context)
        settings = QSettings()

        title = QLabel("Export calendar")
        title.setObjectName("dialogTitle")
        intro = QLabel(
            "Your sessions as a calendar file, to open in Outlook, Google Calendar or Apple "
            "Calendar. Cancelled sessions are left out, and no one is invited."
        )
        intro.setObjectName("cardSubtitle")
        intro.setWordWrap(True)

        # --- scope
        customers = context.customers.list()
        if customer is not None and all(c.id != customer.id for c in customers):
            customers.append(customer)  # an archived customer's own sessions
        self.customer_radio = QRadioButton("One customer")
        self.book_radio = QRadioButton(f"The whole book ({_plural(len(customers), 'customer')})")
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

        # --- dates
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

        # --- reminder
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

        self.summary = FieldMessage()

        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(10)
        grid.setColumnStretch(1, 1)
        rows: tuple[tuple[str, QWidget | QHBoxLayout], ...] = (
            ("Sessions of", customer_row),
            ("", self.book_radio),
            ("Dates", dates_row),
            ("Reminder", reminder_row),
        )
        for row, (caption_text, content) in enumerate(rows):
            if caption_text:
                caption = QLabel(caption_text)
                caption.setObjectName("fieldLabel")
                grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignRight)
            if isinstance(content, QWidget):
                grid.addWidget(content, row, 1)
            else:
                grid.addLayout(content, row, 1)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.export_button: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.export_button.setText("Export…")
        self.export_button.setObjectName("primary")
        for button in self.buttons.buttons():
            button.setIcon(QIcon())
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        footer = QHBoxLayout()
        footer.addWidget(self.summary, 1)
        footer.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(4)
        layout.addLayout(grid)
        layout.addSpacing(4)
        layout.addLayout(footer)

        # Counting reads the book: once the user pauses, not on every click of a spin box.
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
        # WORKAROUND: see CustomerDialog.__init__ (a minimum size set before the first show).
        self.ensurePolished()
        self.setMinimumSize(self.minimumSizeHint())
        self.resize(max(self.sizeHint().width(), 620), self.sizeHint().height())

    def _date_edit(self, day: date) -> QDateEdit:
        edit = QDateEdit(_qdate(day))
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
            first=_pydate(self.from_edit.date()) if dated else None,
            last=_pydate(self.to_edit.date()) if dated else None,
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
            self.summary.set_hint(f"{_plural(self.sessions, 'session')} will be exported.")
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


def export_calendar(
    parent: QWidget | None, context: AppContext, customer: CustomerRecord | None = None
) -> Path | None:
    """Choose the sessions, then a file, and write them as a calendar (PUBLISH) to open in
    any calendar program; None when the user stopped or it could not be done."""
    if _busy_elsewhere(parent):
        return None
    try:
        dialog = ExportCalendarDialog(context, customer, parent)
    except AmplanError as exc:
        messages.show_error(parent, "Calendar not exported", str(exc))
        return None
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        choice = dialog.choice()
    finally:
        dialog.deleteLater()
    path = _ask_save_path(parent, "Export calendar", safe_file_name(export_file_stem(choice)))
    if path is None:
        return None

    calendars = context.calendars

    def work(_report: Callable[[int, int], bool]) -> int:
        data = calendars.feed(choice.customer, choice.first, choice.last, choice.reminder)
        write_file(path, data)
        return data.count(b"BEGIN:VEVENT")

    progress = WorkProgress(parent, "Export calendar", f"Writing {path.name}…", cancellable=False)
    job = _run(progress, work)
    if isinstance(job.error, AmplanError):
        messages.show_error(parent, "Calendar not exported", str(job.error))
        return None
    if job.error is not None:
        raise job.error  # a bug: to the crash handler, on the GUI thread
    events = int(job.result)
    scope = choice.customer.name if choice.customer else "the whole book"
    span = ""
    if choice.first and choice.last:
        span = f" from {choice.first:%a} {choice.first.day} {choice.first:%b %Y}"
        span += f" to {choice.last:%a} {choice.last.day} {choice.last:%b %Y}"
    reminder = f", each with a reminder {choice.reminder} minutes before" if choice.reminder else ""
    text = (
        f"{_plural(events, 'session')} of {scope}{span}{reminder}.\n\n"
        f"Saved as {path.name}. Open it in Outlook, Google Calendar or Apple Calendar "
        "to add the sessions to your calendar."
    )
    show_saved(parent, "Calendar exported", text, path)
    return path


# --- 3. the manager's own calendar as busy time ------------------------------------------
def import_my_calendar(
    parent: QWidget | None,
    context: AppContext,
    today: date | None = None,
    path: Path | None = None,
) -> tuple[int, int] | None:
    """Import an .ics export of the user's own calendar as busy time, which bookings then
    avoid. Returns (imported, skipped), or None when nothing changed.

    Without `path` the user picks the file; with one (a file opened from the desktop) the
    user confirms that it is their calendar first."""
    if _busy_elsewhere(parent):
        return None
    if path is None:
        name, _ = QFileDialog.getOpenFileName(
            parent, "Import my calendar", str(_folder(IMPORT_FOLDER_KEY)), OPEN_FILTER
        )
        if not name:
            return None
        path = Path(name)
        _remember(IMPORT_FOLDER_KEY, path.parent)
    elif not messages.ask(
        parent,
        "Import my calendar",
        f"Import the events of {path.name} as your busy time? Bookings will then avoid them.",
        "Import",
    ):
        return None
    day = today or _today(context)
    calendars = context.calendars

    def work(report: Callable[[int, int], bool]) -> tuple[int, int]:
        return calendars.import_busy(path, day, report)

    progress = WorkProgress(parent, "Import my calendar", f"Reading {path.name}…")
    job = _run(progress, work)
    stopped_late = progress.stopping and job.error is None
    if isinstance(job.error, ImportCancelled):
        messages.show_info(
            parent,
            "Import stopped",
            f"The import of {path.name} was stopped. Nothing was imported: "
            "your busy time is as it was.",
        )
        return None
    if isinstance(job.error, AmplanError):
        messages.show_error(
            parent,
            "Calendar not imported",
            f"{job.error}\n\nNothing was imported: your busy time is as it was.",
        )
        return None
    if job.error is not None:
        raise job.error  # a bug: to the crash handler, on the GUI thread
    imported, skipped = job.result
    text = f"Imported {_plural(imported, 'busy block')} from {path.name}"
    if skipped:
        text += f" ({_plural(skipped, 'free or cancelled event')} skipped)"
    text += "."
    if imported:
        text += " They now block bookings."
    else:
        first, end = import_horizon(day)
        text += (
            f" It has no busy time from {format_day(first)} to "
            f"{format_day(end - timedelta(days=1))} (the days it reads), so nothing blocks "
            "bookings."
        )
    clashing = len(conflicting_sessions(find_conflicts(context.scheduler)))
    if clashing:
        text += (
            f"\n\n{_plural(clashing, 'booked session')} now clash with your busy time or "
            "each other: the dashboard lists them under Clashes, with Move… on each."
        )
    if stopped_late:
        text = f"The import had already finished when you pressed Cancel.\n\n{text}"
    messages.show_info(parent, "Calendar imported", text)
    return imported, skipped


def clear_busy_time(parent: QWidget | None, context: AppContext) -> int | None:
    """Forget all imported busy time, after asking; the number of blocks removed, or None."""
    try:
        count = len(context.scheduler.busy_blocks())
    except AmplanError as exc:
        messages.show_error(parent, "Busy time not cleared", str(exc))
        return None
    if not count:
        messages.show_info(parent, "Clear busy time", "There is no imported busy time to clear.")
        return None
    question = (
        f"Remove all {_plural(count, 'busy block')} imported from your calendar? "
        "Sessions can then be booked at those times again. Your calendar itself is not "
        "changed: import it again at any time."
    )
    if not messages.ask(parent, "Clear busy time", question, "Clear busy time"):
        return None
    try:
        return context.scheduler.clear_busy()
    except AmplanError as exc:
        messages.show_error(parent, "Busy time not cleared", str(exc))
        return None
