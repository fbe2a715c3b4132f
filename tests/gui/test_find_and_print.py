"""Ctrl+F finds anything and goes there; Ctrl+G goes to a date; the View menu switches pages
and calendar views; the calendar prints what it shows (read back from the PDF)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from desktop.app import AppContext
from desktop.services.reports.calendar_print import calendar_printable
from desktop.views.calendar.calendar_page import CalendarPage
from desktop.views.reports.printing import write_pdf
from desktop.views.shell.find_dialog import FindDialog
from desktop.views.shell.go_to_date import GoToDateDialog
from desktop.views.shell.main_window import CALENDAR, CUSTOMERS, DASHBOARD, MainWindow
from PySide6.QtCore import QDate, QSettings, Qt
from pytestqt.qtbot import QtBot

from summary_helpers import flat, pdf_pages

from .booking import book, fixed_now, silver

TUE = date(2026, 3, 17)


def open_desk(qtbot: QtBot, context: AppContext, settings: QSettings) -> MainWindow:
    """The window on the book as it is now (open it after booking what the test needs)."""
    window = MainWindow(context, settings, now=fixed_now)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def open_find(qtbot: QtBot, window: MainWindow) -> FindDialog:
    window.find_action.trigger()
    dialog = window.findChild(FindDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def test_ctrl_f_finds_a_session_by_its_title_and_enter_shows_it_selected(
    qtbot: QtBot, context: AppContext, settings: QSettings
) -> None:
    customer = silver(context)
    session = book(context, customer, "onboarding", "2026-03-17T10:00", title="Go-live dry run")
    desk = open_desk(qtbot, context, settings)
    assert desk.find_action.shortcut().toString() == "Ctrl+F"
    dialog = open_find(qtbot, desk)
    qtbot.keyClicks(dialog.box, "dry run")
    qtbot.waitUntil(lambda: "1 found" in dialog.status.text(), timeout=3000)
    qtbot.keyClick(dialog.box, Qt.Key.Key_Return)

    page = desk.calendar_page
    assert isinstance(page, CalendarPage)
    assert desk.pages.currentWidget() is page
    assert TUE in page.visible_days()
    assert page.grid.selected is not None and page.grid.selected.id == session.id


def test_find_goes_to_a_customer_even_an_archived_one(
    qtbot: QtBot, context: AppContext, settings: QSettings
) -> None:
    customer = silver(context)
    context.customers.set_archived(customer.id)
    desk = open_desk(qtbot, context, settings)
    dialog = open_find(qtbot, desk)
    qtbot.keyClicks(dialog.box, "brandt")
    qtbot.waitUntil(lambda: "1 found" in dialog.status.text(), timeout=3000)
    qtbot.keyClick(dialog.box, Qt.Key.Key_Return)
    assert desk.pages.currentWidget() is desk.customers_page
    selected = desk.customers_page.selected_customer()
    assert selected is not None and selected.id == customer.id


def test_find_says_when_nothing_matches(
    qtbot: QtBot, context: AppContext, settings: QSettings
) -> None:
    silver(context)
    desk = open_desk(qtbot, context, settings)
    dialog = open_find(qtbot, desk)
    qtbot.keyClicks(dialog.box, "zebra")
    qtbot.waitUntil(lambda: "Nothing in the book matches" in dialog.status.text(), timeout=3000)
    assert dialog.results.topLevelItemCount() == 0


def test_go_to_date_and_the_view_menu(
    qtbot: QtBot, context: AppContext, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = open_desk(qtbot, context, settings)

    def choose(dialog: GoToDateDialog) -> GoToDateDialog.DialogCode:
        dialog.date_edit.setDate(QDate(2027, 2, 3))
        return GoToDateDialog.DialogCode.Accepted

    monkeypatch.setattr(GoToDateDialog, "exec", choose)
    assert desk.go_to_date_action.shortcut().toString() == "Ctrl+G"
    desk.go_to_date_action.trigger()
    page = desk.calendar_page
    assert isinstance(page, CalendarPage)
    assert desk.pages.currentWidget() is page and date(2027, 2, 3) in page.visible_days()

    desk.calendar_view_actions["month"].trigger()
    assert page.view() == "month"
    assert desk.calendar_view_actions["day"].shortcut().toString() == "Ctrl+Shift+D"
    desk.page_actions[DASHBOARD].trigger()
    assert desk.pages.currentWidget() is desk.dashboard
    assert desk.page_actions[CUSTOMERS].shortcut().toString() == "Ctrl+2"
    desk.page_actions[CALENDAR].trigger()
    assert desk.pages.currentWidget() is page


def test_a_printed_week_reads_back_from_the_pdf(
    qtbot: QtBot, context: AppContext, settings: QSettings, tmp_path: Path
) -> None:
    customer = silver(context)
    book(context, customer, "onboarding", "2026-03-17T10:00", title="Kick-off")
    desk = open_desk(qtbot, context, settings)
    page = desk.calendar_page
    assert isinstance(page, CalendarPage)
    desk.show_page(CALENDAR)
    page.set_view("week")
    page.go_to(TUE)
    chosen = page.print_range()
    assert (chosen.first, chosen.last) == (date(2026, 3, 16), date(2026, 3, 22))
    labels = {name: kind.label for name, kind in context.policy.kinds.items()}
    document = calendar_printable(
        page.shown_sessions(), [], chosen, labels, TUE, context.policy.vendor
    )
    pdf = tmp_path / "week.pdf"
    assert write_pdf(pdf, [document]) >= 1
    text = flat(" ".join(pdf_pages(pdf)))
    assert "Calendar: Monday 16 March 2026 – Sunday 22 March 2026" in text
    assert "Brandt Logistik" in text and "Kick-off" in text and "10:00–11:00" in text


def test_print_calendar_opens_the_preview_of_what_is_shown(
    qtbot: QtBot, context: AppContext, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = open_desk(qtbot, context, settings)
    previews: list[tuple[str, str]] = []

    class Preview:
        def __init__(self, documents, paper, stem, parent) -> None:
            previews.append((documents[0].subject, stem))

        def exec(self) -> int:
            return 0

    monkeypatch.setattr("desktop.views.calendar.calendar_page.DocumentPreview", Preview)
    assert desk.print_calendar_action.shortcut().toString() == "Ctrl+P"
    desk.calendar_page.go_to(TUE)
    desk.print_calendar_action.trigger()
    assert previews == [
        (
            "Monday 16 March 2026 – Sunday 22 March 2026",
            "calendar 2026-03-16 to 2026-03-22",
        )
    ]
