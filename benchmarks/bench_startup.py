"""Start to first paint: amplan on a 500-customer planned book beside a bare PySide6 window.

    .venv/bin/python -m benchmarks.bench_startup

Both are measured in the same run, each start a fresh process on Qt's offscreen platform
(unless QT_QPA_PLATFORM says otherwise), best of RUNS:
- bare: a tiny script that imports PySide6, shows a QMainWindow and notes its first paint;
- amplan: `python -m desktop --db BOOK gui --quit-after-start` on a book of 500 customers and
  about 50,000 sessions, from process start to the main window's first paint, and to the
  first paint of the start page with the book's data in it.
The app notes those moments (wall-clock seconds) in the file AMPLAN_STARTUP_LOG names.
Target: amplan's first paint <= 4 times the bare window's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.synthetic_book import build

CUSTOMERS = 500
SESSIONS_EACH = 100
RUNS = 5
TARGET_RATIO = 4.0

BARE_WINDOW = """
import os, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class Window(QMainWindow):
    painted = False

    def paintEvent(self, event):
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            with open(os.environ["AMPLAN_STARTUP_LOG"], "a") as log:
                log.write(f"first_paint {time.time()}\\n")
            QTimer.singleShot(0, self.close)

app = QApplication(sys.argv[:1])
window = Window()
window.resize(1280, 800)
window.show()
app.exec()
"""


def _moments(command: list[str], env: dict[str, str], log: Path) -> dict[str, float]:
    """Seconds from just before the process starts to each moment it noted."""
    log.unlink(missing_ok=True)
    started = time.time()
    subprocess.run(command, env=dict(env, AMPLAN_STARTUP_LOG=str(log)), check=True)
    moments = {"exit": time.time() - started}
    noted = log.read_text(encoding="utf-8") if log.exists() else ""
    for line in noted.splitlines():
        name, _, value = line.partition(" ")
        moments.setdefault(name, float(value) - started)
    return moments


def _best(command: list[str], env: dict[str, str], log: Path) -> dict[str, float]:
    runs = [_moments(command, env, log) for _ in range(RUNS)]
    return {name: min(run.get(name, float("nan")) for run in runs) for name in runs[0]}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        db = root / "bench.sqlite"
        count = build(db, CUSTOMERS, SESSIONS_EACH, date.today())
        config = root / "config"
        settings = config / "amplan" / "amplan.conf"
        settings.parent.mkdir(parents=True)
        env = dict(os.environ, XDG_CONFIG_HOME=str(config))
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        log = root / "startup.log"
        bare = _best([sys.executable, "-c", BARE_WINDOW], env, log)
        app_command = [sys.executable, "-m", "desktop", "--db", str(db), "gui"]
        rows = []
        for page, name in ((0, "Dashboard"), (1, "Customers")):
            settings.write_text(f"[window]\npage={page}\n", encoding="utf-8")
            rows.append((name, _best([*app_command, "--quit-after-start"], env, log)))
        settings.unlink()

    print(f"{CUSTOMERS} customers, {count:,} sessions; best of {RUNS} fresh processes\n")
    first = bare["first_paint"]
    print(f"{'start':<34} {'first paint':>11} {'data shown':>11} {'exit':>7} {'ratio':>6}")
    print(f"{'bare PySide6 window':<34} {first:>10.3f}s {'':>11} {bare['exit']:>6.3f}s {1:>6.2f}")
    for name, app in rows:
        painted = app.get("first_paint", app["exit"])
        ready = app.get("ready", float("nan"))
        print(
            f"{'amplan, opening on ' + name:<34} {painted:>10.3f}s {ready:>10.3f}s "
            f"{app['exit']:>6.3f}s {painted / first:>6.2f}"
        )
    ratio = max(app.get("first_paint", app["exit"]) for _name, app in rows) / first
    print(f"\nratio (worst start page): {ratio:.2f}  target <= {TARGET_RATIO:g}")


if __name__ == "__main__":
    main()
