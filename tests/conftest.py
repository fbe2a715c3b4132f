"""Shared fixtures of the non-GUI suite: the shipped policy, its clock, a book on a temp file
or on the test PostgreSQL server (`book_location` runs a test on both engines)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from desktop.models.database import Database
from desktop.services.business_time import BusinessClock
from desktop.services.customers import CustomerBook
from desktop.services.policy import Policy, load_policy

# The loopback SMTP server and the in-memory keyring of the mail tests (issue 11).
from mail_helpers import memory_keyring, smtp_server  # noqa: F401
from pg_server import PgServer, running_server
from radicale_server import RadicaleServer
from sessions_helpers import Book, open_book


@pytest.fixture(autouse=True)
def isolated_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test's profile and accounts live under tmp_path, never in the user's own."""
    folder = tmp_path / "user-config"
    monkeypatch.setenv("AMPLAN_CONFIG", str(folder))
    return folder


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="session")
def clock(policy: Policy) -> BusinessClock:
    return BusinessClock(policy.time)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL server for the whole run, started here (or AMPLAN_TEST_PG_URL's)."""
    with running_server() as server:
        if isinstance(server, str):
            pytest.skip(server)
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> str:
    """The engine a test runs on: every test that takes a book runs on both."""
    return str(request.param)


@pytest.fixture
def book_location(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """Where the test's book lives, as `--db` takes it: a temp SQLite file, or an emptied
    migrated database on the test server."""
    if engine == "sqlite":
        return tmp_path / "book.sqlite"
    server: PgServer = request.getfixturevalue("pg_server")
    return server.emptied()


@pytest.fixture
def db(book_location: Path | str) -> Iterator[Database]:
    database = Database(book_location)
    yield database
    database.close()


@pytest.fixture
def book(db: Database, policy: Policy) -> CustomerBook:
    return CustomerBook(db, policy)


@pytest.fixture
def team(book_location: Path | str) -> Iterator[Book]:
    """A book on either engine with the short ways of `sessions_helpers.Book` (a team's
    book: the PostgreSQL run is the shared one)."""
    with open_book(book_location) as opened:  # type: ignore[arg-type]
        yield opened


@pytest.fixture(scope="session")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RadicaleServer]:
    """A real CalDAV server on loopback for the whole run; each test takes its own user."""
    server = RadicaleServer(tmp_path_factory.mktemp("radicale"))
    server.start()
    yield server
    server.stop()
