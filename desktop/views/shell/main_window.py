"""The main window: navigation on the left, one page at a time, the book in the status bar.

It paints first, as a frame (navigation, menus' titles, status bar, "Opening your book…"),
before the services are imported; `open_book` then brings the book, the menus' entries and
the start page (each page is built when first shown, see `WindowPages`). It owns the one
`SessionActions` (the undo stack) and hands it to every page and dialog that changes sessions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QEvent, QSettings, QSize, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
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
    QWidget,
)

from desktop import __version__
from desktop.errors import AmplanError
from desktop.views.shell.window_menus import MenuActions, add_menus, fill_menus
from desktop.views.shell.window_pages import (
    CALENDAR,
    CUSTOMERS,
    DASHBOARD,
    PAGES,
    REPORTS,
    WindowPages,
)
from desktop.views.theme import ACCENT, ON_ACCENT
from desktop.views.widgets import messages
from desktop.views.widgets.action_notice import ActionNotice
from desktop.views.widgets.background import work_for
from desktop.views.widgets.delegates import AnyIndex, draw_pill, pill_font
from desktop.views.widgets.icons import icon

if TYPE_CHECKING:
    from desktop.app import AppContext
    from desktop.services.customers import CustomerRecord
    from desktop.services.display.session_format import Now
    from desktop.services.scheduling.sessions import SessionRecord
    from desktop.views.calendar.calendar_page import CalendarPage
    from desktop.views.calendar_sync.caldav_ui import SyncController, SyncStatus
    from desktop.views.customers.customers_page import CustomersPage
    from desktop.views.dashboard.dashboard_page import DashboardPage
    from desktop.views.mail.mail_ui import MailFront
    from desktop.views.reports.reports_page import ReportsPage
    from desktop.views.shell.find_dialog import FoundItem
    from desktop.views.shell.team_ui import BookWatch
    from desktop.views.shell.undo import SessionActions

__all__ = ["CALENDAR", "CUSTOMERS", "DASHBOARD", "PAGES", "REPORTS", "MainWindow"]

MAX_ERRORS_SHOWN = 6
MINIMUM_SIZE = QSize(1024, 700)
BADGE_ROLE = Qt.ItemDataRole.UserRole + 1
CLOSE_WAIT_MS = 10_000


def _system_now() -> datetime:
    return datetime.now(UTC)


class _NavigationDelegate(QStyledItemDelegate):
    """The navigation's items, with a count pill on the right when an item has one."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        super().paint(painter, option, index)
        count = index.data(BADGE_ROLE)
        if not isinstance(count, int) or count <= 0:
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        colours = (QColor(ON_ACCENT), ACCENT) if selected else (ACCENT, QColor(ON_ACCENT))
        text = str(count) if count < 1000 else "999+"
        right, middle = option.rect.right() - 6, option.rect.center().y()
        draw_pill(painter, right, middle, text, pill_font(option.font), colours)


class MainWindow(QMainWindow, MenuActions):
    """Composes the pages; all reading and writing goes through the book's services."""

    first_painted = Signal()
    """The frame is on screen: the moment to open the book."""

    # The book's side, there once `open_book` ran.
    session_actions: SessionActions
    sync: SyncController
    sync_status: SyncStatus
    mail: MailFront
    book_watch: BookWatch

    def __init__(
        self, context: AppContext | None, settings: QSettings, now: Now | None = None
    ) -> None:
        """The frame; with a `context` the book opens at once (without one, `open_book`
        brings it once the frame has painted)."""
        super().__init__()
        self.setObjectName("mainWindow")
        self._context: AppContext | None = None
        self.settings = settings
        self._now: Now = now or _system_now
        self._painted = False
        self.setWindowTitle("amplan")
        # Set before the first show: see the WORKAROUND in CustomerDialog.__init__.
        self.setMinimumSize(MINIMUM_SIZE)
        self.navigation = self._navigation()
        self.pages = QStackedWidget()
        self.pages.setObjectName("pages")
        self._pages = WindowPages(self, self.pages)
        self.navigation.currentRowChanged.connect(self._pages.show)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        for widget, stretch in ((self.navigation, 0), (self.pages, 1)):
            row.addWidget(widget, stretch)
        self.setCentralWidget(central)
        self.menus = add_menus(self.menuBar())
        self.book_label = QLabel()
        self.book_label.setObjectName("bookPath")
        self.count_label = QLabel()
        self.count_label.setObjectName("customerCount")
        self.notice = ActionNotice()
        self.statusBar().addWidget(self.notice)
        self.statusBar().addWidget(self.book_label, 1)
        self.statusBar().addPermanentWidget(self.count_label)
        self._restore_state()
        if context is not None:
            self.open_book(context)

    def _navigation(self) -> QListWidget:
        navigation = QListWidget()
        navigation.setObjectName("navigation")
        navigation.setIconSize(QSize(20, 20))
        navigation.setFixedWidth(184)
        navigation.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        navigation.setItemDelegate(_NavigationDelegate(navigation))
        for page, (label, icon_name) in PAGES.items():
            item = QListWidgetItem(icon(icon_name, selected=ON_ACCENT), label)
            item.setData(Qt.ItemDataRole.UserRole, page)
            navigation.addItem(item)
        return navigation

    def open_book(self, context: AppContext) -> None:
        """The book is open: the services, the menus' entries, the sync, the start page."""
        from desktop.views.calendar_sync.caldav_ui import SyncController, SyncStatus
        from desktop.views.mail.mail_ui import MailFront
        from desktop.views.shell.undo import SessionActions

        self._context = context
        self.setWindowTitle(f"amplan — {context.db.title}")
        # The one undo stack: every page and dialog that changes sessions goes through it.
        self.session_actions = SessionActions(context, self)
        fill_menus(self, self.menus)
        # CalDAV: synced in the background on start, after changes and every few minutes.
        self.sync = SyncController(context, self)
        self.sync_status = SyncStatus(self.sync)
        self.statusBar().addPermanentWidget(self.sync_status)
        self.session_actions.sessions_changed.connect(self.sync.sessions_changed)
        self.sync.synced.connect(self._calendar_synced)
        QTimer.singleShot(0, self.sync, self.sync.start)
        self.mail = MailFront(self, context, self.session_actions.sessions_changed)
        self.session_actions.sessions_changed.connect(self._refresh_reports)
        self._watch_the_book()
        self._pages.open(context, self.session_actions, self._now)
        self.read_book()
        self._pages.show(self.navigation.currentRow())
        if self.navigation.currentRow() != DASHBOARD:  # its count shows in the navigation
            QTimer.singleShot(0, self, lambda: self._pages.get(DASHBOARD))

    @property
    def context(self) -> AppContext:
        if self._context is None:
            raise RuntimeError("The book is not open yet.")
        return self._context

    @property
    def dashboard(self) -> DashboardPage:
        return cast("DashboardPage", self._pages.get(DASHBOARD))

    @property
    def customers_page(self) -> CustomersPage:
        return cast("CustomersPage", self._pages.get(CUSTOMERS))

    @property
    def calendar_page(self) -> CalendarPage:
        return cast("CalendarPage", self._pages.get(CALENDAR))

    @property
    def reports_page(self) -> ReportsPage:
        return cast("ReportsPage", self._pages.get(REPORTS))

    @property
    def dashboard_add_button(self) -> QWidget:
        return self.dashboard.empty_add_button

    @property
    def dashboard_sample_button(self) -> QWidget:
        return self.dashboard.empty_sample_button

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()

    def show_page(self, page: int) -> None:
        self.navigation.setCurrentRow(page)

    def go_to_today(self) -> None:
        self.go_to_day(self._now().date())

    def back_up(self) -> None:
        from desktop.views.shell.safety_ui import back_up_now

        back_up_now(self, self.context)

    def sync_now(self) -> None:
        self.sync.sync_now()

    def show_calendar_view(self, view: str) -> None:
        self.show_page(CALENDAR)
        self.calendar_page.set_view(view)

    def go_to_day(self, day: date) -> None:
        self.show_page(CALENDAR)
        self.calendar_page.go_to(day)

    def ask_date(self) -> None:
        from desktop.views.shell.go_to_date import GoToDateDialog

        dialog = GoToDateDialog(self.calendar_page.anchor(), self)
        if dialog.exec() == GoToDateDialog.DialogCode.Accepted:
            self.go_to_day(dialog.chosen())

    def find_in_book(self) -> None:
        from desktop.views.shell.find_dialog import FindDialog

        labels = {name: kind.label for name, kind in self.context.policy.kinds.items()}
        dialog = FindDialog(self.context.search, self.context.clock, labels, self)
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

        CopyBookDialog(self.context, self).exec()

    # --- calendar files ----------------------------------------------------------------
    def export_calendar(self) -> None:
        from desktop.views.calendar_files.calendar_files_ui import export_calendar

        customer = self.customers_page.selected_customer()
        export_calendar(self, self.context, customer, on_done=self._calendar_exported)

    def _calendar_exported(self, path: Path) -> None:
        self.statusBar().showMessage(f"Exported the calendar to {path}.", 6000)

    def import_my_calendar(self) -> None:
        self._import_busy(None)

    def open_calendar_file(self, path: Path) -> None:
        """A calendar file handed over by the desktop: offered as busy time."""
        self._import_busy(path)

    def _import_busy(self, path: Path | None) -> None:
        from desktop.views.calendar_files.calendar_files_ui import import_my_calendar

        today = self.context.clock.et_date(self._now())
        import_my_calendar(self, self.context, today, path=path, on_done=self._busy_imported)

    def _busy_imported(self, result: tuple[int, int]) -> None:
        self.statusBar().showMessage(f"Imported {result[0]} busy blocks.", 6000)
        self.refresh()

    def clear_busy_time(self) -> None:
        from desktop.views.calendar_files.calendar_files_ui import clear_busy_time

        removed = clear_busy_time(self, self.context)
        if removed is not None:
            self.statusBar().showMessage(f"Removed {removed} busy blocks.", 6000)
            self.refresh()

    def edit_caldav_account(self) -> None:
        from desktop.views.calendar_sync.caldav_ui import AccountDialog

        dialog = AccountDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self.sync.sync_now)
        dialog.open()

    def show_caldav_conflicts(self) -> None:
        from desktop.views.calendar_sync.caldav_ui import ConflictsDialog

        dialog = ConflictsDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.resolved.connect(self.sync.sessions_changed)
        dialog.open()

    def _calendar_synced(self, report: object) -> None:
        self.caldav_conflicts_action.setEnabled(bool(getattr(report, "conflicts", ())))
        if getattr(report, "busy", 0):  # busy time came or went: the pages show it
            self.refresh()

    # --- the book -----------------------------------------------------------------------
    def restore_backup(self) -> None:
        from desktop.views.shell.safety_ui import restore_from_backup

        if restore_from_backup(self, self.context):
            self.session_actions.stack.clear()  # its steps were about the book as it was
            self.refresh()

    def refresh(self) -> None:
        """The book changed: every page built so far re-reads it (the reports when shown)."""
        self.read_book()
        calendar = self._pages.built(CALENDAR)
        if calendar is not None:
            cast("CalendarPage", calendar).refresh()
        self._refresh_reports()

    def _watch_the_book(self) -> None:
        """Another manager's change (or a command-line one) shows up without a restart."""
        from desktop.views.shell.team_ui import BookWatch

        self.book_watch = BookWatch(self.context.db, self)
        self.book_watch.changed.connect(self.refresh)
        self.book_watch.trouble.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.session_actions.sessions_changed.connect(self.book_watch.note_own_change)

    def _refresh_reports(self) -> None:
        """The report reads the whole book: only when it is on screen (it reads on show)."""
        reports = self._pages.built(REPORTS)
        if reports is not None and reports.isVisible():
            cast("ReportsPage", reports).refresh()

    def read_book(self) -> None:
        """Re-read the book once and hand the rows to every page that shows them."""
        try:
            rows = self.context.customers.list()
            total = self.context.customers.count()
        except AmplanError as exc:
            messages.show_error(self, "Could not read the book", str(exc))
            return
        self._pages.set_rows(rows, total)
        self._show_counts(rows, total - len(rows))
        self.new_session_action.setEnabled(bool(rows))
        self.plan_book_action.setEnabled(bool(rows))

    def _show_counts(self, rows: list[CustomerRecord], archived: int) -> None:
        label = self.context.db.label
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
        rows = self.context.customers.list()
        if rows and not messages.ask(
            self,
            "Load sample book",
            f"Your book already has {len(rows)} customers. Add the made-up sample customers to it?",
            "Add sample customers",
        ):
            return
        try:
            report = self.context.load_sample_book()
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

    def show_attention_count(self, count: int) -> None:
        item = self.navigation.item(DASHBOARD)
        item.setData(BADGE_ROLE, count)
        label = PAGES[DASHBOARD][0]
        said = f"{count} thing{'s' if count != 1 else ''} need{'s' if count == 1 else ''} you"
        item.setToolTip(said if count else "Nothing needs you today")
        item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{label}, {said}" if count else label)

    def attention_badge(self) -> int:
        """The count shown beside "Dashboard" in the navigation (0: no badge)."""
        self._pages.get(DASHBOARD)  # the dashboard counts it: built now if it was not
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
        from desktop.views.sessions.session_editor import SessionEditor

        editor = SessionEditor(
            self.context,
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
        from desktop.services.display.session_format import when_et

        when = when_et(self.context.clock, record.start_utc, record.end_utc, record.all_day)
        kind = self.context.policy.kind(record.kind).label
        undo = self.undo_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        self.statusBar().showMessage(
            f"Booked {kind.lower()} with {', '.join(record.customers)}, {when}. "
            f"{undo} takes it back.",
            8000,
        )

    def plan_book(self) -> None:
        """Plan every customer in the book at once; planning runs off the GUI thread."""
        from desktop.views.sessions.plan_dialog import PlanDialog

        try:
            customers = self.context.customers.list()
        except AmplanError as exc:
            messages.show_error(self, "Could not read the book", str(exc))
            return
        if not customers:
            return
        dialog = PlanDialog(self.context, customers, self._now, self, actions=self.session_actions)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sessions_booked.connect(self._plan_booked)
        dialog.open()
        dialog.start()

    def customer_saved(self, customer: CustomerRecord, is_new: bool) -> None:
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

        dialog = PreferencesDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_about(self) -> None:
        from desktop.places import data_dir, log_dir
        from desktop.services.user_config import default_config_dir

        messages.show_about(
            self,
            "About amplan",
            f"<b>amplan {__version__}</b><br>Plans the sessions that SpiraTest, SpiraTeam and "
            "SpiraPlan customers are entitled to, by their licence and premium package.<br><br>"
            f"Book: {escape(self.context.db.label)}<br>"
            f"Data folder: {escape(str(data_dir()))}<br>"
            f"Settings folder: {escape(str(default_config_dir()))}<br>"
            f"Log folder: {escape(str(log_dir()))}<br>"
            f"Policy: {escape(self.context.policy.title)}",
        )

    # --- window state -------------------------------------------------------------------
    def _restore_state(self) -> None:
        """Size, place and page as the window was left (before the first paint)."""
        settings = self.settings
        geometry = settings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 800)
        state = settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        page = str(settings.value("window/page", CUSTOMERS))
        self.show_page(int(page) if page.isdigit() and int(page) in PAGES else CUSTOMERS)

    def save_state(self) -> None:
        settings = self.settings
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/page", self.navigation.currentRow())
        customers = self._pages.built(CUSTOMERS)
        if customers is not None:
            cast("CustomersPage", customers).save_state(settings)
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        if self._context is not None:
            self._stop_work()
        super().closeEvent(event)

    def _stop_work(self) -> None:
        """Work still running must end before the book closes under it: a plan is told to
        stop after the customer in hand, the dashboard finishes its (short) computation,
        the window's background jobs and the thread pool are waited for."""
        from desktop.views.sessions.plan_dialog import PlanDialog

        for dialog in self.findChildren(PlanDialog):
            if dialog.is_planning():
                dialog.cancel_planning()
        dashboard = self._pages.built(DASHBOARD)
        if dashboard is not None:
            cast("DashboardPage", dashboard).wait_for_idle()
        self.sync.stop()
        self.book_watch.timer.stop()  # no poll of a book about to close
        work_for(self).wait_for_all(CLOSE_WAIT_MS)
        QThreadPool.globalInstance().waitForDone(CLOSE_WAIT_MS)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._context is None or not self.mail.drag_entered(event):
            super().dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        """A reply (.ics or .eml) dropped on the window is imported."""
        if self._context is None or not self.mail.dropped(event):
            super().dropEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        """A new palette (the system went dark or light): the icons are tinted again."""
        if event.type() == QEvent.Type.PaletteChange:
            for page, (_label, icon_name) in PAGES.items():
                self.navigation.item(page).setIcon(icon(icon_name, selected=ON_ACCENT))
        super().changeEvent(event)
