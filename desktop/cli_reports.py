"""Report commands of the CLI: `summary` (the fixed contract of shared/CLI.md) and
`book-report`. `cli.build_parser` registers them; Qt is loaded only to write a PDF."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.cli_common import Output, open_context
from desktop.errors import BadInput
from desktop.services.business_time import to_utc
from desktop.services.calendar_files.calendar_files import write_file
from desktop.services.customers import parse_date
from desktop.services.reports.book_report import book_csv
from desktop.services.reports.report_html import Printable, email_document
from desktop.services.reports.reports import Reports

if TYPE_CHECKING:
    from desktop.app import AppContext

PAPERS = ("letter", "a4")


def register(command: Any) -> None:
    """Add the report commands through `command(name, handler, help)` of cli.build_parser."""
    summary = command(
        "summary", _summary, "the printable entitlement summary (PDF, or HTML for e-mail)"
    )
    who = summary.add_mutually_exclusive_group(required=True)
    who.add_argument("--customer", metavar="C")
    who.add_argument("--all", action="store_true", help="every customer, each from a new page")
    _output_flags(summary, "FILE.pdf|FILE.html")

    book = command("book-report", _book_report, "every customer on one line (CSV, PDF or HTML)")
    _output_flags(book, "FILE.csv|FILE.pdf|FILE.html")


def _output_flags(parser: argparse.ArgumentParser, metavar: str) -> None:
    parser.add_argument("-o", "--output", required=True, metavar=metavar)
    parser.add_argument(
        "--paper", choices=PAPERS, default="letter", help="PDF page size (default: letter)"
    )
    parser.add_argument(
        "--as-of", metavar="DATE", help="usage and upcoming sessions as of this day (default: now)"
    )


def output_path(text: str, kinds: tuple[str, ...]) -> tuple[Path, str]:
    """The output file and its kind by extension; refused before any work is done."""
    path = Path(text).expanduser()
    try:
        is_folder = path.is_dir()
    except OSError as exc:  # a name too long for the file system
        raise BadInput(f"Cannot write {text[:80]}: {exc.strerror}.") from None
    if is_folder:
        raise BadInput(f"{path} is a folder: give a file name.")
    kind = path.suffix.lower().lstrip(".")
    if kind == "htm":
        kind = "html"
    if kind not in kinds:
        allowed = ", ".join(f"FILE.{k}" for k in kinds)
        raise BadInput(f"Cannot tell what to write from '{path.name}': name it {allowed}.")
    if not path.parent.is_dir():
        raise BadInput(f"Cannot write {path}: the folder {path.parent} does not exist.")
    return path, kind


def _now(context: AppContext, as_of: str | None) -> datetime:
    if not as_of:
        return datetime.now(UTC)
    return to_utc(context.clock.midnight(parse_date(as_of, "--as-of date")))


def _write(path: Path, kind: str, documents: list[Printable], paper: str) -> str:
    if kind == "html":
        write_file(path, email_document(documents).encode("utf-8"))
        return "HTML"
    from desktop.views.reports.printing import write_pdf  # Qt loads only for a PDF

    pages = write_pdf(path, documents, paper)
    return f"{pages} page{'s' if pages != 1 else ''}"


def _summary(args: argparse.Namespace, out: Output) -> int:
    path, kind = output_path(args.output, ("pdf", "html"))
    context = open_context(args)
    reports = Reports(context.scheduler)
    now = _now(context, args.as_of)
    if args.all:
        customers = context.customers.list()
        if not customers:
            raise BadInput("The book has no customers: nothing to summarize.")
        summaries = list(reports.summaries(customers, now))
    else:
        customers = [context.customers.get(args.customer)]
        summaries = [reports.summary(customers[0], now)]
    written = _write(path, kind, [s.printable() for s in summaries], args.paper)
    if not reports.manager().known:
        out.say(
            "warning: the summary has no account-manager contact; "
            "`amplan profile set --name NAME --email EMAIL` adds yours."
        )
    out.result(
        {"output": str(path), "format": kind, "customers": [c.name for c in customers]},
        f"{path} ({written})",
    )
    out.say(f"Wrote the entitlement summary of {_who(customers)} to {path}.")
    return 0


def _book_report(args: argparse.Namespace, out: Output) -> int:
    path, kind = output_path(args.output, ("csv", "pdf", "html"))
    context = open_context(args)
    report = Reports(context.scheduler).book(_now(context, args.as_of))
    if kind == "csv":
        # UTF-8 with a byte-order mark: Excel then reads accented names correctly.
        write_file(path, book_csv(report, context.clock).encode("utf-8-sig"))
        written = f"{len(report.rows)} rows"
    else:
        written = _write(path, kind, [report.printable()], args.paper)
    out.result(
        {"output": str(path), "format": kind, "customers": len(report.rows)},
        f"{path} ({written})",
    )
    out.say(f"Wrote the book report ({len(report.rows)} customers) to {path}.")
    return 0


def _who(customers: list[Any]) -> str:
    return customers[0].name if len(customers) == 1 else f"{len(customers)} customers"
