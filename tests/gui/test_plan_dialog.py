"""Plan a year: proposals listed with ticks, unticking one books one fewer, the book plans
off the GUI thread with a busy indicator and can be cancelled."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from desktop.app import AppContext
from desktop.services.customers import CustomerDraft, CustomerRecord
from desktop.services.scheduling.planner import Plan, PlanStopped
from desktop.views.sessions import plan_dialog
from desktop.views.sessions.plan_dialog import (
    CUSTOMER,
    KIND,
    LOCAL,
    REASON,
    WARNINGS,
    WHEN,
    PlanDialog,
)
from desktop.views.shell.main_window import MainWindow
from PySide6.QtCore import QDate, QDateTime, QSettings, Qt, QThreadPool, QTime
from pytestqt.qtbot import QtBot

from .booking import fixed_now, gold, silver


@pytest.fixture(autouse=True)
def no_worker_left() -> Iterator[None]:
    """A plan still running on the pool must not outlive the test's book."""
    yield
    QThreadPool.globalInstance().waitForDone(5000)


@pytest.fixture
def acme(context: AppContext) -> CustomerRecord:
    # Started a week before NOW: 8 onboarding hours to place, quarterly calls for a year.
    return gold(context, "Acme Logistics", start="2026-03-04")


def planned(qtbot: QtBot, context: AppContext, customers: list[CustomerRecord]) -> PlanDialog:
    dialog = PlanDialog(context, customers, fixed_now)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.is_planning(), timeout=5000)
    return dialog


def column(dialog: PlanDialog, which: int) -> list[str]:
    model = dialog.model
    return [model.index(row, which).data() for row in range(model.rowCount())]


def test_plan_lists_every_proposal_ticked(
    qtbot: QtBot, context: AppContext, acme: CustomerRecord
) -> None:
    dialog = planned(qtbot, context, [acme])
    rows = dialog.model.rowCount()
    kinds = column(dialog, KIND)
    assert kinds.count("Onboarding assistance") == 8
    # Quarterly from 4 Mar 2026: five periods start before 11 Mar 2027.
    assert kinds.count("Account-management call") == 5
    assert rows == 13 and len(dialog.model.chosen()) == rows
    assert dialog.book_button.text() == "Book 13 sessions"
    assert dialog.table.isColumnHidden(CUSTOMER), "one customer: no customer column"
    # Nothing before the lead time (one business day after NOW, Wed 11 Mar).
    assert column(dialog, WHEN)[:2] == [
        "Thu 12 Mar 2026, 11:00–12:00",
        "Tue 17 Mar 2026, 11:30–12:00",
    ]
    assert column(dialog, LOCAL)[0] == "10:00–11:00 Chicago"
    assert column(dialog, REASON)[0] == "onboarding 1 of 8 (60 min)"
    assert column(dialog, WARNINGS) == [""] * rows, "Chicago's own day holds every session"
    assert dialog.summary.text().startswith(
        "13 sessions proposed: 8 onboarding sessions, 5 account-management calls."
    )
    # Listed in date order, whatever order the planner found them in.
    starts = [p.times.start_utc for p in dialog.model.chosen()]
    assert starts == sorted(starts)


def test_unticking_one_books_the_others_in_one_go(
    qtbot: QtBot, context: AppContext, acme: CustomerRecord
) -> None:
    dialog = planned(qtbot, context, [acme])
    rows = dialog.model.rowCount()
    skipped = dialog.model.index(2, WHEN)
    assert dialog.model.setData(skipped, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert dialog.book_button.text() == f"Book {rows - 1} sessions"
    skipped_start = dialog.model.index(2, WHEN).data(Qt.ItemDataRole.UserRole + 1).times.start_utc
    with qtbot.waitSignal(dialog.sessions_booked) as booked:
        dialog.book_button.click()
    assert len(booked.args[0]) == rows - 1
    stored = context.scheduler.find(customer=acme)
    assert len(stored) == rows - 1
    assert skipped_start not in {s.start_utc for s in stored}
    assert all(s.status == "planned" and s.requested_utc == fixed_now() for s in stored)


def test_untick_all_leaves_nothing_to_book(
    qtbot: QtBot, context: AppContext, acme: CustomerRecord
) -> None:
    dialog = planned(qtbot, context, [acme])
    dialog.untick_all_button.click()
    assert dialog.book_button.text() == "Book 0 sessions"
    assert not dialog.book_button.isEnabled()
    dialog.tick_all_button.click()
    assert dialog.book_button.isEnabled()


def test_what_cannot_be_planned_is_noted(qtbot: QtBot, context: AppContext) -> None:
    # The onboarding window's last day is NOW's: 8 hours do not fit in what is left of it.
    late = gold(context, "Late Starter", start="2025-12-12")
    dialog = planned(qtbot, context, [late])
    assert dialog.notes.isVisible()
    assert "Late Starter: 8 onboarding hour(s) left but no business day" in dialog.notes.text()


def test_plan_year_from_the_customer_page_refreshes_it(
    qtbot: QtBot, context: AppContext, settings: QSettings, acme: CustomerRecord
) -> None:
    window = MainWindow(context, settings, now=fixed_now)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.customers_page.select_customer(acme.id)
    panel = window.customers_page.sessions
    panel.plan_button.click()
    dialog = window.findChild(PlanDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.is_planning(), timeout=5000)
    dialog.book_button.click()
    assert panel.model.rowCount() == 13
    assert panel.usage.texts()[0] == "Onboarding hours: 0 used · 8 scheduled · 0 left of 8"


def test_plan_the_book_runs_off_the_gui_thread_and_books_everyone(
    qtbot: QtBot, context: AppContext, settings: QSettings, acme: CustomerRecord
) -> None:
    other = silver(context)
    window = MainWindow(context, settings, now=fixed_now)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.plan_book_action.trigger()
    dialog = window.findChild(PlanDialog)
    assert dialog is not None
    # Right after the start: the busy page, a bar that fills customer by customer, a way out.
    assert dialog.pages.currentIndex() == 0
    assert (dialog.progress.minimum(), dialog.progress.maximum()) == (0, 2)
    assert dialog.stop_button.isVisible()
    qtbot.waitUntil(lambda: not dialog.is_planning(), timeout=5000)
    assert dialog.progress.value() == 2
    assert dialog.busy_label.text() == "Planning… 2 of 2 customers done"
    assert dialog.pages.currentIndex() == 1
    assert not dialog.table.isColumnHidden(CUSTOMER)
    assert set(column(dialog, CUSTOMER)) == {"Acme Logistics", "Brandt Logistik"}
    count = dialog.model.rowCount()
    dialog.book_button.click()
    booked = context.scheduler.find(customer=acme) + context.scheduler.find(customer=other)
    assert len(booked) == count
    assert window.notice.text() == f"Booked {count} sessions for 2 customers."
    # The notice's Undo takes the whole plan back in one step.
    assert window.notice.undo_button.isVisible()
    window.notice.undo_button.click()
    assert context.scheduler.find(customer=acme) + context.scheduler.find(customer=other) == []
    assert window.notice.text() == ""


def test_cancelling_a_running_plan_books_nothing(
    qtbot: QtBot, context: AppContext, acme: CustomerRecord
) -> None:
    dialog = PlanDialog(context, [acme], fixed_now)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start()
    dialog.stop_button.click()
    assert not dialog.isVisible()
    QThreadPool.globalInstance().waitForDone(5000)
    qtbot.wait(20)  # let a late answer arrive: it must be dropped
    assert dialog.model.rowCount() == 0
    assert context.scheduler.find(customer=acme) == []


def test_plan_table_model_passes_the_model_tester(
    qtbot: QtBot, qtmodeltester: object, context: AppContext, acme: CustomerRecord
) -> None:
    dialog = planned(qtbot, context, [acme])
    qtmodeltester.check(dialog.model)  # type: ignore[attr-defined]


def test_cancel_really_stops_the_planner_after_the_customer_in_hand(
    qtbot: QtBot, context: AppContext, acme: CustomerRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker is not left to finish: Cancel stops the job, whose progress callback,
    called by the planner after each customer, then raises PlanStopped."""
    customers = [acme, silver(context), gold(context, "Cobalt Works")]
    first_done = threading.Event()
    release = threading.Event()
    answers: list[bool] = []

    class SteppedPlanner:
        def __init__(self, _scheduler: object) -> None:
            pass

        def plan(self, planned: list[CustomerRecord], *_args: object, **kwargs: Any) -> Plan:
            progress = kwargs["progress"]
            answers.append(progress(1, len(planned)))
            first_done.set()
            release.wait(5)
            try:  # the stop raises from the progress callback (the planner's tick would too)
                answers.append(progress(2, len(planned)))
            except PlanStopped:
                answers.append(False)
                raise
            return Plan([], [])

    monkeypatch.setattr(plan_dialog, "Planner", SteppedPlanner)
    dialog = PlanDialog(context, customers, fixed_now)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start()
    assert first_done.wait(5)
    qtbot.waitUntil(lambda: dialog.progress.value() == 1, timeout=2000)
    assert dialog.busy_label.text() == "Planning… 1 of 3 customers done"
    dialog.stop_button.click()
    release.set()
    QThreadPool.globalInstance().waitForDone(5000)
    qtbot.waitUntil(lambda: dialog.stopped_early, timeout=2000)
    assert answers == [True, False], "the second customer was never planned"
    assert dialog.model.rowCount() == 0


def test_a_proposal_gets_another_time_checked_as_it_is_typed(
    qtbot: QtBot, context: AppContext, acme: CustomerRecord
) -> None:
    dialog = planned(qtbot, context, [acme])
    dialog.table.selectRow(0)  # onboarding 1 of 8, Thu 12 Mar 11:00 ET
    assert dialog.time_edit.isEnabled()
    assert dialog.time_edit.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-03-12 11:00"
    # 19:00 ET is outside the working hours: refused as typed, nothing to apply.
    dialog.time_edit.setDateTime(QDateTime(QDate(2026, 3, 12), QTime(19, 0)))
    assert dialog.change_message.text().startswith("Not allowed:")
    assert not dialog.change_button.isEnabled()
    # Over the second proposal (Tue 17 Mar 11:30, the cadence call): a conflict.
    dialog.time_edit.setDateTime(QDateTime(QDate(2026, 3, 17), QTime(11, 30)))
    assert "Overlaps" in dialog.change_message.text()
    # Over lunch: allowed by the contract, with the workload's warning.
    dialog.time_edit.setDateTime(QDateTime(QDate(2026, 3, 13), QTime(12, 0)))
    assert dialog.change_message.text().startswith("✓ The contract allows it.")
    assert "lunch" in dialog.change_message.text()
    dialog.time_edit.setDateTime(QDateTime(QDate(2026, 3, 13), QTime(14, 0)))
    assert dialog.change_button.isEnabled()
    dialog.change_button.click()
    assert column(dialog, WHEN)[0] == "Fri 13 Mar 2026, 14:00–15:00"
    with qtbot.waitSignal(dialog.sessions_booked):
        dialog.book_button.click()
    starts = {
        context.clock.et(s.start_utc).strftime("%Y-%m-%d %H:%M")
        for s in context.scheduler.find(customer=acme)
    }
    assert "2026-03-13 14:00" in starts and "2026-03-12 11:00" not in starts


def test_headers_sort_and_warnings_show_the_customers_clock(
    qtbot: QtBot, context: AppContext
) -> None:
    far = context.customers.add(
        CustomerDraft(
            name="Sakura Games",
            product="SpiraTeam",
            users="130",
            start="2026-03-04",
            package="gold",
            tz="Asia/Tokyo",
        )
    )
    near = gold(context, "Acme Logistics", start="2026-03-04")
    dialog = planned(qtbot, context, [far, near])
    warned = [
        row for row in range(dialog.model.rowCount()) if dialog.model.index(row, WARNINGS).data()
    ]
    assert warned, "Tokyo has no hour inside 08:00-18:00 in ET working hours"
    for row in warned:
        assert dialog.model.index(row, CUSTOMER).data() == "Sakura Games"
        assert dialog.model.index(row, LOCAL).data().startswith("⚠ ")
        assert "least-bad" in dialog.model.index(row, WARNINGS).data()
    dialog.table.sortByColumn(WHEN, Qt.SortOrder.AscendingOrder)
    starts = [
        dialog.model.index(r, WHEN).data(Qt.ItemDataRole.UserRole + 1).times.start_utc
        for r in range(dialog.model.rowCount())
    ]
    assert starts == sorted(starts)
    dialog.table.sortByColumn(WARNINGS, Qt.SortOrder.AscendingOrder)
    assert dialog.model.index(0, WARNINGS).data()
