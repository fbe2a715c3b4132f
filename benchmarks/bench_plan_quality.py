"""Plan quality: plans the sample book and a 500-customer book as a whole and measures what a
manager would look at (shared/CLI.md "plan" guarantees, issue 9).

    .venv/bin/python -m benchmarks.bench_plan_quality [--customers 500] [--seed 9]

Columns: sessions outside the customer's 08:00-18:00 on a day where the contract's window and
those hours overlapped (target 0), the busiest day (target <= the profile's cap), pairs of
sessions closer than the buffer (0), sessions over lunch (0), onboarding hours left unplanned
and how many of those have a reason (all), spread (largest gap between one customer's
onboarding sessions, and the share of the window they span), and the run time (< 10 s).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from desktop.app import AppContext, build_context
from desktop.services.business_time import localize, to_utc, to_zone, zone
from desktop.services.customers import CustomerDraft, CustomerRecord
from desktop.services.profile import ManagerProfile
from desktop.services.scheduling.planner import Plan, Planner, default_until

TODAY = date(2026, 12, 1)
ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Helsinki",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
)


def customer_day_fits(context: AppContext, tz_name: str, start_utc: datetime, minutes: int) -> bool:
    """Whether that ET day's working window and the customer's 08:00-18:00 share `minutes`."""
    clock = context.clock
    window = clock.work_window(clock.et_date(start_utc))
    if window is None:
        return False
    tz = zone(tz_name)
    w_start, w_end = to_utc(window.start_et), to_utc(window.end_et)
    for local_day in {to_zone(w_start, tz).date(), to_zone(w_end, tz).date()}:
        low = max(
            w_start,
            to_utc(localize(tz, datetime.combine(local_day, datetime.min.time().replace(hour=8)))),
        )
        high = min(
            w_end,
            to_utc(localize(tz, datetime.combine(local_day, datetime.min.time().replace(hour=18)))),
        )
        if high - low >= timedelta(minutes=minutes):
            return True
    return False


def inside_customer_day(tz_name: str, start_utc: datetime, end_utc: datetime) -> bool:
    tz = zone(tz_name)
    local_start, local_end = to_zone(start_utc, tz), to_zone(end_utc, tz)
    return (
        local_start.date() == local_end.date()
        and local_start.hour >= 8
        and (local_end.hour, local_end.minute) <= (18, 0)
    )


def quality(
    context: AppContext, profile: ManagerProfile, plan: Plan, customers: list[CustomerRecord]
) -> dict[str, str]:
    tz = zone(profile.tz)
    proposed = plan.proposed
    outside = sum(
        1
        for p in proposed
        if customer_day_fits(context, p.customer.tz, p.times.start_utc, p.times.minutes)
        and not inside_customer_day(p.customer.tz, p.times.start_utc, p.times.end_utc)
    )
    least_bad = sum(1 for p in proposed if p.warnings)
    pre_dawn = sum(
        1
        for p in proposed
        if p.warnings and to_zone(p.times.start_utc, zone(p.customer.tz)).hour < 6
    )
    booked = [
        (s.start_utc, s.end_utc)
        for s in context.scheduler.find(None, include_cancelled=False)
        if not s.all_day
    ]
    everything = sorted(booked + [(p.times.start_utc, p.times.end_utc) for p in proposed])
    per_day = Counter(to_zone(start, tz).date() for start, _ in everything)
    planned_days = {to_zone(p.times.start_utc, tz).date() for p in proposed}
    busiest = max((per_day[d] for d in planned_days), default=0)
    loads = [per_day[d] for d in planned_days]
    buffer = timedelta(minutes=profile.buffer_minutes)
    close = sum(1 for (_, e1), (s2, _) in pairwise(everything) if s2 - e1 < buffer)
    lunch = 0
    if profile.lunch is not None:
        for p in proposed:
            local = to_zone(p.times.start_utc, tz)
            l_start = to_utc(localize(tz, datetime.combine(local.date(), profile.lunch[0])))
            l_end = to_utc(localize(tz, datetime.combine(local.date(), profile.lunch[1])))
            lunch += p.times.start_utc < l_end and p.times.end_utc > l_start
    # Onboarding owed inside the plan and what was left.
    unplanned_onb = [u for u in plan.unplanned if u.kind == "onboarding"]
    left_hours = 0.0
    for u in unplanned_onb:
        left_hours += float(u.reason.split(" ", 1)[0]) if u.reason[0].isdigit() else 0
    explained = all(u.reason for u in plan.unplanned)
    gaps = []
    spans = []
    for customer in customers:
        days = sorted(
            context.clock.et_date(p.times.start_utc)
            for p in proposed
            if p.customer.id == customer.id and p.kind == "onboarding"
        )
        if len(days) >= 2:
            gaps.append(max((b - a).days for a, b in pairwise(days)))
            window = context.clock.onboarding_window(customer.start)
            room = (window.last_day - max(window.first_day, TODAY)).days
            if room > 30:
                spans.append((days[-1] - days[0]).days / room)
    calls = Counter(
        (p.customer.id, context.clock.et(p.times.start_utc).strftime("%a %H:%M"))
        for p in proposed
        if p.kind == "cadence"
    )
    cadence_customers = {cid for cid, _ in calls}
    steady = sum(
        1
        for cid in cadence_customers
        if max(n for (c, _), n in calls.items() if c == cid)
        >= 0.75 * sum(n for (c, _), n in calls.items() if c == cid)
    )
    mean_load = statistics.mean(loads) if loads else 0.0
    with_reason = sum(1 for u in plan.unplanned if u.reason)
    median_gap = statistics.median(gaps) if gaps else 0
    return {
        "proposed": str(len(proposed)),
        "outside customer hours (overlap existed)": str(outside),
        "least-bad times, with a warning": str(least_bad),
        "  of which starting before 06:00 local": str(pre_dawn),
        "busiest day (cap)": f"{busiest} ({profile.max_per_day})",
        "days used, mean load": f"{len(planned_days)}, {mean_load:.1f}",
        "pairs closer than buffer": str(close),
        "over lunch": str(lunch),
        "onboarding hours unplanned": f"{left_hours:g} ({len(unplanned_onb)} customers)",
        "unplanned items with a reason": f"{with_reason}/{len(plan.unplanned)}"
        + (" ok" if explained else " MISSING"),
        "largest onboarding gap, days (max / median)": f"{max(gaps, default=0)} / {median_gap:g}",
        "onboarding span / window left (median)": f"{statistics.median(spans) if spans else 0:.0%}",
        "cadence customers on one weekday+time": f"{steady}/{len(cadence_customers)}",
    }


def synthetic(context: AppContext, count: int, seed: int) -> None:
    rng = random.Random(seed)
    rows = []
    for number in range(1, count + 1):
        start = TODAY + timedelta(days=rng.randint(-400, 200))
        package = rng.choice(("none", "silver", "gold", "platinum"))
        rows.append(
            CustomerDraft(
                name=f"Customer {number:04d}",
                product=rng.choice(("SpiraTest", "SpiraTeam", "SpiraPlan")),
                users=str(rng.choice((5, 15, 30, 60, 80, 120, 200, 300, 500))),
                start=start.isoformat(),
                package=package,
                package_start=start.isoformat(),
                tz=rng.choice(ZONES),
            )
        )
    for draft in rows:
        context.customers.add(draft)


def run(label: str, context: AppContext, profile: ManagerProfile) -> tuple[str, dict[str, str]]:
    customers = context.customers.list()
    now = to_utc(context.clock.at(TODAY, datetime.min.time().replace(hour=10)))
    started = time.perf_counter()
    plan = Planner(context.scheduler, profile).plan(customers, TODAY, default_until(TODAY), now=now)
    elapsed = time.perf_counter() - started
    table = quality(context, profile, plan, customers)
    table["run time"] = f"{elapsed:.2f} s"
    return f"{label} ({len(customers)} customers)", table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    profile = ManagerProfile(name="Bench", email="bench@vendor.example")
    columns = []
    with tempfile.TemporaryDirectory() as folder:
        sample = build_context(Path(folder) / "sample.sqlite")
        sample.load_sample_book(TODAY)
        columns.append(run("sample book", sample, profile))
        sample.close()
        big = build_context(Path(folder) / "big.sqlite")
        synthetic(big, args.customers, args.seed)
        columns.append(run("synthetic book", big, profile))
        big.close()
    measures = list(columns[0][1])
    width = max(len(m) for m in measures)
    widths = [max(len(label), *(len(v) for v in table.values())) for label, table in columns]
    print(
        f"Plan quality: 12 months from {TODAY}, whole book, profile defaults "
        f"(cap {profile.max_per_day}/day, buffer {profile.buffer_minutes} min, lunch "
        f"{profile.lunch_text}, lead {profile.lead_days} business day)\n"
    )
    print(
        f"| {'measure':<{width}} | "
        + " | ".join(f"{label:>{w}}" for (label, _), w in zip(columns, widths, strict=True))
        + " |"
    )
    print(f"|{'-' * (width + 2)}|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for measure in measures:
        print(
            f"| {measure:<{width}} | "
            + " | ".join(
                f"{table[measure]:>{w}}" for (_, table), w in zip(columns, widths, strict=True)
            )
            + " |"
        )


if __name__ == "__main__":
    main()
