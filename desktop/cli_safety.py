"""Safety commands of the CLI (shared/CLI.md, "Safety"): `backup`, `backups`, `restore` and
`history`. `cli.build_parser` registers them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.cli_common import Output, open_context
from desktop.models import backups
from desktop.models.database import InstanceLock
from desktop.services import book_safety
from desktop.services.history import History, HistoryEntry

if TYPE_CHECKING:
    from desktop.app import AppContext


def register(command: Any) -> None:
    """Add the commands through `command(name, handler, help)` of cli.build_parser."""
    backup = command("backup", _backup, "copy the book now (default: into its backups folder)")
    backup.add_argument("-o", "--output", metavar="FILE", help="where to write the copy")

    command("backups", _backups, "list the book's backups, newest first")

    restore = command(
        "restore", _restore, "put a backup in place of the book (the current one is kept aside)"
    )
    restore.add_argument("file", metavar="FILE")

    history = command("history", _history, "who changed what and when, with override reasons")
    which = history.add_mutually_exclusive_group()
    which.add_argument("--session", metavar="ID")
    which.add_argument("--customer", metavar="C")


def _backup(args: argparse.Namespace, out: Output) -> int:
    context = open_context(args)
    target = Path(args.output) if args.output else None
    made = book_safety.make_backup(context.db, target)
    out.result({"file": str(made)}, str(made))
    out.say(f"Backed up the book to {made}.")
    return 0


def _backups(args: argparse.Namespace, out: Output) -> int:
    context = open_context(args)
    found = book_safety.list_backups(context.db)
    rows = [
        f"{info.created.astimezone(context.clock.tz):%Y-%m-%d %H:%M}  {info.kind:<14} "
        f"{_count(info.customers):>6} customers {_count(info.sessions):>7} sessions  {info.file}"
        for info in found
    ]
    out.result({"backups": [info.as_json() for info in found]}, rows)
    if not found:
        daily = "" if context.db.is_server else " (amplan also makes one a day)"
        out.say(f"No backups yet: `amplan backup` makes one{daily}.")
    return 0


def _count(value: int | None) -> str:
    return "?" if value is None else str(value)


def _restore(args: argparse.Namespace, out: Output) -> int:
    from desktop.app import resolve_db_path

    location = resolve_db_path(args.db)
    if isinstance(location, Path):
        book = str(location)
        lock = InstanceLock(location)
        lock.acquire()  # no window may have the book open while its content is replaced
        try:
            aside = backups.restore(location, Path(args.file))
        finally:
            lock.release()
    else:  # the team's book: replaced in one transaction, colleagues' windows refresh
        context = open_context(args)
        book = context.db.label
        aside = book_safety.restore_team_book(context.db, Path(args.file))
    data = {
        "restored": str(Path(args.file).expanduser()),
        "book": book,
        "previous": str(aside) if aside else None,
    }
    out.result(data, f"{book} restored from {args.file}")
    if aside:
        out.say(f"Restored. The book as it was is kept in {aside}.")
    else:
        out.say("Restored.")
    return 0


def _history(args: argparse.Namespace, out: Output) -> int:
    context = open_context(args)
    history = History(context.db)
    if args.session:
        record = context.scheduler.get(args.session)
        entries = history.for_session(record.id)
    elif args.customer:
        customer = context.customers.get(args.customer)
        entries = history.for_customer(customer.id)
    else:
        entries = history.latest()
    out.result(
        {"history": [entry.as_json() for entry in entries]},
        [_line(context, entry) for entry in entries],
    )
    if not entries:
        out.say("No history yet.")
    return 0


def _line(context: AppContext, entry: HistoryEntry) -> str:
    when = entry.at_utc.astimezone(context.clock.tz)
    subject = f"#{entry.session_id}" if entry.session_id else ""
    reason = f"  [override: {entry.override_reason}]" if entry.override_reason else ""
    return f"{when:%Y-%m-%d %H:%M}  {entry.who:<28} {entry.action:<12} {subject:<7} " + (
        f"{entry.what_changed()}{reason}"
    )
