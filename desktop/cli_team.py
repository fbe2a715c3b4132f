"""Commands of the team's book: `copy` (a solo book into the team's) and `join` (one more
customer at a round table). `cli.build_parser` registers them."""

from __future__ import annotations

import argparse
from typing import Any

from desktop.cli_common import Output, open_context
from desktop.cli_sessions import report_session
from desktop.errors import BadInput


def register(command: Any) -> list[argparse.ArgumentParser]:
    """Add the commands through `command(name, handler, help)`; returns their parsers."""
    join = command("join", _join, "seat one more customer at a round table")
    join.add_argument("id", metavar="ID", help="the round table session")
    join.add_argument("--customer", required=True, metavar="C")
    join.add_argument("--override", metavar="REASON", help="seat despite the rules, with a reason")
    join.add_argument("--dry-run", action="store_true", help="check only, save nothing")

    copy = command("copy", _copy, "copy the whole book into an empty book (file or server)")
    copy.add_argument("--to", required=True, metavar="PATH|URL", dest="target")
    return [join, copy]


def _join(args: argparse.Namespace, out: Output) -> int:
    context = open_context(args)
    customer = context.customers.get(args.customer)
    outcome = context.scheduler.add_customer(args.id, customer, args.override, args.dry_run)
    report_session(
        out,
        context,
        outcome.session,
        "Dry run: nothing saved." if args.dry_run else f"{customer.name} joined.",
    )
    return 0


def _copy(args: argparse.Namespace, out: Output) -> int:
    from desktop.app import book_location
    from desktop.services.book_copy import copy_book

    if not args.target.strip():
        raise BadInput("copy --to needs a file path or a postgresql:// URL.")
    target = book_location(args.target)
    context = open_context(args)
    counts = copy_book(context.db, target, context.customers.manager_email())
    out.result(
        {"customers": counts.customers, "sessions": counts.sessions},
        f"Copied {counts.customers} customers and {counts.sessions} sessions.",
    )
    return 0
