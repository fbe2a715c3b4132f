"""The "Needs attention" list: what the manager should act on today, most urgent first.

Each category reads only what it counts (see `attention_reads`): this month's screen-shares,
the open onboarding windows, the current cadence periods, the package years about to end, and
the planned sessions still to come; the dashboard costs a few narrow queries whatever the size
of the book's past.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

from desktop.services.attention_reads import (
    TallyKey,
    TallyRead,
    UtcDays,
    Window,
    archived_customer_ids,
)
from desktop.services.business_time import (
    BusinessClock,
    OnboardingWindow,
    Period,
    format_day,
    format_span,
    month_of,
    period_containing,
    week_start,
)
from desktop.services.customers import CustomerRecord
from desktop.services.entitlements import Entitlements
from desktop.services.mail.replies import Replies
from desktop.services.policy import Policy
from desktop.services.scheduling.conflicts import Clashes, ClashSearch, Shown, clash_phrase
from desktop.services.scheduling.ledger import Booked, Busy, Ledger, managers_of
from desktop.services.scheduling.sessions import Scheduler, SessionRecord
from desktop.services.scheduling.status import SessionStatus
from desktop.services.scheduling.usage import Tally

# A customer's counted sessions of a kind on the ET days [first, end).
_OfKind = Callable[[str, date, date], Tally]
# How far ahead an expiring yearly allowance is worth a line.
YEARLY_WARNING_DAYS = 60
# How far ahead a clash is listed: time enough to move it; later ones wait their turn (the
# `conflicts` command lists them all).
CLASH_WEEKS = 4
# Yearly allowances: (kind, allowance in the entitlements, counted in minutes).
_YEARLY = (
    ("assistance", "assistance_hours_per_year", True),
    ("event-plan", "event_plans_per_year", False),
    ("round-table", "round_tables_per_year", False),
    ("product-team", "product_team_meetings_per_year", False),
)


def yearly_kinds(ent: Entitlements) -> tuple[str, ...]:
    """The yearly kinds this contract gives any of: only those are read (a silver package
    has assistance hours alone)."""
    return tuple(kind for kind, field_name, _ in _YEARLY if getattr(ent, field_name))


# Most urgent first; the same rank sorts by due day, then title.
_ORDER = {
    "conflict": 0,
    "declined": 0,
    "overdue": 1,
    "onboarding": 2,
    "cadence": 3,
    "screen-share": 4,
    "yearly": 5,
}


@dataclass(frozen=True)
class AttentionItem:
    """One thing to act on. `action` names what the button does; the view maps it."""

    category: str  # conflict, declined, onboarding, cadence, screen-share, yearly, overdue, ...
    customer: CustomerRecord | None
    title: str
    # Its sentence, or how to write it when it is shown (a team's thousands of clash cards
    # are shown fifty at a time): read it as `detail`.
    described: str | Callable[[], str]
    action: str  # plan-onboarding, plan-cadence, book-screen-share, book-kind, mark, move, declined
    due: date
    session: SessionRecord | None = None
    kind: str = ""
    # The session it is about: read whole in `session`, or only named (a clash: see
    # `_conflict_items`).
    session_id: int | None = None

    @property
    def detail(self) -> str:
        described = self.described
        return described if isinstance(described, str) else described()


@dataclass(frozen=True, slots=True)
class WeekSession:
    """A session of this week as the dashboard lists it: what its line says. It is read
    whole when opened (a team's week holds a thousand)."""

    id: int
    kind: str
    customers: tuple[str, ...]
    start_utc: datetime
    end_utc: datetime
    all_day: bool
    status: str


@dataclass(frozen=True)
class Attention:
    items: tuple[AttentionItem, ...]
    this_week: tuple[WeekSession, ...]
    # The tallies read for it (and for the windows it was asked to read as well): the
    # dashboard's chart draws from the same read.
    tallies: Mapping[TallyKey, Tally] = field(default_factory=dict, compare=False, repr=False)

    def count(self, category: str | None = None) -> int:
        return sum(1 for i in self.items if category is None or i.category == category)


def _hours(minutes: float) -> str:
    hours = minutes / 60
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


@dataclass(frozen=True)
class Asked:
    """What the attention list asks the database for some customers on a day, worked out from
    their contracts and the day alone: each one's dues, and every window to sum, as one
    question. The same customers on the same day ask the same: a refresh of the dashboard
    reuses it (`dashboard.DashboardMemo`; a team's 2,000 customers take 40-50 ms to ask)."""

    today: date
    dues: tuple[_Due, ...]
    sums: TallyRead


def ask(
    scheduler: Scheduler,
    customers: Sequence[CustomerRecord],
    today: date,
    also_read: Iterable[Window] = (),
) -> Asked:
    """The question of `needs_attention`. `also_read`: windows to sum in the same query for
    another user of `Attention.tallies` (each category keeps to its own days)."""
    dues = tuple(_due_today(scheduler, customer, today) for customer in customers)
    windows = [*(w for due in dues for w in due.windows()), *also_read]
    return Asked(today, dues, TallyRead(scheduler.db, UtcDays(scheduler.clock), windows))


def needs_attention(
    scheduler: Scheduler,
    customers: Sequence[CustomerRecord],
    now: datetime,
    asking: Callable[[date], Asked] | None = None,
) -> Attention:
    """What the shown `customers` need today. `asking`: how to get their question of a day
    (`ask`, or the dashboard's memo of it), asked while the coming weeks' sessions are read.
    Sessions count as shown when they have a shown customer, or an archived one of the same
    managers (a session of a customer archived since still wants marking)."""
    if not customers:
        return Attention((), ())
    clock = scheduler.clock
    today = clock.et_date(now)
    managers = frozenset(managers_of(customers))
    archived = archived_customer_ids(scheduler.db, managers)
    shown = Shown(frozenset(c.id for c in customers) | archived, managers)

    def of_shown(customer_ids: tuple[int, ...]) -> bool:
        return not shown.customer_ids.isdisjoint(customer_ids)

    days = UtcDays(clock)
    monday = week_start(today)
    week = (days.midnight(monday), days.midnight(monday + timedelta(days=7)))
    # The clash search reads this week's sessions too (from Monday, not from now): the week's
    # list comes from its ledger, not from a read of its own.
    clashes = ClashSearch(
        scheduler, now, now + timedelta(weeks=CLASH_WEEKS), shown, customers, reads_from=week[0]
    )
    # The database answers the two big reads (the coming weeks' sessions, the allowance
    # sums) as one text each, with Python's lock let go: a worker thread reads them while
    # this one works. The other reads turn rows into objects, which only one thread at a time
    # can do (side by side they took a third longer).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="attention") as pool:
        window = pool.submit(clashes.read)
        asked = ask(scheduler, customers, today) if asking is None else asking(today)
        sums = asked.sums
        answer = pool.submit(sums.text)
        items = _session_items(scheduler, now, of_shown)
        found = clashes.found(window.result())
        items += _conflict_items(scheduler, found)
        this_week = _this_week(scheduler, found.ledger, week, of_shown)
        tallies = sums.found(answer.result())
    for due in asked.dues:
        items += due.items(tallies, today, scheduler.policy)
    items.sort(key=lambda i: (_ORDER.get(i.category, 9), i.due, i.title))
    return Attention(tuple(items), this_week, tallies)


def _session_items(
    scheduler: Scheduler, now: datetime, of_shown: Callable[[tuple[int, ...]], bool]
) -> list[AttentionItem]:
    return _overdue_items(scheduler, now, of_shown) + _declined_items(scheduler, now, of_shown)


def _this_week(
    scheduler: Scheduler,
    ledger: Ledger,
    week: tuple[datetime, datetime],
    of_shown: Callable[[tuple[int, ...]], bool],
) -> tuple[WeekSession, ...]:
    """The shown customers' sessions of this week (not cancelled), earliest first, from the
    clash search's ledger, which read them; an all-day one begun before the week is read
    apart (the search looks back a day only)."""
    first, end = week
    scheduler.ledgers.add_long_ones(ledger, scheduler.policy.all_day_kinds(), first, first)
    found = [
        WeekSession(
            s.id,
            s.kind,
            ledger.names_of(s.customer_ids),
            s.start_utc,
            s.end_utc,
            s.all_day,
            s.status,
        )
        for s in ledger.sessions()
        if s.start_utc < end
        and s.end_utc > first
        and s.status != SessionStatus.CANCELLED
        and of_shown(s.customer_ids)
    ]
    found.sort(key=lambda s: (s.start_utc, s.id))
    return tuple(found)


# --- one customer's allowances ------------------------------------------------------------------


@dataclass(frozen=True)
class _Due:
    """The runs of days that matter today for one customer; None where a category does not
    apply (no open onboarding window, no cadence, no package, a package year far from its end)."""

    customer: CustomerRecord
    ent: Entitlements
    onboarding: OnboardingWindow | None
    cadence: Period | None
    month: Period | None
    year: Period | None

    def windows(self) -> list[Window]:
        """What `items` will count, so that only that is read."""
        cid = self.customer.id
        found = []
        window = self.onboarding
        if window is not None:
            found.append(Window(cid, ("onboarding",), window.first_day, window.end))
        if self.cadence is not None:
            found.append(Window(cid, ("cadence",), self.cadence.start, self.cadence.end))
        if self.month is not None and self.ent.screen_shares_per_month:
            found.append(Window(cid, ("screen-share",), self.month.start, self.month.end))
        if self.year is not None:
            found.append(Window(cid, yearly_kinds(self.ent), self.year.start, self.year.end))
        return found

    def items(
        self, tallies: Mapping[TallyKey, Tally], today: date, policy: Policy
    ) -> list[AttentionItem]:
        def of_kind(kind: str, first: date, end: date) -> Tally:
            return tallies[(self.customer.id, kind, first, end)]

        found = []
        if self.onboarding is not None:
            found += _onboarding_item(self, of_kind, today)
        period = self.cadence
        if period is not None and not of_kind("cadence", period.start, period.end).sessions():
            found.append(_cadence_item(self.customer, self.ent, period))
        if self.month is not None and self.ent.screen_shares_per_month:
            used = of_kind("screen-share", self.month.start, self.month.end).sessions()
            found += _screen_share_item(self, used, today)
        if self.year is not None:
            found += _yearly_items(self, self.year, of_kind, policy)
        return found


def _due_today(scheduler: Scheduler, customer: CustomerRecord, today: date) -> _Due:
    ent = scheduler.customers.entitlements(customer)
    window = scheduler.clock.onboarding_window(customer.start)
    onboarding = window if window.first_day <= today < window.end else None
    cadence = None
    if ent.cadence != "as-needed" and today >= customer.start:
        months = scheduler.policy.cadence_months[ent.cadence]
        cadence = period_containing(customer.start, months, today)
    month = year = None
    if customer.package != "none" and today >= customer.package_start:
        month = month_of(today)
        year = period_containing(customer.package_start, 12, today)
        if year is not None and (year.end - today).days > YEARLY_WARNING_DAYS:
            year = None
    return _Due(customer, ent, onboarding, cadence, month, year)


def _onboarding_item(due: _Due, of_kind: _OfKind, today: date) -> list[AttentionItem]:
    """Onboarding hours not yet scheduled while the window is open."""
    window = due.onboarding
    assert window is not None
    taken = of_kind("onboarding", window.first_day, window.end)
    missing = due.ent.onboarding_hours * 60 - taken.drawn_minutes()
    if missing <= 0:
        return []
    days_left = (window.end - today).days
    return [
        AttentionItem(
            "onboarding",
            due.customer,
            f"{due.customer.name}: {_hours(missing)} of onboarding not scheduled",
            f"The onboarding window closes {format_day(window.last_day)} "
            f"({days_left} day{'s' if days_left != 1 else ''} left).",
            "plan-onboarding",
            window.last_day,
            kind="onboarding",
        )
    ]


def _cadence_item(customer: CustomerRecord, ent: Entitlements, period: Period) -> AttentionItem:
    """The current cadence period has no call."""
    return AttentionItem(
        "cadence",
        customer,
        f"{customer.name}: no {ent.cadence} account-management call booked",
        f"The period {format_day(period.start)} - {format_day(period.last_day)} "
        "should hold one account-management call.",
        "plan-cadence",
        period.last_day,
        kind="cadence",
    )


def _screen_share_item(due: _Due, used: int, today: date) -> list[AttentionItem]:
    """Screen-shares left this month (they do not roll over)."""
    allowed = due.ent.screen_shares_per_month
    left = allowed - used
    if left <= 0 or due.month is None:
        return []
    return [
        AttentionItem(
            "screen-share",
            due.customer,
            f"{due.customer.name}: {left} of {allowed} screen-shares unused in {today:%B}",
            f"They do not roll over; the month ends {format_day(due.month.last_day)}.",
            "book-screen-share",
            due.month.last_day,
            kind="screen-share",
        )
    ]


def _yearly_items(due: _Due, year: Period, of_kind: _OfKind, policy: Policy) -> list[AttentionItem]:
    """Yearly allowances that will lapse unused at the package anniversary."""
    found = []
    name = due.customer.name
    for kind, field_name, is_minutes in _YEARLY:
        allowed = getattr(due.ent, field_name) * (60 if is_minutes else 1)
        if not allowed:
            continue
        taken = of_kind(kind, year.start, year.end)
        used = taken.drawn_minutes() if is_minutes else taken.sessions()
        if used >= allowed:
            continue
        left = allowed - used
        info = policy.kind(kind)
        noun = (info.label if left == 1 else info.plural).lower()
        title = (
            f"{name}: {_hours(left)} will expire unused"
            if is_minutes
            else f"{name}: {left} {noun} still to hold"
        )
        found.append(
            AttentionItem(
                "yearly",
                due.customer,
                title,
                f"The package year ends {format_day(year.last_day)}.",
                "book-kind",
                year.last_day,
                kind=kind,
            )
        )
    return found


# --- sessions to act on -------------------------------------------------------------------------


def _session_item(
    category: str, record: SessionRecord, title: str, detail: str, action: str, clock: BusinessClock
) -> AttentionItem:
    return AttentionItem(
        category,
        None,
        title,
        detail,
        action,
        clock.et_date(record.start_utc),
        session=record,
        kind=record.kind,
        session_id=record.id,
    )


def _overdue_items(
    scheduler: Scheduler, now: datetime, of_shown: Callable[[tuple[int, ...]], bool]
) -> list[AttentionItem]:
    clock = scheduler.clock
    return [
        _session_item(
            "overdue",
            record,
            f"{', '.join(record.customers)}: "
            f"{scheduler.policy.kind(record.kind).label.lower()} still marked planned",
            f"It was on {format_day(clock.et_date(record.start_utc))}. Was it held?",
            "mark",
            clock,
        )
        for record in scheduler.overdue(now)
        if of_shown(record.customer_ids)
    ]


def _conflict_items(scheduler: Scheduler, clashes: Clashes) -> list[AttentionItem]:
    """The shown customers' sessions of the coming weeks that clash with busy time or with
    each other (`CLASH_WEEKS`): move one (the `conflicts` command lists them to the horizon).
    Written from the ledger's entries: a team's book can clash thousands of times, and a
    session is read whole only when its card's Move is clicked."""
    clock = scheduler.clock
    ledger = clashes.ledger
    words = _ClashWords(ledger, clock, scheduler.policy.time.zone_label)
    kinds: dict[str, str] = {}  # each kind's words once
    found = []
    for booked, overlapped in clashes.found:
        kind = kinds.get(booked.kind)
        if kind is None:
            kind = kinds[booked.kind] = scheduler.policy.kind(booked.kind).label.lower()
        found.append(
            AttentionItem(
                "conflict",
                None,
                f"{', '.join(ledger.names_of(booked.customer_ids))}: {kind} clashes",
                partial(words.detail, booked, overlapped),
                "move",
                clock.et_date(booked.start_utc),
                kind=booked.kind,
                session_id=booked.id,
            )
        )
    return found


class _ClashWords:
    """A clash card's sentence, written when the card is shown: "Thu 3 Dec 10:30-11:00 ET
    overlaps your busy time 'Dentist'." Each overlapped entry is named once."""

    def __init__(self, ledger: Ledger, clock: BusinessClock, zone: str) -> None:
        self.ledger, self.clock, self.zone = ledger, clock, zone
        self.phrases: dict[int, str] = {}

    def detail(self, booked: Booked, overlapped: list[Booked | Busy]) -> str:
        what = []
        for item in sorted(overlapped, key=_in_order):
            phrase = self.phrases.get(id(item))
            if phrase is None:
                phrase = self.phrases[id(item)] = clash_phrase(item, self.ledger)
            what.append(phrase)
        span = format_span(booked.start_utc, booked.end_utc, self.clock)
        return f"{span} {self.zone} overlaps {'; '.join(what)}."


def _in_order(item: Booked | Busy) -> tuple[datetime, int, str]:
    """By start, then busy time first, by id or title: the same sentence on every refresh
    (the database gives the sessions in no order)."""
    if isinstance(item, Busy):
        return item.start_utc, 0, item.summary
    return item.start_utc, item.id, ""


def _declined_items(
    scheduler: Scheduler, now: datetime, of_shown: Callable[[tuple[int, ...]], bool]
) -> list[AttentionItem]:
    """Sessions to come that an attendee declined (issue 11): move them, or cancel them."""
    clock = scheduler.clock
    declined = Replies(scheduler.db).declined(now)
    records = scheduler.get_many(session_id for session_id, _ in declined)
    found = []
    for session_id, who in declined:
        record = records.get(session_id)  # None: deleted since the replies were read
        if record is None or not of_shown(record.customer_ids):
            continue
        found.append(
            _session_item(
                "declined",
                record,
                f"{', '.join(record.customers)}: {', '.join(who)} declined "
                f"the {scheduler.policy.kind(record.kind).label.lower()}",
                f"It is on {format_day(clock.et_date(record.start_utc))}. "
                "Move it to another time, or cancel it.",
                "declined",
                clock,
            )
        )
    return found
