"""GUI entry point: the application object, the stylesheet, the book lock and the crash dialog.

Light on purpose: it imports Qt and the window's frame only, so that the window paints before
the services are imported; the book is opened once the frame is on screen.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from desktop.errors import AmplanError, StoreLocked
from desktop.views.shell.main_window import MainWindow
from desktop.views.theme import palette_is_dark, style_sheet
from desktop.views.widgets import messages
from desktop.views.widgets.icons import app_icon

if TYPE_CHECKING:
    from desktop.app import AppContext
    from desktop.models.database import InstanceLock

APP_NAME = "amplan"
STARTUP_LOG = "AMPLAN_STARTUP_LOG"
"""An environment variable naming a file where the start's moments are noted (a benchmark)."""


def note_moment(name: str) -> None:
    """Note `name` and the wall-clock time in the file STARTUP_LOG names, if it names one."""
    where = os.environ.get(STARTUP_LOG)
    if where:
        with open(where, "a", encoding="utf-8") as log:
            log.write(f"{name} {time.time()}\n")


def crash_log_path() -> Path:
    from desktop.places import log_dir

    return log_dir() / "crash.log"


class CrashHandler:
    """`sys.excepthook` for the GUI: expected errors as plain messages, bugs as a crash dialog.

    Qt swallows exceptions raised in slots after printing them; this makes them visible.
    """

    def __init__(self, log_path: Path | None = None) -> None:
        self._log_path = log_path

    @property
    def log_path(self) -> Path:
        """The given file, or the log folder's crash.log (found when first needed: finding
        it imports the app's paths, which the window's first paint does not wait for)."""
        if self._log_path is None:
            self._log_path = crash_log_path()
        return self._log_path

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
        from desktop.models.store_errors import is_store_failure, translate

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
    return WindowRun(lambda: context, quit_after_start, open_file).run()


class WindowRun:
    """One run of the window: the frame paints, then the book opens (`open_book` is called
    on the GUI thread right after the first paint) and is locked, then the event loop runs
    until the window closes. An error of `open_book` ends the run and is raised by `run`."""

    def __init__(
        self,
        open_book: Callable[[], AppContext],
        quit_after_start: bool = False,
        open_file: Path | None = None,
    ) -> None:
        self._open_book = open_book
        self._quit_after_start = quit_after_start
        self._open_file = open_file
        self._lock: InstanceLock | None = None
        self._failure: BaseException | None = None
        self._window: MainWindow | None = None
        self.context: AppContext | None = None

    def run(self) -> int:
        app = application()
        follower = PaletteFollower(app)
        app.installEventFilter(follower)
        previous_hook = sys.excepthook
        sys.excepthook = CrashHandler()
        # Quit when the window closes, but from inside the event loop: with Qt's own
        # quitOnLastWindowClosed a window closed after exec() posts a Quit that no loop takes,
        # and it would end the next event loop of whoever called us (a test, a script).
        quit_on_close = app.quitOnLastWindowClosed()
        app.setQuitOnLastWindowClosed(False)
        app.lastWindowClosed.connect(app.quit)
        try:
            window = self._window = MainWindow(None, QSettings())
            window.first_painted.connect(self._painted)
            window.show()
            code = app.exec()
            app.lastWindowClosed.disconnect(app.quit)
            if window.isVisible():
                window.close()  # saves the window's state
            if self._failure is not None:
                raise self._failure
            return code
        finally:
            app.setQuitOnLastWindowClosed(quit_on_close)
            if self._window is not None:
                self._window.deleteLater()
                app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            sys.excepthook = previous_hook
            app.removeEventFilter(follower)
            follower.deleteLater()
            if self._lock is not None:
                self._lock.release()

    def _painted(self) -> None:
        note_moment("first_paint")
        QTimer.singleShot(0, self._open)  # once this paint is on screen

    def _open(self) -> None:
        window = self._window
        assert window is not None
        try:
            context = self.context = self._open_book()
            code = self._take_lock(context)
        except BaseException as exc:  # raised by run(), where the caller reports it
            self._failure = exc
            QApplication.exit(1)
            return
        if code:
            QApplication.exit(code)
            return
        window.open_book(context)
        window.repaint()  # the start page with the book in it
        note_moment("ready")
        if self._quit_after_start:
            QTimer.singleShot(0, window.close)
        elif self._open_file is not None:
            opened = self._open_file
            QTimer.singleShot(0, window, lambda: window.open_calendar_file(opened))

    def _take_lock(self, context: AppContext) -> int:
        """0, or 2 when another window holds the book (said on stderr or in a dialog).
        A file takes one window at a time; the team's book on a server takes the whole team."""
        from desktop.models.database import InstanceLock

        if context.db.path is None:
            return 0
        lock = InstanceLock(context.db.path)
        try:
            lock.acquire()
        except StoreLocked as exc:
            if self._quit_after_start:  # a smoke test or a script: nobody to close a dialog
                sys.stderr.write(f"amplan: {exc}\n")
            else:
                messages.show_error(None, "Book already open", str(exc))
            return 2
        self._lock = lock
        return 0


def application() -> QApplication:
    """The application object, named, with the app's icon and the palette's stylesheet."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName(APP_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    app.setWindowIcon(app_icon())
    apply_style(app)
    return app
