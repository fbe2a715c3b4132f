"""The CalDAV state in the status bar, against a real Radicale that stops and starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from desktop.app import AppContext
from desktop.services.calendar_sync.caldav_account import (
    PASSWORD_ENV,
    CalDavSettings,
    save_settings,
)
from desktop.services.customers import CustomerDraft
from desktop.services.scheduling.sessions import BookingRequest, SessionTimes
from desktop.views.calendar_sync import caldav_ui
from desktop.views.shell.main_window import MainWindow
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from radicale_server import RadicaleServer, Remote

ET = ZoneInfo("America/New_York")


def _book_one(context: AppContext) -> str:
    customer = context.customers.add(
        CustomerDraft(name="Acme", product="SpiraPlan", users="300", start="2026-01-05",
                      package="platinum")
    )  # fmt: skip
    # 10:00 ET a month on, whatever the hour now: the tests move it two hours within its day.
    day = datetime.now(ET).date() + timedelta(days=30)
    start = datetime(day.year, day.month, day.day, 10, tzinfo=ET).astimezone(UTC)
    times = SessionTimes(start, start + timedelta(hours=1), False)
    request = BookingRequest((customer,), "assistance", times, override_reason="test")
    return context.scheduler.book_many([request])[0].uid


def test_status_bar_goes_offline_then_synced_as_the_server_stops_and_starts(
    qtbot: QtBot,
    context: AppContext,
    settings: QSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(caldav_ui, "RETRY_OFFLINE_MS", 300)
    server = RadicaleServer(tmp_path / "radicale")
    server.start()
    try:
        account = server.new_account()
        monkeypatch.setenv(PASSWORD_ENV, account.password)
        save_settings(CalDavSettings(account.url, account.user))
        server.stop()
        uid = _book_one(context)  # booked while the server is away

        window = MainWindow(context, settings)
        qtbot.addWidget(window)
        window.show()
        status = window.sync_status
        qtbot.waitUntil(lambda: status.property("state") == caldav_ui.OFFLINE, timeout=15000)
        assert "offline" in status.text() and "Cannot reach" in status.toolTip()

        server.start()  # the controller tries again by itself and catches up
        qtbot.waitUntil(lambda: status.property("state") == caldav_ui.SYNCED, timeout=20000)
        assert "synced" in status.text()
        remote = Remote(account)
        try:
            assert [str(e["UID"]) for e in remote.events()] == [uid]
        finally:
            remote.close()

        server.stop()
        window.sync_now_action.trigger()
        qtbot.waitUntil(lambda: status.property("state") == caldav_ui.OFFLINE, timeout=15000)
        window.close()
    finally:
        server.stop()


def test_without_an_account_the_status_bar_says_not_connected(
    qtbot: QtBot, context: AppContext, settings: QSettings
) -> None:
    window = MainWindow(context, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.sync_status.property("state") == caldav_ui.NOT_SET)
    assert "not connected" in window.sync_status.text()
    window.close()


def test_the_account_dialog_checks_on_the_server_before_it_saves(
    qtbot: QtBot,
    context: AppContext,
    radicale: RadicaleServer,
    isolated_user_config: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = radicale.new_account()
    dialog = caldav_ui.AccountDialog(context)
    qtbot.addWidget(dialog)
    dialog.url.setText(account.url.removeprefix("http://").rstrip("/").join(["http://", "/"]))
    dialog.user.setText(account.user)
    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    dialog.check_and_save()
    qtbot.waitUntil(lambda: "refused" in dialog.message.text(), timeout=15000)
    assert not (isolated_user_config / "config.json").exists()

    dialog.password.setText("typed")  # no keyring on a test machine: said, nothing kept
    dialog.check_and_save()
    assert "No keyring" in dialog.message.text()

    dialog.password.clear()
    monkeypatch.setenv(PASSWORD_ENV, account.password)
    with qtbot.waitSignal(dialog.saved, timeout=15000):
        dialog.check_and_save()
    saved = (isolated_user_config / "config.json").read_text()
    assert account.user in saved and account.password not in saved
    remote = Remote(account)
    try:
        assert remote.calendar("amplan") is not None
    finally:
        remote.close()


def test_a_change_in_the_window_is_published_shortly_after(
    qtbot: QtBot,
    context: AppContext,
    settings: QSettings,
    radicale: RadicaleServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(caldav_ui, "AFTER_CHANGE_MS", 100)
    account = radicale.new_account()
    monkeypatch.setenv(PASSWORD_ENV, account.password)
    save_settings(CalDavSettings(account.url, account.user))
    uid = _book_one(context)
    window = MainWindow(context, settings)
    qtbot.addWidget(window)
    window.show()
    status = window.sync_status
    qtbot.waitUntil(lambda: status.property("state") == caldav_ui.SYNCED, timeout=15000)
    record = context.scheduler.find()[0]
    start = record.start_utc + timedelta(hours=2)
    with qtbot.waitSignal(window.sync.synced, timeout=15000) as synced:
        window.session_actions.move(
            record.id,
            SessionTimes(start, start + timedelta(hours=1), False),
            override_reason="test",
        )
    assert synced.args[0].updated == 1
    remote = Remote(account)
    try:
        (event,) = remote.events()
        assert str(event["UID"]) == uid
        assert event["DTSTART"].dt.astimezone(UTC) == start
    finally:
        remote.close()
    window.close()


def test_the_conflicts_dialog_keeps_amplans_version_for_the_next_sync(
    qtbot: QtBot,
    context: AppContext,
    radicale: RadicaleServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from desktop.services.calendar_sync.caldav_sync import CalendarSync

    account = radicale.new_account()
    monkeypatch.setenv(PASSWORD_ENV, account.password)
    save_settings(CalDavSettings(account.url, account.user))
    _book_one(context)
    service = CalendarSync(context.scheduler, context.customers)
    service.sync()
    remote = Remote(account)
    try:
        item = remote.objects()[0]
        item.icalendar_component["SUMMARY"] = "Mine now"
        item.save()
        assert len(service.sync().conflicts) == 1
        dialog = caldav_ui.ConflictsDialog(context)
        qtbot.addWidget(dialog)
        assert dialog.list.count() == 1 and "changed on the server" in dialog.list.item(0).text()
        with qtbot.waitSignal(dialog.resolved):
            dialog.keep_amplan.click()
        assert dialog.list.count() == 0 and not dialog.keep_amplan.isEnabled()
        assert service.sync().updated == 1
        assert str(remote.events()[0]["SUMMARY"]) != "Mine now"
    finally:
        remote.close()
