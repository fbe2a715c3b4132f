"""Shared by the sessions GUI tests: a fixed "now", customers with known contracts, helpers.

Every date is chosen against NOW (Wed 11 Mar 2026, 10:00 ET, the first week of daylight
time), never against today, so the tests mean the same thing on any day they run.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from desktop.app import AppContext
from desktop.services.customers import CustomerDraft, CustomerRecord
from desktop.services.scheduling.sessions import BookingRequest, SessionRecord, SessionTimes
from desktop.views.sessions.session_editor import SessionEditor
from PySide6.QtCore import QDate, QTime
from pytestqt.qtbot import QtBot

NOW = datetime(2026, 3, 11, 14, 0, tzinfo=UTC)  # Wed 11 Mar 2026 10:00 ET


def fixed_now() -> datetime:
    return NOW


def silver(context: AppContext, name: str = "Brandt Logistik") -> CustomerRecord:
    """SpiraTeam, 75 users (6 onboarding hours, annual call), Silver, in Berlin."""
    return context.customers.add(
        CustomerDraft(
            name=name,
            product="SpiraTeam",
            users="75",
            start="2026-03-02",
            package="silver",
            package_start="2026-03-02",
            tz="Europe/Berlin",
            contacts="Anja Brandt <anja@brandt.example>",
        )
    )


def gold(context: AppContext, name: str, start: str = "2026-03-02") -> CustomerRecord:
    """SpiraPlan, 120 users (8 onboarding hours, quarterly calls), Gold, in Chicago."""
    return context.customers.add(
        CustomerDraft(
            name=name,
            product="SpiraPlan",
            users="120",
            start=start,
            package="gold",
            package_start=start,
            tz="America/Chicago",
            contacts=f"Pat Lee <pat@{name.split()[0].lower()}.example>",
        )
    )


def book(
    context: AppContext,
    customer: CustomerRecord,
    kind: str,
    start_et: str,
    minutes: int = 60,
    billable: bool = False,
    title: str = "",
) -> SessionRecord:
    """Book straight through the scheduler, requested two weeks ahead (notice never bites)."""
    start_utc = context.clock.parse(start_et)
    times = SessionTimes(start_utc, start_utc + timedelta(minutes=minutes), False)
    request = BookingRequest(
        (customer,), kind, times, start_utc - timedelta(days=14), billable=billable, title=title
    )
    return context.scheduler.book(request).session


def set_start(editor: SessionEditor, year: int, month: int, day: int, hour: int, minute: int = 0):
    """Type a start into the editor as a user would (date, then time)."""
    editor.date_edit.setDate(QDate(year, month, day))
    editor.time_edit.setTime(QTime(hour, minute))


def choose_kind(editor: SessionEditor, kind: str) -> None:
    index = editor.kind_combo.findData(kind)
    assert index >= 0, f"{kind} is not offered"
    editor.kind_combo.setCurrentIndex(index)


def codes(editor: SessionEditor) -> list[str]:
    violations, _ = editor.findings()
    return [v.rule for v in violations]


def wait_checked(qtbot: QtBot, editor: SessionEditor, expected: list[str]) -> None:
    """Wait for the debounced live check to report exactly `expected` rule codes."""
    qtbot.waitUntil(lambda: not editor.check_pending() and codes(editor) == expected, timeout=2000)
