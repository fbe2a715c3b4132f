"""SMTP over STARTTLS and over SSL (implicit TLS), with login, against aiosmtpd on loopback
with a certificate made for the test; and a plain refusal of a certificate no one trusts."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from desktop.services.mail.mail_account import SmtpTransport, check_settings
from desktop.services.mail.outbox import Outbox

from ical_helpers import CalBook
from mail_helpers import PASSWORD, USER, Sink, _authenticator, free_port


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    assert openssl, "openssl is needed to make the test certificate (apt-get install openssl)"
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    return context


@pytest.fixture
def book(tmp_path: Path) -> Iterator[tuple[CalBook, int]]:
    calbook = CalBook(tmp_path / "book.sqlite")
    calbook.profile()
    acme = calbook.customer("Acme Corp", contacts="Ann Lee <ann.lee@acme.example>")
    record = calbook.book(acme, "screen-share", "2027-03-08T09:00", minutes=60)
    yield calbook, record.id
    calbook.close()


def queue_one(calbook: CalBook, session_id: int) -> Outbox:
    outbox = calbook.ctx.mail.outbox
    outbox.enqueue([calbook.ctx.mail.invitation(session_id)])
    return outbox


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_invites_go_out_over_tls_with_login(
    book: tuple[CalBook, int], certificate: tuple[Path, Path], security: str
) -> None:
    calbook, session_id = book
    sink = Sink()
    port = free_port()
    tls = server_context(certificate)
    options = (
        {"tls_context": tls, "require_starttls": True}
        if security == "starttls"
        else {"ssl_context": tls}
    )
    server = Controller(
        sink,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticator,
        # aiosmtpd 1.4 only counts STARTTLS as TLS for AUTH; over SSL the whole session is.
        auth_require_tls=security == "starttls",
        **options,
    )
    server.start()
    try:
        outbox = queue_one(calbook, session_id)
        trusting = ssl.create_default_context(cafile=str(certificate[0]))
        transport = SmtpTransport(
            check_settings("127.0.0.1", port, security, USER), PASSWORD, trusting
        )
        report = outbox.deliver(transport)
    finally:
        server.stop()
    assert (report.sent, report.failed, report.queued) == (1, 0, 0), report.problem
    assert len(sink.received) == 1 and sink.received[0].rcpt_tos == ["ann.lee@acme.example"]


def test_an_untrusted_certificate_is_a_plain_failure(
    book: tuple[CalBook, int], certificate: tuple[Path, Path]
) -> None:
    calbook, session_id = book
    sink = Sink()
    port = free_port()
    server = Controller(
        sink, hostname="127.0.0.1", port=port, tls_context=server_context(certificate)
    )
    server.start()
    try:
        outbox = queue_one(calbook, session_id)
        transport = SmtpTransport(check_settings("127.0.0.1", port, "starttls", USER), PASSWORD)
        report = outbox.deliver(transport)
    finally:
        server.stop()
    assert report.failed == 1 and sink.received == []
    [entry] = outbox.messages()
    assert entry.status == "failed"
    assert entry.error.startswith(f"The secure connection to 127.0.0.1:{port} failed")
    assert "CERTIFICATE_VERIFY_FAILED" in entry.error
