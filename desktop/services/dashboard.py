"""What the dashboard shows, without Qt: the fullest allowances, the attention items grouped
by when they need the manager, and the sentences of its headings."""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from desktop.services.attention import (
    Asked,
    Attention,
    AttentionItem,
    ask,
    needs_attention,
    yearly_kinds,
)
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
    question = ChartQuestion(scheduler, customers, scheduler.clock.et_date(now))
    if tallies is None:
        tallies = tallies_in_windows(scheduler.db, UtcDays(scheduler.clock), question.windows)
    return question.fullest(tallies)


@dataclass(frozen=True, slots=True)
class _Drawable:
    """An allowance the chart can draw for a customer, as `current_allowances` words it, but
    for its sums, and the tally that sums it (`hours`: summed in hours)."""

    customer: CustomerRecord
    allowance: Allowance
    tally: TallyKey
    hours: bool


class ChartQuestion:
    """What the allowance chart draws from for some customers on a day: each allowance it can
    draw, and the windows whose tallies sum them. The contracts and the day decide it alone:
    a refresh reuses it (`DashboardMemo`) and only sums again."""

    def __init__(
        self, scheduler: Scheduler, customers: Sequence[CustomerRecord], today: date
    ) -> None:
        self.windows = chart_windows(scheduler, customers, today)
        self.drawables = [_drawables(scheduler, customer, today) for customer in customers]

    def fullest(self, tallies: Mapping[TallyKey, Tally]) -> tuple[AllowanceUse, ...]:
        """`top_allowance_use` with these sums."""
        found = []
        for drawables in self.drawables:
            best: AllowanceUse | None = None
            most = 0.0  # its share (as `AllowanceUse.share`), worked out here for every one
            for drawable in drawables:
                used, scheduled = tallies[drawable.tally].split(drawable.hours)
                share = (used + scheduled) / drawable.allowance.allowed
                if share > most:
                    best = _use_of(drawable.customer, drawable.allowance, used, scheduled)
                    most = share
            if best is not None:
                found.append(best)
        found.sort(key=lambda u: (-u.share, -u.used / u.allowed, u.customer.lower()))
        return tuple(found[:TOP_CUSTOMERS])


def _drawables(scheduler: Scheduler, customer: CustomerRecord, today: date) -> list[_Drawable]:
    """The customer's allowances the chart can draw today, each with the tally of
    `chart_windows` that sums it (onboarding counts every onboarding session, as `usage_for`
    does)."""
    tallies: dict[str, tuple[TallyKey, bool]] = {}  # by kind, which is each allowance's key

    def split(kind: str, period: Period | None, hours: bool) -> tuple[float, float]:
        first, end = ALL_TIME if period is None else (period.start, period.end)
        tallies[kind] = ((customer.id, kind, first, end), hours)
        return 0.0, 0.0  # summed by `ChartQuestion.fullest`

    ent = scheduler.customers.entitlements(customer)
    skip = CHART_SKIPS
    window = scheduler.clock.onboarding_window(customer.start)
    if not window.first_day <= today < window.end:
        skip |= {"onboarding"}  # not read: long closed, or still to open
    allowances, _ = current_allowances(
        scheduler.policy, scheduler.clock, customer, ent, today, split, skip
    )
    return [
        _Drawable(customer, allowance, *tallies[allowance.key])
        for allowance in allowances
        # Not the onboarding window of long ago.
        if allowance.allowed > 0 and (allowance.period is None or allowance.period.contains(today))
    ]


def _use_of(
    customer: CustomerRecord, allowance: Allowance, used: float, scheduled: float
) -> AllowanceUse:
    return AllowanceUse(
        customer.id,
        customer.name,
        CHART_LABELS.get(allowance.key, allowance.label),
        allowance.unit,
        allowance.allowed,
        used,
        scheduled,
    )


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


class DashboardMemo:
    """What a refresh of the dashboard reuses from the one before: the questions its list and
    chart ask the database (`Asked`, `ChartQuestion`), which the shown customers' contracts
    and the day decide alone. A refresh follows a change, most often to sessions. One per
    page; a refresh at a time."""

    def __init__(self) -> None:
        self._last: tuple[Scheduler, tuple[CustomerRecord, ...], Asked, ChartQuestion] | None
        self._last = None

    def asked(
        self, scheduler: Scheduler, customers: Sequence[CustomerRecord], today: date
    ) -> Asked:
        """The attention list's question, asked with the chart's (`chart`)."""
        shown = tuple(customers)
        last = self._last
        # The records compare field by field: none of them was edited since.
        if last is not None and last[0] is scheduler and (last[2].today, last[1]) == (today, shown):
            return last[2]
        chart = ChartQuestion(scheduler, shown, today)
        asked = ask(scheduler, shown, today, chart.windows)
        self._last = (scheduler, shown, asked, chart)
        return asked

    @property
    def chart(self) -> ChartQuestion:
        """The chart's question, asked with the last `asked`."""
        assert self._last is not None, "asked for nothing yet"
        return self._last[3]


def compute_dashboard(
    scheduler: Scheduler,
    customers: Sequence[CustomerRecord],
    now: datetime,
    memo: DashboardMemo | None = None,
) -> DashboardData:
    """The attention list and the allowance chart of the book at `now`; `memo`: the page's,
    kept from its last refresh."""
    started = time.perf_counter()
    if not customers:
        return DashboardData(Attention((), ()), (), time.perf_counter() - started)
    memo = memo or DashboardMemo()
    # Asked while the worker reads the coming weeks' sessions (the first refresh: 80 ms).
    attention = needs_attention(
        scheduler, customers, now, functools.partial(memo.asked, scheduler, customers)
    )
    chart = memo.chart.fullest(attention.tallies)
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
