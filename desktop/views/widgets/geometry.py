"""Dialogs remember the size the manager gave them (the main window keeps its own state).

Only the size: a dialog opens centred on its window, wherever that window is now.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, QSize
from PySide6.QtWidgets import QWidget


def restore_size(widget: QWidget, key: str) -> None:
    """Grow `widget` to its remembered size, never below its minimum."""
    value = QSettings().value(f"dialogs/{key}")
    if isinstance(value, QSize) and value.isValid():
        widget.resize(value.expandedTo(widget.minimumSize()))


def remember_size(widget: QWidget, key: str) -> None:
    QSettings().setValue(f"dialogs/{key}", widget.size())
