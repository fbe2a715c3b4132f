"""Invitations e-mailed through the outbox to a real SMTP server on loopback (aiosmtpd with
login): the message's shape, its calendar part read by ical.js and libical, the outbox's
exactly-once delivery (server down, SIGKILL mid-send), and plain messages for refusals."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import icalendar
import pytest
from desktop.services.profile import ProfileStore
from desktop.services.user_config import UserConfig

from ical_helpers import (
    PROFILE_EMAIL,
    PROFILE_NAME,
    CalBook,
    check_libical,
    ensure_icaljs,
    icaljs_props,
    icaljs_times,
    libical_props,
    libical_times,
    mailto,
    run_cli,
    z,
)
from mail_helpers import (
    PASSWORD,
    USER,
    MemoryKeyring,
    SmtpServer,
    free_port,
)

REPO = Path(__file__).resolve().parent.parent


@dataclass
class MailBook:
    path: Path
    book: CalBook
    session_id: int
    uid: str


def mail_set(db: Path, port: int, *extra: str, password: str | None = PASSWORD) -> None:
    args = ["mail", "set", "--host", "127.0.0.1", "--port", str(port), "--security", "none"]
    if password is not None:
        args += ["--user", USER, "--password-stdin"]
    stdin = sys.stdin
    sys.stdin = io.StringIO(f"{password}\n")
    try:
        result = run_cli(db, *args, *extra)
    finally:
        sys.stdin = stdin
    assert result.code == 0, result.err


@pytest.fixture
def mailbook(tmp_path: Path, memory_keyring: MemoryKeyring) -> Iterator[MailBook]:
    path = tmp_path / "book.sqlite"
    book = CalBook(path)
    book.profile()
    acme = book.customer(
        "Acme Corp",
        tz="America/Los_Angeles",
        contacts="Ann Lee <ann.lee@acme.example>; Bob Stone <bob.stone@acme.example>",
    )
    record = book.book(acme, "screen-share", "2026-03-09T09:00", minutes=60)
    yield MailBook(path, book, record.id, record.uid)
    book.close()


def outbox(db: Path) -> list[dict[str, object]]:
    result = run_cli(db, "outbox")
    assert result.code == 0, result.err
    messages: list[dict[str, object]] = result.data["messages"]
    return messages


def calendar_part(received: bytes) -> tuple[str, bytes]:
    """(method parameter, iCalendar bytes) of the text/calendar part inside the alternative."""
    message = icalendar_message(received)
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return str(part.get_param("method")), part.get_payload(decode=True)
    raise AssertionError("no text/calendar part")


def icalendar_message(received: bytes):  # type: ignore[no-untyped-def]
    import email
    from email.policy import default

    return email.message_from_bytes(received, policy=default)


# --- the message ---------------------------------------------------------------------------------


def test_the_received_invitation_has_the_shape_clients_show_with_accept_decline(
    mailbook: MailBook,
    smtp_server: SmtpServer,
    tmp_path: Path,
) -> None:
    mail_set(mailbook.path, smtp_server.port)
    result = run_cli(mailbook.path, "send", "--session", str(mailbook.session_id))
    assert result.code == 0, result.err
    assert result.data["sent"] == 1 and result.data["queued"] == 0
    [received] = smtp_server.received
    assert received.mail_from == PROFILE_EMAIL
    assert sorted(received.rcpt_tos) == ["ann.lee@acme.example", "bob.stone@acme.example"]
    message = received.message
    assert message["From"].addresses[0].addr_spec == PROFILE_EMAIL
    assert message["From"].addresses[0].display_name == PROFILE_NAME
    assert {a.addr_spec for a in message["To"].addresses} == set(received.rcpt_tos)
    assert message["Subject"].startswith("Invitation: ")
    assert message["Message-ID"].endswith("@inflectra.example>")
    # multipart/mixed [ multipart/alternative [plain, html, calendar], invite.ics ]
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    kinds = [part.get_content_type() for part in alternative.get_payload()]
    assert kinds == ["text/plain", "text/html", "text/calendar"]
    assert alternative.get_payload()[2].get_param("method") == "REQUEST"
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_filename() == "invite.ics"
    assert "09:00-10:00" in alternative.get_payload()[0].get_content()
    _method, ics = calendar_part(received.data)
    assert attachment.get_payload(decode=True) == ics

    calendar = icalendar.Calendar.from_ical(ics)
    assert str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == mailbook.uid
    assert mailto(event["ORGANIZER"]) == PROFILE_EMAIL
    attendees = event["ATTENDEE"]
    assert {mailto(a) for a in attendees} == set(received.rcpt_tos)
    assert all(a.params["RSVP"] == "TRUE" for a in attendees)
    assert all(a.params["PARTSTAT"] == "NEEDS-ACTION" for a in attendees)

    # The calendar part as received passes the same independent readers as .ics exports.
    ensure_icaljs()
    check_libical()
    path = tmp_path / "received.ics"
    path.write_bytes(ics)
    start, end = z("2026-03-09T09:00"), z("2026-03-09T10:00")
    assert [(o.uid, o.start, o.end) for o in icaljs_times(path)] == [(mailbook.uid, start, end)]
    report = libical_times(path)
    assert report.restriction_ok, report.errors
    assert [(o.uid, o.start, o.end) for o in report.occurrences] == [(mailbook.uid, start, end)]
    for props in (icaljs_props(path), libical_props(path)):
        [event_props] = props
        assert event_props["method"] == "REQUEST"
        assert event_props["organizer"]["value"] == f"mailto:{PROFILE_EMAIL}"
        assert event_props["organizer"]["params"]["CN"] == PROFILE_NAME
        assert sorted(a["value"] for a in event_props["attendees"]) == [
            f"mailto:{a}" for a in sorted(received.rcpt_tos)
        ]
        for attendee in event_props["attendees"]:
            assert attendee["params"]["RSVP"] == "TRUE"
            assert attendee["params"]["PARTSTAT"] == "NEEDS-ACTION"


def test_a_cancelled_session_sends_a_cancel_and_a_moved_one_a_new_version(
    mailbook: MailBook,
    smtp_server: SmtpServer,
) -> None:
    mail_set(mailbook.path, smtp_server.port)
    assert run_cli(mailbook.path, "send", "--session", str(mailbook.session_id)).code == 0
    again = run_cli(mailbook.path, "send", "--session", str(mailbook.session_id))
    assert again.data["sent"] == 0 and "already in the outbox" in again.err
    assert len(smtp_server.received) == 1  # the same version to the same people: never twice

    moved = run_cli(
        mailbook.path,
        "move",
        str(mailbook.session_id),
        "--start",
        "2026-03-10T10:00",
        "--override",
        "test",
        "--requested",
        "2026-02-01T09:00",
    )
    assert moved.code == 0, moved.err
    assert run_cli(mailbook.path, "send", "--session", str(mailbook.session_id)).data["sent"] == 1
    assert run_cli(mailbook.path, "cancel", str(mailbook.session_id)).code == 0
    assert run_cli(mailbook.path, "send", "--session", str(mailbook.session_id)).data["sent"] == 1

    _first, update, cancel = smtp_server.received
    ids = {r.message["Message-ID"] for r in smtp_server.received}
    assert len(ids) == 3
    assert update.message["Subject"].startswith("Updated invitation: ")
    method, ics = calendar_part(update.data)
    event = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
    assert (method, int(event["SEQUENCE"]), str(event["UID"])) == ("REQUEST", 1, mailbook.uid)
    method, ics = calendar_part(cancel.data)
    calendar = icalendar.Calendar.from_ical(ics)
    assert method == "CANCEL" and str(calendar["METHOD"]) == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    assert cancel.message["Subject"].startswith("Cancelled: ")
    assert cancel.message.get_payload()[1].get_filename() == "cancel.ics"


def test_send_for_a_customer_mails_each_session_to_come(
    mailbook: MailBook,
    smtp_server: SmtpServer,
) -> None:
    mail_set(mailbook.path, smtp_server.port)
    """Sessions still to come only: the fixture's one in March 2026 is over."""
    acme = mailbook.book.customers.get("Acme Corp")
    mailbook.book.book(acme, "screen-share", "2027-03-08T09:00", minutes=30)
    mailbook.book.book(acme, "screen-share", "2027-03-09T09:00", minutes=30)
    result = run_cli(mailbook.path, "send", "--customer", "Acme Corp")
    assert result.code == 0, result.err
    assert (result.data["sent"], result.data["queued"]) == (2, 0)
    assert len(smtp_server.received) == 2


# --- the outbox -------------------------------------------------------------------------------


def test_server_down_queues_and_outbox_send_delivers_each_once_when_it_is_back(
    mailbook: MailBook,
) -> None:
    port = free_port()  # nothing listens there yet
    mail_set(mailbook.path, port)
    result = run_cli(mailbook.path, "send", "--session", str(mailbook.session_id))
    assert result.code == 0
    assert (result.data["sent"], result.data["queued"]) == (0, 1)
    assert "queued" in result.err and "Cannot reach the mail server" in result.err
    [message] = outbox(mailbook.path)
    assert message["status"] == "queued" and message["attempts"] == 1
    assert message["session"] == mailbook.session_id
    assert message["to"] == ["ann.lee@acme.example", "bob.stone@acme.example"]
    assert "will try again" in str(message["error"])

    server = SmtpServer(port).start()
    try:
        sent = run_cli(mailbook.path, "outbox", "send")
        assert sent.code == 0, sent.err
        assert sent.data["sent"] == 1
        assert run_cli(mailbook.path, "outbox", "send").data["sent"] == 0
        assert len(server.received) == 1
        [message] = outbox(mailbook.path)
        assert message["status"] == "sent" and message["error"] is None
    finally:
        server.stop()


def test_backoff_waits_longer_after_each_failed_attempt(mailbook: MailBook) -> None:
    from datetime import UTC, datetime, timedelta

    mail_set(mailbook.path, free_port())
    run_cli(mailbook.path, "send", "--session", str(mailbook.session_id))
    mail = mailbook.book.ctx.mail
    assert mail.outbox.due() == []  # the next automatic attempt is a minute away
    later = datetime.now(UTC) + timedelta(minutes=1, seconds=5)
    assert len(mail.outbox.due(later)) == 1
    mail.send_queued()
    entry = mail.outbox.messages()[0]
    assert entry.attempts == 2 and entry.next_attempt_utc is not None
    wait = entry.next_attempt_utc.replace(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(minutes=1, seconds=30) < wait <= timedelta(minutes=2)


def test_a_sigkill_between_accepted_and_marked_never_sends_a_second_copy(
    mailbook: MailBook,
    smtp_server: SmtpServer,
    isolated_user_config: Path,
) -> None:
    mail_set(mailbook.path, smtp_server.port)
    outbox_api = mailbook.book.ctx.mail.outbox
    invitation = mailbook.book.ctx.mail.invitation(mailbook.session_id)
    outbox_api.enqueue([invitation])
    env = {
        **os.environ,
        "AMPLAN_CONFIG": str(isolated_user_config),
        "AMPLAN_SMTP_PASSWORD": PASSWORD,
    }
    sender = subprocess.Popen(
        [sys.executable, "-m", "desktop", "--db", str(mailbook.path), "outbox", "send"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )

    def kill_the_sender() -> None:  # the server has the message; the sender never hears 250
        os.kill(sender.pid, signal.SIGKILL)
        sender.wait(timeout=30)

    smtp_server.sink.on_data = kill_the_sender
    try:
        sender.wait(timeout=60)
    finally:
        sender.kill()
        sender.communicate()
    assert sender.returncode == -signal.SIGKILL
    assert len(smtp_server.received) == 1
    smtp_server.sink.on_data = None

    again = run_cli(mailbook.path, "outbox", "send")
    assert again.code == 0 and again.data["sent"] == 0
    assert len(smtp_server.received) == 1  # not sent a second time
    [message] = outbox(mailbook.path)
    assert message["status"] == "failed" and message["uncertain"] is True
    assert "may have been sent" in str(message["error"])
    # The user checked: it arrived.
    confirmed = run_cli(mailbook.path, "outbox", "confirm", str(message["id"]))
    assert confirmed.code == 0 and confirmed.data["status"] == "sent"
    assert run_cli(mailbook.path, "outbox", "send").data["sent"] == 0
    assert len(smtp_server.received) == 1


def test_a_sigkill_before_the_data_went_out_sends_it_once_later(
    mailbook: MailBook,
    smtp_server: SmtpServer,
) -> None:
    """Killed while only queued (e.g. before connecting): the next run sends it, once."""
    mail_set(mailbook.path, smtp_server.port)
    mail = mailbook.book.ctx.mail
    mail.outbox.enqueue([mail.invitation(mailbook.session_id)])
    assert run_cli(mailbook.path, "outbox", "send").data["sent"] == 1
    assert run_cli(mailbook.path, "outbox", "send").data["sent"] == 0
    assert len(smtp_server.received) == 1


def test_a_wrong_password_is_a_plain_message_on_the_message(
    mailbook: MailBook,
    smtp_server: SmtpServer,
) -> None:
    mail_set(mailbook.path, smtp_server.port, password="not-the-password")
    result = run_cli(mailbook.path, "send", "--session", str(mailbook.session_id))
    assert result.code == 0
    assert result.data["failed"] == 1 and result.data["sent"] == 0
    assert "refused the user name or password" in result.err
    [message] = outbox(mailbook.path)
    assert message["status"] == "failed"
    assert "refused the user name or password for dana" in str(message["error"])
    assert smtp_server.received == []
    # Fixed password, then retry: it goes, once.
    mail_set(mailbook.path, smtp_server.port)
    assert run_cli(mailbook.path, "outbox", "retry", str(message["id"])).code == 0
    assert run_cli(mailbook.path, "outbox", "send").data["sent"] == 1
    assert len(smtp_server.received) == 1


def test_a_refused_recipient_is_a_plain_message_on_the_message(
    mailbook: MailBook,
    smtp_server: SmtpServer,
) -> None:
    smtp_server.sink.refuse = {"ann.lee@acme.example", "bob.stone@acme.example"}
    mail_set(mailbook.path, smtp_server.port)
    result = run_cli(mailbook.path, "send", "--session", str(mailbook.session_id))
    assert result.code == 0 and result.data["failed"] == 1
    [message] = outbox(mailbook.path)
    assert message["status"] == "failed"
    assert "refused the recipient(s): ann.lee@acme.example (550" in str(message["error"])
    discarded = run_cli(mailbook.path, "outbox", "discard", str(message["id"]))
    assert discarded.code == 0
    assert outbox(mailbook.path) == []


def test_one_refused_recipient_of_two_still_sends_and_says_who_missed_it(
    mailbook: MailBook,
    smtp_server: SmtpServer,
) -> None:
    smtp_server.sink.refuse = {"bob.stone@acme.example"}
    mail_set(mailbook.path, smtp_server.port)
    result = run_cli(mailbook.path, "send", "--session", str(mailbook.session_id))
    assert result.data["sent"] == 1
    [message] = outbox(mailbook.path)
    assert message["status"] == "sent"
    assert "not to: The mail server refused the recipient(s): bob.stone" in str(message["error"])


def test_send_without_mail_settings_says_how_to_set_them_up(mailbook: MailBook) -> None:
    result = run_cli(mailbook.path, "send", "--session", str(mailbook.session_id))
    assert result.code == 2
    assert "amplan mail set" in result.err and "export-eml" in result.err
    assert outbox(mailbook.path) == []


# --- the account and its password -----------------------------------------------------------


def test_mail_set_keeps_the_password_in_the_keyring_only(
    mailbook: MailBook,
    memory_keyring: MemoryKeyring,
    isolated_user_config: Path,
) -> None:
    mail_set(mailbook.path, 2525)
    assert list(memory_keyring.values.values()) == [PASSWORD]
    settings = UserConfig().section("mail")
    assert settings == {"host": "127.0.0.1", "port": 2525, "security": "none", "user": USER}
    for folder in (isolated_user_config, mailbook.path.parent):
        for file in folder.rglob("*"):
            if file.is_file():
                assert PASSWORD.encode() not in file.read_bytes(), file
    shown = run_cli(mailbook.path, "mail", "show")
    assert shown.data == settings


def test_without_an_os_keyring_it_says_so_and_the_env_var_works(
    mailbook: MailBook,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())  # a headless Linux without Secret Service
    stdin = sys.stdin
    sys.stdin = io.StringIO(f"{PASSWORD}\n")
    try:
        args = ["mail", "set", "--host", "127.0.0.1", "--port", str(smtp_server.port)]
        result = run_cli(
            mailbook.path, *args, "--security", "none", "--user", USER, "--password-stdin"
        )
    finally:
        sys.stdin = stdin
    assert result.code == 2
    assert "no keyring" in result.err and "AMPLAN_SMTP_PASSWORD" in result.err
    assert UserConfig().section("mail") == {}  # nothing saved
    mail_set(mailbook.path, smtp_server.port, "--user", USER, password=None)
    monkeypatch.setenv("AMPLAN_SMTP_PASSWORD", PASSWORD)
    assert run_cli(mailbook.path, "send", "--session", str(mailbook.session_id)).data["sent"] == 1


def test_bad_mail_settings_are_refused(mailbook: MailBook) -> None:
    for port, security in (("smtp", "none"), ("0", "none"), ("587", "tls")):
        result = run_cli(
            mailbook.path, "mail", "set", "--host", "h", "--port", port, "--security", security
        )
        assert result.code == 2, (port, security)
    assert UserConfig().section("mail") == {}


# --- the draft for the mail app ------------------------------------------------------------------


def test_export_eml_writes_an_unsent_draft_holding_the_invitation(
    mailbook: MailBook, tmp_path: Path
) -> None:
    target = tmp_path / "invite.eml"
    result = run_cli(
        mailbook.path, "export-eml", "--session", str(mailbook.session_id), "-o", str(target)
    )
    assert result.code == 0, result.err
    message = icalendar_message(target.read_bytes())
    assert message["X-Unsent"] == "1"
    assert message["Message-ID"] is None  # the mail app gives its copy its own
    assert {a.addr_spec for a in message["To"].addresses} == {
        "ann.lee@acme.example",
        "bob.stone@acme.example",
    }
    method, ics = calendar_part(target.read_bytes())
    assert method == "REQUEST" and str(icalendar.Calendar.from_ical(ics)["METHOD"]) == "REQUEST"
    assert outbox(mailbook.path) == []  # a draft is not a sent message


# --- meeting links -----------------------------------------------------------------------------


def test_meeting_links_go_into_location_url_and_description(
    mailbook: MailBook,
    smtp_server: SmtpServer,
) -> None:
    ProfileStore().update(meeting_url="https://zoom.example/j/111")  # kept beside name and e-mail
    acme = "Acme Corp"
    booked = run_cli(
        mailbook.path,
        "book",
        "--customer",
        acme,
        "--kind",
        "screen-share",
        "--start",
        "2026-03-12T10:00",
        "--minutes",
        "30",
        "--override",
        "test",
        "--requested",
        "2026-02-01T09:00",
    )
    assert booked.code == 0, booked.err
    dry = run_cli(
        mailbook.path, "book", "--customer", acme, "--kind", "screen-share",
        "--start", "2026-03-12T10:00", "--minutes", "30", "--override", "test",
        "--requested", "2026-02-01T09:00", "--dry-run",
    )  # fmt: skip
    assert dry.data["meeting_url"] == "https://zoom.example/j/111"
    assert [a["email"] for a in dry.data["attendees"]] == [
        "ann.lee@acme.example",
        "bob.stone@acme.example",
    ]
    assert booked.data["meeting_url"] == "https://zoom.example/j/111"
    assert [a["partstat"] for a in booked.data["attendees"]] == ["needs-action"] * 2
    own = run_cli(
        mailbook.path,
        "book",
        "--customer",
        acme,
        "--kind",
        "screen-share",
        "--start",
        "2026-03-13T10:00",
        "--minutes",
        "30",
        "--override",
        "test",
        "--requested",
        "2026-02-01T09:00",
        "--meeting-url",
        "https://teams.example/l/222",
    )
    assert own.data["meeting_url"] == "https://teams.example/l/222"
    moved = run_cli(
        mailbook.path,
        "move",
        str(own.data["id"]),
        "--start",
        "2026-03-13T11:00",
        "--override",
        "test",
        "--meeting-url",
        "https://webex.example/m/333",
    )
    assert moved.code == 0, moved.err
    assert moved.data["meeting_url"] == "https://webex.example/m/333"
    bad = run_cli(
        mailbook.path,
        "move",
        str(own.data["id"]),
        "--start",
        "2026-03-13T11:00",
        "--meeting-url",
        "zoom 123",
    )
    assert bad.code == 2 and "not a meeting link" in bad.err

    mail_set(mailbook.path, smtp_server.port)
    for session_id, link in (
        (booked.data["id"], "https://zoom.example/j/111"),
        (own.data["id"], "https://webex.example/m/333"),
    ):
        sent = run_cli(mailbook.path, "send", "--session", str(session_id))
        assert sent.code == 0, sent.err
        assert sent.data["sent"] == 1
        received = smtp_server.received[-1]
        _method, ics = calendar_part(received.data)
        event = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
        assert str(event["LOCATION"]) == link
        assert str(event["URL"]) == link
        assert str(event["DESCRIPTION"]).startswith(f"Join the meeting: {link}\n")
        assert link in received.message.get_body(("html",)).get_content()
        assert f"Join: {link}" in received.message.get_body(("plain",)).get_content()


def test_two_senders_at_once_send_each_message_once(
    mailbook: MailBook, smtp_server: SmtpServer
) -> None:
    """The window and `amplan outbox send` (here: two threads on two connections to the
    book) racing over one outbox: each message is claimed by one of them only."""
    import threading

    from desktop.models.database import Database
    from desktop.services.mail.outbox import Outbox

    mail_set(mailbook.path, smtp_server.port)
    acme = mailbook.book.customers.get("Acme Corp")
    mail = mailbook.book.ctx.mail
    invitations = []
    for day in range(8, 18):
        record = mailbook.book.book(acme, "screen-share", f"2027-03-{day:02d}T09:00", minutes=30)
        invitations.append(mail.invitation(record.id))
    mail.outbox.enqueue(invitations)
    books = [Database(mailbook.path), Database(mailbook.path)]
    reports = []
    try:
        senders = [
            threading.Thread(
                target=lambda db=db: reports.append(Outbox(db).deliver(mail.transport()))
            )
            for db in books
        ]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(timeout=60)
    finally:
        for db in books:
            db.close()
    assert sum(r.sent for r in reports) == 10
    assert len(smtp_server.received) == 10
    ids = [r.message["Message-ID"] for r in smtp_server.received]
    assert len(set(ids)) == 10
    assert {m["status"] for m in outbox(mailbook.path)} == {"sent"}
