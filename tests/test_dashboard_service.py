"""The dashboard's figures without Qt: the fullest allowances, the attention items by when
they need the manager, and the headings' sentences."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from benchmarks.bench_team import build
from desktop.app import build_context
from desktop.services import dashboard
from desktop.services.attention import Attention, AttentionItem, needs_attention
from desktop.services.dashboard import (
    TOP_CUSTOMERS,
    AllowanceUse,
    by_urgency,
    compute_dashboard,
    dashboard_subtitle,
    split_title,
    things_need_you,
    top_allowance_use,
    week_subtitle,
)
from desktop.services.scheduling.sessions import BookingRequest, SessionTimes
from desktop.services.scheduling.usage import usage_for
from sqlalchemy import text

WEDNESDAY = date(2026, 3, 11)


def item(category: str, due: date, title: str = "Acme: something") -> AttentionItem:
    return AttentionItem(category, None, title, "", "", due)


def test_this_week_and_problems_come_first_the_rest_waits_under_later() -> None:
    onboarding_now = item("onboarding", date(2026, 3, 14))
    onboarding_later = item("onboarding", date(2026, 5, 1))
    yearly_later = item("yearly", date(2026, 4, 1))
    clash_later = item("conflict", date(2026, 6, 1))
    overdue = item("overdue", date(2026, 3, 9))
    urgency = by_urgency(
        [onboarding_later, onboarding_now, yearly_later, clash_later, overdue], WEDNESDAY
    )
    assert urgency.soon_in("onboarding") == [onboarding_now]
    assert urgency.soon_in("conflict") == [clash_later]  # a problem is today's, whatever its date
    assert urgency.soon_in("overdue") == [overdue]
    assert urgency.soon_in("cadence") == []
    assert urgency.later == [yearly_later, onboarding_later]  # the soonest first


def test_the_week_ends_on_sunday() -> None:
    sunday = item("onboarding", date(2026, 3, 15))
    monday = item("onboarding", date(2026, 3, 16))
    urgency = by_urgency([sunday, monday], WEDNESDAY)
    assert urgency.soon_in("onboarding") == [sunday]
    assert urgency.later == [monday]


def test_sentences() -> None:
    assert things_need_you(0) == "Nothing needs you"
    assert things_need_you(1) == "1 thing needs you"
    assert things_need_you(4) == "4 things need you"
    attention = Attention((item("overdue", WEDNESDAY),), ())
    assert dashboard_subtitle(WEDNESDAY, attention) == "Wednesday 11 March 2026 · 1 thing needs you"
    assert week_subtitle(WEDNESDAY, 0) == "9 Mar – 15 Mar · free"
    assert week_subtitle(WEDNESDAY, 1) == "9 Mar – 15 Mar · 1 session"
    assert week_subtitle(WEDNESDAY, 3) == "9 Mar – 15 Mar · 3 sessions"


def test_a_title_splits_into_who_and_what() -> None:
    who_and_what = item("x", WEDNESDAY, "Acme Logistics: 3 hours")
    assert split_title(who_and_what) == ("Acme Logistics", "3 hours")
    assert split_title(item("x", WEDNESDAY, "No customer here")) == ("", "No customer here")


def test_allowance_use_figures() -> None:
    use = AllowanceUse(1, "Acme", "Onboarding hours", "hours", 12, 2, 9)
    assert use.share == 11 / 12
    assert use.figures() == "2 used · 9 scheduled · 1 left of 12 h"
    assert use.text() == "Acme: Onboarding hours 2 used · 9 scheduled · 1 left of 12 h (92%)"
    assert use.tooltip() == "Acme\nOnboarding hours\n2h used, 9h scheduled of 12h (92%)"
    over = AllowanceUse(2, "Brandt", "Screen-shares this month", "sessions", 4, 5, 0)
    assert over.figures() == "5 used · 0 scheduled · 0 left of 4"
    assert AllowanceUse(3, "Zero", "x", "sessions", 0, 0, 0).share == 0.0


def test_the_chart_holds_each_customers_fullest_allowance_the_fullest_first(
    tmp_path: Path,
) -> None:
    context = build_context(tmp_path / "book.sqlite")
    try:
        assert context.load_sample_book().errors == []
        customers = context.customers.list()
        now = datetime(2026, 3, 11, 14, 0, tzinfo=UTC)
        data = compute_dashboard(context.scheduler, customers, now)
        assert data.chart == top_allowance_use(context.scheduler, customers, now)
        assert data.attention == needs_attention(context.scheduler, customers, now)
        assert data.seconds >= 0
        shares = [use.share for use in data.chart]
        assert shares == sorted(shares, reverse=True) and len(shares) <= TOP_CUSTOMERS
        assert len({use.customer_id for use in data.chart}) == len(data.chart)
        assert all(use.share > 0 for use in data.chart)
    finally:
        context.close()


def _shown(data: dashboard.DashboardData) -> tuple[object, ...]:
    """What the page shows of a computation: its items' words, its week, its chart."""
    items = [(i.category, i.title, i.detail, i.due) for i in data.attention.items]
    return (items, data.attention.this_week, data.chart)


def test_a_refresh_asks_again_only_what_the_same_customers_on_the_same_day_ask(
    tmp_path: Path,
) -> None:
    """The page's memo keeps the question its last refresh asked: a refresh after a booking
    counts the booking; after a customer's edit, and on the next day, it asks anew."""
    context = build_context(tmp_path / "book.sqlite")
    try:
        assert context.load_sample_book().errors == []
        scheduler, memo = context.scheduler, dashboard.DashboardMemo()
        now = datetime(2026, 3, 31, 14, 0, tzinfo=UTC)

        def refreshed(when: datetime) -> tuple[object, ...]:
            customers = context.customers.list()  # as the page reads them
            kept = _shown(compute_dashboard(scheduler, customers, when, memo))
            assert kept == _shown(compute_dashboard(scheduler, customers, when))
            return kept

        def titles(shown: tuple[object, ...]) -> str:
            return "\n".join(title for _, title, _, _ in shown[0])  # type: ignore[attr-defined]

        assert "Yukon Mining: 4 of 4 screen-shares unused in March" in titles(refreshed(now))
        yukon = context.customers.get("Yukon Mining")
        held = SessionTimes(
            datetime(2026, 3, 31, 15, 0, tzinfo=UTC),
            datetime(2026, 3, 31, 16, 0, tzinfo=UTC),
            False,
        )
        asked_for = now - timedelta(days=7)  # in good time
        scheduler.book(BookingRequest((yukon,), "screen-share", held, asked_for))
        assert "Yukon Mining: 3 of 4 screen-shares unused in March" in titles(refreshed(now))
        context.customers.edit("Yukon Mining", {"package": "silver"})
        after_edit = titles(refreshed(now))
        assert "Yukon Mining: 3 of 4" not in after_edit and "Nimbus Cloud: 4 of 4" in after_edit
        next_day = titles(refreshed(now + timedelta(days=1)))
        assert "Nimbus Cloud: 4 of 4 screen-shares unused in April" in next_day
    finally:
        context.close()


def test_the_databases_sums_chart_what_every_session_counted_one_by_one_charts(
    book_location: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chart reads `session_tally` sums; counting each customer's sessions with
    `usage_for` (as the chart did before) must give the same allowances, on both engines.
    The book is the team benchmark's, small: random kinds, statuses and dates over five
    years; then sessions made billable and shared by a second customer, after booking."""
    today = date(2026, 3, 11)
    build(book_location, 40, 60, today)
    context = build_context(book_location)
    try:
        with context.db.transaction() as session:
            connection = session.connection()
            later = (
                "end_utc + interval '15 minutes'"
                if context.db.is_server
                else "strftime('%Y-%m-%d %H:%M:%S.000000', end_utc, '+15 minutes')"
            )
            connection.execute(
                text(
                    "UPDATE session SET billable = (id % 7 = 0), "
                    f"end_utc = {later} WHERE id % 5 = 0"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO session_customer (session_id, customer_id) "
                    "SELECT id, id % 40 + 1 FROM session WHERE id % 11 = 0 AND id % 40 + 1 <> "
                    "(SELECT customer_id FROM session_customer sc WHERE sc.session_id = session.id)"
                )
            )
        now = datetime(2026, 3, 11, 17, 0, tzinfo=UTC)
        customers = context.customers.list()
        monkeypatch.setattr(dashboard, "TOP_CUSTOMERS", len(customers))
        expected = []
        for customer in customers:
            sessions = context.scheduler.find(customer)
            usage = usage_for(context.policy, context.clock, customer, sessions, today)
            uses = [
                dashboard._use_of(customer, allowance, allowance.used, allowance.scheduled)
                for allowance in usage.allowances
                if allowance.key not in dashboard.CHART_SKIPS
                and allowance.allowed > 0
                and (allowance.period is None or allowance.period.contains(today))
            ]
            uses = [use for use in uses if use.share > 0]
            if uses:
                expected.append(max(uses, key=lambda use: use.share))
        expected.sort(key=lambda u: (-u.share, -u.used / u.allowed, u.customer.lower()))
        chart = top_allowance_use(context.scheduler, customers, now)
        assert len(chart) > 20  # most customers use something
        assert chart == tuple(expected)
        assert any(use.unit == "hours" and use.used % 1 for use in chart)  # 15-minute extras
    finally:
        context.close()
