"""Shared by the summary and book-report tests: a book with sessions around a fixed "now",
and the PDF read back through poppler (pdftotext, pdfinfo, pdffonts) as a customer would."""

from __future__ import annotations

import re
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

from desktop.services.customers import CustomerRecord

from sessions_helpers import Book

# Every document in these tests is issued on Thursday 12 March 2026, 09:00 ET.
NOW_ET = "2026-03-12T09:00"
ISSUED = date(2026, 3, 12)
MANAGER = ("Jane Doe", "jane.doe@inflectra.com")

# The summary's headings, in print order: the text between two of them is one section.
# Each is a line of its own; the last three words of some go on with a date or a count.
HEADINGS = (
    "What your contract includes",
    "Usage on *",
    "Screen-shares per month, *",
    "Upcoming sessions (*)",
    "Billable hours",
    "How to book",
    "Holidays in the next 12 months: no sessions",
    "Standard support terms",
    "What assistance sessions cover",
    "Exclusions from standard support",
    "Your account manager",
)


def now(book: Book) -> datetime:
    return book.t(NOW_ET)


def fill(book: Book, customer: CustomerRecord, slot: int = 1) -> None:
    """One onboarding hour held and (where the contract has two or more) one planned; for
    premium customers a screen-share held and one planned this month, and an hour and a half
    of billable assistance. Each customer of a book gets its own `slot` (0-6): the hour after
    09:00 ET its sessions start, so that they do not overlap."""
    at = f"{9 + slot:02d}:00"
    held = book.book(customer, "onboarding", f"2026-03-03T{at}", minutes=60)
    book.mark(held, "done")
    if book.customers.entitlements(customer).onboarding_hours >= 2:
        book.book(customer, "onboarding", f"2026-03-17T{at}", minutes=60)
    if customer.package != "none":
        share = book.book(customer, "screen-share", f"2026-03-05T{at}", minutes=60)
        book.mark(share, "done")
        book.book(customer, "screen-share", f"2026-03-19T{at}", minutes=60)
        day = ("24", "25", "26", "27", "30", "31")[slot % 6]
        book.book(customer, "assistance", f"2026-03-{day}T{at}", minutes=90, billable=True)


def forty_sessions(book: Book, customer: CustomerRecord, title: str = "") -> int:
    """Screen-shares from March to October 2026, five a month on business days: 40 upcoming."""
    booked = 0
    for month in range(3, 11):
        day = date(2026, month, 13)
        in_month = 0
        while in_month < 5:
            if book.clock.is_business_day(day):
                # Every third row gets the title: rows of one and two lines, mixed.
                named = title if booked % 3 == 0 else ""
                book.book(customer, "screen-share", f"{day}T11:00", minutes=60, title=named)
                in_month += 1
                booked += 1
            day += timedelta(days=1)
    return booked


# --- poppler -----------------------------------------------------------------------------------


def pdf_pages(path: Path, layout: bool = False) -> list[str]:
    """The text of each page, in reading order (what a search finds), or with `layout` as
    laid out on the page: a table row is then one line."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def flat(text: str) -> str:
    """Whitespace folded: a phrase wrapped over two lines still reads as one."""
    return " ".join(text.split())


def pdf_text(path: Path) -> str:
    return flat(" ".join(pdf_pages(path)))


def _is_heading(line: str, pattern: str) -> bool:
    regex = re.escape(pattern).replace(r"\*", ".+")
    return re.fullmatch(regex, line.strip()) is not None


def section(pages: list[str], heading: str) -> str:
    """The flat text of the summary's section `heading` (one of HEADINGS) up to the next."""
    assert heading in HEADINGS, heading
    lines = "\n".join(pages).splitlines()
    start = next(i for i, line in enumerate(lines) if _is_heading(line, heading))
    end = next(
        (
            i
            for i, line in enumerate(lines[start + 1 :], start + 1)
            if any(_is_heading(line, other) for other in HEADINGS)
        ),
        len(lines),
    )
    return flat("\n".join(lines[start:end]))


def row(pages: list[str], label: str, anywhere: bool = False) -> str:
    """The first line (of `pdftotext -layout` pages) that starts with `label` (or holds it),
    flat, hours written '8h' (the layout mode drops the narrow space of '8 h' now and then)."""
    for page in pages:
        for line in page.splitlines():
            text = flat(line)
            if text.startswith(label) or (anywhere and label in text):
                return re.sub(r"(\d) h\b", r"\1h", text)
    raise AssertionError(f"no line starts with {label!r}")


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    info = {}
    for line in out.stdout.splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def page_size_pt(path: Path) -> tuple[float, float]:
    match = re.match(r"([\d.]+) x ([\d.]+) pts", pdf_info(path)["Page size"])
    assert match, pdf_info(path)
    return float(match[1]), float(match[2])


def pdf_fonts(path: Path) -> list[dict[str, str]]:
    """pdffonts' table: name, type, emb (embedded) per font."""
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True)
    lines = out.stdout.splitlines()[2:]
    fonts = []
    for line in lines:
        parts = line.split()
        # name type... encoding emb sub uni object-id generation
        fonts.append({"name": parts[0], "emb": parts[-5], "uni": parts[-3]})
    return fonts
