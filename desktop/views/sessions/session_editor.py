"""The session editor: book a session or change one, checked against the contract as it is typed.

The dialog never decides what is legal: it builds a proposal from its fields and asks the
scheduler, so the editor, the CLI and the planner always agree.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.services.business_time import to_utc
from desktop.services.calendar_files.attendees import PARTSTAT_LABELS
from desktop.services.customers import CustomerRecord
from desktop.services.display.session_format import DASH, Now, city, system_now, when_et, when_local
from desktop.services.mail.meeting_links import profile_meeting_url
from desktop.services.policy import KIND_NAMES
from desktop.services.scheduling.rules import Violation
from desktop.services.scheduling.sessions import (
    UNOVERRIDABLE,
    BookingRequest,
    RuleRefusal,
    SessionRecord,
    SessionTimes,
)
from desktop.services.scheduling.slots import find_slots
from desktop.views.customers.customer_dialog import DATE_FORMAT
from desktop.views.shell.undo import SessionActions
from desktop.views.widgets.geometry import remember_size, restore_size

VALIDATE_DELAY_MS = 150
SLOTS_SHOWN = 5
DAY_MINUTES = 24 * 60
DEFAULT_START = time(10, 0)
CUSTOMER_ROLE = Qt.ItemDataRole.UserRole
SLOT_ROLE = Qt.ItemDataRole.UserRole + 1


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(edit: QDateEdit | QDateTimeEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


def _clock_time(value: QTime) -> time:
    return time(value.hour(), value.minute())


class SlotTimeEdit(QTimeEdit):
    """A time field whose arrows and wheel move by the policy's slot step (30 minutes),
    whichever part of the time the cursor is in; typing any minute still works."""

    def __init__(self, step_minutes: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._step = step_minutes
        self.setDisplayFormat("HH:mm")
        self.setWrapping(True)

    def stepBy(self, steps: int) -> None:
        self.setTime(self.time().addSecs(steps * self._step * 60))

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        return (
            QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
            | QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        )


class FindingsList(QWidget):
    """What the contract says about the fields: each broken rule in red, in plain words with
    its rule code as small print beneath, then the customer-clock warnings in amber, or a
    green all-clear."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findings")
        self._column = QVBoxLayout(self)
        self._column.setContentsMargins(0, 0, 0, 0)
        self._column.setSpacing(6)
        self._texts: list[str] = []

    def show_findings(
        self, violations: Sequence[Violation], warnings: Sequence[str], problem: str | None
    ) -> None:
        while self._column.count():
            item = self._column.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self._texts = []
        if problem:
            self._add("check", problem, "inputProblem", "?")
        for violation in violations:
            self._add(violation.rule, violation.message, "violation", "✕")
        if not problem and not violations:
            self._add("", "Fits the contract.", "allClear", "✓")
        for warning in warnings:
            self._add("local time", warning, "localWarning", "!")

    def _add(self, tag: str, text: str, kind: str, mark: str) -> None:
        """A mark, the message in plain words, and the rule code in small print beneath it
        for those who look it up (the policy and DOMAIN.md name rules by these codes)."""
        self._texts.append(f"{tag}: {text}" if tag else text)
        row = QWidget()
        row.setObjectName("findingRow")
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(8)
        badge = QLabel(mark)
        badge.setObjectName(f"{kind}Tag")
        badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        badge.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        message = QLabel(text)
        message.setObjectName(f"{kind}Text")
        message.setWordWrap(True)
        message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        words = QVBoxLayout()
        words.setSpacing(1)
        words.addWidget(message)
        if tag and kind == "violation":
            code = QLabel(f"rule: {tag}")
            code.setObjectName("ruleCode")  # small print (style.qss)
            code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            words.addWidget(code)
        line.addWidget(badge, 0, Qt.AlignmentFlag.AlignTop)
        line.addLayout(words, 1)
        self._column.addWidget(row)

    def texts(self) -> list[str]:
        """Each finding as 'code: message', in the order shown."""
        return list(self._texts)


class SessionEditor(QDialog):
    """A new session when `session` is None, otherwise a change to that planned session.

    `customer` is the one the dialog opens on; `now` is asked whenever "now" matters (the
    default request time, where the slot search starts) so tests can fix it. Saving goes
    through `actions` (the window's undo stack); `kind` preselects a new session's kind and
    `find_slot` fills in the next legal slot at once (the dashboard's "Book…" buttons).
    """

    session_saved = Signal(object)

    def __init__(
        self,
        context: AppContext,
        customer: CustomerRecord | None = None,
        session: SessionRecord | None = None,
        now: Now = system_now,
        parent: QWidget | None = None,
        *,
        actions: SessionActions | None = None,
        kind: str | None = None,
        find_slot: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("sessionEditor")
        self._context = context
        self._actions = actions or SessionActions(context, self)
        self._session = session
        self._now = now
        self._violations: list[Violation] = []
        self._warnings: list[str] = []
        self._lifted: list[Violation] = []
        self._problem: str | None = None
        self._filling = True
        self._applying_slot = False
        self._moving_end = False
        self._span_days = 0
        self._last_kind = ""
        self._requested_touched = False
        self._setting_requested = False
        policy = context.policy
        self.setWindowTitle("Edit session" if session else "New session")

        customers = {c.id: c for c in context.customers.list()}
        if customer is not None:
            customers.setdefault(customer.id, customer)
        if session is not None:
            for cid in session.customer_ids:
                if cid not in customers:
                    customers[cid] = context.customers.get(cid)
        self._customers = dict(sorted(customers.items(), key=lambda kv: kv[1].name.lower()))

        # --- the fields ----------------------------------------------------------------
        self.customer_combo = QComboBox()
        for record in self._customers.values():
            self.customer_combo.addItem(record.name, record.id)
        self.customer_combo.setMinimumWidth(300)
        self.kind_combo = QComboBox()
        self.others_list = QListWidget()
        self.others_list.setObjectName("othersList")
        self.others_list.setFixedHeight(self.fontMetrics().lineSpacing() * 5 + 12)
        self.others_caption = QLabel("Also at the table")

        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat(DATE_FORMAT)
        self.time_edit = SlotTimeEdit(policy.time.slot_step_minutes)
        self.time_zone_label = QLabel(policy.time.zone_label)
        self.time_zone_label.setObjectName("zoneTag")
        self.local_label = QLabel()
        self.local_label.setObjectName("localTime")
        self.local_label.setWordWrap(True)

        self.minutes_spin = QSpinBox()
        self.minutes_spin.setRange(15, 8 * 60)
        self.minutes_spin.setSingleStep(15)
        self.minutes_spin.setSuffix(" min")
        self.minutes_spin.setMaximumWidth(120)
        self.last_day_edit = QDateEdit()
        self.last_day_edit.setCalendarPopup(True)
        self.last_day_edit.setDisplayFormat(DATE_FORMAT)
        self.length_caption = QLabel("Duration")

        self.requested_edit = QDateTimeEdit()
        self.requested_edit.setCalendarPopup(True)
        self.requested_edit.setDisplayFormat(f"{DATE_FORMAT} HH:mm")
        self.requested_edit.setToolTip(
            "When the customer asked for the session; notice is counted back from it."
        )
        self.billable_check = QCheckBox(
            f"Billable at ${policy.limits.additional_hour_usd:,}/hour "
            "(does not draw on the allowance)"
        )
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("Optional, e.g. Go-live dry run")
        self.meeting_edit = QLineEdit()
        default_link = profile_meeting_url()
        self.meeting_edit.setPlaceholderText(
            f"Default: {default_link}" if default_link else "https://… (Zoom, Teams, Webex)"
        )
        self.meeting_edit.setToolTip(
            "The conferencing link the invite carries (location, link and description)."
        )
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setPlaceholderText("Agenda, links, what to prepare…")
        self.notes_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 16)

        # --- the contract check, slots, override and invitees ---------------------------
        self.findings_list = FindingsList()
        self.next_slot_button = QPushButton("Next legal slot")
        self.next_slot_button.setObjectName("nextSlot")
        self.next_slot_button.setToolTip(
            "Fill in the first start at or after the chosen one that the contract allows."
        )
        self.slots_caption = QLabel()
        self.slots_caption.setObjectName("slotsCaption")
        self.slots_caption.setWordWrap(True)
        self.slots_list = QListWidget()
        self.slots_list.setObjectName("slotsList")
        # Room for every slot offered (rows carry 2px padding each side), no scroll bar.
        self.slots_list.setFixedHeight((self.fontMetrics().lineSpacing() + 8) * SLOTS_SHOWN + 8)
        self.slots_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.slots_list.setWordWrap(False)
        self.slots_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.override_check = QCheckBox("Override the contract")
        self.override_check.setObjectName("overrideCheck")
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("overrideReason")
        self.reason_edit.setPlaceholderText(
            "Why the exception is justified (kept with the session)"
        )
        self.override_box = QFrame()
        self.override_box.setObjectName("overrideBox")
        override_column = QVBoxLayout(self.override_box)
        override_column.setContentsMargins(10, 8, 10, 10)
        override_column.setSpacing(6)
        override_column.addWidget(self.override_check)
        override_column.addWidget(self.reason_edit)
        self.attendees_list = QListWidget()
        self.attendees_list.setObjectName("attendeesList")
        self.attendees_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.attendees_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.attendees_list.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 16)

        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.save_hint = QLabel()
        self.save_hint.setObjectName("missingHint")
        self.save_hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Save changes" if session else "Book session")
        self.save_button.setObjectName("primary")
        for button in self.buttons.buttons():
            button.setIcon(QIcon())
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        self._layout()

        # --- values, then reactions -------------------------------------------------------
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(VALIDATE_DELAY_MS)
        self._timer.timeout.connect(self.validate_now)
        if session is not None:
            self._fill(session, customer)
        else:
            self._fill_new(customer, kind)
        self._filling = False

        self.customer_combo.currentIndexChanged.connect(self._customer_changed)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.others_list.itemChanged.connect(self._others_changed)
        self.date_edit.dateChanged.connect(self._start_changed)
        self.time_edit.timeChanged.connect(self._start_changed)
        self.minutes_spin.valueChanged.connect(self._length_changed)
        self.last_day_edit.dateChanged.connect(self._last_day_changed)
        self.requested_edit.dateTimeChanged.connect(self._requested_changed)
        self.billable_check.toggled.connect(self._length_changed)
        self.override_check.toggled.connect(self._override_changed)
        self.reason_edit.textChanged.connect(self._override_changed)
        self.next_slot_button.clicked.connect(self.next_legal_slot)
        self.slots_list.itemClicked.connect(self._slot_picked)
        self.slots_list.itemActivated.connect(self._slot_picked)
        self.reason_edit.setEnabled(self.override_check.isChecked())
        self.validate_now()
        self._update_local_time()
        # WORKAROUND: see CustomerDialog.__init__ (a minimum size set before the first show).
        # Sized with the override box and the slot list showing, so neither squeezes the
        # form when it appears later; then they go back to what the check said.
        self.override_box.show()
        self.slots_caption.show()
        self.slots_list.show()
        self.ensurePolished()
        self.setMinimumSize(self.minimumSizeHint())
        self.resize(self.sizeHint().expandedTo(self.minimumSizeHint()))
        self.override_box.setVisible(bool(self._violations))
        self._clear_slots()
        self._set_tab_order()
        restore_size(self, "sessionEditor")
        self.finished.connect(lambda _result: remember_size(self, "sessionEditor"))
        if find_slot and session is None:
            self.next_legal_slot()

    def tab_chain(self) -> list[QWidget]:
        """Down the form, then the check panel, then the buttons: the order the eye reads."""
        return [
            self.customer_combo,
            self.others_list,
            self.kind_combo,
            self.date_edit,
            self.time_edit,
            self.minutes_spin,
            self.last_day_edit,
            self.requested_edit,
            self.billable_check,
            self.title_edit,
            self.meeting_edit,
            self.notes_edit,
            self.next_slot_button,
            self.slots_list,
            self.override_check,
            self.reason_edit,
            self.save_button,
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel),
        ]

    def _set_tab_order(self) -> None:
        chain = self.tab_chain()
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _layout(self) -> None:
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(8)
        grid.setColumnStretch(1, 1)

        when = QHBoxLayout()
        when.setSpacing(6)
        when.addWidget(self.date_edit, 1)
        when.addWidget(self.time_edit)
        when.addWidget(self.time_zone_label)
        length = QHBoxLayout()
        length.setSpacing(6)
        length.addWidget(self.minutes_spin)
        length.addWidget(self.last_day_edit, 1)
        length.addStretch()
        requested = QHBoxLayout()
        requested.setSpacing(6)
        requested.addWidget(self.requested_edit, 1)
        requested_zone = QLabel(self._context.policy.time.zone_label)
        requested_zone.setObjectName("zoneTag")
        requested.addWidget(requested_zone)

        rows: list[tuple[QLabel | str, QWidget | QHBoxLayout]] = [
            ("Customer", self.customer_combo),
            (self.others_caption, self.others_list),
            ("Kind", self.kind_combo),
            ("Starts", when),
            ("", self.local_label),
            (self.length_caption, length),
            ("Requested at", requested),
            ("", self.billable_check),
            ("Title", self.title_edit),
            ("Meeting link", self.meeting_edit),
            ("Notes", self.notes_edit),
        ]
        for row, (caption, field) in enumerate(rows):
            label = caption if isinstance(caption, QLabel) else QLabel(caption)
            label.setObjectName("fieldLabel")
            top = field in (self.notes_edit, self.others_list)
            alignment = Qt.AlignmentFlag.AlignRight | (
                Qt.AlignmentFlag.AlignTop if top else Qt.AlignmentFlag.AlignVCenter
            )
            grid.addWidget(label, row, 0, alignment)
            if isinstance(field, QHBoxLayout):
                grid.addLayout(field, row, 1)
            else:
                grid.addWidget(field, row, 1)
            if isinstance(field, QWidget) and label.text():
                label.setBuddy(field)

        check_title = QLabel("Contract check")
        check_title.setObjectName("sectionTitle")
        slots_row = QHBoxLayout()
        slots_row.addWidget(self.next_slot_button)
        slots_row.addStretch()
        invited = QLabel("Invited")
        invited.setObjectName("sectionTitle")
        side = QFrame()
        side.setObjectName("checkPanel")
        side.setMinimumWidth(400)
        side.setMaximumWidth(460)
        side_column = QVBoxLayout(side)
        side_column.setContentsMargins(14, 12, 14, 14)
        side_column.setSpacing(8)
        side_column.addWidget(check_title)
        side_column.addWidget(self.findings_list)
        side_column.addWidget(self.override_box)
        side_column.addSpacing(4)
        side_column.addLayout(slots_row)
        side_column.addWidget(self.slots_caption)
        side_column.addWidget(self.slots_list)
        side_column.addStretch()
        side_column.addWidget(invited)
        side_column.addWidget(self.attendees_list)

        form = QVBoxLayout()
        form.addLayout(grid)
        form.addStretch()
        body = QHBoxLayout()
        body.setSpacing(18)
        body.addLayout(form, 1)
        body.addWidget(side)
        footer = QHBoxLayout()
        footer.addWidget(self.save_hint, 1)
        footer.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(12)
        layout.addWidget(self.banner)
        layout.addLayout(body, 1)
        layout.addLayout(footer)

    # --- filling ------------------------------------------------------------------------
    def _fill_new(self, customer: CustomerRecord | None, kind: str | None) -> None:
        clock = self._context.clock
        if customer is not None:
            self.customer_combo.setCurrentIndex(self.customer_combo.findData(customer.id))
        elif self.customer_combo.count():
            self.customer_combo.setCurrentIndex(0)
        self._refill_kinds(None)
        if kind and self.kind_combo.findData(kind) >= 0:
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))
        self._refill_others(())
        day = clock.next_business_day(clock.et_date(self._now()))
        self.date_edit.setDate(_qdate(day))
        self.time_edit.setTime(QTime(DEFAULT_START.hour, DEFAULT_START.minute))
        self.last_day_edit.setDate(_qdate(day))
        self._set_requested(self._now())
        self._kind_changed()

    def _fill(self, session: SessionRecord, customer: CustomerRecord | None) -> None:
        clock = self._context.clock
        primary = (
            customer.id
            if customer is not None and customer.id in session.customer_ids
            else session.customer_ids[0]
        )
        self.customer_combo.setCurrentIndex(self.customer_combo.findData(primary))
        self._refill_kinds(session.kind)
        self._refill_others([cid for cid in session.customer_ids if cid != primary])
        start_et = clock.et(session.start_utc)
        self.date_edit.setDate(_qdate(start_et.date()))
        self.time_edit.setTime(QTime(start_et.hour, start_et.minute))
        if session.all_day:
            last = clock.et_date(session.end_utc) - timedelta(days=1)
            self._span_days = max(0, (last - start_et.date()).days)
            self.last_day_edit.setDate(_qdate(last))
        else:
            self.last_day_edit.setDate(_qdate(start_et.date()))
            self.minutes_spin.setValue(session.minutes)
        self._set_requested(session.requested_utc)
        self.billable_check.setChecked(session.billable)
        self.title_edit.setText(session.title)
        self.meeting_edit.setText(session.meeting_url)
        self.notes_edit.setPlainText(session.notes)
        if session.override_reason:
            self.override_check.setChecked(True)
            self.reason_edit.setText(session.override_reason)
        self._show_kind_fields()
        self._refill_attendees()

    def _set_requested(self, moment: datetime) -> None:
        local = self._context.clock.et(moment)
        self._setting_requested = True
        try:
            self.requested_edit.setDateTime(
                QDateTime(_qdate(local.date()), QTime(local.hour, local.minute))
            )
        finally:
            self._setting_requested = False

    def _requested_changed(self) -> None:
        if not self._setting_requested and not self._filling:
            self._requested_touched = True
        self._changed()

    def _sync_requested(self) -> None:
        """Moving a session is a new request, made now; put back where it was, it keeps the
        time it was first asked for. A request time the user typed is never replaced."""
        if self._session is None or self._requested_touched or self._filling:
            return
        try:
            times = self.times()
        except AmplanError:
            return
        moved = (times.start_utc, times.end_utc) != (self._session.start_utc, self._session.end_utc)
        self._set_requested(self._now() if moved else self._session.requested_utc)

    def _refill_kinds(self, wanted: str | None) -> None:
        """Only the kinds the customer's contract has; keep the chosen one when it still fits."""
        customer = self.primary_customer()
        current = wanted or self.kind()
        self.kind_combo.blockSignals(True)
        self.kind_combo.clear()
        if customer is not None:
            entitlements = self._context.customers.entitlements(customer)
            for kind in KIND_NAMES:
                if entitlements.allows_kind(kind) or kind == wanted:
                    self.kind_combo.addItem(self._context.policy.kind(kind).label, kind)
        index = self.kind_combo.findData(current)
        self.kind_combo.setCurrentIndex(max(index, 0))
        self.kind_combo.blockSignals(False)

    def _refill_others(self, checked: Sequence[int]) -> None:
        """Round-table guests: the other customers whose contract has round tables."""
        primary = self.primary_customer()
        self.others_list.blockSignals(True)
        self.others_list.clear()
        for record in self._customers.values():
            if primary is not None and record.id == primary.id:
                continue
            if not self._context.customers.entitlements(record).allows_kind("round-table"):
                continue
            item = QListWidgetItem(record.name)
            item.setData(CUSTOMER_ROLE, record.id)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if record.id in checked else Qt.CheckState.Unchecked
            )
            self.others_list.addItem(item)
        self.others_list.blockSignals(False)

    def _refill_attendees(self) -> None:
        self.attendees_list.clear()
        chosen = self.chosen_customers()
        several = len(chosen) > 1
        # What each answered the invite of this session (imported replies), when it has one.
        answers = {
            a.email.lower(): a.partstat
            for a in (self._session.attendees if self._session is not None else ())
            if a.partstat != "needs-action"
        }
        for record in chosen:
            for contact in record.contacts:
                text = f"{contact.name} <{contact.email}>"
                answer = answers.get(contact.email.lower())
                text += f" · {PARTSTAT_LABELS[answer]}" if answer in PARTSTAT_LABELS else ""
                self.attendees_list.addItem(f"{record.name}: {text}" if several else text)
            if not record.contacts:
                item = QListWidgetItem(f"{record.name} has no contacts to invite yet.")
                item.setForeground(self.palette().placeholderText())
                self.attendees_list.addItem(item)

    # --- reading the fields -------------------------------------------------------------
    def primary_customer(self) -> CustomerRecord | None:
        cid = self.customer_combo.currentData()
        return self._customers.get(cid) if isinstance(cid, int) else None

    def chosen_customers(self) -> tuple[CustomerRecord, ...]:
        primary = self.primary_customer()
        if primary is None:
            return ()
        chosen = [primary]
        if self.kind() == "round-table":
            for row in range(self.others_list.count()):
                item = self.others_list.item(row)
                if item.checkState() == Qt.CheckState.Checked:
                    chosen.append(self._customers[int(item.data(CUSTOMER_ROLE))])
        return tuple(chosen)

    def kind(self) -> str:
        value = self.kind_combo.currentData()
        return value if isinstance(value, str) else ""

    def _all_day(self) -> bool:
        kind = self.kind()
        return bool(kind) and self._context.policy.kind(kind).all_day

    def times(self) -> SessionTimes:
        """The fields as UTC instants; an ET time skipped by daylight saving is an AmplanError."""
        clock = self._context.clock
        first = _day(self.date_edit)
        if self._all_day():
            last = max(_day(self.last_day_edit), first)
            return SessionTimes(
                to_utc(clock.midnight(first)),
                to_utc(clock.midnight(last + timedelta(days=1))),
                True,
            )
        start_utc = to_utc(clock.at(first, _clock_time(self.time_edit.time())))
        return SessionTimes(
            start_utc, start_utc + timedelta(minutes=self.minutes_spin.value()), False
        )

    def requested_utc(self) -> datetime:
        clock = self._context.clock
        value = self.requested_edit.dateTime()
        return to_utc(clock.at(_day(self.requested_edit), _clock_time(value.time())))

    def _overriding(self) -> bool:
        needed = bool(self._violations) or bool(self._lifted)
        return needed and self.override_check.isChecked()

    def request(self) -> BookingRequest:
        """The booking the fields describe; the reason goes along only while it is needed."""
        return BookingRequest(
            customers=self.chosen_customers(),
            kind=self.kind(),
            times=self.times(),
            requested_utc=self.requested_utc(),
            title=self.title_edit.text(),
            notes=self.notes_edit.toPlainText(),
            billable=self.billable_check.isChecked(),
            override_reason=self.reason_edit.text() if self._overriding() else None,
            meeting_url=self.meeting_url(),
        )

    def meeting_url(self) -> str | None:
        """The link typed; None for a new session left empty (the profile's default)."""
        text = self.meeting_edit.text().strip()
        return text if text or self._session is not None else None

    def check_pending(self) -> bool:
        """True while an edit waits for the debounced check (the findings are stale)."""
        return self._timer.isActive()

    def findings(self) -> tuple[list[Violation], list[str]]:
        """The rules broken and the local-time warnings, as last checked."""
        return list(self._violations), list(self._warnings)

    # --- reacting -----------------------------------------------------------------------
    def _changed(self) -> None:
        if self._filling:
            return
        self.banner.hide()
        self._timer.start()

    def _customer_changed(self) -> None:
        kept = [c.id for c in self.chosen_customers()[1:]]
        self._refill_kinds(None)
        self._refill_others(kept)
        self._kind_changed()

    def _kind_changed(self) -> None:
        kind = self.kind()
        if kind and kind != self._last_kind:
            # A new kind brings its usual length; the same kind keeps what the user chose.
            info = self._context.policy.kind(kind)
            if not info.all_day:
                self.minutes_spin.setValue(info.default_minutes)
        self._last_kind = kind
        self._show_kind_fields()
        self._clear_slots()
        self._refill_attendees()
        self._update_local_time()
        self._changed()

    def _show_kind_fields(self) -> None:
        all_day = self._all_day()
        round_table = self.kind() == "round-table"
        self.others_caption.setVisible(round_table)
        self.others_list.setVisible(round_table)
        self.minutes_spin.setVisible(not all_day)
        self.last_day_edit.setVisible(all_day)
        self.time_edit.setVisible(not all_day)
        self.time_zone_label.setVisible(not all_day)
        self.length_caption.setText("Last day" if all_day else "Duration")

    def _others_changed(self) -> None:
        self._refill_attendees()
        self._clear_slots()
        self._changed()

    def _start_changed(self) -> None:
        # An event plan keeps its number of days when its first day moves.
        self._moving_end = True
        self.last_day_edit.setMinimumDate(self.date_edit.date())
        self.last_day_edit.setDate(self.date_edit.date().addDays(self._span_days))
        self._moving_end = False
        if not self._applying_slot:
            self.slots_list.clearSelection()
        self._sync_requested()
        self._update_local_time()
        self._changed()

    def _last_day_changed(self) -> None:
        if self._moving_end or self._applying_slot:
            return
        self._span_days = max(0, self.date_edit.date().daysTo(self.last_day_edit.date()))
        self._length_changed()

    def _length_changed(self) -> None:
        self._clear_slots()
        self._sync_requested()
        self._update_local_time()
        self._changed()

    def _override_changed(self) -> None:
        self.reason_edit.setEnabled(self.override_check.isChecked())
        if self.override_check.isChecked() and not self._filling:
            self.reason_edit.setFocus()
        self._update_save()

    def _update_local_time(self) -> None:
        """ET beside the customer's own clock, at once: it costs no lookup, so no delay."""
        customers = self.chosen_customers()
        try:
            times = self.times()
        except AmplanError as exc:
            self.local_label.setText(str(exc))
            return
        if times.all_day:
            clock = self._context.clock
            self.local_label.setText(when_et(clock, times.start_utc, times.end_utc, True))
            return
        parts = [
            when_local(self._context.clock, times.start_utc, times.end_utc, False, c.tz)
            for c in customers
        ]
        unique = list(dict.fromkeys(p for p in parts if p))
        self.local_label.setText("That is " + "; ".join(unique) + "." if unique else "")

    # --- checking -----------------------------------------------------------------------
    def validate_now(self) -> None:
        """Ask the scheduler what the contract says about the fields as they are now."""
        self._timer.stop()
        scheduler = self._context.scheduler
        session_id = self._session.id if self._session is not None else None
        try:
            proposal = scheduler.proposal_for(self.request(), session_id=session_id)
            self._violations = scheduler.validate(proposal)
            self._warnings = scheduler.local_time_warnings(proposal)
            # A request time in the past that changes the verdict needs a reason, too.
            self._lifted = scheduler.backdating_lifts(proposal, self._now())
            self._problem = None
        except AmplanError as exc:
            self._violations, self._warnings, self._problem = [], [], str(exc)
            self._lifted = []
        shown_warnings = [
            f"Requested in the past: a request made now would be refused ({v.rule}), {v.message}"
            for v in self._lifted
        ] + list(self._warnings)
        self.findings_list.show_findings(self._violations, shown_warnings, self._problem)
        self.override_box.setVisible(bool(self._violations) or bool(self._lifted))
        self.override_check.setEnabled(not self._unoverridable())
        self.override_check.setToolTip(
            "No reason can make a session of this shape: change its times."
            if self._unoverridable()
            else ""
        )
        self._update_save()
        self._fit_height()

    def _unoverridable(self) -> bool:
        return any(v.rule in UNOVERRIDABLE for v in self._violations)

    def _fit_height(self) -> None:
        """Grow when many findings need more lines than the first size allowed for."""
        QTimer.singleShot(0, self, self._grow_to_fit)

    def _grow_to_fit(self) -> None:
        layout = self.layout()
        if layout is None:
            return
        # Wrapped labels count in the height-for-width, not in the minimum size.
        needed = max(layout.totalMinimumSize().height(), layout.totalHeightForWidth(self.width()))
        if needed > self.height():
            self.resize(self.width(), needed)

    def _update_save(self) -> None:
        reason = self.reason_edit.text().strip()
        if self._problem:
            ok, hint = False, "Complete the session to book it."
        elif not self._violations and self._lifted and not self.override_check.isChecked():
            rules = ", ".join(sorted({v.rule for v in self._lifted}))
            ok, hint = (
                False,
                f"The request time is in the past and changes the verdict ({rules}): "
                "tick Override and say why; the reason is kept in the history.",
            )
        elif not self._violations and self._lifted and not reason:
            ok, hint = False, "Write why the request time is in the past; the reason is kept."
        elif not self._violations and self._lifted:
            ok, hint = True, "Booked with the earlier request time and your reason."
        elif not self._violations:
            ok, hint = True, ""
        elif self._unoverridable():
            ok, hint = False, "Change the times: no override makes a session of this shape."
        elif not self.override_check.isChecked():
            ok, hint = False, "Choose a time the contract allows, or override it with a reason."
        elif not reason:
            ok, hint = False, "Write why you override the contract; the reason is kept."
        else:
            ok, hint = True, "Booked as an exception to the contract, with your reason."
        self.save_button.setEnabled(ok)
        self.save_hint.setText(hint)

    # --- slots --------------------------------------------------------------------------
    def next_legal_slot(self) -> None:
        """Fill in the first legal start after the chosen one; list the next few to pick from."""
        customers = self.chosen_customers()
        kind = self.kind()
        if not customers or not kind:
            return
        try:
            current = self.times()
            minutes = (
                max(1, round(current.minutes / DAY_MINUTES)) * DAY_MINUTES
                if current.all_day
                else self.minutes_spin.value()
            )
            found = find_slots(
                self._context.scheduler,
                customers,
                kind,
                minutes,
                self.requested_utc(),
                max(current.start_utc, self._now()),
                count=SLOTS_SHOWN + 1,
                billable=self.billable_check.isChecked(),
                session_id=self._session.id if self._session is not None else None,
            )
        except RuleRefusal as exc:
            self._show_slots([], exc.violations[0].message if exc.violations else str(exc))
            return
        except AmplanError as exc:
            self._show_slots([], str(exc))
            return
        slots = [t for t in found if t.start_utc != current.start_utc][:SLOTS_SHOWN]
        if not slots:
            self._show_slots([], "No legal slot in the next two years for these settings.")
            return
        self._show_slots(slots, "")
        self._apply_slot(slots[0])
        self.slots_list.setCurrentRow(0)

    def _show_slots(self, slots: Sequence[SessionTimes], message: str) -> None:
        clock = self._context.clock
        self.slots_list.clear()
        primary = self.primary_customer()
        tz = primary.tz if primary is not None else ""
        for times in slots:
            if times.all_day:
                text = when_et(clock, times.start_utc, times.end_utc, True)
            else:
                start, end = clock.et(times.start_utc), clock.et(times.end_utc)
                text = (
                    f"{start:%a} {start.day} {start:%b}, {start:%H:%M}{DASH}{end:%H:%M} "
                    f"{clock.rules.zone_label}"
                )
                if tz and tz != clock.rules.zone_name:
                    local = when_local(clock, times.start_utc, times.end_utc, False, tz, False)
                    text += f"  ·  {local} {city(tz)}"
            item = QListWidgetItem(text)
            item.setData(SLOT_ROLE, times)
            item.setToolTip(text)
            self.slots_list.addItem(item)
        self.slots_caption.setText(message or "Filled in the first; pick another legal slot below.")
        self.slots_caption.setProperty("error", bool(message))
        self.slots_caption.style().unpolish(self.slots_caption)
        self.slots_caption.style().polish(self.slots_caption)
        self.slots_caption.show()
        self.slots_list.setVisible(bool(slots))
        self._fit_height()

    def _clear_slots(self) -> None:
        self.slots_list.clear()
        self.slots_list.hide()
        self.slots_caption.hide()

    def slot_texts(self) -> list[str]:
        return [self.slots_list.item(row).text() for row in range(self.slots_list.count())]

    def _slot_picked(self, item: QListWidgetItem) -> None:
        times = item.data(SLOT_ROLE)
        if isinstance(times, SessionTimes):
            self._apply_slot(times)

    def _apply_slot(self, times: SessionTimes) -> None:
        clock = self._context.clock
        start_et = clock.et(times.start_utc)
        self._applying_slot = True
        try:
            self.date_edit.setDate(_qdate(start_et.date()))
            if times.all_day:
                last = clock.et_date(times.end_utc) - timedelta(days=1)
                self.last_day_edit.setDate(_qdate(last))
            else:
                self.time_edit.setTime(QTime(start_et.hour, start_et.minute))
        finally:
            self._applying_slot = False
        self.validate_now()

    # --- saving -------------------------------------------------------------------------
    def _only_moved(self, request: BookingRequest) -> bool:
        """True when the change is a new time and nothing else: the undo menu says "move"."""
        old = self._session
        if old is None:
            return False
        same = (
            request.kind == old.kind
            and tuple(c.id for c in request.customers) == old.customer_ids
            and " ".join(request.title.split()) == old.title
            and request.notes.strip() == old.notes
            and request.billable == old.billable
            and (request.override_reason or "").strip() == old.override_reason
            and (request.meeting_url or "") == old.meeting_url
        )
        times = request.times
        moved = (times.start_utc, times.end_utc) != (old.start_utc, old.end_utc)
        return same and moved and times.all_day == old.all_day

    def save(self) -> None:
        """Book or change through the undo stack; a refusal keeps the dialog and its fields."""
        self.validate_now()
        if not self.save_button.isEnabled():
            return
        actions = self._actions
        try:
            request = self.request()
            if self._session is None:
                outcome = actions.book(request)
            elif self._only_moved(request):
                outcome = actions.move(
                    self._session.id,
                    request.times,
                    request.requested_utc,
                    request.override_reason,
                    expected_sequence=self._session.sequence,
                )
            else:
                outcome = actions.update(
                    self._session.id, request, expected_sequence=self._session.sequence
                )
        except RuleRefusal as exc:
            self._violations = exc.violations
            self.findings_list.show_findings(exc.violations, self._warnings, None)
            self.override_box.show()
            self._update_save()
            self._show_banner("Not saved: the contract refuses this session as it stands.")
            return
        except AmplanError as exc:
            self._show_banner(f"Not saved: {exc}")
            return
        self.session_saved.emit(outcome.session)
        self.accept()

    def _show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()
