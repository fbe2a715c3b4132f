"""A full disk, a locked or read-only book, hostile ids and names: plain messages (exit 2),
never a traceback, nothing already saved lost, and no file left behind."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import desktop.models.database as database_module
import desktop.services.customers as customers_module
import pytest
from desktop.cli import main
from desktop.errors import StoreError, StoreLocked
from desktop.models.database import Database, InstanceLock
from desktop.models.store_errors import StoreBusy, StoreFull, row_id
from desktop.services.customers import CustomerBook, CustomerDraft
from desktop.services.policy import Policy
from sqlalchemy import event

from safety_helpers import (
    NOBODY,
    fill,
    integrity,
    open_folder,
    query,
    remount_read_only,
    run_cli,
    tmpfs,
)

ADD = ["customer", "add", "--product", "SpiraPlan", "--users", "120", "--start", "2026-01-05"]


def customers_csv(path: Path, count: int, prefix: str = "Imported") -> Path:
    lines = ["name,product,users,start,package,contacts"]
    lines += [
        f"{prefix} {n},SpiraPlan,{20 + n % 300},2026-01-05,gold,Contact {n} <c{n}@example.org>"
        for n in range(count)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def names(path: Path) -> list[str]:
    return [str(row[0]) for row in query(path, "SELECT name FROM customer ORDER BY id")]


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


# --- a full disk -------------------------------------------------------------------------------


@pytest.fixture
def file_db(tmp_path: Path) -> Iterator[Database]:
    """A book in a file: disk-full and lock failures are SQLite's own (a PostgreSQL server
    reports its own, tested with the team book)."""
    database = Database(tmp_path / "book.sqlite")
    yield database
    database.close()


@pytest.fixture
def file_book(file_db: Database, policy: Policy) -> CustomerBook:
    return CustomerBook(file_db, policy)


@pytest.mark.parametrize(
    "command",
    [
        ["customer", "import", "{csv}"],
        [*ADD, "--name", "Another {pad}"],
        ["plan", "--all", "--from", "2026-01-05", "--apply"],
    ],
    ids=["import", "add", "plan"],
)
def test_a_full_disk_is_a_plain_message_and_nothing_is_lost(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with tmpfs(512) as folder:
        book = folder / "book.sqlite"
        assert cli(capsys, "--db", str(book), *ADD, "--name", "Acme Logistics")[0] == 0
        csv = customers_csv(tmp_path / "many.csv", 800)
        fill(folder)
        argv = [part.format(csv=csv, pad="x" * 3000) for part in command]
        for _ in range(3):  # again and again: never a traceback, never "damaged"
            code, err = cli(capsys, "--db", str(book), *argv)
            assert code == 2
            assert "is full" in err and "nothing was saved" in err
            assert "damaged" not in err
        for filler in folder.glob("filler*"):
            filler.unlink()
        assert integrity(book) == "ok"
        assert names(book) == ["Acme Logistics"]
        assert cli(capsys, "--db", str(book), "customer", "list")[0] == 0


def test_an_injected_full_disk_rolls_back_the_whole_import(
    file_db: Database, file_book: CustomerBook, tmp_path: Path
) -> None:
    """SQLITE_FULL without a mount: the file_book may not grow by a page."""
    file_book.add(CustomerDraft("Acme", "SpiraPlan", "120", "2026-01-05"))
    pages = int(query(file_db.path, "PRAGMA page_count")[0][0])
    file_db.engine.dispose()

    @event.listens_for(file_db.engine, "connect")
    def _no_room(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 1}")

    text = customers_csv(tmp_path / "many.csv", 500).read_text(encoding="utf-8")
    with pytest.raises(StoreFull, match="is full: nothing was saved"):
        file_book.import_rows(text)
    assert [c.name for c in file_book.list()] == ["Acme"]


# --- locked, read-only -------------------------------------------------------------------------


def test_a_book_locked_past_the_busy_timeout_is_a_plain_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "book.sqlite"
    assert cli(capsys, "--db", str(path), *ADD, "--name", "Acme")[0] == 0
    monkeypatch.setattr(database_module, "BUSY_TIMEOUT_MS", 200)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        code, err = cli(capsys, "--db", str(path), *ADD, "--name", "Borealis")
        assert code == 2
        assert "is busy" in err and "Nothing was saved" in err
        with pytest.raises(StoreBusy):
            db = Database(path)
            try:
                CustomerBook(db, _policy()).add(
                    CustomerDraft("Cobalt", "SpiraTest", "3", "2026-01-05")
                )
            finally:
                db.close()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert names(path) == ["Acme"]


def _policy() -> Policy:
    from desktop.services.policy import load_policy

    return load_policy()


def test_a_read_only_medium_reads_and_refuses_writes_plainly(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with tmpfs(2048) as folder:
        book = folder / "book.sqlite"
        assert cli(capsys, "--db", str(book), *ADD, "--name", "Acme")[0] == 0
        remount_read_only(folder)
        before = sorted(p.name for p in folder.iterdir())
        assert main(["--db", str(book), "customer", "list"]) == 0
        assert "Acme" in capsys.readouterr().out
        code, err = cli(capsys, "--db", str(book), *ADD, "--name", "Borealis")
        assert code == 2
        assert "read-only" in err and "damaged" not in err
        assert sorted(p.name for p in folder.iterdir()) == before


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user (setpriv)")
@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_book_leaves_no_side_files(what: str, request: pytest.FixtureRequest) -> None:
    """As a user who may not write the file (or its folder): reading works and leaves no
    -wal/-shm behind; writing is refused with a plain message."""
    folder = open_folder()
    request.addfinalizer(lambda: shutil.rmtree(folder, ignore_errors=True))
    book = folder / "book.sqlite"
    assert run_cli("--db", str(book), *ADD, "--name", "Acme").returncode == 0
    backups = folder / "book.sqlite.backups"
    os.chown(folder, NOBODY, NOBODY)
    book.chmod(0o444)
    if what == "folder":
        os.chown(folder, 0, 0)
        folder.chmod(0o555)
    before = sorted(p.name for p in folder.iterdir())
    settings = open_folder()  # that user's own settings folder
    os.chown(settings, NOBODY, NOBODY)
    as_nobody = {"AMPLAN_CONFIG": str(settings)}
    listed = run_cli("--db", str(book), "customer", "list", "--json", user=NOBODY, env=as_nobody)
    assert listed.returncode == 0, listed.stderr
    assert "Acme" in listed.stdout
    assert sorted(p.name for p in folder.iterdir()) == before
    added = run_cli("--db", str(book), *ADD, "--name", "Borealis", user=NOBODY, env=as_nobody)
    assert added.returncode == 2
    assert "read-only" in added.stderr and "Traceback" not in added.stderr
    assert sorted(p.name for p in folder.iterdir()) == before
    assert not backups.exists()
    assert names(book) == ["Acme"]


# --- hostile ids, names and files --------------------------------------------------------------


def test_huge_and_odd_ids_name_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(tmp_path / "book.sqlite")
    assert cli(capsys, "--db", path, *ADD, "--name", "Acme")[0] == 0
    for args in (
        ["done", "99999999999999999999"],
        ["cancel", "9223372036854775808"],
        ["move", "1" * 40, "--start", "2026-03-03T10:00"],
        ["customer", "show", "99999999999999999999"],
        ["history", "--session", "²"],
        ["export-ics", "--session", "99999999999999999999", "-o", str(tmp_path / "x.ics")],
    ):
        code, err = cli(capsys, "--db", path, *args)
        assert code == 2, args
        assert "No " in err
    assert row_id("9223372036854775807") == 2**63 - 1
    assert row_id("9223372036854775808") is None


def test_nul_bytes_are_refused_in_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(tmp_path / "book.sqlite")
    code, err = cli(capsys, "--db", path, *ADD, "--name", "Ac\x00me")
    assert code == 2 and "NUL" in err
    (tmp_path / "nul.csv").write_text(
        "name,product,users,start\nAc\x00me,SpiraPlan,12,2026-01-05\n", encoding="utf-8"
    )
    code, err = cli(capsys, "--db", path, "customer", "import", str(tmp_path / "nul.csv"))
    assert code == 2 and "NUL" in err
    assert names(Path(path)) == []


def test_a_csv_field_over_128_kib_is_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(tmp_path / "book.sqlite")
    csv = tmp_path / "big.csv"
    csv.write_text(
        'name,product,users,start\n"' + "a" * 140_000 + '",SpiraPlan,12,2026-01-05\n'
        "Fine,SpiraPlan,12,2026-01-05\n",
        encoding="utf-8",
    )
    code, err = cli(capsys, "--db", path, "customer", "import", str(csv))
    assert code == 2
    assert "line 2" in err and "field larger than field limit" in err
    assert names(Path(path)) == []


def test_output_goes_through_a_symlink_and_never_into_a_device(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(tmp_path / "book.sqlite")
    real = tmp_path / "calendars" / "real.ics"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.ics"
    link.symlink_to(real)
    assert cli(capsys, "--db", path, "export-ics", "--all", "-o", str(link))[0] == 0
    assert link.is_symlink() and link.resolve() == real
    assert real.read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")
    fifo = tmp_path / "pipe.ics"
    os.mkfifo(fifo)
    for target in ("/dev/null", str(fifo)):
        code, err = cli(capsys, "--db", path, "export-ics", "--all", "-o", target)
        assert code == 2 and "device or a pipe" in err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    code, err = cli(capsys, "--db", path, "backup", "-o", "/dev/null")
    assert code == 2 and "not a file" in err


# --- the window's lock ------------------------------------------------------------------------

_HOLD_LOCK = """
import sys, time
from pathlib import Path
from desktop.models.database import InstanceLock
lock = InstanceLock(Path(sys.argv[1]))
lock.acquire()
print("held", flush=True)
time.sleep(120)
"""


def _holder(book: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(book)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_a_lock_left_by_a_killed_window_does_not_keep_the_book_closed(tmp_path: Path) -> None:
    book = tmp_path / "book.sqlite"
    Database(book).close()
    holder = _holder(book)
    try:
        with pytest.raises(StoreLocked, match="already open"):
            InstanceLock(book).acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()
    assert (tmp_path / "book.sqlite.lock").exists()  # left behind by the killed window
    lock = InstanceLock(book)
    lock.acquire()
    lock.release()


def test_quit_after_start_on_a_held_book_exits_with_a_message(tmp_path: Path) -> None:
    book = tmp_path / "book.sqlite"
    Database(book).close()
    holder = _holder(book)
    try:
        started = time.monotonic()
        result = run_cli("--db", str(book), "gui", "--quit-after-start", timeout=60)
        assert result.returncode == 2
        assert "already open in another amplan window" in result.stderr
        assert time.monotonic() - started < 60
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()


# --- customer import: linear, and the write lock only while writing ---------------------------


def _statements(db: Database, action: object) -> int:
    count = 0

    def counter(*_args: object) -> None:
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        action()  # type: ignore[operator]
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    return count


def test_customer_import_writes_in_a_number_of_statements_that_hardly_grows(
    db: Database, book: CustomerBook, tmp_path: Path
) -> None:
    """20,000 rows took 88 s with a query per row; now the writes are batched."""
    small = customers_csv(tmp_path / "small.csv", 200, "Small").read_text(encoding="utf-8")
    large = customers_csv(tmp_path / "large.csv", 20_000, "Large").read_text(encoding="utf-8")
    few = _statements(db, lambda: book.import_rows(small))
    many = _statements(db, lambda: book.import_rows(large))
    assert book.count() == 20_200
    assert many < few * 10  # 100 times the rows


def test_customer_import_does_not_hold_the_write_lock_while_checking_rows(
    file_db: Database, file_book: CustomerBook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = customers_csv(tmp_path / "c.csv", 50).read_text(encoding="utf-8")
    real = customers_module.validate_draft
    writes_possible: list[bool] = []

    def checking(policy: Policy, draft: CustomerDraft) -> object:
        other = sqlite3.connect(file_db.path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            writes_possible.append(True)
        except sqlite3.OperationalError:
            writes_possible.append(False)
        finally:
            other.close()
        return real(policy, draft)

    monkeypatch.setattr(customers_module, "validate_draft", checking)
    assert file_book.import_rows(text).imported == 50
    assert writes_possible and all(writes_possible)


def test_the_store_error_names_the_book_and_is_a_store_error(tmp_path: Path) -> None:
    err = sqlite3.OperationalError("database or disk is full")
    from desktop.models.store_errors import translate

    message = translate(err, tmp_path / "book.sqlite")
    assert isinstance(message, StoreError)
    assert str(tmp_path / "book.sqlite") in str(message)


def test_a_file_name_too_long_for_the_system_is_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by the fuzzer: `summary -o` with a 5,000-character name was a traceback."""
    path = str(tmp_path / "book.sqlite")
    assert cli(capsys, "--db", path, *ADD, "--name", "Acme")[0] == 0
    long_name = str(tmp_path / ("x" * 5000))
    for args in (
        ["summary", "--customer", "Acme", "-o", long_name],
        ["book-report", "-o", long_name + ".csv"],
        ["export-ics", "--all", "-o", long_name],
        ["backup", "-o", long_name],
        ["restore", long_name],
        ["customer", "import", long_name],
        ["busy", "import", long_name],
    ):
        code, err = cli(capsys, "--db", path, *args)
        assert code == 2, args
        assert "too long" in err, args
    code, err = cli(capsys, "--db", long_name, "customer", "list")
    assert code == 2 and "too long" in err
