"""The calendar on paper: every day of the range, sessions with who/what/status, busy time,
times in the zone the calendar is shown in, and a month as a grid."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from desktop.services.reports.calendar_print import PrintRange, calendar_printable
from desktop.services.scheduling.ledger import Busy

from sessions_helpers import Book, open_book

LABELS = {"assistance": "Assistance", "onboarding": "Onboarding assistance"}


@pytest.fixture
def bk(book_location: Path | str) -> Iterator[Book]:
    with open_book(book_location) as book:
        yield book


def printed(bk: Book, chosen: PrintRange, busy: list[Busy] | None = None) -> str:
    sessions = bk.scheduler.find(first=chosen.first, last=chosen.last)
    document = calendar_printable(sessions, busy or [], chosen, LABELS, date(2026, 3, 1), "V")
    assert document.title == "Calendar" and document.subject == chosen.title
    return document.body_html


def test_a_week_lists_every_day_with_its_sessions_and_busy_time(bk: Book) -> None:
    acme = bk.customer("Acme <& Co>")
    kept = bk.book(acme, "assistance", "2026-03-17T10:00", title="Reports")
    cancelled = bk.book(acme, "assistance", "2026-03-18T10:00")
    bk.scheduler.set_status(cancelled.id, "cancelled")
    busy = [Busy(bk.t("2026-03-19T09:00"), bk.t("2026-03-19T10:00"), "Dentist")]
    week = PrintRange(date(2026, 3, 16), date(2026, 3, 22), "America/New_York", "ET")
    html = printed(bk, week, busy)

    assert html.count("<h3") == 7, "every day of the week, booked or not"
    assert "Acme &lt;&amp; Co&gt;" in html, "names are escaped"
    assert "10:00–11:00" in html and "Reports" in html and "cancelled" in html
    assert "Dentist" in html and "Nothing booked." in html
    assert "1 session · 1 busy block" in html, "the cancelled one does not count"
    assert kept.id


def test_times_are_printed_in_the_chosen_zone(bk: Book) -> None:
    bk.book(bk.customer("Acme"), "assistance", "2026-03-17T10:00")
    day = PrintRange(date(2026, 3, 17), date(2026, 3, 17), "Europe/Berlin", "Berlin")
    html = printed(bk, day)
    assert "15:00–16:00" in html and "Times in Berlin" in html


def test_a_month_is_a_landscape_grid_of_weeks(bk: Book) -> None:
    bk.book(bk.customer("Acme"), "assistance", "2026-03-17T10:00")
    month = PrintRange(
        date(2026, 3, 1), date(2026, 3, 31), "America/New_York", "ET", month_grid=True
    )
    sessions = bk.scheduler.find(first=month.first, last=month.last)
    document = calendar_printable(sessions, [], month, LABELS, date(2026, 3, 1), "V")
    assert document.landscape
    assert document.body_html.count("<tr>") == 1 + 6, "a header and six weeks (23 Feb - 5 Apr)"
    assert "10:00 Acme" in document.body_html
