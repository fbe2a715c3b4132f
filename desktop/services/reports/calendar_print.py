"""The calendar on paper: a range of days as a daily list, or a month as a grid.

A printed calendar is read away from the screen, so every session says everything a glance
at the window would: when (in the zone the calendar is shown in), who, what, and whether it
still stands. Busy time is listed too, so a printed week shows why a slot is free or not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from desktop.services.business_time import to_zone, week_start, zone
from desktop.services.reports.report_html import (
    FAINT,
    INK,
    MUTED,
    SMALL_PT,
    Printable,
    cell,
    esc,
    heading,
    long_day,
    paragraph,
    table,
)
from desktop.services.scheduling.ledger import Busy
from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.scheduling.status import SessionStatus

MONTH_GRID_ROWS_MAX = 6
# The print names a status once it is no longer planned, in the stored word.
MARKED_STATUSES = frozenset({SessionStatus.DONE, SessionStatus.NO_SHOW, SessionStatus.CANCELLED})


@dataclass(frozen=True)
class PrintRange:
    """What to print: the days `first`..`last` (inclusive), in the zone the user sees."""

    first: date
    last: date
    tz_name: str
    zone_label: str  # "Eastern time (ET)", "Chicago"
    month_grid: bool = False

    @property
    def title(self) -> str:
        if self.first == self.last:
            return long_day(self.first)
        return f"{long_day(self.first)} – {long_day(self.last)}"


@dataclass(frozen=True)
class _Entry:
    start: datetime  # wall clock in the printed zone
    end: datetime
    all_day: bool
    who: str
    what: str
    title: str
    status: str
    busy: bool = False


def _entries(
    sessions: Sequence[SessionRecord],
    busy: Sequence[Busy],
    chosen: PrintRange,
    kind_labels: Mapping[str, str],
) -> dict[date, list[_Entry]]:
    """Each day's entries, a multi-day one under every day it covers, in time order."""
    tz = zone(chosen.tz_name)
    by_day: dict[date, list[_Entry]] = defaultdict(list)

    def place(entry: _Entry) -> None:
        day = max(entry.start.date(), chosen.first)
        last_moment = entry.end - timedelta(seconds=1) if entry.end > entry.start else entry.end
        while day <= min(last_moment.date(), chosen.last):
            by_day[day].append(entry)
            day += timedelta(days=1)

    for session in sessions:
        start = to_zone(session.start_utc, tz).replace(tzinfo=None)
        end = to_zone(session.end_utc, tz).replace(tzinfo=None)
        place(
            _Entry(
                start,
                end,
                session.all_day,
                ", ".join(session.customers) or "(no customer)",
                kind_labels.get(session.kind, session.kind),
                session.title,
                session.status,
            )
        )
    for block in busy:
        start = to_zone(block.start_utc, tz).replace(tzinfo=None)
        end = to_zone(block.end_utc, tz).replace(tzinfo=None)
        place(_Entry(start, end, block.all_day, "", "Busy", block.summary, "", busy=True))
    for entries in by_day.values():
        entries.sort(key=lambda e: (not e.all_day, e.start, e.busy, e.who))
    return by_day


def _when(entry: _Entry) -> str:
    if entry.all_day:
        return "all day"
    return f"{entry.start:%H:%M}–{entry.end:%H:%M}"


def _day_list(by_day: Mapping[date, list[_Entry]], chosen: PrintRange) -> str:
    parts: list[str] = []
    header = [
        cell("Time", width="16%", header=True),
        cell("Customer", width="30%", header=True),
        cell("What", width="22%", header=True),
        cell("Title", width="22%", header=True),
        cell("Status", width="10%", header=True),
    ]
    day = chosen.first
    while day <= chosen.last:
        entries = by_day.get(day, [])
        parts.append(heading(long_day(day), 3))
        if not entries:
            parts.append(paragraph("Nothing booked.", muted=True))
        else:
            rows = []
            for entry in entries:
                ink = FAINT if entry.busy or entry.status == SessionStatus.CANCELLED else INK
                texts = (_when(entry), entry.who, entry.what, entry.title)
                rows.append(
                    "".join(
                        cell(esc(text), colour=ink, bold=column == 1 and not entry.busy)
                        for column, text in enumerate(texts)
                    )
                    + cell(esc(entry.status if entry.status in MARKED_STATUSES else ""), colour=ink)
                )
            parts.append(table(header, rows))
        day += timedelta(days=1)
    return "".join(parts)


def _month_grid(by_day: Mapping[date, list[_Entry]], chosen: PrintRange) -> str:
    first = week_start(chosen.first)
    header = [cell(f"{first + timedelta(days=i):%a}", width="14%", header=True) for i in range(7)]
    rows: list[str] = []
    week = first
    while week <= chosen.last and len(rows) < MONTH_GRID_ROWS_MAX + 1:
        cells = []
        for offset in range(7):
            day = week + timedelta(days=offset)
            inside = chosen.first <= day <= chosen.last
            lines = [
                f"<b>{day.day}</b>" if inside else f'<span style="color:{FAINT}">{day.day}</span>'
            ]
            for entry in by_day.get(day, []) if inside else []:
                struck = entry.status == SessionStatus.CANCELLED
                clock = "" if entry.all_day else f"{entry.start:%H:%M} "
                text = esc(clock + (entry.who or entry.title or "Busy"))
                style = f"color:{MUTED}" + ("; text-decoration:line-through" if struck else "")
                lines.append(f'<span style="{style}; font-size:{SMALL_PT}pt">{text}</span>')
            cells.append(cell("<br>".join(lines), size=SMALL_PT, shade=not inside))
        rows.append("".join(cells))
        week += timedelta(days=7)
    return table(header, rows)


def calendar_printable(
    sessions: Sequence[SessionRecord],
    busy: Sequence[Busy],
    chosen: PrintRange,
    kind_labels: Mapping[str, str],
    issued: date,
    vendor: str,
) -> Printable:
    """The range as a document for the printer or a PDF (views/printing.py lays it out)."""
    by_day = _entries(sessions, busy, chosen, kind_labels)
    placed = {id(entry): entry for entries in by_day.values() for entry in entries}.values()
    counted = sum(1 for e in placed if not e.busy and e.status != SessionStatus.CANCELLED)
    blocks = sum(1 for e in placed if e.busy)
    intro = paragraph(
        f"Times in {esc(chosen.zone_label)} · {counted} session{'s' * (counted != 1)}"
        + (f" · {blocks} busy block{'s' * (blocks != 1)}" if blocks else ""),
        muted=True,
    )
    body = heading(f"Calendar: {chosen.title}", 1) + intro
    body += _month_grid(by_day, chosen) if chosen.month_grid else _day_list(by_day, chosen)
    return Printable(
        title="Calendar",
        subject=chosen.title,
        issued=issued,
        vendor=vendor,
        body_html=body,
        landscape=chosen.month_grid,
    )
