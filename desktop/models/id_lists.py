"""`column IN (ids)` that costs the same on both engines whatever the number of ids, and the
runs of ids a query can take."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Integer, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session

# SQLite takes at most 32,766 parameters a statement (999 before 3.32); an array is one.
SQLITE_IDS_PER_QUERY = 500
SERVER_IDS_PER_QUERY = 50_000


def among(session: Session, column: Any, ids: Iterable[int]) -> Any:
    """`column IN ids`. On PostgreSQL one array parameter (`= ANY(...)`): an IN list is a
    placeholder per id, which SQLAlchemy renders and psycopg parses anew on every query (a
    team's week names a thousand sessions)."""
    wanted = list(ids)
    if _on_server(session):
        return column == any_(bindparam(None, wanted, type_=ARRAY(Integer)))
    return column.in_(wanted)


def id_runs(session: Session, ids: Sequence[int]) -> Iterator[Sequence[int]]:
    """`ids` in runs that one `among` query can take: a few hundred on SQLite, all at once
    (up to a limit) on PostgreSQL."""
    size = SERVER_IDS_PER_QUERY if _on_server(session) else SQLITE_IDS_PER_QUERY
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _on_server(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
