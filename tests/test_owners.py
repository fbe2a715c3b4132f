"""Each customer has an owner (an account manager's e-mail): by default the manager who adds
it; `customer list --mine | --owner`, `sessions --mine`; round tables mix owners."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from desktop.cli import main
from desktop.models.database import Database
from desktop.models.migrations import APPLICATION_ID, MIGRATIONS, MigrationConnection
from desktop.services.user_config import UserConfig

ME = "dana@example.com"
COLLEAGUE = "lee@example.com"


def run(book: Path | str, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    code = main(["--db", str(book), *argv, "--json"])
    out = capsys.readouterr().out
    return code, (json.loads(out) if out.strip() else None)


def add(book: Path | str, capsys: pytest.CaptureFixture[str], name: str, *extra: str) -> Any:
    argv = ["customer", "add", "--name", name, "--product", "SpiraPlan", "--users", "120"]
    code, data = run(book, capsys, *argv, "--start", "2026-01-05", "--package", "gold", *extra)
    assert code == 0
    return data


def names(data: Any) -> list[str]:
    return [c["name"] for c in data["customers"]]


@pytest.fixture
def me() -> None:
    UserConfig().save_section("profile", {"name": "Dana Manager", "email": ME})


def test_a_new_customer_belongs_to_the_manager_who_adds_it(
    book_location: Path | str, capsys: pytest.CaptureFixture[str], me: None
) -> None:
    assert add(book_location, capsys, "Acme")["owner"] == ME
    assert add(book_location, capsys, "Borealis", "--owner", COLLEAGUE)["owner"] == COLLEAGUE
    code, data = run(book_location, capsys, "customer", "edit", "Acme", "--owner", COLLEAGUE)
    assert (code, data["owner"]) == (0, COLLEAGUE)
    code, data = run(book_location, capsys, "customer", "edit", "Acme", "--users", "130")
    assert (code, data["owner"]) == (0, COLLEAGUE)  # an edit keeps the owner


def test_an_owner_must_be_an_email(
    book_location: Path | str, capsys: pytest.CaptureFixture[str], me: None
) -> None:
    argv = ["customer", "add", "--name", "Acme", "--product", "SpiraPlan", "--users", "5"]
    assert main(["--db", str(book_location), *argv, "--start", "2026-01-05", "--owner", "lee"]) == 2
    assert "owner" in capsys.readouterr().err
    assert run(book_location, capsys, "customer", "list")[1] == {"customers": []}


def test_customer_list_mine_or_a_colleagues(
    book_location: Path | str, capsys: pytest.CaptureFixture[str], me: None
) -> None:
    add(book_location, capsys, "Acme")
    add(book_location, capsys, "Borealis", "--owner", COLLEAGUE)
    add(book_location, capsys, "Cobalt")
    assert names(run(book_location, capsys, "customer", "list")[1]) == [
        "Acme",
        "Borealis",
        "Cobalt",
    ]
    assert names(run(book_location, capsys, "customer", "list", "--mine")[1]) == ["Acme", "Cobalt"]
    owner_list = run(book_location, capsys, "customer", "list", "--owner", "LEE@example.com")
    assert names(owner_list[1]) == ["Borealis"]
    assert main(["--db", str(book_location), "customer", "list", "--mine", "--owner", ME]) == 2


def test_mine_without_a_profile_says_what_to_do(
    book_location: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(book_location), "customer", "list", "--mine"]) == 2
    assert "profile set" in capsys.readouterr().err


def test_sessions_mine_includes_round_tables_shared_with_colleagues(
    book_location: Path | str, capsys: pytest.CaptureFixture[str], me: None
) -> None:
    add(book_location, capsys, "Acme")
    add(book_location, capsys, "Borealis", "--owner", COLLEAGUE)
    add(book_location, capsys, "Cobalt", "--owner", COLLEAGUE)
    when = ["--requested", "2026-03-01T09:00"]
    book = ["book", "--kind", "screen-share", "--minutes", "60", *when]
    assert (
        run(book_location, capsys, *book, "--customer", "Acme", "--start", "2026-03-17T10:00")[0]
        == 0
    )
    assert (
        run(book_location, capsys, *book, "--customer", "Cobalt", "--start", "2026-03-18T10:00")[0]
        == 0
    )
    table = ["book", "--kind", "round-table", "--customer", "Borealis", "--with", "Acme", *when]
    assert run(book_location, capsys, *table, "--start", "2026-03-19T10:00")[0] == 0
    code, data = run(book_location, capsys, "sessions", "--mine")
    assert code == 0
    assert [s["customers"] for s in data["sessions"]] == [["Acme"], ["Acme", "Borealis"]]
    assert len(run(book_location, capsys, "sessions")[1]["sessions"]) == 3


def test_a_solo_book_hands_its_customers_to_its_manager_on_upgrade(tmp_path: Path) -> None:
    """Migration 3 gives an existing book's customers the owner its profile names."""
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    with conn:  # a book of the first release: schema 2
        for migration in MIGRATIONS[:2]:
            migration.apply(MigrationConnection.over_sqlite(conn))
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("INSERT INTO setting VALUES ('profile.email', ?)", (ME,))
        conn.execute(
            "INSERT INTO customer (name, product, users, start, package, package_start, tz, "
            "archived, notes, created_utc, updated_utc) VALUES ('Acme', 'SpiraPlan', 120, "
            "'2026-01-05', 'gold', '2026-01-05', 'America/New_York', 0, '', "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
        conn.execute("PRAGMA user_version = 2")
    conn.close()
    db = Database(path)
    try:
        assert db.backup is not None
        with db.reading() as session:
            from desktop.models.tables import Customer
            from sqlmodel import select

            assert [c.owner for c in session.exec(select(Customer)).all()] == [ME]
    finally:
        db.close()


def test_a_colleagues_session_at_the_same_hour_is_no_conflict(
    book_location: Path | str, capsys: pytest.CaptureFixture[str], me: None
) -> None:
    """A team's book holds every manager's calendar: only one's own sessions clash."""
    add(book_location, capsys, "Acme")
    add(book_location, capsys, "Anvil")
    add(book_location, capsys, "Borealis", "--owner", COLLEAGUE)
    book = ["book", "--kind", "screen-share", "--minutes", "60", "--requested", "2026-03-01T09:00"]
    at = ["--start", "2026-03-17T10:00"]
    assert run(book_location, capsys, *book, "--customer", "Borealis", *at)[0] == 0
    code, acme = run(book_location, capsys, *book, "--customer", "Acme", *at)
    assert code == 0
    code, data = run(book_location, capsys, *book, "--customer", "Anvil", *at)
    assert code == 3 and [v["rule"] for v in data["violations"]] == ["conflict"]
    # A round table of both managers' customers takes both calendars.
    table = ["book", "--kind", "round-table", "--customer", "Anvil", "--with", "Borealis"]
    table += ["--requested", "2026-03-01T09:00", "--start", "2026-03-17T10:30"]
    code, data = run(book_location, capsys, *table)
    assert code == 3 and {v["rule"] for v in data["violations"]} == {"conflict"}
    assert len(data["violations"]) == 2
    # The conflicts list (and the dashboard's clashes) sees the book as the rule does.
    assert run(book_location, capsys, "conflicts")[1]["conflicts"] == []
    forced = [*book, "--customer", "Anvil", *at, "--override", "customer insists"]
    anvil = run(book_location, capsys, *forced)[1]["id"]
    clashes = run(book_location, capsys, "conflicts")[1]["conflicts"]
    pairs = {(c["session"], c["other_session"]) for c in clashes}
    assert pairs == {(anvil, acme["id"]), (acme["id"], anvil)}  # not Borealis: Lee's


def test_customers_without_an_owner_share_one_calendar(
    book_location: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    """No profile, no owners: every session blocks every other, as in a solo book."""
    add(book_location, capsys, "Acme")
    add(book_location, capsys, "Borealis", "--owner", COLLEAGUE)
    book = ["book", "--kind", "screen-share", "--minutes", "60", "--requested", "2026-03-01T09:00"]
    at = ["--start", "2026-03-17T10:00"]
    assert run(book_location, capsys, *book, "--customer", "Borealis", *at)[0] == 0
    code, data = run(book_location, capsys, *book, "--customer", "Acme", *at)
    assert code == 3 and [v["rule"] for v in data["violations"]] == ["conflict"]


def test_busy_time_is_each_managers_own(
    book_location: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.services.scheduling.ledger import Busy
    from desktop.services.scheduling.sessions import RuleRefusal

    from sessions_helpers import open_book

    with open_book(book_location) as book:
        UserConfig().save_section("profile", {"name": "Lee", "email": COLLEAGUE})
        book.customer("Borealis")
        book.scheduler.add_busy(
            [Busy(book.t("2026-03-17T09:00"), book.t("2026-03-17T12:00"), "Lee's dentist")]
        )
        UserConfig().save_section("profile", {"name": "Dana", "email": ME})
        acme = book.customer("Acme")
        assert book.scheduler.busy_blocks() == []  # Lee's calendar is not mine
        assert book.book(acme, "screen-share", "2026-03-17T10:00").id
        book.scheduler.add_busy(
            [Busy(book.t("2026-03-17T13:00"), book.t("2026-03-17T14:00"), "Gym")]
        )
        assert [b.summary for b in book.scheduler.busy_blocks()] == ["Gym"]
        with pytest.raises(RuleRefusal, match="Gym"):
            book.scheduler.book(book.request(acme, "screen-share", "2026-03-17T13:00"))
        assert book.scheduler.clear_busy() == 1
        UserConfig().save_section("profile", {"name": "Lee", "email": COLLEAGUE})
        assert [b.summary for b in book.scheduler.busy_blocks()] == ["Lee's dentist"]
        with pytest.raises(RuleRefusal, match="dentist"):
            book.scheduler.book(
                book.request(book.customers.get("Borealis"), "screen-share", "2026-03-17T10:00")
            )


def test_a_colleagues_busy_time_is_named_by_whose_it_is_not_by_its_title(
    book_location: Path | str,
) -> None:
    """A round table takes a colleague's calendar too: their busy time refuses it, but its
    title stays theirs (as `busy list` shows only one's own), and it is not "your" busy time."""
    from desktop.services.scheduling.conflicts import find_conflicts
    from desktop.services.scheduling.ledger import Busy
    from desktop.services.scheduling.sessions import RuleRefusal

    from sessions_helpers import open_book

    with open_book(book_location) as book:
        UserConfig().save_section("profile", {"name": "Lee", "email": COLLEAGUE})
        borealis = book.customer("Borealis")
        book.scheduler.add_busy(
            [Busy(book.t("2026-03-17T09:00"), book.t("2026-03-17T12:00"), "Lee's dentist")]
        )
        UserConfig().save_section("profile", {"name": "Dana", "email": ME})
        acme = book.customer("Acme")
        table = book.request([acme, borealis], "round-table", "2026-03-17T10:00")
        with pytest.raises(RuleRefusal) as refused:
            book.scheduler.book(table)
        [message] = [v.message for v in refused.value.violations]
        assert f"busy time of {COLLEAGUE}" in message
        assert "dentist" not in message and "your busy time" not in message
        forced = book.request([acme, borealis], "round-table", "2026-03-17T10:00", override="ok")
        book.scheduler.book(forced)
        [clash] = find_conflicts(book.scheduler)
        assert (clash.title, clash.what()) == (f"busy time of {COLLEAGUE}",) * 2
        UserConfig().save_section("profile", {"name": "Lee", "email": COLLEAGUE})
        [clash] = find_conflicts(book.scheduler)
        assert clash.what() == "your busy time 'Lee's dentist'"
