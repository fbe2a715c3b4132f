"""Ctrl+F: one box that finds customers, sessions and busy time anywhere in the book.

Results come as you type (debounced), grouped by what they are; Enter or a double-click
goes to the thing: a customer opens on the Customers page, a session or busy block on the
calendar at its day, selected.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AmplanError
from desktop.services.book_search import BookSearch, BusyHit, FoundInBook
from desktop.services.business_time import BusinessClock, format_span
from desktop.services.customers import CustomerRecord
from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.scheduling.status import SessionStatus
from desktop.views.widgets.icons import search_box

TYPING_DELAY_MS = 200


@dataclass(frozen=True)
class FoundItem:
    """What the user chose: `what` is "customer", "session" or "busy"."""

    what: str
    id: int
    day: object  # the ET date of a session or busy block; None for a customer


class FindDialog(QDialog):
    chosen = Signal(object)  # FoundItem

    def __init__(
        self,
        search: BookSearch,
        clock: BusinessClock,
        kind_labels: dict[str, str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("findDialog")
        self.setWindowTitle("Find in the book")
        self._search = search
        self._clock = clock
        self._labels = kind_labels
        self.box = search_box("Customer, contact, session title or notes, kind, busy time", 360)
        self.results = QTreeWidget()
        self.results.setObjectName("findResults")
        self.results.setHeaderLabels(["Found", "When"])
        self.results.setRootIsDecorated(False)
        self.results.setUniformRowHeights(True)
        self.results.setColumnWidth(0, 330)
        self.results.itemActivated.connect(self._activated)
        self.status = QLabel("Type to search the whole book.")
        self.status.setObjectName("cardSubtitle")
        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status)
        self.setMinimumSize(480, 320)
        self.resize(620, 460)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_DELAY_MS)
        self._timer.timeout.connect(self.run)
        self.box.textChanged.connect(lambda _text: self._timer.start())
        self.box.installEventFilter(self)

    def run(self) -> None:
        """Search now for what the box holds (the timer calls this as the user types)."""
        self._timer.stop()
        try:
            found = self._search.find(self.box.text())
        except AmplanError as exc:
            self.status.setText(str(exc))
            return
        self._show(found)

    def _show(self, found: FoundInBook) -> None:
        self.results.clear()
        groups = [
            ("Customers", [self._customer_row(c) for c in found.customers]),
            ("Sessions", [self._session_row(s) for s in found.sessions]),
            ("Busy time", [self._busy_row(b) for b in found.busy]),
        ]
        for title, rows in groups:
            if not rows:
                continue
            group = QTreeWidgetItem([f"{title} ({len(rows)})", ""])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            self.results.addTopLevelItem(group)
            for row in rows:
                self.results.addTopLevelItem(row)
        total = len(found.customers) + len(found.sessions) + len(found.busy)
        if not self.box.text().strip():
            self.status.setText("Type to search the whole book.")
        elif total == 0:
            self.status.setText(f"Nothing in the book matches “{self.box.text().strip()}”.")
        else:
            more = " Showing the first of each kind: add a word to narrow." if found.more else ""
            self.status.setText(f"{total} found. Enter or double-click goes there.{more}")
        first = next(iter(self._choices()), None)
        if first is not None:
            self.results.setCurrentItem(first)

    def _row(self, text: str, when: str, item: FoundItem, tip: str = "") -> QTreeWidgetItem:
        row = QTreeWidgetItem(["    " + text, when])
        row.setData(0, Qt.ItemDataRole.UserRole, item)
        row.setToolTip(0, tip or text)
        return row

    def _customer_row(self, customer: CustomerRecord) -> QTreeWidgetItem:
        archived = " (archived)" if customer.archived else ""
        text = f"{customer.name}{archived} · {customer.product}, {customer.users} users"
        return self._row(text, "", FoundItem("customer", customer.id, None))

    def _session_row(self, session: SessionRecord) -> QTreeWidgetItem:
        kind = self._labels.get(session.kind, session.kind)
        text = f"{', '.join(session.customers)} · {kind}"
        if session.title:
            text += f" · {session.title}"
        if session.status != SessionStatus.PLANNED:
            text += f" ({session.status})"
        when = format_span(session.start_utc, session.end_utc, self._clock)
        day = self._clock.et_date(session.start_utc)
        return self._row(text, when, FoundItem("session", session.id, day))

    def _busy_row(self, hit: BusyHit) -> QTreeWidgetItem:
        busy = hit.busy
        when = format_span(busy.start_utc, busy.end_utc, self._clock)
        day = self._clock.et_date(busy.start_utc)
        return self._row(f"Busy: {busy.summary or 'busy'}", when, FoundItem("busy", hit.id, day))

    def _activated(self, row: QTreeWidgetItem, _column: int = 0) -> None:
        item = row.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(item, FoundItem):
            self.chosen.emit(item)
            self.accept()

    def eventFilter(self, watched: object, event: object) -> bool:
        """Up/Down in the box walk the results; Enter takes the current one."""
        if (
            watched is self.box
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
        ):
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self._step(1 if key == Qt.Key.Key_Down else -1)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._timer.isActive():
                    self.run()
                current = self.results.currentItem()
                if current is not None:
                    self._activated(current)
                return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]

    def _choices(self) -> list[QTreeWidgetItem]:
        """The result rows, without the group headings."""
        rows = (self.results.topLevelItem(i) for i in range(self.results.topLevelItemCount()))
        return [row for row in rows if row is not None and row.data(0, Qt.ItemDataRole.UserRole)]

    def _step(self, step: int) -> None:
        choices = self._choices()
        if not choices:
            return
        current = self.results.currentItem()
        index = choices.index(current) if current in choices else -step
        self.results.setCurrentItem(choices[max(0, min(len(choices) - 1, index + step))])
