"""The `amplan` command line: a thin layer over the services, per shared/CLI.md.

Data goes to stdout (JSON with --json); human messages go to stderr. Exit codes: 0 done,
2 bad input (nothing saved), 3 refused by a rule of the contract (nothing saved).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy.exc

from desktop import (
    cli_caldav,
    cli_mail,
    cli_planning,
    cli_reports,
    cli_safety,
    cli_sessions,
    cli_team,
)
from desktop.app import AppContext
from desktop.cli_common import (
    Handler,
    Output,
    Parser,
    book_of,
    global_flags,
    my_email,
    open_context,
    sub_global_flags,
)
from desktop.errors import AmplanError, BadInput
from desktop.models.store_errors import is_store_failure, translate
from desktop.services.customers import CustomerDraft, CustomerRecord
from desktop.services.entitlements import describe, entitlements_for
from desktop.services.policy import KIND_NAMES, PACKAGE_NAMES, load_policy
from desktop.services.scheduling.sessions import UNOVERRIDABLE, RuleRefusal


def _customer_flags(parser: argparse.ArgumentParser, required: bool) -> None:
    parser.add_argument("--name", required=required)
    parser.add_argument("--product", required=required, help="SpiraTest, SpiraTeam or SpiraPlan")
    parser.add_argument("--users", required=required, help="concurrent users")
    parser.add_argument("--start", required=required, metavar="DATE", help="subscription start")
    parser.add_argument("--package", choices=PACKAGE_NAMES, help="premium package")
    parser.add_argument("--package-start", metavar="DATE", help="default: the start date")
    parser.add_argument("--tz", metavar="IANA", help="customer's time zone")
    parser.add_argument(
        "--contact", action="append", metavar='"Name <email>"', help="repeat for several"
    )
    parser.add_argument("--owner", metavar="EMAIL", help="account manager (default: you)")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="amplan", description="Plan what the contract owes each customer.")
    global_flags(parser, top=True)
    commands = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")

    def command(name: str, handler: Handler, help_text: str, **kwargs: Any) -> Any:
        sub = commands.add_parser(name, help=help_text, description=help_text, **kwargs)
        global_flags(sub, top=False)
        sub.set_defaults(handler=handler)
        return sub

    gui = command("gui", _gui, "open the desktop window")
    gui.add_argument("--quit-after-start", action="store_true", help="exit after the first paint")
    gui.add_argument(
        "--open", metavar="FILE.ics", help="offer to import a calendar file (the desktop entry's)"
    )

    profile = command("profile", _profile_set, "the account manager's identity")
    profile_commands = profile.add_subparsers(dest="action", parser_class=Parser, required=True)
    profile_set = profile_commands.add_parser("set", help="your identity and workload")
    global_flags(profile_set, top=False)
    cli_planning.profile_flags(profile_set)

    customer = command("customer", _customer, "add, edit, archive, list, show or import customers")
    actions = customer.add_subparsers(dest="action", parser_class=Parser, required=True)
    add = actions.add_parser("add", help="add a customer")
    _customer_flags(add, required=True)
    edit = actions.add_parser("edit", help="change a customer")
    edit.add_argument("customer", metavar="NAME")
    _customer_flags(edit, required=False)
    archive = actions.add_parser("archive", help="hide a customer from the book")
    archive.add_argument("customer", metavar="NAME")
    unarchive = actions.add_parser("unarchive", help="bring an archived customer back")
    unarchive.add_argument("customer", metavar="NAME")
    listing = actions.add_parser("list", help="list customers")
    listing.add_argument("--archived", action="store_true", help="include archived customers")
    whose = listing.add_mutually_exclusive_group()
    whose.add_argument("--mine", action="store_true", help="only the customers you own")
    whose.add_argument("--owner", metavar="EMAIL", help="only this manager's customers")
    show = actions.add_parser("show", help="one customer with its entitlements")
    show.add_argument("customer", metavar="NAME")
    csv_import = actions.add_parser("import", help="import customers from CSV, all rows or none")
    csv_import.add_argument("file", metavar="FILE.csv")
    sub_global_flags(add, edit, archive, unarchive, listing, show, csv_import)

    ent = command("entitlements", _entitlements, "what the contract gives")
    ent.add_argument("--customer", metavar="NAME")
    ent.add_argument("--product")
    ent.add_argument("--users", type=int)
    ent.add_argument("--package", choices=PACKAGE_NAMES, default="none")

    busy_actions = cli_sessions.register(command)
    for module in (cli_reports, cli_team, cli_safety, cli_planning, cli_caldav, cli_mail):
        module.register(command)
    sub_global_flags(*busy_actions.choices.values())
    return parser


# --- handlers ------------------------------------------------------------------------------
# Each handler receives the parsed arguments and the output; `open_context(args)` opens the
# book on first use, so that `entitlements --product` works without a database.


def _gui(args: argparse.Namespace, out: Output) -> int:
    """The window, from a parsed command line (`amplan` itself takes desktop.launch's faster
    path; this one serves `main([...])`)."""
    from desktop.views.shell.startup import file_to_open, require_a_screen

    require_a_screen()
    context = open_context(args)
    from desktop.views.shell.application import run_gui  # Qt loads only when a window is wanted

    opened = file_to_open(getattr(args, "open", None))
    quit_after_start = getattr(args, "quit_after_start", False)
    return int(run_gui(context, quit_after_start=quit_after_start, open_file=opened))


def _profile_set(args: argparse.Namespace, out: Output) -> int:
    return cli_planning.profile_set(open_context(args), args, out)


def _customer_text(context: AppContext, customer: CustomerRecord) -> list[str]:
    pkg = context.policy.package(customer.package)
    ent = context.customers.entitlements(customer)
    lines = [
        f"{customer.name} (id {customer.id}){' [archived]' if customer.archived else ''}",
        f"  {customer.product}, {customer.users} users (band {customer.band})",
        f"  Subscription since {customer.start}",
        f"  Package {pkg.label} since {customer.package_start}",
        f"  Time zone {customer.tz}",
    ]
    lines += [f"  Contact: {contact}" for contact in customer.contacts]
    lines += [
        f"  - {line}" for line in describe(ent, context.policy, context.clock, customer.start)
    ]
    return lines


def _draft_changes(args: argparse.Namespace) -> dict[str, str]:
    changes = {
        key: str(getattr(args, key))
        for key in ("name", "product", "users", "start", "package", "package_start", "tz", "owner")
        if getattr(args, key, None) is not None
    }
    if args.contact is not None:
        changes["contacts"] = "; ".join(args.contact)
    if "owner" in changes and not changes["owner"].strip():
        # An empty owner means "unchanged" in a draft: saying nothing would read as done.
        raise BadInput("--owner needs a manager's e-mail address.")
    return changes


def _customer(args: argparse.Namespace, out: Output) -> int:
    context = open_context(args)
    book = context.customers
    if args.action == "add":
        changes = _draft_changes(args)
        record = book.add(CustomerDraft(**changes))
        out.result(record.as_json(), _customer_text(context, record))
        out.say(f"Added {record.name} (id {record.id}).")
    elif args.action == "edit":
        changes = _draft_changes(args)
        if not changes:
            raise BadInput("Nothing to change: give at least one of the customer flags.")
        record = book.edit(args.customer, changes)
        out.result(record.as_json(), _customer_text(context, record))
        out.say(f"Saved {record.name}.")
    elif args.action in ("archive", "unarchive"):
        record = book.set_archived(args.customer, args.action == "archive")
        out.result(record.as_json(), f"{record.name} {args.action}d.")
    elif args.action == "show":
        record = book.get(args.customer)
        data = record.as_json() | {"entitlements": book.entitlements(record).as_json()}
        out.result(data, _customer_text(context, record))
    elif args.action == "list":
        owner = my_email(context) if args.mine else args.owner
        records = book.list(include_archived=args.archived, owner=owner)
        rows = [
            f"{r.id:>4}  {r.name:<28} {r.product:<10} {r.users:>5}  {r.band:<8} {r.package:<8} "
            f"{r.start}  {r.owner or '-'}{'  archived' if r.archived else ''}"
            for r in records
        ]
        out.result({"customers": [r.as_json() for r in records]}, rows)
        if not records and owner is not None:
            out.say(f"No customers owned by {owner}.")
        elif not records and not args.archived and book.count():
            out.say("Every customer is archived: `amplan customer list --archived` shows them.")
        elif not records:
            out.say("No customers yet: `amplan customer add` or `amplan customer import`.")
    elif args.action == "import":
        report = book.import_csv(Path(args.file))
        if report.errors:
            for error in report.errors:
                out.say(f"{args.file}: {error}")
            out.say(f"Nothing imported: {len(report.errors)} problem(s) to fix first.")
            if out.as_json:
                out.result({"imported": 0, "errors": report.errors})
            return 2
        out.result({"imported": report.imported, "errors": []}, f"Imported {report.imported}.")
        out.say(f"Imported {report.imported} customer(s).")
    return 0


def _entitlements(args: argparse.Namespace, out: Output) -> int:
    if args.customer:
        if args.product or args.users is not None:
            raise BadInput("Give either --customer or --product with --users, not both.")
        context = open_context(args)
        customer = context.customers.get(args.customer)
        ent = context.customers.entitlements(customer)
        start = customer.start
        policy, clock = context.policy, context.clock
    else:
        if not args.product or args.users is None:
            raise BadInput("Give --customer NAME, or --product P --users N [--package PKG].")
        policy = load_policy(args.policy)
        if args.product not in policy.products:
            raise BadInput(f"Unknown product '{args.product}': {', '.join(policy.products)}.")
        if args.users < 1:
            raise BadInput("--users must be at least 1.")
        from desktop.services.business_time import BusinessClock

        clock = BusinessClock(policy.time)
        ent = entitlements_for(policy, args.product, args.users, args.package)
        start = None
    out.result(ent.as_json(), describe(ent, policy, clock, start))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already reported by argparse
        return int(exc.code or 0)
    out = Output(bool(getattr(args, "json", False)))
    handler: Handler = getattr(args, "handler", _gui)
    try:
        return handler(args, out)
    except RuleRefusal as exc:
        for violation in exc.violations:
            out.say(f"amplan: refused ({violation.rule}): {violation.message}")
        if any(v.rule in UNOVERRIDABLE for v in exc.violations):
            out.say("Nothing was saved. No override lifts this: change the session's times.")
        else:
            out.say("Nothing was saved. --override REASON books it anyway, with your reason kept.")
        if out.as_json:
            out.result({"violations": [v.as_json() for v in exc.violations]})
        return exc.exit_code
    except AmplanError as exc:
        out.say(f"amplan: {exc}")
        return exc.exit_code
    except (sqlite3.Error, sqlalchemy.exc.DBAPIError) as exc:
        if not is_store_failure(exc):
            raise
        where = book_of(args).path()
        out.say(f"amplan: {translate(exc, where)}")
        return 2
    except KeyboardInterrupt:
        out.say("amplan: interrupted; nothing more was saved.")
        return 130
    except BrokenPipeError:  # the reader (e.g. `head`) went away: not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps interpreter shutdown quiet
        return 0
    except OSError as exc:  # a path the system refuses (name too long, no permission...)
        name = f" ({str(exc.filename)[:80]})" if exc.filename else ""
        out.say(f"amplan: {exc.strerror or exc}{name}. Nothing was saved.")
        return 2
    finally:
        book_of(args).close()


__all__ = ["KIND_NAMES", "build_parser", "main"]
