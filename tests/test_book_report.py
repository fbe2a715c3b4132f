"""The book report: one line per customer (allowances used in %, the dashboard's risks, next
session, renewal), as CSV for a spreadsheet and as HTML; printed in test_summary_pdf."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from desktop.services.customers import CustomerDraft
from desktop.services.profile import ProfileStore
from desktop.services.reports.book_report import CSV_COLUMNS, BookReport, book_body, book_csv
from desktop.services.reports.report_html import email_document
from desktop.services.reports.reports import Reports

from sessions_helpers import Book, open_book
from summary_helpers import MANAGER, fill, now


@pytest.fixture
def bk(book_location: Path | str, tmp_path: Path) -> Iterator[Book]:
    with open_book(book_location) as book:
        ProfileStore().set_identity(*MANAGER)
        yield book


def report_of(bk: Book) -> BookReport:
    return Reports(bk.scheduler).book(now(bk))


def csv_rows(bk: Book) -> list[dict[str, str]]:
    data = book_csv(report_of(bk), bk.clock).encode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    return list(reader)


def test_one_row_per_customer_with_the_right_columns(bk: Book) -> None:
    fjord = bk.customer("Fjord Energy", "SpiraPlan", 300, "2026-01-05", "platinum")
    cobalt = bk.customer("Cobalt", "SpiraTest", 15, "2026-01-05", "none")
    acme = bk.customer("Acme", "SpiraPlan", 120, "2026-01-05", "gold")
    for slot, customer in enumerate((acme, fjord, cobalt), start=1):
        fill(bk, customer, slot)
    bk.customers.set_archived("Cobalt")  # an archived customer is not in the book
    rows = csv_rows(bk)
    assert [row["customer"] for row in rows] == ["Acme", "Fjord Energy"]
    acme_row, fjord_row = rows
    assert acme_row["product"] == "SpiraPlan"
    assert acme_row["users"] == "120"
    assert acme_row["band"] == "101-250"
    assert acme_row["package"] == "gold"
    # 1 of 8 onboarding hours held; 1 of 4 screen-shares this month; nothing of the year yet.
    assert acme_row["onboarding_used_pct"] == "12.5"
    assert acme_row["onboarding_scheduled_pct"] == "12.5"  # and one hour still to come
    assert acme_row["onboarding_left_pct"] == "75"
    assert acme_row["screen_share_used_pct"] == "25"
    assert acme_row["screen_share_scheduled_pct"] == "25"
    assert acme_row["assistance_used_pct"] == "0"
    assert acme_row["product_team_used_pct"] == ""  # gold has none
    assert fjord_row["screen_share_used_pct"] == "16.7"  # 1 of 6
    assert acme_row["renewal"] == "2027-01-05"
    assert acme_row["package_renewal"] == "2027-01-05"
    # The next planned session, as ISO 8601 with its offset.
    assert acme_row["next_session"] == "2026-03-17T10:00:00-04:00"
    assert acme_row["next_session_kind"] == "onboarding"


def test_an_allowance_wholly_scheduled_is_not_shown_as_unused(bk: Book) -> None:
    acme = bk.customer("Acme", "SpiraPlan", 120, "2026-03-09", "gold")
    for day in range(16, 21):  # five hours Mon-Fri, three more below: all 8, none held
        if bk.clock.is_business_day(date(2026, 3, day)):
            bk.book(acme, "onboarding", f"2026-03-{day}T10:00", minutes=60)
    bk.book(acme, "onboarding", "2026-03-16T14:00", minutes=60)
    bk.book(acme, "onboarding", "2026-03-17T14:00", minutes=60)
    bk.book(acme, "onboarding", "2026-03-18T14:00", minutes=60)
    (row,) = report_of(bk).rows
    share = row.shares[0]
    assert share is not None
    assert share.short() == "0 / 100 / 0"
    assert share.words() == "Onboarding: 0 used, 8 scheduled, 0 left of 8 hours"
    assert "0 / 100 / 0" in book_body(report_of(bk))
    (csv_row,) = csv_rows(bk)
    assert (csv_row["onboarding_used_pct"], csv_row["onboarding_scheduled_pct"]) == ("0", "100")


def test_no_premium_customer_has_empty_premium_columns(bk: Book) -> None:
    bk.customer("Cobalt", "SpiraTest", 15, "2026-01-05", "none")
    (row,) = csv_rows(bk)
    assert row["onboarding_used_pct"] == "0"
    for column in ("cadence", "screen_share", "assistance", "event_plan", "round_table"):
        assert row[f"{column}_used_pct"] == row[f"{column}_left_pct"] == ""
    assert row["package_renewal"] == ""
    assert row["next_session"] == ""


def test_risks_come_from_the_dashboard(bk: Book) -> None:
    bk.customer("Acme", "SpiraPlan", 120, "2026-01-05", "gold")
    (row,) = csv_rows(bk)
    risks = row["risks"].split("; ")
    assert int(row["risk_count"]) == len(risks) >= 2
    assert any("onboarding not scheduled" in risk for risk in risks)
    assert any("screen-shares unused in March" in risk for risk in risks)
    assert not any(risk.startswith("Acme") for risk in risks)  # the row already names it


def test_an_overdue_round_table_is_a_risk_of_each_customer(bk: Book) -> None:
    acme = bk.customer("Acme", package="gold")
    borealis = bk.customer("Borealis", package="platinum")
    bk.book([acme, borealis], "round-table", "2026-03-10T10:00", minutes=90)
    report = report_of(bk)
    for row in report.rows:
        assert any("still marked planned" in risk for risk in row.risks), row.customer.name


def test_csv_cells_never_start_a_formula(bk: Book) -> None:
    bk.customers.add(
        CustomerDraft(
            name='=HYPERLINK("http://evil.example","x")',
            product="SpiraTest",
            users="10",
            start="2026-01-05",
        )
    )
    (row,) = csv_rows(bk)
    assert row["customer"] == '\'=HYPERLINK("http://evil.example","x")'


def test_csv_keeps_accents_for_spreadsheets(bk: Book) -> None:
    bk.customer("Elbe Maschinenbau Jürgen & Söhne", "SpiraTeam", 42, package="none")
    data = book_csv(report_of(bk), bk.clock).encode("utf-8-sig")
    assert "Jürgen & Söhne" in data.decode("utf-8-sig")


def test_book_html_escapes_names_and_shows_every_customer(bk: Book) -> None:
    bk.customer("<b>Bold</b> & Co", package="gold")
    bk.customer("Cobalt", "SpiraTest", 15, package="none")
    report = report_of(bk)
    body = book_body(report)
    assert "<b>Bold</b>" not in body
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in body
    assert "Cobalt" in body
    html = email_document([report.printable()])
    assert "<title>Book report: 2 customers</title>" in html
    assert report.printable().landscape
