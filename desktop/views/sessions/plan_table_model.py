"""The plan dialog's table: the proposals, each with a tick, sortable by any column."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette

from desktop.services.business_time import BusinessClock, to_zone, zone
from desktop.services.display.session_format import city, when_et, when_local
from desktop.services.scheduling.planner import PlannedSession
from desktop.views.widgets.table_model import AnyIndex, RowsTableModel

WHEN, LOCAL, CUSTOMER, KIND, REASON, WARNINGS = range(6)
HEADERS = {
    WHEN: "When (ET)",
    LOCAL: "Their time",
    CUSTOMER: "Customer",
    KIND: "Kind",
    REASON: "Why",
    WARNINGS: "Warnings",
}
WARNING_MARK = "⚠ "
PROPOSAL_ROLE = Qt.ItemDataRole.UserRole + 1


class PlanTableModel(RowsTableModel):
    """The proposals, each with a tick (all ticked at first); `chosen()` is what gets booked."""

    headers = HEADERS

    def __init__(
        self, clock: BusinessClock, kind_labels: dict[str, str], parent: Any = None
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._kind_labels = kind_labels
        self._ticked: list[bool] = []

    def set_rows(
        self, rows: Sequence[PlannedSession], kinds: Collection[str] | None = None
    ) -> None:
        """Customer by customer, each one's sessions in date order (the planner lists its
        onboarding first, then its calls). With `kinds`, only those kinds start ticked."""
        self.beginResetModel()
        self._rows = sorted(rows, key=lambda p: (p.customer.name.lower(), p.times.start_utc))
        self._ticked = [kinds is None or p.kind in kinds for p in self._rows]
        self.endResetModel()

    def proposals(self) -> list[PlannedSession]:
        return list(self._rows)

    def replace_row(self, row: int, proposal: PlannedSession) -> None:
        """A proposal given another time by the user (it stays ticked as it was)."""
        self._rows[row] = proposal
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Header clicks sort by that column (times by instant, not by their text)."""
        keys: dict[int, Callable[[PlannedSession], Any]] = {
            WHEN: lambda p: p.times.start_utc,
            LOCAL: lambda p: (
                to_zone(p.times.start_utc, zone(p.customer.tz)).time(),
                p.customer.tz,
            ),
            CUSTOMER: lambda p: (p.customer.name.lower(), p.times.start_utc),
            KIND: lambda p: (p.kind, p.times.start_utc),
            REASON: lambda p: (p.reason, p.times.start_utc),
            WARNINGS: lambda p: (not p.warnings, p.times.start_utc),
        }
        key = keys.get(column)
        if key is None or not self._rows:
            return
        self.layoutAboutToBeChanged.emit()
        pairs = sorted(
            zip(self._rows, self._ticked, strict=True),
            key=lambda pair: key(pair[0]),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
        self._rows = [p for p, _ in pairs]
        self._ticked = [t for _, t in pairs]
        self.layoutChanged.emit()

    def data_for(self, proposal: PlannedSession, column: int) -> str:
        times = proposal.times
        if column == LOCAL:
            tz = proposal.customer.tz
            local = when_local(
                self._clock, times.start_utc, times.end_utc, times.all_day, tz, False
            )
            text = f"{local} {city(tz)}" if not times.all_day else local
            return (WARNING_MARK + text) if proposal.warnings else text
        return ""

    def chosen(self) -> list[PlannedSession]:
        return [p for p, ticked in zip(self._rows, self._ticked, strict=True) if ticked]

    def set_all(self, ticked: bool) -> None:
        if not self._rows:
            return
        self._ticked = [ticked] * len(self._rows)
        self.dataChanged.emit(
            self.index(0, 0),
            self.index(len(self._rows) - 1, len(HEADERS) - 1),
            [Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.ForegroundRole],
        )

    # --- QAbstractTableModel ------------------------------------------------------------
    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == WHEN:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        proposal = self._rows[index.row()]
        column = index.column()
        times = proposal.times
        if role == Qt.ItemDataRole.DisplayRole:
            if column == WHEN:
                return when_et(self._clock, times.start_utc, times.end_utc, times.all_day, False)
            if column == LOCAL:
                return self.data_for(proposal, LOCAL)
            if column == CUSTOMER:
                return proposal.customer.name
            if column == KIND:
                return self._kind_labels.get(proposal.kind, proposal.kind)
            if column == REASON:
                return proposal.reason
            if column == WARNINGS:
                return " ".join(proposal.warnings)
        if role == Qt.ItemDataRole.ToolTipRole and column == REASON:
            return proposal.reason
        if role == Qt.ItemDataRole.ToolTipRole and column in (LOCAL, WARNINGS):
            return "\n".join(proposal.warnings) or None
        if role == Qt.ItemDataRole.ForegroundRole and not self._ticked[index.row()]:
            # An unticked row stays readable but reads as "left out".
            return QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        if role == Qt.ItemDataRole.CheckStateRole and column == WHEN:
            return Qt.CheckState.Checked if self._ticked[index.row()] else Qt.CheckState.Unchecked
        if role == PROPOSAL_ROLE:
            return proposal
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != WHEN:
            return False
        if role != Qt.ItemDataRole.CheckStateRole:
            return False
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)
        self._ticked[index.row()] = checked
        self.dataChanged.emit(
            self.index(index.row(), 0),
            self.index(index.row(), len(HEADERS) - 1),
            [Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.ForegroundRole],
        )
        return True
