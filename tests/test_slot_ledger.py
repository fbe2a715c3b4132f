"""A slot search loads only the sessions that can block its managers' time; that SQL filter
must keep exactly what the conflict rule's `Ledger.same_manager` keeps, on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest
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
