"""Calendar files from the GUI: invites and cancellations, calendar exports, importing the
manager's own calendar as busy time (off the GUI thread, with a Cancel that saves nothing)
and clearing it. File dialogs are replaced at the class; modal dialogs are driven by timers.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import icalendar
import pytest
from desktop.app import AppContext
from desktop.services.customers import CustomerDraft, CustomerRecord
from desktop.services.profile import ProfileStore
from desktop.views.calendar_files import calendar_files_ui as ui
from desktop.views.calendar_files.calendar_files_ui import (
    ExportCalendarDialog,
    ProfileDialog,
    WorkProgress,
    clear_busy_time,
    export_calendar,
    import_my_calendar,
    send_invite,
)
from desktop.views.widgets import messages
from desktop.views.widgets.background import Job
from PySide6.QtCore import QDate, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from .booking import book
from .conftest import Dialogs

TODAY = date(2026, 3, 11)
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ics"
W = TypeVar("W", bound=QWidget)
REAL_SHOW_SAVED = ui.show_saved


# --- fixtures and helpers ---------------------------------------------------------------------
@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@dataclass
class Saved:
    """What `show_saved` was asked to say."""

    shown: list[tuple[str, str, Path]] = field(default_factory=list)


@pytest.fixture(autouse=True)
def saved(monkeypatch: pytest.MonkeyPatch) -> Saved:
    seen = Saved()
    monkeypatch.setattr(
        ui, "show_saved", lambda _p, title, text, path: seen.shown.append((title, text, path))
    )
    return seen


@dataclass
class FileDialogs:
    """Answers the static QFileDialog calls and records what they were asked."""

    save_answer: Path | None = None
    open_answer: Path | None = None
    save_asked: list[tuple[str, str, str]] = field(default_factory=list)
    open_asked: list[tuple[str, str, str]] = field(default_factory=list)


@pytest.fixture(autouse=True)
def files(monkeypatch: pytest.MonkeyPatch) -> FileDialogs:
    seen = FileDialogs()

    def save(_parent: object, title: str, where: str, filters: str, *_: Any) -> tuple[str, str]:
        seen.save_asked.append((title, where, filters))
        return (str(seen.save_answer) if seen.save_answer else "", filters)

    def open_(_parent: object, title: str, where: str, filters: str, *_: Any) -> tuple[str, str]:
        seen.open_asked.append((title, where, filters))
        return (str(seen.open_answer) if seen.open_answer else "", filters)

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(open_))
    return seen


def when(
    condition: Callable[[], Any], action: Callable[[Any], None], timeout: float = 20.0
) -> None:
    """Once `condition()` is truthy, call `action` with it, from the event loop.

    The functions under test run modal loops; this is how a test acts inside them.
    """
    deadline = time.monotonic() + timeout

    def poll() -> None:
        found = condition()
        if found:
            action(found)
        elif time.monotonic() < deadline:
            QTimer.singleShot(10, poll)
        else:
            raise AssertionError("the awaited dialog never showed")

    QTimer.singleShot(0, poll)


def to_the_end(action: Callable[..., Job | None], *args: Any, **kwargs: Any) -> Any:
    """Start a calendar action and run the event loop until its background job has ended:
    what the action handed to `on_done`, or None (nothing started, stopped or failed)."""
    results: list[Any] = []
    job = action(*args, on_done=results.append, **kwargs)
    if job is None:
        return None
    ended: list[bool] = []
    job.ended.connect(lambda: ended.append(True))
    deadline = time.monotonic() + 30
    while not ended:
        assert time.monotonic() < deadline, "the calendar job never ended"
        QTest.qWait(10)
    return results[0] if results else None


def shown(kind: type[W]) -> Callable[[], W | None]:
    def find() -> W | None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, kind) and widget.isVisible():
                return widget
        return None

    return find


def customer(
    context: AppContext,
    name: str = "Acme Logistics",
    contacts: str = "Dana Whitfield <dana@acme.example>; Raj Patel <raj@acme.example>",
) -> CustomerRecord:
    return context.customers.add(
        CustomerDraft(
            name=name,
            product="SpiraPlan",
            users="120",
            start="2026-03-02",
            package="gold",
            package_start="2026-03-02",
            tz="America/Chicago",
            contacts=contacts,
        )
    )


def parse(path: Path) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(path.read_bytes())


def attendees(event: icalendar.cal.Component) -> list[str]:
    found = event.get("ATTENDEE", [])
    found = found if isinstance(found, list) else [found]
    return sorted(str(a).removeprefix("mailto:") for a in found)


def outlook_file(folder: Path) -> Path:
    """A small Outlook export: 3 busy meetings, one free, one cancelled (Windows zone names)."""
    events = [
        ("m1", "20260316T090000", "20260316T100000", "Team meeting", ""),
        ("m2", "20260317T140000", "20260317T153000", "Dentist", ""),
        ("m3", "20260318T110000", "20260318T120000", "1:1 with Sam", ""),
        (
            "m4",
            "20260319T090000",
            "20260319T100000",
            "Focus time",
            "X-MICROSOFT-CDO-BUSYSTATUS:FREE",
        ),
        ("m5", "20260320T090000", "20260320T100000", "Old review", "STATUS:CANCELLED"),
    ]
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
        "VERSION:2.0",
        "METHOD:PUBLISH",
        "BEGIN:VTIMEZONE",
        "TZID:Eastern Standard Time",
        "BEGIN:STANDARD",
        "DTSTART:16011104T020000",
        "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11",
        "TZOFFSETFROM:-0400",
        "TZOFFSETTO:-0500",
        "END:STANDARD",
        "BEGIN:DAYLIGHT",
        "DTSTART:16010311T020000",
        "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3",
        "TZOFFSETFROM:-0500",
        "TZOFFSETTO:-0400",
        "END:DAYLIGHT",
        "END:VTIMEZONE",
    ]
    for uid, start, end, summary, extra in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}@outlook.example",
            "DTSTAMP:20260301T000000Z",
            f'DTSTART;TZID="Eastern Standard Time":{start}',
            f'DTEND;TZID="Eastern Standard Time":{end}',
            f"SUMMARY:{summary}",
            *([extra] if extra else []),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    path = folder / "outlook.ics"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


def big_file(folder: Path, count: int = 20_000) -> Path:
    """`count` half-hour meetings, twenty a day, all inside the import window."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//big//test//EN"]
    first = datetime(2026, 1, 5, 12, 0)
    for number in range(count):
        start = first + timedelta(days=number // 20, minutes=30 * (number % 20))
        end = start + timedelta(minutes=30)
        lines += [
            "BEGIN:VEVENT",
            f"UID:big{number}@example.org",
            "DTSTAMP:20260101T000000Z",
            f"DTSTART:{start:%Y%m%dT%H%M%S}Z",
            f"DTEND:{end:%Y%m%dT%H%M%S}Z",
            f"SUMMARY:Meeting {number}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    path = folder / "big.ics"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


def busy(context: AppContext) -> list[tuple[datetime, datetime, str]]:
    return [(b.start_utc, b.end_utc, b.summary) for b in context.scheduler.busy_blocks()]


# --- 1. invites -------------------------------------------------------------------------------
def test_an_invite_is_written_for_the_contacts(
    parent: QWidget, context: AppContext, files: FileDialogs, saved: Saved, tmp_path: Path
) -> None:
    ProfileStore().set_identity("Dana Manager", "dana.manager@inflectra.example")
    acme = customer(context)
    session = book(context, acme, "screen-share", "2026-03-17T10:00")
    files.save_answer = tmp_path / "out" / "invite"  # no suffix typed: .ics is added
    files.save_answer.parent.mkdir()

    path = send_invite(parent, context, session.id)

    assert path == tmp_path / "out" / "invite.ics"
    title, where, filters = files.save_asked[0]
    assert (title, filters) == ("Save the invite", "Calendar files (*.ics)")
    assert Path(where).name == "Acme Logistics - Screen-share 2026-03-17.ics"
    calendar = parse(path)
    assert str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert attendees(event) == ["dana@acme.example", "raj@acme.example"]
    assert str(event["ORGANIZER"]) == "mailto:dana.manager@inflectra.example"
    [(title, text, where_saved)] = saved.shown
    assert title == "Invite saved" and where_saved == path
    assert text.startswith(
        "Invite for 2 contacts (Dana Whitfield and Raj Patel): Screen-share, "
        "Tue 17 Mar 2026, 10:00–11:00 ET."
    )
    assert "Attach it to an e-mail, or open it in Outlook" in text


def test_the_folder_of_the_last_save_is_offered_next_time(
    parent: QWidget, context: AppContext, files: FileDialogs, tmp_path: Path
) -> None:
    ProfileStore().set_identity("Dana Manager", "dana.manager@inflectra.example")
    acme = customer(context)
    first = book(context, acme, "screen-share", "2026-03-17T10:00")
    second = book(context, acme, "screen-share", "2026-03-19T10:00")
    folder = tmp_path / "invites"
    folder.mkdir()
    files.save_answer = folder / "first.ics"
    assert send_invite(parent, context, first.id) == folder / "first.ics"
    files.save_answer = None  # the user cancels the second save dialog
    assert send_invite(parent, context, second.id) is None
    assert Path(files.save_asked[1][1]) == folder / "Acme Logistics - Screen-share 2026-03-19.ics"
    assert not (folder / "Acme Logistics - Screen-share 2026-03-19.ics").exists()


def test_a_cancelled_session_gives_the_cancellation(
    parent: QWidget, context: AppContext, files: FileDialogs, saved: Saved, tmp_path: Path
) -> None:
    ProfileStore().set_identity("Dana Manager", "dana.manager@inflectra.example")
    acme = customer(context)
    session = book(context, acme, "screen-share", "2026-03-17T10:00")
    context.scheduler.set_status(session.id, "cancelled")
    files.save_answer = tmp_path / "cancel.ics"

    path = send_invite(parent, context, session.id)

    assert path is not None
    assert files.save_asked[0][0] == "Save the cancellation"
    assert Path(files.save_asked[0][1]).name == (
        "Acme Logistics - Screen-share 2026-03-17 cancellation.ics"
    )
    calendar = parse(path)
    assert str(calendar["METHOD"]) == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert attendees(event) == ["dana@acme.example", "raj@acme.example"]
    [(title, text, _)] = saved.shown
    assert title == "Cancellation saved"
    assert text.startswith("Cancellation for 2 contacts")
    assert "takes it out of their calendars" in text


def test_without_a_profile_the_name_and_email_are_asked_first(
    parent: QWidget, context: AppContext, files: FileDialogs, saved: Saved, tmp_path: Path
) -> None:
    acme = customer(context)
    session = book(context, acme, "screen-share", "2026-03-17T10:00")
    files.save_answer = tmp_path / "invite.ics"
    steps: list[str] = []

    def fill(dialog: ProfileDialog) -> None:
        assert not dialog.ok_button.isEnabled(), "nothing typed yet"
        dialog.name_edit.setText("Dana Manager")
        dialog.email_edit.setText("dana.manager@")
        dialog.ok_button.click()  # refused by the service: the dialog stays, the field says why
        assert dialog.isVisible()
        assert dialog.email_message.is_error()
        steps.append(dialog.email_message.text())
        dialog.email_edit.setText("dana.manager@inflectra.example")
        assert not dialog.email_message.is_error()
        dialog.ok_button.click()

    when(shown(ProfileDialog), fill)
    path = send_invite(parent, context, session.id)

    assert steps == ["'dana.manager@' is not an e-mail address."]
    assert context.profiles.identity() == ("Dana Manager", "dana.manager@inflectra.example")
    assert path == tmp_path / "invite.ics"
    [event] = parse(path).walk("VEVENT")
    assert str(event["ORGANIZER"]) == "mailto:dana.manager@inflectra.example"
    assert saved.shown[0][0] == "Invite saved"


def test_closing_the_profile_dialog_writes_nothing(
    parent: QWidget, context: AppContext, files: FileDialogs, saved: Saved
) -> None:
    acme = customer(context)
    session = book(context, acme, "screen-share", "2026-03-17T10:00")
    when(shown(ProfileDialog), lambda dialog: dialog.reject())
    assert send_invite(parent, context, session.id) is None
    assert files.save_asked == [] and saved.shown == []
    assert context.profiles.identity() == ("", "")


def test_a_customer_without_contacts_is_told_in_plain_words(
    parent: QWidget, context: AppContext, files: FileDialogs, dialogs: Dialogs
) -> None:
    lonely = customer(context, "Brandt Logistik", contacts="")
    session = book(context, lonely, "screen-share", "2026-03-17T10:00")
    assert send_invite(parent, context, session.id) is None
    [(title, text)] = dialogs.errors
    assert title == "No one to invite"
    assert text.startswith("Brandt Logistik has no contacts yet")
    assert "Traceback" not in text
    assert files.save_asked == [], "no profile asked, no file offered"


def test_an_unwritable_file_is_an_error_message(
    parent: QWidget, context: AppContext, files: FileDialogs, dialogs: Dialogs, tmp_path: Path
) -> None:
    ProfileStore().set_identity("Dana Manager", "dana.manager@inflectra.example")
    session = book(context, customer(context), "screen-share", "2026-03-17T10:00")
    files.save_answer = tmp_path / "no such folder" / "invite.ics"
    assert send_invite(parent, context, session.id) is None
    [(title, text)] = dialogs.errors
    assert title == "Invite not saved" and text.startswith("Cannot write")


# --- 2. calendar exports ------------------------------------------------------------------
@pytest.fixture
def two_customers(context: AppContext) -> tuple[CustomerRecord, CustomerRecord]:
    acme = customer(context)
    brandt = customer(context, "Brandt Logistik", contacts="Anja Brandt <anja@brandt.example>")
    book(context, acme, "screen-share", "2026-03-17T10:00")
    book(context, acme, "screen-share", "2026-04-14T10:00")
    book(context, brandt, "screen-share", "2026-03-18T14:00")
    cancelled = book(context, brandt, "screen-share", "2026-03-25T14:00")
    context.scheduler.set_status(cancelled.id, "cancelled")
    book(context, brandt, "screen-share", "2026-05-05T14:00")
    return acme, brandt


def summaries(path: Path) -> list[str]:
    events = parse(path).walk("VEVENT")
    return sorted(f"{e.decoded('DTSTART'):%Y-%m-%d} {e['SUMMARY']}" for e in events)


def test_a_customers_calendar_is_exported(
    parent: QWidget,
    context: AppContext,
    files: FileDialogs,
    saved: Saved,
    tmp_path: Path,
    two_customers: tuple[CustomerRecord, CustomerRecord],
) -> None:
    acme, _ = two_customers
    files.save_answer = tmp_path / "acme.ics"
    seen: list[str] = []

    def choose(dialog: ExportCalendarDialog) -> None:
        assert dialog.customer_radio.isChecked() and dialog.customer_combo.currentText() == (
            "Acme Logistics"
        )
        assert dialog.all_dates_check.isChecked() and not dialog.from_edit.isEnabled()
        dialog.reminder_combo.setCurrentIndex(dialog.reminder_combo.findData(30))
        seen.append(dialog.summary.text())
        dialog.export_button.click()

    when(shown(ExportCalendarDialog), choose)
    path = to_the_end(export_calendar, parent, context, acme)

    assert path == tmp_path / "acme.ics"
    assert seen == ["2 sessions will be exported."]
    assert Path(files.save_asked[0][1]).name == "amplan - Acme Logistics.ics"
    calendar = parse(path)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert summaries(path) == [
        "2026-03-17 Screen-share: Acme Logistics",
        "2026-04-14 Screen-share: Acme Logistics",
    ]
    for event in calendar.walk("VEVENT"):
        assert "ATTENDEE" not in event
        [alarm] = event.walk("VALARM")
        assert alarm.decoded("TRIGGER") == timedelta(minutes=-30)
    [(title, text, _)] = saved.shown
    assert title == "Calendar exported"
    assert text.startswith("2 sessions of Acme Logistics, each with a reminder 30 minutes before.")
    assert QSettings().value(ui.REMINDER_KEY) in (30, "30"), "the reminder is remembered"


def test_the_whole_book_is_exported_for_a_date_range(
    parent: QWidget,
    context: AppContext,
    files: FileDialogs,
    saved: Saved,
    tmp_path: Path,
    two_customers: tuple[CustomerRecord, CustomerRecord],
) -> None:
    files.save_answer = tmp_path / "book.ics"
    seen: list[str] = []

    def choose(dialog: ExportCalendarDialog) -> None:
        assert dialog.book_radio.isChecked(), "no customer given: the whole book"
        assert dialog.book_radio.text() == "The whole book (2 customers)"
        dialog.all_dates_check.setChecked(False)
        dialog.from_edit.setDate(QDate(2026, 3, 1))
        dialog.to_edit.setDate(QDate(2026, 4, 30))

        def export(_: object) -> None:
            seen.append(dialog.summary.text())
            dialog.export_button.click()

        when(lambda: not dialog.count_pending(), export)

    when(shown(ExportCalendarDialog), choose)
    path = to_the_end(export_calendar, parent, context)

    assert path is not None
    assert seen == ["3 sessions will be exported."]
    assert Path(files.save_asked[0][1]).name == (
        "amplan - all customers 2026-03-01 to 2026-04-30.ics"
    )
    assert summaries(path) == [
        "2026-03-17 Screen-share: Acme Logistics",
        "2026-03-18 Screen-share: Brandt Logistik",
        "2026-04-14 Screen-share: Acme Logistics",
    ], "cancelled and out-of-range sessions are left out"
    for event in parse(path).walk("VEVENT"):
        assert not event.walk("VALARM"), "no reminder by default"
    text = saved.shown[0][1]
    assert text.startswith("3 sessions of the whole book from Sun 1 Mar 2026 to Thu 30 Apr 2026.")


def test_the_export_dialog_refuses_an_empty_or_backwards_range(
    qtbot: QtBot, context: AppContext, two_customers: tuple[CustomerRecord, CustomerRecord]
) -> None:
    acme, _ = two_customers
    dialog = ExportCalendarDialog(context, acme, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.all_dates_check.setChecked(False)
    dialog.from_edit.setDate(QDate(2026, 6, 1))
    dialog.to_edit.setDate(QDate(2026, 5, 1))
    assert not dialog.export_button.isEnabled(), "disabled while the count is pending"
    qtbot.waitUntil(lambda: not dialog.count_pending())
    assert dialog.summary.is_error()
    assert dialog.summary.text() == "The end date is before the start date."
    assert not dialog.export_button.isEnabled()
    dialog.from_edit.setDate(QDate(2026, 5, 1))
    dialog.to_edit.setDate(QDate(2026, 12, 31))
    qtbot.waitUntil(lambda: not dialog.count_pending())
    assert dialog.summary.text() == "No sessions to export: choose other dates or customers."
    assert not dialog.export_button.isEnabled()
    dialog.book_radio.setChecked(True)
    qtbot.waitUntil(lambda: not dialog.count_pending())
    assert dialog.summary.text() == "1 session will be exported."
    assert dialog.export_button.isEnabled()
    assert not dialog.customer_combo.isEnabled()


def test_cancelling_the_export_dialog_writes_nothing(
    parent: QWidget, context: AppContext, files: FileDialogs, saved: Saved
) -> None:
    customer(context)
    when(shown(ExportCalendarDialog), lambda dialog: dialog.reject())
    assert to_the_end(export_calendar, parent, context) is None
    assert files.save_asked == [] and saved.shown == []


# --- 3. importing the manager's own calendar ------------------------------------------------
def test_an_outlook_calendar_is_imported_as_busy_time(
    parent: QWidget, context: AppContext, files: FileDialogs, dialogs: Dialogs, tmp_path: Path
) -> None:
    files.open_answer = outlook_file(tmp_path)

    result = to_the_end(import_my_calendar, parent, context, TODAY)

    assert result == (3, 2)
    title, _, filters = files.open_asked[0]
    assert title == "Import my calendar"
    assert filters.split(";;")[0] == "Calendar files (*.ics)"
    assert dialogs.infos == [
        (
            "Calendar imported",
            "Imported 3 busy blocks from outlook.ics (2 free or cancelled events skipped). "
            "They now block bookings.",
        )
    ]
    blocks = busy(context)
    assert [summary for *_, summary in blocks] == ["Team meeting", "Dentist", "1:1 with Sam"]
    assert blocks[0][0].isoformat() == "2026-03-16T13:00:00+00:00"  # 09:00 EDT
    assert QSettings().value(ui.IMPORT_FOLDER_KEY) == str(tmp_path), "the folder is remembered"
    assert parent.findChildren(WorkProgress) == [] or all(
        not p.isVisible() for p in parent.findChildren(WorkProgress)
    )


def test_a_file_opened_from_the_desktop_is_imported_after_asking(
    parent: QWidget, context: AppContext, files: FileDialogs, dialogs: Dialogs, tmp_path: Path
) -> None:
    path = outlook_file(tmp_path)
    dialogs.answer = False
    assert to_the_end(import_my_calendar, parent, context, TODAY, path=path) is None
    assert busy(context) == [], "declining the question imports nothing"

    dialogs.answer = True
    assert to_the_end(import_my_calendar, parent, context, TODAY, path=path) == (3, 2)
    assert files.open_asked == [], "the file was given: no file dialog"
    assert [title for title, _ in dialogs.questions] == ["Import my calendar"] * 2
    assert "outlook.ics" in dialogs.questions[0][1]
    assert len(busy(context)) == 3


def test_no_finished_progress_pops_up_over_the_result(
    qtbot: QtBot,
    parent: QWidget,
    context: AppContext,
    files: FileDialogs,
    dialogs: Dialogs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A quick import ends before its progress would show; while the result's message box
    is up (its own event loop), no progress dialog may appear over it."""
    files.open_answer = outlook_file(tmp_path)
    seen_while_result_up: list[bool] = []

    def result_box(_parent: object, _title: str, _text: str) -> None:
        qtbot.wait(ui.SHOW_PROGRESS_AFTER_MS + 300)  # the box's loop runs the timers
        seen_while_result_up.append(any(p.isVisible() for p in parent.findChildren(WorkProgress)))

    monkeypatch.setattr(messages, "show_info", result_box)
    # A modal box's loop need not delete the finished dialog before the box closes; keep it
    # alive here so that only a stopped show-timer keeps it hidden.
    monkeypatch.setattr(WorkProgress, "deleteLater", lambda self: None)
    assert to_the_end(import_my_calendar, parent, context, TODAY) == (3, 2)
    assert seen_while_result_up == [False]


def test_a_broken_file_names_its_line_and_changes_nothing(
    parent: QWidget, context: AppContext, files: FileDialogs, dialogs: Dialogs, tmp_path: Path
) -> None:
    files.open_answer = outlook_file(tmp_path)
    assert to_the_end(import_my_calendar, parent, context, TODAY) == (3, 2)
    before = busy(context)
    broken = tmp_path / "broken.ics"
    shutil.copy(FIXTURES / "broken_junk_line.ics", broken)
    files.open_answer = broken
    dialogs.infos.clear()

    assert to_the_end(import_my_calendar, parent, context, TODAY) is None

    [(title, text)] = dialogs.errors
    assert title == "Calendar not imported"
    assert text.startswith("broken.ics, line 10: 'and the second line of the description'")
    assert text.endswith("Nothing was imported: your busy time is as it was.")
    assert "Traceback" not in text
    assert dialogs.infos == []
    assert busy(context) == before


def test_cancel_during_a_long_import_saves_nothing_and_the_gui_keeps_running(
    qtbot: QtBot,
    parent: QWidget,
    context: AppContext,
    files: FileDialogs,
    dialogs: Dialogs,
    tmp_path: Path,
) -> None:
    files.open_answer = outlook_file(tmp_path)
    assert to_the_end(import_my_calendar, parent, context, TODAY) == (3, 2)
    before = busy(context)
    dialogs.infos.clear()
    files.open_answer = big_file(tmp_path)
    ticks: list[float] = []
    heartbeat = QTimer()
    heartbeat.setInterval(50)
    heartbeat.timeout.connect(lambda: ticks.append(time.monotonic()))
    states: list[tuple[str, str, bool]] = []
    shown_at: list[float] = []

    def press_cancel(progress: WorkProgress) -> None:
        shown_at.append(time.monotonic() - started)
        assert progress.cancel_button is not None
        progress.cancel_button.click()
        states.append(
            (
                progress.labelText(),
                progress.cancel_button.text(),
                progress.cancel_button.isEnabled(),
            )
        )

    when(shown(WorkProgress), press_cancel)
    started = time.monotonic()
    heartbeat.start()
    result = to_the_end(import_my_calendar, parent, context, TODAY)
    heartbeat.stop()

    assert result is None
    assert states == [("Stopping the import. Nothing will be saved.", "Stopping…", False)]
    assert dialogs.infos == [
        (
            "Import stopped",
            "The import of big.ics was stopped. Nothing was imported: your busy time is as it was.",
        )
    ]
    assert busy(context) == before
    # The progress showed long before the file was read, and the GUI thread ran its timers
    # all along (reading 20,000 events takes seconds): the import ran on the pool.
    elapsed = time.monotonic() - started
    assert shown_at[0] < elapsed, (shown_at, elapsed)  # shown while the work ran
    assert len(ticks) >= elapsed / 0.05 / 3, (len(ticks), elapsed)


def test_escape_or_closing_the_progress_dialog_also_stops(
    qtbot: QtBot,
    parent: QWidget,
    context: AppContext,
    files: FileDialogs,
    dialogs: Dialogs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A long import made deterministic: the service waits until the GUI has asked to stop."""
    files.open_answer = outlook_file(tmp_path)
    real = context.calendars.import_busy
    asked: list[bool] = []

    def slow(path: Path, today: date, progress: Callable[[int, int], bool]) -> tuple[int, int]:
        deadline = time.monotonic() + 10
        while not asked and time.monotonic() < deadline:
            time.sleep(0.01)
        return real(path, today, progress)

    monkeypatch.setattr(context.calendars, "import_busy", slow)

    def close(progress: WorkProgress) -> None:
        qtbot.keyClick(progress, Qt.Key.Key_Escape)  # type: ignore[no-untyped-call]
        assert progress.stopping and progress.isVisible(), "it stays up until the import stops"
        progress.close()  # the window's close button, pressed again: still up, still stopping
        asked.append(progress.stopping)
        assert progress.isVisible()

    when(shown(WorkProgress), close)
    assert to_the_end(import_my_calendar, parent, context, TODAY) is None
    assert asked == [True]
    assert dialogs.infos[0][0] == "Import stopped"
    assert busy(context) == []


def test_the_import_returns_at_once_and_one_calendar_job_runs_at_a_time(
    qtbot: QtBot,
    parent: QWidget,
    context: AppContext,
    files: FileDialogs,
    dialogs: Dialogs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files.open_answer = outlook_file(tmp_path)
    real = context.calendars.import_busy
    release = threading.Event()

    def held(path: Path, today: date, progress: Callable[[int, int], bool]) -> tuple[int, int]:
        release.wait(10)
        return real(path, today, progress)

    monkeypatch.setattr(context.calendars, "import_busy", held)
    done: list[tuple[int, int]] = []
    job = import_my_calendar(parent, context, TODAY, on_done=done.append)
    assert job is not None and not job.done, "the action returned while the work runs"
    assert export_calendar(parent, context) is None
    assert import_my_calendar(parent, context, TODAY) is None
    assert (
        dialogs.infos
        == [("Still working", "A calendar file is still being read or written; wait.")] * 2
    )
    release.set()
    qtbot.waitUntil(lambda: done == [(3, 2)], timeout=10000)
    assert dialogs.infos[-1][0] == "Calendar imported"
    dialogs.infos.clear()
    files.open_answer = None
    assert import_my_calendar(parent, context, TODAY) is None  # free again: the file dialog
    assert len(files.open_asked) == 2 and dialogs.infos == []


def test_no_file_chosen_changes_nothing(
    parent: QWidget, context: AppContext, dialogs: Dialogs
) -> None:
    assert to_the_end(import_my_calendar, parent, context, TODAY) is None
    assert dialogs.infos == [] and dialogs.errors == []


# --- clearing busy time -----------------------------------------------------------------------
def test_clearing_busy_time_asks_first(
    parent: QWidget, context: AppContext, files: FileDialogs, dialogs: Dialogs, tmp_path: Path
) -> None:
    files.open_answer = outlook_file(tmp_path)
    to_the_end(import_my_calendar, parent, context, TODAY)
    dialogs.answer = False
    assert clear_busy_time(parent, context) is None
    assert len(busy(context)) == 3
    [(title, question)] = dialogs.questions
    assert title == "Clear busy time"
    assert question.startswith("Remove all 3 busy blocks imported from your calendar?")
    dialogs.answer = True
    assert clear_busy_time(parent, context) == 3
    assert busy(context) == []
    dialogs.infos.clear()
    assert clear_busy_time(parent, context) is None
    assert dialogs.infos == [("Clear busy time", "There is no imported busy time to clear.")]


# --- the saved-file confirmation ------------------------------------------------------------
@pytest.mark.qt_log_ignore("propagateSizeHints")  # a message box on the offscreen platform
def test_open_folder_opens_the_folder_of_the_file(
    parent: QWidget, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(ui, "show_saved", REAL_SHOW_SAVED)  # the real one, not the recorder
    opened: list[str] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url.toLocalFile())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(open_url))
    texts: list[str] = []

    def press_open(box: QMessageBox) -> None:
        texts.append(box.text())
        [button] = [b for b in box.buttons() if b.text() == "Open folder"]
        button.click()

    when(shown(QMessageBox), press_open)
    ui.show_saved(parent, "Invite saved", "Invite for 2 contacts.", tmp_path / "x.ics")
    assert texts == ["Invite for 2 contacts."]
    assert opened == [QUrl.fromLocalFile(str(tmp_path)).toLocalFile()]


def test_file_names_are_safe_everywhere() -> None:
    assert ui.safe_file_name('A/B: "C" <d>?') == "A-B- -C- -d--.ics"
    assert ui.safe_file_name("  ") == "calendar.ics"
    assert len(ui.safe_file_name("x" * 300)) == 124
