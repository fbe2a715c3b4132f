"""GUI entry point: the application object, the stylesheet, the book lock and the crash dialog."""

from __future__ import annotations

import sys
import traceback
from datetime import datetime
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from desktop.app import APP_NAME, AppContext, log_dir
from desktop.errors import AmplanError, StoreLocked
from desktop.models.database import InstanceLock
from desktop.models.store_errors import is_store_failure, translate
from desktop.views.shell.main_window import MainWindow
from desktop.views.theme import palette_is_dark, style_sheet
from desktop.views.widgets import messages
from desktop.views.widgets.icons import app_icon


def crash_log_path() -> Path:
    return log_dir() / "crash.log"


class CrashHandler:
    """`sys.excepthook` for the GUI: expected errors as plain messages, bugs as a crash dialog.

    Qt swallows exceptions raised in slots after printing them; this makes them visible.
    """

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path

    def __call__(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        parent = QApplication.activeWindow()
        if isinstance(exc, AmplanError):
            messages.show_error(parent, "amplan", str(exc))
            return
        if is_store_failure(exc):  # a full disk, a read-only medium: the window goes on
            messages.show_error(parent, "amplan", str(translate(exc, None)))
            return
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        sys.stderr.write(details)
        where = self._write_log(details)
        messages.show_error(
            parent,
            "amplan hit a bug",
            "Something went wrong inside amplan. This is a bug, not something you did.\n\n"
            "Every change you saved is safe in your book. "
            f"{where}\n\nRestarting amplan is the safest way to go on.",
        )

    def _write_log(self, details: str) -> str:
        try:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            with self.log_path.open("a", encoding="utf-8") as log:
                log.write(f"--- {datetime.now().isoformat(timespec='seconds')}\n{details}\n")
        except OSError:
            return "The details could not be written to a file; they were printed to the console."
        return f"The details were written to {self.log_path}; please send that file with a report."


def apply_style(app: QApplication) -> None:
    """The stylesheet for the palette the application has now."""
    app.setStyleSheet(style_sheet(palette_is_dark(app.palette())))


class PaletteFollower(QObject):
    """Re-applies the stylesheet when the system palette turns dark or light."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._dark = palette_is_dark(app.palette())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._app and event.type() == QEvent.Type.ApplicationPaletteChange:
            dark = palette_is_dark(self._app.palette())
            if dark != self._dark:
                self._dark = dark
                apply_style(self._app)
        return False


def run_gui(
    context: AppContext, quit_after_start: bool = False, open_file: Path | None = None
) -> int:
    """Show the main window on `context`'s book until the user quits; returns the exit code.

    `open_file` is a calendar file handed over by the desktop (double-click on an .ics): the
    window offers to import it once it is on screen."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName(APP_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    app.setWindowIcon(app_icon())
    apply_style(app)
    follower = PaletteFollower(app)
    app.installEventFilter(follower)

    # A file takes one window at a time; the team's book on a server takes the whole team.
    lock = InstanceLock(context.db.path) if context.db.path is not None else None
    try:
        if lock is not None:
            lock.acquire()
    except StoreLocked as exc:
        if quit_after_start:  # a smoke test or a script: nobody is there to close a dialog
            sys.stderr.write(f"amplan: {exc}\n")
        else:
            messages.show_error(None, "Book already open", str(exc))
        return 2

    previous_hook = sys.excepthook
    sys.excepthook = CrashHandler(crash_log_path())
    window: QWidget | None = None
    # Quit when the window closes, but from inside the event loop: with Qt's own
    # quitOnLastWindowClosed a window closed after exec() posts a Quit that no loop takes,
    # and it would end the next event loop of whoever called us (a test, a script).
    quit_on_close = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)
    app.lastWindowClosed.connect(app.quit)
    try:
        window = MainWindow(context, QSettings())
        window.show()
        if quit_after_start:
            app.processEvents()  # the first paint
            QTimer.singleShot(0, window.close)
        elif open_file is not None:
            opener = window
            QTimer.singleShot(0, lambda: opener.open_calendar_file(open_file))
        code = app.exec()
        app.lastWindowClosed.disconnect(app.quit)
        if window.isVisible():
            window.close()  # saves the window's state
        return code
    finally:
        app.setQuitOnLastWindowClosed(quit_on_close)
        if window is not None:
            window.deleteLater()
            app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        sys.excepthook = previous_hook
        app.removeEventFilter(follower)
        follower.deleteLater()
        if lock is not None:
            lock.release()
