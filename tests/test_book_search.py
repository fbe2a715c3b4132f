"""Find in the whole book: customers by name or contact, sessions by any word, busy time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from desktop.services.customers import CustomerDraft
from desktop.services.scheduling.ledger import Busy

from sessions_helpers import Book, open_book


@pytest.fixture
def bk(book_location: Path | str) -> Iterator[Book]:
    with open_book(book_location) as book:
        yield book


def test_customers_are_found_by_name_contact_or_email(bk: Book) -> None:
    bk.customers.add(
        CustomerDraft(
            name="Acme Logistics", product="SpiraPlan", users="120", start="2026-01-05",
            package="gold", contacts="Dana Whitfield <dana@acme.example>",
        )
    )  # fmt: skip
    bk.customer("Borealis Health")
    search = bk.ctx.search
    assert [c.name for c in search.find("acme").customers] == ["Acme Logistics"]
    assert [c.name for c in search.find("WHITFIELD").customers] == ["Acme Logistics"]
    assert [c.name for c in search.find("dana@acme").customers] == ["Acme Logistics"]
    assert search.find("acme borealis").customers == (), "every word must match"
    assert search.find("   ").empty


def test_sessions_are_found_by_title_notes_kind_or_customer_newest_first(bk: Book) -> None:
    acme, vega = bk.customer("Acme"), bk.customer("Vega Analytics")
    first = bk.book(acme, "assistance", "2026-03-17T10:00", title="Go-live dry run")
    later = bk.book(vega, "assistance", "2026-03-19T10:00", title="Reports 100%_done")
    search = bk.ctx.search
    assert [s.id for s in search.find("dry RUN").sessions] == [first.id]
    assert [s.id for s in search.find("vega").sessions] == [later.id]
    assert [s.id for s in search.find("assistance").sessions] == [later.id, first.id]
    assert [s.id for s in search.find("100%_").sessions] == [later.id], "% and _ are literal"
    assert search.find("100%x").sessions == ()


def test_busy_time_is_found_by_its_summary_and_the_limit_says_there_is_more(bk: Book) -> None:
    blocks = [
        Busy(bk.t(f"2026-03-{day}T09:00"), bk.t(f"2026-03-{day}T10:00"), "Dentist")
        for day in range(10, 15)
    ]
    bk.scheduler.add_busy(blocks, source="test")
    found = bk.ctx.search.find("dentist", limit=3)
    assert len(found.busy) == 3 and found.more
    assert found.busy[0].busy.start_utc == bk.t("2026-03-14T09:00"), "newest first"
    assert not bk.ctx.search.find("dentist").more
