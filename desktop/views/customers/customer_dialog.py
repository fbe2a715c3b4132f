"""Add or edit one customer, checked as the user types so OK is only offered for a valid one."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

import pytz
from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.services.customers import CustomerDraft, CustomerRecord, validate_draft
from desktop.services.entitlements import describe, entitlements_for
from desktop.services.policy import PACKAGE_NAMES, Policy
from desktop.views.customers.customer_detail import EntitlementsCard, contract_summary
from desktop.views.widgets.form_dialog import dialog_buttons, dialog_column, hint_and_buttons

FIELD_LABELS = {
    "name": "Name",
    "product": "Product",
    "users": "Concurrent users",
    "start": "Subscription start",
    "package": "Premium package",
    "package_start": "Package start",
    "tz": "Time zone",
    "contacts": "Contacts",
}
DATE_FORMAT = "ddd d MMM yyyy"
FIELD_WIDTH = 360


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _iso(edit: QDateEdit) -> str:
    return edit.date().toString(Qt.DateFormat.ISODate)


class FieldMessage(QLabel):
    """The line under a field: a grey hint, or the field's problem in red."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("fieldMessage")
        self.setWordWrap(True)
        self.setProperty("error", False)
        # Always one line tall, so the form does not jump while the user types.
        self.setMinimumHeight(self.fontMetrics().lineSpacing() + 6)
        self._hint = ""

    def set_hint(self, text: str) -> None:
        self._hint = text
        if not self.is_error():
            self._show(text, False)

    def set_error(self, text: str | None) -> None:
        self._show(text or self._hint, bool(text))

    def is_error(self) -> bool:
        return bool(self.property("error"))

    def _show(self, text: str, error: bool) -> None:
        self.setText(text)
        if self.is_error() != error:
            self.setProperty("error", error)
            self.style().unpolish(self)
            self.style().polish(self)


class CustomerDialog(QDialog):
    """New customer when `customer` is None, otherwise an edit of that customer."""

    customer_saved = Signal(object)

    def __init__(
        self,
        context: AppContext,
        customer: CustomerRecord | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("customerDialog")
        self._context = context
        self._customer = customer
        self.adds_customer = customer is None
        self._touched: set[str] = set()
        self._package_start_follows = True
        self._following = False
        self.setWindowTitle(f"Edit {customer.name}" if customer else "Add customer")
        self._make_contract_fields(context.policy)
        self._make_contact_fields(context.policy)
        self.messages = {field: FieldMessage() for field in FIELD_LABELS}
        self.messages["users"].set_hint("The licence band follows from this number.")
        self.messages["package_start"].set_hint("Premium years run from this date.")
        self.messages["contacts"].set_hint("One per line, as Name <email>. They receive invites.")
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        grid = self._field_grid()
        self.preview = EntitlementsCard()
        self.preview.setObjectName("card")
        self.preview.setFixedWidth(360)
        self.buttons, self.ok_button = dialog_buttons(
            QDialogButtonBox.StandardButton.Ok, "Save changes" if customer else "Add customer"
        )
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        self.missing = QLabel()
        self.missing.setObjectName("missingHint")
        self.missing.setWordWrap(True)
        self._lay_out(grid)
        if customer is not None:
            self._fill(customer)
        else:
            today = date.today()
            self.start_edit.setDate(_qdate(today))
            self.package_start_edit.setDate(_qdate(today))
        self._connect_fields()
        self._revalidate()
        # WORKAROUND: a minimum size set before the first show keeps the layout from setting one
        # on the live window, which the offscreen platform (CI) reports as a Qt warning.
        self.ensurePolished()
        self.setMinimumSize(self.minimumSizeHint())
        self.resize(self.sizeHint())

    def _make_contract_fields(self, policy: Policy) -> None:
        """Who the customer is and what they bought."""
        self.name_edit = QLineEdit()
        self.name_edit.setMinimumWidth(FIELD_WIDTH)
        self.name_edit.setPlaceholderText("e.g. Acme Logistics")
        self.product_combo = QComboBox()
        self.product_combo.addItems(list(policy.products))
        self.product_combo.setPlaceholderText("Choose a product…")
        self.product_combo.setCurrentIndex(-1)
        self.users_edit = QLineEdit()
        self.users_edit.setPlaceholderText("e.g. 120")
        self.users_edit.setMaximumWidth(140)
        self.start_edit = self._date_edit()
        self.package_combo = QComboBox()
        for name in PACKAGE_NAMES:
            package = policy.packages[name]
            label = package.label
            if package.price_usd_per_year:
                label = f"{label} (${package.price_usd_per_year:,} a year)"
            self.package_combo.addItem(label, name)
        self.package_start_edit = self._date_edit()

    def _make_contact_fields(self, policy: Policy) -> None:
        """Where the customer is and who is invited."""
        self.tz_combo = QComboBox()
        self.tz_combo.setEditable(True)
        self.tz_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.tz_combo.addItems(list(pytz.all_timezones))
        completer = QCompleter(self.tz_combo.model(), self.tz_combo)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.tz_combo.setCompleter(completer)
        self.tz_combo.setCurrentText(policy.time.zone_name)
        self.contacts_edit = QPlainTextEdit()
        self.contacts_edit.setPlaceholderText(
            "Dana Whitfield <dana@example.com>\nRaj Patel <raj@example.com>"
        )
        self.contacts_edit.setTabChangesFocus(True)
        self.contacts_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 16)

    def _field_grid(self) -> QGridLayout:
        fields: dict[str, QWidget] = {
            "name": self.name_edit,
            "product": self.product_combo,
            "users": self.users_edit,
            "start": self.start_edit,
            "package": self.package_combo,
            "package_start": self.package_start_edit,
            "tz": self.tz_combo,
            "contacts": self.contacts_edit,
        }
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(2)
        grid.setColumnStretch(1, 1)
        for row, (field, widget) in enumerate(fields.items()):
            caption = QLabel(FIELD_LABELS[field])
            caption.setObjectName("fieldLabel")
            caption.setBuddy(widget)
            alignment = Qt.AlignmentFlag.AlignRight | (
                Qt.AlignmentFlag.AlignTop if field == "contacts" else Qt.AlignmentFlag.AlignVCenter
            )
            grid.addWidget(caption, row * 2, 0, alignment)
            grid.addWidget(widget, row * 2, 1)
            grid.addWidget(self.messages[field], row * 2 + 1, 1)
        return grid

    def _lay_out(self, grid: QGridLayout) -> None:
        form_column = QVBoxLayout()
        form_column.addWidget(self.banner)
        form_column.addLayout(grid)
        form_column.addStretch()
        body = QHBoxLayout()
        body.setSpacing(20)
        body.addLayout(form_column, 3)
        body.addWidget(self.preview, 2, Qt.AlignmentFlag.AlignTop)
        layout = dialog_column(self, 14)
        layout.addLayout(body)
        layout.addLayout(hint_and_buttons(self.missing, self.buttons))

    def _connect_fields(self) -> None:
        self.name_edit.textEdited.connect(lambda: self._changed("name"))
        self.product_combo.currentIndexChanged.connect(lambda: self._changed("product"))
        self.users_edit.textEdited.connect(lambda: self._changed("users"))
        self.start_edit.dateChanged.connect(self._start_changed)
        self.package_combo.currentIndexChanged.connect(lambda: self._changed("package"))
        self.package_start_edit.dateChanged.connect(self._package_start_changed)
        self.tz_combo.currentTextChanged.connect(lambda: self._changed("tz"))
        self.contacts_edit.textChanged.connect(lambda: self._changed("contacts"))

    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat(DATE_FORMAT)
        edit.setMaximumWidth(200)
        return edit

    def _fill(self, customer: CustomerRecord) -> None:
        self.name_edit.setText(customer.name)
        self.product_combo.setCurrentText(customer.product)
        self.users_edit.setText(str(customer.users))
        self.start_edit.setDate(_qdate(customer.start))
        self.package_combo.setCurrentIndex(max(0, self.package_combo.findData(customer.package)))
        self.package_start_edit.setDate(_qdate(customer.package_start))
        self.tz_combo.setCurrentText(customer.tz)
        self.contacts_edit.setPlainText("\n".join(str(c) for c in customer.contacts))
        self._package_start_follows = customer.package_start == customer.start
        self._touched = set(FIELD_LABELS)

    # --- reacting to the user -----------------------------------------------------------
    def _changed(self, field: str) -> None:
        self._touched.add(field)
        self.banner.hide()
        self._revalidate()

    def _start_changed(self) -> None:
        if self._package_start_follows:
            self._following = True
            self.package_start_edit.setDate(self.start_edit.date())
            self._following = False
        self._changed("start")

    def _package_start_changed(self) -> None:
        if not self._following:
            self._package_start_follows = False
        self._changed("package_start")

    def draft(self) -> CustomerDraft:
        package = self.package_combo.currentData() or "none"
        start = _iso(self.start_edit)
        contacts = [line.strip() for line in self.contacts_edit.toPlainText().splitlines()]
        return CustomerDraft(
            name=self.name_edit.text(),
            product=self.product_combo.currentText(),
            users=self.users_edit.text(),
            start=start,
            package=package,
            package_start=start if package == "none" else _iso(self.package_start_edit),
            tz=self.tz_combo.currentText(),
            contacts="; ".join(line for line in contacts if line),
        )

    def _revalidate(self) -> None:
        draft = self.draft()
        valid, errors = validate_draft(self._context.policy, draft)
        if "name" not in errors:
            own_id = self._customer.id if self._customer is not None else None
            clash = self._context.customers.name_clash(draft.name, own_id)
            if clash:
                errors["name"] = clash
                valid = None
        for field, message in self.messages.items():
            message.set_error(errors.get(field) if field in self._touched else None)
        self.package_start_edit.setEnabled(draft.package != "none")
        self._update_hints(draft, errors)
        self._update_preview(draft, errors)
        self.ok_button.setEnabled(valid is not None)
        untouched = [FIELD_LABELS[f].lower() for f in errors if f not in self._touched]
        self.missing.setText(f"Still needed: {', '.join(untouched)}." if untouched else "")
        # After the layout has taken the new messages in; before that it reports old heights.
        QTimer.singleShot(0, self, self._fit_height)

    def _fit_height(self) -> None:
        """Grow when a message wraps to a second line; the minimum size ignores wrapping."""
        layout = self.layout()
        if layout is None:
            return
        needed = layout.totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def _update_hints(self, draft: CustomerDraft, errors: dict[str, str]) -> None:
        if "users" not in errors:
            band = self._context.policy.band_for(int(draft.users))
            self.messages["users"].set_hint(f"Licence band: {band.label}.")
        if "tz" not in errors:
            if draft.tz.strip():
                now = datetime.now(pytz.timezone(draft.tz.strip()))
                self.messages["tz"].set_hint(f"It is {now:%H:%M} there now.")
            else:
                self.messages["tz"].set_hint(f"Left empty, {CustomerDraft().tz} is used.")

    def _update_preview(self, draft: CustomerDraft, errors: dict[str, str]) -> None:
        policy = self._context.policy
        if errors.keys() & {"product", "users", "package"}:
            self.preview.set_lines(
                [], "Choose a product and enter the number of users to see the entitlements."
            )
            return
        users = int(draft.users)
        ent = entitlements_for(policy, draft.product, users, draft.package)
        start = None if "start" in errors else date.fromisoformat(draft.start)
        self.preview.set_lines(
            describe(ent, policy, self._context.clock, start),
            contract_summary(policy, draft.product, users, draft.package),
        )

    # --- saving -------------------------------------------------------------------------
    def _save(self) -> None:
        """Saves through the book; an expected problem keeps the dialog open with its text."""
        draft = self.draft()
        try:
            if self._customer is None:
                record = self._context.customers.add(draft)
            else:
                record = self._context.customers.edit(self._customer.id, asdict(draft))
        except AmplanError as exc:
            self.banner.setText(str(exc))
            self.banner.show()
            return
        self.customer_saved.emit(record)
        self.accept()
