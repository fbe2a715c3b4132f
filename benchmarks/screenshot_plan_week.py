"""Screenshots of the calendar after "Plan the book" on the sample book (issue 9).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks.screenshot_plan_week [OUT_DIR]

Plans the shipped sample book (dated as if today were Tue 1 Dec 2026) with the default
profile, books every proposal, and grabs the week views after the lead time, plus the plan
dialog, into docs/screenshots/.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date, datetime, time
from pathlib import Path

from desktop.app import build_context
from desktop.services.business_time import to_utc
from desktop.services.scheduling.planner import Planner, default_until
from desktop.views.calendar.calendar_page import CalendarPage
from desktop.views.sessions.plan_dialog import PlanDialog
from desktop.views.shell.application import apply_style
from desktop.views.shell.undo import SessionActions
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

TODAY = date(2026, 12, 1)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    apply_style(app)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as folder:
        context = build_context(Path(folder) / "sample.sqlite")
        context.load_sample_book(TODAY)
        now_utc = to_utc(context.clock.at(TODAY, time(10)))

        def now() -> datetime:
            return now_utc

        customers = context.customers.list()
        dialog = PlanDialog(context, customers, now)
        dialog.resize(1400, 720)
        dialog.show()
        dialog.start()
        QThreadPool.globalInstance().waitForDone(60000)
        for _ in range(50):
            app.processEvents()
        dialog.grab().save(str(out / "plan-dialog.png"))
        dialog.close()
        plan = Planner(context.scheduler).plan(customers, TODAY, default_until(TODAY), now=now_utc)
        Planner(context.scheduler).apply(plan, requested_utc=now_utc)
        page = CalendarPage(context, SessionActions(context), now)
        page.resize(1500, 980)
        page.show()
        for number, monday in enumerate((date(2026, 12, 7), date(2027, 1, 11)), start=1):
            page.set_view("week")
            page.go_to(monday)
            for _ in range(30):
                app.processEvents()
            page.grab().save(str(out / f"plan-week-{number}.png"))
            shown = [s for s in page.shown_sessions() if s.status == "planned"]
            per_day: dict[date, int] = {}
            for s in shown:
                day = context.clock.et_date(s.start_utc)
                per_day[day] = per_day.get(day, 0) + 1
            print(monday, dict(sorted(per_day.items())))
        page.close()
        context.close()


if __name__ == "__main__":
    main()
