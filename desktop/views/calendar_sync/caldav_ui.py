"""CalDAV in the window: the account dialog, the background sync and its status-bar state.

The sync runs on the window's background work (never a nested event loop): on start, a little
after every change of the sessions, and every few minutes; while the server is out of reach it
tries again sooner, and the next success catches up with everything changed meanwhile.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.services.calendar_sync.caldav_account import (
    DEFAULT_CALENDAR,
    PASSWORD_ENV,
    CalDavSettings,
    SyncFailed,
    keyring_available,
    load_settings,
    normalize_url,
    read_password,
    save_settings,
    store_password,
)
from desktop.services.calendar_sync.caldav_sync import CalendarSync, SyncReport
from desktop.views.widgets.background import BackgroundWork, Job, work_for
from desktop.views.widgets.page_parts import form

SYNC_EVERY_MS = 5 * 60 * 1000
RETRY_OFFLINE_MS = 30 * 1000
AFTER_CHANGE_MS = 2000

# States of the status bar.
NOT_SET, WORKING, SYNCED, OFFLINE, ERROR = "not-set", "working", "synced", "offline", "error"


def _failure(error: BaseException) -> tuple[str, str]:
    """(kind, message) of a failed call: "offline", "refused" or "error". Anything else is a
    bug, re-raised (on the GUI thread) for the crash handler."""
    if isinstance(error, SyncFailed):
        return error.kind, str(error)
    if isinstance(error, AmplanError):
        return "error", str(error)
    raise error


class SyncController(QObject):
    """Decides when to sync and says how it went; one sync at a time."""

    state_changed = Signal(str, str)  # state, text for people
    synced = Signal(object)  # SyncReport

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = CalendarSync(context.scheduler, context.customers)
        self.state = NOT_SET
        self.text = ""
        self.last_report: SyncReport | None = None
        # The window's jobs, so that closing it waits for a sync.
        self._background = work_for(parent) if isinstance(parent, QWidget) else BackgroundWork(self)
        self._running: Job | None = None
        self._again = False
        self._stopped = False
        self.timer = QTimer(self)
        self.timer.setInterval(SYNC_EVERY_MS)
        self.timer.timeout.connect(self.sync_now)
        self.soon = QTimer(self)
        self.soon.setSingleShot(True)
        self.soon.timeout.connect(self.sync_now)

    def start(self) -> None:
        """Sync at once (if there is an account), then every few minutes."""
        self.timer.start()
        self.sync_now()

    def stop(self) -> None:
        self._stopped = True
        self.timer.stop()
        self.soon.stop()

    def sessions_changed(self) -> None:
        """A change is published shortly after: several quick edits make one sync."""
        if not self._stopped:
            self.soon.start(AFTER_CHANGE_MS)

    def sync_now(self) -> None:
        if self._stopped:
            return
        if not self.service.configured():
            self._set(NOT_SET, "Calendar: not connected")
            return
        if self._running is not None:
            self._again = True
            return
        self._set(WORKING, "Calendar: syncing…")
        self._running = self._background.start(
            lambda _report: self.service.sync(), on_success=self._finished, on_failure=self._failed
        )

    def _done(self) -> None:
        self._running = None
        if self._again and not self._stopped:
            self._again = False
            self.sync_now()

    def _finished(self, report: SyncReport) -> None:
        self.last_report = report
        when = report.finished_utc.astimezone().strftime("%H:%M")
        text = f"Calendar: synced {when}"
        if report.conflicts:
            text += f" · {len(report.conflicts)} conflict{'s' * (len(report.conflicts) != 1)}"
        self._set(SYNCED, text)
        self.synced.emit(report)
        self._done()

    def _failed(self, error: BaseException) -> None:
        try:
            kind, message = _failure(error)
        finally:
            self._done()
        if kind == "offline":
            self._set(OFFLINE, f"Calendar: offline — {message}")
            if not self._stopped:
                self.soon.start(RETRY_OFFLINE_MS)  # waits, then catches up
        else:
            self._set(ERROR, f"Calendar: sync error — {message}")

    def _set(self, state: str, text: str) -> None:
        self.state, self.text = state, text
        self.state_changed.emit(state, text)


class SyncStatus(QToolButton):
    """The status-bar state: last synced, working, offline or error with its reason; a click
    syncs now."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.clicked.connect(controller.sync_now)
        controller.state_changed.connect(self.show_state)
        controller.synced.connect(self.show_report)
        self.show_state(controller.state, controller.text or "Calendar: not connected")

    def show_report(self, report: SyncReport) -> None:
        """Conflicts are named in the tooltip: the user settles them (`caldav resolve`)."""
        if not report.conflicts:
            return
        lines = [self.toolTip(), "", "Changed on the server, left as it is there:"]
        lines += [f"• {c.title}: {c.reason}" for c in report.conflicts[:8]]
        self.setToolTip("\n".join(lines))

    def show_state(self, state: str, text: str) -> None:
        self.setProperty("state", state)
        marks = {SYNCED: "✓", WORKING: "↻", OFFLINE: "⚠", ERROR: "✕", NOT_SET: "○"}
        short = text if len(text) <= 70 else text[:67] + "…"
        self.setText(f"{marks.get(state, '')} {short}")
        tips = {
            NOT_SET: "Sessions → Calendar account… connects your CalDAV calendar.",
            OFFLINE: f"{text}\namplan tries again by itself; changes wait and go up later.",
        }
        self.setToolTip(tips.get(state, f"{text}\nClick to sync now."))


class AccountDialog(QDialog):
    """Server, user, password and calendars; checked on the server before anything is kept."""

    saved = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Calendar account (CalDAV)")
        self.setObjectName("caldavDialog")
        self.service = CalendarSync(context.scheduler, context.customers)
        current = load_settings()
        self.url = QLineEdit(current.url if current else "")
        self.url.setPlaceholderText("calendar.example.com")
        self.user = QLineEdit(current.user if current else "")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        has_password = current is not None and bool(read_password(current))
        self.password.setPlaceholderText("kept; leave empty to keep it" if has_password else "")
        self.calendar = QLineEdit(current.calendar if current else DEFAULT_CALENDAR)
        self.busy = QLineEdit(", ".join(current.busy) if current else "")
        self.busy.setPlaceholderText("every other calendar")
        fields = form(
            ("Server:", self.url),
            ("User:", self.user),
            ("Password:", self.password),
            ("Publish sessions to:", self.calendar),
            ("Busy time from:", self.busy),
        )
        hint = QLabel(
            "Type just the host: amplan finds the calendars. The password goes to the "
            "system keyring, never to a file."
        )
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        self.message = QLabel()
        self.message.setObjectName("inlineError")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.check_and_save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(fields)
        layout.addWidget(hint)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def settings(self) -> CalDavSettings:
        busy = tuple(name.strip() for name in self.busy.text().split(",") if name.strip())
        return CalDavSettings(
            url=normalize_url(self.url.text()),
            user=self.user.text().strip(),
            calendar=self.calendar.text().strip() or DEFAULT_CALENDAR,
            busy=busy,
        )

    def check_and_save(self) -> None:
        try:
            settings = self.settings()
            if not settings.user:
                raise AmplanError("Give the user name.")
            typed = self.password.text()
            password = typed or read_password(settings) or ""
            if not password:
                raise AmplanError("Give the password.")
            if typed and not keyring_available():
                raise AmplanError(
                    "No keyring is available on this system to keep the password safe. "
                    f"Set {PASSWORD_ENV} in amplan's environment instead."
                )
        except AmplanError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText("Checking the account on the server…")
        self.buttons.setEnabled(False)
        work_for(self).start(
            lambda _report: self.service.check(settings, password),
            on_success=lambda _found: self._checked(settings, typed),
            on_failure=self._refused,
        )

    def _checked(self, settings: CalDavSettings, typed: str) -> None:
        self.buttons.setEnabled(True)
        try:
            if typed:
                store_password(settings, typed)
            save_settings(settings)
        except AmplanError as exc:
            self.message.setText(str(exc))
            return
        self.saved.emit()
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.message.setText(_failure(error)[1])


class ConflictsDialog(QDialog):
    """Events changed on the server that amplan left alone: the user keeps one version."""

    resolved = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Calendar conflicts")
        self.setObjectName("caldavConflicts")
        self.service = CalendarSync(context.scheduler, context.customers)
        intro = QLabel(
            "These events were changed or deleted in your calendar after amplan published "
            "them. amplan did not overwrite them: keep its version (sent at the next sync) "
            "or the calendar's (left as it is)."
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("conflictList")
        self.keep_amplan = QPushButton("Keep amplan's version")
        self.keep_server = QPushButton("Keep the calendar's version")
        self.keep_amplan.clicked.connect(lambda: self._resolve("amplan"))
        self.keep_server.clicked.connect(lambda: self._resolve("server"))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.keep_amplan)
        row.addWidget(self.keep_server)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        layout.addWidget(close)
        self.list.currentRowChanged.connect(self._selected)
        self.resize(560, 320)
        self.fill()

    def fill(self) -> None:
        self.list.clear()
        for conflict in self.service.conflicts():
            item = QListWidgetItem(f"{conflict.title} — {conflict.reason}")
            item.setData(Qt.ItemDataRole.UserRole, conflict.uid)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        self._selected(self.list.currentRow())

    def _selected(self, row: int) -> None:
        for button in (self.keep_amplan, self.keep_server):
            button.setEnabled(row >= 0)

    def _resolve(self, keep: str) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        try:
            self.service.resolve(str(item.data(Qt.ItemDataRole.UserRole)), keep)
        except AmplanError as exc:
            item.setText(f"{item.text()} ({exc})")
            return
        self.resolved.emit()
        self.fill()
