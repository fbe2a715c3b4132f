"""The calendar page's logic without its layout: what was read (a small cache of periods, the
neighbours read ahead in idle moments), hearing about changes, and moving sessions through
`SessionActions` with the refusals and warnings said in the page's notice.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.services.calendar_files.calendar_view import (
    CalendarFilter,
    CalendarRange,
    calendar_range,
)
from desktop.services.changes import BookChange
from desktop.services.customers import CustomerRecord
from desktop.services.display.calendar_text import CalendarTexts
from desktop.services.display.calendar_view_state import (
    days_shown,
    html_text,
    stepped,
    times_as,
)
from desktop.services.display.grid_time import all_day_shifted, kept_length, shifted_start
from desktop.services.display.layout import DisplayZone, fetch_span
from desktop.services.scheduling.rules import Violation
from desktop.services.scheduling.sessions import (
    Outcome,
    RuleRefusal,
    SessionRecord,
    SessionTimes,
)
from desktop.services.scheduling.status import SessionStatus
from desktop.views.calendar.calendar_notice import CalendarNotice
from desktop.views.shell.undo import SessionActions

CACHED_RANGES = 8
PREFETCH_DELAY_MS = 40

RangeKey = tuple[date, int, CalendarFilter]


class CalendarRanges(QObject):
    """What the service said for recent periods, so going back and forth (and the neighbours
    read ahead while the user looks) redraws without asking again."""

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._scheduler = context.scheduler
        self._ranges: OrderedDict[RangeKey, CalendarRange] = OrderedDict()
        self._ahead: tuple[str, date, CalendarFilter, Sequence[CustomerRecord]] | None = None
        self.reads = 0  # how often a shown period was asked of the service (tests count it)
        self._prefetch_timer = QTimer(self)
        self._prefetch_timer.setSingleShot(True)
        self._prefetch_timer.setInterval(PREFETCH_DELAY_MS)
        self._prefetch_timer.timeout.connect(self._prefetch)

    def read(
        self,
        view: str,
        anchor: date,
        found_filter: CalendarFilter,
        customers: Sequence[CustomerRecord],
    ) -> CalendarRange:
        first, count = fetch_span(days_shown(view, anchor))
        key = (first, count, found_filter)
        found = self._ranges.get(key)
        if found is None:
            self.reads += 1
            found = self._fetch(key, customers)
        else:
            self._ranges.move_to_end(key)
        self._ahead = (view, anchor, found_filter, customers)
        self._prefetch_timer.start()
        return found

    def _fetch(self, key: RangeKey, customers: Sequence[CustomerRecord]) -> CalendarRange:
        first, count, found_filter = key
        found = calendar_range(self._scheduler, first, count, list(customers), found_filter)
        self._ranges[key] = found
        while len(self._ranges) > CACHED_RANGES:
            self._ranges.popitem(last=False)
        return found

    def reading_ahead(self) -> bool:
        return self._prefetch_timer.isActive()

    def forget(self) -> None:
        self._ranges.clear()

    def _prefetch(self) -> None:
        """Read the next, then the previous period ahead, one per idle moment."""
        if self._ahead is None:
            return
        view, anchor, found_filter, customers = self._ahead
        for periods in (1, -1):
            first, count = fetch_span(days_shown(view, stepped(view, anchor, periods)))
            if (first, count, found_filter) in self._ranges:
                continue
            try:
                self._fetch((first, count, found_filter), customers)
            except AmplanError:
                return  # reading ahead is a nicety; the real read will say what is wrong
            self._prefetch_timer.start()
            return


class BookWatch(QObject):
    """Hears `sessions_changed`: forgets what was read at once, and says `stale` once per
    turn of the event loop however many changes came in it."""

    stale = Signal()

    def __init__(
        self, actions: SessionActions, ranges: CalendarRanges, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._ranges = ranges
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.stale)
        actions.sessions_changed.connect(self._changed)

    def _changed(self, _change: BookChange | None = None) -> None:
        self._ranges.forget()
        self._timer.start()

    def take_pending(self) -> bool:
        """Whether a change was waiting to be said; it is not said any more."""
        pending = self._timer.isActive()
        self._timer.stop()
        return pending

    def settle(self) -> None:
        """Say `stale` now if a change is waiting (after the page's own move)."""
        if self._timer.isActive():
            self._timer.stop()
            self.stale.emit()


class CalendarMoves(QObject):
    """Drags, drops and nudges become moves through the undo stack, as new requests made now.
    A refusal leaves the session where it was and says which rules stand in the way;
    `refused` asks the page to repaint, `edit_requested(session_id, times)` to open the
    editor at the refused time."""

    refused = Signal()
    failed = Signal()
    edit_requested = Signal(int, object)

    def __init__(
        self,
        context: AppContext,
        actions: SessionActions,
        texts: CalendarTexts,
        notice: CalendarNotice,
        now: Callable[[], datetime],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._scheduler = context.scheduler
        self._clock = context.clock
        self._actions = actions
        self._texts = texts
        self._notice = notice
        self._now = now
        self.zone: DisplayZone | None = None
        self._last_refusal: tuple[int, SessionTimes] | None = None

    def _read(self, session_id: int, failure: str) -> SessionRecord | None:
        try:
            return self._scheduler.get(session_id)
        except AmplanError as exc:
            self._notice.show_message("error", f"{failure}: {exc}")
            self.refused.emit()
            return None

    def dropped(self, session_id: int, day: date, clock_time: time) -> bool:
        """A block dropped at `clock_time` of `day` (display zone): the same length there."""
        session = self._read(session_id, "Not moved")
        if session is None:
            return False
        try:
            start_utc = self._zone().instant(day, clock_time)
        except AmplanError as exc:
            self._notice.show_message("error", f"Not moved: {exc}")
            self.refused.emit()
            return False
        return self._move_start(session, start_utc)

    def resized(self, session_id: int, minutes: int) -> bool:
        """The bottom edge dragged: same start, a new length, checked like a move."""
        session = self._read(session_id, "Not changed")
        if session is None:
            return False
        times = SessionTimes(
            session.start_utc, session.start_utc + timedelta(minutes=minutes), False
        )
        return self._apply(session, times, "Changed", self._move_call(session, times))

    def shifted(self, session_id: int, days: int) -> bool:
        """A drop in the all-day row or the month: the same time of day, `days` later."""
        session = self._read(session_id, "Not moved")
        if session is None:
            return False
        if session.all_day:
            times = all_day_shifted(self._clock, session, days)
            return self._apply(session, times, "Moved", self._move_call(session, times))
        return self.nudge(session, days, 0)

    def nudge(self, session: SessionRecord, days: int, minutes: int) -> bool:
        """Move by whole days or grid steps of the display zone's clock, keeping the length."""
        if session.status != SessionStatus.PLANNED:
            return False
        try:
            start_utc = shifted_start(self._zone(), session.start_utc, days, minutes)
        except AmplanError as exc:
            self._notice.show_message("error", f"Not moved: {exc}")
            return False
        return self._move_start(session, start_utc)

    def _zone(self) -> DisplayZone:
        assert self.zone is not None
        return self.zone

    def _move_call(self, session: SessionRecord, times: SessionTimes) -> Callable[[], Outcome]:
        return lambda: self._actions.move(
            session.id, times, requested_utc=self._now(), expected_sequence=session.sequence
        )

    def _move_start(self, session: SessionRecord, start_utc: datetime) -> bool:
        def call() -> Outcome:
            return self._actions.move_start(
                session.id, start_utc, requested_utc=self._now(), expected_sequence=session.sequence
            )

        return self._apply(session, kept_length(session, start_utc), "Moved", call)

    def _apply(
        self, session: SessionRecord, times: SessionTimes, verb: str, call: Callable[[], Outcome]
    ) -> bool:
        try:
            outcome = call()
        except RuleRefusal as exc:
            self._refused(session, times, exc.violations)
            return False
        except AmplanError as exc:
            self._notice.show_message("error", f"Not moved: {exc}")
            self.failed.emit()
            return False
        what = f"{self._texts.who(session)} {self._texts.kind(session.kind).lower()}"
        when = self._texts.when(times_as(session, times), self._zone())
        text = "\n".join([f"{verb} {what} to {when}.", *outcome.session.warnings])
        self._notice.show_message("info", text, "Undo", self._actions.stack.undo)
        return True

    def _refused(
        self, session: SessionRecord, times: SessionTimes, violations: list[Violation]
    ) -> None:
        self._last_refusal = (session.id, times)
        when = self._texts.when(times_as(session, times), self._zone())
        lines = [f"<b>Not moved</b>: the contract refuses {html_text(when)}."]
        lines += [
            f"• {html_text(v.message)} "
            f"<small style='color:gray'>(rule: {html_text(v.rule)})</small>"
            for v in violations
        ]
        self._notice.show_message(
            "error", "<br>".join(lines), "Open in editor…", self._edit_refused
        )
        self.refused.emit()

    def _edit_refused(self) -> None:
        if self._last_refusal is not None:
            self.edit_requested.emit(*self._last_refusal)
