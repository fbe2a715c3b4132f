"""The reads behind the dashboard (the "Needs attention" list and the allowance chart), each
no wider than what it counts.

The dashboard used to load every session of a year each way for every customer; a team's book
holds 300,000 sessions, so each category now asks only for its own kinds, its own customers and
the run of days that can hold what it counts (this month, the open onboarding windows, the
current cadence periods, the current package years), and the database sums them: a window
comes back as a few totals, not as its sessions.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, text
from sqlalchemy import select as sa_select
from sqlmodel import col

from desktop.models.database import Database
from desktop.models.json_rows import INSTANT_TEXT, decoded
from desktop.models.tables import Customer
from desktop.services.business_time import BusinessClock, to_utc
from desktop.services.scheduling.status import USED_STATUSES, SessionStatus
from desktop.services.scheduling.usage import Tally

# The days of "every session" for a window that must not miss any (bounds ET can localize).
ALL_TIME = (date(1970, 1, 1), date(2200, 1, 1))


@dataclass(frozen=True)
class Window:
    """Sessions of these kinds of one customer held on the ET days [first, end)."""

    customer_id: int
    kinds: tuple[str, ...]
    first: date
    end: date


class UtcDays:
    """ET days as UTC instants, each day converted once: the windows of 2,000 customers share
    most of their days, and localizing a day is the dashboard's costliest step after the
    queries."""

    def __init__(self, clock: BusinessClock) -> None:
        self.clock = clock
        self._midnights: dict[date, datetime] = {}

    def midnight(self, day: date) -> datetime:
        found = self._midnights.get(day)
        if found is None:
            found = self._midnights[day] = to_utc(self.clock.midnight(day))
        return found


def archived_customer_ids(db: Database, managers: Collection[str]) -> frozenset[int]:
    """The archived customers these managers hold (lower-case e-mails; "" for no owner)."""
    owner = func.coalesce(func.lower(func.trim(col(Customer.owner))), "")
    query = sa_select(col(Customer.id)).where(
        col(Customer.archived).is_(True), owner.in_(sorted(managers))
    )
    with db.reading() as session:
        found = session.connection().execute(query).scalars()
        return frozenset(cid for cid in found if cid is not None)


# Each window's (customer, kind, ET days [first, end)), its counted sessions summed as a
# `Tally` has them: all of them, then the allowance's own (not billable) used and scheduled,
# in sessions and in minutes. The windows travel as one JSON parameter (thousands of them for
# a team); which statuses are used comes from `USED_STATUSES`.
_USED = ", ".join(f":used_{n}" for n in range(len(USED_STATUSES)))
_TALLIES = f"""
SELECT w.n AS n, count(*) AS c,
  sum(CASE WHEN NOT t.billable AND t.status IN ({_USED}) THEN 1 ELSE 0 END) AS u,
  sum(CASE WHEN NOT t.billable AND t.status = :planned THEN 1 ELSE 0 END) AS s,
  sum(CASE WHEN NOT t.billable AND t.status IN ({_USED}) THEN t.minutes ELSE 0 END) AS um,
  sum(CASE WHEN NOT t.billable AND t.status = :planned THEN t.minutes ELSE 0 END) AS sm
FROM ({{windows}}) AS w
JOIN session_tally AS t
  ON t.customer_id = w.cid AND t.kind = w.kind AND t.start_utc >= w.low AND t.start_utc < w.high
WHERE t.status <> :cancelled
GROUP BY w.n
"""
_STATUSES = {
    "cancelled": SessionStatus.CANCELLED.value,
    "planned": SessionStatus.PLANNED.value,
    **{f"used_{n}": status.value for n, status in enumerate(sorted(USED_STATUSES))},
}
# The sums as one JSON text (see `json_rows`).
_AS_ONE_TEXT = {
    "sqlite": "SELECT json_group_array(json_array(n, c, u, s, um, sm)) FROM ({sums}) AS sums",
    "postgresql": (
        "SELECT CAST(coalesce(json_agg(json_build_array(n, c, u, s, um, sm)), '[]') AS text) "
        "FROM ({sums}) AS sums"
    ),
}
_WINDOWS = {
    "sqlite": (
        "SELECT json_extract(value, '$[0]') AS n, json_extract(value, '$[1]') AS cid, "
        "json_extract(value, '$[2]') AS kind, json_extract(value, '$[3]') AS low, "
        "json_extract(value, '$[4]') AS high FROM json_each(:windows)"
    ),
    "postgresql": (
        "SELECT n, cid, kind, low, high FROM jsonb_array_elements(CAST(:windows AS jsonb)) AS e, "
        "LATERAL (SELECT CAST(e->>0 AS integer) AS n, CAST(e->>1 AS integer) AS cid, "
        "e->>2 AS kind, CAST(e->>3 AS timestamptz) AS low, CAST(e->>4 AS timestamptz) AS high) "
        "AS w"
    ),
}
# A window's place in the answer: its customer, one of its kinds, its ET days [first, end).
TallyKey = tuple[int, str, date, date]


def tallies_in_windows(
    db: Database, days: UtcDays, windows: Iterable[Window]
) -> dict[TallyKey, Tally]:
    """Each window's counted sessions (not cancelled), summed in SQL for each of its kinds
    (`session_tally` answers from its index): the whole team's dashboard reads one row per
    window where it read every session of 2,000 package years."""
    read = TallyRead(db, days, windows)
    return read.found(read.text())


class TallyRead:
    """`tallies_in_windows` in three steps, so that a worker thread can wait for the database
    (`text`) while the caller's thread writes the question and decodes the answer."""

    def __init__(self, db: Database, days: UtcDays, windows: Iterable[Window]) -> None:
        self.db = db
        self.keys: dict[TallyKey, int] = {}  # each asked once: the chart and the list share
        keys = self.keys
        rows: list[list[Any]] = []
        instant = INSTANT_TEXT[db.dialect]
        texts: dict[date, str] = {}  # each day written once: the windows share most of theirs
        for window in windows:
            cid, first, end = window.customer_id, window.first, window.end
            low, high = texts.get(first), texts.get(end)
            if low is None:
                low = texts[first] = instant(days.midnight(first))
            if high is None:
                high = texts[end] = instant(days.midnight(end))
            for kind in window.kinds:
                key = (cid, kind, first, end)
                if key not in keys:
                    keys[key] = n = len(keys)
                    if first < end:
                        rows.append([n, cid, kind, low, high])
        self.windows = json.dumps(rows) if rows else ""

    def text(self) -> str:
        """The sums as the database writes them: one text, so the read runs to its end without
        taking Python's lock back row by row."""
        if not self.windows:
            return "[]"
        sums = _TALLIES.format(windows=_WINDOWS[self.db.dialect])
        query = text(_AS_ONE_TEXT[self.db.dialect].format(sums=sums))
        parameters = {"windows": self.windows, **_STATUSES}
        with self.db.reading() as session:
            answer: str = session.connection().execute(query, parameters).scalar_one()
        return answer

    def found(self, answer: str) -> dict[TallyKey, Tally]:
        sums = {n: Tally(*rest) for n, *rest in decoded(answer)}
        nothing = Tally()
        return {key: sums.get(n, nothing) for key, n in self.keys.items()}
