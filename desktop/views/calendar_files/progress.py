"""A calendar job: its work on the window's background work (widgets/background.py), its
progress dialog, and the rule of one calendar job at a time per window.

The action that starts a job returns at once; what the job did arrives in the callbacks,
on the GUI thread, after the progress dialog has gone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QSize, Qt, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from desktop.views.widgets import messages
from desktop.views.widgets.background import BackgroundWork, Job, Work, work_for

# Work that ends sooner than this never shows its progress dialog (no flash for small files).
SHOW_PROGRESS_AFTER_MS = 400
_JOBS_NAME = "calendarFileJobs"


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
        self._job: Job | None = None

    def watch(self, job: Job) -> None:
        self._job = job
        job.progressed.connect(self.show_progress)

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
            self._job.cancel()
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


class CalendarJobs(QObject):
    """The calendar job a window runs, if any: one at a time, so that an import never races
    an export of the same book."""

    def __init__(self, owner: QObject) -> None:
        super().__init__(owner)
        self.setObjectName(_JOBS_NAME)
        self.current: Job | None = None

    @property
    def busy(self) -> bool:
        return self.current is not None

    def started(self, job: Job) -> None:
        self.current = job
        job.ended.connect(self._ended)

    @Slot()
    def _ended(self) -> None:
        self.current = None


def calendar_jobs(parent: QWidget | None) -> CalendarJobs:
    """The calendar jobs of `parent`'s window (of the application without a parent)."""
    owner: QObject | None = parent.window() if parent is not None else QCoreApplication.instance()
    assert owner is not None
    found = owner.findChild(CalendarJobs, _JOBS_NAME)
    return found if isinstance(found, CalendarJobs) else CalendarJobs(owner)


def _background(parent: QWidget | None) -> BackgroundWork:
    if parent is not None:
        return work_for(parent)
    app = QCoreApplication.instance()
    found = app.findChild(BackgroundWork, "backgroundWork") if app is not None else None
    return found if isinstance(found, BackgroundWork) else BackgroundWork(app)


def start_job(
    parent: QWidget | None,
    progress: WorkProgress,
    work: Work,
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None],
    cancel_error: Callable[[], BaseException] | None = None,
) -> Job:
    """Run `work` in the background while `progress` shows (after its delay); the progress
    is gone before `on_success(result)` or `on_failure(error)` runs."""

    def succeeded(result: object) -> None:
        progress.finish()
        on_success(result)

    def failed(error: BaseException) -> None:
        progress.finish()
        on_failure(error)

    job = _background(parent).start(
        work, on_success=succeeded, on_failure=failed, cancel_error=cancel_error
    )
    progress.watch(job)
    calendar_jobs(parent).started(job)
    return job


def busy_elsewhere(parent: QWidget | None) -> bool:
    """One calendar job at a time: another action clicked during one waits its turn."""
    if calendar_jobs(parent).busy:
        messages.show_info(
            parent, "Still working", "A calendar file is still being read or written; wait."
        )
        return True
    return False
