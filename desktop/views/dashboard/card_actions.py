"""What the dashboard's buttons do: each card's buttons, and the dialogs and status changes
behind them. Every change goes through the window's `SessionActions`, so it can be undone."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from desktop.app import AppContext
from desktop.errors import BadInput
from desktop.services.attention import AttentionItem, WeekSession
from desktop.services.customers import CustomerRecord
from desktop.services.display.session_format import Now
from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.scheduling.status import SessionStatus
from desktop.views.dashboard.attention_cards import AttentionCard
from desktop.views.sessions.plan_dialog import PlanDialog
from desktop.views.sessions.session_editor import SessionEditor
from desktop.views.shell.undo import SessionActions
from desktop.views.widgets.messages import show_error

BOOK_LABELS = {
    "screen-share": "Book screen-share…",
    "assistance": "Book assistance…",
    "event-plan": "Book event plan…",
    "round-table": "Book round table…",
    "product-team": "Book 1:1…",
}
PLAN_HINT = "Propose the missing sessions at times the contract allows; you choose which to book."


class CardActions(QObject):
    """Makes the attention cards with their buttons and acts on a click, for `page`."""

    session_requested = Signal(object)  # a session that is no longer planned: shown, not edited
    refresh_wanted = Signal()  # what a card showed has changed in the book

    def __init__(
        self, page: QWidget, context: AppContext, actions: SessionActions, now: Now
    ) -> None:
        super().__init__(page)
        self._page = page
        self._context = context
        self._actions = actions
        self._now = now

    def make_card(self, item: AttentionItem) -> AttentionCard:
        card = AttentionCard(item)
        if item.action in ("plan-onboarding", "plan-cadence"):
            text = "Plan onboarding…" if item.action == "plan-onboarding" else "Plan calls…"
            card.add_button(text, PLAN_HINT, primary=True).clicked.connect(lambda: self.plan(item))
        elif item.action in ("book-screen-share", "book-kind"):
            label = self._context.policy.kind(item.kind).label.lower() if item.kind else "session"
            button = card.add_button(
                BOOK_LABELS.get(item.kind, f"Book {label}…"),
                f"Open a new {label} for this customer at the next legal slot.",
                primary=True,
            )
            button.clicked.connect(lambda: self.book(item))
        elif item.action == "move" and item.session_id is not None:
            button = card.add_button(
                "Move…", "Open the session to give it a time that is free.", primary=True
            )
            button.clicked.connect(lambda: self.move_session(item))
        elif item.action == "mark" and item.session is not None:
            self._add_mark_buttons(card)
        elif item.action == "declined" and item.session is not None:
            self._add_declined_buttons(card, item.session)
        return card

    def _add_mark_buttons(self, card: AttentionCard) -> None:
        done = card.add_button(
            SessionStatus.DONE.label, "It took place: it counts as used.", primary=True
        )
        no_show = card.add_button(
            SessionStatus.NO_SHOW.label, "The customer did not come: it still counts as used."
        )
        done.clicked.connect(lambda: self.mark(card, SessionStatus.DONE))
        no_show.clicked.connect(lambda: self.mark(card, SessionStatus.NO_SHOW))

    def _add_declined_buttons(self, card: AttentionCard, record: SessionRecord) -> None:
        move = card.add_button(
            "Move…", "Choose another time; the attendees get an updated invite.", primary=True
        )
        cancel = card.add_button("Cancel", "Cancel the session: it then counts for nothing.")
        move.clicked.connect(lambda: self.move_declined(record))
        cancel.clicked.connect(lambda: self.mark(card, SessionStatus.CANCELLED))

    def _editor(
        self,
        customer: CustomerRecord | None,
        record: SessionRecord | None,
        kind: str | None = None,
        find_slot: bool = False,
    ) -> SessionEditor:
        """The session editor, opened window-modal and gone when closed."""
        editor = SessionEditor(
            self._context,
            customer,
            record,
            self._now,
            self._page.window(),
            actions=self._actions,
            kind=kind,
            find_slot=find_slot,
        )
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.open()
        return editor

    def move_declined(self, record: SessionRecord) -> SessionEditor:
        """The session's editor, to give it another time."""
        return self._editor(None, record)

    def plan(self, item: AttentionItem) -> PlanDialog | None:
        """The plan dialog for the item's customer, with only the item's kind ticked."""
        if item.customer is None:
            return None
        dialog = PlanDialog(
            self._context,
            [item.customer],
            self._now,
            self._page.window(),
            actions=self._actions,
            kinds=[item.kind] if item.kind else None,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        dialog.start()
        return dialog

    def book(self, item: AttentionItem) -> SessionEditor | None:
        """A new session of the item's kind for its customer, the next legal slot filled in."""
        if item.customer is None:
            return None
        return self._editor(item.customer, None, kind=item.kind or None, find_slot=True)

    def move_session(self, item: AttentionItem) -> SessionEditor | None:
        """The clashing session in the editor, to move it to a free time: read now (the
        dashboard names a clash without reading its session whole)."""
        record = item.session
        if record is None and item.session_id is not None:
            record = self._read(item.session_id)
        return None if record is None else self._editor(None, record)

    def _read(self, session_id: int) -> SessionRecord | None:
        """A session the dashboard named, read whole now; None, said so, if it is gone."""
        try:
            return self._context.scheduler.get(session_id)
        except BadInput:
            show_error(
                self._page,
                "Session gone",
                "This session is no longer in the book: it was deleted since the "
                "dashboard was drawn. The dashboard is up to date again.",
            )
            self.refresh_wanted.emit()
            return None

    def mark(self, card: AttentionCard, status: SessionStatus) -> None:
        session = card.item.session
        if session is None:
            return
        if self._actions.mark(self._page, session, status, self._now()) is None:
            return
        # A large book recomputes on the worker: the card goes at once all the same.
        card.acted = True
        card.hide()

    def open_week_session(self, listed: WeekSession) -> None:
        """A planned session of the week opens in the editor; a held one on its customer. It
        is read now: the week lists its sessions without reading them whole."""
        record = self._read(listed.id)
        if record is None:
            return
        if record.status != SessionStatus.PLANNED:
            self.session_requested.emit(record)
        else:
            self._editor(None, record)
