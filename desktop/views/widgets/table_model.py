"""The part every read-only table of amplan shares: rows replaced as a whole through
`set_rows`, and a column per entry of the subclass's `headers`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QAbstractItemView, QTableView

AnyIndex = QModelIndex | QPersistentModelIndex


class RowsTableModel(QAbstractTableModel):
    """Subclasses set `headers` (column -> title) and implement `data`."""

    headers: Mapping[int, str] = {}

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_of_id(self, row_id: int) -> int | None:
        """The row whose record has this `id`, or None."""
        for row, record in enumerate(self._rows):
            if record.id == row_id:
                return row
        return None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers.get(section)
        return self.header_data(section, role)

    def header_data(self, section: int, role: int) -> Any:
        """Other roles of a column header (alignment, tooltip); none by default."""
        return None


def record_table(
    object_name: str, model: QAbstractItemModel, single_selection: bool = True
) -> QTableView:
    """A table of records as amplan shows them: whole rows selected, read-only, no grid,
    alternating rows, one line per row, no row numbers; the caller sizes the columns."""
    table = QTableView()
    table.setObjectName(object_name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single_selection:
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 14)
    table.horizontalHeader().setHighlightSections(False)
    return table
