"""Builds a synthetic book: N customers and about 100 sessions each over three years.

Rows go in through plain SQL (executemany) so that building 50,000 sessions takes seconds;
the file is an ordinary amplan database, migrated by `Database` first.
"""

from __future__ import annotations

import random
import sqlite3
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from desktop.models.database import Database
from desktop.services.business_time import BusinessClock
from desktop.services.policy import load_policy

PRODUCTS = ("SpiraTest", "SpiraTeam", "SpiraPlan")
PACKAGES = ("none", "silver", "gold", "platinum")
ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Tokyo",
    "Australia/Sydney",
)
KINDS = ("onboarding", "cadence", "screen-share", "assistance", "product-team")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def build(
    path: Path, customers: int, sessions_per_customer: int, today: date, seed: int = 7
) -> int:
    """Create the book at `path`; returns the number of sessions written."""
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    Database(path).close()
    rng = random.Random(seed)
    clock = BusinessClock(load_policy().time)
    conn = sqlite3.connect(path)
    now = _iso(datetime.now(UTC))
    customer_rows = []
    contact_rows = []
    for number in range(1, customers + 1):
        start = today - timedelta(days=rng.randint(0, 3 * 365))
        package = rng.choice(PACKAGES)
        customer_rows.append(
            (
                number,
                f"Customer {number:04d}",
                rng.choice(PRODUCTS),
                rng.choice((5, 15, 30, 60, 80, 120, 200, 300, 500)),
                start.isoformat(),
                package,
                start.isoformat(),
                rng.choice(ZONES),
                now,
                now,
            )
        )
        contact_rows.append((number, 0, f"Contact {number}", f"contact{number}@example.com"))
    conn.executemany(
        "INSERT INTO customer (id, name, product, users, start, package, package_start, tz,"
        " created_utc, updated_utc) VALUES (?,?,?,?,?,?,?,?,?,?)",
        customer_rows,
    )
    conn.executemany(
        "INSERT INTO contact (customer_id, position, name, email) VALUES (?,?,?,?)", contact_rows
    )

    # Three years of history up to today, then a realistic few weeks ahead.
    first = today - timedelta(days=3 * 365)
    business_days = [
        first + timedelta(days=n)
        for n in range(3 * 365)
        if clock.is_business_day(first + timedelta(days=n))
    ]
    session_rows = []
    link_rows = []
    session_id = 0
    for number in range(1, customers + 1):
        for _ in range(sessions_per_customer):
            session_id += 1
            day = rng.choice(business_days)
            start_et = clock.at(day, datetime.min.time()) + timedelta(
                hours=9, minutes=30 * rng.randint(0, 14)
            )
            start_et = clock.tz.normalize(start_et)
            minutes = rng.choice((30, 60))
            status = rng.choices(("done", "no-show", "cancelled"), (90, 3, 7))[0]
            session_rows.append(
                (
                    session_id,
                    f"{uuid.UUID(int=rng.getrandbits(128))}@bench",
                    rng.choice(KINDS),
                    _iso(start_et),
                    _iso(start_et + timedelta(minutes=minutes)),
                    status,
                    _iso(start_et - timedelta(days=3)),
                    now,
                    now,
                )
            )
            link_rows.append((session_id, number))
    conn.executemany(
        "INSERT INTO session (id, uid, kind, start_utc, end_utc, status, requested_utc,"
        " created_utc, updated_utc) VALUES (?,?,?,?,?,?,?,?,?)",
        session_rows,
    )
    conn.executemany(
        "INSERT INTO session_customer (session_id, customer_id) VALUES (?,?)", link_rows
    )
    conn.commit()
    conn.close()
    return session_id
