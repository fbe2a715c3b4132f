"""The Reports page: the book report as a sortable table, its CSV, PDF and print preview, and
each customer's entitlement summary.

The book is read on a worker thread (a big book takes a moment); a progress bar appears only
if that takes longer than half a second. PDFs of the whole book are written there too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.services.business_time import BusinessClock, format_day
from desktop.services.calendar_files.calendar_files import write_file
from desktop.services.customers import CustomerRecord
from desktop.services.display.session_format import Now, system_now
from desktop.services.reports.book_report import ALLOWANCE_COLUMNS, BookReport, BookRow, book_csv
from desktop.services.reports.reports import Reports
from desktop.views.reports.printing import (
    PAPER_LABELS,
    DocumentPreview,
    default_paper,
    suggested_path,
    write_pdf,
)
from desktop.views.widgets import messages
from desktop.views.widgets.background import work_for
from desktop.views.widgets.elided_label import ElidedLabel
from desktop.views.widgets.icons import icon_button, search_box
from desktop.views.widgets.page_parts import title_bar
from desktop.views.widgets.placeholders import EmptyState
from desktop.views.widgets.table_model import AnyIndex, RowsTableModel, record_table

CUSTOMER, PACKAGE, FIRST_ALLOWANCE = 0, 1, 2
NEXT_SESSION = FIRST_ALLOWANCE + len(ALLOWANCE_COLUMNS)
RENEWAL, RISKS = NEXT_SESSION + 1, NEXT_SESSION + 2
# Two-word titles on two lines keep the seven allowance columns narrow.
HEADERS = {
    CUSTOMER: "Customer",
    PACKAGE: "Package",
    **{
        FIRST_ALLOWANCE + i: title.replace(" ", "\n").replace("-", "-\n")
        for i, (_, title, _) in enumerate(ALLOWANCE_COLUMNS)
    },
    NEXT_SESSION: "Next session",
    RENEWAL: "Renewal",
    RISKS: "Risks",
}
CELL_PADDING = 12
SORT_ARROW = 12
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
ROW_ROLE = Qt.ItemDataRole.UserRole + 3
# Show the progress bar only for work that takes longer than this.
PROGRESS_DELAY_MS = 500


def _short_day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


class BookTableModel(RowsTableModel):
    """One row per customer of a `BookReport`, replaced as a whole through `set_rows`."""

    headers = HEADERS

    def __init__(self, clock: BusinessClock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._issued = date.today()

    def set_rows(self, rows: Sequence[BookRow], issued: date | None = None) -> None:
        """`issued`: the report's day; next sessions in another year show their year."""
        self._issued = issued or date.today()
        super().set_rows(rows)

    def row_at(self, row: int) -> BookRow:
        record: BookRow = self._rows[row]
        return record

    def header_data(self, section: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and self.is_allowance(section):
            return "Used / scheduled / left, in per cent of this period's allowance"
        if role == Qt.ItemDataRole.TextAlignmentRole and self.is_allowance(section):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def is_allowance(column: int) -> bool:
        return FIRST_ALLOWANCE <= column < NEXT_SESSION

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == SEARCH_ROLE:
            return f"{row.customer.name} {row.customer.product} {row.package_label}".lower()
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole and self.is_allowance(column):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == RISKS and row.risks:
                return "\n".join(row.risks)
            if column == NEXT_SESSION and row.next_session_text:
                return row.next_session_text
            if self.is_allowance(column):
                share = row.shares[column - FIRST_ALLOWANCE]
                return "Not in this contract" if share is None else share.words()
        return None

    def _display(self, row: BookRow, column: int) -> str | None:
        if column == CUSTOMER:
            return row.customer.name
        if self.is_allowance(column):
            share = row.shares[column - FIRST_ALLOWANCE]
            return "—" if share is None else share.short()
        if column == PACKAGE:
            return row.package_label
        if column == RISKS:
            if not row.risks:
                return ""
            more = f" (+{len(row.risks) - 1})" if len(row.risks) > 1 else ""
            return f"{row.risks[0]}{more}"
        if column == NEXT_SESSION:
            return self._next_text(row)
        if column == RENEWAL:
            return _short_day(row.renewal)
        return None

    def _next_text(self, row: BookRow) -> str:
        """'Thu 12 Mar 09:00 · Screen-share': the table has no room for the year."""
        following = row.next_session
        if following is None:
            return ""
        start = self._clock.et(following.start_utc)
        when = f"{start:%a} {start.day} {start:%b}"
        if start.year != self._issued.year:
            when += f" {start.year}"
        if not following.all_day:
            when += f" {start:%H:%M}"
        kind = row.next_session_text.rpartition(" · ")[2]
        return f"{when} · {kind}"

    def _sort_key(self, row: BookRow, column: int) -> Any:
        if self.is_allowance(column):
            share = row.shares[column - FIRST_ALLOWANCE]
            return -1.0 if share is None else share.committed_percent
        if column == RISKS:
            return len(row.risks)
        if column == NEXT_SESSION:
            following = row.next_session
            # No next session sorts last: that is the customer to look at.
            return following.start_utc.isoformat() if following else "~"
        if column == RENEWAL:
            return row.renewal.isoformat()
        if column == PACKAGE:
            return ("none", "silver", "gold", "platinum").index(row.customer.package)
        return (self._display(row, column) or "").lower()


class BookFilterModel(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterRole(SEARCH_ROLE)
        self.setFilterKeyColumn(CUSTOMER)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)


class ReportsPage(QStackedWidget):
    """The book report, refreshed every time the page is shown."""

    report_loaded = Signal()
    pdf_saved = Signal(Path)
    work_failed = Signal(str)

    def __init__(
        self, context: AppContext, parent: QWidget | None = None, now: Now = system_now
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reportsPage")
        self._context = context
        self._reports = Reports(context.scheduler)
        self._now = now
        self.report: BookReport | None = None
        self._generation = 0
        self._busy = 0

        self.empty_state = EmptyState(
            "reports",
            "Nothing to report yet",
            "Reports list every customer of your book: what they have used of their contract, "
            "what needs attention and when they renew. Add a customer to see them here.",
        )
        self.addWidget(self.empty_state)
        self.model = BookTableModel(context.clock, self)
        self.proxy = BookFilterModel(self)
        self.proxy.setSourceModel(self.model)
        listing = QWidget()
        page_column = QVBoxLayout(listing)
        page_column.setContentsMargins(16, 14, 16, 10)
        page_column.setSpacing(10)
        page_column.addLayout(self._build_toolbar())
        page_column.addLayout(self._build_book_bar())
        page_column.addWidget(self._build_table(), 1)
        self.addWidget(listing)
        self._listing = listing
        # The listing (with its progress bar) until a read says the book is empty: saying
        # "nothing to report" while the book is still being read would be wrong.
        self.setCurrentWidget(listing)
        self._progress_timer = QTimer(self)
        self._progress_timer.setSingleShot(True)
        self._progress_timer.setInterval(PROGRESS_DELAY_MS)
        self._progress_timer.timeout.connect(self._show_progress)
        self._update_actions()

    # --- layout -------------------------------------------------------------------------
    def _build_toolbar(self) -> QLayout:
        """The title, the search and the summary of the selected customer."""
        self.search = search_box("Search customer, product or package", 220)
        self.search.textChanged.connect(lambda text: self.proxy.setFilterFixedString(text.strip()))
        self.summary_button = icon_button("Entitlement summary…", "reports", primary=True)
        self.summary_button.setToolTip(
            "Preview the selected customer's summary, then print it or save it as PDF or HTML"
        )
        self.summary_button.clicked.connect(self.preview_summary)
        toolbar = title_bar("Reports", self.search)
        toolbar.addSpacing(8)
        toolbar.addWidget(self.summary_button)
        return toolbar

    def _build_book_bar(self) -> QLayout:
        """The caption, the progress of background work, the paper and the whole-book actions."""
        self.caption = ElidedLabel()
        self.caption.setObjectName("reportCaption")
        # How to read a cell, on a line of its own: beside the counts it was cut off.
        self.legend = ElidedLabel(
            "Allowances: used / scheduled / left, in % of this period's allowance"
        )
        self.legend.setObjectName("reportLegend")
        captions = QVBoxLayout()
        captions.setSpacing(0)
        captions.addWidget(self.caption)
        captions.addWidget(self.legend)
        self.progress = QProgressBar()
        self.progress.setObjectName("reportProgress")
        self.progress.setRange(0, 0)  # busy: the work has no meaningful steps to count
        self.progress.setMaximumWidth(180)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.progress_label = QLabel()
        self.progress_label.hide()
        self.paper = QComboBox()
        self.paper.setToolTip("Paper size of PDFs and printouts")
        for key, label in PAPER_LABELS.items():
            self.paper.addItem(label, key)
        self.paper.setCurrentIndex(list(PAPER_LABELS).index(default_paper()))
        self.csv_button = QPushButton("Export CSV…")
        self.preview_button = QPushButton("Print preview…")
        self.pdf_button = QPushButton("Save as PDF…")
        self.csv_button.clicked.connect(self.export_csv)
        self.preview_button.clicked.connect(self.preview_book)
        self.pdf_button.clicked.connect(self.save_book_pdf)
        book_bar = QHBoxLayout()
        book_bar.setSpacing(8)
        book_bar.addLayout(captions, 1)
        book_bar.addSpacing(8)
        for widget in (self.progress, self.progress_label, QLabel("Paper"), self.paper):
            book_bar.addWidget(widget)
        for button in (self.csv_button, self.preview_button, self.pdf_button):
            book_bar.addWidget(button)
        return book_bar

    def _build_table(self) -> QTableView:
        self.table = record_table("bookTable", self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(CUSTOMER, Qt.SortOrder.AscendingOrder)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(48)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._size_columns(header)
        self.table.doubleClicked.connect(lambda _index: self.preview_summary())
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        return self.table

    def _size_columns(self, header: QHeaderView) -> None:
        """Each column as wide as its heading (in bold) or, for an allowance, its widest cell."""
        bold = QFont(header.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        share_width = self.table.fontMetrics().horizontalAdvance("100 / 100 / 100")
        for column, heading in HEADERS.items():
            widest = max(metrics.horizontalAdvance(line) for line in heading.split("\n"))
            if self.model.is_allowance(column):
                widest = max(widest, share_width)
            header.resizeSection(column, widest + CELL_PADDING + SORT_ARROW)
        header.resizeSection(CUSTOMER, 170)
        header.resizeSection(
            NEXT_SESSION,
            metrics.horizontalAdvance("Wed 30 Sep 00:00 · Product-team 1:1") + CELL_PADDING,
        )
        header.resizeSection(
            RENEWAL, metrics.horizontalAdvance("30 Sep 2026") + CELL_PADDING + SORT_ARROW
        )

    # --- state --------------------------------------------------------------------------
    @property
    def paper_size(self) -> str:
        return str(self.paper.currentData())

    @property
    def busy(self) -> bool:
        return self._busy > 0

    def selected_row(self) -> BookRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = self.proxy.data(rows[0], ROW_ROLE)
        return row if isinstance(row, BookRow) else None

    def select_customer(self, customer_id: int) -> None:
        for row in range(self.proxy.rowCount()):
            found = self.proxy.data(self.proxy.index(row, CUSTOMER), ROW_ROLE)
            if isinstance(found, BookRow) and found.customer.id == customer_id:
                self.table.selectRow(row)
                return

    def _update_actions(self) -> None:
        loaded = self.report is not None and bool(self.report.rows)
        self.summary_button.setEnabled(self.selected_row() is not None)
        for button in (self.csv_button, self.preview_button, self.pdf_button):
            button.setEnabled(loaded and not self.busy)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    # --- background work ----------------------------------------------------------------
    def _run(self, job: Callable[[], object], done: Callable[[Any], None], label: str) -> None:
        """`job` on the thread pool, then `done(result)` here; the progress bar shows if it
        takes a while. A book error is shown in plain words, any other exception re-raised."""
        self._busy += 1
        self.progress_label.setText(label)
        self._progress_timer.start()
        self._update_actions()

        def finished(result: object) -> None:
            self._finish()
            done(result)

        def failed(error: BaseException) -> None:
            self._finish()
            if not isinstance(error, AmplanError):
                raise error
            messages.show_error(self, "Reports", str(error))
            self.work_failed.emit(str(error))

        work_for(self).start(lambda _report: job(), on_success=finished, on_failure=failed)

    def _finish(self) -> None:
        self._busy -= 1
        if not self.busy:
            self._progress_timer.stop()
            self.progress.hide()
            self.progress_label.hide()
        self._update_actions()

    def _show_progress(self) -> None:
        if self.busy:
            self.progress.show()
            self.progress_label.show()

    def refresh(self) -> None:
        """Read the book again (on the thread pool) and show it when ready."""
        self._generation += 1
        generation = self._generation
        now = self._now()
        reports = self._reports

        def loaded(result: Any) -> None:
            if generation == self._generation and isinstance(result, BookReport):
                self._show_report(result)

        self._run(lambda: reports.book(now), loaded, "Reading the book…")

    def _show_report(self, report: BookReport) -> None:
        selected = self.selected_row()
        self.report = report
        self.model.set_rows(report.rows, report.issued)
        self.setCurrentWidget(self._listing if report.rows else self.empty_state)
        at_risk = sum(1 for row in report.rows if row.risks)
        count = len(report.rows)
        self.caption.setText(
            f"{count} customer{'s' if count != 1 else ''} · {at_risk} with something to act on "
            f"· as of {format_day(report.issued)}"
        )
        if selected is not None:
            self.select_customer(selected.customer.id)
        self._update_actions()
        self.report_loaded.emit()

    # --- actions ------------------------------------------------------------------------
    def _stem(self, what: str) -> str:
        issued = self.report.issued if self.report else date.today()
        return f"{what} {issued.isoformat()}"

    def export_csv(self) -> Path | None:
        if self.report is None:
            return None
        name, _ = QFileDialog.getSaveFileName(
            self, "Export CSV", suggested_path(self._stem("book report"), "csv"), "CSV (*.csv)"
        )
        if not name:
            return None
        path = Path(name) if Path(name).suffix.lower() == ".csv" else Path(f"{name}.csv")
        try:
            # A byte-order mark so that spreadsheets read accented names as UTF-8.
            write_file(path, book_csv(self.report, self._context.clock).encode("utf-8-sig"))
        except AmplanError as exc:
            messages.show_error(self, "Could not export the CSV", str(exc))
            return None
        return path

    def preview_book(self) -> None:
        if self.report is None:
            return
        DocumentPreview(
            [self.report.printable()], self.paper_size, self._stem("book report"), self
        ).exec()

    def save_book_pdf(self) -> None:
        """Ask for the file here; write it on the thread pool (a big book takes a while)."""
        if self.report is None:
            return
        name, _ = QFileDialog.getSaveFileName(
            self, "Save as PDF", suggested_path(self._stem("book report"), "pdf"), "PDF (*.pdf)"
        )
        if not name:
            return
        path = Path(name) if Path(name).suffix.lower() == ".pdf" else Path(f"{name}.pdf")
        documents = [self.report.printable()]
        paper = self.paper_size

        def written(_pages: Any) -> None:
            self.pdf_saved.emit(path)

        self._run(lambda: write_pdf(path, documents, paper), written, "Writing the PDF…")

    def preview_summary(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        customer: CustomerRecord = row.customer
        try:
            summary = self._reports.summary(customer, self._now())
        except AmplanError as exc:
            messages.show_error(self, "Entitlement summary", str(exc))
            return
        stem = f"{customer.name} entitlement summary {summary.issued.isoformat()}"
        DocumentPreview([summary.printable()], self.paper_size, stem, self).exec()
