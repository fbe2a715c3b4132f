"""The contract written out for the entitlement summary: what each entitlement gives, and
the booking rules with concrete dates (the next Monday's deadline, the current periods)
rather than formulas. A customer's procurement team holds the vendor to these words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from desktop.services.business_time import (
    BusinessClock,
    add_months,
    format_day,
    period_containing,
)
from desktop.services.customers import CustomerRecord
from desktop.services.entitlements import Entitlements
from desktop.services.policy import Policy
from desktop.services.reports.report_html import and_list, count, money

DASH = "–"


@dataclass(frozen=True)
class EntitlementLine:
    name: str
    detail: str
    included: bool


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


def entitlement_lines(
    policy: Policy, clock: BusinessClock, ent: Entitlements, customer: CustomerRecord
) -> list[EntitlementLine]:
    """Every entitlement the policy knows, included or not (then: which packages give it)."""
    return (
        _service_lines(policy, clock, ent, customer)
        + _yearly_lines(policy, ent)
        + _package_lines(policy, ent, customer)
    )


def _service_lines(
    policy: Policy, clock: BusinessClock, ent: Entitlements, customer: CustomerRecord
) -> list[EntitlementLine]:
    """Onboarding, account management, support and the screen-shares."""
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
        ),
        EntitlementLine("Account management", _cadence_words(policy, ent), True),
        EntitlementLine(
            "Standard support",
            "Unlimited e-mail, help-desk and phone support (terms below)",
            True,
        ),
    ]
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
    return lines


def _cadence_words(policy: Policy, ent: Entitlements) -> str:
    if ent.cadence == "as-needed":
        return "An assigned account manager; calls as needed"
    months = policy.cadence_months[ent.cadence]
    period = {12: "subscription year", 1: "month"}.get(months, f"{months}-month period")
    return (
        f"An assigned account manager and {policy.cadence_labels[ent.cadence]} "
        f"(one in each {period} of the subscription)"
    )


def _yearly_lines(policy: Policy, ent: Entitlements) -> list[EntitlementLine]:
    """The allowances counted per package year."""
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
    return [
        EntitlementLine(name, words, True)
        if number
        else EntitlementLine(name, _including(policy, attribute), False)
        for name, number, attribute, words in yearly
    ]


def _package_lines(
    policy: Policy, ent: Entitlements, customer: CustomerRecord
) -> list[EntitlementLine]:
    """The courses, the package itself and what hours beyond it cost."""
    lines = [
        EntitlementLine(
            "Inflectra Campus premium courses",
            "Complimentary access to premium courses and training"
            if ent.premium_courses
            else _including(policy, "premium_courses"),
            ent.premium_courses,
        )
    ]
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


def booking_rules(
    policy: Policy,
    clock: BusinessClock,
    ent: Entitlements,
    customer: CustomerRecord,
    today: date,
) -> list[str]:
    """How to book, in the order a customer reads it: hours, periods, notice, counting."""
    rules = _hours_rules(policy, clock, ent, customer)
    if ent.cadence != "as-needed":
        rules.append(_cadence_rule(policy, ent, customer, today))
    if ent.screen_shares_per_month:
        rules += _screen_share_rules(policy, clock, ent, today)
    rules += _counting_rules(policy, ent, customer, today)
    return rules


def _hours_rules(
    policy: Policy, clock: BusinessClock, ent: Entitlements, customer: CustomerRecord
) -> list[str]:
    rules_time = policy.time
    work = (
        f"{rules_time.working_start:%H:%M}{DASH}{rules_time.working_end:%H:%M} "
        f"{rules_time.zone_label}"
    )
    calendar = rules_time.holiday_calendar
    holidays = (
        ""
        if not calendar
        else " and not on US federal holidays (as observed)"
        if calendar == "US"
        else f" and not on public holidays ({calendar})"
    )
    window = clock.onboarding_window(customer.start)
    return [
        f"All sessions are held on business days between {work}: Monday to Friday{holidays}. "
        "A session must lie entirely inside those hours.",
        f"Onboarding sessions take place from {format_day(window.first_day)} to "
        f"{format_day(window.last_day)}; together they last at most "
        f"{count(ent.onboarding_hours, 'hour')}.",
    ]


def _cadence_rule(policy: Policy, ent: Entitlements, customer: CustomerRecord, today: date) -> str:
    months = policy.cadence_months[ent.cadence]
    year = period_containing(customer.start, 12, max(today, customer.start))
    assert year is not None
    if months == 12:
        return (
            "Your account manager schedules one call in each subscription year; the "
            f"current one runs {span(year.start, year.last_day)}."
        )
    if months == 1:
        return (
            "Your account manager schedules one call in each monthly period, counted from "
            f"day {customer.start.day} of the month."
        )
    starts = [add_months(year.start, months * n) for n in range(12 // months)]
    return (
        f"Your account manager schedules one call in each {months}-month period; this "
        "subscription year the periods start on "
        f"{and_list([f'{d.day} {d:%b %Y}' for d in starts])}."
    )


def _screen_share_rules(
    policy: Policy, clock: BusinessClock, ent: Entitlements, today: date
) -> list[str]:
    """The notice with the deadlines of the next Monday (and Wednesday, and weekend day)."""
    rules_time = policy.time
    zone_label = rules_time.zone_label
    notice = ent.notice_business_days
    cutoff = f"{rules_time.request_cutoff:%H:%M} {zone_label}"
    monday = _next_on(clock, today, 0, business=True)
    example = (
        f"for a session on {format_day(monday)}, request it by "
        f"{_deadline_text(clock, monday, notice)}"
    )
    if notice >= 2:
        wednesday = _next_on(clock, today, 2, business=True)
        example += f"; for {format_day(wednesday)}, by {_deadline_text(clock, wednesday, notice)}"
    rules = [
        f"Request screen-shares by {cutoff} {_business_days(notice)} before the session "
        f"(business days only): {example}. A holiday moves the deadline earlier.",
        f"Each screen-share lasts at most {ent.screen_share_max_minutes} minutes. Up to "
        f"{ent.screen_shares_per_month} are held in each calendar month ({zone_label}); "
        "unused screen-shares do not carry over to the next month.",
    ]
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
    return rules


def _counting_rules(
    policy: Policy, ent: Entitlements, customer: CustomerRecord, today: date
) -> list[str]:
    """Package years, event plans, and what counts against an allowance."""
    rules = []
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
