"""Hostile and large imports (issue: never lose a book): time and peak memory of each, run as
the CLI in a child process. Prints a table of figures.

    .venv/bin/python -m benchmarks.bench_safety

Targets: ~200 never-ending weekly Outlook events < 15 s and < 300 MB; FREQ=SECONDLY,
MINUTELY;COUNT=1000000, 10,000 nested components and a 50 MB file refused in < 5 s;
customer import of 20,000 rows < 30 s (was 88 s), growing linearly.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft Corporation//Outlook 16.0//EN\r\n"
ZONE = (
    "BEGIN:VTIMEZONE\r\nTZID:Eastern Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16011104T020000"
    "\r\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\n"
    "END:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010311T020000\r\nRRULE:FREQ=YEARLY;BYDAY=2SU;"
    "BYMONTH=3\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
)


def _one(rule: str) -> str:
    return (
        f"{HEADER}BEGIN:VEVENT\r\nUID:x@y\r\nDTSTAMP:20200101T000000Z\r\n"
        f"DTSTART:20261201T140000Z\r\nDTEND:20261201T140001Z\r\nRRULE:{rule}\r\n"
        "SUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def _weekly(count: int) -> str:
    events = []
    for n in range(count):
        day = ("MO", "TU", "WE", "TH", "FR")[n % 5]
        events.append(
            f"BEGIN:VEVENT\r\nUID:weekly{n}@outlook\r\nDTSTAMP:20200101T000000Z\r\n"
            f"DTSTART;TZID=Eastern Standard Time:2019{n % 12 + 1:02}{n % 27 + 1:02}T"
            f"{9 + n % 8:02}0000\r\nDTEND;TZID=Eastern Standard Time:2019{n % 12 + 1:02}"
            f"{n % 27 + 1:02}T{9 + n % 8:02}3000\r\nRRULE:FREQ=WEEKLY;BYDAY={day}\r\n"
            f"SUMMARY:Weekly {n}\r\nEND:VEVENT\r\n"
        )
    return HEADER + ZONE + "".join(events) + "END:VCALENDAR\r\n"


def _big(size: int) -> str:
    event = (
        "BEGIN:VEVENT\r\nUID:u{0}@y\r\nDTSTAMP:20200101T000000Z\r\nDTSTART:20270101T140000Z\r\n"
        "DTEND:20270101T150000Z\r\nSUMMARY:" + "x" * 300 + "\r\nEND:VEVENT\r\n"
    )
    parts = [HEADER]
    total = 0
    number = 0
    while total < size:
        text = event.format(number)
        parts.append(text)
        total += len(text)
        number += 1
    return "".join(parts) + "END:VCALENDAR\r\n"


def _customers(count: int) -> str:
    rows = ["name,product,users,start,package,contacts"]
    rows += [
        f"Customer {n},SpiraPlan,{20 + n % 300},2026-01-05,gold,Pat {n} <p{n}@example.org>"
        for n in range(count)
    ]
    return "\n".join(rows) + "\n"


# The CLI, reporting its own peak memory (ru_maxrss, KiB on Linux) on its last line.
_MEASURED = (
    "import resource, sys\n"
    "from desktop.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "sys.stderr.write(f'\\nMAXRSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')\n"
    "sys.exit(code)\n"
)


def _run(folder: Path, *args: str) -> tuple[float, float, int]:
    """Seconds, peak MB of the child, exit code."""
    book = folder / "book.sqlite"
    for old in folder.glob("book.sqlite*"):
        if old.is_file():
            old.unlink()
    env = {**os.environ, "AMPLAN_CONFIG": str(folder / "config")}
    subprocess.run(
        [sys.executable, "-m", "desktop", "--db", str(book), "customer", "list"],
        env=env,
        capture_output=True,
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, "--db", str(book), *args],
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    peak_kib = int(done.stderr.rsplit("MAXRSS ", 1)[-1].split()[0])
    return seconds, peak_kib / 1024, done.returncode


def main() -> None:
    cases = [
        ("200 weekly Outlook events, no end", "busy", _weekly(200)),
        ("FREQ=SECONDLY, no end", "busy", _one("FREQ=SECONDLY")),
        ("FREQ=MINUTELY;COUNT=1000000", "busy", _one("FREQ=MINUTELY;COUNT=1000000")),
        (
            "HOURLY, every minute (60/h)",
            "busy",
            _one("FREQ=HOURLY;BYMINUTE=" + ",".join(str(m) for m in range(60))),
        ),
        (
            "10,000 nested components",
            "busy",
            HEADER + "BEGIN:VEVENT\r\n" * 10_000 + "END:VEVENT\r\n" * 10_000 + "END:VCALENDAR\r\n",
        ),
        ("a 50 MB file", "busy", _big(50 * 1024 * 1024)),
        ("customer import, 3,000 rows", "csv", _customers(3_000)),
        ("customer import, 20,000 rows", "csv", _customers(20_000)),
    ]
    print(f"{'case':<40} {'seconds':>8} {'peak MB':>8} {'exit':>5}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for label, kind, content in cases:
            source = folder / ("input.ics" if kind == "busy" else "input.csv")
            source.write_text(content, encoding="utf-8", newline="")
            args = ("busy", "import", str(source)) if kind == "busy" else (
                "customer", "import", str(source))  # fmt: skip
            seconds, peak, code = _run(folder, *args)
            print(f"{label:<40} {seconds:>8.2f} {peak:>8.0f} {code:>5}")


if __name__ == "__main__":
    main()
