"""What a calendar page shows for a run of days: the days themselves (weekend, holiday,
working window), the sessions and the manager's busy time, filtered as the user asked.

The view converts to its display zone; everything here stays in UTC and ET dates.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from desktop.services.business_time import to_utc
from desktop.services.customers import CustomerRecord
from desktop.services.scheduling.ledger import Busy
from desktop.services.scheduling.sessions import Scheduler, SessionRecord
from desktop.services.scheduling.status import SessionStatus


@dataclass(frozen=True)
class CalendarDay:
    day: date
    weekend: bool
    holiday: str | None
    work_start_utc: datetime | None
    work_end_utc: datetime | None


@dataclass(frozen=True)
class CalendarFilter:
    """Empty collections mean "all"; `text` matches title, notes, customer names and kind."""

    customer_ids: Collection[int] = ()
    kinds: Collection[str] = ()
    packages: Collection[str] = ()
    text: str = ""
    include_cancelled: bool = False

    def keeps(self, session: SessionRecord, packages_by_customer: dict[int, str]) -> bool:
        if not self.include_cancelled and session.status == SessionStatus.CANCELLED:
            return False
        if self.customer_ids and not set(session.customer_ids) & set(self.customer_ids):
            return False
        if self.kinds and session.kind not in self.kinds:
            return False
        if self.packages and not {
            packages_by_customer.get(cid, "none") for cid in session.customer_ids
        } & set(self.packages):
            return False
        if self.text:
            haystack = " ".join(
                [session.title, session.notes, session.kind, *session.customers]
            ).casefold()
            return all(word in haystack for word in self.text.casefold().split())
        return True


@dataclass(frozen=True)
class CalendarRange:
    days: tuple[CalendarDay, ...]
    sessions: tuple[SessionRecord, ...]
    busy: tuple[Busy, ...]
    # Planned sessions that overlap busy time or another session (shown marked).
    clashing: frozenset[int] = frozenset()


def calendar_range(
    scheduler: Scheduler,
    first: date,
    count: int,
    customers: Collection[CustomerRecord],
    selection: CalendarFilter | None = None,
) -> CalendarRange:
    """`count` days from `first` (ET dates) with what falls on them."""
    clock = scheduler.clock
    selection = selection or CalendarFilter()
    days = []
    for offset in range(count):
        day = first + timedelta(days=offset)
        window = clock.work_window(day)
        days.append(
            CalendarDay(
                day=day,
                weekend=day.weekday() >= 5,
                holiday=clock.holiday_name(day),
                work_start_utc=to_utc(window.start_et) if window else None,
                work_end_utc=to_utc(window.end_et) if window else None,
            )
        )
    last = first + timedelta(days=count - 1)
    packages = {c.id: c.package for c in customers}
    sessions = tuple(
        s
        for s in scheduler.find(None, first, last, include_cancelled=selection.include_cancelled)
        if selection.keeps(s, packages)
    )
    start_utc, end_utc = clock.day_bounds_utc(first, last + timedelta(days=1))
    busy = tuple(scheduler.busy_blocks(start_utc, end_utc))
    return CalendarRange(tuple(days), sessions, busy, clashing_ids(sessions, busy))


def clashing_ids(sessions: Collection[SessionRecord], busy: Collection[Busy]) -> frozenset[int]:
    """Planned timed sessions overlapping a busy block or another session that counts."""
    timed = sorted(
        (s for s in sessions if not s.all_day and s.status != SessionStatus.CANCELLED),
        key=lambda s: s.start_utc,
    )
    found: set[int] = set()
    for index, session in enumerate(timed):
        for other in timed[index + 1 :]:
            if other.start_utc >= session.end_utc:
                break
            found.update({session.id, other.id})
        if any(b.start_utc < session.end_utc and b.end_utc > session.start_utc for b in busy):
            found.add(session.id)
    planned = {s.id for s in timed if s.status == SessionStatus.PLANNED}
    return frozenset(found & planned)
