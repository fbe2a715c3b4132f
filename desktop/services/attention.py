"""The "Needs attention" list: what the manager should act on today, most urgent first.

Everything is computed from the sessions around now (a year each way), loaded in one query,
so the dashboard costs a few queries whatever the size of the book.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from desktop.services.business_time import format_day, format_span, period_containing
from desktop.services.customers import CustomerRecord
from desktop.services.mail.replies import Replies
from desktop.services.scheduling.conflicts import conflicting_sessions, find_conflicts
from desktop.services.scheduling.ledger import Booked
from desktop.services.scheduling.sessions import Scheduler, SessionRecord

# How far ahead an expiring yearly allowance is worth a line.
YEARLY_WARNING_DAYS = 60
# Periods that matter today (package year, annual cadence) reach at most a year each way.
LOOK_AROUND_DAYS = 367


@dataclass(frozen=True)
class AttentionItem:
    """One thing to act on. `action` names what the button does; the view maps it."""

    category: str  # conflict, declined, onboarding, cadence, screen-share, yearly, overdue, ...
    customer: CustomerRecord | None
    title: str
    detail: str
    action: str  # plan-onboarding, plan-cadence, book-screen-share, book-kind, mark, move, declined
    due: date
    session: SessionRecord | None = None
    kind: str = ""


@dataclass(frozen=True)
class Attention:
    items: tuple[AttentionItem, ...]
    this_week: tuple[SessionRecord, ...]

    def count(self, category: str | None = None) -> int:
        return sum(1 for i in self.items if category is None or i.category == category)


def _hours(minutes: float) -> str:
    hours = minutes / 60
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


def needs_attention(
    scheduler: Scheduler, customers: Sequence[CustomerRecord], now: datetime
) -> Attention:
    clock = scheduler.clock
    policy = scheduler.policy
    today = clock.et_date(now)
    around = timedelta(days=LOOK_AROUND_DAYS)
    by_customer = scheduler.counted_by_customer(now - around, now + around)
    items: list[AttentionItem] = []

    for customer in customers:
        ent = scheduler.customers.entitlements(customer)
        sessions = by_customer.get(customer.id, [])

        def of_kind(
            kind: str, first: date, end: date, pool: list[Booked] = sessions
        ) -> list[Booked]:
            return [s for s in pool if s.kind == kind and first <= clock.et_date(s.start_utc) < end]

        # Onboarding hours not yet scheduled while the window is open.
        window = clock.onboarding_window(customer.start)
        if window.first_day <= today < window.end:
            booked = sum(
                s.minutes
                for s in of_kind("onboarding", window.first_day, window.end)
                if not s.billable
            )
            missing = ent.onboarding_hours * 60 - booked
            days_left = (window.end - today).days
            if missing > 0:
                items.append(
                    AttentionItem(
                        "onboarding",
                        customer,
                        f"{customer.name}: {_hours(missing)} of onboarding not scheduled",
                        f"The onboarding window closes {format_day(window.last_day)} "
                        f"({days_left} day{'s' if days_left != 1 else ''} left).",
                        "plan-onboarding",
                        window.last_day,
                        kind="onboarding",
                    )
                )

        # The current cadence period has no call.
        if ent.cadence != "as-needed" and today >= customer.start:
            months = policy.cadence_months[ent.cadence]
            period = period_containing(customer.start, months, today)
            if period is not None and not of_kind("cadence", period.start, period.end):
                items.append(
                    AttentionItem(
                        "cadence",
                        customer,
                        f"{customer.name}: no {ent.cadence} account-management call booked",
                        f"The period {format_day(period.start)} - {format_day(period.last_day)} "
                        "should hold one account-management call.",
                        "plan-cadence",
                        period.last_day,
                        kind="cadence",
                    )
                )

        if customer.package == "none" or today < customer.package_start:
            continue
        # Screen-shares left this month (they do not roll over).
        if ent.screen_shares_per_month:
            month_start = date(today.year, today.month, 1)
            next_month = date(today.year + today.month // 12, today.month % 12 + 1, 1)
            used = len(of_kind("screen-share", month_start, next_month))
            left = ent.screen_shares_per_month - used
            month_end = next_month - timedelta(days=1)
            if left > 0:
                items.append(
                    AttentionItem(
                        "screen-share",
                        customer,
                        f"{customer.name}: {left} of {ent.screen_shares_per_month} screen-shares "
                        f"unused in {today:%B}",
                        f"They do not roll over; the month ends {format_day(month_end)}.",
                        "book-screen-share",
                        month_end,
                        kind="screen-share",
                    )
                )
        # Yearly allowances that will lapse unused at the package anniversary.
        year = period_containing(customer.package_start, 12, today)
        if year is None or (year.end - today).days > YEARLY_WARNING_DAYS:
            continue
        yearly = (
            ("assistance", ent.assistance_hours_per_year * 60, True),
            ("event-plan", ent.event_plans_per_year, False),
            ("round-table", ent.round_tables_per_year, False),
            ("product-team", ent.product_team_meetings_per_year, False),
        )
        for kind, allowed, is_minutes in yearly:
            if not allowed:
                continue
            taken = of_kind(kind, year.start, year.end)
            used = sum(s.minutes for s in taken if not s.billable) if is_minutes else len(taken)
            if used < allowed:
                left = allowed - used
                info = policy.kind(kind)
                noun = (info.label if left == 1 else info.plural).lower()
                left_text = _hours(left) if is_minutes else f"{left} {noun}"
                items.append(
                    AttentionItem(
                        "yearly",
                        customer,
                        f"{customer.name}: {left_text} will expire unused"
                        if is_minutes
                        else f"{customer.name}: {left_text} still to hold",
                        f"The package year ends {format_day(year.last_day)}.",
                        "book-kind",
                        year.last_day,
                        kind=kind,
                    )
                )

    for record in scheduler.overdue(now):
        names = ", ".join(record.customers)
        items.append(
            AttentionItem(
                "overdue",
                None,
                f"{names}: {policy.kind(record.kind).label.lower()} still marked planned",
                f"It was on {format_day(clock.et_date(record.start_utc))}. Was it held?",
                "mark",
                clock.et_date(record.start_utc),
                session=record,
                kind=record.kind,
            )
        )

    # Booked sessions that clash with busy time or with each other: move one.
    for clashes in conflicting_sessions(find_conflicts(scheduler, now)).values():
        record = clashes[0].session
        names = ", ".join(record.customers)
        what = "; ".join(
            f"your busy time '{c.title}'" if c.with_ == "busy" else f"'{c.title}'" for c in clashes
        )
        items.append(
            AttentionItem(
                "conflict",
                None,
                f"{names}: {policy.kind(record.kind).label.lower()} clashes",
                f"{format_span(record.start_utc, record.end_utc, clock)} "
                f"{policy.time.zone_label} overlaps {what}.",
                "move",
                clock.et_date(record.start_utc),
                session=record,
                kind=record.kind,
            )
        )

    # Sessions to come that an attendee declined (issue 11): move them, or cancel them.
    for session_id, who in Replies(scheduler.db).declined(now):
        record = scheduler.get(session_id)
        items.append(
            AttentionItem(
                "declined",
                None,
                f"{', '.join(record.customers)}: {', '.join(who)} declined "
                f"the {policy.kind(record.kind).label.lower()}",
                f"It is on {format_day(clock.et_date(record.start_utc))}. "
                "Move it to another time, or cancel it.",
                "declined",
                clock.et_date(record.start_utc),
                session=record,
                kind=record.kind,
            )
        )

    week_start = today - timedelta(days=today.weekday())
    week_end = week_start + timedelta(days=7)
    this_week = tuple(
        s
        for s in scheduler.find(None, week_start, week_end - timedelta(days=1))
        if s.status != "cancelled"
    )
    order = {
        "conflict": 0,
        "declined": 0,
        "overdue": 1,
        "onboarding": 2,
        "cadence": 3,
        "screen-share": 4,
        "yearly": 5,
    }
    items.sort(key=lambda i: (order.get(i.category, 9), i.due, i.title))
    return Attention(tuple(items), this_week)
