"""The planner: fills onboarding allowances and cadence periods with sessions a manager keeps.

Besides the contract's rules, every proposal honours the manager's workload profile, all as
hard constraints: nothing before the lead time, at most `max_per_day` sessions a day (what is
booked counts), `buffer_minutes` between sessions, lunch free (in the profile's zone), and the
customer's own 08:00-18:00 whenever it overlaps the contract's working window that day (else
the least-bad time, with a warning). Whatever cannot be placed is listed in `unplanned` with
its reason.

Method: a well-ordered greedy (measured in benchmarks/bench_plan_quality.py). Onboarding is
placed round-robin over customers (each customer's first session before anyone's second), each
session in its own segment of the window (spread, not front-loaded) on the least-loaded day of
that segment; cadence calls keep one weekday and time per customer, weekdays balanced across
the book. Deterministic, and planning again after applying proposes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from desktop.errors import AmplanError, BadInput
from desktop.services.business_time import (
    Period,
    add_months,
    format_day,
    localize,
    periods_between,
    to_utc,
    to_zone,
    zone,
)
from desktop.services.customers import CustomerRecord
from desktop.services.profile import ManagerProfile
from desktop.services.scheduling.ledger import Booked, Busy, Ledger
from desktop.services.scheduling.rules import Proposal, Violation, check
from desktop.services.scheduling.sessions import (
    BookingRequest,
    Scheduler,
    SessionRecord,
    SessionTimes,
)

ONBOARDING_SESSION_MINUTES = 60
# A cadence call lands about this far into its period (not on its first day) when it can.
CADENCE_LEAD_DAYS = 7
# Weekdays for cadence calls, in order of preference; the book's calls are balanced over them.
CADENCE_WEEKDAYS = (1, 2, 3, 0, 4)
CUSTOMER_DAY = (time(8), time(18))
# The most comfortable local hour for a customer (late morning).
COMFORT_HOUR = 10.5
# On a day with no overlap, times at most this much less comfortable than the least-bad one
# (about 1.5 hours further outside the customer's day) before trying another day.
LEAST_BAD_SLACK = 16.0
# A customer with at most this many good start times a day, whose window has fewer than
# this many business days per session, has all its onboarding placed before the others'.
NARROW_STARTS = 4
NARROW_WINDOW_FACTOR = 3
# A cadence period closing within this many days of the plan's first day is planned first.
URGENT_CADENCE_DAYS = 30
# Violations that depend on the time of day; any other one rules out the whole day.
SLOT_LEVEL_RULES = frozenset({"conflict", "outside-working-hours"})


class PlanStopped(AmplanError):
    """The user stopped a long planning run."""


@dataclass(frozen=True)
class PlannedSession:
    customer: CustomerRecord
    kind: str
    times: SessionTimes
    reason: str
    warnings: tuple[str, ...] = ()

    def request(self, requested_utc: datetime) -> BookingRequest:
        return BookingRequest((self.customer,), self.kind, self.times, requested_utc)


@dataclass(frozen=True)
class Unplanned:
    """Work the plan owes but could not place, and why."""

    customer: CustomerRecord
    kind: str
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"customer": self.customer.name, "kind": self.kind, "reason": self.reason}


@dataclass
class Plan:
    proposed: list[PlannedSession]
    notes: list[str]
    applied: bool = False
    booked: list[SessionRecord] | None = None
    unplanned: list[Unplanned] = field(default_factory=list)

    def leave(self, item: Unplanned) -> None:
        self.unplanned.append(item)
        self.notes.append(f"{item.customer.name}: {item.reason}")


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
    """The manager's days in the profile's zone: load per day, buffer, lunch."""

    def __init__(self, profile: ManagerProfile, ledger: Ledger) -> None:
        self.profile = profile
        self.tz = zone(profile.tz)
        self.ledger = ledger
        self.buffer = timedelta(minutes=profile.buffer_minutes)
        self.load: Counter[date] = Counter()
        self._days: dict[datetime, date] = {}
        self._lunch: dict[date, tuple[datetime, datetime]] = {}
        for session in ledger.timed_sessions():
            self.load[self.day_of(session.start_utc)] += 1

    def day_of(self, moment: datetime) -> date:
        day = self._days.get(moment)
        if day is None:
            day = self._days[moment] = to_zone(moment, self.tz).date()
        return day

    def full(self, day: date) -> bool:
        return self.load[day] >= self.profile.max_per_day

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

    def blocked(self, start_utc: datetime, end_utc: datetime) -> str | None:
        """Why the manager cannot take [start, end), or None."""
        if self.full(self.day_of(start_utc)):
            return "cap"
        if self.over_lunch(start_utc, end_utc):
            return "lunch"
        for item in self.ledger.clashes(start_utc - self.buffer, end_utc + self.buffer):
            if isinstance(item, Busy):
                if item.start_utc < end_utc and item.end_utc > start_utc:
                    return "busy"
            else:
                return "buffer"
        return None

    def take(self, start_utc: datetime) -> None:
        self.load[self.day_of(start_utc)] += 1


class Planner:
    def __init__(self, scheduler: Scheduler, profile: ManagerProfile | None = None) -> None:
        self.scheduler = scheduler
        self.clock = scheduler.clock
        self.policy = scheduler.policy
        self.profile = profile if profile is not None else scheduler.profiles.load()
        self._next_id = -1
        self._hours_cache: dict[tuple[str, date, int], list[tuple[datetime, datetime]]] = {}
        self._slots_cache: dict[
            tuple[str, date, int], tuple[list[datetime], list[datetime], bool, datetime]
        ] = {}
        self._window_days: dict[date, tuple[date, ...]] = {}
        self._day_version: Counter[date] = Counter()
        self._no_room: dict[tuple[str, date, int, bool], tuple[int, Counter[str]]] = {}
        self._saw_outside = False
        self._cadence_style: dict[int, tuple[int, int | None]] = {}
        self._periods_tried: set[tuple[int, date]] = set()

    # --- the public entry points ---------------------------------------------------------
    def plan(
        self,
        customers: Sequence[CustomerRecord],
        first: date,
        until: date,
        now: datetime | None = None,
        progress: Callable[[int, int], bool] | None = None,
    ) -> Plan:
        """Plan [first, until) (until exclusive). `progress(done, total)` is called as work
        goes; returning False stops the planning (PlanStopped) and nothing is proposed."""
        now = now or datetime.now(UTC)
        range_start = max(now, to_utc(self.clock.midnight(first)))
        end_utc = to_utc(self.clock.midnight(until))
        if end_utc <= range_start:
            raise BadInput(
                f"Nothing to plan: {format_day(first)} - "
                f"{format_day(until - timedelta(days=1))} is already past. "
                "Sessions are only proposed from now on."
            )
        after_utc = max(range_start, lead_start(self.scheduler, self.profile, now))
        with self.scheduler.db.reading() as session:
            ledger = self.scheduler.load_ledger(
                session, [c.id for c in customers], min(now, after_utc), end_utc
            )
        self.ledger = ledger
        self.workload = Workload(self.profile, ledger)
        self.now = now
        self.after_utc = after_utc
        self.range_first_day = max(first, self.clock.et_date(range_start))
        self.first_day = max(first, self.clock.et_date(after_utc))
        self.last_day = until - timedelta(days=1)
        plan = Plan([], [])
        ordered = sorted(customers, key=lambda c: c.id)
        total = len(ordered)

        def tick(done: int) -> None:
            if progress is not None and not progress(done, total):
                raise PlanStopped("Planning stopped; nothing was proposed.")

        weekday_load: Counter[int] = Counter()
        # Calls whose period closes soon have few days left: they go before the onboarding
        # hours, which have the whole window; the rest after.
        urgent = self.first_day + timedelta(days=URGENT_CADENCE_DAYS)
        for phase in ("urgent", "onboarding", "cadence"):
            if phase == "onboarding":
                self._plan_onboarding(ordered, plan, tick)
                continue
            for done, customer in enumerate(ordered, start=1):
                ent = self.scheduler.customers.entitlements(customer)
                if ent.allows_kind("cadence"):
                    months = self.policy.cadence_months[ent.cadence]
                    closing = urgent if phase == "urgent" else None
                    self._plan_cadence(customer, months, weekday_load, plan, closing)
                if phase == "cadence":
                    tick(done)
        plan.proposed.sort(key=lambda p: (p.times.start_utc, p.customer.id))
        _number_onboarding(plan)
        return plan

    def apply(self, plan: Plan, requested_utc: datetime | None = None) -> Plan:
        requests = [p.request(requested_utc or datetime.now(UTC)) for p in plan.proposed]
        plan.booked = self.scheduler.book_many(requests)
        plan.applied = True
        return plan

    # --- candidates ----------------------------------------------------------------------
    def _customer_hours(
        self, customer: CustomerRecord, day: date, minutes: int
    ) -> list[tuple[datetime, datetime]]:
        """Parts of the working window of `day` inside the customer's 08:00-18:00 that can
        hold `minutes` (UTC); empty when there is no such overlap that day."""
        cache_key = (customer.tz, day, minutes)
        if cache_key in self._hours_cache:
            return self._hours_cache[cache_key]
        window = self.clock.work_window(day)
        found: list[tuple[datetime, datetime]] = []
        if window is not None:
            tz = zone(customer.tz)
            w_start, w_end = to_utc(window.start_et), to_utc(window.end_et)
            local_days = {to_zone(w_start, tz).date(), to_zone(w_end, tz).date()}
            for local_day in sorted(local_days):
                c_start = to_utc(localize(tz, datetime.combine(local_day, CUSTOMER_DAY[0])))
                c_end = to_utc(localize(tz, datetime.combine(local_day, CUSTOMER_DAY[1])))
                low, high = max(w_start, c_start), min(w_end, c_end)
                if high - low >= timedelta(minutes=minutes):
                    found.append((low, high))
        self._hours_cache[cache_key] = found
        return found

    def _discomfort(self, customer: CustomerRecord, start_utc: datetime, minutes: int) -> float:
        local = to_zone(start_utc, zone(customer.tz))
        begin = local.hour + local.minute / 60
        end = begin + minutes / 60
        score = abs(begin - COMFORT_HOUR)
        if begin < CUSTOMER_DAY[0].hour:
            score += 100 + (CUSTOMER_DAY[0].hour - begin) * 15  # before dawn: worse than late
        if end > CUSTOMER_DAY[1].hour:
            score += 100 + (end - CUSTOMER_DAY[1].hour) * 10
        return score

    def _day_slots(
        self,
        customer: CustomerRecord,
        day: date,
        minutes: int,
        steady: int | None = None,
        strict: bool = True,
    ) -> tuple[list[SessionTimes], bool]:
        """Start times on `day`, best first, and whether they lie outside the customer's day
        (no overlap that day: least-bad times)."""
        cache_key = (customer.tz, day, minutes)
        cached = self._slots_cache.get(cache_key)
        if cached is None:
            cached = self._ordered_starts(customer, day, minutes)
            self._slots_cache[cache_key] = cached
        every, near_best, outside, w_start = cached
        length = timedelta(minutes=minutes)
        # No overlap with the customer's day: strictly, only times near the least bad, so that
        # a busy day sends the session to another day rather than to 03:00 their time.
        starts = near_best if strict else every
        if steady is not None:
            wanted = [s for s in starts if int((s - w_start).total_seconds() // 60) == steady]
            starts = wanted + [s for s in starts if s not in wanted]
        return [SessionTimes(s, s + length, False) for s in starts], outside

    def _ordered_starts(
        self, customer: CustomerRecord, day: date, minutes: int
    ) -> tuple[list[datetime], list[datetime], bool, datetime]:
        window = self.clock.work_window(day)
        if window is None:
            return [], [], False, datetime.min
        step = self.policy.time.slot_step_minutes
        w_start, w_end = to_utc(window.start_et), to_utc(window.end_et)
        length = timedelta(minutes=minutes)
        starts = []
        moment = w_start
        while moment + length <= w_end:
            starts.append(moment)
            moment += timedelta(minutes=step)
        hours = self._customer_hours(customer, day, minutes)
        if hours:
            starts = [s for s in starts if any(lo <= s and s + length <= hi for lo, hi in hours)]
        scored = sorted((self._discomfort(customer, s, minutes), s) for s in starts)
        starts = [s for _, s in scored]
        if hours or not scored:
            return starts, starts, False, w_start
        near = [s for score, s in scored if score <= scored[0][0] + LEAST_BAD_SLACK]
        return starts, near, True, w_start

    def _good_starts(self, customer: CustomerRecord, day: date, minutes: int) -> int:
        """How many start times of `day` suit the customer (inside their day, or near the
        least bad): few means a customer whose sessions should be placed early."""
        return len(self._day_slots(customer, day, minutes, strict=True)[0])

    def _day_full(self, day: date) -> bool:
        """Whether every hour of the day's working window falls on a full day of the manager."""
        cached = self._window_days.get(day)
        if cached is None:
            window = self.clock.work_window(day)
            if window is None:
                cached = ()
            else:
                cached = (
                    self.workload.day_of(to_utc(window.start_et)),
                    self.workload.day_of(to_utc(window.end_et) - timedelta(minutes=1)),
                )
            self._window_days[day] = cached
        return bool(cached) and all(self.workload.full(d) for d in cached)

    def _place_on_day(
        self,
        customer: CustomerRecord,
        kind: str,
        day: date,
        minutes: int,
        why: Counter[str],
        steady: int | None = None,
        strict: bool = True,
    ) -> tuple[SessionTimes | None, bool]:
        """The best slot of `day` that the workload and the rules allow, and whether it lies
        outside the customer's day. `strict`: on a day without overlap, only times close to
        the least bad one."""
        if not self.clock.is_business_day(day):
            return None, False
        if self._day_full(day):
            why["cap"] += 1
            return None, False
        if not self._customer_hours(customer, day, minutes):
            self._saw_outside = True
        elif not strict:
            return None, False  # the strict pass already tried every time of this day
        memo_key = (customer.tz, day, minutes, strict)
        memo = self._no_room.get(memo_key)
        if memo is not None and memo[0] == self._day_version[day]:
            why.update(memo[1])
            return None, False
        slots, outside = self._day_slots(customer, day, minutes, steady, strict)
        here: Counter[str] = Counter()
        found = self._first_fit(customer, kind, slots, here)
        why.update(here)
        if found is None and not here["day"]:
            # Only the day's workload stood in the way: the same answer until the day changes.
            self._no_room[memo_key] = (self._day_version[day], here)
        return found, outside

    def _first_fit(
        self, customer: CustomerRecord, kind: str, slots: list[SessionTimes], why: Counter[str]
    ) -> SessionTimes | None:
        for times in slots:
            if times.start_utc < self.after_utc:
                why["lead"] += 1
                continue
            blocked = self.workload.blocked(times.start_utc, times.end_utc)
            if blocked is not None:
                why[blocked] += 1
                continue
            proposal = Proposal(
                kind=kind,
                customers=(customer,),
                start_utc=times.start_utc,
                end_utc=times.end_utc,
                requested_utc=self.now,
            )
            violations = check(self.policy, self.clock, proposal, self.ledger)
            if not violations:
                return times
            for violation in violations:
                why[violation.rule] += 1
            if any(v.rule not in SLOT_LEVEL_RULES for v in violations):
                why["day"] += 1  # a rule of this customer's contract rules out the whole day
                return None
        return None

    def _remember(self, customer: CustomerRecord, kind: str, times: SessionTimes) -> None:
        """Put a proposal in the ledger and the workload so later proposals respect it."""
        self.ledger.add(
            Booked(
                self._next_id,
                kind,
                (customer.id,),
                times.start_utc,
                times.end_utc,
                times.all_day,
                "planned",
                False,
                f"{customer.name} {kind} (proposed)",
            )
        )
        self._next_id -= 1
        self.workload.take(times.start_utc)
        self._day_version[self.clock.et_date(times.start_utc)] += 1

    def _warnings(self, customer: CustomerRecord, times: SessionTimes) -> tuple[str, ...]:
        tz = zone(customer.tz)
        local_start, local_end = to_zone(times.start_utc, tz), to_zone(times.end_utc, tz)
        return (
            f"No time inside 08:00-18:00 in {customer.tz} falls in working hours that day: "
            f"{local_start:%H:%M}-{local_end:%H:%M} there is the least-bad time for "
            f"{customer.name}.",
        )

    def _why(self, why: Counter[str], what: str, last: date) -> str:
        """One sentence naming the main obstacle."""
        cap = self.profile.max_per_day
        texts = {
            "cap": f"your days are full ({cap} sessions a day)",
            "buffer": f"other sessions are too close ({self.profile.buffer_minutes} min buffer)",
            "lunch": "the free times fall over your lunch",
            "busy": "your busy time covers the free times",
            "conflict": "other sessions take the free times",
            "lead": "the time left is inside your lead time",
        }
        why = Counter({code: n for code, n in why.items() if code != "day"})
        if not why:
            return (
                f"no business day for {what} between {format_day(self.first_day)} and "
                f"{format_day(last)} (after your lead time of {self.profile.lead_days} "
                "business day(s))."
            )
        main = [texts.get(code, f"the contract refuses ({code})") for code, _ in why.most_common(2)]
        return f"no free slot for {what} by {format_day(last)}: " + "; ".join(main) + "."

    # --- onboarding ----------------------------------------------------------------------
    def _onboarding_job(
        self, customer: CustomerRecord, plan: Plan
    ) -> tuple[list[int], list[date], date] | None:
        hours = self.scheduler.customers.entitlements(customer).onboarding_hours
        window = self.clock.onboarding_window(customer.start)
        start_day = max(self.first_day, window.first_day)
        last_day = min(self.last_day, window.last_day)
        if window.last_day < self.range_first_day or window.first_day > self.last_day:
            return None
        booked = sum(
            s.minutes for s in self.ledger.of_customer(customer.id, "onboarding") if not s.billable
        )
        remaining = hours * 60 - booked
        if remaining <= 0:
            return None
        lengths = [ONBOARDING_SESSION_MINUTES] * (remaining // ONBOARDING_SESSION_MINUTES)
        if remaining % ONBOARDING_SESSION_MINUTES:
            lengths.append(remaining % ONBOARDING_SESSION_MINUTES)
        days = [
            start_day + timedelta(days=n)
            for n in range((last_day - start_day).days + 1)
            if self.clock.is_business_day(start_day + timedelta(days=n))
        ]
        if not days:
            plan.leave(
                Unplanned(
                    customer,
                    "onboarding",
                    f"{remaining / 60:g} onboarding hour(s) left but no business day of the "
                    f"window (to {format_day(window.last_day)}) is after your lead time and "
                    "inside the plan.",
                )
            )
            return None
        return lengths, days, last_day

    def _plan_onboarding(
        self, customers: Sequence[CustomerRecord], plan: Plan, tick: Callable[[int], None]
    ) -> None:
        jobs: dict[int, tuple[CustomerRecord, list[int], list[date], date]] = {}
        for customer in customers:
            job = self._onboarding_job(customer, plan)
            if job is not None:
                jobs[customer.id] = (customer, *job)
        # Customers with few good hours in the ET day (no overlap with their own day, or a
        # short one) and a tight window are placed whole first: round-robin would hand their
        # few good hours to others. Then everyone else round-robin (each one's first session
        # before anyone's second), most urgent windows first, then by id: deterministic.
        order = sorted(jobs.values(), key=lambda j: (j[3], j[0].id))
        narrow = [
            j
            for j in order
            if self._good_starts(j[0], j[2][0], j[1][0]) <= NARROW_STARTS
            and len(j[2]) < NARROW_WINDOW_FACTOR * len(j[1])
        ]
        others = [j for j in order if j not in narrow]
        rounds = max((len(j[1]) for j in others), default=0)
        steps = [(i, j) for j in narrow for i in range(len(j[1]))] + [
            (i, j) for i in range(rounds) for j in others if i < len(j[1])
        ]
        used: dict[int, set[date]] = {c.id: set() for c, *_ in order}
        placed: dict[int, int] = Counter()
        failed: dict[int, Counter[str]] = {}
        for step, (index, (customer, lengths, days, _last)) in enumerate(steps):
            if step % 50 == 0:
                tick(0)
            if index >= len(lengths) or customer.id in failed:
                continue
            count = len(lengths)
            low = index * len(days) // count
            high = max(low + 1, (index + 1) * len(days) // count)
            segment = days[low:high]
            # The least-loaded day of the session's own segment, then anywhere in the window.
            candidates = sorted(
                segment, key=lambda d: (self.workload.load[d], abs((d - segment[0]).days))
            )
            rest = [d for d in days if d not in segment and d not in used[customer.id]]
            rest.sort(key=lambda d: (abs((d - segment[0]).days), d))
            doubled = [d for d in days if d in used[customer.id]]
            why: Counter[str] = Counter()
            times = None
            outside = False
            tries = [d for d in candidates if d not in used[customer.id]] + rest + doubled
            self._saw_outside = False
            for strict in (True, False):
                for day in tries:
                    times, outside = self._place_on_day(
                        customer, "onboarding", day, lengths[index], why, strict=strict
                    )
                    if times is not None:
                        break
                if times is not None or not self._saw_outside:
                    break
            if times is None:
                failed[customer.id] = why
                continue
            self._remember(customer, "onboarding", times)
            used[customer.id].add(self.clock.et_date(times.start_utc))
            placed[customer.id] += 1
            plan.proposed.append(
                PlannedSession(
                    customer,
                    "onboarding",
                    times,
                    f"onboarding {index + 1} of {count} ({times.minutes} min)",
                    self._warnings(customer, times) if outside else (),
                )
            )
        for customer, lengths, _days, last_day in order:
            if customer.id in failed:
                left = sum(lengths[placed[customer.id] :]) / 60
                plan.leave(
                    Unplanned(
                        customer,
                        "onboarding",
                        f"{left:g} onboarding hour(s): "
                        + self._why(failed[customer.id], "onboarding", last_day),
                    )
                )

    # --- cadence -------------------------------------------------------------------------
    def _steady(
        self, customer: CustomerRecord, weekday_load: Counter[int]
    ) -> tuple[int, int | None]:
        """The customer's weekday and minute offset into the working day: those of the last
        call booked, else the least-used weekday of the book so far."""
        calls = self.ledger.of_customer(customer.id, "cadence")
        if calls:
            last_et = self.clock.et(calls[-1].start_utc)
            start = self.policy.time.working_start
            offset = (last_et.hour - start.hour) * 60 + last_et.minute - start.minute
            return last_et.weekday(), offset
        weekday = min(CADENCE_WEEKDAYS, key=lambda d: (weekday_load[d], CADENCE_WEEKDAYS.index(d)))
        return weekday, None

    def _plan_cadence(
        self,
        customer: CustomerRecord,
        months: int,
        weekday_load: Counter[int],
        plan: Plan,
        closing_before: date | None = None,
    ) -> None:
        """The calls of the customer's periods (only those closing before `closing_before`
        when given); each period is tried once per plan."""
        style = self._cadence_style.get(customer.id)
        if style is None:
            style = self._steady(customer, weekday_load)
            weekday_load[style[0]] += 1
            self._cadence_style[customer.id] = style
        weekday, steady = style
        minutes = self.policy.kind("cadence").default_minutes
        periods = periods_between(customer.start, months, self.first_day, self.last_day)
        for period in periods:
            if closing_before is not None and period.last_day >= closing_before:
                continue
            if (customer.id, period.start) in self._periods_tried:
                continue
            self._periods_tried.add((customer.id, period.start))
            if any(
                period.contains(self.clock.et_date(s.start_utc))
                for s in self.ledger.of_customer(customer.id, "cadence")
            ):
                continue
            start = max(period.start, self.first_day)
            last = min(period.last_day, self.last_day)
            if start > last:
                continue
            why: Counter[str] = Counter()
            found = self._cadence_slot(customer, period, weekday, steady, minutes, start, last, why)
            if found is None:
                plan.leave(
                    Unplanned(
                        customer,
                        "cadence",
                        f"the call of {format_day(period.start)} - {format_day(period.last_day)}: "
                        + self._why(why, "the cadence call", last),
                    )
                )
                continue
            times, outside = found
            if steady is None:
                window_start = self.clock.at(
                    self.clock.et_date(times.start_utc), self.policy.time.working_start
                )
                steady = int((times.start_utc - to_utc(window_start)).total_seconds() // 60)
                self._cadence_style[customer.id] = (weekday, steady)
            self._remember(customer, "cadence", times)
            plan.proposed.append(
                PlannedSession(
                    customer,
                    "cadence",
                    times,
                    f"cadence call for {format_day(period.start)} - {format_day(period.last_day)}",
                    self._warnings(customer, times) if outside else (),
                )
            )

    def _cadence_slot(
        self,
        customer: CustomerRecord,
        period: Period,
        weekday: int,
        steady: int | None,
        minutes: int,
        start: date,
        last: date,
        why: Counter[str],
    ) -> tuple[SessionTimes, bool] | None:
        lead = min(CADENCE_LEAD_DAYS, (period.end - period.start).days // 4)
        target = max(start, period.start + timedelta(days=lead))
        if target > last:
            target = start
        all_days = [start + timedelta(days=n) for n in range((last - start).days + 1)]
        # The steady weekday first (from the target on, then before it), then any day nearest
        # the target.
        steady_days = [d for d in all_days if d.weekday() == weekday]
        steady_days.sort(key=lambda d: (d < target, abs((d - target).days)))
        others = [d for d in all_days if d.weekday() != weekday]
        others.sort(key=lambda d: (d < target, abs((d - target).days)))
        self._saw_outside = False
        for strict in (True, False):
            for day in steady_days + others:
                times, outside = self._place_on_day(
                    customer, "cadence", day, minutes, why, steady, strict
                )
                if times is not None:
                    return times, outside
            if not self._saw_outside:
                break
        return None


def _number_onboarding(plan: Plan) -> None:
    """Onboarding reasons count in time order ("2 of 4" never before "1 of 4")."""
    counts = Counter(p.customer.id for p in plan.proposed if p.kind == "onboarding")
    seen: Counter[int] = Counter()
    for index, item in enumerate(plan.proposed):
        if item.kind == "onboarding":
            seen[item.customer.id] += 1
            number, total = seen[item.customer.id], counts[item.customer.id]
            reason = f"onboarding {number} of {total} ({item.times.minutes} min)"
            plan.proposed[index] = replace(item, reason=reason)


def default_until(first: date) -> date:
    """From + 12 months (CLI.md), exclusive: the first day not planned."""
    return add_months(first, 12)


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
    with scheduler.db.reading() as session:
        ledger = scheduler.load_ledger(
            session, [customer.id], times.start_utc - timedelta(days=1), times.end_utc
        )
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
                "planned",
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
    blocked = Workload(profile, ledger).blocked(times.start_utc, times.end_utc)
    texts = {
        "cap": f"That day already has {profile.max_per_day} sessions (your daily cap).",
        "lunch": f"Over your lunch ({profile.lunch_text}).",
        "buffer": f"Less than {profile.buffer_minutes} minutes from another session.",
    }
    if blocked in texts:
        warnings.append(texts[blocked])
    return violations, warnings
