"""Backups of either engine's book, as `backup`, `backups` and `restore` promise on both.

A SQLite book is copied file to file (`models.backups`). A team's book on PostgreSQL is
copied into an amplan SQLite file, every row of one consistent read with its ids, UIDs and
sequences (`book_copy`): a snapshot a manager can keep, open elsewhere, or restore. Its
copies live in the user's data folder (`team-backups/<server and database>`): the server's
own backups (`pg_dump`) stay its administrator's business. A restore replaces the team's
book in one transaction, after a copy of it as it was.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from desktop.errors import BadInput, StoreError
from desktop.models import backups
from desktop.models.backups import BackupInfo
from desktop.models.database import Database, inspect_file
from desktop.models.server import engine_url
from desktop.places import data_dir
from desktop.services.book_copy import copy_book, replace_book
from desktop.services.changes import change_mark

TEAM_BACKUPS = "team-backups"


def backups_folder(db: Database) -> Path:
    """Where the book's backups are kept: for a team's book, by server and database (not by
    who connects, nor how the address was written)."""
    if db.path is not None:
        return backups.backup_folder(db.path)
    url = engine_url(db.url)
    name = f"{url.host or 'localhost'}_{url.port or 5432}_{url.database}"
    return data_dir() / TEAM_BACKUPS / re.sub(r"[^A-Za-z0-9._-]+", "_", name)


def make_backup(
    db: Database, target: Path | None = None, kind: str = "manual", now: datetime | None = None
) -> Path:
    """Copy the book to `target` (default: a new file in its backups folder)."""
    if db.path is not None:
        return backups.make_backup(db, target, kind, now)
    if target is None:
        folder = backups_folder(db)
        name = Path(folder.name + ".sqlite")
        target = backups.new_copy_name(folder, name, now or datetime.now(UTC), kind)
    else:
        target = backups.checked_target(target, None)
    _snapshot(db, target)
    return target


def _snapshot(db: Database, target: Path) -> None:
    """The team's book as one self-contained SQLite file, written beside `target` and renamed
    into place: a copy cut short never looks like a backup."""
    partial = target.with_name(f".{target.name}.part")
    try:
        partial.unlink(missing_ok=True)
        copy_book(db, partial)
        with contextlib.closing(sqlite3.connect(partial)) as conn:
            conn.execute("PRAGMA journal_mode = DELETE").fetchone()  # no -wal beside it
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except OSError as exc:
        raise StoreError(f"Cannot write {target}: {exc.strerror or exc}.") from None
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


def list_backups(db: Database) -> list[BackupInfo]:
    """The book's backups, newest first."""
    if db.path is not None:
        return backups.list_backups(db.path)
    folder = backups_folder(db)
    return backups.describe_backups(sorted(folder.glob("*.sqlite")) if folder.is_dir() else [])


def restore_team_book(db: Database, source: Path, now: datetime | None = None) -> Path:
    """Put the copy `source` in place of the team's book; returns the copy of the book as it
    was, made first. Refuses a file that is not an amplan book, untouched."""
    source = source.expanduser()
    if not source.is_file():
        raise BadInput(f"No backup file at {source}.")
    if inspect_file(source) == 0:  # refuses foreign, damaged and newer files
        raise BadInput(f"{source} is empty: it is not an amplan book. Nothing was changed.")
    with tempfile.TemporaryDirectory(prefix="amplan-restore-") as folder:
        work = Path(folder) / "restore.sqlite"
        backups.copy_book(source, work)  # the file itself is never opened for writing
        copy = Database(work)  # an older copy is brought up to this amplan's schema
        try:
            mark = change_mark(db)
            aside = make_backup(db, kind="before-restore", now=now)
            replace_book(copy, db, mark)
        finally:
            copy.close()
    return aside
