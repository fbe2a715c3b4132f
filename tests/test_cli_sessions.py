"""The session commands of the CLI, per shared/CLI.md: book, move, cancel, done, no-show,
sessions, slots and plan, with their JSON keys, offsets and exit codes 0 / 2 / 3."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sessions_helpers import SESSION_KEYS, CliRun, cli, cli_customer


@pytest.fixture
def db(book_location: Path | str, tmp_path: Path) -> Path:
    path = book_location
    cli_customer(path, "Acme")
    return path


def book(db: Path, *args: str, customer: str = "Acme") -> CliRun:
    return cli(db, "book", "--customer", customer, *args)


def booked(db: Path, *args: str, customer: str = "Acme") -> dict[str, Any]:
    run = book(db, *args, customer=customer)
    assert run.code == 0, run.err
    data: dict[str, Any] = run.data
    return data


def listing(db: Path, *args: str) -> list[dict[str, Any]]:
    run = cli(db, "sessions", *args)
    assert run.code == 0, run.err
    sessions: list[dict[str, Any]] = run.data["sessions"]
    return sessions


# --- book ------------------------------------------------------------------------------------


def test_book_json_has_the_contract_keys_and_times_with_offsets(db: Path) -> None:
    data = booked(
        db,
        "--kind",
        "screen-share",
        "--start",
        "2026-03-17T10:00",
        "--minutes",
        "45",
        "--requested",
        "2026-03-16T09:15",
        "--title",
        "Dashboards",
    )
    assert set(data) >= SESSION_KEYS
    assert isinstance(data["id"], int)
    assert data["uid"].endswith("@amplan")
    assert data["customers"] == ["Acme"]
    assert data["kind"] == "screen-share"
    assert data["start"] == "2026-03-17T10:00:00-04:00"
    assert data["end"] == "2026-03-17T10:45:00-04:00"
    assert data["requested"] == "2026-03-16T09:15:00-04:00"
    assert data["status"] == "planned"
    assert data["billable"] is False
    assert data["override_reason"] is None
    assert data["sequence"] == 0
    assert data["warnings"] == []
    assert listing(db) == [data]


def test_book_accepts_times_with_an_offset_and_answers_in_et(db: Path) -> None:
    data = booked(db, "--kind", "assistance", "--start", "2026-01-13T15:00:00+00:00")
    assert data["start"] == "2026-01-13T10:00:00-05:00"
    assert data["end"] == "2026-01-13T11:00:00-05:00"  # the kind's default length


def test_book_end_time_and_billable(db: Path) -> None:
    data = booked(
        db,
        "--kind",
        "onboarding",
        "--start",
        "2026-01-07T09:00",
        "--end",
        "2026-01-07T12:30",
        "--billable",
    )
    assert data["end"] == "2026-01-07T12:30:00-05:00"
    assert data["billable"] is True


def test_book_event_plan_is_all_day_with_inclusive_end(db: Path) -> None:
    data = booked(db, "--kind", "event-plan", "--start", "2026-05-05", "--end", "2026-05-07")
    assert (data["start"], data["end"]) == ("2026-05-05", "2026-05-07")
    assert data["all_day"] is True


def test_book_dry_run_saves_nothing(db: Path) -> None:
    run = book(db, "--kind", "assistance", "--start", "2026-03-17T10:00", "--dry-run")
    assert run.code == 0
    assert run.data["id"] is None
    assert "nothing saved" in run.err
    assert listing(db) == []


def test_refused_booking_is_exit_3_with_violations_on_stdout(db: Path) -> None:
    run = book(
        db,
        "--kind",
        "screen-share",
        "--start",
        "2026-03-17T16:30",
        "--minutes",
        "90",
        "--requested",
        "2026-03-02T09:00",
    )
    assert run.code == 3
    assert set(run.data) == {"violations"}
    assert run.rules == ["outside-working-hours", "too-long"]
    assert all(set(v) == {"rule", "message"} for v in run.data["violations"])
    assert "refused (too-long)" in run.err
    assert "Nothing was saved" in run.err
    assert listing(db) == []


def test_refused_booking_without_json_prints_nothing_on_stdout(db: Path) -> None:
    run = cli(
        db,
        "book",
        "--customer",
        "Acme",
        "--kind",
        "assistance",
        "--start",
        "2026-03-14T10:00",
        as_json=False,
    )
    assert run.code == 3
    assert run.out == ""
    assert "outside-working-hours" in run.err


def test_override_books_with_its_reason_and_warnings(db: Path) -> None:
    data = booked(
        db, "--kind", "assistance", "--start", "2026-03-14T10:00", "--override", "Go-live weekend"
    )
    assert data["override_reason"] == "Go-live weekend"
    assert any("outside-working-hours" in w for w in data["warnings"])
    assert listing(db)[0]["override_reason"] == "Go-live weekend"


@pytest.mark.parametrize("reason", ["", "  "])
def test_override_without_a_reason_is_exit_2_and_saves_nothing(db: Path, reason: str) -> None:
    run = book(db, "--kind", "assistance", "--start", "2026-03-14T10:00", "--override", reason)
    assert run.code == 2
    assert "reason" in run.err
    assert run.out == ""
    assert listing(db) == []


def test_round_table_with_several_customers(db: Path) -> None:
    cli_customer(db, "Beta")
    data = booked(db, "--kind", "round-table", "--start", "2026-03-17T13:00", "--with", "Beta")
    assert sorted(data["customers"]) == ["Acme", "Beta"]
    assert data["end"] == "2026-03-17T14:30:00-04:00"
    assert len(listing(db, "--customer", "Beta")) == 1


# --- bad input: exit 2, a message, never a traceback, nothing saved --------------------------


def _acme(kind: str, start: str, *more: str) -> list[str]:
    return ["--customer", "Acme", "--kind", kind, "--start", start, *more]


ASSISTANCE = "2026-03-17T10:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--customer", "Nobody", "--kind", "assistance", "--start", ASSISTANCE], "Nobody"),
        (_acme("assistance", "17/03/2026 10:00"), "ISO"),
        (_acme("assistance", "2026-03-08T02:30"), "does not exist"),  # the DST gap
        (_acme("assistance", ASSISTANCE, "--minutes", "0"), "from 1 to a day"),
        (_acme("assistance", ASSISTANCE, "--minutes", "9999999999999"), "from 1 to a day"),
        (_acme("assistance", "9999-12-31T10:00"), "out of range"),
        (_acme("assistance", ASSISTANCE, "--end", "2026-03-17T09:00"), "end after it starts"),
        (_acme("assistance", ASSISTANCE, "--end", "2026-03-17"), "date and time"),
        (_acme("event-plan", "2026-05-05", "--minutes", "60"), "all-day"),
        (_acme("event-plan", "2026-05-07", "--end", "2026-05-05"), "before"),
        (_acme("event-plan", "May 5"), "date"),
        (_acme("nap", ASSISTANCE), "nap"),
        (_acme("assistance", ASSISTANCE, "--with", "Acme"), "round table"),
        (_acme("round-table", "2026-03-17T13:00", "--with", "Acme"), "twice"),
        (_acme("assistance", ASSISTANCE, "--requested", "yesterday"), "yesterday"),
    ],
)
def test_book_bad_input_is_exit_2(db: Path, args: list[str], message: str) -> None:
    run = cli(db, "book", *args)
    assert run.code == 2, run.err
    assert message in run.err
    assert run.out == ""
    assert listing(db) == []


def test_both_minutes_and_end_is_a_usage_error(db: Path) -> None:
    run = book(
        db,
        "--kind",
        "assistance",
        "--start",
        "2026-03-17T10:00",
        "--minutes",
        "30",
        "--end",
        "2026-03-17T11:00",
    )
    assert run.code == 2
    assert listing(db) == []


@pytest.mark.parametrize(
    "command",
    [
        ["move", "999", "--start", "2026-03-18T10:00"],
        ["move", "abc", "--start", "2026-03-18T10:00"],
        ["cancel", "999"],
        ["done", "999"],
        ["no-show", "42"],
    ],
)
def test_unknown_session_id_is_exit_2(db: Path, command: list[str]) -> None:
    run = cli(db, *command)
    assert run.code == 2
    assert "No session" in run.err
    assert run.out == ""


# --- move --------------------------------------------------------------------------------------


def test_move_keeps_identity_and_length_and_raises_the_sequence(db: Path) -> None:
    first = booked(db, "--kind", "assistance", "--start", "2026-03-17T10:00", "--minutes", "90")
    run = cli(db, "move", str(first["id"]), "--start", "2026-03-18T14:00")
    assert run.code == 0, run.err
    moved = run.data
    assert set(moved) >= SESSION_KEYS
    assert (moved["id"], moved["uid"]) == (first["id"], first["uid"])
    assert moved["sequence"] == 1
    assert (moved["start"], moved["end"]) == (
        "2026-03-18T14:00:00-04:00",
        "2026-03-18T15:30:00-04:00",
    )
    assert listing(db) == [moved]


def test_move_with_new_length_and_refusal(db: Path) -> None:
    first = booked(db, "--kind", "assistance", "--start", "2026-03-17T10:00")
    longer = cli(db, "move", str(first["id"]), "--start", "2026-03-17T10:00", "--minutes", "120")
    assert longer.code == 0
    assert longer.data["end"] == "2026-03-17T12:00:00-04:00"
    refused = cli(db, "move", str(first["id"]), "--start", "2026-03-17T16:00")
    assert refused.code == 3
    assert refused.rules == ["outside-working-hours"]
    assert listing(db)[0]["end"] == "2026-03-17T12:00:00-04:00"
    assert listing(db)[0]["sequence"] == 1


def test_move_override_is_kept(db: Path) -> None:
    first = booked(db, "--kind", "assistance", "--start", "2026-03-17T10:00")
    run = cli(
        db, "move", str(first["id"]), "--start", "2026-03-17T17:00", "--override", "Customer in LA"
    )
    assert run.code == 0
    assert run.data["override_reason"] == "Customer in LA"
    assert run.data["warnings"]


def test_move_of_a_screen_share_checks_notice_with_the_new_request_time(db: Path) -> None:
    first = booked(
        db,
        "--kind",
        "screen-share",
        "--start",
        "2026-03-17T10:00",
        "--requested",
        "2026-03-10T10:00",
    )
    late = cli(
        db,
        "move",
        str(first["id"]),
        "--start",
        "2026-03-18T10:00",
        "--requested",
        "2026-03-17T17:30",
    )
    assert late.code == 3
    assert late.rules == ["short-notice"]
    ok = cli(
        db,
        "move",
        str(first["id"]),
        "--start",
        "2026-03-18T10:00",
        "--requested",
        "2026-03-17T16:30",
    )
    assert ok.code == 0
    assert ok.data["requested"] == "2026-03-17T16:30:00-04:00"


# --- cancel / done / no-show ----------------------------------------------------------------


@pytest.fixture
def past_db(tmp_path: Path) -> Path:
    """A customer whose sessions are long past, whatever today is."""
    path = tmp_path / "past.sqlite"
    cli_customer(path, "Old", "SpiraPlan", 120, "2020-01-06", "gold")
    return path


@pytest.mark.parametrize(("command", "status"), [("done", "done"), ("no-show", "no-show")])
def test_past_session_can_be_marked_done_or_no_show(
    past_db: Path, command: str, status: str
) -> None:
    session = booked(past_db, "--kind", "onboarding", "--start", "2020-01-07T10:00", customer="Old")
    run = cli(past_db, command, str(session["id"]))
    assert run.code == 0, run.err
    assert set(run.data) >= SESSION_KEYS
    assert run.data["status"] == status
    assert run.data["sequence"] == 1
    assert run.data["uid"] == session["uid"]
    assert listing(past_db)[0]["status"] == status


def test_future_session_cannot_be_marked_done(tmp_path: Path) -> None:
    db = tmp_path / "future.sqlite"
    cli_customer(db, "Future", "SpiraPlan", 120, "2040-01-09", "gold")
    session = booked(db, "--kind", "onboarding", "--start", "2040-01-10T10:00", customer="Future")
    for command in ("done", "no-show"):
        run = cli(db, command, str(session["id"]))
        assert run.code == 2
        assert "has not started yet" in run.err
        assert "Tue 10 Jan 2040" in run.err
    assert listing(db)[0]["status"] == "planned"


def test_cancel_then_cancel_again(db: Path) -> None:
    session = booked(db, "--kind", "assistance", "--start", "2026-03-17T10:00")
    run = cli(db, "cancel", str(session["id"]))
    assert run.code == 0
    assert run.data["status"] == "cancelled"
    again = cli(db, "cancel", str(session["id"]))
    assert again.code == 2
    assert "already cancelled" in again.err
    moved = cli(db, "move", str(session["id"]), "--start", "2026-03-18T10:00")
    assert moved.code == 2
    # The cancelled session no longer holds the time.
    booked(db, "--kind", "onboarding", "--start", "2026-03-17T10:00")


# --- sessions ----------------------------------------------------------------------------------


def test_sessions_filters(db: Path) -> None:
    cli_customer(db, "Beta")
    booked(db, "--kind", "assistance", "--start", "2026-03-17T10:00")
    booked(db, "--kind", "screen-share", "--start", "2026-03-18T10:00", "--requested", "2026-03-01")
    booked(db, "--kind", "assistance", "--start", "2026-03-20T10:00", customer="Beta")
    booked(db, "--kind", "assistance", "--start", "2026-04-02T10:00")
    every = listing(db)
    assert [s["start"][:10] for s in every] == [
        "2026-03-17",
        "2026-03-18",
        "2026-03-20",
        "2026-04-02",
    ]
    assert all(set(s) >= SESSION_KEYS for s in every)
    assert len(listing(db, "--customer", "Acme")) == 3
    assert len(listing(db, "--customer", "Beta")) == 1
    assert len(listing(db, "--kind", "screen-share")) == 1
    assert len(listing(db, "--from", "2026-03-18", "--to", "2026-03-20")) == 2
    assert len(listing(db, "--from", "2026-03-21")) == 1
    assert len(listing(db, "--customer", "Acme", "--kind", "assistance", "--to", "2026-03-31")) == 1
    empty = cli(db, "sessions", "--from", "2027-01-01")
    assert empty.code == 0
    assert empty.data == {"sessions": []}


@pytest.mark.parametrize(
    "args",
    [
        ["--customer", "Nobody"],
        ["--from", "2026-13-01"],
        ["--from", "2026-03-20", "--to", "2026-03-01"],
        ["--kind", "nap"],
    ],
)
def test_sessions_bad_input_is_exit_2(db: Path, args: list[str]) -> None:
    run = cli(db, "sessions", *args)
    assert run.code == 2
    assert run.out == ""


def test_customer_by_numeric_id(db: Path) -> None:
    data = booked(db, "--kind", "assistance", "--start", "2026-03-17T10:00", customer="1")
    assert data["customers"] == ["Acme"]


# --- plan ----------------------------------------------------------------------------------------
# `plan` proposes from now on, so these use a customer far in the future.

FUTURE_START = date(2035, 1, 8)


@pytest.fixture
def future_db(tmp_path: Path) -> Path:
    path = tmp_path / "plan.sqlite"
    cli_customer(path, "Later", "SpiraPlan", 120, FUTURE_START.isoformat(), "gold")
    cli_customer(path, "Small", "SpiraTest", 10, FUTURE_START.isoformat(), "none")
    return path


def _plan(db: Path, *args: str) -> CliRun:
    return cli(db, "plan", *args)


def test_plan_json_proposes_onboarding_and_cadence(future_db: Path) -> None:
    until = (FUTURE_START + timedelta(days=200)).isoformat()
    run = _plan(
        future_db, "--customer", "Later", "--from", FUTURE_START.isoformat(), "--until", until
    )
    assert run.code == 0, run.err
    assert set(run.data) == {"proposed", "applied", "unplanned"}
    assert run.data["unplanned"] == []
    assert all(p["warnings"] == [] for p in run.data["proposed"])
    assert run.data["applied"] is False
    proposed = run.data["proposed"]
    kinds = [p["kind"] for p in proposed]
    assert kinds.count("onboarding") == 8
    assert kinds.count("cadence") == 3  # quarters from 8 Jan, 8 Apr, 8 Jul
    for item in proposed:
        assert item["customers"] == ["Later"]
        start = datetime.fromisoformat(item["start"])
        assert start.utcoffset() is not None
        assert FUTURE_START <= start.date() <= FUTURE_START + timedelta(days=200)
        assert datetime.fromisoformat(item["end"]) > start
    assert listing(future_db) == []


def test_plan_apply_books_and_planning_again_proposes_nothing(future_db: Path) -> None:
    args = ["--from", FUTURE_START.isoformat(), "--until", "2035-06-30"]
    run = _plan(future_db, "--all", *args, "--apply")
    assert run.code == 0, run.err
    assert run.data["applied"] is True
    proposed = run.data["proposed"]
    assert all({"id", "uid", "status"} <= set(p) for p in proposed)
    sessions = listing(future_db)
    assert sorted(s["id"] for s in sessions) == sorted(p["id"] for p in proposed)
    assert {s["customers"][0] for s in sessions} == {"Later", "Small"}
    again = _plan(future_db, "--all", *args)
    assert again.code == 0
    assert again.data == {"proposed": [], "applied": False, "unplanned": []}


def test_plan_of_an_entirely_past_range_is_exit_2(future_db: Path) -> None:
    run = _plan(future_db, "--customer", "Later", "--from", "2020-01-01", "--until", "2020-03-31")
    assert run.code == 2
    assert "already past" in run.err
    assert run.out == ""


@pytest.mark.parametrize(
    "args",
    [
        ["--customer", "Nobody"],
        ["--customer", "Later", "--from", "2035-02-01", "--until", "2035-01-01"],
        ["--customer", "Later", "--from", "someday"],
        ["--customer", "Later", "--all"],
        [],
    ],
)
def test_plan_bad_input_is_exit_2(future_db: Path, args: list[str]) -> None:
    run = _plan(future_db, *args)
    assert run.code == 2
    assert listing(future_db) == []


def test_plan_customer_apply(future_db: Path) -> None:
    args = ["--customer", "Small", "--from", FUTURE_START.isoformat(), "--until", "2035-03-31"]
    run = _plan(future_db, *args, "--apply")
    assert run.code == 0, run.err
    assert run.data["applied"] is True
    (item,) = run.data["proposed"]
    assert (item["kind"], item["status"]) == ("onboarding", "planned")
    (stored,) = listing(future_db)
    assert (stored["id"], stored["uid"], stored["start"]) == (
        item["id"],
        item["uid"],
        item["start"],
    )
    assert _plan(future_db, *args).data["proposed"] == []


# --- all-day sessions on the command line ----------------------------------------------------


def test_moving_an_event_plan_keeps_its_number_of_days(db: Path) -> None:
    plan = booked(db, "--kind", "event-plan", "--start", "2026-05-05", "--end", "2026-05-07")
    run = cli(db, "move", str(plan["id"]), "--start", "2026-05-12")
    assert run.code == 0
    assert (run.data["start"], run.data["end"]) == ("2026-05-12", "2026-05-14")


def test_slots_of_a_three_day_event_plan_end_on_the_third_day(db: Path) -> None:
    run = cli(
        db,
        "slots",
        "--customer",
        "Acme",
        "--kind",
        "event-plan",
        "--minutes",
        str(3 * 24 * 60),
        "--from",
        "2026-06-01T00:00",
        "--count",
        "1",
    )
    assert run.code == 0
    assert run.data["slots"] == [{"start": "2026-06-01", "end": "2026-06-03"}]


def test_slots_of_a_one_day_event_plan(db: Path) -> None:
    run = cli(
        db,
        "slots",
        "--customer",
        "Acme",
        "--kind",
        "event-plan",
        "--from",
        "2026-07-03T00:00",
        "--count",
        "2",
    )
    assert run.code == 0
    # An event plan may fall on a holiday or a weekend (a go-live often does).
    assert run.data["slots"] == [
        {"start": "2026-07-03", "end": "2026-07-03"},
        {"start": "2026-07-04", "end": "2026-07-04"},
    ]


def test_an_event_plan_over_fourteen_days_is_too_long_and_overridable(db: Path) -> None:
    args = ["--kind", "event-plan", "--start", "2026-05-04", "--end", "2026-05-22"]
    run = book(db, *args, "--json")
    assert run.code == 3
    assert [v["rule"] for v in run.data["violations"]] == ["too-long"]
    assert "--override REASON books it anyway" in run.err
    run = book(db, *args, "--override", "the customer insists", "--json")
    assert run.code == 0, run.err
    assert run.data["override_reason"] == "the customer insists"


def test_an_impossible_shape_is_refused_without_offering_an_override(db: Path) -> None:
    run = book(
        db,
        "--kind",
        "assistance",
        "--start",
        "2026-05-04T23:30",
        "--end",
        "2026-05-05T00:30",
        "--override",
        "the customer insists",
    )
    assert run.code == 3
    assert "invalid-duration" in run.err
    assert "--override REASON" not in run.err and "No override lifts this" in run.err
    assert cli(db, "sessions", "--json").data["sessions"] == []


def test_a_customer_start_out_of_range_is_refused_and_nothing_saved(db: Path) -> None:
    run = cli(
        db,
        "customer",
        "add",
        "--name",
        "Far",
        "--product",
        "SpiraTest",
        "--users",
        "5",
        "--start",
        "9999-12-31",
    )
    assert run.code == 2
    assert "out of range" in run.err
    assert [c["name"] for c in cli(db, "customer", "list", "--json").data["customers"]] == ["Acme"]
