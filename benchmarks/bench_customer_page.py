"""Opening a customer page in the window (issue: sessions): select a customer in the table and
wait until its detail, usage bars and sessions are painted. Prints a table.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks.bench_customer_page

Target: under 200 ms on a book of 500 customers and 50,000 sessions.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from desktop.app import build_context
from desktop.views.shell.main_window import MainWindow
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from benchmarks.synthetic_book import build


def main() -> None:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite"
        count = build(path, 500, 100, date.today())
        context = build_context(path)
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(context, settings)
        window.resize(1280, 800)
        window.show()
        app.processEvents()
        page = window.customers_page
        customers = context.customers.list()
        samples = []
        for customer in customers[:40]:
            started = time.perf_counter()
            page.select_customer(customer.id)
            app.processEvents()
            window.grab()  # force the paint the user would wait for
            samples.append((time.perf_counter() - started) * 1000)
        window.close()
        context.close()
    print(f"Book: 500 customers, {count:,} sessions\n")
    print(f"{'measure':<42}  {'result':>10}  target")
    print(f"{'-' * 42}  {'-' * 10}  ------")
    print(
        f"{'open a customer page (median of 40)':<42}  "
        f"{statistics.median(samples):>7.0f} ms  < 200 ms"
    )
    print(f"{'open a customer page (slowest)':<42}  {max(samples):>7.0f} ms")


if __name__ == "__main__":
    main()
