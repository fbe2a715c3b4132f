"""The window's change mark (live team view, issue 10): every kind of write moves it, on both
engines, and reading it twice with nothing written in between gives the same mark."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from desktop.services.changes import change_mark
from desktop.services.mail.replies import ParsedReplies, Replies, ReplyItem
from desktop.services.scheduling.ledger import Busy
from desktop.services.scheduling.status import SessionStatus

from sessions_helpers import Book


def _moves(book: Book, write: object) -> bool:
    before = change_mark(book.ctx.db)
    assert change_mark(book.ctx.db) == before
    assert callable(write)
    write()
    return change_mark(book.ctx.db) != before


def test_adding_changing_and_deleting_a_customer_moves_the_mark(team: Book) -> None:
    acme = team.customer("Acme Corp")
    assert _moves(team, lambda: team.customer("Globex"))
    assert _moves(team, lambda: team.customers.edit(acme.id, {"users": "200"}))
    assert _moves(team, lambda: team.customers.set_archived(acme.id, True))


def test_booking_and_marking_a_session_moves_the_mark(team: Book) -> None:
    acme = team.customer("Acme Corp")
    booked: list[object] = []
    assert _moves(team, lambda: booked.append(team.book(acme, "screen-share", "2026-03-17T10:00")))
    record = team.scheduler.get(booked[0].id)  # type: ignore[attr-defined]
    assert _moves(team, lambda: team.mark(record, SessionStatus.DONE))


def test_busy_time_coming_and_going_moves_the_mark(team: Book) -> None:
    start = datetime(2026, 3, 17, 15, tzinfo=UTC)
    block = Busy(start, start + timedelta(hours=1), "Dentist")
    assert _moves(team, lambda: team.scheduler.add_busy([block], source="test"))
    assert _moves(team, lambda: team.scheduler.replace_busy("test", [], [("", block)]))
    assert _moves(team, team.scheduler.clear_busy)


def test_an_attendees_reply_moves_the_mark(team: Book) -> None:
    acme = team.customer("Acme Corp")
    session = team.book(acme, "screen-share", "2026-03-17T10:00")
    reply = ReplyItem(
        session.uid,
        session.sequence,
        "ann@acme.example",
        "Ann",
        "declined",
        datetime(2026, 3, 1, tzinfo=UTC),
    )
    assert _moves(team, lambda: Replies(team.ctx.db).apply(ParsedReplies([reply])))
