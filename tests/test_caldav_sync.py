"""CalDAV sync against a real Radicale on loopback, checked through a separate caldav client.

Each test has its own Radicale user (its own calendars) on the session's server; tests that
stop a server start one of their own.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from desktop.app import build_context
from desktop.services.calendar_sync.caldav_account import PASSWORD_ENV
from desktop.services.calendar_sync.caldav_sync import CalendarSync
from desktop.services.customers import CustomerDraft
from desktop.services.scheduling.sessions import BookingRequest, SessionTimes

from ical_helpers import run_cli
from radicale_server import Account, RadicaleServer, Remote

ET = ZoneInfo("America/New_York")
REPO = Path(__file__).resolve().parent.parent


def _next_business_day(start: date) -> date:
    import holidays

    us = holidays.country_holidays("US", years=range(start.year, start.year + 2))
    day = start
    while day.weekday() >= 5 or day in us:
        day += timedelta(days=1)
    return day


def _today_et() -> date:
    return datetime.now(UTC).astimezone(ET).date()


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ET).astimezone(UTC)


@pytest.fixture
def account(radicale: RadicaleServer, monkeypatch: pytest.MonkeyPatch) -> Account:
    new = radicale.new_account()
    monkeypatch.setenv(PASSWORD_ENV, new.password)
    return new


@pytest.fixture
def remote(account: Account) -> Iterator[Remote]:
    side = Remote(account)
    yield side
    side.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "book.sqlite"


@pytest.fixture
def day() -> date:
    return _next_business_day(_today_et() + timedelta(days=21))


def add_customer(db: Path) -> None:
    added = run_cli(
        db, "customer", "add", "--name", "Acme Corp", "--product", "SpiraPlan", "--users", "300",
        "--start", (_today_et() - timedelta(days=30)).isoformat(), "--package", "platinum",
    )  # fmt: skip
    assert added.code == 0, added.err


def book(db: Path, day: date, start: str, dry_run: bool = False) -> tuple[int, dict]:
    run = run_cli(
        db, "book", "--customer", "Acme Corp", "--kind", "screen-share", "--start",
        f"{day}T{start}", "--minutes", "60", *(["--dry-run"] if dry_run else []),
    )  # fmt: skip
    return run.code, run.data if run.out else {}


def set_account(db: Path, account: Account, *extra: str) -> None:
    run = run_cli(db, "caldav", "set", "--url", account.url, "--user", account.user, *extra)
    assert run.code == 0, run.err


def sync(db: Path) -> dict:
    run = run_cli(db, "sync")
    assert run.code == 0, run.err
    return dict(run.data)


def zero(**counts: int) -> dict:
    base = {"published": 0, "updated": 0, "removed": 0, "busy": 0, "conflicts": 0}
    return base | counts


def counts(data: dict) -> dict:
    return {key: data[key] for key in ("published", "updated", "removed", "busy", "conflicts")}


def book_many(db: Path, count: int, first_day: date) -> None:
    """`count` sessions, six a day from `first_day` (overridden: only their number matters)."""
    context = build_context(db)
    try:
        customer = context.customers.add(
            CustomerDraft(name="Bulk Co", product="SpiraPlan", users="300",
                          start=str(_today_et()), package="platinum")
        )  # fmt: skip
        requests = []
        for number in range(count):
            when = _at(first_day + timedelta(days=number // 6), 9 + number % 6)
            times = SessionTimes(when, when + timedelta(minutes=45), False)
            requests.append(
                BookingRequest((customer,), "assistance", times, override_reason="load test")
            )
        context.scheduler.book_many(requests)
    finally:
        context.close()


def local_state(db: Path) -> tuple[list[tuple], list[tuple], list[tuple]]:
    with sqlite3.connect(db) as conn:
        return (
            conn.execute("SELECT * FROM caldav_published ORDER BY id").fetchall(),
            conn.execute("SELECT * FROM busy_block ORDER BY id").fetchall(),
            conn.execute("SELECT * FROM caldav_calendar ORDER BY id").fetchall(),
        )


# --- account ------------------------------------------------------------------------------------


def test_caldav_set_finds_the_principal_from_the_host_and_creates_the_calendar(
    db: Path, account: Account, remote: Remote, isolated_user_config: Path
) -> None:
    remote.make_calendar("Work")
    host_only = account.url.rstrip("/").removeprefix("http://")
    run = run_cli(db, "caldav", "set", "--url", f"http://{host_only}", "--user", account.user)
    assert run.code == 0, run.err
    assert run.data["busy_calendars"] == ["Work"]
    assert remote.calendar("amplan") is not None  # created on the server
    saved = (isolated_user_config / "config.json").read_text()
    assert account.user in saved and account.password not in saved
    shown = run_cli(db, "caldav", "show")
    assert shown.data["password"] is True and shown.data["calendar"] == "amplan"


def test_caldav_set_refuses_an_unknown_busy_calendar_and_saves_nothing(
    db: Path, account: Account, isolated_user_config: Path
) -> None:
    run = run_cli(
        db, "caldav", "set", "--url", account.url, "--user", account.user, "--busy", "Nope"
    )
    assert run.code == 2 and "no calendar named 'Nope'" in run.err
    assert not (isolated_user_config / "config.json").exists()


def test_password_stdin_without_a_keyring_says_so(
    db: Path, account: Account, monkeypatch: pytest.MonkeyPatch, isolated_user_config: Path
) -> None:
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(account.password + "\n"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    run = run_cli(
        db, "caldav", "set", "--url", account.url, "--user", account.user, "--password-stdin"
    )
    assert run.code == 2
    assert "No keyring is available" in run.err and PASSWORD_ENV in run.err
    assert account.password not in run.err + run.out
    assert not (isolated_user_config / "config.json").exists()


def test_sync_without_an_account_says_how_to_set_one(db: Path) -> None:
    run = run_cli(db, "sync")
    assert run.code == 2 and "caldav set" in run.err


# --- publishing ---------------------------------------------------------------------------------


def test_sync_publishes_moves_and_cancels_with_the_same_uids(
    db: Path, account: Account, remote: Remote, day: date
) -> None:
    add_customer(db)
    first = book(db, day, "10:00")[1]
    second = book(db, day, "14:00")[1]
    set_account(db, account)
    assert counts(sync(db)) == zero(published=2)
    events = {str(e["UID"]): e for e in remote.events()}
    assert set(events) == {first["uid"], second["uid"]}
    assert int(events[first["uid"]]["SEQUENCE"]) == 0
    assert "METHOD" not in remote.objects()[0].data  # a stored object, not an iTIP message
    assert "ATTENDEE" not in remote.objects()[0].data  # no server sends invitations for it

    moved = run_cli(db, "move", str(first["id"]), "--start", f"{day}T11:00")
    assert moved.code == 0, moved.err
    assert run_cli(db, "cancel", str(second["id"])).code == 0
    assert counts(sync(db)) == zero(updated=1, removed=1)
    events = {str(e["UID"]): e for e in remote.events()}
    assert list(events) == [first["uid"]]
    assert events[first["uid"]]["DTSTART"].dt.astimezone(UTC) == _at(day, 11)
    assert int(events[first["uid"]]["SEQUENCE"]) == 1

    assert counts(sync(db)) == zero()  # nothing changed: nothing sent
    assert len(remote.objects()) == 1

    plan = run_cli(
        db, "book", "--customer", "Acme Corp", "--kind", "event-plan", "--start",
        str(day + timedelta(days=7)), "--end", str(day + timedelta(days=8)), "--override", "test",
    )  # fmt: skip
    assert plan.code == 0, plan.err
    assert counts(sync(db)) == zero(published=1)
    all_day = next(e for e in remote.events() if str(e["UID"]) == plan.data["uid"])
    assert all_day["DTSTART"].dt == day + timedelta(days=7)  # a DATE: all day
    assert all_day["DTEND"].dt == day + timedelta(days=9)  # exclusive end


def test_an_event_edited_on_the_server_is_reported_not_overwritten(
    db: Path, account: Account, remote: Remote, day: date
) -> None:
    add_customer(db)
    session = book(db, day, "10:00")[1]
    set_account(db, account)
    sync(db)
    item = remote.objects()[0]
    item.icalendar_component["SUMMARY"] = "Moved by my assistant"
    item.save()
    assert run_cli(db, "move", str(session["id"]), "--start", f"{day}T15:00").code == 0
    data = sync(db)
    assert counts(data) == zero(conflicts=1)
    assert data["conflicted"][0]["session"] == session["id"]
    assert data["conflicted"][0]["reason"] == "changed on the server"
    (event,) = remote.events()
    assert str(event["SUMMARY"]) == "Moved by my assistant"
    assert event["DTSTART"].dt.astimezone(UTC) == _at(day, 10)  # not overwritten
    assert counts(sync(db)) == zero(conflicts=1)  # still there for the user, still untouched
    assert str(remote.events()[0]["SUMMARY"]) == "Moved by my assistant"

    resolved = run_cli(db, "caldav", "resolve", str(session["id"]), "--keep", "amplan")
    assert resolved.code == 0, resolved.err
    assert counts(sync(db)) == zero(updated=1)
    (event,) = remote.events()
    assert event["DTSTART"].dt.astimezone(UTC) == _at(day, 15)
    assert str(event["SUMMARY"]) != "Moved by my assistant"
    assert run_cli(db, "caldav", "resolve", str(session["id"]), "--keep", "amplan").code == 2


def test_keeping_the_servers_version_leaves_it_until_the_session_changes(
    db: Path, account: Account, remote: Remote, day: date
) -> None:
    add_customer(db)
    session = book(db, day, "10:00")[1]
    set_account(db, account)
    sync(db)
    item = remote.objects()[0]
    item.icalendar_component["LOCATION"] = "Room 4"
    item.save()
    assert counts(sync(db)) == zero(conflicts=1)  # changed on the server, even untouched here
    assert run_cli(db, "caldav", "resolve", session["uid"], "--keep", "server").code == 0
    assert counts(sync(db)) == zero()
    assert str(remote.events()[0]["LOCATION"]) == "Room 4"
    assert run_cli(db, "move", str(session["id"]), "--start", f"{day}T11:00").code == 0
    assert counts(sync(db)) == zero(updated=1)  # a later change goes up over the kept copy


def test_an_event_deleted_on_the_server_is_a_conflict_and_can_be_sent_again(
    db: Path, account: Account, remote: Remote, day: date
) -> None:
    add_customer(db)
    session = book(db, day, "10:00")[1]
    set_account(db, account)
    sync(db)
    remote.objects()[0].delete()
    data = sync(db)
    assert counts(data) == zero(conflicts=1)
    assert data["conflicted"][0]["reason"] == "deleted on the server"
    assert remote.events() == []  # not put back behind the user's back
    assert run_cli(db, "caldav", "resolve", str(session["id"]), "--keep", "amplan").code == 0
    assert counts(sync(db)) == zero(published=1)
    assert [str(e["UID"]) for e in remote.events()] == [session["uid"]]


def test_a_sync_cut_after_the_server_said_yes_resumes_without_twins(
    db: Path, account: Account, remote: Remote, day: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window a crash can hit: the server has the event, amplan has not recorded it."""
    book_many(db, 5, day)
    set_account(db, account)
    calls = {"n": 0}
    original = CalendarSync._save

    def crash_on_third(self: CalendarSync, row: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # as abrupt as it gets inside the process
        original(self, row)  # type: ignore[arg-type]

    monkeypatch.setattr(CalendarSync, "_save", crash_on_third)
    assert run_cli(db, "sync").code == 130
    monkeypatch.setattr(CalendarSync, "_save", original)
    assert len(remote.objects()) == 3  # the third reached the server, unrecorded
    data = sync(db)
    assert data["published"] == 3 and data["conflicts"] == 0  # the third is taken as ours
    uids = [str(e["UID"]) for e in remote.events()]
    assert len(uids) == 5 == len(set(uids))
    assert counts(sync(db)) == zero()


def test_sigkill_in_the_middle_of_a_sync_then_a_sync_leaves_no_duplicates(
    db: Path, account: Account, remote: Remote, day: date, radicale: RadicaleServer
) -> None:
    total = 240
    book_many(db, total, day)
    set_account(db, account)
    env = os.environ | {"AMPLAN_DB": str(db), "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop", "sync"], cwd=REPO, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    folder = radicale.storage / "collection-root" / account.user
    deadline = time.monotonic() + 60
    written = 0
    while time.monotonic() < deadline and process.poll() is None:
        written = sum(1 for _ in folder.glob("*/*.ics"))
        if written >= 40:
            break
        time.sleep(0.01)
    assert process.poll() is None, "the sync ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    assert 0 < len(remote.objects()) < total
    recorded = len(local_state(db)[0])
    data = sync(db)
    assert data["conflicts"] == 0
    assert data["published"] + recorded == total
    uids = [str(e["UID"]) for e in remote.events()]
    assert len(uids) == total == len(set(uids))
    assert len(local_state(db)[0]) == total
    assert counts(sync(db)) == zero()


# --- busy time ----------------------------------------------------------------------------------


def test_a_busy_event_on_the_server_blocks_a_booking_and_its_deletion_frees_the_time(
    db: Path, account: Account, remote: Remote, day: date
) -> None:
    add_customer(db)
    remote.make_calendar("Work")
    set_account(db, account)
    assert counts(sync(db)) == zero()
    calendars = local_state(db)[2]
    assert {row[2] for row in calendars} == {"publish", "busy"}
    assert all(row[4] for row in calendars)  # RFC 6578 sync tokens kept for the next sync
    event = remote.add_busy("Work", "dentist-1@example.org", _at(day, 14), _at(day, 15))
    assert counts(sync(db)) == zero(busy=1)
    code, data = book(db, day, "14:30", dry_run=True)
    assert code == 3 and [v["rule"] for v in data["violations"]] == ["conflict"]
    listed = run_cli(db, "busy", "list")
    assert "Dentist" in listed.out
    assert run_cli(db, "busy", "clear").code == 0  # the next sync brings it back
    assert counts(sync(db)) == zero(busy=1)
    assert book(db, day, "14:30", dry_run=True)[0] == 3

    event.delete()
    assert counts(sync(db)) == zero(busy=1)
    assert book(db, day, "14:30")[0] == 0
    assert counts(sync(db)) == zero(published=1)  # the new session, not read back as busy


def test_busy_time_reads_recurrences_and_only_the_chosen_calendars(
    db: Path, account: Account, remote: Remote, day: date
) -> None:
    add_customer(db)
    work = remote.make_calendar("Work")
    remote.make_calendar("Family")
    start = _at(day, 9)
    work.save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:standup@example.org\r\nDTSTAMP:20261101T000000Z\r\n"
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{start + timedelta(minutes=30):%Y%m%dT%H%M%SZ}"
        "\r\nRRULE:FREQ=DAILY;COUNT=3\r\nSUMMARY:Stand-up\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    remote.add_busy("Family", "school@example.org", _at(day, 13), _at(day, 14))
    set_account(db, account, "--busy", "Work")
    assert sync(db)["busy"] == 1
    rows = run_cli(db, "busy", "list").data["busy"]
    assert len(rows) == 3  # three occurrences of one event; nothing of "Family"
    assert book(db, day + timedelta(days=1), "09:00", dry_run=True)[0] == 3
    assert book(db, day, "13:00", dry_run=True)[0] == 0


# --- failures -----------------------------------------------------------------------------------


def test_a_wrong_password_exits_2_and_changes_nothing(
    db: Path, account: Account, remote: Remote, day: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_customer(db)
    session = book(db, day, "10:00")[1]
    set_account(db, account)
    sync(db)
    assert run_cli(db, "move", str(session["id"]), "--start", f"{day}T11:00").code == 0
    before = local_state(db)
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password")
    run = run_cli(db, "sync")
    assert run.code == 2 and "refused the user name or password" in run.err
    assert "not-the-password" not in run.err + run.out
    assert local_state(db) == before
    assert remote.events()[0]["DTSTART"].dt.astimezone(UTC) == _at(day, 10)


def test_a_stopped_server_exits_2_and_changes_nothing_then_catches_up(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, day: date
) -> None:
    server = RadicaleServer(tmp_path / "own-radicale")
    server.start()
    try:
        own = server.new_account()
        monkeypatch.setenv(PASSWORD_ENV, own.password)
        add_customer(db)
        book(db, day, "10:00")
        set_account(db, own)
        server.stop()
        book(db, day, "14:00")
        before = local_state(db)
        run = run_cli(db, "sync")
        assert run.code == 2 and "Cannot reach the CalDAV server" in run.err
        assert local_state(db) == before
        server.start()
        assert counts(sync(db)) == zero(published=2)
    finally:
        server.stop()


class MemoryKeyring:
    """A keyring backend for one test: what `keyring` would hand the OS's store."""

    priority = 1

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password


def test_the_password_from_stdin_goes_to_the_keyring_and_sync_finds_it_there(
    db: Path,
    account: Account,
    remote: Remote,
    day: date,
    monkeypatch: pytest.MonkeyPatch,
    isolated_user_config: Path,
) -> None:
    import io

    import keyring

    memory = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: memory)
    monkeypatch.setattr(keyring, "get_password", memory.get_password)
    monkeypatch.setattr(keyring, "set_password", memory.set_password)
    monkeypatch.delenv(PASSWORD_ENV)
    monkeypatch.setattr("sys.stdin", io.StringIO(account.password + "\n"))
    add_customer(db)
    book(db, day, "10:00")
    run = run_cli(
        db, "caldav", "set", "--url", account.url, "--user", account.user, "--password-stdin"
    )
    assert run.code == 0, run.err
    assert list(memory.store.values()) == [account.password]
    assert account.password not in (isolated_user_config / "config.json").read_text()
    assert counts(sync(db)) == zero(published=1)
    memory.store.clear()
    missing = run_cli(db, "sync")
    assert missing.code == 2 and "No CalDAV password" in missing.err


def test_without_sync_tokens_the_etags_say_what_changed(
    db: Path, account: Account, remote: Remote, day: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server without RFC 6578: every sync compares the calendar's ETags instead."""
    from desktop.services.calendar_sync import caldav_account

    original = caldav_account.DavServer.report

    def no_sync_collection(self: object, url: str, body: str, depth: int | None) -> object:
        if "sync-collection" in body:
            return caldav_account._Forbidden()
        return original(self, url, body, depth)  # type: ignore[arg-type]

    monkeypatch.setattr(caldav_account.DavServer, "report", no_sync_collection)
    add_customer(db)
    session = book(db, day, "10:00")[1]
    remote.make_calendar("Work")
    set_account(db, account)
    assert counts(sync(db)) == zero(published=1)
    event = remote.add_busy("Work", "dentist-2@example.org", _at(day, 14), _at(day, 15))
    assert counts(sync(db)) == zero(busy=1)
    assert book(db, day, "14:00", dry_run=True)[0] == 3
    event.delete()
    assert counts(sync(db)) == zero(busy=1)
    assert book(db, day, "14:00", dry_run=True)[0] == 0
    item = remote.objects("amplan")[0]
    item.icalendar_component["SUMMARY"] = "Edited elsewhere"
    item.save()
    data = sync(db)
    assert counts(data) == zero(conflicts=1) and data["conflicted"][0]["session"] == session["id"]


def test_an_update_cut_before_it_was_recorded_is_not_a_conflict(
    db: Path, account: Account, remote: Remote, day: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_customer(db)
    session = book(db, day, "10:00")[1]
    set_account(db, account)
    sync(db)
    assert run_cli(db, "move", str(session["id"]), "--start", f"{day}T11:00").code == 0

    def cut(self: CalendarSync, row: object) -> None:
        raise KeyboardInterrupt

    original = CalendarSync._save
    monkeypatch.setattr(CalendarSync, "_save", cut)
    assert run_cli(db, "sync").code == 130  # the server has the move, amplan's record not
    monkeypatch.setattr(CalendarSync, "_save", original)
    assert counts(sync(db)) == zero()  # its own write, recognised: no conflict, nothing sent
    assert counts(sync(db)) == zero()
    (event,) = remote.events()
    assert event["DTSTART"].dt.astimezone(UTC) == _at(day, 11)
    assert int(event["SEQUENCE"]) == 1
