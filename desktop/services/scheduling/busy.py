"""Busy time: the blocks imported from a manager's own calendar, which block their sessions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func
from sqlmodel import Session, col, select

from desktop.models.database import Database
from desktop.models.tables import BusyBlock
from desktop.services.customers import CustomerBook
from desktop.services.scheduling.audit import AuditLog
from desktop.services.scheduling.ledger import Busy, manager_key


class BusyTime:
    """The managers' busy time, each manager's own: a colleague's blocks are theirs to change."""

    def __init__(self, db: Database, customers: CustomerBook, audit: AuditLog) -> None:
        self.db = db
        self.customers = customers
        self.audit = audit

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
            self.audit.write(session, "busy add", None, {"source": source, "blocks": count})
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
        mine = manager_key(self.customers.manager_email())
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
            self.audit.write(
                session, "busy import", None, {"source": source, "blocks": len(blocks)}
            )
            return self._insert_busy(session, blocks, source)

    def clear_busy(self) -> int:
        """Forget my busy time (a colleague's stays)."""
        mine = self._my_busy()
        with self.db.transaction() as session:
            count = len(session.exec(select(BusyBlock.id).where(mine)).all())
            session.execute(delete(BusyBlock).where(mine))
            self.audit.write(session, "busy clear", None, {"blocks": count})
            return count


def _busy(block: BusyBlock) -> Busy:
    owner = manager_key(block.owner)
    return Busy(block.start_utc, block.end_utc, block.summary, block.all_day, owner)
