"""Copy a whole book into an empty one: a solo manager's file into the team's server (or back).

Every table is copied row for row with its ids, so sessions keep their UIDs and sequences
(invites already sent stay valid) and the history keeps pointing at the right sessions. The
copy is one transaction on the target: it lands whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlmodel import SQLModel

from desktop.errors import BadInput
from desktop.models import tables
from desktop.models.database import Database
from desktop.models.server import sync_identities
from desktop.services.changes import change_mark_in

# Tables whose rows make a book "not empty": copying into it would mix two books.
_CONTENT = (tables.Customer, tables.SessionRow, tables.BusyBlock, tables.AuditEntry)
_CHUNK = 1000


@dataclass(frozen=True)
class CopyCounts:
    customers: int
    sessions: int


def copy_book(source: Database, target_location: Path | str, owner: str = "") -> CopyCounts:
    """Copy `source` into the empty book at `target_location` (created or migrated first).
    `owner`: who owns the customers that have no owner yet (the manager moving their book)."""
    target_url = (
        f"sqlite:///{Path(target_location).expanduser()}"
        if isinstance(target_location, Path)
        else target_location.strip()
    )
    if target_url == source.url or (
        source.path is not None
        and isinstance(target_location, Path)
        and Path(target_location).expanduser().resolve() == source.path.resolve()
    ):
        raise BadInput("The book cannot be copied onto itself; name another file or server.")
    target = Database(target_location)
    try:
        return _copy(source, target, owner)
    finally:
        target.close()


def replace_book(source: Database, target: Database, mark: tuple[object, ...]) -> CopyCounts:
    """Put `source`'s content in place of `target`'s (a restore of the team's book), in one
    transaction on the target: its writers wait, its readers see the old book or the new.
    `mark`: the target's change mark when it was copied aside; a change since is refused
    (it would be in neither). The target keeps its own settings."""
    return _copy(source, target, "", mark)


def _copy(
    source: Database, target: Database, owner: str, mark: tuple[object, ...] | None = None
) -> CopyCounts:
    customers = sessions = 0
    with source.reading() as src, target.transaction() as dst:
        if mark is not None and change_mark_in(dst) != mark:
            raise BadInput(
                f"Someone changed {target.label} while it was being copied aside; nothing "
                "was restored. Try again."
            )
        if mark is not None:
            for table in reversed(SQLModel.metadata.sorted_tables):
                if table.name != tables.Setting.__tablename__:
                    dst.execute(delete(table))
        for model in _CONTENT:
            if dst.execute(select(func.count()).select_from(model)).scalar_one():
                raise BadInput(
                    f"{target.label} is not empty (it has {model.__tablename__} rows); "
                    "copy into a new, empty book. Nothing was copied."
                )
        kept_settings = {str(key) for key in dst.execute(text("SELECT key FROM setting")).scalars()}
        identities = []
        for table in SQLModel.metadata.sorted_tables:
            rows: list[dict[str, Any]] = [
                dict(row) for row in src.execute(select(table)).mappings()
            ]
            if table.name == tables.Setting.__tablename__:  # the target's own settings win
                rows = [row for row in rows if row["key"] not in kept_settings]
            if table.name == tables.Customer.__tablename__:
                rows = [row | {"owner": row["owner"] or owner} for row in rows]
            for start in range(0, len(rows), _CHUNK):
                dst.execute(insert(table), rows[start : start + _CHUNK])
            if "id" in table.c and table.c["id"].primary_key:
                identities.append(table.name)
            if table.name == tables.Customer.__tablename__:
                customers = len(rows)
            elif table.name == tables.SessionRow.__tablename__:
                sessions = len(rows)
        if target.is_server:  # new rows must not collide with the copied ids
            sync_identities(dst.connection(), identities)
    return CopyCounts(customers, sessions)
