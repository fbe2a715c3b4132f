"""The one way the GUI runs work off its thread: progress, cancel and the result come back
as signals on the GUI thread, and nothing waits in a nested event loop.

Every window has one `BackgroundWork` (`work_for(widget)` finds or makes it): it keeps each
running job alive until it ends, tells whether any is running (one file import at a time),
and waits for them when the window closes. The work itself is a plain function of the
services; it receives a progress callback `report(done, total)` that raises the job's
cancel error once a stop was asked for, so a cancelled import saves nothing.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, SignalInstance, Slot
from PySide6.QtWidgets import QWidget

from desktop.errors import AmplanError

Progress = Callable[[int, int], bool]
Work = Callable[[Progress], Any]


class JobCancelled(AmplanError):
    """The user stopped the job; the work raised this from its progress callback."""


class Job(QObject):
    """One function on the thread pool. `succeeded(result)` or `failed(error)`, then `ended`,
    all emitted on the GUI thread (so a lambda connected to them runs there too)."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)  # the exception; AmplanError is the user's to read
    ended = Signal()
    # Emitted on the pool's thread; received by this object's slots on the GUI thread.
    _progress_from_worker = Signal(int, int)
    _result_from_worker = Signal(object)
    _error_from_worker = Signal(object)

    def __init__(
        self,
        work: Work,
        parent: QObject | None = None,
        cancel_error: Callable[[], BaseException] | None = None,
    ) -> None:
        super().__init__(parent)
        self._work = work
        self._cancel_error = cancel_error or (lambda: JobCancelled("Stopped; nothing was saved."))
        self._stop = threading.Event()
        self._done = threading.Event()
        self._progress_from_worker.connect(self._relay_progress)
        self._result_from_worker.connect(self._relay_result)
        self._error_from_worker.connect(self._relay_error)

    def cancel(self) -> None:
        """Ask the work to stop at its next progress report."""
        self._stop.set()

    @property
    def cancel_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, seconds: float | None = None) -> bool:
        return self._done.wait(seconds)

    def report(self, done: int, total: int) -> bool:
        # Raised rather than returned: a service may ignore the answer of its last call,
        # and a stop asked for then must still save nothing.
        if self._stop.is_set():
            raise self._cancel_error()
        _emit(self._progress_from_worker, done, total)
        return True

    def run_here(self) -> None:
        """The body of the job, on whichever thread calls it (the pool's, or a test's)."""
        try:
            result = self._work(self.report)
        except BaseException as exc:  # handed to the GUI thread, which shows or re-raises it
            self._done.set()
            _emit(self._error_from_worker, exc)
        else:
            self._done.set()
            _emit(self._result_from_worker, result)

    @Slot(int, int)
    def _relay_progress(self, done: int, total: int) -> None:
        if not self._stop.is_set():
            self.progressed.emit(done, total)

    @Slot(object)
    def _relay_result(self, result: object) -> None:
        self.succeeded.emit(result)
        self.ended.emit()

    @Slot(object)
    def _relay_error(self, error: object) -> None:
        self.failed.emit(error)
        self.ended.emit()


def _emit(signal: SignalInstance, *values: object) -> None:
    # RuntimeError: the window that asked is gone (closed meanwhile); nobody is listening.
    with contextlib.suppress(RuntimeError):
        signal.emit(*values)


class _Runnable(QRunnable):
    """Holds the job's body, not the job: the job's QObject belongs to the GUI thread and
    must never be released from the pool's."""

    def __init__(self, body: Callable[[], None]) -> None:
        super().__init__()
        self.body: Callable[[], None] | None = body

    def run(self) -> None:
        body, self.body = self.body, None
        if body is not None:
            body()


class BackgroundWork(QObject):
    """The jobs of one window."""

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backgroundWork")
        self._pool = pool or QThreadPool.globalInstance()
        self._jobs: set[Job] = set()

    def start(
        self,
        work: Work,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        cancel_error: Callable[[], BaseException] | None = None,
    ) -> Job:
        """Run `work(report)` on the pool; the callbacks run on the GUI thread."""
        job = Job(work, self, cancel_error)
        if on_progress is not None:
            job.progressed.connect(on_progress)
        if on_success is not None:
            job.succeeded.connect(on_success)
        if on_failure is not None:
            job.failed.connect(on_failure)
        job.ended.connect(self._forget)
        self._jobs.add(job)
        self._pool.start(_Runnable(job.run_here))
        return job

    @property
    def busy(self) -> bool:
        return any(not job.done for job in self._jobs)

    def cancel_all(self) -> None:
        for job in self._jobs:
            job.cancel()

    def wait_for_all(self, msecs: int) -> bool:
        """On close: give running jobs `msecs` to end; True when none is left running."""
        return self._pool.waitForDone(msecs) or not self.busy

    @Slot()
    def _forget(self) -> None:
        job = self.sender()
        if isinstance(job, Job):
            self._jobs.discard(job)
            job.deleteLater()


def work_for(widget: QWidget) -> BackgroundWork:
    """The `BackgroundWork` of the widget's window, made on first use."""
    window = widget.window()
    found = window.findChild(BackgroundWork, "backgroundWork")
    if isinstance(found, BackgroundWork):
        return found
    return BackgroundWork(window)
