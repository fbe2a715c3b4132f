"""The team's book on a PostgreSQL server: connecting, checking, migrating, plain messages.

The same versioned migrations as a SQLite file run here (see `migrations.py`); the version and
the application marker live in the table `amplan_schema`. A database that holds other tables
but no marker is someone else's and is refused untouched, as is one of a newer schema.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.engine.url import URL
from sqlmodel import create_engine

from desktop.errors import StoreError
from desktop.models.migrations import (
    APPLICATION_ID,
    LATEST_VERSION,
    MIGRATIONS,
    SCHEMA_TABLE,
    MigrationConnection,
)

SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")
CONNECT_TIMEOUT_S = 5
# Transaction-level advisory lock every write takes first: one writer at a time, as SQLite's
# BEGIN IMMEDIATE gives a file (the conflict rule reads every session of the hours it books,
# not only its customers', so per-customer locks alone would let two bookings both pass).
WRITE_LOCK_KEY = APPLICATION_ID
# Taken while migrating, so that two first starts do not both create the tables.
MIGRATION_LOCK_KEY = APPLICATION_ID + 1


def is_server_url(location: Path | str) -> bool:
    return isinstance(location, str) and location.strip().lower().startswith(SCHEMES)


def engine_url(url: str) -> URL:
    shape = "write it as postgresql://user[:password]@host[:port]/dbname"
    address = url.strip().partition("://")[2].partition("?")[0]
    if address.count("@") > 1:
        raise StoreError(f"{safe_label(url)}: an @ in the password must be written %40 ({shape}).")
    try:
        parsed = make_url(url.strip())
    except (sa_exc.ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise StoreError(f"The team's book address is not a PostgreSQL URL; {shape}.") from None
    if not parsed.database:
        raise StoreError(f"{safe_label(url)} names no database; {shape}.")
    return parsed.set(drivername="postgresql+psycopg")


def safe_label(url: str) -> str:
    """The address to show and log: never the password, nor any part of one (an unescaped @
    in it, a password in the query string)."""
    address = url.strip().partition("://")[2].partition("?")[0]
    credentials, at, place = address.rpartition("@")  # a host has no @; a password may
    user, colon, _password = credentials.partition(":")
    hidden = ":***" if colon else ""
    return f"postgresql://{user}{hidden}{at}{place}"


def server_title(url: str) -> str:
    parsed = engine_url(url)
    return f"{parsed.database} on {parsed.host or 'localhost'}"


def server_message(label: str, error: BaseException) -> str:
    """A plain sentence for what went wrong with the server, without a stack or a password."""
    text = str(getattr(error, "orig", None) or error).strip()
    first = text.splitlines()[0] if text else type(error).__name__
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return (
            f"The team's book at {label} refused the user name or password. Check them "
            "(in --db or AMPLAN_DB) and try again."
        )
    if "does not exist" in lowered and "database" in lowered:
        return f"The team's book at {label} does not exist on that server ({first})."
    if (
        "connection refused" in lowered
        or "could not connect" in lowered
        or "timeout" in lowered
        or "could not translate host name" in lowered
        or "name or service not known" in lowered
        or "failed to resolve" in lowered
    ):
        return (
            f"Cannot reach the team's book at {label} ({first}). Check the network and that "
            "the server is running, then try again; nothing was changed."
        )
    if "server closed the connection" in lowered or "connection" in lowered:
        return (
            f"The connection to the team's book at {label} was lost ({first}). Nothing of the "
            "last action was saved; try again."
        )
    return f"The team's book at {label} could not do that ({first}). Nothing was saved."


def connection_trouble(error: BaseException) -> bool:
    """Errors of the server or the network, as opposed to bugs in a statement."""
    return isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError) or (
        isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated
    )


def _refuse(label: str, why: str) -> StoreError:
    return StoreError(f"{label} cannot be opened: {why} The database was left untouched.")


def schema_version(conn: Connection, label: str) -> int:
    """Version of the amplan book in this database (0: empty); refuse anything else."""
    exists = conn.exec_driver_sql(f"SELECT to_regclass('{SCHEMA_TABLE}')").scalar()
    if exists is None:
        others = conn.exec_driver_sql(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
        ).scalar()
        if others:
            raise _refuse(label, "it holds tables of another program, not an amplan book.")
        return 0
    row = conn.exec_driver_sql(f"SELECT application_id, version FROM {SCHEMA_TABLE}").first()
    if row is None or row[0] != APPLICATION_ID:
        raise _refuse(label, "it is marked as another program's database, not an amplan book.")
    version = int(row[1])
    if version > LATEST_VERSION:
        raise _refuse(
            label,
            f"it was written by a newer amplan (schema {version}; this one knows up to "
            f"{LATEST_VERSION}). Update amplan to open it.",
        )
    return version


def migrate(engine: Engine, label: str) -> None:
    """Check, then bring the database to LATEST_VERSION: each migration in one transaction
    (PostgreSQL's DDL is transactional), under a lock against a second first start."""
    with engine.connect() as conn:
        version = schema_version(conn, label)
        conn.rollback()
    for migration in MIGRATIONS:
        if migration.version <= version:
            continue
        with engine.begin() as conn:
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
            current = schema_version(conn, label)
            if current >= migration.version:  # another process migrated meanwhile
                continue
            migration.apply(MigrationConnection.over_sqlalchemy(conn))
            if current == 0:
                conn.exec_driver_sql(
                    f"CREATE TABLE {SCHEMA_TABLE} (application_id INTEGER NOT NULL, "
                    "version INTEGER NOT NULL)"
                )
                conn.exec_driver_sql(
                    f"INSERT INTO {SCHEMA_TABLE} VALUES (%s, %s)", (APPLICATION_ID, 0)
                )
            conn.exec_driver_sql(f"UPDATE {SCHEMA_TABLE} SET version = %s", (migration.version,))


def open_server(url: str) -> tuple[Engine, str]:
    """An engine on the team's book, checked and migrated; and its label for messages."""
    label = safe_label(url)
    connect_args: dict[str, Any] = {
        "connect_timeout": CONNECT_TIMEOUT_S,
        "application_name": "amplan",
    }
    # pool_pre_ping: a connection the server dropped while idle is replaced, not used.
    engine = create_engine(engine_url(url), pool_pre_ping=True, connect_args=connect_args)
    try:
        migrate(engine, label)
    except StoreError:
        engine.dispose()
        raise
    except sa_exc.DBAPIError as error:
        engine.dispose()
        raise StoreError(server_message(label, error)) from None
    return engine, label


def sync_identities(conn: Connection, tables: list[str]) -> None:
    """After rows were written with explicit ids, move each identity past the largest, never
    back: after a restore, an id given before it must not be given again (a colleague's undo
    of "book #12" would delete someone else's new #12)."""
    for table in tables:
        sequence = conn.exec_driver_sql(f"SELECT pg_get_serial_sequence('{table}', 'id')")
        name = sequence.scalar()
        if name is None:
            continue
        last, called = conn.exec_driver_sql(f"SELECT last_value, is_called FROM {name}").one()
        unused = int(last) + 1 if called else int(last)
        conn.exec_driver_sql(
            f"SELECT setval('{name}', GREATEST(COALESCE((SELECT max(id) FROM {table}), 0) + 1, "
            f"{unused}), false)"
        )
