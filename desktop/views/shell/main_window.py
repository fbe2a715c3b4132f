"""The main window: navigation on the left, one page at a time, the book in the status bar.

It owns the one `SessionActions` (the undo stack) and hands it to every page and dialog that
changes sessions; the Edit menu's Undo and Redo name what they take back.
"""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSettings,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
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

from desktop import __version__
from desktop.app import AppContext, data_dir, log_dir
from desktop.errors import AmplanError
from desktop.services.customers import CustomerRecord
from desktop.services.display.session_format import Now, system_now, when_et
from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.user_config import default_config_dir
from desktop.views.calendar.calendar_page import VIEW_LABELS, VIEWS, CalendarPage
from desktop.views.calendar_files.calendar_files_ui import (
    clear_busy_time,
    export_calendar,
    import_my_calendar,
)
from desktop.views.calendar_sync.caldav_ui import (
    AccountDialog,
    ConflictsDialog,
    SyncController,
    SyncStatus,
)
from desktop.views.customers.customers_page import CustomersPage
from desktop.views.dashboard.dashboard_page import DashboardPage
from desktop.views.mail.mail_ui import MailFront
from desktop.views.reports.reports_page import ReportsPage
from desktop.views.sessions.plan_dialog import PlanDialog
from desktop.views.sessions.session_editor import SessionEditor
from desktop.views.shell.find_dialog import FindDialog, FoundItem
from desktop.views.shell.go_to_date import GoToDateDialog
from desktop.views.shell.safety_ui import back_up_now, restore_from_backup
from desktop.views.shell.undo import SessionActions
from desktop.views.theme import ACCENT, ON_ACCENT
from desktop.views.widgets import messages
from desktop.views.widgets.action_notice import ActionNotice
from desktop.views.widgets.icons import icon

DASHBOARD, CUSTOMERS, CALENDAR, REPORTS = range(4)
PAGES = {
    DASHBOARD: ("Dashboard", "dashboard"),
    CUSTOMERS: ("Customers", "customers"),
    CALENDAR: ("Calendar", "calendar"),
    REPORTS: ("Reports", "reports"),
}
MAX_ERRORS_SHOWN = 6
MINIMUM_SIZE = QSize(1024, 700)
BADGE_ROLE = Qt.ItemDataRole.UserRole + 1
CLOSE_WAIT_MS = 10_000
# Pages other helpers build; wired in when their module is there.


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
        self.setWindowTitle(f"amplan — {context.db.title}")
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
        self.calendar_page = CalendarPage(self._context, self.session_actions, now=self._now)
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
        self.notice = ActionNotice()
        self.statusBar().addWidget(self.notice)
        self.statusBar().addWidget(self.book_label, 1)
        self.statusBar().addPermanentWidget(self.count_label)
        # CalDAV: synced in the background on start, after changes and every few minutes.
        self.sync = SyncController(context, self)
        self.sync_status = SyncStatus(self.sync)
        self.statusBar().addPermanentWidget(self.sync_status)
        self.session_actions.sessions_changed.connect(self.sync.sessions_changed)
        self.customers_page.book_changed.connect(self.sync.sessions_changed)
        self.sync.synced.connect(self._calendar_synced)
        QTimer.singleShot(0, self.sync, self.sync.start)
        self.mail = MailFront(self, context, self.session_actions.sessions_changed)

        self.customers_page.book_changed.connect(self.refresh)
        self.customers_page.customer_saved.connect(self._customer_saved)
        self.customers_page.owner_chosen.connect(self._read_book)
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
        self._watch_the_book()

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
        self.print_calendar_action = QAction("&Print calendar…", self)
        self.print_calendar_action.setShortcut(QKeySequence.StandardKey.Print)
        self.print_calendar_action.setToolTip(
            "Print or save as PDF the calendar's day, week, month or agenda as shown."
        )
        self.print_calendar_action.triggered.connect(self.print_calendar)
        file_menu.addAction(self.add_action)
        file_menu.addAction(self.sample_action)
        self.copy_book_action = QAction("&Copy book to a team server…", self)
        self.copy_book_action.setToolTip("Copy the whole book into an empty team book.")
        self.copy_book_action.triggered.connect(self.copy_book)
        file_menu.addAction(self.copy_book_action)
        file_menu.addSeparator()
        file_menu.addAction(self.print_calendar_action)
        file_menu.addSeparator()
        self.backup_action = QAction("&Back up now", self)
        self.backup_action.triggered.connect(lambda: back_up_now(self, self._context))
        self.restore_action = QAction("&Restore from backup…", self)
        self.restore_action.triggered.connect(self.restore_backup)
        file_menu.addAction(self.backup_action)
        file_menu.addAction(self.restore_action)
        file_menu.addSeparator()
        self.preferences_action = QAction("&Preferences…", self)
        self.preferences_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.preferences_action.triggered.connect(self.show_preferences)
        file_menu.addAction(self.preferences_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        self.find_action = QAction(icon("search"), "&Find…", self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.setToolTip("Find customers, sessions and busy time in the whole book.")
        self.find_action.triggered.connect(self.find_in_book)
        edit_menu.addSeparator()
        edit_menu.addAction(self.find_action)
        self._build_view_menu()
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
        sessions_menu.addSeparator()
        self.sync_now_action = QAction("S&ync now", self)
        self.sync_now_action.setShortcut(QKeySequence("F5"))
        self.sync_now_action.triggered.connect(lambda: self.sync.sync_now())
        self.caldav_account_action = QAction("Calendar &account…", self)
        self.caldav_account_action.setToolTip(
            "Your CalDAV calendar (Nextcloud, Fastmail, iCloud...): sessions go there, busy "
            "time comes back."
        )
        self.caldav_account_action.triggered.connect(self.edit_caldav_account)
        self.caldav_conflicts_action = QAction("Calendar &conflicts…", self)
        self.caldav_conflicts_action.setEnabled(False)
        self.caldav_conflicts_action.triggered.connect(self.show_caldav_conflicts)
        sessions_menu.addAction(self.sync_now_action)
        sessions_menu.addAction(self.caldav_account_action)
        sessions_menu.addAction(self.caldav_conflicts_action)
        help_menu = self.menuBar().addMenu("&Help")
        about_action = QAction("&About amplan", self)
        about_action.setMenuRole(QAction.MenuRole.AboutRole)
        about_action.triggered.connect(self.show_about)
        help_menu.addAction(about_action)

    def _build_view_menu(self) -> None:
        """Every page and calendar view with its shortcut, for the keyboard and the curious."""
        view_menu = self.menuBar().addMenu("&View")
        self.page_actions: dict[int, QAction] = {}
        for number, (page, (label, _icon)) in enumerate(PAGES.items(), start=1):
            action = QAction(label, self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _checked=False, p=page: self.show_page(p))
            view_menu.addAction(action)
            self.page_actions[page] = action
        view_menu.addSeparator()
        self.calendar_view_actions: dict[str, QAction] = {}
        for view in VIEWS:
            label = VIEW_LABELS[view]
            action = QAction(f"{label} view", self)
            action.setShortcut(QKeySequence(f"Ctrl+Shift+{label[0]}"))
            action.triggered.connect(lambda _checked=False, v=view: self.show_calendar_view(v))
            view_menu.addAction(action)
            self.calendar_view_actions[view] = action
        view_menu.addSeparator()
        today = QAction("&Today", self)
        today.setShortcut(QKeySequence("Ctrl+T"))
        today.triggered.connect(lambda: self.go_to_day(self._now().date()))
        self.go_to_date_action = QAction("&Go to date…", self)
        self.go_to_date_action.setShortcut(QKeySequence("Ctrl+G"))
        self.go_to_date_action.triggered.connect(self.ask_date)
        view_menu.addAction(today)
        view_menu.addAction(self.go_to_date_action)

    def show_calendar_view(self, view: str) -> None:
        self.show_page(CALENDAR)
        self.calendar_page.set_view(view)

    def go_to_day(self, day: date) -> None:
        self.show_page(CALENDAR)
        self.calendar_page.go_to(day)

    def ask_date(self) -> None:
        dialog = GoToDateDialog(self.calendar_page.anchor(), self)
        if dialog.exec() == GoToDateDialog.DialogCode.Accepted:
            self.go_to_day(dialog.chosen())

    def find_in_book(self) -> None:
        labels = {name: kind.label for name, kind in self._context.policy.kinds.items()}
        dialog = FindDialog(self._context.search, self._context.clock, labels, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(self.reveal)
        dialog.open()

    def reveal(self, item: FoundItem) -> None:
        """Go to what Find found: the customer on its page, a session or busy time on the
        calendar at its day."""
        if item.what == "customer":
            page = self.customers_page
            self.show_page(CUSTOMERS)
            page.search.clear()
            page.owner_filter.setCurrentIndex(0)  # the whole team: Find looks everywhere
            if not page.select_customer(item.id):
                page.show_archived.setChecked(True)
                page.select_customer(item.id)
            return
        if isinstance(item.day, date):
            self.show_page(CALENDAR)
            self.calendar_page.reveal(item.day, item.id if item.what == "session" else None)

    def print_calendar(self) -> None:
        self.show_page(CALENDAR)
        self.calendar_page.print_calendar()

    def copy_book(self) -> None:
        from desktop.views.shell.team_ui import CopyBookDialog

        CopyBookDialog(self._context, self).exec()

    # --- calendar files ----------------------------------------------------------------
    def export_calendar(self) -> None:
        path = export_calendar(self, self._context, self.customers_page.selected_customer())
        if path is not None:
            self.statusBar().showMessage(f"Exported the calendar to {path}.", 6000)

    def import_my_calendar(self) -> None:
        self._import_busy(None)

    def open_calendar_file(self, path: Path) -> None:
        """A calendar file handed over by the desktop: offered as busy time."""
        self._import_busy(path)

    def _import_busy(self, path: Path | None) -> None:
        today = self._context.clock.et_date(self._now())
        result = import_my_calendar(self, self._context, today, path=path)
        if result is not None:
            self.statusBar().showMessage(f"Imported {result[0]} busy blocks.", 6000)
            self.refresh()

    def clear_busy_time(self) -> None:
        removed = clear_busy_time(self, self._context)
        if removed is not None:
            self.statusBar().showMessage(f"Removed {removed} busy blocks.", 6000)
            self.refresh()

    def edit_caldav_account(self) -> None:
        dialog = AccountDialog(self._context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self.sync.sync_now)
        dialog.open()

    def show_caldav_conflicts(self) -> None:
        dialog = ConflictsDialog(self._context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.resolved.connect(self.sync.sessions_changed)
        dialog.open()

    def _calendar_synced(self, report: object) -> None:
        self.caldav_conflicts_action.setEnabled(bool(getattr(report, "conflicts", ())))
        if getattr(report, "busy", 0):  # busy time came or went: the pages show it
            self.refresh()

    # --- the book -----------------------------------------------------------------------
    def restore_backup(self) -> None:
        if restore_from_backup(self, self._context):
            self.session_actions.stack.clear()  # its steps were about the book as it was
            self.refresh()

    def refresh(self) -> None:
        """The book changed: every page re-reads it."""
        self._read_book()
        calendar_refresh = getattr(self.calendar_page, "refresh", None)
        if callable(calendar_refresh):
            calendar_refresh()
        self._refresh_reports()

    def _watch_the_book(self) -> None:
        """Another manager's change (or a command-line one) shows up without a restart."""
        from desktop.views.shell.team_ui import BookWatch

        self.book_watch = BookWatch(self._context, self)
        self.book_watch.changed.connect(self.refresh)
        self.book_watch.trouble.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.session_actions.sessions_changed.connect(self.book_watch.note_own_change)
        self.customers_page.book_changed.connect(self.book_watch.note_own_change)

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
        self.dashboard.set_customers(self.customers_page.of_chosen_owner(rows), total)
        self.new_session_action.setEnabled(bool(rows))
        self.plan_book_action.setEnabled(bool(rows))

    def _show_counts(self, rows: list[CustomerRecord], archived: int) -> None:
        label = self._context.db.label
        self.book_label.setText(f"Book: {label}")
        self.book_label.setToolTip(label)
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

    def _customer_saved(self, customer: CustomerRecord, is_new: bool) -> None:
        self.notice.say(f"{'Added' if is_new else 'Saved'} {customer.name}.")

    def _plan_booked(self, records: list[SessionRecord]) -> None:
        """One plan is one undo step: the notice offers to take the whole plan back."""
        count = len(records)
        names = {name for record in records for name in record.customers}
        whom = next(iter(names)) if len(names) == 1 else f"{len(names)} customers"
        self.notice.say(
            f"Booked {count} session{'s' * (count != 1)} for {whom}.",
            self.session_actions.stack.undo if count else None,
        )

    def show_preferences(self) -> None:
        from desktop.views.shell.preferences_dialog import PreferencesDialog

        dialog = PreferencesDialog(self._context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_page(self, page: int) -> None:
        self.navigation.setCurrentRow(page)

    def show_about(self) -> None:
        messages.show_about(
            self,
            "About amplan",
            f"<b>amplan {__version__}</b><br>Plans the sessions that SpiraTest, SpiraTeam and "
            "SpiraPlan customers are entitled to, by their licence and premium package.<br><br>"
            f"Book: {escape(self._context.db.label)}<br>"
            f"Data folder: {escape(str(data_dir()))}<br>"
            f"Settings folder: {escape(str(default_config_dir()))}<br>"
            f"Log folder: {escape(str(log_dir()))}<br>"
            f"Policy: {escape(self._context.policy.title)}",
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
        self.sync.stop()
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
