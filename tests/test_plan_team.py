"""A plan in a team's book keeps to each manager's own calendar: a colleague's sessions
neither fill my days nor need my buffer; and a proposal moved by hand is checked against its
whole day, not only what lies before its end."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from desktop.services.profile import ManagerProfile
from desktop.services.scheduling.ledger import Booked, Ledger
from desktop.services.scheduling.planner import Planner
from desktop.services.scheduling.plans import PlannedSession
from desktop.services.scheduling.workload import Workload, check_change

from sessions_helpers import Book, open_book

ME = "dana@example.com"
COLLEAGUE = "lee@example.com"
# One session a day, half an hour between two, no lunch and no lead time: easy to fill.
ONE_A_DAY = ManagerProfile(
    name="Dana", email=ME, max_per_day=1, buffer_minutes=30, lunch=None, lead_days=0
)
# The first two weeks of April 2026 (Good Friday, 3 April, is a business day).
FIRST, UNTIL = date(2026, 3, 30), date(2026, 4, 11)


def _busy_fortnight(book: Book, owner: str) -> None:
    """A customer of `owner` with a session on every business day of the fortnight."""
    borealis = book.owned("Borealis", owner)
    day = FIRST
    while day < UNTIL:
        if book.clock.is_business_day(day):
            book.book(borealis, "assistance", f"{day}T13:00", minutes=60, override="test load")
        day = day.fromordinal(day.toordinal() + 1)


def _planned_days(book: Book) -> set[date]:
    acme = book.owned("Acme", ME)
    plan = Planner(book.scheduler, ONE_A_DAY).plan(
        [acme], FIRST, UNTIL, now=book.t("2026-03-27T12:00")
    )
    return {book.clock.et_date(p.times.start_utc) for p in plan.proposed}


def test_a_colleagues_sessions_do_not_fill_my_days(book_location: Path | str) -> None:
    with open_book(book_location) as book:
        _busy_fortnight(book, COLLEAGUE)
        days = _planned_days(book)
        # Acme's onboarding window closes on Sat 4 April: one session on each of its last
        # five business days, beside Lee's (and its cadence calls after).
        assert {date(2026, 3, 30) + timedelta(days=n) for n in range(5)} <= days


def test_two_managers_new_customers_take_the_same_best_times(book_location: Path | str) -> None:
    with open_book(book_location) as book:
        acme, borealis = book.owned("Acme", ME), book.owned("Borealis", COLLEAGUE)
        plan = Planner(book.scheduler, ONE_A_DAY).plan(
            [acme, borealis], FIRST, UNTIL, now=book.t("2026-03-27T12:00")
        )
        starts: dict[date, dict[str, datetime]] = {}
        for proposed in plan.proposed:
            day = book.clock.et_date(proposed.times.start_utc)
            starts.setdefault(day, {})[proposed.customer.name] = proposed.times.start_utc
        both = [by_name for by_name in starts.values() if len(by_name) == 2]
        # Neither has a session yet, so neither is known from the book: each is still in
        # its own manager's calendar, and the same best time suits both.
        assert len(both) == 5
        assert all(by_name["Acme"] == by_name["Borealis"] for by_name in both)


def test_my_own_sessions_fill_my_days(book_location: Path | str) -> None:
    with open_book(book_location) as book:
        _busy_fortnight(book, ME)
        assert _planned_days(book) == set()


def _moved(book: Book, who: str, start: str, minutes: int, profile: ManagerProfile) -> list[str]:
    acme = book.customers.get("Acme")
    times = book.times("assistance", start, minutes)
    proposal = PlannedSession(acme, "assistance", times, "test")
    now = book.t("2026-03-27T12:00")
    violations, warnings = check_change(book.scheduler, profile, proposal, times, [proposal], now)
    assert violations == [], who
    return warnings


def test_a_moved_proposal_sees_its_whole_day_in_my_calendar_only(
    book_location: Path | str,
) -> None:
    with open_book(book_location) as book:
        book.owned("Acme", ME)
        anvil = book.owned("Anvil", ME)
        borealis = book.owned("Borealis", COLLEAGUE)
        book.book(anvil, "assistance", "2026-04-07T16:00", minutes=60)
        book.book(borealis, "assistance", "2026-04-08T10:00", minutes=60)
        # Later that day: my other customer's session fills a one-a-day day.
        warnings = _moved(book, "mine", "2026-04-07T10:00", 60, ONE_A_DAY)
        assert any("daily cap" in w for w in warnings)
        # Ends a quarter of an hour before that session: too close for a 30-minute buffer.
        two_a_day = ManagerProfile(
            email=ME, max_per_day=2, buffer_minutes=30, lunch=None, lead_days=0
        )
        warnings = _moved(book, "mine", "2026-04-07T14:45", 60, two_a_day)
        assert any("minutes from another session" in w for w in warnings)
        # Right after Lee's session: not in my calendar, so neither a full day nor too close.
        assert _moved(book, "Lee's", "2026-04-08T11:15", 60, ONE_A_DAY) == []


def test_what_stands_in_the_way_is_named_for_what_it_is() -> None:
    """A session over the very time is a clash ("other sessions take the free times"), one
    merely close is the buffer; with no buffer at all, the plan must not blame the buffer."""
    nine = datetime(2026, 4, 7, 13, tzinfo=UTC)  # 09:00 in New York
    ledger = Ledger(
        [Booked(1, "assistance", (1,), nine, nine + timedelta(hours=1), False, "planned", False)]
    )
    no_buffer = Workload(replace(ONE_A_DAY, max_per_day=9, buffer_minutes=0), ledger)
    half_hour = Workload(replace(ONE_A_DAY, max_per_day=9, buffer_minutes=30), ledger)
    right_after = (nine + timedelta(hours=1, minutes=15), nine + timedelta(hours=2))
    assert no_buffer.blocked(nine, nine + timedelta(minutes=30), {""}) == "conflict"
    assert no_buffer.blocked(*right_after, {""}) is None
    assert half_hour.blocked(*right_after, {""}) == "buffer"
