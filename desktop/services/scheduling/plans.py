"""A plan: the sessions the planner proposes, those it could not place and why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from desktop.errors import AmplanError
from desktop.services.business_time import (
    add_months,
)
from desktop.services.customers import CustomerRecord
from desktop.services.scheduling.sessions import (
    BookingRequest,
    SessionRecord,
    SessionTimes,
)

# How the planner shapes a plan.
ONBOARDING_SESSION_MINUTES = 60
# A cadence call lands about this far into its period (not on its first day) when it can.
CADENCE_LEAD_DAYS = 7
# Weekdays for cadence calls, in order of preference; the book's calls are balanced over them.
CADENCE_WEEKDAYS = (1, 2, 3, 0, 4)
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
