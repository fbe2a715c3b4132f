"""E-mail in the window: an invite sent through the outbox to a real SMTP server on
loopback, the Outbox view, the status-bar indicator, reply files dropped on the window,
and a declined session on the dashboard with Move… and Cancel."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from desktop.app import AppContext
from desktop.services.customers import CustomerRecord
from desktop.services.mail.mail_account import check_settings, save_settings, store_password
from desktop.views.dashboard.attention_cards import AttentionCard
from desktop.views.sessions.session_editor import SessionEditor
from desktop.views.shell.main_window import MainWindow
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QThreadPool, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from mail_helpers import PASSWORD, USER, MemoryKeyring, SmtpServer, free_port

from .booking import book, fixed_now, silver


@pytest.fixture(autouse=True)
def no_worker_left() -> Iterator[None]:
    yield
    QThreadPool.globalInstance().waitForDone(10000)


@pytest.fixture
def customer(context: AppContext) -> CustomerRecord:
    context.profiles.set_identity("Dana Manager", "dana.manager@inflectra.example")
    return silver(context)


def use_server(port: int) -> None:
    settings = check_settings("127.0.0.1", port, "none", USER)
    save_settings(settings)
    store_password(settings, PASSWORD)


@pytest.fixture
def shown(
    qtbot: QtBot,
    context: AppContext,
    settings: QSettings,
    customer: CustomerRecord,
    memory_keyring: MemoryKeyring,
) -> MainWindow:
    window = MainWindow(context, settings, now=fixed_now)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    assert window.customers_page.select_customer(customer.id)
    return window


def test_send_invite_goes_through_the_outbox_and_is_marked_sent(
    qtbot: QtBot,
    shown: MainWindow,
    context: AppContext,
    customer: CustomerRecord,
    smtp_server: SmtpServer,
) -> None:
    use_server(smtp_server.port)
    session = book(context, customer, "onboarding", "2026-03-17T10:00")
    panel = shown.customers_page.sessions
    panel.refresh()
    panel.table.selectRow(0)
    assert panel.invite_button.isEnabled()
    panel.invite_button.click()  # returns at once: the sending runs on the pool

    outbox = context.mail.outbox
    qtbot.waitUntil(lambda: [e.status for e in outbox.messages()] == ["sent"], timeout=10000)
    [entry] = outbox.messages()
    assert entry.session_id == session.id and entry.recipients == ("anja@brandt.example",)
    assert len(smtp_server.received) == 1
    assert smtp_server.received[0].rcpt_tos == ["anja@brandt.example"]
    qtbot.waitUntil(lambda: shown.mail.indicator.text() == "Outbox")
    # Sending the same version again: the window says it went already; nothing is mailed.
    panel.invite_button.click()
    QThreadPool.globalInstance().waitForDone(5000)
    assert len(smtp_server.received) == 1


@pytest.mark.qt_log_ignore("propagateSizeHints")  # a top-level dialog on the offscreen platform
def test_the_outbox_view_shows_waiting_and_failed_messages_and_retries(
    qtbot: QtBot,
    shown: MainWindow,
    context: AppContext,
    customer: CustomerRecord,
    smtp_server: SmtpServer,
    shots: Path,
) -> None:
    # A first invite finds the server down (waiting); a second is refused (failed).
    port = free_port()
    use_server(port)
    first = book(context, customer, "onboarding", "2026-03-17T10:00")
    second = book(context, customer, "onboarding", "2026-03-18T10:00")
    mail = context.mail
    mail.outbox.enqueue([mail.invitation(first.id)])
    mail.send_queued()
    smtp_server.sink.refuse = {"anja@brandt.example"}
    use_server(smtp_server.port)
    mail.outbox.enqueue([mail.invitation(second.id)])
    mail.send_queued(due_only=True)  # the waiting one's back-off has not run out
    shown.mail.indicator.refresh()
    assert shown.mail.indicator.text() == "Outbox: 1 waiting · 1 failed"

    shown.mail.indicator.click()
    dialog = shown.mail.outbox_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitExposed(dialog)
    statuses = [dialog.table.item(row, 0).text() for row in range(dialog.table.rowCount())]
    assert statuses == ["Waiting", "Failed"]
    assert "refused the recipient(s): anja@brandt.example" in dialog.table.item(1, 5).text()
    assert "Cannot reach the mail server" in dialog.table.item(0, 5).text()
    dialog.table.selectRow(1)
    assert "550 5.1.1 No such user here" in dialog.detail.text()
    dialog.layout().activate()
    dialog.grab().save(str(shots / "outbox.png"))

    # The server takes her address again: Retry sends the failed one, Send now the other.
    smtp_server.sink.refuse = set()
    dialog.table.selectRow(1)
    assert dialog.retry_button.isEnabled() and not dialog.confirm_button.isEnabled()
    dialog.retry_button.click()
    qtbot.waitUntil(lambda: not shown.mail.courier.is_busy(), timeout=10000)
    dialog.send_button.click()
    qtbot.waitUntil(
        lambda: [e.status for e in mail.outbox.messages()] == ["sent", "sent"], timeout=10000
    )
    assert len(smtp_server.received) == 2
    qtbot.waitUntil(lambda: shown.mail.indicator.text() == "Outbox")
    dialog.close()


def reply_file(folder: Path, uid: str, partstat: str, sequence: int = 0) -> Path:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "METHOD:REPLY",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"SEQUENCE:{sequence}",
        "DTSTAMP:20260312T100000Z",
        f"ATTENDEE;CN=Anja Brandt;PARTSTAT={partstat}:mailto:anja@brandt.example",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    path = folder / f"reply-{partstat.lower()}.ics"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


def drop(window: MainWindow, path: Path) -> None:
    """What a drag from the file manager delivers: an enter the window accepts, then the drop."""
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(
        QPoint(200, 200),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    event = QDropEvent(
        QPointF(200, 200),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, event)


def declined_cards(window: MainWindow) -> list[AttentionCard]:
    return window.dashboard.cards("declined")


def test_a_dropped_decline_shows_on_the_session_and_the_dashboard(
    qtbot: QtBot,
    shown: MainWindow,
    context: AppContext,
    customer: CustomerRecord,
    tmp_path: Path,
    shots: Path,
) -> None:
    session = book(context, customer, "onboarding", "2026-03-17T10:00")
    drop(shown, reply_file(tmp_path, session.uid, "DECLINED"))
    assert "anja@brandt.example declined" in shown.statusBar().currentMessage()
    panel = shown.customers_page.sessions
    panel.refresh()
    panel.table.selectRow(0)
    assert panel.answers_label.text() == "Attendees: Anja Brandt <anja@brandt.example>: declined"
    shown.customers_page.grab().save(str(shots / "session-declined.png"))

    shown.show_page(0)
    qtbot.waitUntil(lambda: len(declined_cards(shown)) == 1)
    [card] = declined_cards(shown)
    assert "Anja Brandt declined the onboarding" in card.item.title
    buttons = [b.text() for b in card.findChildren(QPushButton)]
    assert buttons == ["Move…", "Cancel"]
    shown.dashboard.grab().save(str(shots / "dashboard-declined.png"))

    move = next(b for b in card.findChildren(QPushButton) if b.text() == "Move…")
    move.click()
    editors = [e for e in shown.findChildren(SessionEditor) if e.isVisible()]
    assert len(editors) == 1
    assert (
        editors[0].attendees_list.item(0).text() == "Anja Brandt <anja@brandt.example> · declined"
    )
    editors[0].reject()
    cancel = next(b for b in card.findChildren(QPushButton) if b.text() == "Cancel")
    cancel.click()
    assert context.scheduler.get(session.id).status == "cancelled"
    qtbot.waitUntil(lambda: not declined_cards(shown))


def test_an_accepting_reply_for_an_old_version_is_ignored(
    shown: MainWindow, context: AppContext, customer: CustomerRecord, tmp_path: Path
) -> None:
    session = book(context, customer, "onboarding", "2026-03-17T10:00")
    context.scheduler.set_status(session.id, "cancelled")  # sequence 1 now
    outcome = shown.mail.import_files([reply_file(tmp_path, session.uid, "ACCEPTED", 0)])
    assert outcome.updated == [] and outcome.ignored == 1
    assert "1 ignored" in shown.statusBar().currentMessage()


def test_mail_settings_dialog_keeps_the_password_in_the_keyring(
    qtbot: QtBot, memory_keyring: MemoryKeyring, isolated_user_config: Path
) -> None:
    from desktop.services.user_config import UserConfig
    from desktop.views.mail.mail_ui import MailSettingsDialog

    dialog = MailSettingsDialog()
    qtbot.addWidget(dialog)
    dialog.host.setText("smtp.example.com")
    dialog.port.setValue(587)
    dialog.user.setText("dana")
    dialog.password.setText("pw-123")
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert UserConfig().section("mail")["host"] == "smtp.example.com"
    assert list(memory_keyring.values.values()) == ["pw-123"]
    assert b"pw-123" not in (isolated_user_config / "config.json").read_bytes()


def test_without_mail_set_up_send_invite_saves_the_ics_as_before(
    shown: MainWindow,
    context: AppContext,
    customer: CustomerRecord,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    book(context, customer, "onboarding", "2026-03-17T10:00")
    panel = shown.customers_page.sessions
    panel.refresh()
    panel.table.selectRow(0)
    saved: list[int] = []
    monkeypatch.setattr(
        "desktop.views.sessions.sessions_panel.send_invite", lambda _w, _c, sid: saved.append(sid)
    )
    panel.invite_button.click()
    assert len(saved) == 1 and context.mail.outbox.messages() == []


def test_the_session_editor_keeps_a_meeting_link_per_session(
    qtbot: QtBot, shown: MainWindow, context: AppContext, customer: CustomerRecord
) -> None:
    from desktop.services.user_config import UserConfig

    UserConfig().save_section("profile", {"meeting_url": "https://zoom.example/j/1"})
    session = book(context, customer, "onboarding", "2026-03-17T10:00")
    assert session.meeting_url == "https://zoom.example/j/1"  # the profile's, when booked
    editor = SessionEditor(context, None, session, fixed_now, shown, actions=shown.session_actions)
    qtbot.addWidget(editor)
    assert editor.meeting_edit.text() == "https://zoom.example/j/1"
    editor.meeting_edit.setText("https://teams.example/l/2")
    editor.save()
    assert context.scheduler.get(session.id).meeting_url == "https://teams.example/l/2"
    shown.undo_action.trigger()
    assert context.scheduler.get(session.id).meeting_url == "https://zoom.example/j/1"

    fresh = context.scheduler.get(session.id)  # the copy as it is now (after the undo)
    editor = SessionEditor(context, None, fresh, fixed_now, shown, actions=shown.session_actions)
    qtbot.addWidget(editor)
    editor.meeting_edit.setText("zoom 123")
    editor.save()
    assert "not a meeting link" in editor.banner.text()
    assert context.scheduler.get(session.id).meeting_url == "https://zoom.example/j/1"
