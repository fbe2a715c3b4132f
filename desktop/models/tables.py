"""SQLModel tables. Datetimes are aware UTC (SQLModel stores and returns them in UTC);
dates are calendar dates.

The DDL that creates them lives in `migrations.py`; a test checks the two agree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Boolean, Column, Index, Integer, MetaData, String, Table, UniqueConstraint
from sqlalchemy.engine.interfaces import Dialect
from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import UTCDateTime


class Instant(UTCDateTime):
    """An aware UTC instant (as `UTCDateTime` stores it) whose reads are remembered: a team's
    sessions start and end on the same few hundred half hours, and converting each value
    read (text on SQLite, a zoned datetime on PostgreSQL) was a fifth of loading a month."""

    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any] | None:
        convert = super().result_processor(dialect, coltype)
        # The values are immutable and the conversion depends on the value alone.
        return None if convert is None else lru_cache(maxsize=8192)(convert)


class Customer(SQLModel, table=True):
    __tablename__ = "customer"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    product: str
    users: int
    start: date
    package: str = "none"
    package_start: date
    tz: str = "America/New_York"
    archived: bool = False
    notes: str = ""
    created_utc: datetime
    updated_utc: datetime
    # The account manager who owns the customer, by e-mail ("" on a book without a profile).
    owner: str = Field(default="", index=True)


class Contact(SQLModel, table=True):
    __tablename__ = "contact"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    position: int = 0
    name: str
    email: str


class Setting(SQLModel, table=True):
    """Key/value preferences that belong to the book, not the machine (the manager's profile)."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True)
    value: str


class SessionRow(SQLModel, table=True):
    """One booked session. All-day kinds keep ET midnight bounds in start/end and `all_day`."""

    __tablename__ = "session"
    # "Still planned but already over" is asked on every dashboard refresh; one kind over a
    # run of days by its allowance counts (migration 6).
    __table_args__ = (
        Index("ix_session_status_end_utc", "status", "end_utc"),
        Index("ix_session_kind_start_utc", "kind", "start_utc"),
    )

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    kind: str = Field(index=True)
    start_utc: datetime = Field(index=True, sa_type=Instant)
    end_utc: datetime = Field(sa_type=Instant)
    all_day: bool = False
    title: str = ""
    notes: str = ""
    status: str = "planned"
    requested_utc: datetime = Field(sa_type=Instant)
    billable: bool = False
    override_reason: str = ""
    sequence: int = 0
    created_utc: datetime
    updated_utc: datetime
    meeting_url: str = ""


class SessionCustomer(SQLModel, table=True):
    """Who a session is for: one customer, or several for a round table."""

    __tablename__ = "session_customer"
    # A few customers' sessions from the index alone (migration 6).
    __table_args__ = (Index("ix_session_customer_customer_session", "customer_id", "session_id"),)

    session_id: int = Field(foreign_key="session.id", primary_key=True, ondelete="CASCADE")
    customer_id: int = Field(foreign_key="customer.id", primary_key=True, index=True)


class BusyBlock(SQLModel, table=True):
    """Time the account manager is busy elsewhere (imported from their own calendar)."""

    __tablename__ = "busy_block"

    id: int | None = Field(default=None, primary_key=True)
    source: str = ""
    uid: str = ""
    summary: str = ""
    start_utc: datetime = Field(index=True, sa_type=Instant)
    end_utc: datetime = Field(sa_type=Instant)
    all_day: bool = False
    # Whose calendar the block came from (e-mail; "" from before owners: everyone's).
    owner: str = ""


class AuditEntry(SQLModel, table=True):
    """Who changed what and when: the record a customer dispute is settled with."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at_utc: datetime
    actor: str
    action: str
    session_id: int | None = Field(default=None, index=True)
    customer_id: int | None = None
    details: str = ""


class CalDavCalendar(SQLModel, table=True):
    """A calendar of the CalDAV account amplan syncs with: where amplan publishes ("publish")
    or one read as busy time ("busy"), with the sync token (RFC 6578) of its last read."""

    __tablename__ = "caldav_calendar"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True)
    role: str
    name: str = ""
    sync_token: str = ""
    full_read_utc: datetime | None = None


class CalDavPublished(SQLModel, table=True):
    """One session as the server holds it: written after each success, so a sync cut short
    resumes without sending anything twice. `conflict` says why it waits for the user."""

    __tablename__ = "caldav_published"

    id: int | None = Field(default=None, primary_key=True)
    session_uid: str = Field(unique=True)
    href: str
    etag: str = ""
    sequence: int = 0
    digest: str = ""
    conflict: str = ""
    server_etag: str = ""


class CalDavBusyObject(SQLModel, table=True):
    """One event of a busy calendar: its ETag says whether it changed, its UID which busy
    blocks it brought."""

    __tablename__ = "caldav_busy_object"
    __table_args__ = (UniqueConstraint("calendar_url", "href"),)

    id: int | None = Field(default=None, primary_key=True)
    calendar_url: str
    href: str
    etag: str = ""
    uid: str = ""


class OutboxMessage(SQLModel, table=True):
    """One e-mail written to the book before it is sent (issue 11).

    status: queued -> sending (committed before the server gets the data) -> sent, or failed
    with a plain `error`. A message found in `sending` after a crash is never sent again on
    its own: it becomes failed with `uncertain` set, for the user to confirm or retry.
    """

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int | None = Field(
        default=None, foreign_key="session.id", index=True, ondelete="SET NULL"
    )
    message_id: str = Field(unique=True)
    method: str
    sequence: int
    sender: str
    recipients: str  # comma-separated addresses
    subject: str
    content: str  # the whole RFC 5322 message, 7-bit
    status: str = Field(index=True)
    attempts: int = 0
    error: str = ""
    uncertain: bool = False
    claim: str = ""
    next_attempt_utc: datetime | None = None
    created_utc: datetime
    updated_utc: datetime
    sent_utc: datetime | None = None


class AttendeeReply(SQLModel, table=True):
    """The latest iTIP REPLY of one attendee to one session, for the sequence it answered."""

    __tablename__ = "attendee_reply"
    __table_args__ = (
        UniqueConstraint("session_id", "email"),
        Index("ix_attendee_reply_partstat", "partstat"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True, ondelete="CASCADE")
    email: str
    name: str = ""
    partstat: str
    sequence: int
    replied_utc: datetime
    imported_utc: datetime


# Tables the database keeps itself, by triggers (migration 7): the app reads them and never
# writes them, and a copy of a book rebuilds them rather than copying them.
DERIVED = MetaData()

session_tally = Table(
    "session_tally",
    DERIVED,
    # One row per session and customer (a round table has one per seat), with what allowance
    # counts need: the customer's sessions of a kind over a run of days, from this table's
    # index alone, summed in SQL (the whole team's dashboard over 300,000 sessions).
    Column("session_id", Integer, primary_key=True),
    Column("customer_id", Integer, primary_key=True),
    Column("kind", String, nullable=False),
    Column("start_utc", Instant(), nullable=False),
    Column("status", String, nullable=False),
    Column("billable", Boolean, nullable=False),
    Column("minutes", Integer, nullable=False),
    Index(
        "ix_session_tally_customer_kind_start",
        "customer_id",
        "kind",
        "start_utc",
        "status",
        "billable",
        "minutes",
    ),
)
