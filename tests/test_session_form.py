"""What the session editor's fields mean, tested without a window (services/session_form)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from desktop.services.business_time import BusinessClock
from desktop.services.policy import load_policy
from desktop.services.scheduling.rules import Violation
from desktop.services.scheduling.session_form import (
    DAY_MINUTES,
    form_times,
    kind_fields,
    only_moved,
    save_verdict,
    slot_search_minutes,
)
from desktop.services.scheduling.sessions import BookingRequest, SessionRecord, SessionTimes

START = datetime(2026, 3, 17, 15, 0, tzinfo=UTC)  # Tue 17 Mar 2026 11:00 ET
NOTICE = Violation("notice", "Too late.")
SHAPE = Violation("invalid-duration", "No such length.")


@pytest.fixture(scope="module")
def clock() -> BusinessClock:
    return BusinessClock(load_policy().time)


def record(**changes: object) -> SessionRecord:
    base = SessionRecord(
        id=7,
        uid="u7",
        kind="onboarding",
        customer_ids=(1,),
        customers=("Brandt",),
        start_utc=START,
        end_utc=START + timedelta(hours=1),
        all_day=False,
        title="Kick-off",
        notes="Bring the plan",
        status="planned",
        requested_utc=START - timedelta(days=14),
        billable=False,
        override_reason="",
        sequence=1,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


class _Customer:
    id = 1


def request_like(old: SessionRecord, shift: timedelta, **changes: object) -> BookingRequest:
    times = SessionTimes(old.start_utc + shift, old.end_utc + shift, old.all_day)
    base = BookingRequest(
        (_Customer(),),  # type: ignore[arg-type]
        old.kind,
        times,
        old.requested_utc,
        title=" Kick-off ",
        notes="Bring the plan\n",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_kind_fields_show_guests_for_a_round_table_and_a_last_day_for_all_day_kinds() -> None:
    assert kind_fields("round-table", False).guests
    event = kind_fields("event-plan", True)
    assert event.all_day and not event.guests and event.length_caption == "Last day"
    assert kind_fields("", True).all_day is False  # no kind chosen yet: a start and a length
    assert kind_fields("onboarding", False).length_caption == "Duration"


def test_form_times_reads_an_et_start_and_minutes(clock: BusinessClock) -> None:
    times = form_times(clock, date(2026, 3, 17), time(11, 0), 90, date(2026, 3, 1), False)
    assert times == SessionTimes(START, START + timedelta(minutes=90), False)


def test_form_times_of_an_all_day_kind_are_whole_et_days_and_never_end_before_the_first(
    clock: BusinessClock,
) -> None:
    times = form_times(clock, date(2026, 3, 17), time(11, 0), 90, date(2026, 3, 18), True)
    assert times.all_day and times.minutes == 2 * DAY_MINUTES
    assert clock.et(times.start_utc).time() == time(0, 0)
    backwards = form_times(clock, date(2026, 3, 17), time(11, 0), 90, date(2026, 3, 10), True)
    assert backwards.minutes == DAY_MINUTES


def test_a_slot_search_asks_for_whole_days_or_the_duration() -> None:
    two_days = SessionTimes(START, START + timedelta(days=2, hours=1), True)
    assert slot_search_minutes(two_days, 45) == 2 * DAY_MINUTES
    assert slot_search_minutes(SessionTimes(START, START, False), 45) == 45


def test_only_a_new_time_is_a_move() -> None:
    old = record()
    assert only_moved(request_like(old, timedelta(hours=2)), old)
    assert not only_moved(request_like(old, timedelta(0)), old)  # not moved at all
    assert not only_moved(request_like(old, timedelta(hours=2), billable=True), old)
    assert not only_moved(request_like(old, timedelta(hours=2), title="Other"), old)
    assert not only_moved(request_like(old, timedelta(hours=2)), None)  # a new session


def test_save_goes_when_the_contract_allows() -> None:
    assert save_verdict(None, [], [], False, "").allowed


def test_an_incomplete_form_never_saves() -> None:
    verdict = save_verdict("Pick a customer.", [], [], True, "why")
    assert not verdict.allowed and verdict.hint == "Complete the session to book it."


def test_a_broken_rule_needs_the_override_and_a_reason() -> None:
    assert "override it with a reason" in save_verdict(None, [NOTICE], [], False, "").hint
    assert not save_verdict(None, [NOTICE], [], True, "  ").allowed
    verdict = save_verdict(None, [NOTICE], [], True, "The customer insists")
    assert verdict.allowed and "exception" in verdict.hint


def test_no_reason_lifts_an_impossible_shape() -> None:
    verdict = save_verdict(None, [SHAPE], [], True, "Please")
    assert not verdict.allowed and verdict.hint.startswith("Change the times")


def test_a_past_request_time_that_changes_the_verdict_needs_a_reason() -> None:
    first = save_verdict(None, [], [NOTICE], False, "")
    assert not first.allowed and "(notice)" in first.hint
    assert not save_verdict(None, [], [NOTICE], True, "").allowed
    assert save_verdict(None, [], [NOTICE], True, "Asked by phone last week").allowed
