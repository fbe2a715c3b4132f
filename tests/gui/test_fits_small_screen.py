"""At the minimum window size (1024x700) every page shows its texts whole."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from desktop.app import AppContext
from desktop.services.customers import CustomerRecord
from desktop.views.calendar_files.calendar_files_ui import ExportCalendarDialog, ProfileDialog
from desktop.views.calendar_sync.caldav_ui import AccountDialog, ConflictsDialog
from desktop.views.customers.customer_dialog import CustomerDialog
from desktop.views.mail.mail_ui import MailSettingsDialog
from desktop.views.sessions.plan_dialog import PlanDialog
from desktop.views.sessions.session_editor import SessionEditor
from desktop.views.shell.application import apply_style
from desktop.views.shell.find_dialog import FindDialog
from desktop.views.shell.go_to_date import GoToDateDialog
from desktop.views.shell.main_window import CALENDAR, CUSTOMERS, DASHBOARD, REPORTS, MainWindow
from desktop.views.shell.preferences_dialog import PreferencesDialog
from desktop.views.shell.safety_ui import HistoryDialog, RestoreDialog
from desktop.views.shell.team_ui import CopyBookDialog
from PySide6.QtCore import QSettings, QThreadPool
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from .booking import fixed_now
from .conftest import open_window
from .fit_check import cut_texts

SIZES = [(1024, 700), (1920, 1080)]


@pytest.fixture(params=SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def sized_window(
    request: pytest.FixtureRequest,
    qapp: QApplication,
    qtbot: QtBot,
    sample_context: AppContext,
    settings: QSettings,
) -> MainWindow:
    apply_style(qapp)  # the app's own stylesheet: its paddings decide what fits
    window = open_window(qtbot, sample_context, settings)
    window.resize(*request.param)
    qtbot.wait(20)
    return window


@pytest.fixture(autouse=True)
def no_worker_left() -> Iterator[None]:
    """A plan still running on the pool must not outlive the test's book."""
    yield
    QThreadPool.globalInstance().waitForDone(5000)


def settle(qtbot: QtBot) -> None:
    qtbot.wait(50)


def test_the_window_cannot_be_made_smaller_than_1024x700(sized_window: MainWindow) -> None:
    assert (sized_window.minimumWidth(), sized_window.minimumHeight()) == (1024, 700)


@pytest.mark.parametrize("page", [DASHBOARD, CUSTOMERS, CALENDAR, REPORTS])
def test_every_page_shows_its_texts_whole(
    sized_window: MainWindow, qtbot: QtBot, page: int
) -> None:
    sized_window.show_page(page)
    if page == CUSTOMERS:
        sized_window.customers_page.table.selectRow(2)
    settle(qtbot)
    assert cut_texts(sized_window) == []


@pytest.mark.parametrize("view", ["day", "week", "month", "agenda"])
def test_every_calendar_view_shows_its_texts_whole(
    sized_window: MainWindow, qtbot: QtBot, view: str
) -> None:
    sized_window.show_page(CALENDAR)
    sized_window.calendar_page.set_view(view)
    settle(qtbot)
    assert cut_texts(sized_window) == []


def _dialogs(context: AppContext, customer: CustomerRecord, name: str) -> QDialog:
    today = fixed_now().date()
    labels = {kind: info.label for kind, info in context.policy.kinds.items()}
    makers: dict[str, Callable[[], QDialog]] = {
        "customer": lambda: CustomerDialog(context, customer),
        "session editor": lambda: SessionEditor(context, customer, None, fixed_now),
        "plan": lambda: PlanDialog(context, [customer], fixed_now),
        "export calendar": lambda: ExportCalendarDialog(context, customer, today=today),
        "profile": lambda: ProfileDialog(context),
        "preferences": lambda: PreferencesDialog(context),
        "mail settings": lambda: MailSettingsDialog(),
        "calendar account": lambda: AccountDialog(context),
        "calendar conflicts": lambda: ConflictsDialog(context),
        "copy book": lambda: CopyBookDialog(context),
        "find": lambda: FindDialog(context.search, context.clock, labels),
        "go to date": lambda: GoToDateDialog(today),
        "history": lambda: HistoryDialog("History of Acme", [], context.clock.tz, None),
        "restore": lambda: RestoreDialog([], context.clock.tz, None),
    }
    return makers[name]()


DIALOGS = [
    "customer",
    "session editor",
    "plan",
    "export calendar",
    "profile",
    "preferences",
    "mail settings",
    "calendar account",
    "calendar conflicts",
    "copy book",
    "find",
    "go to date",
    "history",
    "restore",
]


# Offscreen, a dialog without a minimum size of its own logs that the platform cannot pass
# its size hints on: a message about the test platform, not the dialog.
@pytest.mark.qt_log_ignore("propagateSizeHints")
@pytest.mark.parametrize("name", DIALOGS)
def test_every_dialog_shows_its_texts_whole_and_fits_the_smallest_window(
    qapp: QApplication, qtbot: QtBot, sample_context: AppContext, name: str
) -> None:
    apply_style(qapp)
    customer = sample_context.customers.list()[0]
    dialog = _dialogs(sample_context, customer, name)
    qtbot.addWidget(dialog)
    dialog.show()
    if isinstance(dialog, PlanDialog):
        dialog.start()
        qtbot.waitUntil(lambda: not dialog.is_planning(), timeout=10_000)
    qtbot.wait(50)
    assert dialog.width() <= 1024 and dialog.height() <= 700
    assert cut_texts(dialog) == []


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_outbox_fits_the_smallest_window(
    qapp: QApplication, qtbot: QtBot, sample_context: AppContext, settings: QSettings
) -> None:
    apply_style(qapp)
    window = open_window(qtbot, sample_context, settings)
    window.resize(1024, 700)
    outbox = window.mail.show_outbox()
    qtbot.waitExposed(outbox)
    assert outbox.width() <= 1024 and outbox.height() <= 700
    assert cut_texts(outbox) == []
    outbox.close()


def test_the_check_sees_a_squeezed_button_and_label(qtbot: QtBot) -> None:
    """The guard above can fail: a too-narrow button and label are reported."""
    box = QWidget()
    qtbot.addWidget(box)
    button = QPushButton("Mark no-show", box)
    label = QLabel("Sessions of Delta Avionics", box)
    button.setGeometry(0, 0, 40, 30)
    label.setGeometry(0, 40, 60, 20)
    box.resize(200, 100)
    box.show()
    problems = cut_texts(box)
    assert any("'Mark no-show' needs" in problem for problem in problems)
    assert any("'Sessions of Delta Avionics' needs" in problem for problem in problems)
