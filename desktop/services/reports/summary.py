"""The customer's entitlement summary: what the contract gives, what is used, how to book.

A pure document model built from the services' plain values: this module gathers the data,
`summary_terms` words the contract and `summary_html` lays it out (the same HTML for e-mail
and for print). A customer's procurement team holds the vendor to this page, so every
number comes from the policy or the book.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from desktop.services.business_time import (
    BusinessClock,
    add_months,
    format_day,
    non_business_days,
    to_zone,
    zone,
)
from desktop.services.customers import CustomerRecord
from desktop.services.entitlements import Entitlements
from desktop.services.policy import Policy
from desktop.services.reports.report_html import Printable, count, money
from desktop.services.reports.summary_html import TITLE, summary_body
from desktop.services.reports.summary_terms import (
    DASH,
    EntitlementLine,
    booking_rules,
    entitlement_lines,
)
from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.scheduling.status import USED_STATUSES, SessionStatus
from desktop.services.scheduling.usage import CustomerUsage, usage_for

# How far ahead the summary lists the holidays on which no session is held.
HOLIDAY_HORIZON_DAYS = 365


@dataclass(frozen=True)
class Manager:
    """The account manager who signs the summary (the invites' organizer)."""

    name: str
    email: str

    @property
    def known(self) -> bool:
        return bool(self.email)


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class SessionLine:
    day: str  # ET date: 'Tue 17 Mar 2026'
    time_et: str  # '10:00–11:00'
    time_local: str  # '15:00–16:00', with the local day when it differs
    what: str  # 'Screen-share: Dashboards review'
    length: str


@dataclass(frozen=True)
class BillableLine:
    day: str
    what: str
    status: str
    hours: float
    usd: float


@dataclass(frozen=True)
class CustomerSummary:
    customer: CustomerRecord
    issued: date
    vendor: str
    policy_title: str
    manager: Manager
    zone_label: str
    local_zone: str | None  # None when the customer keeps ET
    facts: tuple[Fact, ...]
    entitlements: tuple[EntitlementLine, ...]
    usage: CustomerUsage
    upcoming: tuple[SessionLine, ...]
    billable: tuple[BillableLine, ...]
    rate_usd: int
    booking_rules: tuple[str, ...]
    holidays: tuple[tuple[date, str], ...]
    standard_terms: tuple[str, ...]
    exclusions: tuple[str, ...]
    assistance_services: tuple[str, ...]
    assistance_exclusions: tuple[str, ...]

    def printable(self) -> Printable:
        return Printable(TITLE, self.customer.name, self.issued, self.vendor, summary_body(self))


def next_anniversary(anchor: date, today: date) -> date:
    """The renewal date: the first anniversary of `anchor` on or after `today`."""
    years = max(1, today.year - anchor.year - 1)
    while add_months(anchor, 12 * years) < today:
        years += 1
    return add_months(anchor, 12 * years)


def _length(record: SessionRecord, clock: BusinessClock) -> str:
    if record.all_day:
        days = (clock.et_date(record.end_utc) - clock.et_date(record.start_utc)).days
        return count(max(1, days), "day")
    minutes = record.minutes
    if minutes % 60 == 0:
        return f"{minutes // 60} h"
    if minutes > 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes} min"


def _what(policy: Policy, record: SessionRecord) -> str:
    # Never the session's customer list: a round table would show the other customers' names.
    label = policy.kind(record.kind).label
    return f"{label}: {record.title}" if record.title.strip() else label


def session_line(
    policy: Policy, clock: BusinessClock, record: SessionRecord, tz_name: str | None
) -> SessionLine:
    start_et = clock.et(record.start_utc)
    if record.all_day:
        last = clock.et_date(record.end_utc) - timedelta(days=1)
        day = format_day(start_et.date())
        if last > start_et.date():
            first = start_et.date()
            head = (
                f"{first:%a} {first.day}"
                + (f" {first:%b}" if first.month != last.month else "")
                + (f" {first.year}" if first.year != last.year else "")
            )
            day = f"{head} {DASH} {format_day(last)}"
        what = _what(policy, record)
        off = non_business_days(clock, start_et.date(), last)
        if off:
            what += f" (includes {', '.join(off)}: not business days)"
        return SessionLine(day, "all day", "all day", what, _length(record, clock))
    end_et = clock.et(record.end_utc)
    local = ""
    if tz_name:
        tz = zone(tz_name)
        start_local = to_zone(record.start_utc, tz)
        end_local = to_zone(record.end_utc, tz)
        local = f"{start_local:%H:%M}{DASH}{end_local:%H:%M}"
        if start_local.date() != start_et.date():
            local += f" ({start_local:%a} {start_local.day} {start_local:%b})"
    return SessionLine(
        format_day(start_et.date()),
        f"{start_et:%H:%M}{DASH}{end_et:%H:%M}",
        local,
        _what(policy, record),
        _length(record, clock),
    )


def _holidays(clock: BusinessClock, today: date) -> list[tuple[date, str]]:
    found = []
    for offset in range(HOLIDAY_HORIZON_DAYS):
        day = today + timedelta(days=offset)
        name = clock.holiday_name(day)
        if name is not None:
            found.append((day, name))
    return found


def _facts(policy: Policy, customer: CustomerRecord, ent: Entitlements, today: date) -> list[Fact]:
    band = policy.band_for(customer.users)
    package = policy.package(customer.package)
    facts = [
        Fact("Product", customer.product),
        Fact("Concurrent users", f"{customer.users:,}"),
        Fact("Licence band", band.label),
        Fact("Subscription start", format_day(customer.start)),
        Fact("Subscription renewal", format_day(next_anniversary(customer.start, today))),
    ]
    if customer.package == "none":
        facts.append(Fact("Premium package", "None"))
    else:
        facts += [
            Fact("Premium package", f"{package.label}, {money(ent.price_usd_per_year)} per year"),
            Fact("Package start", format_day(customer.package_start)),
            Fact("Package renewal", format_day(next_anniversary(customer.package_start, today))),
        ]
    facts.append(Fact("Time zone", customer.tz))
    if customer.contacts:
        facts.append(
            Fact("Contacts", "\n".join(f"{c.name} <{c.email}>" for c in customer.contacts))
        )
    return facts


def build_summary(
    policy: Policy,
    clock: BusinessClock,
    customer: CustomerRecord,
    sessions: Sequence[SessionRecord],
    now_utc: datetime,
    manager: Manager,
) -> CustomerSummary:
    """The summary as of `now_utc`; `sessions` are the customer's (any status)."""
    today = clock.et_date(now_utc)
    usage = usage_for(policy, clock, customer, sessions, today)
    ent = usage.entitlements
    local_zone = None if zone(customer.tz).zone == clock.tz.zone else customer.tz
    mine = [s for s in sessions if customer.id in s.customer_ids]
    upcoming = [
        session_line(policy, clock, s, local_zone)
        for s in sorted(mine, key=lambda s: (s.start_utc, s.id))
        if s.status == SessionStatus.PLANNED and s.start_utc >= now_utc
    ]
    rate = policy.limits.additional_hour_usd
    billable = [
        BillableLine(
            format_day(clock.et_date(s.start_utc)),
            _what(policy, s),
            SessionStatus(s.status).summary_word,
            s.minutes / 60,
            s.minutes / 60 * rate,
        )
        for s in sorted(mine, key=lambda s: (s.start_utc, s.id))
        if s.billable and s.counts
    ]
    return CustomerSummary(
        customer=customer,
        issued=today,
        vendor=policy.vendor,
        policy_title=policy.title,
        manager=manager,
        zone_label=policy.time.zone_label,
        local_zone=local_zone,
        facts=tuple(_facts(policy, customer, ent, today)),
        entitlements=tuple(entitlement_lines(policy, clock, ent, customer)),
        usage=usage,
        upcoming=tuple(upcoming),
        billable=tuple(billable),
        rate_usd=rate,
        booking_rules=tuple(booking_rules(policy, clock, ent, customer, today)),
        holidays=tuple(_holidays(clock, today)),
        standard_terms=policy.support.standard_terms,
        exclusions=policy.support.exclusions,
        assistance_services=policy.support.assistance_services,
        assistance_exclusions=policy.support.assistance_exclusions,
    )


__all__ = [
    "TITLE",
    "USED_STATUSES",
    "CustomerSummary",
    "EntitlementLine",
    "Manager",
    "build_summary",
    "next_anniversary",
    "summary_body",
]
