"""What the contract gives a customer: a pure function of (policy, product, users, package)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from desktop.services.business_time import BusinessClock, format_day
from desktop.services.policy import PACKAGE_GIVES, Policy


@dataclass(frozen=True)
class Entitlements:
    product: str
    package: str
    band: str
    onboarding_hours: int
    onboarding_window_days: int
    cadence: str
    screen_shares_per_month: int
    screen_share_max_minutes: int
    notice_business_days: int
    weekends: bool
    assistance_hours_per_year: int
    event_plans_per_year: int
    round_tables_per_year: int
    round_table_max_customers: int
    product_team_meetings_per_year: int
    feature_fixes_per_year: int
    premium_courses: bool
    price_usd_per_year: int
    additional_hour_usd: int

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        del data["product"], data["package"]
        return data

    def allows_kind(self, kind: str) -> bool:
        """Who may have which session kind (DOMAIN.md section 4), read off the numbers."""
        return {
            "onboarding": True,
            "cadence": self.cadence != "as-needed",
            "screen-share": self.screen_shares_per_month > 0,
            "assistance": self.assistance_hours_per_year > 0,
            "event-plan": self.event_plans_per_year > 0,
            "round-table": self.round_tables_per_year > 0,
            "product-team": self.product_team_meetings_per_year > 0,
        }.get(kind, False)


def entitlements_for(policy: Policy, product: str, users: int, package: str) -> Entitlements:
    band = policy.band_for(users)
    tier = policy.package(package)
    return Entitlements(
        product=product,
        package=package,
        band=band.name,
        onboarding_hours=band.onboarding_hours[product],
        onboarding_window_days=policy.time.onboarding_window_days,
        cadence=band.cadence,
        screen_share_max_minutes=policy.limits.screen_share_max_minutes,
        round_table_max_customers=policy.limits.round_table_max_customers,
        additional_hour_usd=policy.limits.additional_hour_usd,
        **{name: getattr(tier, name) for name in PACKAGE_GIVES},
    )


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else (many or one + 's')}"


def _business_days(number: int) -> str:
    return "one business day" if number == 1 else f"{number} business days"


def describe(
    ent: Entitlements,
    policy: Policy,
    clock: BusinessClock,
    subscription_start: date | None = None,
) -> list[str]:
    """The entitlements in plain words, one line each, as the card and the summary show them."""
    zone = policy.time.zone_label
    lines = []
    onboarding = _count(ent.onboarding_hours, "onboarding hour")
    if subscription_start is not None:
        window = clock.onboarding_window(subscription_start)
        lines.append(f"{onboarding} until {format_day(window.last_day)}")
    else:
        lines.append(f"{onboarding} in the first {ent.onboarding_window_days} days")
    if ent.cadence == "as-needed":
        lines.append("Account-management calls as needed")
    else:
        lines.append(f"Account management: {policy.cadence_labels[ent.cadence]}")
    if ent.screen_shares_per_month:
        shares = _count(ent.screen_shares_per_month, "screen-share")
        cutoff = f"{policy.time.request_cutoff:%H:%M} {zone}"
        lines.append(
            f"{shares} a month (up to {ent.screen_share_max_minutes} min each), "
            f"book {_business_days(ent.notice_business_days)} ahead by {cutoff}"
        )
        work = f"{policy.time.working_start:%H:%M}-{policy.time.working_end:%H:%M} {zone}"
        lines.append(
            f"Screen-shares on business days {work}"
            + (" and on weekends" if ent.weekends else ", not on weekends")
        )
    if ent.assistance_hours_per_year:
        lines.append(f"{_count(ent.assistance_hours_per_year, 'assistance hour')} per package year")
    if ent.event_plans_per_year:
        lines.append(f"{_count(ent.event_plans_per_year, 'event plan')} per package year")
    if ent.round_tables_per_year:
        lines.append(
            f"{_count(ent.round_tables_per_year, 'strategic round table')} per package year "
            f"(up to {ent.round_table_max_customers} customers each)"
        )
    if ent.product_team_meetings_per_year:
        lines.append(
            f"{_count(ent.product_team_meetings_per_year, '1:1 meeting')} with the product team "
            "per package year"
        )
    if ent.feature_fixes_per_year:
        lines.append(
            f"{_count(ent.feature_fixes_per_year, 'small feature fix', 'small feature fixes')} "
            "per package year (if feasible)"
        )
    if ent.premium_courses:
        lines.append("Inflectra Campus premium courses included")
    if ent.price_usd_per_year:
        lines.append(f"Premium package: ${ent.price_usd_per_year:,} per year")
    lines.append(f"Extra hours: ${ent.additional_hour_usd:,} per hour")
    return lines
