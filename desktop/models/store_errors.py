"""What the database engine says, turned into what the user can act on.

The one place that reads SQLite (and SQLAlchemy) errors: a full disk, a book another program
keeps locked past the busy timeout, a read-only file, folder or medium. Each becomes a
`StoreError` whose message says what happened and that nothing was saved; none of them is
called "damaged". `Database.transaction`/`reading` and the CLI and GUI boundaries use it.
A PostgreSQL book (`dialect = "postgresql"`) maps the errors of its driver here as well.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy.exc

from desktop.errors import StoreError

# SQLite's primary result codes (the low byte of an extended code).
_FULL = 13
_BUSY = 5
_LOCKED = 6
_READONLY = 8
_IOERR = 10
_CORRUPT = 11
_CANTOPEN = 14
_NOTADB = 26
_PERM = 3


class StoreFull(StoreError):
    """The disk (or the file's size limit) is full; the transaction was rolled back."""


class StoreBusy(StoreError):
    """Another program kept the book locked past the busy timeout."""


class StoreReadOnly(StoreError):
    """The book, its folder or its medium cannot be written."""


def _sqlite_error(exc: BaseException) -> sqlite3.Error | None:
    if isinstance(exc, sqlite3.Error):
        return exc
    if isinstance(exc, sqlalchemy.exc.DBAPIError) and isinstance(exc.orig, sqlite3.Error):
        return exc.orig
    return None


def is_store_failure(exc: BaseException) -> bool:
    """An error of the storage itself (not a constraint a bug of ours broke)."""
    if isinstance(exc, sqlalchemy.exc.IntegrityError | sqlite3.IntegrityError):
        return False
    return isinstance(
        exc, sqlite3.OperationalError | sqlite3.DatabaseError | sqlalchemy.exc.OperationalError
    ) or (isinstance(exc, sqlalchemy.exc.DBAPIError) and _sqlite_error(exc) is not None)


def _code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    text = str(error).lower()  # errors raised before a code was known (connect)
    for needle, guess in (
        ("disk is full", _FULL),
        ("locked", _BUSY),
        ("readonly", _READONLY),
        ("read-only", _READONLY),
        ("unable to open", _CANTOPEN),
        ("disk i/o", _IOERR),
        ("malformed", _CORRUPT),
        ("not a database", _NOTADB),
    ):
        if needle in text:
            return guess
    return None


def _disk_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.parent if not path.is_dir() else path).free < 64 * 1024
    except OSError:
        return False


# What each kind of failure tells the user: {book} is "The book <path>", {detail} SQLite's words.
_MESSAGES: tuple[tuple[frozenset[int], type[StoreError], str], ...] = (
    (
        frozenset({_BUSY, _LOCKED}),
        StoreBusy,
        "{book} is busy: another program has kept it locked for too long. Nothing was "
        "saved; try again in a moment.",
    ),
    (
        frozenset({_READONLY, _PERM}),
        StoreReadOnly,
        "{book} cannot be changed: the file, its folder or its disk is read-only. Nothing "
        "was saved. Copy the book somewhere writable, or make it writable, and try again.",
    ),
    (
        frozenset({_CANTOPEN}),
        StoreReadOnly,
        "{book} cannot be opened for writing (its folder or disk may be read-only, or it "
        "was removed). Nothing was saved.",
    ),
    (
        frozenset({_IOERR}),
        StoreError,
        "{book} could not be read or written ({detail}): the disk may be full, removed or "
        "failing. Nothing was saved.",
    ),
    (
        frozenset({_CORRUPT, _NOTADB}),
        StoreError,
        "{book} is damaged ({detail}). Nothing was saved; restore a backup "
        "(`amplan backups` lists them).",
    ),
)


def translate(exc: BaseException, where: Path | str | None) -> StoreError:
    """The user's message for a storage error of the book at `where`."""
    book = f"The book {where}" if where else "The book"
    error = _sqlite_error(exc)
    detail = str(error if error is not None else exc).strip().rstrip(".")
    code = _code(error) if error is not None else None
    if code == _IOERR and where is not None and _disk_full(Path(where)):
        code = _FULL  # SQLite says "disk I/O error" when it cannot even grow its -shm file
    if code == _FULL:
        return StoreFull(
            f"The disk holding {where or 'the book'} is full: nothing was saved, and what was "
            "saved before is safe. Free some space and try again."
        )
    for codes, kind, message in _MESSAGES:
        if code in codes:
            return kind(message.format(book=book, detail=detail))
    return StoreError(f"{book} could not be used ({detail}). Nothing was saved.")


def storage_problem(exc: BaseException, where: Path | str | None) -> StoreError | None:
    """The message for a failure of the medium (full, locked, read-only, I/O), or None for
    another error (a bad statement, a damaged file) the caller words itself."""
    error = _sqlite_error(exc)
    if error is None or _code(error) not in (
        _FULL,
        _BUSY,
        _LOCKED,
        _READONLY,
        _PERM,
        _CANTOPEN,
        _IOERR,
    ):
        return None
    return translate(exc, where)


@contextlib.contextmanager
def store_errors(where: Path | str | None) -> Iterator[None]:
    """Raise storage errors inside the block as `StoreError`s with a plain message."""
    try:
        yield
    except (sqlite3.Error, sqlalchemy.exc.DBAPIError) as exc:
        if not is_store_failure(exc):
            raise
        raise translate(exc, where) from exc


MAX_ROW_ID = 2**63 - 1  # SQLite's (and PostgreSQL's bigint) largest id


def row_id(text: str) -> int | None:
    """The id a user typed, or None when it cannot name a row (not digits, or too large)."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ROW_ID else None
