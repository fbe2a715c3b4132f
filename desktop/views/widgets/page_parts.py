"""Pieces pages and dialogs are built of: the title bar with its search, the scroll area that
holds a page's content, a form of labelled fields."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QWidget,
)


def title_bar(title: str, search: QLineEdit) -> QHBoxLayout:
    """'Title   [search……]': the page's title, then its search taking the room left; the
    caller adds the page's buttons after it."""
    label = QLabel(title)
    label.setObjectName("pageTitle")
    bar = QHBoxLayout()
    bar.setSpacing(8)
    bar.addWidget(label)
    bar.addSpacing(16)
    bar.addWidget(search, 1)
    return bar


def page_scroll(content: QWidget, name: str) -> QScrollArea:
    """The page's content, scrolled up and down only (a narrow window wraps, never pans)."""
    scroll = QScrollArea()
    scroll.setObjectName(name)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(content)
    return scroll


def form(*rows: tuple[str, QWidget]) -> QFormLayout:
    """A form of (label, field) rows, in order."""
    layout = QFormLayout()
    for label, field in rows:
        layout.addRow(label, field)
    return layout
