"""CalDAV commands of the CLI (shared/CLI.md, "Additions of the second release"):
`caldav set`, `caldav show` and `sync`. `cli.build_parser` registers them."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from desktop.cli_common import (
    Output,
    actions_of,
    open_context,
    password_stdin_flag,
    sub_global_flags,
)
from desktop.errors import BadInput
from desktop.services.calendar_sync.caldav_account import (
    DEFAULT_CALENDAR,
    PASSWORD_ENV,
    CalDavSettings,
    load_settings,
    missing_password_message,
    normalize_url,
    read_password,
    require_keyring,
    save_settings,
    store_password,
)
from desktop.services.calendar_sync.caldav_sync import CalendarSync


def register(command: Any) -> None:
    """Add the CalDAV commands through `command(name, handler, help)` of cli.build_parser."""
    caldav = command("caldav", _caldav, "the CalDAV account amplan syncs with")
    actions = actions_of(caldav)
    account = actions.add_parser("set", help="the server, user and calendars (checked now)")
    account.add_argument("--url", required=True, help="the server; just the host will do")
    account.add_argument("--user", required=True)
    account.add_argument(
        "--calendar",
        default=DEFAULT_CALENDAR,
        metavar="NAME",
        help=f"where amplan publishes (created if missing; default {DEFAULT_CALENDAR})",
    )
    account.add_argument(
        "--busy",
        action="append",
        default=[],
        metavar="NAME",
        help="a calendar read as busy time; repeat (default: every other calendar)",
    )
    password_stdin_flag(account, "read the password from standard input")
    show = actions.add_parser("show", help="the account (never the password)")
    resolve = actions.add_parser(
        "resolve", help="settle a conflict: keep amplan's version or the server's"
    )
    resolve.add_argument("session", metavar="ID|UID", help="the session id (or event UID)")
    resolve.add_argument("--keep", required=True, choices=("amplan", "server"))
    sub_global_flags(account, show, resolve)

    command("sync", _sync, "publish sessions to the CalDAV calendar and pull busy time")


def _caldav(args: argparse.Namespace, out: Output) -> int:
    if args.action == "resolve":
        context = open_context(args)
        sync = CalendarSync(context.scheduler, context.customers)
        conflict = sync.resolve(args.session, args.keep)
        out.result(
            conflict.as_json() | {"kept": args.keep},
            f"Kept {'amplan' if args.keep == 'amplan' else 'the server'}'s version of "
            f"{conflict.title}.",
        )
        if args.keep == "amplan":
            out.say("`amplan sync` sends it (unless the server's copy changed again).")
        return 0
    if args.action == "show":
        settings = load_settings()
        if settings is None:
            raise BadInput("No CalDAV account yet: `amplan caldav set --url URL --user U`.")
        data = settings.as_config() | {"password": bool(read_password(settings))}
        out.result(data, _describe(settings, data["busy"], bool(data["password"])))
        return 0
    settings = CalDavSettings(
        url=normalize_url(args.url),
        user=args.user.strip(),
        calendar=(args.calendar or DEFAULT_CALENDAR).strip(),
        busy=tuple(name.strip() for name in args.busy if name.strip()),
    )
    if not settings.user:
        raise BadInput("--user is empty.")
    if args.password_stdin:
        require_keyring()  # said before anything is checked or saved
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise BadInput("No password on standard input.")
    else:
        password = read_password(settings) or ""
        if not password:
            raise BadInput(missing_password_message())
    context = open_context(args)
    publish, busy = CalendarSync(context.scheduler, context.customers).check(settings, password)
    if args.password_stdin:
        store_password(settings, password)
    save_settings(settings)
    names = [c.name for c in busy]
    data = settings.as_config() | {"publish_url": publish.url, "busy_calendars": names}
    out.result(data, _describe(settings, names, True))
    out.say(f"CalDAV account saved; amplan publishes to '{publish.name}'. `amplan sync` syncs.")
    return 0


def _describe(settings: CalDavSettings, busy: list[str], password: bool) -> list[str]:
    where = "keyring" if not _env_password() else f"${PASSWORD_ENV}"
    return [
        f"Server:   {settings.url}",
        f"User:     {settings.user}",
        f"Publish:  {settings.calendar}",
        f"Busy:     {', '.join(busy) if busy else 'every other calendar'}",
        f"Password: {'in the ' + where if password else 'missing'}",
    ]


def _env_password() -> bool:
    import os

    return bool(os.environ.get(PASSWORD_ENV))


def _sync(args: argparse.Namespace, out: Output) -> int:
    context = open_context(args)
    report = CalendarSync(context.scheduler, context.customers).sync()
    lines = [
        f"Published {report.published}, updated {report.updated}, removed {report.removed}; "
        f"{report.busy} busy event(s) changed; {len(report.conflicts)} conflict(s)."
    ]
    for conflict in report.conflicts:
        who = f"session {conflict.session_id}" if conflict.session_id else conflict.uid
        lines.append(f"  conflict: {who} ({conflict.title}): {conflict.reason}")
    out.result(report.as_json(), lines)
    if report.conflicts:
        out.say(
            f"{len(report.conflicts)} event(s) changed on the server were left as they are; "
            "amplan does not overwrite them."
        )
    return 0


__all__ = ["register"]
