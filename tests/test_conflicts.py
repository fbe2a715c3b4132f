"""Booked sessions that clash with busy time or with each other: listed, counted on import."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from desktop.services.business_time import to_utc
from desktop.services.scheduling.conflicts import find_conflicts
from desktop.services.scheduling.ledger import Busy

from sessions_helpers import Book, cli, open_book


@pytest.fixture
def bk(tmp_path: Path) -> Iterator[Book]:
    with open_book(tmp_path / "book.sqlite") as book:
        yield book


def busy(bk: Book, day: date, first: int, last: int, summary: str) -> Busy:
    return Busy(
        to_utc(bk.clock.at(day, time(first))), to_utc(bk.clock.at(day, time(last))), summary
    )


def test_a_session_under_busy_time_imported_later_is_a_conflict(bk: Book) -> None:
    acme = bk.customer("Acme")
    clean = bk.book(acme, "onboarding", "2026-03-17T10:00")
    dentist = bk.book(acme, "onboarding", "2026-03-18T10:00")
    out = bk.book(acme, "onboarding", "2026-03-19T15:00")
    assert find_conflicts(bk.scheduler) == []
    day_18, day_19 = date(2026, 3, 18), date(2026, 3, 19)
    bk.scheduler.add_busy(
        [
            busy(bk, day_18, 10, 11, "Dentist"),
            Busy(
                to_utc(bk.clock.midnight(day_19)),
                to_utc(bk.clock.midnight(date(2026, 3, 20))),
                "Out of office",
                True,
            ),
        ]
    )
    found = find_conflicts(bk.scheduler)
    assert [(c.session.id, c.with_, c.title) for c in found] == [
        (dentist.id, "busy", "Dentist"),
        (out.id, "busy", "Out of office"),
    ]
    assert clean.id not in {c.session.id for c in found}
    # Moving the session off the busy time resolves it.
    bk.scheduler.move(dentist.id, bk.times("onboarding", "2026-03-18T13:00", 60))
    assert [c.session.id for c in find_conflicts(bk.scheduler)] == [out.id]


def test_two_overlapping_sessions_each_list_the_other_and_cancelled_ones_do_not(
    bk: Book,
) -> None:
    acme, beta = bk.customer("Acme"), bk.customer("Beta")
    first = bk.book(acme, "onboarding", "2026-03-17T10:00")
    second = bk.book(beta, "onboarding", "2026-03-17T10:30", override="the customer insisted")
    found = find_conflicts(bk.scheduler)
    assert {(c.session.id, c.with_, c.other_id) for c in found} == {
        (first.id, "session", second.id),
        (second.id, "session", first.id),
    }
    bk.scheduler.set_status(second.id, "cancelled")
    assert find_conflicts(bk.scheduler) == []


def test_conflicts_cli_json_and_the_busy_import_count(bk: Book, tmp_path: Path) -> None:
    # The command line imports busy time around the real today: the session is two weeks on.
    day = date.today() + timedelta(days=14)
    while not bk.clock.is_business_day(day):
        day += timedelta(days=1)
    acme = bk.customer("Acme", start=(date.today() - timedelta(days=7)).isoformat())
    session = bk.book(acme, "onboarding", f"{day.isoformat()}T10:00")
    bk.close()
    run = cli(bk.path, "conflicts")
    assert run.code == 0 and run.data == {"conflicts": []}
    ics = tmp_path / "mine.ics"
    stamp = "%Y%m%dT%H%M%SZ"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        "UID:d1@example.org\r\nDTSTAMP:20260301T080000Z\r\n"
        f"DTSTART:{session.start_utc.strftime(stamp)}\r\n"
        f"DTEND:{session.end_utc.strftime(stamp)}\r\nSUMMARY:Dentist\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8",
    )
    imported = cli(bk.path, "busy", "import", str(ics))
    assert imported.code == 0, imported.err
    assert imported.data["conflicts"] == 1
    assert "1 booked session(s) now clash" in imported.err
    run = cli(bk.path, "conflicts")
    assert run.code == 0
    (item,) = run.data["conflicts"]
    assert {k: item[k] for k in ("session", "with", "title", "start", "end")} == {
        "session": session.id,
        "with": "busy",
        "title": "Dentist",
        "start": bk.clock.et(session.start_utc).isoformat(),
        "end": bk.clock.et(session.end_utc).isoformat(),
    }
    text = cli(bk.path, "conflicts", as_json=False)
    assert "Dentist" in text.out and "1 booked session(s) clash" in text.err
