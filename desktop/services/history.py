"""The book's history: who changed what and when, with the reason of every override.

Each write records its entry inside its own transaction (`record_change`), so an action and
its history are saved together or not at all. `History` reads them back for a session, a
customer, or the whole book.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, or_
from sqlmodel import Session, col, select

from desktop.models.database import Database
from desktop.models.tables import AuditEntry, SessionCustomer


def actor_name(name: str, email: str) -> str:
    """Who is acting: the profile's name and e-mail, else the login name."""
    if name:
        return f"{name} <{email}>" if email else name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (e.g. in a container)
        return "unknown"


@dataclass(frozen=True)
class Change:
    """One entry to record."""

    actor: str
    action: str
    session_id: int | None = None
    customer_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


def record_changes(session: Session, changes: Iterable[Change]) -> None:
    """Add entries to the caller's transaction (one batched INSERT, however many)."""
    now = datetime.now(UTC)
    rows = [
        {
            "at_utc": now,
            "actor": change.actor,
            "action": change.action,
            "session_id": change.session_id,
            "customer_id": change.customer_id,
            "details": json.dumps(change.details, default=str, ensure_ascii=False),
        }
        for change in changes
    ]
    if rows:
        session.execute(insert(AuditEntry), rows)


def record_change(session: Session, change: Change) -> None:
    record_changes(session, [change])


@dataclass(frozen=True)
class HistoryEntry:
    at_utc: datetime
    who: str
    action: str
    session_id: int | None
    customer_id: int | None
    details: dict[str, Any]

    @property
    def override_reason(self) -> str | None:
        reason = self.details.get("override_reason")
        if not reason and isinstance(self.details.get("after"), dict):
            reason = self.details["after"].get("override_reason")
        return str(reason) if reason else None

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at_utc.isoformat(),
            "who": self.who,
            "action": self.action,
            "session": self.session_id,
            "customer": self.customer_id,
            "details": self.details,
            "override_reason": self.override_reason,
        }

    def what_changed(self) -> str:
        """One line a person reads: the fields that changed, or what was done."""
        details = self.details
        if isinstance(details.get("before"), dict) and isinstance(details.get("after"), dict):
            before, after = details["before"], details["after"]
            changed = [
                f"{key}: {_short(before.get(key))} -> {_short(after.get(key))}"
                for key in after
                if key not in ("sequence", "warnings") and before.get(key) != after.get(key)
            ]
            return "; ".join(changed) or "no field changed"
        if "from" in details and "to" in details:
            return f"{_short(details['from'])} -> {_short(details['to'])}"
        parts = [
            f"{key}: {_short(value)}"
            for key, value in details.items()
            if key not in ("overridden", "override_reason") and value not in ("", None, [])
        ]
        overridden = details.get("overridden")
        if isinstance(overridden, list) and overridden:
            rules = ", ".join(str(v.get("rule", "?")) for v in overridden if isinstance(v, dict))
            parts.append(f"overrode {rules}")
        return "; ".join(parts)


def _short(value: Any) -> str:
    if isinstance(value, list):
        return " - ".join(_short(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_short(v)}" for k, v in value.items())
    text = "" if value is None else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _entry(row: AuditEntry) -> HistoryEntry:
    try:
        details = json.loads(row.details) if row.details else {}
    except ValueError:
        details = {"text": row.details}
    if not isinstance(details, dict):
        details = {"value": details}
    at = row.at_utc if row.at_utc.tzinfo else row.at_utc.replace(tzinfo=UTC)
    return HistoryEntry(at, row.actor, row.action, row.session_id, row.customer_id, details)


class History:
    """Reads the history back, newest last."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _read(self, *conditions: Any, limit: int | None = None) -> list[HistoryEntry]:
        with self.db.reading() as session:
            query = select(AuditEntry).where(*conditions).order_by(col(AuditEntry.id).desc())
            if limit is not None:
                query = query.limit(limit)
            rows = list(session.exec(query).all())
        return [_entry(row) for row in reversed(rows)]

    def for_session(self, session_id: int) -> list[HistoryEntry]:
        return self._read(AuditEntry.session_id == session_id)

    def for_customer(self, customer_id: int) -> list[HistoryEntry]:
        """The customer's own changes and those of every session it has (or had)."""
        sessions = select(SessionCustomer.session_id).where(
            SessionCustomer.customer_id == customer_id
        )
        return self._read(
            or_(
                col(AuditEntry.customer_id) == customer_id,
                col(AuditEntry.session_id).in_(sessions),
            )
        )

    def latest(self, limit: int = 1000) -> list[HistoryEntry]:
        return self._read(limit=limit)
