"""The Calendar page: day, week and month views and an agenda, in ET, this computer's zone or
a customer's; filters; booking by double-click; moving by drag, checked against the contract.

The page reads through `calendar_range` (a service) and changes sessions only through
`SessionActions`, so every move is undoable and every page hears about it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QDate, QEvent, QObject, QSize, Qt, QTime, QTimer, QTimeZone, Signal
from PySide6.QtGui import QAction, QColor, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFrame,
    QGraphicsDropShadowEffect,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.resources import resource_path
from desktop.services.business_time import add_months, to_utc, zone
from desktop.services.calendar_files.calendar_view import (
    CalendarFilter,
    CalendarRange,
    calendar_range,
)
from desktop.services.customers import CustomerRecord
from desktop.services.display.calendar_text import CalendarTexts, month_title, range_title
from desktop.services.display.layout import (
    DisplayZone,
    day_entries,
    day_infos,
    fetch_span,
    lay_out,
)
from desktop.services.display.session_format import city, system_now
from desktop.services.reports.calendar_print import PrintRange, calendar_printable
from desktop.services.scheduling.rules import Violation
from desktop.services.scheduling.sessions import RuleRefusal, SessionRecord, SessionTimes
from desktop.services.scheduling.status import SessionStatus
from desktop.views.calendar.calendar_agenda import AgendaList
from desktop.views.calendar.calendar_grid import FIRST_VISIBLE_HOUR, VISIBLE_HOURS, TimeGridView
from desktop.views.calendar.calendar_month import MonthGrid
from desktop.views.calendar.calendar_style import kind_swatch
from desktop.views.reports.printing import DocumentPreview, default_paper
from desktop.views.sessions.session_editor import SessionEditor
from desktop.views.shell.undo import SessionActions
from desktop.views.widgets import messages
from desktop.views.widgets.elided_label import ElidedLabel
from desktop.views.widgets.flow_layout import FlowLayout
from desktop.views.widgets.icons import search_box

DAY, WEEK, MONTH, AGENDA = "day", "week", "month", "agenda"
VIEWS = (DAY, WEEK, MONTH, AGENDA)
VIEW_LABELS = {DAY: "Day", WEEK: "Week", MONTH: "Month", AGENDA: "Agenda"}
VIEW_KEYS = {Qt.Key.Key_D: DAY, Qt.Key.Key_W: WEEK, Qt.Key.Key_M: MONTH, Qt.Key.Key_A: AGENDA}
AGENDA_DAYS = 14
MONTH_DAYS = 42
SEARCH_DELAY_MS = 250
NOTICE_MS = 10_000
NOTICE_WIDTH = 760
CACHED_RANGES = 8
PREFETCH_DELAY_MS = 40
ET_KEY, LOCAL_KEY = "et", "local"
MINIMUM_SIZE = QSize(720, 480)
PERIOD_WORDS = {DAY: "day", WEEK: "week", MONTH: "month", AGENDA: "fortnight"}

STYLE = """
QFrame#calendarFrame {
    border: 1px solid palette(mid);
    border-radius: 8px;
    background: palette(base);
}
QPushButton#segment {
    border-radius: 0;
    padding: 5px 14px;
    min-width: 46px;
}
QPushButton#segment[edge="first"] {
    border-top-left-radius: 6px;
    border-bottom-left-radius: 6px;
}
QPushButton#segment[edge="last"] {
    border-top-right-radius: 6px;
    border-bottom-right-radius: 6px;
}
QPushButton#segment[edge="middle"], QPushButton#segment[edge="last"] {
    border-left: none;
}
QPushButton#segment:checked {
    background: #2563eb;
    border-color: #2563eb;
    color: #ffffff;
}
QPushButton#navArrow {
    padding: 5px 10px;
    min-width: 14px;
}
QToolButton#filterButton {
    padding: 5px 10px;
    border: 1px solid palette(mid);
    border-radius: 6px;
    background: palette(base);
    color: palette(text);
}
QToolButton#filterButton[active="true"] {
    border-color: #2563eb;
    font-weight: 600;
}
QToolButton#filterButton::menu-indicator {
    image: url(@icons/chevron-down.svg);
    subcontrol-position: right center;
    width: 10px;
    height: 10px;
    right: 6px;
}
QToolButton#filterButton {
    padding-right: 22px;
}
QLabel#fieldCaption, QLabel#rangeSummary {
    color: palette(placeholder-text);
}
QFrame#calendarNotice {
    border-radius: 6px;
}
QFrame#calendarNotice[kind="error"] {
    background: #fdecea;
    border: 1px solid #f5c2c0;
}
QFrame#calendarNotice[kind="error"] QLabel {
    color: #8a1c1c;
}
QFrame#calendarNotice[kind="info"] {
    background: palette(base);
    border: 1px solid palette(mid);
    border-left: 4px solid #2563eb;
}
QFrame#calendarNotice QPushButton {
    padding: 3px 10px;
}
QTreeWidget#agendaList {
    border: none;
    background: palette(base);
    outline: 0;
}
QTreeWidget#agendaList::item {
    padding: 4px 4px;
    border: none;
}
QTreeWidget#agendaList::item:selected {
    background: #2563eb;
    color: #ffffff;
}
QToolButton#noticeClose {
    border: none;
    padding: 2px 6px;
    font-size: 12pt;
    background: transparent;
}
"""


def _captioned(caption: QLabel, field: QWidget) -> QWidget:
    """A caption and its field as one piece, so that a wrapping bar never parts them."""
    pair = QWidget()
    row = QHBoxLayout(pair)
    row.setContentsMargins(0, 0, 8, 0)
    row.setSpacing(6)
    row.addWidget(caption)
    row.addWidget(field)
    return pair


# Alt+arrow: (days, grid steps) to move the selected session by.
KEY_MOVES = {
    Qt.Key.Key_Up: (0, -1),
    Qt.Key.Key_Down: (0, 1),
    Qt.Key.Key_Left: (-1, 0),
    Qt.Key.Key_Right: (1, 0),
}


def system_zone_name() -> str:
    """This computer's IANA zone (Qt knows it on every platform), or UTC if Qt cannot say."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode(errors="ignore")
    try:
        zone(name)
    except AmplanError:
        return "UTC"
    return name


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def days_shown(view: str, anchor: date) -> list[date]:
    """The display-zone days a view shows around `anchor` (weeks start on Monday)."""
    if view == DAY:
        return [anchor]
    if view == WEEK:
        first = _week_start(anchor)
        return [first + timedelta(days=n) for n in range(7)]
    if view == MONTH:
        first = _week_start(anchor.replace(day=1))
        return [first + timedelta(days=n) for n in range(MONTH_DAYS)]
    first = _week_start(anchor)
    return [first + timedelta(days=n) for n in range(AGENDA_DAYS)]


def stepped(view: str, anchor: date, periods: int) -> date:
    """`anchor` moved by whole periods of `view`."""
    if view == MONTH:
        return add_months(anchor, periods)
    if view == WEEK:
        return anchor + timedelta(weeks=periods)
    if view == AGENDA:
        return anchor + timedelta(days=AGENDA_DAYS * periods)
    return anchor + timedelta(days=periods)


class CalendarNotice(QFrame):
    """A note floating over the calendar: why a drop was refused (red), or what a drop did
    (neutral) with the way back. Closes with its ×, or by itself after a while when it is news."""

    shown = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendarNotice")
        self.label = QLabel()
        self.label.setObjectName("noticeText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QPushButton()
        self.action_button.setObjectName("noticeAction")
        self.close_button = QToolButton()
        self.close_button.setObjectName("noticeClose")
        self.close_button.setText("×")
        self.close_button.setToolTip("Dismiss")
        self.close_button.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 6, 8)
        row.setSpacing(10)
        row.addWidget(self.label, 1)
        row.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self._action: Callable[[], None] | None = None
        self.action_button.clicked.connect(self._run_action)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        shadow = QGraphicsDropShadowEffect(self)
        shadow.setBlurRadius(22)
        shadow.setOffset(0, 4)
        shadow.setColor(QColor(0, 0, 0, 70))
        self.setGraphicsEffect(shadow)
        self.hide()

    def show_message(
        self,
        kind: str,
        text: str,
        action_text: str = "",
        action: Callable[[], None] | None = None,
    ) -> None:
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        for child in (self.label, self.action_button, self.close_button):
            child.style().unpolish(child)
            child.style().polish(child)
        self.label.setText(text)
        self._action = action
        self.action_button.setText(action_text)
        self.action_button.setVisible(bool(action_text and action))
        self.show()
        self.shown.emit()
        if kind == "info":
            self._timer.start(NOTICE_MS)
        else:
            self._timer.stop()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""

    def _run_action(self) -> None:
        action = self._action
        self.hide()
        if action is not None:
            action()


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
        # What the service said for recent periods, so going back and forth (and the
        # neighbours read ahead while the user looks) redraws without asking again.
        self._ranges: OrderedDict[tuple[date, int, CalendarFilter], CalendarRange] = OrderedDict()
        self._shown_once = False
        self._stale = False  # the book changed while the page was hidden
        self._scroll_pending = True
        self._last_refusal: tuple[int, SessionTimes] | None = None

        self._build()
        self._apply_style()
        # An explicit minimum: otherwise every new title or all-day row changes the layout's
        # minimum, which a top-level page would pass to the platform window (a Qt warning
        # offscreen; see the WORKAROUND in CustomerDialog.__init__).
        self.setMinimumSize(MINIMUM_SIZE)
        actions.sessions_changed.connect(self._sessions_changed)
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(60_000)
        self._clock_timer.timeout.connect(self._tick)
        self._clock_timer.start()
        self._prefetch_timer = QTimer(self)
        self._prefetch_timer.setSingleShot(True)
        self._prefetch_timer.setInterval(PREFETCH_DELAY_MS)
        self._prefetch_timer.timeout.connect(self._prefetch)
        self.refresh()

    # --- building -------------------------------------------------------------------------
    def _build(self) -> None:
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

        # Filters and the display zone.
        self.zone_combo = QComboBox()
        self.zone_combo.setObjectName("zoneCombo")
        self.zone_combo.setMaxVisibleItems(20)
        self.zone_combo.setToolTip("The clock the calendar is drawn in")
        self.zone_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.zone_combo.setMinimumContentsLength(20)
        self.zone_combo.currentIndexChanged.connect(self._zone_chosen)
        self.customer_combo = QComboBox()
        self.customer_combo.setObjectName("customerFilter")
        self.customer_combo.setMaxVisibleItems(20)
        self.customer_combo.setMinimumContentsLength(16)
        self.customer_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.customer_combo.currentIndexChanged.connect(self._filters_changed)

        policy = self._context.policy
        self.kind_button, self.kind_actions = self._filter_button(
            "kinds", {name: kind.label for name, kind in policy.kinds.items()}, swatches=True
        )
        self.package_button, self.package_actions = self._filter_button(
            "packages", {name: package.label for name, package in policy.packages.items()}
        )
        self.cancelled_check = QCheckBox("Cancelled")
        self.cancelled_check.setToolTip("Also show cancelled sessions (struck through)")
        self.cancelled_check.toggled.connect(self._filters_changed)
        self.search = search_box("Search sessions", 150)
        self.search.setToolTip("Matches customer names, titles, notes and kinds")
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._filters_changed)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())

        zone_caption = QLabel("Times in")
        zone_caption.setObjectName("fieldCaption")
        filter_caption = QLabel("Show")
        filter_caption.setObjectName("fieldCaption")
        # The filters wrap onto a second line in a narrow window rather than squeeze.
        self.filter_bar = QWidget()
        self.filter_bar.setObjectName("calendarFilterBar")
        filters = FlowLayout(self.filter_bar, spacing=6, line_spacing=8)
        filters.stretch_last = True
        filters.addWidget(_captioned(zone_caption, self.zone_combo))
        filters.addWidget(_captioned(filter_caption, self.customer_combo))
        filters.addWidget(self.kind_button)
        filters.addWidget(self.package_button)
        filters.addWidget(self.cancelled_check)
        self.search.setMinimumWidth(200)
        self.search.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        filters.addWidget(self.search)

        texts = self._texts
        self.time_view = TimeGridView(texts, self._step)
        self.grid = self.time_view.grid
        self.header = self.time_view.header
        self.month_grid = MonthGrid(texts)
        self.agenda = AgendaList(texts)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.time_view)
        self.stack.addWidget(self.month_grid)
        self.stack.addWidget(self.agenda)
        frame = QFrame()
        frame.setObjectName("calendarFrame")
        inside = QVBoxLayout(frame)
        inside.setContentsMargins(1, 1, 1, 1)
        inside.addWidget(self.stack)
        # The notice floats over the calendar's foot: showing it must not shrink the grid
        # (the hours would rescale under the user's pointer right after a drop).
        self._frame = frame
        self.notice = CalendarNotice(frame)
        self.notice.shown.connect(self._place_notice)
        frame.installEventFilter(self)

        column = QVBoxLayout(self)
        column.setContentsMargins(16, 14, 16, 12)
        column.setSpacing(10)
        column.addLayout(top)
        column.addWidget(self.filter_bar)
        column.addWidget(frame, 1)

        self.grid.session_clicked.connect(self.open_session)
        self.header.session_clicked.connect(self.open_session)
        self.month_grid.session_clicked.connect(self.open_session)
        self.agenda.session_activated.connect(self.open_session)
        self.grid.slot_double_clicked.connect(self.new_session_at)
        self.month_grid.day_double_clicked.connect(self._month_double_clicked)
        self.month_grid.day_requested.connect(self.show_day)
        self.grid.session_dropped.connect(self._dropped_on_grid)
        self.grid.session_resized.connect(self._resized_on_grid)
        self.header.bar_dropped.connect(self._moved_by_days)
        self.month_grid.session_moved_days.connect(self._moved_by_days)

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

    def _filter_button(
        self, noun: str, choices: dict[str, str], swatches: bool = False
    ) -> tuple[QToolButton, dict[str, QAction]]:
        button = QToolButton()
        button.setObjectName("filterButton")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        menu = QMenu(button)
        menu.setObjectName(f"{noun}Menu")
        chosen: dict[str, QAction] = {}
        show_all = menu.addAction(f"All {noun}")
        menu.addSeparator()
        for name, label in choices.items():
            action = menu.addAction(label)
            action.setCheckable(True)
            action.setData(name)
            if swatches:
                action.setIcon(kind_swatch(name, self.palette(), 14))
            action.toggled.connect(self._filters_changed)
            chosen[name] = action

        def clear() -> None:
            for action in chosen.values():
                action.blockSignals(True)
                action.setChecked(False)
                action.blockSignals(False)
            self._filters_changed()

        show_all.triggered.connect(clear)
        button.setMenu(menu)
        button.setProperty("noun", noun)
        return button, chosen

    def _apply_style(self) -> None:
        icons = resource_path("icons").as_posix()
        self.setStyleSheet(STYLE.replace("url(@icons/", f"url({icons}/"))

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

    def _focus_view(self) -> None:
        widget = {DAY: self.grid, WEEK: self.grid, MONTH: self.month_grid, AGENDA: self.agenda}
        self.setFocusProxy(widget[self._view])

    def _place_notice(self) -> None:
        frame = self._frame
        width = min(frame.width() - 32, NOTICE_WIDTH)
        height = self.notice.heightForWidth(width)
        if height <= 0:
            height = self.notice.sizeHint().height()
        self.notice.setGeometry(
            (frame.width() - width) // 2, frame.height() - height - 18, width, height
        )
        self.notice.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._frame and event.type() == QEvent.Type.Resize:
            self._place_notice()
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
        if self.view() in ("day", "week") and self._session_key(Qt.Key(key), modifiers):
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
        shift = timedelta(days=days, minutes=minutes)
        wall = self._zone.wall(session.start_utc) + shift
        try:
            start_utc = self._zone.instant(wall.date(), wall.time())
        except AmplanError as exc:
            self.notice.show_message("error", f"Not moved: {exc}")
            return False
        length = session.end_utc - session.start_utc
        moved = self.move_session(session, SessionTimes(start_utc, start_utc + length, False))
        self.grid.select(session.id)
        return moved

    def reveal(self, day: date, session_id: int | None = None) -> None:
        """Show `day` (in the week view unless a day view is open), the session selected."""
        if self.view() not in ("day", "week"):
            self.set_view("week")
        self.go_to(day)
        if session_id is not None:
            self.grid.select(session_id)
        self._focus_view()

    def print_range(self) -> PrintRange:
        """What is on screen, as a range to print: the month view prints as a grid."""
        days = self.visible_days()
        zone = self._zone
        if self.view() == "month":
            first = self.anchor().replace(day=1)
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            return PrintRange(first, last, zone.tz.zone or "UTC", zone.label, month_grid=True)
        return PrintRange(days[0], days[-1], zone.tz.zone or "UTC", zone.label)

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

    def cancel_session(self, session: SessionRecord) -> None:
        if session.status != SessionStatus.PLANNED:
            return
        what = f"{self._texts.who(session)} {self._texts.kind(session.kind).lower()}"
        question = (
            f"Cancel {what} on {self._texts.when(session, self._zone)}? "
            "A cancelled session no longer counts against the contract."
        )
        if not messages.ask(self, "Cancel session", question, "Yes, cancel it"):
            return
        try:
            self._actions.set_status(session.id, SessionStatus.CANCELLED, now=self._now())
        except AmplanError as exc:
            self.notice.show_message("error", f"Not cancelled: {exc}")
            return
        self.notice.show_message("info", f"Cancelled {what}.", "Undo", self._actions.stack.undo)

    # --- zones and filters -------------------------------------------------------------------
    def _fill_zones(self) -> None:
        current = self.zone_combo.currentData() or self._zone.key
        self._zones = {ET_KEY: self._et_zone}
        local_name = system_zone_name()
        self._zones[LOCAL_KEY] = DisplayZone(
            LOCAL_KEY,
            local_name,
            f"This computer ({city(local_name)})",
            city(local_name),
            zone(local_name),
        )
        for record in sorted(self._customers, key=lambda c: c.name.casefold()):
            try:
                tz = zone(record.tz)
            except AmplanError:
                continue
            key = f"customer:{record.id}"
            self._zones[key] = DisplayZone(
                key, record.tz, f"{record.name} ({city(record.tz)})", city(record.tz), tz
            )
        self.zone_combo.blockSignals(True)
        self.zone_combo.clear()
        for key, display in self._zones.items():
            self.zone_combo.addItem(display.label, key)
            if key == LOCAL_KEY and len(self._zones) > 2:
                self.zone_combo.insertSeparator(self.zone_combo.count())
        index = self.zone_combo.findData(current)
        self.zone_combo.setCurrentIndex(max(0, index))
        self.zone_combo.blockSignals(False)
        self._zone = self._zones.get(self.zone_combo.currentData(), self._et_zone)

    def set_zone(self, key: str) -> None:
        """Show the calendar in ET ('et'), this computer's zone ('local') or a customer's
        ('customer:<id>')."""
        index = self.zone_combo.findData(key)
        if index < 0:
            raise ValueError(f"no display zone {key!r}")
        self.zone_combo.setCurrentIndex(index)

    def _zone_chosen(self) -> None:
        key = self.zone_combo.currentData()
        if not isinstance(key, str) or key not in self._zones:
            return
        self._zone = self._zones[key]
        self._scroll_pending = True
        self.reload()

    def _fill_customers(self) -> None:
        current = self.customer_combo.currentData()
        self.customer_combo.blockSignals(True)
        self.customer_combo.clear()
        self.customer_combo.addItem("All customers", None)
        for label, key in self._owner_choices():
            self.customer_combo.addItem(label, key)
        for record in sorted(self._customers, key=lambda c: c.name.casefold()):
            self.customer_combo.addItem(record.name, record.id)
        index = self.customer_combo.findData(current) if current is not None else 0
        self.customer_combo.setCurrentIndex(max(0, index))
        self.customer_combo.blockSignals(False)

    def _owner_choices(self) -> list[tuple[str, str]]:
        """A team's book: my customers, or one colleague's (keys "owner:EMAIL")."""
        owners = {c.owner.strip().lower() for c in self._customers if c.owner.strip()}
        if len(owners) < 2 and not self._context.db.is_server:
            return []
        try:
            mine = self._context.customers.manager_email().strip().lower()
        except AmplanError:
            mine = ""
        choices = [("My customers", f"owner:{mine}")] if mine else []
        return choices + [
            (f"Customers of {owner}", f"owner:{owner}") for owner in sorted(owners - {mine})
        ]

    def set_customer_filter(self, customer_id: int | None) -> None:
        self.customer_combo.setCurrentIndex(max(0, self.customer_combo.findData(customer_id)))

    def set_kind_filter(self, kinds: list[str]) -> None:
        self._set_checked(self.kind_actions, kinds)

    def set_package_filter(self, packages: list[str]) -> None:
        self._set_checked(self.package_actions, packages)

    def _set_checked(self, actions: dict[str, QAction], names: list[str]) -> None:
        for name, action in actions.items():
            action.blockSignals(True)
            action.setChecked(name in names)
            action.blockSignals(False)
        self._filters_changed()

    def current_filter(self) -> CalendarFilter:
        return self._filter

    def _filters_changed(self) -> None:
        self._search_timer.stop()
        customer = self.customer_combo.currentData()
        kinds = tuple(n for n, a in self.kind_actions.items() if a.isChecked())
        packages = tuple(n for n, a in self.package_actions.items() if a.isChecked())
        chosen: tuple[int, ...] = (customer,) if isinstance(customer, int) else ()
        if isinstance(customer, str) and customer.startswith("owner:"):
            owner = customer.removeprefix("owner:")
            owned = (c.id for c in self._customers if c.owner.strip().lower() == owner)
            chosen = tuple(owned) or (-1,)  # nobody's sessions, rather than everyone's
        self._filter = CalendarFilter(
            customer_ids=chosen,
            kinds=kinds,
            packages=packages,
            text=self.search.text().strip(),
            include_cancelled=self.cancelled_check.isChecked(),
        )
        self._label_filter(self.kind_button, self.kind_actions, "kinds")
        self._label_filter(self.package_button, self.package_actions, "packages")
        self.reload()

    @staticmethod
    def _label_filter(button: QToolButton, actions: dict[str, QAction], noun: str) -> None:
        chosen = [a.text() for a in actions.values() if a.isChecked()]
        if not chosen:
            text = f"All {noun}"
        elif len(chosen) == 1:
            text = chosen[0]
        else:
            text = f"{len(chosen)} {noun}"
        button.setText(text)
        button.setToolTip(", ".join(chosen) if chosen else f"Showing all {noun}")
        button.setProperty("active", bool(chosen))
        button.style().unpolish(button)
        button.style().polish(button)

    def _filtered(self) -> bool:
        f = self._filter
        return bool(f.customer_ids or f.kinds or f.packages or f.text)

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
        self._fill_customers()
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
            found = self._read(days)
        except AmplanError as exc:
            self.notice.show_message("error", f"Could not read the calendar: {exc}")
            return
        self._found = found
        zone_now = self._zone.wall(self._now())
        today = zone_now.date()
        if self._view in (DAY, WEEK):
            layout = lay_out(found, days, self._zone, self._clock)
            self.time_view.set_content(
                layout, self._zone, today, zone_now, self._hint(), self._view == DAY
            )
            self.stack.setCurrentWidget(self.time_view)
            self._count(layout.sessions)
            if self._scroll_pending:
                self._scroll_to_work(layout.days)
        else:
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
        self._focus_view()

    def _read(self, days: list[date]) -> CalendarRange:
        first, count = fetch_span(days)
        key = (first, count, self._filter)
        found = self._ranges.get(key)
        if found is None:
            found = calendar_range(
                self._context.scheduler, first, count, self._customers, self._filter
            )
            self._ranges[key] = found
            while len(self._ranges) > CACHED_RANGES:
                self._ranges.popitem(last=False)
        else:
            self._ranges.move_to_end(key)
        self._prefetch_timer.start()
        return found

    def reading_ahead(self) -> bool:
        """True while neighbouring periods are still being read ahead in idle moments."""
        return self._prefetch_timer.isActive()

    def forget_ranges(self) -> None:
        """Drop what was read: the book changed (or may have, while the page was hidden)."""
        self._ranges.clear()

    def _prefetch(self) -> None:
        """Read the next, then the previous period ahead, one per idle moment."""
        for periods in (1, -1):
            days = days_shown(self._view, stepped(self._view, self._anchor, periods))
            first, count = fetch_span(days)
            if (first, count, self._filter) in self._ranges:
                continue
            try:
                found = calendar_range(
                    self._context.scheduler, first, count, self._customers, self._filter
                )
            except AmplanError:
                return  # reading ahead is a nicety; the real read will say what is wrong
            self._ranges[(first, count, self._filter)] = found
            while len(self._ranges) > CACHED_RANGES:
                self._ranges.popitem(last=False)
            self._prefetch_timer.start()
            return

    def _hint(self) -> str:
        period = {
            DAY: "this day",
            WEEK: "this week",
            MONTH: "this month",
            AGENDA: "these two weeks",
        }
        if self._filtered():
            return f"No sessions match the filters {period[self._view]}."
        if self._view == AGENDA:
            return "Nothing planned in these two weeks."
        where = "day" if self._view == MONTH else "slot"
        return f"Nothing planned {period[self._view]} · double-click a {where} to book a session"

    def _count(self, sessions: list[SessionRecord] | tuple[SessionRecord, ...]) -> None:
        count = len(sessions)
        self.summary_label.setText(f"{count} session" + ("" if count == 1 else "s"))

    def _scroll_to_work(self, days: tuple) -> None:  # type: ignore[type-arg]
        """07:00-19:00 when the working day fits in it; otherwise from an hour before it."""
        starts = [work[0][0] for work in (d.work for d in days) if work]
        ends = [work[-1][1] for work in (d.work for d in days) if work]
        top = FIRST_VISIBLE_HOUR * 60
        if starts and ends:
            first, last = min(starts), max(ends)
            if first < top or last > top + VISIBLE_HOURS * 60:
                top = max(0, min(first - 60, (24 - VISIBLE_HOURS) * 60))
        self.time_view.scroll_to(top)
        self._scroll_pending = False

    def _sessions_changed(self) -> None:
        self.forget_ranges()
        if self.isVisible():
            self.reload()
        else:
            self._stale = True  # a hidden page reads again when it is shown

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._shown_once or self._stale:
            self._stale = False
            # Other pages may have changed the book meanwhile, not all through the undo stack.
            self.forget_ranges()
            self.reload()
        self._shown_once = True

    def _tick(self) -> None:
        if self.isVisible() and self._view in (DAY, WEEK):
            self.grid.set_now(self._zone.wall(self._now()))

    # --- opening and booking ---------------------------------------------------------------
    def open_session(self, session_id: int) -> None:
        """Edit a planned session; one that is done, a no-show or cancelled only shows."""
        try:
            session = self._context.scheduler.get(session_id)
        except AmplanError as exc:
            messages.show_error(self, "Session not found", str(exc))
            return
        if session.status != SessionStatus.PLANNED:
            messages.show_info(self, "Session", self._texts.details(session, self._zone))
            return
        self._open_editor(self._editor(None, session))

    def _preferred_customer(self) -> CustomerRecord | None:
        """The customer a new session starts with: the one filtered on, else the one whose
        clock the calendar shows."""
        wanted = self.customer_combo.currentData()
        if not isinstance(wanted, int) and self._zone.key.startswith("customer:"):
            wanted = int(self._zone.key.split(":", 1)[1])
        return next((c for c in self._customers if c.id == wanted), None)

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
        editor = self._editor(self._preferred_customer(), None, self._single_kind())
        start_et = self._clock.et(start_utc)
        editor.date_edit.setDate(QDate(start_et.year, start_et.month, start_et.day))
        editor.time_edit.setTime(QTime(start_et.hour, start_et.minute))
        self._open_editor(editor)
        return editor

    def _editor(
        self,
        customer: CustomerRecord | None,
        session: SessionRecord | None,
        kind: str | None = None,
    ) -> SessionEditor:
        """The session editor, saving through this page's undo stack."""
        return SessionEditor(
            self._context,
            customer,
            session,
            self._now,
            self.window(),
            actions=self._actions,
            kind=kind,
        )

    def _single_kind(self) -> str | None:
        """The kind a new session starts as: the only one the kind filter shows, if so."""
        kinds = list(self._filter.kinds)
        return kinds[0] if len(kinds) == 1 else None

    def _month_double_clicked(self, day: date) -> None:
        self.new_session_at(day, None)

    def _open_editor(self, editor: SessionEditor) -> None:
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.session_saved.connect(self._editor_saved)
        editor.open()

    def _editor_saved(self, _session: SessionRecord) -> None:
        # Saved through the undo stack, whose `sessions_changed` already redrew the page.
        self.notice.hide()

    # --- moving --------------------------------------------------------------------------
    def _dropped_on_grid(self, session_id: int, day: date, clock_time: time) -> None:
        try:
            session = self._context.scheduler.get(session_id)
            start_utc = self._zone.instant(day, clock_time)
        except AmplanError as exc:
            self.notice.show_message("error", f"Not moved: {exc}")
            self.grid.update()
            return
        self.move_session(
            session,
            SessionTimes(start_utc, start_utc + (session.end_utc - session.start_utc), False),
        )

    def _resized_on_grid(self, session_id: int, minutes: int) -> None:
        """The bottom edge dragged: same start, a new length, checked like a move."""
        try:
            session = self._context.scheduler.get(session_id)
        except AmplanError as exc:
            self.notice.show_message("error", f"Not changed: {exc}")
            self.grid.update()
            return
        end_utc = session.start_utc + timedelta(minutes=minutes)
        self.move_session(session, SessionTimes(session.start_utc, end_utc, False), "Changed")

    def _moved_by_days(self, session_id: int, days: int) -> None:
        """A drop in the all-day row or the month: the same time of day, `days` later."""
        try:
            session = self._context.scheduler.get(session_id)
            if session.all_day:
                clock = self._clock
                first = clock.et_date(session.start_utc) + timedelta(days=days)
                end = clock.et_date(session.end_utc) + timedelta(days=days)
                times = SessionTimes(
                    to_utc(clock.midnight(first)), to_utc(clock.midnight(end)), True
                )
            else:
                wall = self._zone.wall(session.start_utc) + timedelta(days=days)
                start_utc = self._zone.instant(wall.date(), wall.time())
                times = SessionTimes(
                    start_utc, start_utc + (session.end_utc - session.start_utc), False
                )
        except AmplanError as exc:
            self.notice.show_message("error", f"Not moved: {exc}")
            return
        self.move_session(session, times)

    def move_session(
        self, session: SessionRecord, times: SessionTimes, verb: str = "Moved"
    ) -> bool:
        """Move through the undo stack, as a new request made now; a refusal leaves the
        session where it was and says which rules stand in the way."""
        try:
            self._actions.move(
                session.id, times, requested_utc=self._now(), expected_sequence=session.sequence
            )
        except RuleRefusal as exc:
            self._refused(session, times, exc.violations)
            return False
        except AmplanError as exc:
            self.notice.show_message("error", f"Not moved: {exc}")
            self.reload()
            return False
        what = f"{self._texts.who(session)} {self._texts.kind(session.kind).lower()}"
        self.notice.show_message(
            "info",
            f"{verb} {what} to {self._texts.when(times_as(session, times), self._zone)}.",
            "Undo",
            self._actions.stack.undo,
        )
        return True

    def _refused(
        self, session: SessionRecord, times: SessionTimes, violations: list[Violation]
    ) -> None:
        self._last_refusal = (session.id, times)
        when = self._texts.when(times_as(session, times), self._zone)
        lines = [f"<b>Not moved</b>: the contract refuses {_html(when)}."]
        lines += [
            f"• {_html(v.message)} <small style='color:gray'>(rule: {_html(v.rule)})</small>"
            for v in violations
        ]
        self.notice.show_message("error", "<br>".join(lines), "Open in editor…", self._edit_refused)
        self.grid.update()
        self.header.update()
        self.month_grid.update()

    def _edit_refused(self) -> None:
        """The refused time in the editor, where the contract can be overridden with a reason."""
        if self._last_refusal is None:
            return
        session_id, times = self._last_refusal
        try:
            session = self._context.scheduler.get(session_id)
        except AmplanError as exc:
            messages.show_error(self, "Session not found", str(exc))
            return
        editor = self._editor(None, session)
        start_et = self._clock.et(times.start_utc)
        editor.date_edit.setDate(QDate(start_et.year, start_et.month, start_et.day))
        if not times.all_day:
            editor.time_edit.setTime(QTime(start_et.hour, start_et.minute))
        self._open_editor(editor)


def times_as(session: SessionRecord, times: SessionTimes) -> SessionRecord:
    """The session as it would be at `times` (for wording a move)."""
    return replace(session, start_utc=times.start_utc, end_utc=times.end_utc)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
