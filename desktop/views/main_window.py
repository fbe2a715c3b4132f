"""The main window: navigation on the left, one page at a time, the book in the status bar."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.services.customers import CustomerRecord
from desktop.views import messages
from desktop.views.customers_page import CustomersPage
from desktop.views.icons import ON_ACCENT, icon
from desktop.views.placeholders import EmptyState
from desktop.views.plan_dialog import PlanDialog
from desktop.views.session_format import Now, system_now

DASHBOARD, CUSTOMERS, CALENDAR, REPORTS = range(4)
PAGES = {
    DASHBOARD: ("Dashboard", "dashboard"),
    CUSTOMERS: ("Customers", "customers"),
    CALENDAR: ("Calendar", "calendar"),
    REPORTS: ("Reports", "reports"),
}
MAX_ERRORS_SHOWN = 6
MINIMUM_SIZE = QSize(960, 600)


class MainWindow(QMainWindow):
    """Composes the pages; all reading and writing goes through `context`'s services."""

    def __init__(self, context: AppContext, settings: QSettings, now: Now = system_now) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self._context = context
        self._settings = settings
        self._now = now
        self.setWindowTitle(f"amplan — {context.db.path.name}")
        # Set before the first show: see the WORKAROUND in CustomerDialog.__init__.
        self.setMinimumSize(MINIMUM_SIZE)

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setIconSize(QSize(20, 20))
        self.navigation.setFixedWidth(168)
        self.navigation.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for page, (label, icon_name) in PAGES.items():
            item = QListWidgetItem(icon(icon_name, selected=ON_ACCENT), label)
            item.setData(Qt.ItemDataRole.UserRole, page)
            self.navigation.addItem(item)

        self.dashboard = EmptyState(
            "dashboard",
            "Your week at a glance",
            "The dashboard arrives with the sessions work: today's calls, what is due, "
            "and who is running out of hours. Until then, the Customers page has your book.",
        )
        self.dashboard_add_button = self.dashboard.add_button("Add customer", "add", primary=True)
        self.dashboard_sample_button = self.dashboard.add_button("Load sample book", "sample")
        self.customers_page = CustomersPage(context, now=now)
        calendar = EmptyState(
            "calendar",
            "The calendar is on its way",
            "It arrives with the sessions work: you will book onboarding, screen-shares and "
            "account-management calls here, each checked against the customer's contract.",
        )
        reports = EmptyState(
            "reports",
            "Reports are on their way",
            "They arrive with the sessions work: what each customer has used of their "
            "contract, and which hours are billable.",
        )
        self.pages = QStackedWidget()
        self.pages.setObjectName("pages")
        for widget in (self.dashboard, self.customers_page, calendar, reports):
            self.pages.addWidget(widget)
        self.navigation.currentRowChanged.connect(self.pages.setCurrentIndex)

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.navigation)
        row.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self._build_menus()
        self.book_label = QLabel()
        self.book_label.setObjectName("bookPath")
        self.count_label = QLabel()
        self.count_label.setObjectName("customerCount")
        self.statusBar().addWidget(self.book_label, 1)
        self.statusBar().addPermanentWidget(self.count_label)

        self.customers_page.book_changed.connect(self.refresh)
        self.customers_page.sample_book_requested.connect(self.load_sample_book)
        self.dashboard_add_button.clicked.connect(self.add_customer)
        self.dashboard_sample_button.clicked.connect(self.load_sample_book)

        self._restore_state()
        self.refresh()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.add_action = QAction(icon("add"), "&Add customer…", self)
        self.add_action.setShortcut(QKeySequence.StandardKey.New)
        self.add_action.triggered.connect(self.add_customer)
        self.sample_action = QAction(icon("sample"), "Load &sample book", self)
        self.sample_action.triggered.connect(self.load_sample_book)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(self.add_action)
        file_menu.addAction(self.sample_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        sessions_menu = self.menuBar().addMenu("&Sessions")
        self.new_session_action = QAction(icon("add"), "&New session…", self)
        self.new_session_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.new_session_action.triggered.connect(self.new_session)
        self.plan_book_action = QAction(icon("calendar"), "&Plan the book…", self)
        self.plan_book_action.triggered.connect(self.plan_book)
        sessions_menu.addAction(self.new_session_action)
        sessions_menu.addAction(self.plan_book_action)
        help_menu = self.menuBar().addMenu("&Help")
        about_action = QAction("&About amplan", self)
        about_action.setMenuRole(QAction.MenuRole.AboutRole)
        about_action.triggered.connect(self.show_about)
        help_menu.addAction(about_action)

    # --- the book -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the book once and hand the rows to every page that shows them."""
        try:
            rows = self._context.customers.list()
            total = self._context.customers.count()
        except AmplanError as exc:
            messages.show_error(self, "Could not read the book", str(exc))
            return
        self.customers_page.set_rows(rows)
        self._show_counts(rows, total - len(rows))
        empty = total == 0
        self.dashboard_add_button.setVisible(empty)
        self.dashboard_sample_button.setVisible(empty)
        self.new_session_action.setEnabled(bool(rows))
        self.plan_book_action.setEnabled(bool(rows))

    def _show_counts(self, rows: list[CustomerRecord], archived: int) -> None:
        path = self._context.db.path
        self.book_label.setText(f"Book: {path}")
        self.book_label.setToolTip(str(path))
        count = len(rows)
        text = f"{count} customer" + ("" if count == 1 else "s")
        if archived:
            text += f" · {archived} archived"
        self.count_label.setText(text)

    def add_customer(self) -> None:
        self.show_page(CUSTOMERS)
        self.customers_page.add_customer()

    def load_sample_book(self) -> None:
        rows = self._context.customers.list()
        if rows and not messages.ask(
            self,
            "Load sample book",
            f"Your book already has {len(rows)} customers. Add the made-up sample customers to it?",
            "Add sample customers",
        ):
            return
        try:
            report = self._context.load_sample_book()
        except AmplanError as exc:
            messages.show_error(self, "Sample book not loaded", str(exc))
            return
        if report.errors:
            shown = report.errors[:MAX_ERRORS_SHOWN]
            more = len(report.errors) - len(shown)
            text = "Nothing was added, because:\n• " + "\n• ".join(shown)
            if more:
                text += f"\n…and {more} more."
            messages.show_error(self, "Sample book not loaded", text)
            return
        self.refresh()
        self.show_page(CUSTOMERS)
        self.statusBar().showMessage(f"Loaded {report.imported} sample customers.", 6000)

    def new_session(self) -> None:
        """Book for the selected customer (the first one if none is); the editor can switch."""
        self.show_page(CUSTOMERS)
        page = self.customers_page
        if page.selected_customer() is None:
            rows = self._context.customers.list()
            if not rows or not page.select_customer(rows[0].id):
                return
        page.sessions.new_session()

    def plan_book(self) -> None:
        """Plan every customer in the book at once; planning runs off the GUI thread."""
        try:
            customers = self._context.customers.list()
        except AmplanError as exc:
            messages.show_error(self, "Could not read the book", str(exc))
            return
        if not customers:
            return
        dialog = PlanDialog(self._context, customers, self._now, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sessions_booked.connect(self._plan_booked)
        dialog.open()
        dialog.start()

    def _plan_booked(self, records: list[object]) -> None:
        self.customers_page.sessions.refresh()
        count = len(records)
        self.statusBar().showMessage(f"Booked {count} planned session{'s' * (count != 1)}.", 6000)

    def show_page(self, page: int) -> None:
        self.navigation.setCurrentRow(page)

    def show_about(self) -> None:
        messages.show_about(
            self,
            "About amplan",
            "<b>amplan</b><br>Plans the sessions that SpiraTest, SpiraTeam and SpiraPlan "
            "customers are entitled to, by their licence and premium package.<br><br>"
            f"Book: {self._context.db.path}<br>Policy: {self._context.policy.title}",
        )

    # --- window state -------------------------------------------------------------------
    def _restore_state(self) -> None:
        settings = self._settings
        geometry = settings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 800)
        state = settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        page = str(settings.value("window/page", CUSTOMERS))
        self.show_page(int(page) if page.isdigit() and int(page) in PAGES else CUSTOMERS)
        self.customers_page.restore_state(settings)

    def save_state(self) -> None:
        settings = self._settings
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/page", self.navigation.currentRow())
        self.customers_page.save_state(settings)
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        super().closeEvent(event)
