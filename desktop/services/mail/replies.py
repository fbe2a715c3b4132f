"""Attendees' iTIP replies (RFC 5546 METHOD:REPLY), from a .ics file or a whole e-mail.

Outlook, Gmail and Apple Calendar each answer an invitation with a REPLY naming the event's
UID and SEQUENCE and one ATTENDEE with its PARTSTAT. A reply to an older SEQUENCE than the
session has now (the session moved since) or to an unknown UID is ignored and counted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from icalendar import Calendar
from sqlmodel import col, select

from desktop.errors import BadInput
from desktop.models.database import Database
from desktop.models.tables import AttendeeReply, AuditEntry, SessionRow
from desktop.services.input_files import read_input_file
from desktop.services.scheduling.status import SessionStatus

ANSWERS = ("accepted", "tentative", "declined", "delegated")
MAX_REPLY_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class ReplyItem:
    uid: str
    sequence: int
    email: str
    name: str
    partstat: str  # lower case: accepted, tentative, declined, delegated
    stamp_utc: datetime


@dataclass
class ParsedReplies:
    items: list[ReplyItem] = field(default_factory=list)
    ignored: int = 0


@dataclass
class ReplyOutcome:
    updated: list[tuple[int, str, str]] = field(default_factory=list)  # session, email, partstat
    ignored: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "updated": [
                {"session": sid, "attendee": email, "partstat": partstat}
                for sid, email, partstat in self.updated
            ],
            "ignored": self.ignored,
        }


# --- reading files -----------------------------------------------------------------------------


def _calendar_parts(data: bytes) -> list[bytes]:
    """The iCalendar bodies in an e-mail: the text/calendar part and .ics attachments."""
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    found: list[bytes] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        name = (part.get_filename() or "").lower()
        if kind in ("text/calendar", "application/ics") or name.endswith(".ics"):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload.strip() and payload not in found:
                found.append(payload)
    return found


def _address(value: Any) -> str:
    email = str(value.params.get("EMAIL", "")) if hasattr(value, "params") else ""
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = unquote(text[7:])
    return (email or text).strip().strip("<>").lower()


def _stamp(event: Any) -> datetime:
    value = event.get("DTSTAMP")
    try:
        moment = getattr(value, "dt", None)
    except ValueError:  # icalendar's BrokenCalendarProperty: a stamp that is no time at all
        moment = None
    if isinstance(moment, datetime):
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    if isinstance(moment, date):
        return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    return datetime.now(UTC)


def _read_calendar(data: bytes, source: str, into: ParsedReplies) -> None:
    try:
        calendars = Calendar.from_ical(data, multiple=True)
    except (ValueError, IndexError, KeyError) as exc:
        raise BadInput(f"{source} is not a readable calendar reply ({exc}).") from None
    for calendar in calendars:
        method = str(calendar.get("METHOD", "")).strip().upper()
        events = list(calendar.walk("VEVENT"))
        if method != "REPLY":
            into.ignored += max(len(events), 1)
            continue
        for event in events:
            uid = str(event.get("UID", "")).strip()
            try:
                sequence = int(str(event.get("SEQUENCE", 0)))
            except ValueError:
                sequence = 0
            attendees = event.get("ATTENDEE")
            if attendees is None or not uid:
                into.ignored += 1
                continue
            for attendee in attendees if isinstance(attendees, list) else [attendees]:
                partstat = str(attendee.params.get("PARTSTAT", "")).strip().lower()
                email = _address(attendee)
                if partstat not in ANSWERS or "@" not in email:
                    into.ignored += 1
                    continue
                name = " ".join(str(attendee.params.get("CN", "")).split())
                into.items.append(ReplyItem(uid, sequence, email, name, partstat, _stamp(event)))


def read_replies(data: bytes, source: str) -> ParsedReplies:
    """Replies in a .ics file or an e-mail (.eml) holding one."""
    parsed = ParsedReplies()
    head = data.lstrip(b"\xef\xbb\xbf \r\n\t")[:15].upper()
    if head.startswith(b"BEGIN:VCALENDAR"):
        _read_calendar(data, source, parsed)
        return parsed
    parts = _calendar_parts(data)
    if not parts:
        raise BadInput(f"{source} holds no calendar reply (no text/calendar part or .ics).")
    for part in parts:
        _read_calendar(part, source, parsed)
    # Gmail and Outlook put the same reply inline and as an attachment: count it once.
    unique = list(dict.fromkeys(parsed.items))
    parsed.items = unique
    return parsed


def read_reply_file(path: Path) -> ParsedReplies:
    return read_replies(read_input_file(path, MAX_REPLY_BYTES, "a reply"), path.name)


# --- storing --------------------------------------------------------------------------------------


class Replies:
    """Stores each attendee's latest answer to the session's current version."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def apply(self, parsed: ParsedReplies) -> ReplyOutcome:
        outcome = ReplyOutcome(ignored=parsed.ignored)
        now = datetime.now(UTC)
        with self.db.transaction() as session:
            for item in parsed.items:
                row = session.exec(select(SessionRow).where(SessionRow.uid == item.uid)).first()
                if row is None or row.id is None or item.sequence < row.sequence:
                    outcome.ignored += 1
                    continue
                stored = session.exec(
                    select(AttendeeReply).where(
                        AttendeeReply.session_id == row.id,
                        col(AttendeeReply.email) == item.email,
                    )
                ).first()
                if stored is not None and (
                    stored.sequence > item.sequence
                    or (stored.sequence == item.sequence and _newer(stored, item))
                ):
                    outcome.ignored += 1  # an older answer than the one already kept
                    continue
                if stored is None:
                    stored = AttendeeReply(
                        session_id=row.id,
                        email=item.email,
                        partstat=item.partstat,
                        sequence=item.sequence,
                        replied_utc=item.stamp_utc,
                        imported_utc=now,
                    )
                stored.name = item.name or stored.name
                stored.partstat = item.partstat
                stored.sequence = item.sequence
                stored.replied_utc = item.stamp_utc
                stored.imported_utc = now
                session.add(stored)
                session.add(
                    AuditEntry(
                        at_utc=now,
                        actor=item.email,
                        action="reply",
                        session_id=row.id,
                        details=json.dumps(
                            {"partstat": item.partstat, "sequence": item.sequence},
                        ),
                    )
                )
                outcome.updated.append((row.id, item.email, item.partstat))
        return outcome

    def import_file(self, path: Path) -> ReplyOutcome:
        return self.apply(read_reply_file(path))

    def declined(self, now: datetime | None = None) -> list[tuple[int, list[str]]]:
        """Planned sessions still to come that an attendee declined (in their current
        version): (session id, who declined), earliest first."""
        now = now or datetime.now(UTC)
        query = (
            select(AttendeeReply, SessionRow)
            .join(SessionRow, col(SessionRow.id) == col(AttendeeReply.session_id))
            .where(
                AttendeeReply.partstat == "declined",
                SessionRow.status == SessionStatus.PLANNED.value,
                col(SessionRow.end_utc) > now,
                col(AttendeeReply.sequence) >= col(SessionRow.sequence),
            )
            .order_by(col(SessionRow.start_utc), col(AttendeeReply.id))
        )
        found: dict[int, list[str]] = {}
        with self.db.reading() as session:
            for reply, row in session.exec(query).all():
                assert row.id is not None
                found.setdefault(row.id, []).append(reply.name or reply.email)
        return list(found.items())


def _newer(stored: AttendeeReply, item: ReplyItem) -> bool:
    kept = stored.replied_utc
    if kept.tzinfo is None:
        kept = kept.replace(tzinfo=UTC)
    return kept > item.stamp_utc


def summarize(items: Iterable[ReplyItem]) -> str:
    return ", ".join(f"{i.email} {i.partstat}" for i in items)
