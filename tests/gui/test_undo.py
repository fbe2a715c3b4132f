"""Undo and redo from the Edit menu: each entry names what it takes back, and the book
changes back and forth: a booking, a move, an edit, a cancellation and a plan."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from desktop.app import AppContext
from desktop.services.customers import CustomerRecord
from desktop.services.scheduling.sessions import BookingRequest, SessionTimes
from desktop.views.sessions.plan_dialog import PlanDialog
from desktop.views.sessions.session_editor import SessionEditor
from desktop.views.sessions.sessions_panel import SessionsPanel
from desktop.views.shell.main_window import MainWindow
from PySide6.QtCore import QSettings, Qt, QThreadPool
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from .booking import book, choose_kind, fixed_now, set_start, silver, wait_checked
from .conftest import Dialogs


@pytest.fixture(autouse=True)
def no_worker_left() -> Iterator[None]:
    yield
    QThreadPool.globalInstance().waitForDone(5000)


@pytest.fixture
def customer(context: AppContext) -> CustomerRecord:
    return silver(context)


@pytest.fixture
def shown(
    qtbot: QtBot, context: AppContext, settings: QSettings, customer: CustomerRecord
) -> MainWindow:
    window = MainWindow(context, settings, now=fixed_now)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.customers_page.select_customer(customer.id)
    return window


def panel_of(window: MainWindow) -> SessionsPanel:
    return window.customers_page.sessions


def menu_texts(window: MainWindow) -> tuple[str, str]:
    return window.undo_action.text(), window.redo_action.text()


def edit_first(qtbot: QtBot, window: MainWindow) -> SessionEditor:
    panel = panel_of(window)
    panel.table.selectRow(0)
    panel.edit_button.click()
    editor = window.findChild(SessionEditor)
    assert editor is not None
    qtbot.waitExposed(editor)
    return editor


def test_the_edit_menu_has_undo_and_redo_with_the_standard_keys(shown: MainWindow) -> None:
    [edit] = [a.menu() for a in shown.menuBar().actions() if a.text() == "&Edit"]
    assert edit is not None
    assert edit.actions()[:2] == [shown.undo_action, shown.redo_action]
    assert shown.undo_action.shortcuts() == QKeySequence.keyBindings(QKeySequence.StandardKey.Undo)
    assert shown.redo_action.shortcuts() == QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
    assert menu_texts(shown) == ("Undo", "Redo")
    assert not shown.undo_action.isEnabled() and not shown.redo_action.isEnabled()


def test_undo_and_redo_a_booking(
    qtbot: QtBot, shown: MainWindow, context: AppContext, customer: CustomerRecord
) -> None:
    panel = panel_of(shown)
    panel.new_button.click()
    editor = shown.findChild(SessionEditor)
    assert editor is not None
    qtbot.waitExposed(editor)
    choose_kind(editor, "onboarding")
    set_start(editor, 2026, 3, 16, 10)
    wait_checked(qtbot, editor, [])
    editor.save_button.click()
    [booked] = context.scheduler.find(customer=customer)
    assert menu_texts(shown) == ("Undo booking of Brandt Logistik onboarding assistance", "Redo")

    shown.undo_action.trigger()
    assert context.scheduler.find(customer=customer) == []
    assert panel.model.rowCount() == 0 and panel.empty_label.isVisible()
    assert menu_texts(shown) == (
        "Undo",
        "Redo booking of Brandt Logistik onboarding assistance",
    )

    shown.redo_action.trigger()
    [again] = context.scheduler.find(customer=customer)
    assert (again.uid, again.start_utc) == (booked.uid, booked.start_utc)
    assert panel.model.rowCount() == 1


def test_undo_and_redo_a_move(
    qtbot: QtBot, shown: MainWindow, context: AppContext, customer: CustomerRecord
) -> None:
    session = book(context, customer, "onboarding", "2026-03-16T10:00")
    panel_of(shown).refresh()
    editor = edit_first(qtbot, shown)
    set_start(editor, 2026, 3, 17, 14)
    wait_checked(qtbot, editor, [])
    editor.save_button.click()
    moved = context.scheduler.get(session.id)
    assert context.clock.et(moved.start_utc).strftime("%d %H:%M") == "17 14:00"
    assert shown.undo_action.text() == "Undo move of Brandt Logistik onboarding assistance"

    shown.undo_action.trigger()
    assert context.scheduler.get(session.id).start_utc == session.start_utc
    assert panel_of(shown).model.index(0, 0).data() == "Mon 16 Mar 2026, 10:00"
    shown.redo_action.trigger()
    assert context.scheduler.get(session.id).start_utc == moved.start_utc
    assert panel_of(shown).model.index(0, 0).data() == "Tue 17 Mar 2026, 14:00"


def test_undo_and_redo_an_edit(
    qtbot: QtBot, shown: MainWindow, context: AppContext, customer: CustomerRecord
) -> None:
    session = book(context, customer, "onboarding", "2026-03-16T10:00")
    panel_of(shown).refresh()
    editor = edit_first(qtbot, shown)
    editor.title_edit.setText("Go-live dry run")
    wait_checked(qtbot, editor, [])
    editor.save_button.click()
    assert context.scheduler.get(session.id).title == "Go-live dry run"
    assert shown.undo_action.text() == "Undo edit of Brandt Logistik onboarding assistance"

    shown.undo_action.trigger()
    assert context.scheduler.get(session.id).title == ""
    shown.redo_action.trigger()
    assert context.scheduler.get(session.id).title == "Go-live dry run"


def test_undo_and_redo_a_cancellation(
    shown: MainWindow, context: AppContext, customer: CustomerRecord, dialogs: Dialogs
) -> None:
    session = book(context, customer, "onboarding", "2026-03-18T10:00")
    panel = panel_of(shown)
    panel.refresh()
    panel.table.selectRow(0)
    panel.cancel_button.click()
    assert context.scheduler.get(session.id).status == "cancelled"
    assert shown.undo_action.text() == (
        "Undo cancellation of Brandt Logistik onboarding assistance"
    )

    shown.undo_action.trigger()
    assert context.scheduler.get(session.id).status == "planned"
    assert panel.model.index(0, 3).data() == "Planned"
    assert shown.redo_action.text() == (
        "Redo cancellation of Brandt Logistik onboarding assistance"
    )
    shown.redo_action.trigger()
    assert context.scheduler.get(session.id).status == "cancelled"
    assert panel.model.index(0, 3).data() == "Cancelled"


def test_undo_and_redo_a_plan(
    qtbot: QtBot, shown: MainWindow, context: AppContext, customer: CustomerRecord
) -> None:
    panel_of(shown).plan_button.click()
    dialog = shown.findChild(PlanDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.is_planning(), timeout=5000)
    count = dialog.model.rowCount()
    dialog.book_button.click()
    booked = context.scheduler.find(customer=customer)
    assert len(booked) == count > 1
    assert shown.undo_action.text() == f"Undo plan of {count} sessions for Brandt Logistik"

    shown.undo_action.trigger()
    assert context.scheduler.find(customer=customer) == []
    assert panel_of(shown).model.rowCount() == 0
    shown.redo_action.trigger()
    again = context.scheduler.find(customer=customer)
    assert sorted(s.uid for s in again) == sorted(s.uid for s in booked)


def test_ctrl_z_undoes_and_the_shortcut_redoes(
    qtbot: QtBot, shown: MainWindow, context: AppContext, customer: CustomerRecord
) -> None:
    session = book(context, customer, "onboarding", "2026-03-18T10:00")
    shown.session_actions.set_status(session.id, "cancelled")
    shown.activateWindow()
    qtbot.waitUntil(shown.isActiveWindow, timeout=2000)
    shown.customers_page.table.setFocus()
    qtbot.keyClick(shown.customers_page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert context.scheduler.get(session.id).status == "planned"
    [redo] = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)[:1]
    combination = redo[0]
    qtbot.keyClick(shown.customers_page.table, combination.key(), combination.keyboardModifiers())
    assert context.scheduler.get(session.id).status == "cancelled"


def test_a_session_booked_from_the_menu_is_said_in_the_status_bar(
    qtbot: QtBot, shown: MainWindow, context: AppContext, customer: CustomerRecord
) -> None:
    shown.new_session_action.trigger()
    editor = shown.findChild(SessionEditor)
    assert editor is not None
    assert editor.primary_customer() == customer, "the selected customer"
    choose_kind(editor, "onboarding")
    set_start(editor, 2026, 3, 16, 10)
    wait_checked(qtbot, editor, [])
    editor.save_button.click()
    assert shown.statusBar().currentMessage() == (
        "Booked onboarding assistance with Brandt Logistik, "
        "Mon 16 Mar 2026, 10:00–11:00 ET. Ctrl+Z takes it back."
    )
    assert shown.undo_action.text() == "Undo booking of Brandt Logistik onboarding assistance"


def test_undo_of_a_move_a_colleague_changed_since_is_refused_and_leaves_the_stack(
    shown: MainWindow, context: AppContext, customer: CustomerRecord, dialogs: Dialogs
) -> None:
    session = book(context, customer, "onboarding", "2026-03-16T10:00")
    requested = session.requested_utc
    shown.session_actions.move_start(
        session.id, context.clock.parse("2026-03-17T14:00"), requested, session.sequence
    )
    # A colleague (or another window) moves it again, outside this window's stack.
    theirs = context.clock.parse("2026-03-18T11:00")
    context.scheduler.move_start(session.id, theirs, requested)

    shown.undo_action.trigger()
    [(title, text)] = dialogs.errors
    assert title == "Could not undo"
    assert text.startswith("Not undone: Brandt Logistik onboarding was changed elsewhere since")
    assert context.scheduler.get(session.id).start_utc == theirs
    assert menu_texts(shown) == ("Undo", "Redo")
    assert not shown.undo_action.isEnabled() and not shown.redo_action.isEnabled()


def test_undo_of_a_booking_a_colleague_changed_since_keeps_it(
    shown: MainWindow, context: AppContext, customer: CustomerRecord, dialogs: Dialogs
) -> None:
    start = context.clock.parse("2026-03-16T10:00")
    times = SessionTimes(start, start + timedelta(hours=1), False)
    request = BookingRequest((customer,), "onboarding", times, start - timedelta(days=14))
    booked = shown.session_actions.book(request).session
    context.scheduler.set_status(booked.id, "cancelled")

    shown.undo_action.trigger()
    assert [t for t, _ in dialogs.errors] == ["Could not undo"]
    assert context.scheduler.get(booked.id).status == "cancelled"
    assert not shown.undo_action.isEnabled() and not shown.redo_action.isEnabled()


def test_several_steps_on_one_session_undo_and_redo_all_the_way(
    shown: MainWindow, context: AppContext, customer: CustomerRecord, dialogs: Dialogs
) -> None:
    """Found in review: each undo raises the sequence, so a step further down the stack
    must compare with the session as this window last left it, not as that step did."""
    start = context.clock.parse("2026-03-16T10:00")
    times = SessionTimes(start, start + timedelta(hours=1), False)
    request = BookingRequest((customer,), "onboarding", times, start - timedelta(days=14))
    actions = shown.session_actions
    booked = actions.book(request).session
    first = context.clock.parse("2026-03-17T14:00")
    second = context.clock.parse("2026-03-18T11:00")
    actions.move_start(booked.id, first, booked.requested_utc, booked.sequence)
    actions.move_start(booked.id, second, booked.requested_utc, booked.sequence + 1)
    cancelled = actions.set_status(booked.id, "cancelled")
    assert cancelled.status == "cancelled"

    shown.undo_action.trigger()  # the cancellation
    shown.undo_action.trigger()  # the second move
    assert context.scheduler.get(booked.id).start_utc == first
    shown.undo_action.trigger()  # the first move
    assert context.scheduler.get(booked.id).start_utc == start
    shown.undo_action.trigger()  # the booking
    assert context.scheduler.find(customer=customer) == []
    assert dialogs.errors == []

    for _ in range(4):
        shown.redo_action.trigger()
    again = context.scheduler.get(booked.id)
    assert (again.start_utc, again.status) == (second, "cancelled")
    assert dialogs.errors == []
