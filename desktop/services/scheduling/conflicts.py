"""Booked sessions that clash: under the manager's busy time, or over another session.

A session that was legal when booked can clash later (busy time imported afterwards, an
override). These are listed so the manager sees them and moves one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desktop.services.business_time import BusinessClock
from desktop.services.scheduling.ledger import Busy
from desktop.services.scheduling.sessions import Scheduler, SessionRecord
from desktop.services.scheduling.status import SessionStatus


@dataclass(frozen=True)
class Conflict:
    """One booked session and one thing it overlaps."""

    session: SessionRecord
    with_: str  # "busy" or "session"
    title: str  # what it overlaps
    start_utc: datetime
    end_utc: datetime
    all_day: bool = False
    other_id: int | None = None

    def as_json(self, clock: BusinessClock) -> dict[str, Any]:
        return {
            "session": self.session.id,
            "with": self.with_,
            "title": self.title,
            "start": clock.et(self.start_utc).isoformat(),
            "end": clock.et(self.end_utc).isoformat(),
            "other_session": self.other_id,
            "session_title": self.session.display_title,
            "session_start": clock.et(self.session.start_utc).isoformat(),
        }


def find_conflicts(scheduler: Scheduler, since_utc: datetime | None = None) -> list[Conflict]:
    """Planned timed sessions (ending after `since_utc`, if given) and what each overlaps in
    its managers' calendars (as the conflict rule sees it), earliest session first."""
    first_day = None if since_utc is None else scheduler.clock.et_date(since_utc)
    planned = [
        s
        for s in scheduler.find(None, first=first_day, include_cancelled=False)
        if s.status == SessionStatus.PLANNED
        and not s.all_day
        and (since_utc is None or s.end_utc > since_utc)
    ]
    if not planned:
        return []
    first = min(s.start_utc for s in planned)
    end = max(s.end_utc for s in planned)
    with scheduler.db.reading() as session:
        ledger = scheduler.load_ledger(session, [], first, end)
    found: list[Conflict] = []
    for record in planned:
        managers = ledger.managers_of(record.customer_ids)
        for item in ledger.clashes_for(record.start_utc, record.end_utc, managers, record.id):
            if isinstance(item, Busy):
                found.append(
                    Conflict(
                        record,
                        "busy",
                        item.summary or "Busy",
                        item.start_utc,
                        item.end_utc,
                        item.all_day,
                    )
                )
            else:
                found.append(
                    Conflict(
                        record,
                        "session",
                        item.title,
                        item.start_utc,
                        item.end_utc,
                        False,
                        item.id,
                    )
                )
    found.sort(key=lambda c: (c.session.start_utc, c.session.id, c.start_utc))
    return found


def conflicting_sessions(conflicts: list[Conflict]) -> dict[int, list[Conflict]]:
    """The conflicts grouped by session id."""
    grouped: dict[int, list[Conflict]] = {}
    for item in conflicts:
        grouped.setdefault(item.session.id, []).append(item)
    return grouped
