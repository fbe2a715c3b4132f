"""The slot finder: the next legal start times, earliest first, each one bookable as offered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from desktop.services.customers import CustomerRecord
from desktop.services.scheduling.ledger import Busy
from desktop.services.scheduling.rules import Proposal
from desktop.services.scheduling.sessions import RuleRefusal, SessionTimes
from desktop.services.scheduling.slots import find_slots
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions_helpers import Book, cli, cli_customer, open_book, rules_of


@pytest.fixture
def bk(book_location: Path | str, tmp_path: Path) -> Iterator[Book]:
    with open_book(book_location) as book:
        yield book


def slots(
    bk: Book,
    who: CustomerRecord | list[CustomerRecord],
    kind: str,
    after: str,
    minutes: int = 60,
    requested: str | None = None,
    count: int = 5,
) -> list[SessionTimes]:
    customers = [who] if isinstance(who, CustomerRecord) else who
    requested_utc = bk.t(requested or after)
    return find_slots(bk.scheduler, customers, kind, minutes, requested_utc, bk.t(after), count)


def starts(bk: Book, found: list[SessionTimes]) -> list[str]:
    return [bk.clock.et(t.start_utc).strftime("%a %d %b %H:%M") for t in found]


def test_slots_are_earliest_first_in_30_minute_steps(bk: Book) -> None:
    acme = bk.customer("Acme")
    found = slots(bk, acme, "onboarding", "2026-03-17T08:00", count=4)
    assert starts(bk, found) == [
        "Tue 17 Mar 09:00",
        "Tue 17 Mar 09:30",
        "Tue 17 Mar 10:00",
        "Tue 17 Mar 10:30",
    ]
    assert all(t.minutes == 60 for t in found)


def test_slots_start_at_or_after_the_given_time(bk: Book) -> None:
    acme = bk.customer("Acme")
    assert starts(bk, slots(bk, acme, "assistance", "2026-03-17T10:10", count=2)) == [
        "Tue 17 Mar 10:30",
        "Tue 17 Mar 11:00",
    ]


def test_the_last_slot_of_a_day_ends_at_17_00_then_the_next_business_day(bk: Book) -> None:
    acme = bk.customer("Acme", start="2026-05-04")
    found = slots(bk, acme, "onboarding", "2026-07-02T15:10", minutes=60, count=3)
    # 3 July 2026 is the observed Independence Day; then a weekend.
    assert starts(bk, found) == ["Thu 02 Jul 15:30", "Thu 02 Jul 16:00", "Mon 06 Jul 09:00"]


def test_slots_skip_days_inside_the_notice(bk: Book) -> None:
    silver = bk.customer("Acme", package="silver")
    in_time = slots(bk, silver, "screen-share", "2026-03-11T12:00", count=1)
    late = slots(bk, silver, "screen-share", "2026-03-11T17:30", count=1)
    assert starts(bk, in_time) == ["Fri 13 Mar 09:00"]
    assert starts(bk, late) == ["Mon 16 Mar 09:00"]


def test_slots_go_around_sessions_and_busy_blocks(bk: Book) -> None:
    acme = bk.customer("Acme")
    other = bk.customer("Other")
    bk.book(other, "assistance", "2026-03-17T09:00", minutes=60)
    bk.scheduler.add_busy([Busy(bk.t("2026-03-17T11:00"), bk.t("2026-03-17T12:30"), "Lunch")])
    found = slots(bk, acme, "assistance", "2026-03-17T08:00", minutes=60, count=3)
    assert starts(bk, found) == ["Tue 17 Mar 10:00", "Tue 17 Mar 12:30", "Tue 17 Mar 13:00"]


def test_slots_respect_the_monthly_quota(bk: Book) -> None:
    silver = bk.customer("Acme", package="silver")
    bk.book(silver, "screen-share", "2026-03-03T10:00")
    bk.book(silver, "screen-share", "2026-03-04T10:00")
    found = slots(bk, silver, "screen-share", "2026-03-10T08:00", count=1)
    assert starts(bk, found) == ["Wed 01 Apr 09:00"]


def test_platinum_screen_share_slots_include_weekend_hours(bk: Book) -> None:
    platinum = bk.customer("Acme", package="platinum")
    found = slots(
        bk, platinum, "screen-share", "2026-03-14T09:00", requested="2026-03-10T09:00", count=2
    )
    assert starts(bk, found) == ["Sat 14 Mar 09:00", "Sat 14 Mar 09:30"]
    gold = bk.customer("Gold")
    found = slots(bk, gold, "screen-share", "2026-03-14T09:00", requested="2026-03-10T09:00")
    assert starts(bk, found)[0] == "Mon 16 Mar 09:00"


def test_cadence_slots_skip_a_period_that_has_its_call(bk: Book) -> None:
    acme = bk.customer("Acme", users=120)  # quarterly from 5 Jan
    bk.book(acme, "cadence", "2026-02-10T10:00")
    found = slots(bk, acme, "cadence", "2026-03-02T08:00", minutes=30, count=1)
    assert starts(bk, found) == ["Mon 06 Apr 09:00"]


def test_event_plan_slots_are_whole_days_even_on_holidays(bk: Book) -> None:
    # DOMAIN.md section 3: an event plan may span weekends and holidays (a go-live often does).
    gold = bk.customer("Acme")
    found = slots(bk, gold, "event-plan", "2026-07-02T00:00", minutes=24 * 60, count=3)
    assert all(t.all_day for t in found)
    assert starts(bk, found) == ["Thu 02 Jul 00:00", "Fri 03 Jul 00:00", "Sat 04 Jul 00:00"]


def test_a_round_table_slot_suits_every_customer(bk: Book) -> None:
    first = bk.customer("First")
    second = bk.customer("Second", package_start="2026-03-18")
    found = slots(bk, [first, second], "round-table", "2026-03-17T08:00", minutes=90, count=1)
    assert starts(bk, found) == ["Wed 18 Mar 09:00"]


def test_slots_for_a_kind_the_customer_does_not_have_are_refused(bk: Book) -> None:
    none = bk.customer("Acme", package="none")
    with pytest.raises(RuleRefusal) as caught:
        slots(bk, none, "screen-share", "2026-03-17T08:00")
    assert rules_of(caught.value.violations) == ["not-entitled"]
    small = bk.customer("Small", users=30)
    with pytest.raises(RuleRefusal):
        slots(bk, small, "cadence", "2026-03-17T08:00")


def test_no_legal_slot_gives_an_empty_list(bk: Book) -> None:
    gold = bk.customer("Acme")
    assert slots(bk, gold, "screen-share", "2026-03-17T08:00", minutes=90) == []


# --- every slot offered is bookable -----------------------------------------------------------


@pytest.fixture(scope="module")
def busy_book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Book]:
    with open_book(tmp_path_factory.mktemp("slots") / "book.sqlite") as book:
        customers = [
            book.customer("Silver", package="silver", start="2026-01-05"),
            book.customer("Gold", package="gold", users=300, start="2026-02-02"),
            book.customer("Plat", package="platinum", users=60, start="2026-03-02"),
        ]
        silver, gold, plat = customers
        book.book(silver, "screen-share", "2026-03-03T10:00")
        book.book(gold, "assistance", "2026-03-17T09:00", minutes=120)
        book.book(gold, "cadence", "2026-03-04T13:00")
        book.book(plat, "onboarding", "2026-03-05T13:00", minutes=180)
        book.book(plat, "screen-share", "2026-03-14T10:00")
        book.scheduler.add_busy(
            [
                Busy(book.t("2026-03-18T11:00"), book.t("2026-03-18T14:00"), "Offsite"),
                Busy(book.t("2026-03-23T00:00"), book.t("2026-03-24T00:00"), "Leave", True),
            ]
        )
        yield book


@settings(max_examples=25, deadline=None)
@given(
    who=st.sampled_from(["Silver", "Gold", "Plat"]),
    kind=st.sampled_from(["onboarding", "screen-share", "assistance", "cadence", "product-team"]),
    minutes=st.sampled_from([30, 60, 90]),
    day=st.integers(min_value=0, max_value=60),
    minute_of_day=st.integers(min_value=0, max_value=24 * 60 - 1),
)
def test_every_slot_offered_passes_the_rules(
    busy_book: Book, who: str, kind: str, minutes: int, day: int, minute_of_day: int
) -> None:
    bk = busy_book
    customer = bk.customers.get(who)
    after = bk.t("2026-03-01T00:00") + timedelta(days=day, minutes=minute_of_day)
    try:
        found = find_slots(bk.scheduler, [customer], kind, minutes, after, after, count=6)
    except RuleRefusal as refusal:
        assert not bk.customers.entitlements(customer).allows_kind(kind)
        assert rules_of(refusal.violations) == ["not-entitled"]
        return
    begins = [t.start_utc for t in found]
    assert begins == sorted(set(begins))
    for times in found:
        assert times.start_utc >= after
        assert times.minutes == minutes
        assert bk.clock.et(times.start_utc).minute in (0, 30)
        proposal = Proposal(kind, (customer,), times.start_utc, times.end_utc, after)
        assert bk.scheduler.validate(proposal) == []


# --- the command line ----------------------------------------------------------------------


def test_cli_slots_json_shape(book_location: Path | str, tmp_path: Path) -> None:
    db = book_location
    cli_customer(db, "Acme", package="silver")
    run = cli(
        db,
        "slots",
        "--customer",
        "Acme",
        "--kind",
        "screen-share",
        "--requested",
        "2026-03-11T17:30",
        "--from",
        "2026-03-11T17:30",
        "--count",
        "3",
    )
    assert run.code == 0, run.err
    assert run.data == {
        "slots": [
            {"start": "2026-03-16T09:00:00-04:00", "end": "2026-03-16T10:00:00-04:00"},
            {"start": "2026-03-16T09:30:00-04:00", "end": "2026-03-16T10:30:00-04:00"},
            {"start": "2026-03-16T10:00:00-04:00", "end": "2026-03-16T11:00:00-04:00"},
        ]
    }


def test_cli_slots_minutes_and_default_length(book_location: Path | str, tmp_path: Path) -> None:
    db = book_location
    cli_customer(db, "Acme")
    args = ["slots", "--customer", "Acme", "--kind", "cadence", "--from", "2026-03-02T16:00"]
    run = cli(db, *args, "--count", "2")
    assert [s["end"] for s in run.data["slots"]] == [
        "2026-03-02T16:30:00-05:00",
        "2026-03-02T17:00:00-05:00",
    ]
    longer = cli(db, "slots", "--customer", "Acme", "--kind", "assistance", "--minutes", "120")
    assert longer.code == 0
    for slot in longer.data["slots"]:
        assert slot["start"][11:16] <= "15:00"


def test_cli_slots_not_entitled_is_exit_3(book_location: Path | str, tmp_path: Path) -> None:
    db = book_location
    cli_customer(db, "Acme", package="none")
    run = cli(db, "slots", "--customer", "Acme", "--kind", "screen-share")
    assert run.code == 3
    assert run.rules == ["not-entitled"]


@pytest.mark.parametrize(
    "args",
    [
        ["--customer", "Nobody", "--kind", "assistance"],
        ["--customer", "Acme", "--kind", "assistance", "--minutes", "0"],
        ["--customer", "Acme", "--kind", "assistance", "--count", "-1"],
        ["--customer", "Acme", "--kind", "assistance", "--from", "tomorrow"],
        ["--customer", "Acme", "--kind", "nap"],
    ],
)
def test_cli_slots_bad_input_is_exit_2(
    book_location: Path | str, tmp_path: Path, args: list[str]
) -> None:
    db = book_location
    cli_customer(db, "Acme")
    run = cli(db, "slots", *args)
    assert run.code == 2
    assert run.out == ""
