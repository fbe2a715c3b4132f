"""Session commands of the CLI (book, move, cancel, done, no-show, sessions, slots, plan).

Kept apart from `cli.py` so each file stays readable; `cli.build_parser` registers these.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.cli_common import Output, my_email, open_context
from desktop.errors import BadInput
from desktop.services.business_time import format_span, to_utc
from desktop.services.calendar_files.calendar_files import write_file
from desktop.services.calendar_files.ical_import import import_horizon
from desktop.services.customers import parse_date
from desktop.services.policy import KIND_NAMES
from desktop.services.scheduling.conflicts import find_conflicts
from desktop.services.scheduling.planner import PlannedSession, Planner, default_until
from desktop.services.scheduling.sessions import (
    BookingRequest,
    SessionRecord,
    SessionTimes,
    parse_times,
)
from desktop.services.scheduling.slots import find_slots
from desktop.services.scheduling.status import SessionStatus

if TYPE_CHECKING:
    from desktop.app import AppContext


def register(command: Any) -> Any:
    """Add the session commands through `command(name, handler, help)` of cli.build_parser;
    returns the sub-parsers that still need the global flags."""
    _booking_commands(command)
    _finding_commands(command)
    return _calendar_commands(command)


def _booking_commands(command: Any) -> None:
    """book, move, and the status changes (cancel, done, no-show)."""
    book = command("book", _book, "book a session (refused with exit 3 if the contract says no)")
    book.add_argument("--customer", required=True, metavar="C")
    book.add_argument("--kind", required=True, choices=KIND_NAMES)
    book.add_argument("--start", required=True, metavar="T", help="ISO time; a DATE for all-day")
    _length_flags(book)
    book.add_argument("--requested", metavar="T", help="when the customer asked (default: now)")
    book.add_argument("--title", default="")
    book.add_argument("--notes", default="")
    book.add_argument("--billable", action="store_true", help="charged, not drawn on allowance")
    book.add_argument("--override", metavar="REASON", help="book despite the rules, with a reason")
    book.add_argument(
        "--with",
        dest="others",
        action="append",
        default=[],
        metavar="C2",
        help="more customers of a round table",
    )
    book.add_argument("--dry-run", action="store_true", help="check only, save nothing")
    book.add_argument("--meeting-url", metavar="URL", help="the invite's link (default: profile's)")

    move = command("move", _move, "move a session; it keeps its identity")
    move.add_argument("id", metavar="ID")
    move.add_argument("--start", required=True, metavar="T")
    _length_flags(move)
    move.add_argument("--requested", metavar="T")
    move.add_argument("--override", metavar="REASON")
    move.add_argument("--dry-run", action="store_true")
    move.add_argument("--meeting-url", metavar="URL", help="a new link for the invite")

    for name, status, text in (
        ("cancel", SessionStatus.CANCELLED, "cancel a session (it then counts for nothing)"),
        ("done", SessionStatus.DONE, "mark a session as held"),
        (
            "no-show",
            SessionStatus.NO_SHOW,
            "mark a session the customer missed (it counts as used)",
        ),
    ):
        sub = command(name, _status, text)
        sub.add_argument("id", metavar="ID")
        sub.set_defaults(status=status)


def _finding_commands(command: Any) -> None:
    """sessions, slots and plan: what is booked, and what could be."""
    sessions = command("sessions", _sessions, "list sessions")
    sessions.add_argument("--customer", metavar="C")
    sessions.add_argument("--from", dest="first", metavar="DATE")
    sessions.add_argument("--to", dest="last", metavar="DATE")
    sessions.add_argument("--kind", choices=KIND_NAMES)
    sessions.add_argument("--mine", action="store_true", help="only your customers' sessions")

    slots = command("slots", _slots, "the next legal start times, earliest first")
    slots.add_argument("--customer", required=True, metavar="C")
    slots.add_argument("--kind", required=True, choices=KIND_NAMES)
    slots.add_argument("--minutes", type=int)
    slots.add_argument("--requested", metavar="T")
    slots.add_argument("--from", dest="after", metavar="T")
    slots.add_argument("--count", type=int, default=5)
    slots.add_argument("--with", dest="others", action="append", default=[], metavar="C2")

    plan = command("plan", _plan, "propose onboarding sessions and cadence calls")
    who = plan.add_mutually_exclusive_group(required=True)
    who.add_argument("--customer", metavar="C")
    who.add_argument("--all", action="store_true")
    plan.add_argument("--from", dest="first", metavar="DATE")
    plan.add_argument("--until", metavar="DATE")
    plan.add_argument("--apply", action="store_true", help="book the proposal in one transaction")


def _calendar_commands(command: Any) -> Any:
    """busy and export-ics; returns busy's sub-parsers."""
    busy = command("busy", _busy, "your own calendar's busy time, which blocks bookings")
    busy_actions = busy.add_subparsers(dest="action", required=True, metavar="ACTION")
    busy_import = busy_actions.add_parser("import", help="import an .ics file (again: replaces)")
    busy_import.add_argument("file", metavar="FILE.ics")
    busy_actions.add_parser("list", help="list busy blocks")
    busy_actions.add_parser("clear", help="forget all busy time")

    export = command("export-ics", _export, "an invite for one session, or a calendar feed")
    what = export.add_mutually_exclusive_group(required=True)
    what.add_argument("--session", metavar="ID")
    what.add_argument("--customer", metavar="C")
    what.add_argument("--all", action="store_true")
    export.add_argument("--from", dest="first", metavar="DATE")
    export.add_argument("--to", dest="last", metavar="DATE")
    export.add_argument("-o", "--output", required=True, metavar="FILE.ics")
    export.add_argument(
        "--reminder", type=int, metavar="MINUTES", help="alarm before the start (0: none)"
    )
    return busy_actions


def _length_flags(parser: argparse.ArgumentParser) -> None:
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--minutes", type=int, metavar="M")
    length.add_argument("--end", metavar="T|DATE", help="end time; for all-day kinds the last day")


def _requested(context: AppContext, text: str | None) -> datetime | None:
    return context.clock.parse(text) if text else None


def _session_text(context: AppContext, record: SessionRecord) -> str:
    when = (
        f"{context.clock.et_date(record.start_utc)} - "
        f"{context.clock.et_date(record.end_utc) - timedelta(days=1)} (all day)"
        if record.all_day
        else f"{format_span(record.start_utc, record.end_utc, context.clock)} "
        f"{context.policy.time.zone_label}"
    )
    flags = "".join(
        [", billable" if record.billable else "", ", overridden" if record.override_reason else ""]
    )
    return (
        f"#{record.id:<5} {when:<34} {record.kind:<13} {', '.join(record.customers)}"
        f"  [{record.status}{flags}]"
    )


def report_session(out: Output, context: AppContext, record: SessionRecord, verb: str) -> None:
    data = record.as_json(context.clock)
    if not record.id:
        data["id"] = None
    out.result(data, _session_text(context, record))
    for warning in record.warnings:
        out.say(f"warning: {warning}")
    out.say(verb)


def _book(args: argparse.Namespace, out: Output) -> int:
    context = open_context(args)
    customers = tuple(context.customers.get(ref) for ref in [args.customer, *args.others])
    times = parse_times(
        context.clock, context.policy, args.kind, args.start, args.minutes, args.end
    )
    request = BookingRequest(
        customers=customers,
        kind=args.kind,
        times=times,
        requested_utc=_requested(context, args.requested),
        title=args.title,
        notes=args.notes,
        billable=args.billable,
        override_reason=args.override,
        meeting_url=args.meeting_url,
    )
    outcome = context.scheduler.book(request, dry_run=args.dry_run)
    verb = "The contract allows it (dry run: nothing saved)." if args.dry_run else "Booked."
    report_session(out, context, outcome.session, verb)
    return 0


def _move(args: argparse.Namespace, out: Output) -> int:
    context = open_context(args)
    current = context.scheduler.get(args.id)
    times = parse_times(
        context.clock, context.policy, current.kind, args.start, args.minutes, args.end
    )
    if args.minutes is None and args.end is None:
        # Only a new start: the session keeps its length (an event plan its number of days).
        length = current.end_utc - current.start_utc
        if current.all_day:
            days = (
                context.clock.et_date(current.end_utc) - context.clock.et_date(current.start_utc)
            ).days
            first = context.clock.et_date(times.start_utc)
            times = SessionTimes(
                to_utc(context.clock.midnight(first)),
                to_utc(context.clock.midnight(first + timedelta(days=days))),
                True,
            )
        else:
            times = SessionTimes(times.start_utc, times.start_utc + length, False)
    outcome = context.scheduler.move(
        current.id,
        times,
        _requested(context, args.requested),
        args.override,
        args.dry_run,
        meeting_url=args.meeting_url,
    )
    report_session(
        out, context, outcome.session, "Dry run: nothing saved." if args.dry_run else "Moved."
    )
    return 0


def _status(args: argparse.Namespace, out: Output) -> int:
    context = open_context(args)
    record = context.scheduler.set_status(args.id, args.status)
    report_session(out, context, record, f"Marked {args.status}.")
    return 0


def _sessions(args: argparse.Namespace, out: Output) -> int:
    context = open_context(args)
    customer = context.customers.get(args.customer) if args.customer else None
    first = parse_date(args.first) if args.first else None
    last = parse_date(args.last) if args.last else None
    if first and last and last < first:
        raise BadInput("--to is before --from.")
    owner = my_email(context) if args.mine else None
    records = context.scheduler.find(customer, first, last, args.kind, owner=owner)
    out.result(
        {"sessions": [r.as_json(context.clock) for r in records]},
        [_session_text(context, r) for r in records],
    )
    if not records:
        out.say("No sessions match.")
    return 0


def _slots(args: argparse.Namespace, out: Output) -> int:
    context = open_context(args)
    customers = [context.customers.get(ref) for ref in [args.customer, *args.others]]
    info = context.policy.kind(args.kind)
    minutes = args.minutes if args.minutes is not None else (info.default_minutes or 24 * 60)
    if minutes <= 0 or args.count <= 0:
        raise BadInput("--minutes and --count must be positive.")
    now = datetime.now(UTC)
    requested = _requested(context, args.requested) or now
    after = context.clock.parse(args.after) if args.after else max(now, requested)
    found = find_slots(
        context.scheduler, customers, args.kind, minutes, requested, after, args.count
    )
    rows = []
    for times in found:
        if times.all_day:  # dates with the end inclusive, as `book --end` takes them
            last_day = context.clock.et_date(times.end_utc) - timedelta(days=1)
            rows.append(
                {
                    "start": context.clock.et_date(times.start_utc).isoformat(),
                    "end": last_day.isoformat(),
                }
            )
        else:
            rows.append(
                {
                    "start": context.clock.et(times.start_utc).isoformat(),
                    "end": context.clock.et(times.end_utc).isoformat(),
                }
            )
    out.result(
        {"slots": rows},
        [
            f"{format_span(t.start_utc, t.end_utc, context.clock)} {context.policy.time.zone_label}"
            for t in found
        ],
    )
    if not found:
        out.say("No legal slot in the next two years.")
    return 0


def _planned_json(context: AppContext, planned: PlannedSession) -> dict[str, Any]:
    clock = context.clock
    return {
        "customers": [planned.customer.name],
        "kind": planned.kind,
        "start": clock.et(planned.times.start_utc).isoformat(),
        "end": clock.et(planned.times.end_utc).isoformat(),
        "reason": planned.reason,
        "warnings": list(planned.warnings),
    }


def _plan(args: argparse.Namespace, out: Output) -> int:
    context = open_context(args)
    today = datetime.now(UTC).astimezone(context.clock.tz).date()
    if args.customer:
        customers = [context.customers.get(args.customer)]
        first = parse_date(args.first) if args.first else max(today, customers[0].start)
    else:
        customers = context.customers.list()
        first = parse_date(args.first) if args.first else today
    until = parse_date(args.until) if args.until else default_until(first)
    if until <= first:
        raise BadInput("--until must be after --from (it is the first day not planned).")
    planner = Planner(context.scheduler)
    plan = planner.plan(customers, first, until)
    proposed = [_planned_json(context, p) for p in plan.proposed]
    if args.apply and plan.proposed:
        planner.apply(plan)
        assert plan.booked is not None
        for item, record in zip(proposed, plan.booked, strict=True):
            item.update(id=record.id, uid=record.uid, status=record.status)
    lines = [
        f"{p.customer.name:<24} {p.kind:<11} "
        f"{format_span(p.times.start_utc, p.times.end_utc, context.clock)}  {p.reason}"
        for p in plan.proposed
    ]
    unplanned = [item.as_json() for item in plan.unplanned]
    out.result({"proposed": proposed, "applied": bool(args.apply), "unplanned": unplanned}, lines)
    for note in plan.notes:
        out.say(f"unplanned: {note}")
    if args.apply:
        out.say(f"Booked {len(plan.proposed)} session(s).")
    else:
        out.say(f"{len(plan.proposed)} session(s) proposed; add --apply to book them.")
    return 0


def _busy(args: argparse.Namespace, out: Output) -> int:
    context = open_context(args)
    if args.action == "import":
        today = datetime.now(UTC).astimezone(context.clock.tz).date()
        imported, skipped = context.calendars.import_busy(Path(args.file), today)
        clashing = len({c.session.id for c in find_conflicts(context.scheduler)})
        out.result(
            {"imported": imported, "skipped": skipped, "conflicts": clashing},
            f"Imported {imported} busy block(s), skipped {skipped} (free or cancelled).",
        )
        first, last = import_horizon(today)
        out.say(f"Busy time was read from {first} to {last - timedelta(days=1)}.")
        if clashing:
            out.say(f"{clashing} booked session(s) now clash: `amplan conflicts` lists them.")
    elif args.action == "list":
        blocks = context.scheduler.busy_blocks()
        rows = []
        for block in blocks:
            if block.all_day:
                first = context.clock.et_date(block.start_utc)
                last = context.clock.et_date(block.end_utc) - timedelta(days=1)
                when = f"{first} - {last} (all day)"
            else:
                when = f"{format_span(block.start_utc, block.end_utc, context.clock)} ET"
            rows.append(f"{when:<36} {block.summary}")
        data = [
            {
                "start": context.clock.et(b.start_utc).isoformat(),
                "end": context.clock.et(b.end_utc).isoformat(),
                "summary": b.summary,
                "all_day": b.all_day,
            }
            for b in blocks
        ]
        out.result({"busy": data}, rows)
        if not blocks:
            out.say("No busy time: `amplan busy import FILE.ics` brings yours in.")
    else:
        removed = context.scheduler.clear_busy()
        out.result({"removed": removed}, f"Removed {removed} busy block(s).")
    return 0


def _export(args: argparse.Namespace, out: Output) -> int:
    context = open_context(args)
    path = Path(args.output)
    reminder = args.reminder
    if reminder is not None and not 0 <= reminder <= 40_320:
        raise BadInput("--reminder must be 0 to 40320 minutes (four weeks) before the start.")
    if args.session:
        if args.first or args.last:
            raise BadInput("--from/--to apply to feeds, not to one session's invite.")
        data = context.calendars.invite(args.session, 15 if reminder is None else reminder or None)
        kind = "invite"
    else:
        customer = context.customers.get(args.customer) if args.customer else None
        first = parse_date(args.first) if args.first else None
        last = parse_date(args.last) if args.last else None
        if first and last and last < first:
            raise BadInput("--to is before --from.")
        data = context.calendars.feed(customer, first, last, reminder or None)
        kind = "calendar feed"
    write_file(path, data)
    events = data.count(b"BEGIN:VEVENT")
    out.result({"file": str(path), "events": events}, f"Wrote {kind} {path} ({events} event(s)).")
    return 0
