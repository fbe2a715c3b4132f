"""The dashboard: what needs the manager today, what is on this week, whose allowances run low.

The page holds the layout; `DashboardRefresh` decides when (and on which thread) the book is
computed, `CardActions` what the cards' buttons do, and `desktop.services.dashboard` the
figures and sentences. Every button acts through the window's `SessionActions`, so it can be
undone.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.app import AppContext
from desktop.services.attention import CLASH_WEEKS, YEARLY_WARNING_DAYS, Attention
from desktop.services.customers import CustomerRecord
from desktop.services.dashboard import DashboardData, by_urgency, dashboard_subtitle
from desktop.services.display.session_format import Now, system_now
from desktop.views.dashboard.attention_cards import AttentionCard, AttentionSection, all_clear_panel
from desktop.views.dashboard.card_actions import CardActions
from desktop.views.dashboard.dashboard_refresh import DashboardRefresh
from desktop.views.dashboard.side_cards import ChartCard, WeekCard, right_column
from desktop.views.shell.undo import SessionActions
from desktop.views.widgets.page_parts import page_scroll
from desktop.views.widgets.placeholders import EmptyState

# (category, section title, what the section is about)
SECTIONS = (
    (
        "conflict",
        "Clashes",
        f"Sessions of the next {CLASH_WEEKS} weeks under your busy time or over each other.",
    ),
    ("overdue", "Past sessions to mark", "Were they held? Marking them keeps the counts right."),
    ("declined", "Declined invitations", "An attendee said no: move the session or cancel it."),
    ("onboarding", "Onboarding to schedule", "Hours the window will close on."),
    ("cadence", "Account-management calls to book", "This period has no call yet."),
    ("screen-share", "Screen-shares left this month", "They do not roll over."),
    (
        "yearly",
        "Yearly allowances about to lapse",
        f"The package year ends within {YEARLY_WARNING_DAYS} days.",
    ),
)
# A book is computed on a worker when the last computation took longer than this.
BACKGROUND_AFTER_S = 0.1
RIGHT_MIN_WIDTH = 340
RIGHT_MAX_WIDTH = 470
# Below this page width the week and the chart go under the list.
STACK_BELOW_WIDTH = 1000
QWIDGETSIZE_MAX = (1 << 24) - 1


class DashboardPage(QStackedWidget):
    """The empty-book welcome until there is a customer, then the dashboard.

    `set_customers` hands it the book; it recomputes whenever `actions` changes sessions
    (once it is shown again, when the change came while it was hidden).
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
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardPage")
        self._context = context
        self._now = now
        self._customers: list[CustomerRecord] | None = None
        self.attention: Attention | None = None
        self._refresher = DashboardRefresh(
            self, context.scheduler, lambda: self._customers, now, BACKGROUND_AFTER_S
        )
        self._refresher.computed.connect(self._show)
        self._refresher.updating.connect(self._show_updating)
        self.card_actions = CardActions(self, context, actions, now)
        self.card_actions.session_requested.connect(self.session_requested)
        self.card_actions.refresh_wanted.connect(self._refresher.book_changed)
        actions.sessions_changed.connect(self._refresher.book_changed)

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
        self._columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._columns.setSpacing(24)
        self._columns.addLayout(self._build_left(), 3)
        self._columns.addWidget(self._build_right(), 2, Qt.AlignmentFlag.AlignTop)
        content = QWidget()
        content.setObjectName("dashboardContent")
        content.setMaximumWidth(1560)
        column = QVBoxLayout(content)
        column.setContentsMargins(24, 18, 24, 24)
        column.setSpacing(18)
        column.addLayout(self._build_header())
        column.addLayout(self._columns, 1)
        centred = QWidget()
        centred.setObjectName("dashboardContent")
        row = QHBoxLayout(centred)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(content)
        return page_scroll(centred, "dashboardScroll")

    def _build_header(self) -> QLayout:
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
        return header

    def _build_left(self) -> QLayout:
        """The sections, or the all-clear; what is due after this week waits under "Later"."""
        self.sections = {
            category: AttentionSection(category, text, hint) for category, text, hint in SECTIONS
        }
        self.all_clear = all_clear_panel()
        self.loading_label = QLabel("Looking through the book…")
        self.loading_label.setObjectName("cardEmpty")
        left = QVBoxLayout()
        left.setSpacing(22)
        left.addWidget(self.loading_label)
        left.addWidget(self.all_clear)
        for section in self.sections.values():
            section.hide()
            left.addWidget(section)
        self.later = AttentionSection(
            "later", "Later", "Due after this week: nothing of it needs you today.", first_shown=0
        )
        self.later.hide()
        left.addWidget(self.later)
        left.addStretch()
        return left

    def _build_right(self) -> QWidget:
        """This week over the allowance chart."""
        self.week_card = WeekCard(self._context.clock, self._context.policy)
        self.week_card.session_opened.connect(self.card_actions.open_week_session)
        self.week_list = self.week_card.list
        self.week_subtitle = self.week_card.subtitle
        self.week_empty = self.week_card.empty
        self.chart_card = ChartCard()
        self.chart = self.chart_card.chart
        self.chart_empty = self.chart_card.empty
        self.chart.customer_clicked.connect(self.customer_requested)
        self._right_side = right_column(
            self.week_card, self.chart_card, RIGHT_MIN_WIDTH, RIGHT_MAX_WIDTH
        )
        return self._right_side

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
            self._refresher.invalidate()
            self._show(DashboardData(Attention((), ()), (), 0.0))

    @property
    def background(self) -> bool | None:
        """None: a worker computes a large or slow book; True or False force it (tests)."""
        return self._refresher.background

    @background.setter
    def background(self, value: bool | None) -> None:
        self._refresher.background = value

    def is_updating(self) -> bool:
        return self._refresher.is_updating()

    @Slot()
    def refresh(self) -> None:
        """Recompute now (small book) or on the worker; a request while one runs is queued."""
        self._refresher.refresh()

    def wait_for_idle(self, msecs: int = 5000) -> bool:
        """Start no more computations and let a running one finish (before the book closes)."""
        return self._refresher.wait_for_idle(msecs)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._refresher.shown()

    # --- showing ------------------------------------------------------------------------
    def _show_updating(self, updating: bool) -> None:
        self.updating_label.setVisible(updating)

    def _show(self, data: DashboardData) -> None:
        attention = self.attention = data.attention
        self.loading_label.hide()
        today = self._context.clock.et_date(self._now())
        self.subtitle.setText(dashboard_subtitle(today, attention))
        urgency = by_urgency(attention.items, today)
        make_card = self.card_actions.make_card
        for category, section in self.sections.items():
            section.set_items(urgency.soon_in(category), make_card)
        self.later.set_items(urgency.later, make_card)
        count = attention.count()
        self.all_clear.setVisible(count == 0)
        self.week_card.show_week(attention.this_week, today)
        self.chart_card.show_chart(data.chart)
        self.attention_counted.emit(count)

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
        return self.week_card.texts()
