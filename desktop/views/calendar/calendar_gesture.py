"""One press, drag and release on a session, shared by the week grid, its all-day row and the
month: a press becomes a click, or (past the platform's drag distance, on a planned session)
a drag whose target the widget works out from the pointer. The widgets only say where a point
is in time; when the drag ends the gesture hands the target back to them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget

from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.scheduling.status import SessionStatus

Item = TypeVar("Item")  # what was pressed: a timed block, an all-day bar, a month chip
Target = TypeVar("Target")  # where it would land: (column, minute), days moved, a day


@dataclass
class Press(Generic[Item, Target]):
    """A button press on a session, until it turns out to be a click or a drag."""

    item: Item
    session: SessionRecord
    pos: QPoint
    resizing: bool = False  # the bottom edge was grabbed: the end moves, not the block
    grab_minutes: int = 0  # how far below the block's start the pointer took hold
    dragging: bool = False
    target: Target | None = None
    minutes: int = 0  # the length being dragged to, when resizing


class DragGesture(Generic[Item, Target]):
    """`follow(press, pos)` sets `press.target` as the pointer moves; `drop(press)` acts on
    the target at release; `clicked(session_id)` when the press never became a drag."""

    def __init__(
        self,
        widget: QWidget,
        follow: Callable[[Press[Item, Target], QPoint], None],
        drop: Callable[[Press[Item, Target]], None],
        clicked: Callable[[int], None],
    ) -> None:
        self._widget = widget
        self._follow = follow
        self._drop = drop
        self._clicked = clicked
        self.press: Press[Item, Target] | None = None

    @property
    def dragged(self) -> Press[Item, Target] | None:
        """The press being dragged (what to fade and where to draw its ghost), if any."""
        press = self.press
        return press if press is not None and press.dragging else None

    def start(self, press: Press[Item, Target]) -> None:
        press.minutes = press.minutes or press.session.minutes
        self.press = press

    def clear(self) -> None:
        self.press = None

    def move(self, pos: QPoint) -> bool:
        """Follow the pointer; False when nothing is pressed (the widget shows hover)."""
        press = self.press
        if press is None:
            return False
        if not press.dragging:
            far = (pos - press.pos).manhattanLength() >= QApplication.startDragDistance()
            if not far or press.session.status != SessionStatus.PLANNED:
                return True
            press.dragging = True
            resize = Qt.CursorShape.SizeVerCursor
            self._widget.setCursor(resize if press.resizing else Qt.CursorShape.ClosedHandCursor)
        self._follow(press, pos)
        self._widget.update()
        return True

    def release(self, button: Qt.MouseButton) -> bool:
        """End the press: a click or a drop. False when there was no left-button press."""
        press = self.press
        self.press = None
        self._widget.unsetCursor()
        if press is None or button != Qt.MouseButton.LeftButton:
            return False
        self._widget.update()
        if not press.dragging:
            self._clicked(press.session.id)
        elif press.target is not None:
            self._drop(press)
        return True
