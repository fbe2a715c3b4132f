"""Queueing and sending 100 invitations to an SMTP server on loopback (issue 11).

    .venv/bin/python -m benchmarks.bench_mail [--invites 100]

Builds the invitations (iCalendar + MIME), writes them to the outbox (one transaction), then
delivers them over one SMTP connection to an aiosmtpd server on 127.0.0.1, with and without
login. Each delivery commits "sending" before and "sent" after each message.
"""

from __future__ import annotations

import argparse
import os
import socket
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from desktop.app import build_context
from desktop.services.customers import CustomerDraft
from desktop.services.mail.mail_account import PASSWORD_ENV, check_settings, save_settings
from desktop.services.scheduling.sessions import BookingRequest, SessionTimes


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _accept_all(*_args: Any) -> AuthResult:
    return AuthResult(success=True, handled=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invites", type=int, default=100)
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        os.environ["AMPLAN_CONFIG"] = str(Path(folder) / "config")
        os.environ[PASSWORD_ENV] = "bench"
        context = build_context(Path(folder) / "bench.sqlite")
        context.profiles.set_identity("Dana Manager", "dana@inflectra.example")
        customer = context.customers.add(
            CustomerDraft(
                name="Acme",
                product="SpiraPlan",
                users="300",
                start="2026-01-05",
                package="platinum",
                contacts="Ann Lee <ann@acme.example>; Bob Stone <bob@acme.example>",
            )
        )
        first = datetime(2027, 1, 4, 14, tzinfo=UTC)
        sessions = []
        for number in range(args.invites):
            start = first + timedelta(days=number)
            times = SessionTimes(start, start + timedelta(minutes=60), False)
            request = BookingRequest(
                (customer,), "assistance", times, first - timedelta(days=30),
                override_reason="benchmark",
            )  # fmt: skip
            sessions.append(context.scheduler.book(request).session)

        for login in (False, True):
            port = _free_port()
            handler = _Counter()
            server = Controller(
                handler,
                hostname="127.0.0.1",
                port=port,
                authenticator=_accept_all,
                auth_require_tls=False,
            )
            server.start()
            try:
                save_settings(check_settings("127.0.0.1", port, "none", "dana" if login else ""))
                started = time.perf_counter()
                invitations = [context.mail.invitation(s.id) for s in sessions]
                built = time.perf_counter() - started
                started = time.perf_counter()
                ids, _known = context.mail.outbox.enqueue(invitations)
                queued = time.perf_counter() - started
                started = time.perf_counter()
                report = context.mail.outbox.deliver(context.mail.transport(), ids)
                sent = time.perf_counter() - started
                assert report.sent == len(ids) == handler.count, (report, handler.count)
            finally:
                server.stop()
            how = "with AUTH LOGIN" if login else "without login"
            rows += [
                (f"build {len(invitations)} invitations (ics + MIME)", f"{built * 1000:.0f} ms"),
                (f"queue {len(ids)} in the outbox (one transaction)", f"{queued * 1000:.0f} ms"),
                (f"send {len(ids)} to loopback SMTP {how}", f"{sent * 1000:.0f} ms"),
                ("  per message (two commits + SMTP)", f"{sent * 1000 / len(ids):.1f} ms"),
            ]
            # The second round sends the same sessions again: bump them to new versions.
            for session in sessions:
                context.scheduler.restore(context.scheduler.get(session.id))
        context.close()
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
