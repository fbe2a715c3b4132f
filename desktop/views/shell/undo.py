"""Undo and redo of everything that changes sessions, through one QUndoStack.

Views never call the scheduler's changing methods directly: they call `SessionActions`, which
does the work, pushes a command that knows how to take it back, and emits `sessions_changed`
so every page refreshes. Undo of a booking deletes it; redo brings it back with its UID.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.services.changes import BookChange
from desktop.services.scheduling.sessions import (
    BookingRequest,
    Outcome,
    SessionRecord,
    SessionTimes,
)
from desktop.services.scheduling.status import SessionStatus
from desktop.views.widgets import messages

_Result = TypeVar("_Result")


def _change_of(records: Sequence[SessionRecord]) -> BookChange:
    return BookChange.of_sessions(
        (r.id for r in records), (c for r in records for c in r.customer_ids)
    )


def _describe(context: AppContext, record: SessionRecord) -> str:
    """'Acme Logistics screen-share', as menu entries name the session."""
    kind = context.policy.kind(record.kind).label.lower()
    return f"{', '.join(record.customers)} {kind}"


class _Command(QUndoCommand):
    """A change already made once; redo() skips the first call that QUndoStack.push makes.

    A step the book refuses (a colleague changed the session since) is shown and dropped
    from the stack: it can no longer be taken back or done again."""

    def __init__(self, actions: SessionActions, text: str) -> None:
        super().__init__(text)
        self.actions = actions
        self._done_once = True

    def redo(self) -> None:
        if self._done_once:
            self._done_once = False
            return
        self._run(self.do_redo, "Could not redo")

    def undo(self) -> None:
        self._run(self.do_undo, "Could not undo")

    def _run(self, step: Callable[[], None], title: str) -> None:
        try:
            step()
        except AmplanError as exc:
            self.setObsolete(True)
            self.actions.refused.emit(title, str(exc))
        self.actions.sessions_changed.emit(self.change())

    def change(self) -> BookChange:
        raise NotImplementedError

    def do_redo(self) -> None:
        raise NotImplementedError

    def do_undo(self) -> None:
        raise NotImplementedError


class _Created(_Command):
    """A booking or a plan: undo deletes the sessions, redo brings them back."""

    def __init__(
        self, actions: SessionActions, text: str, records: Sequence[SessionRecord]
    ) -> None:
        super().__init__(actions, text)
        self.records = list(records)

    def change(self) -> BookChange:
        return _change_of(self.records)

    def do_undo(self) -> None:
        expected = {r.id: self.actions.left_at(r) for r in self.records}
        self.actions.context.scheduler.delete([r.id for r in self.records], expected)

    def do_redo(self) -> None:
        self.records = self.actions.context.scheduler.reinstate(self.records)
        self.actions.note(self.records)


class _Changed(_Command):
    """A move, an edit or a status: undo and redo put back the copy on the other side, if
    the session is still as this window left it."""

    def __init__(
        self, actions: SessionActions, text: str, before: SessionRecord, after: SessionRecord
    ) -> None:
        super().__init__(actions, text)
        self.before, self.after = before, after

    def change(self) -> BookChange:
        return _change_of([self.before, self.after])

    def do_undo(self) -> None:
        self._put_back(self.before)

    def do_redo(self) -> None:
        self._put_back(self.after)

    def _put_back(self, record: SessionRecord) -> None:
        restored = self.actions.context.scheduler.restore(record, self.actions.left_at(record))
        self.actions.note([restored])


class SessionActions(QObject):
    """The undoable ways to change sessions. Errors (AmplanError, RuleRefusal) propagate to
    the caller, which shows them; nothing is pushed then."""

    sessions_changed = Signal(object)  # BookChange: what the change touched
    refused = Signal(str, str)  # title, message: an undo or redo the book would not take

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.stack = QUndoStack(self)
        self.refused.connect(self._show_refusal)
        # Each session's sequence as this window last left it (by an action, an undo or a
        # redo): a step on that session is taken back only if nobody changed it since.
        self._left_at: dict[int, int] = {}

    def note(self, records: Sequence[SessionRecord]) -> None:
        for record in records:
            self._left_at[record.id] = record.sequence

    def left_at(self, record: SessionRecord) -> int:
        return self._left_at.get(record.id, record.sequence)

    def _show_refusal(self, title: str, text: str) -> None:
        parent = self.parent()
        messages.show_error(parent if isinstance(parent, QWidget) else None, title, text)

    def book(self, request: BookingRequest) -> Outcome:
        outcome = self.context.scheduler.book(request)
        record = outcome.session
        self.note([record])
        self.stack.push(_Created(self, f"booking of {_describe(self.context, record)}", [record]))
        self.sessions_changed.emit(_change_of([record]))
        return outcome

    def book_plan(self, requests: Sequence[BookingRequest]) -> list[SessionRecord]:
        records = self.context.scheduler.book_many(requests)
        if records:
            names = {name for r in records for name in r.customers}
            who = next(iter(names)) if len(names) == 1 else f"{len(names)} customers"
            text = f"plan of {len(records)} sessions for {who}"
            self.note(records)
            self.stack.push(_Created(self, text, records))
            self.sessions_changed.emit(_change_of(records))
        return records

    def move(
        self,
        session_id: int,
        times: SessionTimes,
        requested_utc: datetime | None = None,
        override_reason: str | None = None,
        expected_sequence: int | None = None,
    ) -> Outcome:
        """`expected_sequence`: the sequence of the copy the user changed; a session changed
        elsewhere since (another window, a colleague) is refused rather than overwritten."""
        scheduler = self.context.scheduler
        return self._change(
            "move",
            session_id,
            lambda: scheduler.move(
                session_id,
                times,
                requested_utc,
                override_reason,
                expected_sequence=expected_sequence,
            ),
        )[0]

    def move_start(
        self,
        session_id: int,
        start_utc: datetime,
        requested_utc: datetime | None = None,
        expected_sequence: int | None = None,
    ) -> Outcome:
        """A drag: the same length at a new start. The `Outcome` carries the warnings (the
        customer's own hours) for the caller to show."""
        scheduler = self.context.scheduler
        return self._change(
            "move",
            session_id,
            lambda: scheduler.move_start(
                session_id, start_utc, requested_utc, expected_sequence=expected_sequence
            ),
        )[0]

    def update(
        self, session_id: int, request: BookingRequest, expected_sequence: int | None = None
    ) -> Outcome:
        scheduler = self.context.scheduler
        return self._change(
            "edit",
            session_id,
            lambda: scheduler.update(session_id, request, expected_sequence=expected_sequence),
        )[0]

    def set_status(
        self,
        session_id: int,
        status: str,
        now: datetime | None = None,
        expected_sequence: int | None = None,
    ) -> SessionRecord:
        """`now` decides whether the session has started (done and no-show need that)."""
        scheduler = self.context.scheduler
        _record, after = self._change(
            SessionStatus(status).change_noun,
            session_id,
            lambda: scheduler.set_status(
                session_id, status, now=now, expected_sequence=expected_sequence
            ),
        )
        return after

    def _change(
        self, noun: str, session_id: int, change: Callable[[], _Result]
    ) -> tuple[_Result, SessionRecord]:
        """Make `change` to one session and push the step that takes it back; its result,
        and the session as it is now."""
        before = self.context.scheduler.get(session_id)
        result = change()
        after = self.context.scheduler.get(session_id)
        self.note([after])
        text = f"{noun} of {_describe(self.context, before)}"
        self.stack.push(_Changed(self, text, before, after))
        self.sessions_changed.emit(_change_of([before, after]))
        return result, after

    def mark(
        self, parent: QWidget, session: SessionRecord, status: SessionStatus, now: datetime
    ) -> SessionRecord | None:
        """A status button (Done, No-show, Cancel) on the copy the user saw: a refusal (the
        session changed elsewhere, not started yet) is shown, and None returned."""
        try:
            return self.set_status(session.id, status, now=now, expected_sequence=session.sequence)
        except AmplanError as exc:
            messages.show_error(parent, "Status not changed", str(exc))
            return None
