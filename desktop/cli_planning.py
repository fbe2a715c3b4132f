"""Planning commands of the CLI: `profile set` (identity and workload) and `conflicts`.

`cli.build_parser` registers them; the shapes are those of shared/CLI.md, second release.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from desktop.cli_common import Output, open_context
from desktop.services.business_time import format_span
from desktop.services.scheduling.conflicts import find_conflicts

if TYPE_CHECKING:
    from desktop.app import AppContext


def profile_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", help="your name (the first time: required)")
    parser.add_argument(
        "--email", help="your e-mail, the invites' organizer (first time: required)"
    )
    parser.add_argument("--tz", metavar="IANA", help="your time zone (default America/New_York)")
    parser.add_argument("--meeting-url", dest="meeting_url", metavar="URL")
    parser.add_argument(
        "--max-per-day", dest="max_per_day", metavar="N", help="sessions a day (default 6)"
    )
    parser.add_argument(
        "--buffer", dest="buffer_minutes", metavar="MINUTES", help="between sessions (default 15)"
    )
    parser.add_argument(
        "--lunch", metavar="HH:MM-HH:MM|none", help="kept free, your zone (default 12:00-13:00)"
    )
    parser.add_argument(
        "--lead-days", dest="lead_days", metavar="N", help="business days ahead (default 1)"
    )


def profile_set(context: AppContext, args: argparse.Namespace, out: Output) -> int:
    fields = ("name", "email", "tz", "meeting_url", "max_per_day", "buffer_minutes", "lunch")
    changes = {key: getattr(args, key) for key in (*fields, "lead_days")}
    profile = context.profiles.update(**changes)
    lunch = profile.lunch_text
    out.result(
        profile.as_json(),
        [
            f"{profile.name} <{profile.email}>",
            f"zone {profile.tz}; at most {profile.max_per_day} sessions a day, "
            f"{profile.buffer_minutes} min between; lunch {lunch}; "
            f"lead {profile.lead_days} business day(s)",
        ],
    )
    out.say("Profile saved.")
    return 0


def register(command: Any) -> None:
    conflicts = command("conflicts", _conflicts, "booked sessions over busy time or each other")
    conflicts.add_argument(
        "--upcoming", action="store_true", help="only sessions that have not ended yet"
    )


def _conflicts(args: argparse.Namespace, out: Output) -> int:
    context = open_context(args)
    since = datetime.now(UTC) if args.upcoming else None
    found = find_conflicts(context.scheduler, since)
    clock = context.clock
    lines = [
        f"#{c.session.id} {c.session.display_title} "
        f"({format_span(c.session.start_utc, c.session.end_utc, clock)}) overlaps "
        f"{c.what() if c.with_ == 'busy' else f'session #{c.other_id} {c.what()}'}"
        for c in found
    ]
    out.result({"conflicts": [c.as_json(clock) for c in found]}, lines)
    sessions = len({c.session.id for c in found})
    out.say(
        f"{sessions} booked session(s) clash; `amplan move ID --start T` moves one."
        if found
        else "No booked session clashes."
    )
    return 0
