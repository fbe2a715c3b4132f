"""The window's four pages, each built the first time it is wanted, wired to the window.

Before the book is open the stack holds "Opening your book…" placeholders (the window paints
before the services are even imported); afterwards a page is built when it is first shown or
asked for, gets the book's rows the window last read, and replaces its placeholder.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QStackedWidget, QToolButton, QWidget

if TYPE_CHECKING:
    from desktop.app import AppContext
    from desktop.services.customers import CustomerRecord
    from desktop.views.calendar.calendar_page import CalendarPage
    from desktop.views.customers.customers_page import CustomersPage
    from desktop.views.dashboard.dashboard_page import DashboardPage
    from desktop.views.reports.reports_page import ReportsPage
    from desktop.views.shell.main_window import MainWindow
    from desktop.views.shell.undo import SessionActions

DASHBOARD, CUSTOMERS, CALENDAR, REPORTS = range(4)
PAGES = {
    DASHBOARD: ("Dashboard", "dashboard"),
    CUSTOMERS: ("Customers", "customers"),
    CALENDAR: ("Calendar", "calendar"),
    REPORTS: ("Reports", "reports"),
}
OPENING = "Opening your book…"


def placeholder() -> QWidget:
    """What a page shows until it is built."""
    label = QLabel(OPENING)
    label.setObjectName("openingBook")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


def header_button(action: QAction) -> QToolButton:
    """A page header's button for one of the window's actions (icon and text)."""
    button = QToolButton()
    button.setObjectName("headerButton")
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setIconSize(QSize(16, 16))
    return button


class WindowPages:
    """Builds the pages on demand and keeps the rows of the book they share."""

    def __init__(self, window: MainWindow, stack: QStackedWidget) -> None:
        self._window = window
        self._stack = stack
        self._built: dict[int, QWidget] = {}
        self._opened: tuple[AppContext, SessionActions, Callable[[], datetime]] | None = None
        self.rows: list[CustomerRecord] = []
        self.total = 0
        for _page in PAGES:
            stack.addWidget(placeholder())

    def open(
        self, context: AppContext, actions: SessionActions, now: Callable[[], datetime]
    ) -> None:
        """The book is open: from now on a page can be built."""
        self._opened = (context, actions, now)

    def built(self, page: int) -> QWidget | None:
        """The page if it was built already (a page not built has nothing to refresh)."""
        return self._built.get(page)

    def show(self, page: int) -> None:
        """Bring `page` to the front, building it first if the book is open."""
        if self._opened is not None:
            self.get(page)
        self._stack.setCurrentIndex(page)

    def get(self, page: int) -> QWidget:
        """The page, built now if it was not."""
        widget = self._built.get(page)
        if widget is not None:
            return widget
        if self._opened is None:
            raise RuntimeError("The pages are built once the book is open.")
        widget = self._build(page, *self._opened)
        current = self._stack.currentIndex()
        stand_in = self._stack.widget(page)
        if stand_in is not None:
            self._stack.removeWidget(stand_in)
            stand_in.deleteLater()
        self._stack.insertWidget(page, widget)
        self._stack.setCurrentIndex(current)
        self._built[page] = widget
        return widget

    def of_chosen_owner(self, rows: list[CustomerRecord]) -> list[CustomerRecord]:
        """The rows of the owner chosen on the Customers page; before that page exists, of
        the owner it will open on (on a team's book, the manager's own)."""
        customers = cast("CustomersPage | None", self._built.get(CUSTOMERS))
        if customers is not None:
            return customers.of_chosen_owner(rows)
        if self._opened is None:
            return rows
        from desktop.views.customers.owner_choice import of_owner, opening_owner

        return of_owner(rows, opening_owner(self._opened[0]))

    def set_rows(self, rows: list[CustomerRecord], total: int) -> None:
        """The book was read: the pages built so far show the new rows."""
        self.rows, self.total = rows, total
        customers = cast("CustomersPage | None", self._built.get(CUSTOMERS))
        if customers is not None:
            customers.set_rows(rows)
        dashboard = cast("DashboardPage | None", self._built.get(DASHBOARD))
        if dashboard is not None:
            dashboard.set_customers(self.of_chosen_owner(rows), total)

    def _build(
        self,
        page: int,
        context: AppContext,
        actions: SessionActions,
        now: Callable[[], datetime],
    ) -> QWidget:
        if page == DASHBOARD:
            return self._dashboard(context, actions, now)
        if page == CUSTOMERS:
            return self._customers(context, actions, now)
        if page == CALENDAR:
            return self._calendar(context, actions, now)
        return self._reports(context, now)

    def _dashboard(
        self, context: AppContext, actions: SessionActions, now: Callable[[], datetime]
    ) -> DashboardPage:
        from desktop.views.dashboard.dashboard_page import DashboardPage

        window = self._window
        dashboard = DashboardPage(context, actions, now)
        dashboard.add_customer_requested.connect(window.add_customer)
        dashboard.sample_book_requested.connect(window.load_sample_book)
        dashboard.attention_counted.connect(window.show_attention_count)
        dashboard.customer_requested.connect(window.show_customer)
        dashboard.session_requested.connect(window.show_session)
        for action in (window.new_session_action, window.plan_book_action):
            dashboard.add_header_button(header_button(action))
        dashboard.set_customers(self.of_chosen_owner(self.rows), self.total)
        return dashboard

    def _customers(
        self, context: AppContext, actions: SessionActions, now: Callable[[], datetime]
    ) -> CustomersPage:
        from desktop.views.customers.customers_page import CustomersPage

        window = self._window
        customers = CustomersPage(context, now=now, actions=actions)
        customers.book_changed.connect(window.sync.sessions_changed)
        customers.book_changed.connect(window.book_watch.note_own_change)
        customers.book_changed.connect(window.refresh)
        customers.customer_saved.connect(window.customer_saved)
        customers.owner_chosen.connect(window.read_book)
        customers.sample_book_requested.connect(window.load_sample_book)
        customers.restore_state(window.settings)
        customers.set_rows(self.rows)
        return customers

    def _calendar(
        self, context: AppContext, actions: SessionActions, now: Callable[[], datetime]
    ) -> CalendarPage:
        from desktop.views.calendar.calendar_page import CalendarPage

        return CalendarPage(context, actions, now=now)  # it reads the book as it is built

    def _reports(self, context: AppContext, now: Callable[[], datetime]) -> ReportsPage:
        from desktop.views.reports.reports_page import ReportsPage

        return ReportsPage(context, now=now)  # it reads the book when shown
