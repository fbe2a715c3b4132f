"""When the dashboard computes: at once for a small book, on a worker for a large one, once
when shown again after changes made while it was hidden, and never with a stale result."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from desktop.errors import AmplanError
from desktop.services.customers import CustomerRecord
from desktop.services.dashboard import DashboardData, DashboardMemo, compute_dashboard
from desktop.services.scheduling.sessions import Scheduler
from desktop.views.widgets import messages
from desktop.views.widgets.background import Job, work_for

# Before any timing, a book with more customers than this goes to a worker (about 50 ms).
BACKGROUND_CUSTOMERS = 100
# A dashboard older than this is recomputed when shown again: "today" moves on.
STALE_AFTER_S = 600
# A large book's first computation waits this long, so the window paints first (a worker
# thread holding the interpreter would slow the start-up it is meant to spare).
FIRST_DELAY_MS = 300
# A hidden page waits this long after the last of a run of changes before it recomputes,
# once, for the count beside "Dashboard" in the navigation (which stays visible).
BADGE_AFTER_MS = 1500


class DashboardRefresh(QObject):
    """Runs the dashboard's computations for `page` and hands each result to `computed`.

    Each request has a number; a result of an older request is dropped. A request while one
    runs is remembered and run once it ends. Errors of the book are shown in plain words;
    any other exception is re-raised on the GUI thread for the crash handler.
    """

    computed = Signal(object)  # DashboardData
    updating = Signal(bool)

    def __init__(
        self,
        page: QWidget,
        scheduler: Scheduler,
        customers: Callable[[], Sequence[CustomerRecord] | None],
        now: Callable[[], datetime],
        background_after_s: float,
    ) -> None:
        super().__init__(page)
        self._page = page
        self._scheduler = scheduler
        self._customers = customers
        self._now = now
        self._background_after_s = background_after_s
        # None: decide by the size of the book and the last timing; tests may force it.
        self.background: bool | None = None
        self._number = 0
        self._job: Job | None = None
        self._again = False
        self._stale = False
        self._started = False
        self._last_seconds: float | None = None
        self._computed_at = 0.0
        self._memo = DashboardMemo()  # what a refresh reuses from the last
        self._first_timer = QTimer(self)
        self._first_timer.setSingleShot(True)
        self._first_timer.setInterval(FIRST_DELAY_MS)
        self._first_timer.timeout.connect(self.refresh)
        self._badge_timer = QTimer(self)
        self._badge_timer.setSingleShot(True)
        self._badge_timer.setInterval(BADGE_AFTER_MS)
        self._badge_timer.timeout.connect(self._refresh_if_stale)

    def is_updating(self) -> bool:
        return self._job is not None

    def _goes_background(self, customers: int) -> bool:
        if self.background is not None:
            return self.background
        if self._last_seconds is None:
            return customers > BACKGROUND_CUSTOMERS
        return self._last_seconds > self._background_after_s

    def invalidate(self) -> None:
        """Whatever is being computed now is of a book (or a choice of customers) gone by:
        its result is dropped when it arrives, and a computation not yet started never runs."""
        self._number += 1
        self._first_timer.stop()
        if self._job is None:
            self.updating.emit(False)

    @Slot()
    def refresh(self) -> None:
        """Recompute now (small book) or on the worker; a request while one runs is queued
        (and the running one's result, of the book as it was, dropped)."""
        self.invalidate()
        customers = self._customers()
        if not customers:
            return
        if self._job is not None:
            self._again = True
            return
        self._badge_timer.stop()
        self._stale = False
        number, now, scheduler = self._number, self._now(), self._scheduler
        memo = self._memo
        if not self._goes_background(len(customers)):
            self._started = True
            try:
                data = compute_dashboard(scheduler, customers, now, memo)
            except AmplanError as exc:
                messages.show_error(self._page, "Could not read the book", str(exc))
                return
            self._ready(number, data)
            return
        if not self._started:  # the first computation of a large book: after the first paint
            self._started = True
            self.updating.emit(True)
            self._first_timer.start()
            return
        self._job = work_for(self._page).start(
            lambda _report: compute_dashboard(scheduler, customers, now, memo),
            on_success=lambda data: self._ready(number, data),
            on_failure=self._failed,
        )
        self.updating.emit(True)

    @Slot(object)
    def book_changed(self, _change: object = None) -> None:
        """A hidden page notes that it is stale and recomputes once, a moment after a run of
        changes ends (the navigation's count must stay true) or when shown, whichever first."""
        if self._page.isVisible():
            self.refresh()
        else:
            self._stale = True
            self._badge_timer.start()

    @Slot()
    def _refresh_if_stale(self) -> None:
        if self._stale:
            self.refresh()

    def shown(self) -> None:
        """The page is shown again: recompute if the book changed meanwhile or it is old."""
        old = self._computed_at and time.monotonic() - self._computed_at > STALE_AFTER_S
        if self._stale or (old and self._job is None):
            self.refresh()

    def wait_for_idle(self, msecs: int = 5000) -> bool:
        """Start no more computations and let a running one finish (before the book closes)."""
        self._first_timer.stop()
        self._badge_timer.stop()
        job = self._job
        return job is None or job.wait(msecs / 1000)

    def _ready(self, number: int, data: DashboardData) -> None:
        if number == self._number:
            self._last_seconds = data.seconds
            self._computed_at = time.monotonic()
            self.computed.emit(data)
        self._finished()

    def _failed(self, error: BaseException) -> None:
        self._finished()
        if not isinstance(error, AmplanError):
            raise error  # a bug: re-raised on the GUI thread for the crash handler
        messages.show_error(self._page, "Could not read the book", str(error))

    def _finished(self) -> None:
        self._job = None
        self.updating.emit(False)
        if self._again:
            self._again = False
            self.refresh()
