"""The reads behind the dashboard (the "Needs attention" list and the allowance chart), each
no wider than what it counts.

The dashboard used to load every session of a year each way for every customer; a team's book
holds 300,000 sessions, so each category now asks only for its own kinds, its own customers and
the run of days that can hold what it counts (this month, the open onboarding windows, the
current cadence periods, the current package years).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import col

from desktop.models.database import Database
from desktop.models.tables import Customer, SessionCustomer, SessionRow
from desktop.services.business_time import BusinessClock, to_utc
from desktop.services.scheduling.ledger import Booked
from desktop.services.scheduling.status import SessionStatus

# The days of "every session" for a window that must not miss any (bounds ET can localize).
ALL_TIME = (date(1970, 1, 1), date(2200, 1, 1))
# Up to this many customers, their sessions are found through the customer index; more, and
# reading the kind over the days (and dropping other customers' rows) is faster.
FEW_CUSTOMERS = 500
_COLUMNS: tuple[Any, ...] = (
    col(SessionCustomer.customer_id),
    *(
        col(getattr(SessionRow, name))
        for name in ("id", "kind", "start_utc", "end_utc", "all_day", "status", "billable")
    ),
)


@dataclass(frozen=True)
class Window:
    """Sessions of these kinds of one customer held on the ET days [first, end)."""

    customer_id: int
    kinds: tuple[str, ...]
    first: date
    end: date


class UtcDays:
    """ET days as UTC instants, each day converted once: the windows of 2,000 customers share
    most of their days, and localizing a day is the dashboard's costliest step after the
    queries."""

    def __init__(self, clock: BusinessClock) -> None:
        self.clock = clock
        self._midnights: dict[date, datetime] = {}

    def midnight(self, day: date) -> datetime:
        found = self._midnights.get(day)
        if found is None:
            found = self._midnights[day] = to_utc(self.clock.midnight(day))
        return found

    def bounds(self, first: date, end: date) -> tuple[datetime, datetime]:
        """The instants of the ET days [first, end): a start in them is a day in them."""
        return self.midnight(first), self.midnight(end)


def archived_customer_ids(db: Database, managers: Collection[str]) -> frozenset[int]:
    """The archived customers these managers hold (lower-case e-mails; "" for no owner)."""
    owner = func.coalesce(func.lower(func.trim(col(Customer.owner))), "")
    query = sa_select(col(Customer.id)).where(
        col(Customer.archived).is_(True), owner.in_(sorted(managers))
    )
    with db.reading() as session:
        found = session.connection().execute(query).scalars()
        return frozenset(cid for cid in found if cid is not None)


def counted_in_windows(
    db: Database, days: UtcDays, windows: Iterable[Window]
) -> dict[int, list[Booked]]:
    """Each customer's sessions that count (not cancelled) of the kinds and days its windows
    name, one query per set of kinds. A session is returned once even if two windows hold it."""
    by_kinds: dict[tuple[str, ...], list[Window]] = {}
    for window in windows:
        if window.first < window.end:
            by_kinds.setdefault(window.kinds, []).append(window)
    found: dict[int, dict[int, Booked]] = {}
    for kinds, group in by_kinds.items():
        for booked in _counted(db, days, kinds, group):
            found.setdefault(booked.customer_ids[0], {})[booked.id] = booked
    return {cid: sorted(held.values(), key=lambda b: b.start_utc) for cid, held in found.items()}


def _counted(
    db: Database, days: UtcDays, kinds: tuple[str, ...], windows: list[Window]
) -> list[Booked]:
    """The sessions of `kinds` of the windows' customers between the earliest first day and
    the latest end, kept where they fall in their own customer's window."""
    bounds: dict[int, list[tuple[datetime, datetime]]] = {}
    for window in windows:
        span = days.bounds(window.first, window.end)
        bounds.setdefault(window.customer_id, []).append(span)
    first = min(low for spans in bounds.values() for low, _ in spans)
    end = max(high for spans in bounds.values() for _, high in spans)
    conditions: list[Any] = [
        col(SessionRow.start_utc) >= first,
        col(SessionRow.start_utc) < end,
        col(SessionRow.status) != SessionStatus.CANCELLED.value,
        col(SessionRow.kind).in_(kinds),
    ]
    if len(bounds) <= FEW_CUSTOMERS:
        conditions.append(col(SessionCustomer.customer_id).in_(sorted(bounds)))
    query = (
        sa_select(*_COLUMNS)
        .join(SessionCustomer, col(SessionCustomer.session_id) == col(SessionRow.id))
        .where(*conditions)
    )
    held: list[Booked] = []
    with db.reading() as session:
        rows = session.connection().execute(query).all()
        for cid, sid, kind, start, stop, all_day, status, billable in rows:
            if any(low <= start < high for low, high in bounds.get(cid, ())):
                held.append(Booked(sid, kind, (cid,), start, stop, all_day, status, billable))
    return held
