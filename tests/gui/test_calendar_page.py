"""The Calendar page: navigation, booking by double-click, moving by drag (legal, illegal,
undo/redo), display zones, filters, holidays, busy time, month and agenda.

NOW is Wed 11 Mar 2026 10:00 ET (booking.py), the first week of daylight time in New York:
ET is UTC-4 while Berlin is still UTC+1 (five hours apart) and Tokyo UTC+9 (thirteen).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from desktop.app import AppContext
from desktop.services.changes import BookChange
from desktop.services.customers import CustomerDraft, CustomerRecord
from desktop.services.scheduling.ledger import Busy
from desktop.services.scheduling.sessions import BookingRequest, SessionRecord, SessionTimes
from desktop.views.calendar.calendar_page import CalendarPage
from desktop.views.calendar.calendar_style import CalendarColours, contrast
from desktop.views.sessions.session_editor import SessionEditor
from desktop.views.shell.undo import SessionActions
from desktop.views.theme import KIND_COLOURS
from PySide6.QtCore import QDate, QPoint, Qt, QTime
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from .booking import book, choose_kind, fixed_now, gold, silver, wait_checked
from .conftest import Dialogs

TUE, WED, THU = date(2026, 3, 17), date(2026, 3, 18), date(2026, 3, 19)


def open_page(
    qtbot: QtBot, context: AppContext, actions: SessionActions | None = None
) -> CalendarPage:
    page = CalendarPage(context, actions or SessionActions(context), fixed_now)
    qtbot.addWidget(page)
    page.resize(1280, 860)
    page.show()
    qtbot.waitExposed(page)
    return page


def tokyo(context: AppContext) -> CustomerRecord:
    return context.customers.add(
        CustomerDraft(
            name="Sakura Games",
            product="SpiraTest",
            users="30",
            start="2026-03-02",
            package="none",
            package_start="2026-03-02",
            tz="Asia/Tokyo",
            contacts="Yui Sato <yui@sakura.example>",
        )
    )


def et_start(context: AppContext, session: SessionRecord) -> str:
    return f"{context.clock.et(session.start_utc):%Y-%m-%d %H:%M}"


def drag(qtbot: QtBot, page: CalendarPage, start: QPoint, end: QPoint) -> None:
    """Press, move in two steps (past the drag distance), release: as a hand would."""
    grid = page.grid
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=start)
    middle = start + (end - start) / 2 + QPoint(QApplication.startDragDistance() + 1, 0)
    qtbot.mouseMove(grid, middle)
    qtbot.mouseMove(grid, end)
    qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=end)


def grab_point(page: CalendarPage, session: SessionRecord, day: date, at: time) -> QPoint:
    """A point inside the session's block, a few pixels below its start line."""
    return page.grid.point_for(day, at) + QPoint(0, 6)


def editor_of(qtbot: QtBot, page: CalendarPage) -> SessionEditor:
    found: list[SessionEditor] = []

    def opened() -> bool:
        found[:] = [e for e in page.findChildren(SessionEditor) if e.isVisible()]
        return bool(found)

    qtbot.waitUntil(opened, timeout=2000)
    return found[-1]


# --- navigation ---------------------------------------------------------------------------
def test_weeks_by_buttons_and_keys_title_follows_and_sessions_of_that_week_show(
    qtbot: QtBot, context: AppContext
) -> None:
    customer = silver(context)
    next_week = book(context, customer, "onboarding", "2026-03-17T10:00")
    week_after = book(context, customer, "onboarding", "2026-03-24T10:00")
    page = open_page(qtbot, context)
    assert page.view() == "week"
    assert page.title_label.text() == "9 – 15 Mar 2026"
    assert page.grid.session_rect(next_week.id) is None

    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    assert page.title_label.text() == "16 – 22 Mar 2026"
    assert page.grid.session_rect(next_week.id) is not None
    assert page.grid.session_rect(week_after.id) is None

    qtbot.keyClick(page.grid, Qt.Key.Key_Right)
    assert page.title_label.text() == "23 – 29 Mar 2026"
    assert page.grid.session_rect(week_after.id) is not None
    qtbot.keyClick(page.grid, Qt.Key.Key_PageUp)
    assert page.title_label.text() == "16 – 22 Mar 2026"
    qtbot.keyClick(page.grid, Qt.Key.Key_PageDown)
    qtbot.keyClick(page.grid, Qt.Key.Key_PageDown)
    assert page.title_label.text() == "30 Mar – 5 Apr 2026"
    qtbot.mouseClick(page.previous_button, Qt.MouseButton.LeftButton)
    assert page.title_label.text() == "23 – 29 Mar 2026"

    qtbot.keyClick(page.grid, Qt.Key.Key_T)
    assert page.title_label.text() == "9 – 15 Mar 2026", "T goes back to today's week"
    assert page.anchor() == date(2026, 3, 11)


def test_day_view_steps_by_a_day_and_month_view_by_a_month(
    qtbot: QtBot, context: AppContext
) -> None:
    page = open_page(qtbot, context)
    qtbot.mouseClick(page.view_buttons["day"], Qt.MouseButton.LeftButton)
    assert page.title_label.text() == "Wed 11 Mar 2026"
    qtbot.keyClick(page.grid, Qt.Key.Key_Right)
    assert page.title_label.text() == "Thu 12 Mar 2026"
    qtbot.keyClick(page.grid, Qt.Key.Key_Left)
    qtbot.keyClick(page.grid, Qt.Key.Key_Left)
    assert page.title_label.text() == "Tue 10 Mar 2026"

    qtbot.mouseClick(page.view_buttons["month"], Qt.MouseButton.LeftButton)
    assert page.title_label.text() == "March 2026"
    qtbot.keyClick(page.month_grid, Qt.Key.Key_PageDown)
    assert page.title_label.text() == "April 2026"
    qtbot.mouseClick(page.today_button, Qt.MouseButton.LeftButton)
    assert page.title_label.text() == "March 2026"
    assert page.visible_days()[0] == date(2026, 2, 23), "six weeks from the Monday before"


# --- booking by double-click -------------------------------------------------------------
def test_double_click_on_an_empty_slot_books_there(qtbot: QtBot, context: AppContext) -> None:
    customer = silver(context)
    actions = SessionActions(context)
    page = open_page(qtbot, context, actions)
    page.set_customer_filter(customer.id)
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    # 14:20 snaps down to the 14:00 slot.
    point = page.grid.point_for(TUE, time(14, 20))
    qtbot.mouseDClick(page.grid, Qt.MouseButton.LeftButton, pos=point)

    editor = editor_of(qtbot, page)
    assert editor.windowTitle() == "New session"
    assert editor.primary_customer() == customer
    assert editor.date_edit.date() == QDate(2026, 3, 17)
    assert editor.time_edit.time() == QTime(14, 0)
    choose_kind(editor, "screen-share")
    wait_checked(qtbot, editor, [])
    with qtbot.waitSignal(editor.session_saved) as saved:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)

    session = saved.args[0]
    assert et_start(context, session) == "2026-03-17 14:00"
    rect = page.grid.session_rect(session.id)
    assert rect is not None, "the new session is on the grid at once"
    assert abs(rect.top() - page.grid.point_for(TUE, time(14, 0)).y()) <= 3
    assert actions.stack.count() == 1, "the booking is undoable"


def test_double_click_in_a_customers_zone_books_that_customers_local_time(
    qtbot: QtBot, context: AppContext
) -> None:
    customer = silver(context)  # Berlin
    page = open_page(qtbot, context)
    page.set_zone(f"customer:{customer.id}")
    page.go_to(TUE)
    qtbot.mouseDClick(
        page.grid, Qt.MouseButton.LeftButton, pos=page.grid.point_for(TUE, time(15, 30))
    )
    editor = editor_of(qtbot, page)
    assert editor.primary_customer() == customer, "the customer whose clock is shown"
    assert editor.time_edit.time() == QTime(10, 30), "15:30 in Berlin is 10:30 ET"
    editor.reject()


# --- moving by drag ------------------------------------------------------------------------
def test_drag_to_a_legal_slot_saves_and_undo_redo_take_it_back_and_forth(
    qtbot: QtBot, context: AppContext
) -> None:
    customer = silver(context)
    session = book(context, customer, "onboarding", "2026-03-17T10:00")
    actions = SessionActions(context)
    page = open_page(qtbot, context, actions)
    page.go_to(TUE)
    start = grab_point(page, session, TUE, time(10, 0))
    end = start + page.grid.point_for(WED, time(14, 0)) - page.grid.point_for(TUE, time(10, 0))
    drag(qtbot, page, start, end)

    moved = context.scheduler.get(session.id)
    assert et_start(context, moved) == "2026-03-18 14:00"
    assert moved.minutes == 60
    assert moved.requested_utc == fixed_now(), "a move is a new request, made now"
    rect = page.grid.session_rect(session.id)
    assert rect is not None and rect.contains(page.grid.point_for(WED, time(14, 30)))
    assert page.notice.text().startswith("Moved Brandt Logistik onboarding assistance")

    stack = actions.stack
    assert stack.count() == 1 and stack.canUndo()
    stack.undo()
    assert et_start(context, context.scheduler.get(session.id)) == "2026-03-17 10:00"
    rect = page.grid.session_rect(session.id)
    assert rect is not None and rect.contains(page.grid.point_for(TUE, time(10, 30)))
    stack.redo()
    assert et_start(context, context.scheduler.get(session.id)) == "2026-03-18 14:00"


def test_drag_to_an_illegal_slot_snaps_back_and_says_which_rule(
    qtbot: QtBot, context: AppContext
) -> None:
    customer = silver(context)
    session = book(context, customer, "onboarding", "2026-03-17T10:00")
    actions = SessionActions(context)
    page = open_page(qtbot, context, actions)
    page.go_to(TUE)
    before = page.grid.session_rect(session.id)
    start = grab_point(page, session, TUE, time(10, 0))
    end = start + page.grid.point_for(TUE, time(17, 30)) - page.grid.point_for(TUE, time(10, 0))
    drag(qtbot, page, start, end)

    stored = context.scheduler.get(session.id)
    assert stored == session, "nothing changed in the store"
    assert actions.stack.count() == 0
    assert page.grid.session_rect(session.id) == before, "snapped back"
    text = page.notice.text()
    assert "Not moved" in text and "Tue 17 Mar 2026, 17:30–18:30 ET" in text
    assert "outside-working-hours" in text

    # The refused time goes to the editor, where the contract can be overridden.
    qtbot.mouseClick(page.notice.action_button, Qt.MouseButton.LeftButton)
    editor = editor_of(qtbot, page)
    assert editor.windowTitle() == "Edit session"
    assert editor.time_edit.time() == QTime(17, 30)
    wait_checked(qtbot, editor, ["outside-working-hours"])
    assert editor.override_box.isVisible()
    editor.reject()


def bottom_edge(page: CalendarPage, session: SessionRecord) -> QPoint:
    rect = page.grid.session_rect(session.id)
    assert rect is not None
    return QPoint(rect.center().x(), rect.bottom() - 2)


def test_dragging_the_bottom_edge_changes_the_length_and_undo_takes_it_back(
    qtbot: QtBot, context: AppContext
) -> None:
    customer = silver(context)
    session = book(context, customer, "onboarding", "2026-03-17T10:00")
    actions = SessionActions(context)
    page = open_page(qtbot, context, actions)
    page.go_to(TUE)
    edge = bottom_edge(page, session)
    end = QPoint(edge.x(), page.grid.point_for(TUE, time(11, 30)).y())
    drag(qtbot, page, edge, end)

    changed = context.scheduler.get(session.id)
    assert et_start(context, changed) == "2026-03-17 10:00", "the start stays put"
    assert changed.minutes == 90
    assert page.notice.text().startswith("Changed Brandt Logistik onboarding assistance")
    rect = page.grid.session_rect(session.id)
    assert rect is not None and rect.contains(page.grid.point_for(TUE, time(11, 15)))
    actions.stack.undo()
    assert context.scheduler.get(session.id).minutes == 60


def test_a_length_the_contract_refuses_snaps_back_with_the_rule(
    qtbot: QtBot, context: AppContext
) -> None:
    customer = silver(context)
    session = book(context, customer, "onboarding", "2026-03-17T16:00")
    actions = SessionActions(context)
    page = open_page(qtbot, context, actions)
    page.go_to(TUE)
    edge = bottom_edge(page, session)
    drag(qtbot, page, edge, QPoint(edge.x(), page.grid.point_for(TUE, time(18, 0)).y()))

    stored = context.scheduler.get(session.id)
    assert (stored.start_utc, stored.end_utc) == (session.start_utc, session.end_utc)
    assert actions.stack.count() == 0
    assert "outside-working-hours" in page.notice.text()


def test_the_keyboard_selects_opens_moves_and_cancels_a_session(
    qtbot: QtBot, context: AppContext, dialogs: Dialogs
) -> None:
    customer = silver(context)
    first = book(context, customer, "onboarding", "2026-03-17T10:00")
    second = book(context, customer, "onboarding", "2026-03-18T14:00")
    actions = SessionActions(context)
    page = open_page(qtbot, context, actions)
    page.go_to(TUE)
    grid = page.grid
    grid.setFocus()
    assert grid.selected is None and grid.accessibleName() == "Calendar"

    qtbot.keyClick(grid, Qt.Key.Key_Down)
    assert grid.selected is not None and grid.selected.id == first.id
    assert grid.accessibleName().startswith("Brandt Logistik")
    assert "Tue 17 Mar 2026" in grid.accessibleDescription()
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    assert grid.selected is not None and grid.selected.id == second.id
    qtbot.keyClick(grid, Qt.Key.Key_Up)
    assert grid.selected is not None and grid.selected.id == first.id

    qtbot.keyClick(grid, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert et_start(context, context.scheduler.get(first.id)) == "2026-03-17 10:30"
    qtbot.keyClick(grid, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    moved = context.scheduler.get(first.id)
    assert et_start(context, moved) == "2026-03-18 10:30" and moved.minutes == 60
    assert grid.selected is not None and grid.selected.id == first.id, "still selected"
    assert actions.stack.count() == 2, "each move is undoable"

    qtbot.keyClick(grid, Qt.Key.Key_Return)
    editor = editor_of(qtbot, page)
    assert editor.windowTitle() == "Edit session"
    editor.reject()

    dialogs.answer = False
    qtbot.keyClick(grid, Qt.Key.Key_Delete)
    assert context.scheduler.get(first.id).status == "planned", "asked, and the user said no"
    dialogs.answer = True
    qtbot.keyClick(grid, Qt.Key.Key_Delete)
    assert context.scheduler.get(first.id).status == "cancelled"
    assert [title for title, _ in dialogs.questions] == ["Cancel session"] * 2

    qtbot.keyClick(grid, Qt.Key.Key_Escape)
    assert grid.selected is None
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    assert page.anchor() > TUE, "without a selection the arrows still step weeks"


def test_a_click_opens_the_session_in_the_editor(qtbot: QtBot, context: AppContext) -> None:
    customer = silver(context)
    session = book(context, customer, "assistance", "2026-03-12T13:00", minutes=90)
    page = open_page(qtbot, context)
    rect = page.grid.session_rect(session.id)
    assert rect is not None
    qtbot.mouseClick(page.grid, Qt.MouseButton.LeftButton, pos=rect.center())
    editor = editor_of(qtbot, page)
    assert editor.windowTitle() == "Edit session"
    assert editor.kind() == "assistance" and editor.minutes_spin.value() == 90
    editor.reject()


def test_an_event_plan_is_in_the_all_day_row_and_moves_by_days(
    qtbot: QtBot, context: AppContext
) -> None:
    customer = gold(context, "Acme Logistics")
    clock = context.clock
    from desktop.services.business_time import to_utc
    from desktop.services.scheduling.sessions import BookingRequest, SessionTimes

    times = SessionTimes(
        to_utc(clock.midnight(TUE)), to_utc(clock.midnight(THU)), True
    )  # Tue and Wed
    plan = context.scheduler.book(
        BookingRequest((customer,), "event-plan", times, fixed_now())
    ).session
    page = open_page(qtbot, context)
    page.go_to(TUE)
    assert page.header.bar_texts() == ["Event plan · Acme Logistics"]
    assert page.grid.session_rect(plan.id) is None, "not in the time grid"
    bar = page.header.bar_rect(plan.id)
    assert bar is not None
    column = page.header.column_width()
    start = QPoint(bar.left() + 10, bar.center().y())
    end = start + QPoint(round(column), 0)
    qtbot.mousePress(page.header, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(page.header, start + QPoint(20, 0))
    qtbot.mouseMove(page.header, end)
    qtbot.mouseRelease(page.header, Qt.MouseButton.LeftButton, pos=end)
    moved = context.scheduler.get(plan.id)
    assert clock.et_date(moved.start_utc) == WED
    assert moved.end_utc - moved.start_utc == timedelta(days=2)


# --- display zones ------------------------------------------------------------------------
def test_a_customers_zone_relabels_and_moves_sessions_to_their_local_time(
    qtbot: QtBot, context: AppContext
) -> None:
    berlin = silver(context)
    far = tokyo(context)
    session = book(context, berlin, "onboarding", "2026-03-17T10:00")
    late = book(context, far, "onboarding", "2026-03-16T16:00")  # Tue 05:00 in Tokyo
    page = open_page(qtbot, context)
    page.go_to(TUE)
    grid = page.grid
    in_et = grid.session_rect(session.id)
    assert in_et is not None and abs(in_et.top() - grid.point_for(TUE, time(10, 0)).y()) <= 3

    page.set_zone(f"customer:{berlin.id}")
    assert page.display_zone().short == "Berlin"
    assert page.time_view.top_minutes() == 12 * 60, "ET's working day is 14:00-22:00 there"
    in_berlin = grid.session_rect(session.id)
    assert in_berlin is not None
    assert abs(in_berlin.top() - grid.point_for(TUE, time(15, 0)).y()) <= 3
    assert in_berlin.top() > in_et.top()

    page.set_zone(f"customer:{far.id}")
    rect = grid.session_rect(late.id)
    assert rect is not None, "Monday 16:00 ET is Tuesday 05:00 in Tokyo"
    assert rect.contains(grid.point_for(TUE, time(5, 30)))
    assert not rect.contains(grid.point_for(date(2026, 3, 16), time(5, 30)))

    page.set_zone("et")
    assert grid.session_rect(session.id) == in_et


# --- filters --------------------------------------------------------------------------------
def test_filters_by_customer_kind_package_and_search_hide_sessions(
    qtbot: QtBot, context: AppContext
) -> None:
    brandt = silver(context)
    acme = gold(context, "Acme Logistics")
    onboarding = book(context, brandt, "onboarding", "2026-03-17T10:00")
    share = book(context, acme, "screen-share", "2026-03-18T11:00")
    call = book(context, acme, "cadence", "2026-03-19T15:00")
    page = open_page(qtbot, context)
    page.go_to(TUE)

    def shown() -> set[int]:
        return {
            s for s in (onboarding.id, share.id, call.id) if page.grid.session_rect(s) is not None
        }

    assert shown() == {onboarding.id, share.id, call.id}
    page.customer_combo.setCurrentIndex(page.customer_combo.findText("Acme Logistics"))
    assert shown() == {share.id, call.id}
    page.set_customer_filter(None)

    page.kind_actions["screen-share"].trigger()
    assert shown() == {share.id}
    assert page.kind_button.text() == "Screen-share"
    page.kind_actions["onboarding"].trigger()
    assert shown() == {share.id, onboarding.id}
    assert page.kind_button.text() == "2 kinds"
    page.set_kind_filter([])

    page.package_actions["silver"].trigger()
    assert shown() == {onboarding.id}
    page.set_package_filter([])

    qtbot.keyClicks(page.search, "screen acme")
    qtbot.waitUntil(lambda: shown() == {share.id}, timeout=2000)
    page.search.clear()
    qtbot.waitUntil(lambda: len(shown()) == 3, timeout=2000)

    page.set_kind_filter(["product-team"])
    assert shown() == set()
    assert page.grid.hint() == "No sessions match the filters this week."


# --- what the grid shows --------------------------------------------------------------------
def test_holidays_show_their_name_in_every_view(qtbot: QtBot, context: AppContext) -> None:
    page = open_page(qtbot, context)
    memorial = date(2026, 5, 25)
    page.go_to(memorial)
    assert page.header.caption(memorial) == "Mon 25 · Memorial Day"
    assert page.header.caption(memorial + timedelta(days=1)) == "Tue 26"
    page.set_view("month")
    assert page.month_grid.caption(memorial) == "25 · Memorial Day"
    page.set_view("agenda")
    assert "Monday 25 May 2026 · Memorial Day" in page.agenda.texts()


def test_busy_time_is_drawn_where_it_is(qtbot: QtBot, context: AppContext) -> None:
    clock = context.clock
    context.scheduler.add_busy(
        [
            Busy(clock.parse("2026-03-12T12:00"), clock.parse("2026-03-12T13:30"), "Team lunch"),
            Busy(clock.parse("2026-03-13T00:00"), clock.parse("2026-03-14T00:00"), "Offsite", True),
        ]
    )
    page = open_page(qtbot, context)
    rects = page.grid.busy_rects()
    assert [summary for _rect, summary in rects] == ["Team lunch"]
    rect = rects[0][0]
    thursday = date(2026, 3, 12)
    assert rect.contains(page.grid.point_for(thursday, time(12, 30)))
    assert not rect.contains(page.grid.point_for(thursday, time(13, 45)))
    assert page.header.bar_texts() == ["Offsite"], "all-day busy time in the all-day row"
    page.set_view("agenda")
    assert any("Team lunch" in row and "Busy" in row for row in page.agenda.texts())


def test_an_empty_week_shows_the_grid_and_a_hint(qtbot: QtBot, context: AppContext) -> None:
    silver(context)
    page = open_page(qtbot, context)
    assert page.grid.hint().startswith("Nothing planned this week")
    assert page.summary_label.text() == "0 sessions"
    assert page.grid.isVisible() and page.header.caption(date(2026, 3, 11)) == "Wed 11"
    assert page.time_view.top_minutes() == 7 * 60, "07:00-19:00 in view at first"
    assert page.grid.hour_height * 12 <= page.time_view.scroll_area.viewport().height() + 1


def test_overlapping_sessions_sit_side_by_side(qtbot: QtBot, context: AppContext) -> None:
    brandt = silver(context)
    acme = gold(context, "Acme Logistics")
    first = book(context, brandt, "onboarding", "2026-03-17T10:00")
    clock = context.clock
    from desktop.services.scheduling.sessions import BookingRequest, SessionTimes

    start = clock.parse("2026-03-17T10:30")
    second = context.scheduler.book(
        BookingRequest(
            (acme,),
            "onboarding",
            SessionTimes(start, start + timedelta(hours=1), False),
            datetime(2026, 3, 1, tzinfo=UTC),
            override_reason="Both managers attend",
        )
    ).session
    page = open_page(qtbot, context)
    page.go_to(TUE)
    left, right = page.grid.session_rect(first.id), page.grid.session_rect(second.id)
    assert left is not None and right is not None
    assert left.right() < right.left(), "side by side, not on top of each other"
    assert abs(left.width() - right.width()) <= 1


# --- month and agenda -----------------------------------------------------------------------
def test_month_shows_chips_and_more_opens_the_day(qtbot: QtBot, context: AppContext) -> None:
    customer = silver(context)
    sessions = [
        book(context, customer, "onboarding", f"2026-03-17T{hour:02d}:00", billable=True)
        for hour in range(9, 17)
    ]
    page = open_page(qtbot, context)
    page.resize(1100, 700)
    page.set_view("month")
    month = page.month_grid
    shown = month.shown_sessions(TUE)
    assert shown and shown == [s.id for s in sessions[: len(shown)]], "earliest first"
    assert month.hidden_count(TUE) == len(sessions) - len(shown) > 0
    more = month.more_rect(TUE)
    assert more is not None
    qtbot.mouseClick(month, Qt.MouseButton.LeftButton, pos=more.center())
    assert page.view() == "day" and page.title_label.text() == "Tue 17 Mar 2026"
    assert all(page.grid.session_rect(s.id) is not None for s in sessions)


def test_month_drag_moves_a_session_to_another_day_at_the_same_time(
    qtbot: QtBot, context: AppContext
) -> None:
    customer = silver(context)
    session = book(context, customer, "onboarding", "2026-03-17T10:00")
    page = open_page(qtbot, context)
    page.set_view("month")
    month = page.month_grid
    chip = month.session_rect(session.id)
    assert chip is not None
    target = month.point_for(THU)
    qtbot.mousePress(month, Qt.MouseButton.LeftButton, pos=chip.center())
    qtbot.mouseMove(month, chip.center() + QPoint(20, 0))
    qtbot.mouseMove(month, target)
    qtbot.mouseRelease(month, Qt.MouseButton.LeftButton, pos=target)
    assert et_start(context, context.scheduler.get(session.id)) == "2026-03-19 10:00"
    assert month.shown_sessions(THU) == [session.id]


def test_agenda_lists_by_day_and_opens_a_session(qtbot: QtBot, context: AppContext) -> None:
    customer = silver(context)
    first = book(context, customer, "onboarding", "2026-03-12T10:00")
    book(context, customer, "assistance", "2026-03-17T14:00", minutes=30)
    page = open_page(qtbot, context)
    qtbot.keyClick(page.grid, Qt.Key.Key_A)
    assert page.view() == "agenda"
    assert page.title_label.text() == "9 – 22 Mar 2026"
    assert page.agenda.texts() == [
        "Thursday 12 March 2026",
        "10:00–11:00 ET | Brandt Logistik | Onboarding assistance",
        "Tuesday 17 March 2026",
        "14:00–14:30 ET | Brandt Logistik | Premium assistance",
    ]
    item = page.agenda.topLevelItem(1)
    assert item is not None
    page.agenda.itemActivated.emit(item, 0)
    editor = editor_of(qtbot, page)
    assert editor.windowTitle() == "Edit session"
    assert editor.date_edit.date() == QDate(2026, 3, 12)
    editor.reject()
    assert page.agenda.session_ids()[0] == first.id


def test_a_done_session_opens_as_details_only(
    qtbot: QtBot, context: AppContext, dialogs: Dialogs
) -> None:
    customer = silver(context)
    session = book(context, customer, "onboarding", "2026-03-10T10:00")
    context.scheduler.set_status(session.id, "done", now=fixed_now())
    page = open_page(qtbot, context)
    page.open_session(session.id)
    assert dialogs.infos and "can no longer be moved" in dialogs.infos[0][1]
    assert not page.findChildren(SessionEditor)


@pytest.fixture
def dark_palette(qapp: QApplication) -> Iterator[QPalette]:
    """The application in a dark palette for one test, as a dark desktop theme sets it."""
    before = QPalette(qapp.palette())
    palette = QPalette(before)
    for role, colour in (
        (QPalette.ColorRole.Window, "#1f2227"),
        (QPalette.ColorRole.Base, "#17191d"),
        (QPalette.ColorRole.AlternateBase, "#22252b"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
        (QPalette.ColorRole.Button, "#2a2d33"),
        (QPalette.ColorRole.ButtonText, "#e6e6e6"),
        (QPalette.ColorRole.PlaceholderText, "#9aa0a8"),
    ):
        palette.setColor(role, QColor(colour))
    qapp.setPalette(palette)
    yield palette
    qapp.setPalette(before)


@pytest.mark.parametrize("view", ["day", "week", "month", "agenda"])
def test_every_view_follows_a_dark_palette(
    qtbot: QtBot, context: AppContext, dark_palette: QPalette, view: str
) -> None:
    customer = silver(context)
    book(context, customer, "onboarding", "2026-03-11T13:00")
    page = open_page(qtbot, context)
    page.set_view(view)
    image = page.grab().toImage()
    # Near the foot of the calendar: its background, drawn from the palette.
    background = image.pixelColor(image.width() // 2, image.height() - 40)
    assert background.lightness() < 60
    colours = CalendarColours(dark_palette)
    look = colours.kind("onboarding")
    assert contrast(look.text, look.fill) >= 4.5, "session text stays readable"


def test_each_kind_has_its_colour_and_readable_text_in_light_and_dark(
    qapp: QApplication, context: AppContext
) -> None:
    assert set(KIND_COLOURS) == set(context.policy.kinds)
    light = QPalette()
    light.setColor(QPalette.ColorRole.Window, QColor("#efefef"))
    light.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    light.setColor(QPalette.ColorRole.Text, QColor("#000000"))
    dark = QPalette(light)
    dark.setColor(QPalette.ColorRole.Window, QColor("#1f2227"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#17191d"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    for palette in (light, dark):
        colours = CalendarColours(palette)
        fills = set()
        for kind in KIND_COLOURS:
            look = colours.kind(kind)
            assert contrast(look.text, look.fill) >= 4.5, kind
            fills.add(look.fill.name())
        assert len(fills) == len(KIND_COLOURS), "no two kinds look alike"


def test_a_session_under_busy_time_is_marked_as_a_clash(qtbot: QtBot, context: AppContext) -> None:
    customer = gold(context, "Acme Logistics")
    under = book(context, customer, "onboarding", "2026-03-12T10:00")
    free = book(context, customer, "onboarding", "2026-03-12T14:00")
    clock = context.clock
    context.scheduler.add_busy(
        [Busy(clock.parse("2026-03-12T09:30"), clock.parse("2026-03-12T10:30"), "Dentist")]
    )
    page = open_page(qtbot, context)
    assert page.grid.clashing() == [under.id]
    assert page.grid.block_texts(under.id)[0].startswith("⚠ ")
    assert not page.grid.block_texts(free.id)[0].startswith("⚠ ")
    # Drawn in red where anyone looks: the block's top-right corner.
    rect = page.grid.session_rect(under.id)
    assert rect is not None
    image = page.grid.grab().toImage()
    corner = image.pixelColor(rect.right() - 3, rect.top() + 3)
    assert corner.red() > 180 and corner.green() < 90, corner.name()
    other = page.grid.session_rect(free.id)
    assert other is not None
    assert image.pixelColor(other.right() - 3, other.top() + 3).name() != corner.name()


def test_a_plan_booked_before_the_calendar_was_first_opened_shows_there(
    qtbot: QtBot, context: AppContext
) -> None:
    """The window starts on another page; sessions booked meanwhile show on first opening."""
    customer = silver(context)
    actions = SessionActions(context)
    page = CalendarPage(context, actions, fixed_now)
    qtbot.addWidget(page)
    page.resize(1280, 860)
    page.go_to(TUE)  # read while hidden, before anything was booked
    start_utc = context.clock.parse("2026-03-17T10:00")
    times = SessionTimes(start_utc, start_utc + timedelta(minutes=60), False)
    actions.book_plan(
        [BookingRequest((customer,), "onboarding", times, start_utc - timedelta(days=14))]
    )
    page.show()
    qtbot.waitExposed(page)
    assert [s.customers for s in page.shown_sessions()] == [("Brandt Logistik",)]


def test_a_drag_outside_the_customers_day_moves_and_the_notice_says_so(
    qtbot: QtBot, context: AppContext
) -> None:
    """13:00 ET is inside ET working hours but 18:00-19:00 in Berlin: the contract allows it,
    and the notice after "Moved ..." carries the customer-clock warning."""
    customer = silver(context)
    session = book(context, customer, "onboarding", "2026-03-17T10:00")
    actions = SessionActions(context)
    page = open_page(qtbot, context, actions)
    page.go_to(TUE)
    start = grab_point(page, session, TUE, time(10, 0))
    end = start + page.grid.point_for(TUE, time(13, 0)) - page.grid.point_for(TUE, time(10, 0))
    drag(qtbot, page, start, end)

    assert et_start(context, context.scheduler.get(session.id)) == "2026-03-17 13:00"
    text = page.notice.text()
    assert text.startswith("Moved Brandt Logistik onboarding assistance")
    assert "18:00-19:00" in text and "Europe/Berlin" in text

    # The keyboard's nudge says it too.
    page.grid.setFocus()
    page.grid.select(session.id)
    qtbot.keyClick(page.grid, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert et_start(context, context.scheduler.get(session.id)) == "2026-03-17 13:30"
    assert "18:30-19:30" in page.notice.text()


def test_a_hidden_calendar_reads_nothing_on_a_change_and_once_when_shown(
    qtbot: QtBot, context: AppContext
) -> None:
    customer = silver(context)
    actions = SessionActions(context)
    page = open_page(qtbot, context, actions)
    page.go_to(TUE)
    qtbot.waitUntil(lambda: not page.reading_ahead())
    page.hide()
    reads = page.ranges.reads
    for hour in (10, 12, 14):
        book_through(actions, customer, context, f"2026-03-17T{hour}:00")
    qtbot.wait(20)
    assert page.ranges.reads == reads, "a hidden calendar does not read"

    page.show()
    qtbot.waitExposed(page)
    assert page.ranges.reads == reads + 1, "read once when shown"
    assert len(page.shown_sessions()) == 3


def test_changes_in_one_turn_are_read_once(qtbot: QtBot, context: AppContext) -> None:
    """Several changes heard in one turn of the event loop (an import, a colleague's changes
    seen by polling) forget what was read and read the shown period once."""
    customer = silver(context)
    actions = SessionActions(context)
    page = open_page(qtbot, context, actions)
    page.go_to(TUE)
    reads = page.ranges.reads
    for hour in (10, 12, 14):
        book(context, customer, "onboarding", f"2026-03-17T{hour}:00")
        actions.sessions_changed.emit(BookChange(everything=True))
    assert page.shown_sessions() == [], "not yet: the turn is not over"
    qtbot.waitUntil(lambda: len(page.shown_sessions()) == 3)
    qtbot.wait(20)
    assert page.ranges.reads == reads + 1


def book_through(
    actions: SessionActions, customer: CustomerRecord, context: AppContext, start_et: str
) -> None:
    start_utc = context.clock.parse(start_et)
    times = SessionTimes(start_utc, start_utc + timedelta(minutes=60), False)
    actions.book(BookingRequest((customer,), "onboarding", times, start_utc - timedelta(days=14)))
