"""CalDAV sync speed against a loopback Radicale (started here, stopped at the end).

    .venv/bin/python -m benchmarks.bench_caldav

A 1,000-session book and a busy calendar of 200 events. Target: an incremental sync with
nothing changed < 1 s.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop.app import build_context
from desktop.services.calendar_sync.caldav_account import (
    PASSWORD_ENV,
    CalDavSettings,
    save_settings,
)
from desktop.services.calendar_sync.caldav_sync import CalendarSync
from desktop.services.customers import CustomerDraft
from desktop.services.scheduling.sessions import BookingRequest, SessionTimes
from desktop.services.user_config import UserConfig

SESSIONS = 1000
BUSY_EVENTS = 200


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_radicale(folder: Path, port: int) -> subprocess.Popen[bytes]:
    (folder / "users").write_text("bench:bench-secret\n")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "radicale", "--config", "",
            "--server-hosts", f"127.0.0.1:{port}", "--auth-type", "htpasswd",
            "--auth-htpasswd-filename", str(folder / "users"),
            "--auth-htpasswd-encryption", "plain", "--auth-delay", "0",
            "--storage-filesystem-folder", str(folder / "storage"), "--logging-level", "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("Radicale did not start")


def _busy_calendar(url: str) -> None:
    from caldav.davclient import DAVClient

    client = DAVClient(url=url, username="bench", password="bench-secret", auth_type="basic")
    calendar = client.principal().make_calendar(name="Work")  # type: ignore[no-untyped-call]
    first = datetime.now(UTC).replace(hour=15, minute=0, second=0, microsecond=0)
    for number in range(BUSY_EVENTS):
        start = first + timedelta(days=number // 2, hours=number % 2)
        calendar.save_event(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//bench//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:busy-{number}@bench\r\nDTSTAMP:20261101T000000Z\r\n"
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\n"
            f"DTEND:{start + timedelta(minutes=30):%Y%m%dT%H%M%SZ}\r\n"
            f"SUMMARY:Meeting {number}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    client.close()


def _timed(label: str, sync: CalendarSync, rows: list[tuple[str, float, str]]) -> None:
    started = time.perf_counter()
    report = sync.sync()
    seconds = time.perf_counter() - started
    what = (
        f"published {report.published}, updated {report.updated}, removed {report.removed}, "
        f"busy {report.busy}"
    )
    rows.append((label, seconds, what))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        port = _free_port()
        server = _start_radicale(folder, port)
        url = f"http://127.0.0.1:{port}/"
        os.environ[PASSWORD_ENV] = "bench-secret"
        config = UserConfig(folder / "config")
        save_settings(CalDavSettings(url, "bench"), config)
        try:
            _busy_calendar(url)
            context = build_context(folder / "book.sqlite")
            customer = context.customers.add(
                CustomerDraft(name="Bench", product="SpiraPlan", users="300",
                              start="2026-01-05", package="platinum")
            )  # fmt: skip
            first = datetime(2027, 1, 4, 14, tzinfo=UTC)
            requests = [
                BookingRequest(
                    (customer,),
                    "assistance",
                    SessionTimes(
                        first + timedelta(days=n // 6, hours=n % 6),
                        first + timedelta(days=n // 6, hours=n % 6, minutes=45),
                        False,
                    ),
                    override_reason="benchmark",
                )
                for n in range(SESSIONS)
            ]
            booked = context.scheduler.book_many(requests)
            sync = CalendarSync(context.scheduler, context.customers, config)
            rows: list[tuple[str, float, str]] = []
            _timed(f"first sync ({SESSIONS} sessions, {BUSY_EVENTS} busy)", sync, rows)
            _timed("incremental, nothing changed", sync, rows)
            _timed("incremental, nothing changed (again)", sync, rows)
            for record in booked[:10]:
                start = record.start_utc + timedelta(days=1)
                context.scheduler.move(
                    record.id,
                    SessionTimes(start, start + timedelta(minutes=45), False),
                    override_reason="bench",
                )
            _timed("incremental, 10 sessions moved", sync, rows)
            context.close()
        finally:
            server.terminate()
            server.wait(10)
    print(f"{'case':<48} {'seconds':>8}  result")
    for label, seconds, what in rows:
        print(f"{label:<48} {seconds:>8.2f}  {what}")


if __name__ == "__main__":
    main()
