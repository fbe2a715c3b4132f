"""Rules hold under concurrency: eight processes take the last of something at the same
moment, fifty rounds, on both engines. Exactly one wins each round, the others are refused by
the rule (exit 3), and the quota is never exceeded.

The eight workers are forked once and run `desktop.cli.main` for every round behind a
barrier, as eight managers pressing Book at once would.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import multiprocessing.connection
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from desktop.app import build_context
from desktop.cli import main
from desktop.models import database
from desktop.services.customers import CustomerDraft
from desktop.services.scheduling.sessions import BookingRequest, SessionTimes

WORKERS = 8
ROUNDS = 50
START = date(2026, 1, 5)


def _worker(barrier: Any, inbox: multiprocessing.connection.Connection, book: str | Path) -> None:
    # What is under test is who wins, not how long a writer waits: on a machine whose two
    # cores run several suites at once, eight queued SQLite writers can wait past the app's
    # busy timeout, so the workers wait longer (PostgreSQL's lock waits have no timeout).
    database.BUSY_TIMEOUT_MS = 120_000
    while True:
        argv = inbox.recv()
        if argv is None:
            return
        barrier.wait()
        errors = io.StringIO()
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(errors):
                code = main(["--db", str(book), *argv])
        except Exception as exc:  # a crash is reported as such, not as a silent worker death
            code = -1
            errors.write(repr(exc))
        inbox.send((code, errors.getvalue()))


class Crowd:
    """Eight forked processes that each run one CLI command per round, all at once."""

    def __init__(self, book: str | Path) -> None:
        forking = multiprocessing.get_context("fork")
        barrier = forking.Barrier(WORKERS)
        self.pipes = []
        self.processes = []
        for _ in range(WORKERS):
            mine, theirs = forking.Pipe()
            process = forking.Process(target=_worker, args=(barrier, theirs, book), daemon=True)
            process.start()
            self.pipes.append(mine)
            self.processes.append(process)

    def run(self, commands: list[list[str]]) -> list[int]:
        for pipe, argv in zip(self.pipes, commands, strict=True):
            pipe.send(argv)
        codes = []
        for pipe in self.pipes:
            if not pipe.poll(120):
                raise AssertionError("a worker did not answer within two minutes")
            code, errors = pipe.recv()
            assert code in (0, 3), f"a worker failed with exit {code}: {errors}"
            codes.append(int(code))
        return codes

    def stop(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send(None)
        for process in self.processes:
            process.join(10)
            if process.is_alive():
                process.kill()


@pytest.fixture
def crowd(book_location: Path | str) -> Iterator[Crowd]:
    # Fork before this process opens the book, so no worker inherits a connection.
    crowd = Crowd(book_location)
    yield crowd
    crowd.stop()


def _race_day(context: Any, year: int) -> date:
    """A business day in June of `year`, with another business day after it in June."""
    day = date(year, 6, 10)
    while not (
        context.clock.is_business_day(day) and context.clock.is_business_day(day + timedelta(1))
    ):
        day += timedelta(days=1)
    return day


def _customer(context: Any, name: str) -> None:
    context.customers.add(
        CustomerDraft(
            name=name, product="SpiraPlan", users="120", start=START.isoformat(), package="gold"
        )
    )


def _book(context: Any, names: list[str], kind: str, day: date, hour: int, minutes: int) -> int:
    start = context.clock.parse(f"{day.isoformat()}T{hour:02d}:00")
    request = BookingRequest(
        tuple(context.customers.get(name) for name in names),
        kind,
        SessionTimes(start, start + timedelta(minutes=minutes), False),
        requested_utc=start - timedelta(days=30),
    )
    return context.scheduler.book(request).session.id


def _rounds(
    crowd: Crowd,
    book: Path | str,
    prepare: Callable[[Any, int, date], list[list[str]]],
    count: Callable[[Any, int, date], int],
    limit: int,
) -> None:
    context = build_context(book)
    try:
        for round_number in range(ROUNDS):
            day = _race_day(context, 2027 + round_number)  # a package year for each round
            codes = crowd.run(prepare(context, round_number, day))
            assert sorted(codes) == [0] + [3] * (WORKERS - 1), f"round {round_number}: {codes}"
            assert count(context, round_number, day) == limit, f"round {round_number}"
    finally:
        context.close()


def _sessions_of(context: Any, name: str, kind: str, day: date) -> list[Any]:
    customer = context.customers.get(name)
    first = date(day.year, 1, 1)
    return [
        s
        for s in context.scheduler.find(customer, first, date(day.year, 12, 31), kind=kind)
        if s.status != "cancelled"
    ]


def test_the_last_screen_share_of_a_month_goes_to_one_of_eight(
    crowd: Crowd, book_location: Path | str
) -> None:
    def prepare(context: Any, round_number: int, day: date) -> list[list[str]]:
        name = f"Screen {round_number:02d}"
        _customer(context, name)
        for hour in (9, 10, 11):  # gold: four a month, three taken the next day
            _book(context, [name], "screen-share", day + timedelta(days=1), hour, 60)
        requested = (day - timedelta(days=30)).isoformat() + "T09:00"
        return [
            [
                "book",
                "--customer",
                name,
                "--kind",
                "screen-share",
                "--minutes",
                "60",
                "--start",
                f"{day.isoformat()}T{9 + w:02d}:00",
                "--requested",
                requested,
            ]
            for w in range(WORKERS)
        ]

    def count(context: Any, round_number: int, day: date) -> int:
        return len(_sessions_of(context, f"Screen {round_number:02d}", "screen-share", day))

    _rounds(crowd, book_location, prepare, count, limit=4)


def test_the_last_assistance_hour_goes_to_one_of_eight(
    crowd: Crowd, book_location: Path | str
) -> None:
    def prepare(context: Any, round_number: int, day: date) -> list[list[str]]:
        name = f"Assist {round_number:02d}"
        _customer(context, name)
        _book(context, [name], "assistance", day + timedelta(days=1), 9, 180)  # 3 of 4 hours
        requested = (day - timedelta(days=30)).isoformat() + "T09:00"
        return [
            [
                "book",
                "--customer",
                name,
                "--kind",
                "assistance",
                "--minutes",
                "60",
                "--start",
                f"{day.isoformat()}T{9 + w:02d}:00",
                "--requested",
                requested,
            ]
            for w in range(WORKERS)
        ]

    def count(context: Any, round_number: int, day: date) -> int:
        sessions = _sessions_of(context, f"Assist {round_number:02d}", "assistance", day)
        return sum(s.minutes for s in sessions) // 60

    _rounds(crowd, book_location, prepare, count, limit=4)


def test_the_tenth_round_table_seat_goes_to_one_of_eight(
    crowd: Crowd, book_location: Path | str
) -> None:
    tables: dict[int, int] = {}

    def prepare(context: Any, round_number: int, day: date) -> list[list[str]]:
        if round_number == 0:
            for n in range(9):
                _customer(context, f"Seated {n}")
            for w in range(WORKERS):
                _customer(context, f"Joining {w}")
        seated = [f"Seated {n}" for n in range(9)]  # one round table a package year each
        tables[round_number] = _book(context, seated, "round-table", day, 10, 90)
        return [
            ["join", str(tables[round_number]), "--customer", f"Joining {w}"]
            for w in range(WORKERS)
        ]

    def count(context: Any, round_number: int, day: date) -> int:
        return len(context.scheduler.get(tables[round_number]).customer_ids)

    _rounds(crowd, book_location, prepare, count, limit=10)
