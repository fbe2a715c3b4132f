"""Composition root: resolves the paths, builds the database, the policy and the services once.

The CLI and the GUI both start here; nothing else constructs a `Database`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from desktop.errors import BadInput
from desktop.models.backups import auto_backup
from desktop.models.database import Database
from desktop.models.server import is_server_url
from desktop.places import data_dir
from desktop.resources import resource_path
from desktop.services.book_search import BookSearch
from desktop.services.business_time import BusinessClock
from desktop.services.calendar_files.calendar_files import CalendarFiles
from desktop.services.customers import CustomerBook, ImportReport, sample_book_csv
from desktop.services.mail.invite_mail import InviteMail
from desktop.services.mail.outbox import Outbox
from desktop.services.mail.replies import Replies
from desktop.services.policy import Policy, load_policy
from desktop.services.profile import ProfileStore
from desktop.services.scheduling.sessions import Scheduler

DB_ENV = "AMPLAN_DB"
_OTHER_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+)://")


def default_db_path() -> Path:
    return data_dir() / "amplan.sqlite"


def resolve_db_path(cli_value: str | None) -> Path | str:
    """`--db` wins over `AMPLAN_DB`, which wins over the per-user data directory. A
    `postgresql://` URL (the team's book on a server) is returned as it is, a file as a Path."""
    value = cli_value or os.environ.get(DB_ENV)
    if not value:
        return default_db_path()
    return book_location(value)


def book_location(value: str) -> Path | str:
    """A book named by the user: a `postgresql://` URL as it is, a file as a Path. Another
    scheme (`mysql://...`) is refused rather than taken for a relative file name."""
    if is_server_url(value):
        return value.strip()
    scheme = _OTHER_SCHEME.match(value.strip())
    if scheme:
        raise BadInput(
            f"A book cannot be kept at a {scheme.group(1)}:// address: give a file path, "
            "or postgresql://user@host/dbname for a team's book."
        )
    return Path(value).expanduser()


@dataclass
class AppContext:
    """Everything a front end needs, built once and handed down."""

    db: Database
    policy: Policy
    clock: BusinessClock
    customers: CustomerBook
    scheduler: Scheduler
    calendars: CalendarFiles
    search: BookSearch
    profiles: ProfileStore
    mail: InviteMail
    replies: Replies

    def load_sample_book(self, today: date | None = None) -> ImportReport:
        text = resource_path("sample", "book.csv").read_text(encoding="utf-8")
        return self.customers.import_rows(
            sample_book_csv(text, today or date.today()), "sample book"
        )

    def close(self) -> None:
        self.db.close()


def build_context(db_path: Path | str, policy_path: str | Path | None = None) -> AppContext:
    policy = load_policy(policy_path)
    db = Database(db_path)
    auto_backup(db)  # a daily copy at start-up, rotated (desktop/models/backups.py)
    clock = BusinessClock(policy.time)
    profiles = ProfileStore()
    profiles.hand_over(db)  # a first-release book's profile moves to the user, once
    customers = CustomerBook(db, policy, profiles)
    scheduler = Scheduler(db, policy, clock, customers, profiles)
    calendars = CalendarFiles(scheduler, customers)
    return AppContext(
        db=db,
        policy=policy,
        clock=clock,
        customers=customers,
        scheduler=scheduler,
        calendars=calendars,
        search=BookSearch(
            db, customers, scheduler, {name: kind.label for name, kind in policy.kinds.items()}
        ),
        profiles=profiles,
        mail=InviteMail(calendars, Outbox(db)),
        replies=Replies(db),
    )
