"""An in-memory view of the sessions and busy time the rules look at.

Loaded once per validation (or once per slot search / plan) so that checking a candidate
costs no query; the planner adds its own proposals to it as it goes.
"""

from __future__ import annotations

import bisect
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, cast

from desktop.services.scheduling.status import COUNTING, SessionStatus

# Every status a session can have (the enum is the source; this name is kept for importers).
STATUSES = tuple(SessionStatus)


class SessionSpan:
    """A session's length and whether it counts: the same for a record and a ledger entry."""

    start_utc: datetime
    end_utc: datetime
    status: str

    @property
    def minutes(self) -> int:
        return int((self.end_utc - self.start_utc).total_seconds() // 60)

    @property
    def counts(self) -> bool:
        """Cancelled sessions count for nothing; a no-show counts as used."""
        return self.status in COUNTING


class _Owned(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def owner(self) -> str: ...


@dataclass(frozen=True)
class Booked(SessionSpan):
    """What the rules need to know of one existing session."""

    id: int
    kind: str
    customer_ids: tuple[int, ...]
    start_utc: datetime
    end_utc: datetime
    all_day: bool
    status: str
    billable: bool
    title: str = ""


@dataclass(frozen=True)
class Busy:
    start_utc: datetime
    end_utc: datetime
    summary: str
    all_day: bool = False
    owner: str = ""  # whose calendar it came from (lower-case e-mail; "": the book's manager)


@dataclass
class _Timeline:
    """Intervals sorted by start, with the longest length, for fast overlap queries."""

    starts: list[datetime] = field(default_factory=list)
    items: list[Booked | Busy] = field(default_factory=list)
    longest: timedelta = timedelta(0)

    def add(self, item: Booked | Busy) -> None:
        index = bisect.bisect_right(self.starts, item.start_utc)
        self.starts.insert(index, item.start_utc)
        self.items.insert(index, item)
        self.longest = max(self.longest, item.end_utc - item.start_utc)

    def add_many(self, items: Iterable[Booked | Busy]) -> None:
        """Many at once: one sort, not an insertion each (a window of the team's book holds
        tens of thousands, which arrive in no order)."""
        merged = sorted([*self.items, *items], key=lambda i: i.start_utc)
        self.items = merged
        self.starts = [i.start_utc for i in merged]
        for item in merged:
            self.longest = max(self.longest, item.end_utc - item.start_utc)

    def remove(self, item: Booked | Busy) -> None:
        index = self.items.index(item)
        del self.starts[index]
        del self.items[index]

    def overlapping(self, start: datetime, end: datetime) -> list[Booked | Busy]:
        low = bisect.bisect_left(self.starts, start - self.longest)
        high = bisect.bisect_left(self.starts, end)
        return [i for i in self.items[low:high] if i.end_utc > start and i.start_utc < end]


class Ledger:
    def __init__(self, sessions: Iterable[Booked] = (), busy: Iterable[Busy] = ()) -> None:
        self._timed = _Timeline()
        self._busy = _Timeline()
        self._by_customer: dict[int, list[Booked]] = defaultdict(list)
        self._by_id: dict[int, Booked] = {}
        # Each known customer's account manager (lower-case e-mail; "" when unknown), and
        # name (of the customers of the sessions it loaded).
        self.owners: dict[int, str] = {}
        self.names: dict[int, str] = {}
        # Who reads it (lower-case e-mail), asked only when a colleague's busy time is named.
        self.viewer: Callable[[], str] = str
        for session in sessions:
            self.add(session)
        for block in busy:
            self._busy.add(block)

    def add(self, session: Booked) -> None:
        if session.id in self._by_id:
            self.remove(session.id)
        if self._index(session):
            self._timed.add(session)

    def add_new(self, sessions: Iterable[Booked]) -> None:
        """Sessions the ledger does not hold yet, sorted into the timeline once."""
        self._timed.add_many([s for s in sessions if s.id not in self._by_id and self._index(s)])

    def _index(self, session: Booked) -> bool:
        """File the session by id and by customer; whether it belongs on the timeline."""
        self._by_id[session.id] = session
        for customer_id in session.customer_ids:
            self._by_customer[customer_id].append(session)
        return session.counts and not session.all_day

    def remove(self, session_id: int) -> None:
        session = self._by_id.pop(session_id, None)
        if session is None:
            return
        if session.counts and not session.all_day:
            self._timed.remove(session)
        for customer_id in session.customer_ids:
            self._by_customer[customer_id].remove(session)

    def add_busy(self, block: Busy) -> None:
        self._busy.add(block)

    def add_busy_many(self, blocks: Iterable[Busy]) -> None:
        self._busy.add_many(blocks)

    def same_manager(self, session: Booked, owners: set[str]) -> bool:
        """Whether `session` is held by one of `owners` (the managers of a proposal), so that
        it blocks their time. Unknown owners count as everyone's: a book without owners (a
        solo book, or customers from before owners) keeps every session in one calendar."""
        if not owners or "" in owners:
            return True
        if len(session.customer_ids) == 1:  # most sessions: no set to build
            owner = self.owners.get(session.customer_ids[0], "")
            return not owner or owner in owners
        theirs = {self.owners.get(cid, "") for cid in session.customer_ids}
        return not theirs or "" in theirs or bool(theirs & owners)

    def know_owners(self, customers: Iterable[_Owned]) -> None:
        """Learn these customers' managers and names, as just read (a customer without
        sessions is not in what the ledger loaded; one known needs no lookup as it loads)."""
        for customer in customers:
            self.owners[customer.id] = manager_key(customer.owner)
            self.names[customer.id] = customer.name

    def is_colleagues(self, block: Busy) -> bool:
        """Whether `block` is from another manager's own calendar (a round table takes theirs
        too): its title is theirs to read, as `busy list` shows only one's own."""
        return bool(block.owner) and block.owner != manager_key(self.viewer())

    def busy_title(self, block: Busy) -> str:
        """What to call a busy block: its title, or only whose it is for a colleague's."""
        if self.is_colleagues(block):
            return f"busy time of {block.owner}"
        return block.summary or "Busy"

    def busy_phrase(self, block: Busy) -> str:
        """The block in a sentence: "your busy time 'Dentist'", "busy time of lee@…"."""
        title = self.busy_title(block)
        return title if self.is_colleagues(block) else f"your busy time '{title}'"

    def names_of(self, customer_ids: Iterable[int]) -> tuple[str, ...]:
        """The customers' names, as a session record has them."""
        return tuple(self.names.get(cid, f"#{cid}") for cid in customer_ids)

    def managers_of(self, customer_ids: Iterable[int]) -> set[str]:
        """The managers whose calendar a session of these customers is in."""
        return {self.owners.get(cid, "") for cid in customer_ids}

    def clashes_for(
        self, start: datetime, end: datetime, managers: set[str], exclude_id: int | None = None
    ) -> list[Booked | Busy]:
        """What overlaps [start, end) in these managers' calendars: their sessions and their
        busy time. In a team's book a colleague's session or busy time at that hour is none."""
        found: list[Booked | Busy] = []
        for clash in self.clashes(start, end, exclude_id):
            if isinstance(clash, Busy):
                if not _blocks(clash, managers):
                    continue  # a colleague's own calendar
            elif not self.same_manager(clash, managers):
                continue
            found.append(clash)
        return found

    def clashes_of(
        self, sessions: Iterable[Booked]
    ) -> Iterator[tuple[Booked, list[Booked | Busy]]]:
        """Each of `sessions` (held in the ledger) with what `clashes_for` finds over it, for
        many at once: each manager's calendar is filed apart first, so a session is compared
        with its own managers' sessions only (a team's planned weeks hold thousands)."""
        managers_of = functools.cache(self.managers_of)  # sessions share their customers
        calendars = self._calendars(managers_of)
        everyones = calendars.get("")
        busy = self._busy if self._busy.items else None
        for booked in sessions:
            managers = managers_of(booked.customer_ids)
            start, end, own_id = booked.start_utc, booked.end_utc, booked.id
            if not managers or "" in managers:  # in every calendar
                found = self.clashes_for(start, end, managers, own_id)
                if found:
                    yield booked, found
                continue
            shared = [calendars[m] for m in managers if m in calendars]
            if everyones is not None:
                shared.append(everyones)
            if len(shared) == 1:  # most sessions: one calendar, already in order
                overlapping = shared[0].overlapping(start, end)
            else:  # a round table of several managers' customers: each clash once
                seen = {id(i): i for c in shared for i in c.overlapping(start, end)}
                overlapping = sorted(seen.values(), key=lambda i: (i.start_utc, _id_of(i)))
            # A calendar holds sessions only.
            found = [i for i in overlapping if cast(Booked, i).id != own_id]
            if busy is not None:
                found += [
                    b
                    for b in busy.overlapping(start, end)
                    if isinstance(b, Busy) and _blocks(b, managers)
                ]
            if found:
                yield booked, found

    def _calendars(
        self, managers_of: Callable[[tuple[int, ...]], set[str]]
    ) -> dict[str, _Timeline]:
        """Each manager's timed sessions, in order ("": those in everyone's calendar)."""
        calendars: dict[str, _Timeline] = defaultdict(_Timeline)
        for booked in self.timed_sessions():
            theirs = managers_of(booked.customer_ids) or {""}
            for manager in {""} if "" in theirs else theirs:
                calendars[manager].items.append(booked)  # sorted already: no insertion
        for calendar in calendars.values():
            calendar.starts = [item.start_utc for item in calendar.items]
            calendar.longest = max(
                (i.end_utc - i.start_utc for i in calendar.items), default=timedelta(0)
            )
        return calendars

    def get(self, session_id: int) -> Booked | None:
        return self._by_id.get(session_id)

    def clashes(
        self, start: datetime, end: datetime, exclude_id: int | None = None
    ) -> list[Booked | Busy]:
        """Timed sessions that count, and busy blocks, overlapping [start, end)."""
        found = [s for s in self._timed.overlapping(start, end) if _id_of(s) != exclude_id]
        return found + self._busy.overlapping(start, end)

    def sessions(self) -> list[Booked]:
        """Every session it holds: timed or all-day, counting or not."""
        return list(self._by_id.values())

    def timed_sessions(self) -> list[Booked]:
        """Every timed session that counts, earliest first (every manager's workload)."""
        return [item for item in self._timed.items if isinstance(item, Booked)]

    def of_customer(
        self, customer_id: int, kind: str | None = None, exclude_id: int | None = None
    ) -> list[Booked]:
        """The customer's sessions that count (not cancelled), oldest first."""
        return sorted(
            (
                s
                for s in self._by_customer.get(customer_id, [])
                if s.counts and (kind is None or s.kind == kind) and s.id != exclude_id
            ),
            key=lambda s: s.start_utc,
        )


def _id_of(item: Booked | Busy) -> int | None:
    return item.id if isinstance(item, Booked) else None


def _blocks(block: Busy, managers: set[str]) -> bool:
    """Whether busy time is in these managers' calendars: their own, or the book's manager's
    (no owner); a colleague's own calendar is not theirs."""
    return not block.owner or not managers or "" in managers or block.owner in managers


def managers_of(customers: Iterable[_Owned]) -> set[str]:
    """The managers (lower-case e-mails; "" for none) whose calendars these customers' sessions
    are in: a proposal's, for the conflict rule and a slot search."""
    return {manager_key(c.owner) for c in customers}


def manager_key(owner: str) -> str:
    """How a manager is known in a calendar: the owner's e-mail, trimmed and in lower case."""
    return owner.strip().lower()
