"""The dashboard of a team's book: it shows the chosen customers' problems only, lists the
clashes of the coming weeks, and its chart reads only the periods it draws (and still says
what `usage_for` says over every session)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from desktop.app import build_context
from desktop.services.attention import CLASH_WEEKS, needs_attention
from desktop.services.customers import CustomerRecord
from desktop.services.dashboard import CHART_SKIPS, TOP_CUSTOMERS, top_allowance_use
from desktop.services.scheduling.conflicts import Shown, find_conflicts
from desktop.services.scheduling.planner import Planner
from desktop.services.scheduling.sessions import BookingRequest, SessionTimes
from desktop.services.scheduling.usage import usage_for

from sessions_helpers import Book, open_book

ME = "dana@example.com"
COLLEAGUE = "lee@example.com"


def _forced(book: Book, who: CustomerRecord, start: str) -> int:
    """A screen-share booked over whatever is there (an override lets the clash in)."""
    return book.book(who, "screen-share", start, override="the customer insists").id


def test_mine_lists_only_my_customers_clashes_overdue_and_week(
    book_location: Path | str,
) -> None:
    with open_book(book_location) as book:
        acme, anvil = book.owned("Acme", ME), book.owned("Anvil", ME)
        lee1, lee2 = book.owned("Borealis", COLLEAGUE), book.owned("Cobalt", COLLEAGUE)
        now = book.t("2026-03-09T08:00")
        mine_clash = {_forced(book, acme, "2026-03-11T10:00")}
        mine_clash.add(_forced(book, anvil, "2026-03-11T10:30"))
        lee_clash = {_forced(book, lee1, "2026-03-12T10:00")}
        lee_clash.add(_forced(book, lee2, "2026-03-12T10:30"))
        # Held last week and never marked: overdue, one each.
        book.book(acme, "cadence", "2026-03-03T11:00")
        book.book(lee1, "cadence", "2026-03-03T11:00")

        def problems(customers: list[CustomerRecord]) -> dict[str, set[str]]:
            attention = needs_attention(book.scheduler, customers, now)
            found: dict[str, set[str]] = {}
            for item in attention.items:
                if item.session_id is not None:
                    record = book.scheduler.get(item.session_id)
                    found.setdefault(item.category, set()).update(record.customers)
            found["week"] = {name for s in attention.this_week for name in s.customers}
            return found

        mine = problems([acme, anvil])
        both = {"Acme", "Anvil"}
        assert mine == {"conflict": both, "overdue": {"Acme"}, "week": both}
        theirs = problems([lee1, lee2])
        assert theirs["conflict"] == {"Borealis", "Cobalt"} and theirs["overdue"] == {"Borealis"}
        team = needs_attention(book.scheduler, [acme, anvil, lee1, lee2], now)
        listed = {i.session_id for i in team.items if i.category == "conflict"}
        assert listed == mine_clash | lee_clash


def test_a_clash_names_what_it_overlaps_in_the_same_order_however_the_rows_come(
    book_location: Path | str,
) -> None:
    """The database gives the coming weeks' sessions in no order (PostgreSQL puts a row
    written again after the others): a clash card and the `conflicts` list name what a
    session overlaps by start, then by id, on every read."""
    with open_book(book_location) as book:
        acme, anvil, cobalt = (book.owned(name, ME) for name in ("Acme", "Anvil", "Cobalt"))
        now = book.t("2026-03-09T08:00")
        first = book.book(acme, "screen-share", "2026-03-11T10:00")
        second = _forced(book, anvil, "2026-03-11T10:00")
        third = _forced(book, cobalt, "2026-03-11T10:00")
        book.mark(first, "done")  # its row is written again, after the others'
        attention = needs_attention(book.scheduler, [acme, anvil, cobalt], now)
        cards = {i.session_id: i.detail for i in attention.items if i.category == "conflict"}
        assert set(cards) == {second, third}
        assert cards[third].endswith("overlaps 'Acme screen-share'; 'Anvil screen-share'."), cards[
            third
        ]
        listed = [c.other_id for c in find_conflicts(book.scheduler) if c.session.id == third]
        assert listed == [first.id, second]


def test_the_week_lists_what_the_calendars_week_holds_for_the_shown_customers(
    book_location: Path | str,
) -> None:
    """The week is read with the coming weeks' clash search, from Monday on: it lists what
    the calendar's week query finds (cancelled ones aside), held earlier this week, an event
    plan begun the week before, and a colleague's customer only when shown."""
    with open_book(book_location) as book:
        acme, lee1 = book.owned("Acme", ME), book.owned("Borealis", COLLEAGUE)
        now = book.t("2026-03-11T12:00")  # Wednesday
        held = book.book(acme, "screen-share", "2026-03-09T10:00")  # Monday, before now
        book.mark(held, "done")
        book.book(acme, "event-plan", "2026-03-04", end="2026-03-10")  # from last week
        dropped = book.book(acme, "assistance", "2026-03-12T10:00")
        book.mark(dropped, "cancelled")
        book.book(lee1, "screen-share", "2026-03-13T10:00")
        book.book(acme, "screen-share", "2026-03-16T10:00")  # next week
        calendar = book.scheduler.find(None, date(2026, 3, 9), date(2026, 3, 15))

        def listed(customers: list[CustomerRecord]) -> list[tuple[int, tuple[str, ...], str]]:
            attention = needs_attention(book.scheduler, customers, now)
            return [(s.id, s.customers, s.status) for s in attention.this_week]

        def expected(customers: list[CustomerRecord]) -> list[tuple[int, tuple[str, ...], str]]:
            ids = {c.id for c in customers}
            return [
                (r.id, r.customers, r.status)
                for r in calendar
                if r.status != "cancelled" and ids & set(r.customer_ids)
            ]

        team = listed([acme, lee1])
        assert team == expected([acme, lee1])
        assert [kind for kind in (book.scheduler.get(i).kind for i, _, _ in team)] == [
            "event-plan",
            "screen-share",
            "screen-share",
        ]
        assert listed([acme]) == expected([acme]) and len(listed([acme])) == 2
        assert listed([lee1]) == expected([lee1]) == [team[-1]]


def test_mine_sees_a_shared_sessions_clash_in_the_colleagues_calendar(
    book_location: Path | str,
) -> None:
    """A round table of my customer and a colleague's is in both calendars: on my dashboard it
    clashes with the colleague's own session at that hour (which I do not list)."""
    with open_book(book_location) as book:
        acme = book.owned("Acme", ME)
        borealis, cobalt = book.owned("Borealis", COLLEAGUE), book.owned("Cobalt", COLLEAGUE)
        now = book.t("2026-03-09T08:00")
        lees = _forced(book, cobalt, "2026-03-12T10:00")
        table = book.book([acme, borealis], "round-table", "2026-03-12T10:00", override="both")
        mine = needs_attention(book.scheduler, [acme], now)
        clashes = {i.session_id: i.detail for i in mine.items if i.category == "conflict"}
        assert list(clashes) == [table.id] and "Cobalt" in clashes[table.id]
        theirs = needs_attention(book.scheduler, [borealis, cobalt], now)
        listed = {i.session_id for i in theirs.items if i.category == "conflict"}
        assert listed == {table.id, lees}


def test_an_archived_customers_overdue_session_stays_with_its_manager(
    book_location: Path | str,
) -> None:
    with open_book(book_location) as book:
        acme, gone = book.owned("Acme", ME), book.owned("Gone Ltd", ME)
        borealis = book.owned("Borealis", COLLEAGUE)
        book.book(gone, "cadence", "2026-03-03T11:00")
        book.customers.set_archived(gone.id)
        now = book.t("2026-03-09T08:00")
        active = book.customers.list()
        assert gone.id not in {c.id for c in active}

        def overdue(customers: list[CustomerRecord]) -> set[str]:
            items = needs_attention(book.scheduler, customers, now).items
            return {
                name
                for i in items
                if i.category == "overdue" and i.session
                for name in i.session.customers
            }

        assert overdue([acme]) == {"Gone Ltd"}
        assert overdue([borealis]) == set()
        assert overdue(active) == {"Gone Ltd"}
        assert needs_attention(book.scheduler, [], now).items == ()


def test_the_dashboard_lists_clashes_of_the_coming_weeks_the_command_all(
    book_location: Path | str,
) -> None:
    with open_book(book_location) as book:
        acme = book.customer("Acme")
        now = book.t("2026-03-09T08:00")
        near = {_forced(book, acme, "2026-03-18T10:00"), _forced(book, acme, "2026-03-18T10:30")}
        later_day = (now + timedelta(weeks=CLASH_WEEKS, days=3)).astimezone(UTC).date()
        later_at = f"{later_day.isoformat()}T10:00"
        far = {_forced(book, acme, later_at)}
        far.add(_forced(book, acme, later_at.replace("T10:00", "T10:15")))
        # A session running over the horizon clashes with one that starts after it.
        edge = (now + timedelta(weeks=CLASH_WEEKS)).astimezone(UTC)
        edge_at = book.clock.et(edge - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
        after_at = book.clock.et(edge + timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M")
        across = book.book(acme, "assistance", edge_at, minutes=120, override="long one").id
        beyond = _forced(book, acme, after_at)
        attention = needs_attention(book.scheduler, [acme], now)
        listed = {i.session_id for i in attention.items if i.category == "conflict"}
        assert listed == near | {across}
        far |= {across, beyond}
        everything = {c.session.id for c in find_conflicts(book.scheduler, since_utc=now)}
        assert everything == near | far
        # The filter by customers and the horizon are those of the dashboard.
        until = now + timedelta(weeks=CLASH_WEEKS)
        ahead = find_conflicts(book.scheduler, now, until, Shown.of([acme]))
        assert {c.session.id for c in ahead} == near | {across}
        pairs = {(c.session.id, c.other_id) for c in ahead if c.with_ == "session"}
        near_a, near_b = sorted(near)
        assert pairs == {(near_a, near_b), (near_b, near_a), (across, beyond)}


@pytest.fixture(scope="module")
def planned_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample book with 18 months planned and booked (built once for the module)."""
    path = tmp_path_factory.mktemp("chart") / "book.sqlite"
    context = build_context(path)
    try:
        assert context.load_sample_book(date(2026, 1, 1)).errors == []
        planner = Planner(context.scheduler)
        now = datetime(2026, 1, 1, 12, tzinfo=UTC)
        plan = planner.plan(context.customers.list(), date(2026, 1, 2), date(2027, 6, 30), now=now)
        planner.apply(plan, requested_utc=now)
        assert len(plan.proposed) > 50
        # Screen-shares and assistance through the year, mid-month, for the premium ones.
        premium = [c for c in context.customers.list() if c.package != "none"][:4]
        for month in range(2, 19):
            day = date(2026 + (month - 1) // 12, (month - 1) % 12 + 1, 15)
            for index, customer in enumerate(premium):
                kind = "screen-share" if index % 2 else "assistance"
                start = context.clock.parse(f"{day.isoformat()}T{10 + index}:00")
                request = BookingRequest(
                    (customer,),
                    kind,
                    SessionTimes(start, start + timedelta(minutes=60), False),
                    now,
                    override_reason="test book",
                )
                assert context.scheduler.book(request).saved
        # Onboarding booked (with a reason) long after the window: usage counts it all the same.
        day = date(2026, 1, 20)
        opening = [
            c
            for c in context.customers.list()
            if c.package == "none"  # then onboarding is its one allowance on the chart
            and context.clock.onboarding_window(c.start).first_day
            <= day
            < context.clock.onboarding_window(c.start).end
        ]
        assert opening, "the sample book has a customer in its onboarding window on 20 Jan"
        start = context.clock.parse("2026-09-15T09:00")
        late = BookingRequest(
            (opening[0],),
            "onboarding",
            SessionTimes(start, start + timedelta(hours=7), False),
            now,
            override_reason="test book",
        )
        assert context.scheduler.book(late).saved
    finally:
        context.close()
    return path


@pytest.mark.parametrize(
    "today",
    [date(2026, 1, 20), date(2026, 3, 11), date(2026, 6, 30), date(2026, 12, 14), date(2027, 2, 2)],
)
def test_the_chart_agrees_with_usage_over_every_session(planned_book: Path, today: date) -> None:
    """The chart reads only the periods it draws; what it says must be what usage says when
    given every session of every customer (package years that start mid-month included)."""
    context = build_context(planned_book)
    try:
        scheduler = context.scheduler
        customers = context.customers.list()
        now = datetime(today.year, today.month, today.day, 15, tzinfo=UTC)
        expected = []
        for customer in customers:
            sessions = scheduler.find(customer)
            usage = usage_for(scheduler.policy, scheduler.clock, customer, sessions, today)
            best: tuple[float, float] | None = None
            for a in usage.allowances:
                if a.key in CHART_SKIPS or a.allowed <= 0:
                    continue
                if a.period is not None and not a.period.contains(today):
                    continue
                share = (a.used + a.scheduled) / a.allowed
                if share > 0 and (best is None or share > best[0]):
                    best = (share, a.used / a.allowed)
            if best is not None:
                expected.append((customer.name, round(best[0], 6), round(best[1], 6)))
        expected.sort(key=lambda e: (-e[1], -e[2], e[0].lower()))
        chart = top_allowance_use(scheduler, customers, now)
        got = [(u.customer, round(u.share, 6), round(u.used / u.allowed, 6)) for u in chart]
        assert got == expected[:TOP_CUSTOMERS]
        assert got, "the planned book always has something in use"
    finally:
        context.close()
