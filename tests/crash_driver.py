"""Kill amplan at random moments and check what is left: run as a script by test_crash.py and
`make soak`. Prints one JSON object with the counts.

    python tests/crash_driver.py FOLDER SCENARIO KILLS SEED

The driver imports amplan once, then forks a child per round that runs a command as the CLI
would (so a round costs the command, not Python's start-up) and SIGKILLs it after a random
delay. After every kill: `PRAGMA integrity_check` is ok, the book opens, and the action is
wholly there or wholly absent.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop.cli import main  # noqa: E402
from desktop.models.database import Database  # noqa: E402

CUSTOMERS = 40
IMPORT_ROWS = 3000
BOOKINGS = 20


def _quiet_main(argv: list[str]) -> int:
    with open(os.devnull, "w") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
    return main(argv)


def _count(path: Path, sql: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def _book_with_customers(path: Path, count: int) -> None:
    csv = path.with_suffix(".seed.csv")
    lines = ["name,product,users,start,package"]
    packages = ("gold", "platinum", "silver", "none")
    lines += [
        f"Customer {n:03},SpiraPlan,{60 + 40 * (n % 6)},2026-0{1 + n % 6}-05,{packages[n % 4]}"
        for n in range(count)
    ]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _quiet_child(["--db", str(path), "customer", "import", str(csv)]) == 0


def _quiet_child(argv: list[str]) -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(_quiet_main(argv))
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


class Scenario:
    """One kind of action: how to prepare a book, the command, and what 'whole' means."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.baseline = folder / "baseline.sqlite"
        self.book = folder / "book.sqlite"

    def prepare(self) -> None:
        raise NotImplementedError

    def argv(self) -> list[str]:
        raise NotImplementedError

    def state(self) -> object:
        raise NotImplementedError

    def fresh(self) -> None:
        for suffix in ("", "-wal", "-shm", ".lock"):
            Path(f"{self.book}{suffix}").unlink(missing_ok=True)
        shutil.rmtree(self.folder / "book.sqlite.backups", ignore_errors=True)
        shutil.copy(self.baseline, self.book)


class Plan(Scenario):
    def prepare(self) -> None:
        _book_with_customers(self.baseline, CUSTOMERS)

    def argv(self) -> list[str]:
        return ["--db", str(self.book), "plan", "--all", "--from", "2026-01-05", "--apply"]

    def state(self) -> object:
        sessions = _count(self.book, "SELECT count(*) FROM session")
        audits = _count(self.book, "SELECT count(*) FROM audit_entry WHERE action = 'plan'")
        links = _count(self.book, "SELECT count(*) FROM session_customer")
        assert sessions == audits == links, (sessions, audits, links)
        return sessions


class CustomerImport(Scenario):
    def prepare(self) -> None:
        _book_with_customers(self.baseline, 1)
        lines = ["name,product,users,start,contacts"]
        lines += [
            f"Imported {n:05},SpiraTeam,{1 + n % 400},2026-03-02,Pat {n} <pat{n}@example.org>"
            for n in range(IMPORT_ROWS)
        ]
        self.csv = self.folder / "import.csv"
        self.csv.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def argv(self) -> list[str]:
        return ["--db", str(self.book), "customer", "import", str(self.csv)]

    def state(self) -> object:
        customers = _count(self.book, "SELECT count(*) FROM customer")
        contacts = _count(self.book, "SELECT count(*) FROM contact")
        audits = _count(self.book, "SELECT count(*) FROM audit_entry WHERE action = 'import'")
        assert contacts == audits - 1 == customers - 1, (customers, contacts, audits)
        return customers


class BusyImport(Scenario):
    def prepare(self) -> None:
        _book_with_customers(self.baseline, 1)
        events = []
        for n in range(40):
            day = ("MO", "TU", "WE", "TH", "FR")[n % 5]
            events.append(
                f"BEGIN:VEVENT\r\nUID:weekly{n}@example.org\r\nDTSTAMP:20250101T000000Z\r\n"
                f"DTSTART;TZID=America/New_York:20250106T{9 + n % 8:02}0000\r\n"
                f"DTEND;TZID=America/New_York:20250106T{9 + n % 8:02}3000\r\n"
                f"RRULE:FREQ=WEEKLY;BYDAY={day}\r\nSUMMARY:Weekly {n}\r\nEND:VEVENT\r\n"
            )
        self.ics = self.folder / "busy.ics"
        self.ics.write_text(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
            + "".join(events)
            + "END:VCALENDAR\r\n",
            encoding="utf-8",
            newline="",
        )

    def argv(self) -> list[str]:
        return ["--db", str(self.book), "busy", "import", str(self.ics)]

    def state(self) -> object:
        blocks = _count(self.book, "SELECT count(*) FROM busy_block")
        audits = _count(self.book, "SELECT count(*) FROM audit_entry WHERE action='busy import'")
        assert (blocks > 0) == (audits == 1) and audits <= 1, (blocks, audits)
        return blocks


class BookingLoop(Scenario):
    """Many small transactions: each booking is there with its link and entry, or absent."""

    def prepare(self) -> None:
        _book_with_customers(self.baseline, 1)

    def argv(self) -> list[str]:
        return ["loop"]

    def run_loop(self) -> int:
        code = 0
        for n in range(BOOKINGS):
            day = 2 + (n // 6) % 25
            hour = 9 + n % 6
            code |= _quiet_main(
                [
                    "--db",
                    str(self.book),
                    "book",
                    "--customer",
                    "Customer 000",
                    "--kind",
                    "assistance",
                    "--start",
                    f"2026-03-{day:02}T{hour:02}:00",
                    "--minutes",
                    "30",
                    "--billable",
                    "--override",
                    "load test",
                    "--requested",
                    "2026-01-02T10:00",
                ]
            )
        return code

    def state(self) -> object:
        sessions = _count(self.book, "SELECT count(*) FROM session")
        audits = _count(self.book, "SELECT count(*) FROM audit_entry WHERE action = 'book'")
        links = _count(self.book, "SELECT count(*) FROM session_customer")
        assert sessions == audits == links, (sessions, audits, links)
        return sessions


SCENARIOS: dict[str, Callable[[Path], Scenario]] = {
    "plan": Plan,
    "customer-import": CustomerImport,
    "busy-import": BusyImport,
    "booking-loop": BookingLoop,
}


def _child(scenario: Scenario) -> None:
    if isinstance(scenario, BookingLoop):
        os._exit(scenario.run_loop())
    os._exit(_quiet_main(scenario.argv()))


def _run_once(scenario: Scenario, delay: float | None) -> tuple[float, int | None]:
    """Run the command, killed after `delay` seconds (None: let it finish)."""
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child(scenario)
    if delay is not None:
        deadline = started + delay
        while time.monotonic() < deadline:
            finished, _status = os.waitpid(pid, os.WNOHANG)
            if finished:
                return time.monotonic() - started, None
            time.sleep(min(0.005, max(0.0, deadline - time.monotonic())))
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return time.monotonic() - started, code


def drive(folder: Path, name: str, kills: int, seed: int) -> dict[str, object]:
    scenario = SCENARIOS[name](folder)
    scenario.prepare()
    scenario.fresh()
    before = scenario.state()
    duration, code = _run_once(scenario, None)
    assert code == 0, f"{name} failed without a kill (exit {code})"
    after = scenario.state()
    scenario.fresh()  # a second run, warm: the kills aim at how long it really takes
    again, code = _run_once(scenario, None)
    assert code == 0 and scenario.state() == after
    duration = min(duration, again)
    assert before != after, f"{name} changed nothing"
    rng = random.Random(seed)
    killed = completed = absent = partial_ok = 0
    seen: list[object] = []
    for _ in range(kills):
        scenario.fresh()
        # Half the kills land near the end, where the commit is.
        share = rng.uniform(0.6, 1.05) if rng.random() < 0.5 else rng.uniform(0, 1)
        _elapsed, code = _run_once(scenario, share * duration)
        if code == -signal.SIGKILL:
            killed += 1
        assert _integrity(scenario.book) == "ok"
        Database(scenario.book).close()  # the book opens (and recovers its WAL)
        assert _integrity(scenario.book) == "ok"
        state = scenario.state()
        seen.append(state)
        if name == "booking-loop":
            assert isinstance(state, int) and 0 <= state <= BOOKINGS
            partial_ok += 1
        elif state == before:
            absent += 1
        elif state == after:
            completed += 1
        else:
            raise AssertionError(f"{name}: half an action is in the book: {state!r}")
    return {
        "scenario": name,
        "rounds": kills,
        "killed": killed,
        "wholly_absent": absent,
        "wholly_there": completed,
        "bookings_whole": partial_ok,
        "seconds_per_run": round(duration, 2),
    }


if __name__ == "__main__":
    target, scenario_name, rounds, seed_text = sys.argv[1:5]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    result = drive(Path(target), scenario_name, int(rounds), int(seed_text))
    print(json.dumps(result))
