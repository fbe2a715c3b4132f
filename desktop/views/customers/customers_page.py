"""The Customers page: search, table, actions and the selected customer's contract."""

from __future__ import annotations

from PySide6.QtCore import (
    QItemSelection,
    QModelIndex,
    QSettings,
    Qt,
    Signal,
)
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.services.customers import CustomerRecord
from desktop.services.display.session_format import Now, system_now
from desktop.views.customers.customer_detail import CustomerDetail
from desktop.views.customers.customer_dialog import CustomerDialog
from desktop.views.customers.customer_table_model import (
    CUSTOMER_ROLE,
    NAME,
    TIME_ZONE,
    CustomerFilterModel,
    CustomerTableModel,
)
from desktop.views.customers.owner_choice import of_owner, opening_owner
from desktop.views.sessions.sessions_panel import SessionsPanel
from desktop.views.shell.undo import SessionActions
from desktop.views.widgets import messages
from desktop.views.widgets.icons import icon_button, search_box
from desktop.views.widgets.placeholders import EmptyState
from desktop.views.widgets.table_model import record_table

CELL_PADDING = 20  # the stylesheet's 6px each side, and air
HEADER_PADDING = 24
SORT_ARROW = 16
MAX_COLUMN_WIDTH = 220
DETAIL_MIN_WIDTH = 330
DETAIL_MAX_WIDTH = 520


class CustomersPage(QStackedWidget):
    """Shows the empty-book welcome until there is a customer, then the table and the panel."""

    book_changed = Signal()
    customer_saved = Signal(object, bool)  # the customer, whether it is new
    owner_chosen = Signal()
    sample_book_requested = Signal()

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        now: Now = system_now,
        actions: SessionActions | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("customersPage")
        self._context = context

        self.empty_state = EmptyState(
            "customers",
            "Your book is empty",
            "Add your first customer to see what their contract gives, "
            "or load the sample book to look around with made-up customers.",
        )
        self.empty_add_button = self.empty_state.add_button("Add customer", "add", primary=True)
        self.empty_sample_button = self.empty_state.add_button("Load sample book", "sample")
        self.empty_add_button.clicked.connect(self.add_customer)
        self.empty_sample_button.clicked.connect(self.sample_book_requested)
        self.addWidget(self.empty_state)
        self.model = CustomerTableModel(
            {name: package.label for name, package in context.policy.packages.items()}, self
        )
        self.proxy = CustomerFilterModel(self)
        self.proxy.setSourceModel(self.model)
        toolbar = self._toolbar()
        self._build_table()
        # The sessions take the wide side under the table; their allowances go in the panel.
        self.sessions = SessionsPanel(context, now, actions=actions)
        self.detail = CustomerDetail(context.policy, context.clock, usage=self.sessions.usage_card)
        self.detail.setMinimumWidth(DETAIL_MIN_WIDTH - 20)
        self._build_splitters()
        listing = QWidget()
        column = QVBoxLayout(listing)
        column.setContentsMargins(16, 14, 16, 10)
        column.setSpacing(12)
        column.addLayout(toolbar)
        column.addWidget(self.splitter, 1)
        self.addWidget(listing)
        self._listing = listing
        self._columns_sized = False
        self._active_rows: list[CustomerRecord] = []
        self._splitter_sized = False
        self._update_actions()

    def _toolbar(self) -> QHBoxLayout:
        """The title, the search, whose customers, and the customer actions, wired."""
        title = QLabel("Customers")
        title.setObjectName("pageTitle")
        self.search = search_box("Search name, product, package or contact", 160)
        self.search.textChanged.connect(self._search_changed)
        self.add_button = icon_button("Add customer", "add", primary=True)
        self.edit_button = icon_button("Edit", "edit")
        self.archive_button = icon_button("Archive", "archive")
        self.add_button.setToolTip("Add a customer with their contract (Ctrl+N).")
        self.edit_button.setToolTip("Change the selected customer's contract or contacts.")
        self.archive_button.setToolTip(
            "Take the selected customer off the list; their contract and sessions are kept."
        )
        self.show_archived = QCheckBox("Archived")
        self.show_archived.setToolTip("Show archived customers too, to look them up or restore.")
        self.show_archived.toggled.connect(self._show_archived_toggled)
        # Whose customers: the team's, mine, or one colleague's (shown once a book has several
        # owners, or is the team's book on a server).
        self.owner_filter = QComboBox()
        self.owner_filter.setObjectName("ownerFilter")
        self.owner_filter.setToolTip(
            "Show the whole team's customers, yours, or a colleague's (here and on the Dashboard)."
        )
        self.owner_filter.currentIndexChanged.connect(self._owner_filter_changed)
        self.add_button.clicked.connect(self.add_customer)
        self.edit_button.clicked.connect(self.edit_selected)
        self.archive_button.clicked.connect(self.archive_selected)

        toolbar = QHBoxLayout()
        toolbar.setSpacing(8)
        toolbar.addWidget(title)
        toolbar.addSpacing(16)
        toolbar.addWidget(self.search, 1)
        toolbar.addWidget(self.owner_filter)
        toolbar.addWidget(self.show_archived)
        toolbar.addSpacing(8)
        toolbar.addWidget(self.add_button)
        toolbar.addWidget(self.edit_button)
        toolbar.addWidget(self.archive_button)
        return toolbar

    def _build_table(self) -> None:
        self.table = record_table("customerTable", self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(48)
        header.setDefaultSectionSize(80)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # The time zone gives way first when the window is narrow; the name never does.
        header.setSectionResizeMode(TIME_ZONE, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.no_match = QLabel()
        self.no_match.setObjectName("noMatch")
        self.no_match.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_match.hide()

    def _build_splitters(self) -> None:
        """The table over the sessions on the left, the customer's panel on the right."""
        table_side = QWidget()
        table_column = QVBoxLayout(table_side)
        table_column.setContentsMargins(0, 0, 0, 0)
        table_column.addWidget(self.table)
        table_column.addWidget(self.no_match)
        self.left_splitter = QSplitter(Qt.Orientation.Vertical)
        self.left_splitter.setObjectName("sessionsSplitter")
        self.left_splitter.setChildrenCollapsible(False)
        self.left_splitter.addWidget(table_side)
        self.left_splitter.addWidget(self.sessions)
        self.left_splitter.setStretchFactor(0, 1)
        self.left_splitter.setStretchFactor(1, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("customersSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.left_splitter)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

    # --- state --------------------------------------------------------------------------
    def set_rows(self, rows: list[CustomerRecord]) -> None:
        """Replace the table; the selected customer stays selected if still in the book.
        `rows` are the active customers; with "Archived" ticked the archived ones join them."""
        selected = self.selected_customer()
        self._active_rows = rows
        if self.show_archived.isChecked():
            try:
                rows = self._context.customers.list(include_archived=True)
            except AmplanError as exc:
                messages.show_error(self, "Could not read the archived customers", str(exc))
        self._fill_owner_filter(rows)
        book_rows, rows = rows, self.of_chosen_owner(rows)
        self.model.set_rows(rows)
        self.setCurrentWidget(self._listing if book_rows else self.empty_state)
        if rows and not self._columns_sized:
            self._fit_columns()
        if selected is not None:
            self.select_customer(selected.id)
        self._selection_changed()
        self._update_no_match()

    def selected_customer(self) -> CustomerRecord | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        customer = rows[0].data(CUSTOMER_ROLE)
        return customer if isinstance(customer, CustomerRecord) else None

    def select_customer(self, customer_id: int) -> bool:
        row = self.model.row_of(customer_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, NAME))
        if not index.isValid():
            return False
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("customers/splitter", self.splitter.saveState())
        settings.setValue("customers/header", self.table.horizontalHeader().saveState())
        settings.setValue("customers/sessionsSplitter", self.left_splitter.saveState())

    def restore_state(self, settings: QSettings) -> None:
        splitter = settings.value("customers/splitter")
        header = settings.value("customers/header")
        if splitter is not None and self.splitter.restoreState(splitter):
            self._splitter_sized = True
        if header is not None and self.table.horizontalHeader().restoreState(header):
            self._columns_sized = True
        sessions = settings.value("customers/sessionsSplitter")
        if sessions is not None:
            self.left_splitter.restoreState(sessions)

    def _fit_columns(self) -> None:
        """First sight of a full book: each column as wide as its longest cell, within reason."""
        cells = self.table.fontMetrics()
        bold = self.table.horizontalHeader().font()
        bold.setBold(True)
        headers = QFontMetrics(bold)
        for column in range(self.model.columnCount()):
            if column == TIME_ZONE:
                continue
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            texts = [
                str(self.model.index(row, column).data() or "")
                for row in range(self.model.rowCount())
            ]
            widest = max((cells.horizontalAdvance(text) for text in texts), default=0)
            arrow = SORT_ARROW if column == self.proxy.sortColumn() else 0
            width = max(
                widest + CELL_PADDING, headers.horizontalAdvance(title) + HEADER_PADDING + arrow
            )
            self.table.setColumnWidth(column, min(width, MAX_COLUMN_WIDTH))
        # Setting the mode again makes the header hand the time zone what is left.
        self.table.horizontalHeader().setSectionResizeMode(
            TIME_ZONE, QHeaderView.ResizeMode.Stretch
        )
        self._columns_sized = True

    def resizeEvent(self, event: QResizeEvent) -> None:
        """First layout with no saved split: the table gets the room, the panel a readable width."""
        super().resizeEvent(event)
        total = self.splitter.width() if self.splitter.isVisible() else event.size().width() - 40
        if not self._splitter_sized and total > 0:
            detail = max(DETAIL_MIN_WIDTH, min(DETAIL_MAX_WIDTH, int(total * 0.34)))
            self.splitter.setSizes([max(total - detail, 1), detail])
            self._splitter_sized = True

    # --- reactions ----------------------------------------------------------------------
    def _search_changed(self, text: str) -> None:
        self.proxy.set_search(text)
        self._update_no_match()
        if self.selected_customer() is None and self.proxy.rowCount() == 1:
            self.table.selectRow(0)

    def _update_no_match(self) -> None:
        text = self.search.text().strip()
        empty = bool(text) and self.proxy.rowCount() == 0
        self.no_match.setText(f"No customer matches “{text}”." if empty else "")
        self.no_match.setVisible(empty)

    def _selection_changed(self, *_: QItemSelection) -> None:
        customer = self.selected_customer()
        self.detail.show_customer(customer)
        if customer != self.sessions.customer():
            self.sessions.show_customer(customer)
        self._update_actions()

    def _show_archived_toggled(self, _checked: bool) -> None:
        self.set_rows(self._active_rows)

    # --- whose customers ------------------------------------------------------------------
    def _fill_owner_filter(self, rows: list[CustomerRecord]) -> None:
        try:
            mine = self._context.customers.manager_email()
        except AmplanError:
            mine = ""
        owners = sorted({r.owner for r in rows if r.owner} - {mine}, key=str.lower)
        choices: list[tuple[str, str | None]] = [("Team", None)]
        if mine:
            choices.append(("Mine", mine))
        choices += [(owner, owner) for owner in owners]
        chosen = self.owner_filter.currentData()
        if self.owner_filter.count() == 0:
            chosen = opening_owner(self._context)
        self.owner_filter.blockSignals(True)
        self.owner_filter.clear()
        for label, owner in choices:
            self.owner_filter.addItem(label, owner)
        index = self.owner_filter.findData(chosen) if chosen else 0
        self.owner_filter.setCurrentIndex(max(index, 0))
        self.owner_filter.blockSignals(False)
        self.owner_filter.setVisible(self._context.db.is_server or len(owners) > 0)

    def of_chosen_owner(self, rows: list[CustomerRecord]) -> list[CustomerRecord]:
        owner = self.owner_filter.currentData()
        return of_owner(rows, str(owner) if owner else None)

    def _owner_filter_changed(self, _index: int) -> None:
        self.set_rows(self._active_rows)
        self.owner_chosen.emit()

    def _update_actions(self) -> None:
        customer = self.selected_customer()
        has_selection = customer is not None
        self.edit_button.setEnabled(has_selection)
        self.archive_button.setEnabled(has_selection)
        archived = customer is not None and customer.archived
        self.archive_button.setText("Restore" if archived else "Archive")

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.edit_selected()

    # --- actions ------------------------------------------------------------------------
    def add_customer(self) -> None:
        self._open_dialog(CustomerDialog(self._context, None, self.window()))

    def edit_selected(self) -> None:
        customer = self.selected_customer()
        if customer is not None:
            self._open_dialog(CustomerDialog(self._context, customer, self.window()))

    def _open_dialog(self, dialog: CustomerDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        is_new = dialog.adds_customer
        dialog.customer_saved.connect(lambda customer: self._customer_saved(customer, is_new))
        dialog.open()

    def _customer_saved(self, customer: CustomerRecord, is_new: bool = False) -> None:
        self.book_changed.emit()
        self.customer_saved.emit(customer, is_new)
        if not self.select_customer(customer.id):
            # Saved but hidden by the search: clear it so the user sees what they saved.
            self.search.clear()
            self.select_customer(customer.id)

    def archive_selected(self) -> None:
        customer = self.selected_customer()
        if customer is None:
            return
        if customer.archived:
            self._restore(customer)
            return
        question = (
            f"Archive {customer.name}? They leave the customer list; "
            "their contract and contacts are kept."
        )
        if not messages.ask(self, "Archive customer", question, "Archive"):
            return
        try:
            self._context.customers.set_archived(customer.id, True)
        except AmplanError as exc:
            messages.show_error(self, "Could not archive", str(exc))
            return
        self.book_changed.emit()

    def _restore(self, customer: CustomerRecord) -> None:
        try:
            self._context.customers.set_archived(customer.id, False)
        except AmplanError as exc:
            messages.show_error(self, "Could not restore", str(exc))
            return
        self.book_changed.emit()
        self.select_customer(customer.id)
