"""All time arithmetic of the contract: ET wall clock, business days, notice, windows, periods.

Store UTC; convert at the edges. With pytz a zone is attached with `localize()` and
`normalize()` follows arithmetic; `datetime(..., tzinfo=<pytz zone>)` is never written
(it silently picks the zone's LMT offset).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC as STD_UTC
from datetime import date, datetime, time, timedelta
from functools import lru_cache, partial
from zoneinfo import ZoneInfo

import holidays
import pytz

from desktop.errors import BadInput
from desktop.services.policy import TimeRules

UTC = pytz.utc
# The two UTC zones instants arrive in: pytz's, and the standard library's (the book's).
_UTC_ZONES = (UTC, STD_UTC)
# Dates amplan accepts: far enough for any contract, and clear of datetime's limits when
# windows, package years and month arithmetic add to them.
FIRST_YEAR, LAST_YEAR = 1970, 2199


def check_year(day: date, what: str = "date") -> date:
    """Refuse a date outside the years amplan plans in (9999-12-31 overflows windows)."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadInput(
            f"The {what} {day.isoformat()} is out of range: use a year from "
            f"{FIRST_YEAR} to {LAST_YEAR}."
        )
    return day


def zone(name: str) -> pytz.BaseTzInfo:
    """A pytz zone by IANA name; an unknown name is the user's input error."""
    try:
        return pytz.timezone(name)
    except pytz.UnknownTimeZoneError:
        raise BadInput(
            f"Unknown time zone '{name}'. Use an IANA name such as Europe/Paris."
        ) from None


# WORKAROUND https://github.com/stub42/pytz/issues/31: pytz's tables end with 2037 and then
# keep the last offset for ever (New York would stay on EST all of 2040). Past a zone's last
# tabulated transition the offset comes from zoneinfo, which reads tzdata's POSIX rule, and is
# attached as a fixed offset. Everything that converts goes through these two functions.
@lru_cache(maxsize=512)
def _tables_end(tz: pytz.BaseTzInfo) -> datetime | None:
    """Naive UTC instant after which pytz no longer knows the zone's transitions."""
    times: list[datetime] | None = getattr(tz, "_utc_transition_times", None)
    return times[-1] if times else None


def _past_tables(tz: pytz.BaseTzInfo, naive_utc: datetime) -> bool:
    end = _tables_end(tz)
    return end is not None and naive_utc > end


def _fixed(aware: datetime) -> datetime:
    offset = aware.utcoffset()
    assert offset is not None
    fixed = pytz.FixedOffset(int(offset.total_seconds() // 60))
    return aware.replace(tzinfo=None).replace(tzinfo=fixed)


def localize(tz: pytz.BaseTzInfo, wall: datetime) -> datetime:
    """Attach `tz` to a naive wall-clock time; a time skipped by DST is refused.

    A time that occurs twice (the fall-back hour) is read as the first of the two.
    """
    if _past_tables(tz, wall - timedelta(days=1)):
        return _localize_beyond_tables(tz, wall)
    try:
        return tz.localize(wall, is_dst=None)
    except pytz.NonExistentTimeError:
        raise _gap_error(tz, wall) from None
    except pytz.AmbiguousTimeError:
        return tz.localize(wall, is_dst=True)


def _gap_error(tz: pytz.BaseTzInfo, wall: datetime) -> BadInput:
    return BadInput(
        f"{wall:%H:%M} does not exist on {wall:%d %b %Y} in {tz.zone}: "
        "the clocks go forward then. Choose another time."
    )


def _localize_beyond_tables(tz: pytz.BaseTzInfo, wall: datetime) -> datetime:
    info = ZoneInfo(str(tz.zone))
    first = wall.replace(tzinfo=info, fold=0)
    round_trip = first.astimezone(UTC).astimezone(info).replace(tzinfo=None)
    if round_trip != wall and wall.replace(tzinfo=info, fold=1).utcoffset() != first.utcoffset():
        raise _gap_error(tz, wall)
    return _fixed(first)


def to_zone(moment: datetime, tz: pytz.BaseTzInfo) -> datetime:
    """An aware instant as wall clock in `tz` (aware, normalized).

    pytz's `fromutc` (what `astimezone` calls) already picks the offset in force, so no
    `normalize` after it: a feed converts tens of thousands of times."""
    utc = to_utc(moment)
    if _past_tables(tz, utc.replace(tzinfo=None)):
        return _fixed(utc.astimezone(ZoneInfo(str(tz.zone))))
    return utc.astimezone(tz)


def to_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime where an aware one is required")
    return moment.astimezone(UTC)


def week_start(day: date) -> date:
    """The Monday of the day's week (weeks run Monday to Sunday, as the calendar shows them)."""
    return day - timedelta(days=day.weekday())


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(day: date, months: int) -> date:
    """Calendar month arithmetic that clamps to the month's last day (Jan 31 + 1 = Feb 28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if day.day <= 28:  # in every month (the dashboard asks for thousands of periods)
        return date(year, month, day.day)
    last = 29 if month == 2 and calendar.isleap(year) else _MONTH_DAYS[month - 1]
    return date(year, month, min(day.day, last))


@dataclass(frozen=True)
class Period:
    """A half-open run of days [start, end): a cadence period, a package year, a month."""

    index: int
    start: date
    end: date

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end


def month_of(day: date) -> Period:
    """The calendar month holding `day` (screen-shares are counted by it)."""
    first = date(day.year, day.month, 1)
    return Period(0, first, date(day.year + day.month // 12, day.month % 12 + 1, 1))


@lru_cache(maxsize=8192)  # the dashboard asks for each customer's periods several times
def period_containing(anchor: date, months: int, day: date) -> Period | None:
    """The anchored period of `months` months holding `day`, or None before the anchor."""
    if day < anchor:
        return None
    index = ((day.year - anchor.year) * 12 + day.month - anchor.month) // months
    # Clamping can move a boundary across `day`; step to the period that truly holds it.
    while True:
        period = period_at(anchor, months, index)
        if day < period.start:
            index -= 1
        elif day >= period.end:
            index += 1
        else:
            return period


def period_at(anchor: date, months: int, index: int) -> Period:
    return Period(
        index, add_months(anchor, index * months), add_months(anchor, (index + 1) * months)
    )


def periods_between(anchor: date, months: int, first: date, last: date) -> list[Period]:
    """Every anchored period that overlaps the days first..last (inclusive)."""
    start = period_containing(anchor, months, max(first, anchor))
    if start is None or last < anchor:
        return []
    periods: list[Period] = []
    index = start.index
    while True:
        period = period_at(anchor, months, index)
        if period.start > last:
            return periods
        periods.append(period)
        index += 1


@dataclass(frozen=True)
class OnboardingWindow:
    """The first N days of a subscription: sessions start on or after `first_day` and end
    before 00:00 ET of `end` (= start + N days)."""

    first_day: date
    end: date

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


@dataclass(frozen=True)
class WorkWindow:
    """One day's bookable hours, as aware ET datetimes."""

    start_et: datetime
    end_et: datetime
    weekend: bool


class BusinessClock:
    """Business-day and working-hour arithmetic for one policy's time rules."""

    def __init__(self, rules: TimeRules) -> None:
        self.rules = rules
        self.tz = zone(rules.zone_name)
        self._holidays: holidays.HolidayBase | None = (
            holidays.country_holidays(rules.holiday_calendar, observed=True)
            if rules.holiday_calendar
            else None
        )
        self._holiday_cache: dict[date, str | None] = {}
        # The same instants are converted again and again (a slot search's clashes, a
        # calendar's redraws); the answer depends on the instant alone.
        self._et = lru_cache(maxsize=16384)(self._to_et)
        # Day bounds too: the dashboard's windows start and end on some 700 days, and
        # localizing one costs tens of microseconds.
        self._midnight = lru_cache(maxsize=8192)(partial(self.at, clock=time(0)))
        # And each customer's onboarding window, which the dashboard asks for four times.
        self._onboarding_window = lru_cache(maxsize=8192)(self._window_from)
        # And each day's working hours, which a slot search asks for at every start time.
        self._work_window = lru_cache(maxsize=4096)(self._work_window_of)

    # --- conversions -------------------------------------------------------------
    def et(self, moment: datetime) -> datetime:
        """An aware instant as ET wall clock (aware, normalized)."""
        # Keyed by the UTC instant: two wall clocks that differ only by `fold` compare equal.
        # What the book reads is UTC already (converting it again cost more than the lookup).
        if moment.tzinfo not in _UTC_ZONES:
            moment = to_utc(moment)
        return self._et(moment)

    def _to_et(self, moment: datetime) -> datetime:
        return to_zone(moment, self.tz)

    def at(self, day: date, clock: time) -> datetime:
        """ET wall clock `clock` on `day`, as an aware datetime."""
        return localize(self.tz, datetime.combine(day, clock))

    def et_date(self, moment: datetime) -> date:
        return self.et(moment).date()

    def midnight(self, day: date) -> datetime:
        return self._midnight(day)

    def parse(self, text: str) -> datetime:
        """ISO 8601 text as an aware UTC instant; without an offset it is ET wall clock."""
        try:
            parsed = datetime.fromisoformat(text.strip())
        except ValueError:
            raise BadInput(
                f"'{text}' is not a date and time. Use ISO 8601, e.g. 2026-03-17T10:00."
            ) from None
        check_year(parsed.date(), "time")
        if parsed.tzinfo is None:
            parsed = localize(self.tz, parsed)
        return to_utc(parsed)

    # --- days ----------------------------------------------------------------------
    def holiday_name(self, day: date) -> str | None:
        if self._holidays is None:
            return None
        if day not in self._holiday_cache:
            name = self._holidays.get(day)
            self._holiday_cache[day] = str(name) if name else None
        return self._holiday_cache[day]

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.holiday_name(day) is None

    def business_days_before(self, day: date, count: int) -> date:
        """The `count`-th business day before `day` (day itself not counted)."""
        current = day
        remaining = count
        while remaining > 0:
            current -= timedelta(days=1)
            if self.is_business_day(current):
                remaining -= 1
        return current

    def next_business_day(self, day: date) -> date:
        current = day + timedelta(days=1)
        while not self.is_business_day(current):
            current += timedelta(days=1)
        return current

    def notice_deadline(self, session_day: date, business_days: int) -> datetime | None:
        """Latest request time (aware ET) for a session on `session_day`; None if no notice."""
        if business_days <= 0:
            return None
        deadline_day = self.business_days_before(session_day, business_days)
        return self.at(deadline_day, self.rules.request_cutoff)

    def earliest_day_for_request(self, requested: datetime, business_days: int) -> date:
        """The first day a session may be held when requested at `requested` (any zone)."""
        requested_et = self.et(requested)
        day = requested_et.date()
        while True:
            deadline = self.notice_deadline(day, business_days)
            if deadline is None or requested_et <= deadline:
                return day
            day += timedelta(days=1)

    def work_window(self, day: date, weekends_allowed: bool = False) -> WorkWindow | None:
        """The hours a timed session may use on `day`, or None (holiday, or weekend not allowed)."""
        return self._work_window(day, weekends_allowed)

    def _work_window_of(self, day: date, weekends_allowed: bool) -> WorkWindow | None:
        if self.holiday_name(day) is not None:
            return None
        if day.weekday() < 5:
            return WorkWindow(
                self.at(day, self.rules.working_start), self.at(day, self.rules.working_end), False
            )
        if weekends_allowed:
            return WorkWindow(
                self.at(day, self.rules.weekend_start), self.at(day, self.rules.weekend_end), True
            )
        return None

    def onboarding_window(self, subscription_start: date) -> OnboardingWindow:
        return self._onboarding_window(subscription_start)

    def _window_from(self, subscription_start: date) -> OnboardingWindow:
        return OnboardingWindow(
            subscription_start,
            subscription_start + timedelta(days=self.rules.onboarding_window_days),
        )

    def et_month(self, moment: datetime) -> tuple[int, int]:
        local = self.et(moment)
        return local.year, local.month

    def day_bounds_utc(self, first: date, end: date) -> tuple[datetime, datetime]:
        """[00:00 ET of first, 00:00 ET of end) in UTC."""
        return to_utc(self.midnight(first)), to_utc(self.midnight(end))


def non_business_days(clock: BusinessClock, first: date, last: date) -> list[str]:
    """The days of first..last that are not business days, named ('Sat 14 Mar 2026',
    'Mon 25 May 2026 (Memorial Day)'): an event plan may span them and says so."""
    named = []
    day = first
    while day <= last:
        if not clock.is_business_day(day):
            holiday = clock.holiday_name(day)
            named.append(format_day(day) + (f" ({holiday})" if holiday else ""))
        day += timedelta(days=1)
    return named


def format_et(moment: datetime, clock: BusinessClock, with_zone: bool = True) -> str:
    """'Tue 24 Nov 17:00 ET': how a time is written in messages."""
    local = clock.et(moment)
    text = f"{local:%a} {local.day} {local:%b %H:%M}"
    return f"{text} {clock.rules.zone_label}" if with_zone else text


@lru_cache(maxsize=4096)
def format_day(day: date) -> str:
    """'Mon 30 Nov 2026'."""
    return f"{day:%a} {day.day} {day:%b %Y}"


@lru_cache(maxsize=4096)  # a team's clash list writes thousands, most at the same few hours
def format_span(start: datetime, end: datetime, clock: BusinessClock) -> str:
    """'Tue 17 Mar 10:00-11:00' (ET, no zone label)."""
    return f"{format_et(start, clock, with_zone=False)}-{clock.et(end):%H:%M}"
