"""`join ID --customer C`: one more customer at a round table, checked inside the write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from desktop.cli import main

from sessions_helpers import open_book


def test_join_seats_a_customer_and_refuses_what_cannot_be(
    book_location: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_book(book_location) as book:
        seated = [book.customer(f"Seated {n}") for n in range(9)]
        book.customer("Tenth")
        book.customer("Eleventh")
        table = book.book(seated, "round-table", "2026-03-17T10:00", minutes=90)
        share = book.book(seated[0], "screen-share", "2026-03-18T10:00")
    db = str(book_location)
    assert main(["--db", db, "join", str(table.id), "--customer", "Tenth", "--json"]) == 0
    joined = json.loads(capsys.readouterr().out)
    assert joined["customers"][-1] == "Tenth" and joined["sequence"] == 1
    assert main(["--db", db, "join", str(table.id), "--customer", "Eleventh", "--json"]) == 3
    refused = json.loads(capsys.readouterr().out)
    assert [v["rule"] for v in refused["violations"]] == ["round-table-full"]
    assert main(["--db", db, "join", str(table.id), "--customer", "Tenth"]) == 2
    assert "already has a seat" in capsys.readouterr().err
    assert main(["--db", db, "join", str(share.id), "--customer", "Eleventh"]) == 2
    assert "not a round table" in capsys.readouterr().err
    with open_book(book_location) as book:
        assert len(book.scheduler.get(table.id).customer_ids) == 10
