"""The session editor: live contract check, next legal slot, override with a reason, saving."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from desktop.app import AppContext
from desktop.errors import BadInput
from desktop.services.scheduling.sessions import SessionRecord
from desktop.views.sessions.session_editor import SessionEditor
from PySide6.QtCore import QDate, QDateTime, QPoint, Qt, QTime
from pytestqt.qtbot import QtBot

from .booking import (
    book,
    choose_kind,
    fixed_now,
    gold,
    set_start,
    silver,
    wait_checked,
)


def open_editor(
    qtbot: QtBot, context: AppContext, customer=None, session: SessionRecord | None = None
) -> SessionEditor:
    editor = SessionEditor(context, customer, session, fixed_now)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def et(context: AppContext, session: SessionRecord) -> str:
    return f"{context.clock.et(session.start_utc):%Y-%m-%d %H:%M}"


def test_refusal_explained_then_next_slot_then_override_with_reason(
    qtbot: QtBot, context: AppContext
) -> None:
    """The issue's walk-through: refused and told why, take the slot offered, then book the
    refused time anyway as an exception, with a written reason that is kept."""
    customer = silver(context)
    editor = open_editor(qtbot, context, customer)
    choose_kind(editor, "screen-share")
    # Thu 12 Mar, asked on Wed 11 Mar: Silver needs two business days (by Tue 10 Mar 17:00).
    set_start(editor, 2026, 3, 12, 10)
    wait_checked(qtbot, editor, ["short-notice"])
    shown = editor.findings_list.texts()
    assert shown[0].startswith("short-notice: Silver screen-shares need 2 business days")
    assert "Fri 13 Mar 2026 or later" in shown[0]
    assert not editor.save_button.isEnabled()
    assert editor.override_box.isVisible()

    qtbot.mouseClick(editor.next_slot_button, Qt.MouseButton.LeftButton)
    assert editor.date_edit.date() == QDate(2026, 3, 13)
    assert editor.time_edit.time().toString("HH:mm") == "09:00"
    assert len(editor.slot_texts()) == 5
    assert editor.slot_texts()[0].startswith("Fri 13 Mar, 09:00–10:00 ET")
    assert editor.findings_list.texts()[0] == "Fits the contract."
    assert editor.save_button.isEnabled() and not editor.override_box.isVisible()
    with qtbot.waitSignal(editor.session_saved) as saved:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    first = saved.args[0]
    assert first.override_reason == "" and et(context, first) == "2026-03-13 09:00"

    editor = open_editor(qtbot, context, customer)
    choose_kind(editor, "screen-share")
    set_start(editor, 2026, 3, 12, 10)
    wait_checked(qtbot, editor, ["short-notice"])
    box = editor.override_check
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert editor.override_check.isChecked()
    assert not editor.save_button.isEnabled(), "no reason written yet"
    assert "reason" in editor.save_hint.text()
    qtbot.keyClicks(editor.reason_edit, "Go-live blocked; the customer's CTO asked")
    assert editor.save_button.isEnabled()
    with qtbot.waitSignal(editor.session_saved):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)

    stored = context.scheduler.find(customer=customer)
    assert [et(context, s) for s in stored] == ["2026-03-12 10:00", "2026-03-13 09:00"]
    assert stored[0].override_reason == "Go-live blocked; the customer's CTO asked"
    assert stored[0].kind == "screen-share" and stored[0].status == "planned"


def test_start_shows_beside_it_in_the_customers_own_zone(qtbot: QtBot, context: AppContext) -> None:
    # New York is already on daylight time, Berlin not yet: five hours apart, not six.
    editor = open_editor(qtbot, context, silver(context))
    set_start(editor, 2026, 3, 12, 10)
    assert editor.local_label.text() == "That is 15:00–16:00 in Europe/Berlin."
    set_start(editor, 2026, 3, 30, 10)
    assert editor.local_label.text() == "That is 16:00–17:00 in Europe/Berlin."


def test_only_the_kinds_of_the_contract_are_offered(qtbot: QtBot, context: AppContext) -> None:
    editor = open_editor(qtbot, context, silver(context))
    offered = [editor.kind_combo.itemData(i) for i in range(editor.kind_combo.count())]
    assert offered == ["onboarding", "cadence", "screen-share", "assistance"]
    assert editor.kind_combo.itemText(0) == context.policy.kind("onboarding").label


def test_time_steps_by_half_hours(qtbot: QtBot, context: AppContext) -> None:
    editor = open_editor(qtbot, context, silver(context))
    set_start(editor, 2026, 3, 16, 10)
    editor.time_edit.stepBy(1)
    assert editor.time_edit.time().toString("HH:mm") == "10:30"
    editor.time_edit.stepBy(-3)
    assert editor.time_edit.time().toString("HH:mm") == "09:00"


def test_late_evening_for_the_customer_is_an_amber_warning(
    qtbot: QtBot, context: AppContext
) -> None:
    editor = open_editor(qtbot, context, silver(context))
    choose_kind(editor, "onboarding")
    set_start(editor, 2026, 3, 16, 14)  # 19:00 in Berlin
    wait_checked(qtbot, editor, [])
    _, warnings = editor.findings()
    assert warnings == [
        "That is 19:00-20:00 on Mon 16 Mar 2026 in Europe/Berlin for Brandt Logistik."
    ]
    assert editor.findings_list.texts()[-1].startswith("local time: That is 19:00-20:00")
    assert editor.save_button.isEnabled(), "a warning never blocks"


def test_a_time_skipped_by_daylight_saving_is_explained(qtbot: QtBot, context: AppContext) -> None:
    editor = open_editor(qtbot, context, silver(context))
    set_start(editor, 2026, 3, 8, 2, 30)
    qtbot.waitUntil(lambda: not editor.check_pending())
    assert "does not exist" in editor.findings_list.texts()[0]
    assert not editor.save_button.isEnabled()


def test_round_table_invites_other_customers_and_their_contacts(
    qtbot: QtBot, context: AppContext
) -> None:
    host = gold(context, "Acme Logistics")
    guest = gold(context, "Borealis Health")
    silver(context)  # Silver has no round tables: never offered as a guest
    editor = open_editor(qtbot, context, host)
    assert not editor.others_list.isVisible()
    choose_kind(editor, "round-table")
    assert editor.others_list.isVisible()
    assert [editor.others_list.item(i).text() for i in range(editor.others_list.count())] == [
        "Borealis Health"
    ]
    editor.others_list.item(0).setCheckState(Qt.CheckState.Checked)
    attendees = [editor.attendees_list.item(i).text() for i in range(editor.attendees_list.count())]
    assert attendees == [
        "Acme Logistics: Pat Lee <pat@acme.example>",
        "Borealis Health: Pat Lee <pat@borealis.example>",
    ]
    set_start(editor, 2026, 3, 17, 11)
    wait_checked(qtbot, editor, [])
    with qtbot.waitSignal(editor.session_saved) as saved:
        editor.save()
    assert saved.args[0].customer_ids == (host.id, guest.id)


def test_event_plan_takes_a_last_day_instead_of_minutes(qtbot: QtBot, context: AppContext) -> None:
    customer = gold(context, "Acme Logistics")
    editor = open_editor(qtbot, context, customer)
    choose_kind(editor, "event-plan")
    assert editor.last_day_edit.isVisible() and not editor.minutes_spin.isVisible()
    assert editor.length_caption.text() == "Last day"
    editor.date_edit.setDate(QDate(2026, 3, 17))
    editor.last_day_edit.setDate(QDate(2026, 3, 18))
    editor.date_edit.setDate(QDate(2026, 3, 24))  # moving the first day keeps two days
    assert editor.last_day_edit.date() == QDate(2026, 3, 25)
    wait_checked(qtbot, editor, [])
    with qtbot.waitSignal(editor.session_saved) as saved:
        editor.save()
    session = saved.args[0]
    assert session.all_day
    assert context.clock.et_date(session.start_utc).isoformat() == "2026-03-24"
    assert session.end_utc - session.start_utc == timedelta(days=2)


def test_editing_changes_the_session_and_moving_it_is_a_new_request(
    qtbot: QtBot, context: AppContext
) -> None:
    customer = silver(context)
    session = book(context, customer, "assistance", "2026-03-18T10:00")
    editor = open_editor(qtbot, context, customer, session)
    assert editor.windowTitle() == "Edit session" and editor.save_button.text() == "Save changes"
    assert editor.kind() == "assistance" and editor.minutes_spin.value() == 60
    assert editor.requested_utc() == session.requested_utc
    wait_checked(qtbot, editor, [])  # its own slot is no conflict with itself
    editor.title_edit.setText("Reporting deep-dive")
    assert editor.requested_utc() == session.requested_utc, "a new title is no new request"
    editor.minutes_spin.setValue(90)
    assert editor.requested_utc() == fixed_now(), "a longer session is asked for now"
    editor.minutes_spin.setValue(60)
    assert editor.requested_utc() == session.requested_utc, "back as it was: as first asked"
    editor.minutes_spin.setValue(90)
    with qtbot.waitSignal(editor.session_saved):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    stored = context.scheduler.get(session.id)
    assert stored.minutes == 90 and stored.title == "Reporting deep-dive"
    assert stored.requested_utc == fixed_now()
    assert stored.sequence == session.sequence + 1


def test_a_failed_save_keeps_the_dialog_and_what_was_typed(
    qtbot: QtBot, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = silver(context)
    editor = open_editor(qtbot, context, customer)
    set_start(editor, 2026, 3, 16, 10)
    editor.title_edit.setText("Kick-off")
    wait_checked(qtbot, editor, [])

    def read_only(*_args: object, **_kwargs: object) -> None:
        raise BadInput("The book is read-only.")

    monkeypatch.setattr(context.scheduler, "book", read_only)
    with qtbot.assertNotEmitted(editor.session_saved):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.isVisible()
    assert editor.banner.isVisible() and "read-only" in editor.banner.text()
    assert editor.title_edit.text() == "Kick-off"
    assert context.scheduler.find(customer=customer) == []


def test_nothing_legal_in_reach_says_so(qtbot: QtBot, context: AppContext) -> None:
    customer = silver(context)
    # Silver: two screen-shares a month. March is full once two are booked.
    book(context, customer, "screen-share", "2026-03-16T10:00")
    book(context, customer, "screen-share", "2026-03-17T10:00")
    editor = open_editor(qtbot, context, customer)
    choose_kind(editor, "screen-share")
    set_start(editor, 2026, 3, 18, 10)
    wait_checked(qtbot, editor, ["monthly-quota"])
    editor.next_legal_slot()
    # April is the first month with room again.
    assert editor.date_edit.date() == QDate(2026, 4, 1)
    wait_checked(qtbot, editor, [])


def test_tab_goes_down_the_form_then_the_check_then_the_buttons(
    qtbot: QtBot, context: AppContext
) -> None:
    editor = open_editor(qtbot, context, silver(context))
    expected = editor.tab_chain()
    seen: list[object] = []
    widget = editor.customer_combo.nextInFocusChain()
    while widget is not editor.customer_combo and len(seen) < 500:
        if widget in expected and widget not in seen:
            seen.append(widget)
        widget = widget.nextInFocusChain()
    assert seen == expected[1:]


def test_the_editor_remembers_its_size(qtbot: QtBot, context: AppContext) -> None:
    customer = silver(context)
    first = open_editor(qtbot, context, customer)
    bigger = first.size() + first.size() / 8
    first.resize(bigger)
    first.reject()
    second = open_editor(qtbot, context, customer)
    assert second.size() == bigger


def test_from_the_dashboard_it_opens_on_a_kind_and_its_next_legal_slot(
    qtbot: QtBot, context: AppContext
) -> None:
    customer = silver(context)
    editor = SessionEditor(context, customer, None, fixed_now, kind="screen-share", find_slot=True)
    qtbot.addWidget(editor)
    assert editor.kind() == "screen-share"
    # Silver: two business days' notice from Wed 11 Mar 10:00, so Fri 13 Mar is the first day.
    assert editor.date_edit.date() == QDate(2026, 3, 13)
    assert editor.findings()[0] == []
    assert len(editor.slot_texts()) == 5


def test_an_event_plan_too_long_can_be_overridden(qtbot: QtBot, context: AppContext) -> None:
    customer = gold(context, "Acme Logistics")
    editor = open_editor(qtbot, context, customer)
    choose_kind(editor, "event-plan")
    editor.date_edit.setDate(QDate(2026, 5, 4))
    editor.last_day_edit.setDate(QDate(2026, 5, 22))  # 19 days; the policy says at most 14
    wait_checked(qtbot, editor, ["too-long"])
    assert editor.override_check.isEnabled()


def test_backdating_the_request_asks_for_a_reason_and_keeps_it(
    qtbot: QtBot, context: AppContext
) -> None:
    customer = silver(context)
    editor = open_editor(qtbot, context, customer)
    choose_kind(editor, "screen-share")
    editor.date_edit.setDate(QDate(2026, 3, 12))  # Thu: Silver needs two business days
    editor.time_edit.setTime(QTime(10, 0))
    wait_checked(qtbot, editor, ["short-notice"])
    # Claim the customer asked on Monday: the contract would allow it, but that is a claim
    # about the past, so it needs a reason like an override.
    editor.requested_edit.setDateTime(QDateTime(QDate(2026, 3, 9), QTime(10, 0)))
    wait_checked(qtbot, editor, [])
    assert not editor.save_button.isEnabled()
    assert "request time is in the past" in editor.save_hint.text()
    assert editor.override_box.isVisible()
    editor.override_check.setChecked(True)
    assert not editor.save_button.isEnabled()
    editor.reason_edit.setText("Asked by phone on Monday; logged late")
    assert editor.save_button.isEnabled()
    with qtbot.waitSignal(editor.session_saved) as saved:
        editor.save_button.click()
    record = saved.args[0]
    assert record.override_reason == "Asked by phone on Monday; logged late"
    [entry] = context.scheduler.audit_trail(record.id)
    details = json.loads(entry.details)
    assert details["override_reason"] == "Asked by phone on Monday; logged late"
    assert [v["rule"] for v in details["overridden"]] == ["short-notice"]


def test_a_past_request_that_changes_nothing_needs_no_reason(
    qtbot: QtBot, context: AppContext
) -> None:
    customer = silver(context)
    editor = open_editor(qtbot, context, customer)
    choose_kind(editor, "screen-share")
    editor.date_edit.setDate(QDate(2026, 3, 20))
    editor.time_edit.setTime(QTime(10, 0))
    editor.requested_edit.setDateTime(QDateTime(QDate(2026, 3, 9), QTime(10, 0)))
    wait_checked(qtbot, editor, [])
    assert editor.save_button.isEnabled()
    assert not editor.override_box.isVisible()
