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
            name VARCHAR NOT NULL UNIQUE,
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


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "customers, contacts and settings", _v1_customers),
)

LATEST_VERSION = MIGRATIONS[-1].version
