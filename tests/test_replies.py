"""Attendees' replies read back: iTIP REPLY files as Outlook, Gmail and Apple Calendar write
them (fixtures in tests/fixtures/replies, written from their documented shapes), stale and
unknown ones ignored and counted, and the answers shown on the session."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from desktop.services.mail.replies import read_replies

from ical_helpers import CalBook, run_cli

REPLIES = Path(__file__).resolve().parent / "fixtures" / "replies"
FIXTURE_UID = "7f1c9a52-3b1e-4d27-9c55-2f0e8b6a1d42@amplan"


def reply_ics(
    uid: str,
    email: str,
    partstat: str,
    sequence: int = 0,
    stamp: str = "20261201T120000Z",
    method: str = "REPLY",
) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//test//replies//EN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{stamp}",
        "DTSTART:20270308T140000Z",
        f"ATTENDEE;PARTSTAT={partstat};CN=Someone:mailto:{email}",
        "ORGANIZER:mailto:dana.manager@inflectra.example",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


class ReplyBook:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.book = CalBook(path)
        self.book.profile()
        self.acme = self.book.customer(
            "Acme Corp",
            contacts="Ann Lee <ann.lee@acme.example>; Bob Stone <bob.stone@acme.example>",
        )
        # The fixtures answer a session on Mon 9 Mar 2026 09:00 ET with this UID.
        past = self.book.book(self.acme, "screen-share", "2026-03-09T09:00", minutes=60)
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE session SET uid = ? WHERE id = ?", (FIXTURE_UID, past.id))
        conn.close()
        self.fixture_session = past.id
        self.future = self.book.book(self.acme, "screen-share", "2027-03-08T09:00", minutes=60)

    def attendees(self, session_id: int) -> dict[str, str]:
        shown = run_cli(self.path, "sessions", "--customer", "Acme Corp")
        [session] = [s for s in shown.data["sessions"] if s["id"] == session_id]
        return {a["email"]: a["partstat"] for a in session["attendees"]}

    def write(self, name: str, data: bytes) -> Path:
        target = self.path.parent / name
        target.write_bytes(data)
        return target


@pytest.fixture
def replies(tmp_path: Path) -> Iterator[ReplyBook]:
    book = ReplyBook(tmp_path / "book.sqlite")
    yield book
    book.book.close()


@pytest.mark.parametrize(
    ("fixture", "email", "partstat"),
    [
        ("outlook_accepted.eml", "ann.lee@acme.example", "accepted"),
        ("gmail_declined.eml", "bob.stone@acme.example", "declined"),
        ("apple_tentative.eml", "ann.lee@acme.example", "tentative"),
        ("apple_tentative.ics", "ann.lee@acme.example", "tentative"),
    ],
)
def test_replies_of_the_big_clients_are_understood(
    replies: ReplyBook, fixture: str, email: str, partstat: str
) -> None:
    result = run_cli(replies.path, "replies", "import", str(REPLIES / fixture))
    assert result.code == 0, result.err
    assert result.data == {
        "updated": [{"session": replies.fixture_session, "attendee": email, "partstat": partstat}],
        "ignored": 0,
    }
    shown = replies.attendees(replies.fixture_session)
    assert shown[email] == partstat
    assert set(shown.values()) == {partstat, "needs-action"}  # the other contact: no answer


def test_gmails_inline_and_attached_copy_count_once() -> None:
    parsed = read_replies((REPLIES / "gmail_declined.eml").read_bytes(), "gmail")
    assert len(parsed.items) == 1 and parsed.ignored == 0


def test_a_later_answer_wins_and_an_older_one_is_ignored(replies: ReplyBook) -> None:
    uid = replies.future.uid
    accepted = replies.write(
        "a.ics", reply_ics(uid, "ann.lee@acme.example", "ACCEPTED", stamp="20261201T100000Z")
    )
    declined = replies.write(
        "d.ics", reply_ics(uid, "ann.lee@acme.example", "DECLINED", stamp="20261202T100000Z")
    )
    assert run_cli(replies.path, "replies", "import", str(accepted)).data["ignored"] == 0
    assert run_cli(replies.path, "replies", "import", str(declined)).data["ignored"] == 0
    assert replies.attendees(replies.future.id)["ann.lee@acme.example"] == "declined"
    # Importing the older acceptance again changes nothing.
    again = run_cli(replies.path, "replies", "import", str(accepted))
    assert again.data == {"updated": [], "ignored": 1}
    assert "Ignored 1" in again.err
    assert replies.attendees(replies.future.id)["ann.lee@acme.example"] == "declined"


def test_a_reply_to_an_old_sequence_or_an_unknown_uid_is_ignored_and_counted(
    replies: ReplyBook,
) -> None:
    uid = replies.future.uid
    moved = run_cli(
        replies.path, "move", str(replies.future.id), "--start", "2027-03-09T10:00",
        "--override", "test", "--requested", "2027-01-04T09:00",
    )  # fmt: skip
    assert moved.code == 0 and moved.data["sequence"] == 1
    stale = replies.write("stale.ics", reply_ics(uid, "ann.lee@acme.example", "ACCEPTED", 0))
    unknown = replies.write(
        "unknown.ics", reply_ics("nobody@elsewhere", "ann.lee@acme.example", "ACCEPTED", 0)
    )
    for path in (stale, unknown):
        result = run_cli(replies.path, "replies", "import", str(path))
        assert result.code == 0
        assert result.data == {"updated": [], "ignored": 1}
    assert set(replies.attendees(replies.future.id).values()) == {"needs-action"}
    current = replies.write("now.ics", reply_ics(uid, "bob.stone@acme.example", "ACCEPTED", 1))
    assert run_cli(replies.path, "replies", "import", str(current)).data["updated"] == [
        {"session": replies.future.id, "attendee": "bob.stone@acme.example", "partstat": "accepted"}
    ]


def test_an_answer_to_a_session_that_moved_since_no_longer_shows(replies: ReplyBook) -> None:
    uid = replies.future.uid
    yes = replies.write("yes.ics", reply_ics(uid, "ann.lee@acme.example", "ACCEPTED", 0))
    run_cli(replies.path, "replies", "import", str(yes))
    assert replies.attendees(replies.future.id)["ann.lee@acme.example"] == "accepted"
    run_cli(
        replies.path, "move", str(replies.future.id), "--start", "2027-03-09T10:00",
        "--override", "test", "--requested", "2027-01-04T09:00",
    )  # fmt: skip
    assert replies.attendees(replies.future.id)["ann.lee@acme.example"] == "needs-action"


def test_not_a_reply_is_ignored_and_a_broken_file_is_bad_input(replies: ReplyBook) -> None:
    request = replies.write(
        "req.ics",
        reply_ics(replies.future.uid, "ann.lee@acme.example", "ACCEPTED", 0, method="REQUEST"),
    )
    assert run_cli(replies.path, "replies", "import", str(request)).data == {
        "updated": [],
        "ignored": 1,
    }
    junk = replies.write("junk.eml", b"From: a@b.example\r\nSubject: hi\r\n\r\nhello\r\n")
    result = run_cli(replies.path, "replies", "import", str(junk))
    assert result.code == 2 and "no calendar reply" in result.err
    missing = run_cli(replies.path, "replies", "import", str(replies.path.parent / "none.ics"))
    assert missing.code == 2 and "File not found" in missing.err


def test_declined_sessions_to_come_are_listed_for_the_dashboard(replies: ReplyBook) -> None:
    no = replies.write(
        "no.ics", reply_ics(replies.future.uid, "bob.stone@acme.example", "DECLINED")
    )
    run_cli(replies.path, "replies", "import", str(no))
    # The past fixture session declined too: not listed, it is over.
    run_cli(replies.path, "replies", "import", str(REPLIES / "gmail_declined.eml"))
    declined = replies.book.ctx.replies.declined(datetime(2026, 12, 1, tzinfo=UTC))
    assert declined == [(replies.future.id, ["Someone"])]
    run_cli(replies.path, "cancel", str(replies.future.id))
    assert replies.book.ctx.replies.declined(datetime(2026, 12, 1, tzinfo=UTC)) == []


def test_a_reply_whose_stamp_is_no_time_still_counts_its_answer() -> None:
    # Found by the fuzz test: icalendar keeps a broken DTSTAMP as a property that raises
    # when read; the answer is still the answer, stamped with the time it was read.
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nMETHOD:REPLY\r\n"
        b"BEGIN:VEVENT\r\nUID:s1@amplan\r\n"
        b"ATTENDEE;PARTSTAT=ACCEPTED;CN=Ann:mailto:ann@acme.example\r\n"
        b"DTSTAMP:not-a-time\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    before = datetime.now(UTC)
    [item] = read_replies(data, "reply.ics").items
    assert (item.email, item.partstat) == ("ann@acme.example", "accepted")
    assert item.stamp_utc >= before
