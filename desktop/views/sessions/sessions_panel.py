"""One customer's sessions and allowances: the table, the actions on it and the usage bars."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.services.business_time import format_day
from desktop.services.changes import BookChange
from desktop.services.customers import CustomerRecord
from desktop.services.display.session_format import Now, system_now, when_et
from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.scheduling.status import SessionStatus
from desktop.services.scheduling.status_actions import status_actions
from desktop.services.scheduling.usage import CustomerUsage, usage_for
from desktop.views.calendar_files.calendar_files_ui import send_invite
from desktop.views.mail.mail_ui import (
    MailCourier,
    courier_of,
    mail_is_set_up,
    save_draft,
    send_invite_by_mail,
)
from desktop.views.sessions.plan_dialog import PlanDialog
from desktop.views.sessions.session_editor import SessionEditor
from desktop.views.sessions.session_table_model import (
    FLAGS,
    KIND,
    LENGTH,
    SESSION_ROLE,
    STATUS,
    WHEN,
    SessionTableModel,
)
from desktop.views.shell.undo import SessionActions
from desktop.views.widgets import messages
from desktop.views.widgets.charts import MonthlyChart
from desktop.views.widgets.elided_label import ElidedLabel
from desktop.views.widgets.flow_layout import FlowLayout
from desktop.views.widgets.icons import icon_button
from desktop.views.widgets.table_model import record_table
from desktop.views.widgets.usage_bars import UsageBars


class SessionsPanel(QWidget):
    """Shows what it is given; every change goes through `actions` (the window's undo
    stack), and any change from anywhere makes it re-read."""

    sessions_changed = Signal()

    def __init__(
        self,
        context: AppContext,
        now: Now = system_now,
        parent: QWidget | None = None,
        actions: SessionActions | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("sessionsPanel")
        self._context = context
        self._now = now
        self._actions = actions or SessionActions(context, self)
        self._actions.sessions_changed.connect(self._book_changed)
        self._customer: CustomerRecord | None = None
        # A change to this customer seen while hidden: re-read when shown again.
        self._stale = False
        self._courier: MailCourier | None = None
        self._build_usage_card()
        self._build_table()
        buttons = self._build_action_buttons()
        self._build_layout(buttons)
        self._update_actions()

    def _build_usage_card(self) -> None:
        """Fed here, shown wherever the page puts it (the customer panel, above the contract)."""
        usage_title = QLabel("Allowances")
        usage_title.setObjectName("cardTitle")
        self.usage = UsageBars()
        self.usage_card = QFrame()
        self.usage_card.setObjectName("usageCard")
        usage_column = QVBoxLayout(self.usage_card)
        usage_column.setContentsMargins(14, 10, 14, 12)
        usage_column.setSpacing(8)
        usage_column.addWidget(usage_title)
        usage_column.addWidget(self.usage)
        self.months_title = QLabel("Screen-shares per month")
        self.months_title.setObjectName("chartTitle")
        self.months_caption = QLabel()
        self.months_caption.setObjectName("usageLegend")
        self.months_caption.setWordWrap(True)
        self.months_chart = MonthlyChart()
        usage_column.addSpacing(6)
        usage_column.addWidget(self.months_title)
        usage_column.addWidget(self.months_chart)
        usage_column.addWidget(self.months_caption)
        self._show_months(None)

    def _build_table(self) -> None:
        kind_labels = {name: kind.label for name, kind in self._context.policy.kinds.items()}
        self.model = SessionTableModel(self._context.clock, kind_labels, self)
        self.table = record_table("sessionTable", self.model)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(False)
        for column in (WHEN, LENGTH, STATUS, FLAGS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(KIND, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.empty_label = QLabel()
        self.empty_label.setObjectName("noMatch")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def _build_action_buttons(self) -> tuple[QPushButton, ...]:
        """The toolbar's two and the selected session's actions, wired; the latter returned."""
        self.new_button = icon_button("New session…", "add", primary=True)
        self.new_button.setToolTip(
            "Book a session for this customer, checked against their contract as you type."
        )
        self.plan_button = icon_button("Plan year…", "calendar")
        self.plan_button.setToolTip(
            "Propose the onboarding and account-management sessions of the next 12 months."
        )
        self.new_button.clicked.connect(self.new_session)
        self.plan_button.clicked.connect(self.plan_year)
        self.edit_button = icon_button("Edit…", "edit")
        self.edit_button.setToolTip("Change the selected planned session (double-click works too).")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Cancel the selected session: it no longer counts.")
        self.done_button = QPushButton("Mark done")
        self.no_show_button = QPushButton("Mark no-show")
        self._done_tip = "The session took place: it counts as used."
        self._no_show_tip = "The customer did not come: it still counts as used."
        self.invite_button = icon_button("Send invite…", "invite")
        self.invite_button.setToolTip(
            "Save an invite (.ics) for the customer's contacts, to attach to an e-mail."
        )
        self.history_button = QPushButton("History…")
        self.history_button.setToolTip(
            "Who changed the selected session (or, with none selected, the customer), when, "
            "and why an override was made."
        )
        self.draft_button = QPushButton("E-mail draft…")
        self.draft_button.setToolTip(
            "Save the invite as an e-mail draft (.eml) that Outlook or Apple Mail opens ready "
            "to send."
        )
        self.answers_label = QLabel()
        self.answers_label.setObjectName("attendeeAnswers")
        self.answers_label.setWordWrap(True)
        self.invite_button.clicked.connect(self.send_invite)
        self.history_button.clicked.connect(self.show_history)
        self.draft_button.clicked.connect(self.save_draft)
        self.edit_button.clicked.connect(self.edit_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.done_button.clicked.connect(lambda: self._set_status(SessionStatus.DONE))
        self.no_show_button.clicked.connect(lambda: self._set_status(SessionStatus.NO_SHOW))
        buttons = (
            self.edit_button,
            self.invite_button,
            self.draft_button,
            self.cancel_button,
            self.done_button,
            self.no_show_button,
            self.history_button,
        )
        for button in buttons:
            button.setObjectName("compact")
        return buttons

    def _build_layout(self, buttons: tuple[QPushButton, ...]) -> None:
        self.title = ElidedLabel("Sessions")
        self.title.setObjectName("sectionTitle")
        self.count_label = QLabel()
        self.count_label.setObjectName("cardSubtitle")
        toolbar = QHBoxLayout()
        toolbar.setSpacing(6)
        toolbar.addWidget(self.title, 1)
        toolbar.addSpacing(4)
        toolbar.addWidget(self.count_label)
        toolbar.addWidget(self.new_button)
        toolbar.addWidget(self.plan_button)
        # The actions wrap onto a second line when the panel is narrow (a 1024 px window).
        self.action_bar = QWidget()
        action_row = FlowLayout(self.action_bar, spacing=6)
        for button in buttons:
            action_row.addWidget(button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 10, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(toolbar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label, 1)
        layout.addWidget(self.answers_label)
        layout.addWidget(self.action_bar)

    # --- state --------------------------------------------------------------------------
    def customer(self) -> CustomerRecord | None:
        return self._customer

    def show_customer(self, customer: CustomerRecord | None) -> None:
        self._customer = customer
        self.refresh()

    def _book_changed(self, change: BookChange | None = None) -> None:
        """Re-read after a change to this customer's sessions; hidden, only once shown again."""
        customer = self._customer
        if customer is None:
            return
        if change is not None and not change.touches_customer(customer.id):
            return
        if not self.isVisible():
            self._stale = True
            return
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Re-read this customer's sessions and usage; the selected session stays selected."""
        self._stale = False
        selected = self.selected_session()
        customer = self._customer
        if customer is None:
            self.model.set_rows([])
            self.usage.set_usage(None)
            self._show_months(None)
            self.title.setText("Sessions")
            self.count_label.clear()
            self.empty_label.setText("Select a customer to see and book their sessions.")
            self.table.hide()
            self.empty_label.show()
            self._update_actions()
            return
        context = self._context
        try:
            sessions = context.scheduler.find(customer=customer)
            today = context.clock.et_date(self._now())
            usage = usage_for(context.policy, context.clock, customer, sessions, today)
        except AmplanError as exc:
            messages.show_error(self, "Could not read the sessions", str(exc))
            return
        self.model.set_rows(sessions)
        self.usage.set_usage(usage)
        self._show_months(usage, today)
        cancelled = sum(1 for s in sessions if s.status == SessionStatus.CANCELLED)
        counts = f"{len(sessions) - cancelled} booked"
        self.count_label.setText(counts + (f" · {cancelled} cancelled" if cancelled else ""))
        self.title.setText(f"Sessions of {customer.name}")
        self.empty_label.setText(
            f"No sessions with {customer.name} yet. Book one, or let “Plan year…” propose "
            "the onboarding and account-management calls of the next 12 months."
        )
        self.table.setVisible(bool(sessions))
        self.empty_label.setVisible(not sessions)
        if selected is not None:
            self.select_session(selected.id)
        self._update_actions()

    def _show_months(self, usage: CustomerUsage | None, today: date | None = None) -> None:
        """The package year month by month, when the contract has monthly screen-shares."""
        months = usage.screen_share_months if usage is not None else ()
        self.months_chart.set_months(months, today)
        for widget in (self.months_title, self.months_chart, self.months_caption):
            widget.setVisible(bool(months))
        if usage is not None and months and usage.package_year is not None:
            year = usage.package_year
            allowed = months[0].allowed
            self.months_caption.setText(
                f"Package year {format_day(year.start)} – {format_day(year.last_day)}; "
                f"{allowed} a month, unused ones do not roll over (dashed line)."
            )

    def send_invite(self) -> None:
        """By e-mail through the outbox once mail is set up; else the .ics file as before."""
        session = self.selected_session()
        if session is None:
            return
        if not mail_is_set_up():
            send_invite(self.window(), self._context, session.id)
            return
        courier = courier_of(self)
        if courier is None:  # the panel on its own, outside the main window
            courier = self._courier = self._courier or MailCourier(self._context, self)
        queued = send_invite_by_mail(self.window(), self._context, courier, session.id)
        window = self.window()
        if queued == "queued" and isinstance(window, QMainWindow):
            window.statusBar().showMessage(
                f"Invite to {len(session.attendees)} attendee(s) in the outbox; sending…", 6000
            )

    def save_draft(self) -> None:
        session = self.selected_session()
        if session is not None:
            save_draft(self.window(), self._context, session.id)

    def selected_session(self) -> SessionRecord | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        session = rows[0].data(SESSION_ROLE)
        return session if isinstance(session, SessionRecord) else None

    def select_session(self, session_id: int) -> bool:
        row = self.model.row_of(session_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, WHEN))
        return True

    def _selection_changed(self, *_: QItemSelection) -> None:
        self._update_actions()

    def _update_actions(self) -> None:
        """Each button only when the status allows it; the tooltip says why when it does not."""
        has_customer = self._customer is not None
        self.new_button.setEnabled(has_customer)
        self.plan_button.setEnabled(has_customer)
        self.history_button.setEnabled(has_customer)
        session = self.selected_session()
        status = SessionStatus(session.status) if session is not None else None
        started = session is not None and session.start_utc <= self._now()
        allowed = status_actions(status, started)
        self.edit_button.setEnabled(allowed.edit)
        self.invite_button.setEnabled(allowed.invite)
        self.draft_button.setEnabled(allowed.invite)
        self._show_answers(session)
        self.invite_button.setText(
            "Send cancellation…" if allowed.invite_cancels else "Send invite…"
        )
        self.cancel_button.setEnabled(allowed.cancel)
        self.done_button.setEnabled(allowed.mark_done)
        self.no_show_button.setEnabled(allowed.mark_no_show)
        waiting = "It can be marked once it has started." if allowed.waiting_for_start else ""
        self.done_button.setToolTip(waiting or self._done_tip)
        self.no_show_button.setToolTip(waiting or self._no_show_tip)

    def _show_answers(self, session: SessionRecord | None) -> None:
        """Who was invited and what each answered (from imported replies)."""
        if session is None or not session.attendees:
            self.answers_label.clear()
            self.answers_label.hide()
            return
        self.answers_label.setText("Attendees: " + " · ".join(a.label for a in session.attendees))
        self.answers_label.setProperty(
            "declined", any(a.partstat == "declined" for a in session.attendees)
        )
        self.answers_label.show()

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.isValid() and self.edit_button.isEnabled():
            self.edit_selected()

    # --- actions ------------------------------------------------------------------------
    def show_history(self) -> None:
        from desktop.views.shell.safety_ui import history_dialog

        session = self.selected_session()
        window = self.window()
        if session is not None:
            title = f"History of session #{session.id} ({session.display_title})"
            dialog = history_dialog(window, self._context, session_id=session.id, title=title)
        elif self._customer is not None:
            title = f"History of {self._customer.name}"
            dialog = history_dialog(
                window, self._context, customer_id=self._customer.id, title=title
            )
        else:
            return
        dialog.exec()

    def new_session(self) -> None:
        if self._customer is None:
            return
        self._open_editor(
            SessionEditor(
                self._context, self._customer, None, self._now, self.window(), actions=self._actions
            )
        )

    def edit_selected(self) -> None:
        session = self.selected_session()
        if session is None or session.status != SessionStatus.PLANNED:
            return
        self._open_editor(
            SessionEditor(
                self._context,
                self._customer,
                session,
                self._now,
                self.window(),
                actions=self._actions,
            )
        )

    def _open_editor(self, editor: SessionEditor) -> None:
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.session_saved.connect(self._session_saved)
        editor.open()

    def _session_saved(self, session: SessionRecord) -> None:
        # The actions already made every page re-read; only the selection is left to do.
        self.select_session(session.id)
        self.sessions_changed.emit()

    def cancel_selected(self) -> None:
        session = self.selected_session()
        if session is None:
            return
        when = when_et(self._context.clock, session.start_utc, session.end_utc, session.all_day)
        label = self._context.policy.kind(session.kind).label
        question = (
            f"Cancel “{label}” on {when}? "
            "A cancelled session no longer counts against the contract."
        )
        if not messages.ask(self, "Cancel session", question, "Yes, cancel it"):
            return
        self._set_status(SessionStatus.CANCELLED)

    def _set_status(self, status: SessionStatus) -> None:
        session = self.selected_session()
        if session is None:
            return
        if self._actions.mark(self, session, status, self._now()) is None:
            return
        self.sessions_changed.emit()

    def plan_year(self) -> None:
        if self._customer is None:
            return
        dialog = PlanDialog(
            self._context, [self._customer], self._now, self.window(), actions=self._actions
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sessions_booked.connect(self._plan_booked)
        dialog.open()
        dialog.start()

    def _plan_booked(self) -> None:
        self.sessions_changed.emit()
