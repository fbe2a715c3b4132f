"""Calendar page speed (issue: Calendar page). Prints a table of figures.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks.bench_calendar_page

Builds the synthetic book (500 customers x 100 sessions = 50,000 sessions over three years),
opens the page offscreen at 1440x900 and times switching periods the way a user does (PgUp),
each step including a forced repaint (`widget.grab()`). Target: a week switch < 100 ms.
"""

from __future__ import annotations

import ctypes
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from desktop.app import build_context
from desktop.services.calendar_files.calendar_view import calendar_range
from desktop.views.calendar.calendar_page import CalendarPage
from desktop.views.shell.undo import SessionActions
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from benchmarks.synthetic_book import build

CUSTOMERS = 500
SESSIONS_PER_CUSTOMER = 100
STEPS = 30
TARGET_MS = 100.0


def _guard_none_refcount() -> bool:
    """WORKAROUND: PySide6 6.12.0 on CPython 3.11 hands back None from every void method
    without a new reference (None is immortal only from 3.12), so a few thousand paint calls
    deallocate None and abort the interpreter ("none_dealloc"). When that is detected, give
    None references enough for any run. Returns whether it was needed."""
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(10):
        probe.setObjectName("probe")
    if sys.getrefcount(None) >= before:
        return False
    ctypes.c_ssize_t.from_address(id(None)).value += 1 << 40
    return True


def _times(steps: int, action: Callable[[], object]) -> list[float]:
    result = []
    for _ in range(steps):
        started = time.perf_counter()
        action()
        result.append((time.perf_counter() - started) * 1000)
    return result


def _row(name: str, values: list[float], target: str) -> tuple[str, str, str, str, str]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        name,
        f"{statistics.median(values):.1f}",
        f"{p95:.1f}",
        f"{max(values):.1f}",
        target,
    )


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    guarded = _guard_none_refcount()
    today = date.today()
    now = datetime.now(UTC)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.sqlite"
        started = time.perf_counter()
        count = build(db, CUSTOMERS, SESSIONS_PER_CUSTOMER, today)
        build_s = time.perf_counter() - started
        context = build_context(db)
        customers = context.customers.list()

        page = CalendarPage(context, SessionActions(context), lambda: now)
        page.resize(1440, 900)
        page.show()
        app.processEvents()
        page.grab()

        def step_back() -> None:
            page.step(-1)
            page.grab()

        def cold_step_back() -> None:
            page.forget_ranges()  # nothing read ahead: the service is asked on every step
            step_back()

        def settle() -> None:
            """What a user's pause between key presses gives: the idle read-ahead runs."""
            deadline = time.perf_counter() + 2
            while page.reading_ahead() and time.perf_counter() < deadline:
                app.processEvents()
                time.sleep(0.005)
            app.processEvents()

        def timed(steps: int, action: Callable[[], None], idle: bool) -> list[float]:
            values = []
            for _ in range(steps):
                if idle:
                    settle()
                started = time.perf_counter()
                action()
                values.append((time.perf_counter() - started) * 1000)
            return values

        shown: list[int] = []
        weeks = []
        for _ in range(STEPS):  # every week of the last months: all full of sessions
            weeks += timed(1, cold_step_back, idle=False)
            shown.append(len(page.shown_sessions()))
        rows.append(
            _row("week: switch + repaint, service asked (cold)", weeks, f"< {TARGET_MS:.0f} ms")
        )
        first = page.visible_days()[0]
        service = _times(
            STEPS,
            lambda: calendar_range(context.scheduler, first - timedelta(days=1), 9, customers),
        )
        rows.append(_row("  of which calendar_range (service)", service, ""))
        rows.append(_row("  of which a repaint alone (grab)", _times(STEPS, page.grab), ""))
        page.go_today()
        warm = timed(STEPS, step_back, idle=True)
        rows.append(
            _row("week: switch + repaint, read ahead (warm)", warm, f"< {TARGET_MS:.0f} ms")
        )

        page.set_zone(page.zone_combo.itemData(page.zone_combo.count() - 1))
        page.go_today()
        rows.append(
            _row("week in a customer's zone (cold)", timed(STEPS, cold_step_back, False), "")
        )
        page.set_zone("et")
        for view, steps in (("day", STEPS), ("month", 12), ("agenda", 12)):
            page.set_view(view)
            page.go_today()
            rows.append(_row(f"{view} (cold)", timed(steps, cold_step_back, False), ""))
            page.go_today()
            rows.append(_row(f"{view} (warm)", timed(steps, step_back, True), ""))
        page.close()
        page.deleteLater()
        app.processEvents()
        context.close()

    print(
        f"Book: {CUSTOMERS} customers, {count:,} sessions (built in {build_s:.1f} s); "
        f"{statistics.mean(shown):.0f} sessions in an average week (cancelled ones hidden)."
    )
    if guarded:
        print("(PySide6 drops a reference to None on every void call here: guarded, see above)")
    header = ("measure (ms)", "median", "p95", "max", "target")
    width = max(len(r[0]) for r in [header, *rows])
    print(f"{header[0]:<{width}}  {header[1]:>7}  {header[2]:>7}  {header[3]:>7}  {header[4]}")
    print(f"{'-' * width}  {'-' * 7}  {'-' * 7}  {'-' * 7}  ------")
    for name, median, p95, most, target in rows:
        print(f"{name:<{width}}  {median:>7}  {p95:>7}  {most:>7}  {target}")


if __name__ == "__main__":
    main()
