"""Mail commands of the CLI (shared/CLI.md, "Mail, replies, meeting links"): `mail set`,
`send`, `outbox`, `export-eml` and `replies import`. `cli.build_parser` registers them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from desktop.cli_common import (
    Output,
    actions_of,
    open_context,
    password_stdin_flag,
    sub_global_flags,
)
from desktop.errors import BadInput
from desktop.services.calendar_files.calendar_files import write_file
from desktop.services.mail.mail_account import (
    NO_KEYRING,
    PASSWORD_ENV,
    SECURITIES,
    check_settings,
    keyring_available,
    load_settings,
    save_settings,
    store_password,
)


def register(command: Any) -> None:
    """Add the mail commands through `command(name, handler, help)` of cli.build_parser."""
    mail = command("mail", _mail, "the SMTP account invitations are sent through")
    mail_actions = actions_of(mail)
    mail_set = mail_actions.add_parser("set", help="set the SMTP server and login")
    mail_set.add_argument("--host", required=True, metavar="H")
    mail_set.add_argument("--port", required=True, metavar="N")
    mail_set.add_argument("--security", required=True, choices=SECURITIES)
    mail_set.add_argument("--user", default="", metavar="U")
    password_stdin_flag(mail_set, "read the password from standard input into the OS keyring")
    mail_show = mail_actions.add_parser("show", help="the SMTP account in use")
    sub_global_flags(mail_set, mail_show)

    send = command("send", _send, "e-mail the invitation (or cancellation) through the outbox")
    who = send.add_mutually_exclusive_group(required=True)
    who.add_argument("--session", metavar="ID")
    who.add_argument("--customer", metavar="C")

    outbox = command("outbox", _outbox, "messages waiting, sent or failed; `outbox send` retries")
    outbox_actions = actions_of(outbox, required=False)
    outbox_send = outbox_actions.add_parser("send", help="try the queued messages again")
    subs = [outbox_send]
    for name, text in (
        ("retry", "queue a failed message again"),
        ("discard", "drop a queued or failed message"),
        ("confirm", "mark an uncertain message as sent (you checked it arrived)"),
    ):
        sub = outbox_actions.add_parser(name, help=text)
        sub.add_argument("id", metavar="ID")
        subs.append(sub)
    sub_global_flags(*subs)

    eml = command("export-eml", _export_eml, "an unsent e-mail draft holding the invitation")
    eml.add_argument("--session", required=True, metavar="ID")
    eml.add_argument("-o", "--output", required=True, metavar="FILE.eml")

    replies = command("replies", _replies, "read attendees' replies (accept / decline)")
    replies_actions = actions_of(replies)
    replies_import = replies_actions.add_parser("import", help="import a reply .ics or .eml")
    replies_import.add_argument("file", metavar="FILE.ics|FILE.eml")
    sub_global_flags(replies_import)


def _mail(args: argparse.Namespace, out: Output) -> int:
    if args.action == "show":
        settings = load_settings()
        if settings is None:
            raise BadInput("Mail is not set up: `amplan mail set --host H --port N --security S`.")
        out.result(settings.as_json(), settings.describe())
        return 0
    settings = check_settings(args.host, args.port, args.security, args.user)
    password = ""
    if args.password_stdin:
        if not settings.user:
            raise BadInput("--password-stdin needs --user: a password goes with a login.")
        if not keyring_available():
            raise BadInput(NO_KEYRING)
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise BadInput("No password on standard input; nothing was saved.")
    if password:
        store_password(settings, password)
    save_settings(settings)
    kept = "keyring" if password else "none"
    out.result(settings.as_json() | {"password": kept}, settings.describe())
    out.say(f"Mail settings saved: {settings.describe()}.")
    if settings.user and not password:
        out.say(
            f"The password is read from the OS keyring (`--password-stdin` puts it there) or "
            f"from the environment variable {PASSWORD_ENV}."
        )
    return 0


def _report_delivery(out: Output, queued: int, failed: int, problem: str) -> None:
    if queued:
        out.say(
            f"{queued} message(s) queued, not sent yet: {problem} `amplan outbox send` tries again."
        )
    if failed:
        out.say(f"{failed} message(s) failed: {problem} `amplan outbox` shows each one's reason.")


def _send(args: argparse.Namespace, out: Output) -> int:
    context = open_context(args)
    mail = context.mail
    if args.session:
        invitations = [mail.invitation(args.session)]
    else:
        customer = context.customers.get(args.customer)
        invitations = mail.invitations_for_customer(customer)
        if not invitations:
            out.say(f"{customer.name} has no sessions to come: nothing to send.")
    result = mail.send(invitations)
    text = f"Sent {result.sent}, queued {result.queued}."
    out.result(result.as_json(), text)
    if result.already:
        out.say(
            f"{result.already} invitation(s) were already in the outbox (same version, same "
            "people) and were not sent again. `amplan outbox` lists them."
        )
    _report_delivery(out, result.queued, result.failed, result.problem)
    if result.sent:
        out.say(f"Sent {result.sent} message(s).")
    return 0


def _outbox(args: argparse.Namespace, out: Output) -> int:
    context = open_context(args)
    outbox = context.mail.outbox
    action = getattr(args, "action", None)
    if action == "send":
        report = context.mail.send_queued()
        out.result(
            {"sent": report.sent, "queued": report.queued, "failed": report.failed},
            f"Sent {report.sent}, queued {report.queued}, failed {report.failed}.",
        )
        _report_delivery(out, report.queued, report.failed, report.problem)
        return 0
    if action in ("retry", "discard", "confirm"):
        change = {
            "retry": outbox.retry,
            "discard": outbox.discard,
            "confirm": outbox.confirm_sent,
        }[action]
        entry = change(args.id)
        out.result(entry.as_json(), f"Message {entry.id}: {entry.status}.")
        if action == "retry":
            out.say("Queued again: `amplan outbox send` sends it.")
        return 0
    outbox.recover()
    entries = outbox.messages()
    rows = []
    for entry in entries:
        to = ", ".join(entry.recipients)
        session = f"session {entry.session_id}" if entry.session_id else "no session"
        rows.append(f"{entry.id:>4}  {entry.status:<8} {session:<12} {to}  {entry.subject}")
        if entry.error:
            rows.append(f"      {entry.error}")
    out.result({"messages": [e.as_json() for e in entries]}, rows)
    if not entries:
        out.say("The outbox is empty.")
    return 0


def _export_eml(args: argparse.Namespace, out: Output) -> int:
    context = open_context(args)
    path = Path(args.output).expanduser()
    if path.is_dir():
        raise BadInput(f"{path} is a folder: give a file name.")
    data = context.mail.draft(args.session)
    write_file(path, data)
    out.result({"file": str(path)}, f"Wrote the draft {path}.")
    out.say("Open it in your mail app (Outlook, Thunderbird, Apple Mail): it is ready to send.")
    return 0


def _replies(args: argparse.Namespace, out: Output) -> int:
    context = open_context(args)
    outcome = context.replies.import_file(Path(args.file).expanduser())
    lines = [f"Session {sid}: {email} {partstat}" for sid, email, partstat in outcome.updated]
    out.result(outcome.as_json(), lines)
    if outcome.ignored:
        out.say(
            f"Ignored {outcome.ignored} reply(ies): for a session not in this book, for an "
            "older version of a session that has changed since, or not a reply."
        )
    if not outcome.updated and not outcome.ignored:
        out.say("No replies in that file.")
    return 0
