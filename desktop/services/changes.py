"""A cheap mark of the book's state, so that a window sees another manager's change.

Every session change writes an audit entry, every customer change moves `updated_utc`, busy
time comes and goes in blocks: the mark reads the largest of each (index lookups, and one
count of the customers), not the book.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from desktop.models.database import Database

_MARK = text(
    "SELECT (SELECT max(id) FROM audit_entry), (SELECT max(updated_utc) FROM customer), "
    "(SELECT count(*) FROM customer), (SELECT max(id) FROM busy_block), "
    "(SELECT count(*) FROM busy_block)"
)


def change_mark(db: Database) -> tuple[object, ...]:
    """Equal marks: nothing was written in between (by anyone)."""
    with db.reading() as session:
        return change_mark_in(session)


def change_mark_in(session: Session) -> tuple[object, ...]:
    """The mark as a transaction sees it (a writer's, after it took the write lock)."""
    return tuple(session.execute(_MARK).one())


@dataclass(frozen=True)
class BookChange:
    """What one change touched, carried by the window's signals so that a page can tell
    whether it shows any of it. `everything`: re-read all (a restore, a colleague's change
    seen by polling, an import)."""

    session_ids: frozenset[int] = frozenset()
    customer_ids: frozenset[int] = frozenset()
    busy: bool = False
    everything: bool = False

    @classmethod
    def of_sessions(
        cls, session_ids: Iterable[int], customer_ids: Iterable[int] = ()
    ) -> BookChange:
        return cls(frozenset(session_ids), frozenset(customer_ids))

    def merged(self, other: BookChange) -> BookChange:
        return BookChange(
            self.session_ids | other.session_ids,
            self.customer_ids | other.customer_ids,
            self.busy or other.busy,
            self.everything or other.everything,
        )

    def touches_customer(self, customer_id: int) -> bool:
        return self.everything or customer_id in self.customer_ids


EVERYTHING = BookChange(everything=True)
