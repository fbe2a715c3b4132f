"""The calendar commands of the CLI contract (shared/CLI.md): `export-ics` and `busy`.

Exit codes: 0 done, 2 bad input with nothing saved or written, 3 refused by a rule.
`busy import` expands occurrences around the real today, so the file imported here is
written relative to today; the fixed-date vendor files are covered in test_busy_import.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ical_helpers import (
    FIXTURES,
    PROFILE_EMAIL,
    CalBook,
    mailto,
    only_event,
    parse,
    run_cli,
    vevents,
)

ET = ZoneInfo("America/New_York")


@pytest.fixture
def db(book_location: Path | str, tmp_path: Path) -> Path:
    return book_location


def setup_book(db: Path, profile: bool = True) -> dict[str, int]:
    """Two customers and four sessions through the CLI; returns the session ids by name."""
    if profile:
        assert (
            run_cli(db, "profile", "set", "--name", "Dana Manager", "--email", PROFILE_EMAIL).code
            == 0
        )
    for name, tz, contact in (
        ("Acme Corp", "Europe/Berlin", "Ann Lee <ann.lee@acme.example>"),
        ("Globex", "America/New_York", "Hank Scorpio <hank@globex.example>"),
    ):
        added = run_cli(
            db, "customer", "add", "--name", name, "--product", "SpiraPlan", "--users", "300",
            "--start", "2026-01-05", "--package", "platinum", "--tz", tz, "--contact", contact,
        )  # fmt: skip
        assert added.code == 0, added.err
    ids = {}
    for key, customer, start, extra in (
        ("march", "Acme Corp", "2026-03-09T09:00", ["--minutes", "60", "--kind", "assistance"]),
        ("april", "Acme Corp", "2026-04-14T10:00", ["--minutes", "60", "--kind", "assistance"]),
        ("globex", "Globex", "2026-03-10T11:00", ["--minutes", "60", "--kind", "assistance"]),
        ("plan", "Acme Corp", "2026-06-01", ["--end", "2026-06-03", "--kind", "event-plan"]),
    ):
        booked = run_cli(
            db, "book", "--customer", customer, "--start", start, *extra,
            "--requested", "2026-02-01T09:00", "--title", f"{key} session",
        )  # fmt: skip
        assert booked.code == 0, booked.err
        ids[key] = booked.data["id"]
    return ids


def export(db: Path, out: Path, *args: str) -> tuple[int, str, bytes | None]:
    run = run_cli(db, "export-ics", *args, "-o", str(out))
    return run.code, run.err, out.read_bytes() if out.exists() else None


# --- export-ics -------------------------------------------------------------------------------


def test_export_one_session_writes_an_invite(db: Path, tmp_path: Path) -> None:
    ids = setup_book(db)
    out = tmp_path / "invite.ics"
    run = run_cli(db, "export-ics", "--session", str(ids["march"]), "-o", str(out))
    assert run.code == 0, run.err
    assert run.data == {"file": str(out), "events": 1}
    data = out.read_bytes()
    assert str(parse(data)["METHOD"]) == "REQUEST"
    event = only_event(data)
    assert mailto(event["ATTENDEE"]) == "ann.lee@acme.example"
    assert mailto(event["ORGANIZER"]) == PROFILE_EMAIL
    assert event["DTSTART"].dt.astimezone(UTC) == datetime(2026, 3, 9, 13, tzinfo=UTC)
    assert [a["TRIGGER"].dt for a in event.walk("VALARM")] == [timedelta(minutes=-15)]
    assert "For Acme Corp: Mon 9 Mar 2026, 14:00-15:00 (Europe/Berlin)" in str(event["DESCRIPTION"])


@pytest.mark.parametrize(("flag", "alarms"), [("0", []), ("45", [timedelta(minutes=-45)])])
def test_export_reminder_flag(db: Path, tmp_path: Path, flag: str, alarms: list[timedelta]) -> None:
    ids = setup_book(db)
    code, _, data = export(
        db, tmp_path / "i.ics", "--session", str(ids["march"]), "--reminder", flag
    )
    assert code == 0 and data is not None
    assert [a["TRIGGER"].dt for a in only_event(data).walk("VALARM")] == alarms
    code, _, feed = export(db, tmp_path / "f.ics", "--all", "--reminder", flag)
    assert code == 0 and feed is not None
    assert {len(e.walk("VALARM")) for e in vevents(feed)} == {len(alarms)}


def test_export_after_move_and_cancel(db: Path, tmp_path: Path) -> None:
    ids = setup_book(db)
    session = str(ids["march"])
    _, _, first = export(db, tmp_path / "1.ics", "--session", session)
    moved = run_cli(
        db, "move", session, "--start", "2026-03-16T09:00", "--requested", "2026-02-01T09:00"
    )
    assert moved.code == 0, moved.err
    _, _, second = export(db, tmp_path / "2.ics", "--session", session)
    assert run_cli(db, "cancel", session).code == 0
    _, _, third = export(db, tmp_path / "3.ics", "--session", session)
    assert first and second and third
    events = [only_event(d) for d in (first, second, third)]
    assert len({str(e["UID"]) for e in events}) == 1
    sequences = [int(e["SEQUENCE"]) for e in events]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3
    assert [str(parse(d)["METHOD"]) for d in (first, second, third)] == [
        "REQUEST",
        "REQUEST",
        "CANCEL",
    ]
    assert events[1]["DTSTART"].dt.astimezone(UTC) == datetime(2026, 3, 16, 13, tzinfo=UTC)
    assert str(events[2]["STATUS"]) == "CANCELLED"
    assert events[2].walk("VALARM") == []
    # A cancelled session leaves the feeds.
    _, _, feed = export(db, tmp_path / "feed.ics", "--customer", "Acme Corp")
    assert feed is not None
    assert str(events[0]["UID"]) not in {str(e["UID"]) for e in vevents(feed)}


def test_export_feeds_by_customer_range_and_all(db: Path, tmp_path: Path) -> None:
    setup_book(db)
    run = run_cli(db, "export-ics", "--customer", "Acme Corp", "-o", str(tmp_path / "a.ics"))
    assert run.code == 0, run.err
    assert run.data["events"] == 3
    run = run_cli(
        db, "export-ics", "--customer", "Acme Corp", "--from", "2026-03-01", "--to",
        "2026-03-31", "-o", str(tmp_path / "m.ics"),
    )  # fmt: skip
    assert run.code == 0 and run.data["events"] == 1
    march = (tmp_path / "m.ics").read_bytes()
    assert str(parse(march)["METHOD"]) == "PUBLISH"
    assert [str(e["SUMMARY"]) for e in vevents(march)] == ["march session"]
    run = run_cli(db, "export-ics", "--all", "--from", "2026-03-10", "-o", str(tmp_path / "x.ics"))
    assert run.code == 0 and run.data["events"] == 3  # globex, april, the event plan
    everything = (tmp_path / "x.ics").read_bytes()
    assert sorted(str(e["SUMMARY"]) for e in vevents(everything)) == [
        "april session",
        "globex session",
        "plan session",
    ]
    assert all("ATTENDEE" not in e for e in vevents(everything))
    plan = next(e for e in vevents(everything) if str(e["SUMMARY"]) == "plan session")
    assert (plan["DTSTART"].dt, plan["DTEND"].dt) == (date(2026, 6, 1), date(2026, 6, 4))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--session", "999"], "No session with id '999'"),
        (["--session", "abc"], "No session with id 'abc'"),
        (["--customer", "Nobody Inc"], "Nobody Inc"),
        (["--all", "--from", "2026-13-01"], "2026-13-01"),
        (["--all", "--reminder", "-5"], "--reminder"),
        (["--session", "1", "--from", "2026-03-01"], "feeds"),
        (["--session", "1", "--all"], "not allowed with"),
        ([], "required"),
    ],
)
def test_export_bad_input_exits_2_and_writes_nothing(
    db: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    setup_book(db)
    out = tmp_path / "out.ics"
    code, err, data = export(db, out, *args)
    assert code == 2
    assert message in err
    assert data is None
    assert list(tmp_path.glob("*.part")) == [] and list(tmp_path.glob(".*.part")) == []


def test_an_invite_needs_a_profile(db: Path, tmp_path: Path) -> None:
    ids = setup_book(db, profile=False)
    code, err, data = export(db, tmp_path / "i.ics", "--session", str(ids["march"]))
    assert code == 2
    assert "profile set --name NAME --email EMAIL" in err
    assert data is None
    # A feed does not need one (it has no organizer then).
    code, _, feed = export(db, tmp_path / "f.ics", "--all")
    assert code == 0 and feed is not None
    assert all("ORGANIZER" not in e for e in vevents(feed))


def test_an_invite_needs_contacts(db: Path, tmp_path: Path) -> None:
    setup_book(db)
    added = run_cli(
        db, "customer", "add", "--name", "Initech", "--product", "SpiraPlan", "--users", "300",
        "--start", "2026-01-05", "--package", "platinum",
    )  # fmt: skip
    assert added.code == 0, added.err
    booked = run_cli(
        db, "book", "--customer", "Initech", "--kind", "assistance", "--start",
        "2026-03-11T09:00", "--minutes", "60", "--requested", "2026-02-01T09:00",
    )  # fmt: skip
    assert booked.code == 0, booked.err
    code, err, data = export(db, tmp_path / "i.ics", "--session", str(booked.data["id"]))
    assert code == 2
    assert "Initech has no contacts" in err
    assert data is None


def test_an_export_replaces_the_old_file_whole_or_not_at_all(db: Path, tmp_path: Path) -> None:
    ids = setup_book(db)
    out = tmp_path / "invite.ics"
    out.write_bytes(b"old content")
    code, _, data = export(db, out, "--session", str(ids["march"]))
    assert code == 0 and data is not None and data.startswith(b"BEGIN:VCALENDAR\r\n")
    missing_folder = tmp_path / "no-such-folder" / "invite.ics"
    code, err, data = export(db, missing_folder, "--session", str(ids["march"]))
    assert code == 2 and "Cannot write" in err and data is None


# --- busy -------------------------------------------------------------------------------------


def _next_business_day(start: date) -> date:
    import holidays

    us = holidays.country_holidays("US", years=range(start.year, start.year + 2))
    day = start
    while day.weekday() >= 5 or day in us:
        day += timedelta(days=1)
    return day


def _today_et() -> date:
    return datetime.now(UTC).astimezone(ET).date()


def write_busy_file(path: Path, day: date) -> None:
    """Busy 14:00-15:00 ET on `day`, a free event the same day, an all-day event the next
    day, and one two years back (outside the window, neither imported nor skipped)."""
    start = datetime.combine(day, datetime.min.time().replace(hour=14), ET).astimezone(UTC)
    old = day - timedelta(days=730)
    text = f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Example Corp.//CalDAV Client//EN
BEGIN:VEVENT
UID:busy-1@example.org
DTSTAMP:20261120T080000Z
DTSTART:{start:%Y%m%dT%H%M%SZ}
DTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}
SUMMARY:Quarterly business review
END:VEVENT
BEGIN:VEVENT
UID:free-1@example.org
DTSTAMP:20261120T080000Z
DTSTART:{start + timedelta(hours=2):%Y%m%dT%H%M%SZ}
DTEND:{start + timedelta(hours=3):%Y%m%dT%H%M%SZ}
TRANSP:TRANSPARENT
SUMMARY:Reading time
END:VEVENT
BEGIN:VEVENT
UID:day-1@example.org
DTSTAMP:20261120T080000Z
DTSTART;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}
DTEND;VALUE=DATE:{day + timedelta(days=2):%Y%m%d}
SUMMARY:Conference
END:VEVENT
BEGIN:VEVENT
UID:old-1@example.org
DTSTAMP:20261120T080000Z
DTSTART;VALUE=DATE:{old:%Y%m%d}
SUMMARY:Long ago
END:VEVENT
END:VCALENDAR
"""
    path.write_bytes(text.replace("\n", "\r\n").encode())


@pytest.fixture
def busy_day() -> date:
    return _next_business_day(_today_et() + timedelta(days=21))


def test_busy_import_list_and_clear(db: Path, tmp_path: Path, busy_day: date) -> None:
    path = tmp_path / "mine.ics"
    write_busy_file(path, busy_day)
    run = run_cli(db, "busy", "import", str(path))
    assert run.code == 0, run.err
    assert run.data == {"imported": 2, "skipped": 1, "conflicts": 0}
    # Importing again replaces: still two blocks.
    assert run_cli(db, "busy", "import", str(path)).data == {
        "imported": 2,
        "skipped": 1,
        "conflicts": 0,
    }
    listed = run_cli(db, "busy", "list")
    assert listed.code == 0
    start = datetime.combine(busy_day, datetime.min.time().replace(hour=14), ET)
    next_day = datetime.combine(busy_day + timedelta(days=1), datetime.min.time(), ET)
    assert listed.data == {
        "busy": [
            {
                "start": start.isoformat(),
                "end": (start + timedelta(hours=1)).isoformat(),
                "summary": "Quarterly business review",
                "all_day": False,
            },
            {
                "start": next_day.isoformat(),
                "end": datetime.combine(
                    busy_day + timedelta(days=2), datetime.min.time(), ET
                ).isoformat(),
                "summary": "Conference",
                "all_day": True,
            },
        ]
    }
    text = run_cli(db, "busy", "list", as_json=False)
    assert "Quarterly business review" in text.out and "(all day)" in text.out
    cleared = run_cli(db, "busy", "clear")
    assert cleared.code == 0 and cleared.data == {"removed": 2}
    assert run_cli(db, "busy", "list").data == {"busy": []}


def test_busy_time_refuses_an_overlapping_booking(db: Path, tmp_path: Path, busy_day: date) -> None:
    added = run_cli(
        db, "customer", "add", "--name", "Acme Corp", "--product", "SpiraPlan", "--users", "300",
        "--start", (_today_et() - timedelta(days=30)).isoformat(), "--package", "platinum",
    )  # fmt: skip
    assert added.code == 0, added.err
    path = tmp_path / "mine.ics"
    write_busy_file(path, busy_day)
    assert run_cli(db, "busy", "import", str(path)).code == 0

    def book(start: str) -> tuple[int, list[str]]:
        run = run_cli(
            db, "book", "--customer", "Acme Corp", "--kind", "screen-share", "--start",
            f"{busy_day}T{start}", "--minutes", "60", "--dry-run",
        )  # fmt: skip
        rules = [v["rule"] for v in run.data.get("violations", [])] if run.out else []
        return run.code, rules

    assert book("13:30") == (3, ["conflict"])
    assert book("14:00") == (3, ["conflict"])
    assert book("14:30") == (3, ["conflict"])
    assert book("13:00") == (0, [])  # ends as the busy time starts
    assert book("15:00") == (0, [])  # starts as it ends
    assert book("16:00") == (0, [])  # the free event does not block


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("broken_missing_end.ics", "line 17"),
        ("broken_no_vcalendar.ics", "line 1"),
        ("broken_latin1.ics", "line 9"),
        ("broken_no_dtstart.ics", "line 11"),
    ],
)
def test_busy_import_of_a_broken_file_exits_2_and_changes_nothing(
    db: Path, tmp_path: Path, busy_day: date, name: str, line: str
) -> None:
    path = tmp_path / "mine.ics"
    write_busy_file(path, busy_day)
    assert run_cli(db, "busy", "import", str(path)).code == 0
    before = run_cli(db, "busy", "list").data
    run = run_cli(db, "busy", "import", str(FIXTURES / name))
    assert run.code == 2
    assert f"{name}, {line}" in run.err
    assert run.out == ""
    assert run_cli(db, "busy", "list").data == before


def test_busy_import_of_a_missing_file_exits_2(db: Path, tmp_path: Path) -> None:
    run = run_cli(db, "busy", "import", str(tmp_path / "nope.ics"))
    assert run.code == 2 and "File not found" in run.err
    assert run_cli(db, "busy", "list").data == {"busy": []}


def test_cli_and_service_see_the_same_busy_time(db: Path, tmp_path: Path, busy_day: date) -> None:
    path = tmp_path / "mine.ics"
    write_busy_file(path, busy_day)
    assert run_cli(db, "busy", "import", str(path)).code == 0
    book = CalBook(db)
    try:
        (timed, all_day) = sorted(book.scheduler.busy_blocks(), key=lambda b: b.start_utc)
    finally:
        book.close()
    assert timed.start_utc == datetime.combine(
        busy_day, datetime.min.time().replace(hour=14), ET
    ).astimezone(UTC)
    assert all_day.all_day and not timed.all_day
