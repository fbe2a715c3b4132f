"""The session editor's own widgets: a time field stepping by the policy's slot, and the list
of what the contract says about the fields."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.services.business_time import BusinessClock
from desktop.services.calendar_files.attendees import PARTSTAT_LABELS, Attendee
from desktop.services.customers import CustomerRecord
from desktop.services.display.session_format import DASH, city, when_et, when_local
from desktop.services.scheduling.rules import Violation
from desktop.services.scheduling.sessions import SessionTimes

CUSTOMER_ROLE = Qt.ItemDataRole.UserRole
SLOT_ROLE = Qt.ItemDataRole.UserRole + 1


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


def slot_text(clock: BusinessClock, times: SessionTimes, tz: str) -> str:
    """'Thu 12 Mar, 10:30–11:30 ET  ·  15:30–16:30 Berlin': ET, then the customer's clock."""
    if times.all_day:
        return when_et(clock, times.start_utc, times.end_utc, True)
    start, end = clock.et(times.start_utc), clock.et(times.end_utc)
    text = (
        f"{start:%a} {start.day} {start:%b}, {start:%H:%M}{DASH}{end:%H:%M} "
        f"{clock.rules.zone_label}"
    )
    if tz and tz != clock.rules.zone_name:
        local = when_local(clock, times.start_utc, times.end_utc, False, tz, False)
        text += f"  ·  {local} {city(tz)}"
    return text


def local_time_text(
    clock: BusinessClock, times: SessionTimes, customers: Sequence[CustomerRecord]
) -> str:
    """'That is 15:30–16:30 in Europe/Berlin.' for each customer's clock (ET days for an
    all-day session)."""
    if times.all_day:
        return when_et(clock, times.start_utc, times.end_utc, True)
    parts = [when_local(clock, times.start_utc, times.end_utc, False, c.tz) for c in customers]
    unique = list(dict.fromkeys(p for p in parts if p))
    return "That is " + "; ".join(unique) + "." if unique else ""


class GuestsList(QListWidget):
    """The other customers a round table may invite, each with a tick."""

    def show_guests(self, guests: Sequence[CustomerRecord], checked: Sequence[int]) -> None:
        self.clear()
        for record in guests:
            item = QListWidgetItem(record.name)
            item.setData(CUSTOMER_ROLE, record.id)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if record.id in checked else Qt.CheckState.Unchecked
            )
            self.addItem(item)

    def checked_ids(self) -> list[int]:
        return [
            int(self.item(row).data(CUSTOMER_ROLE))
            for row in range(self.count())
            if self.item(row).checkState() == Qt.CheckState.Checked
        ]


class SlotsList(QListWidget):
    """The legal slots offered, each row carrying its `SessionTimes`."""

    def show_slots(self, clock: BusinessClock, slots: Sequence[SessionTimes], tz: str) -> None:
        self.clear()
        for times in slots:
            text = slot_text(clock, times, tz)
            item = QListWidgetItem(text)
            item.setData(SLOT_ROLE, times)
            item.setToolTip(text)
            self.addItem(item)

    @staticmethod
    def times_of(item: QListWidgetItem) -> SessionTimes | None:
        times = item.data(SLOT_ROLE)
        return times if isinstance(times, SessionTimes) else None

    def texts(self) -> list[str]:
        return [self.item(row).text() for row in range(self.count())]


class InvitedList(QListWidget):
    """Who the invite goes to, with what each answered (imported replies) when they did."""

    def show_invited(self, chosen: Sequence[CustomerRecord], attendees: Sequence[Attendee]) -> None:
        self.clear()
        several = len(chosen) > 1
        answers = {a.email.lower(): a.partstat for a in attendees if a.partstat != "needs-action"}
        for record in chosen:
            for contact in record.contacts:
                text = f"{contact.name} <{contact.email}>"
                answer = answers.get(contact.email.lower())
                text += f" · {PARTSTAT_LABELS[answer]}" if answer in PARTSTAT_LABELS else ""
                self.addItem(f"{record.name}: {text}" if several else text)
            if not record.contacts:
                item = QListWidgetItem(f"{record.name} has no contacts to invite yet.")
                item.setForeground(self.palette().placeholderText())
                self.addItem(item)
