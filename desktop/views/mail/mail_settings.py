"""The mail settings dialog: the SMTP server, and the password kept in the OS keyring."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AmplanError
from desktop.services.mail.mail_account import (
    NO_KEYRING,
    SECURITIES,
    check_settings,
    keyring_available,
    load_settings,
    save_settings,
    store_password,
)
from desktop.views.widgets.page_parts import form


class MailSettingsDialog(QDialog):
    """The SMTP server; the password goes to the OS keyring, never to a file."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mailSettingsDialog")
        self.setWindowTitle("Mail settings")
        current = None
        try:
            current = load_settings()
        except AmplanError:
            current = None
        self.host = QLineEdit(current.host if current else "")
        self.host.setPlaceholderText("smtp.example.com")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(current.port if current else 587)
        self.security = QComboBox()
        labels = {"starttls": "STARTTLS (port 587)", "ssl": "SSL/TLS (port 465)", "none": "None"}
        for name in SECURITIES:
            self.security.addItem(labels[name], name)
        self.security.setCurrentIndex(SECURITIES.index(current.security) if current else 0)
        self.user = QLineEdit(current.user if current else "")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("kept in the system keyring")
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        if not keyring_available():
            self.password.setEnabled(False)
            self.message.setText(NO_KEYRING)
        fields = form(
            ("Server", self.host),
            ("Port", self.port),
            ("Security", self.security),
            ("User name", self.user),
            ("Password", self.password),
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(fields)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def save(self) -> None:
        try:
            settings = check_settings(
                self.host.text(),
                self.port.value(),
                str(self.security.currentData()),
                self.user.text(),
            )
            if self.password.text():
                store_password(settings, self.password.text())
            save_settings(settings)
        except AmplanError as exc:
            self.message.setText(str(exc))
            return
        self.accept()
