"""The contract's rules (DOMAIN.md section 4): one small named function per rule.

Each rule looks at a `Proposal` against a `Ledger` and returns `Violation`s with a stable code
and a message that tells the user what to do instead. Rules never touch the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from desktop.services.business_time import (
    BusinessClock,
    Period,
    add_months,
    format_day,
    format_et,
    format_span,
    period_containing,
)
from desktop.services.customers import CustomerRecord
from desktop.services.entitlements import Entitlements, entitlements_for
from desktop.services.policy import Policy
from desktop.services.scheduling.ledger import Booked, Busy, Ledger, managers_of

RULE_CODES = (
    "not-entitled",
    "outside-working-hours",
    "weekend-not-included",
    "holiday",
    "short-notice",
    "too-long",
    "monthly-quota",
    "yearly-quota",
    "outside-onboarding-window",
    "hours-exceeded",
    "round-table-full",
    "cadence-period-taken",
    "conflict",
    "invalid-duration",
)

# Yearly-counted kinds and the entitlement field that holds their count.
YEARLY_COUNTS = {
    "event-plan": "event_plans_per_year",
    "round-table": "round_tables_per_year",
    "product-team": "product_team_meetings_per_year",
}
# Kinds that come with a premium package (and so start with the package, not the subscription).
PREMIUM_KINDS = ("screen-share", "assistance", "event-plan", "round-table", "product-team")


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message}


@dataclass(frozen=True)
class Proposal:
    """A session as it would be after the action: booking, moving or editing."""

    kind: str
    customers: tuple[CustomerRecord, ...]
    start_utc: datetime
    end_utc: datetime
    requested_utc: datetime
    all_day: bool = False
    billable: bool = False
    session_id: int | None = None

    @property
    def minutes(self) -> int:
        return int((self.end_utc - self.start_utc).total_seconds() // 60)


@dataclass
class RuleContext:
    policy: Policy
    clock: BusinessClock
    proposal: Proposal
    ledger: Ledger
    _entitlements: dict[int, Entitlements] = field(default_factory=dict)

    def entitlements(self, customer: CustomerRecord) -> Entitlements:
        if customer.id not in self._entitlements:
            self._entitlements[customer.id] = entitlements_for(
                self.policy, customer.product, customer.users, customer.package
            )
        return self._entitlements[customer.id]

    @cached_property
    def start_et(self) -> datetime:
        return self.clock.et(self.proposal.start_utc)

    @cached_property
    def end_et(self) -> datetime:
        return self.clock.et(self.proposal.end_utc)

    @property
    def day(self) -> date:
        """The session's ET start date: the day notice, quotas and periods are counted on."""
        return self.start_et.date()

    @cached_property
    def days(self) -> list[date]:
        """Every ET day the session touches (an all-day event plan spans several)."""
        last = (self.end_et - timedelta(microseconds=1)).date()
        return [self.day + timedelta(days=n) for n in range((last - self.day).days + 1)]

    @property
    def label(self) -> str:
        return self.policy.kind(self.proposal.kind).label

    @property
    def plural(self) -> str:
        return self.policy.kind(self.proposal.kind).plural

    def others(self, customer: CustomerRecord, kind: str | None = None) -> list[Booked]:
        return self.ledger.of_customer(
            customer.id, kind or self.proposal.kind, self.proposal.session_id
        )

    def entitled(self) -> list[CustomerRecord]:
        """Customers for whom quota rules make sense (the rest get `not-entitled`)."""
        return [
            c
            for c in self.proposal.customers
            if self.entitlements(c).allows_kind(self.proposal.kind)
        ]

    def package_year(self, customer: CustomerRecord) -> Period | None:
        return period_containing(customer.package_start, 12, self.day)

    def when(self) -> str:
        if self.proposal.all_day:
            return format_day(self.day)
        return (
            f"{format_et(self.proposal.start_utc, self.clock, with_zone=False)}-{self.end_et:%H:%M}"
        )


Rule = Callable[[RuleContext], list[Violation]]


def _plural(number: float, unit: str) -> str:
    shown = f"{number:g}"
    return f"{shown} {unit}" if number == 1 else f"{shown} {unit}s"


def _hours(minutes: int) -> str:
    if minutes % 60 == 0:
        return _plural(minutes // 60, "hour")
    if minutes < 60:
        return _plural(minutes, "minute")
    return f"{minutes / 60:g} hours"


def _noun(ctx: RuleContext, count: int) -> str:
    return (ctx.label if count == 1 else ctx.plural).lower()


def _period_text(period: Period) -> str:
    return f"{format_day(period.start)} - {format_day(period.last_day)}"


def _packages_with(policy: Policy, kind: str) -> str:
    names = [
        p.label
        for p in policy.packages.values()
        if entitlements_for(policy, policy.products[0], 1, p.name).allows_kind(kind)
    ]
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


# --- the rules --------------------------------------------------------------------------------


def invalid_duration(ctx: RuleContext) -> list[Violation]:
    p = ctx.proposal
    info = ctx.policy.kind(p.kind)
    if p.end_utc <= p.start_utc:
        return [Violation("invalid-duration", "The session must end after it starts.")]
    if info.all_day != p.all_day:
        shape = "all-day, from one date to another" if info.all_day else "a timed session"
        return [Violation("invalid-duration", f"{info.label} must be {shape}.")]
    if info.all_day:
        pass  # any number of whole days is a shape; over the policy's days is `too-long`
    elif ctx.days[-1] != ctx.day:
        return [
            Violation("invalid-duration", f"A {info.label.lower()} must end on the day it starts.")
        ]
    return []


def kind_not_entitled(
    policy: Policy, customers: Sequence[CustomerRecord], kind: str
) -> list[Violation]:
    """`not-entitled` for customers whose contract has no session of this kind at all."""
    found = []
    for customer in customers:
        ent = entitlements_for(policy, customer.product, customer.users, customer.package)
        if ent.allows_kind(kind):
            continue
        if kind == "cadence":
            why = (
                f"{customer.name} has {customer.users} users (band {ent.band}): account "
                "management is as needed, with no scheduled cadence calls."
            )
        else:
            package = policy.package(customer.package).label
            why = (
                f"{customer.name} ({package}) has no {policy.kind(kind).plural.lower()}; they "
                f"come with {_packages_with(policy, kind)}."
            )
        found.append(Violation("not-entitled", why))
    return found


def not_entitled(ctx: RuleContext) -> list[Violation]:
    p = ctx.proposal
    found = kind_not_entitled(ctx.policy, p.customers, p.kind)
    for customer in ctx.entitled():
        if p.kind in PREMIUM_KINDS and ctx.day < customer.package_start:
            found.append(
                Violation(
                    "not-entitled",
                    f"{customer.name}'s {ctx.policy.package(customer.package).label} package "
                    f"starts on {format_day(customer.package_start)}; choose a day from then on.",
                )
            )
        elif p.kind != "onboarding" and ctx.day < customer.start:
            found.append(
                Violation(
                    "not-entitled",
                    f"{customer.name}'s subscription starts on {format_day(customer.start)}.",
                )
            )
    return found


def holiday(ctx: RuleContext) -> list[Violation]:
    if ctx.proposal.all_day:
        return []  # an event plan may span weekends and holidays (a go-live often does)
    for day in ctx.days:
        name = ctx.clock.holiday_name(day)
        if name:
            return [
                Violation(
                    "holiday",
                    f"{format_day(day)} is a holiday ({name}): no sessions are held. "
                    "Choose another day.",
                )
            ]
    return []


def _weekends_allowed(ctx: RuleContext) -> bool:
    """Weekend hours exist only for screen-shares of packages that include weekends."""
    return ctx.proposal.kind == "screen-share" and all(
        ctx.entitlements(c).weekends for c in ctx.proposal.customers
    )


def working_hours(ctx: RuleContext) -> list[Violation]:
    p = ctx.proposal
    if p.all_day or ctx.clock.holiday_name(ctx.day):
        return []
    rules = ctx.policy.time
    zone = rules.zone_label
    hours = f"{rules.working_start:%H:%M}-{rules.working_end:%H:%M} {zone}"
    if ctx.day.weekday() >= 5 and p.kind == "screen-share" and not _weekends_allowed(ctx):
        packages = {ctx.policy.package(c.package).label for c in p.customers}
        return [
            Violation(
                "weekend-not-included",
                f"{'/'.join(sorted(packages))} screen-shares are held on business days only "
                f"({format_day(ctx.day)} is a weekend). Choose a weekday, {hours}.",
            )
        ]
    window = ctx.clock.work_window(ctx.day, _weekends_allowed(ctx))
    if window is None:
        return [
            Violation(
                "outside-working-hours",
                f"{ctx.plural} are held on business days, {hours}; "
                f"{format_day(ctx.day)} is a weekend.",
            )
        ]
    if ctx.start_et < window.start_et or ctx.end_et > window.end_et:
        latest_start = window.end_et - (p.end_utc - p.start_utc)
        advice = (
            f"start between {window.start_et:%H:%M} and {latest_start:%H:%M}"
            if latest_start >= window.start_et
            else "shorten it"
        )
        return [
            Violation(
                "outside-working-hours",
                f"{ctx.plural} must lie within {window.start_et:%H:%M}-{window.end_et:%H:%M} "
                f"{zone}; {ctx.start_et:%H:%M}-{ctx.end_et:%H:%M} does not. "
                f"On {format_day(ctx.day)}, {advice}.",
            )
        ]
    return []


def short_notice(ctx: RuleContext) -> list[Violation]:
    p = ctx.proposal
    if p.kind != "screen-share":
        return []
    found = []
    for customer in ctx.entitled():
        notice = ctx.entitlements(customer).notice_business_days
        deadline = ctx.clock.notice_deadline(ctx.day, notice)
        if deadline is None or ctx.clock.et(p.requested_utc) <= deadline:
            continue
        earliest = ctx.clock.earliest_day_for_request(p.requested_utc, notice)
        while ctx.clock.work_window(earliest, _weekends_allowed(ctx)) is None:
            earliest += timedelta(days=1)
        days = "one business day's" if notice == 1 else f"{notice} business days'"
        package = ctx.policy.package(customer.package).label
        found.append(
            Violation(
                "short-notice",
                f"{package} screen-shares need {days} notice: request by "
                f"{format_et(deadline, ctx.clock)}, or choose {format_day(earliest)} or later.",
            )
        )
    return found


def too_long(ctx: RuleContext) -> list[Violation]:
    if ctx.proposal.all_day:
        low, high = ctx.policy.limits.event_plan_min_days, ctx.policy.limits.event_plan_max_days
        if not low <= len(ctx.days) <= high:
            return [
                Violation(
                    "too-long",
                    f"{ctx.plural} last {low}-{high} consecutive days; this one spans "
                    f"{len(ctx.days)}. Shorten it, or give a reason to book it anyway.",
                )
            ]
        return []
    limit = ctx.policy.limits.screen_share_max_minutes
    if ctx.proposal.kind == "screen-share" and ctx.proposal.minutes > limit:
        return [
            Violation(
                "too-long",
                f"Screen-shares last at most {limit} minutes; this one is {ctx.proposal.minutes}. "
                "Shorten it, or book the rest as another session.",
            )
        ]
    return []


def monthly_quota(ctx: RuleContext) -> list[Violation]:
    if ctx.proposal.kind != "screen-share":
        return []
    found = []
    month = (ctx.start_et.year, ctx.start_et.month)
    for customer in ctx.entitled():
        quota = ctx.entitlements(customer).screen_shares_per_month
        same_month = [s for s in ctx.others(customer) if ctx.clock.et_month(s.start_utc) == month]
        if len(same_month) >= quota:
            dates = ", ".join(f"{ctx.clock.et(s.start_utc).day}" for s in same_month)
            found.append(
                Violation(
                    "monthly-quota",
                    f"{customer.name} has used all {quota} screen-shares of "
                    f"{ctx.start_et:%B %Y} (on {dates} {ctx.start_et:%b}); they do not roll "
                    "over. Choose another month.",
                )
            )
    return found


def yearly_quota(ctx: RuleContext) -> list[Violation]:
    key = YEARLY_COUNTS.get(ctx.proposal.kind)
    if key is None:
        return []
    found = []
    for customer in ctx.entitled():
        allowed: int = getattr(ctx.entitlements(customer), key)
        year = ctx.package_year(customer)
        if year is None:
            continue
        taken = [s for s in ctx.others(customer) if year.contains(ctx.clock.et_date(s.start_utc))]
        if len(taken) >= allowed:
            found.append(
                Violation(
                    "yearly-quota",
                    f"{customer.name}'s package year {_period_text(year)} already has "
                    f"{len(taken)} of {allowed} {_noun(ctx, allowed)}. "
                    f"The next year starts {format_day(year.end)}.",
                )
            )
    return found


def onboarding_window(ctx: RuleContext) -> list[Violation]:
    if ctx.proposal.kind != "onboarding":
        return []
    found = []
    for customer in ctx.proposal.customers:
        window = ctx.clock.onboarding_window(customer.start)
        window_end = ctx.clock.midnight(window.end)
        if ctx.day < window.first_day or ctx.end_et > window_end:
            found.append(
                Violation(
                    "outside-onboarding-window",
                    f"{customer.name}'s onboarding runs {format_day(window.first_day)} - "
                    f"{format_day(window.last_day)} ({ctx.policy.time.onboarding_window_days} days "
                    f"from the subscription start); {format_day(ctx.day)} is outside it. Book "
                    "assistance instead, or choose a day inside the window.",
                )
            )
    return found


def _allowance_minutes(ctx: RuleContext, customer: CustomerRecord) -> tuple[int, list[Booked], str]:
    ent = ctx.entitlements(customer)
    if ctx.proposal.kind == "onboarding":
        return ent.onboarding_hours * 60, ctx.others(customer), "onboarding"
    year = ctx.package_year(customer)
    sessions = [
        s
        for s in ctx.others(customer)
        if year is not None and year.contains(ctx.clock.et_date(s.start_utc))
    ]
    where = f"assistance in the package year {_period_text(year)}" if year else "assistance"
    return ent.assistance_hours_per_year * 60, sessions, where


def hours_exceeded(ctx: RuleContext) -> list[Violation]:
    p = ctx.proposal
    if p.kind not in ("onboarding", "assistance") or p.billable:
        return []
    found = []
    rate = ctx.policy.limits.additional_hour_usd
    for customer in ctx.entitled():
        allowed, sessions, what = _allowance_minutes(ctx, customer)
        booked = sum(s.minutes for s in sessions if not s.billable)
        if booked + p.minutes > allowed:
            remaining = max(0, allowed - booked)
            advice = f"shorten it to {_hours(remaining)}" if remaining else "book it elsewhere"
            found.append(
                Violation(
                    "hours-exceeded",
                    f"{customer.name} has {_hours(allowed)} of {what}; {_hours(booked)} "
                    f"{'is' if booked == 60 else 'are'} booked, so {_hours(remaining)} "
                    f"remain{'s' if remaining == 60 else ''}. Mark it billable (${rate:,}/hour) "
                    f"or {advice}.",
                )
            )
    return found


def round_table_full(ctx: RuleContext) -> list[Violation]:
    seats = ctx.policy.limits.round_table_max_customers
    count = len(ctx.proposal.customers)
    if ctx.proposal.kind == "round-table" and count > seats:
        return [
            Violation(
                "round-table-full",
                f"A round table seats at most {seats} customers; this one has {count}. "
                "Remove a customer or hold a second round table.",
            )
        ]
    return []


def cadence_period_taken(ctx: RuleContext) -> list[Violation]:
    if ctx.proposal.kind != "cadence":
        return []
    found = []
    for customer in ctx.entitled():
        months = ctx.policy.cadence_months[ctx.entitlements(customer).cadence]
        period = period_containing(customer.start, months, ctx.day)
        if period is None:
            continue
        taken = [s for s in ctx.others(customer) if period.contains(ctx.clock.et_date(s.start_utc))]
        if taken:
            found.append(
                Violation(
                    "cadence-period-taken",
                    f"{customer.name}'s cadence period {_period_text(period)} already has its call "
                    f"({format_et(taken[0].start_utc, ctx.clock)}). Move that call, or choose a "
                    f"day from {format_day(period.end)}.",
                )
            )
    return found


def conflict(ctx: RuleContext) -> list[Violation]:
    p = ctx.proposal
    if p.all_day:
        return []
    found = []
    # In a team's book, another manager's session at the same hour is not a conflict.
    managers = managers_of(p.customers)
    for clash in ctx.ledger.clashes_for(p.start_utc, p.end_utc, managers, p.session_id):
        if isinstance(clash, Busy):
            what = ctx.ledger.busy_phrase(clash)
            if clash.all_day:
                when = format_day(ctx.clock.et_date(clash.start_utc))
            else:
                when = format_span(clash.start_utc, clash.end_utc, ctx.clock)
        else:
            what = clash.title or ctx.policy.kind(clash.kind).label.lower()
            when = format_span(clash.start_utc, clash.end_utc, ctx.clock)
        found.append(
            Violation("conflict", f"Overlaps {what} ({when} {ctx.policy.time.zone_label}).")
        )
    return found


RULES: tuple[Rule, ...] = (
    not_entitled,
    holiday,
    working_hours,
    short_notice,
    too_long,
    monthly_quota,
    yearly_quota,
    onboarding_window,
    hours_exceeded,
    round_table_full,
    cadence_period_taken,
    conflict,
)


# Violations that depend on the time of day; any other one rules out the whole day.
SLOT_LEVEL_RULES = frozenset({"conflict", "outside-working-hours"})
# The rules that depend on the time of day; every other one judges the day as a whole, so a
# slot search that has seen a day pass them asks only these of the day's other start times.
SLOT_RULES: tuple[Rule, ...] = (working_hours, conflict)
# The rules that judge a day as a whole (none reads other customers' sessions): a slot
# search asks these first, and reads a day's calendar only for a day they let through.
DAY_RULES: tuple[Rule, ...] = tuple(rule for rule in RULES if rule not in SLOT_RULES)
# The one rule that reads the calendar around a time (sessions and busy time).
CALENDAR_RULE: Rule = conflict


def check(
    policy: Policy,
    clock: BusinessClock,
    proposal: Proposal,
    ledger: Ledger,
    rules: Sequence[Rule] = RULES,
) -> list[Violation]:
    """Every violation of the proposal; an empty list means the contract allows it."""
    ctx = RuleContext(policy, clock, proposal, ledger)
    shape = invalid_duration(ctx)
    if shape:
        return shape
    return [violation for rule in rules for violation in rule(ctx)]


__all__ = ["RULES", "RULE_CODES", "Proposal", "Violation", "add_months", "check"]
