"""The planner: fills onboarding allowances and cadence periods with sessions a manager keeps.

Besides the contract's rules, every proposal honours the manager's workload profile, all as
hard constraints: nothing before the lead time, at most `max_per_day` sessions a day (what is
booked counts; in a team's book, what is in the customer's manager's calendar), a buffer of
`buffer_minutes` between sessions, lunch free (in the profile's zone), and the customer's own
08:00-18:00 whenever it overlaps the contract's working window that day (else the least-bad
time, with a warning). Whatever cannot be placed is listed in `unplanned` with its reason.

Method: a well-ordered greedy (measured in benchmarks/bench_plan_quality.py). Onboarding is
placed round-robin over customers (each customer's first session before anyone's second), each
session in its own segment of the window (spread, not front-loaded) on the least-loaded day of
that segment; cadence calls keep one weekday and time per customer, weekdays balanced across
the book. Deterministic, and planning again after applying proposes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

from desktop.errors import BadInput
from desktop.services.business_time import (
    Period,
    format_day,
    periods_between,
    to_utc,
    to_zone,
    zone,
)
from desktop.services.customers import CustomerRecord
from desktop.services.profile import ManagerProfile
from desktop.services.scheduling.ledger import Booked, managers_of
from desktop.services.scheduling.plans import (
    CADENCE_LEAD_DAYS,
    CADENCE_WEEKDAYS,
    NARROW_STARTS,
    NARROW_WINDOW_FACTOR,
    ONBOARDING_SESSION_MINUTES,
    URGENT_CADENCE_DAYS,
    Plan,
    PlannedSession,
    PlanStopped,
    Unplanned,
    _number_onboarding,
    default_until,
)
from desktop.services.scheduling.rules import SLOT_LEVEL_RULES, Proposal, check
from desktop.services.scheduling.sessions import Scheduler, SessionTimes
from desktop.services.scheduling.start_times import StartTimes
from desktop.services.scheduling.status import SessionStatus
from desktop.services.scheduling.workload import (
    Workload,
    lead_start,
    why_unplanned,
    workload_ledger,
)


class Planner:
    def __init__(self, scheduler: Scheduler, profile: ManagerProfile | None = None) -> None:
        self.scheduler = scheduler
        self.clock = scheduler.clock
        self.policy = scheduler.policy
        self.profile = profile if profile is not None else scheduler.profiles.load()
        self._next_id = -1
        self.starts = StartTimes(self.clock, self.policy)
        self._window_days: dict[date, tuple[date, ...]] = {}
        self._day_version: Counter[date] = Counter()
        self._no_room: dict[tuple[object, ...], tuple[int, Counter[str]]] = {}
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
        ids = [c.id for c in customers]
        ledger = workload_ledger(self.scheduler, ids, min(now, after_utc), end_utc)
        ledger.know_owners(customers)
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
    def _day_full(self, day: date, managers: set[str]) -> bool:
        """Whether every hour of the day's working window falls on a full day of the managers."""
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
        return bool(cached) and all(self.workload.full(d, managers) for d in cached)

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
        if self._day_full(day, managers_of([customer])):
            why["cap"] += 1
            return None, False
        if not self.starts.customer_hours(customer, day, minutes):
            self._saw_outside = True
        elif not strict:
            return None, False  # the strict pass already tried every time of this day
        memo_key = (customer.tz, *managers_of([customer]), day, minutes, strict)
        memo = self._no_room.get(memo_key)
        if memo is not None and memo[0] == self._day_version[day]:
            why.update(memo[1])
            return None, False
        slots, outside = self.starts.day_slots(customer, day, minutes, steady, strict)
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
        managers = managers_of([customer])
        for times in slots:
            if times.start_utc < self.after_utc:
                why["lead"] += 1
                continue
            blocked = self.workload.blocked(times.start_utc, times.end_utc, managers)
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
                SessionStatus.PLANNED.value,
                False,
                f"{customer.name} {kind} (proposed)",
            )
        )
        self._next_id -= 1
        self.workload.take(times.start_utc, managers_of([customer]))
        self._day_version[self.clock.et_date(times.start_utc)] += 1

    def _warnings(self, customer: CustomerRecord, times: SessionTimes) -> tuple[str, ...]:
        tz = zone(customer.tz)
        local_start, local_end = to_zone(times.start_utc, tz), to_zone(times.end_utc, tz)
        return (
            f"No time inside 08:00-18:00 in {customer.tz} falls in working hours that day: "
            f"{local_start:%H:%M}-{local_end:%H:%M} there is the least-bad time for "
            f"{customer.name}.",
        )

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

    def _first_day_of(
        self, customer: CustomerRecord, tries: Sequence[date], minutes: int, why: Counter[str]
    ) -> tuple[SessionTimes | None, bool]:
        """An onboarding session on the first of `tries` that takes it: strictly inside the
        customer's own day first, then (if only that stood in the way) anywhere legal."""
        self._saw_outside = False
        for strict in (True, False):
            for day in tries:
                times, outside = self._place_on_day(
                    customer, "onboarding", day, minutes, why, strict=strict
                )
                if times is not None:
                    return times, outside
            if not self._saw_outside:
                break
        return None, False

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
            if self.starts.good_starts(j[0], j[2][0], j[1][0]) <= NARROW_STARTS
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
            mine = managers_of([customer])
            candidates = sorted(
                segment, key=lambda d: (self.workload.load(d, mine), abs((d - segment[0]).days))
            )
            rest = [d for d in days if d not in segment and d not in used[customer.id]]
            rest.sort(key=lambda d: (abs((d - segment[0]).days), d))
            doubled = [d for d in days if d in used[customer.id]]
            why: Counter[str] = Counter()
            tries = [d for d in candidates if d not in used[customer.id]] + rest + doubled
            times, outside = self._first_day_of(customer, tries, lengths[index], why)
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
                        + why_unplanned(
                            self.profile,
                            failed[customer.id],
                            "onboarding",
                            self.first_day,
                            last_day,
                        ),
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
        """The calls of the customer's periods (only those with fewer days left than
        `closing_before` when given: the period closes, or the plan ends, before it); each
        period is tried once per plan."""
        style = self._cadence_style.get(customer.id)
        if style is None:
            style = self._steady(customer, weekday_load)
            weekday_load[style[0]] += 1
            self._cadence_style[customer.id] = style
        weekday, steady = style
        minutes = self.policy.kind("cadence").default_minutes
        periods = periods_between(customer.start, months, self.first_day, self.last_day)
        for period in periods:
            if closing_before is not None and min(period.last_day, self.last_day) >= closing_before:
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
                        + why_unplanned(
                            self.profile, why, "the cadence call", self.first_day, last
                        ),
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


__all__ = [
    "Plan",
    "PlanStopped",
    "PlannedSession",
    "Planner",
    "default_until",
    "lead_start",
]
