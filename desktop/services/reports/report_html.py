"""HTML building blocks shared by the printed documents (entitlement summary, book report).

The same markup must read well in two engines: e-mail clients, which want tables and inline
styles (no `<style>` block, no scripts, no external images), and Qt's rich-text engine, which
prints it to PDF and knows only a subset of CSS (per-cell padding, borders and background
colours, percentage widths). Bars are therefore table cells with a background colour.
Nothing in here sets a font family: the e-mail wrapper names one, the printer sets its own.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

# One palette for every document: dark ink, one blue accent, light rules.
INK = "#1f2933"
MUTED = "#5b6573"
FAINT = "#8a94a3"
RULE = "#d5dbe3"
SHADE = "#f3f5f8"
ACCENT = "#1d4ed8"
USED = "#2563eb"
SCHEDULED = "#9dbbf6"
TRACK = "#e4e9f0"
OVER = "#c62828"
WARN = "#a15c00"

ROW_RULE = f"border-top:1px solid {RULE}"
LAST_ROW_RULE = f"{ROW_RULE}; border-bottom:1px solid {RULE}"

BODY_PT = 9.5
SMALL_PT = 8.5


@dataclass(frozen=True)
class Printable:
    """One document ready to print: its body HTML and what the page header and footer say."""

    title: str  # "Entitlement summary"
    subject: str  # the customer, or "All customers"
    issued: date
    vendor: str
    body_html: str
    landscape: bool = False


def esc(text: object) -> str:
    """Every text that a user typed (names, titles, e-mails) goes through here."""
    return html.escape(str(text), quote=True)


def heading(text: str, level: int = 2) -> str:
    size, top, colour = {1: (20, 0, INK), 2: (12.5, 22, ACCENT), 3: (10, 12, INK)}[level]
    return (
        f'<h{level} style="font-size:{size}pt; font-weight:bold; color:{colour}; '
        f'margin-top:{top}px; margin-bottom:6px">{esc(text)}</h{level}>'
    )


def paragraph(inner_html: str, muted: bool = False, size: float = BODY_PT) -> str:
    colour = MUTED if muted else INK
    return (
        f'<p style="margin-top:0; margin-bottom:6px; font-size:{size}pt; color:{colour}">'
        f"{inner_html}</p>"
    )


def bullets(items: Iterable[str]) -> str:
    lines = "".join(
        f'<li style="margin-bottom:3px">{esc(item)}</li>' for item in items if item.strip()
    )
    return f'<ul style="margin-top:0; margin-bottom:8px; color:{INK}">{lines}</ul>'


def cell(
    inner_html: str,
    width: str = "",
    align: str = "left",
    header: bool = False,
    shade: bool = False,
    colour: str = INK,
    bold: bool = False,
    size: float | None = None,
    rule: bool = True,
    nowrap: bool = False,
    padding: int = 7,
    colspan: int = 1,
) -> str:
    tag = "th" if header else "td"
    styles = [
        f"padding:4px {padding}px 4px {padding}px",
        "vertical-align:top",
        f"color:{MUTED if header else colour}",
        f"font-size:{size or (SMALL_PT if header else BODY_PT)}pt",
        f"font-weight:{'bold' if header or bold else 'normal'}",
        f"text-align:{align}",
    ]
    # Rows are ruled above, not below: a row carried over to the next page leaves only white
    # space behind it, never a stray rule at the foot of the page.
    if rule:
        styles.append(f"border-bottom:1.5px solid {MUTED}" if header else ROW_RULE)
    if shade:
        styles.append(f"background-color:{SHADE}")
    if nowrap:
        styles.append("white-space:nowrap")
    attributes = f' width="{width}"' if width else ""
    attributes += f' align="{align}"'
    if colspan > 1:
        attributes += f' colspan="{colspan}"'
    bg = f' bgcolor="{SHADE}"' if shade else ""
    return f'<{tag}{attributes}{bg} style="{"; ".join(styles)}">{inner_html}</{tag}>'


def table(
    header_cells: Sequence[str] | None,
    rows: Iterable[str],
    width: str = "100%",
) -> str:
    """A full-width table; `header_cells` repeat on every printed page (`<thead>`). The last
    row is ruled below too, to close the table."""
    head = f"<thead><tr>{''.join(header_cells)}</tr></thead>" if header_cells else ""
    rows = list(rows)
    if rows:
        rows[-1] = rows[-1].replace(ROW_RULE, LAST_ROW_RULE)
    body = "".join(f"<tr>{row}</tr>" for row in rows)
    return (
        f'<table width="{width}" cellspacing="0" cellpadding="0" border="0" '
        f'style="border-collapse:collapse; margin-top:2px; margin-bottom:10px">'
        f"{head}<tbody>{body}</tbody></table>"
    )


def bar(allowed: float, used: float, scheduled: float, height_pt: float = 4) -> str:
    """Used solid, scheduled light, what is left as a grey track; red past the allowance."""
    total = max(allowed, used + scheduled, 1e-9)
    over = max(0.0, used + scheduled - allowed)
    parts: list[tuple[float, str]] = []
    if over:
        within_used = min(used, allowed)
        parts = [(within_used, USED), (allowed - within_used, SCHEDULED), (over, OVER)]
    else:
        parts = [(used, USED), (scheduled, SCHEDULED), (allowed - used - scheduled, TRACK)]
    percents = _percents([amount / total for amount, _ in parts])
    cells = "".join(
        f'<td width="{percent}%" bgcolor="{colour}" '
        f'style="background-color:{colour}; font-size:{height_pt}pt; line-height:{height_pt}pt; '
        f'padding:0">&nbsp;</td>'
        for percent, (_, colour) in zip(percents, parts, strict=True)
        if percent > 0
    )
    return (
        f'<table width="100%" cellspacing="0" cellpadding="0" border="0" '
        f'style="border-collapse:collapse; margin-top:4px"><tr>{cells}</tr></table>'
    )


def _percents(shares: Sequence[float]) -> list[int]:
    """Whole percentages that add up to 100 (largest remainder), so a bar never overflows."""
    raw = [max(0.0, share) * 100 for share in shares]
    whole = [int(value) for value in raw]
    missing = 100 - sum(whole)
    order = sorted(range(len(raw)), key=lambda i: raw[i] - whole[i], reverse=True)
    for index in order[: max(0, missing)]:
        whole[index] += 1
    return whole


def legend() -> str:
    swatch = '<span style="color:{0}">&#9632;</span>&nbsp;{1}'
    parts = [
        swatch.format(USED, "used"),
        swatch.format(SCHEDULED, "scheduled"),
        swatch.format(TRACK, "left"),
        swatch.format(OVER, "over the allowance"),
    ]
    return paragraph("&nbsp;&nbsp;&nbsp;".join(parts), muted=True, size=SMALL_PT)


def email_document(documents: Sequence[Printable]) -> str:
    """A complete, self-contained HTML file for e-mail: one or more documents, one after another."""
    if not documents:
        raise ValueError("no document to write")
    first = documents[0]
    title = first.title if len(documents) > 1 else f"{first.title}: {first.subject}"
    sections = []
    for document in documents:
        sections.append(
            f'<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" '
            f'style="border-collapse:collapse; background-color:#ffffff; '
            f"border:1px solid {RULE}; margin:0 auto 24px auto; max-width:"
            f'{1040 if document.landscape else 760}px">'
            f'<tr><td style="padding:28px 32px 8px 32px">{document.body_html}</td></tr>'
            f'<tr><td style="padding:10px 32px 18px 32px; border-top:1px solid {RULE}; '
            f'font-size:{SMALL_PT}pt; color:{FAINT}">'
            f"{esc(document.title)} · {esc(document.subject)} · issued "
            f"{esc(long_day(document.issued))} · {esc(document.vendor)}</td></tr></table>"
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title></head>"
        f'<body style="margin:0; padding:24px 12px; background-color:{SHADE}; color:{INK}; '
        "font-family:'Segoe UI', 'Helvetica Neue', Helvetica, Arial, sans-serif; "
        f'font-size:{BODY_PT}pt; line-height:1.35">' + "\n".join(sections) + "</body></html>\n"
    )


def long_day(day: date) -> str:
    """'Thursday 12 March 2026': how a document states its date of issue."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def money(amount: float) -> str:
    """'$1,225', or '$122.50' when there are cents."""
    if abs(amount - round(amount)) < 0.005:
        return f"${round(amount):,}"
    return f"${amount:,.2f}"


def hours(amount: float) -> str:
    """'2.5 h'."""
    return f"{amount:g} h"


def count(number: float, one: str, many: str | None = None) -> str:
    return f"{number:g} {one if number == 1 else (many or one + 's')}"


def and_list(words: Sequence[str]) -> str:
    """'Silver, Gold and Platinum'."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"
