"""DOMAIN.md section 3 and worked examples 3, 4, 7, 8: business days, notice, windows, periods."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from desktop.errors import BadInput
from desktop.services.business_time import (
    BusinessClock,
    add_months,
    format_day,
    format_et,
    period_containing,
    periods_between,
)
from desktop.services.policy import Policy
from hypothesis import given, settings
from hypothesis import strategies as st

SILVER, GOLD = 2, 1  # notice in business days (DOMAIN.md section 2)


def et(clock: BusinessClock, text: str) -> datetime:
    """An ET wall-clock time as an aware ET datetime."""
    return clock.at(date.fromisoformat(text[:10]), datetime.fromisoformat(text).time())


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- notice --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("session_day", "notice", "deadline"),
    [
        pytest.param("2026-03-18", SILVER, "2026-03-16T17:00", id="silver-wed-by-mon"),
        pytest.param("2026-03-16", SILVER, "2026-03-12T17:00", id="silver-mon-by-prev-thu"),
        pytest.param("2026-03-17", SILVER, "2026-03-13T17:00", id="example3-silver-tue-by-fri"),
        pytest.param("2026-03-16", GOLD, "2026-03-13T17:00", id="gold-mon-by-prev-fri"),
        pytest.param("2026-03-14", GOLD, "2026-03-13T17:00", id="gold-sat-by-fri"),
        pytest.param("2026-03-15", GOLD, "2026-03-13T17:00", id="gold-sun-by-fri"),
        pytest.param("2026-03-18", GOLD, "2026-03-17T17:00", id="gold-wed-by-tue"),
        pytest.param("2026-11-27", SILVER, "2026-11-24T17:00", id="example8-thanksgiving"),
        pytest.param("2026-11-30", GOLD, "2026-11-27T17:00", id="gold-mon-after-thanksgiving"),
        pytest.param("2026-07-06", GOLD, "2026-07-02T17:00", id="observed-july-4th"),
        pytest.param("2026-01-02", SILVER, "2025-12-30T17:00", id="new-year"),
    ],
)
def test_notice_deadline(
    clock: BusinessClock, session_day: str, notice: int, deadline: str
) -> None:
    got = clock.notice_deadline(date.fromisoformat(session_day), notice)
    assert got == et(clock, deadline)
    assert got is not None and got.tzinfo is not None
    assert clock.et(got).strftime("%H:%M") == "17:00"


def test_no_notice_means_no_deadline(clock: BusinessClock) -> None:
    assert clock.notice_deadline(date(2026, 3, 17), 0) is None


def test_example_3_request_times(clock: BusinessClock) -> None:
    deadline = clock.notice_deadline(date(2026, 3, 17), SILVER)
    assert deadline is not None
    assert et(clock, "2026-03-13T10:00") <= deadline  # allowed
    assert et(clock, "2026-03-13T17:30") > deadline  # short-notice
    # requested at 17:30 on Friday, the first day a Silver session can be held is Wednesday
    assert clock.earliest_day_for_request(et(clock, "2026-03-13T17:30"), SILVER) == date(
        2026, 3, 18
    )
    assert clock.earliest_day_for_request(et(clock, "2026-03-13T10:00"), SILVER) == date(
        2026, 3, 17
    )


def test_example_4_platinum_saturday_notice(clock: BusinessClock) -> None:
    deadline = clock.notice_deadline(date(2026, 3, 14), GOLD)
    assert deadline is not None
    assert et(clock, "2026-03-12T12:00") <= deadline
    assert et(clock, "2026-03-14T08:00") > deadline


def test_example_8_thanksgiving(clock: BusinessClock) -> None:
    assert clock.holiday_name(date(2026, 11, 26)) == "Thanksgiving Day"
    assert clock.work_window(date(2026, 11, 26)) is None
    deadline = clock.notice_deadline(date(2026, 11, 27), SILVER)
    assert deadline is not None
    assert et(clock, "2026-11-25T12:00") > deadline  # short-notice
    assert format_et(deadline, clock) == "Tue 24 Nov 17:00 ET"


def test_notice_deadline_in_utc_follows_dst(clock: BusinessClock) -> None:
    # 17:00 EDT on Thu 2026-03-12 is 21:00 UTC; 17:00 EST on Fri 2026-03-06 is 22:00 UTC
    assert clock.notice_deadline(date(2026, 3, 13), GOLD) == utc("2026-03-12T21:00")
    assert clock.notice_deadline(date(2026, 3, 9), GOLD) == utc("2026-03-06T22:00")


# --- business days and holidays ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        ("2026-01-01", "New Year's Day"),
        ("2026-01-19", "Martin Luther King Jr. Day"),
        ("2026-05-25", "Memorial Day"),
        ("2026-07-03", "Independence Day (observed)"),
        ("2026-07-04", "Independence Day"),
        ("2026-09-07", "Labor Day"),
        ("2026-11-26", "Thanksgiving Day"),
        ("2026-12-25", "Christmas Day"),
        ("2027-12-31", "New Year's Day (observed)"),
    ],
)
def test_us_federal_holidays_as_observed(clock: BusinessClock, day: str, name: str) -> None:
    d = date.fromisoformat(day)
    assert clock.holiday_name(d) == name
    assert not clock.is_business_day(d)
    assert clock.work_window(d) is None
    assert clock.work_window(d, weekends_allowed=True) is None


@pytest.mark.parametrize("day", ["2026-07-02", "2026-11-27", "2026-12-24", "2026-03-16"])
def test_ordinary_weekdays_are_business_days(clock: BusinessClock, day: str) -> None:
    d = date.fromisoformat(day)
    assert clock.holiday_name(d) is None
    assert clock.is_business_day(d)
    assert clock.work_window(d) is not None


def test_weekend_holiday_gives_no_weekend_window(clock: BusinessClock) -> None:
    # Sat 2026-07-04: even Platinum weekend hours do not apply on a holiday
    assert clock.work_window(date(2026, 7, 4), weekends_allowed=True) is None
    # an ordinary Saturday does have them
    assert clock.work_window(date(2026, 7, 11), weekends_allowed=True) is not None


def test_policy_without_holiday_calendar_has_no_holidays(policy: Policy) -> None:
    rules = dataclasses.replace(policy.time, holiday_calendar="")
    plain = BusinessClock(rules)
    thanksgiving = date(2026, 11, 26)
    assert plain.holiday_name(thanksgiving) is None
    assert plain.is_business_day(thanksgiving)
    window = plain.work_window(thanksgiving)
    assert window is not None and window.start_et.hour == 9
    assert plain.notice_deadline(date(2026, 11, 27), SILVER) == plain.at(
        date(2026, 11, 25), window.end_et.time()
    )


def test_next_business_day_skips_weekend_and_holiday(clock: BusinessClock) -> None:
    assert clock.next_business_day(date(2026, 11, 25)) == date(2026, 11, 27)
    assert clock.next_business_day(date(2026, 7, 2)) == date(2026, 7, 6)


US = holidays.country_holidays("US", observed=True)


def is_business_day(day: date) -> bool:
    """An independent reading of DOMAIN.md: Monday-Friday that is no US federal holiday."""
    return day.weekday() < 5 and day not in US


@settings(deadline=None, max_examples=150, database=None)
@given(
    day=st.dates(min_value=date(2025, 1, 15), max_value=date(2029, 12, 31)),
    count=st.integers(min_value=1, max_value=12),
)
def test_business_days_before_property(clock: BusinessClock, day: date, count: int) -> None:
    found = clock.business_days_before(day, count)
    assert found < day
    assert is_business_day(found)
    between = [
        found + timedelta(days=i)
        for i in range(1, (day - found).days)
        if is_business_day(found + timedelta(days=i))
    ]
    assert len(between) == count - 1


# --- working hours and DST -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "start_utc", "end_utc"),
    [
        pytest.param("2026-03-06", "2026-03-06T14:00", "2026-03-06T22:00", id="2026-est-before"),
        pytest.param("2026-03-09", "2026-03-09T13:00", "2026-03-09T21:00", id="2026-edt-after"),
        pytest.param("2026-10-30", "2026-10-30T13:00", "2026-10-30T21:00", id="2026-edt-before"),
        pytest.param("2026-11-02", "2026-11-02T14:00", "2026-11-02T22:00", id="2026-est-after"),
        pytest.param("2027-03-12", "2027-03-12T14:00", "2027-03-12T22:00", id="2027-est-before"),
        pytest.param("2027-03-15", "2027-03-15T13:00", "2027-03-15T21:00", id="2027-edt-after"),
        pytest.param("2027-11-05", "2027-11-05T13:00", "2027-11-05T21:00", id="2027-edt-before"),
        pytest.param("2027-11-08", "2027-11-08T14:00", "2027-11-08T22:00", id="2027-est-after"),
    ],
)
def test_work_window_in_utc_across_dst(
    clock: BusinessClock, day: str, start_utc: str, end_utc: str
) -> None:
    window = clock.work_window(date.fromisoformat(day))
    assert window is not None and not window.weekend
    assert window.start_et == utc(start_utc)
    assert window.end_et == utc(end_utc)
    assert (window.start_et.hour, window.end_et.hour) == (9, 17)  # ET wall clock


@pytest.mark.parametrize(
    ("day", "start_utc", "end_utc"),
    [
        pytest.param("2026-03-08", "2026-03-08T13:00", "2026-03-08T21:00", id="2026-spring-sunday"),
        pytest.param("2026-11-01", "2026-11-01T14:00", "2026-11-01T22:00", id="2026-fall-sunday"),
        pytest.param("2027-03-14", "2027-03-14T13:00", "2027-03-14T21:00", id="2027-spring-sunday"),
        pytest.param("2027-11-07", "2027-11-07T14:00", "2027-11-07T22:00", id="2027-fall-sunday"),
    ],
)
def test_weekend_window_only_when_allowed(
    clock: BusinessClock, day: str, start_utc: str, end_utc: str
) -> None:
    d = date.fromisoformat(day)
    assert clock.work_window(d) is None
    assert clock.work_window(d, weekends_allowed=False) is None
    window = clock.work_window(d, weekends_allowed=True)
    assert window is not None and window.weekend
    assert (window.start_et, window.end_et) == (utc(start_utc), utc(end_utc))


def test_weekends_allowed_does_not_change_weekdays(clock: BusinessClock) -> None:
    weekday = date(2026, 3, 9)
    assert clock.work_window(weekday, True) == clock.work_window(weekday, False)


def test_month_bounds_follow_dst(clock: BusinessClock) -> None:
    first, end = clock.day_bounds_utc(date(2026, 3, 1), date(2026, 4, 1))
    assert first == utc("2026-03-01T05:00")  # 00:00 EST
    assert end == utc("2026-04-01T04:00")  # 00:00 EDT
    first, end = clock.day_bounds_utc(date(2026, 12, 1), date(2027, 1, 1))
    assert (first, end) == (utc("2026-12-01T05:00"), utc("2027-01-01T05:00"))


def test_et_month_of_a_utc_instant(clock: BusinessClock) -> None:
    # 03:30 UTC on 1 April is still 31 March in New York
    assert clock.et_month(utc("2026-04-01T03:30")) == (2026, 3)
    assert clock.et_month(utc("2026-04-01T04:00")) == (2026, 4)
    assert clock.et_date(utc("2026-04-01T03:30")) == date(2026, 3, 31)


# --- onboarding window (example 7) ---------------------------------------------------------------


def test_example_7_onboarding_window(clock: BusinessClock) -> None:
    window = clock.onboarding_window(date(2026, 1, 5))
    assert window.first_day == date(2026, 1, 5)
    assert window.last_day == date(2026, 4, 4)
    assert window.end == date(2026, 4, 5)
    assert clock.midnight(window.end) == utc("2026-04-05T04:00")  # 00:00 EDT
    # Sat 2026-04-04 is inside the window but has no working hours
    assert clock.work_window(date(2026, 4, 4)) is None
    # the last slot is Fri 2026-04-03 16:00-17:00
    last = clock.work_window(date(2026, 4, 3))
    assert last is not None
    assert last.end_et == et(clock, "2026-04-03T17:00")
    assert last.end_et - timedelta(hours=1) == et(clock, "2026-04-03T16:00")
    assert last.end_et <= clock.midnight(window.end)
    # Mon 2026-04-06 is outside the window
    assert not (window.first_day <= date(2026, 4, 6) <= window.last_day)
    assert format_day(window.last_day) == "Sat 4 Apr 2026"


# --- months and cadence periods ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "result"),
    [
        ("2026-01-31", 1, "2026-02-28"),
        ("2028-01-31", 1, "2028-02-29"),
        ("2026-01-31", 2, "2026-03-31"),
        ("2026-03-31", -1, "2026-02-28"),
        ("2026-01-15", -1, "2025-12-15"),
        ("2026-11-30", 3, "2027-02-28"),
        ("2028-02-29", 12, "2029-02-28"),
        ("2026-01-05", 0, "2026-01-05"),
        ("2100-01-29", 1, "2100-02-28"),  # a century is not a leap year...
        ("2000-01-30", 1, "2000-02-29"),  # ...unless it divides by 400
        ("2026-04-29", 2, "2026-06-29"),
    ],
)
def test_add_months_clamps(day: str, months: int, result: str) -> None:
    assert add_months(date.fromisoformat(day), months) == date.fromisoformat(result)


def test_quarterly_periods_anchored_on_the_start() -> None:
    anchor = date(2026, 1, 5)
    periods = periods_between(anchor, 3, date(2026, 1, 1), date(2026, 12, 31))
    assert [(p.start, p.last_day) for p in periods] == [
        (date(2026, 1, 5), date(2026, 4, 4)),
        (date(2026, 4, 5), date(2026, 7, 4)),
        (date(2026, 7, 5), date(2026, 10, 4)),
        (date(2026, 10, 5), date(2027, 1, 4)),
    ]
    assert [p.index for p in periods] == [0, 1, 2, 3]


def test_monthly_periods_from_the_31st_clamp_but_do_not_drift() -> None:
    anchor = date(2026, 1, 31)
    periods = periods_between(anchor, 1, anchor, date(2026, 5, 1))
    assert [p.start for p in periods] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    period = period_containing(anchor, 1, date(2026, 3, 30))
    assert period is not None and period.start == date(2026, 2, 28)
    assert period.end == date(2026, 3, 31)


def test_annual_periods_and_before_the_anchor() -> None:
    anchor = date(2028, 2, 29)
    period = period_containing(anchor, 12, date(2029, 3, 1))
    assert period is not None
    assert (period.start, period.end) == (date(2029, 2, 28), date(2030, 2, 28))
    assert period_containing(anchor, 12, date(2028, 2, 28)) is None
    assert periods_between(anchor, 12, date(2020, 1, 1), date(2028, 2, 28)) == []


@settings(deadline=None, max_examples=200, database=None)
@given(
    anchor=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    months=st.sampled_from([1, 3, 12]),
    offset=st.integers(min_value=0, max_value=1500),
    span=st.integers(min_value=0, max_value=800),
)
def test_periods_tile_the_days_after_the_anchor(
    anchor: date, months: int, offset: int, span: int
) -> None:
    first = anchor + timedelta(days=offset)
    period = period_containing(anchor, months, first)
    assert period is not None and period.contains(first)
    assert period.start == add_months(anchor, period.index * months)
    assert period.end == add_months(anchor, (period.index + 1) * months)
    last = first + timedelta(days=span)
    periods = periods_between(anchor, months, first, last)
    assert periods[0] == period
    assert periods[-1].contains(last)
    for earlier, later in itertools.pairwise(periods):
        assert earlier.end == later.start
        assert later.index == earlier.index + 1


# --- parsing text --------------------------------------------------------------------------------


def test_parse_naive_text_is_et_wall_clock(clock: BusinessClock) -> None:
    assert clock.parse("2026-03-17T10:00") == utc("2026-03-17T14:00")  # EDT
    assert clock.parse("2026-03-06T09:00") == utc("2026-03-06T14:00")  # EST
    assert clock.parse("  2026-03-09T09:00 ") == utc("2026-03-09T13:00")
    assert clock.parse("2026-03-17T10:00").tzinfo is not None


def test_parse_keeps_an_offset(clock: BusinessClock) -> None:
    assert clock.parse("2026-03-17T10:00+01:00") == utc("2026-03-17T09:00")
    assert clock.parse("2026-03-17T10:00Z") == utc("2026-03-17T10:00")
    assert clock.parse("2026-03-08T02:30-05:00") == utc("2026-03-08T07:30")


def test_parse_refuses_a_time_skipped_by_dst(clock: BusinessClock) -> None:
    with pytest.raises(BadInput, match="does not exist"):
        clock.parse("2026-03-08T02:30")
    with pytest.raises(BadInput, match="does not exist"):
        clock.at(date(2027, 3, 14), datetime(2027, 3, 14, 2, 0).time())


def test_parse_ambiguous_fall_back_hour_takes_the_first(clock: BusinessClock) -> None:
    # 01:30 happens twice on 2026-11-01: first at -04:00 (05:30 UTC), then at -05:00
    assert clock.parse("2026-11-01T01:30") == utc("2026-11-01T05:30")
    assert clock.parse("2027-11-07T01:00") == utc("2027-11-07T05:00")


@pytest.mark.parametrize("text", ["", "tomorrow", "2026-13-01T10:00", "2026-03-17 25:00"])
def test_parse_refuses_nonsense(clock: BusinessClock, text: str) -> None:
    with pytest.raises(BadInput, match="ISO 8601"):
        clock.parse(text)


def test_et_conversion_round_trip(clock: BusinessClock) -> None:
    moment = clock.parse("2026-11-01T01:30")
    local = clock.et(moment)
    assert (local.hour, local.minute) == (1, 30)
    assert local.utcoffset() == timedelta(hours=-4)
    later = clock.et(moment + timedelta(hours=1))
    assert (later.hour, later.minute) == (1, 30)
    assert later.utcoffset() == timedelta(hours=-5)


def test_the_hour_repeated_at_the_clocks_change_keeps_its_two_offsets(clock: BusinessClock) -> None:
    """ET conversions are remembered; 01:30 on the night the clocks go back happens twice, and
    the two instants compare equal as wall clocks, so the memory must be keyed by the instant."""
    first = datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/New_York"))
    second = first.replace(fold=1)
    assert first == second  # Python's rule for the same zone: fold is ignored
    assert clock.et(first).utcoffset() == timedelta(hours=-4)
    assert clock.et(second).utcoffset() == timedelta(hours=-5)
    assert clock.et(utc("2026-11-01T06:30:00")) == clock.et(second)
