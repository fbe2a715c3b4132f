"""The session editor's form: its fields, the contract-check panel and the buttons, laid out.

Layout only: nothing here reacts to an edit. `SessionEditor` (session_editor.py) fills the
fields, listens to them and asks the scheduler.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
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
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.services.mail.meeting_links import profile_meeting_url
from desktop.services.policy import Policy
from desktop.services.scheduling.session_form import KindFields
from desktop.views.customers.customer_dialog import DATE_FORMAT
from desktop.views.sessions.editor_widgets import (
    FindingsList,
    GuestsList,
    InvitedList,
    SlotsList,
    SlotTimeEdit,
)
from desktop.views.widgets.form_dialog import dialog_buttons, dialog_column, hint_and_buttons

SLOTS_SHOWN = 5


class SessionEditorForm(QDialog):
    """The widgets of a new session (`editing` False) or of a change to one."""

    def __init__(self, policy: Policy, editing: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionEditor")
        self.setWindowTitle("Edit session" if editing else "New session")
        self._zone_label = policy.time.zone_label
        self._make_booking_fields(policy)
        self._make_detail_fields(policy)
        self._make_check_panel()
        self._make_footer(editing)
        self._lay_out()

    # --- the widgets --------------------------------------------------------------------
    def _make_booking_fields(self, policy: Policy) -> None:
        """Who, what and when."""
        self.customer_combo = QComboBox()
        self.customer_combo.setMinimumWidth(300)
        self.kind_combo = QComboBox()
        self.others_list = GuestsList()
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

    def _make_detail_fields(self, policy: Policy) -> None:
        """Billing, the title, the meeting link and the notes."""
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

    def _make_check_panel(self) -> None:
        """The contract check, the slots, the override and the invitees."""
        self.findings_list = FindingsList()
        self.next_slot_button = QPushButton("Next legal slot")
        self.next_slot_button.setObjectName("nextSlot")
        self.next_slot_button.setToolTip(
            "Fill in the first start at or after the chosen one that the contract allows."
        )
        self.slots_caption = QLabel()
        self.slots_caption.setObjectName("slotsCaption")
        self.slots_caption.setWordWrap(True)
        self.slots_list = SlotsList()
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
        self.attendees_list = InvitedList()
        self.attendees_list.setObjectName("attendeesList")
        self.attendees_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.attendees_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.attendees_list.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 16)

    def _make_footer(self, editing: bool) -> None:
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.save_hint = QLabel()
        self.save_hint.setObjectName("missingHint")
        self.save_hint.setWordWrap(True)
        self.buttons, self.save_button = dialog_buttons(
            QDialogButtonBox.StandardButton.Save, "Save changes" if editing else "Book session"
        )

    def show_kind_fields(self, fields: KindFields) -> None:
        """Guests for a round table; a last day for an all-day kind, else a time and length."""
        self.others_caption.setVisible(fields.guests)
        self.others_list.setVisible(fields.guests)
        self.minutes_spin.setVisible(not fields.all_day)
        self.last_day_edit.setVisible(fields.all_day)
        self.time_edit.setVisible(not fields.all_day)
        self.time_zone_label.setVisible(not fields.all_day)
        self.length_caption.setText(fields.length_caption)

    # --- the layout ---------------------------------------------------------------------
    def _lay_out(self) -> None:
        form = QVBoxLayout()
        form.addLayout(self._form_grid())
        form.addStretch()
        body = QHBoxLayout()
        body.setSpacing(18)
        body.addLayout(form, 1)
        body.addWidget(self._check_panel())
        layout = dialog_column(self, 12)
        layout.addWidget(self.banner)
        layout.addLayout(body, 1)
        layout.addLayout(hint_and_buttons(self.save_hint, self.buttons))

    def _row(self, *widgets: QWidget, stretch_first: bool = True) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(6)
        for widget in widgets:
            row.addWidget(widget, 1 if stretch_first and widget is widgets[0] else 0)
        return row

    def _form_grid(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(8)
        grid.setColumnStretch(1, 1)
        when = self._row(self.date_edit, self.time_edit, self.time_zone_label)
        length = QHBoxLayout()
        length.setSpacing(6)
        length.addWidget(self.minutes_spin)
        length.addWidget(self.last_day_edit, 1)
        length.addStretch()
        requested_zone = QLabel(self._zone_label)
        requested_zone.setObjectName("zoneTag")
        requested = self._row(self.requested_edit, requested_zone)

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
        return grid

    def _check_panel(self) -> QFrame:
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
        return side

    # --- focus and size -----------------------------------------------------------------
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
        for first, second in itertools.pairwise(self.tab_chain()):
            QWidget.setTabOrder(first, second)

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
