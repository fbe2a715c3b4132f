"""Usage accounting: used / scheduled / remaining of each allowance, screen-shares per ET month,
and what is billable at $490 an hour."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from desktop.services.customers import CustomerRecord
from desktop.services.scheduling.usage import CustomerUsage, usage_for

from sessions_helpers import Book, open_book


@pytest.fixture
def bk(book_location: Path | str, tmp_path: Path) -> Iterator[Book]:
    with open_book(book_location) as book:
        yield book


def usage(bk: Book, customer: CustomerRecord, today: str) -> CustomerUsage:
    sessions = bk.scheduler.find(customer=customer)
    return usage_for(bk.policy, bk.clock, customer, sessions, date.fromisoformat(today))


def test_onboarding_used_scheduled_remaining(bk: Book) -> None:
    acme = bk.customer("Acme", product="SpiraPlan", users=120)  # 8 hours
    done = bk.book(acme, "onboarding", "2026-01-07T09:00", minutes=120)
    missed = bk.book(acme, "onboarding", "2026-01-09T09:00", minutes=60)
    bk.book(acme, "onboarding", "2026-01-13T09:00", minutes=90)
    cancelled = bk.book(acme, "onboarding", "2026-01-14T09:00", minutes=60)
    bk.book(acme, "onboarding", "2026-01-15T09:00", minutes=120, billable=True)
    bk.mark(done, "done")
    bk.mark(missed, "no-show")
    bk.scheduler.set_status(cancelled.id, "cancelled")
    onboarding = usage(bk, acme, "2026-01-12").allowance("onboarding")
    assert onboarding is not None
    assert onboarding.allowed == 8
    assert onboarding.used == 3  # done 2 h + no-show 1 h
    assert onboarding.scheduled == 1.5  # planned, not billable
    assert onboarding.remaining == 3.5
    assert onboarding.over == 0
    assert onboarding.period is not None
    assert onboarding.period.last_day == date(2026, 4, 4)


def test_overridden_hours_beyond_the_allowance_show_as_over(bk: Book) -> None:
    small = bk.customer("Small", product="SpiraTest", users=10, package="none")  # 1 hour
    bk.book(small, "onboarding", "2026-01-07T09:00", minutes=60)
    bk.book(small, "onboarding", "2026-01-08T09:00", minutes=30, override="goodwill")
    onboarding = usage(bk, small, "2026-01-07").allowance("onboarding")
    assert onboarding is not None
    assert (onboarding.remaining, onboarding.over) == (0, 0.5)


def test_assistance_hours_are_counted_per_package_year(bk: Book) -> None:
    gold = bk.customer("Gold", start="2026-01-05", package="gold", package_start="2026-03-02")
    first = bk.book(gold, "assistance", "2026-03-03T09:00", minutes=60)
    bk.book(gold, "assistance", "2027-02-25T09:00", minutes=90)
    bk.book(gold, "assistance", "2027-03-03T09:00", minutes=180)  # next package year
    bk.mark(first, "done")
    this_year = usage(bk, gold, "2026-06-01").allowance("assistance")
    assert this_year is not None
    assert (this_year.allowed, this_year.used, this_year.scheduled) == (4, 1, 1.5)
    assert this_year.remaining == 1.5
    assert this_year.period is not None
    assert this_year.period.start == date(2026, 3, 2)
    next_year = usage(bk, gold, "2027-03-02").allowance("assistance")
    assert next_year is not None
    assert (next_year.used, next_year.scheduled, next_year.remaining) == (0, 3, 1)


def test_screen_shares_are_counted_per_et_month(bk: Book) -> None:
    platinum = bk.customer("Plat", package="platinum")
    held = bk.book(platinum, "screen-share", "2026-03-03T10:00")
    bk.book(platinum, "screen-share", "2026-03-20T10:00")
    # 23:30 ET on 31 March is 1 April in UTC: it is still a March screen-share.
    late = bk.book(platinum, "screen-share", "2026-03-31T23:30", minutes=30, override="APAC team")
    off = bk.book(platinum, "screen-share", "2026-03-24T10:00")
    bk.book(platinum, "screen-share", "2026-04-02T10:00")
    bk.mark(held, "done")
    bk.scheduler.set_status(off.id, "cancelled")
    assert late.start_utc.month == 4
    march = usage(bk, platinum, "2026-03-15").allowance("screen-share")
    assert march is not None
    assert (march.allowed, march.used, march.scheduled, march.remaining) == (6, 1, 2, 3)
    assert "March 2026" in march.label
    april = usage(bk, platinum, "2026-04-10").allowance("screen-share")
    assert april is not None
    assert (april.used, april.scheduled) == (0, 1)
    months = {(m.year, m.month): m for m in usage(bk, platinum, "2026-04-10").screen_share_months}
    assert (months[2026, 3].used, months[2026, 3].scheduled) == (1, 2)
    assert (months[2026, 4].used, months[2026, 4].scheduled) == (0, 1)
    # The package year 5 Jan 2026 - 4 Jan 2027 touches 13 calendar months.
    assert min(months) == (2026, 1)
    assert max(months) == (2027, 1)


def test_yearly_counts_and_cadence_this_period(bk: Book) -> None:
    gold = bk.customer("Gold", users=120)
    bk.book(gold, "round-table", "2026-02-03T13:00")
    bk.book(gold, "event-plan", "2026-05-05", end="2026-05-06")
    call = bk.book(gold, "cadence", "2026-02-10T10:00")
    bk.mark(call, "done")
    result = usage(bk, gold, "2026-03-01")
    round_tables = result.allowance("round-table")
    event_plans = result.allowance("event-plan")
    cadence = result.allowance("cadence")
    assert round_tables is not None and event_plans is not None and cadence is not None
    assert (round_tables.allowed, round_tables.scheduled, round_tables.remaining) == (2, 1, 1)
    assert (event_plans.allowed, event_plans.scheduled, event_plans.remaining) == (1, 1, 0)
    assert (cadence.used, cadence.remaining) == (1, 0)
    assert result.allowance("product-team") is None  # gold has none
    next_quarter = usage(bk, gold, "2026-04-06").allowance("cadence")
    assert next_quarter is not None
    assert (next_quarter.used, next_quarter.remaining) == (0, 1)


def test_a_customer_without_premium_has_no_premium_allowances(bk: Book) -> None:
    small = bk.customer("Small", product="SpiraTest", users=15, package="none")
    result = usage(bk, small, "2026-02-01")
    assert [a.key for a in result.allowances] == ["onboarding"]
    assert result.package_year is None
    assert result.screen_share_months == ()


def test_billable_hours_and_amount_at_490_an_hour(bk: Book) -> None:
    gold = bk.customer("Gold")
    bk.book(gold, "onboarding", "2026-01-07T09:00", minutes=90, billable=True)
    missed = bk.book(gold, "assistance", "2026-03-03T09:00", minutes=120, billable=True)
    dropped = bk.book(gold, "assistance", "2026-03-04T09:00", minutes=60, billable=True)
    bk.book(gold, "assistance", "2026-03-05T09:00", minutes=60)  # drawn on the allowance
    bk.mark(missed, "no-show")
    bk.scheduler.set_status(dropped.id, "cancelled")
    result = usage(bk, gold, "2026-03-10")
    assert result.billable_hours == 3.5
    assert result.billable_usd == 3.5 * 490
    assistance = result.allowance("assistance")
    assert assistance is not None
    assert (assistance.used, assistance.scheduled) == (0, 1)


def test_cancelled_sessions_count_for_nothing(bk: Book) -> None:
    gold = bk.customer("Gold")
    for start in ("2026-01-07T09:00", "2026-03-03T09:00"):
        kind = "onboarding" if start.startswith("2026-01") else "assistance"
        record = bk.book(gold, kind, start, minutes=60)
        bk.scheduler.set_status(record.id, "cancelled")
    record = bk.book(gold, "screen-share", "2026-03-04T09:00")
    bk.scheduler.set_status(record.id, "cancelled")
    result = usage(bk, gold, "2026-03-10")
    for key in ("onboarding", "assistance", "screen-share"):
        allowance = result.allowance(key)
        assert allowance is not None
        assert (allowance.used, allowance.scheduled) == (0, 0)
    assert result.billable_hours == 0
