"""File > Copy book to a team server: the whole open book into an empty team book (or file).

The password is only put into the address for the copy; it is never saved.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import make_url

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.models.database import Database
from desktop.models.server import is_server_url, safe_label
from desktop.services.book_copy import CopyCounts, copy_book
from desktop.services.changes import EVERYTHING, change_mark
from desktop.views.widgets import messages

# How often a window looks for other managers' changes: a team's server, or a file that the
# command line (or a script) may change under the window.
POLL_MS_SERVER = 3000
POLL_MS_FILE = 10000


def copy_target(address: str, password: str) -> Path | str:
    """The copy's target: a server URL (with the password, if typed), or a file path."""
    address = address.strip()
    if not is_server_url(address):
        return Path(address).expanduser()
    if password:
        try:
            return make_url(address).set(password=password).render_as_string(False)
        except Exception:  # a malformed URL: let the copy say so in its own words
            return address
    return address


class BookWatch(QObject):
    """Polls the book's change mark; `changed` when someone else wrote to it. A server that
    cannot be reached is reported through `trouble` and tried again at the next tick."""

    changed = Signal(object)  # BookChange: the mark says only that something changed
    trouble = Signal(str)

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._mark: tuple[object, ...] | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS_SERVER if db.is_server else POLL_MS_FILE)
        self.timer.timeout.connect(self.poll)
        self.note_own_change()
        self.timer.start()

    def note_own_change(self) -> None:
        """This window wrote (and refreshed itself): take the new mark without a signal."""
        try:
            self._mark = change_mark(self._db)
        except AmplanError:
            self._mark = None

    def poll(self) -> None:
        try:
            mark = change_mark(self._db)
        except AmplanError as exc:
            self.trouble.emit(f"{exc} Trying again shortly.")
            return
        if self._mark is not None and mark != self._mark:
            self._mark = mark
            self.changed.emit(EVERYTHING)
        self._mark = mark


def _wrapped_label(text: str, name: str = "") -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    label.setWordWrap(True)
    return label


def _line_edit(name: str, placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    return edit


class CopyBookDialog(QDialog):
    """Asks where to copy the book; copies; keeps itself open with the reason if refused."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("copyBookDialog")
        self.setWindowTitle("Copy book to a team server")
        self._context = context
        self.counts: CopyCounts | None = None
        intro = _wrapped_label(
            "Copies every customer, contact, session (with the UIDs and sequences of the invites "
            "already sent), busy time and the history into an <b>empty</b> team book. Your own "
            "book is not changed."
        )
        self.address = _line_edit("copyAddress", "postgresql://you@server/team   or a file path")
        self.password = _line_edit("copyPassword", "only if the address has none; not saved")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = _wrapped_label("", "inlineError")
        self.error.hide()
        form = QFormLayout()
        form.addRow("Team book", self.address)
        form.addRow("Password", self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.copy_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.copy_button.setText("Copy")
        self.copy_button.setEnabled(False)
        self.address.textChanged.connect(
            lambda text: self.copy_button.setEnabled(bool(text.strip()))
        )
        buttons.accepted.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        # WORKAROUND (as in CustomerDialog): a minimum size set before the first show, and a
        # layout that never sets one on the live window (the inline error grows it), which
        # the offscreen platform (CI) reports as a Qt warning.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.ensurePolished()
        self.setMinimumSize(max(520, self.minimumSizeHint().width()), self.sizeHint().height())
        self.resize(self.minimumSize().width(), self.sizeHint().height() + 60)

    def copy(self) -> None:
        target = copy_target(self.address.text(), self.password.text())
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            owner = self._context.customers.manager_email()
            self.counts = copy_book(self._context.db, target, owner)
        except AmplanError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        where = safe_label(target) if isinstance(target, str) else str(target)
        messages.show_info(
            self,
            "Book copied",
            f"Copied {self.counts.customers} customers and {self.counts.sessions} sessions to "
            f"{where}. Open it with `amplan --db ADDRESS` or the AMPLAN_DB setting.",
        )
        self.accept()
