"""The dashboard: what needs the manager today, what is on this week, whose allowances run low.

The attention list comes from `needs_attention`; a small book is computed at once, a large one
(or one whose last computation took more than 100 ms) on a worker thread while the page says
"Updating…". Every button acts through the window's `SessionActions`, so it can be undone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.services.attention import Attention, AttentionItem, needs_attention
from desktop.services.customers import CustomerRecord
from desktop.services.display.session_format import DASH, Now, system_now
from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.scheduling.usage import usage_for
from desktop.views.sessions.plan_dialog import PlanDialog
from desktop.views.sessions.session_editor import SessionEditor
from desktop.views.shell.undo import SessionActions
from desktop.views.theme import ACCENT, accent_text
from desktop.views.widgets import messages
from desktop.views.widgets.charts import AllowanceChart, AllowanceUse
from desktop.views.widgets.icons import icon
from desktop.views.widgets.placeholders import EmptyState

# (category, section title, what the section is about)
SECTIONS = (
    ("conflict", "Clashes", "Booked sessions under your busy time or over each other."),
    ("overdue", "Past sessions to mark", "Were they held? Marking them keeps the counts right."),
    ("declined", "Declined invitations", "An attendee said no: move the session or cancel it."),
    ("onboarding", "Onboarding to schedule", "Hours the window will close on."),
    ("cadence", "Account-management calls to book", "This period has no call yet."),
    ("screen-share", "Screen-shares left this month", "They do not roll over."),
    ("yearly", "Yearly allowances about to lapse", "The package year ends within 60 days."),
)
ITEMS_SHOWN = 4
PROBLEMS = frozenset({"conflict", "overdue", "declined"})
# A book is computed on a worker when the last computation took longer than this...
BACKGROUND_AFTER_S = 0.1
# ...or, before any timing, when it has more customers than this (about 50 ms).
BACKGROUND_CUSTOMERS = 100
# A dashboard older than this is recomputed when shown again: "today" moves on.
STALE_AFTER_S = 600
# A large book's first computation waits this long, so the window paints first (a worker
# thread holding the interpreter would slow the start-up it is meant to spare).
FIRST_DELAY_MS = 300
TOP_CUSTOMERS = 8
WEEK_ROWS_SHOWN = 9
RIGHT_MIN_WIDTH = 340
RIGHT_MAX_WIDTH = 470
# Below this page width the week and the chart go under the list.
STACK_BELOW_WIDTH = 1000
QWIDGETSIZE_MAX = (1 << 24) - 1
# Allowances the chart leaves out: one call per period is full, not at risk.
CHART_SKIPS = frozenset({"cadence"})
LOOK_AROUND = timedelta(days=367)
BOOK_LABELS = {
    "screen-share": "Book screen-share…",
    "assistance": "Book assistance…",
    "event-plan": "Book event plan…",
    "round-table": "Book round table…",
    "product-team": "Book 1:1…",
}
SESSION_ROLE = Qt.ItemDataRole.UserRole
# The chart's line has little room: its allowances by shorter names (the tooltip has all).
CHART_LABELS = {
    "onboarding": "Onboarding hours",
    "screen-share": "Screen-shares this month",
    "assistance": "Assistance hours",
    "event-plan": "Event plans",
    "round-table": "Round tables",
    "product-team": "Product-team 1:1",
}


def top_allowance_use(
    context: AppContext, customers: Sequence[CustomerRecord], now: datetime
) -> tuple[AllowanceUse, ...]:
    """Each customer's most used allowance, the fullest first: who is running out of what.

    One query for the whole book (the sessions a year either side of now, which hold every
    period that counts today), then `usage_for` per customer.
    """
    scheduler = context.scheduler
    today = context.clock.et_date(now)
    counted = scheduler.counted_by_customer(now - LOOK_AROUND, now + LOOK_AROUND)
    found = []
    for customer in customers:
        sessions = counted.get(customer.id, [])
        usage = usage_for(context.policy, context.clock, customer, sessions, today)
        best: AllowanceUse | None = None
        for allowance in usage.allowances:
            if allowance.key in CHART_SKIPS or allowance.allowed <= 0:
                continue
            if allowance.period is not None and not allowance.period.contains(today):
                continue  # the onboarding window of long ago
            use = AllowanceUse(
                customer.id,
                customer.name,
                CHART_LABELS.get(allowance.key, allowance.label),
                allowance.unit,
                allowance.allowed,
                allowance.used,
                allowance.scheduled,
            )
            if use.share > 0 and (best is None or use.share > best.share):
                best = use
        if best is not None:
            found.append(best)
    found.sort(key=lambda u: (-u.share, -u.used / u.allowed, u.customer.lower()))
    return tuple(found[:TOP_CUSTOMERS])


@dataclass(frozen=True)
class Computed:
    attention: Attention
    seconds: float


class _Signals(QObject):
    """Carries a worker's results to the GUI thread; each carries the request's number."""

    attention_ready = Signal(int, object)
    chart_ready = Signal(int, object)
    failed = Signal(int, str)
    crashed = Signal(int, object)


class _DashboardJob(QRunnable):
    def __init__(
        self,
        number: int,
        attention: Callable[[], Attention],
        chart: Callable[[], tuple[AllowanceUse, ...]],
    ) -> None:
        super().__init__()
        self.signals = _Signals()
        self._number = number
        self._attention = attention
        self._chart = chart

    def run(self) -> None:
        try:
            started = time.perf_counter()
            attention = self._attention()
            seconds = time.perf_counter() - started
            self.signals.attention_ready.emit(self._number, Computed(attention, seconds))
            self.signals.chart_ready.emit(self._number, self._chart())
        except AmplanError as exc:
            self.signals.failed.emit(self._number, str(exc))
        except Exception as exc:  # a bug: re-raised on the GUI thread for the crash handler
            self.signals.crashed.emit(self._number, exc)


def _split_title(item: AttentionItem) -> tuple[str, str]:
    """'Acme Logistics: 3 hours of onboarding not scheduled' -> the who and the what."""
    who, sep, what = item.title.partition(": ")
    return (who, what) if sep else ("", item.title)


class AttentionCard(QFrame):
    """One thing to act on: who, what, why, and the button that does it."""

    def __init__(self, item: AttentionItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.acted = False  # set once its button worked; the card goes before the recount
        self.setObjectName("attentionCard")
        self.setProperty("category", item.category)
        who, what = _split_title(item)
        self.title = QLabel()
        self.title.setObjectName("attentionTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setText(f"{who} · {what}" if who else what)
        self.title.setWordWrap(True)
        self.detail = QLabel(item.detail)
        self.detail.setObjectName("attentionDetail")
        self.detail.setWordWrap(True)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.title)
        text.addWidget(self.detail)
        self.buttons: list[QPushButton] = []
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(14, 9, 12, 9)
        self._row.setSpacing(10)
        self._row.addLayout(text, 1)

    def add_button(self, text: str, tooltip: str, primary: bool = False) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName("cardPrimary" if primary else "cardButton")
        button.setToolTip(tooltip)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._row.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.buttons.append(button)
        return button


class AttentionSection(QWidget):
    """A category's header with its count, then its first few cards and a 'Show all'."""

    def __init__(
        self,
        category: str,
        title: str,
        hint: str,
        parent: QWidget | None = None,
        first_shown: int = ITEMS_SHOWN,
    ):
        super().__init__(parent)
        self.category = category
        self.first_shown = first_shown
        self.setObjectName("attentionSection")
        self.title = QLabel(title)
        self.title.setObjectName("sectionTitle")
        self.count = QLabel()
        self.count.setObjectName("countPill")
        self.count.setProperty("category", category)
        self.count.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = QLabel(hint)
        self.hint.setObjectName("sectionHint")
        self.hint.setWordWrap(True)  # a narrow window wraps it rather than widening the page
        self.more_button = QPushButton()
        self.more_button.setObjectName("linkButton")
        self.more_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.more_button.clicked.connect(self._toggle)
        header = QHBoxLayout()
        header.setSpacing(8)
        header.addWidget(self.title)
        header.addWidget(self.count)
        header.addSpacing(4)
        header.addWidget(self.hint, 1)
        header.addWidget(self.more_button)
        self._cards = QVBoxLayout()
        self._cards.setSpacing(6)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        column.addLayout(header)
        column.addLayout(self._cards)
        self._items: list[AttentionItem] = []
        self._expanded = False
        self._make_card: Callable[[AttentionItem], AttentionCard] | None = None
        self.cards: list[AttentionCard] = []

    def set_items(
        self, items: Sequence[AttentionItem], make_card: Callable[[AttentionItem], AttentionCard]
    ) -> None:
        self._items = list(items)
        self._make_card = make_card
        self.count.setText(str(len(self._items)))
        self.setVisible(bool(self._items))
        self._fill()

    def _fill(self) -> None:
        for card in self.cards:
            card.hide()
            card.deleteLater()
        self.cards = []
        if self._make_card is None:
            return
        shown = self._items if self._expanded else self._items[: self.first_shown]
        for item in shown:
            card = self._make_card(item)
            self._cards.addWidget(card)
            card.show()  # now, not when the event loop gets to it
            self.cards.append(card)
        hidden = len(self._items) - self.first_shown
        self.more_button.setVisible(hidden > 0)
        folded = "Hide" if not self.first_shown else "Show fewer"
        self.more_button.setText(folded if self._expanded else f"Show all {len(self._items)}")
        self.more_button.setToolTip(
            (f"Show only the first {self.first_shown}." if self.first_shown else "Fold them away.")
            if self._expanded
            else f"{hidden} more not shown; show every one."
        )

    def _toggle(self) -> None:
        self.set_expanded(not self._expanded)

    def set_expanded(self, expanded: bool) -> None:
        self._expanded = expanded
        self._fill()


class _WeekDelegate(QStyledItemDelegate):
    """Two lines per session: who and what, then when and its status; the day on the left."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        line = option.fontMetrics.lineSpacing()
        return QSize(200, line * 2 + 14)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        record = index.data(SESSION_ROLE)
        texts = index.data(Qt.ItemDataRole.UserRole + 1)
        if not isinstance(record, SessionRecord) or not isinstance(texts, tuple):
            super().paint(painter, option, index)
            return
        day, top_line, bottom_line, is_today = texts
        palette = option.palette
        painter.save()
        rect = QRect(option.rect)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected or hovered:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase))
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.drawRoundedRect(rect.adjusted(0, 1, 0, -1), 6, 6)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        text = palette.color(QPalette.ColorRole.Text)
        faded = record.status != "planned"
        font = QFont(option.font)
        metrics = QFontMetrics(font)
        line = metrics.lineSpacing()
        day_width = metrics.horizontalAdvance("Wed 30") + 16
        bold = QFont(font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(accent_text(palette) if is_today else text)
        top = rect.top() + 7
        painter.drawText(
            QRect(rect.left() + 8, top, day_width, line), Qt.AlignmentFlag.AlignLeft, day
        )
        left = rect.left() + 8 + day_width
        width = rect.width() - day_width - 16
        painter.setPen(muted if faded else text)
        painter.drawText(
            QRect(left, top, width, line),
            Qt.AlignmentFlag.AlignLeft,
            QFontMetrics(bold).elidedText(top_line, Qt.TextElideMode.ElideRight, width),
        )
        painter.setFont(font)
        painter.setPen(muted)
        painter.drawText(
            QRect(left, top + line, width, line),
            Qt.AlignmentFlag.AlignLeft,
            metrics.elidedText(bottom_line, Qt.TextElideMode.ElideRight, width),
        )
        painter.restore()


class DashboardPage(QStackedWidget):
    """The empty-book welcome until there is a customer, then the dashboard.

    `set_customers` hands it the book; it recomputes whenever `actions` changes sessions.
    """

    attention_counted = Signal(int)
    customer_requested = Signal(int)
    session_requested = Signal(object)
    add_customer_requested = Signal()
    sample_book_requested = Signal()

    def __init__(
        self,
        context: AppContext,
        actions: SessionActions,
        now: Now = system_now,
        parent: QWidget | None = None,
        pool: QThreadPool | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardPage")
        self._context = context
        self._actions = actions
        self._now = now
        self._pool = pool or QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._customers: list[CustomerRecord] | None = None
        self._number = 0
        self._running: _Signals | None = None
        self._again = False
        self._last_seconds: float | None = None
        self._computed_at = 0.0
        # None: decide by the size of the book and the last timing; tests may force it.
        self.background: bool | None = None
        self.attention: Attention | None = None
        self._first_timer = QTimer(self)
        self._first_timer.setSingleShot(True)
        self._first_timer.setInterval(FIRST_DELAY_MS)
        self._first_timer.timeout.connect(self.refresh)
        self._started = False
        actions.sessions_changed.connect(self.refresh)

        self.empty_state = EmptyState(
            "dashboard",
            "Your week at a glance",
            "Once your book has customers, this page lists what needs you: sessions to mark, "
            "onboarding and calls to schedule, allowances about to lapse.",
        )
        self.empty_add_button = self.empty_state.add_button("Add customer", "add", primary=True)
        self.empty_sample_button = self.empty_state.add_button("Load sample book", "sample")
        self.empty_add_button.clicked.connect(self.add_customer_requested)
        self.empty_sample_button.clicked.connect(self.sample_book_requested)
        self.addWidget(self.empty_state)
        self._board = self._build_board()
        self.addWidget(self._board)

    # --- layout -------------------------------------------------------------------------
    def _build_board(self) -> QWidget:
        title = QLabel("Needs attention")
        title.setObjectName("pageTitle")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("pageSubtitle")
        self.updating_label = QLabel("Updating…")
        self.updating_label.setObjectName("updating")
        self.updating_label.hide()
        self._header_buttons = QHBoxLayout()
        self._header_buttons.setSpacing(8)
        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(title)
        heading.addWidget(self.subtitle)
        header = QHBoxLayout()
        header.addLayout(heading, 1)
        header.addWidget(self.updating_label, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addSpacing(8)
        header.addLayout(self._header_buttons)

        # Left: the sections, or the all-clear.
        self.sections = {
            category: AttentionSection(category, text, hint) for category, text, hint in SECTIONS
        }
        self.all_clear = QFrame()
        self.all_clear.setObjectName("allClearPanel")
        clear_icon = QLabel()
        clear_icon.setPixmap(icon("check-circle", ACCENT).pixmap(QSize(48, 48)))
        clear_icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        clear_title = QLabel("Nothing needs you today")
        clear_title.setObjectName("emptyTitle")
        clear_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        clear_text = QLabel(
            "Every onboarding is scheduled, every call is booked and no session waits to be "
            "marked. Enjoy the quiet, or look ahead on the Customers page."
        )
        clear_text.setObjectName("emptyText")
        clear_text.setWordWrap(True)
        clear_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        clear_column = QVBoxLayout(self.all_clear)
        clear_column.setContentsMargins(32, 36, 32, 40)
        clear_column.setSpacing(10)
        clear_column.addWidget(clear_icon)
        clear_column.addWidget(clear_title)
        clear_column.addWidget(clear_text)
        self.all_clear.hide()
        self.loading_label = QLabel("Looking through the book…")
        self.loading_label.setObjectName("cardEmpty")
        left = QVBoxLayout()
        left.setSpacing(22)
        left.addWidget(self.loading_label)
        left.addWidget(self.all_clear)
        for section in self.sections.values():
            section.hide()
            left.addWidget(section)
        # What is due after this week waits, folded, behind "Later".
        self.later = AttentionSection(
            "later", "Later", "Due after this week: nothing of it needs you today.", first_shown=0
        )
        self.later.hide()
        left.addWidget(self.later)
        left.addStretch()

        # Right: this week, and the allowance chart.
        week_card = QFrame()
        week_card.setObjectName("dashCard")
        self.week_title = QLabel("This week")
        self.week_title.setObjectName("cardTitle")
        self.week_subtitle = QLabel()
        self.week_subtitle.setObjectName("cardSubtitle")
        self.week_list = QListWidget()
        self.week_list.setObjectName("weekList")
        self.week_list.setItemDelegate(_WeekDelegate(self.week_list))
        self.week_list.setMouseTracking(True)
        self.week_list.setFrameShape(QFrame.Shape.NoFrame)
        self.week_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.week_list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.week_list.setCursor(Qt.CursorShape.PointingHandCursor)
        self.week_list.itemActivated.connect(self._week_item_opened)
        self.week_list.itemClicked.connect(self._week_item_opened)
        self.week_empty = QLabel("Nothing is booked this week.")
        self.week_empty.setObjectName("cardEmpty")
        self.week_empty.setWordWrap(True)
        self.week_empty.hide()
        week_column = QVBoxLayout(week_card)
        week_column.setContentsMargins(16, 14, 16, 14)
        week_column.setSpacing(4)
        week_column.addWidget(self.week_title)
        week_column.addWidget(self.week_subtitle)
        week_column.addSpacing(6)
        week_column.addWidget(self.week_list)
        week_column.addWidget(self.week_empty)

        chart_card = QFrame()
        chart_card.setObjectName("dashCard")
        chart_title = QLabel("Allowance use")
        chart_title.setObjectName("cardTitle")
        chart_subtitle = QLabel(
            "Each customer's fullest allowance, the fullest first: used, then scheduled "
            "(hatched). Click one to open the customer."
        )
        chart_subtitle.setObjectName("cardSubtitle")
        chart_subtitle.setWordWrap(True)
        self.chart = AllowanceChart()
        self.chart.customer_clicked.connect(self.customer_requested)
        self.chart_empty = QLabel("No allowance is in use yet this period.")
        self.chart_empty.setObjectName("cardEmpty")
        self.chart_empty.setWordWrap(True)
        self.chart_empty.hide()
        self.chart.hide()
        chart_column = QVBoxLayout(chart_card)
        chart_column.setContentsMargins(16, 14, 16, 16)
        chart_column.setSpacing(4)
        chart_column.addWidget(chart_title)
        chart_column.addWidget(chart_subtitle)
        chart_column.addSpacing(10)
        chart_column.addWidget(self.chart)
        chart_column.addWidget(self.chart_empty)

        right = QVBoxLayout()
        right.setSpacing(16)
        right.addWidget(week_card)
        right.addWidget(chart_card)
        right.addStretch()
        self._right_side = QWidget()
        self._right_side.setLayout(right)
        self._right_side.setMinimumWidth(RIGHT_MIN_WIDTH)
        self._right_side.setMaximumWidth(RIGHT_MAX_WIDTH)

        # Side by side when there is room; the week and the chart go under the list when not.
        self._columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._columns.setSpacing(24)
        self._columns.addLayout(left, 3)
        self._columns.addWidget(self._right_side, 2, Qt.AlignmentFlag.AlignTop)

        content = QWidget()
        content.setObjectName("dashboardContent")
        content.setMaximumWidth(1560)
        column = QVBoxLayout(content)
        column.setContentsMargins(24, 18, 24, 24)
        column.setSpacing(18)
        column.addLayout(header)
        column.addLayout(self._columns, 1)
        centred = QWidget()
        centred.setObjectName("dashboardContent")
        row = QHBoxLayout(centred)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(content)
        scroll = QScrollArea()
        scroll.setObjectName("dashboardScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(centred)
        return scroll

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        stacked = event.size().width() < STACK_BELOW_WIDTH
        direction = (
            QBoxLayout.Direction.TopToBottom if stacked else QBoxLayout.Direction.LeftToRight
        )
        if self._columns.direction() != direction:
            self._columns.setDirection(direction)
            self._right_side.setMaximumWidth(QWIDGETSIZE_MAX if stacked else RIGHT_MAX_WIDTH)
            self._columns.setAlignment(
                self._right_side,
                Qt.AlignmentFlag(0) if stacked else Qt.AlignmentFlag.AlignTop,
            )

    def add_header_button(self, button: QToolButton | QPushButton) -> None:
        """A page-wide action beside the title (the window's "New session…", "Plan the book…")."""
        self._header_buttons.addWidget(button)

    # --- data ---------------------------------------------------------------------------
    def set_customers(self, customers: Sequence[CustomerRecord], total: int) -> None:
        """The book changed: the welcome when it is empty, else recompute."""
        self._customers = list(customers)
        self.setCurrentWidget(self._board if total else self.empty_state)
        if self._customers:
            self.refresh()
        else:
            self._show_attention(Attention((), ()))
            self._show_chart(())

    def is_updating(self) -> bool:
        return self._running is not None

    def _goes_background(self) -> bool:
        if self.background is not None:
            return self.background
        if self._last_seconds is None:
            return len(self._customers or ()) > BACKGROUND_CUSTOMERS
        return self._last_seconds > BACKGROUND_AFTER_S

    @Slot()
    def refresh(self) -> None:
        """Recompute now (small book) or on the worker; a request while one runs is queued."""
        customers = self._customers
        if not customers:
            return
        if self._running is not None:
            self._again = True
            return
        self._first_timer.stop()
        self._number += 1
        now = self._now()
        context = self._context
        if not self._goes_background():
            self._started = True
            started = time.perf_counter()
            try:
                attention = needs_attention(context.scheduler, customers, now)
                seconds = time.perf_counter() - started
                chart = top_allowance_use(context, customers, now)
            except AmplanError as exc:
                messages.show_error(self, "Could not read the book", str(exc))
                return
            self._attention_ready(self._number, Computed(attention, seconds))
            self._chart_ready(self._number, chart)
            return
        if not self._started:
            self._started = True
            self.updating_label.show()
            self._first_timer.start()
            return
        job = _DashboardJob(
            self._number,
            lambda: needs_attention(context.scheduler, customers, now),
            lambda: top_allowance_use(context, customers, now),
        )
        job.signals.attention_ready.connect(self._attention_ready)
        job.signals.chart_ready.connect(self._chart_ready)
        job.signals.failed.connect(self._failed)
        job.signals.crashed.connect(self._crashed)
        self._running = job.signals
        self.updating_label.show()
        self._pool.start(job)

    def wait_for_idle(self, msecs: int = 5000) -> bool:
        """Start no more computations and let a running one finish (before the book closes)."""
        self._first_timer.stop()
        return bool(self._pool.waitForDone(msecs))

    @Slot(int, object)
    def _attention_ready(self, number: int, computed: Computed) -> None:
        if number != self._number:
            return
        self._last_seconds = computed.seconds
        self._computed_at = time.monotonic()
        self._show_attention(computed.attention)

    @Slot(int, object)
    def _chart_ready(self, number: int, chart: tuple[AllowanceUse, ...]) -> None:
        if number != self._number:
            return
        self._show_chart(chart)
        self._finished()

    @Slot(int, str)
    def _failed(self, number: int, text: str) -> None:
        self._finished()
        messages.show_error(self, "Could not read the book", text)

    @Slot(int, object)
    def _crashed(self, number: int, exc: BaseException) -> None:
        self._finished()
        raise exc

    def _finished(self) -> None:
        self._running = None
        self.updating_label.hide()
        if self._again:
            self._again = False
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        stale = time.monotonic() - self._computed_at > STALE_AFTER_S
        if self._computed_at and stale and self._running is None:
            self.refresh()

    # --- showing ------------------------------------------------------------------------
    def _show_attention(self, attention: Attention) -> None:
        self.attention = attention
        self.loading_label.hide()
        clock = self._context.clock
        today = clock.et_date(self._now())
        count = attention.count()
        things = (
            "Nothing needs you"
            if not count
            else (f"{count} thing{'s' if count != 1 else ''} need{'s' if count == 1 else ''} you")
        )
        self.subtitle.setText(f"{today:%A} {today.day} {today:%B %Y} · {things}")
        # Today and this week first; what is due later is one click away, under "Later".
        # Problems (a clash, a decline, a session to mark) are today's whatever their date.
        week_end = today - timedelta(days=today.weekday()) + timedelta(days=7)
        soon = [i for i in attention.items if i.due < week_end or i.category in PROBLEMS]
        for category, section in self.sections.items():
            section.set_items([i for i in soon if i.category == category], self._make_card)
        now_ids = {id(i) for i in soon}
        later = sorted((i for i in attention.items if id(i) not in now_ids), key=lambda i: i.due)
        self.later.set_items(later, self._make_card)
        self.all_clear.setVisible(count == 0)
        self._show_week(attention.this_week, today)
        self.attention_counted.emit(count)

    def _show_week(self, sessions: Sequence[SessionRecord], today: date) -> None:
        clock = self._context.clock
        policy = self._context.policy
        week_start = today - timedelta(days=today.weekday())
        last = week_start + timedelta(days=6)
        self.week_subtitle.setText(
            f"{week_start.day} {week_start:%b} – {last.day} {last:%b} · "
            + (
                f"{len(sessions)} session{'s' if len(sessions) != 1 else ''}"
                if sessions
                else "free"
            )
        )
        self.week_list.clear()
        for record in sessions:
            start = clock.et(record.start_utc)
            end = clock.et(record.end_utc)
            kind = policy.kind(record.kind).label
            who = ", ".join(record.customers)
            if record.all_day:
                when = "All day"
            else:
                when = f"{start:%H:%M}{DASH}{end:%H:%M} {policy.time.zone_label}"
            status = "" if record.status == "planned" else f" · {record.status}"
            item = QListWidgetItem(f"{who} · {kind}")
            item.setData(SESSION_ROLE, record)
            item.setData(
                Qt.ItemDataRole.UserRole + 1,
                (f"{start:%a} {start.day}", who, f"{when} · {kind}{status}", start.date() == today),
            )
            item.setToolTip(
                f"{who}\n{kind}, {start:%A} {start.day} {start:%B}, {when}{status}\n"
                + ("Click to change it." if record.status == "planned" else "Click to open.")
            )
            self.week_list.addItem(item)
        rows = self.week_list.count()
        if rows:
            # A busy week scrolls inside the card rather than stretching the page.
            hint = self.week_list.sizeHintForRow(0)
            self.week_list.setFixedHeight(hint * min(rows, WEEK_ROWS_SHOWN) + 2)
        self.week_list.setVisible(bool(rows))
        self.week_empty.setVisible(not rows)

    def _show_chart(self, chart: Sequence[AllowanceUse]) -> None:
        self.chart.set_rows(chart)
        self.chart.setVisible(bool(chart))
        self.chart_empty.setVisible(not chart)

    def _make_card(self, item: AttentionItem) -> AttentionCard:
        card = AttentionCard(item)
        if item.action in ("plan-onboarding", "plan-cadence"):
            what = "onboarding" if item.action == "plan-onboarding" else "calls"
            button = card.add_button(
                "Plan onboarding…" if what == "onboarding" else "Plan calls…",
                "Propose the missing sessions at times the contract allows; "
                "you choose which to book.",
                primary=True,
            )
            button.clicked.connect(lambda: self.plan(item))
        elif item.action in ("book-screen-share", "book-kind"):
            label = self._context.policy.kind(item.kind).label.lower() if item.kind else "session"
            button = card.add_button(
                BOOK_LABELS.get(item.kind, f"Book {label}…"),
                f"Open a new {label} for this customer at the next legal slot.",
                primary=True,
            )
            button.clicked.connect(lambda: self.book(item))
        elif item.action == "move" and item.session is not None:
            button = card.add_button(
                "Move…", "Open the session to give it a time that is free.", primary=True
            )
            button.clicked.connect(lambda: self.move_session(item))
        elif item.action == "mark" and item.session is not None:
            done = card.add_button("Done", "It took place: it counts as used.", primary=True)
            no_show = card.add_button(
                "No-show", "The customer did not come: it still counts as used."
            )
            done.clicked.connect(lambda: self.mark(card, "done"))
            no_show.clicked.connect(lambda: self.mark(card, "no-show"))
        elif item.action == "declined" and item.session is not None:
            move = card.add_button(
                "Move…", "Choose another time; the attendees get an updated invite.", primary=True
            )
            cancel = card.add_button("Cancel", "Cancel the session: it then counts for nothing.")
            record = item.session
            move.clicked.connect(lambda: self.move_declined(record))
            cancel.clicked.connect(lambda: self.mark(card, "cancelled"))
        return card

    def move_declined(self, record: SessionRecord) -> SessionEditor:
        """The session's editor, to give it another time."""
        editor = SessionEditor(
            self._context, None, record, self._now, self.window(), actions=self._actions
        )
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.open()
        return editor

    # --- acting -------------------------------------------------------------------------
    def plan(self, item: AttentionItem) -> PlanDialog | None:
        """The plan dialog for the item's customer, with only the item's kind ticked."""
        if item.customer is None:
            return None
        dialog = PlanDialog(
            self._context,
            [item.customer],
            self._now,
            self.window(),
            actions=self._actions,
            kinds=[item.kind] if item.kind else None,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        dialog.start()
        return dialog

    def book(self, item: AttentionItem) -> SessionEditor | None:
        """A new session of the item's kind for its customer, the next legal slot filled in."""
        if item.customer is None:
            return None
        editor = SessionEditor(
            self._context,
            item.customer,
            None,
            self._now,
            self.window(),
            actions=self._actions,
            kind=item.kind or None,
            find_slot=True,
        )
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.open()
        return editor

    def move_session(self, item: AttentionItem) -> SessionEditor | None:
        """The clashing session in the editor, to move it to a free time."""
        if item.session is None:
            return None
        editor = SessionEditor(
            self._context, None, item.session, self._now, self.window(), actions=self._actions
        )
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.open()
        return editor

    def mark(self, card: AttentionCard, status: str) -> None:
        session = card.item.session
        if session is None:
            return
        try:
            self._actions.set_status(
                session.id, status, now=self._now(), expected_sequence=session.sequence
            )
        except AmplanError as exc:
            messages.show_error(self, "Status not changed", str(exc))
            return
        # A large book recomputes on the worker: the card goes at once all the same.
        card.acted = True
        card.hide()

    def _week_item_opened(self, item: QListWidgetItem) -> None:
        record = item.data(SESSION_ROLE)
        if not isinstance(record, SessionRecord):
            return
        if record.status != "planned":
            self.session_requested.emit(record)
            return
        editor = SessionEditor(
            self._context, None, record, self._now, self.window(), actions=self._actions
        )
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.open()

    # --- reading, for the window and the tests --------------------------------------------
    def attention_count(self, category: str | None = None) -> int:
        return self.attention.count(category) if self.attention is not None else 0

    def cards(self, category: str | None = None) -> list[AttentionCard]:
        """The cards shown (those under a folded "Later" are not), of one category or all."""
        return [
            card
            for section in [*self.sections.values(), self.later]
            for card in section.cards
            if (category is None or card.item.category == category) and not card.acted
        ]

    def week_texts(self) -> list[str]:
        return [self.week_list.item(row).text() for row in range(self.week_list.count())]
