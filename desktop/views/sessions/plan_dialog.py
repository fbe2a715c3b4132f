"""Plan a year: the planner proposes, the manager unticks what they do not want, one click books.

Planning runs on the window's background work (widgets/background.py) so a large book never
freezes the window; the services are safe to call from there (one short database session per
call). Results and progress come back on the GUI thread; Cancel stops the job, whose progress
callback then raises PlanStopped in the planner, so the work really stops.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QThreadPool, QTime, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.services.business_time import format_day
from desktop.services.customers import CustomerRecord
from desktop.services.display.session_format import Now, system_now
from desktop.services.scheduling.plan_words import describe_booked, plan_summary
from desktop.services.scheduling.planner import (
    Plan,
    PlannedSession,
    Planner,
    PlanStopped,
    default_until,
)
from desktop.services.scheduling.sessions import SessionTimes
from desktop.services.scheduling.workload import check_change
from desktop.views.sessions.plan_progress import PlanningProgress
from desktop.views.sessions.plan_table_model import (
    CUSTOMER,
    HEADERS,
    KIND,
    LOCAL,
    PROPOSAL_ROLE,
    REASON,
    WARNING_MARK,
    WARNINGS,
    WHEN,
    PlanTableModel,
)
from desktop.views.shell.undo import SessionActions
from desktop.views.widgets import messages
from desktop.views.widgets.background import BackgroundWork, Job, Progress, work_for
from desktop.views.widgets.form_dialog import titled_page
from desktop.views.widgets.geometry import remember_size, restore_size
from desktop.views.widgets.table_model import record_table

__all__ = [
    "CUSTOMER",
    "HEADERS",
    "KIND",
    "LOCAL",
    "PROPOSAL_ROLE",
    "REASON",
    "WARNINGS",
    "WARNING_MARK",
    "WHEN",
    "PlanDialog",
    "PlanTableModel",
    "describe_booked",
]


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
        # The dialog's own jobs: closed, it takes a late answer with it (nobody to tell).
        self._work = BackgroundWork(self, pool) if pool is not None else work_for(self)
        self._job: Job | None = None
        self.stopped_early = False
        self._plan: Plan | None = None
        self._cancelled = False
        self._editing_row: int | None = None
        self._candidate: PlannedSession | None = None
        self._first = context.clock.et_date(now())
        self._until = default_until(self._first)
        single = len(self._customers) == 1
        name = self._customers[0].name
        self.setWindowTitle(f"Plan the year for {name}" if single else "Plan the book")
        self.pages = QStackedWidget()
        self.pages.addWidget(self._busy_page())
        self.pages.addWidget(self._result_page(single))
        self._lay_out(single)
        self.model.dataChanged.connect(self._update_book_button)
        self.model.modelReset.connect(self._update_book_button)
        self._update_book_button()
        self._set_tab_order()
        # WORKAROUND: see CustomerDialog.__init__ (a minimum size set before the first show).
        self.ensurePolished()
        self.setMinimumSize(760 if single else 900, 460)
        self.resize(980 if single else 1160, 620)
        self._size_key = "planDialog" if single else "planBookDialog"
        restore_size(self, self._size_key)
        self.finished.connect(lambda _result: remember_size(self, self._size_key))

    # --- layout -------------------------------------------------------------------------
    def _busy_page(self) -> QWidget:
        page = PlanningProgress([c.name for c in self._customers])
        self.busy_label, self.progress, self.stop_button = page.label, page.bar, page.stop_button
        self.stop_button.clicked.connect(self.cancel_planning)
        self._planning_progress = page
        return page

    def _result_page(self, single: bool) -> QWidget:
        self.summary = QLabel()
        self.summary.setObjectName("planSummary")
        self.summary.setWordWrap(True)
        kind_labels = {name: kind.label for name, kind in self._context.policy.kinds.items()}
        self.model = PlanTableModel(self._context.clock, kind_labels, self)
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
        change_row = self._change_row()
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
        return result

    def _change_row(self) -> QHBoxLayout:
        """Another time for one proposal, checked as it is typed."""
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
        change_row.addWidget(QLabel(self._context.policy.time.zone_label))
        change_row.addWidget(self.change_button)
        change_row.addStretch()
        self.table.selectionModel().currentRowChanged.connect(self._row_selected)
        self.time_edit.dateTimeChanged.connect(self._check_change)
        self.change_button.clicked.connect(self._use_time)
        return change_row

    def _footer(self) -> QHBoxLayout:
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
        return footer

    def _lay_out(self, single: bool) -> None:
        count = len(self._customers)
        titled_page(
            self,
            f"Plan for {self._customers[0].name}"
            if single
            else f"Plan the book: {count} customers",
            f"Onboarding hours and account-management calls from {format_day(self._first)} "
            f"to {format_day(self._until)}, each at a time the contract allows.",
            self.pages,
            self._footer(),
            body_stretch=1,
        )

    def _set_tab_order(self) -> None:
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

    # --- planning -----------------------------------------------------------------------
    def start(self) -> None:
        """Plan in the background; the busy page shows until the answer arrives."""
        if self._job is not None:
            return
        scheduler = self._context.scheduler
        customers, first, until, now = self._customers, self._first, self._until, self._now()

        def work(progress: Progress) -> Plan:
            return Planner(scheduler).plan(customers, first, until, now=now, progress=progress)

        self._job = self._work.start(
            work,
            on_success=self._planned,
            on_failure=self._plan_failed,
            on_progress=self._progressed,
            cancel_error=lambda: PlanStopped("Planning stopped; nothing was proposed."),
        )
        self.pages.setCurrentIndex(0)
        self._update_book_button()

    def is_planning(self) -> bool:
        return self._job is not None and self._plan is None and not self._cancelled

    def _progressed(self, done: int, total: int) -> None:
        if self._cancelled or len(self._customers) == 1:
            return
        self._planning_progress.show_count(done, total)

    def _planned(self, plan: Plan) -> None:
        if self._cancelled:
            return
        self._plan = plan
        self.model.set_rows(plan.proposed, self._kinds)
        proposed_kinds = [p.kind for p in plan.proposed]
        ticked = len(self.model.chosen())
        self.summary.setText(plan_summary(self._context.policy, proposed_kinds, ticked))
        self.table.setVisible(bool(plan.proposed))
        if plan.notes:
            self.notes.setText("Could not plan:\n• " + "\n• ".join(plan.notes))
            self.notes.show()
        self.pages.setCurrentIndex(1)
        self._update_book_button()

    def _plan_failed(self, error: BaseException) -> None:
        if isinstance(error, PlanStopped):
            self.stopped_early = True
        elif isinstance(error, AmplanError):
            self._failed(str(error))
        else:  # a bug: re-raised on the GUI thread for the crash handler
            self._failed("Planning stopped on a bug.")
            raise error

    def _failed(self, text: str) -> None:
        if self._cancelled:
            return
        self._plan = Plan([], [])
        self.summary.setText(text)
        self.table.hide()
        self.pages.setCurrentIndex(1)
        self._update_book_button()

    def cancel_planning(self) -> None:
        """Close at once and tell the worker to stop after the customer it is planning."""
        if self._plan is None:
            self._cancelled = True
            if self._job is not None:
                self._job.cancel()
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
        self.buttons.setVisible(self._plan is not None or self._job is None)
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
