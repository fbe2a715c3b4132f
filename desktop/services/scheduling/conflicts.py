"""Booked sessions that clash: under the manager's busy time, or over another session.

A session that was legal when booked can clash later (busy time imported afterwards, an
override). These are listed so the manager sees them and moves one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desktop.services.business_time import BusinessClock
from desktop.services.customers import CustomerRecord
from desktop.services.scheduling.ledger import Booked, Busy, Ledger, manager_key, managers_of
from desktop.services.scheduling.ledger_loading import WindowRows
from desktop.services.scheduling.records import LONGEST_TIMED
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
    phrase: str = ""  # what it overlaps, in a sentence (`clash_phrase`)

    def what(self) -> str:
        return self.phrase

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


@dataclass(frozen=True)
class Shown:
    """Whose sessions a clash list covers: these customers' (archived ones included), in
    these managers' calendars (lower-case e-mails, as `managers_of` gives them)."""

    customer_ids: frozenset[int]
    managers: frozenset[str]

    @classmethod
    def of(cls, customers: Iterable[CustomerRecord]) -> Shown:
        chosen = list(customers)
        return cls(frozenset(c.id for c in chosen), frozenset(managers_of(chosen)))


@dataclass(frozen=True)
class Clashes:
    """Planned sessions with what each overlaps (`found`), as plain ledger entries, and the
    ledger they were found on (it names the customers and the busy time)."""

    ledger: Ledger
    found: list[tuple[Booked, list[Booked | Busy]]]


def find_conflicts(
    scheduler: Scheduler,
    since_utc: datetime | None = None,
    until_utc: datetime | None = None,
    shown: Shown | None = None,
) -> list[Conflict]:
    """Planned timed sessions (ending after `since_utc` and starting before `until_utc`, if
    given; of the `shown` customers, if given) and what each overlaps in its managers'
    calendars (as the conflict rule sees it), earliest session first.

    The clashes are found on the ledger's plain entries; only the clashing sessions are read
    as records (a team's book can hold tens of thousands of planned sessions)."""
    clashes = find_clashes(scheduler, since_utc, until_utc, shown)
    if not clashes.found:
        return []
    records = scheduler.get_many(booked.id for booked, _ in clashes.found)
    conflicts = [
        _conflict(records[booked.id], item, clashes.ledger)
        for booked, found in clashes.found
        if booked.id in records
        for item in found
    ]
    # Ties broken by what is overlapped: the same order on every run (rows come in no order).
    conflicts.sort(
        key=lambda c: (c.session.start_utc, c.session.id, c.start_utc, c.other_id or 0, c.title)
    )
    return conflicts


def find_clashes(
    scheduler: Scheduler,
    since_utc: datetime | None = None,
    until_utc: datetime | None = None,
    shown: Shown | None = None,
) -> Clashes:
    """What `find_conflicts` lists, before any session is read as a record: the dashboard
    lists thousands of clashes of a team's book from these alone."""
    search = ClashSearch(scheduler, since_utc, until_utc, shown)
    return search.found(search.read())


class ClashSearch:
    """`find_clashes` in two steps: `read`, the database's part, which a worker thread can run
    while the caller's thread works, and `found` on the caller's thread. `known`: customers
    already read, whose names and managers need no lookup. `reads_from`: an earlier instant
    the read starts at, for another use of the found ledger (the dashboard's week)."""

    def __init__(
        self,
        scheduler: Scheduler,
        since_utc: datetime | None,
        until_utc: datetime | None,
        shown: Shown | None,
        known: Sequence[CustomerRecord] = (),
        reads_from: datetime | None = None,
    ) -> None:
        self.scheduler = scheduler
        self.since_utc, self.until_utc = since_utc, until_utc
        self.shown = shown
        self.known = known
        self.managers = None if shown is None else set(shown.managers)
        if self.managers is not None and self.managers.issuperset(
            manager_key(owner) for owner in scheduler.customers.owners()
        ):
            self.managers = None  # the whole team's: every session is in a shown calendar
        self.span: tuple[datetime, datetime] | None = None
        if shown is not None and not shown.customer_ids:
            return
        if since_utc is not None and until_utc is not None:
            # What overlaps a session at either end of the run lies up to a session's length
            # out.
            low = since_utc if reads_from is None else min(since_utc, reads_from)
            self.span = (low - LONGEST_TIMED, until_utc + LONGEST_TIMED)
        else:
            self.span = scheduler.planned_span(since_utc, until_utc)

    def read(self) -> WindowRows | None:
        """The window's sessions and busy time (None: nothing to search)."""
        if self.span is None:
            return None
        return self._read(self.managers)

    def _read(self, managers: set[str] | None) -> WindowRows:
        assert self.span is not None
        with self.scheduler.db.reading() as session:
            return self.scheduler.ledgers.read_window(session, *self.span, managers)

    def found(self, rows: WindowRows | None) -> Clashes:
        """The clashes in the window `read` gave."""
        if rows is None:
            return Clashes(Ledger(), [])
        ledger = self.scheduler.ledgers.window_ledger(rows, self.known)
        planned = self._candidates(ledger)
        managers = self.managers
        if managers is not None:
            # A session shared with a colleague's customer is in the colleague's calendar too.
            needed = managers.union(*(ledger.managers_of(b.customer_ids) for b in planned))
            if needed != managers:
                ledger = self.scheduler.ledgers.window_ledger(self._read(needed), self.known)
                planned = self._candidates(ledger)
        return Clashes(ledger, list(ledger.clashes_of(planned)))

    def _candidates(self, ledger: Ledger) -> list[Booked]:
        since_utc, until_utc, shown = self.since_utc, self.until_utc, self.shown
        return [
            booked
            for booked in ledger.timed_sessions()
            if booked.status == SessionStatus.PLANNED
            and (since_utc is None or booked.end_utc > since_utc)
            and (until_utc is None or booked.start_utc < until_utc)
            and (shown is None or not shown.customer_ids.isdisjoint(booked.customer_ids))
        ]


def _conflict(record: SessionRecord, item: Booked | Busy, ledger: Ledger) -> Conflict:
    phrase = clash_phrase(item, ledger)
    if isinstance(item, Busy):
        title = ledger.busy_title(item)
        return Conflict(
            record, "busy", title, item.start_utc, item.end_utc, item.all_day, None, phrase
        )
    return Conflict(
        record, "session", item.title, item.start_utc, item.end_utc, False, item.id, phrase
    )


def clash_phrase(item: Booked | Busy, ledger: Ledger) -> str:
    """What a session overlaps, in a sentence: "'Acme screen-share'", "busy time of lee@…"."""
    return ledger.busy_phrase(item) if isinstance(item, Busy) else f"'{item.title}'"


def conflicting_sessions(conflicts: list[Conflict]) -> dict[int, list[Conflict]]:
    """The conflicts grouped by session id."""
    grouped: dict[int, list[Conflict]] = {}
    for item in conflicts:
        grouped.setdefault(item.session.id, []).append(item)
    return grouped
