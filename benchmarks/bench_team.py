"""A team's book on both engines (issue: team's book). Prints a table per engine.

    .venv/bin/python -m benchmarks.bench_team [--customers 2000] [--per-customer 150]
        [--pg postgresql://...]

Builds 2,000 customers of 10 owners with five years of sessions (~300,000) on SQLite and on
PostgreSQL (the server named by --pg or AMPLAN_TEST_PG_URL, else a throwaway one started like
the tests' own), then measures through the services, as the window and the CLI call them:
validate one booking, next 5 slots, the week query, the dashboard (one manager's, as a team's
book opens, and the whole team's), the change mark the window polls, a customer search and
`plan --all` for a year.

Targets, on both engines: validate < 10 ms, 5 slots < 100 ms, week < 50 ms, dashboard
< 300 ms, search < 50 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from desktop.app import build_context
from desktop.collector import collect_less_often, set_aside_what_lasts
from desktop.models.database import Database
from desktop.models.server import safe_label
from desktop.models.tables import Contact, Customer, SessionCustomer, SessionRow
from desktop.services.business_time import BusinessClock
from desktop.services.changes import change_mark
from desktop.services.customers import CustomerRecord
from desktop.services.dashboard import DashboardMemo, compute_dashboard
from desktop.services.policy import load_policy
from desktop.services.profile import ManagerProfile
from desktop.services.scheduling.planner import Planner
from desktop.services.scheduling.sessions import BookingRequest, Scheduler, SessionTimes
from desktop.services.scheduling.slots import find_slots
from desktop.services.scheduling.status import SessionStatus
from sqlalchemy import bindparam, insert, text

PRODUCTS = ("SpiraTest", "SpiraTeam", "SpiraPlan")
PACKAGES = ("none", "silver", "gold", "platinum")
ZONES = ("America/New_York", "America/Chicago", "Europe/London", "Asia/Tokyo")
KINDS = ("onboarding", "cadence", "screen-share", "assistance", "product-team")
OWNERS = tuple(f"manager{n}@example.com" for n in range(10))
YEARS = 5
# The book holds about 24 sessions a day per manager: with the default profile (6 a day) every
# day is full and `plan --all` proposes nothing, so the plan is timed with a profile that fits.
BOOK_SIZED = ManagerProfile(max_per_day=48, buffer_minutes=0, lunch=None)
CHUNK = 5000


def build(location: Path | str, customers: int, per_customer: int, today: date) -> int:
    """Write the synthetic team book through SQLAlchemy Core (the same on both engines)."""
    rng = random.Random(11)
    clock = BusinessClock(load_policy().time)
    db = Database(location)
    now = datetime.now(UTC)
    first = today - timedelta(days=(YEARS - 1) * 365)
    days = [first + timedelta(days=n) for n in range(YEARS * 365)]
    business_days = [day for day in days if clock.is_business_day(day)]
    customer_rows, contact_rows, session_rows, link_rows = [], [], [], []
    session_id = 0
    for number in range(1, customers + 1):
        start = first + timedelta(days=rng.randint(0, 3 * 365))
        customer_rows.append(
            {
                "id": number,
                "name": f"Customer {number:04d}",
                "product": rng.choice(PRODUCTS),
                "users": rng.choice((5, 15, 30, 60, 80, 120, 200, 300, 500)),
                "start": start,
                "package": rng.choice(PACKAGES),
                "package_start": start,
                "tz": rng.choice(ZONES),
                "archived": False,
                "notes": "",
                "created_utc": now,
                "updated_utc": now,
                "owner": OWNERS[number % len(OWNERS)],
            }
        )
        contact_rows.append(
            {
                "customer_id": number,
                "position": 0,
                "name": f"Contact {number}",
                "email": f"contact{number}@example.com",
            }
        )
        for _ in range(per_customer):
            session_id += 1
            day = rng.choice(business_days)
            start_utc = clock.at(day, datetime.min.time()).astimezone(UTC) + timedelta(
                hours=9, minutes=30 * rng.randint(0, 14)
            )
            future = day >= today
            past = (SessionStatus.DONE, SessionStatus.NO_SHOW, SessionStatus.CANCELLED)
            status = SessionStatus.PLANNED if future else rng.choices(past, (90, 3, 7))[0]
            session_rows.append(
                {
                    "id": session_id,
                    "uid": f"{uuid.UUID(int=rng.getrandbits(128))}@bench",
                    "kind": rng.choice(KINDS),
                    "start_utc": start_utc,
                    "end_utc": start_utc + timedelta(minutes=rng.choice((30, 60))),
                    "all_day": False,
                    "title": "",
                    "notes": "",
                    "status": status.value,
                    "requested_utc": start_utc - timedelta(days=14),
                    "billable": False,
                    "override_reason": "",
                    "sequence": 0,
                    "created_utc": now,
                    "updated_utc": now,
                }
            )
            link_rows.append({"session_id": session_id, "customer_id": number})
    with db.engine.begin() as conn:
        for table, rows in (
            (Customer, customer_rows),
            (Contact, contact_rows),
            (SessionRow, session_rows),
            (SessionCustomer, link_rows),
        ):
            for start_at in range(0, len(rows), CHUNK):
                conn.execute(insert(table), rows[start_at : start_at + CHUNK])
        if db.is_server:
            from desktop.models.server import sync_identities

            sync_identities(conn, ["customer", "contact", "session"])
        else:
            conn.exec_driver_sql("ANALYZE")
    if db.is_server:
        _vacuum(db)
    db.close()
    return session_id


# The tables whose pages must be marked visible to all before measuring.
_LOADED = ("customer", "session", "session_customer", "session_tally")


def _vacuum(db: Database) -> None:
    """As autovacuum leaves a live server: statistics, and the visibility map that lets an
    index answer alone (a table just bulk-loaded has neither). Right after the load, VACUUM
    leaves the rows its foreign-key checks locked unmarked: it is run again until every page
    of the loaded tables is marked (about a second later)."""
    pages_left = text(
        "SELECT count(*) FROM pg_class WHERE relname IN :tables AND relallvisible < relpages"
    ).bindparams(bindparam("tables", expanding=True))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for _ in range(30):
            conn.exec_driver_sql("VACUUM ANALYZE")
            if not conn.execute(pages_left, {"tables": list(_LOADED)}).scalar_one():
                return
            time.sleep(1)
    print(
        "Some pages are still not marked visible to all: index-only scans will read the table",
        file=sys.stderr,
    )


def _median_ms(action: Callable[[], object], repeat: int) -> float:
    print(".", end="", file=sys.stderr, flush=True)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def measure(location: Path | str, today: date, plan_all: bool) -> list[tuple[str, str, str]]:
    context = build_context(location)
    set_aside_what_lasts()  # as the window does once the book is open
    now = datetime.now(UTC)
    scheduler = context.scheduler
    try:
        customers = context.customers.list()
        gold = [c for c in customers if c.package == "gold"][:20]
        rows: list[tuple[str, str, str]] = []
        counter = iter(range(10**9))

        def validate_one() -> None:
            index = next(counter)
            day = today + timedelta(days=14 + index % 20)
            start = context.clock.at(day, datetime.min.time()).astimezone(UTC)
            start += timedelta(hours=15)
            request = BookingRequest(
                (gold[index % len(gold)],),
                "screen-share",
                SessionTimes(start, start + timedelta(minutes=60), False),
                now,
            )
            scheduler.validate(scheduler.proposal_for(request))

        rows.append(("validate one booking", f"{_median_ms(validate_one, 100):.1f} ms", "< 10 ms"))

        def five_slots() -> None:
            customer = gold[next(counter) % len(gold)]
            find_slots(scheduler, [customer], "screen-share", 60, now, now, 5)

        rows.append(("next 5 slots", f"{_median_ms(five_slots, 40):.1f} ms", "< 100 ms"))

        def week() -> None:
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=next(counter) % 8)
            scheduler.find(first=monday, last=monday + timedelta(days=6))

        rows.append(("week switch query, whole team", f"{_median_ms(week, 30):.1f} ms", "< 50 ms"))

        def my_week() -> None:
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=next(counter) % 8)
            scheduler.find(first=monday, last=monday + timedelta(days=6), owner=OWNERS[0])

        rows.append(("week switch query, one manager's", f"{_median_ms(my_week, 30):.1f} ms", ""))
        rows += _dashboard_rows(context.scheduler, customers, now)
        mark = _median_ms(lambda: change_mark(context.db), 50)
        rows.append(("change mark (the window's poll)", f"{mark:.1f} ms", ""))

        def search() -> None:
            owner = OWNERS[next(counter) % len(OWNERS)]
            found = context.customers.list(owner=owner)
            [c for c in found if "12" in c.name.lower()]

        rows.append(
            ("customer search (one owner's)", f"{_median_ms(search, 20):.1f} ms", "< 50 ms")
        )
        if not plan_all:
            return rows
        print(" planning", file=sys.stderr, flush=True)
        started = time.perf_counter()
        plan = Planner(scheduler, BOOK_SIZED).plan(
            customers, today, today + timedelta(days=365), now
        )
        rows.append(
            (
                f"plan --all, one year ({len(plan.proposed)} proposed, 48 a day)",
                f"{time.perf_counter() - started:.1f} s",
                "",
            )
        )
        return rows
    finally:
        context.close()


def _dashboard_rows(
    scheduler: Scheduler, customers: list[CustomerRecord], now: datetime
) -> list[tuple[str, str, str]]:
    """One manager's dashboard (Mine: what a team's book opens on) and the whole team's, as
    the window computes them (the attention list and the allowance chart), with what they
    list: each session of the coming weeks that overlaps another is a clash to show. First as
    the page opens, then as it refreshes after a change, reusing the question it asked (its
    `DashboardMemo`); the sessions and the sums are read anew each time."""
    rows = []
    mine = [c for c in customers if c.owner == OWNERS[0]]
    for label, shown in (
        (f"dashboard, one manager's ({len(mine)} customers)", mine),
        (f"dashboard, whole team ({len(customers)} customers)", customers),
    ):
        memo = DashboardMemo()  # as the window's dashboard keeps one
        first = compute_dashboard(scheduler, shown, now, memo)
        attention = first.attention
        items = f"{len(attention.items)} items, {attention.count('conflict')} clashes"
        rows.append((f"{label}, first: {items}", f"{first.seconds * 1000:.0f} ms", ""))
        ms = _median_ms(functools.partial(compute_dashboard, scheduler, shown, now, memo), 7)
        rows.append((f"{label}, refreshed (median of 7)", f"{ms:.0f} ms", "< 300 ms"))
    return rows


@contextlib.contextmanager
def _server(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from pg_server import running_server

    with running_server() as server:
        if isinstance(server, str):
            raise SystemExit(f"No PostgreSQL for the benchmark: {server}")
        yield server.fresh(migrated=False)


def _print(title: str, rows: list[tuple[str, str, str]]) -> None:
    print(f"\n{title}")
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'result':>10}  target")
    print(f"{'-' * width}  {'-' * 10}  ------")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>10}  {target}")


def main() -> None:
    collect_less_often()  # as `amplan` does as it starts
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--per-customer", type=int, default=150)
    parser.add_argument("--pg", help="a PostgreSQL URL of an empty database")
    parser.add_argument("--no-plan", action="store_true", help="skip plan --all (minutes)")
    args = parser.parse_args()
    today = date.today()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "team.sqlite"
        started = time.perf_counter()
        count = build(path, args.customers, args.per_customer, today)
        print(f"SQLite built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        results["SQLite"] = (time.perf_counter() - started, measure(path, today, not args.no_plan))
        with _server(args.pg or os.environ.get("AMPLAN_TEST_PG_URL")) as url:
            started = time.perf_counter()
            build(url, args.customers, args.per_customer, today)
            results[f"PostgreSQL ({safe_label(url)})"] = (
                time.perf_counter() - started,
                measure(url, today, not args.no_plan),
            )
    print(
        f"Team book: {args.customers} customers of {len(OWNERS)} owners, {count} sessions "
        f"over {YEARS} years"
    )
    for engine, (build_s, rows) in results.items():
        _print(f"{engine}, built in {build_s:.0f} s", rows)


if __name__ == "__main__":
    main()
