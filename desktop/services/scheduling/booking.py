"""Booking and changing sessions: book, plan, move, edit, set a status, and the undo side
(restore, delete, reinstate), each checked inside its own write transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from desktop.errors import BadInput
from desktop.models.database import Database
from desktop.models.tables import AuditEntry, SessionCustomer, SessionRow
from desktop.services.business_time import BusinessClock, format_day
from desktop.services.calendar_files.attendees import Attendee
from desktop.services.customers import CustomerBook, CustomerRecord
from desktop.services.mail.meeting_links import clean_meeting_url, profile_meeting_url
from desktop.services.scheduling.audit import AuditLog
from desktop.services.scheduling.checking import BookingCheck
from desktop.services.scheduling.ledger import STATUSES
from desktop.services.scheduling.reading import SessionReader
from desktop.services.scheduling.records import (
    BookingRequest,
    Outcome,
    RuleRefusal,
    SessionRecord,
    SessionTimes,
    StaleEdit,
)
from desktop.services.scheduling.rules import Proposal, Violation, check
from desktop.services.scheduling.status import SessionStatus


class Booking:
    """Every change to sessions, each one transaction that decides and writes: a refused
    action saves nothing."""

    def __init__(
        self,
        db: Database,
        clock: BusinessClock,
        customers: CustomerBook,
        reader: SessionReader,
        check: BookingCheck,
        audit: AuditLog,
    ) -> None:
        self.db = db
        self.clock = clock
        self.customers = customers
        self.reader = reader
        self.check = check
        self.ledgers = check.ledgers
        self.policy = check.policy
        self.audit = audit

    def _acting(self, dry_run: bool) -> AbstractContextManager[Session]:
        """The transaction an action decides and writes in. A real one holds the write lock
        from its first read (SQLite: BEGIN IMMEDIATE; PostgreSQL: the book's write lock), so
        the rules are checked against the book exactly as the write will find it; a dry run
        only reads a snapshot."""
        return self.db.reading() if dry_run else self.db.transaction()

    def _current(
        self, session: Session, session_id: int | str, expected_sequence: int | None
    ) -> SessionRecord:
        current = self.reader.get_in(session, session_id)
        if expected_sequence is not None and current.sequence != expected_sequence:
            raise StaleEdit(
                f"Session {current.id} ({current.display_title}) was changed elsewhere since "
                "it was opened here; nothing was saved. Look at it again and redo the change."
            )
        return current

    def book(self, request: BookingRequest, dry_run: bool = False) -> Outcome:
        proposal = self.check.proposal_for(request)
        with self._acting(dry_run) as session:
            proposal, violations, warnings = self.check.decide_in(
                session, proposal, request.override_reason, dry_run
            )
            now = datetime.now(UTC)
            title, notes = " ".join(request.title.split()), request.notes.strip()
            row = _new_row(request, proposal, now, title, notes)
            if dry_run:
                record = self.reader.record(
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
        proposals = [self.check.proposal_for(request) for request in requests]
        first = min(p.start_utc for p in proposals)
        end = max(p.end_utc for p in proposals)
        customer_ids = {c.id for request in requests for c in request.customers}
        with self.db.transaction() as session:
            self.db.lock_customers(session, customer_ids)
            fresh = {c.id: c for c in self.customers.read_in(session, customer_ids)}
            ledger = self.ledgers.load_ledger(session, customer_ids, first, end)
            ledger.know_owners(fresh.values())
            for request, proposal in zip(requests, proposals, strict=True):
                customers = tuple(fresh[c.id] for c in proposal.customers)
                proposal = replace(proposal, customers=customers)
                violations = check(self.policy, self.clock, proposal, ledger)
                if violations and request.override_reason is None:
                    raise RuleRefusal(violations)
                row = _new_row(request, proposal, now, request.title, request.notes)
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
        self.audit.write(session, action, row.id, details)
        session.flush()
        return self.reader.records(session, [row])[0]

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
            if current.status != SessionStatus.PLANNED:
                raise BadInput(
                    f"Session {current.id} is {current.status}; only planned sessions move."
                )
            link = current.meeting_url if meeting_url is None else clean_meeting_url(meeting_url)
            customers = tuple(self.customers.read_in(session, current.customer_ids))
            request = BookingRequest(
                customers, current.kind, times, requested_utc, billable=current.billable
            )
            proposal = self.check.proposal_for(request, session_id=current.id)
            proposal, violations, warnings = self.check.decide_in(
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
            self.audit.write(session, "move", current.id, details)
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
        current = self.reader.get(session_id)
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
            current = self.reader.get_in(session, session_id)
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
        if current.status != SessionStatus.PLANNED:
            raise BadInput(
                f"Session {current.id} is {current.status}; only planned sessions change."
            )
        proposal = self.check.proposal_for(request, session_id=current.id)
        proposal, violations, warnings = self.check.decide_in(
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
        self.audit.write(session, "edit", current.id, details)
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
            if current.status == SessionStatus.CANCELLED:
                raise BadInput(f"Session {current.id} is cancelled; book a new one instead.")
            if SessionStatus(status).used and current.start_utc > now:
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
            self.audit.write(session, status, current.id, {"from": current.status, "to": status})
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
            self.audit.write(session, "restore", record.id, {"to": record.as_json(self.clock)})
            session.flush()
            return self.reader.records(session, [row])[0]

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
        title = self.reader.records(session, [row])[0].display_title
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
                self.audit.write(session, "delete", session_id, {"uid": row.uid})
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


def _new_row(
    request: BookingRequest, proposal: Proposal, now: datetime, title: str, notes: str
) -> SessionRow:
    """A new planned session's row, under a fresh UID."""
    return SessionRow(
        uid=f"{uuid.uuid4()}@amplan",
        kind=request.kind,
        start_utc=proposal.start_utc,
        end_utc=proposal.end_utc,
        all_day=proposal.all_day,
        title=title,
        notes=notes,
        status=SessionStatus.PLANNED.value,
        requested_utc=proposal.requested_utc,
        billable=request.billable,
        override_reason=(request.override_reason or "").strip(),
        sequence=0,
        created_utc=now,
        updated_utc=now,
        meeting_url=_meeting_url(request.meeting_url),
    )


def _meeting_url(given: str | None) -> str:
    """A session's link: the one given, else the profile's default at booking time."""
    return profile_meeting_url() if given is None else clean_meeting_url(given)


def _with_id(row: SessionRow, session_id: int) -> SessionRow:
    clone = SessionRow.model_validate(row.model_dump())
    clone.id = session_id
    return clone
