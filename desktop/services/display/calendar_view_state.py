"""What the calendar page shows, decided without Qt: the days of a view, stepping through
periods, the display zones on offer, the customer filter's choices, and the wording of a move.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date, timedelta

from desktop.errors import AmplanError
from desktop.services.business_time import add_months, week_start, zone
from desktop.services.calendar_files.calendar_view import CalendarFilter
from desktop.services.customers import CustomerBook, CustomerRecord
from desktop.services.display.layout import DayInfo, DisplayZone
from desktop.services.display.session_format import city
from desktop.services.reports.calendar_print import PrintRange
from desktop.services.scheduling.sessions import SessionRecord, SessionTimes

DAY, WEEK, MONTH, AGENDA = "day", "week", "month", "agenda"
VIEWS = (DAY, WEEK, MONTH, AGENDA)
VIEW_LABELS = {DAY: "Day", WEEK: "Week", MONTH: "Month", AGENDA: "Agenda"}
PERIOD_WORDS = {DAY: "day", WEEK: "week", MONTH: "month", AGENDA: "fortnight"}
AGENDA_DAYS = 14
MONTH_DAYS = 42
ET_KEY, LOCAL_KEY = "et", "local"
CUSTOMER_PREFIX, OWNER_PREFIX = "customer:", "owner:"


def days_shown(view: str, anchor: date) -> list[date]:
    """The display-zone days a view shows around `anchor` (weeks start on Monday)."""
    if view == DAY:
        return [anchor]
    if view == WEEK:
        first = week_start(anchor)
        return [first + timedelta(days=n) for n in range(7)]
    if view == MONTH:
        first = week_start(anchor.replace(day=1))
        return [first + timedelta(days=n) for n in range(MONTH_DAYS)]
    first = week_start(anchor)
    return [first + timedelta(days=n) for n in range(AGENDA_DAYS)]


def stepped(view: str, anchor: date, periods: int) -> date:
    """`anchor` moved by whole periods of `view`."""
    if view == MONTH:
        return add_months(anchor, periods)
    if view == WEEK:
        return anchor + timedelta(weeks=periods)
    if view == AGENDA:
        return anchor + timedelta(days=AGENDA_DAYS * periods)
    return anchor + timedelta(days=periods)


def empty_hint(view: str, filtered: bool) -> str:
    """What an empty period says: why it is empty, and how to book when it can."""
    period = {DAY: "this day", WEEK: "this week", MONTH: "this month", AGENDA: "these two weeks"}
    if filtered:
        return f"No sessions match the filters {period[view]}."
    if view == AGENDA:
        return "Nothing planned in these two weeks."
    where = "day" if view == MONTH else "slot"
    return f"Nothing planned {period[view]} · double-click a {where} to book a session"


def display_zones(
    et_zone: DisplayZone, local_name: str, customers: Iterable[CustomerRecord]
) -> dict[str, DisplayZone]:
    """ET, this computer's zone, then each customer's (by name; unknown zones left out)."""
    zones = {
        ET_KEY: et_zone,
        LOCAL_KEY: DisplayZone(
            LOCAL_KEY,
            local_name,
            f"This computer ({city(local_name)})",
            city(local_name),
            zone(local_name),
        ),
    }
    for record in sorted(customers, key=lambda c: c.name.casefold()):
        try:
            tz = zone(record.tz)
        except AmplanError:
            continue
        key = f"{CUSTOMER_PREFIX}{record.id}"
        zones[key] = DisplayZone(
            key, record.tz, f"{record.name} ({city(record.tz)})", city(record.tz), tz
        )
    return zones


def zone_customer(key: str) -> int | None:
    """The customer whose clock a display zone key names, if any."""
    if key.startswith(CUSTOMER_PREFIX):
        return int(key.removeprefix(CUSTOMER_PREFIX))
    return None


def owner_choices(
    customers: Sequence[CustomerRecord], my_email: Callable[[], str], team_book: bool
) -> list[tuple[str, str]]:
    """A team's book: my customers, or one colleague's (keys "owner:EMAIL"); `my_email` is
    asked only when there is a team to choose from."""
    owners = {c.owner.strip().lower() for c in customers if c.owner.strip()}
    if len(owners) < 2 and not team_book:
        return []
    mine = my_email()
    choices = [("My customers", f"{OWNER_PREFIX}{mine}")] if mine else []
    return choices + [
        (f"Customers of {owner}", f"{OWNER_PREFIX}{owner}") for owner in sorted(owners - {mine})
    ]


def my_email(book: CustomerBook) -> str:
    """The manager's address as owners are compared (lower case), or blank if unknown."""
    try:
        return book.manager_email().strip().lower()
    except AmplanError:
        return ""


def chosen_customers(choice: object, customers: Sequence[CustomerRecord]) -> tuple[int, ...]:
    """The customer filter's ids for the combo's choice: one customer, an owner's, or all."""
    if isinstance(choice, int):
        return (choice,)
    if isinstance(choice, str) and choice.startswith(OWNER_PREFIX):
        owner = choice.removeprefix(OWNER_PREFIX)
        owned = tuple(c.id for c in customers if c.owner.strip().lower() == owner)
        return owned or (-1,)  # nobody's sessions, rather than everyone's
    return ()


def is_filtered(found: CalendarFilter) -> bool:
    return bool(found.customer_ids or found.kinds or found.packages or found.text)


def times_as(session: SessionRecord, times: SessionTimes) -> SessionRecord:
    """The session as it would be at `times` (for wording a move)."""
    return replace(session, start_utc=times.start_utc, end_utc=times.end_utc)


def html_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def print_range(view: str, anchor: date, shown: DisplayZone) -> PrintRange:
    """What is on screen, as a range to print: the month view prints as a grid."""
    name = shown.tz.zone or "UTC"
    if view == MONTH:
        first = anchor.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return PrintRange(first, last, name, shown.label, month_grid=True)
    days = days_shown(view, anchor)
    return PrintRange(days[0], days[-1], name, shown.label)


def working_top(days: Iterable[DayInfo], first_hour: int, hours: int) -> int:
    """The wall-clock minute to scroll to: `first_hour` when every working window fits in the
    `hours` from there; otherwise an hour before the earliest start (as far as it can go)."""
    works = [d.work for d in days if d.work]
    top = first_hour * 60
    if works:
        first = min(work[0][0] for work in works)
        last = max(work[-1][1] for work in works)
        if first < top or last > top + hours * 60:
            top = max(0, min(first - 60, (24 - hours) * 60))
    return top


def preferred_customer(
    choice: object, zone_key: str, customers: Sequence[CustomerRecord]
) -> CustomerRecord | None:
    """The customer a new session starts with: the one filtered on, else the one whose clock
    the calendar shows."""
    wanted = choice if isinstance(choice, int) else zone_customer(zone_key)
    return next((c for c in customers if c.id == wanted), None)
