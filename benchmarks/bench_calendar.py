"""iCalendar speed (issue: iCalendar). Prints a table of figures.

    .venv/bin/python -m benchmarks.bench_calendar

Targets: export 10,000 sessions < 3 s; import a 10,000-event busy file < 5 s.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from desktop.app import build_context

from benchmarks.synthetic_book import build


def _busy_file(path: Path, events: int, first: date) -> None:
    """An Outlook-like file: half zoned one-off meetings, half all-day and UTC events."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
        "BEGIN:VTIMEZONE",
        "TZID:Eastern Standard Time",
        "BEGIN:STANDARD",
        "DTSTART:16011104T020000",
        "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11",
        "TZOFFSETFROM:-0400",
        "TZOFFSETTO:-0500",
        "END:STANDARD",
        "BEGIN:DAYLIGHT",
        "DTSTART:16010311T020000",
        "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3",
        "TZOFFSETFROM:-0500",
        "TZOFFSETTO:-0400",
        "END:DAYLIGHT",
        "END:VTIMEZONE",
    ]
    for number in range(events):
        day = first + timedelta(days=number // 8)
        hour = 8 + number % 8
        lines += ["BEGIN:VEVENT", f"UID:bench-{number}@example.com", "DTSTAMP:20261101T120000Z"]
        if number % 4 == 3:
            start = datetime(day.year, day.month, day.day, hour + 5, tzinfo=UTC)
            lines += [
                f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
                f"DTEND:{start + timedelta(minutes=45):%Y%m%dT%H%M%SZ}",
            ]
        else:
            lines += [
                f"DTSTART;TZID=Eastern Standard Time:{day:%Y%m%d}T{hour:02d}0000",
                f"DTEND;TZID=Eastern Standard Time:{day:%Y%m%d}T{hour:02d}3000",
            ]
        lines += [f"SUMMARY:Meeting {number}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())


def main() -> None:
    today = date.today()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        os.environ["AMPLAN_CONFIG"] = str(Path(folder) / "config")  # not the user's own
        db = Path(folder) / "bench.sqlite"
        count = build(db, customers=100, sessions_per_customer=100, today=today)
        context = build_context(db)
        context.profiles.set_identity("Bench Manager", "manager@example.com")
        started = time.perf_counter()
        data = context.calendars.feed(None, None, None)
        export_s = time.perf_counter() - started
        rows.append((f"export {count:,} sessions as a feed", f"{export_s:.2f} s", "< 3 s"))
        rows.append(("  file size", f"{len(data) / 1e6:.1f} MB", ""))

        busy = Path(folder) / "busy.ics"
        _busy_file(busy, 10_000, today - timedelta(days=200))
        started = time.perf_counter()
        imported, _skipped = context.calendars.import_busy(busy, today)
        import_s = time.perf_counter() - started
        rows.append(
            (f"import a 10,000-event file ({imported:,} blocks)", f"{import_s:.2f} s", "< 5 s")
        )
        started = time.perf_counter()
        context.calendars.import_busy(busy, today)
        rows.append(
            (
                "  re-import the same file (replaces)",
                f"{time.perf_counter() - started:.2f} s",
                "< 5 s",
            )
        )
        context.close()
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'result':>10}  target")
    print(f"{'-' * width}  {'-' * 10}  ------")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>10}  {target}")


if __name__ == "__main__":
    main()
