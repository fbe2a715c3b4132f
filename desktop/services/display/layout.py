"""Where things land on the calendar in its display zone: pure arithmetic, no Qt.

The service answers in UTC and ET dates; the page shows a zone the user picks (ET, this
computer's, a customer's). Here timed sessions, busy time and working windows become
minutes past local midnight on the display zone's days, overlapping sessions get side-by-side
lanes, and all-day items (event plans, all-day busy) get rows of a bar lane. All-day items
keep their dates: an event plan on 24 Nov is on 24 Nov in every zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytz

from desktop.services.business_time import BusinessClock, localize, to_utc, to_zone
from desktop.services.calendar_files.calendar_view import CalendarRange
from desktop.services.scheduling.ledger import Busy
from desktop.services.scheduling.sessions import SessionRecord

DAY_MINUTES = 24 * 60
_EPOCH = datetime(1970, 1, 1)
_QUARTER_HOUR = 15 * 60


@dataclass(frozen=True)
class DisplayZone:
    """A zone the calendar can be shown in: `key` identifies the choice, `short` heads the
    hour column ("ET", "Chicago")."""

    key: str
    name: str
    label: str
    short: str
    tz: pytz.BaseTzInfo
    _offsets: dict[int, timedelta] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def local(self, moment: datetime) -> datetime:
        return to_zone(moment, self.tz)

    def wall(self, moment: datetime) -> datetime:
        """`moment` as naive wall clock in this zone.

        Hundreds of these per week drawn: the zone's offset is looked up once per quarter
        hour of UTC (zones change offset on quarter hours) and then only added.
        """
        offset = moment.utcoffset()
        if offset is None:
            raise ValueError("naive datetime where an aware one is required")
        naive_utc = moment.replace(tzinfo=None) - offset
        bucket = int((naive_utc - _EPOCH).total_seconds()) // _QUARTER_HOUR
        shift = self._offsets.get(bucket)
        if shift is None:
            start = (_EPOCH + timedelta(seconds=bucket * _QUARTER_HOUR)).replace(tzinfo=pytz.utc)
            shift = to_zone(start, self.tz).utcoffset() or timedelta()
            self._offsets[bucket] = shift
        return naive_utc + shift

    def today(self, now: datetime) -> date:
        return self.local(now).date()

    def instant(self, day: date, clock_time: time) -> datetime:
        """UTC instant of wall clock `clock_time` on `day` here; a DST gap is BadInput."""
        return to_utc(localize(self.tz, datetime.combine(day, clock_time)))


@dataclass(frozen=True)
class DayInfo:
    day: date
    weekend: bool
    holiday: str | None
    work: tuple[tuple[int, int], ...]  # working windows, minutes past local midnight


@dataclass(frozen=True)
class TimedBlock:
    """One day's piece of a timed session (a session crossing local midnight has two)."""

    session: SessionRecord
    column: int
    start_min: int
    end_min: int
    lane: int
    lanes: int
    starts_here: bool


@dataclass(frozen=True)
class BusyBand:
    busy: Busy
    column: int
    start_min: int
    end_min: int


@dataclass(frozen=True)
class AllDayBar:
    """An event plan or an all-day busy block across columns first..last of one row."""

    item: SessionRecord | Busy
    first: int
    last: int
    row: int
    continues_before: bool
    continues_after: bool


@dataclass(frozen=True)
class DayEntry:
    """One line of a month cell or of the agenda: a session or busy time on its first day."""

    item: SessionRecord | Busy
    start: datetime | None  # naive display-zone wall clock; None for all-day items
    end: datetime | None

    @property
    def is_session(self) -> bool:
        return isinstance(self.item, SessionRecord)


@dataclass(frozen=True)
class CalendarLayout:
    days: tuple[DayInfo, ...]
    timed: tuple[TimedBlock, ...]
    busy: tuple[BusyBand, ...]
    all_day: tuple[AllDayBar, ...]
    all_day_rows: int
    sessions: tuple[SessionRecord, ...]
    clashing: frozenset[int] = frozenset()

    @property
    def empty(self) -> bool:
        return not self.timed and not any(isinstance(b.item, SessionRecord) for b in self.all_day)


def fetch_span(days: Sequence[date]) -> tuple[date, int]:
    """The ET days to ask the service for so every display-zone day is covered: one more on
    each side (no zone is a full day away from ET)."""
    return days[0] - timedelta(days=1), len(days) + 2


def _pieces(
    start: datetime, end: datetime, columns: dict[date, int]
) -> Iterable[tuple[int, int, int, bool]]:
    """(column, start minute, end minute, starts here) for each shown day [start, end) touches."""
    day = start.date()
    while True:
        midnight = datetime.combine(day, time())
        if midnight >= end:
            return
        column = columns.get(day)
        if column is not None:
            first = max(start, midnight)
            last = min(end, midnight + timedelta(days=1))
            begin = int((first - midnight).total_seconds() // 60)
            stop = int((last - midnight).total_seconds() // 60)
            if stop > begin:
                yield column, begin, stop, first == start
        day += timedelta(days=1)


def _all_day_dates(
    clock: BusinessClock, start_utc: datetime, end_utc: datetime
) -> tuple[date, date]:
    first = clock.et_date(start_utc)
    last = max(first, clock.et_date(end_utc - timedelta(seconds=1)))
    return first, last


def _bar_span(
    clock: BusinessClock, item: SessionRecord | Busy, days: Sequence[date]
) -> tuple[date, date] | None:
    """An all-day item's first and last ET dates, when it touches the shown days."""
    first, last = _all_day_dates(clock, item.start_utc, item.end_utc)
    return (first, last) if last >= days[0] and first <= days[-1] else None


def _lanes(pieces: list[tuple[int, int, SessionRecord, bool]]) -> list[tuple[int, int]]:
    """Lane and lane count per piece (sorted by start): overlapping sessions sit side by side,
    each cluster of overlaps as wide as it needs."""
    result: list[tuple[int, int]] = [(0, 1)] * len(pieces)
    cluster: list[int] = []
    lane_ends: list[int] = []
    cluster_end = -1

    def close() -> None:
        for index in cluster:
            result[index] = (result[index][0], len(lane_ends))

    for index, (start, end, _session, _first) in enumerate(pieces):
        if cluster and start >= cluster_end:
            close()
            cluster, lane_ends, cluster_end = [], [], -1
        for lane, lane_end in enumerate(lane_ends):
            if lane_end <= start:
                lane_ends[lane] = end
                break
        else:
            lane = len(lane_ends)
            lane_ends.append(end)
        result[index] = (lane, 0)
        cluster.append(index)
        cluster_end = max(cluster_end, end)
    close()
    return result


def day_infos(
    found: CalendarRange, days: Sequence[date], zone: DisplayZone, clock: BusinessClock
) -> tuple[DayInfo, ...]:
    """Weekend, holiday and the working windows (as they fall in `zone`) of each shown day."""
    columns = {day: index for index, day in enumerate(days)}
    by_date = {d.day: d for d in found.days}
    work: dict[int, list[tuple[int, int]]] = {i: [] for i in range(len(days))}
    for info in found.days:
        if info.work_start_utc is None or info.work_end_utc is None:
            continue
        for column, begin, stop, _ in _pieces(
            zone.wall(info.work_start_utc), zone.wall(info.work_end_utc), columns
        ):
            work[column].append((begin, stop))
    return tuple(
        DayInfo(
            day,
            day.weekday() >= 5,
            by_date[day].holiday if day in by_date else clock.holiday_name(day),
            tuple(sorted(work[index])),
        )
        for index, day in enumerate(days)
    )


def lay_out(
    found: CalendarRange, days: Sequence[date], zone: DisplayZone, clock: BusinessClock
) -> CalendarLayout:
    """Place what `found` holds on the display days `days` (consecutive) in `zone`."""
    columns = {day: index for index, day in enumerate(days)}
    infos = day_infos(found, days, zone, clock)

    per_column: dict[int, list[tuple[int, int, SessionRecord, bool]]] = {}
    bars: list[tuple[date, date, SessionRecord | Busy]] = []
    shown: list[SessionRecord] = []
    for session in found.sessions:
        if session.all_day:
            span = _bar_span(clock, session, days)
            if span is not None:
                bars.append((*span, session))
                shown.append(session)
            continue
        placed = False
        for column, begin, stop, starts_here in _pieces(
            zone.wall(session.start_utc), zone.wall(session.end_utc), columns
        ):
            per_column.setdefault(column, []).append((begin, stop, session, starts_here))
            placed = True
        if placed:
            shown.append(session)

    timed: list[TimedBlock] = []
    for column in sorted(per_column):
        pieces = sorted(per_column[column], key=lambda p: (p[0], -p[1], p[2].id))
        for (begin, stop, session, starts_here), (lane, lanes) in zip(
            pieces, _lanes(pieces), strict=True
        ):
            timed.append(TimedBlock(session, column, begin, stop, lane, lanes, starts_here))

    busy: list[BusyBand] = []
    for block in found.busy:
        if block.all_day:
            span = _bar_span(clock, block, days)
            if span is not None:
                bars.append((*span, block))
            continue
        for column, begin, stop, _ in _pieces(
            zone.wall(block.start_utc), zone.wall(block.end_utc), columns
        ):
            busy.append(BusyBand(block, column, begin, stop))

    # Sessions before busy time, longer bars first: the rows read like a stacked timeline.
    bars.sort(key=lambda b: (not isinstance(b[2], SessionRecord), b[0], -(b[1] - b[0]).days))
    rows_end: list[int] = []
    all_day: list[AllDayBar] = []
    for first, last, item in bars:
        first_col = columns.get(first, 0) if first >= days[0] else 0
        last_col = columns.get(last, len(days) - 1) if last <= days[-1] else len(days) - 1
        for row, row_end in enumerate(rows_end):
            if row_end < first_col:
                rows_end[row] = last_col
                break
        else:
            row = len(rows_end)
            rows_end.append(last_col)
        all_day.append(AllDayBar(item, first_col, last_col, row, first < days[0], last > days[-1]))
    return CalendarLayout(
        infos,
        tuple(timed),
        tuple(busy),
        tuple(all_day),
        len(rows_end),
        tuple(shown),
        found.clashing,
    )


def day_entries(
    found: CalendarRange, days: Sequence[date], zone: DisplayZone, clock: BusinessClock
) -> dict[date, list[DayEntry]]:
    """Each shown day's sessions and busy time, all-day items first, then by start.

    A timed item is listed on the display day it starts; an all-day item on each of its days.
    """
    wanted = set(days)
    entries: dict[date, list[DayEntry]] = {day: [] for day in days}

    def add(
        item: SessionRecord | Busy, start_utc: datetime, end_utc: datetime, all_day: bool
    ) -> None:
        if all_day:
            first, last = _all_day_dates(clock, start_utc, end_utc)
            day = first
            while day <= last:
                if day in wanted:
                    entries[day].append(DayEntry(item, None, None))
                day += timedelta(days=1)
            return
        start = zone.wall(start_utc)
        if start.date() in wanted:
            entries[start.date()].append(DayEntry(item, start, zone.wall(end_utc)))

    for session in found.sessions:
        add(session, session.start_utc, session.end_utc, session.all_day)
    for block in found.busy:
        add(block, block.start_utc, block.end_utc, block.all_day)
    for listed in entries.values():
        listed.sort(
            key=lambda e: (
                e.start is not None,
                e.start or datetime.min,
                not e.is_session,
                e.item.id if isinstance(e.item, SessionRecord) else 0,
            )
        )
    return entries
