"""Work off the GUI thread: results, errors, progress and a stop arrive as signals."""

from __future__ import annotations

import threading

from desktop.errors import AmplanError
from desktop.views.widgets.background import BackgroundWork, JobCancelled, Progress, work_for
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot


def test_the_result_arrives_on_the_gui_thread(qtbot: QtBot) -> None:
    work = BackgroundWork()
    seen: list[object] = []
    gui_thread = threading.get_ident()
    threads: list[int] = []

    def double(report: Progress) -> int:
        threads.append(threading.get_ident())
        report(1, 1)
        return 21 * 2

    callback_threads: list[int] = []

    def show(result: object) -> None:
        callback_threads.append(threading.get_ident())
        seen.append(result)

    job = work.start(double, on_success=lambda result: show(result))
    with qtbot.waitSignal(job.ended, timeout=5000):
        pass
    assert seen == [42]
    assert threads and threads[0] != gui_thread
    assert callback_threads == [gui_thread]  # a lambda too runs where widgets may be touched
    qtbot.waitUntil(lambda: not work.busy)


def test_an_error_is_handed_over_not_raised_on_the_pool(qtbot: QtBot) -> None:
    work = BackgroundWork()
    errors: list[BaseException] = []

    def refuse(_report: Progress) -> None:
        raise AmplanError("The file is not a calendar.")

    job = work.start(refuse, on_failure=errors.append)
    with qtbot.waitSignal(job.ended, timeout=5000):
        pass
    assert [str(e) for e in errors] == ["The file is not a calendar."]


def test_a_stop_raises_in_the_work_at_its_next_report(qtbot: QtBot) -> None:
    work = BackgroundWork()
    started, errors, counts = threading.Event(), [], []
    go_on = threading.Event()

    def long_import(report: Progress) -> str:
        started.set()
        go_on.wait(5)
        for done in range(1, 1000):
            report(done, 1000)
        return "saved"

    job = work.start(
        long_import, on_failure=errors.append, on_progress=lambda d, t: counts.append(d)
    )
    assert started.wait(5)
    assert work.busy
    job.cancel()
    go_on.set()
    with qtbot.waitSignal(job.ended, timeout=5000):
        pass
    assert len(errors) == 1 and isinstance(errors[0], JobCancelled)
    assert counts == []


def test_a_window_has_one_background_work(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    child = QWidget(window)
    assert work_for(child) is work_for(window)
