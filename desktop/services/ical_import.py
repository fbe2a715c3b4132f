"""Import of the account manager's own calendar (Outlook, Google, Apple) as busy time.

The file is checked line by line first, so a broken file is refused with the line at fault
and nothing changes. Recurrences (RRULE, EXDATE, RECURRENCE-ID) are expanded by
recurring-ical-events; Google's X-WR-TIMEZONE is honoured; Outlook's Windows zone names
resolve through the file's own VTIMEZONE. Floating times are read as policy-zone wall clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import icalendar
import recurring_ical_events
import x_wr_timezone

from desktop.errors import AmplanError, BadInput
from desktop.services.business_time import BusinessClock, localize, to_utc
from desktop.services.ledger import Busy

_CONTENT_LINE = re.compile(r"^[A-Za-z0-9-]+(;[^:]*)?:")
# Busy time matters around now: occurrences are expanded this far back and ahead.
IMPORT_YEARS_BACK = 1
IMPORT_YEARS_AHEAD = 3

Progress = Callable[[int, int], bool]


class ImportCancelled(AmplanError):
    """The user stopped the import; nothing was saved."""


@dataclass(frozen=True)
class BusyEvent:
    uid: str
    block: Busy


@dataclass
class BusyFile:
    events: list[BusyEvent] = field(default_factory=list)
    skipped: int = 0
    uids: set[str] = field(default_factory=set)


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BadInput(
            f"{source}, line {line}: not UTF-8 text; export the calendar again."
        ) from None


def check_structure(text: str, source: str) -> list[int]:
    """Refuse what is not an iCalendar file, naming the line; returns each VEVENT's line."""
    lines = text.splitlines()
    stack: list[tuple[str, int]] = []
    event_lines: list[int] = []
    seen_calendar = False
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        if raw[0] in " \t":  # a folded continuation of the line before
            if number == 1:
                raise BadInput(f"{source}, line 1: starts with a continuation line.")
            continue
        if not _CONTENT_LINE.match(raw):
            raise BadInput(
                f"{source}, line {number}: '{raw[:40]}' is not an iCalendar line (NAME:value)."
            )
        name, _, value = raw.partition(":")
        name = name.split(";")[0].upper()
        value = value.strip().upper()
        if not seen_calendar:
            if (name, value) != ("BEGIN", "VCALENDAR"):
                raise BadInput(
                    f"{source}, line {number}: an iCalendar file starts with BEGIN:VCALENDAR."
                )
            seen_calendar = True
        if name == "BEGIN":
            if not stack and value != "VCALENDAR":
                raise BadInput(f"{source}, line {number}: BEGIN:{value} outside the calendar.")
            stack.append((value, number))
            if value == "VEVENT":
                event_lines.append(number)
        elif name == "END":
            if not stack:
                raise BadInput(f"{source}, line {number}: END:{value} without a BEGIN.")
            opened, opened_at = stack.pop()
            if opened != value:
                raise BadInput(
                    f"{source}, line {number}: END:{value} closes BEGIN:{opened} "
                    f"of line {opened_at}."
                )
        elif not stack:
            raise BadInput(f"{source}, line {number}: {name} outside the calendar.")
    if not seen_calendar:
        raise BadInput(f"{source}: empty file, not an iCalendar calendar.")
    if stack:
        opened, opened_at = stack[-1]
        raise BadInput(f"{source}, line {opened_at}: BEGIN:{opened} is never closed.")
    return event_lines


def _instant(value: Any, clock: BusinessClock) -> tuple[datetime, bool]:
    """An aware UTC instant and whether the value was a DATE (all day)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:  # floating: the manager's own wall clock
            return to_utc(localize(clock.tz, value)), False
        return to_utc(value), False
    if isinstance(value, date):
        return to_utc(clock.midnight(value)), True
    raise ValueError(f"not a date or time: {value!r}")


def read_busy(
    data: bytes,
    source: str,
    clock: BusinessClock,
    today: date,
    progress: Progress | None = None,
) -> BusyFile:
    """Busy blocks of a calendar file between a year back and three years ahead."""
    text = _decode(data, source)
    event_lines = check_structure(text, source)
    try:
        calendar = icalendar.Calendar.from_ical(text)
        calendar = x_wr_timezone.to_standard(calendar)
    except Exception as exc:  # icalendar raises ValueError, KeyError...: all mean "bad file"
        raise BadInput(f"{source}: not a valid iCalendar file ({exc}).") from None
    masters = [c for c in calendar.walk("VEVENT")]
    for index, event in enumerate(masters):
        if event.get("DTSTART") is None:
            line = event_lines[index] if index < len(event_lines) else 0
            summary = str(event.get("SUMMARY", "")) or "untitled"
            raise BadInput(f"{source}, line {line}: event '{summary}' has no DTSTART.")
    result = BusyFile()
    result.uids = {str(e.get("UID")) for e in masters if e.get("UID")}
    first = date(today.year - IMPORT_YEARS_BACK, today.month, 1)
    last = date(today.year + IMPORT_YEARS_AHEAD, today.month, 1)
    try:
        occurrences = list(recurring_ical_events.of(calendar).between(first, last))
    except Exception as exc:  # a broken RRULE or zone surfaces here
        raise BadInput(f"{source}: cannot expand the recurring events ({exc}).") from None
    total = len(occurrences)
    for number, event in enumerate(occurrences, start=1):
        if progress is not None and number % 500 == 0 and not progress(number, total):
            raise ImportCancelled("Import stopped; nothing was saved.")
        transparent = str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT"
        cancelled = str(event.get("STATUS", "")).upper() == "CANCELLED"
        free = str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper() == "FREE"
        if transparent or cancelled or free:
            result.skipped += 1
            continue
        try:
            start_utc, all_day = _instant(event["DTSTART"].dt, clock)
            end_value = event["DTEND"].dt if event.get("DTEND") is not None else None
            if end_value is None:
                end_utc = start_utc + (timedelta(days=1) if all_day else timedelta(0))
            else:
                end_utc, _ = _instant(end_value, clock)
        except (ValueError, KeyError, AmplanError) as exc:
            raise BadInput(
                f"{source}: event '{event.get('SUMMARY', '')}' has a bad time ({exc})."
            ) from None
        if end_utc <= start_utc:
            result.skipped += 1
            continue
        uid = str(event.get("UID", "")) or f"{source}:{start_utc.isoformat()}"
        summary = " ".join(str(event.get("SUMMARY", "")).split())[:200]
        result.events.append(BusyEvent(uid, Busy(start_utc, end_utc, summary, all_day)))
    if progress is not None:
        progress(total, total)
    return result
