"""The facade the CLI and GUI use for calendar files: invites, feeds and busy-time imports."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

from desktop.errors import BadInput
from desktop.services.calendar_files.ical_export import (
    DEFAULT_REMINDER_MINUTES,
    CalendarWriter,
    Organizer,
)
from desktop.services.calendar_files.ical_import import Progress, read_busy
from desktop.services.customers import CustomerBook, CustomerRecord
from desktop.services.input_files import read_input_file
from desktop.services.mail.meeting_links import profile_meeting_url
from desktop.services.scheduling.sessions import Scheduler

# A busy-time file larger than this is not a calendar export (20 MB holds ~40,000 events;
# reading one takes about half a minute and 300 MB).
MAX_IMPORT_BYTES = 20 * 1024 * 1024


class CalendarFiles:
    def __init__(self, scheduler: Scheduler, customers: CustomerBook) -> None:
        self.scheduler = scheduler
        self.customers = customers
        self.writer = CalendarWriter(scheduler.policy, scheduler.clock)

    def organizer(self, required: bool) -> Organizer | None:
        name, email = self.scheduler.profiles.identity()
        if not email:
            if required:
                raise BadInput(
                    "Invites need your name and e-mail as organizer: "
                    "`amplan profile set --name NAME --email EMAIL`."
                )
            return None
        return Organizer(name, email)

    def invite(
        self, session_id: int | str, reminder: int | None = DEFAULT_REMINDER_MINUTES
    ) -> bytes:
        session = self.scheduler.get(session_id)
        organizer = self.organizer(required=True)
        assert organizer is not None
        customers = [self.customers.get(cid) for cid in session.customer_ids]
        return self.writer.invite(
            session, customers, organizer, reminder, meeting_url=profile_meeting_url()
        )

    def feed(
        self,
        customer: CustomerRecord | None,
        first: date | None,
        last: date | None,
        reminder: int | None = None,
    ) -> bytes:
        sessions = self.scheduler.find(customer, first, last)
        everyone = {c.id: c for c in self.customers.list(include_archived=True)}
        name = f"amplan: {customer.name}" if customer else "amplan: all customers"
        return self.writer.feed(sessions, everyone, self.organizer(required=False), name, reminder)

    def import_busy(
        self, path: Path, today: date, progress: Progress | None = None
    ) -> tuple[int, int]:
        """(imported, skipped); a broken file changes nothing."""
        data = read_input_file(path, MAX_IMPORT_BYTES, "a calendar export")
        parsed = read_busy(data, path.name, self.scheduler.clock, today, progress)
        blocks = [(event.uid, event.block) for event in parsed.events]
        imported = self.scheduler.replace_busy(str(path.resolve()), parsed.uids, blocks)
        return imported, parsed.skipped


def write_file(path: Path, data: bytes) -> None:
    """Write the whole file or leave the old one: a half-written invite is worse than none.

    A symbolic link is written through (the file it names is replaced, the link stays); a
    device, pipe or socket is refused rather than replaced or written to."""
    path = writable_target(path)
    temporary = path.with_name(f".{path.name}.part")
    try:
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise BadInput(f"Cannot write {path}: {exc.strerror}") from None


def writable_target(path: Path) -> Path:
    """The regular file that writing `path` should replace (through symbolic links)."""
    try:
        target = path.resolve(strict=False) if path.is_symlink() else path
        status = target.stat()
    except FileNotFoundError:
        return target
    except (OSError, RuntimeError) as exc:  # a loop of links, no permission
        raise BadInput(f"Cannot write {path}: {getattr(exc, 'strerror', None) or exc}") from None
    if stat.S_ISDIR(status.st_mode):
        raise BadInput(f"{path} is a folder: give a file name.")
    if not stat.S_ISREG(status.st_mode):
        raise BadInput(
            f"Cannot write {path}: it is a device or a pipe, not a file. Give a file name."
        )
    return target
