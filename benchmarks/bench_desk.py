"""The manager's desk on a large book (issue: dashboard, undo, charts). Prints a table.

    .venv/bin/python -m benchmarks.bench_desk

Builds a synthetic book of 500 customers and 50,000 sessions, then measures:
- cold start to first paint: `python -m desktop --db PATH gui --quit-after-start`, wall time
  of the whole process (interpreter, imports, book, window, first paint, exit), opening on
  the Customers page and on the Dashboard;
- the peak resident memory of those processes;
- the dashboard's computation (needs attention) and its allowance chart, in this process.

Targets: first paint < 1.5 s; memory < 400 MB; dashboard computed < 300 ms.
The GUI runs on Qt's offscreen platform unless QT_QPA_PLATFORM says otherwise, with its
settings in a temporary folder (the user's own are never read or written).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from desktop.app import build_context
from desktop.services.attention import needs_attention

from benchmarks.synthetic_book import build

CUSTOMERS = 500
SESSIONS_EACH = 100
RUNS = 3


def _cold_start(db: Path, config: Path, page: int) -> tuple[float, float]:
    """Best wall time (s) of RUNS starts, and the peak RSS (MB) of those processes."""
    settings = config / "amplan" / "amplan.conf"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(f"[window]\npage={page}\n", encoding="utf-8")
    env = dict(os.environ, XDG_CONFIG_HOME=str(config))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    command = [sys.executable, "-m", "desktop", "--db", str(db), "gui", "--quit-after-start"]
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
        # The page the window closed on is saved: put it back for the next run.
        settings.write_text(f"[window]\npage={page}\n", encoding="utf-8")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return min(times), peak_kb / 1024


def _timed(work: object, runs: int = 5) -> float:
    """Median seconds of `work()` over `runs` (the first run warms the caches, then counts)."""
    assert callable(work)
    work()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.sqlite"
        started = time.perf_counter()
        count = build(db, CUSTOMERS, SESSIONS_EACH, date.today())
        rows.append(
            (
                f"build {CUSTOMERS} customers, {count:,} sessions",
                f"{time.perf_counter() - started:.1f} s",
                "",
            )
        )
        config = Path(folder) / "config"
        for page, name in ((1, "Customers"), (0, "Dashboard")):
            best, peak = _cold_start(db, config, page)
            rows.append((f"cold start to first paint ({name})", f"{best:.2f} s", "< 1.5 s"))
        rows.append(("peak memory of the GUI process", f"{peak:.0f} MB", "< 400 MB"))

        context = build_context(db)
        customers = context.customers.list()
        now = datetime.now(UTC)
        attention = needs_attention(context.scheduler, customers, now)
        seconds = _timed(lambda: needs_attention(context.scheduler, customers, now))
        rows.append(
            (
                f"dashboard: needs attention ({len(attention.items)} items)",
                f"{seconds * 1000:.0f} ms",
                "< 300 ms",
            )
        )
        from desktop.services.dashboard import top_allowance_use

        seconds = _timed(lambda: top_allowance_use(context.scheduler, customers, now))
        rows.append(("dashboard: allowance chart (then drawn)", f"{seconds * 1000:.0f} ms", ""))
        context.close()

    width = max(len(name) for name, _, _ in rows)
    print(f"{'measure':<{width}}  {'result':>9}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>9}  {target}")


if __name__ == "__main__":
    main()
