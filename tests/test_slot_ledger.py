"""A slot search loads only the sessions that can block its managers' time; that SQL filter
must keep exactly what the conflict rule's `Ledger.same_manager` keeps, on both engines."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from desktop.services.scheduling.ledger import Booked, Busy, Ledger
from desktop.services.scheduling.slots import find_slots
from desktop.services.user_config import UserConfig

from sessions_helpers import open_book
from test_owners import COLLEAGUE, ME, add, run

BOOK = ["book", "--kind", "screen-share", "--minutes", "60", "--requested", "2026-03-01T09:00"]


def test_a_slot_search_loads_the_sessions_that_block_its_managers_and_no_other(
    book_location: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    add(book_location, capsys, "Nobody's")  # before a profile: no owner, everyone's calendar
    UserConfig().save_section("profile", {"name": "Dana Manager", "email": ME})
    add(book_location, capsys, "Acme")
    add(book_location, capsys, "Borealis", "--owner", COLLEAGUE)
    for name, start in (("Nobody's", "10:00"), ("Acme", "12:00"), ("Borealis", "14:00")):
        at = ["--customer", name, "--start", f"2026-03-17T{start}"]
        assert run(book_location, capsys, *BOOK, *at)[0] == 0
    with open_book(book_location) as book:
        scheduler = book.scheduler
        acme = scheduler.customers.get("Acme")
        first, end = book.t("2026-03-16T00:00"), book.t("2026-03-19T00:00")
        with scheduler.db.reading() as session:
            everyone = scheduler.load_ledger(session, [], first, end)
            mine = scheduler.load_ledger(session, [], first, end, {acme.owner})
        managers = {acme.owner.strip().lower()}
        kept = [s.id for s in everyone.timed_sessions() if everyone.same_manager(s, managers)]
        assert [s.id for s in mine.timed_sessions()] == kept
        assert len(kept) == 2 and len(everyone.timed_sessions()) == 3
        # So the colleague's hour is free for Acme, the ownerless customer's is not.
        slots = find_slots(
            scheduler,
            [acme],
            "screen-share",
            60,
            book.t("2026-03-01T09:00"),
            book.t("2026-03-17T09:00"),
            count=12,
        )
        starts = {book.clock.et(t.start_utc).strftime("%d %H:%M") for t in slots}
        assert "17 14:00" in starts and "17 10:00" not in starts and "17 12:00" not in starts


def test_a_ledger_filled_at_once_answers_as_one_filled_a_session_at_a_time() -> None:
    """Loading sorts a window's sessions into the timeline once (they arrive in no order);
    what overlaps what must not change."""
    rng = random.Random(5)
    base = datetime(2026, 3, 2, 9, tzinfo=UTC)
    sessions = []
    for number in range(1, 400):
        start = base + timedelta(minutes=30 * rng.randint(0, 400))
        end = start + timedelta(minutes=rng.choice((30, 60, 90, 240)))
        status = rng.choice(("planned", "done", "cancelled"))
        sessions.append(Booked(number, "cadence", (number % 7,), start, end, False, status, False))
    one_by_one, at_once = Ledger(), Ledger()
    for booked in sessions:
        one_by_one.add(booked)
    at_once.add_new(sessions[:150])
    at_once.add_new(sessions)  # the ones it holds are skipped
    assert [s.id for s in at_once.timed_sessions()] == [s.id for s in one_by_one.timed_sessions()]
    for _ in range(300):
        start = base + timedelta(minutes=15 * rng.randint(0, 800))
        end = start + timedelta(minutes=rng.choice((15, 60, 300)))
        assert at_once.clashes(start, end) == one_by_one.clashes(start, end)
    for customer in range(7):
        assert at_once.of_customer(customer) == one_by_one.of_customer(customer)


@pytest.mark.parametrize("seed", range(4))
def test_clashes_found_calendar_by_calendar_are_the_conflict_rules(seed: int) -> None:
    """The clash list files each manager's calendar apart (`Ledger.clashes_of`); for every
    session it must find what the conflict rule finds (`clashes_for`): customers without an
    owner in everyone's calendar, a round table in each of its managers', busy time of the
    book's manager everyone's and a colleague's their own."""
    rng = random.Random(seed)
    base = datetime(2026, 3, 2, 9, tzinfo=UTC)
    ledger = Ledger()
    ledger.owners = {
        cid: rng.choice(("", "ann@x.example", "bo@x.example", "cy@x.example")) for cid in range(12)
    }

    def moment() -> datetime:
        return base + timedelta(minutes=30 * rng.randint(0, 300))

    for number in range(1, 300):
        start = moment()
        end = start + timedelta(minutes=rng.choice((30, 60, 90, 240)))
        seats = tuple(sorted(rng.sample(range(12), rng.choice((1, 1, 1, 2, 3)))))
        status = rng.choice(("planned", "planned", "done", "cancelled"))
        ledger.add(Booked(number, "cadence", seats, start, end, False, status, False))
    for _ in range(40):
        start = moment()
        owner = rng.choice(("", "ann@x.example", "bo@x.example"))
        ledger.add_busy(Busy(start, start + timedelta(minutes=90), "Busy", False, owner))
    planned = [s for s in ledger.timed_sessions() if s.status == "planned"]
    found = dict(ledger.clashes_of(planned))
    expected = {}
    for booked in planned:
        managers = ledger.managers_of(booked.customer_ids)
        clashes = ledger.clashes_for(booked.start_utc, booked.end_utc, managers, booked.id)
        if clashes:
            expected[booked.id] = clashes
    assert len(expected) > 50  # the test covers clashes, not an empty list
    assert {b.id: sorted(map(repr, c)) for b, c in found.items()} == {
        sid: sorted(map(repr, c)) for sid, c in expected.items()
    }
