"""The right-hand panel: who the customer is and, in plain words, what their contract gives."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.business_time import BusinessClock, format_day
from desktop.services.customers import CustomerRecord
from desktop.services.entitlements import describe, entitlements_for
from desktop.services.policy import Policy


class EntitlementsCard(QFrame):
    """A titled card of `describe()` lines; the customer panel and the dialog preview share it."""

    TITLE = "What the contract gives"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self._title = QLabel(self.TITLE)
        self._title.setObjectName("cardTitle")
        self._subtitle = QLabel()
        self._subtitle.setObjectName("cardSubtitle")
        self._subtitle.setWordWrap(True)
        self._lines_box = QVBoxLayout()
        self._lines_box.setSpacing(5)
        self._lines: list[str] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 16)
        layout.setSpacing(4)
        layout.addWidget(self._title)
        layout.addWidget(self._subtitle)
        layout.addSpacing(8)
        layout.addLayout(self._lines_box)

    def set_lines(self, lines: Sequence[str], subtitle: str = "") -> None:
        self._lines = list(lines)
        self._subtitle.setText(subtitle)
        self._subtitle.setVisible(bool(subtitle))
        while self._lines_box.count():
            item = self._lines_box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                # Hidden now: deleteLater alone leaves the old lines painted until the loop runs.
                widget.hide()
                widget.deleteLater()
        for line in self._lines:
            self._lines_box.addWidget(_Bullet(line))

    def lines(self) -> list[str]:
        return list(self._lines)

    def subtitle(self) -> str:
        return self._subtitle.text()


class _Bullet(QWidget):
    """One entitlement: an accent dot, then the wrapped sentence."""

    def __init__(self, text: str) -> None:
        super().__init__()
        dot = QLabel("●")
        dot.setObjectName("cardBullet")
        dot.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        dot.setFixedWidth(14)
        label = QLabel(text)
        label.setObjectName("cardLine")
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(6)
        layout.addRow(dot, label)


def contract_summary(policy: Policy, product: str, users: int, package: str) -> str:
    """'SpiraPlan · 120 users · Gold': the contract in one line."""
    users_text = f"{users:,} user" + ("" if users == 1 else "s")
    tier = "no premium package" if package == "none" else policy.package(package).label
    return f"{product} · {users_text} · {tier}"


class CustomerDetail(QStackedWidget):
    """Shows one customer, or a hint to pick one; it only reads what it is given.

    `usage` (optional) sits between the contacts and the contract card: what has been used
    reads best right above what the contract gives. Whoever made it keeps it fed.
    """

    def __init__(
        self,
        policy: Policy,
        clock: BusinessClock,
        parent: QWidget | None = None,
        usage: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("customerDetail")
        self._policy = policy
        self._clock = clock

        hint = QLabel("Select a customer to see what their contract gives.")
        hint.setObjectName("detailHint")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        self.addWidget(hint)

        self._name = QLabel()
        self._name.setObjectName("detailTitle")
        self._name.setWordWrap(True)
        self._summary = QLabel()
        self._summary.setObjectName("detailSubtitle")
        self._summary.setWordWrap(True)
        self._facts = QFormLayout()
        self._facts.setHorizontalSpacing(16)
        self._facts.setVerticalSpacing(6)
        self._facts.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._facts.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._band = self._fact("Licence band")
        self._start = self._fact("Subscription start")
        self._package = self._fact("Premium package")
        self._tz = self._fact("Time zone")
        # Below the facts, full width: an e-mail address cannot wrap, so it needs the room.
        contacts_caption = QLabel("Contacts")
        contacts_caption.setObjectName("factLabel")
        self._contacts = QLabel()
        self._contacts.setObjectName("factValue")
        self._contacts.setTextFormat(Qt.TextFormat.RichText)
        self._contacts.setWordWrap(True)
        self._contacts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.card = EntitlementsCard()

        content = QWidget()
        content.setObjectName("detailContent")
        column = QVBoxLayout(content)
        column.setContentsMargins(18, 12, 14, 16)
        column.setSpacing(6)
        column.addWidget(self._name)
        column.addWidget(self._summary)
        column.addSpacing(10)
        column.addLayout(self._facts)
        column.addSpacing(8)
        column.addWidget(contacts_caption)
        column.addWidget(self._contacts)
        column.addSpacing(14)
        if usage is not None:
            column.addWidget(usage)
            column.addSpacing(10)
        column.addWidget(self.card)
        column.addStretch()
        scroll = QScrollArea()
        scroll.setObjectName("detailScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        self.addWidget(scroll)
        self._customer: CustomerRecord | None = None

    def _fact(self, label: str) -> QLabel:
        value = QLabel()
        value.setObjectName("factValue")
        value.setWordWrap(True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        caption = QLabel(label)
        caption.setObjectName("factLabel")
        self._facts.addRow(caption, value)
        return value

    def _contacts_html(self, customer: CustomerRecord) -> str:
        """Name above a muted address, so a long address never splits a contact in two."""
        if not customer.contacts:
            return "No contacts yet"
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText).name()
        return "".join(
            f"<p style='margin:0 0 6px 0'>{html.escape(c.name)}<br>"
            f"<span style='color:{muted}'>{html.escape(c.email)}</span></p>"
            for c in customer.contacts
        )

    def customer(self) -> CustomerRecord | None:
        return self._customer

    def show_customer(self, customer: CustomerRecord | None) -> None:
        self._customer = customer
        if customer is None:
            self.setCurrentIndex(0)
            return
        policy = self._policy
        self._name.setText(customer.name)
        self._summary.setText(
            contract_summary(policy, customer.product, customer.users, customer.package)
        )
        self._band.setText(policy.band_for(customer.users).label)
        self._start.setText(format_day(customer.start))
        if customer.package == "none":
            self._package.setText("None")
        else:
            label = policy.package(customer.package).label
            self._package.setText(f"{label}, from {format_day(customer.package_start)}")
        self._tz.setText(customer.tz)
        self._contacts.setText(self._contacts_html(customer))
        ent = entitlements_for(policy, customer.product, customer.users, customer.package)
        self.card.set_lines(describe(ent, policy, self._clock, customer.start))
        self.setCurrentIndex(1)
