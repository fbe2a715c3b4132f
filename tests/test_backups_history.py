"""Backups (automatic, manual, rotated), restore, and the history every write leaves."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import desktop.models.database as database_module
import desktop.models.migrations as migrations_module
import pytest
from desktop.cli import main
from desktop.errors import StoreError
from desktop.models import backups
from desktop.models.database import Database
from desktop.models.migrations import LATEST_VERSION, MIGRATIONS, Migration

from pg_server import PgServer
from safety_helpers import dump, query

ADD = ["customer", "add", "--product", "SpiraPlan", "--users", "120", "--start", "2026-01-05"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert isinstance(data, dict)
    return data


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def book(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "book.sqlite"
    for name, package in (("Acme Logistics", "gold"), ("Borealis Health", "platinum")):
        assert run(capsys, "--db", str(path), *ADD, "--name", name, "--package", package)[0] == 0
    booked = run(
        capsys,
        "--db",
        str(path),
        "book",
        "--customer",
        "Acme Logistics",
        "--kind",
        "assistance",
        "--start",
        "2026-03-17T10:00",
        "--minutes",
        "60",
        "--requested",
        "2026-03-01T10:00",
    )
    assert booked[0] == 0, booked[2]
    return path


# --- backup, backups, restore -----------------------------------------------------------------


def test_restore_after_a_deliberate_bad_edit_brings_the_book_back_exactly(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(book)
    made = run_json(capsys, "--db", db, "backup")
    copy = Path(str(made["file"]))
    assert copy.parent == book.with_name("book.sqlite.backups") and copy.is_file()
    good = dump(book)
    # the bad edit: a customer archived, another renamed, a session cancelled
    assert run(capsys, "--db", db, "customer", "archive", "Acme Logistics")[0] == 0
    assert run(capsys, "--db", db, "customer", "edit", "Borealis Health", "--users", "3")[0] == 0
    assert run(capsys, "--db", db, "cancel", "1")[0] == 0
    assert dump(book) != good
    restored = run_json(capsys, "--db", db, "restore", str(copy))
    assert dump(book) == good
    assert query(book, "PRAGMA integrity_check") == [("ok",)]
    assert query(book, "PRAGMA journal_mode") == [("wal",)]
    # the book as it was before the restore is kept
    previous = Path(str(restored["previous"]))
    assert previous.is_file()
    assert query(previous, "SELECT archived FROM customer WHERE name = 'Acme Logistics'") == [(1,)]
    listed = run_json(capsys, "--db", db, "backups")["backups"]
    assert isinstance(listed, list)
    files = {entry["file"]: entry for entry in listed}
    assert set(files) >= {str(copy), str(previous)}
    assert files[str(copy)]["customers"] == 2 and files[str(copy)]["sessions"] == 1
    assert set(files[str(copy)]) >= {"file", "created", "customers", "sessions"}
    datetime.fromisoformat(str(files[str(copy)]["created"]))


def test_backup_to_a_chosen_file_and_restore_from_it(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "elsewhere" / "copy.sqlite"
    target.parent.mkdir()
    assert run_json(capsys, "--db", str(book), "backup", "-o", str(target)) == {"file": str(target)}
    assert query(target, "PRAGMA journal_mode") == [("delete",)]  # one self-contained file
    assert not list(target.parent.glob("*.part"))
    assert run(capsys, "--db", str(book), "customer", "archive", "Acme Logistics")[0] == 0
    assert run(capsys, "--db", str(book), "restore", str(target))[0] == 0
    assert "Acme Logistics" in run(capsys, "--db", str(book), "customer", "list")[1]


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"name,product\nAcme,SpiraPlan\n", "not an SQLite file"),
        (b"", "empty"),
    ],
    ids=["text", "empty"],
)
def test_restore_refuses_a_file_that_is_not_an_amplan_book(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, why: str
) -> None:
    other = tmp_path / "other.sqlite"
    other.write_bytes(content)
    before = dump(book)
    code, _, err = run(capsys, "--db", str(book), "restore", str(other))
    assert code == 2 and why in err
    assert dump(book) == before
    assert other.read_bytes() == content


def test_restore_refuses_another_programs_sqlite_file(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    foreign = tmp_path / "invoices.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    before = dump(book)
    code, _, err = run(capsys, "--db", str(book), "restore", str(foreign))
    assert code == 2 and "another program" in err
    assert dump(book) == before
    code, _, err = run(capsys, "--db", str(book), "restore", str(tmp_path / "missing.sqlite"))
    assert code == 2 and "No backup file" in err


def test_a_backup_is_never_opened_as_a_book(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = Path(str(run_json(capsys, "--db", str(book), "backup")["file"]))
    digest = sha256(copy)
    code, _, err = run(capsys, "--db", str(copy), "customer", "list")
    assert code == 2 and "backup copy" in err and "amplan restore" in err
    assert sha256(copy) == digest
    assert sorted(p.name for p in copy.parent.iterdir() if p.name.startswith(".")) == []


def test_the_daily_backup_is_made_at_start_up_and_rotates(book: Path) -> None:
    shutil.rmtree(backups.backup_folder(book))  # the one today's commands made
    db = Database(book)
    try:
        start = datetime(2026, 12, 1, 9, tzinfo=UTC)
        made = [backups.auto_backup(db, start + timedelta(days=day)) for day in range(60)]
        assert all(made)
        assert backups.auto_backup(db, start + timedelta(days=59, hours=20)) is None  # < a day
        daily = [i for i in backups.list_backups(book) if i.kind == "daily"]
    finally:
        db.close()
    days = [i.created for i in daily]
    newest = start + timedelta(days=59)
    assert days[:7] == [newest - timedelta(days=n) for n in range(7)]
    weekly = days[7:]
    assert len(weekly) == 4
    assert len({d.isocalendar()[:2] for d in weekly}) == 4
    assert all(query(i.file, "PRAGMA integrity_check") == [("ok",)] for i in daily)


def test_a_new_book_gets_no_empty_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new.sqlite"
    assert run(capsys, "--db", str(path), "customer", "list")[0] == 0
    assert not (tmp_path / "new.sqlite.backups").exists()


def test_migration_backups_do_not_pile_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "book.sqlite"
    assert run(capsys, "--db", str(path), *ADD, "--name", "Acme")[0] == 0
    migrations = MIGRATIONS
    for step in range(1, 5):

        def add_column(conn: sqlite3.Connection, step: int = step) -> None:
            conn.execute(f"ALTER TABLE customer ADD COLUMN extra{step} INTEGER")

        migrations = (*migrations, Migration(LATEST_VERSION + step, f"extra {step}", add_column))
        for module in (database_module, migrations_module):
            monkeypatch.setattr(module, "MIGRATIONS", migrations)
            monkeypatch.setattr(module, "LATEST_VERSION", migrations[-1].version)
        Database(path).close()
    copies = sorted(tmp_path.glob("book.schema*-backup-*.sqlite"))
    assert len(copies) == database_module.KEEP_MIGRATION_BACKUPS
    # opening one of them neither migrates it nor makes a backup of it
    digest = sha256(copies[0])
    with pytest.raises(StoreError, match="backup copy"):
        Database(copies[0])
    assert sha256(copies[0]) == digest
    assert len(sorted(tmp_path.glob("book.schema*-backup-*.sqlite"))) == len(copies)


def test_a_team_book_is_backed_up_listed_and_restored(
    pg_server: PgServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`backup`, `backups` and `restore` work on the team's book too: a snapshot is an amplan
    file with every row (UIDs and sequences kept), kept in the user's data folder; a restore
    replaces the book in one go after a copy of it as it was, and ids go on after it."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    db = ("--db", pg_server.fresh())
    run_json(capsys, *db, *ADD, "--name", "Acme Logistics", "--package", "gold")
    booking = ["book", "--customer", "Acme Logistics", "--kind", "assistance"]
    booking += ["--start", "2026-03-17T10:00", "--minutes", "60", "--requested", "2026-03-01"]
    kept = run_json(capsys, *db, *booking)
    made = Path(str(run_json(capsys, *db, "backup")["file"]))
    assert made.is_relative_to(tmp_path / "data" / "amplan" / "team-backups")
    [listed] = run_json(capsys, *db, "backups")["backups"]  # type: ignore[misc]
    assert (listed["file"], listed["customers"], listed["sessions"]) == (str(made), 1, 1)
    assert query(made, "SELECT uid, sequence FROM session") == [(kept["uid"], 0)]
    # Elsewhere, too: the copy is a book of its own.
    aside = tmp_path / "team.sqlite"
    assert run_json(capsys, *db, "backup", "-o", str(aside))["file"] == str(aside)
    assert run_json(capsys, "--db", str(aside), "customer", "list")["customers"]

    run_json(capsys, *db, *ADD, "--name", "Borealis Health")
    restored = run_json(capsys, *db, "restore", str(made))
    previous = Path(str(restored["previous"]))
    assert query(previous, "SELECT count(*) FROM customer") == [(2,)]
    names = [c["name"] for c in run_json(capsys, *db, "customer", "list")["customers"]]
    assert names == ["Acme Logistics"]
    [session] = run_json(capsys, *db, "sessions")["sessions"]  # type: ignore[misc]
    assert (session["id"], session["uid"]) == (kept["id"], kept["uid"])
    again = run_json(capsys, *db, *ADD, "--name", "Cobalt Insurance")
    # Ids go on from before the restore: Borealis's id is never given again (a colleague's
    # undo of "add #2" must not remove someone else's new customer).
    assert again["id"] == 3

    not_a_book = tmp_path / "notes.sqlite"
    not_a_book.write_text("not a database")
    code, _, err = run(capsys, *db, "restore", str(not_a_book))
    assert code == 2 and "not an amplan database" in err
    assert len(run_json(capsys, *db, "customer", "list")["customers"]) == 2  # type: ignore[arg-type]


# --- history ---------------------------------------------------------------------------------


def audit_rows(path: Path) -> list[tuple[object, ...]]:
    return query(path, "SELECT action, session_id, customer_id FROM audit_entry ORDER BY id")


def test_every_write_records_one_entry(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(book)
    before = len(audit_rows(book))
    steps: list[tuple[list[str], str]] = [
        (["customer", "edit", "Acme Logistics", "--users", "300"], "edit"),
        (["customer", "archive", "Borealis Health"], "archive"),
        (["customer", "unarchive", "Borealis Health"], "unarchive"),
        (
            [
                "book",
                "--customer",
                "Acme Logistics",
                "--kind",
                "assistance",
                "--start",
                "2026-03-14T10:00",
                "--minutes",
                "60",
                "--requested",
                "2026-03-01T10:00",
                "--override",
                "The customer's go-live weekend",
            ],
            "book",
        ),
        (["move", "2", "--start", "2026-03-15T10:00", "--override", "moved to Sunday"], "move"),
        (["cancel", "2"], "cancelled"),
    ]
    for argv, action in steps:
        code, _, err = run(capsys, "--db", db, *argv)
        assert code == 0, err
        rows = audit_rows(book)
        assert len(rows) == before + 1, argv
        assert rows[-1][0] == action
        before += 1
    csv = tmp_path / "two.csv"
    csv.write_text(
        "name,product,users,start\nCobalt,SpiraTest,3,2026-01-05\nDelta,SpiraTeam,30,2026-02-02\n",
        encoding="utf-8",
    )
    assert run(capsys, "--db", db, "customer", "import", str(csv))[0] == 0
    assert [row[0] for row in audit_rows(book)[-2:]] == ["import", "import"]
    # a refused write records nothing
    count = len(audit_rows(book))
    refused = run(capsys, "--db", db, *ADD, "--name", "Cobalt")
    assert refused[0] == 2
    assert len(audit_rows(book)) == count


def test_history_shows_who_when_what_and_the_override_reason(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(book)
    assert run(capsys, "--db", db, "profile", "set", "--name", "Dana", "--email", "d@x.org")[0] == 0
    booked = run(
        capsys,
        "--db",
        db,
        "book",
        "--customer",
        "Acme Logistics",
        "--kind",
        "assistance",
        "--start",
        "2026-03-14T10:00",
        "--minutes",
        "60",
        "--requested",
        "2026-03-01T10:00",
        "--override",
        "go-live weekend",
    )
    assert booked[0] == 0
    history = run_json(capsys, "--db", db, "history", "--session", "2")["history"]
    assert isinstance(history, list) and len(history) == 1
    [entry] = history
    assert set(entry) >= {"at", "who", "action", "session", "details", "override_reason"}
    assert entry["who"] == "Dana <d@x.org>"
    assert entry["action"] == "book" and entry["session"] == 2
    assert entry["override_reason"] == "go-live weekend"
    assert datetime.fromisoformat(entry["at"]).tzinfo is not None
    assert run(capsys, "--db", db, "customer", "edit", "Acme Logistics", "--users", "300")[0] == 0
    mine = run_json(capsys, "--db", db, "history", "--customer", "Acme Logistics")["history"]
    assert isinstance(mine, list)
    assert [e["action"] for e in mine] == ["add", "book", "book", "edit"]
    assert mine[-1]["details"]["before"]["users"] == 120
    assert mine[-1]["details"]["after"]["users"] == 300
    code, out, _ = run(capsys, "--db", db, "history", "--customer", "Acme Logistics")
    assert code == 0 and "users: 120 -> 300" in out and "[override: go-live weekend]" in out
    # (the profile is the person's, kept in their settings: setting it writes nothing here)
    everything = run_json(capsys, "--db", db, "history")["history"]
    assert isinstance(everything, list) and len(everything) >= 5
    code, _, err = run(capsys, "--db", db, "history", "--customer", "Nobody")
    assert code == 2 and "No customer" in err


def test_a_team_restore_refuses_a_change_made_while_the_book_was_copied_aside(
    pg_server: PgServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A colleague's write between the before-restore copy and the restore would be in
    neither: the restore is refused and the book keeps it."""
    from desktop.services import book_safety

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    db = ("--db", pg_server.fresh())
    run_json(capsys, *db, *ADD, "--name", "Acme Logistics")
    made = str(run_json(capsys, *db, "backup")["file"])
    copy_aside = book_safety.make_backup

    def and_a_colleague_writes(*args: object, **kwargs: object) -> Path:
        aside = copy_aside(*args, **kwargs)  # type: ignore[arg-type]
        assert main([*db, *ADD, "--name", "Borealis Health"]) == 0
        return aside

    monkeypatch.setattr(book_safety, "make_backup", and_a_colleague_writes)
    code, _, err = run(capsys, *db, "restore", made)
    assert code == 2 and "changed" in err and "nothing was restored" in err
    names = [c["name"] for c in run_json(capsys, *db, "customer", "list")["customers"]]
    assert names == ["Acme Logistics", "Borealis Health"]
