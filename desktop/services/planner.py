"""The planner: fills a customer's onboarding allowance and cadence periods with legal sessions.

Deterministic (customers by id, days in order, times by the customer's comfort), respects
what is booked, and adds each proposal to the ledger so proposals never clash with each
other. Planning again after applying proposes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from desktop.errors import AmplanError, BadInput
from desktop.services.business_time import (
    Period,
    add_months,
    format_day,
    periods_between,
    to_utc,
)
from desktop.services.customers import CustomerRecord
from desktop.services.ledger import Booked
from desktop.services.sessions import BookingRequest, Scheduler, SessionRecord, SessionTimes
from desktop.services.slots import SlotSearch

# Onboarding sessions are spread so the allowance is used in the first part of the window.
ONBOARDING_SESSION_MINUTES = 60
ONBOARDING_MAX_GAP_BUSINESS_DAYS = 5
# A cadence call lands about this far into its period (not on its first day) when it can.
CADENCE_LEAD_DAYS = 7
# Steady weekdays for cadence calls (Tue, Wed, Thu), chosen per customer to spread the load.
CADENCE_WEEKDAYS = (1, 2, 3)


class PlanStopped(AmplanError):
    """The user stopped a long planning run."""


@dataclass(frozen=True)
class PlannedSession:
    customer: CustomerRecord
    kind: str
    times: SessionTimes
    reason: str

    def request(self, requested_utc: datetime) -> BookingRequest:
        return BookingRequest((self.customer,), self.kind, self.times, requested_utc)


@dataclass
class Plan:
    proposed: list[PlannedSession]
    notes: list[str]
    applied: bool = False
    booked: list[SessionRecord] | None = None


class Planner:
    def __init__(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler
        self.clock = scheduler.clock
        self.policy = scheduler.policy
        self._next_id = -1

    def plan(
        self,
        customers: Sequence[CustomerRecord],
        first: date,
        until: date,
        now: datetime | None = None,
        progress: Callable[[int, int], bool] | None = None,
    ) -> Plan:
        """`progress(done, total)` is called after each customer; returning False stops the
        planning (PlanStopped) and nothing is proposed."""
        now = now or datetime.now(UTC)
        after_utc = max(now, to_utc(self.clock.midnight(first)))
        end_utc = to_utc(self.clock.midnight(until + timedelta(days=1)))
        if end_utc <= after_utc:
            raise BadInput(
                f"Nothing to plan: {format_day(first)} - {format_day(until)} is already past. "
                "Sessions are only proposed from now on."
            )
        with self.scheduler.db.reading() as session:
            ledger = self.scheduler.load_ledger(
                session, [c.id for c in customers], after_utc, end_utc
            )
        plan = Plan([], [])
        ordered = sorted(customers, key=lambda c: c.id)
        for done, customer in enumerate(ordered, start=1):
            ent = self.scheduler.customers.entitlements(customer)
            onboarding = SlotSearch(self.scheduler, [customer], "onboarding", ledger, end_utc)
            self._plan_onboarding(
                customer, onboarding, ent.onboarding_hours, first, until, after_utc, now, plan
            )
            if ent.allows_kind("cadence"):
                cadence = SlotSearch(self.scheduler, [customer], "cadence", ledger, end_utc)
                months = self.policy.cadence_months[ent.cadence]
                self._plan_cadence(customer, cadence, months, first, until, after_utc, now, plan)
            if progress is not None and not progress(done, len(ordered)):
                raise PlanStopped("Planning stopped; nothing was proposed.")
        return plan

    def apply(self, plan: Plan, requested_utc: datetime | None = None) -> Plan:
        requests = [p.request(requested_utc or datetime.now(UTC)) for p in plan.proposed]
        plan.booked = self.scheduler.book_many(requests)
        plan.applied = True
        return plan

    def _remember(
        self, search: SlotSearch, customer: CustomerRecord, kind: str, times: SessionTimes
    ) -> int:
        """Put a proposal in the ledger so later proposals respect it; returns its id."""
        search.ledger.add(
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
        return self._next_id + 1

    def _plan_onboarding(
        self,
        customer: CustomerRecord,
        search: SlotSearch,
        hours: int,
        first: date,
        until: date,
        after_utc: datetime,
        now: datetime,
        plan: Plan,
    ) -> None:
        window = self.clock.onboarding_window(customer.start)
        start_day = max(first, window.first_day, self.clock.et_date(after_utc))
        last_day = min(until, window.last_day)
        if start_day > last_day:
            return
        booked = sum(
            s.minutes
            for s in search.ledger.of_customer(customer.id, "onboarding")
            if not s.billable
        )
        remaining = hours * 60 - booked
        if remaining <= 0:
            return
        lengths = [ONBOARDING_SESSION_MINUTES] * (remaining // ONBOARDING_SESSION_MINUTES)
        if remaining % ONBOARDING_SESSION_MINUTES:
            lengths.append(remaining % ONBOARDING_SESSION_MINUTES)
        business_days = sum(
            1
            for n in range((last_day - start_day).days + 1)
            if self.clock.is_business_day(start_day + timedelta(days=n))
        )
        # Use the first half of what is left of the window, with a day between when it fits;
        # when other bookings crowd the window, close the gaps rather than leave hours unplanned.
        sessions = len(lengths)
        widest = (
            1
            if business_days < 2 * sessions
            else min(ONBOARDING_MAX_GAP_BUSINESS_DAYS, max(2, business_days // (2 * sessions)))
        )
        best: list[SessionTimes] = []
        for gap in range(widest, -1, -1):
            placed = self._place_onboarding(
                customer, search, lengths, start_day, last_day, gap, after_utc, now
            )
            if len(placed) > len(best):
                best = [times for _, times in placed]
            if len(placed) == sessions or gap == 0:
                break
            for proposal_id, _ in placed:  # try again with shorter gaps
                search.ledger.remove(proposal_id)
        for number, times in enumerate(sorted(best, key=lambda t: t.start_utc), start=1):
            plan.proposed.append(
                PlannedSession(
                    customer,
                    "onboarding",
                    times,
                    f"onboarding {number} of {sessions} ({times.minutes} min)",
                )
            )
        if len(best) < sessions:
            left = sum(lengths[len(best) :]) / 60
            plan.notes.append(
                f"{customer.name}: no legal slot left for {left:g} onboarding hour(s) "
                f"before {format_day(last_day)}."
            )

    def _place_onboarding(
        self,
        customer: CustomerRecord,
        search: SlotSearch,
        lengths: list[int],
        start_day: date,
        last_day: date,
        gap: int,
        after_utc: datetime,
        now: datetime,
    ) -> list[tuple[int, SessionTimes]]:
        """Sessions `gap` business days apart from `start_day`; stops at the first that fits
        nowhere. Each placed one is already in the ledger (with its id)."""
        placed: list[tuple[int, SessionTimes]] = []
        day = start_day
        for minutes in lengths:
            times = None
            while day <= last_day and times is None:
                preferred = search.preferred_offsets(day, minutes)
                times, _ = search.first_on_day(day, minutes, now, after_utc, preferred)
                if times is None:
                    day += timedelta(days=1)
            if times is None:
                break
            placed.append((self._remember(search, customer, "onboarding", times), times))
            day = self.clock.et_date(times.start_utc)
            for _ in range(gap):
                day = self.clock.next_business_day(day)
        return placed

    def _steady_weekday(self, customer: CustomerRecord, search: SlotSearch) -> int:
        calls = search.ledger.of_customer(customer.id, "cadence")
        if calls:
            return self.clock.et_date(calls[-1].start_utc).weekday()
        return CADENCE_WEEKDAYS[customer.id % len(CADENCE_WEEKDAYS)]

    def _plan_cadence(
        self,
        customer: CustomerRecord,
        search: SlotSearch,
        months: int,
        first: date,
        until: date,
        after_utc: datetime,
        now: datetime,
        plan: Plan,
    ) -> None:
        weekday = self._steady_weekday(customer, search)
        steady_offset: int | None = None
        calls = search.ledger.of_customer(customer.id, "cadence")
        if calls:
            last_et = self.clock.et(calls[-1].start_utc)
            steady_offset = (last_et.hour - self.policy.time.working_start.hour) * 60 + (
                last_et.minute - self.policy.time.working_start.minute
            )
        minutes = self.policy.kind("cadence").default_minutes
        for period in periods_between(customer.start, months, first, until):
            if any(
                period.contains(self.clock.et_date(s.start_utc))
                for s in search.ledger.of_customer(customer.id, "cadence")
            ):
                continue
            times = self._cadence_slot(
                search,
                period,
                weekday,
                steady_offset,
                minutes,
                max(first, self.clock.et_date(after_utc)),
                until,
                after_utc,
                now,
            )
            if times is None:
                plan.notes.append(
                    f"{customer.name}: no legal slot for the cadence call of "
                    f"{format_day(period.start)} - {format_day(period.last_day)}."
                )
                continue
            if steady_offset is None:
                window_start = self.clock.at(
                    self.clock.et_date(times.start_utc), self.policy.time.working_start
                )
                steady_offset = int((times.start_utc - window_start).total_seconds() // 60)
            self._remember(search, customer, "cadence", times)
            plan.proposed.append(
                PlannedSession(
                    customer,
                    "cadence",
                    times,
                    f"cadence call for {format_day(period.start)} - {format_day(period.last_day)}",
                )
            )

    def _cadence_slot(
        self,
        search: SlotSearch,
        period: Period,
        weekday: int,
        steady_offset: int | None,
        minutes: int,
        first: date,
        until: date,
        after_utc: datetime,
        now: datetime,
    ) -> SessionTimes | None:
        start = max(period.start, first)
        last = min(period.last_day, until)
        if start > last:
            return None
        lead = min(CADENCE_LEAD_DAYS, (period.end - period.start).days // 4)
        target = max(start, period.start + timedelta(days=lead))
        if target > last:
            target = start
        day = target + timedelta(days=(weekday - target.weekday()) % 7)
        # The steady weekday first, week after week; then any day of the period.
        candidates = []
        while day <= last:
            candidates.append(day)
            day += timedelta(days=7)
        rest = [start + timedelta(days=n) for n in range((last - start).days + 1)]
        candidates += [d for d in rest if d not in candidates]
        for candidate in candidates:
            preferred = search.preferred_offsets(candidate, minutes)
            if steady_offset is not None:
                preferred = [steady_offset] + [o for o in preferred if o != steady_offset]
            times, _ = search.first_on_day(candidate, minutes, now, after_utc, preferred)
            if times is not None:
                return times
        return None


def default_until(first: date) -> date:
    """From + 12 months (CLI.md): the last day planned."""
    return add_months(first, 12)
