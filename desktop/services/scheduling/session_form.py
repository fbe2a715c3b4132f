"""What the session editor's fields mean, without the widgets: the times they describe, the
length a slot search asks for, whether a change is only a move, and whether Save may go.

The editor reads its widgets into plain values and asks here, so that these rules are tested
without a window and the dialog keeps only the wiring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from desktop.services.business_time import BusinessClock, to_utc
from desktop.services.scheduling.rules import Violation
from desktop.services.scheduling.sessions import (
    UNOVERRIDABLE,
    BookingRequest,
    SessionRecord,
    SessionTimes,
)

DAY_MINUTES = 24 * 60
ROUND_TABLE = "round-table"


@dataclass(frozen=True)
class KindFields:
    """Which fields a kind shows: guests for a round table, a last day for an all-day event,
    a start time and a duration otherwise."""

    guests: bool
    all_day: bool

    @property
    def length_caption(self) -> str:
        return "Last day" if self.all_day else "Duration"


def kind_fields(kind: str, all_day: bool) -> KindFields:
    return KindFields(guests=kind == ROUND_TABLE, all_day=bool(kind) and all_day)


def form_times(
    clock: BusinessClock,
    first: date,
    start: time,
    minutes: int,
    last_day: date,
    all_day: bool,
) -> SessionTimes:
    """The fields as UTC instants: whole ET days for an all-day kind (a last day before the
    first counts as the first), else the start and the minutes. An ET time skipped by
    daylight saving raises AmplanError (from the clock)."""
    if all_day:
        last = max(last_day, first)
        return SessionTimes(
            to_utc(clock.midnight(first)), to_utc(clock.midnight(last + timedelta(days=1))), True
        )
    start_utc = to_utc(clock.at(first, start))
    return SessionTimes(start_utc, start_utc + timedelta(minutes=minutes), False)


def slot_search_minutes(current: SessionTimes, minutes: int) -> int:
    """The length a slot search looks for: whole days for an all-day session, else the
    duration field."""
    if current.all_day:
        return max(1, round(current.minutes / DAY_MINUTES)) * DAY_MINUTES
    return minutes


def only_moved(request: BookingRequest, old: SessionRecord | None) -> bool:
    """True when the change is a new time and nothing else: the undo menu says "move"."""
    if old is None:
        return False
    same = (
        request.kind == old.kind
        and tuple(c.id for c in request.customers) == old.customer_ids
        and " ".join(request.title.split()) == old.title
        and request.notes.strip() == old.notes
        and request.billable == old.billable
        and (request.override_reason or "").strip() == old.override_reason
        and (request.meeting_url or "") == old.meeting_url
    )
    times = request.times
    moved = (times.start_utc, times.end_utc) != (old.start_utc, old.end_utc)
    return same and moved and times.all_day == old.all_day


def unoverridable(violations: Sequence[Violation]) -> bool:
    """A broken rule no reason lifts (a session of an impossible shape)."""
    return any(v.rule in UNOVERRIDABLE for v in violations)


@dataclass(frozen=True)
class SaveVerdict:
    allowed: bool
    hint: str


def save_verdict(
    problem: str | None,
    violations: Sequence[Violation],
    lifted: Sequence[Violation],
    override_ticked: bool,
    reason: str,
) -> SaveVerdict:
    """Whether Save may go and the line beneath that says why not (or how it books).

    `lifted`: rules a request time in the past lifts, which need a reason like an override.
    """
    reason = reason.strip()
    if problem:
        return SaveVerdict(False, "Complete the session to book it.")
    if not violations and lifted:
        if not override_ticked:
            rules = ", ".join(sorted({v.rule for v in lifted}))
            return SaveVerdict(
                False,
                f"The request time is in the past and changes the verdict ({rules}): "
                "tick Override and say why; the reason is kept in the history.",
            )
        if not reason:
            return SaveVerdict(
                False, "Write why the request time is in the past; the reason is kept."
            )
        return SaveVerdict(True, "Booked with the earlier request time and your reason.")
    if not violations:
        return SaveVerdict(True, "")
    if unoverridable(violations):
        return SaveVerdict(False, "Change the times: no override makes a session of this shape.")
    if not override_ticked:
        return SaveVerdict(
            False, "Choose a time the contract allows, or override it with a reason."
        )
    if not reason:
        return SaveVerdict(False, "Write why you override the contract; the reason is kept.")
    return SaveVerdict(True, "Booked as an exception to the contract, with your reason.")
