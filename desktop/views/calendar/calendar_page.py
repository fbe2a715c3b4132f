"""The Calendar page: day, week and month views and an agenda, in ET, this computer's zone or
a customer's; filters; booking by double-click; moving by drag, checked against the contract.

The page holds the layout and navigation; `CalendarRanges` reads through `calendar_range` (a
service), `BookWatch` hears changes, and `CalendarMoves` changes sessions only through
`SessionActions`, so every move is undoable and every page hears about it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.services.business_time import zone
from desktop.services.calendar_files.calendar_view import CalendarFilter, CalendarRange
from desktop.services.customers import CustomerRecord
from desktop.services.display.calendar_text import CalendarTexts, month_title, range_title
from desktop.services.display.calendar_view_state import (
    AGENDA,
    DAY,
    ET_KEY,
    MONTH,
    PERIOD_WORDS,
    WEEK,
    days_shown,
    display_zones,
    empty_hint,
    is_filtered,
    my_email,
    owner_choices,
    preferred_customer,
    print_range,
    stepped,
    working_top,
)
from desktop.services.display.calendar_view_state import (
    VIEW_LABELS as VIEW_LABELS,
)
from desktop.services.display.calendar_view_state import (
    VIEWS as VIEWS,
)
from desktop.services.display.layout import DayInfo, DisplayZone, day_entries, day_infos, lay_out
from desktop.services.display.session_format import system_now
from desktop.services.reports.calendar_print import PrintRange, calendar_printable
from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.scheduling.status import SessionStatus
from desktop.views.calendar.calendar_agenda import AgendaList
from desktop.views.calendar.calendar_booking import CalendarBooking
from desktop.views.calendar.calendar_controller import BookWatch, CalendarMoves, CalendarRanges
from desktop.views.calendar.calendar_filters import CalendarFilterBar, system_zone_name
from desktop.views.calendar.calendar_grid import FIRST_VISIBLE_HOUR, VISIBLE_HOURS
from desktop.views.calendar.calendar_month import MonthGrid
from desktop.views.calendar.calendar_notice import CalendarNotice
from desktop.views.calendar.calendar_time_view import TimeGridView
from desktop.views.reports.printing import DocumentPreview, default_paper
from desktop.views.sessions.session_editor import SessionEditor
from desktop.views.shell.undo import SessionActions
from desktop.views.theme import calendar_style_sheet
from desktop.views.widgets import messages
from desktop.views.widgets.elided_label import ElidedLabel

VIEW_KEYS = {Qt.Key.Key_D: DAY, Qt.Key.Key_W: WEEK, Qt.Key.Key_M: MONTH, Qt.Key.Key_A: AGENDA}
NOTICE_WIDTH = 760
MINIMUM_SIZE = QSize(720, 480)

# Alt+arrow: (days, grid steps) to move the selected session by.
KEY_MOVES = {
    Qt.Key.Key_Up: (0, -1),
    Qt.Key.Key_Down: (0, 1),
    Qt.Key.Key_Left: (-1, 0),
    Qt.Key.Key_Right: (1, 0),
}


class CalendarPage(QWidget):
    """Shows a period of the book; `now` is asked whenever "now" or "today" matters."""

    def __init__(
        self,
        context: AppContext,
        actions: SessionActions,
        now: Callable[[], datetime] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("calendarPage")
        self._context = context
        self._actions = actions
        self._now = now or system_now
        self._clock = context.clock
        self._step = context.policy.time.slot_step_minutes
        self._texts = CalendarTexts(
            context.clock, {name: kind.label for name, kind in context.policy.kinds.items()}
        )
        self._customers: list[CustomerRecord] = []
        self._zones: dict[str, DisplayZone] = {}
        et_name = context.policy.time.zone_name
        label = context.policy.time.zone_label
        self._et_zone = DisplayZone(
            ET_KEY, et_name, f"Eastern time ({label})", label, zone(et_name)
        )
        self._zone = self._et_zone
        self._view = WEEK
        self._anchor = self._zone.today(self._now())
        self._filter = CalendarFilter()
        self._found: CalendarRange | None = None
        self._shown_once = False
        self._stale = False  # the book changed while the page was hidden
        self._scroll_pending = True

        self.ranges = CalendarRanges(context, self)
        self.watch = BookWatch(actions, self.ranges, self)
        self.watch.stale.connect(self._sessions_changed)
        # Undo and redo show at once (the stack says so after the change is made).
        actions.stack.indexChanged.connect(self.watch.settle)
        self._build()
        self.moves = CalendarMoves(context, actions, self._texts, self.notice, self._now, self)
        self.moves.zone = self._zone
        self.moves.refused.connect(self._repaint_views)
        self.moves.failed.connect(self.reload)
        self.booking = CalendarBooking(
            context, actions, self._texts, self.notice, self.watch, self._now, self
        )
        self.moves.edit_requested.connect(self.booking.edit_at)
        self._connect_gestures()
        # An explicit minimum: else each new title or all-day row changes the layout's minimum,
        # passed to the platform window (see the WORKAROUND in CustomerDialog.__init__).
        self.setMinimumSize(MINIMUM_SIZE)
        self.setStyleSheet(calendar_style_sheet())
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(60_000)
        self._clock_timer.timeout.connect(self._tick)
        self._clock_timer.start()
        self.refresh()

    # --- building -------------------------------------------------------------------------
    def _build(self) -> None:
        policy = self._context.policy
        self.filter_bar = CalendarFilterBar(
            {name: kind.label for name, kind in policy.kinds.items()},
            {name: package.label for name, package in policy.packages.items()},
        )
        bar = self.filter_bar
        self.zone_combo, self.customer_combo = bar.zone_combo, bar.customer_combo
        self.search, self.cancelled_check = bar.search, bar.cancelled_check
        self.kind_button, self.kind_actions = bar.kind_button, bar.kind_actions
        self.package_button, self.package_actions = bar.package_button, bar.package_actions
        bar.filters_changed.connect(self._filters_changed)
        bar.zone_chosen.connect(self._zone_chosen)

        self.time_view = TimeGridView(self._texts, self._step)
        self.grid = self.time_view.grid
        self.header = self.time_view.header
        self.month_grid = MonthGrid(self._texts)
        self.agenda = AgendaList(self._texts)
        self.stack = QStackedWidget()
        for view in (self.time_view, self.month_grid, self.agenda):
            self.stack.addWidget(view)
        frame = QFrame()
        frame.setObjectName("calendarFrame")
        inside = QVBoxLayout(frame)
        inside.setContentsMargins(1, 1, 1, 1)
        inside.addWidget(self.stack)
        # The notice floats over the calendar's foot: showing it must not shrink the grid
        # (the hours would rescale under the user's pointer right after a drop).
        self._frame = frame
        self.notice = CalendarNotice(frame)
        self.notice.shown.connect(lambda: self.notice.place(NOTICE_WIDTH))
        frame.installEventFilter(self)

        column = QVBoxLayout(self)
        column.setContentsMargins(16, 14, 16, 12)
        column.setSpacing(10)
        column.addLayout(self._build_top())
        column.addWidget(self.filter_bar)
        column.addWidget(frame, 1)

    def _build_top(self) -> QHBoxLayout:
        """Today, ◀ ▶, the period's title and count, and the view switch."""
        self.today_button = QPushButton("Today")
        self.today_button.setToolTip("Go to today (T)")
        self.previous_button = QPushButton("◀")
        self.next_button = QPushButton("▶")
        for button in (self.previous_button, self.next_button):
            button.setObjectName("navArrow")
        self.title_label = QLabel()
        self.title_label.setObjectName("pageTitle")
        self.summary_label = ElidedLabel()  # gives way first in a narrow window
        self.summary_label.setObjectName("rangeSummary")
        self.today_button.clicked.connect(self.go_today)
        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))

        self.view_buttons: dict[str, QPushButton] = {}
        self._view_group = QButtonGroup(self)
        self._view_group.setExclusive(True)
        switch = QHBoxLayout()
        switch.setSpacing(0)
        for index, name in enumerate(VIEWS):
            button = QPushButton(VIEW_LABELS[name])
            button.setObjectName("segment")
            button.setCheckable(True)
            button.setToolTip(f"{VIEW_LABELS[name]} view ({VIEW_LABELS[name][0]})")
            edge = "first" if index == 0 else "last" if index == len(VIEWS) - 1 else "middle"
            button.setProperty("edge", edge)
            button.clicked.connect(lambda _checked=False, n=name: self.set_view(n))
            button.setMinimumWidth(button.sizeHint().width())
            self._view_group.addButton(button)
            self.view_buttons[name] = button
            switch.addWidget(button)

        top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(self.today_button)
        top.addWidget(self.previous_button)
        top.addWidget(self.next_button)
        top.addSpacing(12)
        top.addWidget(self.title_label)
        top.addSpacing(8)
        top.addWidget(self.summary_label, 1, Qt.AlignmentFlag.AlignBottom)
        top.addLayout(switch)
        return top

    def _connect_gestures(self) -> None:
        for view in (self.grid, self.header, self.month_grid):
            view.session_clicked.connect(self.open_session)
        self.agenda.session_activated.connect(self.open_session)
        self.grid.slot_double_clicked.connect(self.new_session_at)
        self.month_grid.day_double_clicked.connect(lambda day: self.new_session_at(day, None))
        self.month_grid.day_requested.connect(self.show_day)
        self.grid.session_dropped.connect(self._settled(self.moves.dropped))
        self.grid.session_resized.connect(self._settled(self.moves.resized))
        self.header.bar_dropped.connect(self._settled(self.moves.shifted))
        self.month_grid.session_moved_days.connect(self._settled(self.moves.shifted))
        for widget in (
            self,
            self.grid,
            self.header,
            self.month_grid,
            self.agenda,
            self.time_view.scroll_area,
        ):
            widget.installEventFilter(self)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFocusProxy(self.grid)

    def _settled(self, move: Callable[..., bool]) -> Callable[..., None]:
        """A gesture's move, with the page redrawn at once rather than on the next turn."""

        def run(*args: object) -> None:
            move(*args)
            self.watch.settle()

        return run

    # --- public state -----------------------------------------------------------------------
    def view(self) -> str:
        return self._view

    def display_zone(self) -> DisplayZone:
        return self._zone

    def anchor(self) -> date:
        return self._anchor

    def visible_days(self) -> list[date]:
        return days_shown(self._view, self._anchor)

    def title(self) -> str:
        days = self.visible_days()
        if self._view == MONTH:
            return month_title(self._anchor)
        return range_title(days[0], days[-1])

    def shown_sessions(self) -> list[SessionRecord]:
        """The sessions of the period as last read (after the filters)."""
        return list(self._found.sessions) if self._found else []

    def current_filter(self) -> CalendarFilter:
        return self._filter

    # --- navigation -------------------------------------------------------------------------
    def set_view(self, view: str) -> None:
        if view not in VIEWS:
            raise ValueError(view)
        self._view = view
        self.reload()
        self._focus_view()

    def go_to(self, day: date) -> None:
        self._anchor = day
        self.reload()

    def go_today(self) -> None:
        self.go_to(self._zone.today(self._now()))

    def show_day(self, day: date) -> None:
        self._anchor = day
        self.set_view(DAY)

    def step(self, periods: int) -> None:
        """Move by whole periods of the current view (PgUp/PgDn, ◀ ▶)."""
        self.go_to(stepped(self._view, self._anchor, periods))

    def reveal(self, day: date, session_id: int | None = None) -> None:
        """Show `day` (in the week view unless a day view is open), the session selected."""
        if self.view() not in (DAY, WEEK):
            self.set_view(WEEK)
        self.go_to(day)
        if session_id is not None:
            self.grid.select(session_id)
        self._focus_view()

    def _focus_view(self) -> None:
        widget = {DAY: self.grid, WEEK: self.grid, MONTH: self.month_grid, AGENDA: self.agenda}
        self.setFocusProxy(widget[self._view])

    # --- keys -------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._frame and event.type() == QEvent.Type.Resize:
            self.notice.place(NOTICE_WIDTH)
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and self._navigation_key(event)
        ):
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._navigation_key(event):
            super().keyPressEvent(event)

    def _navigation_key(self, event: QKeyEvent) -> bool:
        """Left/Right and PgUp/PgDn move through time, T goes to today, D/W/M/A switch views;
        in the day and week views Up/Down select a session, Enter opens it, Delete cancels
        it and Alt with the arrows moves it (a step of the grid, or a day)."""
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        key = event.key()
        if self.view() in (DAY, WEEK) and self._session_key(Qt.Key(key), modifiers):
            return True
        if modifiers != Qt.KeyboardModifier.NoModifier:
            return False
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self.step(-1 if key == Qt.Key.Key_Left else 1)
        elif key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            self.step(-1 if key == Qt.Key.Key_PageUp else 1)
        elif key == Qt.Key.Key_T:
            self.go_today()
        elif key in VIEW_KEYS:
            self.set_view(VIEW_KEYS[Qt.Key(key)])
        else:
            return False
        return True

    def _session_key(self, key: Qt.Key, modifiers: Qt.KeyboardModifier) -> bool:
        grid = self.grid
        plain = modifiers == Qt.KeyboardModifier.NoModifier
        if plain and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            grid.select_next(-1 if key == Qt.Key.Key_Up else 1)
            return True
        selected = grid.selected
        if selected is None:
            return False
        if plain and key == Qt.Key.Key_Escape:
            grid.select(None)
        elif plain and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_session(selected.id)
        elif plain and key == Qt.Key.Key_Delete:
            self.cancel_session(selected)
        elif modifiers == Qt.KeyboardModifier.AltModifier and key in KEY_MOVES:
            days, minutes = KEY_MOVES[key]
            self.nudge(selected, days, minutes * self._step)
        else:
            return False
        return True

    def nudge(self, session: SessionRecord, days: int, minutes: int) -> bool:
        """Move by whole days or grid steps, keeping the length; checked like a drag."""
        if session.all_day or session.status != SessionStatus.PLANNED:
            return False
        moved = self.moves.nudge(session, days, minutes)
        self.watch.settle()
        self.grid.select(session.id)
        return moved

    # --- reading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the customers (names, zones, filters) and the period."""
        self.forget_ranges()
        try:
            self._customers = self._context.customers.list()
        except AmplanError as exc:
            self.notice.show_message("error", f"Could not read the book: {exc}")
            return
        self._fill_zones()
        self.filter_bar.fill_customers(self._customers, self._owner_choices())
        self._filters_changed()

    def reload(self) -> None:
        """Re-read the period and draw it (what navigation and every change call)."""
        days = self.visible_days()
        self.title_label.setText(self.title())
        self.view_buttons[self._view].setChecked(True)
        word = PERIOD_WORDS[self._view]
        self.previous_button.setToolTip(f"Previous {word} (PgUp)")
        self.next_button.setToolTip(f"Next {word} (PgDn)")
        try:
            found = self.ranges.read(self._view, self._anchor, self._filter, self._customers)
        except AmplanError as exc:
            self.notice.show_message("error", f"Could not read the calendar: {exc}")
            return
        self._found = found
        if self._view in (DAY, WEEK):
            self._draw_time_view(found, days)
        else:
            self._draw_day_lists(found, days)
        self._focus_view()

    def _draw_time_view(self, found: CalendarRange, days: list[date]) -> None:
        zone_now = self._zone.wall(self._now())
        layout = lay_out(found, days, self._zone, self._clock)
        self.time_view.set_content(
            layout, self._zone, zone_now.date(), zone_now, self._hint(), self._view == DAY
        )
        self.stack.setCurrentWidget(self.time_view)
        self._count(layout.sessions)
        if self._scroll_pending:
            self._scroll_to_work(layout.days)

    def _draw_day_lists(self, found: CalendarRange, days: list[date]) -> None:
        today = self._zone.today(self._now())
        infos = list(day_infos(found, days, self._zone, self._clock))
        entries = day_entries(found, days, self._zone, self._clock)
        in_view = {
            e.item.id
            for listed in entries.values()
            for e in listed
            if isinstance(e.item, SessionRecord)
        }
        self._count([s for s in found.sessions if s.id in in_view])
        if self._view == MONTH:
            self.month_grid.set_content(
                self._anchor.month, infos, entries, self._zone, today, self._hint()
            )
            self.stack.setCurrentWidget(self.month_grid)
        else:
            self.agenda.set_entries(infos, entries, self._zone, today, self._hint())
            self.stack.setCurrentWidget(self.agenda)

    def reading_ahead(self) -> bool:
        """True while neighbouring periods are still being read ahead in idle moments."""
        return self.ranges.reading_ahead()

    def forget_ranges(self) -> None:
        """Drop what was read: the book changed (or may have, while the page was hidden)."""
        self.ranges.forget()

    def _hint(self) -> str:
        return empty_hint(self._view, is_filtered(self._filter))

    def _count(self, sessions: list[SessionRecord] | tuple[SessionRecord, ...]) -> None:
        count = len(sessions)
        self.summary_label.setText(f"{count} session" + ("" if count == 1 else "s"))

    def _scroll_to_work(self, days: tuple[DayInfo, ...]) -> None:
        """07:00-19:00 when the working day fits in it; otherwise from an hour before it."""
        self.time_view.scroll_to(working_top(days, FIRST_VISIBLE_HOUR, VISIBLE_HOURS))
        self._scroll_pending = False

    def _sessions_changed(self) -> None:
        """The book changed (the cache is already forgotten): redraw once, or when shown."""
        if self.isVisible():
            self.reload()
        else:
            self._stale = True  # a hidden page reads again when it is shown

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        changed = self.watch.take_pending()
        if self._shown_once or self._stale or changed:
            self._stale = False
            # Other pages may have changed the book meanwhile, not all through the undo stack.
            self.forget_ranges()
            self.reload()
        self._shown_once = True

    def _tick(self) -> None:
        if self.isVisible() and self._view in (DAY, WEEK):
            self.grid.set_now(self._zone.wall(self._now()))

    def _repaint_views(self) -> None:
        for view in (self.grid, self.header, self.month_grid):
            view.update()

    # --- opening and booking ---------------------------------------------------------------
    def open_session(self, session_id: int) -> None:
        """Edit a planned session; one that is done, a no-show or cancelled only shows."""
        self.booking.open(session_id, self._zone)

    def new_session_at(self, day: date, clock_time: time | None = None) -> SessionEditor | None:
        """The editor for a new session starting at `clock_time` of `day` (display zone)."""
        if not self._customers:
            messages.show_info(
                self, "New session", "Add a customer first: sessions are booked for customers."
            )
            return None
        try:
            start_utc = self._zone.instant(day, clock_time or time(10))
        except AmplanError as exc:
            self.notice.show_message("error", str(exc))
            return None
        kinds = list(self._filter.kinds)
        kind = kinds[0] if len(kinds) == 1 else None  # the only kind the filter shows
        return self.booking.new_session(
            preferred_customer(self.customer_combo.currentData(), self._zone.key, self._customers),
            kind,
            start_utc,
        )

    def cancel_session(self, session: SessionRecord) -> None:
        self.booking.cancel(session, self._zone)

    # --- printing -------------------------------------------------------------------------
    def print_range(self) -> PrintRange:
        """What is on screen, as a range to print: the month view prints as a grid."""
        return print_range(self._view, self._anchor, self._zone)

    def print_calendar(self) -> None:
        """Preview what is on screen as paper, with Print, Save as PDF and Save as HTML."""
        chosen = self.print_range()
        context = self._context
        try:
            sessions = self.shown_sessions()  # with the page's filters, as on screen
            first_utc, end_utc = context.clock.day_bounds_utc(
                chosen.first, chosen.last + timedelta(days=1)
            )
            busy = context.scheduler.busy_blocks(first_utc, end_utc)
        except AmplanError as exc:
            messages.show_error(self, "Print calendar", str(exc))
            return
        labels = {name: kind.label for name, kind in context.policy.kinds.items()}
        document = calendar_printable(
            sessions, busy, chosen, labels, self._now().date(), context.policy.vendor
        )
        stem = f"calendar {chosen.first.isoformat()} to {chosen.last.isoformat()}"
        DocumentPreview([document], default_paper(), stem, self).exec()

    # --- zones and filters -------------------------------------------------------------------
    def _fill_zones(self) -> None:
        self._zones = display_zones(self._et_zone, system_zone_name(), self._customers)
        key = self.filter_bar.fill_zones(self._zones, self._zone.key)
        self._zone = self._zones.get(key, self._et_zone)
        self.moves.zone = self._zone

    def set_zone(self, key: str) -> None:
        """Show the calendar in ET ('et'), this computer's zone ('local') or a customer's
        ('customer:<id>')."""
        self.filter_bar.set_zone(key)

    def _zone_chosen(self, key: str) -> None:
        if key not in self._zones:
            return
        self._zone = self._zones[key]
        self.moves.zone = self._zone
        self._scroll_pending = True
        self.reload()

    def _owner_choices(self) -> list[tuple[str, str]]:
        """A team's book: my customers, or one colleague's."""
        book = self._context.customers
        return owner_choices(self._customers, lambda: my_email(book), self._context.db.is_server)

    def set_customer_filter(self, customer_id: int | None) -> None:
        self.customer_combo.setCurrentIndex(max(0, self.customer_combo.findData(customer_id)))

    def set_kind_filter(self, kinds: list[str]) -> None:
        self.filter_bar.set_checked(self.kind_actions, kinds)

    def set_package_filter(self, packages: list[str]) -> None:
        self.filter_bar.set_checked(self.package_actions, packages)

    def _filters_changed(self) -> None:
        self._filter = self.filter_bar.current(self._customers)
        self.reload()
