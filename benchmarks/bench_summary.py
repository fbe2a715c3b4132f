"""Printed documents on a synthetic book (issue: summaries). Prints a table of figures.

    .venv/bin/python benchmarks/bench_summary.py [--customers 300] [--per-customer 100]

Measures what `amplan summary --all -o book.pdf` does, phase by phase (read the book and
build every summary, lay out and write the PDF, the same as HTML), one customer's summary,
and the book report as CSV and PDF. Runs off screen when there is no display.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

from desktop.app import build_context
from desktop.services.customers import CustomerRecord
from desktop.services.reports.book_report import book_csv
from desktop.services.reports.report_html import email_document
from desktop.services.reports.reports import Reports
from desktop.views.reports.printing import ensure_gui_application, render_pdf

from benchmarks.synthetic_book import build

T = TypeVar("T")


def _timed(action: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--per-customer", type=int, default=100)
    parser.add_argument("--paper", choices=("letter", "a4"), default="letter")
    args = parser.parse_args()
    ensure_gui_application()
    today = date.today()
    now = datetime.now(UTC)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        os.environ["AMPLAN_CONFIG"] = str(Path(folder) / "config")  # not the user's own
        path = Path(folder) / "bench.sqlite"
        count, build_s = _timed(lambda: build(path, args.customers, args.per_customer, today))
        context = build_context(path)
        context.profiles.set_identity("Bench Manager", "bench@example.com")
        reports = Reports(context.scheduler)
        customers = context.customers.list()

        summaries, read_s = _timed(lambda: list(reports.summaries(customers, now)))
        documents = [summary.printable() for summary in summaries]
        rows.append((f"read the book, build {len(summaries)} summaries", f"{read_s:.2f} s", ""))
        (data, pages), pdf_s = _timed(lambda: render_pdf(documents, args.paper))
        rows.append(
            (f"lay out and write the PDF ({pages} pages)", f"{pdf_s:.2f} s", f"{len(data):,} B")
        )
        total = read_s + pdf_s
        rows.append(("summary --all -o book.pdf (total)", f"{total:.2f} s", "< 60 s"))
        html, html_s = _timed(lambda: email_document(documents))
        rows.append(("summary --all -o book.html", f"{read_s + html_s:.2f} s", f"{len(html):,} B"))

        singles = []
        for customer in customers[:20]:

            def one(customer: CustomerRecord = customer) -> tuple[bytes, int]:
                return render_pdf([reports.summary(customer, now).printable()], args.paper)

            _, seconds = _timed(one)
            singles.append(seconds * 1000)
        rows.append(
            ("one customer's summary PDF (median)", f"{statistics.median(singles):.0f} ms", "")
        )

        report, book_s = _timed(lambda: reports.book(now))
        rows.append(("book report: read and build", f"{book_s:.2f} s", ""))
        csv_text, csv_s = _timed(lambda: book_csv(report, context.clock))
        rows.append(("book report: CSV", f"{csv_s * 1000:.0f} ms", f"{len(csv_text):,} B"))
        (_, book_pages), book_pdf_s = _timed(lambda: render_pdf([report.printable()], args.paper))
        rows.append((f"book report: PDF ({book_pages} pages)", f"{book_pdf_s:.2f} s", ""))
        context.close()

    print(
        f"Synthetic book: {args.customers} customers, {count} sessions (built in {build_s:.1f} s),"
        f" paper {args.paper}\n"
    )
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'result':>10}  note")
    print(f"{'-' * width}  {'-' * 10}  ----")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>10}  {note}")


if __name__ == "__main__":
    main()
