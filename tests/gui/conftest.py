"""GUI fixtures: a fresh book per test and Qt settings kept out of the user's own."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from desktop.app import AppContext, build_context
from desktop.views.shell.main_window import MainWindow
from desktop.views.widgets import messages
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path) -> Iterator[Path]:
    """Every `QSettings()` (run_gui's too) writes under tmp_path, never the user's config."""
    folder = tmp_path / "settings"
    QCoreApplication.setOrganizationName("amplan")
    QCoreApplication.setApplicationName("amplan")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture(autouse=True)
def no_quit_on_last_window(qapp: QApplication) -> None:
    """Closing the last window must not quit: nothing here runs `exec()` to consume it.

    WORKAROUND (cf. https://github.com/altendky/qtrio/pull/25): a test that closes its last
    window would make Qt post a Quit that no loop takes; from then on every `QEventLoop`
    (qtbot.wait, waitSignal, waitUntil) returns at once and no later timer fires.
    """
    qapp.setQuitOnLastWindowClosed(False)


@pytest.fixture(autouse=True)
def dashboard_in_the_foreground(monkeypatch: pytest.MonkeyPatch) -> None:
    """Test books are small: the dashboard computes them at once, however slow the machine
    (its move to a worker after a slow computation would make the tests timing-dependent).
    A test of the worker sets `DashboardPage.background` itself."""
    from desktop.views.dashboard import dashboard_page

    monkeypatch.setattr(dashboard_page, "BACKGROUND_AFTER_S", 60.0)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def context(tmp_path: Path) -> Iterator[AppContext]:
    ctx = build_context(tmp_path / "book.sqlite")
    yield ctx
    ctx.close()


@pytest.fixture
def sample_context(context: AppContext) -> AppContext:
    report = context.load_sample_book()
    assert report.errors == []
    return context


@dataclass
class Dialogs:
    """What the seam was asked to show; `answer` is the reply to every question."""

    errors: list[tuple[str, str]] = field(default_factory=list)
    infos: list[tuple[str, str]] = field(default_factory=list)
    questions: list[tuple[str, str]] = field(default_factory=list)
    answer: bool = True


@pytest.fixture(autouse=True)
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    """No real message box ever blocks a test; each one is recorded for assertions."""
    seen = Dialogs()

    def ask(_parent: object, title: str, text: str, _yes: str = "OK") -> bool:
        seen.questions.append((title, text))
        return seen.answer

    monkeypatch.setattr(messages, "show_error", lambda _p, t, x: seen.errors.append((t, x)))
    monkeypatch.setattr(messages, "show_info", lambda _p, t, x: seen.infos.append((t, x)))
    monkeypatch.setattr(messages, "show_about", lambda _p, t, x: seen.infos.append((t, x)))
    monkeypatch.setattr(messages, "ask", ask)
    return seen


def open_window(qtbot: QtBot, context: AppContext, settings: QSettings) -> MainWindow:
    window = MainWindow(context, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def window(qtbot: QtBot, context: AppContext, settings: QSettings) -> MainWindow:
    return open_window(qtbot, context, settings)


@pytest.fixture
def sample_window(qtbot: QtBot, sample_context: AppContext, settings: QSettings) -> MainWindow:
    return open_window(qtbot, sample_context, settings)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where the screenshots go: tmp_path, or the folder AMPLAN_SCREENSHOTS names (set it to
    docs/screenshots to refresh the README's pictures)."""
    folder = Path(os.environ.get("AMPLAN_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
