"""The note that floats over the calendar's foot after a drop: a refusal and its rules (red),
or what the drop did with the way back (neutral), and the customer-clock warnings it carries."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsDropShadowEffect,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QWidget,
)

NOTICE_MS = 10_000


class CalendarNotice(QFrame):
    """A note floating over the calendar: why a drop was refused (red), or what a drop did
    (neutral) with the way back. Closes with its ×, or by itself after a while when it is news."""

    shown = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendarNotice")
        self.label = QLabel()
        self.label.setObjectName("noticeText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QPushButton()
        self.action_button.setObjectName("noticeAction")
        self.close_button = QToolButton()
        self.close_button.setObjectName("noticeClose")
        self.close_button.setText("×")
        self.close_button.setToolTip("Dismiss")
        self.close_button.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 6, 8)
        row.setSpacing(10)
        row.addWidget(self.label, 1)
        row.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self._action: Callable[[], None] | None = None
        self.action_button.clicked.connect(self._run_action)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        shadow = QGraphicsDropShadowEffect(self)
        shadow.setBlurRadius(22)
        shadow.setOffset(0, 4)
        shadow.setColor(QColor(0, 0, 0, 70))
        self.setGraphicsEffect(shadow)
        self.hide()

    def show_message(
        self,
        kind: str,
        text: str,
        action_text: str = "",
        action: Callable[[], None] | None = None,
    ) -> None:
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        for child in (self.label, self.action_button, self.close_button):
            child.style().unpolish(child)
            child.style().polish(child)
        self.label.setText(text)
        self._action = action
        self.action_button.setText(action_text)
        self.action_button.setVisible(bool(action_text and action))
        self.show()
        self.shown.emit()
        if kind == "info":
            self._timer.start(NOTICE_MS)
        else:
            self._timer.stop()

    def place(self, max_width: int) -> None:
        """Centred over the foot of the frame it floats in, at most `max_width` wide."""
        frame = self.parentWidget()
        if frame is None:
            return
        width = min(frame.width() - 32, max_width)
        height = self.heightForWidth(width)
        if height <= 0:
            height = self.sizeHint().height()
        self.setGeometry((frame.width() - width) // 2, frame.height() - height - 18, width, height)
        self.raise_()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""

    def _run_action(self) -> None:
        action = self._action
        self.hide()
        if action is not None:
            action()
