"""Adding a customer through the dialog, checked as the user types."""

from __future__ import annotations

from desktop.app import AppContext
from desktop.views.customers.customer_dialog import CustomerDialog
from desktop.views.shell.main_window import MainWindow
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from .test_customers_page import open_dialog, visible_names


def fill_valid(qtbot: QtBot, dialog: CustomerDialog, name: str = "Zeta Robotics") -> None:
    qtbot.keyClicks(dialog.name_edit, name)
    dialog.product_combo.setCurrentText("SpiraPlan")
    qtbot.keyClicks(dialog.users_edit, "120")
    dialog.package_combo.setCurrentIndex(dialog.package_combo.findData("gold"))
    qtbot.keyClicks(dialog.contacts_edit, "Zoe Zed <zoe@zeta.example>")


def test_add_customer_through_the_dialog(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    qtbot.mouseClick(window.customers_page.empty_add_button, Qt.MouseButton.LeftButton)
    dialog = open_dialog(qtbot, window)
    assert dialog.windowTitle() == "Add customer"
    assert not dialog.ok_button.isEnabled()
    assert "name" in dialog.missing.text()  # says why OK is not offered yet

    qtbot.keyClicks(dialog.name_edit, "Zeta Robotics")
    qtbot.keyClicks(dialog.product_combo, "SpiraPlan")
    assert dialog.product_combo.currentText() == "SpiraPlan"
    qtbot.keyClicks(dialog.users_edit, "12x")
    message = dialog.messages["users"]
    assert message.is_error() and message.isVisible()
    assert message.text() == "Concurrent users must be a whole number of at least 1."
    assert not dialog.ok_button.isEnabled()

    qtbot.keyClick(dialog.users_edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(dialog.users_edit, "0")
    assert not message.is_error()
    assert message.text() == "Licence band: 101-250 concurrent users."
    assert dialog.preview.lines()[0].startswith("8 onboarding hours until ")
    assert dialog.preview.subtitle() == "SpiraPlan · 120 users · no premium package"

    qtbot.keyClicks(dialog.contacts_edit, "Zoe Zed <zoe@")
    assert dialog.messages["contacts"].is_error()
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.contacts_edit, "zeta.example>")
    qtbot.keyClick(dialog.contacts_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.contacts_edit, "Ray <ray@zeta.example>")
    assert not dialog.messages["contacts"].is_error()
    assert dialog.ok_button.isEnabled()

    with qtbot.waitSignal(dialog.customer_saved):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert visible_names(window) == ["Zeta Robotics"]
    saved = context.customers.get("Zeta Robotics")
    assert (saved.product, saved.users, saved.band) == ("SpiraPlan", 120, "101-250")
    assert [c.email for c in saved.contacts] == ["zoe@zeta.example", "ray@zeta.example"]
    assert window.customers_page.detail.customer() == saved  # the new customer is selected


def test_a_name_already_in_the_book_is_flagged_as_you_type(
    qtbot: QtBot, sample_window: MainWindow, sample_context: AppContext
) -> None:
    qtbot.mouseClick(sample_window.customers_page.add_button, Qt.MouseButton.LeftButton)
    dialog = open_dialog(qtbot, sample_window)
    fill_valid(qtbot, dialog, name="acme logistics")
    assert dialog.messages["name"].is_error()
    assert dialog.messages["name"].text() == "A customer named 'Acme Logistics' already exists."
    assert not dialog.ok_button.isEnabled()
    assert dialog.contacts_edit.toPlainText() == "Zoe Zed <zoe@zeta.example>"
    assert sample_context.customers.count() == 26

    qtbot.keyClicks(dialog.name_edit, " West")
    assert not dialog.messages["name"].is_error()
    with qtbot.waitSignal(dialog.customer_saved):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert sample_context.customers.get("acme logistics West").package == "gold"


def test_editing_a_customer_keeps_its_own_name(
    qtbot: QtBot, sample_window: MainWindow, sample_context: AppContext
) -> None:
    acme = sample_context.customers.get("Acme Logistics")
    dialog = CustomerDialog(sample_context, acme)
    qtbot.addWidget(dialog)
    assert not dialog.messages["name"].is_error()
    assert dialog.ok_button.isEnabled()


def test_package_start_follows_start_until_changed(qtbot: QtBot, context: AppContext) -> None:
    dialog = CustomerDialog(context)
    qtbot.addWidget(dialog)
    assert not dialog.package_start_edit.isEnabled()  # no package yet
    dialog.package_combo.setCurrentIndex(dialog.package_combo.findData("silver"))
    assert dialog.package_start_edit.isEnabled()
    dialog.start_edit.setDate(QDate(2026, 1, 5))
    assert dialog.package_start_edit.date() == QDate(2026, 1, 5)
    dialog.package_start_edit.setDate(QDate(2026, 6, 1))
    dialog.start_edit.setDate(QDate(2026, 2, 2))
    assert dialog.package_start_edit.date() == QDate(2026, 6, 1)
    draft = dialog.draft()
    assert (draft.start, draft.package_start) == ("2026-02-02", "2026-06-01")


def test_unknown_time_zone_is_named_inline(qtbot: QtBot, context: AppContext) -> None:
    dialog = CustomerDialog(context)
    qtbot.addWidget(dialog)
    fill_valid(qtbot, dialog)
    assert dialog.ok_button.isEnabled()
    # Pasted, not typed: typing opens the completer popup, which the offscreen platform
    # cannot raise or give the keyboard to (it says so in Qt warnings).
    dialog.tz_combo.setEditText("Mars/Olympus")
    assert dialog.messages["tz"].is_error()
    assert "'Mars/Olympus' is not a time zone" in dialog.messages["tz"].text()
    assert not dialog.ok_button.isEnabled()
    dialog.tz_combo.setEditText("Asia/Tokyo")
    assert dialog.messages["tz"].text().startswith("It is ")
    assert dialog.ok_button.isEnabled()
