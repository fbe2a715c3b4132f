"""The outbox: every e-mail is written to the book before it is sent, and never sent twice.

Delivery of one message, and what a crash at each point leaves behind:
1. `queued` (committed with the message text): a crash here loses nothing; the next run
   sends it.
2. `sending` with a claim (process and host) is committed *before* the server gets the data.
3. The server answers 250 to the data: the message is accepted.
4. `sent` is committed.
A crash between 2 and 4 leaves the message in `sending`. The next run finds the claim's
process gone and does not send it again blindly: it marks it failed and `uncertain` ("may
have been sent"), for the user to confirm it as sent or to send it again. So a second copy
can only ever go out by a decision of the user, never unnoticed.
The claim is also what keeps two processes (the window and `amplan outbox send`) from both
sending one message: only one UPDATE from `queued` to `sending` can win.
"""

from __future__ import annotations

import os
import smtplib
import socket
import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Any, Protocol

from sqlalchemy import update
from sqlmodel import col, select

from desktop.errors import BadInput
from desktop.models.database import Database
from desktop.models.tables import OutboxMessage
from desktop.services.mail.invitation_mail import Invitation
from desktop.services.mail.mail_account import MailRefused, MailUnreachable, response_text

STATUSES = ("queued", "sending", "sent", "failed")
# Back-off between automatic attempts when the server cannot be reached: 1, 2, 4 ... 60 min.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
# A claim from another machine (shared book) older than this is taken as a crashed sender.
STALE_FOREIGN_CLAIM = timedelta(minutes=15)
UNCERTAIN = (
    "amplan stopped while handing this message to the mail server, so it may have been sent. "
    "Check your Sent folder or ask the recipient; then mark it sent, or send it again."
)


class SmtpConnection(Protocol):
    def sendmail(self, from_addr: str, to_addrs: Sequence[str], msg: str) -> dict[str, Any]: ...


class Transport(Protocol):
    def connect(self) -> AbstractContextManager[Any]: ...


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    session_id: int | None
    message_id: str
    method: str
    recipients: tuple[str, ...]
    subject: str
    status: str
    attempts: int
    error: str
    uncertain: bool
    created_utc: datetime
    sent_utc: datetime | None
    next_attempt_utc: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "session": self.session_id,
            "to": list(self.recipients),
            "subject": self.subject,
            # The contract knows queued, sent and failed: one being handed over right now
            # is still waiting, as far as a reader can tell.
            "status": "queued" if self.status == "sending" else self.status,
            "attempts": self.attempts,
            "error": self.error or None,
            "uncertain": self.uncertain,
            "message_id": self.message_id,
        }


@dataclass
class DeliveryReport:
    sent: int = 0
    queued: int = 0
    failed: int = 0
    problem: str = ""  # why messages stayed queued or failed, in the user's words


def _entry(row: OutboxMessage) -> OutboxEntry:
    assert row.id is not None
    return OutboxEntry(
        id=row.id,
        session_id=row.session_id,
        message_id=row.message_id,
        method=row.method,
        recipients=tuple(r for r in row.recipients.split(",") if r),
        subject=row.subject,
        status=row.status,
        attempts=row.attempts,
        error=row.error,
        uncertain=row.uncertain,
        created_utc=row.created_utc,
        sent_utc=row.sent_utc,
        next_attempt_utc=row.next_attempt_utc,
    )


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def backoff(attempts: int) -> timedelta:
    delay: timedelta = FIRST_RETRY * (2 ** min(max(attempts - 1, 0), 10))
    return min(delay, LONGEST_RETRY)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    except OSError:
        return False
    return True


class Outbox:
    """Messages of one book; every change of state is its own committed transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.host = socket.gethostname()

    # --- writing ------------------------------------------------------------------------
    def enqueue(self, invitations: Sequence[Invitation]) -> tuple[list[int], list[OutboxEntry]]:
        """Queue new messages (one transaction); returns (new ids, already in the outbox)."""
        now = datetime.now(UTC)
        new_ids: list[int] = []
        known: list[OutboxEntry] = []
        with self.db.transaction() as session:
            for invitation in invitations:
                existing = session.exec(
                    select(OutboxMessage).where(OutboxMessage.message_id == invitation.message_id)
                ).first()
                if existing is not None:
                    known.append(_entry(existing))
                    continue
                row = OutboxMessage(
                    session_id=invitation.session_id,
                    message_id=invitation.message_id,
                    method=invitation.method,
                    sequence=invitation.sequence,
                    sender=invitation.sender,
                    recipients=",".join(invitation.recipients),
                    subject=invitation.subject,
                    content=invitation.content,
                    status="queued",
                    created_utc=now,
                    updated_utc=now,
                    next_attempt_utc=now,
                )
                session.add(row)
                session.flush()
                assert row.id is not None
                new_ids.append(row.id)
        return new_ids, known

    # --- reading ------------------------------------------------------------------------
    def messages(self, include_discarded: bool = False) -> list[OutboxEntry]:
        with self.db.reading() as session:
            query = select(OutboxMessage).order_by(col(OutboxMessage.id))
            if not include_discarded:
                query = query.where(OutboxMessage.status != "discarded")
            return [_entry(row) for row in session.exec(query).all()]

    def get(self, message_id: int | str) -> OutboxEntry:
        return _entry(self._load(message_id))

    def content(self, message_id: int | str) -> str:
        return self._load(message_id).content

    def _load(self, message_id: int | str) -> OutboxMessage:
        text = str(message_id).strip()
        with self.db.reading() as session:
            row = session.get(OutboxMessage, int(text)) if text.isdigit() else None
        if row is None:
            raise BadInput(
                f"No message with id '{text}' in the outbox. `amplan outbox` lists them."
            )
        return row

    def counts(self) -> tuple[int, int]:
        """(waiting to go, failed): what the status bar shows."""
        waiting = failed = 0
        with self.db.reading() as session:
            for status in session.exec(select(OutboxMessage.status)).all():
                if status in ("queued", "sending"):
                    waiting += 1
                elif status == "failed":
                    failed += 1
        return waiting, failed

    def due(self, now: datetime | None = None) -> list[int]:
        """Queued messages whose back-off has run out."""
        now = now or datetime.now(UTC)
        with self.db.reading() as session:
            rows = session.exec(select(OutboxMessage).where(OutboxMessage.status == "queued")).all()
            return [
                row.id
                for row in rows
                if row.id is not None and ((_aware(row.next_attempt_utc) or now) <= now)
            ]

    def was_sent(self, session_id: int, method: str = "REQUEST") -> bool:
        with self.db.reading() as session:
            row = session.exec(
                select(OutboxMessage.id).where(
                    OutboxMessage.session_id == session_id,
                    OutboxMessage.method == method,
                    OutboxMessage.status == "sent",
                )
            ).first()
            return row is not None

    # --- the user's decisions -------------------------------------------------------------
    def retry(self, message_id: int | str) -> OutboxEntry:
        """Put a failed message back in the queue (the user's decision, also when uncertain)."""
        return self._change(message_id, ("failed",), status="queued", error="", uncertain=False)

    def discard(self, message_id: int | str) -> OutboxEntry:
        return self._change(message_id, ("queued", "failed"), status="discarded")

    def confirm_sent(self, message_id: int | str) -> OutboxEntry:
        """The user checked: the uncertain message did arrive."""
        return self._change(message_id, ("failed",), status="sent", error="", uncertain=False)

    def _change(
        self, message_id: int | str, allowed: tuple[str, ...], **values: Any
    ) -> OutboxEntry:
        current = self._load(message_id)
        assert current.id is not None
        now = datetime.now(UTC)
        with self.db.transaction() as session:
            row = session.get(OutboxMessage, current.id)
            assert row is not None
            if row.status not in allowed:
                raise BadInput(
                    f"Message {row.id} is {row.status}; only a {' or '.join(allowed)} one can be "
                    "changed that way."
                )
            for key, value in values.items():
                setattr(row, key, value)
            if values.get("status") == "queued":
                row.next_attempt_utc = now
            if values.get("status") == "sent":
                row.sent_utc = now
            row.updated_utc = now
            session.add(row)
            session.flush()
            return _entry(row)

    # --- delivering -----------------------------------------------------------------------
    def recover(self, now: datetime | None = None) -> int:
        """Messages left in `sending` by a sender that is gone become failed + uncertain."""
        now = now or datetime.now(UTC)
        found = 0
        with self.db.transaction() as session:
            rows = session.exec(
                select(OutboxMessage).where(OutboxMessage.status == "sending")
            ).all()
            for row in rows:
                host, _, rest = row.claim.partition("|")
                pid_text = rest.partition("|")[0]
                if host == self.host and pid_text.isdigit():
                    if int(pid_text) == os.getpid() or _process_alive(int(pid_text)):
                        continue
                elif (now - (_aware(row.updated_utc) or now)) < STALE_FOREIGN_CLAIM:
                    continue
                row.status = "failed"
                row.uncertain = True
                row.error = UNCERTAIN
                row.claim = ""
                row.updated_utc = now
                session.add(row)
                found += 1
        return found

    def _claim(self, message_id: int, token: str) -> OutboxMessage | None:
        """queued -> sending, committed before the data goes out; None if another took it."""
        # One conditional UPDATE: of two senders (two processes, or two machines on a shared
        # book) only one can move the message out of `queued`, on any engine.
        claim = (
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == "queued")
            .values(
                status="sending",
                claim=token,
                attempts=col(OutboxMessage.attempts) + 1,
                updated_utc=datetime.now(UTC),
            )
        )
        with self.db.transaction() as session:
            result = session.execute(claim)
            if getattr(result, "rowcount", 0) != 1:
                return None
            row = session.get(OutboxMessage, message_id)
            assert row is not None
            return OutboxMessage.model_validate(row.model_dump())

    def _finish(self, message_id: int, **values: Any) -> None:
        now = datetime.now(UTC)
        with self.db.transaction() as session:
            row = session.get(OutboxMessage, message_id)
            assert row is not None
            for key, value in values.items():
                setattr(row, key, value)
            if values.get("status") == "sent":
                row.sent_utc = now
            row.claim = ""
            row.updated_utc = now
            session.add(row)

    def _postpone(self, ids: Sequence[int], problem: str, failed: bool) -> None:
        """Messages not handed over at all: back in the queue with a later attempt, or failed."""
        now = datetime.now(UTC)
        with self.db.transaction() as session:
            for message_id in ids:
                row = session.get(OutboxMessage, message_id)
                if row is None or row.status != "queued":
                    continue
                row.error = problem
                row.updated_utc = now
                if failed:
                    row.status = "failed"
                else:
                    row.attempts += 1
                    row.next_attempt_utc = now + backoff(row.attempts)
                session.add(row)

    def deliver(
        self, transport: Transport | None, ids: Sequence[int] | None = None
    ) -> DeliveryReport:
        """Send the given queued messages (default: every queued one) over one connection.

        `transport` None means mail is not set up: nothing is sent, all stay queued.
        """
        self.recover()
        wanted = list(ids) if ids is not None else self._queued()
        report = DeliveryReport()
        if not wanted:
            return report
        if transport is None:
            report.queued = len(wanted)
            report.problem = "Mail is not set up: `amplan mail set`, or Mail > Mail settings…."
            return report
        token = f"{self.host}|{os.getpid()}|{uuid.uuid4().hex}"
        remaining = list(wanted)
        try:
            with transport.connect() as connection:
                while remaining:
                    message_id = remaining.pop(0)
                    outcome = self._send_one(connection, message_id, token)
                    if outcome == "sent":
                        report.sent += 1
                    elif outcome == "queued":
                        report.queued += 1
                    elif outcome == "failed":
                        report.failed += 1
                    elif outcome == "lost":
                        report.failed += 1
                        report.problem = "The connection to the mail server was lost."
                        break
        except MailUnreachable as exc:
            self._postpone(remaining, f"{exc} amplan will try again.", failed=False)
            report.queued += len(remaining)
            report.problem = str(exc)
            return report
        except MailRefused as exc:
            self._postpone(remaining, str(exc), failed=True)
            report.failed += len(remaining)
            report.problem = str(exc)
            return report
        if remaining:  # the connection broke off: the rest were never handed over
            self._postpone(remaining, "The connection to the mail server was lost.", False)
            report.queued += len(remaining)
        return report

    def _queued(self) -> list[int]:
        with self.db.reading() as session:
            return [
                row_id
                for row_id in session.exec(
                    select(OutboxMessage.id)
                    .where(OutboxMessage.status == "queued")
                    .order_by(col(OutboxMessage.id))
                ).all()
                if row_id is not None
            ]

    def _send_one(self, connection: SmtpConnection, message_id: int, token: str) -> str:
        row = self._claim(message_id, token)
        if row is None:
            return "skipped"
        recipients = [r for r in row.recipients.split(",") if r]
        envelope_from = parseaddr(row.sender)[1]
        try:
            refused = connection.sendmail(envelope_from, recipients, row.content)
        except smtplib.SMTPRecipientsRefused as exc:
            self._finish(message_id, status="failed", error=_refused(exc.recipients))
            return "failed"
        except smtplib.SMTPSenderRefused as exc:
            self._finish(
                message_id,
                status="failed",
                error=f"The mail server refused the sender {envelope_from}: {response_text(exc)}",
            )
            return "failed"
        except smtplib.SMTPResponseException as exc:
            # The server answered no (it did not accept the message): safe to try again
            # later for a temporary refusal, a plain failure for a permanent one.
            if 400 <= exc.smtp_code < 500:
                self._finish(
                    message_id,
                    status="queued",
                    error=f"The mail server is busy ({response_text(exc)}); will try again.",
                    next_attempt_utc=datetime.now(UTC) + backoff(row.attempts),
                )
                return "queued"
            self._finish(
                message_id,
                status="failed",
                error=f"The mail server refused the message: {response_text(exc)}",
            )
            return "failed"
        except (OSError, smtplib.SMTPException):
            # Cut off mid-transaction: whether the server kept it is unknown.
            self._finish(message_id, status="failed", uncertain=True, error=UNCERTAIN)
            return "lost"
        note = ""
        if refused:
            note = "Sent, but not to: " + _refused(refused)
        self._finish(message_id, status="sent", error=note)
        return "sent"


def _refused(recipients: dict[str, Any]) -> str:
    parts = []
    for address, answer in recipients.items():
        code, text = answer if isinstance(answer, tuple) else (0, b"")
        message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        parts.append(f"{address} ({code} {' '.join(message.split())})")
    return "The mail server refused the recipient(s): " + ", ".join(parts) + "."
