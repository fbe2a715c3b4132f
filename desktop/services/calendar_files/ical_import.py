"""Import of the account manager's own calendar (Outlook, Google, Apple) as busy time.

The file is checked line by line first, so a broken file is refused with the line at fault
and nothing changes. Recurrences (RRULE, EXDATE, RECURRENCE-ID) are expanded by
recurring-ical-events; Google's X-WR-TIMEZONE is honoured; Outlook's Windows zone names
resolve through the file's own VTIMEZONE. Floating times are read as policy-zone wall clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import available_timezones

import icalendar
import recurring_ical_events
import x_wr_timezone
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from desktop.errors import AmplanError, BadInput
from desktop.services.business_time import BusinessClock, localize, to_utc
from desktop.services.scheduling.ledger import Busy

_CONTENT_LINE = re.compile(r"^[A-Za-z0-9-]+(;[^:]*)?:")
# NAME;PARAM=value;PARAM="quoted":... - a parameter without `=` is not iCalendar.
_PARAMETERS = re.compile(r'^[A-Za-z0-9-]+(;[A-Za-z0-9-]+=("[^"]*"|[^";:]*)(,("[^"]*"|[^";:]*))*)*:')
# Busy time matters around now: occurrences are expanded this far back and ahead (a plan
# looks 12 months ahead). A longer horizon only costs time and memory.
IMPORT_DAYS_BACK = 31
IMPORT_MONTHS_AHEAD = 18
# More busy times than this inside the horizon is not a person's calendar; refused whole.
MAX_BUSY_BLOCKS = 50_000
MAX_EVENTS = 30_000
MAX_NESTING = 8
# Repeating faster than hourly is not a meeting: such a rule is refused, naming its line.
_TOO_FREQUENT = {"SECONDLY": "second", "MINUTELY": "minute"}

Progress = Callable[[int, int], bool]
_IANA_NAMES = frozenset(available_timezones())


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
    first: date | None = None  # the horizon read: [first, last)
    last: date | None = None


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BadInput(
            f"{source}, line {line}: not UTF-8 text; export the calendar again."
        ) from None


def _unfolded(text: str, source: str) -> list[tuple[int, str]]:
    """Content lines with their folds joined, each with the number of its first physical line.

    Lines end only at LF or CRLF, as icalendar reads them: a line separator (U+2028) or a
    lone CR inside a pasted description is text, not a new line. A fold may fall anywhere,
    even inside the parameters (Google folds long ATTENDEE lines), so a line is only judged
    once it is whole."""
    logical: list[tuple[int, str]] = []
    for number, raw in enumerate(re.split(r"\r?\n", text), start=1):
        if not raw.strip():
            continue
        if raw[0] in " \t":  # a folded continuation of the line before
            if not logical:
                raise BadInput(f"{source}, line {number}: starts with a continuation line.")
            first, line = logical[-1]
            logical[-1] = (first, line + raw[1:])
            continue
        logical.append((number, raw))
    return logical


def check_structure(text: str, source: str) -> list[int]:
    """Refuse what is not an iCalendar file, naming the line; returns each VEVENT's line."""
    stack: list[tuple[str, int]] = []
    event_lines: list[int] = []
    seen_calendar = False
    for number, raw in _unfolded(text, source):
        if not _CONTENT_LINE.match(raw):
            raise BadInput(
                f"{source}, line {number}: '{raw[:40]}' is not an iCalendar line (NAME:value)."
            )
        if ";" in raw.partition(":")[0] and not _PARAMETERS.match(raw):
            raise BadInput(
                f"{source}, line {number}: '{raw[:60]}' has a parameter without a value "
                "(NAME;PARAM=value:...)."
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
            if len(stack) >= MAX_NESTING:
                raise BadInput(
                    f"{source}, line {number}: components nested more than {MAX_NESTING} deep; "
                    "not a calendar export."
                )
            stack.append((value, number))
            if value == "VEVENT":
                event_lines.append(number)
                if len(event_lines) > MAX_EVENTS:
                    raise BadInput(
                        f"{source}: more than {MAX_EVENTS:,} events; export a shorter period "
                        "of your calendar."
                    )
        elif name == "RRULE":
            frequency = re.search(r"FREQ=([A-Z]+)", value)
            if frequency and frequency.group(1) in _TOO_FREQUENT:
                raise BadInput(
                    f"{source}, line {number}: an event repeats every "
                    f"{_TOO_FREQUENT[frequency.group(1)]}; that is not busy time amplan can "
                    "import. Nothing was imported."
                )
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


def _iana_name(tzid: str) -> str | None:
    name = tzid.strip().strip('"').strip("/")
    if name in _IANA_NAMES:
        return name
    return WINDOWS_TO_OLSON.get(name)


def use_iana_zones(text: str) -> str:
    """Replace the file's own VTIMEZONEs of well-known zones by their IANA names.

    Outlook writes its zones with DTSTART in 1601, and resolving every time through such a
    VTIMEZONE walks four centuries of rules (most of an import's time); tzdata knows the same
    zones. Zones amplan does not know keep the file's definition.
    """
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    lines = re.split(r"\r?\n", unfolded)  # not splitlines(): U+2028 is text here
    kept: list[str] = []
    renamed: dict[str, str] = {}
    defined: set[str] = set()
    block: list[str] = []
    for line in lines:
        upper = line.upper()
        if block or upper.startswith("BEGIN:VTIMEZONE"):
            block.append(line)
            if upper.startswith("END:VTIMEZONE"):
                tzid = next((b.split(":", 1)[1] for b in block if b.upper().startswith("TZID")), "")
                iana = _iana_name(tzid)
                if iana is None:
                    kept.extend(block)
                    defined.add(tzid.strip())
                elif tzid.strip() != iana:
                    renamed[tzid.strip()] = iana
                block = []
            continue
        kept.append(line)
    result = "\r\n".join(kept) + "\r\n"

    def swap(match: re.Match[str]) -> str:
        value = match.group(1).strip('"')
        iana = renamed.get(value) or _iana_name(value)
        if iana:
            return f"TZID={iana}"
        if value.strip() not in defined:
            # Read as ET it would block the wrong hours without a word: refuse instead.
            raise UnknownZone(value)
        return match.group(0)

    return re.sub(r'TZID=("[^"]*"|[^;:]*)', swap, result)


class UnknownZone(ValueError):
    """A TZID that is neither a known zone nor defined by a VTIMEZONE of the file."""


def _instant(value: Any, clock: BusinessClock) -> tuple[datetime, bool]:
    """An aware UTC instant and whether the value was a DATE (all day)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:  # floating: the manager's own wall clock
            return to_utc(localize(clock.tz, value)), False
        return to_utc(value), False
    if isinstance(value, date):
        return to_utc(clock.midnight(value)), True
    raise ValueError(f"not a date or time: {value!r}")


_TIME_PROPERTIES = frozenset(
    {"DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"}
)


def _property_line(text: str, source: str, event_line: int, name: str) -> int:
    """The line of the event (that begins on `event_line`) where property `name` stands."""
    for number, raw in _unfolded(text, source):
        if number > event_line and raw.split(":", 1)[0].split(";", 1)[0].upper() == name:
            return number
    return event_line


def read_busy(
    data: bytes,
    source: str,
    clock: BusinessClock,
    today: date,
    progress: Progress | None = None,
) -> BusyFile:
    """Busy blocks of a calendar file over `import_horizon(today)`.

    `progress(done, total)` is also asked between the stages (reading, expanding) with
    total 0, so a Cancel does not wait for the whole file."""

    def go_on(done: int = 0, total: int = 0) -> None:
        if progress is not None and not progress(done, total):
            raise ImportCancelled("Import stopped; nothing was saved.")

    text = _decode(data, source)
    event_lines = check_structure(text, source)
    go_on()
    calendar = _parse_calendar(text, source, event_lines)
    go_on()
    masters = [c for c in calendar.walk("VEVENT")]
    result = BusyFile()
    result.uids = {str(e.get("UID")) for e in masters if e.get("UID")}
    first, last = import_horizon(today)
    result.first, result.last = first, last
    number = 0
    for event in _occurrences(calendar, first, last, clock, source):
        number += 1
        if number > MAX_BUSY_BLOCKS:
            raise BadInput(
                f"{source}: more than {MAX_BUSY_BLOCKS:,} busy times between {first} and "
                f"{last}; that is not one person's calendar. Nothing was imported."
            )
        if number % 500 == 0:
            go_on(number, 0)
        busy = _busy_event(event, clock, source)
        if busy is None:
            result.skipped += 1
        else:
            result.events.append(busy)
    if progress is not None:
        progress(number, number)
    return result


def _parse_calendar(text: str, source: str, event_lines: list[int]) -> icalendar.Calendar:
    """The file as a calendar in IANA zones; any unreadable event or zone is a BadInput."""
    try:
        calendar = icalendar.Calendar.from_ical(use_iana_zones(text))
    except UnknownZone as exc:
        line = next((n for n, raw in enumerate(text.splitlines(), 1) if str(exc) in raw), 0)
        raise BadInput(
            f"{source}, line {line}: unknown time zone '{exc}', and the file does not define it. "
            "Export the calendar again with its time zones."
        ) from None
    except Exception as exc:  # icalendar raises ValueError, KeyError...: all mean "bad file"
        raise BadInput(f"{source}: not a valid iCalendar file ({exc}).") from None
    for index, event in enumerate(calendar.walk("VEVENT")):
        line = event_lines[index] if index < len(event_lines) else 0
        summary = str(event.get("SUMMARY", "")) or "untitled"
        if event.get("DTSTART") is None:
            raise BadInput(f"{source}, line {line}: event '{summary}' has no DTSTART.")
        # icalendar keeps an unreadable value (DTSTART:2027-13-45) as an error of the event.
        for name, message in getattr(event, "errors", ()):
            if name is None:  # a line icalendar could not split into name and value
                raise BadInput(f"{source}, event '{summary}' of line {line}: {message}.")
            if name.upper() in _TIME_PROPERTIES:
                at = _property_line(text, source, line, name.upper())
                raise BadInput(f"{source}, line {at}: event '{summary}': bad {name} ({message}).")
    try:
        standard: icalendar.Calendar = x_wr_timezone.to_standard(calendar)
    except Exception as exc:  # an unknown X-WR-TIMEZONE
        raise BadInput(f"{source}: not a valid iCalendar file ({exc}).") from None
    return standard


def _busy_event(event: Any, clock: BusinessClock, source: str) -> BusyEvent | None:
    """One occurrence as a busy block; None for free, cancelled or empty times."""
    transparent = str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT"
    cancelled = str(event.get("STATUS", "")).upper() == "CANCELLED"
    free = str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper() == "FREE"
    if transparent or cancelled or free:
        return None
    try:
        start_utc, all_day = _instant(event["DTSTART"].dt, clock)
        end_value = event["DTEND"].dt if event.get("DTEND") is not None else None
        duration = event.get("DURATION")
        if end_value is None and duration is not None:  # a single event keeps DURATION
            end_utc = start_utc + duration.dt
        elif end_value is None:
            end_utc = start_utc + (timedelta(days=1) if all_day else timedelta(0))
        else:
            end_utc, _ = _instant(end_value, clock)
    except (ValueError, KeyError, AmplanError) as exc:
        raise BadInput(
            f"{source}: event '{event.get('SUMMARY', '')}' has a bad time ({exc})."
        ) from None
    if end_utc <= start_utc:
        return None
    uid = str(event.get("UID", "")) or f"{source}:{start_utc.isoformat()}"
    summary = " ".join(str(event.get("SUMMARY", "")).split())[:200]
    return BusyEvent(uid, Busy(start_utc, end_utc, summary, all_day))


def import_horizon(today: date) -> tuple[date, date]:
    """The days a busy-time import covers: [first, last)."""
    first = today - timedelta(days=IMPORT_DAYS_BACK)
    months = today.month - 1 + IMPORT_MONTHS_AHEAD
    last = date(today.year + months // 12, months % 12 + 1, 1)
    return first, last


_WINDOW = timedelta(days=28)


def _occurrences(
    calendar: icalendar.Calendar, first: date, last: date, clock: BusinessClock, source: str
) -> Iterator[Any]:
    """Occurrences over [first, last), four weeks at a time: the memory an import takes is that
    of the blocks kept, not of every occurrence a rule can make. (`after()` of
    recurring-ical-events would do it too, but re-walks each rule per step: minutes.)"""
    # Single events need no expansion: only the recurring ones go through the windows.
    repeating_uids = {
        str(event.get("UID", ""))
        for event in calendar.walk("VEVENT")
        if any(event.get(name) is not None for name in ("RRULE", "RDATE", "RECURRENCE-ID"))
    }
    repeating = icalendar.Calendar()
    first_utc, last_utc = to_utc(clock.midnight(first)), to_utc(clock.midnight(last))
    for component in calendar.subcomponents:
        if component.name != "VEVENT" or str(component.get("UID", "")) in repeating_uids:
            repeating.add_component(component)
            continue
        start_utc = _start_utc(component, clock)
        if start_utc >= last_utc and start_utc != _UNREADABLE:
            continue
        end = component.get("DTEND")
        if end is not None and start_utc != _UNREADABLE:
            try:
                if _instant(end.dt, clock)[0] <= first_utc:
                    continue
            except (ValueError, AmplanError):
                pass  # reported with its summary by the caller
        elif start_utc < first_utc - timedelta(days=1):
            continue
        yield component
    if not repeating_uids:
        return
    query = recurring_ical_events.of(repeating)
    start = first
    while start < last:
        stop = min(start + _WINDOW, last)
        try:
            found = query.between(start, stop)
        except Exception as exc:  # a broken RRULE or zone surfaces here
            raise BadInput(f"{source}: cannot expand the recurring events ({exc}).") from None
        start_utc = to_utc(clock.midnight(start))
        for event in found:
            # An occurrence across a window's edge is in both windows: keep it in the first.
            if start > first and _start_utc(event, clock) < start_utc:
                continue
            yield event
        start = stop


def _start_utc(event: Any, clock: BusinessClock) -> datetime:
    try:
        return _instant(event["DTSTART"].dt, clock)[0]
    except (ValueError, KeyError, AmplanError):
        return _UNREADABLE  # reported with its summary by the caller


_UNREADABLE = datetime.max.replace(tzinfo=UTC)
