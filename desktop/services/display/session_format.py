"""How a session's time and length read on screen, in ET and in the customer's own zone.

Shared by the editor, the sessions table and the plan dialog so the three never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from desktop.errors import AmplanError
from desktop.services.business_time import BusinessClock, to_zone, zone

# A callable rather than a value: the editor and the plan dialog ask for "now" when they
# need it, and tests hand in a fixed one instead of patching time.
Now = Callable[[], datetime]

DASH = "–"


def system_now() -> datetime:
    return datetime.now(UTC)


def _day(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b %Y}"


def when_et(
    clock: BusinessClock, start_utc: datetime, end_utc: datetime, all_day: bool, label: bool = True
) -> str:
    """'Tue 17 Mar 2026, 10:00–11:00 ET', or 'Mon 7 Dec – Tue 8 Dec 2026, all day'."""
    start = clock.et(start_utc)
    end = clock.et(end_utc)
    if all_day:
        last = clock.et(end_utc - timedelta(days=1))
        if last.date() <= start.date():
            return f"{_day(start)}, all day"
        first = f"{start:%a} {start.day} {start:%b}"
        if start.year != last.year:
            first += f" {start.year}"
        return f"{first} {DASH} {_day(last)}, all day"
    zone_label = f" {clock.rules.zone_label}" if label else ""
    return f"{_day(start)}, {start:%H:%M}{DASH}{end:%H:%M}{zone_label}"


def when_local(
    clock: BusinessClock,
    start_utc: datetime,
    end_utc: datetime,
    all_day: bool,
    tz_name: str,
    with_zone: bool = True,
) -> str:
    """'16:00–17:00 in Europe/Berlin', with the local day when it is not the ET day."""
    if all_day:
        return f"all day in {clock.rules.zone_label}"
    try:
        tz = zone(tz_name)
    except AmplanError:
        return ""
    start = to_zone(start_utc, tz)
    end = to_zone(end_utc, tz)
    text = f"{start:%H:%M}{DASH}{end:%H:%M}" + (f" in {tz_name}" if with_zone else "")
    if start.date() != clock.et(start_utc).date():
        text += f" ({start:%a} {start.day} {start:%b})"
    return text


def length_text(minutes: int, all_day: bool) -> str:
    """'30 min', '90 min', '2 h' (whole hours only: '1 h 30' reads worse); days when all-day."""
    if all_day:
        days = max(1, round(minutes / (24 * 60)))
        return "1 day" if days == 1 else f"{days} days"
    if minutes >= 60 and minutes % 60 == 0:
        return f"{minutes // 60} h"
    return f"{minutes} min"


def hours_text(amount: float) -> str:
    """'2.5 h', '3 h': allowances count whole and half hours."""
    return f"{amount:g} h"


def start_et(clock: BusinessClock, start_utc: datetime, all_day: bool) -> str:
    """'Wed 7 Oct 2026, 10:00' (or ', all day'): a table cell with the length beside it."""
    start = clock.et(start_utc)
    return f"{_day(start)}, all day" if all_day else f"{_day(start)}, {start:%H:%M}"


def city(tz_name: str) -> str:
    """'America/Los_Angeles' -> 'Los Angeles': enough to tell customers' clocks apart."""
    return tz_name.rsplit("/", 1)[-1].replace("_", " ")
