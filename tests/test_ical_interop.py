"""Every exported file read by three independent implementations, which must agree.

- ical.js (Mozilla, Thunderbird) via node, with the file's own VTIMEZONE registered;
- libical (Evolution, KDE) via the system Python, with its iTIP restriction check;
- icalendar with recurring-ical-events, in-process (tzdata for the zone).
Each occurrence's UTC instant must be the same in all three and equal the instant written
out here by hand (09:00 ET on Mon 2026-03-09 is 13:00Z; on Fri 2026-03-06 it is 14:00Z).

The external parsers are required: CI installs them (`make test-deps`). Missing, the tests
fail with what to install; they never skip silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from desktop.services.scheduling.sessions import SessionRecord

from ical_helpers import (
    CalBook,
    Occurrence,
    check_libical,
    ensure_icaljs,
    icaljs_props,
    icaljs_times,
    libical_props,
    libical_times,
    only_event,
    parse,
    python_times,
    text_unescape,
    z,
)


@dataclass(frozen=True)
class Exported:
    path: Path
    method: str
    occurrences: list[Occurrence]  # what the file must say, written out by hand


# Timed sessions (ET wall clock, minutes) and their UTC instants, written out by hand.
# 2026: daylight time from Sun 8 Mar to Sun 1 Nov; 2040: from Sun 11 Mar to Sun 4 Nov.
TIMED = {
    "spring-2026-fri-before": ("2026-03-06T09:00", 60, "2026-03-06T14:00:00Z"),
    "spring-2026-sun-of-change": ("2026-03-08T10:00", 60, "2026-03-08T14:00:00Z"),
    "spring-2026-mon-after": ("2026-03-09T09:00", 60, "2026-03-09T13:00:00Z"),
    "fall-2026-fri-before": ("2026-10-30T15:00", 90, "2026-10-30T19:00:00Z"),
    "fall-2026-sun-of-change": ("2026-11-01T10:00", 60, "2026-11-01T15:00:00Z"),
    "fall-2026-mon-after": ("2026-11-02T15:00", 90, "2026-11-02T20:00:00Z"),
    "spring-2040-fri-before": ("2040-03-09T09:00", 60, "2040-03-09T14:00:00Z"),
    "spring-2040-sun-of-change": ("2040-03-11T10:00", 60, "2040-03-11T14:00:00Z"),
    "spring-2040-mon-after": ("2040-03-12T09:00", 60, "2040-03-12T13:00:00Z"),
    "summer-2040": ("2040-07-10T10:00", 60, "2040-07-10T14:00:00Z"),
    "fall-2040-fri-before": ("2040-11-02T15:00", 60, "2040-11-02T19:00:00Z"),
    "fall-2040-sun-of-change": ("2040-11-04T10:00", 60, "2040-11-04T15:00:00Z"),
    "fall-2040-mon-after": ("2040-11-05T15:00", 60, "2040-11-05T20:00:00Z"),
    "winter-2040": ("2040-12-31T16:00", 60, "2040-12-31T21:00:00Z"),
}
# All-day event plans: first day, last day (inclusive) and the exclusive DATE end.
ALL_DAY = {
    "event-plan-2026": ("2026-06-01", "2026-06-03", "2026-06-04"),
    "event-plan-2040": ("2040-03-10", "2040-03-12", "2040-03-13"),
}


def _end(start_z: str, minutes: int) -> str:
    moment = datetime.strptime(start_z, "%Y-%m-%dT%H:%M:%SZ") + timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def parsers() -> None:
    ensure_icaljs()
    check_libical()


def test_the_external_parsers_are_installed() -> None:
    """Fails (never skips) without node + ical.js or libical, naming what to install."""
    ensure_icaljs()
    check_libical()


@pytest.fixture(scope="module")
def exported(
    tmp_path_factory: pytest.TempPathFactory, parsers: None
) -> Iterator[dict[str, Exported]]:
    """One book: invites for every session, a moved one, a cancelled one, and feeds."""
    folder = tmp_path_factory.mktemp("ics")
    book = CalBook(folder / "book.sqlite")
    files: dict[str, Exported] = {}
    live: list[tuple[Occurrence, SessionRecord]] = []  # what the feeds must hold

    def save(name: str, data: bytes, method: str, occurrences: list[Occurrence]) -> None:
        path = folder / f"{name}.ics"
        path.write_bytes(data)
        files[name] = Exported(path, method, sorted(occurrences))

    try:
        book.profile()
        acme = book.customer(
            "Acme Corp",
            tz="America/Los_Angeles",
            contacts="Ann Lee <ann.lee@acme.example>; Bob Stone <bob.stone@acme.example>",
        )
        globex = book.customer(
            "Globex GmbH", tz="Europe/Berlin", contacts="Jürgen Groß <j.gross@globex.example>"
        )
        kinds = ["screen-share", "assistance", "onboarding", "product-team", "cadence"]
        for index, (name, (start, minutes, start_z)) in enumerate(TIMED.items()):
            assert z(start) == start_z, "the hand-written instant agrees with tzdata"
            customer = acme if index % 2 else globex
            record = book.book(customer, kinds[index % len(kinds)], start, minutes=minutes)
            occurrence = Occurrence(record.uid, start_z, _end(start_z, minutes))
            save(name, book.calendars.invite(record.id), "REQUEST", [occurrence])
            live.append((occurrence, record))
        for name, (first, last, end) in ALL_DAY.items():
            record = book.book(acme, "event-plan", first, end=last)
            occurrence = Occurrence(record.uid, first, end)
            save(name, book.calendars.invite(record.id), "REQUEST", [occurrence])
            live.append((occurrence, record))
        # A round table for both customers: one invite, every contact.
        table = book.book((acme, globex), "round-table", "2026-03-10T11:00", minutes=90)
        occurrence = Occurrence(table.uid, "2026-03-10T15:00:00Z", "2026-03-10T16:30:00Z")
        save("round-table", book.calendars.invite(table.id), "REQUEST", [occurrence])
        live.append((occurrence, table))
        # Moved across the autumn change: the original request, then the update.
        moving = book.book(acme, "assistance", "2026-10-30T11:00", minutes=60)
        occurrence = Occurrence(moving.uid, "2026-10-30T15:00:00Z", "2026-10-30T16:00:00Z")
        save("to-move-original", book.calendars.invite(moving.id), "REQUEST", [occurrence])
        moved = book.move(moving, "2026-11-03T11:00", 60)
        occurrence = Occurrence(moved.uid, "2026-11-03T16:00:00Z", "2026-11-03T17:00:00Z")
        save("moved", book.calendars.invite(moved.id), "REQUEST", [occurrence])
        live.append((occurrence, moved))
        # Cancelled in 2040 (daylight time): a CANCEL, and gone from the feeds.
        doomed = book.book(globex, "assistance", "2040-03-13T10:00", minutes=60)
        occurrence = Occurrence(doomed.uid, "2040-03-13T14:00:00Z", "2040-03-13T15:00:00Z")
        save("cancel-original", book.calendars.invite(doomed.id), "REQUEST", [occurrence])
        book.cancel(doomed)
        save("cancelled", book.calendars.invite(doomed.id), "CANCEL", [occurrence])
        # Feeds: everything (2026 to 2040 in one VTIMEZONE), one customer in a range.
        everything = [o for o, _ in live]
        save("feed-all", book.calendars.feed(None, None, None, 15), "PUBLISH", everything)
        march = [o for o, r in live if acme.id in r.customer_ids and o.start.startswith("2026-03")]
        assert len(march) == 2  # the Sunday screen-share and the round table
        save(
            "feed-acme-march-2026",
            book.calendars.feed(acme, date(2026, 3, 1), date(2026, 3, 31)),
            "PUBLISH",
            march,
        )
        yield files
    finally:
        book.close()


FILES = [*TIMED, *ALL_DAY, "round-table", "to-move-original", "moved", "cancel-original"]
FILES += ["cancelled", "feed-all", "feed-acme-march-2026"]


@pytest.mark.parametrize("name", FILES)
def test_three_parsers_agree_on_every_occurrence(exported: dict[str, Exported], name: str) -> None:
    item = exported[name]
    expected = item.occurrences
    assert expected, "every test file holds at least one event"
    in_process = python_times(item.path)
    thunderbird = icaljs_times(item.path)
    evolution = libical_times(item.path)
    assert in_process == expected, "icalendar + recurring-ical-events"
    assert thunderbird == expected, "ical.js (with the file's own VTIMEZONE)"
    assert evolution.occurrences == expected, "libical (with the file's own VTIMEZONE)"
    assert evolution.errors == []
    # libical's iTIP check (RFC 5546): REQUEST, CANCEL, and a PUBLISH with an ORGANIZER.
    assert evolution.restriction_ok, f"libical's iTIP restriction check failed for {name}"


def test_a_moved_session_is_an_update_of_the_same_meeting(exported: dict[str, Exported]) -> None:
    original = only_event(exported["to-move-original"].path.read_bytes())
    moved_data = exported["moved"].path.read_bytes()
    moved = only_event(moved_data)
    assert str(parse(moved_data)["METHOD"]) == "REQUEST"
    assert str(moved["UID"]) == str(original["UID"])
    assert int(moved["SEQUENCE"]) > int(original["SEQUENCE"])
    for reader in (icaljs_props, libical_props):
        (before,) = reader(exported["to-move-original"].path)
        (after,) = reader(exported["moved"].path)
        assert before["method"] == after["method"] == "REQUEST"


def test_a_cancelled_session_is_a_cancel_of_the_same_meeting(
    exported: dict[str, Exported],
) -> None:
    original = only_event(exported["cancel-original"].path.read_bytes())
    data = exported["cancelled"].path.read_bytes()
    cancel = only_event(data)
    assert str(parse(data)["METHOD"]) == "CANCEL"
    assert str(cancel["STATUS"]) == "CANCELLED"
    assert str(cancel["UID"]) == str(original["UID"])
    assert int(cancel["SEQUENCE"]) > int(original["SEQUENCE"])
    for reader in (icaljs_props, libical_props):
        (event,) = reader(exported["cancelled"].path)
        assert event["method"] == "CANCEL"
        assert event["alarms"] == []
        assert [a["value"] for a in event["attendees"]] == ["mailto:j.gross@globex.example"]


def test_every_reader_sees_the_invites_attendees_and_organizer(
    exported: dict[str, Exported],
) -> None:
    path = exported["round-table"].path
    expected_attendees = {
        "mailto:ann.lee@acme.example": "Ann Lee",
        "mailto:bob.stone@acme.example": "Bob Stone",
        "mailto:j.gross@globex.example": "Jürgen Groß",
    }
    for reader in (icaljs_props, libical_props):
        (event,) = reader(path)
        assert event["method"] == "REQUEST"
        assert {a["value"]: a["params"]["CN"] for a in event["attendees"]} == expected_attendees
        for attendee in event["attendees"]:
            assert attendee["params"]["ROLE"] == "REQ-PARTICIPANT"
            assert attendee["params"]["PARTSTAT"] == "NEEDS-ACTION"
            assert attendee["params"]["RSVP"] == "TRUE"
        assert event["organizer"]["value"] == "mailto:dana.manager@inflectra.example"
        assert event["organizer"]["params"]["CN"] == "Dana Manager"
        assert event["alarms"] == [{"action": "DISPLAY", "trigger": "-PT15M"}]
        assert (
            "For Globex GmbH: Tue 10 Mar 2026, 16:00-17:30 (Europe/Berlin)"
            in (event["description"])
        )
        assert (
            "For Acme Corp: Tue 10 Mar 2026, 08:00-09:30 (America/Los_Angeles)"
            in (event["description"])
        )


def test_a_feed_publishes_without_attendees_in_every_reader(
    exported: dict[str, Exported],
) -> None:
    for reader in (icaljs_props, libical_props):
        events = reader(exported["feed-all"].path)
        assert len(events) == len(exported["feed-all"].occurrences)
        assert {e["method"] for e in events} == {"PUBLISH"}
        assert all(e["attendees"] == [] for e in events)
        assert all(e["xwrcalname"] == "amplan: all customers" for e in events)
        assert all(e["alarms"] == [{"action": "DISPLAY", "trigger": "-PT15M"}] for e in events)


def test_a_publish_feed_without_a_profile(
    book_location: Path | str, tmp_path: Path, parsers: None
) -> None:
    """What libical's iTIP check says of a feed with no ORGANIZER (no profile yet): RFC 5546
    wants one in PUBLISH, so the check fails; the times still agree everywhere. With a
    profile (above) the feed passes."""
    book = CalBook(book_location)
    try:
        acme = book.customer("Acme Corp")
        record = book.book(acme, "assistance", "2040-07-10T10:00", minutes=60)
        path = tmp_path / "feed.ics"
        path.write_bytes(book.calendars.feed(None, None, None))
    finally:
        book.close()
    expected = [Occurrence(record.uid, "2040-07-10T14:00:00Z", "2040-07-10T15:00:00Z")]
    assert python_times(path) == icaljs_times(path) == expected
    report = libical_times(path)
    assert report.occurrences == expected
    assert not report.restriction_ok
    assert any("ORGANIZER" in error for error in report.errors)


# --- text a user typed, as every reader sees it -----------------------------------------------

EVIL = (
    'Zoë "Q" ;X-EVIL=1,:DESCRIPTION:pwn\r\nATTENDEE:mailto:x@evil.example\n\r'
    "END:VEVENT\rBEGIN:VALARM\u2028TRIGGER:-PT1M\x85ORGANIZER:mailto:boss@evil.example"
    " ^n ^' 日本語 🚀"
)


def test_user_text_changes_no_property_in_any_reader(tmp_path: Path, parsers: None) -> None:
    """The same session with plain text and with hostile text in every field the user types
    (title, notes, customer name, contact name and address, profile name and address):
    ical.js and libical see the same properties and attendees, and the text comes back."""
    seen = []
    for index, text in enumerate(("", EVIL)):
        book = CalBook(tmp_path / f"book{index}.sqlite")
        try:
            book.profile(text or "Dana", 'me."x:y"@inflectra.example' if text else "d@x.example")
            customer = book.customer(
                text or "Acme",
                tz="Asia/Kolkata",
                contacts=f'{text or "Ann"} <a"b:c@acme.example>',
            )
            record = book.book(
                customer,
                "assistance",
                "2026-03-09T09:00",
                minutes=60,
                title=text or "Plain",
                notes=text or "Plain",
            )
            stored = book.customers.get(customer.id)
            invite = tmp_path / f"invite{index}.ics"
            invite.write_bytes(book.calendars.invite(record.id))
            feed = tmp_path / f"feed{index}.ics"
            feed.write_bytes(book.calendars.feed(customer, None, None, 10))
        finally:
            book.close()
        seen.append((invite, feed, stored))
    (plain_invite, plain_feed, _), (evil_invite, evil_feed, stored) = seen
    one_line = " ".join(EVIL.split())
    notes = EVIL.replace("\r\n", "\n").replace("\r", "\n")
    notes = notes.replace("\u2028", "\n").replace("\x85", "\n")
    for reader in (icaljs_props, libical_props):
        for plain, evil in ((plain_invite, evil_invite), (plain_feed, evil_feed)):
            (good,) = reader(plain)
            (bad,) = reader(evil)
            assert bad["calendar"] == good["calendar"]
            assert bad["properties"] == good["properties"]
            assert len(bad["attendees"]) == len(good["attendees"])
            assert [sorted(a["params"]) for a in bad["attendees"]] == [
                sorted(a["params"]) for a in good["attendees"]
            ]
            assert bad["alarms"] == good["alarms"]
            assert bad["summary"] == one_line
            assert bad["description"].endswith("Notes:\n" + notes)
            assert (
                f"For {stored.name}: Mon 9 Mar 2026, 18:30-19:30 (Asia/Kolkata)"
                in (bad["description"])
            )
            assert bad["organizer"]["params"]["CN"] == one_line
        (bad,) = reader(evil_invite)
        (attendee,) = bad["attendees"]
        assert attendee["params"]["CN"] == stored.contacts[0].name
        assert attendee["value"] == "mailto:a%22b%3Ac@acme.example"
        assert bad["organizer"]["value"] == "mailto:me.%22x%3Ay%22@inflectra.example"
        # X-WR-CALNAME: libical reads it as TEXT (escapes undone), ical.js raw.
        (feed_event,) = reader(evil_feed)
        assert text_unescape(feed_event["xwrcalname"]) == f"amplan: {stored.name}"
