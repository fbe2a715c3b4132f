"""A cheap mark of the book's state, so that a window sees another manager's change.

Every session change writes an audit entry, every customer change moves `updated_utc`, busy
time comes and goes in blocks: the mark reads the largest of each (index lookups, and one
count of the customers), not the book.
"""

from __future__ import annotations

from sqlalchemy import text

from desktop.models.database import Database

_MARK = text(
    "SELECT (SELECT max(id) FROM audit_entry), (SELECT max(updated_utc) FROM customer), "
    "(SELECT count(*) FROM customer), (SELECT max(id) FROM busy_block), "
    "(SELECT count(*) FROM busy_block)"
)


def change_mark(db: Database) -> tuple[object, ...]:
    """Equal marks: nothing was written in between (by anyone)."""
    with db.reading() as session:
        return tuple(session.execute(_MARK).one())
