"""A query's rows as one JSON text that the database writes, for the big reads.

Both drivers let go of Python's lock around each step of a result and take it back for every
row; while another thread runs Python, each row then waits for its turn at the lock (a week of
a team's 1,200 sessions took 0.9 s instead of 45 ms beside a busy thread). One text is one
step: the database does all its work with the lock free, and `json.loads` decodes the text in
one call. It is no slower alone: decoding JSON costs less than the drivers' rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, cast, func, literal_column
from sqlalchemy import select as sa_select
from sqlmodel import Session


def rows_as_json(session: Session, query: Select[Any]) -> list[list[Any]]:
    """The rows of `query` (its FROM and WHERE kept; it has no ORDER BY: the rows come in no
    order), each a list of its columns as JSON has them: an instant is text (`instant` reads
    it), a flag is 0/1 on SQLite."""
    return decoded(json_text(session, query))


def json_text(session: Session, query: Select[Any]) -> str:
    """The rows of `query` as the database writes them, undecoded: a worker thread that reads
    it holds Python's lock only to send the query (`decoded` on the thread that uses it)."""
    return json_texts(session, query)[0]


def json_texts(session: Session, *queries: Select[Any]) -> tuple[str, ...]:
    """`json_text` of each query, in one round trip: a rule check reads a customer's
    sessions, a window's and its busy time, and each statement sent costs a millisecond."""
    postgres = session.get_bind().dialect.name == "postgresql"
    texts = [_as_one_text(query, postgres).scalar_subquery() for query in queries]
    return tuple(session.connection().execute(sa_select(*texts)).one())


def _as_one_text(query: Select[Any], postgres: bool) -> Select[Any]:
    if query._order_by_clauses:
        # The rows become one aggregate: an order of the query would order nothing.
        raise ValueError("rows read as JSON come in no order: sort them once decoded")
    columns = list(query.selected_columns)
    one: ColumnElement[Any]
    if postgres:
        rows = func.json_agg(func.json_build_array(*columns))
        one = cast(func.coalesce(rows, literal_column("'[]'::json")), Text)
    else:
        one = func.json_group_array(func.json_array(*columns))
    return query.with_only_columns(one)


def decoded(text: str) -> list[list[Any]]:
    found: list[list[Any]] = json.loads(text)
    return found


# An instant as text that compares with a stored one, for each engine (a JSON parameter):
# SQLite stores UTC without an offset, PostgreSQL reads an ISO instant with one.
INSTANT_TEXT: dict[str, Callable[[datetime], str]] = {
    "sqlite": lambda moment: moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
    "postgresql": datetime.isoformat,
}


@lru_cache(maxsize=8192)  # a team's sessions start and end on the same few hundred half hours
def instant(text: str) -> datetime:
    """A stored instant as JSON gives it (SQLite: UTC text without an offset; PostgreSQL:
    ISO 8601 with the connection's offset), as an aware UTC datetime."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
