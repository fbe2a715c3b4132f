"""The manager's own limits on a plan: lead time, a daily cap, lunch, a buffer between
sessions; and the check of a proposal moved by hand before it is booked."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime, timedelta

from desktop.services.business_time import (
    format_day,
    localize,
    to_utc,
    to_zone,
    zone,
)
from desktop.services.profile import ManagerProfile
from desktop.services.scheduling.ledger import Booked, Busy, Ledger, managers_of
from desktop.services.scheduling.plans import PlannedSession
from desktop.services.scheduling.rules import Proposal, Violation, check
from desktop.services.scheduling.sessions import (
    Scheduler,
    SessionTimes,
)
from desktop.services.scheduling.status import SessionStatus

# Enough either side of an instant to hold its whole day in any zone.
_DAY_AROUND = timedelta(hours=26)


def lead_start(scheduler: Scheduler, profile: ManagerProfile, now: datetime) -> datetime:
    """The first instant the plan may use: `lead_days` business days after today (ET)."""
    if profile.lead_days <= 0:
        return now
    clock = scheduler.clock
    day = clock.et_date(now)
    for _ in range(profile.lead_days):
        day = clock.next_business_day(day)
    return max(now, to_utc(clock.midnight(day)))


class Workload:
    """The manager's days in the profile's zone: load per day, buffer, lunch.

    In a team's book each session is in the calendars of its customers' managers (as the
    conflict rule sees it): a colleague's sessions neither fill my day nor need a buffer
    from mine. A session of a customer without an owner is in everyone's calendar, and a
    calendar of no known manager (a solo book) holds every session."""

    def __init__(self, profile: ManagerProfile, ledger: Ledger) -> None:
        self.profile = profile
        self.tz = zone(profile.tz)
        self.ledger = ledger
        self.buffer = timedelta(minutes=profile.buffer_minutes)
        self._every: Counter[date] = Counter()  # every session of the day
        self._anyones: Counter[date] = Counter()  # sessions in everyone's calendar
        self._own: Counter[tuple[str, date]] = Counter()  # a known manager's sessions
        self._days: dict[datetime, date] = {}
        self._lunch: dict[date, tuple[datetime, datetime]] = {}
        for session in ledger.timed_sessions():
            self.take(session.start_utc, ledger.managers_of(session.customer_ids))

    def day_of(self, moment: datetime) -> date:
        day = self._days.get(moment)
        if day is None:
            day = self._days[moment] = to_zone(moment, self.tz).date()
        return day

    def load(self, day: date, managers: Collection[str]) -> int:
        """The sessions of `day` in these managers' calendars (the fullest of them)."""
        if not managers or "" in managers:
            return self._every[day]
        return self._anyones[day] + max(self._own[manager, day] for manager in managers)

    def full(self, day: date, managers: Collection[str]) -> bool:
        return self.load(day, managers) >= self.profile.max_per_day

    def over_lunch(self, start_utc: datetime, end_utc: datetime) -> bool:
        if self.profile.lunch is None:
            return False
        day = self.day_of(start_utc)
        if day not in self._lunch:
            first, last = self.profile.lunch
            self._lunch[day] = (
                to_utc(localize(self.tz, datetime.combine(day, first))),
                to_utc(localize(self.tz, datetime.combine(day, last))),
            )
        lunch_start, lunch_end = self._lunch[day]
        return start_utc < lunch_end and end_utc > lunch_start

    def blocked(
        self, start_utc: datetime, end_utc: datetime, managers: Collection[str]
    ) -> str | None:
        """Why these managers cannot take [start, end), or None."""
        if self.full(self.day_of(start_utc), managers):
            return "cap"
        if self.over_lunch(start_utc, end_utc):
            return "lunch"
        near = self.ledger.clashes_for(
            start_utc - self.buffer, end_utc + self.buffer, set(managers)
        )
        for item in near:
            overlaps = item.start_utc < end_utc and item.end_utc > start_utc
            if isinstance(item, Busy):
                if overlaps:
                    return "busy"
            else:
                return "conflict" if overlaps else "buffer"
        return None

    def take(self, start_utc: datetime, managers: Collection[str]) -> None:
        """Count a session starting then in these managers' calendars."""
        day = self.day_of(start_utc)
        self._every[day] += 1
        if not managers or "" in managers:
            self._anyones[day] += 1
        else:
            for manager in set(managers):
                self._own[manager, day] += 1


def workload_ledger(
    scheduler: Scheduler, customer_ids: Iterable[int], first: datetime, end: datetime
) -> Ledger:
    """The ledger of these customers, and of [first, end) with a day's margin each side: the
    rules look a day back, the daily cap counts whole days of the profile's zone (none is
    longer than 25 hours), the buffer looks past the end."""
    with scheduler.db.reading() as session:
        return scheduler.load_ledger(session, customer_ids, first - _DAY_AROUND, end + _DAY_AROUND)


def check_change(
    scheduler: Scheduler,
    profile: ManagerProfile,
    proposal: PlannedSession,
    times: SessionTimes,
    others: Sequence[PlannedSession],
    now: datetime,
) -> tuple[list[Violation], list[str]]:
    """A proposal moved to `times` before it is booked: the contract's verdict (against the
    book and the plan's other proposals) and the workload and clock warnings it would carry."""
    customer = proposal.customer
    ledger = workload_ledger(scheduler, [customer.id], times.start_utc, times.end_utc)
    # The plan's customers without sessions; the ledger's own read is fresher for the rest.
    planned = [customer, *(p.customer for p in others)]
    ledger.know_owners(c for c in planned if c.id not in ledger.owners)
    for number, other in enumerate(others, start=1):
        if other is proposal:
            continue
        ledger.add(
            Booked(
                -number,
                other.kind,
                (other.customer.id,),
                other.times.start_utc,
                other.times.end_utc,
                other.times.all_day,
                SessionStatus.PLANNED.value,
                False,
                f"{other.customer.name} {other.kind} (proposed)",
            )
        )
    candidate = Proposal(
        kind=proposal.kind,
        customers=(customer,),
        start_utc=times.start_utc,
        end_utc=times.end_utc,
        requested_utc=now,
    )
    violations = check(scheduler.policy, scheduler.clock, candidate, ledger)
    warnings = list(scheduler.local_time_warnings(candidate))
    if times.start_utc < lead_start(scheduler, profile, now):
        warnings.append(f"Inside your lead time of {profile.lead_days} business day(s).")
    managers = managers_of([customer])
    blocked = Workload(profile, ledger).blocked(times.start_utc, times.end_utc, managers)
    texts = {
        "cap": f"That day already has {profile.max_per_day} sessions (your daily cap).",
        "lunch": f"Over your lunch ({profile.lunch_text}).",
        "buffer": f"Less than {profile.buffer_minutes} minutes from another session.",
    }
    if blocked in texts:
        warnings.append(texts[blocked])
    return violations, warnings


def why_unplanned(
    profile: ManagerProfile, why: Counter[str], what: str, first: date, last: date
) -> str:
    """One sentence naming the main obstacle."""
    cap = profile.max_per_day
    texts = {
        "cap": f"your days are full ({cap} sessions a day)",
        "buffer": f"other sessions are too close ({profile.buffer_minutes} min buffer)",
        "lunch": "the free times fall over your lunch",
        "busy": "your busy time covers the free times",
        "conflict": "other sessions take the free times",
        "lead": "the time left is inside your lead time",
    }
    why = Counter({code: n for code, n in why.items() if code != "day"})
    if not why:
        return (
            f"no business day for {what} between {format_day(first)} and "
            f"{format_day(last)} (after your lead time of {profile.lead_days} "
            "business day(s))."
        )
    main = [texts.get(code, f"the contract refuses ({code})") for code, _ in why.most_common(2)]
    return f"no free slot for {what} by {format_day(last)}: " + "; ".join(main) + "."
