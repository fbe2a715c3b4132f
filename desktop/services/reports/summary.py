"""The customer's entitlement summary: what the contract gives, what is used, how to book.

A pure document model built from the services' plain values, and its HTML (the same for
e-mail and for print; see report_html). A customer's procurement team holds the vendor to
this page, so every number comes from the policy or the book, and every rule is written out
with a concrete date rather than as a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from desktop.services.business_time import (
    BusinessClock,
    add_months,
    format_day,
    non_business_days,
    period_containing,
    to_zone,
    zone,
)
from desktop.services.customers import CustomerRecord
from desktop.services.entitlements import Entitlements
from desktop.services.policy import Policy
from desktop.services.reports.report_html import (
    FAINT,
    INK,
    MUTED,
    OVER,
    SMALL_PT,
    Printable,
    and_list,
    bar,
    bullets,
    cell,
    count,
    esc,
    heading,
    hours,
    legend,
    long_day,
    money,
    paragraph,
    table,
)
from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.scheduling.usage import (
    USED_STATUSES,
    Allowance,
    CustomerUsage,
    MonthUsage,
    usage_for,
)

TITLE = "Entitlement summary"
DASH = "–"
# How far ahead the summary lists the holidays on which no session is held.
HOLIDAY_HORIZON_DAYS = 365
STATUS_WORDS = {"planned": "planned", "done": "held", "no-show": "missed (counts as used)"}
ALLOWANCE_NAMES = {
    "onboarding": "Onboarding hours",
    "cadence": "Account-management call",
    "screen-share": "Screen-shares this month",
    "assistance": "Assistance hours",
    "event-plan": "Event plans",
    "round-table": "Strategic round tables",
    "product-team": "Product-team 1:1",
}


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
class EntitlementLine:
    name: str
    detail: str
    included: bool


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


# --- the model -------------------------------------------------------------------------------


def next_anniversary(anchor: date, today: date) -> date:
    """The renewal date: the first anniversary of `anchor` on or after `today`."""
    years = max(1, today.year - anchor.year - 1)
    while add_months(anchor, 12 * years) < today:
        years += 1
    return add_months(anchor, 12 * years)


def span(first: date, last: date) -> str:
    """'5 Jan – 4 Apr 2026', or '1 Nov 2025 – 31 Oct 2026'."""
    if first.year == last.year:
        return f"{first.day} {first:%b} {DASH} {last.day} {last:%b %Y}"
    return f"{first.day} {first:%b %Y} {DASH} {last.day} {last:%b %Y}"


def _business_days(number: int) -> str:
    words = {1: "one business day", 2: "two business days", 3: "three business days"}
    return words.get(number, f"{number} business days")


def _including(policy: Policy, has: str) -> str:
    """'Silver, Gold and Platinum': the packages that give an entitlement."""
    labels = [
        package.label
        for name, package in policy.packages.items()
        if name != "none" and getattr(package, has)
    ]
    return f"Not included (part of {and_list(labels)})" if labels else "Not included"


def _entitlement_lines(
    policy: Policy, clock: BusinessClock, ent: Entitlements, customer: CustomerRecord
) -> list[EntitlementLine]:
    time_rules = policy.time
    zone_label = time_rules.zone_label
    window = clock.onboarding_window(customer.start)
    lines = [
        EntitlementLine(
            "Onboarding assistance",
            f"{count(ent.onboarding_hours, 'hour')} of assistance sessions in the first "
            f"{ent.onboarding_window_days} days: {format_day(window.first_day)} to "
            f"{format_day(window.last_day)}",
            ent.onboarding_hours > 0,
        )
    ]
    if ent.cadence == "as-needed":
        cadence = "An assigned account manager; calls as needed"
    else:
        months = policy.cadence_months[ent.cadence]
        period = (
            "subscription year"
            if months == 12
            else ("month" if months == 1 else f"{months}-month period")
        )
        cadence = (
            f"An assigned account manager and {policy.cadence_labels[ent.cadence]} "
            f"(one in each {period} of the subscription)"
        )
    lines.append(EntitlementLine("Account management", cadence, True))
    lines.append(
        EntitlementLine(
            "Standard support",
            "Unlimited e-mail, help-desk and phone support (terms below)",
            True,
        )
    )
    if ent.screen_shares_per_month:
        lines.append(
            EntitlementLine(
                "Technical screen-shares",
                f"{count(ent.screen_shares_per_month, 'session')} per calendar month, up to "
                f"{ent.screen_share_max_minutes} minutes each, requested "
                f"{_business_days(ent.notice_business_days)} ahead",
                True,
            )
        )
    else:
        lines.append(
            EntitlementLine(
                "Technical screen-shares", _including(policy, "screen_shares_per_month"), False
            )
        )
    work = f"{time_rules.weekend_start:%H:%M}{DASH}{time_rules.weekend_end:%H:%M} {zone_label}"
    lines.append(
        EntitlementLine(
            "Weekend screen-shares",
            f"Saturdays and Sundays, {work}" if ent.weekends else _including(policy, "weekends"),
            ent.weekends,
        )
    )
    # (name, how many, the Package field that gives it, what it says when included)
    yearly: tuple[tuple[str, int, str, str], ...] = (
        (
            "Premium assistance",
            ent.assistance_hours_per_year,
            "assistance_hours_per_year",
            f"{count(ent.assistance_hours_per_year, 'hour')} of assistance sessions per "
            "package year",
        ),
        (
            "Event plans",
            ent.event_plans_per_year,
            "event_plans_per_year",
            f"{count(ent.event_plans_per_year, 'event plan')} per package year: experts on "
            f"standby for {policy.limits.event_plan_min_days}{DASH}"
            f"{policy.limits.event_plan_max_days} consecutive days",
        ),
        (
            "Strategic round tables",
            ent.round_tables_per_year,
            "round_tables_per_year",
            f"{count(ent.round_tables_per_year, 'round table')} per package year, up to "
            f"{ent.round_table_max_customers} customers each",
        ),
        (
            "Product-team 1:1",
            ent.product_team_meetings_per_year,
            "product_team_meetings_per_year",
            f"{count(ent.product_team_meetings_per_year, 'meeting')} with the product team per "
            "package year",
        ),
        (
            "Small feature fix",
            ent.feature_fixes_per_year,
            "feature_fixes_per_year",
            f"{count(ent.feature_fixes_per_year, 'small feature fix', 'small feature fixes')} "
            "per package year (if feasible)",
        ),
    )
    for name, number, attribute, words in yearly:
        if number:
            lines.append(EntitlementLine(name, words, True))
        else:
            lines.append(EntitlementLine(name, _including(policy, attribute), False))
    lines.append(
        EntitlementLine(
            "Inflectra Campus premium courses",
            "Complimentary access to premium courses and training"
            if ent.premium_courses
            else _including(policy, "premium_courses"),
            ent.premium_courses,
        )
    )
    package = policy.package(customer.package)
    if ent.price_usd_per_year:
        lines.append(
            EntitlementLine(
                "Premium package",
                f"{package.label}: {money(ent.price_usd_per_year)} per year",
                True,
            )
        )
    else:
        lines.append(EntitlementLine("Premium package", "None", False))
    extra = f"{money(ent.additional_hour_usd)} per hour beyond any allowance"
    if policy.limits.technical_consulting_usd:
        extra += f"; technical consulting {money(policy.limits.technical_consulting_usd)} per hour"
    lines.append(EntitlementLine("Additional hours", extra, True))
    return lines


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


def city(tz_name: str) -> str:
    """'America/Los_Angeles' -> 'Los Angeles'."""
    return tz_name.rsplit("/", 1)[-1].replace("_", " ")


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


def _next_on(clock: BusinessClock, after: date, weekday: int, business: bool) -> date:
    """The first `weekday` after `after` that can hold a session (no holiday)."""
    day = after + timedelta(days=(weekday - after.weekday()) % 7 or 7)
    while clock.holiday_name(day) is not None or (business and not clock.is_business_day(day)):
        day += timedelta(days=7)
    return day


def _deadline_text(clock: BusinessClock, session_day: date, notice: int) -> str:
    deadline = clock.notice_deadline(session_day, notice)
    assert deadline is not None
    return f"{format_day(deadline.date())}, {deadline:%H:%M} {clock.rules.zone_label}"


def _booking_rules(
    policy: Policy,
    clock: BusinessClock,
    ent: Entitlements,
    customer: CustomerRecord,
    today: date,
) -> list[str]:
    rules_time = policy.time
    zone_label = rules_time.zone_label
    work = f"{rules_time.working_start:%H:%M}{DASH}{rules_time.working_end:%H:%M} {zone_label}"
    calendar = rules_time.holiday_calendar
    holidays = (
        ""
        if not calendar
        else " and not on US federal holidays (as observed)"
        if calendar == "US"
        else f" and not on public holidays ({calendar})"
    )
    rules = [
        f"All sessions are held on business days between {work}: Monday to Friday{holidays}. "
        "A session must lie entirely inside those hours."
    ]
    window = clock.onboarding_window(customer.start)
    rules.append(
        f"Onboarding sessions take place from {format_day(window.first_day)} to "
        f"{format_day(window.last_day)}; together they last at most "
        f"{count(ent.onboarding_hours, 'hour')}."
    )
    if ent.cadence != "as-needed":
        months = policy.cadence_months[ent.cadence]
        year = period_containing(customer.start, 12, max(today, customer.start))
        assert year is not None
        if months == 12:
            rules.append(
                "Your account manager schedules one call in each subscription year; the "
                f"current one runs {span(year.start, year.last_day)}."
            )
        elif months == 1:
            rules.append(
                "Your account manager schedules one call in each monthly period, counted from "
                f"day {customer.start.day} of the month."
            )
        else:
            starts = [add_months(year.start, months * n) for n in range(12 // months)]
            rules.append(
                f"Your account manager schedules one call in each {months}-month period; this "
                "subscription year the periods start on "
                f"{and_list([f'{d.day} {d:%b %Y}' for d in starts])}."
            )
    if ent.screen_shares_per_month:
        notice = ent.notice_business_days
        cutoff = f"{rules_time.request_cutoff:%H:%M} {zone_label}"
        monday = _next_on(clock, today, 0, business=True)
        example = (
            f"for a session on {format_day(monday)}, request it by "
            f"{_deadline_text(clock, monday, notice)}"
        )
        if notice >= 2:
            wednesday = _next_on(clock, today, 2, business=True)
            example += (
                f"; for {format_day(wednesday)}, by {_deadline_text(clock, wednesday, notice)}"
            )
        rules.append(
            f"Request screen-shares by {cutoff} {_business_days(notice)} before the session "
            f"(business days only): {example}. A holiday moves the deadline earlier."
        )
        rules.append(
            f"Each screen-share lasts at most {ent.screen_share_max_minutes} minutes. Up to "
            f"{ent.screen_shares_per_month} are held in each calendar month ({zone_label}); "
            "unused screen-shares do not carry over to the next month."
        )
        if ent.weekends:
            weekend = (
                f"{rules_time.weekend_start:%H:%M}{DASH}{rules_time.weekend_end:%H:%M} {zone_label}"
            )
            saturday = _next_on(clock, today, 5, business=False)
            rules.append(
                f"Screen-shares may also be held on Saturdays and Sundays, {weekend}, with the "
                f"same notice: for {format_day(saturday)}, request by "
                f"{_deadline_text(clock, saturday, notice)}."
            )
    if customer.package != "none":
        package_year = period_containing(
            customer.package_start, 12, max(today, customer.package_start)
        )
        assert package_year is not None
        rules.append(
            "Yearly allowances (assistance hours, event plans, round tables, product-team "
            "meetings) run over package years from each anniversary of the package start; the "
            f"current package year is {span(package_year.start, package_year.last_day)}. "
            "Unused allowances do not carry over."
        )
    if ent.event_plans_per_year:
        rules.append(
            f"An event plan covers {policy.limits.event_plan_min_days} to "
            f"{policy.limits.event_plan_max_days} consecutive whole days."
        )
    rules.append(
        "A cancelled session does not count against an allowance; a missed session (no-show) "
        "counts as used."
    )
    rules.append(
        f"Hours beyond an allowance are billable at {money(policy.limits.additional_hour_usd)} "
        "per hour."
    )
    return rules


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
        if s.status == "planned" and s.start_utc >= now_utc
    ]
    rate = policy.limits.additional_hour_usd
    billable = [
        BillableLine(
            format_day(clock.et_date(s.start_utc)),
            _what(policy, s),
            STATUS_WORDS.get(s.status, s.status),
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
        entitlements=tuple(_entitlement_lines(policy, clock, ent, customer)),
        usage=usage,
        upcoming=tuple(upcoming),
        billable=tuple(billable),
        rate_usd=rate,
        booking_rules=tuple(_booking_rules(policy, clock, ent, customer, today)),
        holidays=tuple(_holidays(clock, today)),
        standard_terms=policy.support.standard_terms,
        exclusions=policy.support.exclusions,
        assistance_services=policy.support.assistance_services,
        assistance_exclusions=policy.support.assistance_exclusions,
    )


# --- the HTML --------------------------------------------------------------------------------


def _amount(value: float, unit: str) -> str:
    return hours(value) if unit == "hours" else f"{value:g}"


def _title_block(summary: CustomerSummary) -> str:
    issued = f"Issued {esc(long_day(summary.issued))}"
    if summary.manager.known:
        issued += f"<br>{esc(summary.manager.name)} · {esc(summary.manager.email)}"
    return (
        '<table width="100%" cellspacing="0" cellpadding="0" border="0" '
        'style="border-collapse:collapse; margin-bottom:12px"><tr>'
        '<td style="vertical-align:bottom; padding:0">'
        f'<p style="margin:0; font-size:8.5pt; color:{MUTED}; font-weight:bold">'
        f"{esc(summary.vendor.upper())} · {esc(TITLE.upper())}</p>"
        f'<h1 style="font-size:20pt; font-weight:bold; color:{INK}; margin-top:2px; '
        f'margin-bottom:0">{esc(summary.customer.name)}</h1></td>'
        f'<td align="right" style="vertical-align:bottom; padding:0 0 3px 12px; '
        f'text-align:right; color:{MUTED}; font-size:{SMALL_PT}pt">{issued}</td>'
        "</tr></table>"
    )


def _facts_table(facts: Sequence[Fact]) -> str:
    """Two columns of short facts; the contacts, long, take a whole row at the end."""
    wide = [fact for fact in facts if "\n" in fact.value or len(fact.value) > 36]
    facts = [fact for fact in facts if fact not in wide]
    half = (len(facts) + 1) // 2
    left, right = facts[:half], facts[half:]
    rows = []
    for index in range(half):
        parts = []
        for column in (left, right):
            if index < len(column):
                fact = column[index]
                value = "<br>".join(esc(line) for line in fact.value.split("\n"))
                parts.append(
                    cell(esc(fact.label), "21%", colour=MUTED, size=SMALL_PT) + cell(value, "29%")
                )
            else:
                parts.append(cell("", "21%") + cell("", "29%"))
        rows.append("".join(parts))
    for fact in wide:
        value = " · ".join(esc(line) for line in fact.value.split("\n"))
        rows.append(
            cell(esc(fact.label), "21%", colour=MUTED, size=SMALL_PT)
            + cell(value, "79%", colspan=3)
        )
    return table(None, rows)


def _entitlements_table(lines: Sequence[EntitlementLine]) -> str:
    rows = [
        cell(esc(line.name), "30%", bold=line.included, colour=INK if line.included else FAINT)
        + cell(esc(line.detail), "70%", colour=INK if line.included else FAINT)
        for line in lines
    ]
    return table(None, rows)


def _usage_table(usage: CustomerUsage) -> str:
    header = [
        cell("Allowance and period", "34%", header=True),
        cell("Allowed", "10%", "right", header=True),
        cell("Used", "9%", "right", header=True),
        cell("Scheduled", "12%", "right", header=True),
        cell("Left", "10%", "right", header=True),
        cell("", "25%", header=True),
    ]
    rows = [_usage_row(allowance) for allowance in usage.allowances]
    return table(header, rows) + legend()


def _usage_row(allowance: Allowance) -> str:
    name = esc(ALLOWANCE_NAMES.get(allowance.key, allowance.label))
    if allowance.period is not None:
        period = span(allowance.period.start, allowance.period.last_day)
        name += f'<br><span style="font-size:{SMALL_PT}pt; color:{MUTED}">{esc(period)}</span>'
    unit = allowance.unit
    left = _amount(allowance.remaining, unit)
    if allowance.over:
        left = f'<span style="color:{OVER}">{_amount(allowance.over, unit)} over</span>'
    return (
        cell(name, "34%")
        + cell(_amount(allowance.allowed, unit), "10%", "right")
        + cell(_amount(allowance.used, unit), "9%", "right")
        + cell(_amount(allowance.scheduled, unit), "12%", "right")
        + cell(left, "10%", "right", bold=True)
        + cell(bar(allowance.allowed, allowance.used, allowance.scheduled), "25%")
    )


def _months_table(months: Sequence[MonthUsage], today: date) -> str:
    first_width = 14
    width = f"{(100 - first_width) // max(1, len(months))}%"
    first = f"{first_width}%"

    def month_cell(month: MonthUsage, inner: str, **style: Any) -> str:
        current = (month.year, month.month) == (today.year, today.month)
        return cell(inner, width, "center", shade=current, padding=2, nowrap=True, **style)

    header = [cell("", first, header=True, padding=2)]
    for index, month in enumerate(months):
        label = f"{date(month.year, month.month, 1):%b}"
        if index in (0, len(months) - 1) or month.month == 1:
            label += f" {month.year % 100:02d}"
        header.append(month_cell(month, esc(label), header=True))
    rows = []
    for name in ("Used", "Scheduled", "Left"):
        parts = [cell(name, first, colour=MUTED, size=SMALL_PT, padding=2)]
        for month in months:
            current = (month.year, month.month) == (today.year, today.month)
            past = (month.year, month.month) < (today.year, today.month)
            value = {
                "Used": month.used,
                "Scheduled": month.scheduled,
                "Left": max(0, month.allowed - month.used - month.scheduled),
            }[name]
            colour = FAINT if past and name == "Left" else INK
            parts.append(month_cell(month, str(value), colour=colour, bold=current))
        rows.append("".join(parts))
    bars = [cell("", first, rule=False, padding=2)]
    bars += [
        month_cell(month, bar(month.allowed, month.used, month.scheduled, 3), rule=False)
        for month in months
    ]
    rows.append("".join(bars))
    return table(header, rows)


def _sessions_table(summary: CustomerSummary) -> str:
    lines = summary.upcoming
    if not lines:
        return paragraph("No sessions are scheduled.", muted=True)
    zone_label = summary.zone_label
    if summary.local_zone:
        header = [
            cell("Date", "22%", header=True),
            cell(f"Time ({esc(zone_label)})", "13%", header=True),
            cell(f"Time in {esc(city(summary.local_zone))}", "17%", header=True),
            cell("Session", "38%", header=True),
            cell("Length", "10%", "right", header=True),
        ]
        rows = [
            cell(esc(line.day), "22%")
            + cell(esc(line.time_et), "13%", nowrap=True)
            + cell(esc(line.time_local), "17%")
            + cell(esc(line.what), "38%")
            + cell(esc(line.length), "10%", "right", nowrap=True)
            for line in lines
        ]
    else:
        header = [
            cell("Date", "22%", header=True),
            cell(f"Time ({esc(zone_label)})", "16%", header=True),
            cell("Session", "50%", header=True),
            cell("Length", "12%", "right", header=True),
        ]
        rows = [
            cell(esc(line.day), "22%")
            + cell(esc(line.time_et), "16%", nowrap=True)
            + cell(esc(line.what), "50%")
            + cell(esc(line.length), "12%", "right", nowrap=True)
            for line in lines
        ]
    return table(header, rows)


def _billable_table(summary: CustomerSummary) -> str:
    rate = money(summary.rate_usd)
    if not summary.billable:
        return paragraph(
            f"No billable hours. Hours beyond an allowance are billed at {rate} per hour.",
            muted=True,
        )
    total_hours = summary.usage.billable_hours
    total_usd = summary.usage.billable_usd
    header = [
        cell("Date", "22%", header=True),
        cell("Session", "40%", header=True),
        cell("Status", "14%", header=True),
        cell("Hours", "10%", "right", header=True),
        cell("Amount", "14%", "right", header=True),
    ]
    rows = [
        cell(esc(line.day), "22%", nowrap=True)
        + cell(esc(line.what), "40%")
        + cell(esc(line.status), "14%", size=SMALL_PT, colour=MUTED)
        + cell(hours(line.hours), "10%", "right")
        + cell(money(line.usd), "14%", "right")
        for line in summary.billable
    ]
    rows.append(
        cell("Total", "22%", bold=True, rule=False)
        + cell(f"at {rate} per hour", "40%", colour=MUTED, rule=False)
        + cell("", "14%", rule=False)
        + cell(hours(total_hours), "10%", "right", bold=True, rule=False)
        + cell(money(total_usd), "14%", "right", bold=True, rule=False)
    )
    intro = paragraph(
        f"Sessions booked beyond the allowances, billed at {rate} per hour: "
        f"<b>{hours(total_hours)} = {money(total_usd)}</b>."
    )
    return intro + table(header, rows)


def _holiday_table(found: Sequence[tuple[date, str]]) -> str:
    if not found:
        return ""
    half = (len(found) + 1) // 2
    rows = []
    for index in range(half):
        parts = []
        for column in (found[:half], found[half:]):
            if index < len(column):
                day, name = column[index]
                parts.append(
                    cell(esc(format_day(day)), "17%", size=SMALL_PT, nowrap=True)
                    + cell(esc(name), "33%", size=SMALL_PT, colour=MUTED)
                )
            else:
                parts.append(cell("", "17%") + cell("", "33%"))
        rows.append("".join(parts))
    return heading("Holidays in the next 12 months: no sessions", 3) + table(None, rows)


def summary_body(summary: CustomerSummary) -> str:
    """The summary's HTML body (no `<html>` wrapper): print it, or wrap it for e-mail."""
    usage = summary.usage
    parts = [
        _title_block(summary),
        _facts_table(summary.facts),
        heading("What your contract includes"),
        _entitlements_table(summary.entitlements),
        heading(f"Usage on {format_day(summary.issued)}"),
        _usage_table(usage),
    ]
    if usage.screen_share_months and usage.package_year is not None:
        year = usage.package_year
        parts += [
            heading(f"Screen-shares per month, package year {span(year.start, year.last_day)}", 3),
            _months_table(usage.screen_share_months, summary.issued),
        ]
    parts += [
        heading(f"Upcoming sessions ({len(summary.upcoming)})"),
        _sessions_table(summary),
        heading("Billable hours"),
        _billable_table(summary),
        heading("How to book"),
        bullets(summary.booking_rules),
        _holiday_table(summary.holidays),
        heading("Standard support terms"),
        paragraph("Every subscription includes:"),
        bullets(summary.standard_terms),
        heading("What assistance sessions cover"),
        paragraph("Onboarding and premium assistance sessions include:"),
        bullets(summary.assistance_services),
        paragraph("They do not include:"),
        bullets(summary.assistance_exclusions),
        heading("Exclusions from standard support"),
        bullets(summary.exclusions),
        heading("Your account manager"),
    ]
    manager = summary.manager
    if manager.known:
        parts.append(
            paragraph(
                f"<b>{esc(manager.name)}</b>, {esc(summary.vendor)} · "
                f'<a href="mailto:{esc(manager.email)}" style="color:{INK}">'
                f"{esc(manager.email)}</a>"
            )
        )
    else:
        parts.append(paragraph(f"Your {esc(summary.vendor)} account manager."))
    parts.append(
        paragraph(
            f"This summary follows the {esc(summary.policy_title)} and the sessions recorded on "
            f"{esc(format_day(summary.issued))}. Times are US Eastern ({esc(summary.zone_label)})"
            " unless stated otherwise.",
            muted=True,
            size=SMALL_PT,
        )
    )
    return "\n".join(part for part in parts if part)


__all__ = [
    "TITLE",
    "USED_STATUSES",
    "CustomerSummary",
    "Manager",
    "build_summary",
    "next_anniversary",
    "summary_body",
]
