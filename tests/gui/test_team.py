"""The team's book in the window: whose customers the Customers page shows, and File > Copy
book to a team server."""

from __future__ import annotations

from pathlib import Path

import pytest
from desktop.app import AppContext, build_context
from desktop.services.customers import CustomerDraft
from desktop.services.user_config import UserConfig
from desktop.views.shell.main_window import CUSTOMERS, DASHBOARD, MainWindow
from desktop.views.shell.team_ui import CopyBookDialog, copy_target
from PySide6.QtCore import QSettings, QTimer
from pytestqt.qtbot import QtBot

from .conftest import Dialogs, open_window

ME = "dana@example.com"
LEE = "lee@example.com"


def _add(context: AppContext, name: str, owner: str = "") -> None:
    draft = CustomerDraft(name=name, product="SpiraTeam", users="30", start="2026-01-05")
    context.customers.add(
        draft if not owner else CustomerDraft(**{**draft.__dict__, "owner": owner})
    )


def _visible(window: MainWindow) -> list[str]:
    proxy = window.customers_page.proxy
    return sorted(proxy.index(row, 0).data() for row in range(proxy.rowCount()))


def test_the_customers_page_shows_the_team_mine_or_a_colleagues(
    qtbot: QtBot, context: AppContext, settings: QSettings, tmp_path: Path
) -> None:
    UserConfig().save_section("profile", {"name": "Dana", "email": ME})
    _add(context, "Acme")
    _add(context, "Borealis", LEE)
    _add(context, "Cobalt")
    window = open_window(qtbot, context, settings)
    window.show_page(CUSTOMERS)
    combo = window.customers_page.owner_filter
    assert combo.isVisible()
    assert [combo.itemText(i) for i in range(combo.count())] == ["Team", "Mine", LEE]
    assert _visible(window) == ["Acme", "Borealis", "Cobalt"]
    combo.setCurrentIndex(1)
    assert _visible(window) == ["Acme", "Cobalt"]
    combo.setCurrentIndex(2)
    assert _visible(window) == ["Borealis"]
    assert [c.name for c in window.dashboard._customers] == ["Borealis"]  # the dashboard too
    window.refresh()  # a refresh keeps the choice
    assert combo.currentText() == LEE and _visible(window) == ["Borealis"]
    combo.setCurrentIndex(0)
    assert [c.name for c in window.dashboard._customers] == ["Acme", "Borealis", "Cobalt"]
    window.grab().save(str(tmp_path / "owners.png"))


def test_a_solo_book_with_one_owner_shows_no_owner_filter(
    qtbot: QtBot, context: AppContext, settings: QSettings
) -> None:
    UserConfig().save_section("profile", {"name": "Dana", "email": ME})
    _add(context, "Acme")
    window = open_window(qtbot, context, settings)
    window.show_page(CUSTOMERS)
    assert not window.customers_page.owner_filter.isVisible()


def test_copy_book_from_the_file_menu(
    qtbot: QtBot, context: AppContext, settings: QSettings, tmp_path: Path, dialogs: Dialogs
) -> None:
    _add(context, "Acme")
    _add(context, "Borealis")
    window = open_window(qtbot, context, settings)
    target = tmp_path / "team.sqlite"
    seen: list[CopyBookDialog] = []

    def fill_in() -> None:
        dialog = window.findChild(CopyBookDialog)
        assert dialog is not None
        seen.append(dialog)
        assert not dialog.copy_button.isEnabled()
        dialog.address.setText(str(target))
        dialog.copy_button.click()

    QTimer.singleShot(0, fill_in)
    window.copy_book_action.trigger()
    assert seen and seen[0].counts is not None
    assert (seen[0].counts.customers, seen[0].counts.sessions) == (2, 0)
    assert dialogs.infos and dialogs.infos[-1][0] == "Book copied"
    copied = build_context(target)
    try:
        assert [c.name for c in copied.customers.list()] == ["Acme", "Borealis"]
    finally:
        copied.close()


def test_copy_into_a_book_that_is_not_empty_says_why_and_stays_open(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    _add(context, "Acme")
    target = tmp_path / "team.sqlite"
    other = build_context(target)
    _add(other, "Zephyr")
    other.close()
    dialog = CopyBookDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.address.setText(str(target))
    dialog.copy_button.click()
    assert dialog.isVisible() and dialog.counts is None
    assert "is not empty" in dialog.error.text() and dialog.error.isVisible()
    dialog.grab().save(str(tmp_path / "copy-refused.png"))


def test_the_password_goes_into_the_address_only_for_the_copy() -> None:
    assert copy_target("postgresql://dana@db.example/team", "s3cret") == (
        "postgresql://dana:s3cret@db.example/team"
    )
    assert copy_target("postgresql://dana@db.example/team", "") == (
        "postgresql://dana@db.example/team"
    )
    assert copy_target("~/team.sqlite", "ignored") == Path("~/team.sqlite").expanduser()


def test_another_managers_change_shows_up_without_a_restart(
    qtbot: QtBot, context: AppContext, settings: QSettings, tmp_path: Path
) -> None:
    _add(context, "Acme")
    window = open_window(qtbot, context, settings)
    window.show_page(CUSTOMERS)
    window.book_watch.poll()
    assert _visible(window) == ["Acme"]
    colleague = build_context(tmp_path / "book.sqlite")  # the command line, or a colleague
    try:
        _add(colleague, "Borealis")
    finally:
        colleague.close()
    window.book_watch.poll()
    assert _visible(window) == ["Acme", "Borealis"]
    assert window.count_label.text() == "2 customers"


def test_a_server_that_cannot_be_reached_is_said_in_the_status_bar(
    qtbot: QtBot, context: AppContext, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.errors import StoreError
    from desktop.views.shell import team_ui

    window = open_window(qtbot, context, settings)

    def unreachable(_db: object) -> tuple[object, ...]:
        raise StoreError("Cannot reach the team's book at postgresql://db/team.")

    monkeypatch.setattr(team_ui, "change_mark", unreachable)
    window.book_watch.poll()
    assert "Cannot reach the team's book" in window.statusBar().currentMessage()
    assert "Trying again" in window.statusBar().currentMessage()
    monkeypatch.undo()
    window.book_watch.poll()  # back: no error, and the window never stopped working
    assert window.add_action.isEnabled()


def test_the_calendar_shows_my_customers_or_a_colleagues(qtbot: QtBot, context: AppContext) -> None:
    from datetime import date

    from desktop.views.calendar.calendar_page import CalendarPage
    from desktop.views.shell.undo import SessionActions

    from .booking import book, fixed_now

    UserConfig().save_section("profile", {"name": "Dana", "email": ME})
    _add(context, "Acme")
    _add(context, "Borealis", LEE)
    acme, borealis = context.customers.get("Acme"), context.customers.get("Borealis")
    mine = book(context, acme, "onboarding", "2026-03-17T10:00")
    theirs = book(context, borealis, "onboarding", "2026-03-17T10:00")  # no conflict: Lee's
    page = CalendarPage(context, SessionActions(context), fixed_now)
    qtbot.addWidget(page)
    page.resize(1280, 860)
    page.show()
    qtbot.waitExposed(page)
    page.go_to(date(2026, 3, 17))

    def shown() -> set[int]:
        return {s for s in (mine.id, theirs.id) if page.grid.session_rect(s) is not None}

    assert shown() == {mine.id, theirs.id}
    page.customer_combo.setCurrentIndex(page.customer_combo.findText("My customers"))
    assert shown() == {mine.id}
    page.customer_combo.setCurrentIndex(page.customer_combo.findText(f"Customers of {LEE}"))
    assert shown() == {theirs.id}


def test_a_teams_book_opens_the_dashboard_on_my_customers(
    qtbot: QtBot,
    context: AppContext,
    settings: QSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The dashboard is shown before the Customers page is built (pages are built when first
    opened): it must show the same choice that page opens on, my own customers."""
    from desktop.models.database import Database

    UserConfig().save_section("profile", {"name": "Dana", "email": ME})
    _add(context, "Acme")
    _add(context, "Borealis", LEE)
    monkeypatch.setattr(Database, "is_server", property(lambda _db: True))  # a team's book
    settings.setValue("window/page", DASHBOARD)  # where the manager left the window
    window = open_window(qtbot, context, settings)
    assert window._pages.built(CUSTOMERS) is None  # not built yet
    assert [c.name for c in window.dashboard._customers] == ["Acme"]
    window.show_page(CUSTOMERS)
    assert window.customers_page.owner_filter.currentText() == "Mine"
    assert [c.name for c in window.dashboard._customers] == ["Acme"]
