"""The organizer's name and e-mail, asked once before the first invite."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QWidget

from desktop.app import AppContext
from desktop.errors import AmplanError, BadInput
from desktop.views.customers.customer_dialog import FieldMessage
from desktop.views.widgets import messages
from desktop.views.widgets.form_dialog import dialog_buttons, field_grid, titled_page


class ProfileDialog(QDialog):
    """Asks once for the name and e-mail that invites carry as their organizer: the identity
    rows of Preferences, built by the same form pieces, saved on their own."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profileDialog")
        self.setWindowTitle("Your name and e-mail")
        self._context = context
        name, email = context.profiles.identity()
        self.name_edit = QLineEdit(name)
        self.name_edit.setPlaceholderText("e.g. Dana Whitfield")
        self.name_edit.setMinimumWidth(300)
        self.email_edit = QLineEdit(email)
        self.email_edit.setPlaceholderText("e.g. dana.whitfield@inflectra.com")
        self.name_message = FieldMessage()
        self.email_message = FieldMessage()
        self.email_message.set_hint("Replies to the invites come to this address.")
        grid = field_grid(
            [
                ("Name", self.name_edit, self.name_message),
                ("E-mail", self.email_edit, self.email_message),
            ]
        )
        self.buttons, self.ok_button = dialog_buttons(
            QDialogButtonBox.StandardButton.Ok, "Save and go on"
        )
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        titled_page(
            self,
            "Who sends the invites?",
            "Invites name you as the organizer, so that replies come back to you. "
            "amplan asks once and remembers.",
            grid,
            self.buttons,
        )
        self.name_edit.textChanged.connect(self._changed)
        self.email_edit.textChanged.connect(self._changed)
        self._changed()
        # WORKAROUND: see CustomerDialog.__init__ (a minimum size set before the first show).
        self.ensurePolished()
        self.setMinimumSize(self.minimumSizeHint())
        self.resize(self.sizeHint())

    def _changed(self) -> None:
        self.name_message.set_error(None)
        self.email_message.set_error(None)
        self.ok_button.setEnabled(
            bool(self.name_edit.text().strip()) and "@" in self.email_edit.text()
        )

    def _save(self) -> None:
        try:
            self._context.profiles.set_identity(self.name_edit.text(), self.email_edit.text())
        except BadInput as exc:
            target = self.name_message if "name" in str(exc).lower() else self.email_message
            target.set_error(str(exc))
            return
        except AmplanError as exc:
            messages.show_error(self, "Profile not saved", str(exc))
            return
        self.accept()


def ensure_profile(parent: QWidget | None, context: AppContext) -> bool:
    """True once the organizer's e-mail is known, asking for it if need be."""
    _, email = context.profiles.identity()
    if email:
        return True
    dialog = ProfileDialog(context, parent)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()
