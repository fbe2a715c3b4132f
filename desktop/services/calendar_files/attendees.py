"""Who a session invites and what each answered: the customers' contacts, with the PARTSTAT
of their latest iTIP reply to the session's current sequence (an answer to an older version
of the session no longer holds once it moved)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from desktop.models.id_lists import among, id_runs
from desktop.models.tables import AttendeeReply, Contact

LOAD_ALL_REPLIES_FROM = 500
PARTSTATS = ("needs-action", "accepted", "tentative", "declined", "delegated")
PARTSTAT_LABELS = {
    "needs-action": "no answer yet",
    "accepted": "accepted",
    "tentative": "tentative",
    "declined": "declined",
    "delegated": "delegated",
}


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str
    partstat: str = "needs-action"

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "email": self.email, "partstat": self.partstat}

    @property
    def label(self) -> str:
        who = f"{self.name} <{self.email}>" if self.name else self.email
        return f"{who}: {PARTSTAT_LABELS.get(self.partstat, self.partstat)}"


class _Contact(NamedTuple):
    name: str
    email: str


class _Reply(NamedTuple):
    name: str
    email: str
    partstat: str
    sequence: int


class Invited(Protocol):
    """What the attendees of a session depend on: its customers, and its sequence (an answer
    to an older version no longer holds)."""

    @property
    def id(self) -> int: ...

    @property
    def customer_ids(self) -> tuple[int, ...]: ...

    @property
    def sequence(self) -> int: ...


def load_attendees(session: Session, records: Sequence[Invited]) -> dict[int, tuple[Attendee, ...]]:
    """Attendees of each session in two queries, whatever the number of sessions."""
    if not records:
        return {}
    # Plain columns, not ORM objects: a team's week names about a thousand contacts.
    customer_ids = sorted({cid for r in records for cid in r.customer_ids})
    contacts: dict[int, list[_Contact]] = {}
    for chunk in id_runs(session, customer_ids):
        query = (
            sa_select(col(Contact.customer_id), col(Contact.name), col(Contact.email))
            .where(among(session, col(Contact.customer_id), chunk))
            .order_by(col(Contact.customer_id), col(Contact.position), col(Contact.id))
        )
        for customer_id, name, email in session.connection().execute(query).all():
            contacts.setdefault(customer_id, []).append(_Contact(name, email))
    replies: dict[int, list[_Reply]] = {}
    wanted = {r.id for r in records}
    reply_columns = (
        col(AttendeeReply.session_id),
        col(AttendeeReply.name),
        col(AttendeeReply.email),
        col(AttendeeReply.partstat),
        col(AttendeeReply.sequence),
    )
    if len(wanted) > LOAD_ALL_REPLIES_FROM:
        # A calendar's worth of sessions: one pass over the (much smaller) reply table.
        queries = [sa_select(*reply_columns).order_by(col(AttendeeReply.id))]
    else:
        queries = [
            sa_select(*reply_columns)
            .where(among(session, col(AttendeeReply.session_id), chunk))
            .order_by(col(AttendeeReply.id))
            for chunk in id_runs(session, sorted(wanted))
        ]
    for query2 in queries:
        for session_id, name, email, partstat, sequence in session.connection().execute(query2):
            if session_id in wanted:
                replies.setdefault(session_id, []).append(_Reply(name, email, partstat, sequence))
    found: dict[int, tuple[Attendee, ...]] = {}
    for record in records:
        answered = {
            reply.email.lower(): reply
            for reply in replies.get(record.id, [])
            if reply.sequence >= record.sequence
        }
        people: list[Attendee] = []
        seen: set[str] = set()
        for cid in record.customer_ids:
            for contact in contacts.get(cid, []):
                key = contact.email.lower()
                if key in seen:
                    continue
                seen.add(key)
                answer = answered.get(key)
                partstat = answer.partstat if answer else "needs-action"
                people.append(Attendee(contact.name, contact.email, partstat))
        for key, reply in answered.items():  # answered for someone the invite was passed on to
            if key not in seen:
                people.append(Attendee(reply.name, reply.email, reply.partstat))
        found[record.id] = tuple(people)
    return found
