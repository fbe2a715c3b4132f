"""Loading the ledger: a customer's sessions, and the timed sessions and busy blocks of a
window, as the rules need them (a slot search only its managers' sessions)."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, true
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from desktop.models.database import Database
from desktop.models.id_lists import among, id_runs
from desktop.models.json_rows import decoded, instant, json_texts, rows_as_json
from desktop.models.tables import BusyBlock, Customer, SessionCustomer, SessionRow
from desktop.services.customers import CustomerRecord
from desktop.services.scheduling.ledger import Booked, Busy, Ledger, manager_key
from desktop.services.scheduling.records import (
    LONGEST_TIMED,
)
from desktop.services.scheduling.status import SessionStatus


@dataclass(frozen=True)
class WindowRows:
    """A window's timed sessions and busy blocks as read, before they are ledger entries: read
    on any thread (`LedgerLoader.read_window`), filed on the reader's (`window_ledger`)."""

    first: datetime
    sessions: str  # as `json_rows.json_text` gives them
    busy: str


class LedgerLoader:
    """Loads the ledger the rules read: only what they look at, in plain columns."""

    def __init__(self, db: Database, viewer: Callable[[], str] = str) -> None:
        self.db = db
        self.viewer = viewer  # the e-mail of the manager reading (see `Ledger.viewer`)

    def load_ledger(
        self,
        session: Session,
        customer_ids: Iterable[int],
        first: datetime,
        end: datetime,
        managers: Collection[str] | None = None,
        known: Iterable[CustomerRecord] = (),
    ) -> Ledger:
        """Sessions of these customers (all time), plus every timed session and busy block
        overlapping [first, end). `managers`: of those timed sessions, only the ones that can
        block these managers' time (the conflict rule ignores a colleague's). `known`:
        customers just read, whose names and managers need no lookup."""
        ledger = self._empty(known)
        wanted = sorted(set(customer_ids))
        if not wanted:
            _add_window(session, ledger, self.read_window(session, first, end, managers))
            return ledger
        window = _window_queries(first, end, managers)
        inner = sa_select(col(SessionCustomer.session_id)).where(
            col(SessionCustomer.customer_id).in_(wanted)
        )
        # One round trip for the three reads, and one lookup of the customers they name.
        theirs, *rows = json_texts(session, _booked_query([col(SessionRow.id).in_(inner)]), *window)
        own, in_window = decoded(theirs), WindowRows(first, *rows)
        sessions = decoded(in_window.sessions)
        _learn_customers(session, ledger, {row[8] for row in (*own, *sessions)} - {None})
        _add_booked(session, ledger, own)
        _add_window(session, ledger, in_window, sessions)
        return ledger

    def window_ledger(self, rows: WindowRows, known: Iterable[CustomerRecord] = ()) -> Ledger:
        """A ledger of a window read before (customers not `known` are looked up)."""
        ledger = self._empty(known)
        with self.db.reading() as session:
            _add_window(session, ledger, rows)
        return ledger

    def _empty(self, known: Iterable[CustomerRecord]) -> Ledger:
        ledger = Ledger()
        ledger.viewer = functools.cache(self.viewer)  # read once, if ever
        ledger.know_owners(known)
        return ledger

    def extend_ledger(
        self,
        ledger: Ledger,
        first: datetime,
        end: datetime,
        managers: Collection[str] | None = None,
    ) -> None:
        with self.db.reading() as session:
            _add_window(session, ledger, self.read_window(session, first, end, managers))

    def add_long_ones(
        self, ledger: Ledger, kinds: Collection[str], running_at: datetime, before: datetime
    ) -> None:
        """Add the sessions of these kinds (all-day ones, which may last days) begun before
        `before` and still running at `running_at` (a window's read looks back a day only)."""
        if not kinds:
            return
        conditions = [
            col(SessionRow.kind).in_(sorted(kinds)),
            col(SessionRow.start_utc) < before,
            ends_after(running_at),
            col(SessionRow.status) != SessionStatus.CANCELLED.value,
        ]
        with self.db.reading() as session:
            _fill(session, ledger, conditions)

    @staticmethod
    def read_window(
        session: Session,
        first: datetime,
        end: datetime,
        managers: Collection[str] | None,
    ) -> WindowRows:
        """Timed sessions that count, and busy blocks, overlapping [first, end)."""
        return WindowRows(first, *json_texts(session, *_window_queries(first, end, managers)))


def _window_queries(
    first: datetime, end: datetime, managers: Collection[str] | None
) -> tuple[Any, Any]:
    """`read_window`'s two queries. With the managers' filter, the end is checked in Python:
    beside that correlated subquery, PostgreSQL misjudges how few rows an opaque end
    condition leaves and joins the customers by a scan per row."""
    conditions = [
        col(SessionRow.start_utc) >= first - LONGEST_TIMED,
        col(SessionRow.start_utc) < end,
        col(SessionRow.status) != SessionStatus.CANCELLED.value,
    ]
    if managers is None:
        conditions.append(ends_after(first))
    else:
        conditions.append(_blocks_time_of(managers))
    blocks = sa_select(*_BUSY_COLUMNS).where(
        col(BusyBlock.start_utc) < end, col(BusyBlock.end_utc) > first
    )
    return _booked_query(conditions), blocks


def _add_window(
    session: Session, ledger: Ledger, rows: WindowRows, sessions: list[list[Any]] | None = None
) -> None:
    """Add a window's rows (`sessions`: its sessions' rows, if decoded already)."""
    found = decoded(rows.sessions) if sessions is None else sessions
    _add_booked(session, ledger, found, ending_after=rows.first)
    ledger.add_busy_many(
        Busy(instant(start), instant(stop), summary, bool(all_day), manager_key(owner))
        for start, stop, summary, all_day, owner in decoded(rows.busy)
    )


# A `Booked` in the order of its fields (id first, title aside).
_BOOKED_FIELDS: tuple[Any, ...] = tuple(
    col(getattr(SessionRow, name))
    for name in ("id", "kind", "start_utc", "end_utc", "all_day", "status", "billable")
)
_BOOKED_COLUMNS: tuple[Any, ...] = (
    *_BOOKED_FIELDS,
    col(SessionRow.title),
    col(SessionCustomer.customer_id),
)


_CUSTOMER_COLUMNS: tuple[Any, ...] = (col(Customer.id), col(Customer.name), col(Customer.owner))
_BUSY_COLUMNS: tuple[Any, ...] = (
    col(BusyBlock.start_utc),
    col(BusyBlock.end_utc),
    col(BusyBlock.summary),
    col(BusyBlock.all_day),
    col(BusyBlock.owner),
)


def _blocks_time_of(managers: Collection[str]) -> Any:
    """The SQL twin of `Ledger.same_manager`: a session held by one of `managers`, or by no
    one known (no customer, or a customer without an owner), blocks their time."""
    wanted = {manager_key(m) for m in managers}
    if not wanted or "" in wanted:
        return true()
    return func.coalesce(held_by(wanted | {""}), 1) == 1


def held_by(owners: Collection[str]) -> Any:
    """Per session: 1 if a customer of it is held by one of `owners` (lower-case e-mails; ""
    for a customer without an owner), 0 if none is, NULL for a session without customers.

    One correlated aggregate per session, looked up by primary keys, so that a date range
    drives the query: PostgreSQL turns an EXISTS (or an OR of two) into a join over a
    manager's whole history."""
    member, holder = aliased(SessionCustomer), aliased(Customer)
    owner = func.coalesce(func.lower(func.trim(col(holder.owner))), "")
    theirs = case((owner.in_(sorted(owners)), 1), else_=0)
    return (
        sa_select(func.max(theirs))
        .select_from(member)
        .outerjoin(holder, col(holder.id) == col(member.customer_id))
        .where(col(member.session_id) == col(SessionRow.id))
        .scalar_subquery()
    )


def ends_after(moment: datetime) -> Any:
    """`end_utc > moment`, to go with a range on the start, which the start index serves. The
    end is wrapped so that no index can take it: PostgreSQL would intersect the start index
    with the end index, which holds every session still to come."""
    return func.coalesce(col(SessionRow.end_utc), col(SessionRow.end_utc)) > moment


def _booked_query(conditions: list[Any]) -> Any:
    """Sessions matching `conditions`, a row per member. No ORDER BY: SQLite would walk the
    session table in id order. No join to the customers: PostgreSQL, misjudging how few
    sessions the owners' filter leaves, compared each with every customer (a slot search's
    week: 140 sessions, 140,000 comparisons)."""
    return (
        sa_select(*_BOOKED_COLUMNS)
        .select_from(SessionRow)
        .outerjoin(SessionCustomer, col(SessionCustomer.session_id) == col(SessionRow.id))
        .where(*conditions)
    )


def _fill(session: Session, ledger: Ledger, conditions: list[Any]) -> None:
    """Add the sessions matching `conditions` that the ledger lacks."""
    _add_booked(session, ledger, rows_as_json(session, _booked_query(conditions)))


def _add_booked(
    session: Session,
    ledger: Ledger,
    rows: list[list[Any]],
    ending_after: datetime | None = None,
) -> None:
    """Add sessions read by `_booked_query` (those ending after `ending_after`, if given)
    that the ledger lacks; the names (for the label) and managers (for the conflict rule)
    of customers it does not know yet are looked up by id."""
    found: dict[int, list[Any]] = {}
    members: dict[int, list[int]] = defaultdict(list)
    for row in rows:  # the columns of `_BOOKED_COLUMNS`
        if ending_after is not None and instant(row[3]) <= ending_after:
            continue  # ends before the window
        found[row[0]] = row
        if row[8] is not None:
            members[row[0]].append(row[8])
    _learn_customers(session, ledger, {c for ids in members.values() for c in ids})
    fresh = []
    for sid, (_, kind, start, stop, all_day, status, billable, title, _) in found.items():
        if ledger.get(sid) is not None:
            continue
        ids = members.get(sid, [])
        cids = tuple(ids) if len(ids) < 2 else tuple(sorted(ids))
        label = title or _label(ledger, cids, kind)
        times = instant(start), instant(stop)
        fresh.append(Booked(sid, kind, cids, *times, bool(all_day), status, bool(billable), label))
    ledger.add_new(fresh)


def _label(ledger: Ledger, customer_ids: tuple[int, ...], kind: str) -> str:
    """An untitled session's label: 'Acme Logistics screen-share'."""
    if len(customer_ids) == 1:
        return f"{ledger.names.get(customer_ids[0], '?')} {kind}"
    return f"{', '.join(ledger.names.get(c, '?') for c in customer_ids)} {kind}"


def _learn_customers(session: Session, ledger: Ledger, customer_ids: set[int]) -> None:
    """The names and managers of these customers, for those the ledger does not know."""
    unknown = sorted(customer_ids - ledger.names.keys())
    for run in id_runs(session, unknown):
        query = sa_select(*_CUSTOMER_COLUMNS).where(among(session, col(Customer.id), run))
        for cid, name, owner in session.connection().execute(query).all():
            ledger.names[cid] = name
            ledger.owners[cid] = manager_key(owner)
