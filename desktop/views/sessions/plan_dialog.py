"""Plan a year: the planner proposes, the manager unticks what they do not want, one click books.

Planning runs on a worker thread so a large book never freezes the window; the services are
safe to call from there (one short database session per call). Results and progress come back
by signal; Cancel sets an event the planner's progress callback reads, so the work really stops.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from typing import Any

from PySide6.QtCore import (
    QDate,
    QDateTime,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    QTime,
    Signal,
    Slot,
)
from PySide6.QtGui import QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.services.business_time import BusinessClock, format_day, to_zone, zone
from desktop.services.customers import CustomerRecord
from desktop.services.display.session_format import Now, city, system_now, when_et, when_local
from desktop.services.policy import Policy
from desktop.services.scheduling.planner import (
    Plan,
    PlannedSession,
    Planner,
    PlanStopped,
    check_change,
    default_until,
)
from desktop.services.scheduling.sessions import SessionRecord, SessionTimes
from desktop.views.shell.undo import SessionActions
from desktop.views.widgets import messages
from desktop.views.widgets.geometry import remember_size, restore_size
from desktop.views.widgets.table_model import AnyIndex, RowsTableModel, record_table

WHEN, LOCAL, CUSTOMER, KIND, REASON, WARNINGS = range(6)
HEADERS = {
    WHEN: "When (ET)",
    LOCAL: "Their time",
    CUSTOMER: "Customer",
    KIND: "Kind",
    REASON: "Why",
    WARNINGS: "Warnings",
}
WARNING_MARK = "⚠ "
PROPOSAL_ROLE = Qt.ItemDataRole.UserRole + 1


def describe_booked(policy: Policy, records: Sequence[SessionRecord]) -> str:
    """What a plan booked, in a line: 'Booked 13 planned sessions for 2 customers: 8
    onboarding sessions, 5 account-management calls; Edit > Undo takes them back.'"""
    count = len(records)
    if not count:
        return "Nothing was booked."
    kinds = Counter(r.kind for r in records)
    parts = []
    for kind, number in kinds.items():
        info = policy.kind(kind)
        parts.append(f"{number} {(info.label if number == 1 else info.plural).lower()}")
    customers = len({c for r in records for c in r.customer_ids})
    return (
        f"Booked {count} planned session{'s' * (count != 1)} for {customers} "
        f"customer{'s' * (customers != 1)}: {', '.join(parts)}; Edit ▸ Undo takes them back."
    )


class PlanTableModel(RowsTableModel):
    """The proposals, each with a tick (all ticked at first); `chosen()` is what gets booked."""

    headers = HEADERS

    def __init__(
        self, clock: BusinessClock, kind_labels: dict[str, str], parent: Any = None
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._kind_labels = kind_labels
        self._ticked: list[bool] = []

    def set_rows(
        self, rows: Sequence[PlannedSession], kinds: Collection[str] | None = None
    ) -> None:
        """Customer by customer, each one's sessions in date order (the planner lists its
        onboarding first, then its calls). With `kinds`, only those kinds start ticked."""
        self.beginResetModel()
        self._rows = sorted(rows, key=lambda p: (p.customer.name.lower(), p.times.start_utc))
        self._ticked = [kinds is None or p.kind in kinds for p in self._rows]
        self.endResetModel()

    def proposals(self) -> list[PlannedSession]:
        return list(self._rows)

    def replace_row(self, row: int, proposal: PlannedSession) -> None:
        """A proposal given another time by the user (it stays ticked as it was)."""
        self._rows[row] = proposal
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Header clicks sort by that column (times by instant, not by their text)."""
        keys: dict[int, Callable[[PlannedSession], Any]] = {
            WHEN: lambda p: p.times.start_utc,
            LOCAL: lambda p: (
                to_zone(p.times.start_utc, zone(p.customer.tz)).time(),
                p.customer.tz,
            ),
            CUSTOMER: lambda p: (p.customer.name.lower(), p.times.start_utc),
            KIND: lambda p: (p.kind, p.times.start_utc),
            REASON: lambda p: (p.reason, p.times.start_utc),
            WARNINGS: lambda p: (not p.warnings, p.times.start_utc),
        }
        key = keys.get(column)
        if key is None or not self._rows:
            return
        self.layoutAboutToBeChanged.emit()
        pairs = sorted(
            zip(self._rows, self._ticked, strict=True),
            key=lambda pair: key(pair[0]),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
        self._rows = [p for p, _ in pairs]
        self._ticked = [t for _, t in pairs]
        self.layoutChanged.emit()

    def data_for(self, proposal: PlannedSession, column: int) -> str:
        times = proposal.times
        if column == LOCAL:
            tz = proposal.customer.tz
            local = when_local(
                self._clock, times.start_utc, times.end_utc, times.all_day, tz, False
            )
            text = f"{local} {city(tz)}" if not times.all_day else local
            return (WARNING_MARK + text) if proposal.warnings else text
        return ""

    def chosen(self) -> list[PlannedSession]:
        return [p for p, ticked in zip(self._rows, self._ticked, strict=True) if ticked]

    def set_all(self, ticked: bool) -> None:
        if not self._rows:
            return
        self._ticked = [ticked] * len(self._rows)
        self.dataChanged.emit(
            self.index(0, 0),
            self.index(len(self._rows) - 1, len(HEADERS) - 1),
            [Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.ForegroundRole],
        )

    # --- QAbstractTableModel ------------------------------------------------------------
    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == WHEN:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        proposal = self._rows[index.row()]
        column = index.column()
        times = proposal.times
        if role == Qt.ItemDataRole.DisplayRole:
            if column == WHEN:
                return when_et(self._clock, times.start_utc, times.end_utc, times.all_day, False)
            if column == LOCAL:
                return self.data_for(proposal, LOCAL)
            if column == CUSTOMER:
                return proposal.customer.name
            if column == KIND:
                return self._kind_labels.get(proposal.kind, proposal.kind)
            if column == REASON:
                return proposal.reason
            if column == WARNINGS:
                return " ".join(proposal.warnings)
        if role == Qt.ItemDataRole.ToolTipRole and column == REASON:
            return proposal.reason
        if role == Qt.ItemDataRole.ToolTipRole and column in (LOCAL, WARNINGS):
            return "\n".join(proposal.warnings) or None
        if role == Qt.ItemDataRole.ForegroundRole and not self._ticked[index.row()]:
            # An unticked row stays readable but reads as "left out".
            return QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        if role == Qt.ItemDataRole.CheckStateRole and column == WHEN:
            return Qt.CheckState.Checked if self._ticked[index.row()] else Qt.CheckState.Unchecked
        if role == PROPOSAL_ROLE:
            return proposal
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != WHEN:
            return False
        if role != Qt.ItemDataRole.CheckStateRole:
            return False
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)
        self._ticked[index.row()] = checked
        self.dataChanged.emit(
            self.index(index.row(), 0),
            self.index(index.row(), len(HEADERS) - 1),
            [Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.ForegroundRole],
        )
        return True


Progress = Callable[[int, int], bool]


class _PlanSignals(QObject):
    """Carries a worker's result to the GUI thread (queued: this object lives there)."""

    progressed = Signal(int, int)
    planned = Signal(object)
    stopped = Signal()
    failed = Signal(str)
    crashed = Signal(object)


class _PlanJob(QRunnable):
    """Runs the planner once; any outcome comes back as exactly one signal. `stop` is set by
    the GUI thread; the planner asks after each customer and stops (PlanStopped)."""

    def __init__(self, work: Callable[[Progress], Plan], stop: threading.Event) -> None:
        super().__init__()
        self.signals = _PlanSignals()
        self._work = work
        self._stop = stop

    def _progress(self, done: int, total: int) -> bool:
        self.signals.progressed.emit(done, total)
        return not self._stop.is_set()

    def run(self) -> None:
        try:
            plan = self._work(self._progress)
        except PlanStopped:
            self.signals.stopped.emit()
        except AmplanError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # a bug: re-raised on the GUI thread for the crash handler
            self.signals.crashed.emit(exc)
        else:
            self.signals.planned.emit(plan)


class PlanDialog(QDialog):
    """Plans `customers` from today for 12 months; booking the ticked rows is one transaction,
    one step of `actions`' undo stack. `kinds` (e.g. only onboarding) limits what starts ticked.
    """

    sessions_booked = Signal(list)

    def __init__(
        self,
        context: AppContext,
        customers: Sequence[CustomerRecord],
        now: Now = system_now,
        parent: QWidget | None = None,
        pool: QThreadPool | None = None,
        *,
        actions: SessionActions | None = None,
        kinds: Collection[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("planDialog")
        self._context = context
        self._actions = actions or SessionActions(context, self)
        self._kinds = kinds
        self._customers = list(customers)
        self._now = now
        self._pool = pool or QThreadPool.globalInstance()
        self._signals: _PlanSignals | None = None
        self._stop = threading.Event()
        self.stopped_early = False
        self._plan: Plan | None = None
        self._cancelled = False
        clock = context.clock
        self._first = clock.et_date(now())
        self._until = default_until(self._first)
        single = len(self._customers) == 1
        self.setWindowTitle(
            f"Plan the year for {self._customers[0].name}" if single else "Plan the book"
        )

        title = QLabel(
            f"Plan for {self._customers[0].name}"
            if single
            else f"Plan the book: {len(self._customers)} customers"
        )
        title.setObjectName("dialogTitle")
        span = QLabel(
            f"Onboarding hours and account-management calls from {format_day(self._first)} "
            f"to {format_day(self._until)}, each at a time the contract allows."
        )
        span.setObjectName("cardSubtitle")
        span.setWordWrap(True)

        # --- busy page ----------------------------------------------------------------
        self.busy_label = QLabel(
            f"Planning {self._customers[0].name}…"
            if single
            else f"Planning {len(self._customers)} customers…"
        )
        self.busy_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.progress = QProgressBar()
        # One customer is one step: a busy bar. A book fills it customer by customer.
        self.progress.setRange(0, 0 if single else len(self._customers))
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(320)
        self.stop_button = QPushButton("Cancel")
        self.stop_button.setToolTip("Stop planning; nothing is proposed or booked.")
        self.stop_button.clicked.connect(self.cancel_planning)
        busy = QWidget()
        busy_column = QVBoxLayout(busy)
        busy_column.addStretch()
        busy_column.addWidget(self.busy_label)
        busy_column.addWidget(self.progress, 0, Qt.AlignmentFlag.AlignHCenter)
        busy_column.addSpacing(8)
        busy_column.addWidget(self.stop_button, 0, Qt.AlignmentFlag.AlignHCenter)
        busy_column.addStretch()

        # --- result page --------------------------------------------------------------
        self.summary = QLabel()
        self.summary.setObjectName("planSummary")
        self.summary.setWordWrap(True)
        self.model = PlanTableModel(
            clock, {name: kind.label for name, kind in context.policy.kinds.items()}, self
        )
        self.table = record_table("planTable", self.model, single_selection=False)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column in (WHEN, LOCAL, CUSTOMER, KIND):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        # "Why" keeps a readable width; the warnings, last, take the rest of the row.
        header.setSectionResizeMode(REASON, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(REASON, 240)
        self.table.setColumnHidden(CUSTOMER, single)
        header.setSectionResizeMode(WARNINGS, QHeaderView.ResizeMode.Stretch)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the planner's order first
        # --- another time for one proposal, checked as it is typed ---------------------
        self.time_edit = QDateTimeEdit()
        self.time_edit.setObjectName("planTimeEdit")
        self.time_edit.setDisplayFormat("ddd d MMM yyyy  HH:mm")
        self.time_edit.setCalendarPopup(True)
        # Until a proposal is selected the field shows a dash, not a made-up date.
        self.time_edit.setMinimumDateTime(QDateTime(QDate(1970, 1, 1), QTime(0, 0)))
        self.time_edit.setSpecialValueText("—")
        self._clear_time()
        self.change_button = QPushButton("Use this time")
        self.change_button.setEnabled(False)
        self.change_message = QLabel("Select a proposal to give it another time.")
        self.change_message.setObjectName("planChangeMessage")
        self.change_message.setWordWrap(True)
        change_row = QHBoxLayout()
        caption = QLabel("Move the selected proposal to")
        caption.setBuddy(self.time_edit)
        change_row.addWidget(caption)
        change_row.addWidget(self.time_edit)
        change_row.addWidget(QLabel(context.policy.time.zone_label))
        change_row.addWidget(self.change_button)
        change_row.addStretch()
        self._editing_row: int | None = None
        self._candidate: PlannedSession | None = None
        self.table.selectionModel().currentRowChanged.connect(self._row_selected)
        self.time_edit.dateTimeChanged.connect(self._check_change)
        self.change_button.clicked.connect(self._use_time)
        self.notes = QLabel()
        self.notes.setObjectName("planNotes")
        self.notes.setWordWrap(True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes.hide()
        result = QWidget()
        result_column = QVBoxLayout(result)
        result_column.setContentsMargins(0, 0, 0, 0)
        result_column.setSpacing(8)
        result_column.addWidget(self.summary)
        result_column.addWidget(self.table, 1)
        result_column.addLayout(change_row)
        result_column.addWidget(self.change_message)
        result_column.addWidget(self.notes)

        self.pages = QStackedWidget()
        self.pages.addWidget(busy)
        self.pages.addWidget(result)

        self.tick_all_button = QPushButton("Tick all")
        self.tick_all_button.setToolTip("Book every proposal.")
        self.untick_all_button = QPushButton("Untick all")
        self.untick_all_button.setToolTip("Book none, then tick the ones you want.")
        self.tick_all_button.clicked.connect(lambda: self.model.set_all(True))
        self.untick_all_button.clicked.connect(lambda: self.model.set_all(False))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.book_button = QPushButton()
        self.book_button.setObjectName("primary")
        self.book_button.setToolTip(
            "Book the ticked sessions in one go; Edit ▸ Undo takes them all back."
        )
        self.buttons.addButton(self.book_button, QDialogButtonBox.ButtonRole.AcceptRole)
        for button in self.buttons.buttons():
            button.setIcon(QIcon())
        self.buttons.accepted.connect(self.book)
        self.buttons.rejected.connect(self.cancel_planning)
        footer = QHBoxLayout()
        footer.addWidget(self.tick_all_button)
        footer.addWidget(self.untick_all_button)
        footer.addStretch()
        footer.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(span)
        layout.addWidget(self.pages, 1)
        layout.addLayout(footer)

        self.model.dataChanged.connect(self._update_book_button)
        self.model.modelReset.connect(self._update_book_button)
        self._update_book_button()
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        chain: list[QWidget] = [
            self.stop_button,
            self.table,
            self.tick_all_button,
            self.untick_all_button,
            self.book_button,
            close,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        # WORKAROUND: see CustomerDialog.__init__ (a minimum size set before the first show).
        self.ensurePolished()
        self.setMinimumSize(760 if single else 900, 460)
        self.resize(980 if single else 1160, 620)
        self._size_key = "planDialog" if single else "planBookDialog"
        restore_size(self, self._size_key)
        self.finished.connect(lambda _result: remember_size(self, self._size_key))

    # --- planning -----------------------------------------------------------------------
    def start(self) -> None:
        """Plan on a worker thread; the busy page shows until the answer arrives."""
        if self._signals is not None:
            return
        scheduler = self._context.scheduler
        customers, first, until, now = self._customers, self._first, self._until, self._now()

        def work(progress: Progress) -> Plan:
            return Planner(scheduler).plan(customers, first, until, now=now, progress=progress)

        # The pool owns the job and deletes it after `run`; a dialog closed meanwhile loses
        # its connections with it, so a late answer reaches nobody.
        job = _PlanJob(work, self._stop)
        job.signals.progressed.connect(self._progressed)
        job.signals.stopped.connect(self._stopped)
        job.signals.planned.connect(self._planned)
        job.signals.failed.connect(self._failed)
        job.signals.crashed.connect(self._crashed)
        self._signals = job.signals
        self.pages.setCurrentIndex(0)
        self._update_book_button()
        self._pool.start(job)

    def is_planning(self) -> bool:
        return self._signals is not None and self._plan is None and not self._cancelled

    @Slot(int, int)
    def _progressed(self, done: int, total: int) -> None:
        if self._cancelled or len(self._customers) == 1:
            return
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.busy_label.setText(f"Planning… {done} of {total} customers done")

    @Slot()
    def _stopped(self) -> None:
        self.stopped_early = True

    @Slot(object)
    def _planned(self, plan: Plan) -> None:
        if self._cancelled:
            return
        self._plan = plan
        self.model.set_rows(plan.proposed, self._kinds)
        kinds = Counter(p.kind for p in plan.proposed)
        policy = self._context.policy
        if plan.proposed:
            parts = []
            for kind, count in kinds.items():
                info = policy.kind(kind)
                parts.append(f"{count} {(info.label if count == 1 else info.plural).lower()}")
            ticked = len(self.model.chosen())
            hint = (
                "Untick any you do not want."
                if ticked == len(plan.proposed)
                else f"{ticked} of them ticked; tick any others you want too."
            )
            self.summary.setText(
                f"{len(plan.proposed)} sessions proposed: {', '.join(parts)}. {hint}"
            )
        else:
            self.summary.setText(
                "Nothing to propose: what the contract gives is already booked, "
                "or there is nothing to plan in this year."
            )
        self.table.setVisible(bool(plan.proposed))
        if plan.notes:
            self.notes.setText("Could not plan:\n• " + "\n• ".join(plan.notes))
            self.notes.show()
        self.pages.setCurrentIndex(1)
        self._update_book_button()

    @Slot(str)
    def _failed(self, text: str) -> None:
        if self._cancelled:
            return
        self._plan = Plan([], [])
        self.summary.setText(text)
        self.table.hide()
        self.pages.setCurrentIndex(1)
        self._update_book_button()

    @Slot(object)
    def _crashed(self, exc: BaseException) -> None:
        self._failed("Planning stopped on a bug.")
        raise exc

    def cancel_planning(self) -> None:
        """Close at once and tell the worker to stop after the customer it is planning."""
        if self._plan is None:
            self._cancelled = True
            self._stop.set()
        self.reject()

    # --- another time for one proposal ---------------------------------------------------
    def _clear_time(self) -> None:
        self.time_edit.blockSignals(True)
        self.time_edit.setDateTime(self.time_edit.minimumDateTime())
        self.time_edit.blockSignals(False)
        self.time_edit.setEnabled(False)

    def _row_selected(self, current: Any, _previous: Any = None) -> None:
        row = current.row() if current is not None and current.isValid() else -1
        proposals = self.model.proposals()
        if not 0 <= row < len(proposals) or proposals[row].times.all_day:
            self._editing_row = None
            self._clear_time()
            self.change_button.setEnabled(False)
            return
        self._editing_row = row
        start_et = self._context.clock.et(proposals[row].times.start_utc)
        self.time_edit.setEnabled(True)
        self.time_edit.blockSignals(True)
        self.time_edit.setDateTime(
            QDateTime(
                QDate(start_et.year, start_et.month, start_et.day),
                QTime(start_et.hour, start_et.minute),
            )
        )
        self.time_edit.blockSignals(False)
        self._check_change()

    def _check_change(self, *_args: Any) -> None:
        """The contract's verdict and the warnings for the typed time, as it is typed."""
        row = self._editing_row
        self._candidate = None
        proposals = self.model.proposals()
        if row is None or row >= len(proposals):
            return
        proposal = proposals[row]
        typed = self.time_edit.dateTime()
        clock = self._context.clock
        try:
            start_utc = clock.parse(typed.toString("yyyy-MM-ddTHH:mm"))
            times = SessionTimes(
                start_utc, start_utc + (proposal.times.end_utc - proposal.times.start_utc), False
            )
            violations, warnings = check_change(
                self._context.scheduler,
                self._context.profiles.load(),
                proposal,
                times,
                self.model.chosen(),
                self._now(),
            )
        except AmplanError as exc:
            self.change_message.setText(str(exc))
            self.change_button.setEnabled(False)
            return
        if violations:
            text = "Not allowed: " + " ".join(v.message for v in violations)
        elif times == proposal.times:
            text = "The planned time. " + " ".join(proposal.warnings)
        else:
            text = "✓ The contract allows it. " + " ".join(warnings)
        self.change_message.setText(text.strip())
        if not violations and times != proposal.times:
            self._candidate = PlannedSession(
                proposal.customer, proposal.kind, times, proposal.reason, tuple(warnings)
            )
        self.change_button.setEnabled(self._candidate is not None)

    def _use_time(self) -> None:
        if self._candidate is None or self._editing_row is None:
            return
        self.model.replace_row(self._editing_row, self._candidate)
        self.change_message.setText("Moved; it is booked at this time with the others.")
        self._candidate = None
        self.change_button.setEnabled(False)

    # --- booking ------------------------------------------------------------------------
    def _update_book_button(self) -> None:
        count = len(self.model.chosen())
        ready = self._plan is not None and bool(self._plan.proposed)
        self.buttons.setVisible(self._plan is not None or self._signals is None)
        self.book_button.setText(f"Book {count} session" + ("" if count == 1 else "s"))
        self.book_button.setEnabled(ready and count > 0)
        self.book_button.setVisible(ready)
        self.tick_all_button.setVisible(ready)
        self.untick_all_button.setVisible(ready)

    def book(self) -> None:
        """Book the ticked proposals in one transaction: all of them or, on error, none."""
        chosen = self.model.chosen()
        if self._plan is None or not chosen:
            return
        requested_utc = self._now()
        try:
            records = self._actions.book_plan([p.request(requested_utc) for p in chosen])
        except AmplanError as exc:
            messages.show_error(self, "Sessions not booked", f"Nothing was booked: {exc}")
            return
        self.sessions_booked.emit(records)
        self.accept()
