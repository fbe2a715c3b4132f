"""What a customer's calendar receives: iTIP invites (REQUEST, CANCEL) and PUBLISH feeds.

Every file is read back with icalendar and, for the bytes on the wire, with a small parser
of the raw lines (ical_helpers.component_names). Nothing a user typed may add or change a
property: the injection tests put CR/LF, quotes, `;` `,` `:` and non-ASCII in every field
and check the set of properties and attendees is exactly what it would be without them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from desktop.errors import BadInput
from desktop.services.calendar_files.ical_export import Organizer
from desktop.services.customers import ContactInfo, CustomerRecord
from desktop.services.scheduling.sessions import BookingRequest, SessionRecord, SessionTimes

from ical_helpers import (
    PROFILE_EMAIL,
    PROFILE_NAME,
    CalBook,
    component_names,
    mailto,
    only_event,
    parse,
    physical_lines,
    unfolded_lines,
    utc,
    vevents,
)

# What an invite's VEVENT holds, in the order it is written (one ATTENDEE per contact).
INVITE_PROPERTIES = [
    "SUMMARY",
    "DTSTART",
    "DTEND",
    "DTSTAMP",
    "UID",
    "SEQUENCE",
    "ATTENDEE",
    "CATEGORIES",
    "DESCRIPTION",
    "ORGANIZER",
    "STATUS",
    "TRANSP",
]
# User-typed text that tries every way out of a value: line breaks of all kinds, a quote
# (ends a quoted parameter), the separators `;` `,` `:`, a fold-like tab, RFC 6868's `^`,
# a backslash, what looks like whole properties, and non-ASCII (2, 3 and 4 UTF-8 octets).
EVIL = (
    'Zoë "Q" ;X-EVIL=1,:DESCRIPTION:pwn\r\nATTENDEE:mailto:x@evil.example\n\r'
    "END:VEVENT\rBEGIN:VALARM\u2028TRIGGER:-PT1M\x85ORGANIZER:mailto:boss@evil.example"
    "\tend ^n ^' \\n \\, 日本語 🚀"
)
# In names (CN parameters) a backslash has no defined escape (RFC 5545 3.2): libical reads
# `\,` literally, icalendar and ical.js drop the backslash. Names are tested without one.
EVIL_NAME = EVIL.replace("\\", "")
EVIL_EMAIL = 'o"brien:x\\y@acme.example'


def as_lines(text: str) -> str:
    """Every kind of line break a user can type, as the one a calendar shows: LF."""
    return re.sub(r"\r\n|[\r\u2028\u2029\x85]", "\n", text)


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def cb(book_location: Path | str, tmp_path: Path) -> Iterator[CalBook]:
    book = CalBook(book_location)
    book.profile()
    try:
        yield book
    finally:
        book.close()


def _params(prop: icalendar.vCalAddress) -> dict[str, str]:
    return {key.upper(): str(value) for key, value in prop.params.items()}


def offset(moment: datetime, zone: ZoneInfo) -> timedelta | None:
    return moment.astimezone(zone).utcoffset()


def calname(data: bytes) -> str:
    """X-WR-CALNAME as calendars read it: TEXT (RFC 5545 3.8.8.2), escapes undone."""
    (line,) = [x for x in unfolded_lines(data) if x.startswith("X-WR-CALNAME:")]
    escaped = line.split(":", 1)[1]
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], escaped)


def attendees(event: icalendar.Event) -> list[icalendar.vCalAddress]:
    found = event.get("ATTENDEE", [])
    return found if isinstance(found, list) else [found]


# --- the invite -------------------------------------------------------------------------------


def test_an_invite_is_an_itip_request_from_the_profile_to_every_contact(cb: CalBook) -> None:
    acme = cb.customer(
        "Acme Corp",
        tz="Europe/Berlin",
        contacts="Ann Lee <ann.lee@acme.example>; Bob Stone <bob.stone@acme.example>",
    )
    record = cb.book(acme, "assistance", "2026-03-09T09:00", minutes=60, title="Quarterly reports")
    data = cb.calendars.invite(record.id)
    calendar = parse(data)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar["VERSION"]) == "2.0"
    assert "amplan" in str(calendar["PRODID"])
    event = only_event(data)
    assert str(event["UID"]) == record.uid
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Quarterly reports"
    organizer = event["ORGANIZER"]
    assert mailto(organizer) == PROFILE_EMAIL
    assert _params(organizer) == {"CN": PROFILE_NAME}
    invited = {mailto(a): _params(a) for a in attendees(event)}
    expected = {"CUTYPE": "INDIVIDUAL", "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION"}
    expected |= {"RSVP": "TRUE"}
    assert invited == {
        "ann.lee@acme.example": {"CN": "Ann Lee", **expected},
        "bob.stone@acme.example": {"CN": "Bob Stone", **expected},
    }
    # The time: ET wall clock with its zone, 13:00 UTC (daylight time began on 8 March).
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event["DTEND"].params["TZID"] == "America/New_York"
    assert event["DTSTART"].dt == datetime(2026, 3, 9, 9, tzinfo=ZoneInfo("America/New_York"))
    assert event["DTSTART"].dt.astimezone(UTC) == datetime(2026, 3, 9, 13, tzinfo=UTC)
    assert event["DTEND"].dt.astimezone(UTC) == datetime(2026, 3, 9, 14, tzinfo=UTC)
    # DTSTAMP is UTC ("Z"), never a local time.
    (stamp,) = [line for line in unfolded_lines(data) if line.startswith("DTSTAMP")]
    assert re.fullmatch(r"DTSTAMP:\d{8}T\d{6}Z", stamp)
    # A reminder, 15 minutes before by default.
    (alarm,) = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm["TRIGGER"].dt == timedelta(minutes=-15)
    assert str(alarm["DESCRIPTION"]) == "Quarterly reports"
    assert component_names(data) == [[*INVITE_PROPERTIES[:6], "ATTENDEE", *INVITE_PROPERTIES[6:]]]


def test_a_round_table_invites_the_contacts_of_every_customer(cb: CalBook) -> None:
    acme = cb.customer("Acme Corp", contacts="Ann Lee <ann.lee@acme.example>")
    globex = cb.customer(
        "Globex",
        tz="Asia/Kolkata",
        contacts="Hank Scorpio <hank@globex.example>; Mia Wong <mia@globex.example>",
    )
    record = cb.book((acme, globex), "round-table", "2026-03-10T11:00", minutes=90)
    event = only_event(cb.calendars.invite(record.id))
    assert sorted(mailto(a) for a in attendees(event)) == [
        "ann.lee@acme.example",
        "hank@globex.example",
        "mia@globex.example",
    ]
    # No title: the summary names the kind and the customers.
    assert str(event["SUMMARY"]) == "Strategic round table: Acme Corp, Globex"


def test_the_description_says_what_the_session_covers_and_when_for_each_customer(
    cb: CalBook,
) -> None:
    berlin = cb.customer("Berliner Bank", tz="Europe/Berlin")
    kolkata = cb.customer("Kolkata Soft", tz="Asia/Kolkata")
    la = cb.customer("LA Games", tz="America/Los_Angeles")
    local = cb.customer("Boston Labs")
    cases = [
        # 09:00 ET on the first weekday of US daylight time: Europe is still on winter time.
        (berlin, "2026-03-09T09:00", "Europe/Berlin"),
        (kolkata, "2026-03-09T11:00", "Asia/Kolkata"),
        # 2040: past pytz's tables (2037); the customer's zone must still follow the rules.
        (berlin, "2040-07-10T10:00", "Europe/Berlin"),
        (la, "2040-11-05T09:00", "America/Los_Angeles"),
    ]
    for customer, start, tz in cases:
        record = cb.book(customer, "screen-share", start, minutes=60)
        description = str(only_event(cb.calendars.invite(record.id))["DESCRIPTION"])
        assert description.startswith(cb.policy.kind("screen-share").covers)
        begin = utc(start)
        local_start = begin.astimezone(ZoneInfo(tz))
        local_end = (begin + timedelta(hours=1)).astimezone(ZoneInfo(tz))
        day = f"{local_start:%a} {local_start.day} {local_start:%b %Y}"
        expected = f"For {customer.name}: {day}, {local_start:%H:%M}-{local_end:%H:%M} ({tz})"
        assert expected in description.splitlines(), (expected, description)
        et = datetime.fromisoformat(start)
        assert f"{et.day} {et:%b %Y}, {et:%H:%M}-{et + timedelta(hours=1):%H:%M} ET" in description
    # Spot checks written out: 16:00 in Berlin, 06:00 in Los Angeles (both on standard time
    # again after 4 Nov 2040 for LA; Berlin on summer time in July).
    record = cb.book(berlin, "screen-share", "2040-07-11T10:00", minutes=60)
    assert "16:00-17:00 (Europe/Berlin)" in str(
        only_event(cb.calendars.invite(record.id))["DESCRIPTION"]
    )
    record = cb.book(la, "screen-share", "2040-11-06T09:00", minutes=60)
    assert "06:00-07:00 (America/Los_Angeles)" in str(
        only_event(cb.calendars.invite(record.id))["DESCRIPTION"]
    )
    # A customer in ET reads the ET line; no second line repeats it.
    record = cb.book(local, "assistance", "2026-03-11T13:00", minutes=90)
    description = str(only_event(cb.calendars.invite(record.id))["DESCRIPTION"])
    assert "Wed 11 Mar 2026, 13:00-14:30 ET" in description
    assert "For Boston Labs" not in description
    assert "Services include:" in description


# --- updates and cancellation -------------------------------------------------------------


def test_a_moved_session_is_the_same_invite_with_a_higher_sequence(cb: CalBook) -> None:
    acme = cb.customer("Acme Corp")
    record = cb.book(acme, "screen-share", "2026-10-30T11:00", minutes=60)
    first = only_event(cb.calendars.invite(record.id))
    moved = cb.move(record, "2026-11-03T11:00", 60)
    second_data = cb.calendars.invite(moved.id)
    second = only_event(second_data)
    assert str(parse(second_data)["METHOD"]) == "REQUEST"
    assert str(second["UID"]) == str(first["UID"]) == record.uid
    assert int(second["SEQUENCE"]) > int(first["SEQUENCE"])
    # 11:00 EDT before the move, 11:00 EST after it.
    assert first["DTSTART"].dt.astimezone(UTC) == datetime(2026, 10, 30, 15, tzinfo=UTC)
    assert second["DTSTART"].dt.astimezone(UTC) == datetime(2026, 11, 3, 16, tzinfo=UTC)
    assert second["DTEND"].dt.astimezone(UTC) == datetime(2026, 11, 3, 17, tzinfo=UTC)
    moved_again = cb.move(moved, "2026-11-04T11:00", 60)
    third = only_event(cb.calendars.invite(moved_again.id))
    assert int(third["SEQUENCE"]) > int(second["SEQUENCE"])


def test_a_cancelled_session_exports_an_itip_cancel(cb: CalBook) -> None:
    acme = cb.customer("Acme Corp", contacts="Ann Lee <ann.lee@acme.example>")
    record = cb.book(acme, "assistance", "2026-03-09T09:00", minutes=60)
    request = only_event(cb.calendars.invite(record.id))
    cb.cancel(record)
    data = cb.calendars.invite(record.id, reminder=30)
    assert str(parse(data)["METHOD"]) == "CANCEL"
    event = only_event(data)
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == record.uid
    assert int(event["SEQUENCE"]) > int(request["SEQUENCE"])
    # The customers' calendars find the meeting by UID and its attendees: both stay.
    assert [mailto(a) for a in attendees(event)] == ["ann.lee@acme.example"]
    assert mailto(event["ORGANIZER"]) == PROFILE_EMAIL
    # No reminder for a meeting that will not happen, whatever was asked for.
    assert event.walk("VALARM") == []
    assert "BEGIN:VALARM" not in data.decode()


# --- reminders ----------------------------------------------------------------------------


@pytest.mark.parametrize(("reminder", "trigger"), [(30, -30), (1440, -1440), (0, None)])
def test_the_reminder_is_configurable(cb: CalBook, reminder: int, trigger: int | None) -> None:
    acme = cb.customer("Acme Corp")
    record = cb.book(acme, "assistance", "2026-03-09T09:00", minutes=60)
    event = only_event(cb.calendars.invite(record.id, reminder=reminder or None))
    alarms = event.walk("VALARM")
    if trigger is None:
        assert alarms == []
    else:
        (alarm,) = alarms
        assert alarm["TRIGGER"].dt == timedelta(minutes=trigger)


def test_a_feed_has_no_reminders_unless_asked(cb: CalBook) -> None:
    acme = cb.customer("Acme Corp")
    cb.book(acme, "assistance", "2026-03-09T09:00", minutes=60)
    cb.book(acme, "event-plan", "2026-06-01", end="2026-06-03")
    assert all(e.walk("VALARM") == [] for e in vevents(cb.calendars.feed(acme, None, None)))
    with_alarm = vevents(cb.calendars.feed(acme, None, None, reminder=10))
    assert [a["TRIGGER"].dt for e in with_alarm for a in e.walk("VALARM")] == [
        timedelta(minutes=-10)
    ] * 2


# --- all-day sessions -------------------------------------------------------------------------


def test_an_event_plan_is_all_day_with_an_exclusive_end(cb: CalBook) -> None:
    acme = cb.customer("Acme Corp")
    three_days = cb.book(acme, "event-plan", "2026-06-01", end="2026-06-03")
    one_day = cb.book(acme, "event-plan", "2040-09-10")
    for record, first, end in (
        (three_days, date(2026, 6, 1), date(2026, 6, 4)),
        (one_day, date(2040, 9, 10), date(2040, 9, 11)),
    ):
        data = cb.calendars.invite(record.id)
        event = only_event(data)
        assert event["DTSTART"].dt == first
        assert event["DTEND"].dt == end
        assert not isinstance(event["DTSTART"].dt, datetime)
        lines = unfolded_lines(data)
        assert f"DTSTART;VALUE=DATE:{first:%Y%m%d}" in lines
        assert f"DTEND;VALUE=DATE:{end:%Y%m%d}" in lines
        # Dates have no zone: no TZID, and no VTIMEZONE to carry.
        assert not any(line.startswith(("DTSTART;TZID", "DTEND;TZID")) for line in lines)
        assert "BEGIN:VTIMEZONE" not in lines
        assert str(parse(data)["METHOD"]) == "REQUEST"
    description = str(only_event(cb.calendars.invite(three_days.id))["DESCRIPTION"])
    assert "When: Mon 1 Jun 2026 - Wed 3 Jun 2026 (all day)" in description
    assert "not business days" not in description


def test_an_event_plan_over_a_weekend_and_a_holiday_names_those_days(cb: CalBook) -> None:
    acme = cb.customer("Acme Corp")
    go_live = cb.book(acme, "event-plan", "2026-07-02", end="2026-07-06")
    description = str(only_event(cb.calendars.invite(go_live.id))["DESCRIPTION"])
    assert (
        "Includes days that are not business days: Fri 3 Jul 2026 (Independence Day (observed)), "
        "Sat 4 Jul 2026 (Independence Day), Sun 5 Jul 2026"
    ) in description


# --- bytes on the wire --------------------------------------------------------------------


def test_bytes_are_utf8_without_bom_with_crlf_and_folded_lines(cb: CalBook) -> None:
    long_text = "Überprüfung der Migrationsergebnisse — 日本語のテキスト 🚀 " * 6
    acme = cb.customer(
        "Société Générale d'Ingénierie Zoë Œuvre 株式会社",
        tz="Asia/Tokyo",
        contacts="Zoë Ångström-Øster 山田太郎 <zoe@acme.example>",
    )
    record = cb.book(acme, "assistance", "2026-03-09T09:00", minutes=60, title=long_text)
    cb.scheduler.update(record.id, _with_notes(cb, record, long_text + "\n" + long_text))
    for data in (
        cb.calendars.invite(record.id),
        cb.calendars.feed(None, None, None, reminder=15),
    ):
        assert not data.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
        data.decode("utf-8")  # strict: the whole file is UTF-8
        assert b"\r\n" in data
        assert data.count(b"\n") == data.count(b"\r\n"), "every line ends with CRLF"
        assert data.count(b"\r") == data.count(b"\r\n"), "no bare CR"
        lines = physical_lines(data)
        assert max(len(line) for line in lines) <= 75, "RFC 5545: at most 75 octets a line"
        assert any(line.startswith(b" ") for line in lines), "long lines were folded"
        for line in lines:
            line.decode("utf-8")  # no fold splits a character
        event = only_event(data) if b"REQUEST" in data else vevents(data)[0]
        assert str(event["SUMMARY"]) == one_line(long_text)
        assert str(event["DESCRIPTION"]).endswith((long_text + "\n" + long_text).strip())


def _with_notes(cb: CalBook, record: SessionRecord, notes: str) -> BookingRequest:
    customers = tuple(cb.customers.get(cid) for cid in record.customer_ids)
    return BookingRequest(
        customers=customers,
        kind=record.kind,
        times=SessionTimes(record.start_utc, record.end_utc, record.all_day),
        requested_utc=record.requested_utc,
        title=record.title,
        notes=notes,
        override_reason="calendar test",
    )


# --- VTIMEZONE ----------------------------------------------------------------------------


def _vtimezone(data: bytes) -> icalendar.Timezone:
    (zone,) = parse(data).walk("VTIMEZONE")
    return zone


@pytest.mark.parametrize(
    ("starts", "first_year"),
    [
        (["2026-03-09T09:00"], 2025),
        (["2040-07-10T10:00"], 2039),
        (["2026-03-09T09:00", "2040-11-05T15:00"], 2025),
    ],
    ids=["2026", "2040", "2026-to-2040"],
)
def test_the_vtimezone_has_the_shape_outlook_reads(
    cb: CalBook, starts: list[str], first_year: int
) -> None:
    acme = cb.customer("Acme Corp")
    records = [cb.book(acme, "screen-share", start, minutes=60) for start in starts]
    files = [cb.calendars.feed(acme, None, None)]
    if len(records) == 1:
        files.append(cb.calendars.invite(records[0].id))
    for data in files:
        zone = _vtimezone(data)
        assert str(zone["TZID"]) == "America/New_York"
        standard, daylight = zone.walk("STANDARD"), zone.walk("DAYLIGHT")
        assert len(standard) == len(daylight) == 1, "one STANDARD and one DAYLIGHT block"
        for part, month, day, offsets in (
            (standard[0], 11, "1SU", ("-0400", "-0500")),
            (daylight[0], 3, "2SU", ("-0500", "-0400")),
        ):
            assert "RDATE" not in part, "yearly rules, not a list of dates"
            rule = part["RRULE"]
            assert rule["FREQ"] == ["YEARLY"]
            assert rule["BYMONTH"] == [month]
            assert [str(d) for d in rule["BYDAY"]] == [day]
            assert "UNTIL" not in rule and "COUNT" not in rule, "the rule holds on"
            start = part["DTSTART"].dt
            assert start.tzinfo is None and start.year == first_year
            assert start.time().hour == 2
            lines = [line for line in unfolded_lines(data) if line.startswith("TZOFFSET")]
            assert f"TZOFFSETFROM:{offsets[0]}" in lines and f"TZOFFSETTO:{offsets[1]}" in lines
        (event_zone_line,) = [
            line for line in unfolded_lines(data) if line.startswith("BEGIN:VTIMEZONE")
        ]
        assert event_zone_line == "BEGIN:VTIMEZONE"


def test_the_vtimezone_gives_tzdatas_offset_at_every_hour_it_covers(cb: CalBook) -> None:
    """Read by dateutil (through icalendar, without looking the TZID up): the file's own
    rules, not a built-in zone, must give New York's offset every half hour of the DST months
    and every noon of every year the file covers (2026 to 2040)."""
    acme = cb.customer("Acme Corp")
    cb.book(acme, "screen-share", "2026-03-09T09:00", minutes=60)
    cb.book(acme, "screen-share", "2040-11-05T15:00", minutes=60)
    own = _vtimezone(cb.calendars.feed(acme, None, None)).to_tz(lookup_tzid=False)
    assert type(own).__module__.startswith("dateutil"), "the file's rules, not tzdata"
    truth = ZoneInfo("America/New_York")
    wrong = []
    for year in range(2026, 2041):
        moments = [datetime(year, 1, 1, 12, tzinfo=UTC) + timedelta(days=d) for d in range(365)]
        for month in (3, 11):
            start = datetime(year, month, 1, tzinfo=UTC)
            moments += [start + timedelta(minutes=30 * n) for n in range(2 * 24 * 21)]
        wrong += [m for m in moments if m.astimezone(own).utcoffset() != offset(m, truth)]
    assert wrong == []


# --- the feed -----------------------------------------------------------------------------


def test_a_feed_publishes_the_sessions_without_attendees(cb: CalBook) -> None:
    acme = cb.customer("Acme Corp", contacts="Ann Lee <ann.lee@acme.example>")
    globex = cb.customer("Globex", contacts="Hank Scorpio <hank@globex.example>")
    march = cb.book(acme, "assistance", "2026-03-09T09:00", minutes=60, title="March")
    april = cb.book(acme, "assistance", "2026-04-14T09:00", minutes=60, title="April")
    gone = cb.book(acme, "assistance", "2026-03-10T09:00", minutes=60, title="Gone")
    cb.cancel(gone)
    other = cb.book(globex, "assistance", "2026-03-11T09:00", minutes=60, title="Globex")
    plan = cb.book(acme, "event-plan", "2026-03-20", end="2026-03-21")

    data = cb.calendars.feed(acme, None, None)
    calendar = parse(data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert calname(data) == "amplan: Acme Corp"
    events = vevents(data)
    # Cancelled sessions are left out; the other customer's are not in this customer's feed.
    assert sorted(str(e["UID"]) for e in events) == sorted([march.uid, april.uid, plan.uid])
    for event in events:
        assert "ATTENDEE" not in event
        assert mailto(event["ORGANIZER"]) == PROFILE_EMAIL
        assert int(event["SEQUENCE"]) == 0

    in_march = vevents(cb.calendars.feed(acme, date(2026, 3, 1), date(2026, 3, 31)))
    assert sorted(str(e["SUMMARY"]) for e in in_march) == ["Event plan: Acme Corp", "March"]
    everyone = vevents(cb.calendars.feed(None, None, None))
    assert {str(e["UID"]) for e in everyone} == {march.uid, april.uid, other.uid, plan.uid}
    assert calname(cb.calendars.feed(None, None, None)) == "amplan: all customers"


def test_a_feed_without_a_profile_has_no_organizer(
    book_location: Path | str, tmp_path: Path
) -> None:
    book = CalBook(book_location)
    try:
        acme = book.customer("Acme Corp")
        book.book(acme, "assistance", "2026-03-09T09:00", minutes=60)
        (event,) = vevents(book.calendars.feed(None, None, None))
        assert "ORGANIZER" not in event and "ATTENDEE" not in event
    finally:
        book.close()


# --- refusals -------------------------------------------------------------------------------


def test_an_invite_needs_a_profile_contacts_and_a_known_session(
    book_location: Path | str, tmp_path: Path
) -> None:
    book = CalBook(book_location)
    try:
        acme = book.customer("Acme Corp")
        lonely = book.customer("Initech", contacts="")
        record = book.book(acme, "assistance", "2026-03-09T09:00", minutes=60)
        with pytest.raises(BadInput, match="profile set"):
            book.calendars.invite(record.id)
        book.profile()
        uncontacted = book.book(lonely, "assistance", "2026-03-10T09:00", minutes=60)
        with pytest.raises(BadInput, match="Initech has no contacts"):
            book.calendars.invite(uncontacted.id)
        with pytest.raises(BadInput, match="No session with id '999'"):
            book.calendars.invite(999)
        assert only_event(book.calendars.invite(record.id))
    finally:
        book.close()


def test_dtstamp_is_utc_whatever_zone_the_stamp_was_given_in(cb: CalBook) -> None:
    acme = cb.customer("Acme Corp")
    record = cb.book(acme, "assistance", "2026-03-09T09:00", minutes=60)
    stamp = datetime(2026, 3, 1, 9, 30, tzinfo=ZoneInfo("America/New_York"))
    customers = [cb.customers.get(acme.id)]
    organizer = Organizer(PROFILE_NAME, PROFILE_EMAIL)
    for data in (
        cb.calendars.writer.invite(record, customers, organizer, 15, stamp),
        cb.calendars.writer.feed([record], {acme.id: acme}, organizer, "x", None, stamp),
    ):
        lines = unfolded_lines(data)
        assert "DTSTAMP:20260301T143000Z" in lines, [x for x in lines if "DTSTAMP" in x]


# --- user text never becomes a property ---------------------------------------------------------


def _baseline_and_evil_books(
    tmp_path: Path,
) -> tuple[bytes, bytes, bytes, bytes, CustomerRecord]:
    """The same session exported twice: once with plain text, once with EVIL everywhere a
    user types through the services (title, notes, customer name, contact name and address,
    profile name and address). Returns (plain invite, evil invite, plain feed, evil feed,
    the evil customer as stored)."""
    out = []
    for index, (text, name, email) in enumerate(
        ((None, None, "ann@acme.example"), (EVIL, EVIL_NAME, EVIL_EMAIL)),
    ):
        book = CalBook(tmp_path / f"book{index}.sqlite")
        try:
            book.profile(name or "Zoe", "me." + email if text else PROFILE_EMAIL)
            customer = book.customer(
                name or "Acme Corp",
                tz="Asia/Kolkata",
                contacts=f"{_contact_name(name)} <{email}>",
            )
            record = book.book(
                customer,
                "assistance",
                "2026-03-09T09:00",
                minutes=60,
                title=text or "Plain",
                notes=text or "Plain notes",
            )
            out += [
                book.calendars.invite(record.id),
                book.calendars.feed(customer, None, None, reminder=5),
            ]
            stored = book.customers.get(customer.id)
        finally:
            book.close()
    return out[0], out[2], out[1], out[3], stored


def _contact_name(text: str | None) -> str:
    # `<` and `>` delimit the address in "Name <email>"; everything else may be in a name.
    return text.replace("<", "").replace(">", "") if text else "Ann"


def test_user_text_in_every_field_changes_no_property(tmp_path: Path) -> None:
    plain_invite, evil_invite, plain_feed, evil_feed, stored = _baseline_and_evil_books(tmp_path)
    stored_name = stored.name
    assert stored_name == one_line(EVIL_NAME)
    # Exactly the same properties, components and attendees as with plain text.
    for plain, evil in ((plain_invite, evil_invite), (plain_feed, evil_feed)):
        assert component_names(evil) == component_names(plain)
        assert component_names(evil, "VCALENDAR") == component_names(plain, "VCALENDAR")
        assert component_names(evil, "VALARM") == component_names(plain, "VALARM")
        assert [line for line in unfolded_lines(evil) if line.startswith(("BEGIN", "END"))] == [
            line for line in unfolded_lines(plain) if line.startswith(("BEGIN", "END"))
        ]
        assert physical_lines(evil)  # CRLF only, checked by physical_lines
        assert b"\x85" not in evil and "\u2028".encode() not in evil
        assert all(len(line) <= 75 for line in physical_lines(evil))

    # The text round-trips: what the user typed is what the customer reads.
    event = only_event(evil_invite)
    assert str(event["SUMMARY"]) == one_line(EVIL)
    assert str(event["DESCRIPTION"]).endswith("Notes:\n" + as_lines(EVIL.strip()))
    assert f"For {stored_name}: Mon 9 Mar 2026, 18:30-19:30 (Asia/Kolkata)" in str(
        event["DESCRIPTION"]
    )
    (attendee,) = attendees(event)
    assert mailto(attendee) == EVIL_EMAIL
    # The book keeps the contact's name on one line (a line break separates contacts there).
    assert str(attendee.params["CN"]) == stored.contacts[0].name
    assert stored.contacts[0].email == EVIL_EMAIL
    assert set(_params(attendee)) == {"CN", "CUTYPE", "ROLE", "PARTSTAT", "RSVP"}
    assert _params(attendee)["PARTSTAT"] == "NEEDS-ACTION"
    assert mailto(event["ORGANIZER"]) == "me." + EVIL_EMAIL
    assert _params(event["ORGANIZER"]) == {"CN": one_line(EVIL_NAME)}
    (alarm,) = event.walk("VALARM")
    assert alarm["TRIGGER"].dt == timedelta(minutes=-15)
    assert str(alarm["DESCRIPTION"]) == one_line(EVIL)
    feed = parse(evil_feed)
    assert calname(evil_feed) == f"amplan: {stored_name}"
    assert str(feed["METHOD"]) == "PUBLISH"
    (feed_event,) = vevents(evil_feed)
    assert "ATTENDEE" not in feed_event


def test_raw_text_handed_to_the_writer_changes_no_property(cb: CalBook) -> None:
    """Defence in depth: the writer itself neutralises text the services did not clean
    (a future form, an import): line breaks, control characters, quotes, separators."""
    clean = CustomerRecord(
        id=1,
        name="Acme",
        product="SpiraPlan",
        users=300,
        band="251+",
        start=date(2026, 1, 5),
        package="platinum",
        package_start=date(2026, 1, 5),
        tz="Asia/Kolkata",
        contacts=(ContactInfo("Ann", "ann@acme.example"),),
    )
    dirty = CustomerRecord(
        **{
            **clean.__dict__,
            "name": EVIL + "\x00\x07\x1b",
            "contacts": (ContactInfo(EVIL_NAME + "\x0b", EVIL_EMAIL + "\r\nX-A:b"),),
        }
    )
    session = SessionRecord(
        id=1,
        uid="fixed-uid@amplan",
        kind="assistance",
        customer_ids=(1,),
        customers=("Acme",),
        start_utc=datetime(2026, 3, 9, 13, tzinfo=UTC),
        end_utc=datetime(2026, 3, 9, 14, tzinfo=UTC),
        all_day=False,
        title="",
        notes="",
        status="planned",
        requested_utc=datetime(2026, 3, 1, tzinfo=UTC),
        billable=False,
        override_reason="",
        sequence=3,
    )
    dirty_session = SessionRecord(
        **{
            **session.__dict__,
            "title": EVIL + "\x00",
            "notes": EVIL + "\x7f",
            "customers": (dirty.name,),
        }
    )
    stamp = datetime(2026, 3, 1, tzinfo=UTC)
    writer = cb.calendars.writer
    plain = writer.invite(session, [clean], Organizer("Me", "me@x.example"), 15, stamp)
    evil = writer.invite(
        dirty_session, [dirty], Organizer(EVIL_NAME, EVIL_EMAIL + "\nX-B:c"), 15, stamp
    )
    plain_feed = writer.feed([session], {1: clean}, Organizer("Me", "me@x.example"), "N", 5)
    evil_feed = writer.feed([dirty_session], {1: dirty}, Organizer(EVIL_NAME, "a@b.c"), EVIL, 5)
    for good, bad in ((plain, evil), (plain_feed, evil_feed)):
        assert component_names(bad) == component_names(good)
        assert component_names(bad, "VCALENDAR") == component_names(good, "VCALENDAR")
        assert component_names(bad, "VALARM") == component_names(good, "VALARM")
        assert all(len(line) <= 75 for line in physical_lines(bad))
        for control in (b"\x00", b"\x07", b"\x0b", b"\x1b", b"\x7f", "\x85".encode()):
            assert control not in bad
        assert bad.count(b"\r") == bad.count(b"\r\n") == bad.count(b"\n"), "CRLF only"
    event = only_event(evil)
    assert str(event["SUMMARY"]) == as_lines(EVIL)
    assert str(event["DESCRIPTION"]).endswith("Notes:\n" + as_lines(EVIL))
    (attendee,) = attendees(event)
    assert str(attendee.params["CN"]) == one_line(EVIL_NAME)
    assert mailto(attendee) == EVIL_EMAIL + "\r\nX-A:b"  # one (odd) address, not a property
    assert str(event["ORGANIZER"].params["CN"]) == one_line(EVIL_NAME)
    assert calname(evil_feed) == as_lines(EVIL)
