"""The facade for e-mailed invitations: builds them from sessions, queues them in the
outbox, delivers the queue over the manager's SMTP account, and writes drafts (.eml)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from desktop.errors import BadInput
from desktop.services.business_time import format_day
from desktop.services.calendar_files.calendar_files import CalendarFiles
from desktop.services.customers import CustomerRecord
from desktop.services.mail.invitation_mail import Invitation, build_invitation, draft, recipients_of
from desktop.services.mail.mail_account import (
    MailSettings,
    SmtpTransport,
    load_settings,
    password_for,
)
from desktop.services.mail.meeting_links import profile_meeting_url
from desktop.services.mail.outbox import DeliveryReport, Outbox
from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.scheduling.status import USED_STATUSES, SessionStatus


@dataclass
class SendResult:
    """What `send` did: delivered now, left queued (server unreachable), failed, or found
    already in the outbox (the same version of the invite to the same people)."""

    sent: int = 0
    queued: int = 0
    failed: int = 0
    already: int = 0
    problem: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "queued": self.queued,
            "failed": self.failed,
            "already": self.already,
        }


class InviteMail:
    def __init__(self, calendars: CalendarFiles, outbox: Outbox) -> None:
        self.calendars = calendars
        self.outbox = outbox
        self.scheduler = calendars.scheduler

    # --- building ---------------------------------------------------------------------------
    def when(self, session: SessionRecord) -> str:
        clock = self.scheduler.clock
        if session.all_day:
            first = clock.et_date(session.start_utc)
            last = clock.et_date(session.end_utc) - timedelta(days=1)
            if first == last:
                return f"{format_day(first)} (all day)"
            return f"{format_day(first)} - {format_day(last)} (all day)"
        start, end = clock.et(session.start_utc), clock.et(session.end_utc)
        label = self.scheduler.policy.time.zone_label
        return f"{format_day(start.date())}, {start:%H:%M}-{end:%H:%M} {label}"

    def invitation(self, session_id: int | str, now: datetime | None = None) -> Invitation:
        session = self.scheduler.get(session_id)
        if session.status in USED_STATUSES:
            raise BadInput(f"Session {session.id} is {session.status}; there is nothing to send.")
        organizer = self.calendars.organizer(required=True)
        assert organizer is not None
        customers: list[CustomerRecord] = [
            self.calendars.customers.get(cid) for cid in session.customer_ids
        ]
        link = session.meeting_url or profile_meeting_url()
        ics = self.calendars.writer.invite(
            session, customers, organizer, stamp=now, meeting_url=link
        )
        writer = self.calendars.writer
        _message, invitation = build_invitation(
            session_id=session.id,
            uid=session.uid,
            sequence=session.sequence,
            cancelled=session.status == SessionStatus.CANCELLED,
            summary=writer.summary(session),
            when=self.when(session),
            description=writer.description(session, customers),
            meeting_url=link,
            organizer=organizer,
            attendees=recipients_of(customers),
            ics=ics,
            now=now,
        )
        return invitation

    def invitations_for_customer(
        self, customer: CustomerRecord, now: datetime | None = None
    ) -> list[Invitation]:
        """Every session of the customer still to come: an invite for a planned one, a
        cancellation for a cancelled one whose invite had gone out."""
        now = now or datetime.now(UTC)
        if not customer.contacts:
            raise BadInput(f"{customer.name} has no contacts to invite. Add a contact first.")
        found = []
        for session in self.scheduler.find(customer):
            if session.end_utc <= now:
                continue
            if session.status == SessionStatus.PLANNED or (
                session.status == SessionStatus.CANCELLED and self.outbox.was_sent(session.id)
            ):
                found.append(self.invitation(session.id, now))
        return found

    def draft(self, session_id: int | str) -> bytes:
        """An unsent e-mail (X-Unsent: 1) holding the invitation, for the mail app."""
        return draft(self.invitation(session_id).content)

    # --- sending ----------------------------------------------------------------------------
    @staticmethod
    def settings() -> MailSettings | None:
        return load_settings()

    def transport(self) -> SmtpTransport | None:
        settings = load_settings()
        if settings is None:
            return None
        return SmtpTransport(settings, password_for(settings))

    def send(self, invitations: Sequence[Invitation]) -> SendResult:
        """Queue (committed) and then deliver; an unreachable server leaves them queued."""
        transport = self.transport()
        if transport is None:
            raise BadInput(
                "Mail is not set up: `amplan mail set --host H --port N --security "
                "starttls|ssl|none [--user U] --password-stdin`, or write a draft with "
                "`amplan export-eml`."
            )
        new_ids, known = self.outbox.enqueue(invitations)
        result = SendResult(already=sum(1 for e in known if e.status != "discarded"))
        # A message of this send that is still queued from an earlier attempt goes out too.
        retry = [e.id for e in known if e.status == "queued"]
        report = self.outbox.deliver(transport, new_ids + retry)
        result.already -= len(retry)
        result.sent, result.queued, result.failed = report.sent, report.queued, report.failed
        result.problem = report.problem
        return result

    def send_queued(self, due_only: bool = False) -> DeliveryReport:
        ids = self.outbox.due() if due_only else None
        if due_only and not ids:
            self.outbox.recover()
            return DeliveryReport()
        return self.outbox.deliver(self.transport(), ids)
