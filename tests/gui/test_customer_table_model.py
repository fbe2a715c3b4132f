"""The customers table model, checked without a window."""

from __future__ import annotations

from datetime import date

import pytest
from desktop.services.customers import ContactInfo, CustomerRecord
from desktop.views.customers.customer_table_model import (
    BAND,
    CUSTOMER_ROLE,
    NAME,
    PACKAGE,
    START,
    USERS,
    CustomerFilterModel,
    CustomerTableModel,
)
from PySide6.QtCore import Qt

LABELS = {"none": "No premium package", "silver": "Silver", "gold": "Gold", "platinum": "Platinum"}


def record(
    id_: int, name: str, users: int, package: str, start: date, email: str
) -> CustomerRecord:
    return CustomerRecord(
        id=id_,
        name=name,
        product="SpiraPlan",
        users=users,
        band="standard" if users <= 20 else "101-250",
        start=start,
        package=package,
        package_start=start,
        tz="Europe/Berlin",
        contacts=(ContactInfo(email.split("@")[0].title(), email),),
    )


ROWS = [
    record(1, "Acme Logistics", 120, "gold", date(2026, 1, 5), "dana@acme.example"),
    record(2, "borealis Health", 9, "none", date(2025, 12, 1), "marie@borealis.example"),
    record(3, "Cobalt Insurance", 15, "platinum", date(2026, 3, 2), "greg@cobalt.example"),
]


@pytest.fixture
def model() -> CustomerTableModel:
    model = CustomerTableModel(LABELS)
    model.set_rows(ROWS)
    return model


def column_texts(proxy: CustomerFilterModel, column: int) -> list[str]:
    return [proxy.index(row, column).data() for row in range(proxy.rowCount())]


def test_passes_the_model_tester(qtmodeltester, model: CustomerTableModel) -> None:
    qtmodeltester.check(model, force_py=True)
    proxy = CustomerFilterModel()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy, force_py=True)


def test_cells_read_as_the_user_sees_them(model: CustomerTableModel) -> None:
    assert model.rowCount() == 3
    assert model.columnCount() == 7
    assert model.headerData(USERS, Qt.Orientation.Horizontal) == "Users"
    assert model.index(0, NAME).data() == "Acme Logistics"
    assert model.index(0, USERS).data() == "120"
    assert model.index(0, PACKAGE).data() == "Gold"
    assert model.index(1, PACKAGE).data() == "—"
    assert model.index(0, START).data() == "5 Jan 2026"
    assert model.index(2, NAME).data(CUSTOMER_ROLE) is ROWS[2]


def test_set_rows_replaces_everything(model: CustomerTableModel) -> None:
    model.set_rows(ROWS[:1])
    assert model.rowCount() == 1
    model.set_rows([])
    assert model.rowCount() == 0


def test_sorts_numbers_dates_and_names_by_value(model: CustomerTableModel) -> None:
    proxy = CustomerFilterModel()
    proxy.setSourceModel(model)
    proxy.sort(USERS, Qt.SortOrder.AscendingOrder)
    assert column_texts(proxy, USERS) == ["9", "15", "120"]  # not "120" < "15" < "9"
    proxy.sort(START, Qt.SortOrder.DescendingOrder)
    assert column_texts(proxy, START) == ["2 Mar 2026", "5 Jan 2026", "1 Dec 2025"]
    proxy.sort(NAME, Qt.SortOrder.AscendingOrder)
    assert column_texts(proxy, NAME) == ["Acme Logistics", "borealis Health", "Cobalt Insurance"]
    proxy.sort(PACKAGE, Qt.SortOrder.AscendingOrder)
    assert column_texts(proxy, PACKAGE) == ["—", "Gold", "Platinum"]
    proxy.sort(BAND, Qt.SortOrder.DescendingOrder)
    assert column_texts(proxy, NAME)[0] == "Acme Logistics"


@pytest.mark.parametrize(
    ("search", "names"),
    [
        ("acme", ["Acme Logistics"]),
        ("BOREALIS", ["borealis Health"]),
        ("platinum", ["Cobalt Insurance"]),
        ("greg@", ["Cobalt Insurance"]),
        ("spiraplan", ["Acme Logistics", "borealis Health", "Cobalt Insurance"]),
        ("nobody", []),
    ],
)
def test_search_matches_name_product_package_and_contact(
    model: CustomerTableModel, search: str, names: list[str]
) -> None:
    proxy = CustomerFilterModel()
    proxy.setSourceModel(model)
    proxy.sort(NAME, Qt.SortOrder.AscendingOrder)
    proxy.set_search(search)
    assert column_texts(proxy, NAME) == names
