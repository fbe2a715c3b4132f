"""The File menu's "Back up now" and "Restore from backup…", and the History dialog of a
session or a customer. The work is done by `desktop/models/backups.py` and
`desktop/services/history.py`; this module only shows it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.models import backups
from desktop.services import book_safety
from desktop.services.history import History, HistoryEntry
from desktop.views.widgets import messages

KIND_LABELS = {
    "daily": "Daily (automatic)",
    "manual": "Made by you",
    "before-restore": "Before a restore",
    "before-upgrade": "Before an upgrade",
}


RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _table(headers: Sequence[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setWordWrap(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def _cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    return item


def back_up_now(parent: QWidget | None, context: AppContext) -> Path | None:
    try:
        made = book_safety.make_backup(context.db)
    except AmplanError as exc:
        messages.show_error(parent, "Back up now", str(exc))
        return None
    messages.show_info(parent, "Back up now", f"The book was copied to\n{made}")
    return made


class RestoreDialog(QDialog):
    """The book's backups with their dates and counts; the chosen one is `chosen`."""

    def __init__(self, infos: Sequence[backups.BackupInfo], zone: tzinfo, parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle("Restore from backup")
        self.setObjectName("restoreDialog")
        self.resize(720, 380)
        self.chosen: Path | None = None
        self._infos = list(infos)
        intro = QLabel(
            "Choose the copy to bring back. The book as it is now is kept as a copy first, "
            "so a restore can itself be undone by restoring that copy."
        )
        intro.setWordWrap(True)
        self.table = _table(["Made", "Kind", "Customers", "Sessions", "File"], "backupTable")
        self.table.setRowCount(len(self._infos))
        for row, info in enumerate(self._infos):
            values = [
                f"{info.created.astimezone(zone):%a %d %b %Y %H:%M}",
                KIND_LABELS.get(info.kind, info.kind),
                "?" if info.customers is None else f"{info.customers:,}",
                "?" if info.sessions is None else f"{info.sessions:,}",
                info.file.name,
            ]
            for column, value in enumerate(values):
                item = _cell(value)
                if column in (2, 3):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
        self.empty = QLabel("No backups yet. amplan makes one a day when it starts.")
        self.empty.setVisible(not self._infos)
        self.table.setVisible(bool(self._infos))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = QPushButton("Restore")
        self.restore_button.setEnabled(False)
        self.other_button = QPushButton("Other file…")
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.other_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.restore_button.clicked.connect(self._restore_selected)
        self.other_button.clicked.connect(self._other_file)
        self.table.itemSelectionChanged.connect(
            lambda: self.restore_button.setEnabled(bool(self.table.selectedItems()))
        )
        self.table.doubleClicked.connect(lambda _index: self._restore_selected())
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(buttons)

    def _restore_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.chosen = self._infos[rows[0].row()].file
            self.accept()

    def _other_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Restore from a copy of the book", "", "amplan books (*.sqlite);;All files (*)"
        )
        if name:
            self.chosen = Path(name)
            self.accept()


def restore_from_backup(parent: QWidget | None, context: AppContext) -> bool:
    """Ask which copy, then restore it in place; True when the book changed."""
    dialog = RestoreDialog(book_safety.list_backups(context.db), context.clock.tz, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.chosen is None:
        return False
    chosen = dialog.chosen
    if not messages.ask(
        parent,
        "Restore from backup",
        f"Replace the book's content with {chosen.name}"
        f"{' for every manager of the team' if context.db.is_server else ''}?\n\n"
        "The book as it is now is kept as a copy first.",
        "Restore",
    ):
        return False
    try:
        if context.db.path is None:  # the team's book, for every manager
            aside: Path | None = book_safety.restore_team_book(context.db, chosen)
        else:
            aside = backups.restore(context.db.path, chosen)
    except AmplanError as exc:
        messages.show_error(parent, "Restore from backup", str(exc))
        return False
    kept = f"\n\nThe book as it was is kept in {aside}." if aside else ""
    messages.show_info(parent, "Restore from backup", f"Restored from {chosen.name}.{kept}")
    return True


class HistoryDialog(QDialog):
    """Who changed what and when, with the reason of every override, oldest first."""

    def __init__(
        self, title: str, entries: Sequence[HistoryEntry], zone: tzinfo, parent: QWidget | None
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("historyDialog")
        self.resize(860, 420)
        self.table = _table(
            ["When", "Who", "What", "Session", "What changed", "Override reason"], "historyTable"
        )
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            values = [
                f"{entry.at_utc.astimezone(zone):%a %d %b %Y %H:%M}",
                entry.who,
                entry.action,
                f"#{entry.session_id}" if entry.session_id else "",
                entry.what_changed(),
                entry.override_reason or "",
            ]
            for column, value in enumerate(values):
                self.table.setItem(row, column, _cell(value))
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        for column, width in ((1, 170), (5, 170)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)  # one line each; the tooltip holds the whole text
        self.empty = QLabel("Nothing recorded yet.")
        self.empty.setVisible(not entries)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)


def history_dialog(
    parent: QWidget | None,
    context: AppContext,
    session_id: int | None = None,
    customer_id: int | None = None,
    title: str = "History",
) -> HistoryDialog:
    history = History(context.db)
    if session_id is not None:
        entries = history.for_session(session_id)
    elif customer_id is not None:
        entries = history.for_customer(customer_id)
    else:
        entries = history.latest()
    return HistoryDialog(title, entries, context.clock.tz, parent)
