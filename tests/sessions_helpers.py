"""Builders shared by the session-engine tests: a book on a temp file, customers, bookings, CLI.

Every time in these tests is written as ET wall clock ("2026-03-17T10:00"), as the user types
it, unless it carries its own offset. Screen-shares need notice, so a booking made here is
requested two weeks before it starts unless the test says otherwise: no test depends on today.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from desktop.app import AppContext, build_context
from desktop.cli import main
from desktop.models.tables import AuditEntry, SessionRow
from desktop.services.customers import CustomerDraft, CustomerRecord
from desktop.services.scheduling.rules import Violation
from desktop.services.scheduling.sessions import (
    BookingRequest,
    Outcome,
    RuleRefusal,
    SessionRecord,
    SessionTimes,
    parse_times,
)
from sqlalchemy import func
from sqlmodel import col, select

DEFAULT_LEAD = timedelta(days=14)

Who = CustomerRecord | Sequence[CustomerRecord]


class Book:
    """One manager's book on disk, with short ways to add customers and book sessions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.ctx: AppContext = build_context(path)
        self.clock = self.ctx.clock
        self.policy = self.ctx.policy
        self.scheduler = self.ctx.scheduler
        self.customers = self.ctx.customers

    def close(self) -> None:
        self.ctx.close()

    # --- customers ----------------------------------------------------------------------
    def customer(
        self,
        name: str,
        product: str = "SpiraPlan",
        users: int = 120,
        start: str = "2026-01-05",
        package: str = "gold",
        package_start: str = "",
        tz: str = "America/New_York",
    ) -> CustomerRecord:
        return self.customers.add(
            CustomerDraft(
                name=name,
                product=product,
                users=str(users),
                start=start,
                package=package,
                package_start=package_start,
                tz=tz,
            )
        )

    def owned(self, name: str, owner: str) -> CustomerRecord:
        """A gold SpiraPlan customer of `owner` (a team's book)."""
        return self.customers.add(
            CustomerDraft(
                name=name,
                product="SpiraPlan",
                users="120",
                start="2026-01-05",
                package="gold",
                tz="America/New_York",
                owner=owner,
            )
        )

    # --- times ----------------------------------------------------------------------------
    def t(self, text: str) -> datetime:
        """ET wall clock (or ISO with an offset) as an aware UTC instant."""
        return self.clock.parse(text)

    def times(
        self, kind: str, start: str, minutes: int | None = None, end: str | None = None
    ) -> SessionTimes:
        return parse_times(self.clock, self.policy, kind, start, minutes, end)

    # --- booking --------------------------------------------------------------------------
    def request(
        self,
        who: Who,
        kind: str,
        start: str,
        minutes: int | None = None,
        end: str | None = None,
        requested: str | None = None,
        billable: bool = False,
        override: str | None = None,
        title: str = "",
    ) -> BookingRequest:
        customers = (who,) if isinstance(who, CustomerRecord) else tuple(who)
        times = self.times(kind, start, minutes, end)
        requested_utc = self.t(requested) if requested else times.start_utc - DEFAULT_LEAD
        return BookingRequest(
            customers=customers,
            kind=kind,
            times=times,
            requested_utc=requested_utc,
            title=title,
            billable=billable,
            override_reason=override,
        )

    def book(self, who: Who, kind: str, start: str, **kwargs: Any) -> SessionRecord:
        """Book and save; the test fails if a rule refuses."""
        outcome = self.scheduler.book(self.request(who, kind, start, **kwargs))
        assert outcome.saved
        return outcome.session

    def dry(self, who: Who, kind: str, start: str, **kwargs: Any) -> Outcome:
        return self.scheduler.book(self.request(who, kind, start, **kwargs), dry_run=True)

    def refused(self, who: Who, kind: str, start: str, **kwargs: Any) -> list[Violation]:
        """Book, expect a refusal, check nothing was saved, and return the violations."""
        before = (self.session_count(), self.audit_count())
        with pytest.raises(RuleRefusal) as caught:
            self.scheduler.book(self.request(who, kind, start, **kwargs))
        assert (self.session_count(), self.audit_count()) == before
        return caught.value.violations

    def codes(self, who: Who, kind: str, start: str, **kwargs: Any) -> list[str]:
        """The rule codes a booking would meet ([] = the contract allows it); saves nothing."""
        proposal = self.scheduler.proposal_for(self.request(who, kind, start, **kwargs))
        return [v.rule for v in self.scheduler.validate(proposal)]

    # --- what is stored -------------------------------------------------------------------
    def session_count(self) -> int:
        with self.ctx.db.reading() as session:
            return int(session.exec(select(func.count()).select_from(SessionRow)).one())

    def audit_count(self) -> int:
        with self.ctx.db.reading() as session:
            query = select(func.count()).select_from(AuditEntry)
            # sessions' entries: customers' own changes are recorded too
            query = query.where(col(AuditEntry.session_id).is_not(None))
            return int(session.exec(query).one())

    def mark(self, record: SessionRecord, status: str) -> SessionRecord:
        """Set a status as if the session had taken place (now = the day after it)."""
        return self.scheduler.set_status(record.id, status, now=record.end_utc + timedelta(days=1))


@contextlib.contextmanager
def open_book(path: Path) -> Any:
    book = Book(path)
    try:
        yield book
    finally:
        book.close()


def rules_of(violations: Sequence[Violation]) -> list[str]:
    return [v.rule for v in violations]


def business_day_count(book: Book, first: date, last: date) -> int:
    return sum(
        1
        for n in range((last - first).days + 1)
        if book.clock.is_business_day(first + timedelta(days=n))
    )


# --- the command line -------------------------------------------------------------------------
@dataclass
class CliRun:
    code: int
    out: str
    err: str

    @property
    def data(self) -> Any:
        return json.loads(self.out)

    @property
    def rules(self) -> list[str]:
        return [v["rule"] for v in self.data["violations"]]


def cli(db: Path, *args: str, as_json: bool = True) -> CliRun:
    """Run `amplan --db DB ARGS [--json]` in-process; usage errors become their exit code."""
    out, err = io.StringIO(), io.StringIO()
    argv = ["--db", str(db), *args, *(["--json"] if as_json else [])]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
    assert "Traceback" not in err.getvalue()
    return CliRun(code, out.getvalue(), err.getvalue())


def cli_customer(
    db: Path,
    name: str,
    product: str = "SpiraPlan",
    users: int = 120,
    start: str = "2026-01-05",
    package: str = "gold",
    *extra: str,
) -> dict[str, Any]:
    run = cli(
        db,
        "customer",
        "add",
        "--name",
        name,
        "--product",
        product,
        "--users",
        str(users),
        "--start",
        start,
        "--package",
        package,
        *extra,
    )
    assert run.code == 0, run.err
    data: dict[str, Any] = run.data
    return data


SESSION_KEYS = {
    "id",
    "uid",
    "customers",
    "kind",
    "start",
    "end",
    "status",
    "requested",
    "billable",
    "override_reason",
    "sequence",
    "warnings",
}
