"""What the dashboard shows, without Qt: the fullest allowances, the attention items grouped
by when they need the manager, and the sentences of its headings."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from desktop.services.attention import Attention, AttentionItem, needs_attention, yearly_kinds
from desktop.services.attention_reads import ALL_TIME, TallyKey, UtcDays, Window, tallies_in_windows
from desktop.services.business_time import (
    Period,
    month_of,
    period_containing,
    week_start,
)
from desktop.services.customers import CustomerRecord
from desktop.services.scheduling.sessions import Scheduler
from desktop.services.scheduling.usage import Allowance, Tally, current_allowances

# Problems are today's whatever their date: a clash, a decline, a session to mark.
PROBLEMS = frozenset({"conflict", "overdue", "declined"})
TOP_CUSTOMERS = 8
# Allowances the chart leaves out: one call per period is full, not at risk.
CHART_SKIPS = frozenset({"cadence"})
# The chart's line has little room: its allowances by shorter names (the tooltip has all).
CHART_LABELS = {
    "onboarding": "Onboarding hours",
    "screen-share": "Screen-shares this month",
    "assistance": "Assistance hours",
    "event-plan": "Event plans",
    "round-table": "Round tables",
    "product-team": "Product-team 1:1",
}


@dataclass(frozen=True)
class AllowanceUse:
    """One customer's most used allowance, as the dashboard's chart draws it."""

    customer_id: int
    customer: str
    label: str  # "Assistance hours this package year"
    unit: str  # "hours" or "sessions"
    allowed: float
    used: float
    scheduled: float

    @property
    def share(self) -> float:
        return (self.used + self.scheduled) / self.allowed if self.allowed else 0.0

    def figures(self) -> str:
        """'2 used · 9 scheduled · 1 left of 12 h': both used and scheduled count."""
        left = max(0.0, self.allowed - self.used - self.scheduled)
        whole = f"{self.allowed:g} h" if self.unit == "hours" else f"{self.allowed:g}"
        return f"{self.used:g} used · {self.scheduled:g} scheduled · {left:g} left of {whole}"

    def text(self) -> str:
        return f"{self.customer}: {self.label} {self.figures()} ({self.share:.0%})"

    def tooltip(self) -> str:
        unit = "h" if self.unit == "hours" else ""
        return (
            f"{self.customer}\n{self.label}\n"
            f"{self.used:g}{unit} used, {self.scheduled:g}{unit} scheduled "
            f"of {self.allowed:g}{unit} ({self.share:.0%})"
        )


def _use_of(customer: CustomerRecord, allowance: Allowance) -> AllowanceUse:
    return AllowanceUse(
        customer.id,
        customer.name,
        CHART_LABELS.get(allowance.key, allowance.label),
        allowance.unit,
        allowance.allowed,
        allowance.used,
        allowance.scheduled,
    )


def top_allowance_use(
    scheduler: Scheduler,
    customers: Sequence[CustomerRecord],
    now: datetime,
    tallies: Mapping[TallyKey, Tally] | None = None,
) -> tuple[AllowanceUse, ...]:
    """Each customer's most used allowance, the fullest first: who is running out of what.

    Counts only what the chart can show (`chart_windows`), summed by the database, unless
    given those sums (`tallies`, read with the attention list's).
    """
    clock = scheduler.clock
    today = clock.et_date(now)
    if tallies is None:
        windows = chart_windows(scheduler, customers, today)
        tallies = tallies_in_windows(scheduler.db, UtcDays(clock), windows)
    found = []
    for customer in customers:
        best: Allowance | None = None
        most = 0.0  # its share (as `AllowanceUse.share`), worked out here for every allowance
        for allowance in _chart_allowances(scheduler, customer, today, tallies):
            if allowance.allowed <= 0:
                continue
            if allowance.period is not None and not allowance.period.contains(today):
                continue  # the onboarding window of long ago
            share = (allowance.used + allowance.scheduled) / allowance.allowed
            if share > most:
                best, most = allowance, share
        if best is not None:
            found.append(_use_of(customer, best))
    found.sort(key=lambda u: (-u.share, -u.used / u.allowed, u.customer.lower()))
    return tuple(found[:TOP_CUSTOMERS])


def _chart_allowances(
    scheduler: Scheduler,
    customer: CustomerRecord,
    today: date,
    tallies: Mapping[TallyKey, Tally],
) -> list[Allowance]:
    """The customer's allowances the chart can draw, from the tallies of `chart_windows`
    (onboarding counts every onboarding session, as `usage_for` does)."""

    def split(kind: str, period: Period | None, hours: bool) -> tuple[float, float]:
        first, end = ALL_TIME if period is None else (period.start, period.end)
        return tallies[(customer.id, kind, first, end)].split(hours)

    ent = scheduler.customers.entitlements(customer)
    skip = CHART_SKIPS
    window = scheduler.clock.onboarding_window(customer.start)
    if not window.first_day <= today < window.end:
        skip |= {"onboarding"}  # not read: long closed, or still to open
    allowances, _ = current_allowances(
        scheduler.policy, scheduler.clock, customer, ent, today, split, skip
    )
    return allowances


def chart_windows(
    scheduler: Scheduler, customers: Sequence[CustomerRecord], today: date
) -> list[Window]:
    """The periods of the allowances the chart draws today (those that contain today), of the
    kinds each contract gives any of. Onboarding reads all of an open window's customer's
    onboarding: `usage_for` counts every one (an overridden session outside the window too);
    those customers are few."""
    clock = scheduler.clock
    month = month_of(today)
    found = []
    for customer in customers:
        cid = customer.id
        onboarding = clock.onboarding_window(customer.start)
        if onboarding.first_day <= today < onboarding.end:
            found.append(Window(cid, ("onboarding",), *ALL_TIME))
        if customer.package != "none":
            ent = scheduler.customers.entitlements(customer)
            if ent.screen_shares_per_month:
                found.append(Window(cid, ("screen-share",), month.start, month.end))
            # The first package year while it is still to start, as `current_allowances` has it.
            year = period_containing(customer.package_start, 12, max(today, customer.package_start))
            if year is not None:
                found.append(Window(cid, yearly_kinds(ent), year.start, year.end))
    return found


@dataclass(frozen=True)
class DashboardData:
    """One computation of the dashboard. `seconds`: how long it took (list and chart), which
    decides whether the next computation goes to a worker thread."""

    attention: Attention
    chart: tuple[AllowanceUse, ...]
    seconds: float


def compute_dashboard(
    scheduler: Scheduler, customers: Sequence[CustomerRecord], now: datetime
) -> DashboardData:
    """The attention list and the allowance chart of the book at `now`."""
    started = time.perf_counter()
    windows = chart_windows(scheduler, customers, scheduler.clock.et_date(now))
    attention = needs_attention(scheduler, customers, now, also_read=windows)
    chart = top_allowance_use(scheduler, customers, now, attention.tallies)
    return DashboardData(attention, chart, time.perf_counter() - started)


@dataclass(frozen=True)
class Urgency:
    """The attention items split by when they need the manager: today and this week by
    category, the rest (due after this week) under "Later", soonest first."""

    soon: dict[str, list[AttentionItem]]
    later: list[AttentionItem]

    def soon_in(self, category: str) -> list[AttentionItem]:
        return self.soon.get(category, [])


def by_urgency(items: Sequence[AttentionItem], today: date) -> Urgency:
    """Today and this week first; what is due later is one click away, under "Later"."""
    week_end = week_start(today) + timedelta(days=7)
    soon: dict[str, list[AttentionItem]] = {}
    later = []
    for item in items:
        if item.due < week_end or item.category in PROBLEMS:
            soon.setdefault(item.category, []).append(item)
        else:
            later.append(item)
    later.sort(key=lambda i: i.due)
    return Urgency(soon, later)


def split_title(item: AttentionItem) -> tuple[str, str]:
    """'Acme Logistics: 3 hours of onboarding not scheduled' -> the who and the what."""
    who, sep, what = item.title.partition(": ")
    return (who, what) if sep else ("", item.title)


def things_need_you(count: int) -> str:
    """'Nothing needs you', '1 thing needs you', '4 things need you'."""
    if not count:
        return "Nothing needs you"
    return f"{count} thing{'s' if count != 1 else ''} need{'s' if count == 1 else ''} you"


def dashboard_subtitle(today: date, attention: Attention) -> str:
    """'Wednesday 11 March 2026 · 4 things need you'."""
    return f"{today:%A} {today.day} {today:%B %Y} · {things_need_you(attention.count())}"


def week_subtitle(today: date, sessions: int) -> str:
    """'9 Mar – 15 Mar · 1 session' (or '· free')."""
    first = week_start(today)
    last = first + timedelta(days=6)
    booked = f"{sessions} session{'s' if sessions != 1 else ''}" if sessions else "free"
    return f"{first.day} {first:%b} – {last.day} {last:%b} · {booked}"
