"""What every command module of the CLI shares: the output, the parser's habits, and the book.

`cli.py` builds the parser from the command modules (cli_sessions, cli_reports, ...); they
take their plumbing from here, so none of them imports `cli` back.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from desktop.app import AppContext, build_context, resolve_db_path
from desktop.errors import BadInput

Handler = Callable[[argparse.Namespace, "Output"], int]
# Where a command's arguments keep the book it opened (see `open_context`).
_BOOK = "_amplan_book"


class Output:
    """Where results go: JSON on stdout with --json, readable text otherwise."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def result(self, data: Any, text: str | Sequence[str] = ()) -> None:
        if self.as_json:
            json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
            sys.stdout.write("\n")
        else:
            lines = [text] if isinstance(text, str) else list(text)
            for line in lines:
                print(line)

    @staticmethod
    def say(message: str) -> None:
        print(message, file=sys.stderr)


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors with exit code 2 and one clear line."""

    def error(self, message: str) -> Any:
        self.exit(2, f"amplan: {message}\n(`{self.prog} --help` lists the options)\n")


def global_flags(parser: argparse.ArgumentParser, top: bool) -> None:
    # Accept the global flags before or after the command; values given after the command win.
    default = None if top else argparse.SUPPRESS
    parser.add_argument("--db", default=default, metavar="PATH", help="the SQLite book")
    parser.add_argument("--policy", default=default, metavar="PATH", help="another policy TOML")
    parser.add_argument(
        "--json",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="machine-readable output on stdout",
    )


def sub_global_flags(*parsers: argparse.ArgumentParser) -> None:
    """The global flags on the sub-commands (`caldav set ... --json`)."""
    for parser in parsers:
        global_flags(parser, top=False)


def actions_of(parser: argparse.ArgumentParser, required: bool = True) -> Any:
    """The sub-commands of a command (`mail set`, `mail show`), in `args.action`."""
    return parser.add_subparsers(dest="action", parser_class=Parser, required=required)


def password_stdin_flag(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--password-stdin", action="store_true", help=help_text)


class LazyBook:
    """The book a command works on, opened on first use, so that `entitlements --product`
    works without a database; `close` releases it once the command has ended."""

    def __init__(self, db: str | None, policy: str | None) -> None:
        self._db = db
        self._policy = policy
        self.context: AppContext | None = None

    def open(self) -> AppContext:
        if self.context is None:
            self.context = build_context(resolve_db_path(self._db), self._policy)
        return self.context

    def path(self) -> Path | str | None:
        """The book's file, for a message about it (opened or not)."""
        return self.context.db.path if self.context is not None else resolve_db_path(self._db)

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
            self.context = None


def book_of(args: argparse.Namespace) -> LazyBook:
    """The command's book, kept with its arguments (one per command, never a global)."""
    book: LazyBook | None = getattr(args, _BOOK, None)
    if book is None:
        book = LazyBook(getattr(args, "db", None), getattr(args, "policy", None))
        setattr(args, _BOOK, book)
    return book


def open_context(args: argparse.Namespace) -> AppContext:
    return book_of(args).open()


def my_email(context: AppContext) -> str:
    """The e-mail `--mine` means: the manager's profile."""
    email = context.customers.manager_email()
    if not email:
        raise BadInput("--mine needs your e-mail: `amplan profile set --name N --email E`.")
    return email
