"""What the scheduler hands out and takes in: a session's record, a booking request, the
outcome of an action, and the errors that refuse one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from desktop.errors import AmplanError, BadInput
from desktop.services.business_time import BusinessClock, to_utc
from desktop.services.calendar_files.attendees import Attendee
from desktop.services.customers import CustomerRecord, parse_date
from desktop.services.policy import Policy
from desktop.services.scheduling.ledger import Booked, SessionSpan
from desktop.services.scheduling.rules import Violation

# Sessions of one kind never run longer than a day, so an overlap search looks this far back.
LONGEST_TIMED = timedelta(days=1)
# A session outside these local hours gets a warning about the customer's own clock.
CUSTOMER_DAY = (time(8), time(18))
# Violations no override can lift (the session would not be a session).
UNOVERRIDABLE = frozenset({"invalid-duration"})


class StaleEdit(BadInput):
    """The change was made on a copy of a session that someone has changed since."""


class RuleRefusal(AmplanError):
    """The contract does not allow the action; nothing was saved."""

    exit_code = 3

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations = list(violations)
        super().__init__(" ".join(v.message for v in self.violations))


@dataclass(frozen=True)
class SessionRecord(SessionSpan):
    id: int
    uid: str
    kind: str
    customer_ids: tuple[int, ...]
    customers: tuple[str, ...]
    start_utc: datetime
    end_utc: datetime
    all_day: bool
    title: str
    notes: str
    status: str
    requested_utc: datetime
    billable: bool
    override_reason: str
    sequence: int
    warnings: tuple[str, ...] = ()
    meeting_url: str = ""
    attendees: tuple[Attendee, ...] = ()

    def as_booked(self) -> Booked:
        return Booked(
            id=self.id,
            kind=self.kind,
            customer_ids=self.customer_ids,
            start_utc=self.start_utc,
            end_utc=self.end_utc,
            all_day=self.all_day,
            status=self.status,
            billable=self.billable,
            title=self.display_title,
        )

    @property
    def display_title(self) -> str:
        return self.title or f"{', '.join(self.customers)} {self.kind}"

    def as_json(self, clock: BusinessClock) -> dict[str, Any]:
        if self.all_day:
            start: str = clock.et_date(self.start_utc).isoformat()
            end = (clock.et_date(self.end_utc) - timedelta(days=1)).isoformat()
        else:
            start, end = clock.et(self.start_utc).isoformat(), clock.et(self.end_utc).isoformat()
        return {
            "id": self.id,
            "uid": self.uid,
            "customers": list(self.customers),
            "kind": self.kind,
            "start": start,
            "end": end,
            "all_day": self.all_day,
            "title": self.title,
            "notes": self.notes,
            "status": self.status,
            "requested": clock.et(self.requested_utc).isoformat(),
            "billable": self.billable,
            "override_reason": self.override_reason or None,
            "sequence": self.sequence,
            "warnings": list(self.warnings),
            "attendees": [a.as_json() for a in self.attendees],
            "meeting_url": self.meeting_url or None,
        }


@dataclass(frozen=True)
class SessionTimes:
    start_utc: datetime
    end_utc: datetime
    all_day: bool

    @property
    def minutes(self) -> int:
        return int((self.end_utc - self.start_utc).total_seconds() // 60)


@dataclass(frozen=True)
class BookingRequest:
    customers: tuple[CustomerRecord, ...]
    kind: str
    times: SessionTimes
    requested_utc: datetime | None = None
    title: str = ""
    notes: str = ""
    billable: bool = False
    override_reason: str | None = None
    meeting_url: str | None = None  # None: the profile's default link


@dataclass
class Outcome:
    """What an action did or would do: the session, and what the rules said."""

    session: SessionRecord
    violations: list[Violation] = field(default_factory=list)
    saved: bool = False


def parse_times(
    clock: BusinessClock,
    policy: Policy,
    kind: str,
    start_text: str,
    minutes: int | None = None,
    end_text: str | None = None,
) -> SessionTimes:
    """Turn CLI-style text into session times: ISO instants, or dates (end inclusive) all-day."""
    info = policy.kind(kind)
    if info.all_day:
        first = _parse_date(start_text, "start")
        last = _parse_date(end_text, "end") if end_text else first
        if minutes is not None:
            raise BadInput(f"{info.plural} are all-day: give --start DATE --end DATE, not minutes.")
        if last < first:
            raise BadInput("The end date is before the start date.")
        return SessionTimes(
            to_utc(clock.midnight(first)), to_utc(clock.midnight(last + timedelta(days=1))), True
        )
    start_utc = clock.parse(start_text)
    if minutes is not None and end_text:
        raise BadInput("Give either --minutes or --end, not both.")
    if end_text:
        if len(end_text.strip()) == 10:
            raise BadInput(f"{info.plural} are timed: give --end as a date and time.")
        end_utc = clock.parse(end_text)
    else:
        length = minutes if minutes is not None else info.default_minutes
        if not 0 < length <= LONGEST_TIMED.total_seconds() // 60:
            raise BadInput("--minutes must be a number of minutes from 1 to a day (1440).")
        end_utc = start_utc + timedelta(minutes=length)
    if end_utc <= start_utc:
        raise BadInput("The session must end after it starts.")
    if end_utc - start_utc > LONGEST_TIMED:
        raise BadInput("A timed session cannot last more than a day; event plans are all-day.")
    return SessionTimes(start_utc, end_utc, False)


def _parse_date(text: str | None, what: str) -> date:
    return parse_date((text or "").strip()[:10], f"{what} date")
