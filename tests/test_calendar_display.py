"""The calendar's Qt-free display logic: gesture arithmetic, wording, spans (issue 15).

March 2026: New York moves its clocks on Sun 8 Mar (UTC-5 -> UTC-4), Berlin on Sun 29 Mar.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
import pytz
from desktop.errors import AmplanError
from desktop.services.business_time import BusinessClock
from desktop.services.calendar_files.calendar_view import CalendarRange
from desktop.services.customers import CustomerRecord
from desktop.services.display.calendar_text import CalendarTexts, range_title
from desktop.services.display.calendar_view_state import (
    AGENDA,
    DAY,
    ET_KEY,
    LOCAL_KEY,
    MONTH,
    WEEK,
    chosen_customers,
    days_shown,
    display_zones,
    empty_hint,
    owner_choices,
    preferred_customer,
    print_range,
    stepped,
    working_top,
    zone_customer,
)
from desktop.services.display.grid_time import (
    all_day_shifted,
    clock_of,
    kept_length,
    minute_of_day,
    resized_length,
    shifted_start,
    slot_start,
    snapped_start,
)
from desktop.services.display.layout import DAY_MINUTES, DayInfo, DisplayZone, fetch_span, lay_out
from desktop.services.display.session_format import city, length_text
from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.scheduling.status import SessionStatus

NEW_YORK = DisplayZone(
    "et", "America/New_York", "Eastern time", "ET", pytz.timezone("America/New_York")
)
BERLIN = DisplayZone("b", "Europe/Berlin", "Berlin", "Berlin", pytz.timezone("Europe/Berlin"))


def session(
    start: datetime, minutes: int = 60, all_day: bool = False, status: str = "planned"
) -> SessionRecord:
    return SessionRecord(
        id=1,
        uid="u1",
        kind="onboarding",
        customer_ids=(1,),
        customers=("Acme",),
        start_utc=start,
        end_utc=start + timedelta(minutes=minutes),
        all_day=all_day,
        title="",
        notes="",
        status=status,
        requested_utc=start,
        billable=False,
        override_reason="",
        sequence=0,
    )


def test_a_double_click_books_the_slot_it_falls_in() -> None:
    assert slot_start(10 * 60 + 29, 15) == 10 * 60 + 15
    assert slot_start(-5, 15) == 0
    assert slot_start(DAY_MINUTES + 40, 15) == DAY_MINUTES - 15


def test_a_dragged_start_snaps_to_the_nearest_step_and_stays_on_the_day() -> None:
    assert snapped_start(10 * 60 + 8, 15) == 10 * 60 + 15
    assert snapped_start(10 * 60 + 7, 15) == 10 * 60
    assert snapped_start(-40, 30) == 0
    assert snapped_start(DAY_MINUTES, 30) == DAY_MINUTES - 30


def test_a_resize_keeps_one_step_and_never_passes_midnight() -> None:
    assert resized_length(600, 600 + 95, 15) == 90
    assert resized_length(600, 590, 15) == 15
    assert resized_length(23 * 60, DAY_MINUTES + 200, 30) == 60
    assert clock_of(615) == time(10, 15)


def test_a_move_by_days_keeps_the_wall_clock_across_a_clock_change() -> None:
    friday_ten = datetime(2026, 3, 6, 15, tzinfo=UTC)  # 10:00 EST
    monday = shifted_start(NEW_YORK, friday_ten, 3)
    assert monday == datetime(2026, 3, 9, 14, tzinfo=UTC)  # 10:00 EDT
    assert NEW_YORK.wall(monday).time() == time(10)
    assert shifted_start(NEW_YORK, friday_ten, 0, 30) == datetime(2026, 3, 6, 15, 30, tzinfo=UTC)


def test_a_wall_time_the_zone_skips_is_refused() -> None:
    saturday = datetime(2026, 3, 7, 7, 30, tzinfo=UTC)  # 02:30 EST
    with pytest.raises(AmplanError):
        shifted_start(NEW_YORK, saturday, 1)  # 02:30 does not exist on Sun 8 Mar


def test_minute_of_day_counts_from_the_display_days_midnight() -> None:
    moment = datetime(2026, 3, 11, 14, 30, tzinfo=UTC)  # 10:30 EDT, 15:30 in Berlin
    assert minute_of_day(NEW_YORK, moment, date(2026, 3, 11)) == 10 * 60 + 30
    assert minute_of_day(BERLIN, moment, date(2026, 3, 11)) == 15 * 60 + 30
    assert minute_of_day(NEW_YORK, moment, date(2026, 3, 10)) == DAY_MINUTES + 10 * 60 + 30


def test_an_all_day_session_moves_by_whole_et_dates(clock: BusinessClock) -> None:
    start = datetime(2026, 3, 6, 5, tzinfo=UTC)  # midnight EST, Fri 6 Mar
    moved = all_day_shifted(clock, session(start, 2 * DAY_MINUTES, all_day=True), 3)
    assert moved.all_day
    assert clock.et(moved.start_utc) == clock.midnight(date(2026, 3, 9))
    assert clock.et(moved.end_utc) == clock.midnight(date(2026, 3, 11))


def test_a_move_keeps_the_length() -> None:
    start = datetime(2026, 3, 11, 14, tzinfo=UTC)
    times = kept_length(session(start, 90), start + timedelta(hours=2))
    assert times.end_utc - times.start_utc == timedelta(minutes=90)
    assert not times.all_day


def test_the_fetch_span_covers_the_neighbouring_days() -> None:
    first, count = fetch_span([date(2026, 3, 16) + timedelta(days=n) for n in range(7)])
    assert first <= date(2026, 3, 16)
    assert first + timedelta(days=count) >= date(2026, 3, 23)


def test_status_words_come_from_the_status(clock: BusinessClock) -> None:
    texts = CalendarTexts(clock, {"onboarding": "Onboarding"})
    start = datetime(2026, 3, 11, 14, tzinfo=UTC)
    missed = texts.session_tooltip(session(start, status=SessionStatus.NO_SHOW), NEW_YORK)
    assert "No-show" in missed.split("\n")
    assert missed.endswith("Click for details")
    planned = texts.session_tooltip(session(start), NEW_YORK)
    assert planned.endswith("Click to edit · drag to move")
    assert "marked cancelled" in texts.details(session(start, status="cancelled"), NEW_YORK)


def test_titles_and_short_texts() -> None:
    assert range_title(date(2026, 11, 30), date(2026, 12, 6)) == "30 Nov – 6 Dec 2026"
    assert range_title(date(2026, 11, 23), date(2026, 11, 23)) == "Mon 23 Nov 2026"
    assert city("America/Los_Angeles") == "Los Angeles"
    assert length_text(120, False) == "2 h"
    assert length_text(90, False) == "90 min"


# --- what the page shows ----------------------------------------------------------------------
def customer(number: int, name: str, tz: str = "Europe/Berlin", owner: str = "") -> CustomerRecord:
    day = date(2026, 3, 2)
    return CustomerRecord(
        number, name, "SpiraTeam", 75, "b", day, "silver", day, tz, (), False, owner
    )


def test_views_show_their_days_and_step_by_whole_periods() -> None:
    wednesday = date(2026, 3, 18)
    assert days_shown(DAY, wednesday) == [wednesday]
    week = days_shown(WEEK, wednesday)
    assert (week[0], len(week)) == (date(2026, 3, 16), 7)
    month = days_shown(MONTH, wednesday)
    assert (month[0], len(month)) == (date(2026, 2, 23), 42)
    assert len(days_shown(AGENDA, wednesday)) == 14
    assert stepped(MONTH, date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert stepped(WEEK, wednesday, -1) == date(2026, 3, 11)
    assert stepped(AGENDA, wednesday, 1) == date(2026, 4, 1)
    assert stepped(DAY, wednesday, 2) == date(2026, 3, 20)


def test_the_month_prints_as_a_grid_of_its_own_days() -> None:
    chosen = print_range(MONTH, date(2026, 2, 10), NEW_YORK)
    assert (chosen.first, chosen.last, chosen.month_grid) == (
        date(2026, 2, 1),
        date(2026, 2, 28),
        True,
    )
    week = print_range(WEEK, date(2026, 2, 10), BERLIN)
    assert (week.first, week.last, week.tz_name) == (
        date(2026, 2, 9),
        date(2026, 2, 15),
        "Europe/Berlin",
    )


def test_zones_on_offer_and_the_customer_a_new_session_starts_with() -> None:
    acme, brandt = customer(1, "acme"), customer(2, "Brandt", "Not/AZone")
    zones = display_zones(NEW_YORK, "Asia/Tokyo", [brandt, acme])
    assert list(zones) == [ET_KEY, LOCAL_KEY, "customer:1"], "an unknown zone is left out"
    assert zones[LOCAL_KEY].label == "This computer (Tokyo)"
    assert zone_customer("customer:2") == 2 and zone_customer(ET_KEY) is None
    assert preferred_customer(2, "customer:1", [acme, brandt]) == brandt
    assert preferred_customer(None, "customer:1", [acme, brandt]) == acme
    assert preferred_customer(None, ET_KEY, [acme, brandt]) is None


def test_a_team_book_offers_owners_and_an_owner_with_nobody_shows_nothing() -> None:
    mine = customer(1, "Acme", owner="me@x.example")
    theirs = customer(2, "Brandt", owner="Kim@x.example ")
    asked: list[str] = []

    def my_email() -> str:
        asked.append("asked")
        return "me@x.example"

    assert owner_choices([mine], my_email, team_book=False) == []
    assert asked == [], "no team, no question"
    assert owner_choices([mine, theirs], my_email, team_book=False) == [
        ("My customers", "owner:me@x.example"),
        ("Customers of kim@x.example", "owner:kim@x.example"),
    ]
    assert chosen_customers("owner:kim@x.example", [mine, theirs]) == (2,)
    assert chosen_customers("owner:nobody@x.example", [mine, theirs]) == (-1,)
    assert chosen_customers(1, [mine, theirs]) == (1,)
    assert chosen_customers(None, [mine, theirs]) == ()


def test_the_grid_scrolls_to_the_working_day() -> None:
    def day(work: tuple[tuple[int, int], ...]) -> DayInfo:
        return DayInfo(date(2026, 3, 16), False, None, work)

    assert working_top([day(((9 * 60, 17 * 60),))], 7, 12) == 7 * 60
    assert working_top([day(((4 * 60, 12 * 60),))], 7, 12) == 3 * 60
    assert working_top([day(((14 * 60, 23 * 60),))], 7, 12) == 12 * 60
    assert working_top([day(())], 7, 12) == 7 * 60


def test_an_empty_period_says_why() -> None:
    assert empty_hint(WEEK, False).endswith("double-click a slot to book a session")
    assert empty_hint(MONTH, False).endswith("double-click a day to book a session")
    assert empty_hint(DAY, True) == "No sessions match the filters this day."
    assert empty_hint(AGENDA, False) == "Nothing planned in these two weeks."


# --- the layout -------------------------------------------------------------------------------
def test_layout_splits_a_night_session_shares_lanes_and_bars_all_day_items(
    clock: BusinessClock,
) -> None:
    week = [date(2026, 3, 16) + timedelta(days=n) for n in range(7)]
    late = replace(session(datetime(2026, 3, 17, 3, tzinfo=UTC), 120), id=1)  # Mon 23:00 ET
    first = replace(session(datetime(2026, 3, 18, 14, tzinfo=UTC), 60), id=2)
    overlapping = replace(session(datetime(2026, 3, 18, 14, 30, tzinfo=UTC), 60), id=3)
    plan = replace(
        session(datetime(2026, 3, 14, 4, tzinfo=UTC), 4 * DAY_MINUTES, all_day=True), id=4
    )
    found = CalendarRange((), (late, first, overlapping, plan), ())
    layout = lay_out(found, week, NEW_YORK, clock)

    pieces = [
        (b.column, b.start_min, b.end_min, b.starts_here) for b in layout.timed if b.session.id == 1
    ]
    assert pieces == [(0, 23 * 60, DAY_MINUTES, True), (1, 0, 60, False)]
    lanes = {b.session.id: (b.lane, b.lanes) for b in layout.timed if b.session.id in (2, 3)}
    assert lanes == {2: (0, 2), 3: (1, 2)}
    (bar,) = layout.all_day
    assert (bar.first, bar.last, bar.continues_before, bar.continues_after) == (0, 1, True, False)
    assert {s.id for s in layout.sessions} == {1, 2, 3, 4}
