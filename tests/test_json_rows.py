"""The big reads come as one JSON text the database writes (`json_rows`), and a list of ids
travels as one parameter (`id_lists.among`): both must give what the driver's rows give."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from desktop.models.id_lists import among, id_runs
from desktop.models.json_rows import INSTANT_TEXT, decoded, instant, json_texts, rows_as_json
from desktop.models.tables import SessionRow
from sqlalchemy import select as sa_select
from sqlmodel import col

from sessions_helpers import Book

_COLUMNS = (
    col(SessionRow.id),
    col(SessionRow.title),
    col(SessionRow.start_utc),
    col(SessionRow.end_utc),
    col(SessionRow.billable),
)


def test_rows_as_json_are_the_drivers_rows(team: Book) -> None:
    acme = team.customer("Acme Corp")
    team.book(acme, "screen-share", "2026-03-02T10:00")
    team.book(acme, "assistance", "2026-03-03T10:00", minutes=90, billable=True)
    team.book(acme, "assistance", "2026-11-03T10:00", minutes=60)  # after the clocks change
    query = sa_select(*_COLUMNS)
    with team.ctx.db.reading() as session:
        by_driver = [tuple(row) for row in session.connection().execute(query).all()]
        as_json = rows_as_json(session, query)
    assert len(as_json) == len(by_driver) == 3
    decoded = [
        (sid, title, instant(start), instant(end), bool(billable))
        for sid, title, start, end, billable in as_json
    ]
    # JSON keeps no order of its own: the rows are compared as sets.
    assert set(decoded) == set(by_driver)
    assert {start.tzinfo for _, _, start, _, _ in decoded} == {UTC}


def test_several_queries_read_in_one_round_trip_give_each_its_own_rows(team: Book) -> None:
    acme, beta = team.customer("Acme Corp"), team.customer("Beta Ltd")
    team.book(acme, "screen-share", "2026-03-02T10:00")
    team.book(beta, "screen-share", "2026-03-03T10:00")
    early = sa_select(*_COLUMNS).where(col(SessionRow.start_utc) < datetime(2026, 3, 3, tzinfo=UTC))
    none = sa_select(*_COLUMNS).where(col(SessionRow.id) < 0)
    every = sa_select(*_COLUMNS)
    with team.ctx.db.reading() as session:
        texts = json_texts(session, early, none, every)
        alone = [rows_as_json(session, query) for query in (early, none, every)]
    together = [decoded(text) for text in texts]
    assert [len(rows) for rows in together] == [1, 0, 2]
    assert [sorted(map(tuple, rows)) for rows in together] == [
        sorted(map(tuple, rows)) for rows in alone
    ]


def test_no_rows_is_an_empty_list_and_an_order_is_refused(team: Book) -> None:
    query = sa_select(*_COLUMNS).where(col(SessionRow.id) < 0)
    with team.ctx.db.reading() as session:
        assert rows_as_json(session, query) == []
        with pytest.raises(ValueError, match="no order"):
            rows_as_json(session, query.order_by(col(SessionRow.id)))


def test_an_instant_is_read_from_either_engines_text() -> None:
    # SQLite's stored UTC has no offset; PostgreSQL writes the connection's.
    assert instant("2026-03-02 15:00:00.000000") == datetime(2026, 3, 2, 15, tzinfo=UTC)
    assert instant("2026-03-02T10:00:00-05:00") == datetime(2026, 3, 2, 15, tzinfo=UTC)
    assert instant("2026-03-02T10:00:00-05:00").tzinfo is UTC
    # And what each engine is asked with reads back as the same instant.
    moment = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert {instant(write(moment)) for write in INSTANT_TEXT.values()} == {moment}


def test_a_thousand_ids_are_one_parameter_and_find_exactly_their_rows(team: Book) -> None:
    acme = team.customer("Acme Corp")
    booked = [team.book(acme, "screen-share", f"2026-03-{day:02d}T10:00").id for day in (2, 3)]
    # Ids that exist and ids that do not, more than SQLite's old limit of one run.
    wanted = [*booked, *range(10_000, 11_000)]
    with team.ctx.db.reading() as session:
        runs = list(id_runs(session, wanted))
        assert len(runs) == 1
        query = sa_select(col(SessionRow.id)).where(among(session, col(SessionRow.id), wanted))
        found = session.connection().execute(query).scalars().all()
    assert sorted(found) == sorted(booked)
