"""The manager's SMTP account: settings in the user configuration (section "mail"), the
password in the OS keyring or env AMPLAN_SMTP_PASSWORD, never in the book, a file or a log."""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from desktop.errors import BadInput
from desktop.services import os_keyring
from desktop.services.user_config import UserConfig

SECTION = "mail"
SECURITIES = ("starttls", "ssl", "none")
PASSWORD_ENV = "AMPLAN_SMTP_PASSWORD"
KEYRING_SERVICE = "amplan-smtp"
DEFAULT_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    security: str  # starttls | ssl | none
    user: str = ""
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    @property
    def keyring_user(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"

    def describe(self) -> str:
        login = f" as {self.user}" if self.user else " without login"
        return f"{self.host}:{self.port} ({self.security}){login}"

    def as_json(self) -> dict[str, Any]:
        return {"host": self.host, "port": self.port, "security": self.security, "user": self.user}


def check_settings(host: str, port: int | str, security: str, user: str = "") -> MailSettings:
    host = host.strip()
    if not host or any(c.isspace() for c in host):
        raise BadInput("Give the mail server's host name, e.g. smtp.example.com.")
    try:
        number = int(str(port).strip())
    except ValueError:
        raise BadInput(f"The port must be a number (587, 465 or 25), not '{port}'.") from None
    if not 0 < number < 65536:
        raise BadInput(f"The port must be between 1 and 65535, not {number}.")
    if security not in SECURITIES:
        raise BadInput(f"Security must be one of {', '.join(SECURITIES)}, not '{security}'.")
    return MailSettings(host, number, security, user.strip())


def load_settings(config: UserConfig | None = None) -> MailSettings | None:
    """The saved account, or None when mail is not set up."""
    values = (config or UserConfig()).section(SECTION)
    if not values.get("host"):
        return None
    try:
        return check_settings(
            str(values["host"]),
            values.get("port", 587),
            str(values.get("security", "starttls")),
            str(values.get("user", "")),
        )
    except BadInput as exc:
        raise BadInput(
            f"Your mail settings are not usable ({exc}) Run `amplan mail set`."
        ) from None


def save_settings(settings: MailSettings, config: UserConfig | None = None) -> None:
    (config or UserConfig()).save_section(SECTION, settings.as_json())


# --- the password --------------------------------------------------------------------------


_keyring = os_keyring.keyring
keyring_available = os_keyring.available

NO_KEYRING = (
    "This system has no keyring to keep the mail password in (no Secret Service, KWallet, "
    f"Keychain or Windows Credential Locker was found). Set the environment variable "
    f"{PASSWORD_ENV} to the password instead."
)


def store_password(settings: MailSettings, password: str) -> None:
    if not keyring_available():
        raise BadInput(NO_KEYRING)
    try:
        _keyring().set_password(KEYRING_SERVICE, settings.keyring_user, password)
    except Exception as exc:  # keyring backends raise their own types
        raise BadInput(
            f"The keyring refused to keep the password ({type(exc).__name__}). "
            f"Set {PASSWORD_ENV} instead."
        ) from None


def password_for(settings: MailSettings) -> str | None:
    """The environment variable wins; then the keyring; None when neither has one."""
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not settings.user or not keyring_available():
        return None
    try:
        value = _keyring().get_password(KEYRING_SERVICE, settings.keyring_user)
    except Exception:  # a locked or broken keyring: as if no password was kept
        return None
    return str(value) if value is not None else None


# --- talking to the server -----------------------------------------------------------------


class MailUnreachable(Exception):
    """The server could not be reached now (offline, down, timed out): try again later."""


class MailRefused(Exception):
    """The server or the account refused us (password, TLS, policy): the user must act."""


@dataclass(frozen=True)
class SmtpTransport:
    """Opens one logged-in SMTP connection per delivery run."""

    settings: MailSettings
    password: str | None = None
    tls_context: ssl.SSLContext | None = None

    @contextmanager
    def connect(self) -> Iterator[smtplib.SMTP]:
        s = self.settings
        where = f"{s.host}:{s.port}"
        context = self.tls_context or ssl.create_default_context()
        try:
            if s.security == "ssl":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=context
                )
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        except ssl.SSLError as exc:
            raise MailRefused(f"The secure connection to {where} failed: {exc.reason}.") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailUnreachable(f"Cannot reach the mail server {where}: {_why(exc)}.") from None
        try:
            try:
                conn.ehlo()
                if s.security == "starttls":
                    conn.starttls(context=context)
                    conn.ehlo()
                if s.user:
                    if not self.password:
                        raise MailRefused(
                            f"No password for {s.user} on {s.host}: run `amplan mail set ... "
                            f"--password-stdin`, or set {PASSWORD_ENV}."
                        )
                    conn.login(s.user, self.password)
            except smtplib.SMTPAuthenticationError:
                raise MailRefused(
                    f"The mail server {where} refused the user name or password for {s.user}. "
                    "Check them with `amplan mail set`."
                ) from None
            except smtplib.SMTPNotSupportedError as exc:
                raise MailRefused(
                    f"The mail server {where} does not support {_what(exc, s)}; "
                    "check the security setting."
                ) from None
            except ssl.SSLError as exc:
                raise MailRefused(
                    f"The secure connection to {where} failed: {exc.reason}."
                ) from None
            except smtplib.SMTPResponseException as exc:
                if exc.smtp_code >= 500:
                    raise MailRefused(f"The mail server {where} refused us: {_text(exc)}") from None
                raise MailUnreachable(f"The mail server {where} is busy: {_text(exc)}") from None
            except (OSError, smtplib.SMTPException) as exc:
                raise MailUnreachable(f"Lost the mail server {where}: {_why(exc)}.") from None
            yield conn
        finally:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()


def _why(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the server running and the port right?)"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc) or type(exc).__name__


def _what(exc: smtplib.SMTPNotSupportedError, settings: MailSettings) -> str:
    text = str(exc).lower()
    if "starttls" in text:
        return "STARTTLS"
    if "auth" in text:
        return "login (AUTH)" if settings.security != "none" else "login without encryption"
    return str(exc)


def _text(exc: smtplib.SMTPResponseException) -> str:
    message = exc.smtp_error
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{exc.smtp_code} {' '.join(text.split())}"


def response_text(exc: smtplib.SMTPResponseException) -> str:
    return _text(exc)
