"""The time arithmetic behind the calendar's gestures, without pixels.

A view turns a pointer into minutes past the display zone's midnight; here minutes snap to
the policy's grid step, a move keeps the length, a shift by days keeps the wall clock (or,
for an all-day session, its ET dates), and a resize never leaves the day it is drawn on.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from desktop.services.business_time import BusinessClock, to_utc
from desktop.services.display.layout import DAY_MINUTES, DisplayZone
from desktop.services.scheduling.sessions import SessionRecord, SessionTimes


def slot_start(minutes: float, step: int) -> int:
    """The grid slot under `minutes` (snapped down): where a double-click books."""
    return max(0, min(DAY_MINUTES - step, int(minutes) // step * step))


def snapped_start(minutes: float, step: int) -> int:
    """A dragged start, snapped to the nearest step and kept on the day."""
    return max(0, min(DAY_MINUTES - step, round(minutes / step) * step))


def resized_length(start: int, pointer: float, step: int) -> int:
    """The length a block's dragged bottom edge gives it: whole steps, at least one, never
    past midnight."""
    end = round(pointer / step) * step
    return max(start + step, min(DAY_MINUTES, end)) - start


def clock_of(minutes: int) -> time:
    """Minutes past midnight as a wall clock time."""
    return time(minutes // 60, minutes % 60)


def minute_of_day(zone: DisplayZone, moment: datetime, day: date) -> int:
    """Minutes from `day`'s midnight to `moment` on the display zone's wall clock (negative
    or past a day when the moment lies on another day)."""
    return int((zone.wall(moment) - datetime.combine(day, time())).total_seconds() // 60)


def shifted_start(zone: DisplayZone, start_utc: datetime, days: int, minutes: int = 0) -> datetime:
    """`start_utc` moved by whole days and minutes of the display zone's wall clock (so a
    day later is the same wall time across a clock change). Raises AmplanError for a wall
    time the zone skips."""
    wall = zone.wall(start_utc) + timedelta(days=days, minutes=minutes)
    return zone.instant(wall.date(), wall.time())


def all_day_shifted(clock: BusinessClock, session: SessionRecord, days: int) -> SessionTimes:
    """An all-day session `days` later: the same ET dates shifted, midnight to midnight."""
    first = clock.et_date(session.start_utc) + timedelta(days=days)
    end = clock.et_date(session.end_utc) + timedelta(days=days)
    return SessionTimes(to_utc(clock.midnight(first)), to_utc(clock.midnight(end)), True)


def kept_length(session: SessionRecord, start_utc: datetime) -> SessionTimes:
    """The session's times at a new start with its length kept."""
    return SessionTimes(start_utc, start_utc + (session.end_utc - session.start_utc), False)
