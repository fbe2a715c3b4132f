"""E-mail from the GUI (issue 11): invites sent through the outbox off the GUI thread, the
status-bar indicator, the Outbox view (retry, discard, mark sent), the mail settings dialog,
and replies imported from a file or dropped on the window."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.services.changes import EVERYTHING
from desktop.services.mail.invitation_mail import Invitation
from desktop.services.mail.mail_account import load_settings
from desktop.services.mail.outbox import DeliveryReport, Outbox, OutboxEntry
from desktop.services.mail.replies import ReplyOutcome
from desktop.views.calendar_files.calendar_files_ui import (
    ensure_profile,
    safe_file_name,
    send_invite,
    show_saved,
)
from desktop.views.mail.mail_settings import MailSettingsDialog
from desktop.views.widgets import messages
from desktop.views.widgets.background import BackgroundWork, Job, work_for

# Queued messages whose back-off ran out are tried this often while the window is open.
RETRY_INTERVAL_MS = 30_000
STATUS_TEXT = {"queued": "Waiting", "sending": "Sending", "sent": "Sent", "failed": "Failed"}


# --- sending off the GUI thread ----------------------------------------------------------------


class MailCourier(QObject):
    """Hands queued messages to the SMTP server on a worker thread, one run at a time.

    Messages are written to the book (queued) on the GUI thread before any sending starts,
    so closing the window or losing the network never loses one.
    """

    outbox_changed = Signal()
    delivered = Signal(object)  # DeliveryReport

    def __init__(
        self,
        context: AppContext,
        parent: QObject | None = None,
        interval_ms: int = RETRY_INTERVAL_MS,
        background: BackgroundWork | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        # The window's jobs (`work_for(window)`), so that closing it waits for a sending.
        self._background = background or BackgroundWork(self)
        self._running: Job | None = None
        self._again = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(lambda: self.deliver(due_only=True))
        self.timer.start()

    def queue(self, invitations: Sequence[Invitation]) -> tuple[int, int]:
        """(newly queued, already in the outbox); then delivery starts in the background."""
        new_ids, known = self._context.mail.outbox.enqueue(invitations)
        self.outbox_changed.emit()
        if new_ids:
            self.deliver()
        return len(new_ids), len(known)

    def is_busy(self) -> bool:
        return self._running is not None

    def deliver(self, due_only: bool = False) -> None:
        if load_settings() is None:
            return
        if self._running is not None:
            self._again = self._again or not due_only
            return
        mail = self._context.mail
        self._running = self._background.start(
            lambda _report: mail.send_queued(due_only=due_only),
            on_success=self._finished,
            on_failure=self._failed,
        )

    def _done(self) -> None:
        self._running = None
        self.outbox_changed.emit()
        if self._again:
            self._again = False
            self.deliver()

    def _finished(self, report: DeliveryReport) -> None:
        self._done()
        self.delivered.emit(report)

    def _failed(self, error: BaseException) -> None:
        self._done()
        if not isinstance(error, AmplanError):
            raise error  # a bug: re-raised on the GUI thread for the crash handler
        self.delivered.emit(DeliveryReport(problem=str(error)))


# --- the status-bar indicator ------------------------------------------------------------------


class OutboxIndicator(QToolButton):
    """'2 waiting · 1 failed' in the status bar; a click opens the Outbox."""

    def __init__(self, outbox: Outbox, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outboxIndicator")
        self.setAutoRaise(True)
        self._outbox = outbox
        self.refresh()

    def refresh(self) -> None:
        try:
            waiting, failed = self._outbox.counts()
        except AmplanError:
            return
        parts = []
        if waiting:
            parts.append(f"{waiting} waiting")
        if failed:
            parts.append(f"{failed} failed")
        self.setText("Outbox: " + " · ".join(parts) if parts else "Outbox")
        self.setToolTip(
            "Invitations waiting to be sent or that failed; click to see them."
            if parts
            else "Every invitation was sent. Click to see the outbox."
        )
        self.setProperty("alert", bool(failed))


# --- the Outbox view ------------------------------------------------------------------------------


class OutboxDialog(QDialog):
    """Every message with its status and reason; retry, discard, or mark an uncertain one sent."""

    COLUMNS = ("Status", "Session", "To", "Subject", "Attempts", "Reason")

    def __init__(self, outbox: Outbox, courier: MailCourier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outboxDialog")
        self.setWindowTitle("Outbox")
        self.resize(900, 380)
        self._outbox = outbox
        self._courier = courier
        self.entries: list[OutboxEntry] = []
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in (0, 1, 2, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(3, 280)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.summary = QLabel()
        self.summary.setObjectName("cardSubtitle")
        self.summary.setWordWrap(True)
        # The selected message's whole reason: the table's cells are one line each.
        self.detail = QLabel()
        self.detail.setObjectName("outboxDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.send_button = QPushButton("Send now")
        self.send_button.setToolTip("Try every waiting message now.")
        self.retry_button = QPushButton("Retry")
        self.retry_button.setToolTip("Send the failed message again.")
        self.confirm_button = QPushButton("Mark as sent")
        self.confirm_button.setToolTip("You checked that this message did arrive.")
        self.discard_button = QPushButton("Discard")
        self.discard_button.setToolTip("Drop the message without sending it.")
        self.send_button.clicked.connect(self.send_now)
        self.retry_button.clicked.connect(self.retry_selected)
        self.confirm_button.clicked.connect(self.confirm_selected)
        self.discard_button.clicked.connect(self.discard_selected)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        row = QHBoxLayout()
        for button in (
            self.send_button,
            self.retry_button,
            self.confirm_button,
            self.discard_button,
        ):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addLayout(row)
        courier.outbox_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        selected = self.selected()
        try:
            self._outbox.recover()
            self.entries = self._outbox.messages()
        except AmplanError as exc:
            self.summary.setText(str(exc))
            return
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            status = STATUS_TEXT.get(entry.status, entry.status)
            if entry.uncertain:
                status = "Unconfirmed"
            values = (
                status,
                str(entry.session_id or ""),
                ", ".join(entry.recipients),
                entry.subject,
                str(entry.attempts),
                entry.error,
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(row, column, item)
            if selected is not None and entry.id == selected.id:
                self.table.selectRow(row)
        waiting = sum(1 for e in self.entries if e.status in ("queued", "sending"))
        failed = sum(1 for e in self.entries if e.status == "failed")
        if not self.entries:
            self.summary.setText("The outbox is empty: invitations you send appear here.")
        elif load_settings() is None:
            self.summary.setText("Mail is not set up (Mail > Mail settings…): nothing is sent.")
        else:
            self.summary.setText(
                f"{len(self.entries)} message(s): {waiting} waiting, {failed} failed. "
                "Waiting ones are tried again on their own while amplan is open."
            )
        self._update_buttons()

    def selected(self) -> OutboxEntry | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.entries):
            return None
        return self.entries[rows[0].row()]

    def _update_buttons(self) -> None:
        entry = self.selected()
        if entry is None:
            self.detail.setText("Select a message to see why it is waiting or failed.")
        else:
            to = ", ".join(entry.recipients)
            self.detail.setText(f"To {to}: {entry.subject}\n{entry.error or 'No problem.'}")
        status = entry.status if entry else None
        self.retry_button.setEnabled(status == "failed")
        self.confirm_button.setEnabled(bool(entry and entry.uncertain and status == "failed"))
        self.discard_button.setEnabled(status in ("queued", "failed"))
        self.send_button.setEnabled(any(e.status == "queued" for e in self.entries))

    def _act(self, change: Callable[[int], Any]) -> None:
        entry = self.selected()
        if entry is None:
            return
        try:
            change(entry.id)
        except AmplanError as exc:
            messages.show_error(self, "Outbox", str(exc))
        self.refresh()
        self._courier.outbox_changed.emit()

    def send_now(self) -> None:
        self._courier.deliver()
        self.refresh()

    def retry_selected(self) -> None:
        self._act(self._outbox.retry)
        self._courier.deliver()

    def confirm_selected(self) -> None:
        self._act(self._outbox.confirm_sent)

    def discard_selected(self) -> None:
        self._act(self._outbox.discard)


# --- sending one invite ---------------------------------------------------------------------


def send_invite_by_mail(
    parent: QWidget | None, context: AppContext, courier: MailCourier | None, session_id: int
) -> str:
    """E-mail the invite through the outbox when mail is set up; otherwise offer the e-mail
    draft or the .ics file as before. Returns what happened: queued, already, draft, ics, ''."""
    try:
        settings = load_settings()
    except AmplanError as exc:
        messages.show_error(parent, "Mail settings", str(exc))
        return ""
    if settings is None or courier is None:
        choice = messages.choose(
            parent,
            "Send the invite",
            "Mail is not set up in amplan. Save the invitation as an e-mail draft to open in "
            "your mail app (Outlook, Apple Mail, Thunderbird), or as a calendar file to attach.",
            ["Save e-mail draft…", "Save .ics file…", "Set up mail…"],
        )
        if choice == "Save e-mail draft…":
            return "draft" if save_draft(parent, context, session_id) else ""
        if choice == "Save .ics file…":
            return "ics" if send_invite(parent, context, session_id) else ""
        if choice == "Set up mail…":
            MailSettingsDialog(parent).exec()
        return ""
    if not ensure_profile(parent, context):
        return ""
    try:
        invitation = context.mail.invitation(session_id)
        queued, known = courier.queue([invitation])
    except AmplanError as exc:
        messages.show_error(parent, "Invite not sent", str(exc))
        return ""
    if known and not queued:
        messages.show_info(
            parent,
            "Already sent",
            "This version of the invite already went to these people (see the Outbox). "
            "Change the session and it goes out again as an update.",
        )
        return "already"
    return "queued"


def save_draft(parent: QWidget | None, context: AppContext, session_id: int) -> Path | None:
    if not ensure_profile(parent, context):
        return None
    try:
        data = context.mail.draft(session_id)
        session = context.scheduler.get(session_id)
    except AmplanError as exc:
        messages.show_error(parent, "Draft not saved", str(exc))
        return None
    label = context.policy.kind(session.kind).label
    name = safe_file_name(f"{', '.join(session.customers)} - {label}", ".eml")
    chosen, _ = QFileDialog.getSaveFileName(parent, "Save the e-mail draft", name, "E-mail (*.eml)")
    if not chosen:
        return None
    path = Path(chosen)
    from desktop.services.calendar_files.calendar_files import write_file

    try:
        write_file(path, data)
    except AmplanError as exc:
        messages.show_error(parent, "Draft not saved", str(exc))
        return None
    show_saved(
        parent,
        "Draft saved",
        f"Saved as {path.name}. Open it in your mail app: it is ready to send.",
        path,
    )
    return path


# --- replies --------------------------------------------------------------------------------

REPLY_SUFFIXES = (".ics", ".eml")


def describe_replies(outcome: ReplyOutcome) -> str:
    parts = [f"{email} {partstat}" for _sid, email, partstat in outcome.updated]
    text = "Replies: " + ", ".join(parts) if parts else "No new replies"
    if outcome.ignored:
        text += f" ({outcome.ignored} ignored: old, unknown or not a reply)"
    return text + "."


class MailFront(QObject):
    """What the main window gets for mail: menu actions, status-bar indicator, the courier,
    and reply files dropped on the window."""

    replies_imported = Signal(object)  # ReplyOutcome

    def __init__(self, window: QMainWindow, context: AppContext, sessions_changed: Any) -> None:
        super().__init__(window)
        self._window = window
        self._context = context
        self._sessions_changed = sessions_changed
        self.courier = MailCourier(context, self, background=work_for(window))
        self.indicator = OutboxIndicator(context.mail.outbox, window)
        self.indicator.clicked.connect(self.show_outbox)
        window.statusBar().addPermanentWidget(self.indicator)
        self.courier.outbox_changed.connect(self.indicator.refresh)
        self.courier.delivered.connect(self._delivered)
        self.outbox_action = QAction("&Outbox…", window)
        self.outbox_action.triggered.connect(self.show_outbox)
        self.settings_action = QAction("&Mail settings…", window)
        self.settings_action.triggered.connect(self.edit_settings)
        self.replies_action = QAction("Import &replies…", window)
        self.replies_action.setToolTip("Read accept/decline answers from a .ics or .eml file.")
        self.replies_action.triggered.connect(self.import_replies)
        # Before Help, which stays last as on every desktop.
        bar = window.menuBar()
        menu = QMenu("&Mail", bar)
        actions = bar.actions()
        if actions:
            bar.insertMenu(actions[-1], menu)
        else:
            bar.addMenu(menu)
        for action in (self.outbox_action, self.replies_action, self.settings_action):
            menu.addAction(action)
        window.setAcceptDrops(True)
        self.outbox_dialog: OutboxDialog | None = None
        self.courier.deliver(due_only=True)

    def show_outbox(self) -> OutboxDialog:
        if self.outbox_dialog is None:
            self.outbox_dialog = OutboxDialog(self._context.mail.outbox, self.courier, self._window)
        self.outbox_dialog.refresh()
        if not self.outbox_dialog.isVisible():
            self.outbox_dialog.open()
        return self.outbox_dialog

    def edit_settings(self) -> None:
        if MailSettingsDialog(self._window).exec():
            self.courier.deliver()

    def _delivered(self, report: DeliveryReport) -> None:
        self.indicator.refresh()
        if report.sent:
            self._window.statusBar().showMessage(f"Sent {report.sent} invitation(s).", 6000)
        elif report.problem and (report.queued or report.failed):
            self._window.statusBar().showMessage(report.problem, 10000)

    def import_replies(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self._window, "Import replies", "", "Replies (*.ics *.eml)"
        )
        if name:
            self.import_files([Path(name)])

    def import_files(self, paths: Sequence[Path]) -> ReplyOutcome:
        total = ReplyOutcome()
        for path in paths:
            try:
                outcome = self._context.replies.import_file(path)
            except AmplanError as exc:
                messages.show_error(self._window, "Reply not read", str(exc))
                continue
            total.updated += outcome.updated
            total.ignored += outcome.ignored
        self._window.statusBar().showMessage(describe_replies(total), 10000)
        if total.updated:
            self._sessions_changed.emit(EVERYTHING)
        self.replies_imported.emit(total)
        return total

    @staticmethod
    def _reply_files(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        data = event.mimeData()
        if not data.hasUrls():
            return []
        return [
            Path(url.toLocalFile())
            for url in data.urls()
            if url.isLocalFile() and url.toLocalFile().lower().endswith(REPLY_SUFFIXES)
        ]

    def drag_entered(self, event: QDragEnterEvent) -> bool:
        """The window's dragEnterEvent: reply files are welcome."""
        if self._reply_files(event):
            event.acceptProposedAction()
            return True
        return False

    def dropped(self, event: QDropEvent) -> bool:
        """The window's dropEvent: reply files are imported."""
        files = self._reply_files(event)
        if not files:
            return False
        event.acceptProposedAction()
        self.import_files(files)
        return True


def mail_is_set_up() -> bool:
    try:
        return load_settings() is not None
    except AmplanError:
        return True  # the send path shows what is wrong with the settings


def courier_of(widget: QWidget) -> MailCourier | None:
    """The window's courier, for panels deep inside it."""
    front = widget.window().findChild(MailFront)
    return front.courier if isinstance(front, MailFront) else None


__all__ = [
    "MailCourier",
    "MailFront",
    "MailSettingsDialog",
    "OutboxDialog",
    "Qt",
    "send_invite_by_mail",
]
