"""Calendar files from the GUI: send an invite, export a calendar, import and clear busy time.

Each public function is one user action, called from a menu entry or a button. It asks for
what it needs (the organizer's profile, the options, a file name), calls `context.calendars`
and says in plain words what happened. Long work (an import, an export) runs in the window's
background work behind a progress dialog (progress.py), so the window keeps painting and
Cancel works: those two actions return once the work has started and say what it did when
it ends. The dialogs they ask with live beside them: profile_dialog.py, export_dialog.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.services.business_time import format_day
from desktop.services.calendar_files.calendar_files import write_file
from desktop.services.calendar_files.ical_import import ImportCancelled, import_horizon
from desktop.services.customers import CustomerRecord
from desktop.services.display.session_format import when_et
from desktop.services.scheduling.conflicts import conflicting_sessions, find_conflicts
from desktop.services.scheduling.status import SessionStatus
from desktop.views.calendar_files.export_dialog import (
    ALL_DATES_KEY,
    REMINDER_KEY,
    REMINDERS,
    ExportCalendarDialog,
    ExportChoice,
    export_file_stem,
)
from desktop.views.calendar_files.files import (
    ICS_FILTER,
    IMPORT_FOLDER_KEY,
    OPEN_FILTER,
    SAVE_FOLDER_KEY,
    ask_save_path,
    last_folder,
    open_folder,
    plural,
    remember_folder,
    safe_file_name,
    show_saved,
    today_et,
)
from desktop.views.calendar_files.profile_dialog import ProfileDialog, ensure_profile
from desktop.views.calendar_files.progress import (
    SHOW_PROGRESS_AFTER_MS,
    WorkProgress,
    busy_elsewhere,
    start_job,
)
from desktop.views.widgets import messages
from desktop.views.widgets.background import Job, Progress

__all__ = [
    "ALL_DATES_KEY",
    "ICS_FILTER",
    "IMPORT_FOLDER_KEY",
    "OPEN_FILTER",
    "REMINDERS",
    "REMINDER_KEY",
    "SAVE_FOLDER_KEY",
    "SHOW_PROGRESS_AFTER_MS",
    "ExportCalendarDialog",
    "ExportChoice",
    "ProfileDialog",
    "WorkProgress",
    "clear_busy_time",
    "ensure_profile",
    "export_calendar",
    "export_file_stem",
    "import_my_calendar",
    "open_folder",
    "safe_file_name",
    "send_invite",
    "show_saved",
]
# Contacts named in a confirmation; the rest are counted.
NAMED_CONTACTS = 3


# --- 1. an invite for one session ----------------------------------------------------------
def _names(names: list[str], limit: int = NAMED_CONTACTS) -> str:
    if len(names) <= limit:
        return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
    return f"{', '.join(names[:limit])} and {len(names) - limit} more"


def send_invite(parent: QWidget | None, context: AppContext, session_id: int) -> Path | None:
    """Save the invite (or, for a cancelled session, the cancellation) of one session as an
    .ics file to attach to an e-mail; None when the user stopped or it could not be done."""
    try:
        session = context.scheduler.get(session_id)
        customers = [context.customers.get(cid) for cid in session.customer_ids]
    except AmplanError as exc:
        messages.show_error(parent, "Invite not saved", str(exc))
        return None
    contacts: dict[str, str] = {}
    for customer in customers:
        for contact in customer.contacts:
            contacts.setdefault(contact.email.lower(), contact.name or contact.email)
    if not contacts:
        names = _names([c.name for c in customers])
        messages.show_error(
            parent,
            "No one to invite",
            f"{names} {'has' if len(customers) == 1 else 'have'} no contacts yet, so there is "
            "no one to send the invite to. Edit the customer, add a contact as "
            "Name <e-mail>, then send the invite again.",
        )
        return None
    if not ensure_profile(parent, context):
        return None
    try:
        data = context.calendars.invite(session.id)
    except AmplanError as exc:
        messages.show_error(parent, "Invite not saved", str(exc))
        return None

    cancelled = session.status == SessionStatus.CANCELLED
    label = context.policy.kind(session.kind).label
    day = context.clock.et_date(session.start_utc).isoformat()
    stem = f"{', '.join(session.customers)} - {label} {day}"
    path = ask_save_path(
        parent,
        "Save the cancellation" if cancelled else "Save the invite",
        safe_file_name(f"{stem} cancellation" if cancelled else stem),
    )
    if path is None:
        return None
    try:
        write_file(path, data)
    except AmplanError as exc:
        messages.show_error(parent, "Invite not saved", str(exc))
        return None

    when = when_et(context.clock, session.start_utc, session.end_utc, session.all_day)
    who = f"{plural(len(contacts), 'contact')} ({_names(list(contacts.values()))})"
    send = f"Saved as {path.name}. Attach it to an e-mail, or open it in Outlook, to send it."
    if cancelled:
        text = (
            f"Cancellation for {who}: {label}, {when}.\n\nThe session is cancelled, so this "
            f"file takes it out of their calendars.\n\n{send}"
        )
        show_saved(parent, "Cancellation saved", text, path)
    else:
        text = f"Invite for {who}: {label}, {when}.\n\n{send}"
        show_saved(parent, "Invite saved", text, path)
    return path


def export_calendar(
    parent: QWidget | None,
    context: AppContext,
    customer: CustomerRecord | None = None,
    on_done: Callable[[Path], None] | None = None,
) -> Job | None:
    """Choose the sessions, then a file, and write them as a calendar (PUBLISH) to open in
    any calendar program. The writing runs in the background: the job is returned (None
    when the user stopped first), and `on_done(path)` runs once the file is written."""
    if busy_elsewhere(parent):
        return None
    try:
        dialog = ExportCalendarDialog(context, customer, parent)
    except AmplanError as exc:
        messages.show_error(parent, "Calendar not exported", str(exc))
        return None
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        choice = dialog.choice()
    finally:
        dialog.deleteLater()
    path = ask_save_path(parent, "Export calendar", safe_file_name(export_file_stem(choice)))
    if path is None:
        return None

    calendars = context.calendars

    def work(_report: Progress) -> int:
        data = calendars.feed(choice.customer, choice.first, choice.last, choice.reminder)
        write_file(path, data)
        return data.count(b"BEGIN:VEVENT")

    def written(events: int) -> None:
        show_saved(parent, "Calendar exported", _exported_text(choice, events, path), path)
        if on_done is not None:
            on_done(path)

    def failed(error: BaseException) -> None:
        if not isinstance(error, AmplanError):
            raise error  # a bug: to the crash handler, on the GUI thread
        messages.show_error(parent, "Calendar not exported", str(error))

    progress = WorkProgress(parent, "Export calendar", f"Writing {path.name}…", cancellable=False)
    return start_job(parent, progress, work, written, failed)


def _exported_text(choice: ExportChoice, events: int, path: Path) -> str:
    scope = choice.customer.name if choice.customer else "the whole book"
    span = ""
    if choice.first and choice.last:
        span = f" from {choice.first:%a} {choice.first.day} {choice.first:%b %Y}"
        span += f" to {choice.last:%a} {choice.last.day} {choice.last:%b %Y}"
    reminder = f", each with a reminder {choice.reminder} minutes before" if choice.reminder else ""
    return (
        f"{plural(events, 'session')} of {scope}{span}{reminder}.\n\n"
        f"Saved as {path.name}. Open it in Outlook, Google Calendar or Apple Calendar "
        "to add the sessions to your calendar."
    )


# --- 3. the manager's own calendar as busy time ------------------------------------------
def import_my_calendar(
    parent: QWidget | None,
    context: AppContext,
    today: date | None = None,
    path: Path | None = None,
    on_done: Callable[[tuple[int, int]], None] | None = None,
) -> Job | None:
    """Import an .ics export of the user's own calendar as busy time, which bookings then
    avoid. The reading runs in the background: the job is returned (None when nothing was
    started), and `on_done((imported, skipped))` runs once the busy time is saved; a stop or
    an error saves nothing and says so.

    Without `path` the user picks the file; with one (a file opened from the desktop) the
    user confirms that it is their calendar first."""
    if busy_elsewhere(parent):
        return None
    chosen = _import_path(parent, path)
    if chosen is None:
        return None
    day = today or today_et(context)
    calendars = context.calendars

    def work(report: Progress) -> tuple[int, int]:
        return calendars.import_busy(chosen, day, report)

    progress = WorkProgress(parent, "Import my calendar", f"Reading {chosen.name}…")

    def imported(result: tuple[int, int]) -> None:
        text = _imported_text(context, chosen.name, day, result)
        if progress.stopping:
            text = f"The import had already finished when you pressed Cancel.\n\n{text}"
        messages.show_info(parent, "Calendar imported", text)
        if on_done is not None:
            on_done(result)

    def failed(error: BaseException) -> None:
        if isinstance(error, ImportCancelled):
            messages.show_info(
                parent,
                "Import stopped",
                f"The import of {chosen.name} was stopped. Nothing was imported: "
                "your busy time is as it was.",
            )
        elif isinstance(error, AmplanError):
            messages.show_error(
                parent,
                "Calendar not imported",
                f"{error}\n\nNothing was imported: your busy time is as it was.",
            )
        else:
            raise error  # a bug: to the crash handler, on the GUI thread

    return start_job(parent, progress, work, imported, failed, _import_stopped)


def _import_stopped() -> ImportCancelled:
    return ImportCancelled("Import stopped; nothing was saved.")


def _import_path(parent: QWidget | None, path: Path | None) -> Path | None:
    """The file the user picks, or the one given once the user says it is their calendar."""
    if path is None:
        name, _ = QFileDialog.getOpenFileName(
            parent, "Import my calendar", str(last_folder(IMPORT_FOLDER_KEY)), OPEN_FILTER
        )
        if not name:
            return None
        remember_folder(IMPORT_FOLDER_KEY, Path(name).parent)
        return Path(name)
    if not messages.ask(
        parent,
        "Import my calendar",
        f"Import the events of {path.name} as your busy time? Bookings will then avoid them.",
        "Import",
    ):
        return None
    return path


def _imported_text(context: AppContext, name: str, day: date, result: tuple[int, int]) -> str:
    imported, skipped = result
    text = f"Imported {plural(imported, 'busy block')} from {name}"
    if skipped:
        text += f" ({plural(skipped, 'free or cancelled event')} skipped)"
    text += "."
    if imported:
        text += " They now block bookings."
    else:
        first, end = import_horizon(day)
        text += (
            f" It has no busy time from {format_day(first)} to "
            f"{format_day(end - timedelta(days=1))} (the days it reads), so nothing blocks "
            "bookings."
        )
    clashing = len(conflicting_sessions(find_conflicts(context.scheduler)))
    if clashing:
        text += (
            f"\n\n{plural(clashing, 'booked session')} now clash with your busy time or "
            "each other: the dashboard lists them under Clashes, with Move… on each."
        )
    return text


def clear_busy_time(parent: QWidget | None, context: AppContext) -> int | None:
    """Forget all imported busy time, after asking; the number of blocks removed, or None."""
    try:
        count = len(context.scheduler.busy_blocks())
    except AmplanError as exc:
        messages.show_error(parent, "Busy time not cleared", str(exc))
        return None
    if not count:
        messages.show_info(parent, "Clear busy time", "There is no imported busy time to clear.")
        return None
    question = (
        f"Remove all {plural(count, 'busy block')} imported from your calendar? "
        "Sessions can then be booked at those times again. Your calendar itself is not "
        "changed: import it again at any time."
    )
    if not messages.ask(parent, "Clear busy time", question, "Clear busy time"):
        return None
    try:
        return context.scheduler.clear_busy()
    except AmplanError as exc:
        messages.show_error(parent, "Busy time not cleared", str(exc))
        return None
