"""What a user sees on the Customers page: empty book, sample book, search, card, edit, archive."""

from __future__ import annotations

from desktop.app import AppContext
from desktop.views.customers.customer_dialog import CustomerDialog
from desktop.views.customers.customer_table_model import NAME
from desktop.views.shell.main_window import CUSTOMERS, DASHBOARD, MainWindow
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from .conftest import Dialogs, open_window


def visible_names(window: MainWindow) -> list[str]:
    proxy = window.customers_page.proxy
    return [proxy.index(row, NAME).data() for row in range(proxy.rowCount())]


def select(qtbot: QtBot, window: MainWindow, name: str) -> None:
    """Click the customer's row, as a user would."""
    table = window.customers_page.table
    row = visible_names(window).index(name)
    rect = table.visualRect(table.model().index(row, NAME))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def open_dialog(qtbot: QtBot, window: MainWindow) -> CustomerDialog:
    dialog = window.findChild(CustomerDialog)
    assert dialog is not None, "no customer dialog is open"
    qtbot.waitExposed(dialog)
    return dialog


def test_empty_book_greets_with_two_buttons(window: MainWindow) -> None:
    page = window.customers_page
    assert window.pages.currentWidget() is page
    assert page.currentWidget() is page.empty_state
    assert page.empty_state.title.text() == "Your book is empty"
    assert page.empty_add_button.isVisible() and page.empty_sample_button.isVisible()
    assert page.empty_add_button.text() == "Add customer"
    assert page.empty_sample_button.text() == "Load sample book"
    window.show_page(DASHBOARD)
    assert window.dashboard_sample_button.isVisible()
    assert window.count_label.text() == "0 customers"


def test_load_sample_book_fills_the_table(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    qtbot.mouseClick(window.customers_page.empty_sample_button, Qt.MouseButton.LeftButton)
    page = window.customers_page
    assert page.currentWidget() is not page.empty_state
    assert page.proxy.rowCount() == 26
    assert context.customers.count() == 26
    assert window.count_label.text() == "26 customers"
    assert str(context.db.path) in window.book_label.text()
    window.show_page(DASHBOARD)
    assert not window.dashboard_sample_button.isVisible()


def test_sample_book_from_the_dashboard_lands_on_customers(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.show_page(DASHBOARD)
    qtbot.mouseClick(window.dashboard_sample_button, Qt.MouseButton.LeftButton)
    assert window.navigation.currentRow() == CUSTOMERS
    assert window.customers_page.proxy.rowCount() == 26


def test_sample_book_twice_asks_first_and_explains_the_refusal(
    sample_window: MainWindow, dialogs: Dialogs
) -> None:
    dialogs.answer = False
    sample_window.sample_action.trigger()
    assert len(dialogs.questions) == 1 and dialogs.errors == []
    dialogs.answer = True
    sample_window.sample_action.trigger()
    title, text = dialogs.errors[0]
    assert title == "Sample book not loaded"
    assert "already exists" in text and "Traceback" not in text
    assert sample_window.customers_page.proxy.rowCount() == 26


def test_search_box_filters_the_table(qtbot: QtBot, sample_window: MainWindow) -> None:
    page = sample_window.customers_page
    qtbot.keyClicks(page.search, "acme")
    assert visible_names(sample_window) == ["Acme Logistics"]
    page.search.clear()
    qtbot.keyClicks(page.search, "PLATINUM")
    names = visible_names(sample_window)
    assert "Borealis Health" in names and "Acme Logistics" not in names
    page.search.clear()
    qtbot.keyClicks(page.search, "raj.patel@")  # a contact's address
    assert visible_names(sample_window) == ["Acme Logistics"]
    page.search.clear()
    qtbot.keyClicks(page.search, "no such customer")
    assert visible_names(sample_window) == []
    assert page.no_match.isVisible()
    page.search.clear()
    assert len(visible_names(sample_window)) == 26
    assert not page.no_match.isVisible()


def test_selecting_a_customer_shows_the_contract_card(
    qtbot: QtBot, sample_window: MainWindow
) -> None:
    page = sample_window.customers_page
    assert not page.edit_button.isEnabled()
    select(qtbot, sample_window, "Acme Logistics")
    detail = page.detail
    assert detail.customer() is not None and detail.customer().name == "Acme Logistics"
    lines = detail.card.lines()
    assert lines[0].startswith("8 onboarding hours until ")
    assert "Account management: a quarterly call" in lines
    assert any(line.startswith("4 screen-shares a month") for line in lines)
    assert page.edit_button.isEnabled() and page.archive_button.isEnabled()


def test_editing_users_and_package_updates_the_card(
    qtbot: QtBot, sample_window: MainWindow, sample_context: AppContext
) -> None:
    page = sample_window.customers_page
    select(qtbot, sample_window, "Acme Logistics")
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    dialog = open_dialog(qtbot, sample_window)
    assert dialog.name_edit.text() == "Acme Logistics"
    dialog.users_edit.selectAll()
    qtbot.keyClicks(dialog.users_edit, "300")
    dialog.package_combo.setCurrentIndex(dialog.package_combo.findData("platinum"))
    assert "Account management: a monthly call" in dialog.preview.lines()
    with qtbot.waitSignal(dialog.customer_saved):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    customer = sample_context.customers.get("Acme Logistics")
    assert (customer.users, customer.package) == (300, "platinum")
    lines = page.detail.card.lines()
    assert page.detail.customer() == customer
    assert "Account management: a monthly call" in lines
    assert any("1:1 meeting with the product team" in line for line in lines)
    assert any("6 screen-shares a month" in line for line in lines)
    assert sample_window.notice.text() == "Saved Acme Logistics."
    assert not sample_window.notice.undo_button.isVisible()


def test_double_click_opens_the_editor(qtbot: QtBot, sample_window: MainWindow) -> None:
    table = sample_window.customers_page.table
    select(qtbot, sample_window, "Cobalt Insurance")
    row = visible_names(sample_window).index("Cobalt Insurance")
    rect = table.visualRect(table.model().index(row, NAME))
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = open_dialog(qtbot, sample_window)
    assert dialog.windowTitle() == "Edit Cobalt Insurance"
    dialog.reject()


def test_archive_asks_first_then_removes_the_row(
    qtbot: QtBot, sample_window: MainWindow, sample_context: AppContext, dialogs: Dialogs
) -> None:
    page = sample_window.customers_page
    select(qtbot, sample_window, "Cobalt Insurance")
    dialogs.answer = False
    qtbot.mouseClick(page.archive_button, Qt.MouseButton.LeftButton)
    assert "Cobalt Insurance" in dialogs.questions[0][1]
    assert "Cobalt Insurance" in visible_names(sample_window)

    dialogs.answer = True
    qtbot.mouseClick(page.archive_button, Qt.MouseButton.LeftButton)
    assert "Cobalt Insurance" not in visible_names(sample_window)
    assert sample_context.customers.get("Cobalt Insurance").archived
    assert sample_window.count_label.text() == "25 customers · 1 archived"
    assert page.detail.customer() is None


def test_window_title_and_state_survive_a_restart(
    qtbot: QtBot, sample_context: AppContext, settings: QSettings
) -> None:
    first = open_window(qtbot, sample_context, settings)
    assert first.windowTitle() == "amplan — book.sqlite"
    first.customers_page.table.setColumnWidth(NAME, 260)
    first.show_page(DASHBOARD)
    first.close()
    assert settings.value("window/geometry") is not None
    second = open_window(qtbot, sample_context, settings)
    assert second.navigation.currentRow() == DASHBOARD
    assert second.customers_page.table.columnWidth(NAME) == 260
