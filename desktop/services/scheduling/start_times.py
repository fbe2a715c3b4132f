"""Start times of a day for a customer, best first: inside the customer's own 08:00-18:00
where it overlaps the working window (nearest their comfortable hour), else the least-bad
times. What the planner tries on a day, before the workload and the rules have their say."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from desktop.services.business_time import BusinessClock, localize, to_utc, to_zone, zone
from desktop.services.customers import CustomerRecord
from desktop.services.policy import Policy
from desktop.services.scheduling.plans import COMFORT_HOUR, LEAST_BAD_SLACK
from desktop.services.scheduling.records import CUSTOMER_DAY
from desktop.services.scheduling.sessions import SessionTimes


class StartTimes:
    """A day's start times per customer zone and length, each worked out once per plan."""

    def __init__(self, clock: BusinessClock, policy: Policy) -> None:
        self.clock = clock
        self.policy = policy
        self._hours_cache: dict[tuple[str, date, int], list[tuple[datetime, datetime]]] = {}
        self._slots_cache: dict[
            tuple[str, date, int], tuple[list[datetime], list[datetime], bool, datetime]
        ] = {}

    def customer_hours(
        self, customer: CustomerRecord, day: date, minutes: int
    ) -> list[tuple[datetime, datetime]]:
        """Parts of the working window of `day` inside the customer's 08:00-18:00 that can
        hold `minutes` (UTC); empty when there is no such overlap that day."""
        cache_key = (customer.tz, day, minutes)
        if cache_key in self._hours_cache:
            return self._hours_cache[cache_key]
        window = self.clock.work_window(day)
        found: list[tuple[datetime, datetime]] = []
        if window is not None:
            tz = zone(customer.tz)
            w_start, w_end = to_utc(window.start_et), to_utc(window.end_et)
            local_days = {to_zone(w_start, tz).date(), to_zone(w_end, tz).date()}
            for local_day in sorted(local_days):
                c_start = to_utc(localize(tz, datetime.combine(local_day, CUSTOMER_DAY[0])))
                c_end = to_utc(localize(tz, datetime.combine(local_day, CUSTOMER_DAY[1])))
                low, high = max(w_start, c_start), min(w_end, c_end)
                if high - low >= timedelta(minutes=minutes):
                    found.append((low, high))
        self._hours_cache[cache_key] = found
        return found

    def _discomfort(self, customer: CustomerRecord, start_utc: datetime, minutes: int) -> float:
        local = to_zone(start_utc, zone(customer.tz))
        begin = local.hour + local.minute / 60
        end = begin + minutes / 60
        score = abs(begin - COMFORT_HOUR)
        if begin < CUSTOMER_DAY[0].hour:
            score += 100 + (CUSTOMER_DAY[0].hour - begin) * 15  # before dawn: worse than late
        if end > CUSTOMER_DAY[1].hour:
            score += 100 + (end - CUSTOMER_DAY[1].hour) * 10
        return score

    def day_slots(
        self,
        customer: CustomerRecord,
        day: date,
        minutes: int,
        steady: int | None = None,
        strict: bool = True,
    ) -> tuple[list[SessionTimes], bool]:
        """Start times on `day`, best first, and whether they lie outside the customer's day
        (no overlap that day: least-bad times)."""
        cache_key = (customer.tz, day, minutes)
        cached = self._slots_cache.get(cache_key)
        if cached is None:
            cached = self._ordered_starts(customer, day, minutes)
            self._slots_cache[cache_key] = cached
        every, near_best, outside, w_start = cached
        length = timedelta(minutes=minutes)
        # No overlap with the customer's day: strictly, only times near the least bad, so that
        # a busy day sends the session to another day rather than to 03:00 their time.
        starts = near_best if strict else every
        if steady is not None:
            wanted = [s for s in starts if int((s - w_start).total_seconds() // 60) == steady]
            starts = wanted + [s for s in starts if s not in wanted]
        return [SessionTimes(s, s + length, False) for s in starts], outside

    def _ordered_starts(
        self, customer: CustomerRecord, day: date, minutes: int
    ) -> tuple[list[datetime], list[datetime], bool, datetime]:
        window = self.clock.work_window(day)
        if window is None:
            return [], [], False, datetime.min
        step = self.policy.time.slot_step_minutes
        w_start, w_end = to_utc(window.start_et), to_utc(window.end_et)
        length = timedelta(minutes=minutes)
        starts = []
        moment = w_start
        while moment + length <= w_end:
            starts.append(moment)
            moment += timedelta(minutes=step)
        hours = self.customer_hours(customer, day, minutes)
        if hours:
            starts = [s for s in starts if any(lo <= s and s + length <= hi for lo, hi in hours)]
        scored = sorted((self._discomfort(customer, s, minutes), s) for s in starts)
        starts = [s for _, s in scored]
        if hours or not scored:
            return starts, starts, False, w_start
        near = [s for score, s in scored if score <= scored[0][0] + LEAST_BAD_SLACK]
        return starts, near, True, w_start

    def good_starts(self, customer: CustomerRecord, day: date, minutes: int) -> int:
        """How many start times of `day` suit the customer (inside their day, or near the
        least bad): few means a customer whose sessions should be placed early."""
        return len(self.day_slots(customer, day, minutes, strict=True)[0])
