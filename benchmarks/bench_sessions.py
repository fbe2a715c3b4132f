"""Session engine speed on a synthetic book (issue: sessions). Prints a table of figures.

    .venv/bin/python benchmarks/bench_sessions.py [--customers 500] [--per-customer 100]

Targets: validate one booking < 10 ms (median), next 5 slots < 100 ms, `plan --all` for a
year < 10 s, opening a customer page < 200 ms.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytz
from desktop.app import build_context
from desktop.services.scheduling.planner import Planner
from desktop.services.scheduling.sessions import BookingRequest, SessionTimes
from desktop.services.scheduling.slots import find_slots
from desktop.services.scheduling.usage import usage_for

from benchmarks.synthetic_book import build


def _timed(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--per-customer", type=int, default=100)
    args = parser.parse_args()
    today = date.today()
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite"
        started = time.perf_counter()
        count = build(path, args.customers, args.per_customer, today)
        build_s = time.perf_counter() - started
        context = build_context(path)
        scheduler = context.scheduler
        customers = context.customers.list()
        gold = [c for c in customers if c.package == "gold"][:20]
        rows: list[tuple[str, str, str]] = []

        # Validate one booking: a fresh ledger from the database each time, as the CLI does.
        def validate_one(index: list[int] = [0]) -> None:  # noqa: B006 - a counter
            customer = gold[index[0] % len(gold)]
            index[0] += 1
            day = today + timedelta(days=14 + index[0] % 20)
            start = pytz.utc.normalize(
                context.clock.at(day, datetime.min.time()).astimezone(pytz.utc)
            ) + timedelta(hours=15)
            request = BookingRequest(
                (customer,),
                "screen-share",
                SessionTimes(start, start + timedelta(minutes=60), False),
                now,
            )
            scheduler.validate(scheduler.proposal_for(request))

        samples = _timed(validate_one, 200)
        rows.append(
            ("validate one booking (median)", f"{statistics.median(samples):.2f} ms", "< 10 ms")
        )

        def five_slots(index: list[int] = [0]) -> None:  # noqa: B006 - a counter
            customer = gold[index[0] % len(gold)]
            index[0] += 1
            find_slots(scheduler, [customer], "screen-share", 60, now, now, 5)

        samples = _timed(five_slots, 30)
        rows.append(("next 5 slots (median)", f"{statistics.median(samples):.1f} ms", "< 100 ms"))

        def open_customer(index: list[int] = [0]) -> None:  # noqa: B006 - a counter
            customer = context.customers.get(customers[index[0] % len(customers)].id)
            index[0] += 1
            sessions = scheduler.find(customer)
            usage_for(context.policy, context.clock, customer, sessions, today)
            context.customers.entitlements(customer)

        samples = _timed(open_customer, 50)
        rows.append(
            (
                "open a customer page, services (median)",
                f"{statistics.median(samples):.1f} ms",
                "< 200 ms",
            )
        )

        started = time.perf_counter()
        plan = Planner(scheduler).plan(customers, today, today + timedelta(days=365), now)
        plan_s = time.perf_counter() - started
        rows.append(
            (f"plan --all, one year ({len(plan.proposed)} proposed)", f"{plan_s:.2f} s", "< 10 s")
        )
        context.close()

    print(
        f"Synthetic book: {args.customers} customers, {count} sessions (built in {build_s:.1f} s)\n"
    )
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'result':>12}  target")
    print(f"{'-' * width}  {'-' * 12}  ------")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>12}  {target}")


if __name__ == "__main__":
    main()
