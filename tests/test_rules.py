"""DOMAIN.md section 4: every rule code, tested on both sides of its edge.

Each test books (or validates) what an account manager would type and checks the rule code the
planner answers with: the last allowed minute, day, seat or session, and the first refused one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from desktop.errors import BadInput
from desktop.services.customers import CustomerRecord
from desktop.services.scheduling.ledger import Busy, Ledger
from desktop.services.scheduling.rules import RULE_CODES, Proposal, check
from desktop.services.scheduling.sessions import BookingRequest, RuleRefusal, SessionTimes

from sessions_helpers import Book, cli, cli_customer, open_book, rules_of


@pytest.fixture
def bk(book_location: Path | str, tmp_path: Path) -> Iterator[Book]:
    with open_book(book_location) as book:
        yield book


def test_rule_codes_are_the_contract_codes() -> None:
    assert set(RULE_CODES) == {
        "not-entitled",
        "outside-working-hours",
        "weekend-not-included",
        "holiday",
        "short-notice",
        "too-long",
        "monthly-quota",
        "yearly-quota",
        "outside-onboarding-window",
        "hours-exceeded",
        "round-table-full",
        "cadence-period-taken",
        "conflict",
        "invalid-duration",
    }


# --- short-notice ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "expect"),
    [
        ("2026-03-16T16:59", []),
        ("2026-03-16T17:00", []),
        ("2026-03-16T17:01", ["short-notice"]),
        ("2026-03-17T08:00", ["short-notice"]),
    ],
)
def test_gold_notice_is_the_previous_business_day_17_00(
    bk: Book, requested: str, expect: list[str]
) -> None:
    gold = bk.customer("Acme", package="gold")
    assert bk.codes(gold, "screen-share", "2026-03-17T10:00", requested=requested) == expect


@pytest.mark.parametrize(
    ("session", "requested", "expect"),
    [
        ("2026-03-18T10:00", "2026-03-16T17:00", []),  # Wednesday: by Monday 17:00
        ("2026-03-18T10:00", "2026-03-16T17:01", ["short-notice"]),
        ("2026-03-23T10:00", "2026-03-19T17:00", []),  # Monday: by the previous Thursday
        ("2026-03-23T10:00", "2026-03-19T17:01", ["short-notice"]),
        ("2026-03-23T10:00", "2026-03-20T09:00", ["short-notice"]),
    ],
)
def test_silver_notice_is_two_business_days(
    bk: Book, session: str, requested: str, expect: list[str]
) -> None:
    silver = bk.customer("Acme", package="silver")
    assert bk.codes(silver, "screen-share", session, requested=requested) == expect


@pytest.mark.parametrize(
    ("requested", "expect"),
    [("2026-03-20T17:00", []), ("2026-03-20T17:01", ["short-notice"])],
)
def test_gold_monday_session_needs_the_request_by_friday_17_00(
    bk: Book, requested: str, expect: list[str]
) -> None:
    gold = bk.customer("Acme")
    assert bk.codes(gold, "screen-share", "2026-03-23T10:00", requested=requested) == expect


@pytest.mark.parametrize(
    ("requested", "expect"),
    [
        ("2026-03-06T22:00:00+00:00", []),  # Fri 17:00 EST
        ("2026-03-06T22:01:00+00:00", ["short-notice"]),
        ("2026-10-30T21:00:00+00:00", []),  # Fri 17:00 EDT before the November change
        ("2026-10-30T21:01:00+00:00", ["short-notice"]),
    ],
)
def test_notice_deadline_is_17_00_et_whatever_the_utc_offset(
    bk: Book, requested: str, expect: list[str]
) -> None:
    gold = bk.customer("Acme")
    session = "2026-03-09T10:00" if requested.startswith("2026-03") else "2026-11-02T10:00"
    assert bk.codes(gold, "screen-share", session, requested=requested) == expect


def test_short_notice_message_gives_the_deadline_and_the_first_possible_day(bk: Book) -> None:
    silver = bk.customer("Acme", package="silver")
    (violation,) = bk.refused(
        silver, "screen-share", "2026-03-17T10:00", requested="2026-03-16T09:00"
    )
    assert "Fri 13 Mar 17:00" in violation.message
    assert "Wed 18 Mar 2026" in violation.message


def test_notice_applies_to_screen_shares_only(bk: Book) -> None:
    silver = bk.customer("Acme", package="silver")
    assert bk.codes(silver, "assistance", "2026-03-17T10:00", requested="2026-03-17T09:55") == []


# --- too-long ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("minutes", "expect"), [(60, []), (61, ["too-long"]), (30, [])])
def test_screen_share_lasts_at_most_60_minutes(bk: Book, minutes: int, expect: list[str]) -> None:
    gold = bk.customer("Acme")
    assert bk.codes(gold, "screen-share", "2026-03-17T10:00", minutes=minutes) == expect


def test_other_kinds_may_last_longer_than_an_hour(bk: Book) -> None:
    gold = bk.customer("Acme")
    assert bk.codes(gold, "assistance", "2026-03-17T10:00", minutes=90) == []


# --- outside-working-hours ------------------------------------------------------------------

TIMED_KINDS = [
    ("onboarding", "gold"),
    ("cadence", "gold"),
    ("screen-share", "gold"),
    ("assistance", "gold"),
    ("round-table", "gold"),
    ("product-team", "platinum"),
]


@pytest.mark.parametrize(("kind", "package"), TIMED_KINDS)
@pytest.mark.parametrize(
    ("start", "end", "expect"),
    [
        ("2026-03-17T09:00", "2026-03-17T10:00", []),
        ("2026-03-17T08:59", "2026-03-17T09:59", ["outside-working-hours"]),
        ("2026-03-17T16:00", "2026-03-17T17:00", []),
        ("2026-03-17T16:01", "2026-03-17T17:01", ["outside-working-hours"]),
        ("2026-03-17T18:00", "2026-03-17T18:30", ["outside-working-hours"]),
    ],
)
def test_sessions_lie_within_09_00_17_00_et(
    bk: Book, kind: str, package: str, start: str, end: str, expect: list[str]
) -> None:
    customer = bk.customer("Acme", package=package)
    assert bk.codes(customer, kind, start, end=end) == expect


def test_working_hours_message_says_when_to_start_instead(bk: Book) -> None:
    gold = bk.customer("Acme")
    (violation,) = bk.refused(gold, "assistance", "2026-03-17T16:30", minutes=60)
    assert violation.rule == "outside-working-hours"
    assert "09:00" in violation.message
    assert "16:00" in violation.message


@pytest.mark.parametrize("kind", ["onboarding", "assistance", "cadence"])
def test_a_weekend_is_outside_working_hours_for_other_kinds(bk: Book, kind: str) -> None:
    customer = bk.customer("Acme", package="platinum")
    assert bk.codes(customer, kind, "2026-03-14T10:00") == ["outside-working-hours"]


@pytest.mark.parametrize(
    ("start", "expect"),
    [
        ("2026-03-15T09:00", []),
        ("2026-03-15T16:00", []),
        ("2026-03-15T08:30", ["outside-working-hours"]),
        ("2026-03-15T16:30", ["outside-working-hours"]),
    ],
)
def test_platinum_weekend_hours_are_09_00_17_00(bk: Book, start: str, expect: list[str]) -> None:
    platinum = bk.customer("Acme", package="platinum")
    assert bk.codes(platinum, "screen-share", start, minutes=60) == expect


# --- weekend-not-included -----------------------------------------------------------------


@pytest.mark.parametrize("package", ["silver", "gold"])
@pytest.mark.parametrize("day", ["2026-03-14", "2026-03-15"])
def test_silver_and_gold_screen_shares_are_weekdays_only(bk: Book, package: str, day: str) -> None:
    customer = bk.customer("Acme", package=package)
    violations = bk.refused(customer, "screen-share", f"{day}T10:00", requested="2026-03-01T09:00")
    assert rules_of(violations) == ["weekend-not-included"]
    assert "weekday" in violations[0].message


def test_the_friday_before_is_fine_for_gold(bk: Book) -> None:
    gold = bk.customer("Acme")
    assert bk.codes(gold, "screen-share", "2026-03-13T10:00", requested="2026-03-01T09:00") == []


# --- holiday ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["screen-share", "onboarding", "assistance", "cadence"])
def test_no_session_on_the_observed_independence_day(bk: Book, kind: str) -> None:
    customer = bk.customer("Acme", start="2026-05-04")
    assert bk.codes(customer, kind, "2026-07-03T10:00") == ["holiday"]
    assert bk.codes(customer, kind, "2026-07-02T10:00") == []


def test_holiday_message_names_the_holiday(bk: Book) -> None:
    customer = bk.customer("Acme")
    (violation,) = bk.refused(customer, "assistance", "2026-07-03T10:00")
    assert "Independence Day" in violation.message
    assert "Fri 3 Jul 2026" in violation.message


def test_platinum_weekend_screen_share_on_a_weekend_holiday_is_refused(bk: Book) -> None:
    platinum = bk.customer("Acme", package="platinum")
    assert bk.codes(platinum, "screen-share", "2026-07-04T10:00") == ["holiday"]
    assert bk.codes(platinum, "screen-share", "2026-07-05T10:00") == []


@pytest.mark.parametrize(
    ("first", "last", "expect"),
    [
        ("2026-07-01", "2026-07-06", []),  # spans Independence Day and a weekend
        ("2026-07-04", "2026-07-04", []),  # a go-live on a holiday
        ("2026-07-06", "2026-07-10", []),
        ("2026-06-29", "2026-07-02", []),
    ],
)
def test_event_plan_may_span_weekends_and_holidays(
    bk: Book, first: str, last: str, expect: list[str]
) -> None:
    gold = bk.customer("Acme")
    assert bk.codes(gold, "event-plan", first, end=last) == expect


# --- monthly-quota -------------------------------------------------------------------------


@pytest.mark.parametrize(("package", "quota"), [("silver", 2), ("gold", 4), ("platinum", 6)])
def test_monthly_quota_nth_allowed_next_refused(bk: Book, package: str, quota: int) -> None:
    customer = bk.customer("Acme", package=package)
    days = [2, 3, 4, 5, 6, 9, 10]
    for day in days[: quota - 1]:
        bk.book(customer, "screen-share", f"2026-03-{day:02d}T10:00")
    nth = f"2026-03-{days[quota - 1]:02d}T10:00"
    assert bk.codes(customer, "screen-share", nth) == []
    bk.book(customer, "screen-share", nth)
    violations = bk.refused(customer, "screen-share", "2026-03-24T10:00")
    assert rules_of(violations) == ["monthly-quota"]
    assert "March 2026" in violations[0].message
    assert bk.codes(customer, "screen-share", "2026-04-01T10:00") == []


def test_a_cancelled_screen_share_frees_its_place_in_the_month(bk: Book) -> None:
    silver = bk.customer("Acme", package="silver")
    first = bk.book(silver, "screen-share", "2026-03-03T10:00")
    bk.book(silver, "screen-share", "2026-03-04T10:00")
    assert bk.codes(silver, "screen-share", "2026-03-24T10:00") == ["monthly-quota"]
    bk.scheduler.set_status(first.id, "cancelled")
    assert bk.codes(silver, "screen-share", "2026-03-24T10:00") == []


def test_a_no_show_screen_share_still_counts(bk: Book) -> None:
    silver = bk.customer("Acme", package="silver")
    first = bk.book(silver, "screen-share", "2026-03-03T10:00")
    bk.book(silver, "screen-share", "2026-03-04T10:00")
    bk.mark(first, "no-show")
    assert bk.codes(silver, "screen-share", "2026-03-24T10:00") == ["monthly-quota"]


def test_monthly_quota_counts_the_et_month_not_the_utc_month(bk: Book) -> None:
    silver = bk.customer("Acme", package="silver")
    bk.book(silver, "screen-share", "2026-03-03T10:00")
    # 23:30 ET on 31 March is 03:30 UTC on 1 April; it belongs to March.
    late = bk.book(
        silver, "screen-share", "2026-03-31T23:30", minutes=30, override="customer in Sydney"
    )
    assert bk.clock.et(late.start_utc).month == 3
    assert late.start_utc.month == 4
    assert bk.codes(silver, "screen-share", "2026-03-24T10:00") == ["monthly-quota"]
    assert bk.codes(silver, "screen-share", "2026-04-01T10:00") == []


# --- yearly-quota ------------------------------------------------------------------------------


def test_yearly_quota_runs_over_package_years_not_subscription_years(bk: Book) -> None:
    gold = bk.customer("Acme", start="2026-01-05", package="gold", package_start="2026-06-15")
    bk.book(gold, "event-plan", "2026-07-06")
    # A subscription year would restart on 5 Jan 2027; the package year runs to 14 Jun 2027.
    assert bk.codes(gold, "event-plan", "2027-02-01") == ["yearly-quota"]
    violations = bk.refused(gold, "event-plan", "2027-06-14")
    assert rules_of(violations) == ["yearly-quota"]
    assert "Tue 15 Jun 2027" in violations[0].message
    assert bk.codes(gold, "event-plan", "2027-06-15") == []


@pytest.mark.parametrize(
    ("package", "kind", "allowed", "start_times"),
    [
        ("gold", "round-table", 2, ["2026-02-03T13:00", "2026-05-05T13:00", "2026-08-04T13:00"]),
        (
            "platinum",
            "round-table",
            2,
            ["2026-02-03T13:00", "2026-05-05T13:00", "2026-08-04T13:00"],
        ),
        ("platinum", "product-team", 1, ["2026-02-03T13:00", "2026-05-05T13:00"]),
        ("platinum", "event-plan", 2, ["2026-02-03", "2026-05-05", "2026-08-04"]),
        ("gold", "event-plan", 1, ["2026-02-03", "2026-05-05"]),
    ],
)
def test_yearly_quota_nth_allowed_next_refused(
    bk: Book, package: str, kind: str, allowed: int, start_times: list[str]
) -> None:
    customer = bk.customer("Acme", package=package)
    for start in start_times[:allowed]:
        assert bk.codes(customer, kind, start) == []
        bk.book(customer, kind, start)
    assert bk.codes(customer, kind, start_times[allowed]) == ["yearly-quota"]
    assert bk.codes(customer, kind, "2027-01-12" + start_times[0][10:]) == []


def test_a_cancelled_round_table_frees_the_year_but_a_no_show_does_not(bk: Book) -> None:
    gold = bk.customer("Acme")
    first = bk.book(gold, "round-table", "2026-02-03T13:00")
    second = bk.book(gold, "round-table", "2026-03-03T13:00")
    assert bk.codes(gold, "round-table", "2026-09-01T13:00") == ["yearly-quota"]
    bk.mark(first, "no-show")
    assert bk.codes(gold, "round-table", "2026-09-01T13:00") == ["yearly-quota"]
    bk.scheduler.set_status(second.id, "cancelled")
    assert bk.codes(gold, "round-table", "2026-09-01T13:00") == []


def test_round_table_quota_is_counted_for_each_customer(bk: Book) -> None:
    busy = bk.customer("Busy")
    fresh = bk.customer("Fresh")
    bk.book(busy, "round-table", "2026-02-03T13:00")
    bk.book(busy, "round-table", "2026-03-03T13:00")
    violations = bk.refused([fresh, busy], "round-table", "2026-09-01T13:00")
    assert rules_of(violations) == ["yearly-quota"]
    assert "Busy" in violations[0].message
    assert bk.codes([fresh], "round-table", "2026-09-01T13:00") == []


# --- outside-onboarding-window ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expect"),
    [
        ("2026-01-06T10:00", ["outside-onboarding-window"]),  # the day before the start
        ("2026-01-07T09:00", []),  # day 1
        ("2026-04-06T16:00", []),  # day 90 (a Monday), last hour
        ("2026-04-07T09:00", ["outside-onboarding-window"]),  # day 91
    ],
)
def test_onboarding_window_is_the_90_days_from_the_start(
    bk: Book, start: str, expect: list[str]
) -> None:
    customer = bk.customer("Acme", start="2026-01-07")
    assert bk.codes(customer, "onboarding", start, minutes=60) == expect


def _proposal(
    bk: Book, kind: str, customers: tuple[CustomerRecord, ...], start: str, end: str
) -> Proposal:
    return Proposal(
        kind=kind,
        customers=customers,
        start_utc=bk.t(start),
        end_utc=bk.t(end),
        requested_utc=bk.t(start) - timedelta(days=30),
    )


def test_onboarding_may_end_at_midnight_ending_day_90(bk: Book) -> None:
    customer = bk.customer("Acme", start="2026-01-07")
    ending_at_midnight = _proposal(
        bk, "onboarding", (customer,), "2026-04-06T23:00", "2026-04-07T00:00"
    )
    codes = rules_of(check(bk.policy, bk.clock, ending_at_midnight, Ledger()))
    assert "outside-onboarding-window" not in codes
    assert codes == ["outside-working-hours"]
    day_91 = _proposal(bk, "onboarding", (customer,), "2026-04-07T00:00", "2026-04-07T01:00")
    assert "outside-onboarding-window" in rules_of(check(bk.policy, bk.clock, day_91, Ledger()))


def test_onboarding_window_message_suggests_assistance(bk: Book) -> None:
    customer = bk.customer("Acme")
    (violation,) = bk.refused(customer, "onboarding", "2026-04-06T10:00")
    assert "Mon 5 Jan 2026" in violation.message
    assert "assistance" in violation.message


# --- hours-exceeded ----------------------------------------------------------------------------


def test_onboarding_hours_exactly_at_the_allowance_then_one_minute_over(bk: Book) -> None:
    customer = bk.customer("Acme", product="SpiraPlan", users=120)  # 8 hours
    bk.book(customer, "onboarding", "2026-01-07T09:00", minutes=240)
    bk.book(customer, "onboarding", "2026-01-08T09:00", minutes=180)
    assert bk.codes(customer, "onboarding", "2026-01-09T09:00", minutes=60) == []
    violations = bk.refused(customer, "onboarding", "2026-01-09T09:00", minutes=61)
    assert rules_of(violations) == ["hours-exceeded"]
    assert "$490" in violations[0].message
    assert "billable" in violations[0].message
    assert bk.codes(customer, "onboarding", "2026-01-09T09:00", minutes=61, billable=True) == []


def test_billable_onboarding_does_not_draw_on_the_allowance(bk: Book) -> None:
    customer = bk.customer("Acme", product="SpiraTest", users=10, package="none")  # 1 hour
    bk.book(customer, "onboarding", "2026-01-07T09:00", minutes=120, billable=True)
    assert bk.codes(customer, "onboarding", "2026-01-08T09:00", minutes=60) == []
    assert bk.codes(customer, "onboarding", "2026-01-08T09:00", minutes=90) == ["hours-exceeded"]


def test_cancelled_onboarding_frees_hours_and_a_no_show_uses_them(bk: Book) -> None:
    customer = bk.customer("Acme", product="SpiraTeam", users=10, package="none")  # 2 hours
    first = bk.book(customer, "onboarding", "2026-01-07T09:00", minutes=60)
    second = bk.book(customer, "onboarding", "2026-01-08T09:00", minutes=60)
    assert bk.codes(customer, "onboarding", "2026-01-09T09:00", minutes=30) == ["hours-exceeded"]
    bk.mark(first, "no-show")
    assert bk.codes(customer, "onboarding", "2026-01-09T09:00", minutes=30) == ["hours-exceeded"]
    bk.scheduler.set_status(second.id, "cancelled")
    assert bk.codes(customer, "onboarding", "2026-01-09T09:00", minutes=60) == []


def test_assistance_hours_are_per_package_year(bk: Book) -> None:
    gold = bk.customer("Acme", package="gold", package_start="2026-03-02")  # 4 hours a year
    bk.book(gold, "assistance", "2026-03-03T09:00", minutes=180)
    assert bk.codes(gold, "assistance", "2027-02-25T09:00", minutes=60) == []
    assert bk.codes(gold, "assistance", "2027-02-25T09:00", minutes=61) == ["hours-exceeded"]
    assert bk.codes(gold, "assistance", "2027-03-02T09:00", minutes=240) == []
    assert bk.codes(gold, "assistance", "2027-03-02T09:00", minutes=241) == ["hours-exceeded"]
    assert bk.codes(gold, "assistance", "2027-03-02T09:00", minutes=241, billable=True) == []


# --- round-table-full ---------------------------------------------------------------------------


def test_a_round_table_seats_ten_customers_not_eleven(bk: Book) -> None:
    customers = [bk.customer(f"Customer {n:02d}") for n in range(11)]
    assert bk.codes(customers[:10], "round-table", "2026-03-17T13:00") == []
    violations = bk.refused(customers, "round-table", "2026-03-17T13:00")
    assert rules_of(violations) == ["round-table-full"]
    assert "10" in violations[0].message
    assert "11" in violations[0].message


@pytest.mark.parametrize(("seats", "code"), [(10, 0), (11, 3)])
def test_round_table_seats_through_the_cli_with(
    book_location: Path | str, tmp_path: Path, seats: int, code: int
) -> None:
    db = book_location
    names = [f"Customer {n:02d}" for n in range(seats)]
    for name in names:
        cli_customer(db, name)
    others = [arg for name in names[1:] for arg in ("--with", name)]
    run = cli(
        db,
        "book",
        "--customer",
        names[0],
        "--kind",
        "round-table",
        "--start",
        "2026-03-17T13:00",
        *others,
    )
    assert run.code == code, run.err
    if code == 0:
        assert sorted(run.data["customers"]) == names
    else:
        assert run.rules == ["round-table-full"]
        assert cli(db, "sessions").data["sessions"] == []


def test_a_round_table_needs_every_seat_entitled(bk: Book) -> None:
    gold = bk.customer("Gold")
    silver = bk.customer("Silver", package="silver")
    violations = bk.refused([gold, silver], "round-table", "2026-03-17T13:00")
    assert rules_of(violations) == ["not-entitled"]
    assert "Silver" in violations[0].message


# --- cadence-period-taken -------------------------------------------------------------------


def test_one_cadence_call_per_quarter(bk: Book) -> None:
    customer = bk.customer("Acme", users=120, start="2026-01-05")  # quarterly
    bk.book(customer, "cadence", "2026-02-10T10:00")
    violations = bk.refused(customer, "cadence", "2026-04-03T10:00")  # period ends Sat 4 Apr
    assert rules_of(violations) == ["cadence-period-taken"]
    assert "Tue 10 Feb 10:00" in violations[0].message
    assert bk.codes(customer, "cadence", "2026-04-06T10:00") == []


def test_a_cancelled_call_frees_its_period_and_a_no_show_does_not(bk: Book) -> None:
    customer = bk.customer("Acme", users=300)  # monthly
    january = bk.book(customer, "cadence", "2026-01-13T10:00")
    february = bk.book(customer, "cadence", "2026-02-10T10:00")
    assert bk.codes(customer, "cadence", "2026-01-20T10:00") == ["cadence-period-taken"]
    bk.scheduler.set_status(january.id, "cancelled")
    assert bk.codes(customer, "cadence", "2026-01-20T10:00") == []
    bk.mark(february, "no-show")
    assert bk.codes(customer, "cadence", "2026-02-17T10:00") == ["cadence-period-taken"]


def test_monthly_cadence_periods_clamp_to_the_month_end(bk: Book) -> None:
    customer = bk.customer("Acme", users=300, start="2026-01-30")  # monthly from 30 Jan
    bk.book(customer, "cadence", "2026-02-27T10:00")  # period 30 Jan - 27 Feb
    assert bk.codes(customer, "cadence", "2026-02-02T10:00") == ["cadence-period-taken"]
    assert bk.codes(customer, "cadence", "2026-03-02T10:00") == []  # period 28 Feb - 29 Mar


def test_annual_cadence_for_51_to_100_users(bk: Book) -> None:
    customer = bk.customer("Acme", users=60)
    bk.book(customer, "cadence", "2026-02-10T10:00")
    assert bk.codes(customer, "cadence", "2026-12-15T10:00") == ["cadence-period-taken"]
    assert bk.codes(customer, "cadence", "2027-01-05T10:00") == []


# --- conflict ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expect"),
    [
        ("2026-03-17T11:00", "2026-03-17T12:00", []),  # touching the end
        ("2026-03-17T09:00", "2026-03-17T10:00", []),  # touching the start
        ("2026-03-17T10:59", "2026-03-17T11:59", ["conflict"]),
        ("2026-03-17T09:01", "2026-03-17T10:01", ["conflict"]),
        ("2026-03-17T10:15", "2026-03-17T10:45", ["conflict"]),
    ],
)
def test_sessions_of_the_manager_may_touch_but_not_overlap(
    bk: Book, start: str, end: str, expect: list[str]
) -> None:
    first = bk.customer("First")
    other = bk.customer("Other")
    bk.book(first, "assistance", "2026-03-17T10:00", end="2026-03-17T11:00")
    assert bk.codes(other, "assistance", start, end=end) == expect


def test_conflict_message_names_the_other_session(bk: Book) -> None:
    first = bk.customer("First")
    bk.book(first, "assistance", "2026-03-17T10:00", minutes=60, title="Workflow review")
    (violation,) = bk.refused(first, "onboarding", "2026-03-17T10:30", minutes=60)
    assert violation.rule == "conflict"
    assert "Workflow review" in violation.message
    assert "10:00-11:00" in violation.message


def test_a_cancelled_session_frees_its_time(bk: Book) -> None:
    first = bk.customer("First")
    session = bk.book(first, "assistance", "2026-03-17T10:00")
    assert bk.codes(first, "onboarding", "2026-03-17T10:00") == ["conflict"]
    bk.scheduler.set_status(session.id, "cancelled")
    assert bk.codes(first, "onboarding", "2026-03-17T10:00") == []


def test_busy_block_conflicts_touching_it_does_not(bk: Book) -> None:
    customer = bk.customer("Acme")
    bk.scheduler.add_busy([Busy(bk.t("2026-03-17T12:00"), bk.t("2026-03-17T13:00"), "Dentist")])
    violations = bk.refused(customer, "assistance", "2026-03-17T12:30", minutes=60)
    assert rules_of(violations) == ["conflict"]
    assert "Dentist" in violations[0].message
    assert bk.codes(customer, "assistance", "2026-03-17T13:00", minutes=60) == []
    assert bk.codes(customer, "assistance", "2026-03-17T11:00", minutes=60) == []
    assert bk.codes(customer, "assistance", "2026-03-17T11:01", minutes=60) == ["conflict"]


def test_all_day_busy_block_blocks_the_whole_day(bk: Book) -> None:
    customer = bk.customer("Acme")
    bk.scheduler.add_busy(
        [Busy(bk.t("2026-03-18T00:00"), bk.t("2026-03-19T00:00"), "Conference", all_day=True)]
    )
    assert bk.codes(customer, "assistance", "2026-03-18T15:00") == ["conflict"]
    assert bk.codes(customer, "assistance", "2026-03-19T09:00") == []


def test_an_event_plan_does_not_block_the_managers_hours(bk: Book) -> None:
    customer = bk.customer("Acme")
    bk.book(customer, "event-plan", "2026-03-16", end="2026-03-18")
    assert bk.codes(customer, "assistance", "2026-03-17T10:00") == []


# --- not-entitled -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("users", "package", "kind", "expect"),
    [
        (30, "gold", "cadence", ["not-entitled"]),  # 21-50: as needed
        (15, "gold", "cadence", ["not-entitled"]),  # standard: as needed
        (60, "none", "cadence", []),  # 51-100: annual
        (120, "none", "screen-share", ["not-entitled"]),
        (120, "none", "assistance", ["not-entitled"]),
        (120, "silver", "event-plan", ["not-entitled"]),
        (120, "silver", "round-table", ["not-entitled"]),
        (120, "gold", "product-team", ["not-entitled"]),
        (120, "platinum", "product-team", []),
        (15, "none", "onboarding", []),
    ],
)
def test_who_may_have_which_kind(
    bk: Book, users: int, package: str, kind: str, expect: list[str]
) -> None:
    customer = bk.customer("Acme", users=users, package=package)
    start = "2026-03-17" if kind == "event-plan" else "2026-03-17T10:00"
    minutes = 30 if kind == "onboarding" else None
    assert bk.codes(customer, kind, start, minutes=minutes) == expect


def test_not_entitled_message_says_which_package_has_it(bk: Book) -> None:
    customer = bk.customer("Acme", package="gold")
    (violation,) = bk.refused(customer, "product-team", "2026-03-17T10:00")
    assert "Platinum" in violation.message
    cadence = bk.customer("Small", users=30)
    (violation,) = bk.refused(cadence, "cadence", "2026-03-17T10:00")
    assert "as needed" in violation.message


@pytest.mark.parametrize(
    ("kind", "start"),
    [
        ("screen-share", "2026-05-29T10:00"),
        ("assistance", "2026-05-29T10:00"),
        ("round-table", "2026-05-29T10:00"),
        ("event-plan", "2026-05-29"),
    ],
)
def test_premium_kinds_start_with_the_package_not_the_subscription(
    bk: Book, kind: str, start: str
) -> None:
    customer = bk.customer("Acme", start="2026-01-05", package="gold", package_start="2026-06-01")
    violations = bk.refused(customer, kind, start)
    assert rules_of(violations) == ["not-entitled"]
    assert "Mon 1 Jun 2026" in violations[0].message
    assert bk.codes(customer, kind, start.replace("2026-05-29", "2026-06-01")) == []


def test_cadence_before_the_subscription_start_is_not_entitled(bk: Book) -> None:
    customer = bk.customer("Acme", start="2026-03-02")
    assert bk.codes(customer, "cadence", "2026-02-26T10:00") == ["not-entitled"]
    assert bk.codes(customer, "cadence", "2026-03-02T10:00") == []


# --- invalid-duration ---------------------------------------------------------------------------


@pytest.mark.parametrize("end", ["2026-03-17T09:30", "2026-03-17T10:00"])
def test_a_session_must_end_after_it_starts(bk: Book, end: str) -> None:
    customer = bk.customer("Acme")
    with pytest.raises(BadInput, match="end after it starts"):  # typed times are refused early
        bk.times("assistance", "2026-03-17T10:00", end=end)
    start_utc, end_utc = bk.clock.parse("2026-03-17T10:00"), bk.clock.parse(end)
    request = BookingRequest(
        (customer,), "assistance", SessionTimes(start_utc, end_utc, False), start_utc
    )
    with pytest.raises(RuleRefusal) as caught:  # and the rule holds for any other caller
        bk.scheduler.book(replace(request, override_reason="no reason makes it fit"))
    assert rules_of(caught.value.violations) == ["invalid-duration"]


@pytest.mark.parametrize(
    ("last", "expect"),
    [
        ("2026-03-02", []),
        ("2026-03-15", []),  # 14 days
        ("2026-03-16", ["too-long"]),  # 15 days: overridable (DOMAIN.md section 4)
    ],
)
def test_event_plans_last_1_to_14_days(bk: Book, last: str, expect: list[str]) -> None:
    customer = bk.customer("Acme", package="platinum")
    assert bk.codes(customer, "event-plan", "2026-03-02", end=last) == expect


@pytest.mark.parametrize(
    ("first", "last", "expect"),
    [
        ("2026-03-01", "2026-03-14", []),  # 14 days across the March change (one is 23 h)
        ("2026-03-01", "2026-03-15", ["too-long"]),
        ("2026-10-25", "2026-11-07", []),  # 14 days across the November change (one is 25 h)
        ("2026-10-25", "2026-11-08", ["too-long"]),
        ("2026-03-08", "2026-03-08", []),
        ("2026-11-01", "2026-11-01", []),
    ],
)
def test_event_plan_days_are_et_calendar_days_across_dst(
    bk: Book, first: str, last: str, expect: list[str]
) -> None:
    customer = bk.customer("Acme", package="platinum")
    assert bk.codes(customer, "event-plan", first, end=last) == expect


def test_an_event_plan_given_minutes_is_bad_input(bk: Book) -> None:
    with pytest.raises(BadInput, match="all-day"):
        bk.times("event-plan", "2026-03-02", minutes=60)


def test_a_timed_event_plan_is_an_invalid_duration(bk: Book) -> None:
    customer = bk.customer("Acme")
    proposal = _proposal(bk, "event-plan", (customer,), "2026-03-02T10:00", "2026-03-02T11:00")
    violations = check(bk.policy, bk.clock, proposal, Ledger())
    assert rules_of(violations) == ["invalid-duration"]
    assert "all-day" in violations[0].message


def test_a_timed_session_may_not_cross_midnight(bk: Book) -> None:
    customer = bk.customer("Acme", package="platinum")
    proposal = _proposal(bk, "assistance", (customer,), "2026-03-17T23:30", "2026-03-18T00:30")
    assert rules_of(check(bk.policy, bk.clock, proposal, Ledger())) == ["invalid-duration"]


# --- across daylight-saving changes ----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expect"),
    [
        ("2026-03-06T14:00:00+00:00", []),  # Fri 09:00 EST
        ("2026-03-06T13:30:00+00:00", ["outside-working-hours"]),  # Fri 08:30 EST
        ("2026-03-09T13:00:00+00:00", []),  # Mon 09:00 EDT
        ("2026-03-09T12:30:00+00:00", ["outside-working-hours"]),  # Mon 08:30 EDT
        ("2026-03-06T21:00:00+00:00", []),  # Fri 16:00-17:00 EST
        ("2026-03-09T21:00:00+00:00", ["outside-working-hours"]),  # Mon 17:00-18:00 EDT
        ("2026-10-30T13:00:00+00:00", []),  # Fri 09:00 EDT
        ("2026-11-02T13:00:00+00:00", ["outside-working-hours"]),  # Mon 08:00 EST
        ("2026-11-02T14:00:00+00:00", []),  # Mon 09:00 EST
        ("2026-11-02T22:00:00+00:00", ["outside-working-hours"]),  # Mon 17:00 EST
    ],
)
def test_working_hours_follow_et_across_dst(bk: Book, start: str, expect: list[str]) -> None:
    gold = bk.customer("Acme")
    assert bk.codes(gold, "screen-share", start, minutes=60) == expect


@pytest.mark.parametrize("wall", ["2026-03-06T09:00", "2026-03-09T09:00", "2026-11-02T09:00"])
def test_09_00_et_wall_clock_is_always_allowed(bk: Book, wall: str) -> None:
    gold = bk.customer("Acme")
    record = bk.book(gold, "screen-share", wall)
    assert bk.clock.et(record.start_utc).hour == 9
    expected_utc_hour = 14 if wall.startswith(("2026-03-06", "2026-11")) else 13
    assert record.start_utc.hour == expected_utc_hour
