"""The entitlement summary's layout: its HTML, the same for e-mail and for print.

Only arranges what `summary.build_summary` gathered and `summary_terms` worded; it adds no
number of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from desktop.services.business_time import format_day
from desktop.services.reports.report_html import (
    FAINT,
    INK,
    MUTED,
    OVER,
    SMALL_PT,
    bar,
    bullets,
    cell,
    esc,
    heading,
    hours,
    legend,
    long_day,
    money,
    paragraph,
    table,
)
from desktop.services.reports.summary_terms import span
from desktop.services.scheduling.usage import Allowance, CustomerUsage, MonthUsage

if TYPE_CHECKING:
    from desktop.services.reports.summary import (
        CustomerSummary,
        EntitlementLine,
        Fact,
        SessionLine,
    )

TITLE = "Entitlement summary"
ALLOWANCE_NAMES = {
    "onboarding": "Onboarding hours",
    "cadence": "Account-management call",
    "screen-share": "Screen-shares this month",
    "assistance": "Assistance hours",
    "event-plan": "Event plans",
    "round-table": "Strategic round tables",
    "product-team": "Product-team 1:1",
}


def city(tz_name: str) -> str:
    """'America/Los_Angeles' -> 'Los Angeles'."""
    return tz_name.rsplit("/", 1)[-1].replace("_", " ")


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
    time_et = f"Time ({esc(summary.zone_label)})"
    # (heading, width, align, nowrap, the line's text); the local time only when it differs
    columns: list[tuple[str, str, str, bool, Callable[[SessionLine], str]]]
    if summary.local_zone:
        local = f"Time in {esc(city(summary.local_zone))}"
        columns = [
            ("Date", "22%", "left", False, lambda line: line.day),
            (time_et, "13%", "left", True, lambda line: line.time_et),
            (local, "17%", "left", False, lambda line: line.time_local),
            ("Session", "38%", "left", False, lambda line: line.what),
            ("Length", "10%", "right", True, lambda line: line.length),
        ]
    else:
        columns = [
            ("Date", "22%", "left", False, lambda line: line.day),
            (time_et, "16%", "left", True, lambda line: line.time_et),
            ("Session", "50%", "left", False, lambda line: line.what),
            ("Length", "12%", "right", True, lambda line: line.length),
        ]
    header = [cell(title, width, align, header=True) for title, width, align, _, _ in columns]
    rows = [
        "".join(
            cell(esc(text(line)), width, align, nowrap=nowrap)
            for _, width, align, nowrap, text in columns
        )
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
