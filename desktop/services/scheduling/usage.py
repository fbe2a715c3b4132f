"""Usage accounting: what a customer has used, has scheduled and has left of each allowance.

Cancelled sessions count for nothing; done and no-show count as used; planned as scheduled.
Billable sessions never draw on an allowance: they are charged at the policy's hourly rate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple, Protocol

from desktop.services.business_time import BusinessClock, Period, month_of, period_containing
from desktop.services.customers import CustomerRecord
from desktop.services.entitlements import Entitlements, entitlements_for
from desktop.services.policy import Policy
from desktop.services.scheduling.status import USED_STATUSES as USED_STATUSES
from desktop.services.scheduling.status import SessionStatus


class CountedSession(Protocol):
    """What usage needs of a session: a full `CountedSession` or the dashboard's lighter
    `Booked` both have it."""

    @property
    def kind(self) -> str: ...
    @property
    def customer_ids(self) -> tuple[int, ...]: ...
    @property
    def start_utc(self) -> datetime: ...
    @property
    def status(self) -> str: ...
    @property
    def billable(self) -> bool: ...
    @property
    def minutes(self) -> int: ...
    @property
    def counts(self) -> bool: ...


@dataclass(frozen=True)
class Allowance:
    key: str
    label: str
    unit: str  # "hours" or "sessions"
    allowed: float
    used: float
    scheduled: float
    period: Period | None = None

    @property
    def remaining(self) -> float:
        return max(0.0, self.allowed - self.used - self.scheduled)

    @property
    def over(self) -> float:
        return max(0.0, self.used + self.scheduled - self.allowed)


@dataclass(frozen=True)
class MonthUsage:
    year: int
    month: int
    used: int
    scheduled: int
    allowed: int


@dataclass(frozen=True)
class CustomerUsage:
    customer: CustomerRecord
    entitlements: Entitlements
    allowances: tuple[Allowance, ...]
    screen_share_months: tuple[MonthUsage, ...]
    billable_hours: float
    billable_usd: float
    package_year: Period | None

    def allowance(self, key: str) -> Allowance | None:
        return next((a for a in self.allowances if a.key == key), None)


def _split(sessions: Sequence[CountedSession], hours: bool) -> tuple[float, float]:
    def amount(s: CountedSession) -> float:
        return s.minutes / 60 if hours else 1

    used = sum(amount(s) for s in sessions if s.status in USED_STATUSES)
    scheduled = sum(amount(s) for s in sessions if s.status == SessionStatus.PLANNED)
    return used, scheduled


class Tally(NamedTuple):
    """A customer's counted sessions of one kind over one run of days, summed by the database
    (`attention_reads.tallies_in_windows`): how many in all, and of those that draw on the
    allowance (not billable) how many are used and scheduled, and their minutes. Cancelled
    sessions are not in it."""

    counted: int = 0
    used: int = 0
    scheduled: int = 0
    used_minutes: int = 0
    scheduled_minutes: int = 0

    def sessions(self) -> int:
        """Every counted session, billable ones too."""
        return self.counted

    def drawn_minutes(self) -> int:
        """The minutes drawn on the allowance: billable sessions are charged instead."""
        return self.used_minutes + self.scheduled_minutes

    def split(self, hours: bool) -> tuple[float, float]:
        """(used, scheduled) as `_split` counts them: allowance sessions, or their hours."""
        if hours:
            return self.used_minutes / 60, self.scheduled_minutes / 60
        return float(self.used), float(self.scheduled)


# (used, scheduled) of a kind's allowance sessions in a period (None: every one), in hours or
# sessions: from a customer's sessions, or from the database's tallies.
Split = Callable[[str, Period | None, bool], tuple[float, float]]


def usage_for(
    policy: Policy,
    clock: BusinessClock,
    customer: CustomerRecord,
    sessions: Sequence[CountedSession],
    today: date,
) -> CustomerUsage:
    """Usage as of `today`: the onboarding window, the current package year and month."""
    ent = entitlements_for(policy, customer.product, customer.users, customer.package)
    counting = [s for s in sessions if s.counts and customer.id in s.customer_ids]
    # Each session's ET day, worked out once (every allowance asks for its own period).
    by_kind: dict[str, list[tuple[CountedSession, date]]] = {}
    for s in counting:
        if not s.billable:
            by_kind.setdefault(s.kind, []).append((s, clock.et_date(s.start_utc)))

    def of_kind(kind: str, period: Period | None = None) -> list[CountedSession]:
        return [s for s, day in by_kind.get(kind, ()) if period is None or period.contains(day)]

    def split(kind: str, period: Period | None, hours: bool) -> tuple[float, float]:
        return _split(of_kind(kind, period), hours)

    allowances, package_year = current_allowances(policy, clock, customer, ent, today, split)
    months_usage: list[MonthUsage] = []
    if package_year is not None and ent.screen_shares_per_month:
        months_usage = _months(
            clock, of_kind("screen-share", package_year), package_year, ent.screen_shares_per_month
        )
    billable_hours = sum(s.minutes for s in counting if s.billable) / 60
    return CustomerUsage(
        customer=customer,
        entitlements=ent,
        allowances=tuple(allowances),
        screen_share_months=tuple(months_usage),
        billable_hours=billable_hours,
        billable_usd=billable_hours * policy.limits.additional_hour_usd,
        package_year=package_year,
    )


def current_allowances(
    policy: Policy,
    clock: BusinessClock,
    customer: CustomerRecord,
    ent: Entitlements,
    today: date,
    split: Split,
    skip: frozenset[str] = frozenset(),
) -> tuple[list[Allowance], Period | None]:
    """The allowances of `today` but those in `skip` (the onboarding window, the cadence
    period, this month's screen-shares, the package year's), and the package year."""
    window = clock.onboarding_window(customer.start)
    onboarding = Period(0, window.first_day, window.end)
    allowances = []
    if "onboarding" not in skip:
        used, scheduled = split("onboarding", None, True)
        label, hours = "Onboarding hours", ent.onboarding_hours
        allowances.append(
            Allowance("onboarding", label, "hours", hours, used, scheduled, onboarding)
        )

    if ent.cadence != "as-needed" and "cadence" not in skip:
        months = policy.cadence_months[ent.cadence]
        period = period_containing(customer.start, months, max(today, customer.start))
        used, scheduled = split("cadence", period, False)
        allowances.append(
            Allowance("cadence", "Cadence call this period", "sessions", 1, used, scheduled, period)
        )

    if customer.package == "none":
        return allowances, None
    package_year = period_containing(customer.package_start, 12, max(today, customer.package_start))
    assert package_year is not None
    if ent.screen_shares_per_month and "screen-share" not in skip:
        month = month_of(today)
        used, scheduled = split("screen-share", month, False)
        allowances.append(
            Allowance(
                "screen-share",
                f"Screen-shares in {today:%B %Y}",
                "sessions",
                ent.screen_shares_per_month,
                used,
                scheduled,
                month,
            )
        )
    allowances += _yearly(ent, package_year, split)
    return allowances, package_year


def _yearly(ent: Entitlements, year: Period, split: Split) -> list[Allowance]:
    """The package year's allowances of the kinds the customer has any of."""
    per_year = (
        ("assistance", "Assistance hours this package year", ent.assistance_hours_per_year),
        ("event-plan", "Event plans this package year", ent.event_plans_per_year),
        ("round-table", "Round tables this package year", ent.round_tables_per_year),
        ("product-team", "Product-team 1:1 this package year", ent.product_team_meetings_per_year),
    )
    found = []
    for kind, label, allowed in per_year:
        if not allowed:
            continue
        is_hours = kind == "assistance"
        used, scheduled = split(kind, year, is_hours)
        unit = "hours" if is_hours else "sessions"
        found.append(Allowance(kind, label, unit, allowed, used, scheduled, year))
    return found


def _months(
    clock: BusinessClock, sessions: Sequence[CountedSession], year: Period, allowed: int
) -> list[MonthUsage]:
    by_month: dict[tuple[int, int], list[CountedSession]] = {}
    for s in sessions:
        by_month.setdefault(clock.et_month(s.start_utc), []).append(s)
    result = []
    cursor = date(year.start.year, year.start.month, 1)
    while cursor < year.end:
        used, scheduled = _split(by_month.get((cursor.year, cursor.month), []), hours=False)
        result.append(MonthUsage(cursor.year, cursor.month, int(used), int(scheduled), allowed))
        cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    return result
