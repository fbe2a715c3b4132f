"""Sessions: booking, moving, cancelling and listing, each validated against the rules.

The only module that queries sessions, busy blocks and the audit log. Every public method
that changes something is one transaction; a refused action saves nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, true
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from desktop.errors import AmplanError, BadInput
from desktop.models.database import Database
from desktop.models.store_errors import row_id
from desktop.models.tables import AuditEntry, BusyBlock, Customer, SessionCustomer, SessionRow
from desktop.services.business_time import BusinessClock, format_day, to_utc, to_zone, zone
from desktop.services.calendar_files.attendees import Attendee, load_attendees
from desktop.services.customers import CustomerBook, CustomerRecord, parse_date
from desktop.services.history import Change, record_change
from desktop.services.mail.meeting_links import clean_meeting_url, profile_meeting_url
from desktop.services.policy import KIND_NAMES, Policy
from desktop.services.profile import ProfileStore
from desktop.services.scheduling.ledger import STATUSES, Booked, Busy, Ledger
from desktop.services.scheduling.rules import Proposal, Violation, check
from desktop.services.scheduling.status import SessionStatus

# Sessions of one kind never run longer than a day, so an overlap search looks this far back.
_LONGEST_TIMED = timedelta(days=1)
# A session outside these local hours gets a warning about the customer's own clock.
_CUSTOMER_DAY = (time(8), time(18))


# A request time this close to now is "now" (the editor rounds to the minute).
_BACKDATING_GRACE = timedelta(minutes=5)
# Violations no override can lift (the session would not be a session).
UNOVERRIDABLE = frozenset({"invalid-duration"})


class StaleEdit(BadInput):
    """The change was made on a copy of a session that someone has changed since."""


class RuleRefusal(AmplanError):
    """The contract does not allow the action; nothing was saved."""

    exit_code = 3

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations = list(violations)
        super().__init__(" ".join(v.message for v in self.violations))


@dataclass(frozen=True)
class SessionRecord:
    id: int
    uid: str
    kind: str
    customer_ids: tuple[int, ...]
    customers: tuple[str, ...]
    start_utc: datetime
    end_utc: datetime
    all_day: bool
    title: str
    notes: str
    status: str
    requested_utc: datetime
    billable: bool
    override_reason: str
    sequence: int
    warnings: tuple[str, ...] = ()
    meeting_url: str = ""
    attendees: tuple[Attendee, ...] = ()

    @property
    def minutes(self) -> int:
        return int((self.end_utc - self.start_utc).total_seconds() // 60)

    @property
    def counts(self) -> bool:
        return self.status != "cancelled"

    def as_booked(self) -> Booked:
        return Booked(
            id=self.id,
            kind=self.kind,
            customer_ids=self.customer_ids,
            start_utc=self.start_utc,
            end_utc=self.end_utc,
            all_day=self.all_day,
            status=self.status,
            billable=self.billable,
            title=self.display_title,
        )

    @property
    def display_title(self) -> str:
        return self.title or f"{', '.join(self.customers)} {self.kind}"

    def as_json(self, clock: BusinessClock) -> dict[str, Any]:
        if self.all_day:
            start: str = clock.et_date(self.start_utc).isoformat()
            end = (clock.et_date(self.end_utc) - timedelta(days=1)).isoformat()
        else:
            start, end = clock.et(self.start_utc).isoformat(), clock.et(self.end_utc).isoformat()
        return {
            "id": self.id,
            "uid": self.uid,
            "customers": list(self.customers),
            "kind": self.kind,
            "start": start,
            "end": end,
            "all_day": self.all_day,
            "title": self.title,
            "notes": self.notes,
            "status": self.status,
            "requested": clock.et(self.requested_utc).isoformat(),
            "billable": self.billable,
            "override_reason": self.override_reason or None,
            "sequence": self.sequence,
            "warnings": list(self.warnings),
            "attendees": [a.as_json() for a in self.attendees],
            "meeting_url": self.meeting_url or None,
        }


@dataclass(frozen=True)
class SessionTimes:
    start_utc: datetime
    end_utc: datetime
    all_day: bool

    @property
    def minutes(self) -> int:
        return int((self.end_utc - self.start_utc).total_seconds() // 60)


@dataclass(frozen=True)
class BookingRequest:
    customers: tuple[CustomerRecord, ...]
    kind: str
    times: SessionTimes
    requested_utc: datetime | None = None
    title: str = ""
    notes: str = ""
    billable: bool = False
    override_reason: str | None = None
    meeting_url: str | None = None  # None: the profile's default link


@dataclass
class Outcome:
    """What an action did or would do: the session, and what the rules said."""

    session: SessionRecord
    violations: list[Violation] = field(default_factory=list)
    saved: bool = False


def parse_times(
    clock: BusinessClock,
    policy: Policy,
    kind: str,
    start_text: str,
    minutes: int | None = None,
    end_text: str | None = None,
) -> SessionTimes:
    """Turn CLI-style text into session times: ISO instants, or dates (end inclusive) all-day."""
    info = policy.kind(kind)
    if info.all_day:
        first = _parse_date(start_text, "start")
        last = _parse_date(end_text, "end") if end_text else first
        if minutes is not None:
            raise BadInput(f"{info.plural} are all-day: give --start DATE --end DATE, not minutes.")
        if last < first:
            raise BadInput("The end date is before the start date.")
        return SessionTimes(
            to_utc(clock.midnight(first)), to_utc(clock.midnight(last + timedelta(days=1))), True
        )
    start_utc = clock.parse(start_text)
    if minutes is not None and end_text:
        raise BadInput("Give either --minutes or --end, not both.")
    if end_text:
        if len(end_text.strip()) == 10:
            raise BadInput(f"{info.plural} are timed: give --end as a date and time.")
        end_utc = clock.parse(end_text)
    else:
        length = minutes if minutes is not None else info.default_minutes
        if not 0 < length <= _LONGEST_TIMED.total_seconds() // 60:
            raise BadInput("--minutes must be a number of minutes from 1 to a day (1440).")
        end_utc = start_utc + timedelta(minutes=length)
    if end_utc <= start_utc:
        raise BadInput("The session must end after it starts.")
    if end_utc - start_utc > _LONGEST_TIMED:
        raise BadInput("A timed session cannot last more than a day; event plans are all-day.")
    return SessionTimes(start_utc, end_utc, False)


def _parse_date(text: str | None, what: str) -> date:
    return parse_date((text or "").strip()[:10], f"{what} date")


class Scheduler:
    """Books and changes sessions; the rules decide, this class loads, saves and audits."""

    def __init__(
        self,
        db: Database,
        policy: Policy,
        clock: BusinessClock,
        customers: CustomerBook,
        profiles: ProfileStore | None = None,
    ) -> None:
        self.db = db
        self.policy = policy
        self.clock = clock
        self.customers = customers
        self.profiles = profiles if profiles is not None else ProfileStore()

    # --- reading --------------------------------------------------------------------------
    def _records(self, session: Session, rows: Iterable[Any]) -> list[SessionRecord]:
        """Records of session rows (ORM rows, or plain rows of `_RECORD_COLUMNS`)."""
        rows = list(rows)
        members, names = _members(session, [row.id for row in rows if row.id is not None])
        records = [self._record(row, members.get(row.id or 0, []), names) for row in rows]
        attendees = load_attendees(session, records)
        return [replace(r, attendees=attendees.get(r.id, ())) for r in records]

    @staticmethod
    def _record(row: Any, customer_ids: list[int], names: dict[int, str]) -> SessionRecord:
        assert row.id is not None
        return SessionRecord(
            id=row.id,
            uid=row.uid,
            kind=row.kind,
            customer_ids=tuple(customer_ids),
            customers=tuple(names.get(cid, f"#{cid}") for cid in customer_ids),
            start_utc=row.start_utc,
            end_utc=row.end_utc,
            all_day=row.all_day,
            title=row.title,
            notes=row.notes,
            status=row.status,
            requested_utc=row.requested_utc,
            billable=row.billable,
            override_reason=row.override_reason,
            sequence=row.sequence,
            meeting_url=row.meeting_url,
        )

    def get(self, session_id: int | str) -> SessionRecord:
        with self.db.reading() as session:
            return self._get(session, session_id)

    def _get(self, session: Session, session_id: int | str) -> SessionRecord:
        text = str(session_id).strip()
        number = row_id(text)
        row = session.get(SessionRow, number) if number is not None else None
        if row is None:
            raise BadInput(f"No session with id '{text}'. `amplan sessions` lists them.")
        return self._records(session, [row])[0]

    def find(
        self,
        customer: CustomerRecord | None = None,
        first: date | None = None,
        last: date | None = None,
        kind: str | None = None,
        include_cancelled: bool = True,
        owner: str | None = None,
    ) -> list[SessionRecord]:
        """Sessions overlapping the ET days first..last, earliest first; `owner`: only those
        with a customer of that manager (by e-mail)."""
        query = sa_select(*_RECORD_COLUMNS)
        if customer is not None:
            query = query.join(
                SessionCustomer, col(SessionCustomer.session_id) == col(SessionRow.id)
            ).where(col(SessionCustomer.customer_id) == customer.id)
        if kind is not None:
            query = query.where(col(SessionRow.kind) == kind)
        if not include_cancelled:
            query = query.where(col(SessionRow.status) != SessionStatus.CANCELLED.value)
        if owner is not None:
            # Correlated, so that the date range, not the manager's whole history, drives.
            member = aliased(SessionCustomer)
            owned = (
                sa_select(col(member.session_id))
                .join(Customer, col(Customer.id) == col(member.customer_id))
                .where(
                    col(member.session_id) == col(SessionRow.id),
                    func.lower(col(Customer.owner)) == owner.strip().lower(),
                )
            )
            query = query.where(owned.exists())
        first_utc = None if first is None else to_utc(self.clock.midnight(first))
        end_utc = None if last is None else to_utc(self.clock.midnight(last + timedelta(days=1)))
        with self.db.reading() as session:
            rows = self._overlapping(session, query, first_utc, end_utc)
            return self._records(session, rows)

    def _overlapping(
        self, session: Session, query: Any, first_utc: datetime | None, end_utc: datetime | None
    ) -> list[Any]:
        """The rows of `query` overlapping [first_utc, end_utc), by start then id. A timed
        session ends on the day it starts, so a lower bound on the start lets the start index
        serve the range; the few all-day ones (event plans) that may reach further back come
        from the kind index in a second query."""
        if end_utc is not None:
            query = query.where(col(SessionRow.start_utc) < end_utc)
        if first_utc is None:
            ordered = query.order_by(col(SessionRow.start_utc), col(SessionRow.id))
            return list(session.connection().execute(ordered))
        query = query.where(col(SessionRow.end_utc) > first_utc)
        near = query.where(col(SessionRow.start_utc) >= first_utc - 2 * _LONGEST_TIMED)
        rows = {row.id: row for row in session.connection().execute(near)}
        all_day = sorted(name for name, info in self.policy.kinds.items() if info.all_day)
        if all_day:
            long_ones = query.where(col(SessionRow.kind).in_(all_day))
            rows.update((row.id, row) for row in session.connection().execute(long_ones))
        return sorted(rows.values(), key=lambda row: (row.start_utc, row.id))

    def counted_by_customer(self, first: datetime, end: datetime) -> dict[int, list[Booked]]:
        """Every customer's sessions that count (not cancelled) starting in [first, end), as
        the dashboard needs them: one joined query, no titles, no timeline."""
        columns: list[Any] = [
            col(SessionCustomer.customer_id),
            col(SessionRow.id),
            col(SessionRow.kind),
            col(SessionRow.start_utc),
            col(SessionRow.end_utc),
            col(SessionRow.all_day),
            col(SessionRow.status),
            col(SessionRow.billable),
        ]
        query = (
            sa_select(*columns)
            .join(SessionCustomer, col(SessionCustomer.session_id) == col(SessionRow.id))
            .where(
                col(SessionRow.start_utc) >= first,
                col(SessionRow.start_utc) < end,
                col(SessionRow.status) != "cancelled",
            )
        )
        found: dict[int, list[Booked]] = {}
        with self.db.reading() as session:
            for cid, sid, kind, start, stop, all_day, status, billable in session.execute(query):
                booked = Booked(sid, kind, (cid,), start, stop, all_day, status, billable)
                found.setdefault(cid, []).append(booked)
        return found

    def overdue(self, now: datetime) -> list[SessionRecord]:
        """Sessions that have ended but are still marked planned: done, or a no-show?"""
        with self.db.reading() as session:
            query = (
                sa_select(*_RECORD_COLUMNS)
                .where(
                    col(SessionRow.status) == SessionStatus.PLANNED.value,
                    col(SessionRow.end_utc) <= now,
                )
                .order_by(col(SessionRow.start_utc))
            )
            return self._records(session, session.connection().execute(query).all())

    def audit_trail(self, session_id: int) -> list[AuditEntry]:
        with self.db.reading() as session:
            return list(
                session.exec(
                    select(AuditEntry)
                    .where(AuditEntry.session_id == session_id)
                    .order_by(col(AuditEntry.id))
                ).all()
            )

    # --- the ledger the rules read ------------------------------------------------------------
    def load_ledger(
        self,
        session: Session,
        customer_ids: Iterable[int],
        first: datetime,
        end: datetime,
        managers: Collection[str] | None = None,
    ) -> Ledger:
        """Sessions of these customers (all time), plus every timed session and busy block
        overlapping [first, end). `managers`: of those timed sessions, only the ones that can
        block these managers' time (the conflict rule ignores a colleague's)."""
        ledger = Ledger()
        wanted = sorted(set(customer_ids))
        if wanted:
            inner = sa_select(col(SessionCustomer.session_id)).where(
                col(SessionCustomer.customer_id).in_(wanted)
            )
            _fill(session, ledger, [col(SessionRow.id).in_(inner)])
        self._fill_window(session, ledger, first, end, managers)
        return ledger

    def extend_ledger(
        self,
        ledger: Ledger,
        first: datetime,
        end: datetime,
        managers: Collection[str] | None = None,
    ) -> None:
        with self.db.reading() as session:
            self._fill_window(session, ledger, first, end, managers)

    @staticmethod
    def _fill_window(
        session: Session,
        ledger: Ledger,
        first: datetime,
        end: datetime,
        managers: Collection[str] | None,
    ) -> None:
        """Timed sessions that count, and busy blocks, overlapping [first, end)."""
        conditions = [
            col(SessionRow.start_utc) >= first - _LONGEST_TIMED,
            col(SessionRow.start_utc) < end,
            col(SessionRow.end_utc) > first,
            col(SessionRow.status) != SessionStatus.CANCELLED.value,
        ]
        if managers is not None:
            conditions.append(_blocks_time_of(managers))
        _fill(session, ledger, conditions)
        blocks = sa_select(*_BUSY_COLUMNS).where(
            col(BusyBlock.start_utc) < end, col(BusyBlock.end_utc) > first
        )
        for start, stop, summary, all_day, owner in session.connection().execute(blocks):
            ledger.add_busy(Busy(start, stop, summary, all_day, owner.strip().lower()))

    # --- validating --------------------------------------------------------------------------
    def proposal_for(self, request: BookingRequest, session_id: int | None = None) -> Proposal:
        if request.kind not in KIND_NAMES:
            raise BadInput(f"Unknown kind '{request.kind}'. Kinds: {', '.join(KIND_NAMES)}.")
        if not request.customers:
            raise BadInput("Choose a customer.")
        if len(request.customers) > 1 and request.kind != "round-table":
            raise BadInput("Only a round table is shared by several customers.")
        if len({c.id for c in request.customers}) != len(request.customers):
            raise BadInput("The same customer is named twice.")
        return Proposal(
            kind=request.kind,
            customers=request.customers,
            start_utc=request.times.start_utc,
            end_utc=request.times.end_utc,
            requested_utc=request.requested_utc or datetime.now(UTC),
            all_day=request.times.all_day,
            billable=request.billable,
            session_id=session_id,
        )

    def validate(self, proposal: Proposal, ledger: Ledger | None = None) -> list[Violation]:
        if ledger is None:
            with self.db.reading() as session:
                ledger = self.load_ledger(
                    session,
                    [c.id for c in proposal.customers],
                    proposal.start_utc,
                    proposal.end_utc,
                )
        return check(self.policy, self.clock, proposal, ledger)

    def local_time_warnings(self, proposal: Proposal) -> list[str]:
        """Legal for the contract but awkward for the customer: outside their own day."""
        if proposal.all_day:
            return []
        warnings = []
        for customer in proposal.customers:
            tz = zone(customer.tz)
            local_start = to_zone(proposal.start_utc, tz)
            local_end = to_zone(proposal.end_utc, tz)
            if (
                local_start.time() < _CUSTOMER_DAY[0]
                or local_end.time() > _CUSTOMER_DAY[1]
                or local_end.date() != local_start.date()
            ):
                warnings.append(
                    f"That is {local_start:%H:%M}-{local_end:%H:%M} on "
                    f"{format_day(local_start.date())} in {customer.tz} for {customer.name}."
                )
        return warnings

    # --- changing ----------------------------------------------------------------------------
    def _audit(
        self, session: Session, action: str, session_id: int | None, details: dict[str, Any]
    ) -> None:
        record_change(session, Change(self.customers.actor(), action, session_id, None, details))

    def _decide(
        self, proposal: Proposal, override_reason: str | None, ledger: Ledger | None = None
    ) -> tuple[list[Violation], list[str]]:
        """Violations refuse unless overridden with a written reason; then they are warnings."""
        violations = self.validate(proposal, ledger)
        if override_reason is not None and not override_reason.strip():
            raise BadInput("An override needs a written reason.")
        warnings = self.local_time_warnings(proposal)
        if violations:
            # A session of impossible shape is not a contract question: no reason makes it fit.
            if override_reason is None or any(v.rule in UNOVERRIDABLE for v in violations):
                raise RuleRefusal(violations)
            warnings = [f"Overridden ({v.rule}): {v.message}" for v in violations] + warnings
        if override_reason is not None:
            # A request time in the past that changes the verdict is kept like an override.
            lifted = self.backdating_lifts(proposal, datetime.now(UTC))
            violations = violations + lifted
            warnings += [f"Backdated request ({v.rule}): {v.message}" for v in lifted]
        return violations, warnings

    def _acting(self, dry_run: bool) -> AbstractContextManager[Session]:
        """The transaction an action decides and writes in. A real one holds the write lock
        from its first read (SQLite: BEGIN IMMEDIATE; PostgreSQL: the book's write lock), so
        the rules are checked against the book exactly as the write will find it; a dry run
        only reads a snapshot."""
        return self.db.reading() if dry_run else self.db.transaction()

    def _decide_in(
        self, session: Session, proposal: Proposal, override_reason: str | None, dry_run: bool
    ) -> tuple[Proposal, list[Violation], list[str]]:
        """Lock the customers, read their contracts and the ledger inside `session`, decide."""
        ids = [c.id for c in proposal.customers]
        if not dry_run:
            self.db.lock_customers(session, ids)
        proposal = replace(proposal, customers=self.customers.read_in(session, ids))
        ledger = self.load_ledger(session, ids, proposal.start_utc, proposal.end_utc)
        ledger.owners.update({c.id: c.owner.strip().lower() for c in proposal.customers})
        violations, warnings = self._decide(proposal, override_reason, ledger)
        return proposal, violations, warnings

    def _current(
        self, session: Session, session_id: int | str, expected_sequence: int | None
    ) -> SessionRecord:
        current = self._get(session, session_id)
        if expected_sequence is not None and current.sequence != expected_sequence:
            raise StaleEdit(
                f"Session {current.id} ({current.display_title}) was changed elsewhere since "
                "it was opened here; nothing was saved. Look at it again and redo the change."
            )
        return current

    def backdating_lifts(self, proposal: Proposal, now: datetime) -> list[Violation]:
        """What a request made `now` would be refused for that the (earlier) request time
        given escapes: a claim about the past, which needs a reason like an override."""
        if proposal.requested_utc >= now - _BACKDATING_GRACE:
            return []
        as_of_now = self.validate(replace(proposal, requested_utc=now))
        given = {v.rule for v in self.validate(proposal)}
        return [
            Violation(
                v.rule,
                f"requested at {format_day(self.clock.et_date(proposal.requested_utc))}"
                f" rather than now: {v.message}",
            )
            for v in as_of_now
            if v.rule not in given
        ]

    def book(self, request: BookingRequest, dry_run: bool = False) -> Outcome:
        proposal = self.proposal_for(request)
        with self._acting(dry_run) as session:
            proposal, violations, warnings = self._decide_in(
                session, proposal, request.override_reason, dry_run
            )
            now = datetime.now(UTC)
            row = SessionRow(
                uid=f"{uuid.uuid4()}@amplan",
                kind=request.kind,
                start_utc=proposal.start_utc,
                end_utc=proposal.end_utc,
                all_day=proposal.all_day,
                title=" ".join(request.title.split()),
                notes=request.notes.strip(),
                status="planned",
                requested_utc=proposal.requested_utc,
                billable=request.billable,
                override_reason=(request.override_reason or "").strip(),
                sequence=0,
                created_utc=now,
                updated_utc=now,
                meeting_url=_meeting_url(request.meeting_url),
            )
            if dry_run:
                record = self._record(
                    _with_id(row, 0),
                    [c.id for c in proposal.customers],
                    {c.id: c.name for c in proposal.customers},
                )
                invited: dict[str, Attendee] = {}
                for customer in proposal.customers:
                    for contact in customer.contacts:
                        invited.setdefault(
                            contact.email.lower(), Attendee(contact.name, contact.email)
                        )
                record = replace(
                    record, warnings=tuple(warnings), attendees=tuple(invited.values())
                )
                return Outcome(record, violations, saved=False)
            record = self._insert(session, row, proposal.customers, violations)
        return Outcome(replace(record, warnings=tuple(warnings)), violations, saved=True)

    def book_many(self, requests: Sequence[BookingRequest]) -> list[SessionRecord]:
        """Book a plan in one transaction: all or none. Each session is checked again inside
        the write transaction (against the others too), so a book that changed since the plan
        was made cannot end up with a conflict."""
        if not requests:
            return []
        now = datetime.now(UTC)
        records = []
        proposals = [self.proposal_for(request) for request in requests]
        first = min(p.start_utc for p in proposals)
        end = max(p.end_utc for p in proposals)
        customer_ids = {c.id for request in requests for c in request.customers}
        with self.db.transaction() as session:
            self.db.lock_customers(session, customer_ids)
            fresh = {c.id: c for c in self.customers.read_in(session, customer_ids)}
            ledger = self.load_ledger(session, customer_ids, first, end)
            ledger.owners.update({c.id: c.owner.strip().lower() for c in fresh.values()})
            for request, proposal in zip(requests, proposals, strict=True):
                customers = tuple(fresh[c.id] for c in proposal.customers)
                proposal = replace(proposal, customers=customers)
                violations = check(self.policy, self.clock, proposal, ledger)
                if violations and request.override_reason is None:
                    raise RuleRefusal(violations)
                row = SessionRow(
                    uid=f"{uuid.uuid4()}@amplan",
                    kind=request.kind,
                    start_utc=proposal.start_utc,
                    end_utc=proposal.end_utc,
                    all_day=proposal.all_day,
                    title=request.title,
                    notes=request.notes,
                    requested_utc=proposal.requested_utc,
                    billable=request.billable,
                    override_reason=(request.override_reason or "").strip(),
                    created_utc=now,
                    updated_utc=now,
                    meeting_url=_meeting_url(request.meeting_url),
                )
                record = self._insert(session, row, customers, violations, action="plan")
                ledger.add(record.as_booked())
                records.append(record)
        return records

    def _insert(
        self,
        session: Session,
        row: SessionRow,
        customers: Sequence[CustomerRecord],
        violations: Sequence[Violation] = (),
        action: str = "book",
    ) -> SessionRecord:
        session.add(row)
        session.flush()
        assert row.id is not None
        for customer in customers:
            session.add(SessionCustomer(session_id=row.id, customer_id=customer.id))
        details: dict[str, Any] = {
            "kind": row.kind,
            "customers": [c.name for c in customers],
            "start_utc": row.start_utc,
            "end_utc": row.end_utc,
            "requested_utc": row.requested_utc,
            "billable": row.billable,
        }
        if violations:
            details["overridden"] = [v.as_json() for v in violations]
            details["override_reason"] = row.override_reason
        self._audit(session, action, row.id, details)
        session.flush()
        return self._records(session, [row])[0]

    def move(
        self,
        session_id: int | str,
        times: SessionTimes,
        requested_utc: datetime | None = None,
        override_reason: str | None = None,
        dry_run: bool = False,
        expected_sequence: int | None = None,
        meeting_url: str | None = None,
    ) -> Outcome:
        """Re-validate at the new time, keeping the identity. `expected_sequence`: the
        sequence of the copy the change was made on; a session changed since is refused."""
        with self._acting(dry_run) as session:
            current = self._current(session, session_id, expected_sequence)
            if current.status != "planned":
                raise BadInput(
                    f"Session {current.id} is {current.status}; only planned sessions move."
                )
            link = current.meeting_url if meeting_url is None else clean_meeting_url(meeting_url)
            customers = tuple(self.customers.read_in(session, current.customer_ids))
            request = BookingRequest(
                customers, current.kind, times, requested_utc, billable=current.billable
            )
            proposal = self.proposal_for(request, session_id=current.id)
            proposal, violations, warnings = self._decide_in(
                session, proposal, override_reason, dry_run
            )
            moved = replace(
                current,
                start_utc=proposal.start_utc,
                end_utc=proposal.end_utc,
                requested_utc=proposal.requested_utc,
                sequence=current.sequence + 1,
                override_reason=(override_reason or current.override_reason).strip(),
                warnings=tuple(warnings),
                meeting_url=link,
            )
            if dry_run:
                return Outcome(moved, violations, saved=False)
            row = self._row(session, current.id)
            row.meeting_url = link
            row.start_utc, row.end_utc = moved.start_utc, moved.end_utc
            row.requested_utc = moved.requested_utc
            row.sequence = moved.sequence
            row.override_reason = moved.override_reason
            row.updated_utc = datetime.now(UTC)
            session.add(row)
            details: dict[str, Any] = {
                "from": [current.start_utc, current.end_utc],
                "to": [moved.start_utc, moved.end_utc],
                "requested_utc": moved.requested_utc,
            }
            if violations:
                details["overridden"] = [v.as_json() for v in violations]
                details["override_reason"] = moved.override_reason
            self._audit(session, "move", current.id, details)
        return Outcome(moved, violations, saved=True)

    def move_start(
        self,
        session_id: int | str,
        start_utc: datetime,
        requested_utc: datetime | None = None,
        expected_sequence: int | None = None,
        override_reason: str | None = None,
        dry_run: bool = False,
    ) -> Outcome:
        """A drag on the calendar: the same length (and all-day flag) at a new start, checked
        like any move. Without `expected_sequence` the copy read here is the one changed."""
        current = self.get(session_id)
        times = SessionTimes(
            start_utc, start_utc + (current.end_utc - current.start_utc), current.all_day
        )
        sequence = current.sequence if expected_sequence is None else expected_sequence
        return self.move(
            current.id,
            times,
            requested_utc,
            override_reason,
            dry_run=dry_run,
            expected_sequence=sequence,
        )

    def update(
        self,
        session_id: int | str,
        request: BookingRequest,
        dry_run: bool = False,
        expected_sequence: int | None = None,
    ) -> Outcome:
        """Change everything about a session (the editor's Save): kind, customers, time..."""
        with self._acting(dry_run) as session:
            current = self._current(session, session_id, expected_sequence)
            return self._update_in(session, current, request, dry_run)

    def add_customer(
        self,
        session_id: int | str,
        customer: CustomerRecord,
        override_reason: str | None = None,
        dry_run: bool = False,
    ) -> Outcome:
        """Seat one more customer at a round table. The seats are counted inside the write,
        so two managers taking the last seat at once cannot both get it."""
        with self._acting(dry_run) as session:
            current = self._get(session, session_id)
            if current.kind != "round-table":
                raise BadInput(f"Session {current.id} is not a round table; it has one customer.")
            if customer.id in current.customer_ids:
                raise BadInput(f"{customer.name} already has a seat at session {current.id}.")
            request = BookingRequest(
                self.customers.read_in(session, [*current.customer_ids, customer.id]),
                current.kind,
                SessionTimes(current.start_utc, current.end_utc, current.all_day),
                current.requested_utc,
                title=current.title,
                notes=current.notes,
                billable=current.billable,
                override_reason=override_reason,
            )
            return self._update_in(session, current, request, dry_run)

    def _update_in(
        self, session: Session, current: SessionRecord, request: BookingRequest, dry_run: bool
    ) -> Outcome:
        if current.status != "planned":
            raise BadInput(
                f"Session {current.id} is {current.status}; only planned sessions change."
            )
        proposal = self.proposal_for(request, session_id=current.id)
        proposal, violations, warnings = self._decide_in(
            session, proposal, request.override_reason, dry_run
        )
        updated = replace(
            current,
            kind=request.kind,
            customer_ids=tuple(c.id for c in proposal.customers),
            customers=tuple(c.name for c in proposal.customers),
            start_utc=proposal.start_utc,
            end_utc=proposal.end_utc,
            all_day=proposal.all_day,
            title=" ".join(request.title.split()),
            notes=request.notes.strip(),
            requested_utc=proposal.requested_utc,
            billable=request.billable,
            override_reason=(request.override_reason or "").strip(),
            sequence=current.sequence + 1,
            warnings=tuple(warnings),
            meeting_url=(
                current.meeting_url
                if request.meeting_url is None
                else clean_meeting_url(request.meeting_url)
            ),
        )
        if dry_run:
            return Outcome(updated, violations, saved=False)
        row = self._row(session, current.id)
        for name in (
            "kind",
            "start_utc",
            "end_utc",
            "all_day",
            "title",
            "notes",
            "requested_utc",
            "billable",
            "override_reason",
            "sequence",
            "meeting_url",
        ):
            setattr(row, name, getattr(updated, name))
        row.updated_utc = datetime.now(UTC)
        session.add(row)
        for link in session.exec(
            select(SessionCustomer).where(SessionCustomer.session_id == current.id)
        ).all():
            session.delete(link)
        session.flush()
        for customer in proposal.customers:
            session.add(SessionCustomer(session_id=current.id, customer_id=customer.id))
        details: dict[str, Any] = {
            "before": current.as_json(self.clock),
            "after": updated.as_json(self.clock),
        }
        if violations:
            details["overridden"] = [v.as_json() for v in violations]
        self._audit(session, "edit", current.id, details)
        return Outcome(updated, violations, saved=True)

    def _row(self, session: Session, session_id: int) -> SessionRow:
        row = session.get(SessionRow, session_id)
        if row is None:
            raise BadInput(f"Session {session_id} no longer exists.")
        return row

    def set_status(
        self,
        session_id: int | str,
        status: str,
        now: datetime | None = None,
        expected_sequence: int | None = None,
    ) -> SessionRecord:
        if status not in STATUSES:
            raise BadInput(f"Unknown status '{status}'.")
        now = now or datetime.now(UTC)
        with self.db.transaction() as session:
            current = self._current(session, session_id, expected_sequence)
            if current.status == status:
                raise BadInput(f"Session {current.id} is already {status}.")
            if current.status == "cancelled":
                raise BadInput(f"Session {current.id} is cancelled; book a new one instead.")
            if status in ("done", "no-show") and current.start_utc > now:
                raise BadInput(
                    f"Session {current.id} has not started yet "
                    f"({format_day(self.clock.et_date(current.start_utc))}); mark it "
                    f"{status} once it has taken place."
                )
            row = self._row(session, current.id)
            row.status = status
            row.sequence += 1
            row.updated_utc = datetime.now(UTC)
            session.add(row)
            self._audit(session, status, current.id, {"from": current.status, "to": status})
        return replace(current, status=status, sequence=current.sequence + 1)

    def restore(self, record: SessionRecord, expected_sequence: int | None = None) -> SessionRecord:
        """Put a session back exactly as recorded (undo and redo); the sequence still rises so
        that calendars which received an invite take the change. `expected_sequence`: the
        sequence this window left it at; a session changed elsewhere since is not overwritten."""
        with self.db.transaction() as session:
            row = self._row(session, record.id)
            self._refuse_if_changed(session, row, expected_sequence)
            for name in ("kind", "start_utc", "end_utc", "all_day", "title", "notes", "status"):
                setattr(row, name, getattr(record, name))
            row.requested_utc, row.billable = record.requested_utc, record.billable
            row.override_reason = record.override_reason
            row.meeting_url = record.meeting_url
            row.sequence = max(row.sequence, record.sequence) + 1
            row.updated_utc = datetime.now(UTC)
            session.add(row)
            self._link(session, record.id, record.customer_ids)
            self._audit(session, "restore", record.id, {"to": record.as_json(self.clock)})
            session.flush()
            return self._records(session, [row])[0]

    @staticmethod
    def _link(session: Session, session_id: int, customer_ids: Sequence[int]) -> None:
        current = session.exec(
            select(SessionCustomer).where(SessionCustomer.session_id == session_id)
        ).all()
        if sorted(link.customer_id for link in current) == sorted(customer_ids):
            return
        for link in current:
            session.delete(link)
        session.flush()
        for customer_id in customer_ids:
            session.add(SessionCustomer(session_id=session_id, customer_id=customer_id))

    def _refuse_if_changed(
        self, session: Session, row: SessionRow, expected_sequence: int | None
    ) -> None:
        """Undo takes back this window's change only: not one a colleague made since."""
        if expected_sequence is None or row.sequence == expected_sequence:
            return
        last = session.exec(
            select(AuditEntry.actor)
            .where(AuditEntry.session_id == row.id)
            .order_by(col(AuditEntry.id).desc())
            .limit(1)
        ).first()
        title = self._records(session, [row])[0].display_title
        by = f" (by {last})" if last else ""
        raise StaleEdit(f"Not undone: {title} was changed elsewhere since{by}.")

    def delete(
        self, session_ids: int | Sequence[int], expected: Mapping[int, int] | None = None
    ) -> None:
        """Remove sessions entirely (undo of a booking or a plan); the audit log keeps them.
        `expected`: each session's sequence as this window left it; if any changed since,
        none is removed."""
        ids = [session_ids] if isinstance(session_ids, int) else list(session_ids)
        with self.db.transaction() as session:
            for session_id in ids:
                row = self._row(session, session_id)
                self._refuse_if_changed(session, row, (expected or {}).get(session_id))
                self._audit(session, "delete", session_id, {"uid": row.uid})
                session.delete(row)

    def reinstate(self, records: Sequence[SessionRecord]) -> list[SessionRecord]:
        """Bring deleted sessions back (redo of a booking or a plan) with their UID, and their
        id when it is still free."""
        now = datetime.now(UTC)
        restored = []
        with self.db.transaction() as session:
            for record in records:
                free = session.get(SessionRow, record.id) is None
                row = SessionRow(
                    id=record.id if free else None,
                    uid=record.uid,
                    kind=record.kind,
                    start_utc=record.start_utc,
                    end_utc=record.end_utc,
                    all_day=record.all_day,
                    title=record.title,
                    notes=record.notes,
                    status=record.status,
                    requested_utc=record.requested_utc,
                    billable=record.billable,
                    override_reason=record.override_reason,
                    sequence=record.sequence + 1,
                    created_utc=now,
                    updated_utc=now,
                    meeting_url=record.meeting_url,
                )
                customers = [self.customers.get(cid) for cid in record.customer_ids]
                restored.append(self._insert(session, row, customers, action="reinstate"))
        return restored

    # --- busy time -----------------------------------------------------------------------------
    def busy_blocks(self, first: datetime | None = None, end: datetime | None = None) -> list[Busy]:
        """My busy time (a team's book holds every manager's)."""
        mine = self._my_busy()
        with self.db.reading() as session:
            query = select(BusyBlock).where(mine).order_by(col(BusyBlock.start_utc))
            if first is not None and end is not None:
                query = query.where(
                    and_(col(BusyBlock.start_utc) < end, col(BusyBlock.end_utc) > first)
                )
            return [_busy(b) for b in session.exec(query).all()]

    def add_busy(self, blocks: Iterable[Busy], source: str = "", uid: str = "") -> int:
        with self.db.transaction() as session:
            count = self._insert_busy(session, [(uid, block) for block in blocks], source)
            self._audit(session, "busy add", None, {"source": source, "blocks": count})
            return count

    def _insert_busy(
        self, session: Session, blocks: Sequence[tuple[str, Busy]], source: str
    ) -> int:
        """Busy time is the manager's own: it goes in under their e-mail."""
        mine = self.customers.manager_email()
        session.add_all(
            BusyBlock(
                source=source,
                uid=uid,
                summary=block.summary,
                start_utc=block.start_utc,
                end_utc=block.end_utc,
                all_day=block.all_day,
                owner=block.owner or mine,
            )
            for uid, block in blocks
        )
        return len(blocks)

    def _my_busy(self) -> Any:
        """My busy blocks, and those from before owners: a colleague's are theirs to change."""
        mine = self.customers.manager_email().strip().lower()
        return func.lower(col(BusyBlock.owner)).in_(sorted({"", mine}))

    def replace_busy(
        self, source: str, uids: Iterable[str], blocks: Sequence[tuple[str, Busy]]
    ) -> int:
        """Re-importing a file replaces what it brought before (by source and by UID)."""
        wanted = sorted(set(uids))
        mine = self._my_busy()
        with self.db.transaction() as session:
            session.execute(delete(BusyBlock).where(col(BusyBlock.source) == source, mine))
            for chunk_start in range(0, len(wanted), 500):
                chunk = wanted[chunk_start : chunk_start + 500]
                session.execute(delete(BusyBlock).where(col(BusyBlock.uid).in_(chunk), mine))
            self._audit(session, "busy import", None, {"source": source, "blocks": len(blocks)})
            return self._insert_busy(session, blocks, source)

    def clear_busy(self) -> int:
        """Forget my busy time (a colleague's stays)."""
        mine = self._my_busy()
        with self.db.transaction() as session:
            count = len(session.exec(select(BusyBlock.id).where(mine)).all())
            session.execute(delete(BusyBlock).where(mine))
            self._audit(session, "busy clear", None, {"blocks": count})
            return count


_RECORD_COLUMNS: tuple[Any, ...] = tuple(
    col(getattr(SessionRow, name))
    for name in (
        "id",
        "uid",
        "kind",
        "start_utc",
        "end_utc",
        "all_day",
        "title",
        "notes",
        "status",
        "requested_utc",
        "billable",
        "override_reason",
        "sequence",
        "meeting_url",
    )
)
_BOOKED_COLUMNS: tuple[Any, ...] = (
    col(SessionRow.id),
    col(SessionRow.kind),
    col(SessionRow.start_utc),
    col(SessionRow.end_utc),
    col(SessionRow.all_day),
    col(SessionRow.status),
    col(SessionRow.billable),
    col(SessionRow.title),
    col(SessionCustomer.customer_id),
    col(Customer.name),
    col(Customer.owner),
)
_BUSY_COLUMNS: tuple[Any, ...] = (
    col(BusyBlock.start_utc),
    col(BusyBlock.end_utc),
    col(BusyBlock.summary),
    col(BusyBlock.all_day),
    col(BusyBlock.owner),
)


def _members(
    session: Session, session_ids: Sequence[int]
) -> tuple[dict[int, list[int]], dict[int, str]]:
    """Customer ids of each session (in id order), and their names, a query per 500."""
    members: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for chunk_start in range(0, len(session_ids), 500):
        chunk = session_ids[chunk_start : chunk_start + 500]
        query = (
            sa_select(
                col(SessionCustomer.session_id),
                col(SessionCustomer.customer_id),
                col(Customer.name),
            )
            .outerjoin(Customer, col(Customer.id) == col(SessionCustomer.customer_id))
            .where(col(SessionCustomer.session_id).in_(chunk))
            .order_by(col(SessionCustomer.customer_id))
        )
        for sid, cid, name in session.connection().execute(query):
            members.setdefault(sid, []).append(cid)
            if name is not None:
                names[cid] = name
    return members, names


def _blocks_time_of(managers: Collection[str]) -> Any:
    """The SQL twin of `Ledger.same_manager`: a session held by one of `managers`, or by no
    one known (no customer, or a customer without an owner), blocks their time."""
    wanted = {m.strip().lower() for m in managers}
    if not wanted or "" in wanted:
        return true()
    member = aliased(SessionCustomer)
    owner = func.coalesce(func.lower(func.trim(col(Customer.owner))), "")
    held = (
        sa_select(col(member.session_id))
        .outerjoin(Customer, col(Customer.id) == col(member.customer_id))
        .where(col(member.session_id) == col(SessionRow.id), owner.in_(sorted(wanted | {""})))
    )
    anyone = sa_select(col(member.session_id)).where(col(member.session_id) == col(SessionRow.id))
    return or_(held.exists(), ~anyone.exists())


def _fill(session: Session, ledger: Ledger, conditions: list[Any]) -> None:
    """Add the sessions matching `conditions` that the ledger lacks: one query of plain
    columns (a row per member, with the name for the label and the owner for the conflict
    rule), no ORM objects. No ORDER BY: SQLite would walk the session table in id order."""
    query = (
        sa_select(*_BOOKED_COLUMNS)
        .select_from(SessionRow)
        .outerjoin(SessionCustomer, col(SessionCustomer.session_id) == col(SessionRow.id))
        .outerjoin(Customer, col(Customer.id) == col(SessionCustomer.customer_id))
        .where(*conditions)
    )
    found: dict[int, tuple[Any, ...]] = {}
    members: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for *fields, cid, name, owner in session.connection().execute(query):
        sid = fields[0]
        found.setdefault(sid, tuple(fields))
        ids = members.setdefault(sid, [])
        if cid is not None:
            ids.append(cid)
            if name is not None:
                names[cid] = name
                ledger.owners[cid] = str(owner).strip().lower()
    for sid, (_, kind, start, stop, all_day, status, billable, title) in found.items():
        if ledger.get(sid) is not None:
            continue
        cids = tuple(sorted(members[sid]))
        label = title or f"{', '.join(names.get(c, '?') for c in cids)} {kind}"
        ledger.add(Booked(sid, kind, cids, start, stop, all_day, status, billable, label))


def _busy(block: BusyBlock) -> Busy:
    owner = block.owner.strip().lower()
    return Busy(block.start_utc, block.end_utc, block.summary, block.all_day, owner)


def _meeting_url(given: str | None) -> str:
    """A session's link: the one given, else the profile's default at booking time."""
    return profile_meeting_url() if given is None else clean_meeting_url(given)


def _with_id(row: SessionRow, session_id: int) -> SessionRow:
    clone = SessionRow.model_validate(row.model_dump())
    clone.id = session_id
    return clone
