"""File menu: Back up now, Restore from backup…; the History dialog of a session and of a
customer; a full disk or a read-only book while the window is open."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from desktop.app import AppContext, build_context
from desktop.models import backups
from desktop.services.customers import CustomerDraft, CustomerRecord
from desktop.services.scheduling.sessions import BookingRequest, parse_times
from desktop.views.shell import safety_ui
from desktop.views.shell.application import CrashHandler
from desktop.views.shell.main_window import MainWindow
from desktop.views.shell.safety_ui import HistoryDialog, RestoreDialog
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QThreadPool
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from pg_server import PgServer

from .booking import fixed_now
from .conftest import Dialogs


@pytest.fixture(autouse=True)
def no_worker_left() -> Iterator[None]:
    yield
    QThreadPool.globalInstance().waitForDone(5000)


@pytest.fixture
def customer(context: AppContext) -> CustomerRecord:
    return context.customers.add(
        CustomerDraft("Acme Logistics", "SpiraPlan", "120", "2026-01-05", "gold")
    )


@pytest.fixture
def shown(
    qtbot: QtBot, context: AppContext, settings: QSettings, customer: CustomerRecord
) -> MainWindow:
    window = MainWindow(context, settings, now=fixed_now)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.customers_page.select_customer(customer.id)
    return window


def book_weekend(context: AppContext, customer: CustomerRecord) -> int:
    times = parse_times(context.clock, context.policy, "assistance", "2026-03-14T10:00", 60)
    outcome = context.scheduler.book(
        BookingRequest(
            (customer,),
            "assistance",
            times,
            context.clock.parse("2026-03-01T10:00"),
            override_reason="The customer's go-live weekend",
        )
    )
    return outcome.session.id


def names(context: AppContext) -> list[str]:
    return [c.name for c in context.customers.list(include_archived=True)]


def test_back_up_now_and_restore_bring_the_book_back(
    shots: Path,
    shown: MainWindow,
    context: AppContext,
    customer: CustomerRecord,
    dialogs: Dialogs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown.backup_action.trigger()
    [(title, text)] = dialogs.infos
    assert title == "Back up now" and "book.sqlite.backups" in text
    made = backups.list_backups(context.db.path)[0]
    assert made.kind == "manual" and made.customers == 1
    # a deliberate bad edit, then the restore from the File menu
    context.customers.edit("Acme Logistics", {"name": "Wrong Name"})
    context.customers.add(CustomerDraft("Intruder", "SpiraTest", "3", "2026-01-05"))
    shown.refresh()
    seen: list[RestoreDialog] = []

    def choose_first(dialog: RestoreDialog) -> int:
        seen.append(dialog)
        dialog.grab().save(str(shots / "restore-from-backup.png"))
        dialog.table.selectRow(dialog._infos.index(made))
        assert dialog.restore_button.isEnabled()
        dialog.restore_button.click()
        return int(dialog.result())

    monkeypatch.setattr(RestoreDialog, "exec", choose_first)
    shown.restore_action.trigger()
    [dialog] = seen
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text() == "Made by you"
    assert dialog.table.item(0, 2).text() == "1"
    assert dialogs.questions[-1][0] == "Restore from backup"
    assert dialogs.infos[-1][0] == "Restore from backup"
    assert names(context) == ["Acme Logistics"]
    assert shown.customers_page.select_customer(customer.id)  # the window shows it again
    kinds = sorted(i.kind for i in backups.list_backups(context.db.path))
    assert kinds == ["before-restore", "manual"]


def test_restore_can_be_cancelled_and_refuses_a_foreign_file(
    shown: MainWindow,
    context: AppContext,
    dialogs: Dialogs,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(RestoreDialog, "exec", lambda _self: int(QDialog.DialogCode.Rejected))
    shown.restore_action.trigger()
    assert dialogs.errors == [] and names(context) == ["Acme Logistics"]
    foreign = tmp_path / "notes.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (id INTEGER)")
    conn.commit()
    conn.close()

    def choose_foreign(dialog: RestoreDialog) -> int:
        dialog.chosen = foreign
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(RestoreDialog, "exec", choose_foreign)
    shown.restore_action.trigger()
    [(title, text)] = dialogs.errors
    assert title == "Restore from backup" and "another program" in text
    assert names(context) == ["Acme Logistics"]


def test_history_of_a_session_and_of_a_customer(
    shots: Path,
    shown: MainWindow,
    context: AppContext,
    customer: CustomerRecord,
    monkeypatch: pytest.MonkeyPatch,
    qtbot: QtBot,
) -> None:
    context.profiles.set_identity("Dana Whitfield", "dana@example.org")
    session_id = book_weekend(context, customer)
    context.customers.edit("Acme Logistics", {"users": "300"})
    panel = shown.customers_page.sessions
    panel.refresh()
    opened: list[HistoryDialog] = []

    def keep(dialog: HistoryDialog) -> int:
        opened.append(dialog)
        return int(QDialog.DialogCode.Rejected)

    monkeypatch.setattr(HistoryDialog, "exec", keep)
    panel.table.selectRow(0)
    assert panel.history_button.isEnabled()
    panel.history_button.click()
    session_dialog = opened[-1]
    assert f"#{session_id}" in session_dialog.windowTitle()
    rows = [
        [session_dialog.table.item(r, c).text() for c in range(6)]
        for r in range(session_dialog.table.rowCount())
    ]
    assert len(rows) == 1
    when, who, what, session, changed, reason = rows[0]
    assert who == "Dana Whitfield <dana@example.org>" and what == "book"
    assert session == f"#{session_id}" and "overrode outside-working-hours" in changed
    assert reason == "The customer's go-live weekend"
    assert when.endswith(tuple("0123456789"))

    panel.table.clearSelection()
    panel.history_button.click()
    customer_dialog = opened[-1]
    assert customer_dialog.windowTitle() == "History of Acme Logistics"
    actions = [
        customer_dialog.table.item(r, 2).text() for r in range(customer_dialog.table.rowCount())
    ]
    assert actions == ["add", "book", "edit"]
    assert "users: 120 -> 300" in customer_dialog.table.item(2, 4).text()
    qtbot.addWidget(customer_dialog)
    customer_dialog.grab().save(str(shots / "history.png"))
    assert (shots / "history.png").stat().st_size > 0


def test_a_full_disk_while_the_window_is_open_is_a_message_and_it_goes_on(
    shown: MainWindow, context: AppContext, dialogs: Dialogs, tmp_path: Path
) -> None:
    """SQLITE_FULL injected (the book may not grow): the error reaches the GUI's handler as a
    plain message, nothing is half saved, and the window keeps working."""
    before = names(context)
    pages = int(sqlite3.connect(context.db.path).execute("PRAGMA page_count").fetchone()[0])
    context.db.engine.dispose()

    def no_room(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(context.db.engine, "connect", no_room)
    lines = ["name,product,users,start"] + [
        f"Bulk {n},SpiraPlan,{10 + n},2026-01-05" for n in range(400)
    ]
    handler = CrashHandler(tmp_path / "crash.log")
    try:
        context.customers.import_rows("\n".join(lines))
    except Exception as exc:  # what Qt would hand to sys.excepthook from a slot
        handler(type(exc), exc, exc.__traceback__)
    [(title, text)] = dialogs.errors
    assert title == "amplan" and "is full" in text and "nothing was saved" in text
    assert not (tmp_path / "crash.log").exists(), "not reported as a bug"
    event.remove(context.db.engine, "connect", no_room)
    context.db.engine.dispose()
    assert names(context) == before
    shown.refresh()
    context.customers.add(CustomerDraft("After the disk was freed", "SpiraTest", "3", "2026-01-05"))
    assert "After the disk was freed" in names(context)


def test_a_team_book_is_backed_up_and_restored_from_the_window(
    qtbot: QtBot,
    pg_server: PgServer,
    settings: QSettings,
    dialogs: Dialogs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The File menu's backup and restore work on the team's book as on a file: a snapshot
    in the user's data folder, and a restore that colleagues' windows see as a change."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    context = build_context(pg_server.fresh())
    context.customers.add(CustomerDraft("Acme Logistics", "SpiraPlan", "120", "2026-01-05"))
    window = MainWindow(context, settings, now=fixed_now)
    try:
        window.show()
        window.backup_action.trigger()
        [(title, text)] = dialogs.infos
        assert title == "Back up now" and "team-backups" in text
        context.customers.add(CustomerDraft("Intruder", "SpiraTest", "3", "2026-01-05"))

        def choose_first(dialog: RestoreDialog) -> int:
            assert dialog.table.rowCount() == 1 and dialog.table.item(0, 2).text() == "1"
            dialog.table.selectRow(0)
            dialog.restore_button.click()
            return int(dialog.result())

        monkeypatch.setattr(RestoreDialog, "exec", choose_first)
        window.restore_action.trigger()
        assert dialogs.infos[-1][0] == "Restore from backup", dialogs.errors
        assert names(context) == ["Acme Logistics"]
        assert safety_ui.KIND_LABELS["daily"].startswith("Daily")
    finally:
        # The window and its timers go before the book's connections close: a late tick
        # would open new ones on the closed book.
        window.close()
        window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        QThreadPool.globalInstance().waitForDone(5000)
        context.close()
