"""The customers table: plain `CustomerRecord`s in, cells out; it never reads the store itself."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QGuiApplication, QPalette

from desktop.services.customers import CustomerRecord
from desktop.services.display.session_format import city
from desktop.services.policy import PACKAGE_NAMES
from desktop.views.widgets.table_model import AnyIndex, RowsTableModel

NAME, PRODUCT, USERS, BAND, PACKAGE, START, TIME_ZONE = range(7)
HEADERS = {
    NAME: "Name",
    PRODUCT: "Product",
    USERS: "Users",
    BAND: "Band",
    PACKAGE: "Package",
    START: "Start",
    TIME_ZONE: "Zone",
}

# Sorting reads typed values (numbers, dates) so "9 users" sorts before "120 users".
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
# One lower-case haystack per row: what the search box matches against.
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
CUSTOMER_ROLE = Qt.ItemDataRole.UserRole + 3


def short_day(day: date) -> str:
    """'5 Oct 2026': the table has no room for the weekday the panel shows."""
    return f"{day.day} {day:%b %Y}"


class CustomerTableModel(RowsTableModel):
    """Read-only rows of customers, replaced as a whole through `set_rows`."""

    headers = HEADERS

    def __init__(self, package_labels: Mapping[str, str] | None = None, parent: Any = None):
        super().__init__(parent)
        self._package_labels = dict(package_labels or {})

    def customer_at(self, row: int) -> CustomerRecord:
        record: CustomerRecord = self._rows[row]
        return record

    def row_of(self, customer_id: int) -> int | None:
        return self.row_of_id(customer_id)

    def package_label(self, package: str) -> str:
        if package == "none":
            return "—"
        return self._package_labels.get(package, package.capitalize())

    def header_data(self, section: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and section == USERS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        customer = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(customer, column)
        if role == SORT_ROLE:
            return self._sort_key(customer, column)
        if role == SEARCH_ROLE:
            return self._haystack(customer)
        if role == CUSTOMER_ROLE:
            return customer
        if role == Qt.ItemDataRole.TextAlignmentRole and column == USERS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and customer.archived:
            return QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == NAME and customer.archived:
                return "Archived: select it and press Restore to bring it back."
            if column == NAME and customer.contacts:
                return "\n".join(str(contact) for contact in customer.contacts)
            if column == TIME_ZONE:
                return customer.tz
        return None

    def _display(self, customer: CustomerRecord, column: int) -> str | None:
        values = {
            NAME: customer.name,
            PRODUCT: customer.product,
            USERS: f"{customer.users:,}",
            BAND: customer.band,
            PACKAGE: self.package_label(customer.package),
            START: short_day(customer.start),
            TIME_ZONE: city(customer.tz),
        }
        return values.get(column)

    def _sort_key(self, customer: CustomerRecord, column: int) -> Any:
        if column in (USERS, BAND):
            return customer.users
        if column == START:
            return customer.start.isoformat()
        if column == PACKAGE:
            # Tiers sort by what they give, not alphabetically (gold < platinum < silver).
            if customer.package in PACKAGE_NAMES:
                return PACKAGE_NAMES.index(customer.package)
            return len(PACKAGE_NAMES)
        text = self._display(customer, column)
        return (text or "").lower()

    def _haystack(self, customer: CustomerRecord) -> str:
        parts = [
            customer.name,
            customer.product,
            customer.package,
            self.package_label(customer.package),
            *(f"{c.name} {c.email}" for c in customer.contacts),
        ]
        return " ".join(parts).lower()


class CustomerFilterModel(QSortFilterProxyModel):
    """Sorts by typed values and keeps the rows whose name, product, package or contact match."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterRole(SEARCH_ROLE)
        self.setFilterKeyColumn(NAME)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_search(self, text: str) -> None:
        self.setFilterFixedString(text.strip())
