"""`amplan summary (--customer C | --all) -o FILE.pdf|FILE.html` (a fixed contract) and
`amplan book-report -o FILE.csv|FILE.pdf|FILE.html`: files written whole, exit 2 for bad input
with a message on stderr and nothing written."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from desktop import cli_reports, cli_sessions
from desktop.cli import build_parser
from desktop.services.profile import ProfileStore

from sessions_helpers import CliRun, cli, cli_customer, open_book
from summary_helpers import MANAGER, fill, page_size_pt, pdf_text

pytestmark = pytest.mark.usefixtures("qapp")


def _wired() -> bool:
    return "book-report" in build_parser().format_help()


@pytest.fixture(autouse=True)
def report_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    """Until cli.build_parser registers cli_reports itself, register it beside the sessions."""
    if _wired():
        return
    original = cli_sessions.register

    def both(command: object) -> object:
        result = original(command)
        cli_reports.register(command)
        return result

    monkeypatch.setattr(cli_sessions, "register", both)


@pytest.fixture
def db(book_location: Path | str, tmp_path: Path) -> Path:
    path = book_location
    with open_book(path) as book:
        ProfileStore().set_identity(*MANAGER)
        fill(book, book.customer("Acme Logistics", package="gold"), 1)
        fill(book, book.customer("Cobalt Insurance", "SpiraTest", 15, package="none"), 2)
    return path


def summary(db: Path, *args: str) -> CliRun:
    return cli(db, "summary", *args, "--as-of", "2026-03-12")


def test_summary_of_one_customer_as_pdf(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "acme.pdf"
    run = summary(db, "--customer", "Acme Logistics", "-o", str(out))
    assert run.code == 0, run.err
    assert run.data == {"output": str(out), "format": "pdf", "customers": ["Acme Logistics"]}
    text = pdf_text(out)
    assert "Acme Logistics" in text and "Cobalt" not in text
    assert "Usage on Thu 12 Mar 2026" in text
    assert (round(page_size_pt(out)[0]), round(page_size_pt(out)[1])) == (612, 792)
    # (and, for a book in a file, the daily backup amplan makes at start-up)
    book_file = ["book.sqlite"] if isinstance(db, Path) else []
    written = sorted(p.name for p in tmp_path.iterdir() if p.name != "user-config")
    assert written in (
        ["acme.pdf", *book_file],
        ["acme.pdf", *book_file, "book.sqlite.backups"],
    )


def test_summary_by_id_on_a4(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "cobalt.pdf"
    run = summary(db, "--customer", "2", "-o", str(out), "--paper", "a4")
    assert run.code == 0, run.err
    assert (round(page_size_pt(out)[0]), round(page_size_pt(out)[1])) == (595, 842)
    assert "Cobalt Insurance" in pdf_text(out)


def test_summary_of_everyone_as_html(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.html"
    run = summary(db, "--all", "-o", str(out))
    assert run.code == 0, run.err
    assert run.data["customers"] == ["Acme Logistics", "Cobalt Insurance"]
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("ENTITLEMENT SUMMARY") == 2


def test_summary_of_everyone_as_pdf_starts_each_on_a_new_page(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.pdf"
    run = summary(db, "--all", "-o", str(out))
    assert run.code == 0, run.err
    assert pdf_text(out).count("Page 1 of") == 2


def test_a_file_already_there_is_replaced(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "acme.html"
    out.write_text("old")
    assert summary(db, "--customer", "Acme Logistics", "-o", str(out)).code == 0
    assert "Acme Logistics" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--customer", "Nobody", "-o", "{tmp}/x.pdf"), "No customer named 'Nobody'"),
        (("--customer", "Acme Logistics", "-o", "{tmp}/x.docx"), "name it FILE.pdf, FILE.html"),
        (("--customer", "Acme Logistics", "-o", "{tmp}/missing/x.pdf"), "does not exist"),
        (("--customer", "Acme Logistics", "-o", "{tmp}"), "is a folder"),
        (("--customer", "Acme Logistics", "--all", "-o", "{tmp}/x.pdf"), "not allowed with"),
        (("-o", "{tmp}/x.pdf"), "one of the arguments --customer --all is required"),
        (("--all", "-o", "{tmp}/x.pdf", "--paper", "legal"), "invalid choice"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    db: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    run = cli(db, "summary", *(a.format(tmp=out) for a in args))
    assert run.code == 2
    assert message in run.err
    assert list(out.iterdir()) == []


def test_bad_as_of_date_exits_2(db: Path, tmp_path: Path) -> None:
    run = cli(db, "summary", "--all", "-o", str(tmp_path / "x.pdf"), "--as-of", "12/03/2026")
    assert run.code == 2
    assert "is not a --as-of date" in run.err
    assert not (tmp_path / "x.pdf").exists()


def test_empty_book_exits_2(tmp_path: Path) -> None:
    run = cli(tmp_path / "empty.sqlite", "summary", "--all", "-o", str(tmp_path / "x.pdf"))
    assert run.code == 2
    assert "no customers" in run.err


def test_warns_when_the_manager_contact_is_missing(
    book_location: Path | str, tmp_path: Path
) -> None:
    db = book_location
    cli_customer(db, "Acme")
    run = cli(db, "summary", "--customer", "Acme", "-o", str(tmp_path / "acme.html"))
    assert run.code == 0
    assert "amplan profile set" in run.err


def test_book_report_as_csv(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "book.csv"
    run = cli(db, "book-report", "-o", str(out), "--as-of", "2026-03-12")
    assert run.code == 0, run.err
    assert run.data == {"output": str(out), "format": "csv", "customers": 2}
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["customer"] for row in rows] == ["Acme Logistics", "Cobalt Insurance"]
    assert rows[0]["onboarding_used_pct"] == "12.5"


def test_book_report_as_pdf_and_html(db: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "book.pdf"
    assert cli(db, "book-report", "-o", str(pdf)).code == 0
    width, height = page_size_pt(pdf)
    assert width > height  # landscape
    assert "Acme Logistics" in pdf_text(pdf)
    html = tmp_path / "book.htm"
    assert cli(db, "book-report", "-o", str(html)).code == 0
    assert "Cobalt Insurance" in html.read_text(encoding="utf-8")


def test_book_report_refuses_an_unknown_kind(db: Path, tmp_path: Path) -> None:
    run = cli(db, "book-report", "-o", str(tmp_path / "book.xlsx"))
    assert run.code == 2
    assert "FILE.csv, FILE.pdf, FILE.html" in run.err


def test_a_pdf_without_any_display(db: Path, tmp_path: Path) -> None:
    """A cron job or SSH session has no display: the CLI goes off screen by itself."""
    out = tmp_path / "headless.pdf"
    script = textwrap.dedent(
        f"""
        import sys
        from desktop import cli, cli_reports, cli_sessions
        if "book-report" not in cli.build_parser().format_help():
            original = cli_sessions.register
            def both(command):
                result = original(command)
                cli_reports.register(command)
                return result
            cli_sessions.register = both
        sys.exit(cli.main(["--db", {str(db)!r}, "summary", "--customer", "Acme Logistics",
                           "-o", {str(out)!r}]))
        """
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "Acme Logistics" in pdf_text(out)
