"""A real Radicale CalDAV server on loopback, started and stopped by the tests themselves.

One server per test session (users are added per test, each with its own calendars), and
`RadicaleServer` can be stopped and started again on the same port for offline tests.
Checks go through a separate `caldav` client, never through amplan's own code.
"""

from __future__ import annotations

import ctypes
import itertools
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import icalendar

START_TIMEOUT_S = 20
PR_SET_PDEATHSIG = 1


def _die_with_the_tests() -> None:
    """In the child before exec: the kernel sends it SIGTERM when the test run that started
    it dies, even by SIGKILL (whose `finally` never runs), so no server outlives its run."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Account:
    url: str
    user: str
    password: str


class RadicaleServer:
    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder
        self.port = port or free_port()
        self.users = folder / "users"
        self.storage = folder / "storage"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.users.touch()
        self._process: subprocess.Popen[bytes] | None = None
        self._numbers = itertools.count(1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        log = (self.folder / "radicale.log").open("ab")
        self._process = subprocess.Popen(
            [
                sys.executable, "-m", "radicale", "--config", "",
                "--server-hosts", f"127.0.0.1:{self.port}",
                "--auth-type", "htpasswd",
                "--auth-htpasswd-filename", str(self.users),
                "--auth-htpasswd-encryption", "plain",
                "--auth-delay", "0",
                "--storage-filesystem-folder", str(self.storage),
                "--logging-level", "warning",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_the_tests if sys.platform == "linux" else None,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"Radicale exited: {(self.folder / 'radicale.log').read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("Radicale did not start in time")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(10)
            self._process = None

    def new_account(self) -> Account:
        """A user of its own, so that tests sharing the server never see each other."""
        number = next(self._numbers)
        user, password = f"user{number}", f"secret-{number}"
        with self.users.open("a") as out:
            out.write(f"{user}:{password}\n")
        return Account(self.url, user, password)


class Remote:
    """The other side: what a calendar app would see and do on the account."""

    def __init__(self, account: Account) -> None:
        from caldav.davclient import DAVClient

        self.client = DAVClient(
            url=account.url,
            username=account.user,
            password=account.password,
            auth_type="basic",
            enable_rfc6764=False,
        )
        self.principal = self.client.principal()

    def close(self) -> None:
        self.client.close()

    def calendar(self, name: str) -> Any:
        for calendar in self.principal.calendars():
            if calendar.get_display_name() == name:
                return calendar
        return None

    def make_calendar(self, name: str) -> Any:
        return self.principal.make_calendar(name=name)

    def events(self, name: str = "amplan") -> list[icalendar.Event]:
        """Every VEVENT of the calendar, read afresh."""
        calendar = self.calendar(name)
        if calendar is None:
            return []
        found = []
        for item in calendar.events():
            parsed = icalendar.Calendar.from_ical(item.data)
            found.extend(parsed.walk("VEVENT"))
        return found

    def objects(self, name: str = "amplan") -> list[Any]:
        calendar = self.calendar(name)
        return list(calendar.events()) if calendar is not None else []

    def add_busy(self, calendar_name: str, uid: str, start: datetime, end: datetime) -> Any:
        calendar = self.calendar(calendar_name) or self.make_calendar(calendar_name)
        text = (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//radicale//EN\r\n"
            f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\n"
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{end:%Y%m%dT%H%M%SZ}\r\n"
            "SUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
        return calendar.save_event(text)
