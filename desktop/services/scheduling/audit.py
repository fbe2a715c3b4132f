"""The audit trail of sessions: each change is recorded with its actor, and read back."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from desktop.models.database import Database
from desktop.models.tables import AuditEntry
from desktop.services.customers import CustomerBook
from desktop.services.history import Change, record_change


class AuditLog:
    """Who changed which session: written inside the change's own transaction."""

    def __init__(self, db: Database, customers: CustomerBook) -> None:
        self.db = db
        self.customers = customers

    def write(
        self, session: Session, action: str, session_id: int | None, details: dict[str, Any]
    ) -> None:
        record_change(session, Change(self.customers.actor(), action, session_id, None, details))

    def trail(self, session_id: int) -> list[AuditEntry]:
        with self.db.reading() as session:
            return list(
                session.exec(
                    select(AuditEntry)
                    .where(AuditEntry.session_id == session_id)
                    .order_by(col(AuditEntry.id))
                ).all()
            )
