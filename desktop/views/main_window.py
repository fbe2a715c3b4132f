"""The main window: navigation on the left, one page at a time, the book in the status bar.

It owns the one `SessionActions` (the undo stack) and hands it to every page and dialog that
changes sessions; the Edit menu's Undo and Redo name what they take back.
"""

from __future__ import annotations

import importlib
import importlib.util

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSettings,
    QSize,
    Qt,
    QThreadPool,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QFontMetrics,
    QKeySequence,
    QPainter,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QWidget,
)

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.services.customers import CustomerRecord
from desktop.services.sessions import SessionRecord
from desktop.views import messages
from desktop.views.calendar_files_ui import clear_busy_time, export_calendar, import_my_calendar
from desktop.views.customers_page import CustomersPage
from desktop.views.dashboard_page import DashboardPage
from desktop.views.icons import ON_ACCENT, icon
from desktop.views.mail_ui import MailFront
from desktop.views.placeholders import EmptyState
from desktop.views.plan_dialog import PlanDialog
from desktop.views.reports_page import ReportsPage
from desktop.views.session_editor import SessionEditor
from desktop.views.session_format import Now, system_now, when_et
from desktop.views.undo import SessionActions
from desktop.views.usage_bars import ACCENT

DASHBOARD, CUSTOMERS, CALENDAR, REPORTS = range(4)
PAGES = {
    DASHBOARD: ("Dashboard", "dashboard"),
    CUSTOMERS: ("Customers", "customers"),
    CALENDAR: ("Calendar", "calendar"),
    REPORTS: ("Reports", "reports"),
}
MAX_ERRORS_SHOWN = 6
MINIMUM_SIZE = QSize(960, 600)
BADGE_ROLE = Qt.ItemDataRole.UserRole + 1
CLOSE_WAIT_MS = 10_000
# Pages other helpers build; wired in when their module is there.
CALENDAR_MODULE = "desktop.views.calendar_page"


class _NavigationDelegate(QStyledItemDelegate):
    """The navigation's items, with a count pill on the right when an item has one."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        count = index.data(BADGE_ROLE)
        if not isinstance(count, int) or count <= 0:
            return
        text = str(count) if count < 1000 else "999+"
        font = QFont(option.font)
        font.setPointSizeF(font.pointSizeF() * 0.85)
        font.setWeight(QFont.Weight.DemiBold)
        metrics = QFontMetrics(font)
        height = metrics.height() + 2
        width = max(height, metrics.horizontalAdvance(text) + 12)
        rect = QRectF(
            option.rect.right() - width - 6,
            option.rect.center().y() - height / 2 + 0.5,
            width,
            height,
        )
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(ON_ACCENT) if selected else ACCENT)
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setFont(font)
        painter.setPen(ACCENT if selected else QColor(ON_ACCENT))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


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
        self.navigation.setFixedWidth(184)
        self.navigation.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.navigation.setItemDelegate(_NavigationDelegate(self.navigation))
        for page, (label, icon_name) in PAGES.items():
            item = QListWidgetItem(icon(icon_name, selected=ON_ACCENT), label)
            item.setData(Qt.ItemDataRole.UserRole, page)
            self.navigation.addItem(item)

        # The one undo stack: every page and dialog that changes sessions goes through it.
        self.session_actions = SessionActions(context, self)
        self.dashboard = DashboardPage(context, self.session_actions, now)
        self.dashboard_add_button = self.dashboard.empty_add_button
        self.dashboard_sample_button = self.dashboard.empty_sample_button
        self.customers_page = CustomersPage(context, now=now, actions=self.session_actions)
        self.calendar_page = self._calendar_page()
        self.reports_page = ReportsPage(context, now=now)
        self.pages = QStackedWidget()
        self.pages.setObjectName("pages")
        for widget in (self.dashboard, self.customers_page, self.calendar_page, self.reports_page):
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
        self.mail = MailFront(self, context, self.session_actions.sessions_changed)

        self.customers_page.book_changed.connect(self.refresh)
        self.customers_page.sample_book_requested.connect(self.load_sample_book)
        self.dashboard.add_customer_requested.connect(self.add_customer)
        self.dashboard.sample_book_requested.connect(self.load_sample_book)
        self.dashboard.attention_counted.connect(self._show_attention_count)
        self.dashboard.customer_requested.connect(self.show_customer)
        self.dashboard.session_requested.connect(self.show_session)
        self.session_actions.sessions_changed.connect(self._refresh_reports)
        for action in (self.new_session_action, self.plan_book_action):
            button = QToolButton()
            button.setObjectName("headerButton")
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setIconSize(QSize(16, 16))
            self.dashboard.add_header_button(button)

        self._restore_state()
        self._read_book()  # the calendar read the book as it was built

    def _calendar_page(self) -> QWidget:
        """The Calendar page when its module is there; a friendly placeholder until then."""
        if importlib.util.find_spec(CALENDAR_MODULE) is None:
            return EmptyState(
                "calendar",
                "The calendar is on its way",
                "You will book onboarding, screen-shares and account-management calls here, "
                "each checked against the customer's contract.",
            )
        module = importlib.import_module(CALENDAR_MODULE)
        page: QWidget = module.CalendarPage(self._context, self.session_actions, now=self._now)
        return page

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        edit_menu = self.menuBar().addMenu("&Edit")
        stack = self.session_actions.stack
        # Qt keeps their text current: "Undo move of Acme Logistics screen-share".
        self.undo_action = stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcuts(QKeySequence.StandardKey.Undo)
        self.undo_action.setIcon(icon("undo"))
        self.redo_action = stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcuts(QKeySequence.StandardKey.Redo)
        self.redo_action.setIcon(icon("redo"))
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
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
        self.new_session_action.setToolTip(
            "Book a session, checked against the contract as you type (Ctrl+Shift+N)."
        )
        self.new_session_action.triggered.connect(self.new_session)
        self.plan_book_action = QAction(icon("plan"), "&Plan the book…", self)
        self.plan_book_action.setToolTip(
            "Propose the onboarding and account-management calls of the next 12 months for "
            "every customer; you choose which to book."
        )
        self.plan_book_action.triggered.connect(self.plan_book)
        sessions_menu.addAction(self.new_session_action)
        sessions_menu.addAction(self.plan_book_action)
        sessions_menu.addSeparator()
        self.export_calendar_action = QAction(icon("calendar-export"), "&Export calendar…", self)
        self.export_calendar_action.setToolTip(
            "Save a calendar file (.ics) of a customer's or the whole book's sessions."
        )
        self.export_calendar_action.triggered.connect(self.export_calendar)
        self.import_calendar_action = QAction(icon("calendar-import"), "&Import my calendar…", self)
        self.import_calendar_action.setToolTip(
            "Your Outlook, Google or Apple calendar as busy time that bookings avoid."
        )
        self.import_calendar_action.triggered.connect(self.import_my_calendar)
        self.clear_busy_action = QAction("&Clear busy time…", self)
        self.clear_busy_action.triggered.connect(self.clear_busy_time)
        for action in (
            self.export_calendar_action,
            self.import_calendar_action,
            self.clear_busy_action,
        ):
            sessions_menu.addAction(action)
        help_menu = self.menuBar().addMenu("&Help")
        about_action = QAction("&About amplan", self)
        about_action.setMenuRole(QAction.MenuRole.AboutRole)
        about_action.triggered.connect(self.show_about)
        help_menu.addAction(about_action)

    # --- calendar files ----------------------------------------------------------------
    def export_calendar(self) -> None:
        path = export_calendar(self, self._context, self.customers_page.selected_customer())
        if path is not None:
            self.statusBar().showMessage(f"Exported the calendar to {path}.", 6000)

    def import_my_calendar(self) -> None:
        result = import_my_calendar(self, self._context)
        if result is not None:
            self.statusBar().showMessage(f"Imported {result[0]} busy blocks.", 6000)
            self.refresh()

    def clear_busy_time(self) -> None:
        removed = clear_busy_time(self, self._context)
        if removed is not None:
            self.statusBar().showMessage(f"Removed {removed} busy blocks.", 6000)
            self.refresh()

    # --- the book -----------------------------------------------------------------------
    def refresh(self) -> None:
        """The book changed: every page re-reads it."""
        self._read_book()
        calendar_refresh = getattr(self.calendar_page, "refresh", None)
        if callable(calendar_refresh):
            calendar_refresh()
        self._refresh_reports()

    def _refresh_reports(self) -> None:
        """The report reads the whole book: only when it is on screen (it reads on show)."""
        if self.reports_page.isVisible():
            self.reports_page.refresh()

    def _read_book(self) -> None:
        """Re-read the book once and hand the rows to every page that shows them."""
        try:
            rows = self._context.customers.list()
            total = self._context.customers.count()
        except AmplanError as exc:
            messages.show_error(self, "Could not read the book", str(exc))
            return
        self.customers_page.set_rows(rows)
        self._show_counts(rows, total - len(rows))
        self.dashboard.set_customers(rows, total)
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

    def _show_attention_count(self, count: int) -> None:
        item = self.navigation.item(DASHBOARD)
        item.setData(BADGE_ROLE, count)
        label = PAGES[DASHBOARD][0]
        said = f"{count} thing{'s' if count != 1 else ''} need{'s' if count == 1 else ''} you"
        item.setToolTip(said if count else "Nothing needs you today")
        item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{label}, {said}" if count else label)

    def attention_badge(self) -> int:
        """The count shown beside "Dashboard" in the navigation (0: no badge)."""
        value = self.navigation.item(DASHBOARD).data(BADGE_ROLE)
        return value if isinstance(value, int) else 0

    def show_customer(self, customer_id: int) -> None:
        self.show_page(CUSTOMERS)
        page = self.customers_page
        if not page.select_customer(customer_id):
            page.search.clear()
            page.select_customer(customer_id)

    def show_session(self, record: SessionRecord) -> None:
        """The session among its (first) customer's sessions on the Customers page."""
        if not record.customer_ids:
            return
        self.show_customer(record.customer_ids[0])
        self.customers_page.sessions.select_session(record.id)

    def new_session(self) -> None:
        """Book for the selected customer (the first one if none is); the editor can switch."""
        editor = SessionEditor(
            self._context,
            self.customers_page.selected_customer(),
            None,
            self._now,
            self,
            actions=self.session_actions,
        )
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.session_saved.connect(self._session_booked)
        editor.open()

    def _session_booked(self, record: SessionRecord) -> None:
        """Said in the status bar; the page in view stays (every page shows it already)."""
        when = when_et(self._context.clock, record.start_utc, record.end_utc, record.all_day)
        kind = self._context.policy.kind(record.kind).label
        undo = self.undo_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        self.statusBar().showMessage(
            f"Booked {kind.lower()} with {', '.join(record.customers)}, {when}. "
            f"{undo} takes it back.",
            8000,
        )

    def plan_book(self) -> None:
        """Plan every customer in the book at once; planning runs off the GUI thread."""
        try:
            customers = self._context.customers.list()
        except AmplanError as exc:
            messages.show_error(self, "Could not read the book", str(exc))
            return
        if not customers:
            return
        dialog = PlanDialog(self._context, customers, self._now, self, actions=self.session_actions)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sessions_booked.connect(self._plan_booked)
        dialog.open()
        dialog.start()

    def _plan_booked(self, records: list[object]) -> None:
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
        # Work still running must end before the book closes under it: a plan is told to
        # stop after the customer in hand, the dashboard finishes its (short) computation.
        for dialog in self.findChildren(PlanDialog):
            if dialog.is_planning():
                dialog.cancel_planning()
        self.dashboard.wait_for_idle()
        QThreadPool.globalInstance().waitForDone(CLOSE_WAIT_MS)
        super().closeEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not self.mail.drag_entered(event):
            super().dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        """A reply (.ics or .eml) dropped on the window is imported."""
        if not self.mail.dropped(event):
            super().dropEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        """A new palette (the system went dark or light): the icons are tinted again."""
        if event.type() == QEvent.Type.PaletteChange:
            for page, (_label, icon_name) in PAGES.items():
                self.navigation.item(page).setIcon(icon(icon_name, selected=ON_ACCENT))
        super().changeEvent(event)
