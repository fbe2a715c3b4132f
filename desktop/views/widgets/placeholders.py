"""Friendly full-page messages: the empty book and the pages that arrive with later work."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.views.theme import ON_ACCENT
from desktop.views.widgets.icons import icon

TEXT_WIDTH = 540


class EmptyState(QWidget):
    """A centred icon, title, one sentence and optional big buttons, so no page is ever blank."""

    def __init__(self, icon_name: str, title: str, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("emptyState")
        picture = QLabel()
        picture.setObjectName("emptyIcon")
        picture.setPixmap(icon(icon_name).pixmap(QSize(64, 64)))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = QLabel(title)
        self.title.setObjectName("emptyTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.text = QLabel(text)
        self.text.setObjectName("emptyText")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setWordWrap(True)
        self._buttons = QHBoxLayout()
        self._buttons.setSpacing(12)
        self._buttons.addStretch()
        self._buttons.addStretch()

        # A fixed-width column: wrapped labels only get their height right when not aligned.
        block = QWidget()
        block.setFixedWidth(TEXT_WIDTH)
        column = QVBoxLayout(block)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        column.addWidget(picture)
        column.addSpacing(6)
        column.addWidget(self.title)
        column.addWidget(self.text)
        column.addSpacing(16)
        column.addLayout(self._buttons)

        centre = QHBoxLayout()
        centre.addStretch()
        centre.addWidget(block)
        centre.addStretch()
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        outer.addLayout(centre)
        outer.addStretch(3)

    def add_button(
        self, text: str, icon_name: str | None = None, primary: bool = False
    ) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName("bigPrimary" if primary else "big")
        if icon_name:
            button.setIcon(icon(icon_name, ON_ACCENT if primary else None))
            button.setIconSize(QSize(20, 20))
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        self._buttons.insertWidget(self._buttons.count() - 1, button)
        return button
