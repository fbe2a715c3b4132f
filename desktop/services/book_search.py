"""Find anything in the book from one box (Ctrl+F): customers, sessions, busy time.

A manager remembers fragments: part of a name, a contact's e-mail, a word from a session's
title or notes, "round table", "Dentist". Each of those should lead to the thing itself.
Matching is case-insensitive on every word typed (all words must match somewhere).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import col, select

from desktop.models.database import Database
from desktop.models.tables import BusyBlock, Customer, SessionCustomer, SessionRow
from desktop.services.customers import CustomerBook, CustomerRecord
from desktop.services.scheduling.ledger import Busy
from desktop.services.scheduling.sessions import Scheduler, SessionRecord

DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class BusyHit:
    id: int
    busy: Busy


@dataclass(frozen=True)
class FoundInBook:
    customers: tuple[CustomerRecord, ...]
    sessions: tuple[SessionRecord, ...]
    busy: tuple[BusyHit, ...]
    more: bool  # some kind had more matches than the limit

    @property
    def empty(self) -> bool:
        return not (self.customers or self.sessions or self.busy)


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class BookSearch:
    def __init__(
        self,
        db: Database,
        customers: CustomerBook,
        scheduler: Scheduler,
        kind_labels: Mapping[str, str],
    ) -> None:
        self.db = db
        self.customers = customers
        self.scheduler = scheduler
        self.kind_labels = kind_labels

    def find(self, text: str, limit: int = DEFAULT_LIMIT) -> FoundInBook:
        words = [word.casefold() for word in text.split() if word.strip()]
        if not words:
            return FoundInBook((), (), (), False)
        customers = [c for c in self.customers.list(include_archived=True) if _matches(c, words)]
        session_ids, more_sessions = self._session_ids(words, limit)
        sessions = tuple(self.scheduler.get(session_id) for session_id in session_ids)
        busy, more_busy = self._busy(words, limit)
        return FoundInBook(
            tuple(customers[:limit]),
            sessions,
            busy,
            len(customers) > limit or more_sessions or more_busy,
        )

    def _session_ids(self, words: list[str], limit: int) -> tuple[list[int], bool]:
        """Sessions whose title, notes, kind or any customer's name holds every word."""
        with self.db.reading() as session:
            query = select(col(SessionRow.id)).order_by(col(SessionRow.start_utc).desc())
            for word in words:
                kinds = [k for k, label in self.kind_labels.items() if word in label.casefold()]
                named = (
                    select(col(SessionCustomer.session_id))
                    .join(Customer, col(Customer.id) == col(SessionCustomer.customer_id))
                    .where(col(Customer.name).ilike(_like(word), escape="\\"))
                )
                query = query.where(
                    or_(
                        col(SessionRow.title).ilike(_like(word), escape="\\"),
                        col(SessionRow.notes).ilike(_like(word), escape="\\"),
                        col(SessionRow.kind).in_(kinds),
                        col(SessionRow.id).in_(named),
                    )
                )
            ids = [found for found in session.exec(query.limit(limit + 1)).all() if found]
        return ids[:limit], len(ids) > limit

    def _busy(self, words: list[str], limit: int) -> tuple[tuple[BusyHit, ...], bool]:
        with self.db.reading() as session:
            query = select(BusyBlock).order_by(col(BusyBlock.start_utc).desc())
            for word in words:
                query = query.where(col(BusyBlock.summary).ilike(_like(word), escape="\\"))
            rows = session.exec(query.limit(limit + 1)).all()
            hits = tuple(
                BusyHit(row.id or 0, Busy(row.start_utc, row.end_utc, row.summary, row.all_day))
                for row in rows[:limit]
            )
        return hits, len(rows) > limit


def _matches(customer: CustomerRecord, words: list[str]) -> bool:
    haystack = " ".join(
        [customer.name, customer.product, customer.package]
        + [f"{c.name} {c.email}" for c in customer.contacts]
    ).casefold()
    return all(word in haystack for word in words)
