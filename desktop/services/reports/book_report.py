"""The book report: every customer on one line, for a quarterly review of the whole book.

Each allowance as used / scheduled / left in per cent (a customer with every onboarding hour
booked is not at "0%"), the dashboard's risks, the next session and the renewal dates;
printable (HTML, the same for e-mail and print) and exportable as CSV for a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from desktop.services.attention import Attention
from desktop.services.business_time import BusinessClock, format_day
from desktop.services.customers import CustomerRecord
from desktop.services.policy import Policy
from desktop.services.reports.report_html import (
    ACCENT,
    FAINT,
    INK,
    MUTED,
    SMALL_PT,
    WARN,
    Printable,
    cell,
    esc,
    long_day,
    paragraph,
    table,
)
from desktop.services.reports.summary import next_anniversary
from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.scheduling.status import SessionStatus
from desktop.services.scheduling.usage import usage_for

TITLE = "Book report"
# (usage allowance key, column title, CSV column)
ALLOWANCE_COLUMNS = (
    ("onboarding", "Onboarding", "onboarding_used_pct"),
    ("cadence", "Cadence", "cadence_used_pct"),
    ("screen-share", "Screen-shares", "screen_share_used_pct"),
    ("assistance", "Assistance", "assistance_used_pct"),
    ("event-plan", "Event plans", "event_plan_used_pct"),
    ("round-table", "Round tables", "round_table_used_pct"),
    ("product-team", "Product 1:1", "product_team_used_pct"),
)
CSV_COLUMNS = (
    "customer",
    "product",
    "users",
    "band",
    "package",
    *(
        name
        for column in ALLOWANCE_COLUMNS
        for name in (
            column[2],
            column[2].replace("_used_", "_scheduled_"),
            column[2].replace("_used_", "_left_"),
        )
    ),
    "risk_count",
    "risks",
    "next_session",
    "next_session_kind",
    "renewal",
    "package_renewal",
)
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Share:
    """One allowance of one customer: what share of it is used, scheduled and left."""

    label: str
    unit: str
    allowed: float
    used: float
    scheduled: float

    @property
    def used_percent(self) -> float:
        return self.used / self.allowed * 100

    @property
    def scheduled_percent(self) -> float:
        return self.scheduled / self.allowed * 100

    @property
    def left_percent(self) -> float:
        return max(0.0, 100 - self.used_percent - self.scheduled_percent)

    @property
    def committed_percent(self) -> float:
        """Used and scheduled together: how much of the allowance is spoken for."""
        return self.used_percent + self.scheduled_percent

    def short(self) -> str:
        """'25 / 50 / 25': used / scheduled / left, in per cent (the columns say so)."""
        return f"{self.used_percent:.0f} / {self.scheduled_percent:.0f} / {self.left_percent:.0f}"

    def words(self) -> str:
        """'Onboarding: 2 used, 4 scheduled, 2 left of 8 hours'."""
        left = max(0.0, self.allowed - self.used - self.scheduled)
        return (
            f"{self.label}: {_amount(self.used)} used, {_amount(self.scheduled)} scheduled, "
            f"{_amount(left)} left of {_amount(self.allowed)} {self.unit}"
        )


def _amount(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class BookRow:
    customer: CustomerRecord
    package_label: str
    shares: tuple[Share | None, ...]  # per ALLOWANCE_COLUMNS; None: not entitled
    risks: tuple[str, ...]
    next_session: SessionRecord | None
    next_session_text: str
    renewal: date
    package_renewal: date | None


@dataclass(frozen=True)
class BookReport:
    issued: date
    vendor: str
    rows: tuple[BookRow, ...]

    def printable(self) -> Printable:
        subject = f"{len(self.rows)} customer{'s' if len(self.rows) != 1 else ''}"
        return Printable(TITLE, subject, self.issued, self.vendor, book_body(self), True)


def _without_prefix(title: str, prefixes: Sequence[str]) -> str:
    """The dashboard's title without the customer's name in front: the row already has it."""
    for prefix in prefixes:
        if title.startswith(prefix):
            title = title[len(prefix) :]
            break
    return title[:1].upper() + title[1:]


def risks_by_customer(attention: Attention) -> dict[int, list[str]]:
    """The dashboard's items per customer; an overdue session counts for each of its customers."""
    found: dict[int, list[str]] = {}
    for item in attention.items:
        if item.customer is not None:
            text = _without_prefix(item.title, [f"{item.customer.name}: "])
            found.setdefault(item.customer.id, []).append(text)
        elif item.session is not None:
            text = _without_prefix(item.title, [f"{', '.join(item.session.customers)}: "])
            for cid in item.session.customer_ids:
                found.setdefault(cid, []).append(text)
    return found


def build_book_report(
    policy: Policy,
    clock: BusinessClock,
    customers: Sequence[CustomerRecord],
    sessions_by_customer: Mapping[int, Sequence[SessionRecord]],
    attention: Attention,
    now_utc: datetime,
) -> BookReport:
    today = clock.et_date(now_utc)
    risks = risks_by_customer(attention)
    rows = []
    for customer in customers:
        sessions = sessions_by_customer.get(customer.id, ())
        usage = usage_for(policy, clock, customer, sessions, today)
        shares: list[Share | None] = []
        for key, title, _ in ALLOWANCE_COLUMNS:
            allowance = usage.allowance(key)
            if allowance is None or not allowance.allowed:
                shares.append(None)
            else:
                shares.append(
                    Share(
                        title,
                        allowance.unit,
                        allowance.allowed,
                        allowance.used,
                        allowance.scheduled,
                    )
                )
        upcoming = sorted(
            (s for s in sessions if s.status == SessionStatus.PLANNED and s.start_utc >= now_utc),
            key=lambda s: (s.start_utc, s.id),
        )
        following = upcoming[0] if upcoming else None
        next_text = ""
        if following is not None:
            start = clock.et(following.start_utc)
            when = format_day(start.date())
            if not following.all_day:
                when += f", {start:%H:%M} {policy.time.zone_label}"
            next_text = f"{when} · {policy.kind(following.kind).label}"
        rows.append(
            BookRow(
                customer=customer,
                package_label="—"
                if customer.package == "none"
                else policy.package(customer.package).label,
                shares=tuple(shares),
                risks=tuple(risks.get(customer.id, ())),
                next_session=following,
                next_session_text=next_text,
                renewal=next_anniversary(customer.start, today),
                package_renewal=None
                if customer.package == "none"
                else next_anniversary(customer.package_start, today),
            )
        )
    return BookReport(today, policy.vendor, tuple(rows))


# --- CSV -------------------------------------------------------------------------------------


def _safe(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def percent_text(value: float | None) -> str:
    """'50', '37.5', '' (not entitled): numbers a spreadsheet reads as numbers."""
    if value is None:
        return ""
    return f"{round(value, 1):g}"


def book_csv(report: BookReport, clock: BusinessClock) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        customer = row.customer
        following = row.next_session
        writer.writerow(
            [
                _safe(customer.name),
                customer.product,
                customer.users,
                customer.band,
                customer.package,
                *(
                    percent_text(None if share is None else value)
                    for share in row.shares
                    for value in (
                        (share.used_percent, share.scheduled_percent, share.left_percent)
                        if share is not None
                        else (0.0, 0.0, 0.0)
                    )
                ),
                len(row.risks),
                _safe("; ".join(row.risks)),
                clock.et(following.start_utc).isoformat() if following else "",
                following.kind if following else "",
                row.renewal.isoformat(),
                row.package_renewal.isoformat() if row.package_renewal else "",
            ]
        )
    return out.getvalue()


# --- HTML ------------------------------------------------------------------------------------

BOOK_PT = 8.5
TINY_PT = 7.5
# Customer, seven allowances, risks, next session, renewal: fits US Letter landscape.
CUSTOMER_WIDTH, ALLOWANCE_WIDTH, RISKS_WIDTH, NEXT_WIDTH, RENEWAL_WIDTH = (
    "14%",
    "7%",
    "21%",
    "9%",
    "7%",
)
# Column titles broken where a reader expects, never inside a word.
HEADER_TITLES = {
    "onboarding": "Onboard-<br>ing",
    "cadence": "Cadence",
    "screen-share": "Screen-<br>shares",
    "assistance": "Assist-<br>ance",
    "event-plan": "Event<br>plans",
    "round-table": "Round<br>tables",
    "product-team": "Product<br>1:1",
}


def _short_day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _percent_cell(share: Share | None) -> str:
    if share is None:
        return cell("—", ALLOWANCE_WIDTH, "right", colour=FAINT, size=BOOK_PT, padding=4)
    committed = share.committed_percent
    colour = ACCENT if committed >= 100 else (FAINT if committed == 0 else INK)
    return cell(
        share.short(),
        ALLOWANCE_WIDTH,
        "right",
        colour=colour,
        bold=committed >= 100,
        size=BOOK_PT,
        padding=4,
        nowrap=True,
    )


def _row_html(row: BookRow) -> str:
    customer = row.customer
    package = "" if customer.package == "none" else f" · {esc(row.package_label)}"
    who = (
        f"<b>{esc(customer.name)}</b><br>"
        f'<span style="font-size:{TINY_PT}pt; color:{MUTED}">'
        f"{esc(customer.product)} · {customer.users:,} users{package}</span>"
    )
    risks = (
        "<br>".join(f"• {esc(risk)}" for risk in row.risks)
        if row.risks
        else f'<span style="color:{FAINT}">—</span>'
    )
    following = row.next_session_text or f'<span style="color:{FAINT}">—</span>'
    if row.next_session_text:
        when, _, kind = row.next_session_text.partition(" · ")
        following = f'{esc(when)}<br><span style="color:{MUTED}">{esc(kind)}</span>'
    renewal = esc(_short_day(row.renewal))
    if row.package_renewal is not None and row.package_renewal != row.renewal:
        renewal += (
            f'<br><span style="color:{MUTED}">package<br>'
            f"{esc(_short_day(row.package_renewal))}</span>"
        )
    return (
        cell(who, CUSTOMER_WIDTH, size=BOOK_PT, padding=4)
        + "".join(_percent_cell(share) for share in row.shares)
        + cell(risks, RISKS_WIDTH, size=TINY_PT, colour=WARN if row.risks else INK, padding=4)
        + cell(following, NEXT_WIDTH, size=TINY_PT, padding=4)
        + cell(renewal, RENEWAL_WIDTH, size=TINY_PT, padding=4, nowrap=True)
    )


def book_body(report: BookReport) -> str:
    headers = [
        cell("Customer", CUSTOMER_WIDTH, header=True, size=TINY_PT, padding=4),
        *(
            cell(HEADER_TITLES[key], ALLOWANCE_WIDTH, "right", header=True, size=TINY_PT, padding=4)
            for key, _, _ in ALLOWANCE_COLUMNS
        ),
        cell("Risks", RISKS_WIDTH, header=True, size=TINY_PT, padding=4),
        cell("Next session", NEXT_WIDTH, header=True, size=TINY_PT, padding=4),
        cell("Renewal", RENEWAL_WIDTH, header=True, size=TINY_PT, padding=4),
    ]
    at_risk = sum(1 for row in report.rows if row.risks)
    title = (
        '<table width="100%" cellspacing="0" cellpadding="0" border="0" '
        'style="border-collapse:collapse; margin-bottom:10px"><tr>'
        '<td style="vertical-align:bottom; padding:0">'
        f'<p style="margin:0; font-size:8.5pt; color:{MUTED}; font-weight:bold">'
        f"{esc(report.vendor.upper())} · ACCOUNT MANAGEMENT</p>"
        f'<h1 style="font-size:20pt; font-weight:bold; color:{INK}; margin-top:2px; '
        f'margin-bottom:0">{TITLE}</h1></td>'
        f'<td align="right" style="vertical-align:bottom; padding:0 0 3px 12px; '
        f'text-align:right; color:{MUTED}; font-size:{SMALL_PT}pt">'
        f"Issued {esc(long_day(report.issued))}</td></tr></table>"
    )
    customers = f"{len(report.rows)} customer{'s' if len(report.rows) != 1 else ''}"
    intro = paragraph(
        f"<b>{customers}</b>, {at_risk} with something to act on. Each allowance column shows "
        "<b>used / scheduled / left</b> in per cent of the current period's allowance (used: "
        "held sessions and no-shows; scheduled: sessions still to come): the onboarding "
        "window, the cadence period, this month's screen-shares and the package year; — "
        "where the contract has no such allowance.",
        muted=True,
        size=SMALL_PT,
    )
    return title + intro + table(headers, (_row_html(row) for row in report.rows))
