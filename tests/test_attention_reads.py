"""The dashboard's narrow reads: a window's tally sums its customer's counted sessions of one
kind on its ET days, nothing else; the database keeps the sums in step with every write."""

from __future__ import annotations

from datetime import date

from desktop.services.attention_reads import UtcDays, Window, tallies_in_windows
from desktop.services.customers import CustomerRecord
from desktop.services.scheduling.status import SessionStatus
from desktop.services.scheduling.usage import Tally

from sessions_helpers import Book

MARCH = (date(2026, 3, 1), date(2026, 4, 1))


def _tally(team: Book, customer: CustomerRecord, kind: str, days: tuple[date, date]) -> Tally:
    window = Window(customer.id, (kind,), *days)
    found = tallies_in_windows(team.ctx.db, UtcDays(team.clock), [window])
    return found[(customer.id, kind, *days)]


def test_a_window_sums_its_customers_counted_sessions_of_its_kind_and_days(team: Book) -> None:
    acme, globex = team.customer("Acme Corp"), team.customer("Globex")
    # Tue 31 Mar 2026 20:30 ET is 1 April in UTC: the ET day decides.
    team.book(acme, "screen-share", "2026-03-02T10:00")
    team.book(acme, "screen-share", "2026-03-31T20:30", override="an evening call")
    team.book(acme, "screen-share", "2026-04-01T10:00")  # next month
    cancelled = team.book(acme, "screen-share", "2026-03-10T10:00")
    team.scheduler.set_status(cancelled.id, SessionStatus.CANCELLED)
    team.book(acme, "assistance", "2026-03-11T10:00", minutes=60)  # another kind
    team.book(globex, "screen-share", "2026-03-12T10:00")  # not asked for
    march = _tally(team, acme, "screen-share", MARCH)
    assert march.sessions() == 2
    assert march.split(hours=False) == (0, 2)


def test_used_scheduled_and_billable_are_told_apart(team: Book) -> None:
    acme = team.customer("Acme Corp")
    held = team.book(acme, "assistance", "2026-03-02T10:00", minutes=90)
    team.scheduler.set_status(held.id, SessionStatus.DONE)
    team.book(acme, "assistance", "2026-03-03T10:00", minutes=60)
    team.book(acme, "assistance", "2026-03-04T10:00", minutes=120, billable=True)
    assistance = _tally(team, acme, "assistance", MARCH)
    assert assistance.sessions() == 3  # billable sessions are sessions too
    assert assistance.drawn_minutes() == 150  # but draw nothing on the allowance
    assert assistance.split(hours=True) == (1.5, 1.0)


def test_every_window_is_answered_even_empty_and_a_session_in_two_counts_in_each(
    team: Book,
) -> None:
    acme = team.customer("Acme Corp")
    team.book(acme, "assistance", "2026-03-11T10:00", minutes=60)
    kinds = ("assistance", "event-plan")
    windows = [
        Window(acme.id, kinds, *MARCH),
        Window(acme.id, kinds, date(2026, 3, 10), date(2026, 3, 12)),
        Window(acme.id, kinds, date(2026, 5, 1), date(2026, 5, 1)),  # no days at all
    ]
    found = tallies_in_windows(team.ctx.db, UtcDays(team.clock), windows)
    assert len(found) == 6
    assert found[(acme.id, "assistance", *MARCH)].drawn_minutes() == 60
    assert found[(acme.id, "assistance", date(2026, 3, 10), date(2026, 3, 12))].sessions() == 1
    assert found[(acme.id, "event-plan", *MARCH)].sessions() == 0
    assert found[(acme.id, "assistance", date(2026, 5, 1), date(2026, 5, 1))].sessions() == 0


def test_the_sums_follow_every_change_to_a_session(team: Book) -> None:
    """Moved, lengthened, marked, cancelled, deleted: the next read sees it (the database's
    triggers keep `session_tally` in the writing transaction)."""
    acme = team.customer("Acme Corp")
    session = team.book(acme, "assistance", "2026-03-11T10:00", minutes=60)
    assert _tally(team, acme, "assistance", MARCH).split(hours=True) == (0, 1)

    outcome = team.scheduler.move(session.id, team.times("assistance", "2026-04-07T10:00", 120))
    assert outcome.saved
    assert _tally(team, acme, "assistance", MARCH).sessions() == 0
    april = (date(2026, 4, 1), date(2026, 5, 1))
    assert _tally(team, acme, "assistance", april).split(hours=True) == (0, 2)

    team.scheduler.set_status(session.id, SessionStatus.DONE)
    assert _tally(team, acme, "assistance", april).split(hours=True) == (2, 0)
    marked = team.scheduler.set_status(session.id, SessionStatus.CANCELLED)
    assert _tally(team, acme, "assistance", april).sessions() == 0
    team.scheduler.restore(outcome.session, marked.sequence)  # undo of the cancel
    assert _tally(team, acme, "assistance", april).split(hours=True) == (0, 2)

    team.scheduler.delete(session.id)
    assert _tally(team, acme, "assistance", april).sessions() == 0


def test_a_round_table_counts_for_each_seat_and_a_seat_given_up_stops_counting(
    team: Book,
) -> None:
    acme, globex = team.customer("Acme Corp"), team.customer("Globex")
    table = team.book([acme, globex], "round-table", "2026-03-12T11:00")
    assert _tally(team, acme, "round-table", MARCH).sessions() == 1
    assert _tally(team, globex, "round-table", MARCH).sessions() == 1

    outcome = team.scheduler.update(
        table.id, team.request([acme], "round-table", "2026-03-12T11:00")
    )
    assert outcome.saved
    assert _tally(team, acme, "round-table", MARCH).sessions() == 1
    assert _tally(team, globex, "round-table", MARCH).sessions() == 0
