"""Composition root: resolves the paths, builds the database, the policy and the services once.

The CLI and the GUI both start here; nothing else constructs a `Database`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import platformdirs

from desktop.models.database import Database
from desktop.resources import resource_path
from desktop.services.business_time import BusinessClock
from desktop.services.calendar_files import CalendarFiles
from desktop.services.customers import CustomerBook, ImportReport, sample_book_csv
from desktop.services.invite_mail import InviteMail
from desktop.services.outbox import Outbox
from desktop.services.policy import Policy, load_policy
from desktop.services.replies import Replies
from desktop.services.sessions import Scheduler

APP_NAME = "amplan"
DB_ENV = "AMPLAN_DB"


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "amplan.sqlite"


def resolve_db_path(cli_value: str | None) -> Path:
    """`--db` wins over `AMPLAN_DB`, which wins over the per-user data directory."""
    if cli_value:
        return Path(cli_value).expanduser()
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV]).expanduser()
    return default_db_path()


@dataclass
class AppContext:
    """Everything a front end needs, built once and handed down."""

    db: Database
    policy: Policy
    clock: BusinessClock
    customers: CustomerBook
    scheduler: Scheduler
    calendars: CalendarFiles
    mail: InviteMail
    replies: Replies

    def load_sample_book(self, today: date | None = None) -> ImportReport:
        text = resource_path("sample", "book.csv").read_text(encoding="utf-8")
        return self.customers.import_rows(
            sample_book_csv(text, today or date.today()), "sample book"
        )

    def close(self) -> None:
        self.db.close()


def build_context(db_path: Path, policy_path: str | Path | None = None) -> AppContext:
    policy = load_policy(policy_path)
    db = Database(db_path)
    clock = BusinessClock(policy.time)
    customers = CustomerBook(db, policy)
    scheduler = Scheduler(db, policy, clock, customers)
    calendars = CalendarFiles(scheduler, customers)
    return AppContext(
        db=db,
        policy=policy,
        clock=clock,
        customers=customers,
        scheduler=scheduler,
        calendars=calendars,
        mail=InviteMail(calendars, Outbox(db)),
        replies=Replies(db),
    )
