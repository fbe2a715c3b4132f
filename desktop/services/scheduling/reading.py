"""Reading sessions: one by id or many, those of a range or a customer, the overdue ones, and
the span of the planned ones; plain columns, not ORM objects, and the members in as few
queries as the engine takes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from desktop.errors import BadInput
from desktop.models.database import Database
from desktop.models.id_lists import among, id_runs
from desktop.models.store_errors import row_id
from desktop.models.tables import Customer, SessionCustomer, SessionRow
from desktop.services.business_time import BusinessClock, to_utc
from desktop.services.calendar_files.attendees import Attendee, load_attendees
from desktop.services.customers import CustomerRecord
from desktop.services.policy import Policy
from desktop.services.scheduling.ledger import manager_key
from desktop.services.scheduling.ledger_loading import ends_after, held_by
from desktop.services.scheduling.records import (
    LONGEST_TIMED,
    SessionRecord,
)
from desktop.services.scheduling.status import SessionStatus


class _Invited(NamedTuple):
    id: int
    customer_ids: tuple[int, ...]
    sequence: int


class SessionReader:
    """Reads sessions as records: one, many, a range (the calendar's week)."""

    def __init__(self, db: Database, policy: Policy, clock: BusinessClock) -> None:
        self.db = db
        self.policy = policy
        self.clock = clock

    def records(self, session: Session, rows: Iterable[Any]) -> list[SessionRecord]:
        """Records of session rows (ORM rows, or plain rows of `_RECORD_COLUMNS`)."""
        values = [_values(row) for row in rows]
        members, names = _members(session, [v.id for v in values])
        invited = [_Invited(v.id, tuple(members.get(v.id, ())), v.sequence) for v in values]
        attendees = load_attendees(session, invited)
        return [_record(v, members.get(v.id, []), names, attendees.get(v.id, ())) for v in values]

    @staticmethod
    def record(
        row: Any,
        customer_ids: list[int],
        names: dict[int, str],
        attendees: tuple[Attendee, ...] = (),
    ) -> SessionRecord:
        return _record(_values(row), customer_ids, names, attendees)

    def get(self, session_id: int | str) -> SessionRecord:
        with self.db.reading() as session:
            return self.get_in(session, session_id)

    def get_in(self, session: Session, session_id: int | str) -> SessionRecord:
        text = str(session_id).strip()
        number = row_id(text)
        row = session.get(SessionRow, number) if number is not None else None
        if row is None:
            raise BadInput(f"No session with id '{text}'. `amplan sessions` lists them.")
        return self.records(session, [row])[0]

    def get_many(self, session_ids: Iterable[int]) -> dict[int, SessionRecord]:
        """The records of these sessions, by id (those that exist)."""
        wanted = sorted(set(session_ids))
        rows: list[Any] = []
        with self.db.reading() as session:
            for chunk in id_runs(session, wanted):
                query = sa_select(*_RECORD_COLUMNS).where(among(session, col(SessionRow.id), chunk))
                rows += session.connection().execute(query)
            return {record.id: record for record in self.records(session, rows)}

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
            query = query.where(held_by({manager_key(owner)}) == 1)
        first_utc = None if first is None else to_utc(self.clock.midnight(first))
        end_utc = None if last is None else to_utc(self.clock.midnight(last + timedelta(days=1)))
        with self.db.reading() as session:
            rows = self._overlapping(session, query, first_utc, end_utc)
            return self.records(session, rows)

    def _overlapping(
        self, session: Session, query: Any, first_utc: datetime | None, end_utc: datetime | None
    ) -> list[_Values]:
        """The rows of `query` overlapping [first_utc, end_utc), by start then id. A timed
        session ends on the day it starts, so a lower bound on the start lets the start index
        serve the range; the few all-day ones (event plans) that may reach further back come
        from the kind index in a second query."""
        if end_utc is not None:
            query = query.where(col(SessionRow.start_utc) < end_utc)
        if first_utc is None:
            ordered = query.order_by(col(SessionRow.start_utc), col(SessionRow.id))
            return [_Values(*row) for row in session.connection().execute(ordered).all()]
        near = query.where(
            col(SessionRow.start_utc) >= first_utc - 2 * LONGEST_TIMED, ends_after(first_utc)
        )
        found = [_Values(*row) for row in session.connection().execute(near).all()]
        rows = {row.id: row for row in found}
        all_day = self.policy.all_day_kinds()
        if all_day:
            long_ones = query.where(
                col(SessionRow.end_utc) > first_utc, col(SessionRow.kind).in_(all_day)
            )
            rows.update((row.id, _Values(*row)) for row in session.connection().execute(long_ones))
        return sorted(rows.values(), key=lambda row: (row.start_utc, row.id))

    def planned_span(
        self, since_utc: datetime | None, until_utc: datetime | None
    ) -> tuple[datetime, datetime] | None:
        """The earliest start and latest end of the planned timed sessions overlapping
        [since_utc, until_utc) (open where None); None when there are none."""
        query = sa_select(func.min(col(SessionRow.start_utc)), func.max(col(SessionRow.end_utc)))
        query = query.where(
            col(SessionRow.status) == SessionStatus.PLANNED.value,
            col(SessionRow.all_day).is_(False),
        )
        if since_utc is not None:
            query = query.where(col(SessionRow.end_utc) > since_utc)
        if until_utc is not None:
            query = query.where(col(SessionRow.start_utc) < until_utc)
        with self.db.reading() as session:
            first, end = session.connection().execute(query).one()
        return None if first is None else (first, end)

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
            return self.records(session, session.connection().execute(query).all())


class _Values(NamedTuple):
    """A session row's columns, in the order of `_RECORD_COLUMNS`."""

    id: int
    uid: str
    kind: str
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
    meeting_url: str


_RECORD_COLUMNS: tuple[Any, ...] = tuple(col(getattr(SessionRow, name)) for name in _Values._fields)


def _values(row: Any) -> _Values:
    """A plain row unpacked at once (reading a result row's columns by name costs about 7 µs a
    row: most of a team's week), or an ORM row's attributes."""
    if isinstance(row, _Values):
        return row
    if isinstance(row, SessionRow):
        return _Values(*(getattr(row, name) for name in _Values._fields))
    return _Values(*row)


def _record(
    v: _Values, customer_ids: list[int], names: dict[int, str], attendees: tuple[Attendee, ...]
) -> SessionRecord:
    return SessionRecord(
        id=v.id,
        uid=v.uid,
        kind=v.kind,
        customer_ids=tuple(customer_ids),
        customers=tuple(names.get(cid, f"#{cid}") for cid in customer_ids),
        start_utc=v.start_utc,
        end_utc=v.end_utc,
        all_day=v.all_day,
        title=v.title,
        notes=v.notes,
        status=v.status,
        requested_utc=v.requested_utc,
        billable=v.billable,
        override_reason=v.override_reason,
        sequence=v.sequence,
        meeting_url=v.meeting_url,
        attendees=attendees,
    )


def _members(
    session: Session, session_ids: Sequence[int]
) -> tuple[dict[int, list[int]], dict[int, str]]:
    """Customer ids of each session (in id order), and their names."""
    members: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for chunk in id_runs(session, session_ids):
        query = (
            sa_select(
                col(SessionCustomer.session_id),
                col(SessionCustomer.customer_id),
                col(Customer.name),
            )
            .outerjoin(Customer, col(Customer.id) == col(SessionCustomer.customer_id))
            .where(among(session, col(SessionCustomer.session_id), chunk))
            .order_by(col(SessionCustomer.customer_id))
        )
        for sid, cid, name in session.connection().execute(query).all():
            members.setdefault(sid, []).append(cid)
            if name is not None:
                names[cid] = name
    return members, names
