"""The scheduler: a refused action saves nothing, overrides need a reason and are kept,
moves keep the session's identity, status changes, and listing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from desktop.errors import BadInput
from desktop.services.scheduling.sessions import RuleRefusal, SessionRecord

from sessions_helpers import Book, open_book, rules_of


@pytest.fixture
def bk(book_location: Path | str, tmp_path: Path) -> Iterator[Book]:
    with open_book(book_location) as book:
        yield book


# --- booking -----------------------------------------------------------------------------------


def test_booking_saves_the_session_and_one_audit_entry(bk: Book) -> None:
    acme = bk.customer("Acme")
    record = bk.book(acme, "assistance", "2026-03-17T10:00", minutes=90, title="Reports")
    assert record.id > 0
    assert record.uid.endswith("@amplan")
    assert record.customers == ("Acme",)
    assert record.status == "planned"
    assert record.sequence == 0
    assert record.minutes == 90
    stored = bk.scheduler.get(record.id)
    assert (stored.start_utc, stored.end_utc) == (record.start_utc, record.end_utc)
    assert stored.title == "Reports"
    (entry,) = bk.scheduler.audit_trail(record.id)
    assert entry.action == "book"
    assert json.loads(entry.details)["customers"] == ["Acme"]


def test_the_request_time_is_recorded_on_the_session(bk: Book) -> None:
    acme = bk.customer("Acme")
    record = bk.book(acme, "screen-share", "2026-03-17T10:00", requested="2026-03-16T15:45")
    assert bk.scheduler.get(record.id).requested_utc == bk.t("2026-03-16T15:45")


def test_a_dry_run_checks_and_saves_nothing(bk: Book) -> None:
    acme = bk.customer("Acme")
    outcome = bk.dry(acme, "assistance", "2026-03-17T10:00")
    assert not outcome.saved
    assert outcome.violations == []
    assert outcome.session.id == 0
    assert (bk.session_count(), bk.audit_count()) == (0, 0)


def test_a_refused_booking_saves_nothing(bk: Book) -> None:
    acme = bk.customer("Acme")
    bk.book(acme, "assistance", "2026-03-17T10:00")
    sessions, audit = bk.session_count(), bk.audit_count()
    with pytest.raises(RuleRefusal) as caught:
        bk.scheduler.book(bk.request(acme, "assistance", "2026-03-17T10:30"))
    assert caught.value.exit_code == 3
    assert rules_of(caught.value.violations) == ["conflict"]
    assert (bk.session_count(), bk.audit_count()) == (sessions, audit)


def test_a_refusal_reports_every_broken_rule(bk: Book) -> None:
    silver = bk.customer("Acme", package="silver")
    violations = bk.refused(
        silver, "screen-share", "2026-03-17T16:30", minutes=90, requested="2026-03-17T08:00"
    )
    assert set(rules_of(violations)) == {"outside-working-hours", "short-notice", "too-long"}


@pytest.mark.parametrize(
    ("kind", "who"),
    [("assistance", 2), ("round-table", 1)],
)
def test_shape_errors_are_bad_input_not_rule_refusals(bk: Book, kind: str, who: int) -> None:
    acme = bk.customer("Acme")
    other = bk.customer("Other")
    customers = [acme, other] if who == 2 else [acme, acme]
    with pytest.raises(BadInput):
        bk.scheduler.book(bk.request(customers, kind, "2026-03-17T10:00"))
    assert bk.session_count() == 0


# --- override ------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_override_needs_a_written_reason(bk: Book, reason: str) -> None:
    acme = bk.customer("Acme")
    with pytest.raises(BadInput, match="reason") as caught:
        bk.scheduler.book(bk.request(acme, "assistance", "2026-03-17T18:00", override=reason))
    assert caught.value.exit_code == 2
    assert (bk.session_count(), bk.audit_count()) == (0, 0)


def test_an_override_is_kept_with_the_session_and_in_the_audit_log(bk: Book) -> None:
    acme = bk.customer("Acme")
    record = bk.book(
        acme, "assistance", "2026-03-17T18:00", override="  Go-live week, agreed by phone  "
    )
    assert record.override_reason == "Go-live week, agreed by phone"
    assert any("outside-working-hours" in w for w in record.warnings)
    stored = bk.scheduler.get(record.id)
    assert stored.override_reason == "Go-live week, agreed by phone"
    (entry,) = bk.scheduler.audit_trail(record.id)
    details = json.loads(entry.details)
    assert details["override_reason"] == "Go-live week, agreed by phone"
    assert [v["rule"] for v in details["overridden"]] == ["outside-working-hours"]


def test_an_override_of_a_move_is_kept_in_the_audit_log(bk: Book) -> None:
    acme = bk.customer("Acme")
    record = bk.book(acme, "assistance", "2026-03-17T10:00")
    moved = bk.scheduler.move(
        record.id, bk.times("assistance", "2026-03-17T17:30"), override_reason="Customer in LA"
    )
    assert moved.saved
    assert bk.scheduler.get(record.id).override_reason == "Customer in LA"
    entry = bk.scheduler.audit_trail(record.id)[-1]
    assert entry.action == "move"
    assert json.loads(entry.details)["override_reason"] == "Customer in LA"


def test_overridden_sessions_still_count_against_the_allowance(bk: Book) -> None:
    small = bk.customer("Small", product="SpiraTest", users=10, package="none")  # 1 hour
    bk.book(small, "onboarding", "2026-01-07T17:00", minutes=60, override="late start agreed")
    assert bk.codes(small, "onboarding", "2026-01-08T10:00", minutes=30) == ["hours-exceeded"]


# --- move ----------------------------------------------------------------------------------------


def test_a_move_keeps_id_and_uid_and_raises_the_sequence(bk: Book) -> None:
    acme = bk.customer("Acme")
    record = bk.book(acme, "assistance", "2026-03-17T10:00", minutes=60)
    outcome = bk.scheduler.move(record.id, bk.times("assistance", "2026-03-18T14:00", 60))
    assert outcome.saved
    moved = bk.scheduler.get(record.id)
    assert (moved.id, moved.uid) == (record.id, record.uid)
    assert moved.sequence == record.sequence + 1
    assert bk.clock.et(moved.start_utc).isoformat() == "2026-03-18T14:00:00-04:00"
    assert bk.session_count() == 1
    again = bk.scheduler.move(record.id, bk.times("assistance", "2026-03-19T14:00", 60))
    assert again.session.sequence == record.sequence + 2


def test_a_move_may_overlap_the_sessions_own_old_time(bk: Book) -> None:
    acme = bk.customer("Acme")
    record = bk.book(acme, "assistance", "2026-03-17T10:00", minutes=60)
    outcome = bk.scheduler.move(record.id, bk.times("assistance", "2026-03-17T10:30", 60))
    assert outcome.violations == []


def test_a_move_does_not_count_the_session_against_its_own_quota(bk: Book) -> None:
    silver = bk.customer("Acme", package="silver")
    bk.book(silver, "screen-share", "2026-03-03T10:00")
    second = bk.book(silver, "screen-share", "2026-03-04T10:00")
    outcome = bk.scheduler.move(
        second.id,
        bk.times("screen-share", "2026-03-24T10:00", 60),
        requested_utc=bk.t("2026-03-10T10:00"),
    )
    assert outcome.saved


def test_a_refused_move_changes_nothing(bk: Book) -> None:
    acme = bk.customer("Acme")
    record = bk.book(acme, "assistance", "2026-03-17T10:00")
    audit = bk.audit_count()
    with pytest.raises(RuleRefusal) as caught:
        bk.scheduler.move(record.id, bk.times("assistance", "2026-03-21T10:00"))
    assert rules_of(caught.value.violations) == ["outside-working-hours"]
    assert bk.scheduler.get(record.id) == record
    assert bk.audit_count() == audit


def test_a_move_is_revalidated_against_other_sessions(bk: Book) -> None:
    acme = bk.customer("Acme")
    bk.book(acme, "assistance", "2026-03-17T10:00")
    second = bk.book(acme, "onboarding", "2026-03-17T14:00")
    with pytest.raises(RuleRefusal) as caught:
        bk.scheduler.move(second.id, bk.times("onboarding", "2026-03-17T10:30"))
    assert rules_of(caught.value.violations) == ["conflict"]


def test_a_cancelled_session_does_not_move(bk: Book) -> None:
    acme = bk.customer("Acme")
    record = bk.book(acme, "assistance", "2026-03-17T10:00")
    bk.scheduler.set_status(record.id, "cancelled")
    with pytest.raises(BadInput, match="cancelled"):
        bk.scheduler.move(record.id, bk.times("assistance", "2026-03-18T10:00"))


def test_a_dry_run_move_saves_nothing(bk: Book) -> None:
    acme = bk.customer("Acme")
    record = bk.book(acme, "assistance", "2026-03-17T10:00")
    outcome = bk.scheduler.move(record.id, bk.times("assistance", "2026-03-18T10:00"), dry_run=True)
    assert not outcome.saved
    assert bk.scheduler.get(record.id) == record


# --- update (the editor's Save) --------------------------------------------------------------


def test_an_update_is_revalidated_and_a_refused_one_saves_nothing(bk: Book) -> None:
    acme = bk.customer("Acme")
    record = bk.book(acme, "assistance", "2026-03-17T10:00")
    with pytest.raises(RuleRefusal) as caught:
        bk.scheduler.update(record.id, bk.request(acme, "screen-share", "2026-03-17T10:00", 90))
    assert rules_of(caught.value.violations) == ["too-long"]
    assert bk.scheduler.get(record.id) == record
    outcome = bk.scheduler.update(
        record.id, bk.request(acme, "screen-share", "2026-03-17T10:00", 60, title="Demo")
    )
    stored = bk.scheduler.get(record.id)
    assert outcome.saved
    assert (stored.kind, stored.title, stored.uid) == ("screen-share", "Demo", record.uid)
    assert stored.sequence == 1
    assert bk.scheduler.audit_trail(record.id)[-1].action == "edit"


# --- status --------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["done", "no-show", "cancelled"])
def test_status_changes_are_saved_audited_and_raise_the_sequence(bk: Book, status: str) -> None:
    acme = bk.customer("Acme")
    record = bk.book(acme, "assistance", "2026-03-17T10:00")
    changed = bk.mark(record, status)
    assert changed.status == status
    assert changed.sequence == 1
    assert bk.scheduler.get(record.id).status == status
    entry = bk.scheduler.audit_trail(record.id)[-1]
    assert entry.action == status
    assert json.loads(entry.details) == {"from": "planned", "to": status}


@pytest.mark.parametrize("status", ["done", "no-show"])
def test_a_future_session_cannot_be_marked_held_or_missed(bk: Book, status: str) -> None:
    acme = bk.customer("Acme")
    record = bk.book(acme, "assistance", "2026-03-17T10:00")
    before = record.start_utc - timedelta(minutes=1)
    with pytest.raises(BadInput, match="has not started yet") as caught:
        bk.scheduler.set_status(record.id, status, now=before)
    assert "Tue 17 Mar 2026" in str(caught.value)
    assert bk.scheduler.get(record.id).status == "planned"
    assert bk.scheduler.set_status(record.id, status, now=record.start_utc).status == status


def test_a_future_session_can_be_cancelled(bk: Book) -> None:
    acme = bk.customer("Acme")
    record = bk.book(acme, "assistance", "2026-03-17T10:00")
    changed = bk.scheduler.set_status(record.id, "cancelled", now=bk.t("2026-03-01T10:00"))
    assert changed.status == "cancelled"


def test_a_cancelled_session_stays_cancelled(bk: Book) -> None:
    acme = bk.customer("Acme")
    record = bk.book(acme, "assistance", "2026-03-17T10:00")
    bk.scheduler.set_status(record.id, "cancelled")
    with pytest.raises(BadInput, match="already cancelled"):
        bk.scheduler.set_status(record.id, "cancelled")
    with pytest.raises(BadInput, match="cancelled"):
        bk.mark(record, "done")


def test_unknown_status_and_unknown_session_are_bad_input(bk: Book) -> None:
    acme = bk.customer("Acme")
    record = bk.book(acme, "assistance", "2026-03-17T10:00")
    with pytest.raises(BadInput):
        bk.scheduler.set_status(record.id, "postponed")
    with pytest.raises(BadInput, match="No session"):
        bk.scheduler.get(999)
    with pytest.raises(BadInput, match="No session"):
        bk.scheduler.get("abc")


# --- listing -----------------------------------------------------------------------------------


@pytest.fixture
def listed(bk: Book) -> Book:
    acme = bk.customer("Acme")
    beta = bk.customer("Beta")
    bk.book(beta, "assistance", "2026-03-18T10:00")
    bk.book(acme, "assistance", "2026-03-17T10:00")
    bk.book(acme, "screen-share", "2026-03-17T14:00")
    cancelled = bk.book(acme, "onboarding", "2026-03-19T10:00")
    bk.scheduler.set_status(cancelled.id, "cancelled")
    bk.book(acme, "assistance", "2026-04-01T10:00")
    return bk


def _summary(records: list[SessionRecord]) -> list[tuple[str, str, str]]:
    return [(r.customers[0], r.kind, r.status) for r in records]


def test_sessions_are_listed_earliest_first_cancelled_included(listed: Book) -> None:
    records = listed.scheduler.find()
    starts = [r.start_utc for r in records]
    assert starts == sorted(starts)
    assert _summary(records) == [
        ("Acme", "assistance", "planned"),
        ("Acme", "screen-share", "planned"),
        ("Beta", "assistance", "planned"),
        ("Acme", "onboarding", "cancelled"),
        ("Acme", "assistance", "planned"),
    ]
    assert len(listed.scheduler.find(include_cancelled=False)) == 4


def test_sessions_listed_by_customer_kind_and_date_range(listed: Book) -> None:
    acme = listed.customers.get("Acme")
    beta = listed.customers.get("Beta")
    assert len(listed.scheduler.find(customer=acme)) == 4
    assert _summary(listed.scheduler.find(customer=beta)) == [("Beta", "assistance", "planned")]
    assert len(listed.scheduler.find(kind="assistance")) == 3
    assert len(listed.scheduler.find(customer=acme, kind="assistance")) == 2
    march = listed.scheduler.find(
        first=listed.t("2026-03-17T00:00").date(), last=listed.t("2026-03-18T00:00").date()
    )
    assert _summary(march) == [
        ("Acme", "assistance", "planned"),
        ("Acme", "screen-share", "planned"),
        ("Beta", "assistance", "planned"),
    ]


def test_date_range_is_counted_in_et_days(bk: Book) -> None:
    from datetime import date

    acme = bk.customer("Acme", package="platinum")
    bk.book(acme, "assistance", "2026-03-31T23:00", minutes=30, override="Sydney team")
    in_march = bk.scheduler.find(first=date(2026, 3, 31), last=date(2026, 3, 31))
    in_april = bk.scheduler.find(first=date(2026, 4, 1), last=date(2026, 4, 1))
    assert len(in_march) == 1
    assert in_april == []


# --- warnings about the customer's own clock ---------------------------------------------------


def test_a_legal_time_that_is_late_for_the_customer_warns(bk: Book) -> None:
    paris = bk.customer("Paris SA", tz="Europe/Paris")
    record = bk.book(paris, "assistance", "2026-03-17T15:00", minutes=60)
    (warning,) = record.warnings
    assert "Europe/Paris" in warning
    assert "20:00-21:00" in warning
    morning = bk.book(paris, "onboarding", "2026-03-18T09:00", minutes=60)
    assert morning.warnings == ()
