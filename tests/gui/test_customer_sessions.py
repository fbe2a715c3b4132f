"""The Customers page with sessions: the table, status changes, usage bars, booking from it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from desktop.app import AppContext
from desktop.services.customers import CustomerRecord
from desktop.services.scheduling.usage import usage_for
from desktop.views.sessions.session_editor import SessionEditor
from desktop.views.sessions.session_table_model import (
    FLAGS,
    KIND,
    LENGTH,
    STATUS,
    WHEN,
    SessionTableModel,
)
from desktop.views.sessions.sessions_panel import SessionsPanel
from desktop.views.shell.main_window import MainWindow
from desktop.views.widgets.usage_bars import allowance_text, billable_text
from PySide6.QtCore import QSettings, QThreadPool
from pytestqt.qtbot import QtBot

from .booking import NOW, book, choose_kind, fixed_now, set_start, silver, wait_checked
from .conftest import Dialogs


@pytest.fixture(autouse=True)
def no_worker_left() -> Iterator[None]:
    """A plan still running on the pool must not outlive the test's book."""
    yield
    QThreadPool.globalInstance().waitForDone(5000)


@pytest.fixture
def customer(context: AppContext) -> CustomerRecord:
    return silver(context)


@pytest.fixture
def shown(
    qtbot: QtBot, context: AppContext, settings: QSettings, customer: CustomerRecord
) -> MainWindow:
    """The main window on a fixed "now", the customer selected."""
    window = MainWindow(context, settings, now=fixed_now)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.customers_page.select_customer(customer.id)
    return window


def panel_of(window: MainWindow) -> SessionsPanel:
    return window.customers_page.sessions


def cells(panel: SessionsPanel, column: int) -> list[str]:
    model = panel.model
    return [model.index(row, column).data() for row in range(model.rowCount())]


def select_row(panel: SessionsPanel, row: int) -> None:
    panel.table.selectRow(row)


def test_selecting_a_customer_shows_their_sessions_and_allowances(
    shown: MainWindow, context: AppContext, customer: CustomerRecord
) -> None:
    panel = panel_of(shown)
    assert panel.title.text() == "Sessions of Brandt Logistik"
    assert panel.empty_label.isVisible() and not panel.table.isVisible()
    assert panel.usage.texts()[0] == "Onboarding hours: 0 used · 0 scheduled · 6 left of 6"
    # The allowances sit in the customer panel, just above what the contract gives.
    assert panel.usage_card.isVisible()
    assert shown.customers_page.detail.isAncestorOf(panel.usage_card)


def test_booking_through_the_page_shows_the_session_and_updates_usage(
    qtbot: QtBot, shown: MainWindow, context: AppContext, customer: CustomerRecord
) -> None:
    panel = panel_of(shown)
    panel.new_button.click()
    editor = shown.findChild(SessionEditor)
    assert editor is not None
    qtbot.waitExposed(editor)
    assert editor.primary_customer() == customer
    choose_kind(editor, "onboarding")
    set_start(editor, 2026, 3, 16, 10)
    editor.minutes_spin.setValue(90)
    wait_checked(qtbot, editor, [])
    editor.save_button.click()

    assert panel.table.isVisible()
    assert cells(panel, WHEN) == ["Mon 16 Mar 2026, 10:00"]
    assert cells(panel, KIND) == ["Onboarding assistance"]
    assert cells(panel, LENGTH) == ["90 min"]
    assert cells(panel, STATUS) == ["Planned"]
    assert panel.selected_session() is not None, "the new session is selected"
    assert panel.usage.texts()[0] == "Onboarding hours: 0 used · 1.5 scheduled · 4.5 left of 6"
    assert panel.count_label.text() == "1 booked"


def test_mark_done_and_cancel_change_the_status(
    shown: MainWindow, context: AppContext, customer: CustomerRecord, dialogs: Dialogs
) -> None:
    past = book(context, customer, "onboarding", "2026-03-09T10:00")  # before NOW
    ahead = book(context, customer, "onboarding", "2026-03-18T10:00", minutes=120)
    panel = panel_of(shown)
    panel.refresh()
    assert cells(panel, STATUS) == ["Planned", "Planned"]

    select_row(panel, 1)
    assert panel.edit_button.isEnabled() and panel.cancel_button.isEnabled()
    assert not panel.done_button.isEnabled(), "not started yet"
    assert "once it has started" in panel.done_button.toolTip()

    select_row(panel, 0)
    assert panel.done_button.isEnabled() and panel.no_show_button.isEnabled()
    panel.done_button.click()
    assert context.scheduler.get(past.id).status == "done"
    assert cells(panel, STATUS) == ["Done", "Planned"]
    assert panel.selected_session() is not None and panel.selected_session().id == past.id
    assert not panel.done_button.isEnabled() and not panel.edit_button.isEnabled()
    assert panel.no_show_button.isEnabled(), "a done session can be corrected to a no-show"

    select_row(panel, 1)
    panel.cancel_button.click()
    assert dialogs.questions and dialogs.questions[-1][0] == "Cancel session"
    assert context.scheduler.get(ahead.id).status == "cancelled"
    assert cells(panel, STATUS) == ["Done", "Cancelled"]
    assert panel.usage.texts()[0] == "Onboarding hours: 1 used · 0 scheduled · 5 left of 6"
    assert panel.count_label.text() == "1 booked · 1 cancelled"


def test_cancel_asks_first_and_no_keeps_the_session(
    shown: MainWindow, context: AppContext, customer: CustomerRecord, dialogs: Dialogs
) -> None:
    ahead = book(context, customer, "onboarding", "2026-03-18T10:00")
    panel = panel_of(shown)
    panel.refresh()
    select_row(panel, 0)
    dialogs.answer = False
    panel.cancel_button.click()
    assert context.scheduler.get(ahead.id).status == "planned"


def test_a_status_change_that_fails_is_explained_through_the_seam(
    shown: MainWindow, context: AppContext, customer: CustomerRecord, dialogs: Dialogs
) -> None:
    session = book(context, customer, "onboarding", "2026-03-18T10:00")
    panel = panel_of(shown)
    panel.refresh()
    select_row(panel, 0)
    context.scheduler.delete(session.id)  # gone behind the window's back
    panel.cancel_button.click()
    assert dialogs.errors and dialogs.errors[-1][0] == "Status not changed"
    assert f"No session with id '{session.id}'" in dialogs.errors[-1][1]


def test_billable_and_override_flags_and_over_allowance(
    shown: MainWindow, context: AppContext, customer: CustomerRecord
) -> None:
    book(context, customer, "assistance", "2026-03-16T10:00", minutes=150, billable=True)
    panel = panel_of(shown)
    panel.refresh()
    assert cells(panel, FLAGS) == ["billable"]
    assert panel.usage.billable.isVisible()
    assert panel.usage.billable.text() == "Billable: 2.5 h = $1,225"
    # Assistance hours drawn from the allowance are not billable: 2 of 2 left.
    assert "Assistance hours this package year: 0 used · 0 scheduled · 2 left of 2" in (
        panel.usage.texts()
    )


def test_usage_text_for_an_allowance_overrun() -> None:
    from desktop.services.scheduling.usage import Allowance

    over = Allowance("onboarding", "Onboarding hours", "hours", 6, 5, 3)
    assert allowance_text(over) == "Onboarding hours: 5 used · 3 scheduled · 2 over the 6"


def test_session_table_model_passes_the_model_tester(
    qtmodeltester: object, context: AppContext, customer: CustomerRecord
) -> None:
    book(context, customer, "onboarding", "2026-03-16T10:00")
    book(context, customer, "screen-share", "2026-03-20T10:00")
    model = SessionTableModel(context.clock, {"onboarding": "Onboarding assistance"})
    model.set_rows(context.scheduler.find(customer=customer))
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.index(1, KIND).data() == "screen-share", "unknown labels fall back to the code"


def test_usage_matches_the_service(
    shown: MainWindow, context: AppContext, customer: CustomerRecord
) -> None:
    book(context, customer, "screen-share", "2026-03-20T10:00")
    panel = panel_of(shown)
    panel.refresh()
    usage = usage_for(
        context.policy,
        context.clock,
        customer,
        context.scheduler.find(customer=customer),
        context.clock.et_date(NOW),
    )
    assert panel.usage.texts() == [allowance_text(a) for a in usage.allowances]
    assert "Screen-shares in March 2026: 0 used · 1 scheduled · 1 left of 2" in panel.usage.texts()
    assert billable_text(usage) == "Billable: 0 h = $0"
    assert not panel.usage.billable.isVisible()


def test_screen_shares_per_month_of_the_package_year(
    shown: MainWindow, context: AppContext, customer: CustomerRecord
) -> None:
    book(context, customer, "screen-share", "2026-03-09T10:00")
    book(context, customer, "screen-share", "2026-03-20T10:00")
    panel = panel_of(shown)
    panel.refresh()
    chart = panel.months_chart
    assert chart.isVisible() and panel.months_title.text() == "Screen-shares per month"
    texts = chart.texts()
    # Silver from 2 Mar 2026: the package year touches March to March, 2 a month.
    assert len(texts) == 13
    assert texts[0] == "Mar 2026: 0 used, 2 scheduled of 2"
    assert texts[-1] == "Mar 2027: 0 used, 0 scheduled of 2"
    assert "Package year Mon 2 Mar 2026 – Mon 1 Mar 2027" in panel.months_caption.text()


def test_no_monthly_chart_without_screen_shares(shown: MainWindow, context: AppContext) -> None:
    from desktop.services.customers import CustomerDraft

    plain = context.customers.add(
        CustomerDraft(
            name="Plain Co",
            product="SpiraTest",
            users="30",
            start="2026-03-02",
            package="none",
            package_start="2026-03-02",
            tz="America/New_York",
            contacts="",
        )
    )
    shown.refresh()
    assert shown.customers_page.select_customer(plain.id)
    assert not panel_of(shown).months_chart.isVisible()


def test_send_invite_is_offered_for_planned_and_cancelled_sessions(
    shown: MainWindow,
    context: AppContext,
    customer: CustomerRecord,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = book(context, customer, "onboarding", "2026-03-17T10:00")
    panel = panel_of(shown)
    panel.refresh()
    sent: list[int] = []
    monkeypatch.setattr(
        "desktop.views.sessions.sessions_panel.send_invite",
        lambda _w, _c, session_id: sent.append(session_id),
    )
    select_row(panel, 0)
    assert panel.invite_button.isEnabled() and panel.invite_button.text() == "Send invite…"
    panel.invite_button.click()
    assert sent == [session.id]

    context.scheduler.set_status(session.id, "cancelled")
    panel.refresh()
    select_row(panel, 0)
    assert panel.invite_button.text() == "Send cancellation…"


def test_the_sessions_menu_exports_and_imports_calendars(
    shown: MainWindow, monkeypatch: pytest.MonkeyPatch, customer: CustomerRecord
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(
        "desktop.views.calendar_files.calendar_files_ui.export_calendar",
        lambda _w, _c, chosen, on_done: calls.append(f"export {chosen.name if chosen else 'book'}"),
    )
    monkeypatch.setattr(  # the job ends at once and reports (3 imported, 1 skipped)
        "desktop.views.calendar_files.calendar_files_ui.import_my_calendar",
        lambda _w, _c, _today, path, on_done: calls.append(f"import {path}") or on_done((3, 1)),
    )
    shown.export_calendar_action.trigger()
    shown.import_calendar_action.trigger()
    assert calls == [f"export {customer.name}", "import None"]
    assert shown.statusBar().currentMessage() == "Imported 3 busy blocks."
    shown.open_calendar_file(Path("/calendars/mine.ics"))
    assert calls[-1] == "import /calendars/mine.ics"


def test_the_panel_rereads_only_for_a_change_to_its_customer_and_when_shown_again(
    shown: MainWindow, context: AppContext, customer: CustomerRecord
) -> None:
    from desktop.services.changes import EVERYTHING, BookChange

    actions = shown.session_actions
    panel = panel_of(shown)
    book(context, customer, "onboarding", "2026-03-17 11:00")
    actions.sessions_changed.emit(BookChange.of_sessions([99], [customer.id + 1]))
    assert panel.model.rowCount() == 0  # another customer's change: not re-read
    actions.sessions_changed.emit(BookChange.of_sessions([1], [customer.id]))
    assert panel.model.rowCount() == 1

    panel.hide()
    book(context, customer, "onboarding", "2026-03-18 11:00")
    actions.sessions_changed.emit(EVERYTHING)
    assert panel.model.rowCount() == 1  # hidden: nothing read yet
    panel.show()
    assert panel.model.rowCount() == 2  # shown again: re-read once
