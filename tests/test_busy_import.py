"""The manager's own calendar as busy time: files from Outlook, Google and Apple.

The fixtures in tests/fixtures/ics are written by hand in each vendor's documented export
format (Outlook's Windows zone names and 1601 VTIMEZONEs, Google's X-WR-TIMEZONE with UTC
times, Apple's VTIMEZONEs and X-APPLE properties). For each file the test states the exact
busy blocks as UTC instants, then that they block exactly the right slots: an overlapping
booking meets `conflict`, one touching end-to-start is allowed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from desktop.errors import BadInput
from desktop.services.business_time import BusinessClock
from desktop.services.calendar_files import calendar_files
from desktop.services.calendar_files.ical_import import (
    ImportCancelled,
    import_horizon,
    read_busy,
)
from desktop.services.customers import CustomerRecord
from desktop.services.scheduling.ledger import Busy
from desktop.services.scheduling.slots import find_slots

from ical_helpers import FIXTURES, TODAY, CalBook, utc

Block = tuple[str, str, bool, str]  # start Z, end Z, all day, summary


@pytest.fixture
def cb(book_location: Path | str, tmp_path: Path) -> Iterator[CalBook]:
    book = CalBook(book_location)
    try:
        yield book
    finally:
        book.close()


def blocks(book: CalBook) -> list[Block]:
    return sorted(_block(b) for b in book.scheduler.busy_blocks())


def _block(busy: Busy) -> Block:
    def text(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")

    return (text(busy.start_utc), text(busy.end_utc), busy.all_day, busy.summary)


def import_file(book: CalBook, name: str | Path) -> tuple[int, int]:
    path = name if isinstance(name, Path) else FIXTURES / name
    return book.calendars.import_busy(path, TODAY)


def customer(book: CalBook) -> CustomerRecord:
    return book.customer("Acme Corp", start="2026-11-02")


def check_slots(book: CalBook, expectations: dict[str, list[str]], minutes: int = 60) -> None:
    """{ET start: rule codes} for a screen-share of `minutes` (Platinum, notice given)."""
    acme = book.customers.get("Acme Corp")
    found = {start: book.codes(acme, "screen-share", start, minutes) for start in expectations}
    assert found == expectations


# --- Outlook -------------------------------------------------------------------------------

OUTLOOK: list[Block] = sorted(
    # Weekly Tuesday 10:00-11:00 "Eastern Standard Time", 12 times from 5 Jan 2027: 19 Jan
    # excluded (EXDATE), 9 Feb moved to Wed 10 Feb 14:00 (RECURRENCE-ID); EST is UTC-5 until
    # 14 Mar 2027, then EDT is UTC-4.
    [
        (f"2027-{day}T15:00Z", f"2027-{day}T16:00Z", False, "Pipeline review")
        for day in ("01-05", "01-12", "01-26", "02-02", "02-16", "02-23", "03-02", "03-09")
    ]
    + [
        ("2027-03-16T14:00Z", "2027-03-16T15:00Z", False, "Pipeline review"),
        ("2027-03-23T14:00Z", "2027-03-23T15:00Z", False, "Pipeline review"),
        ("2027-02-10T19:00Z", "2027-02-10T20:00Z", False, "Pipeline review (moved)"),
        # "W. Europe Standard Time" 15:00: CET (UTC+1) on 24 Mar, CEST (UTC+2) on 7 Apr.
        ("2027-03-24T14:00Z", "2027-03-24T15:00Z", False, "Abstimmung Büro Berlin"),
        ("2027-04-07T13:00Z", "2027-04-07T14:00Z", False, "Abstimmung Büro Berlin (Sommerzeit)"),
        # Tentative still blocks; Outlook's all-day out-of-office blocks the ET day.
        ("2027-03-03T18:30Z", "2027-03-03T20:30Z", False, "Hold: quarterly planning"),
        ("2027-02-17T05:00Z", "2027-02-18T05:00Z", True, "Out of office - training"),
        # "India Standard Time" (Outlook's DTSTART:16010101 style, no DST): 19:30 IST.
        ("2027-03-18T14:00Z", "2027-03-18T15:00Z", False, "Sync with the Bangalore team"),
        # "Customized Time Zone": only the file knows it, with pre-2007 US rules (daylight
        # time from the first Sunday of April), so 15:00 there on 18 Mar is still UTC-5.
        ("2027-03-18T20:00Z", "2027-03-18T21:00Z", False, "Legacy-zone meeting"),
    ]
)


def test_outlook_windows_zones_give_exact_busy_blocks(cb: CalBook) -> None:
    assert import_file(cb, "outlook_windows_zones.ics") == (17, 1)  # the free lunch skipped
    assert blocks(cb) == OUTLOOK


def test_outlook_busy_time_blocks_exactly_the_right_slots(cb: CalBook) -> None:
    customer(cb)
    import_file(cb, "outlook_windows_zones.ics")
    check_slots(
        cb,
        {
            # Tue 5 Jan, busy 10:00-11:00 ET.
            "2027-01-05T09:00": [],  # ends as the meeting starts
            "2027-01-05T09:30": ["conflict"],
            "2027-01-05T10:00": ["conflict"],
            "2027-01-05T10:30": ["conflict"],
            "2027-01-05T11:00": [],  # starts as the meeting ends
            # 19 Jan is excluded; 9 Feb's meeting moved to 10 Feb 14:00.
            "2027-01-19T10:00": [],
            "2027-02-09T10:00": [],
            "2027-02-10T14:00": ["conflict"],
            "2027-02-10T13:00": [],
            "2027-02-10T15:00": [],
            # After the US change: still 10:00-11:00 ET, now 14:00Z.
            "2027-03-16T10:00": ["conflict"],
            "2027-03-16T09:00": [],
            "2027-03-16T11:00": [],
            # Berlin 15:00 CET on 24 Mar is 10:00 EDT (the three weeks Europe lags).
            "2027-03-24T09:00": [],
            "2027-03-24T10:00": ["conflict"],
            "2027-03-24T11:00": [],
            # Berlin 15:00 CEST on 7 Apr is 09:00 EDT.
            "2027-04-07T09:00": ["conflict"],
            "2027-04-07T10:00": [],
            # The out-of-office day, from the first hour to the last; the days around free.
            "2027-02-17T09:00": ["conflict"],
            "2027-02-17T16:00": ["conflict"],
            "2027-02-16T16:00": [],
            "2027-02-18T09:00": [],
            # Tentative hold 13:30-15:30 blocks; the free lunch does not.
            "2027-03-03T15:00": ["conflict"],
            "2027-03-03T15:30": [],
            "2027-03-04T12:00": [],
            # 19:30-20:30 in India is 10:00-11:00 EDT; the legacy zone's 15:00 is 16:00 EDT.
            "2027-03-18T09:00": [],
            "2027-03-18T10:00": ["conflict"],
            "2027-03-18T11:00": [],
            "2027-03-18T15:00": [],
            "2027-03-18T16:00": ["conflict"],
        },
    )


def test_the_slot_finder_steps_around_busy_time(cb: CalBook) -> None:
    acme = customer(cb)
    import_file(cb, "outlook_windows_zones.ics")
    found = find_slots(
        cb.scheduler,
        [acme],
        "screen-share",
        60,
        requested_utc=utc("2026-12-01T09:00"),
        after_utc=utc("2027-01-05T09:00"),
        count=4,
    )
    assert [(s.start_utc, s.end_utc) for s in found] == [
        (utc("2027-01-05T09:00"), utc("2027-01-05T10:00")),
        (utc("2027-01-05T11:00"), utc("2027-01-05T12:00")),
        (utc("2027-01-05T11:30"), utc("2027-01-05T12:30")),
        (utc("2027-01-05T12:00"), utc("2027-01-05T13:00")),
    ]


def test_an_onboarding_session_over_busy_time_is_refused_and_saves_nothing(cb: CalBook) -> None:
    from desktop.services.scheduling.sessions import BookingRequest, RuleRefusal, parse_times

    acme = cb.customer("Acme Corp", start="2027-01-04", package="gold", users=120)
    import_file(cb, "outlook_windows_zones.ics")
    times = parse_times(cb.clock, cb.policy, "onboarding", "2027-01-05T10:30", 60)
    request = BookingRequest((acme,), "onboarding", times, utc("2026-12-01T09:00"))
    with pytest.raises(RuleRefusal) as refused:
        cb.scheduler.book(request)
    assert [v.rule for v in refused.value.violations] == ["conflict"]
    assert "Pipeline review" in refused.value.violations[0].message
    assert cb.scheduler.find() == []
    later = parse_times(cb.clock, cb.policy, "onboarding", "2027-01-05T11:00", 60)
    assert cb.scheduler.book(BookingRequest((acme,), "onboarding", later, request.requested_utc))


# --- Google --------------------------------------------------------------------------------

GOOGLE: list[Block] = sorted(
    [("2027-01-12T17:00Z", "2027-01-12T18:00Z", False, "Dentist")]
    # 08:00 Los Angeles on Mondays until 22 Mar, without 18 Jan and 15 Feb (EXDATE).
    + [
        (f"2027-{day}T16:00Z", f"2027-{day}T16:30Z", False, "1:1 Sam / Dana")
        for day in ("01-04", "01-11", "01-25", "02-01", "02-08", "02-22", "03-01", "03-08")
    ]
    + [
        (f"2027-{day}T15:00Z", f"2027-{day}T15:30Z", False, "1:1 Sam / Dana")
        for day in ("03-15", "03-22")
    ]
    # Written in UTC (17:00Z) but meant in X-WR-TIMEZONE: 09:00 Los Angeles every Tuesday,
    # so 16:00Z once daylight time starts on 14 Mar.
    + [
        (f"2027-{day}T17:00Z", f"2027-{day}T17:30Z", False, "Forecast call (West coast)")
        for day in ("01-05", "01-12", "01-19", "01-26", "02-02", "02-09", "02-16", "02-23")
    ]
    + [
        (f"2027-{day}T{h}:00Z", f"2027-{day}T{h}:30Z", False, "Forecast call (West coast)")
        for day, h in (("03-02", 17), ("03-09", 17), ("03-16", 16), ("03-23", 16))
    ]
    # A floating all-day event the user marked busy: the whole ET day.
    + [("2027-02-08T05:00Z", "2027-02-09T05:00Z", True, "Team offsite")]
)


def test_google_export_gives_exact_busy_blocks(cb: CalBook) -> None:
    # Skipped: the free birthday (2027 and 2028 in the window) and the cancelled demo.
    assert import_file(cb, "google_export.ics") == (len(GOOGLE), 3)
    assert blocks(cb) == GOOGLE


def test_google_busy_time_blocks_exactly_the_right_slots(cb: CalBook) -> None:
    customer(cb)
    import_file(cb, "google_export.ics")
    check_slots(
        cb,
        {
            # Dentist 12:00-13:00 ET, over the 12:00 forecast call: two clashes.
            "2027-01-12T11:00": [],
            "2027-01-12T12:00": ["conflict", "conflict"],
            "2027-01-12T12:30": ["conflict"],
            "2027-01-12T13:00": [],
            # Forecast call 12:00-12:30 ET before and after the change (a 30-minute check).
            "2027-03-09T11:30": ["conflict"],
            "2027-03-16T11:30": ["conflict"],
            "2027-03-16T12:30": [],
            # The 1:1 is 11:00-11:30 ET; 18 Jan (MLK day) aside, 25 Jan is busy.
            "2027-01-25T10:00": [],
            "2027-01-25T10:30": ["conflict"],
            "2027-01-25T11:30": [],
            # The offsite day; the cancelled demo (13 Jan 14:00 ET) and the birthday are free.
            "2027-02-08T14:00": ["conflict"],
            "2027-01-13T14:00": [],
            "2027-03-01T14:00": [],
        },
    )


# --- Apple ---------------------------------------------------------------------------------

APPLE: list[Block] = sorted(
    [
        ("2027-03-02T19:00Z", "2027-03-02T20:00Z", False, "Physio"),
        # Europe/London, GMT until 28 Mar: 14:00-16:00 GMT is 10:00-12:00 EDT.
        ("2027-03-25T14:00Z", "2027-03-25T16:00Z", False, "Partner briefing (London)"),
        # Mon 19 to Fri 30 July 2027, DTEND 31 July exclusive.
        ("2027-07-19T04:00Z", "2027-07-31T04:00Z", True, "Vacation – Portugal"),
        # Daily standup 09:00-09:30 ET, 10 to 15 Mar: the 11th moved to 10:00-11:00, the
        # 12th excluded, the weekend skipped, the 15th in daylight time.
        ("2027-03-10T14:00Z", "2027-03-10T14:30Z", False, "Standup"),
        ("2027-03-11T15:00Z", "2027-03-11T16:00Z", False, "Standup (long)"),
        ("2027-03-15T13:00Z", "2027-03-15T13:30Z", False, "Standup"),
    ]
)


def test_apple_calendar_export_gives_exact_busy_blocks(cb: CalBook) -> None:
    assert import_file(cb, "apple_icloud.ics") == (6, 1)  # "Sam in Chicago" is free
    assert blocks(cb) == APPLE


def test_apple_busy_time_blocks_exactly_the_right_slots(cb: CalBook) -> None:
    customer(cb)
    import_file(cb, "apple_icloud.ics")
    check_slots(
        cb,
        {
            "2027-03-02T13:00": [],
            "2027-03-02T14:00": ["conflict"],
            "2027-03-02T15:00": [],
            "2027-03-25T09:00": [],
            "2027-03-25T10:00": ["conflict"],
            "2027-03-25T11:00": ["conflict"],
            "2027-03-25T12:00": [],
            # The vacation: first and last day blocked, the days around it free.
            "2027-07-16T16:00": [],
            "2027-07-19T09:00": ["conflict"],
            "2027-07-23T12:00": ["conflict"],
            "2027-07-30T16:00": ["conflict"],
            "2027-08-02T09:00": [],
            # The standup exception moved to 10:00; the excluded day is free.
            "2027-03-11T09:00": [],
            "2027-03-11T10:00": ["conflict"],
            "2027-03-12T09:00": [],
            "2027-03-15T09:00": ["conflict"],
            "2027-03-15T09:30": [],
            "2027-03-30T10:00": [],  # "Sam in Chicago" is free time
        },
    )


# --- edge files -----------------------------------------------------------------------------


def test_transparent_events_are_free_time(cb: CalBook) -> None:
    assert import_file(cb, "transparent.ics") == (2, 1)
    assert blocks(cb) == [
        ("2027-01-06T17:00Z", "2027-01-06T18:00Z", False, "Client lunch"),
        ("2027-01-07T20:00Z", "2027-01-07T21:00Z", False, "Contract review"),  # no TRANSP
    ]
    customer(cb)
    check_slots(
        cb, {"2027-01-06T09:00": [], "2027-01-06T11:00": [], "2027-01-06T12:00": ["conflict"]}
    )


def test_cancelled_events_and_cancelled_instances_are_free_time(cb: CalBook) -> None:
    assert import_file(cb, "cancelled.ics") == (4, 2)
    assert blocks(cb) == [
        ("2027-01-07T19:00Z", "2027-01-07T20:00Z", False, "Support escalations"),
        ("2027-01-08T18:00Z", "2027-01-08T19:00Z", False, "Maybe: partner webinar"),
        ("2027-01-21T19:00Z", "2027-01-21T20:00Z", False, "Support escalations"),
        ("2027-01-28T19:00Z", "2027-01-28T20:00Z", False, "Support escalations"),
    ]
    customer(cb)
    check_slots(
        cb,
        {
            "2027-01-08T10:00": [],  # the cancelled pitch
            "2027-01-14T14:00": [],  # the cancelled instance of the series
            "2027-01-21T14:00": ["conflict"],
        },
    )


def test_floating_times_are_the_managers_own_wall_clock(cb: CalBook) -> None:
    assert import_file(cb, "floating.ics") == (7, 0)
    assert blocks(cb) == [
        ("2027-03-03T15:00Z", "2027-03-03T16:00Z", False, "Floating winter"),
        ("2027-03-04T14:00Z", "2027-03-04T15:30Z", False, "Floating with a duration"),
        ("2027-03-05T05:00Z", "2027-03-06T05:00Z", True, "Floating day without an end"),
        ("2027-03-08T15:00Z", "2027-03-08T16:00Z", False, "UTC winter"),
        ("2027-03-09T21:00Z", "2027-03-09T21:45Z", False, "Floating weekly"),
        ("2027-03-16T14:00Z", "2027-03-16T15:00Z", False, "Floating summer"),
        ("2027-03-16T20:00Z", "2027-03-16T20:45Z", False, "Floating weekly"),
    ]


def test_only_the_expansion_window_is_imported(cb: CalBook, tmp_path: Path) -> None:
    """An endless weekly meeting since 2020: occurrences from a month back to 18 months
    ahead of today (to a month's start), and the import does not run forever."""
    path = tmp_path / "endless.ics"
    path.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\n"
        b"UID:endless@example.org\r\nDTSTAMP:20200101T000000Z\r\n"
        b"DTSTART:20200106T150000Z\r\nDTEND:20200106T160000Z\r\nRRULE:FREQ=WEEKLY\r\n"
        b"SUMMARY:Endless\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    first, last = import_horizon(TODAY)
    assert (first, last) == (TODAY - timedelta(days=31), date(2028, 5, 1))
    mondays = [first + timedelta(days=n) for n in range((last - first).days)]
    mondays = [d for d in mondays if d.weekday() == 0]
    imported, skipped = import_file(cb, path)
    assert (imported, skipped) == (len(mondays), 0)
    starts = sorted(b.start_utc for b in cb.scheduler.busy_blocks())
    assert starts[0].date() == mondays[0] and starts[-1].date() == mondays[-1]
    assert mondays[-1] == date(2028, 4, 24)


# --- re-import ------------------------------------------------------------------------------


def test_reimporting_the_same_file_replaces_its_events(cb: CalBook, tmp_path: Path) -> None:
    import_file(cb, "outlook_windows_zones.ics")
    import_file(cb, "google_export.ics")
    both = sorted(OUTLOOK + GOOGLE)
    assert blocks(cb) == both
    # Again: nothing doubles.
    import_file(cb, "outlook_windows_zones.ics")
    assert blocks(cb) == both
    # The same export saved under another name (a second download): replaced by UID.
    copy = tmp_path / "Calendar (1).ics"
    shutil.copy(FIXTURES / "outlook_windows_zones.ics", copy)
    assert import_file(cb, copy) == (17, 1)
    assert blocks(cb) == both
    # An edited export: the Berlin call moved an hour later, the hold deleted.
    text = copy.read_bytes().decode()
    text = text.replace("20270324T150000", "20270324T160000").replace(
        "20270324T160000\r\nDTSTAMP", "20270324T170000\r\nDTSTAMP"
    )
    start = text.index("BEGIN:VEVENT\r\nCLASS:PUBLIC\r\nCREATED:20261119T081000Z")
    text = text[:start] + text[text.index("END:VEVENT\r\n", start) + len("END:VEVENT\r\n") :]
    copy.write_bytes(text.encode())
    assert import_file(cb, copy) == (16, 1)
    expected = [b for b in OUTLOOK if not b[3].startswith(("Hold", "Abstimmung Büro Berlin"))]
    expected += [
        ("2027-03-24T15:00Z", "2027-03-24T16:00Z", False, "Abstimmung Büro Berlin"),
        ("2027-04-07T13:00Z", "2027-04-07T14:00Z", False, "Abstimmung Büro Berlin (Sommerzeit)"),
    ]
    assert blocks(cb) == sorted(expected + GOOGLE)


# --- broken files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("broken_missing_end.ics", "line 17: END:VCALENDAR closes BEGIN:VEVENT of line 11"),
        ("broken_truncated.ics", "line 4: BEGIN:VEVENT is never closed"),
        ("broken_junk_line.ics", "line 10: 'and the second line of the description' is not"),
        ("broken_no_vcalendar.ics", "line 1: an iCalendar file starts with BEGIN:VCALENDAR"),
        ("broken_no_dtstart.ics", "line 11: event 'Missing start' has no DTSTART"),
        ("broken_latin1.ics", "line 9: not UTF-8 text"),
        ("broken_bad_date.ics", "line 7: event 'Bad date': bad DTSTART"),
        ("broken_bad_rrule.ics", "line 10: event 'Bad rule': bad RRULE"),
    ],
)
def test_a_broken_file_is_refused_with_the_line_and_nothing_changes(
    cb: CalBook, name: str, message: str
) -> None:
    import_file(cb, "apple_icloud.ics")
    before = blocks(cb)
    with pytest.raises(BadInput) as refused:
        import_file(cb, name)
    assert str(refused.value).startswith(f"{name}, ")
    assert message in str(refused.value)
    assert blocks(cb) == before


def test_files_that_are_not_calendars_are_refused(cb: CalBook, tmp_path: Path) -> None:
    import_file(cb, "transparent.ics")
    before = blocks(cb)
    empty = tmp_path / "empty.ics"
    empty.write_bytes(b"")
    page = tmp_path / "login.ics"
    page.write_bytes(b"<!DOCTYPE html>\n<html><body>Sign in to continue</body></html>\n")
    for path, message in (
        (empty, "empty.ics: empty file"),
        (page, "login.ics, line 1: '<!DOCTYPE html>' is not an iCalendar line"),
        (tmp_path / "missing.ics", "File not found"),
        (tmp_path, "Cannot read"),
    ):
        with pytest.raises(BadInput, match=message):
            import_file(cb, path)
    assert blocks(cb) == before


def test_a_file_too_large_to_be_an_export_is_refused(
    cb: CalBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calendar_files, "MAX_IMPORT_BYTES", 1000)
    with pytest.raises(BadInput, match="too large"):
        import_file(cb, "outlook_windows_zones.ics")
    assert blocks(cb) == []


def test_a_folded_or_pasted_line_is_not_mistaken_for_a_new_line(
    cb: CalBook, tmp_path: Path
) -> None:
    """Google folds long ATTENDEE lines inside their parameters; a description pasted from
    a notes app may hold U+2028 (line separator). Neither is a new content line."""
    path = tmp_path / "pasted.ics"
    path.write_bytes(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\n"
        "UID:pasted@example.org\r\nDTSTAMP:20261120T000000Z\r\n"
        "DTSTART:20270303T150000Z\r\nDTEND:20270303T160000Z\r\n"
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Sam R\r\n"
        " ivera;X-NUM-GUESTS=0:mailto:sam@example.org\r\n"
        "SUMMARY:Board\u2028prep\r\n"
        "DESCRIPTION:Agenda:\u2028DTSTART:20270101T000000\u2028END:VEVENT\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n".encode()
    )
    assert import_file(cb, path) == (1, 0)
    assert blocks(cb) == [("2027-03-03T15:00Z", "2027-03-03T16:00Z", False, "Board prep")]


def test_stopping_a_long_import_saves_nothing(cb: CalBook, tmp_path: Path) -> None:
    import_file(cb, "transparent.ics")
    before = blocks(cb)
    path = tmp_path / "daily.ics"
    path.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\n"
        b"UID:daily@example.org\r\nDTSTAMP:20261120T000000Z\r\n"
        b"DTSTART:20261201T140000Z\r\nDTEND:20261201T143000Z\r\nRRULE:FREQ=DAILY\r\n"
        b"SUMMARY:Daily\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    calls: list[tuple[int, int]] = []

    def stop(done: int, total: int) -> bool:
        calls.append((done, total))
        return False

    with pytest.raises(ImportCancelled):
        cb.calendars.import_busy(path, TODAY, stop)
    assert calls == [(0, 0)]  # asked as soon as the file is read, before the slow stages
    assert blocks(cb) == before

    def stop_while_counting(done: int, total: int) -> bool:
        calls.append((done, total))
        return done < 500

    with pytest.raises(ImportCancelled):
        cb.calendars.import_busy(path, TODAY, stop_while_counting)
    assert calls[-1] == (500, 0)  # read one by one: the total is not known yet
    assert blocks(cb) == before
    seen: list[tuple[int, int]] = []
    imported, _ = cb.calendars.import_busy(path, TODAY, lambda d, t: seen.append((d, t)) or True)
    assert seen[-1] == (imported, imported)


def test_read_busy_reports_the_uids_it_replaces(clock: BusinessClock) -> None:
    data = (FIXTURES / "outlook_windows_zones.ics").read_bytes()
    parsed = read_busy(data, "outlook.ics", clock, TODAY)
    assert len(parsed.uids) == 8  # the series and its exception share one UID
    assert all(uid.startswith("040000008200E00074C5B7101A82E008") for uid in parsed.uids)
