"""The one `Database(path)` object: opens, checks, migrates and guards a manager's book.

A file that is not ours, is damaged, or was written by a newer amplan is refused and never
written to: every check runs on a read-only connection before anything opens it for writing.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from desktop.errors import StoreError, StoreLocked
from desktop.models.migrations import (
    APPLICATION_ID,
    LATEST_VERSION,
    MIGRATIONS,
    MigrationConnection,
)
from desktop.models.server import (
    WRITE_LOCK_KEY,
    connection_trouble,
    is_server_url,
    open_server,
    server_message,
    server_title,
)
from desktop.models.store_errors import storage_problem, store_errors

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000
# Copies made before a migration that are kept beside the book; older ones are removed.
KEEP_MIGRATION_BACKUPS = 2
_MIGRATION_BACKUP = re.compile(r"\.schema\d+-backup-\d{8}T\d{6}Z")
BACKUP_FOLDER_SUFFIX = ".backups"


def is_backup_copy(path: Path) -> bool:
    """A copy amplan made: before a migration, or in the backups folder beside a book."""
    folder = path.parent.name
    if folder.endswith(BACKUP_FOLDER_SUFFIX):
        book = path.parent.with_name(folder[: -len(BACKUP_FOLDER_SUFFIX)])
        if book.is_file():
            return True
    return bool(_MIGRATION_BACKUP.search(path.name))


def read_only_place(path: Path) -> bool:
    """The book cannot be written: the file, its folder or the medium is read-only."""
    target = path if path.exists() else path.parent
    try:
        if os.statvfs(target).f_flag & os.ST_RDONLY:
            return True
    except OSError:
        return False
    if path.exists() and not os.access(path, os.W_OK):
        return True
    return path.parent.exists() and not os.access(path.parent, os.W_OK)


def _refuse(path: Path, why: str) -> StoreError:
    return StoreError(f"{path} cannot be opened: {why} The file was left untouched.")


def inspect_file(path: Path) -> int:
    """Schema version of an existing amplan file (0 for a new, empty file); refuse others."""
    if not path.exists() or path.stat().st_size == 0:
        return 0
    if path.is_dir():
        raise _refuse(path, "it is a folder, not a file.")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise _refuse(path, f"it cannot be read ({exc.strerror}).") from None
    if header != SQLITE_HEADER:
        raise _refuse(path, "it is not an amplan database (not an SQLite file).")
    # A read-only connection to a WAL-mode file creates -wal/-shm files it cannot remove.
    # Without a -wal file every committed page is in the main file, so read it as immutable
    # (no locks, no side files); with one, another connection is live and the files exist.
    wal = path.with_name(path.name + "-wal")
    flags = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{flags}", uri=True)
    except sqlite3.Error as exc:
        raise storage_problem(exc, path) or _refuse(
            path, f"SQLite cannot open it ({exc})."
        ) from None
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if application_id != APPLICATION_ID:
            raise _refuse(path, "it is an SQLite file of another program, not an amplan book.")
        if version > LATEST_VERSION:
            raise _refuse(
                path,
                f"it was written by a newer amplan (schema {version}; this one knows up to "
                f"{LATEST_VERSION}). Update amplan to open it.",
            )
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise _refuse(path, f"it is damaged ({check}). Restore a backup copy.")
    except sqlite3.DatabaseError as exc:
        # A full or failing disk is not a damaged book: say what it is.
        known = storage_problem(exc, path)
        raise known or _refuse(path, f"it is damaged or not a database ({exc}).") from None
    finally:
        conn.close()
    return int(version)


def backup_path_for(path: Path, version: int) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return path.with_name(f"{path.stem}.schema{version}-backup-{stamp}{path.suffix or '.sqlite'}")


def _prune_migration_backups(path: Path) -> None:
    """Keep the newest few copies made before migrations, so they do not pile up."""
    pattern = f"{path.stem}.schema*-backup-*{path.suffix or '.sqlite'}"
    copies = sorted(
        (p for p in path.parent.glob(pattern) if _MIGRATION_BACKUP.search(p.name)),
        key=lambda p: p.name.rsplit("-backup-", 1)[-1],
    )
    for old in copies[:-KEEP_MIGRATION_BACKUPS]:
        with contextlib.suppress(OSError):
            old.unlink()


def _migrate(path: Path, from_version: int) -> Path | None:
    """Bring the file to LATEST_VERSION; returns the backup copy made first, if any."""
    backup = None
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if from_version > 0:
            backup = backup_path_for(path, from_version)
            target = sqlite3.connect(backup)
            try:
                with target:
                    conn.backup(target)
            finally:
                target.close()
            _prune_migration_backups(path)
        else:
            conn.execute("PRAGMA journal_mode = WAL")
        for migration in MIGRATIONS:
            if migration.version <= from_version:
                continue
            conn.execute("BEGIN IMMEDIATE")
            try:
                current = conn.execute("PRAGMA user_version").fetchone()[0]
                if current >= migration.version:  # another process migrated meanwhile
                    conn.execute("ROLLBACK")
                    continue
                migration.apply(MigrationConnection.over_sqlite(conn))
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {migration.version}")
                conn.execute("COMMIT")
            except Exception:
                conn.execute("ROLLBACK")
                raise
    finally:
        conn.close()
    return backup


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _begin_deferred(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


class Database:
    """A manager's book: a SQLite file (the default, offline) or the team's book on a
    PostgreSQL server (a `postgresql://` URL). Build one in the composition root, pass it on.

    `dialect` is "sqlite" or "postgresql"; `path` is the file (None on a server); `url` is the
    address (with its password, if given: show `label` instead)."""

    def __init__(self, location: Path | str) -> None:
        self.backup: Path | None = None
        self.path: Path | None
        self.read_only = False
        self.created = False
        if is_server_url(location):
            self.dialect = "postgresql"
            self.path = None
            self.url = str(location).strip()
            self.engine, self.label = open_server(self.url)
            # Reads see one consistent snapshot; writes run at READ COMMITTED after taking
            # the write lock, so each of their reads sees every commit made before.
            self.read_engine: Engine = self.engine.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            return
        self.dialect = "sqlite"
        path = Path(location).expanduser()
        self.path = path
        self.url = f"sqlite:///{path}"
        self.label = str(path)
        version = inspect_file(path)
        if is_backup_copy(path):
            # Opening it would migrate (or back up) the copy itself, and it would stop
            # being the copy it was.
            raise StoreError(
                f"{path} is a backup copy of a book; it was left untouched. "
                f"`amplan restore {path}` brings it back into your book."
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Cannot create the folder for {path}: {exc.strerror}.") from None
        self.read_only = version > 0 and read_only_place(path)
        self.created = version == 0  # a new book, made by this opening
        if version < LATEST_VERSION:
            try:
                self.backup = _migrate(path, version)
            except sqlite3.Error as exc:
                known = storage_problem(exc, path)
                raise known or StoreError(f"Could not prepare {path}: {exc}.") from None
        url = f"sqlite:///{path}"
        if self.read_only:
            # A read-only book is read as it is: a normal connection would leave -wal and
            # -shm files beside it that it cannot remove. Writes fail with a plain message.
            wal = path.with_name(path.name + "-wal")
            flags = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
            url = f"sqlite:///{path.resolve().as_uri()}?{flags}&uri=true"
        # Writes take the write lock up front (BEGIN IMMEDIATE): a deferred transaction that
        # reads and then writes can fail at once with "database is locked" under a second
        # writer, while an immediate one waits for the busy timeout.
        self.engine = create_engine(url, connect_args={"isolation_level": None})
        event.listen(self.engine, "connect", _on_connect)
        event.listen(self.engine, "begin", _begin_immediate)
        self.read_engine = create_engine(url, connect_args={"isolation_level": None})
        event.listen(self.read_engine, "connect", _on_connect)
        event.listen(self.read_engine, "begin", _begin_deferred)

    @property
    def title(self) -> str:
        """Short name for a window title: the file's name, or "dbname on host"."""
        if self.path is not None:
            return self.path.name
        return server_title(self.url)

    @property
    def is_server(self) -> bool:
        return self.dialect == "postgresql"

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """One user action: everything inside commits together or not at all. Every check
        made inside it sees the book as it is written: one writer at a time on both engines."""
        with (
            self._trouble(),
            Session(self.engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            if self.is_server:
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
            yield session

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """Reads see one consistent snapshot and never block a writer (WAL / MVCC)."""
        with (
            self._trouble(),
            Session(self.read_engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    def lock_customers(self, session: Session, customer_ids: Iterable[int]) -> None:
        """Lock these customers' rows for the rest of the transaction (id order, so two
        writers never wait on each other crosswise): an edit of their contract waits until
        the booking that was checked against it is saved. SQLite's write lock covers it."""
        ids = sorted(set(customer_ids))
        if self.is_server and ids:
            session.execute(
                text("SELECT id FROM customer WHERE id = ANY(:ids) ORDER BY id FOR UPDATE"),
                {"ids": ids},
            )

    def _trouble(self) -> contextlib.AbstractContextManager[None]:
        """Plain messages for what the environment did: a lost server, a full or read-only
        disk, a writer waiting too long."""
        return self._server_trouble() if self.is_server else store_errors(self.path)

    @contextlib.contextmanager
    def _server_trouble(self) -> Iterator[None]:
        """A lost or refused server connection is the environment's fault: a plain message
        (the transaction was rolled back, so nothing of it was saved)."""
        if not self.is_server:
            yield
            return
        try:
            yield
        except sa_exc.DBAPIError as error:
            if connection_trouble(error):
                raise StoreError(server_message(self.label, error)) from None
            raise

    def close(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()


class InstanceLock:
    """Keeps a second amplan window off a book that one window already has open."""

    def __init__(self, db_path: Path) -> None:
        self.path = db_path.with_name(db_path.name + ".lock")
        self._handle: Any = None

    def acquire(self) -> None:
        try:
            handle = self.path.open("a+")
        except OSError:
            # A read-only folder or medium: no window can write this book, so none needs
            # keeping off it. A lock file left by a killed window is reused (flock dies with
            # its process).
            return
        try:
            _lock_file(handle)
        except OSError:
            handle.seek(0)
            owner = handle.read().strip() or "another process"
            handle.close()
            raise StoreLocked(
                f"This book ({self.path.with_suffix('').name}) is already open in another amplan "
                f"window ({owner}). Switch to that window, or close it and try again."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _lock_file(handle: Any) -> None:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
