"""iCalendar export: iTIP invites (REQUEST / CANCEL) for one session, PUBLISH feeds for many.

Timed sessions carry TZID=<policy zone> with a VTIMEZONE in the shape Outlook reads: one
STANDARD and one DAYLIGHT block with yearly RRULEs per rule era, computed from tzdata for
every year the file covers (so 2040 is as right as 2026). Text a user typed only ever
becomes escaped property values or quoted parameters; it can never add a property.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from icalendar import (
    Alarm,
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vCategory,
    vDDDTypes,
    vInt,
    vRecur,
    vText,
    vUri,
)
from icalendar.parser import Parameters

from desktop import __version__
from desktop.errors import BadInput
from desktop.services.business_time import (
    BusinessClock,
    format_day,
    non_business_days,
    to_zone,
    zone,
)
from desktop.services.customers import CustomerRecord
from desktop.services.policy import Policy
from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.scheduling.status import SessionStatus

PRODID = f"-//Inflectra account management//amplan {__version__}//EN"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Line breaks other than CR/LF (NEL, line and paragraph separators): some readers split
# lines there (Python's str.splitlines does), so they become LF before escaping.
_OTHER_BREAKS = re.compile("[\x85\u2028\u2029]")
DEFAULT_REMINDER_MINUTES = 15


FOLD_LIMIT = 75  # octets per physical line, CRLF excluded (RFC 5545 section 3.1)


def fold(line: str) -> str:
    """Fold one content line at 75 octets, never inside a UTF-8 character or right after an
    escape character (`\\` or `^`), which some clients mishandle.

    icalendar folds character by character; on a 10,000-event feed that was most of the time,
    so lines are folded here, the fast way for the common ASCII case.
    """
    if len(line) < FOLD_LIMIT and (line.isascii() or len(line.encode()) < FOLD_LIMIT):
        return line
    pieces: list[str] = []
    if line.isascii():
        start, width = 0, FOLD_LIMIT - 1
        while len(line) - start > width:
            cut = start + width
            if line[cut - 1] in "\\^":
                cut -= 1
            pieces.append(line[start:cut])
            start, width = cut, FOLD_LIMIT - 2  # continuation lines start with a space
        pieces.append(line[start:])
        return "\r\n ".join(pieces)
    current: list[str] = []
    octets = 0
    limit = FOLD_LIMIT - 1
    for char in line:
        size = len(char.encode())
        if current and octets + size > limit:
            carry = current.pop() if len(current) > 1 and current[-1] in "\\^" else ""
            pieces.append("".join(current))
            current = [carry] if carry else []
            octets = len(carry)
            limit = FOLD_LIMIT - 2
        current.append(char)
        octets += size
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def serialize(calendar: Calendar) -> bytes:
    """UTF-8 (no BOM), CRLF line ends, folded lines."""
    lines = calendar.content_lines()
    return ("\r\n".join(fold(str(line)) for line in lines if line) + "\r\n").encode()


def clean_text(text: str) -> str:
    """One line ending style and no control characters: what is left is escaped on output."""
    text = _OTHER_BREAKS.sub("\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", text)


def _clean_name(text: str) -> str:
    """A name as a parameter value: one line, no control characters, and no backslash, which
    has no escape in parameters and which the major readers each take differently."""
    text = text.replace("\\", "/").replace("\r", " ").replace("\n", " ")
    return " ".join(_CONTROL.sub(" ", text).split())


def _address(name: str, email: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{quote(email.strip(), safe='@.+-_~!$&*=?^{}|/')}")
    if _clean_name(name):
        address.params["CN"] = _clean_name(name)
    for key, value in params.items():
        address.params[key] = value
    return address


@dataclass(frozen=True)
class Organizer:
    name: str
    email: str


class _Written:
    """A property value already in its iCalendar form, with its parameters.

    icalendar works out a value's text and parameters anew each time it writes it; on a
    10,000-event feed that was a large part of the time. What every event shares (the
    organizer, a kind's category, the stamp) is written once, and the ET wall-clock times
    are formatted directly, in the same form as icalendar's."""

    __slots__ = ("_ical", "params")

    def __init__(self, ical: bytes, params: Parameters) -> None:
        self._ical = ical
        self.params = params

    @classmethod
    def of(cls, value: vCalAddress | vCategory | vDDDTypes) -> _Written:
        return cls(value.to_ical(), value.params)

    def to_ical(self) -> bytes:
        return self._ical


@functools.lru_cache(maxsize=64)
def _organizer(organizer: Organizer) -> _Written:
    return _Written.of(_address(organizer.name, organizer.email))


@functools.lru_cache(maxsize=256)
def _category(label: str) -> _Written:
    return _Written.of(vCategory([label]))


@functools.lru_cache(maxsize=16)
def _zone_parameters(zone_name: str) -> Parameters:
    return Parameters({"TZID": zone_name})


def _wall_time(wall: datetime, zone_name: str) -> _Written:
    """A timed DTSTART/DTEND: ET wall clock with its TZID, as vDDDTypes writes it."""
    text = (
        f"{wall.year:04}{wall.month:02}{wall.day:02}T{wall.hour:02}{wall.minute:02}{wall.second:02}"
    )
    return _Written(text.encode(), _zone_parameters(zone_name))


# --- VTIMEZONE -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Transition:
    wall_before: datetime  # local wall clock at the moment of change, in the old offset
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool


@functools.lru_cache(maxsize=512)  # pure in (zone, year); every invite asked for it anew
def _transitions(info: ZoneInfo, year: int) -> tuple[_Transition, ...]:
    found = []
    cursor = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(hours=6)
    while cursor < end:
        nxt = cursor + step
        if cursor.astimezone(info).utcoffset() != nxt.astimezone(info).utcoffset():
            low, high = cursor, nxt
            while high - low > timedelta(minutes=1):
                mid = low + (high - low) / 2
                if mid.astimezone(info).utcoffset() == low.astimezone(info).utcoffset():
                    low = mid
                else:
                    high = mid
            high = high.replace(second=0, microsecond=0)
            before, after = low.astimezone(info), high.astimezone(info)
            offset_from, offset_to = before.utcoffset(), after.utcoffset()
            assert offset_from is not None and offset_to is not None
            dst = after.dst()
            found.append(
                _Transition(
                    (high + offset_from).replace(tzinfo=None),
                    offset_from,
                    offset_to,
                    after.tzname() or "",
                    bool(dst),
                )
            )
        cursor = nxt
    return tuple(found)


def _yearly_rule(wall: datetime) -> tuple[int, int, int]:
    """(month, week, weekday): week 1-4 counted from the start, or -1 for the last."""
    last_day = calendar.monthrange(wall.year, wall.month)[1]
    week = -1 if wall.day + 7 > last_day else (wall.day - 1) // 7 + 1
    return wall.month, week, wall.weekday()


def _key(t: _Transition) -> tuple[object, ...]:
    return (_yearly_rule(t.wall_before), t.wall_before.time(), t.offset_from, t.offset_to, t.is_dst)


def vtimezone(zone_name: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE valid from `first_year` to `last_year` (and on, if the rules hold)."""
    info = ZoneInfo(zone_name)
    component = Timezone()
    component.add("tzid", zone_name)
    years = {year: _transitions(info, year) for year in range(first_year, last_year + 1)}
    if not any(years.values()):
        standard = TimezoneStandard()
        moment = datetime(first_year, 1, 1, tzinfo=UTC).astimezone(info)
        offset = moment.utcoffset() or timedelta(0)
        standard.add("dtstart", datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", offset)
        standard.add("tzoffsetto", offset)
        standard.add("tzname", moment.tzname() or zone_name)
        component.add_component(standard)
        return component
    # Group consecutive years whose transitions follow the same yearly rules into eras.
    eras: list[list[tuple[_Transition, ...]]] = []
    for year in sorted(years):
        transitions = years[year]
        if eras and [_key(t) for t in eras[-1][-1]] == [_key(t) for t in transitions]:
            eras[-1].append(transitions)
        else:
            eras.append([transitions])
    for number, era in enumerate(eras):
        last_era = number == len(eras) - 1
        for index, first in enumerate(era[0]):
            part = TimezoneDaylight() if first.is_dst else TimezoneStandard()
            part.add("dtstart", first.wall_before)
            month, week, weekday = _yearly_rule(first.wall_before)
            rule = vRecur(freq="YEARLY", bymonth=month, byday=f"{week}{_DAYS[weekday]}")
            if not last_era:
                final = era[-1][index]
                rule["until"] = (final.wall_before - final.offset_from).replace(tzinfo=UTC)
            if len(era) > 1 or last_era:
                part.add("rrule", rule)
            part.add("tzoffsetfrom", first.offset_from)
            part.add("tzoffsetto", first.offset_to)
            part.add("tzname", first.name)
            component.add_component(part)
    return component


_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@functools.lru_cache(maxsize=64)
def _shared_vtimezone(zone_name: str, first_year: int, last_year: int) -> Timezone:
    """Computing a VTIMEZONE takes milliseconds; a sync writes one per event. Only read."""
    return vtimezone(zone_name, first_year, last_year)


# --- events --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Walls:
    """A session's start and end as ET wall clock, converted once per event: the zone
    conversions were the largest cost of a feed after the serializing itself."""

    start: datetime
    end: datetime


class CalendarWriter:
    """Turns sessions into iCalendar bytes for one policy (zone, kinds, services)."""

    def __init__(self, policy: Policy, clock: BusinessClock) -> None:
        self.policy = policy
        self.clock = clock

    def summary(self, session: SessionRecord) -> str:
        if session.title:
            return clean_text(session.title)
        return clean_text(f"{self.policy.kind(session.kind).label}: {', '.join(session.customers)}")

    def _walls(self, session: SessionRecord) -> _Walls:
        return _Walls(self.clock.et(session.start_utc), self.clock.et(session.end_utc))

    def description(
        self,
        session: SessionRecord,
        customers: Sequence[CustomerRecord],
        detailed: bool = True,
        walls: _Walls | None = None,
    ) -> str:
        """What the session covers and when, in ET and each customer's zone; invites (detailed)
        also list the services, which a feed for the manager's own calendar can do without."""
        walls = walls or self._walls(session)
        info = self.policy.kind(session.kind)
        lines = [info.covers, ""]
        label = self.policy.time.zone_label
        if session.all_day:
            first = walls.start.date()
            last = walls.end.date() - timedelta(days=1)
            lines.append(f"When: {format_day(first)} - {format_day(last)} (all day)")
            off = non_business_days(self.clock, first, last)
            if off:
                lines.append(f"Includes days that are not business days: {', '.join(off)}")
        else:
            start_et, end_et = walls.start, walls.end
            lines.append(
                f"When: {format_day(start_et.date())}, {start_et:%H:%M}-{end_et:%H:%M} {label}"
            )
            for customer in customers:
                if customer.tz == self.policy.time.zone_name:
                    continue
                tz = zone(customer.tz)
                local_start = to_zone(session.start_utc, tz)
                local_end = to_zone(session.end_utc, tz)
                lines.append(
                    f"For {customer.name}: {format_day(local_start.date())}, "
                    f"{local_start:%H:%M}-{local_end:%H:%M} ({customer.tz})"
                )
        if detailed and session.kind in ("onboarding", "assistance"):
            lines += ["", "Services include:"]
            lines += [f"- {service}" for service in self.policy.support.assistance_services]
        if session.notes:
            lines += ["", "Notes:", clean_text(session.notes)]
        return clean_text("\n".join(lines))

    def _event(
        self,
        session: SessionRecord,
        customers: Sequence[CustomerRecord],
        organizer: Organizer | None,
        with_attendees: bool,
        reminder_minutes: int | None,
        stamp: vDDDTypes | _Written,
        meeting_url: str = "",
        walls: _Walls | None = None,
    ) -> Event:
        # Values go in as typed properties (encode=False): icalendar's type guessing was half
        # the cost of a large feed.
        walls = walls or self._walls(session)
        event = Event()
        event.add("uid", vText(session.uid), encode=False)
        event.add("dtstamp", stamp, encode=False)
        event.add("sequence", vInt(session.sequence), encode=False)
        event.add("summary", vText(self.summary(session)), encode=False)
        description = self.description(session, customers, with_attendees, walls)
        link = meeting_url or session.meeting_url
        if link:
            # Where clients look for it: LOCATION (shown and clickable everywhere), URL, and the
            # first line of the description (what a plain-text reader shows).
            description = f"Join the meeting: {link}\n\n{description}"
            event.add("location", vText(link), encode=False)
            event.add("url", vUri(link), encode=False)
        event.add("description", vText(description), encode=False)
        if session.all_day:
            event.add("dtstart", vDDDTypes(walls.start.date()), encode=False)
            event.add("dtend", vDDDTypes(walls.end.date()), encode=False)
            event.add("transp", vText("TRANSPARENT"), encode=False)
        else:
            zone_name = self.policy.time.zone_name
            event.add("dtstart", _wall_time(walls.start, zone_name), encode=False)
            event.add("dtend", _wall_time(walls.end, zone_name), encode=False)
            event.add("transp", vText("OPAQUE"), encode=False)
        status = "CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED"
        event.add("status", vText(status), encode=False)
        event.add("categories", _category(self.policy.kind(session.kind).label), encode=False)
        if organizer is not None:
            event.add("organizer", _organizer(organizer), encode=False)
        if with_attendees:
            for customer in customers:
                for contact in customer.contacts:
                    event.add(
                        "attendee",
                        _address(
                            contact.name,
                            contact.email,
                            CUTYPE="INDIVIDUAL",
                            ROLE="REQ-PARTICIPANT",
                            PARTSTAT="NEEDS-ACTION",
                            RSVP="TRUE",
                        ),
                    )
        if reminder_minutes and session.status != SessionStatus.CANCELLED:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", self.summary(session))
            alarm.add("trigger", timedelta(minutes=-reminder_minutes))
            event.add_component(alarm)
        return event

    def _calendar(
        self,
        method: str,
        sessions: Sequence[SessionRecord],
        name: str = "",
        walls: Sequence[_Walls] | None = None,
    ) -> Calendar:
        """The calendar around `sessions` (`walls`: their ET times, if already known)."""
        cal = Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", method)
        if name:
            cal.add("x-wr-calname", vText(clean_text(name)), encode=False)
        if walls is None:
            walls = [self._walls(s) for s in sessions if not s.all_day]
        else:
            walls = [w for s, w in zip(sessions, walls, strict=True) if not s.all_day]
        if walls:
            years = [w.start.year for w in walls] + [w.end.year for w in walls]
            cal.add_component(vtimezone(self.policy.time.zone_name, min(years) - 1, max(years)))
        return cal

    def invite(
        self,
        session: SessionRecord,
        customers: Sequence[CustomerRecord],
        organizer: Organizer,
        reminder_minutes: int | None = DEFAULT_REMINDER_MINUTES,
        stamp: datetime | None = None,
        meeting_url: str = "",
    ) -> bytes:
        """An iTIP REQUEST (or CANCEL once cancelled) to the customers' contacts; the
        meeting link is the session's own, else `meeting_url` (the profile's default)."""
        if not any(c.contacts for c in customers):
            names = ", ".join(c.name for c in customers)
            raise BadInput(f"{names} has no contacts to invite. Add a contact first.")
        method = "CANCEL" if session.status == SessionStatus.CANCELLED else "REQUEST"
        cal = self._calendar(method, [session])
        cal.add_component(
            self._event(
                session,
                customers,
                organizer,
                True,
                reminder_minutes,
                vDDDTypes((stamp or datetime.now(UTC)).astimezone(UTC)),
                session.meeting_url or meeting_url,
            )
        )
        return serialize(cal)

    def resource(
        self,
        session: SessionRecord,
        customers: Sequence[CustomerRecord],
        stamp: datetime | None = None,
    ) -> bytes:
        """One session as a CalDAV calendar object: no METHOD (RFC 4791 section 4.1), and no
        organizer or attendees, so a server with implicit scheduling sends no invitation."""
        cal = Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        if not session.all_day:
            first = self.clock.et(session.start_utc).year
            last = self.clock.et(session.end_utc).year
            cal.add_component(_shared_vtimezone(self.policy.time.zone_name, first - 1, last))
        moment = vDDDTypes((stamp or datetime.now(UTC)).astimezone(UTC))
        cal.add_component(self._event(session, customers, None, False, None, moment))
        return serialize(cal)

    def feed(
        self,
        sessions: Sequence[SessionRecord],
        customers_by_id: dict[int, CustomerRecord],
        organizer: Organizer | None,
        name: str,
        reminder_minutes: int | None = None,
        stamp: datetime | None = None,
    ) -> bytes:
        """A PUBLISH calendar of many sessions, without attendees; cancelled ones left out."""
        live = [s for s in sessions if s.status != SessionStatus.CANCELLED]
        walls = [self._walls(s) for s in live]
        cal = self._calendar("PUBLISH", live, name, walls)
        moment = _Written.of(vDDDTypes((stamp or datetime.now(UTC)).astimezone(UTC)))
        for session, wall in zip(live, walls, strict=True):
            customers = [customers_by_id[cid] for cid in session.customer_ids]
            cal.add_component(
                self._event(
                    session, customers, organizer, False, reminder_minutes, moment, walls=wall
                )
            )
        return serialize(cal)
