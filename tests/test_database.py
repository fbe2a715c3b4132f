"""The book on disk: created right; foreign or damaged files refused untouched; migrations."""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import desktop.models.database as database_module
import desktop.models.migrations as migrations_module
import desktop.models.tables  # noqa: F401 - registers every table in SQLModel.metadata
import pytest
import sqlalchemy
import sqlalchemy.exc
from desktop.cli import main
from desktop.errors import StoreError, StoreLocked
from desktop.models.database import Database, InstanceLock, inspect_file
from desktop.models.migrations import (
    APPLICATION_ID,
    LATEST_VERSION,
    MIGRATIONS,
    SCHEMA_TABLE,
    Migration,
)
from desktop.models.tables import DERIVED, Contact, Customer
from desktop.services.attention_reads import UtcDays, Window, tallies_in_windows
from desktop.services.customers import CustomerBook, CustomerDraft
from desktop.services.policy import Policy
from desktop.services.scheduling.status import SessionStatus
from sqlmodel import SQLModel, select

from sessions_helpers import Book


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pragma(path: Path, name: str) -> object:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def customer_names(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT name FROM customer ORDER BY name")]
    finally:
        conn.close()


def acme(name: str = "Acme Logistics") -> CustomerDraft:
    return CustomerDraft(
        name=name,
        product="SpiraPlan",
        users="120",
        start="2026-01-05",
        package="gold",
        contacts="Dana Whitfield <dana@acme.example>",
    )


def make_book(path: Path, policy: Policy, *names: str) -> None:
    db = Database(path)
    try:
        book = CustomerBook(db, policy)
        for name in names:
            book.add(acme(name))
    finally:
        db.close()


# --- a new book ----------------------------------------------------------------------------------


def test_new_file_is_a_wal_book_with_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "folder" / "book.sqlite"
    db = Database(path)
    try:
        assert path.is_file()
        assert db.backup is None
        assert pragma(path, "journal_mode") == "wal"
        assert pragma(path, "application_id") == APPLICATION_ID
        assert pragma(path, "user_version") == LATEST_VERSION
        with db.reading() as session:
            connection = session.connection()
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        db.close()
    assert not list(path.parent.glob("*backup*"))


def test_empty_file_becomes_a_new_book(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite"
    path.touch()
    Database(path).close()
    assert inspect_file(path) == LATEST_VERSION


def test_foreign_keys_are_enforced(db: Database, book: CustomerBook) -> None:
    customer = book.add(acme())
    with pytest.raises(sqlalchemy.exc.IntegrityError), db.transaction() as session:
        session.add(Contact(customer_id=customer.id + 1000, name="Ghost", email="g@x.example"))
    # deleting a customer takes its contacts with it (ON DELETE CASCADE)
    with db.transaction() as session:
        row = session.get(Customer, customer.id)
        assert row is not None
        session.delete(row)
    with db.reading() as session:
        assert session.exec(select(Contact)).all() == []


def test_reopening_a_current_book_keeps_data_and_makes_no_backup(
    tmp_path: Path, policy: Policy
) -> None:
    path = tmp_path / "book.sqlite"
    make_book(path, policy, "Acme Logistics")
    db = Database(path)
    try:
        assert db.backup is None
        assert [c.name for c in CustomerBook(db, policy).list()] == ["Acme Logistics"]
    finally:
        db.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.sqlite"]


# --- files that are not ours ---------------------------------------------------------------------


def _text_file(path: Path, policy: Policy) -> None:
    path.write_text("name,product,users\nAcme,SpiraPlan,120\n", encoding="utf-8")


def _random_bytes(path: Path, policy: Policy) -> None:
    path.write_bytes(random.Random(20260105).randbytes(8192))


def _truncated(path: Path, policy: Policy) -> None:
    make_book(path, policy, "Acme Logistics", "Borealis Health")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _header_only(path: Path, policy: Policy) -> None:
    make_book(path, policy)
    path.write_bytes(path.read_bytes()[:100])


def _damaged_page(path: Path, policy: Policy) -> None:
    make_book(path, policy, "Acme Logistics")
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[2 * page_size : 2 * page_size + 64] = b"\xff" * 64  # page 3's b-tree header
    path.write_bytes(bytes(data))


def _foreign_sqlite(path: Path, policy: Policy) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    conn.execute("INSERT INTO invoices (amount) VALUES (12.5)")
    conn.commit()
    conn.close()


def _newer_version(path: Path, policy: Policy) -> None:
    make_book(path, policy, "Acme Logistics")
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.commit()
    conn.close()


BAD_FILES: list[tuple[str, Callable[[Path, Policy], None], str]] = [
    ("text", _text_file, "not an SQLite file"),
    ("random-bytes", _random_bytes, "not an SQLite file"),
    ("truncated", _truncated, "damaged"),
    ("header-only", _header_only, "damaged"),
    ("damaged-page", _damaged_page, "damaged"),
    ("foreign-sqlite", _foreign_sqlite, "another program"),
    ("newer-version", _newer_version, "newer amplan"),
]


@pytest.fixture(params=BAD_FILES, ids=[case[0] for case in BAD_FILES])
def bad_file(request: pytest.FixtureRequest, tmp_path: Path, policy: Policy) -> tuple[Path, str]:
    _name, make, why = request.param
    folder = tmp_path / "books"
    folder.mkdir()
    path = folder / "book.sqlite"
    make(path, policy)
    assert sorted(p.name for p in folder.iterdir()) == ["book.sqlite"]
    return path, why


def assert_untouched(path: Path, digest: str) -> None:
    assert sha256(path) == digest
    assert sorted(p.name for p in path.parent.iterdir()) == ["book.sqlite"]  # no -wal/-shm/backup


def test_bad_file_is_refused_untouched(bad_file: tuple[Path, str]) -> None:
    path, why = bad_file
    digest = sha256(path)
    with pytest.raises(StoreError) as caught:
        Database(path)
    message = str(caught.value)
    assert str(path) in message
    assert why in message
    assert "left untouched" in message
    assert_untouched(path, digest)


def test_bad_file_is_refused_untouched_by_the_cli(
    bad_file: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, why = bad_file
    digest = sha256(path)
    assert main(["--db", str(path), "customer", "list", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert why in captured.err
    assert "left untouched" in captured.err
    assert "Traceback" not in captured.err
    # a command that would write is refused the same way
    argv = ["--db", str(path), "customer", "add", "--name", "X", "--product", "SpiraTest"]
    assert main([*argv, "--users", "3", "--start", "2026-01-05"]) == 2
    assert "left untouched" in capsys.readouterr().err
    assert_untouched(path, digest)


def test_newer_book_is_refused_with_both_versions(tmp_path: Path, policy: Policy) -> None:
    path = tmp_path / "book.sqlite"
    _newer_version(path, policy)
    with pytest.raises(StoreError, match=f"schema {LATEST_VERSION + 1}.*up to {LATEST_VERSION}"):
        Database(path)


def test_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "book.sqlite"
    folder.mkdir()
    with pytest.raises(StoreError, match="folder"):
        Database(folder)


# --- migrations ----------------------------------------------------------------------------------


def add_migration(monkeypatch: pytest.MonkeyPatch, migrations: tuple[Migration, ...]) -> None:
    """Make amplan believe `migrations` is its whole schema history."""
    latest = migrations[-1].version
    for module in (database_module, migrations_module):
        monkeypatch.setattr(module, "MIGRATIONS", migrations)
        monkeypatch.setattr(module, "LATEST_VERSION", latest)


def _add_region(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE customer ADD COLUMN region VARCHAR NOT NULL DEFAULT 'EMEA'")


def test_migration_makes_a_backup_first_and_keeps_the_data(
    tmp_path: Path, policy: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "book.sqlite"
    make_book(path, policy, "Acme Logistics", "Borealis Health")
    old_version = LATEST_VERSION
    add_migration(monkeypatch, (*MIGRATIONS, Migration(old_version + 1, "regions", _add_region)))

    db = Database(path)
    db.close()

    backup = db.backup
    assert backup is not None and backup.exists()
    assert backup.parent == path.parent
    assert f"schema{old_version}" in backup.name
    # the backup is a sound copy of the old book
    assert pragma(backup, "integrity_check") == "ok"
    assert pragma(backup, "user_version") == old_version
    assert pragma(backup, "application_id") == APPLICATION_ID
    assert customer_names(backup) == ["Acme Logistics", "Borealis Health"]
    assert inspect_file(backup) == old_version  # an amplan book this version would migrate
    # the book itself is migrated and kept its customers
    assert pragma(path, "user_version") == old_version + 1
    assert customer_names(path) == ["Acme Logistics", "Borealis Health"]
    conn = sqlite3.connect(path)
    try:
        regions = conn.execute("SELECT DISTINCT region FROM customer").fetchall()
    finally:
        conn.close()
    assert regions == [("EMEA",)]


def test_failed_migration_changes_nothing_in_the_book(
    tmp_path: Path, policy: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "book.sqlite"
    make_book(path, policy, "Acme Logistics")

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (id INTEGER)")
        conn.execute("ALTER TABLE no_such_table ADD COLUMN x INTEGER")

    add_migration(monkeypatch, (*MIGRATIONS, Migration(LATEST_VERSION + 1, "broken", broken)))
    with pytest.raises(StoreError, match="Could not prepare"):
        Database(path)
    assert pragma(path, "user_version") == LATEST_VERSION
    assert customer_names(path) == ["Acme Logistics"]
    conn = sqlite3.connect(path)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()
    assert "half_done" not in tables
    assert len(list(tmp_path.glob("*backup*"))) == 1


@pytest.mark.parametrize("old_version", range(1, LATEST_VERSION))
def test_real_migrations_from_an_older_book(
    tmp_path: Path, policy: Policy, monkeypatch: pytest.MonkeyPatch, old_version: int
) -> None:
    path = tmp_path / "book.sqlite"
    with monkeypatch.context() as patch:
        add_migration(patch, MIGRATIONS[:old_version])
        Database(path).close()
        assert pragma(path, "user_version") == old_version
    conn = sqlite3.connect(path)
    with conn:  # written as that release wrote it: the models of today have more columns
        conn.execute(
            "INSERT INTO customer (id, name, product, users, start, package, package_start, "
            "created_utc, updated_utc) VALUES (1, 'Acme Logistics', 'SpiraPlan', 120, "
            "'2026-01-05', 'gold', '2026-01-05', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
        conn.execute(
            "INSERT INTO contact (customer_id, name, email) "
            "VALUES (1, 'Dana Whitfield', 'dana@acme.example')"
        )
    conn.close()
    db = Database(path)
    try:
        assert db.backup is not None and customer_names(db.backup) == ["Acme Logistics"]
        assert pragma(path, "user_version") == LATEST_VERSION
        record = CustomerBook(db, policy).get("Acme Logistics")
        assert record.contacts[0].email == "dana@acme.example"
    finally:
        db.close()


def test_migrated_schema_matches_the_models(db: Database) -> None:
    """The migrations (run on this engine) build exactly the tables the models describe, and
    the tables the database keeps itself (`DERIVED`)."""
    inspector = sqlalchemy.inspect(db.engine)
    db_tables = set(inspector.get_table_names()) - {SCHEMA_TABLE}
    assert db_tables == set(SQLModel.metadata.tables) | set(DERIVED.tables)
    for table in [*SQLModel.metadata.sorted_tables, *DERIVED.sorted_tables]:
        columns = {c["name"]: c for c in inspector.get_columns(table.name)}
        assert set(columns) == {c.name for c in table.columns}, table.name
        primary = set(inspector.get_pk_constraint(table.name)["constrained_columns"])
        for column in table.columns:
            assert (column.name in primary) == column.primary_key, (table.name, column.name)
            if not column.primary_key:
                assert columns[column.name]["nullable"] == column.nullable, (
                    table.name,
                    column.name,
                )
        db_keys = {
            (fk["constrained_columns"][0], fk["referred_table"], fk["referred_columns"][0])
            for fk in inspector.get_foreign_keys(table.name)
        }
        model_keys = {
            (fk.parent.name, fk.column.table.name, fk.column.name) for fk in table.foreign_keys
        }
        assert db_keys == model_keys, table.name
        indexed = {tuple(ix["column_names"]) for ix in inspector.get_indexes(table.name)}
        for index in table.indexes:
            assert tuple(c.name for c in index.columns) in indexed, (table.name, index.name)
        indexed |= {
            tuple(uc["column_names"]) for uc in inspector.get_unique_constraints(table.name)
        }
        for column in table.columns:
            if column.index or column.unique:
                assert (column.name,) in indexed, (table.name, column.name)


# --- several writers -----------------------------------------------------------------------------


def test_two_databases_on_one_file_lose_nothing(tmp_path: Path, policy: Policy) -> None:
    path = tmp_path / "book.sqlite"
    databases = [Database(path), Database(path)]
    errors: list[BaseException] = []
    per_thread = 15

    def work(worker: int) -> None:
        book = CustomerBook(databases[worker % 2], policy)
        try:
            for n in range(per_thread):
                book.add(acme(f"Customer {worker}-{n}"))
                book.list()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        names = {c.name for c in CustomerBook(databases[0], policy).list()}
        assert names == {f"Customer {w}-{n}" for w in range(4) for n in range(per_thread)}
    finally:
        for database in databases:
            database.close()
    assert pragma(path, "integrity_check") == "ok"
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("SELECT COUNT(*) FROM contact").fetchone()[0] == 4 * per_thread
    finally:
        conn.close()


def test_one_transaction_is_all_or_nothing(db: Database, book: CustomerBook) -> None:
    book.add(acme())
    now = datetime.now(UTC)
    with pytest.raises(RuntimeError), db.transaction() as session:
        session.add(
            Customer(
                name="Half Done",
                product="SpiraTest",
                users=3,
                start=date(2026, 1, 5),
                package_start=date(2026, 1, 5),
                created_utc=now,
                updated_utc=now,
            )
        )
        session.flush()
        raise RuntimeError("the user's action failed half-way")
    assert [c.name for c in book.list()] == ["Acme Logistics"]


# --- one window per book ------------------------------------------------------------------------


def test_instance_lock_keeps_a_second_window_off(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite"
    first, second = InstanceLock(path), InstanceLock(path)
    first.acquire()
    try:
        with pytest.raises(StoreLocked) as caught:
            second.acquire()
        message = str(caught.value)
        assert "book.sqlite" in message
        assert "already open" in message
        assert f"process {os.getpid()}" in message
        assert isinstance(caught.value, StoreError) and caught.value.exit_code == 2
    finally:
        first.release()
    second.acquire()
    try:
        with pytest.raises(StoreLocked):
            InstanceLock(path).acquire()
    finally:
        second.release()
    first.release()  # releasing twice is harmless
    third = InstanceLock(path)
    third.acquire()
    third.release()


def test_a_book_of_before_the_tallies_gets_them_for_its_sessions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 7 fills `session_tally` from the sessions already booked: the dashboard's
    counts of an upgraded book are its sessions' (a round table counts for each seat)."""
    path = tmp_path / "book.sqlite"
    with monkeypatch.context() as patch:
        add_migration(patch, MIGRATIONS[:6])
        old = Book(path)
        acme, globex = old.customer("Acme Corp"), old.customer("Globex")
        done = old.book(acme, "assistance", "2026-03-02T10:00", minutes=90)
        old.scheduler.set_status(done.id, SessionStatus.DONE)
        old.book([acme, globex], "round-table", "2026-03-12T11:00")
        old.close()
    new = Book(path)
    try:
        days = (date(2026, 3, 1), date(2026, 4, 1))
        windows = [Window(c.id, ("assistance", "round-table"), *days) for c in (acme, globex)]
        found = tallies_in_windows(new.ctx.db, UtcDays(new.clock), windows)
        assert found[(acme.id, "assistance", *days)].split(hours=True) == (1.5, 0)
        assert found[(acme.id, "round-table", *days)].split(hours=False) == (0, 1)
        assert found[(globex.id, "round-table", *days)].split(hours=False) == (0, 1)
        assert found[(globex.id, "assistance", *days)].sessions() == 0
    finally:
        new.close()
