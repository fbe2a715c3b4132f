"""Backups of a book: copies through SQLite's online backup API, rotated, listed, restored.

A copy is written beside its final name and renamed into place, so a backup cut short (a
killed process, a full disk) never leaves a half file that looks like a backup. Copies live
in the folder `<book>.backups` beside the book; `Database` refuses to open a file there, so a
backup is never migrated or changed by being looked at.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop.errors import BadInput, StoreError
from desktop.models.database import (
    BACKUP_FOLDER_SUFFIX,
    Database,
    InstanceLock,
    inspect_file,
    is_backup_copy,
)
from desktop.models.migrations import LATEST_VERSION
from desktop.models.store_errors import store_errors

KEEP_DAILY = 7
KEEP_WEEKLY = 4
KEEP_BEFORE_RESTORE = 5
AUTOMATIC_EVERY = timedelta(days=1)
_STAMP = "%Y%m%dT%H%M%SZ"
_NAME = re.compile(r"-(?P<stamp>\d{8}T\d{6}Z)(?:-\d+)?-(?P<kind>[a-z-]+)\.sqlite$")
_MIGRATION = re.compile(r"\.schema\d+-backup-(?P<stamp>\d{8}T\d{6}Z)")


@dataclass(frozen=True)
class BackupInfo:
    file: Path
    created: datetime
    kind: str  # daily, manual, before-restore, before-upgrade
    customers: int | None  # None: the copy cannot be read
    sessions: int | None

    def as_json(self) -> dict[str, object]:
        return {
            "file": str(self.file),
            "created": self.created.isoformat(),
            "kind": self.kind,
            "customers": self.customers,
            "sessions": self.sessions,
        }


def backup_folder(book: Path) -> Path:
    return book.with_name(book.name + BACKUP_FOLDER_SUFFIX)


def copy_book(source: Path, target: Path) -> None:
    """A consistent copy of `source` (even while it is written) as one self-contained file."""
    partial = target.with_name(f".{target.name}.part")
    with store_errors(target):
        try:
            partial.unlink(missing_ok=True)
            src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
            try:
                dst = sqlite3.connect(partial)
                try:
                    src.backup(dst)
                    # One file, no -wal beside it: a copy that can be moved and mailed.
                    dst.execute("PRAGMA journal_mode = DELETE").fetchone()
                finally:
                    dst.close()
            finally:
                src.close()
            with partial.open("rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(partial, target)
        except BaseException:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            raise


def stamped_name(folder: Path, book: Path, now: datetime, kind: str) -> Path:
    stamp = now.astimezone(UTC).strftime(_STAMP)
    target = folder / f"{book.stem}-{stamp}-{kind}.sqlite"
    number = 1
    while target.exists():  # two copies in one second
        number += 1
        target = folder / f"{book.stem}-{stamp}-{number}-{kind}.sqlite"
    return target


def make_backup(
    db: Database, target: Path | None = None, kind: str = "manual", now: datetime | None = None
) -> Path:
    """Copy the book's file to `target` (default: a new file in its backups folder); a team's
    book is copied by `services.book_safety`."""
    book = db.path
    assert book is not None, "a team's book is backed up by book_safety"
    now = now or datetime.now(UTC)
    if target is None:
        target = new_copy_name(backup_folder(book), book, now, kind)
    else:
        target = checked_target(target, book)
    copy_book(book, target)
    return target


def new_copy_name(folder: Path, book: Path, now: datetime, kind: str) -> Path:
    """A free name for a new copy in `folder`, created if need be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"Cannot create the backups folder {folder}: {exc.strerror}.") from None
    return stamped_name(folder, book, now, kind)


def checked_target(target: Path, book: Path | None) -> Path:
    """A file a backup may be written to (not the book itself, in a folder that exists)."""
    target = target.expanduser()
    if target.is_symlink():
        target = target.resolve()
    if target.exists() and not target.is_file():
        raise BadInput(f"Cannot write {target}: it is not a file.")
    if book is not None and target.resolve() == book.resolve():
        raise BadInput("A backup cannot replace the book itself: give another file name.")
    if not target.parent.is_dir():
        raise BadInput(f"Cannot write {target}: the folder {target.parent} does not exist.")
    return target


def _created(path: Path) -> datetime:
    match = _NAME.search(path.name) or _MIGRATION.search(path.name)
    if match:
        return datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def _kind(path: Path) -> str:
    match = _NAME.search(path.name)
    if match:
        return match["kind"]
    return "before-upgrade" if _MIGRATION.search(path.name) else "manual"


def _counts(path: Path) -> tuple[int | None, int | None]:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return None, None
    try:
        customers = conn.execute("SELECT count(*) FROM customer").fetchone()[0]
        try:
            sessions = conn.execute("SELECT count(*) FROM session").fetchone()[0]
        except sqlite3.Error:  # a copy older than the sessions table
            sessions = 0
        return int(customers), int(sessions)
    except sqlite3.Error:
        return None, None
    finally:
        conn.close()


def backup_files(book: Path) -> list[Path]:
    folder = backup_folder(book)
    found = sorted(folder.glob("*.sqlite")) if folder.is_dir() else []
    beside = book.parent.glob(f"{book.stem}.schema*-backup-*{book.suffix or '.sqlite'}")
    return found + [p for p in beside if _MIGRATION.search(p.name)]


def list_backups(book: Path, with_counts: bool = True) -> list[BackupInfo]:
    """Every backup of the book, newest first (counts read only when asked: start-up does
    not open every copy)."""
    return describe_backups(backup_files(book), with_counts)


def describe_backups(files: Iterable[Path], with_counts: bool = True) -> list[BackupInfo]:
    """These backup files, newest first."""
    infos = [
        BackupInfo(
            path, _created(path), _kind(path), *(_counts(path) if with_counts else (None, None))
        )
        for path in files
        if path.is_file()
    ]
    return sorted(infos, key=lambda info: info.created, reverse=True)


def rotate(book: Path, now: datetime | None = None) -> list[Path]:
    """Keep the newest KEEP_DAILY daily copies, then one per week for KEEP_WEEKLY weeks, and
    the last KEEP_BEFORE_RESTORE copies made before restores; returns the removed files."""
    now = now or datetime.now(UTC)
    infos = list_backups(book, with_counts=False)
    removed: list[Path] = []
    daily = [i for i in infos if i.kind == "daily"]
    keep = {i.file for i in daily[:KEEP_DAILY]}
    weeks: set[tuple[int, int]] = set()
    for info in daily[KEEP_DAILY:]:
        week = info.created.isocalendar()[:2]
        if week not in weeks and len(weeks) < KEEP_WEEKLY:
            weeks.add(week)
            keep.add(info.file)
    before_restore = [i for i in infos if i.kind == "before-restore"]
    keep |= {i.file for i in before_restore[:KEEP_BEFORE_RESTORE]}
    for info in daily + before_restore:
        if info.file not in keep:
            with contextlib.suppress(OSError):
                info.file.unlink()
                removed.append(info.file)
    # Copies a killed process left half-written (never listed: they are not *.sqlite).
    folder = backup_folder(book)
    for partial in folder.glob(".*.part") if folder.is_dir() else ():
        with contextlib.suppress(OSError):
            if now.timestamp() - partial.stat().st_mtime > 3600:
                partial.unlink()
    return removed


def auto_backup(db: Database, now: datetime | None = None) -> Path | None:
    """At start-up: a daily copy when the last is older than a day, then rotation. Never
    stops the start: a copy that cannot be made (full disk, read-only place) is skipped."""
    if db.path is None or db.read_only or db.created:
        return None  # a server's book has its own tools; a new book has nothing to keep yet
    now = now or datetime.now(UTC)
    daily = [i for i in list_backups(db.path, with_counts=False) if i.kind == "daily"]
    if daily and now - daily[0].created < AUTOMATIC_EVERY:
        return None
    try:
        made = make_backup(db, kind="daily", now=now)
    except (StoreError, OSError):
        return None
    rotate(db.path, now)
    return made


def restore(book: Path, source: Path, now: datetime | None = None) -> Path | None:
    """Put the copy `source` in place of the book's content; the current content is first
    kept aside (returned). Refuses a file that is not an amplan book, untouched."""
    source = source.expanduser()
    if not source.is_file():
        raise BadInput(f"No backup file at {source}.")
    if source.resolve() == book.resolve():
        raise BadInput(f"{source} is the book itself, not a backup of it.")
    version = inspect_file(source)  # refuses foreign, damaged and newer files
    if version == 0:
        raise BadInput(f"{source} is empty: it is not an amplan book. Nothing was changed.")
    aside: Path | None = None
    if book.exists() and book.stat().st_size > 0:
        inspect_file(book)
        aside = new_copy_name(backup_folder(book), book, now or datetime.now(UTC), "before-restore")
        copy_book(book, aside)
    else:
        book.parent.mkdir(parents=True, exist_ok=True)
    with store_errors(book):
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            dst = sqlite3.connect(book, isolation_level=None)
            try:
                dst.execute("PRAGMA busy_timeout = 10000")
                src.backup(dst)  # one step: readers see the old book or the new, never half
                dst.execute("PRAGMA journal_mode = WAL").fetchone()
            finally:
                dst.close()
        finally:
            src.close()
    if version < LATEST_VERSION and not is_backup_copy(book):
        Database(book).close()  # brings the restored book up to this amplan's schema
    if aside is not None:
        rotate(book, now)
    return aside


__all__ = [
    "BackupInfo",
    "InstanceLock",
    "auto_backup",
    "backup_folder",
    "checked_target",
    "describe_backups",
    "list_backups",
    "make_backup",
    "new_copy_name",
    "restore",
    "rotate",
    "stamped_name",
]
