"""`column IN (ids)` that costs the same on both engines whatever the number of ids, and the
runs of ids a query can take."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Integer, Text, any_, bindparam, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session

# Ids one query takes: a single parameter on both engines (an array, a JSON text).
IDS_PER_QUERY = 50_000


def among(session: Session, column: Any, ids: Iterable[int]) -> Any:
    """`column IN ids`, the ids as one parameter: on PostgreSQL an array (`= ANY(...)`), on
    SQLite a JSON text (`IN (SELECT value FROM json_each(...))`). An IN list is a placeholder
    per id, which SQLAlchemy renders and the driver parses anew on every query (a team's week
    names a thousand sessions). The array travels as its text ('{1,2,3}'): the driver writes
    a list one id at a time (a week's 1,200 ids: a millisecond more a query)."""
    wanted = list(ids)
    if _on_server(session):
        as_text = "{" + ",".join(str(int(i)) for i in wanted) + "}"
        return column == any_(cast(bindparam(None, as_text, type_=Text), ARRAY(Integer)))
    values = func.json_each(bindparam(None, json.dumps(wanted)))
    return column.in_(select(literal_column("value")).select_from(values))


def id_runs(session: Session, ids: Sequence[int]) -> Iterator[Sequence[int]]:
    """`ids` in runs that one `among` query can take (all at once, up to a limit)."""
    for start in range(0, len(ids), IDS_PER_QUERY):
        yield ids[start : start + IDS_PER_QUERY]


def _on_server(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
