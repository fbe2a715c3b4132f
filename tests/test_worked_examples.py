"""DOMAIN.md section 5: every worked example, through the scheduler and `amplan book --json`.

A refused example must name the same rule code on both paths and save nothing; an allowed one
is booked (exit 0). Times are ET wall clock, as the examples are written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from desktop.services.scheduling.sessions import RuleRefusal

from sessions_helpers import Book, cli, cli_customer, open_book, rules_of


@pytest.fixture
def bk(book_location: Path | str, tmp_path: Path) -> Iterator[Book]:
    with open_book(book_location) as book:
        yield book


@dataclass(frozen=True)
class Example:
    """One booking of a worked example and what the contract says about it."""

    name: str
    package: str
    kind: str
    start: str
    minutes: int | None = None
    end: str | None = None
    requested: str | None = None
    expect: tuple[str, ...] = ()
    product: str = "SpiraPlan"
    users: int = 120
    subscription: str = "2026-01-05"
    # (kind, start, minutes) booked before the example's own booking.
    before: tuple[tuple[str, str, int], ...] = field(default=())

    def requested_text(self) -> str:
        if self.requested:
            return self.requested
        return (datetime.fromisoformat(self.start) - timedelta(days=14)).isoformat()


MARCH_SCREEN_SHARES = tuple(
    ("screen-share", f"2026-03-{day}T10:00", 60) for day in ("02", "03", "04", "05")
)

EXAMPLES = [
    # 1. SpiraPlan, 120 users, gold: 8 onboarding hours, quarterly calls, 1 day notice...
    Example("1-onboarding-8h", "gold", "onboarding", "2026-01-07T09:00", minutes=480),
    Example(
        "1-onboarding-over-8h",
        "gold",
        "onboarding",
        "2026-01-08T09:00",
        minutes=60,
        before=(("onboarding", "2026-01-07T09:00", 480),),
        expect=("hours-exceeded",),
    ),
    Example("1-quarterly-call", "gold", "cadence", "2026-01-20T10:00"),
    Example(
        "1-second-call-same-quarter",
        "gold",
        "cadence",
        "2026-03-24T10:00",
        before=(("cadence", "2026-01-20T10:00", 30),),
        expect=("cadence-period-taken",),
    ),
    Example(
        "1-call-next-quarter",
        "gold",
        "cadence",
        "2026-04-07T10:00",
        before=(("cadence", "2026-01-20T10:00", 30),),
    ),
    Example(
        "1-one-day-notice",
        "gold",
        "screen-share",
        "2026-03-17T10:00",
        requested="2026-03-16T17:00",
    ),
    Example(
        "1-one-day-notice-late",
        "gold",
        "screen-share",
        "2026-03-17T10:00",
        requested="2026-03-16T17:01",
        expect=("short-notice",),
    ),
    Example("1-assistance-4h", "gold", "assistance", "2026-03-18T09:00", minutes=240),
    Example(
        "1-assistance-over-4h",
        "gold",
        "assistance",
        "2026-03-18T09:00",
        minutes=270,
        expect=("hours-exceeded",),
    ),
    Example("1-one-event-plan", "gold", "event-plan", "2026-05-05", end="2026-05-07"),
    Example(
        "1-second-event-plan",
        "gold",
        "event-plan",
        "2026-09-01",
        end="2026-09-01",
        before=(("event-plan", "2026-05-05", 0),),
        expect=("yearly-quota",),
    ),
    Example(
        "1-third-round-table",
        "gold",
        "round-table",
        "2026-09-02T13:00",
        before=(("round-table", "2026-03-03T13:00", 90), ("round-table", "2026-06-02T13:00", 90)),
        expect=("yearly-quota",),
    ),
    # 2. SpiraTest, 15 users, no premium: 1 onboarding hour, no cadence, no screen-shares.
    Example(
        "2-onboarding-1h",
        "none",
        "onboarding",
        "2026-01-07T10:00",
        minutes=60,
        product="SpiraTest",
        users=15,
    ),
    Example(
        "2-onboarding-61min",
        "none",
        "onboarding",
        "2026-01-07T10:00",
        minutes=61,
        product="SpiraTest",
        users=15,
        expect=("hours-exceeded",),
    ),
    Example(
        "2-no-cadence",
        "none",
        "cadence",
        "2026-01-20T10:00",
        product="SpiraTest",
        users=15,
        expect=("not-entitled",),
    ),
    Example(
        "2-no-screen-share",
        "none",
        "screen-share",
        "2026-03-17T10:00",
        product="SpiraTest",
        users=15,
        expect=("not-entitled",),
    ),
    # 3. Silver: two business days' notice, deadline Fri 13 Mar 17:00 for Tue 17 Mar.
    Example(
        "3-silver-in-time",
        "silver",
        "screen-share",
        "2026-03-17T10:00",
        requested="2026-03-13T10:00",
    ),
    Example(
        "3-silver-late",
        "silver",
        "screen-share",
        "2026-03-17T10:00",
        requested="2026-03-13T17:30",
        expect=("short-notice",),
    ),
    # 4. Weekends: Gold has none; Platinum has them, with one business day's notice.
    Example(
        "4-gold-saturday",
        "gold",
        "screen-share",
        "2026-03-14T10:00",
        requested="2026-03-01T10:00",
        expect=("weekend-not-included",),
    ),
    Example(
        "4-platinum-saturday",
        "platinum",
        "screen-share",
        "2026-03-14T10:00",
        requested="2026-03-12T12:00",
    ),
    Example(
        "4-platinum-saturday-same-day",
        "platinum",
        "screen-share",
        "2026-03-14T10:00",
        requested="2026-03-14T08:00",
        expect=("short-notice",),
    ),
    # 5. Gold on Mon 9 Mar 2026, the first weekday of daylight time.
    Example(
        "5-past-17",
        "gold",
        "screen-share",
        "2026-03-09T16:30",
        end="2026-03-09T17:30",
        expect=("outside-working-hours",),
    ),
    Example(
        "5-75-minutes",
        "gold",
        "screen-share",
        "2026-03-09T10:00",
        end="2026-03-09T11:15",
        expect=("too-long",),
    ),
    Example("5-dst-0900-utc-1300", "gold", "screen-share", "2026-03-09T13:00:00+00:00"),
    Example("5-est-0900-utc-1400", "gold", "screen-share", "2026-03-06T14:00:00+00:00"),
    Example(
        "5-dst-0800-et",
        "gold",
        "screen-share",
        "2026-03-09T12:00:00+00:00",
        expect=("outside-working-hours",),
    ),
    # 6. Gold: the fifth screen-share of March 2026.
    Example(
        "6-fifth-in-march",
        "gold",
        "screen-share",
        "2026-03-20T10:00",
        before=MARCH_SCREEN_SHARES,
        expect=("monthly-quota",),
    ),
    Example(
        "6-first-in-april",
        "gold",
        "screen-share",
        "2026-04-01T10:00",
        before=MARCH_SCREEN_SHARES,
    ),
    # 7. Subscription start Mon 5 Jan 2026: last onboarding day Sat 4 Apr.
    Example(
        "7-saturday-last-day",
        "gold",
        "onboarding",
        "2026-04-04T10:00",
        expect=("outside-working-hours",),
    ),
    Example(
        "7-monday-after",
        "gold",
        "onboarding",
        "2026-04-06T10:00",
        expect=("outside-onboarding-window",),
    ),
    Example("7-last-slot", "gold", "onboarding", "2026-04-03T16:00", end="2026-04-03T17:00"),
    # 8. Thanksgiving 2026.
    Example(
        "8-thanksgiving",
        "silver",
        "screen-share",
        "2026-11-26T10:00",
        requested="2026-11-02T10:00",
        expect=("holiday",),
    ),
    Example(
        "8-day-after",
        "silver",
        "screen-share",
        "2026-11-27T10:00",
        requested="2026-11-25T12:00",
        expect=("short-notice",),
    ),
    Example(
        "8-day-after-in-time",
        "silver",
        "screen-share",
        "2026-11-27T10:00",
        requested="2026-11-24T17:00",
    ),
]


def _length(minutes: int | None, end: str | None) -> dict[str, object]:
    return {"minutes": minutes, "end": end}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_worked_example_through_the_scheduler(bk: Book, example: Example) -> None:
    customer = bk.customer(
        "Acme",
        product=example.product,
        users=example.users,
        start=example.subscription,
        package=example.package,
    )
    for kind, start, minutes in example.before:
        if kind == "event-plan":
            bk.book(customer, kind, start)
        else:
            bk.book(customer, kind, start, minutes=minutes)
    args = {
        **_length(example.minutes, example.end),
        "requested": example.requested_text(),
    }
    if example.expect:
        assert bk.codes(customer, example.kind, example.start, **args) == list(example.expect)
        with pytest.raises(RuleRefusal):
            bk.dry(customer, example.kind, example.start, **args)
        violations = bk.refused(customer, example.kind, example.start, **args)
        assert rules_of(violations) == list(example.expect)
        assert all(v.message for v in violations)
    else:
        before = bk.session_count()
        outcome = bk.dry(customer, example.kind, example.start, **args)
        assert outcome.violations == []
        assert not outcome.saved
        assert bk.session_count() == before
        assert bk.book(customer, example.kind, example.start, **args).status == "planned"


def _cli_book(kind: str, start: str, *extra: str) -> list[str]:
    return ["book", "--customer", "Acme", "--kind", kind, "--start", start, *extra]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_worked_example_through_the_cli(
    book_location: Path | str, tmp_path: Path, example: Example
) -> None:
    db = book_location
    cli_customer(db, "Acme", example.product, example.users, example.subscription, example.package)
    for kind, start, minutes in example.before:
        pre = ["--end", start] if kind == "event-plan" else ["--minutes", str(minutes)]
        done = cli(db, *_cli_book(kind, start, *pre, "--requested", "2025-12-01T09:00"))
        assert done.code == 0, done.err
    length: list[str] = []
    if example.minutes is not None:
        length = ["--minutes", str(example.minutes)]
    elif example.end is not None:
        length = ["--end", example.end]
    argv = _cli_book(example.kind, example.start, *length, "--requested", example.requested_text())
    before = cli(db, "sessions").data["sessions"]
    run = cli(db, *argv)
    if example.expect:
        assert run.code == 3, run.err
        assert run.rules == list(example.expect)
        assert all(v["message"] for v in run.data["violations"])
        assert "refused" in run.err
        assert cli(db, "sessions").data["sessions"] == before
    else:
        assert run.code == 0, run.err
        assert run.data["kind"] == example.kind
        assert run.data["status"] == "planned"
        assert isinstance(run.data["id"], int)
        assert len(cli(db, "sessions").data["sessions"]) == len(before) + 1


# --- what the examples spell out beyond the rule code -----------------------------------------


def test_example_1_entitlements_of_spiraplan_120_gold(
    book_location: Path | str, tmp_path: Path
) -> None:
    db = book_location
    cli_customer(db, "Acme", "SpiraPlan", 120, "2026-01-05", "gold")
    ent = cli(db, "entitlements", "--customer", "Acme").data
    assert ent["onboarding_hours"] == 8
    assert ent["cadence"] == "quarterly"
    assert ent["screen_shares_per_month"] == 4
    assert ent["notice_business_days"] == 1
    assert ent["weekends"] is False
    assert ent["assistance_hours_per_year"] == 4
    assert ent["event_plans_per_year"] == 1
    assert ent["round_tables_per_year"] == 2


def test_example_2_entitlements_of_spiratest_15_none(tmp_path: Path) -> None:
    run = cli(tmp_path / "x.sqlite", "entitlements", "--product", "SpiraTest", "--users", "15")
    assert run.code == 0
    assert run.data["onboarding_hours"] == 1
    assert run.data["cadence"] == "as-needed"
    assert run.data["screen_shares_per_month"] == 0


def test_example_3_message_names_the_friday_deadline(bk: Book) -> None:
    silver = bk.customer("Acme", package="silver")
    (violation,) = bk.refused(
        silver, "screen-share", "2026-03-17T10:00", requested="2026-03-13T17:30"
    )
    assert "Fri 13 Mar 17:00" in violation.message


def test_example_5_dst_times_come_back_with_their_offset(
    book_location: Path | str, tmp_path: Path
) -> None:
    db = book_location
    cli_customer(db, "Acme")
    monday = cli(
        db,
        *_cli_book("screen-share", "2026-03-09T13:00:00Z", "--requested", "2026-03-01T09:00"),
    )
    friday = cli(
        db,
        *_cli_book("screen-share", "2026-03-06T14:00:00Z", "--requested", "2026-03-01T09:00"),
    )
    assert (monday.code, friday.code) == (0, 0)
    assert monday.data["start"] == "2026-03-09T09:00:00-04:00"
    assert monday.data["end"] == "2026-03-09T10:00:00-04:00"
    assert friday.data["start"] == "2026-03-06T09:00:00-05:00"


def test_example_5_too_long_message_gives_the_limit(bk: Book) -> None:
    gold = bk.customer("Acme")
    (violation,) = bk.refused(gold, "screen-share", "2026-03-09T10:00", end="2026-03-09T11:15")
    assert "60 minutes" in violation.message
    assert "75" in violation.message


def test_example_7_last_onboarding_slot_is_friday_16_to_17(bk: Book) -> None:
    customer = bk.customer("Acme", package="none")
    assert bk.codes(customer, "onboarding", "2026-04-03T16:00", minutes=60) == []
    assert bk.codes(customer, "onboarding", "2026-04-03T16:30", minutes=60) == [
        "outside-working-hours"
    ]
    (violation,) = bk.refused(customer, "onboarding", "2026-04-06T10:00")
    assert "Sat 4 Apr 2026" in violation.message


def test_example_8_message_names_the_deadline_tuesday_24_november_17(bk: Book) -> None:
    silver = bk.customer("Acme", package="silver")
    (violation,) = bk.refused(
        silver, "screen-share", "2026-11-27T10:00", requested="2026-11-25T12:00"
    )
    assert violation.rule == "short-notice"
    assert "Tue 24 Nov 17:00" in violation.message


def test_example_8_cli_message_names_the_deadline(
    book_location: Path | str, tmp_path: Path
) -> None:
    db = book_location
    cli_customer(db, "Acme", package="silver")
    run = cli(db, *_cli_book("screen-share", "2026-11-27T10:00", "--requested", "2026-11-25T12:00"))
    assert run.code == 3
    (violation,) = run.data["violations"]
    assert violation["rule"] == "short-notice"
    assert "Tue 24 Nov 17:00" in violation["message"]


def test_example_8_thanksgiving_message_names_the_holiday(bk: Book) -> None:
    silver = bk.customer("Acme", package="silver")
    (violation,) = bk.refused(
        silver, "screen-share", "2026-11-26T10:00", requested="2026-11-02T10:00"
    )
    assert "Thanksgiving" in violation.message
