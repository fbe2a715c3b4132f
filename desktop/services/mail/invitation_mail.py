"""Invitation e-mails in the shape the big clients show with Accept / Decline (iMIP, RFC 6047).

multipart/mixed
  multipart/alternative
    text/plain
    text/html
    text/calendar; method=REQUEST|CANCEL   <- Outlook, Gmail, Apple Mail read this part
  application/ics "invite.ics" attachment  <- for clients that only offer attachments

Built with the standard library's `email` package; the whole message is 7-bit, so it can be
kept as text in the book and handed to any SMTP server unchanged.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from desktop.services.calendar_files.ical_export import Organizer
from desktop.services.customers import CustomerRecord

SMTP_POLICY = policy.SMTP  # CRLF line ends, RFC 2047 headers, 78-column folding


@dataclass(frozen=True)
class Invitation:
    """One e-mail ready for the outbox."""

    session_id: int | None
    message_id: str
    method: str
    sequence: int
    sender: str
    recipients: tuple[str, ...]
    subject: str
    content: str  # the whole message, 7-bit text with CRLF line ends


def recipients_of(customers: Sequence[CustomerRecord]) -> list[tuple[str, str]]:
    """(name, e-mail) of every contact, each address once, in the book's order."""
    seen: set[str] = set()
    people = []
    for customer in customers:
        for contact in customer.contacts:
            if contact.email.lower() not in seen:
                seen.add(contact.email.lower())
                people.append((contact.name, contact.email))
    return people


def message_id_for(uid: str, sequence: int, recipients: Sequence[str], sender: str) -> str:
    """The same session version to the same people is the same message, wherever it is built:
    a second `send` finds it in the outbox instead of mailing it again."""
    key = "\n".join([uid, str(sequence), *sorted(r.lower() for r in recipients)])
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    domain = sender.rpartition("@")[2].strip().lower() or "amplan.invalid"
    return f"<{digest}.{sequence}@{domain}>"


def _html(subject: str, when: str, link: str, description: str) -> str:
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html><body style="font-family: Segoe UI, Helvetica, Arial, sans-serif; '
        'font-size: 14px; color: #222">',
        f'<h2 style="font-size: 18px; margin: 0 0 8px">{esc(subject)}</h2>',
        f"<p><b>When:</b> {esc(when)}</p>",
    ]
    if link:
        parts.append(f'<p><b>Join:</b> <a href="{esc(link, quote=True)}">{esc(link)}</a></p>')
    paragraphs = [p for p in description.split("\n\n") if p.strip()]
    for paragraph in paragraphs:
        lines = "<br>".join(esc(line) for line in paragraph.split("\n"))
        parts.append(f"<p>{lines}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def build_invitation(
    *,
    session_id: int | None,
    uid: str,
    sequence: int,
    cancelled: bool,
    summary: str,
    when: str,
    description: str,
    meeting_url: str,
    organizer: Organizer,
    attendees: Sequence[tuple[str, str]],
    ics: bytes,
    now: datetime | None = None,
) -> tuple[EmailMessage, Invitation]:
    method = "CANCEL" if cancelled else "REQUEST"
    subject = f"{'Cancelled' if cancelled else 'Invitation'}: {summary}"
    if sequence and not cancelled:
        subject = f"Updated invitation: {summary}"
    sender = formataddr((organizer.name, organizer.email))
    to = [formataddr((name, email)) for name, email in attendees]
    addresses = tuple(email for _name, email in attendees)
    message_id = message_id_for(uid, sequence, addresses, organizer.email)

    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = format_datetime((now or datetime.now(UTC)).astimezone(UTC))
    message["Message-ID"] = message_id
    message["MIME-Version"] = "1.0"

    intro = "This meeting was cancelled." if cancelled else "You are invited."
    text_lines = [subject, "", f"When: {when}"]
    if meeting_url:
        text_lines.append(f"Join: {meeting_url}")
    text_lines += ["", intro, "", description]
    body = EmailMessage(policy=SMTP_POLICY)
    body.set_content("\n".join(text_lines) + "\n", charset="utf-8", cte="quoted-printable")
    body.add_alternative(
        _html(subject, when, meeting_url, f"{intro}\n\n{description}"),
        subtype="html",
        charset="utf-8",
        cte="quoted-printable",
    )
    body.add_alternative(
        ics,
        maintype="text",
        subtype="calendar",
        cte="base64",
        params={"method": method, "charset": "UTF-8"},
    )
    message.make_mixed()
    message.attach(body)
    message.add_attachment(
        ics,
        maintype="application",
        subtype="ics",
        filename="cancel.ics" if cancelled else "invite.ics",
        cte="base64",
    )
    for part in message.walk():
        if part is not message:
            del part["MIME-Version"]  # one at the top is what RFC 2045 asks for
    content = message.as_bytes(policy=SMTP_POLICY).decode("ascii")
    invitation = Invitation(
        session_id, message_id, method, sequence, sender, addresses, subject, content
    )
    return message, invitation


def draft(content: str) -> bytes:
    """The message as an unsent draft: Outlook and Thunderbird open it ready to send."""
    from email import message_from_string

    message = message_from_string(content, policy=SMTP_POLICY)
    # The mail app gives the copy it sends its own date and Message-ID.
    del message["Date"]
    del message["Message-ID"]
    del message["X-Unsent"]
    message["X-Unsent"] = "1"
    return message.as_bytes(policy=SMTP_POLICY)
