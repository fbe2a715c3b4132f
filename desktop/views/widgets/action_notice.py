"""The quiet word after a finished action: "Booked 20 sessions for Vega Analytics. Undo".

It sits in the status bar, says what was done in plain words, offers Undo when the action
can be undone, and goes away by itself; nothing to click away, nothing in the way.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

SHOWN_FOR_MS = 10_000


class ActionNotice(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("actionNotice")
        self.label = QLabel()
        self.label.setObjectName("actionNoticeText")
        self.undo_button = QPushButton("Undo")
        self.undo_button.setObjectName("compact")
        self.undo_button.clicked.connect(self._undo)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        row.addWidget(self.label)
        row.addWidget(self.undo_button)
        self._undo_action: Callable[[], None] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def say(self, text: str, undo: Callable[[], None] | None = None) -> None:
        self.label.setText(text)
        self._undo_action = undo
        self.undo_button.setVisible(undo is not None)
        self.show()
        self._timer.start(SHOWN_FOR_MS)

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""

    def _undo(self) -> None:
        action, self._undo_action = self._undo_action, None
        self.hide()
        if action is not None:
            action()
