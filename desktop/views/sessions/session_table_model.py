"""The sessions table: plain `SessionRecord`s in, cells out; it never reads the store itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication, QPalette

from desktop.services.business_time import BusinessClock
from desktop.services.display.session_format import length_text, start_et, when_et
from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.scheduling.status import SessionStatus
from desktop.views.theme import BILLABLE, OVER
from desktop.views.widgets.table_model import AnyIndex, RowsTableModel

WHEN, KIND, LENGTH, STATUS, FLAGS = range(5)
HEADERS = {
    WHEN: "When (ET)",
    KIND: "Kind",
    LENGTH: "Length",
    STATUS: "Status",
    FLAGS: "Flags",
}
SESSION_ROLE = Qt.ItemDataRole.UserRole + 1
BILLABLE_COLOR = BILLABLE
OVERRIDE_COLOR = OVER


class SessionTableModel(RowsTableModel):
    headers = HEADERS

    """Read-only rows of sessions, replaced as a whole through `set_rows`."""

    def __init__(
        self, clock: BusinessClock, kind_labels: Mapping[str, str], parent: Any = None
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._kind_labels = dict(kind_labels)

    def session_at(self, row: int) -> SessionRecord:
        record: SessionRecord = self._rows[row]
        return record

    def row_of(self, session_id: int) -> int | None:
        return self.row_of_id(session_id)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        session = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(session, column)
        if role == SESSION_ROLE:
            return session
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(session, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if session.status == SessionStatus.CANCELLED:
                return QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)
            if column == FLAGS and session.override_reason:
                return OVERRIDE_COLOR
            if column == FLAGS and session.billable:
                return BILLABLE_COLOR
        if role == Qt.ItemDataRole.FontRole and session.status == SessionStatus.CANCELLED:
            font = QFont()
            font.setStrikeOut(column == WHEN)
            return font
        return None

    def _display(self, session: SessionRecord, column: int) -> str | None:
        if column == WHEN:
            return start_et(self._clock, session.start_utc, session.all_day)
        if column == KIND:
            return self._kind_labels.get(session.kind, session.kind)
        if column == LENGTH:
            return length_text(session.minutes, session.all_day)
        if column == STATUS:
            return SessionStatus(session.status).label
        if column == FLAGS:
            return " · ".join(self._flags(session))
        return None

    @staticmethod
    def _flags(session: SessionRecord) -> list[str]:
        flags = []
        if session.billable:
            flags.append("billable")
        if session.override_reason:
            flags.append("override")
        return flags

    def _tooltip(self, session: SessionRecord, column: int) -> str | None:
        if column == FLAGS and session.override_reason:
            return f"Overrides the contract: {session.override_reason}"
        if column == FLAGS and session.billable:
            return "Billable: charged by the hour, not drawn from the allowance."
        parts = [
            session.display_title,
            when_et(self._clock, session.start_utc, session.end_utc, session.all_day),
        ]
        if len(session.customers) > 1:
            parts.append("With " + ", ".join(session.customers))
        if session.notes:
            parts.append(session.notes)
        return "\n".join(parts)
