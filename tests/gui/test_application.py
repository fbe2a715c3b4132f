"""The GUI entry point: starts and quits cleanly, refuses a locked book, shows bugs."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from desktop import __version__
from desktop.app import AppContext
from desktop.errors import BadInput
from desktop.models.database import InstanceLock
from desktop.places import data_dir, log_dir
from desktop.views.shell.application import CrashHandler, PaletteFollower, apply_style, run_gui
from desktop.views.shell.main_window import CALENDAR, CUSTOMERS, DASHBOARD, REPORTS, MainWindow
from desktop.views.shell.window_pages import OPENING
from desktop.views.widgets.background import work_for
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from .conftest import Dialogs, open_window


def test_run_gui_starts_and_quits_with_zero(
    sample_context: AppContext, dialogs: Dialogs, isolated_settings: Path
) -> None:
    hook = sys.excepthook
    assert run_gui(sample_context, quit_after_start=True) == 0
    assert dialogs.errors == []
    assert sys.excepthook is hook  # the crash handler does not outlive the window
    assert list(isolated_settings.rglob("*.ini")), "window state went to the redirected folder"
    assert run_gui(sample_context, quit_after_start=True) == 0  # the lock was released


def test_second_window_on_the_same_book_is_refused(
    context: AppContext, dialogs: Dialogs, capsys: pytest.CaptureFixture[str]
) -> None:
    other_window = InstanceLock(context.db.path)
    other_window.acquire()
    try:
        assert run_gui(context) == 2
        # a smoke test or a script: no dialog that nobody would close, a message instead
        assert run_gui(context, quit_after_start=True) == 2
    finally:
        other_window.release()
    [(title, text)] = dialogs.errors
    assert title == "Book already open"
    assert "already open in another amplan window" in text
    assert "already open in another amplan window" in capsys.readouterr().err


def test_crash_handler_shows_expected_errors_plainly(tmp_path: Path, dialogs: Dialogs) -> None:
    handler = CrashHandler(tmp_path / "crash.log")
    error = BadInput("No customer named 'Nobody'.")
    handler(BadInput, error, None)
    assert dialogs.errors == [("amplan", "No customer named 'Nobody'.")]
    assert not (tmp_path / "crash.log").exists()


def test_crash_handler_logs_a_bug_and_says_where(tmp_path: Path, dialogs: Dialogs, capsys) -> None:
    log = tmp_path / "logs" / "crash.log"
    try:
        raise ZeroDivisionError("division by zero")
    except ZeroDivisionError as exc:
        CrashHandler(log)(type(exc), exc, exc.__traceback__)
    [(title, text)] = dialogs.errors
    assert title == "amplan hit a bug"
    assert str(log) in text
    assert "Traceback" not in text  # the user gets words; the file gets the details
    assert "ZeroDivisionError" in log.read_text(encoding="utf-8")
    assert "ZeroDivisionError" in capsys.readouterr().err


def test_the_style_follows_the_palette_to_dark_and_back(qapp: QApplication) -> None:
    light = QPalette(qapp.palette())
    apply_style(qapp)
    follower = PaletteFollower(qapp)
    qapp.installEventFilter(follower)
    try:
        assert "#3a2c10" not in qapp.styleSheet(), "the dark tail stays out on a light palette"
        dark = QPalette(light)
        dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
        dark.setColor(QPalette.ColorRole.WindowText, QColor("#e8eaed"))
        qapp.setPalette(dark)
        assert "#3a2c10" in qapp.styleSheet()
        qapp.setPalette(light)
        assert "#3a2c10" not in qapp.styleSheet()
    finally:
        qapp.removeEventFilter(follower)
        qapp.setStyleSheet("")
        qapp.setPalette(light)


def test_about_names_the_version_and_where_everything_lives(
    window: MainWindow, context: AppContext, dialogs: Dialogs, isolated_user_config: Path
) -> None:
    window.show_about()
    (title, text), *_ = dialogs.infos
    assert title == "About amplan"
    assert f"amplan {__version__}</b>" in text
    assert str(context.db.path) in text
    assert f"Settings folder: {isolated_user_config}" in text
    assert f"Data folder: {data_dir()}" in text and f"Log folder: {log_dir()}" in text


def test_the_frame_paints_first_and_the_book_opens_into_it(
    qtbot: QtBot, sample_context: AppContext, settings: QSettings
) -> None:
    window = MainWindow(None, settings)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.first_painted):
        window.show()
    opening = window.pages.currentWidget()
    assert isinstance(opening, QLabel) and opening.text() == OPENING
    assert window.menuBar().actions() and not window.menus["&File"].actions()
    window.open_book(sample_context)
    assert window.customers_page is window.pages.currentWidget()  # the page it was left on
    assert window.customers_page.model.rowCount() > 0
    assert window.count_label.text().endswith("customers")
    assert window.add_action in window.menus["&File"].actions()


def test_a_page_is_built_when_first_opened(
    qtbot: QtBot, sample_context: AppContext, settings: QSettings
) -> None:
    window = open_window(qtbot, sample_context, settings)
    pages = window._pages
    assert pages.built(CUSTOMERS) is not None
    assert pages.built(CALENDAR) is None and pages.built(REPORTS) is None
    window.refresh()  # hidden pages not built are not built to be refreshed
    assert pages.built(CALENDAR) is None and pages.built(REPORTS) is None
    qtbot.waitUntil(lambda: pages.built(DASHBOARD) is not None)  # for its count
    window.show_page(CALENDAR)
    assert window.pages.currentWidget() is pages.built(CALENDAR) is window.calendar_page
    window.page_actions[REPORTS].trigger()
    assert window.pages.currentWidget() is window.reports_page
    assert not any(isinstance(w, QLabel) for w in map(window.pages.widget, range(4)))


def test_closing_waits_for_the_windows_background_jobs(
    qtbot: QtBot, context: AppContext, settings: QSettings
) -> None:
    window = open_window(qtbot, context, settings)
    finished: list[str] = []

    def slow(report: object) -> None:
        time.sleep(0.3)
        finished.append("done")

    work_for(window).start(slow)
    window.close()
    assert finished == ["done"]
