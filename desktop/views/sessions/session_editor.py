"""The session editor: book a session or change one, checked against the contract as it is typed.

The dialog never decides what is legal: it builds a proposal from its fields and asks the
scheduler, so the editor, the CLI and the planner always agree. The widgets and their layout
are `SessionEditorForm` (editor_form.py); what the fields mean is services/session_form.py;
this class fills the fields, reacts to edits and saves through the undo stack.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QDate, QDateTime, QTime, QTimer, Signal
from PySide6.QtWidgets import QDateEdit, QDateTimeEdit, QListWidgetItem, QWidget

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.services.business_time import to_utc
from desktop.services.customers import CustomerRecord
from desktop.services.display.session_format import Now, system_now
from desktop.services.policy import KIND_NAMES
from desktop.services.scheduling.rules import Violation
from desktop.services.scheduling.session_form import (
    ROUND_TABLE,
    KindFields,
    form_times,
    kind_fields,
    only_moved,
    save_verdict,
    slot_search_minutes,
    unoverridable,
)
from desktop.services.scheduling.sessions import (
    BookingRequest,
    RuleRefusal,
    SessionRecord,
    SessionTimes,
)
from desktop.services.scheduling.slots import find_slots
from desktop.views.sessions.editor_form import SLOTS_SHOWN, SessionEditorForm
from desktop.views.sessions.editor_widgets import (
    FindingsList,
    SlotsList,
    SlotTimeEdit,
    local_time_text,
)
from desktop.views.shell.undo import SessionActions
from desktop.views.widgets.geometry import remember_size, restore_size

__all__ = ["FindingsList", "SessionEditor", "SlotTimeEdit"]

VALIDATE_DELAY_MS = 150
DEFAULT_START = time(10, 0)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(edit: QDateEdit | QDateTimeEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


def _clock_time(value: QTime) -> time:
    return time(value.hour(), value.minute())


class SessionEditor(SessionEditorForm):
    """A new session when `session` is None, otherwise a change to that planned session.

    `customer` is the one the dialog opens on; `now` is asked whenever "now" matters (the
    default request time, where the slot search starts) so tests can fix it. Saving goes
    through `actions` (the window's undo stack); `kind` preselects a new session's kind and
    `find_slot` fills in the next legal slot at once (the dashboard's "Book…" buttons).

    Edits are told from the program's own changes to the fields by one mechanism: while
    `_setting_fields()` is open, the field signals are ignored, and the code that set the
    fields updates what depends on them itself.
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
        super().__init__(context.policy, session is not None, parent)
        self._context = context
        self._actions = actions or SessionActions(context, self)
        self._session = session
        self._now = now
        self._violations: list[Violation] = []
        self._warnings: list[str] = []
        self._lifted: list[Violation] = []
        self._problem: str | None = None
        self._program_setting = 0  # > 0 while the program, not the user, sets the fields
        self._span_days = 0
        self._last_kind = ""
        self._requested_touched = False
        self._customers = self._known_customers(customer, session)
        for record in self._customers.values():
            self.customer_combo.addItem(record.name, record.id)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(VALIDATE_DELAY_MS)
        self._timer.timeout.connect(self.validate_now)
        with self._setting_fields():
            if session is not None:
                self._fill(session, customer)
            else:
                self._fill_new(customer, kind)
        self._connect_fields()
        self.reason_edit.setEnabled(self.override_check.isChecked())
        self.validate_now()
        self._update_local_time()
        self._settle_size()
        if find_slot and session is None:
            self.next_legal_slot()

    def _known_customers(
        self, customer: CustomerRecord | None, session: SessionRecord | None
    ) -> dict[int, CustomerRecord]:
        """Everyone in the book, plus the ones this dialog was opened on, by name."""
        customers = {c.id: c for c in self._context.customers.list()}
        if customer is not None:
            customers.setdefault(customer.id, customer)
        if session is not None:
            for cid in session.customer_ids:
                if cid not in customers:
                    customers[cid] = self._context.customers.get(cid)
        return dict(sorted(customers.items(), key=lambda kv: kv[1].name.lower()))

    @contextmanager
    def _setting_fields(self) -> Iterator[None]:
        """The program sets fields inside: their signals are not the user's edits."""
        self._program_setting += 1
        try:
            yield
        finally:
            self._program_setting -= 1

    def _by_user(self, react: Callable[[], None]) -> Callable[..., None]:
        """`react` to a field's signal only when the user made the change."""

        def reaction(*_args: object) -> None:
            if not self._program_setting:
                react()

        return reaction

    def _connect_fields(self) -> None:
        user = self._by_user
        self.customer_combo.currentIndexChanged.connect(user(self._customer_changed))
        self.kind_combo.currentIndexChanged.connect(user(self._kind_changed))
        self.others_list.itemChanged.connect(user(self._others_changed))
        self.date_edit.dateChanged.connect(user(self._start_changed))
        self.time_edit.timeChanged.connect(user(self._start_changed))
        self.minutes_spin.valueChanged.connect(user(self._length_changed))
        self.last_day_edit.dateChanged.connect(user(self._last_day_changed))
        self.requested_edit.dateTimeChanged.connect(user(self._requested_changed))
        self.billable_check.toggled.connect(user(self._length_changed))
        self.override_check.toggled.connect(user(self._override_changed))
        self.reason_edit.textChanged.connect(user(self._override_changed))
        self.next_slot_button.clicked.connect(self.next_legal_slot)
        self.slots_list.itemClicked.connect(self._slot_picked)
        self.slots_list.itemActivated.connect(self._slot_picked)

    def _settle_size(self) -> None:
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
        self.show_kind_fields(self._kind_fields())
        self._refill_attendees()

    def _set_requested(self, moment: datetime) -> None:
        local = self._context.clock.et(moment)
        with self._setting_fields():
            self.requested_edit.setDateTime(
                QDateTime(_qdate(local.date()), QTime(local.hour, local.minute))
            )

    def _requested_changed(self) -> None:
        self._requested_touched = True
        self._changed()

    def _sync_requested(self) -> None:
        """Moving a session is a new request, made now; put back where it was, it keeps the
        time it was first asked for. A request time the user typed is never replaced."""
        if self._session is None or self._requested_touched:
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
        with self._setting_fields():
            self.kind_combo.clear()
            if customer is not None:
                entitlements = self._context.customers.entitlements(customer)
                for kind in KIND_NAMES:
                    if entitlements.allows_kind(kind) or kind == wanted:
                        self.kind_combo.addItem(self._context.policy.kind(kind).label, kind)
            index = self.kind_combo.findData(current)
            self.kind_combo.setCurrentIndex(max(index, 0))

    def _refill_others(self, checked: Sequence[int]) -> None:
        """Round-table guests: the other customers whose contract has round tables."""
        primary = self.primary_customer()
        entitlements = self._context.customers.entitlements
        guests = [
            record
            for record in self._customers.values()
            if (primary is None or record.id != primary.id)
            and entitlements(record).allows_kind(ROUND_TABLE)
        ]
        with self._setting_fields():
            self.others_list.show_guests(guests, checked)

    def _refill_attendees(self) -> None:
        answers = self._session.attendees if self._session is not None else ()
        self.attendees_list.show_invited(self.chosen_customers(), answers)

    # --- reading the fields -------------------------------------------------------------
    def primary_customer(self) -> CustomerRecord | None:
        cid = self.customer_combo.currentData()
        return self._customers.get(cid) if isinstance(cid, int) else None

    def chosen_customers(self) -> tuple[CustomerRecord, ...]:
        primary = self.primary_customer()
        if primary is None:
            return ()
        chosen = [primary]
        if self._kind_fields().guests:
            chosen += [self._customers[cid] for cid in self.others_list.checked_ids()]
        return tuple(chosen)

    def kind(self) -> str:
        value = self.kind_combo.currentData()
        return value if isinstance(value, str) else ""

    def _kind_fields(self) -> KindFields:
        kind = self.kind()
        return kind_fields(kind, bool(kind) and self._context.policy.kind(kind).all_day)

    def times(self) -> SessionTimes:
        """The fields as UTC instants; an ET time skipped by daylight saving is an AmplanError."""
        return form_times(
            self._context.clock,
            _day(self.date_edit),
            _clock_time(self.time_edit.time()),
            self.minutes_spin.value(),
            _day(self.last_day_edit),
            self._kind_fields().all_day,
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
        if self._program_setting:
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
        self.show_kind_fields(self._kind_fields())
        self._clear_slots()
        self._refill_attendees()
        self._update_local_time()
        self._changed()

    def _others_changed(self) -> None:
        self._refill_attendees()
        self._clear_slots()
        self._changed()

    def _start_changed(self) -> None:
        self._follow_start()
        self.slots_list.clearSelection()
        self._sync_requested()
        self._update_local_time()
        self._changed()

    def _follow_start(self) -> None:
        """An event plan keeps its number of days when its first day moves."""
        with self._setting_fields():
            self.last_day_edit.setMinimumDate(self.date_edit.date())
            self.last_day_edit.setDate(self.date_edit.date().addDays(self._span_days))

    def _last_day_changed(self) -> None:
        self._span_days = max(0, self.date_edit.date().daysTo(self.last_day_edit.date()))
        self._length_changed()

    def _length_changed(self) -> None:
        self._clear_slots()
        self._sync_requested()
        self._update_local_time()
        self._changed()

    def _override_changed(self) -> None:
        self.reason_edit.setEnabled(self.override_check.isChecked())
        if self.override_check.isChecked():
            self.reason_edit.setFocus()
        self._update_save()

    def _update_local_time(self) -> None:
        """ET beside the customer's own clock, at once: it costs no lookup, so no delay."""
        try:
            times = self.times()
        except AmplanError as exc:
            self.local_label.setText(str(exc))
            return
        clock = self._context.clock
        self.local_label.setText(local_time_text(clock, times, self.chosen_customers()))

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
        self.override_check.setEnabled(not unoverridable(self._violations))
        self.override_check.setToolTip(
            "No reason can make a session of this shape: change its times."
            if unoverridable(self._violations)
            else ""
        )
        self._update_save()
        self._fit_height()

    def _update_save(self) -> None:
        verdict = save_verdict(
            self._problem,
            self._violations,
            self._lifted,
            self.override_check.isChecked(),
            self.reason_edit.text(),
        )
        self.save_button.setEnabled(verdict.allowed)
        self.save_hint.setText(verdict.hint)

    # --- slots --------------------------------------------------------------------------
    def next_legal_slot(self) -> None:
        """Fill in the first legal start after the chosen one; list the next few to pick from."""
        customers = self.chosen_customers()
        kind = self.kind()
        if not customers or not kind:
            return
        try:
            current = self.times()
            minutes = slot_search_minutes(current, self.minutes_spin.value())
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
        primary = self.primary_customer()
        self.slots_list.show_slots(self._context.clock, slots, primary.tz if primary else "")
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
        return self.slots_list.texts()

    def _slot_picked(self, item: QListWidgetItem) -> None:
        times = SlotsList.times_of(item)
        if times is not None:
            self._apply_slot(times)

    def _apply_slot(self, times: SessionTimes) -> None:
        clock = self._context.clock
        start_et = clock.et(times.start_utc)
        with self._setting_fields():
            self.date_edit.setDate(_qdate(start_et.date()))
            self._follow_start()
            if times.all_day:
                last = clock.et_date(times.end_utc) - timedelta(days=1)
                self.last_day_edit.setDate(_qdate(last))
            else:
                self.time_edit.setTime(QTime(start_et.hour, start_et.minute))
        self._sync_requested()
        self._update_local_time()
        self.banner.hide()
        self.validate_now()

    # --- saving -------------------------------------------------------------------------
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
            elif only_moved(request, self._session):
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
