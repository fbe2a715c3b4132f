"""The slot finder: the next legal start times for a kind and length, earliest first.

Checks candidates against an in-memory ledger whose calendar is loaded a week at a time, and
skips a whole day as soon as a rule says the day itself is wrong (holiday, notice, quota...),
before its calendar is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta

from desktop.services.business_time import to_utc
from desktop.services.customers import CustomerRecord
from desktop.services.scheduling.ledger import Ledger, managers_of
from desktop.services.scheduling.rules import (
    CALENDAR_RULE,
    DAY_RULES,
    RULES,
    SLOT_RULES,
    Proposal,
    Rule,
    Violation,
    check,
    kind_not_entitled,
)
from desktop.services.scheduling.sessions import RuleRefusal, Scheduler, SessionTimes

SEARCH_HORIZON_DAYS = 730
# A slot is mostly found within days; the ledger's calendar grows a week at a time as the
# search goes, and skips the days the day-level rules turned down (a month's quota used).
LOAD_CHUNK_DAYS = 7


class SlotSearch:
    """A reusable search over one ledger (the planner adds its proposals to that ledger)."""

    def __init__(
        self,
        scheduler: Scheduler,
        customers: Sequence[CustomerRecord],
        kind: str,
        ledger: Ledger,
        loaded_until: datetime,
    ) -> None:
        self.scheduler = scheduler
        self.customers = tuple(customers)
        self.kind = kind
        self.ledger = ledger
        self.loaded_until = loaded_until
        self.policy = scheduler.policy
        self.clock = scheduler.clock
        # Only these managers' sessions can clash (a colleague's are not a conflict).
        self.managers = managers_of(customers)

    def _ensure_loaded(self, first: datetime, until: datetime) -> None:
        """The calendar of [first, until) in the ledger. The search only moves forward, so
        what lies between the last load and `first` is never asked for."""
        if until > self.loaded_until:
            begin = max(self.loaded_until, first)
            end = max(until, begin + timedelta(days=LOAD_CHUNK_DAYS))
            self.scheduler.extend_ledger(self.ledger, begin, end, self.managers)
            self.loaded_until = end

    def weekends_allowed(self) -> bool:
        return self.kind == "screen-share" and all(
            self.scheduler.customers.entitlements(c).weekends for c in self.customers
        )

    def check(
        self,
        times: SessionTimes,
        requested_utc: datetime,
        billable: bool = False,
        session_id: int | None = None,
        rules: Sequence[Rule] = RULES,
    ) -> list[Violation]:
        if CALENDAR_RULE in rules:
            day = timedelta(days=1)
            self._ensure_loaded(times.start_utc - day, times.end_utc + day)
        proposal = Proposal(
            kind=self.kind,
            customers=self.customers,
            start_utc=times.start_utc,
            end_utc=times.end_utc,
            requested_utc=requested_utc,
            all_day=times.all_day,
            billable=billable,
            session_id=session_id,
        )
        return check(self.policy, self.clock, proposal, self.ledger, rules)

    def day_candidates(
        self, day: date, minutes: int, preferred: Sequence[int] = ()
    ) -> Iterator[SessionTimes]:
        """Start times on `day` inside its window, preferred minute offsets first."""
        if self.policy.kind(self.kind).all_day:
            days = max(1, minutes // (24 * 60))
            yield SessionTimes(
                to_utc(self.clock.midnight(day)),
                to_utc(self.clock.midnight(day + timedelta(days=days))),
                True,
            )
            return
        window = self.clock.work_window(day, self.weekends_allowed())
        if window is None:
            return
        step = self.policy.time.slot_step_minutes
        span = int((window.end_et - window.start_et).total_seconds() // 60)
        offsets = list(range(0, span - minutes + 1, step))
        ordered = [o for o in preferred if o in offsets] + [
            o for o in offsets if o not in preferred
        ]
        start_utc = to_utc(window.start_et)
        for offset in ordered:
            begin = start_utc + timedelta(minutes=offset)
            yield SessionTimes(begin, begin + timedelta(minutes=minutes), False)


def find_slots(
    scheduler: Scheduler,
    customers: Sequence[CustomerRecord],
    kind: str,
    minutes: int,
    requested_utc: datetime,
    after_utc: datetime,
    count: int = 5,
    billable: bool = False,
    session_id: int | None = None,
) -> list[SessionTimes]:
    """The next `count` legal slots starting at or after `after_utc`, earliest first."""
    refusal = kind_not_entitled(scheduler.policy, customers, kind)
    if refusal:
        raise RuleRefusal(refusal)
    search = open_search(scheduler, customers, kind, after_utc)
    found: list[SessionTimes] = []
    day = scheduler.clock.et_date(after_utc)
    last_day = day + timedelta(days=SEARCH_HORIZON_DAYS)
    while day <= last_day and len(found) < count:
        day_checked = False  # until one start time shows the day itself passes
        for times in search.day_candidates(day, minutes):
            if times.start_utc < after_utc:
                continue
            if not day_checked:
                # Holiday, notice, quotas...: the whole day, before its calendar is read.
                if search.check(times, requested_utc, billable, session_id, DAY_RULES):
                    break
                day_checked = True
            violations = search.check(times, requested_utc, billable, session_id, SLOT_RULES)
            if not violations:
                found.append(times)
                if len(found) == count:
                    break
        day += timedelta(days=1)
    return found


def open_search(
    scheduler: Scheduler, customers: Sequence[CustomerRecord], kind: str, after_utc: datetime
) -> SlotSearch:
    end = after_utc + timedelta(days=LOAD_CHUNK_DAYS)
    with scheduler.db.reading() as session:
        ledger = scheduler.load_ledger(
            session, [c.id for c in customers], after_utc, end, managers_of(customers)
        )
    return SlotSearch(scheduler, customers, kind, ledger, end)
