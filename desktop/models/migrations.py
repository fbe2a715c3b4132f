"""Schema versions. Each migration runs in one transaction; a backup precedes any of them.

`PRAGMA user_version` holds the version and `PRAGMA application_id` marks the file as ours.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

APPLICATION_ID = 0x414D504C  # "AMPL"


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[sqlite3.Connection], None]


def _execute_all(conn: sqlite3.Connection, script: str) -> None:
    """Run `;`-separated DDL inside the caller's transaction (executescript would commit)."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _v1_customers(conn: sqlite3.Connection) -> None:
    _execute_all(
        conn,
        """
        CREATE TABLE customer (
            id INTEGER PRIMARY KEY,
            name VARCHAR NOT NULL UNIQUE COLLATE NOCASE,
            product VARCHAR NOT NULL,
            users INTEGER NOT NULL CHECK (users >= 1),
            start DATE NOT NULL,
            package VARCHAR NOT NULL DEFAULT 'none',
            package_start DATE NOT NULL,
            tz VARCHAR NOT NULL DEFAULT 'America/New_York',
            archived BOOLEAN NOT NULL DEFAULT 0,
            notes VARCHAR NOT NULL DEFAULT '',
            created_utc DATETIME NOT NULL,
            updated_utc DATETIME NOT NULL
        );
        CREATE INDEX ix_customer_name ON customer (name);
        CREATE TABLE contact (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
            position INTEGER NOT NULL DEFAULT 0,
            name VARCHAR NOT NULL,
            email VARCHAR NOT NULL
        );
        CREATE INDEX ix_contact_customer_id ON contact (customer_id);
        CREATE TABLE setting (
            key VARCHAR PRIMARY KEY,
            value VARCHAR NOT NULL
        );
        """,
    )


def _v2_sessions(conn: sqlite3.Connection) -> None:
    _execute_all(
        conn,
        """
        CREATE TABLE session (
            id INTEGER PRIMARY KEY,
            uid VARCHAR NOT NULL UNIQUE,
            kind VARCHAR NOT NULL,
            start_utc DATETIME NOT NULL,
            end_utc DATETIME NOT NULL,
            all_day BOOLEAN NOT NULL DEFAULT 0,
            title VARCHAR NOT NULL DEFAULT '',
            notes VARCHAR NOT NULL DEFAULT '',
            status VARCHAR NOT NULL DEFAULT 'planned',
            requested_utc DATETIME NOT NULL,
            billable BOOLEAN NOT NULL DEFAULT 0,
            override_reason VARCHAR NOT NULL DEFAULT '',
            sequence INTEGER NOT NULL DEFAULT 0,
            created_utc DATETIME NOT NULL,
            updated_utc DATETIME NOT NULL,
            CHECK (end_utc > start_utc)
        );
        CREATE INDEX ix_session_kind ON session (kind);
        CREATE INDEX ix_session_start_utc ON session (start_utc);
        CREATE INDEX ix_session_status_end_utc ON session (status, end_utc);
        CREATE TABLE session_customer (
            session_id INTEGER NOT NULL REFERENCES session (id) ON DELETE CASCADE,
            customer_id INTEGER NOT NULL REFERENCES customer (id),
            PRIMARY KEY (session_id, customer_id)
        );
        CREATE INDEX ix_session_customer_customer_id ON session_customer (customer_id);
        CREATE TABLE busy_block (
            id INTEGER PRIMARY KEY,
            source VARCHAR NOT NULL DEFAULT '',
            uid VARCHAR NOT NULL DEFAULT '',
            summary VARCHAR NOT NULL DEFAULT '',
            start_utc DATETIME NOT NULL,
            end_utc DATETIME NOT NULL,
            all_day BOOLEAN NOT NULL DEFAULT 0
        );
        CREATE INDEX ix_busy_block_start_utc ON busy_block (start_utc);
        CREATE TABLE audit_entry (
            id INTEGER PRIMARY KEY,
            at_utc DATETIME NOT NULL,
            actor VARCHAR NOT NULL,
            action VARCHAR NOT NULL,
            session_id INTEGER,
            customer_id INTEGER,
            details VARCHAR NOT NULL DEFAULT ''
        );
        CREATE INDEX ix_audit_entry_session_id ON audit_entry (session_id);
        """,
    )


def _v3_mail(conn: sqlite3.Connection) -> None:
    """Issue 11: the outbox of invitation e-mails, attendees' replies, meeting links."""
    _execute_all(
        conn,
        """
        ALTER TABLE session ADD COLUMN meeting_url TEXT NOT NULL DEFAULT '';
        CREATE TABLE outbox_message (
            id INTEGER PRIMARY KEY,
            session_id INTEGER REFERENCES session (id) ON DELETE SET NULL,
            message_id TEXT NOT NULL UNIQUE,
            method TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            sender TEXT NOT NULL,
            recipients TEXT NOT NULL,
            subject TEXT NOT NULL,
            content TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT NOT NULL DEFAULT '',
            uncertain BOOLEAN NOT NULL DEFAULT FALSE,
            claim TEXT NOT NULL DEFAULT '',
            next_attempt_utc TIMESTAMP,
            created_utc TIMESTAMP NOT NULL,
            updated_utc TIMESTAMP NOT NULL,
            sent_utc TIMESTAMP
        );
        CREATE INDEX ix_outbox_message_session_id ON outbox_message (session_id);
        CREATE INDEX ix_outbox_message_status ON outbox_message (status);
        CREATE TABLE attendee_reply (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES session (id) ON DELETE CASCADE,
            email TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            partstat TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            replied_utc TIMESTAMP NOT NULL,
            imported_utc TIMESTAMP NOT NULL,
            UNIQUE (session_id, email)
        );
        CREATE INDEX ix_attendee_reply_session_id ON attendee_reply (session_id);
        """,
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "customers, contacts and settings", _v1_customers),
    Migration(2, "sessions, busy blocks and the audit log", _v2_sessions),
    Migration(3, "the mail outbox, attendees' replies and meeting links", _v3_mail),
)

LATEST_VERSION = MIGRATIONS[-1].version
