"""The entitlement summary as a document model and as HTML, without Qt: every entitlement in
plain words with the numbers of DOMAIN.md section 2, booking rules with real dates, sessions in
ET and the customer's zone, billable hours at $490, and user text always escaped."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from desktop.services.customers import CustomerDraft, CustomerRecord
from desktop.services.profile import ProfileStore
from desktop.services.reports.report_html import email_document
from desktop.services.reports.reports import Reports
from desktop.services.reports.summary import CustomerSummary, next_anniversary, summary_body

from sessions_helpers import Book, open_book
from summary_helpers import MANAGER, NOW_ET, fill


@pytest.fixture
def bk(book_location: Path | str, tmp_path: Path) -> Iterator[Book]:
    with open_book(book_location) as book:
        ProfileStore().set_identity(*MANAGER)
        yield book


def summarize(bk: Book, customer: CustomerRecord, at: str = NOW_ET) -> CustomerSummary:
    return Reports(bk.scheduler).summary(customer, bk.t(at))


def lines(summary: CustomerSummary) -> dict[str, tuple[str, bool]]:
    return {line.name: (line.detail, line.included) for line in summary.entitlements}


def text_of(html: str) -> str:
    """The HTML's visible text, whitespace folded (entities left as they are)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- what the contract gives -------------------------------------------------------------------


def test_platinum_lists_every_premium_entitlement_with_its_numbers(bk: Book) -> None:
    customer = bk.customer("Fjord", "SpiraPlan", 300, "2026-01-05", "platinum")
    got = lines(summarize(bk, customer))
    assert got["Onboarding assistance"] == (
        "8 hours of assistance sessions in the first 90 days: Mon 5 Jan 2026 to Sat 4 Apr 2026",
        True,
    )
    assert "a monthly call" in got["Account management"][0]
    assert got["Technical screen-shares"] == (
        "6 sessions per calendar month, up to 60 minutes each, requested one business day ahead",
        True,
    )
    assert got["Weekend screen-shares"] == ("Saturdays and Sundays, 09:00–17:00 ET", True)
    assert got["Premium assistance"][0] == "12 hours of assistance sessions per package year"
    assert got["Event plans"][0].startswith("2 event plans per package year")
    assert (
        got["Strategic round tables"][0]
        == "2 round tables per package year, up to 10 customers each"
    )
    assert got["Product-team 1:1"][0] == "1 meeting with the product team per package year"
    assert got["Small feature fix"][0] == "1 small feature fix per package year (if feasible)"
    assert got["Inflectra Campus premium courses"][1] is True
    assert got["Premium package"] == ("Platinum: $72,000 per year", True)
    assert got["Additional hours"][0].startswith("$490 per hour beyond any allowance")


def test_silver_says_two_business_days_and_what_it_lacks(bk: Book) -> None:
    customer = bk.customer("Delta", "SpiraTeam", 30, "2026-01-05", "silver")
    got = lines(summarize(bk, customer))
    assert got["Onboarding assistance"][0].startswith("6 hours")
    assert got["Account management"][0].endswith("calls as needed")
    assert got["Technical screen-shares"][0] == (
        "2 sessions per calendar month, up to 60 minutes each, requested two business days ahead"
    )
    assert got["Weekend screen-shares"] == ("Not included (part of Platinum)", False)
    assert got["Premium assistance"][0].startswith("2 hours")
    assert got["Event plans"] == ("Not included (part of Gold and Platinum)", False)
    assert got["Premium package"] == ("Silver: $18,000 per year", True)


def test_gold_quarterly_band(bk: Book) -> None:
    customer = bk.customer("Acme", "SpiraPlan", 120, "2026-01-05", "gold")
    got = lines(summarize(bk, customer))
    assert "a quarterly call" in got["Account management"][0]
    assert got["Technical screen-shares"][0].startswith("4 sessions per calendar month")
    assert got["Premium assistance"][0].startswith("4 hours")
    assert got["Event plans"][0].startswith("1 event plan per package year")
    assert got["Strategic round tables"][0].startswith("2 round tables")
    assert got["Product-team 1:1"] == ("Not included (part of Platinum)", False)
    assert got["Premium package"] == ("Gold: $36,000 per year", True)


def test_no_premium_package_shows_what_is_not_included(bk: Book) -> None:
    customer = bk.customer("Cobalt", "SpiraTest", 15, "2026-01-05", "none")
    summary = summarize(bk, customer)
    got = lines(summary)
    assert got["Onboarding assistance"][0].startswith("1 hour of assistance sessions")
    assert got["Technical screen-shares"] == (
        "Not included (part of Silver, Gold and Platinum)",
        False,
    )
    assert got["Premium package"] == ("None", False)
    assert [a.key for a in summary.usage.allowances] == ["onboarding"]
    assert summary.usage.screen_share_months == ()


@pytest.mark.parametrize(
    ("users", "cadence"),
    [(51, "an annual call"), (101, "a quarterly call"), (251, "a monthly call")],
)
def test_cadence_follows_the_band(bk: Book, users: int, cadence: str) -> None:
    customer = bk.customer("Band", "SpiraTeam", users, "2026-01-05", "none")
    assert cadence in lines(summarize(bk, customer))["Account management"][0]


def test_facts_state_band_dates_and_renewals(bk: Book) -> None:
    customer = bk.customer(
        "Iberia", "SpiraPlan", 140, "2025-01-12", "gold", package_start="2025-04-01"
    )
    facts = {fact.label: fact.value for fact in summarize(bk, customer).facts}
    assert facts["Licence band"] == "101-250 concurrent users"
    assert facts["Subscription renewal"] == "Tue 12 Jan 2027"
    assert facts["Package renewal"] == "Wed 1 Apr 2026"
    assert facts["Premium package"] == "Gold, $36,000 per year"


# --- booking rules, stated concretely -----------------------------------------------------------


def test_gold_notice_rule_with_a_real_deadline(bk: Book) -> None:
    customer = bk.customer("Acme", package="gold")
    rules = " ".join(summarize(bk, customer).booking_rules)
    # Issued Thu 12 Mar 2026: the next Monday is 16 Mar, due the Friday before at 17:00.
    assert "Request screen-shares by 17:00 ET one business day before the session" in rules
    assert "for a session on Mon 16 Mar 2026, request it by Fri 13 Mar 2026, 17:00 ET" in rules
    assert "weekends" not in rules.lower()


def test_silver_notice_rule_gives_a_wednesday_and_a_monday(bk: Book) -> None:
    customer = bk.customer("Delta", package="silver")
    rules = " ".join(summarize(bk, customer).booking_rules)
    assert "by 17:00 ET two business days before the session" in rules
    assert "for a session on Mon 16 Mar 2026, request it by Thu 12 Mar 2026, 17:00 ET" in rules
    assert "for Wed 18 Mar 2026, by Mon 16 Mar 2026, 17:00 ET" in rules


def test_platinum_weekend_rule(bk: Book) -> None:
    customer = bk.customer("Fjord", package="platinum")
    rules = " ".join(summarize(bk, customer).booking_rules)
    assert "Saturdays and Sundays, 09:00–17:00 ET" in rules
    assert "for Sat 14 Mar 2026, request by Fri 13 Mar 2026, 17:00 ET" in rules


def test_example_skips_a_holiday_monday(bk: Book) -> None:
    customer = bk.customer("Acme", package="gold")
    # Wed 20 May 2026: the next Monday, 25 May, is Memorial Day.
    rules = " ".join(summarize(bk, customer, "2026-05-20T09:00").booking_rules)
    assert "Mon 1 Jun 2026, request it by Fri 29 May 2026, 17:00 ET" in rules
    holidays = summarize(bk, customer, "2026-05-20T09:00").holidays
    assert (date(2026, 5, 25), "Memorial Day") in holidays


def test_no_premium_has_no_screen_share_rules(bk: Book) -> None:
    customer = bk.customer("Cobalt", "SpiraTest", 15, package="none")
    rules = " ".join(summarize(bk, customer).booking_rules)
    assert "screen-share" not in rules.lower()
    assert "Onboarding sessions take place from Mon 5 Jan 2026 to Sat 4 Apr 2026" in rules
    assert "$490 per hour" in rules


# --- sessions and money --------------------------------------------------------------------------


def test_upcoming_sessions_in_et_and_the_customers_zone(bk: Book) -> None:
    customer = bk.customer("Sakura", tz="Asia/Tokyo")
    bk.book(customer, "screen-share", "2026-03-17T10:00", minutes=60, title="Dashboards")
    bk.book(customer, "screen-share", "2026-03-18T11:00", minutes=30)
    summary = summarize(bk, customer)
    assert summary.local_zone == "Asia/Tokyo"
    first, second = summary.upcoming
    assert (first.day, first.time_et, first.time_local) == (
        "Tue 17 Mar 2026",
        "10:00–11:00",
        "23:00–00:00",
    )
    assert first.what == "Screen-share: Dashboards"
    assert second.time_local == "00:00–00:30 (Thu 19 Mar)"
    assert second.length == "30 min"


def test_past_and_cancelled_sessions_are_not_upcoming(bk: Book) -> None:
    customer = bk.customer("Acme")
    bk.book(customer, "onboarding", "2026-03-10T10:00", minutes=60)
    cancelled = bk.book(customer, "onboarding", "2026-03-20T10:00", minutes=60)
    bk.scheduler.set_status(cancelled.id, "cancelled")
    bk.book(customer, "onboarding", "2026-03-23T10:00", minutes=60)
    summary = summarize(bk, customer)
    assert [line.day for line in summary.upcoming] == ["Mon 23 Mar 2026"]
    assert summary.local_zone is None


def test_round_table_never_names_the_other_customers(bk: Book) -> None:
    acme = bk.customer("Acme", package="gold")
    rival = bk.customer("Secret Rival Corp", package="platinum")
    bk.book([acme, rival], "round-table", "2026-03-25T10:00", minutes=90)
    summary = summarize(bk, acme)
    assert summary.upcoming[0].what == "Strategic round table"
    assert "Secret Rival" not in summary_body(summary)


def test_billable_hours_at_the_policy_rate(bk: Book) -> None:
    customer = bk.customer("Fjord", package="platinum")
    fill(bk, customer)
    bk.book(customer, "assistance", "2026-03-25T13:00", minutes=60, billable=True)
    summary = summarize(bk, customer)
    assert [(b.hours, b.usd) for b in summary.billable] == [(1.5, 735.0), (1.0, 490.0)]
    assert summary.usage.billable_usd == 1225
    body = text_of(summary_body(summary))
    assert "2.5 h = $1,225" in body
    assert "$735" in body


@pytest.mark.parametrize(
    ("start", "today", "renewal"),
    [
        (date(2025, 3, 12), date(2026, 3, 12), date(2026, 3, 12)),
        (date(2025, 3, 13), date(2026, 3, 12), date(2026, 3, 13)),
        (date(2024, 2, 29), date(2026, 3, 1), date(2027, 2, 28)),
        (date(2026, 6, 1), date(2026, 3, 12), date(2027, 6, 1)),
        (date(2019, 1, 5), date(2026, 3, 12), date(2027, 1, 5)),
    ],
)
def test_renewal_is_the_next_anniversary(start: date, today: date, renewal: date) -> None:
    assert next_anniversary(start, today) == renewal


# --- HTML ---------------------------------------------------------------------------------


def test_html_escapes_every_user_text(bk: Book) -> None:
    evil = bk.customers.add(
        CustomerDraft(
            name="<script>alert('x')</script> & Co",
            product="SpiraPlan",
            users="120",
            start="2026-01-05",
            package="gold",
            contacts='Eve "Q" O\'Brien & Sons <eve@example.com>',
        )
    )
    bk.book(evil, "screen-share", "2026-03-17T10:00", minutes=60, title="<b>bold</b> & more")
    document = summarize(bk, evil).printable()
    html = email_document([document])
    assert "<script>" not in html
    assert "<b>bold</b>" not in html
    assert "Eve &quot;Q&quot; O&#x27;Brien &amp; Sons &lt;eve@example.com&gt;" in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in html
    assert "<title>Entitlement summary: &lt;script&gt;" in html


def test_email_html_is_self_contained(bk: Book) -> None:
    customer = bk.customer("Acme", package="gold")
    html = email_document([summarize(bk, customer).printable()])
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html
    assert "<style" not in html and "<script" not in html and "<link" not in html
    assert not re.search(r'src="(?!data:)', html)
    assert "mailto:jane.doe@inflectra.com" in html


def test_the_month_table_covers_the_package_year(bk: Book) -> None:
    customer = bk.customer("Acme", start="2026-01-05", package="gold")
    fill(bk, customer)
    summary = summarize(bk, customer)
    months = summary.usage.screen_share_months
    assert (months[0].year, months[0].month) == (2026, 1)
    march = next(m for m in months if m.month == 3)
    assert (march.used, march.scheduled, march.allowed) == (1, 1, 4)
    assert "Screen-shares per month, package year 5 Jan 2026 – 4 Jan 2027" in text_of(
        summary_body(summary)
    )


def test_an_event_plan_over_a_holiday_weekend_names_those_days(bk: Book) -> None:
    from desktop.services.reports.summary import session_line

    acme = bk.customer("Acme", package="platinum")
    go_live = bk.book(acme, "event-plan", "2026-07-02", end="2026-07-06")
    line = session_line(bk.policy, bk.clock, go_live, acme.tz)
    assert (
        "includes Fri 3 Jul 2026 (Independence Day (observed)), Sat 4 Jul 2026 "
        "(Independence Day), Sun 5 Jul 2026: not business days"
    ) in line.what
    plain = bk.book(acme, "event-plan", "2026-06-01", end="2026-06-03")
    assert "not business days" not in session_line(bk.policy, bk.clock, plain, acme.tz).what
