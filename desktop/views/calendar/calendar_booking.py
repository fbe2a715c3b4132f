"""Opening, booking and cancelling from the calendar: the session editor at the right time,
the details of a session that can no longer change, and a cancel that can be undone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QDate, QObject, Qt, QTime
from PySide6.QtWidgets import QWidget

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.services.customers import CustomerRecord
from desktop.services.display.calendar_text import CalendarTexts
from desktop.services.display.layout import DisplayZone
from desktop.services.scheduling.sessions import SessionRecord, SessionTimes
from desktop.services.scheduling.status import SessionStatus
from desktop.views.calendar.calendar_controller import BookWatch
from desktop.views.calendar.calendar_notice import CalendarNotice
from desktop.views.sessions.session_editor import SessionEditor
from desktop.views.shell.undo import SessionActions
from desktop.views.widgets import messages


class CalendarBooking(QObject):
    """The page's editor and dialogs; `page` is their parent. Saves go through the undo
    stack, and the page is redrawn at once afterwards (`watch.settle`)."""

    def __init__(
        self,
        context: AppContext,
        actions: SessionActions,
        texts: CalendarTexts,
        notice: CalendarNotice,
        watch: BookWatch,
        now: Callable[[], datetime],
        page: QWidget,
    ) -> None:
        super().__init__(page)
        self._context = context
        self._actions = actions
        self._texts = texts
        self._notice = notice
        self._watch = watch
        self._now = now
        self._page = page

    def open(self, session_id: int, zone: DisplayZone) -> None:
        """Edit a planned session; one that is done, a no-show or cancelled only shows."""
        try:
            session = self._context.scheduler.get(session_id)
        except AmplanError as exc:
            messages.show_error(self._page, "Session not found", str(exc))
            return
        if session.status != SessionStatus.PLANNED:
            messages.show_info(self._page, "Session", self._texts.details(session, zone))
            return
        self._open_editor(self._editor(None, session))

    def new_session(
        self, customer: CustomerRecord | None, kind: str | None, start_utc: datetime
    ) -> SessionEditor:
        editor = self._editor(customer, None, kind)
        self._set_start(editor, start_utc, with_time=True)
        self._open_editor(editor)
        return editor

    def edit_at(self, session_id: int, times: SessionTimes) -> None:
        """The refused time in the editor, where the contract can be overridden with a reason."""
        try:
            session = self._context.scheduler.get(session_id)
        except AmplanError as exc:
            messages.show_error(self._page, "Session not found", str(exc))
            return
        editor = self._editor(None, session)
        self._set_start(editor, times.start_utc, with_time=not times.all_day)
        self._open_editor(editor)

    def cancel(self, session: SessionRecord, zone: DisplayZone) -> None:
        if session.status != SessionStatus.PLANNED:
            return
        what = f"{self._texts.who(session)} {self._texts.kind(session.kind).lower()}"
        question = (
            f"Cancel {what} on {self._texts.when(session, zone)}? "
            "A cancelled session no longer counts against the contract."
        )
        if not messages.ask(self._page, "Cancel session", question, "Yes, cancel it"):
            return
        try:
            self._actions.set_status(session.id, SessionStatus.CANCELLED, now=self._now())
        except AmplanError as exc:
            self._notice.show_message("error", f"Not cancelled: {exc}")
            return
        self._watch.settle()
        self._notice.show_message("info", f"Cancelled {what}.", "Undo", self._actions.stack.undo)

    def _set_start(self, editor: SessionEditor, start_utc: datetime, with_time: bool) -> None:
        start_et = self._context.clock.et(start_utc)
        editor.date_edit.setDate(QDate(start_et.year, start_et.month, start_et.day))
        if with_time:
            editor.time_edit.setTime(QTime(start_et.hour, start_et.minute))

    def _editor(
        self,
        customer: CustomerRecord | None,
        session: SessionRecord | None,
        kind: str | None = None,
    ) -> SessionEditor:
        """The session editor, saving through the page's undo stack."""
        return SessionEditor(
            self._context,
            customer,
            session,
            self._now,
            self._page.window(),
            actions=self._actions,
            kind=kind,
        )

    def _open_editor(self, editor: SessionEditor) -> None:
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.session_saved.connect(self._saved)
        editor.open()

    def _saved(self, _session: SessionRecord) -> None:
        # Saved through the undo stack, whose `sessions_changed` is waiting: draw it now.
        self._watch.settle()
        self._notice.hide()
