"""The printed entitlement summary and book report, read back from the PDF with poppler the
way a customer's procurement team would search it: every number of DOMAIN.md section 2 in its
section for customers of every package and band, usage, billable amount, rules, support terms,
exclusions and contact; page numbers, paper sizes and embedded fonts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from desktop.services.profile import ProfileStore
from desktop.services.reports.report_html import Printable
from desktop.services.reports.reports import Reports
from desktop.views.reports.printing import write_pdf
from pytestqt.qtbot import QtBot

from sessions_helpers import open_book
from summary_helpers import (
    ISSUED,
    MANAGER,
    fill,
    flat,
    forty_sessions,
    now,
    page_size_pt,
    pdf_fonts,
    pdf_pages,
    pdf_text,
    row,
    section,
)

pytestmark = pytest.mark.usefixtures("qapp")


def squash(text: str) -> str:
    """Compare without spaces and hyphens: poppler joins a word hyphenated at a line end."""
    return re.sub(r"[\s\-]", "", text)


def has(haystack: str, needle: str) -> bool:
    return squash(needle) in squash(haystack)


@dataclass(frozen=True)
class Contract:
    """What DOMAIN.md section 2 says this customer gets (written out here, not computed)."""

    name: str
    product: str
    users: int
    package: str
    onboarding_hours: int
    cadence: str
    shares: int = 0
    notice: str = ""
    assistance: int = 0
    event_plans: int = 0
    round_tables: int = 0
    product_team: int = 0
    feature_fixes: int = 0
    price: str = ""
    weekends: bool = False


CONTRACTS = (
    Contract("Cobalt Insurance", "SpiraTest", 15, "none", 1, "calls as needed"),
    Contract(
        "Juniper Telecom", "SpiraTeam", 30, "silver", 6, "calls as needed", 2, "two", 2,
        price="$18,000",
    ),
    Contract(
        "Granite Bank", "SpiraTest", 55, "gold", 4, "an annual call", 4, "one", 4, 1, 2,
        price="$36,000",
    ),
    Contract(
        "Acme Logistics", "SpiraPlan", 120, "gold", 8, "a quarterly call", 4, "one", 4, 1, 2,
        price="$36,000",
    ),
    Contract(
        "Borealis Health", "SpiraTeam", 310, "platinum", 6, "a monthly call", 6, "one", 12, 2,
        2, 1, 1, "$72,000", True,
    ),
)  # fmt: skip


@dataclass
class Printed:
    contract: Contract
    pages: list[str]  # in reading order
    layout: list[str]  # as laid out: one table row per line


@pytest.fixture(scope="module")
def printed(qapp: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Printed]]:
    folder = tmp_path_factory.mktemp("summaries")
    with open_book(folder / "book.sqlite") as book:
        ProfileStore().set_identity(*MANAGER)
        reports = Reports(book.scheduler)
        found = {}
        for slot, contract in enumerate(CONTRACTS):
            customer = book.customer(
                contract.name, contract.product, contract.users, "2026-01-05", contract.package
            )
            fill(book, customer, slot)
            path = folder / f"{slot}.pdf"
            write_pdf(path, [reports.summary(customer, now(book)).printable()], "letter")
            found[contract.name] = Printed(contract, pdf_pages(path), pdf_pages(path, True))
        yield found


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: f"{c.package}-{c.users}")
def test_contract_numbers_are_in_the_contract_section(
    printed: dict[str, Printed], contract: Contract
) -> None:
    part = section(printed[contract.name].pages, "What your contract includes")
    hours = f"{contract.onboarding_hours} hour{'s' if contract.onboarding_hours > 1 else ''}"
    assert has(part, f"{hours} of assistance sessions in the first 90 days")
    assert has(part, contract.cadence)
    if contract.shares:
        assert has(part, f"{contract.shares} sessions per calendar month, up to 60 minutes each")
        assert has(part, f"requested {contract.notice} business day")
        assert has(part, f"{contract.assistance} hours of assistance sessions per package year")
        assert has(part, f"{contract.price} per year")
    else:
        assert not has(part, "sessions per calendar month")
        assert has(part, "Not included (part of Silver, Gold and Platinum)")
    assert has(part, "Saturdays and Sundays") == contract.weekends
    for count, words in (
        (contract.event_plans, "event plan"),
        (contract.round_tables, "round tables per package year, up to 10 customers each"),
        (contract.product_team, "meeting with the product team per package year"),
        (contract.feature_fixes, "small feature fix per package year"),
    ):
        assert has(part, f"{count} {words}") == bool(count), words
    assert has(part, "$490 per hour beyond any allowance")


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: f"{c.package}-{c.users}")
def test_usage_and_billable_are_in_their_sections(
    printed: dict[str, Printed], contract: Contract
) -> None:
    pages, layout = printed[contract.name].pages, printed[contract.name].layout
    assert section(pages, "Usage on *").startswith("Usage on Thu 12 Mar 2026")
    hours = contract.onboarding_hours
    planned = 1 if hours >= 2 else 0
    # Allowed, used, scheduled, left: one hour held, one planned (when there are two).
    assert row(layout, "Onboarding hours") == (
        f"Onboarding hours {hours}h 1h {planned}h {hours - 1 - planned}h"
    )
    billable = section(pages, "Billable hours")
    if contract.shares:
        assert row(layout, "Screen-shares this month") == (
            f"Screen-shares this month {contract.shares} 1 1 {contract.shares - 2}"
        )
        assert row(layout, "Assistance hours") == (
            f"Assistance hours {contract.assistance}h 0h 0h {contract.assistance}h"
        )
        months = section(pages, "Screen-shares per month, *")
        assert "package year 5 Jan 2026 – 4 Jan 2027" in months
        assert has(months, "Jan 26 Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec Jan 27")
        assert has(billable, "billed at $490 per hour: 1.5 h = $735")
        assert re.fullmatch(
            r"\w{3} \d+ Mar 2026 Premium assistance planned 1\.5h \$735",
            row(layout, "Premium assistance planned", anywhere=True),
        )
    else:
        assert not any("Screen-shares per month" in page for page in pages)
        assert has(billable, "No billable hours")
        assert has(billable, "$490 per hour")
    if contract.cadence != "calls as needed":
        assert row(layout, "Account-management call").endswith("1 0 0 1")


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: f"{c.package}-{c.users}")
def test_rules_terms_exclusions_and_contact(
    printed: dict[str, Printed], contract: Contract, book_policy: object
) -> None:
    pages = printed[contract.name].pages
    rules = section(pages, "How to book")
    if contract.shares:
        assert has(rules, f"Request screen-shares by 17:00 ET {contract.notice} business day")
    else:
        assert not has(rules, "Request screen-shares")
    assert has(rules, "between 09:00–17:00 ET: Monday to Friday")
    holidays = section(pages, "Holidays in the next 12 months: no sessions")
    assert has(holidays, "Mon 25 May 2026 Memorial Day")
    support = section(pages, "Standard support terms")
    for term in book_policy.support.standard_terms:  # type: ignore[attr-defined]
        assert has(support, term), term
    exclusions = section(pages, "Exclusions from standard support")
    for exclusion in book_policy.support.exclusions:  # type: ignore[attr-defined]
        assert has(exclusions, exclusion), exclusion
    contact = section(pages, "Your account manager")
    assert has(contact, "Jane Doe, Inflectra · jane.doe@inflectra.com")


@pytest.fixture(scope="module")
def book_policy(printed: dict[str, Printed]) -> object:
    from desktop.services.policy import load_policy

    return load_policy()


def test_first_page_states_customer_product_band_package_and_dates(
    printed: dict[str, Printed],
) -> None:
    first = flat(printed["Acme Logistics"].pages[0])
    for fact in (
        "Acme Logistics",
        "Issued Thursday 12 March 2026",
        "Product SpiraPlan",
        "Concurrent users 120",
        "Licence band 101-250 concurrent users",
        "Premium package Gold, $36,000 per year",
        "Subscription start Mon 5 Jan 2026",
        "Subscription renewal Tue 5 Jan 2027",
        "Package renewal Tue 5 Jan 2027",
    ):
        assert has(first, fact), fact


def test_every_page_is_numbered_and_dated(printed: dict[str, Printed]) -> None:
    for item in printed.values():
        total = len(item.pages)
        for number, page in enumerate(item.pages, start=1):
            assert f"Page {number} of {total}" in page
            assert "issued Thursday 12 March 2026 · Inflectra" in flat(page)


# --- long documents, paper, fonts ----------------------------------------------------------------


@pytest.fixture(scope="module")
def long_summary(qapp: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("long")
    with open_book(folder / "book.sqlite") as book:
        ProfileStore().set_identity(*MANAGER)
        customer = book.customer("Fjord Energy", "SpiraPlan", 260, "2026-01-05", "platinum",
                                 tz="Europe/Oslo")  # fmt: skip
        # A title long enough to wrap: each row is two lines, which must not be torn apart.
        title = "Regression suite review, dashboards and traceability"
        assert forty_sessions(book, customer, title) == 40
        summary = Reports(book.scheduler).summary(customer, now(book))
        assert len(summary.upcoming) == 40
        path = folder / "fjord.pdf"
        write_pdf(path, [summary.printable()], "letter")
        write_pdf(folder / "fjord-a4.pdf", [summary.printable()], "a4")
        yield path


def test_forty_sessions_print_on_several_numbered_pages(long_summary: Path) -> None:
    pages = pdf_pages(long_summary)
    total = len(pages)
    assert total >= 3
    assert "Page 1 of" in pages[0]
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in page
    for page in pages[1:]:
        # From page 2 on the header names the customer and the document.
        assert "Fjord Energy · Entitlement summary" in page
    sessions = section(pages, "Upcoming sessions (*)")
    assert sessions.startswith("Upcoming sessions (40)")
    assert sessions.count("Screen-share") >= 40
    assert "Time in Oslo" in sessions
    # Both clocks: 11:00 ET is 16:00 in Oslo before Europe's switch to summer time, then 17:00.
    layout = pdf_pages(long_summary, layout=True)
    march = row(layout, "Fri 13 Mar 2026")
    assert march.startswith("Fri 13 Mar 2026 11:00–12:00 16:00–17:00 Screen-share: Regression")
    assert march.endswith(" 1h")
    assert row(layout, "Mon 13 Apr 2026").startswith("Mon 13 Apr 2026 11:00–12:00 17:00–18:00")


def test_a_table_row_is_never_torn_across_pages(qtbot: QtBot, tmp_path: Path) -> None:
    """Rows of one to four lines under a repeated header: each row's lines share a page."""
    rows = "".join(
        f"<tr><td>Row {n}</td><td>"
        + "<br>".join(f"r{n}p{part}" for part in range(1 + n % 4))
        + "</td></tr>"
        for n in range(120)
    )
    body = f"<table width='100%'><thead><tr><th>Row</th><th>Parts</th></tr></thead>{rows}</table>"
    path = tmp_path / "rows.pdf"
    write_pdf(path, [Printable("Rows", "Test", ISSUED, "Inflectra", body)], "letter")
    pages = [set(page.split()) for page in pdf_pages(path)]
    assert len(pages) >= 3
    for n in range(120):
        first, last = f"r{n}p0", f"r{n}p{n % 4}"
        assert [first in page for page in pages] == [last in page for page in pages], n


def test_letter_and_a4(long_summary: Path) -> None:
    width, height = page_size_pt(long_summary)
    assert (round(width), round(height)) == (612, 792)
    width, height = page_size_pt(long_summary.with_name("fjord-a4.pdf"))
    assert (round(width), round(height)) == (595, 842)


def test_text_is_real_and_fonts_are_embedded(long_summary: Path) -> None:
    text = pdf_text(long_summary)
    assert "Fjord Energy" in text
    assert "jane.doe@inflectra.com" in text  # no "fl" ligature glyph in an address
    fonts = pdf_fonts(long_summary)
    assert fonts
    assert all(font["emb"] == "yes" and font["uni"] == "yes" for font in fonts), fonts


def test_several_customers_each_start_a_new_page(
    qtbot: QtBot, book_location: Path | str, tmp_path: Path
) -> None:
    with open_book(book_location) as book:
        ProfileStore().set_identity(*MANAGER)
        reports = Reports(book.scheduler)
        for slot, name in enumerate(("Alpha Corp", "Beta Corp", "Gamma Corp")):
            fill(book, book.customer(name, package="gold"), slot)
        documents = [s.printable() for s in reports.summaries(book.customers.list(), now(book))]
    path = tmp_path / "all.pdf"
    pages_written = write_pdf(path, documents, "a4")
    pages = pdf_pages(path)
    assert len(pages) == pages_written
    firsts = [page for page in pages if "Page 1 of" in page]
    assert [re.findall(r"(\w+ Corp)\n", page)[0] for page in firsts] == [
        "Alpha Corp",
        "Beta Corp",
        "Gamma Corp",
    ]


def test_book_report_prints_landscape_with_every_customer(
    qtbot: QtBot, book_location: Path | str, tmp_path: Path
) -> None:
    with open_book(book_location) as book:
        for index in range(45):
            book.customer(f"Customer {index:02d}", package=("none", "silver", "gold")[index % 3])
        report = Reports(book.scheduler).book(now(book))
    path = tmp_path / "book.pdf"
    write_pdf(path, [report.printable()], "letter")
    width, height = page_size_pt(path)
    assert (round(width), round(height)) == (792, 612)
    pages = pdf_pages(path)
    assert len(pages) >= 2
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    text = pdf_text(path)
    assert all(f"Customer {index:02d}" in text for index in range(45))
    assert has(text, "45 customers")
