"""The calendar's Qt-free display logic: gesture arithmetic, wording, spans (issue 15).

March 2026: New York moves its clocks on Sun 8 Mar (UTC-5 -> UTC-4), Berlin on Sun 29 Mar.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import pytz
from desktop.errors import AmplanError
from desktop.services.business_time import BusinessClock
from desktop.services.display.calendar_text import CalendarTexts, range_title
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
from desktop.services.display.layout import DAY_MINUTES, DisplayZone, fetch_span
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
