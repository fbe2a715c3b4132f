"""The progress of a calendar job, and the one job at a time that runs it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, QRunnable, QSize, Qt, QThreadPool, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from desktop.services.calendar_files.ical_import import ImportCancelled
from desktop.views.widgets import messages

# Work that ends sooner than this never shows its progress dialog (no flash for small files).
SHOW_PROGRESS_AFTER_MS = 400


class _JobSignals(QObject):
    """Lives on the GUI thread; a worker's emits arrive there queued."""

    progress = Signal(int, int)
    finished = Signal()


class _Job(QRunnable):
    """Runs `work(report)` once on the pool; keeps its result or error for the GUI thread.

    `report(done, total)` is the progress callback the services take: it tells the GUI and,
    once a stop was asked for, raises ImportCancelled so that the service saves nothing.
    """

    def __init__(self, work: Callable[[Callable[[int, int], bool]], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.signals = _JobSignals()
        self.stop = threading.Event()
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self._work = work

    def report(self, done: int, total: int) -> bool:
        # Raised rather than returned: the service ignores the answer of its last call,
        # and a stop asked for then must still save nothing.
        if self.stop.is_set():
            raise ImportCancelled("Import stopped; nothing was saved.")
        self.signals.progress.emit(done, total)
        return True

    def run(self) -> None:
        try:
            self.result = self._work(self.report)
        except BaseException as exc:  # handed to the GUI thread, which shows or re-raises it
            self.error = exc
        # Emit before `done`: once `done` is set the GUI thread may drop this object.
        self.signals.finished.emit()
        self.done.set()


class _StopButton(QPushButton):
    """Cancel, as wide as it will be once it says "Stopping…": the progress dialog places
    its button by the size hint and does not place it again when the text changes."""

    def __init__(self) -> None:
        super().__init__("Stopping…")
        self._widest = super().sizeHint()
        self.setText("Cancel")

    def sizeHint(self) -> QSize:
        return super().sizeHint().expandedTo(self._widest)


class WorkProgress(QProgressDialog):
    """The progress of one job: a busy bar until the job counts, then a count.

    Cancel (the button, Escape or the close button) asks the job to stop and says so; the
    dialog stays up until the job has really stopped.
    """

    def __init__(
        self, parent: QWidget | None, title: str, label: str, cancellable: bool = True
    ) -> None:
        super().__init__(label, "Cancel", 0, 0, parent)
        self.setObjectName("calendarWorkProgress")
        self.setWindowTitle(title)
        self.setWindowModality(
            Qt.WindowModality.WindowModal if parent else Qt.WindowModality.ApplicationModal
        )
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumDuration(SHOW_PROGRESS_AFTER_MS)
        # At its minimum the dialog starts the timer that shows it; reading a file reports
        # nothing for a while, so without this it would show only at the first count.
        self.setValue(0)
        self.setMinimumWidth(440)
        self.cancel_button: QPushButton | None = None
        # Without a button first: setting one over the default button would add a second
        # Escape shortcut beside the default's, and two make Escape do nothing.
        self.setCancelButton(None)
        if cancellable:
            self.cancel_button = _StopButton()
            self.setCancelButton(self.cancel_button)
        # QProgressDialog hides itself on Cancel; this one waits for the job to stop.
        self.canceled.disconnect(self.cancel)
        self.canceled.connect(self.request_stop)
        self.stopping = False
        self.running = True
        self._job: _Job | None = None

    def watch(self, job: _Job) -> None:
        self._job = job
        job.signals.progress.connect(self.show_progress)

    @Slot(int, int)
    def show_progress(self, done: int, total: int) -> None:
        if self.stopping or (total <= 0 and done <= 0):
            return
        if total <= 0:  # reading occurrences one by one: their number is not known yet
            self.setLabelText(f"Importing busy time: {done:,} events read…")
            return
        if self.maximum() != total:
            self.setRange(0, total)
        self.setValue(min(done, total))
        self.setLabelText(f"Importing busy time: {done:,} of {total:,} events…")

    @Slot()
    def request_stop(self) -> None:
        if self.cancel_button is None or self.stopping or not self.running:
            return
        self.stopping = True
        if self._job is not None:
            self._job.stop.set()
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Stopping…")
        self.setRange(0, 0)
        self.setLabelText("Stopping the import. Nothing will be saved.")

    def reject(self) -> None:  # Escape
        self.request_stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running:
            event.ignore()
            self.request_stop()
        else:
            super().closeEvent(event)

    def finish(self) -> None:
        self.running = False
        # reset() stops the timer that shows the dialog after SHOW_PROGRESS_AFTER_MS: left
        # running, it fired inside the result's message box (whose loop does not delete
        # this dialog) and put a finished progress, with a dead Cancel, over the result.
        self.reset()
        self.hide()
        self.deleteLater()


_running: list[_Job] = []


def run_job(progress: WorkProgress, work: Callable[[Callable[[int, int], bool]], Any]) -> _Job:
    """Run `work` on the pool while `progress` shows; returns the finished job.

    A local event loop keeps the GUI painting and answering (the progress dialog is modal,
    so only it takes input) and ends when the job does.
    """
    job = _Job(work)
    progress.watch(job)
    loop = QEventLoop()
    job.signals.finished.connect(loop.quit)
    _running.append(job)
    try:
        QThreadPool.globalInstance().start(job)
        if not job.done.is_set():
            loop.exec()
        job.done.wait()  # the loop also ends when the application quits
    finally:
        _running.remove(job)
        progress.finish()
    return job


def busy_elsewhere(parent: QWidget | None) -> bool:
    """One calendar job at a time: another action clicked during one waits its turn."""
    if _running:
        messages.show_info(
            parent, "Still working", "A calendar file is still being read or written; wait."
        )
        return True
    return False
