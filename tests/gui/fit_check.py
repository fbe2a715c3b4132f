"""Finds text a user cannot read whole: labels, buttons and headers squeezed by the layout,
and controls pushed past the window's edge."""

from __future__ import annotations

from desktop.views.widgets.elided_label import ElidedLabel
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QLabel,
    QPushButton,
    QStyle,
    QStyleOptionComboBox,
    QToolButton,
    QWidget,
)

# Pixels of slack: font hinting makes the advance of a text differ by a pixel or so.
SLACK = 2


def _shown(widget: QWidget) -> bool:
    return widget.isVisibleTo(widget.window()) and widget.width() > 0


def _label_problem(label: QLabel) -> str | None:
    text = label.text()
    if not text or label.wordWrap() or label.textFormat() == Qt.TextFormat.RichText:
        return None
    if isinstance(label, ElidedLabel) or "<" in text or "\n" in text:
        return None  # elides on purpose (with a tooltip), or rich / multi-line text
    needed = label.fontMetrics().horizontalAdvance(text)
    room = label.contentsRect().width() - 2 * label.margin() - label.indent() * (label.indent() > 0)
    if needed > room + SLACK:
        return f"label {text!r} needs {needed}px, has {room}px"
    return None


def _button_problem(button: QAbstractButton) -> str | None:
    if not button.text() or (isinstance(button, QCheckBox) and not button.text()):
        return None
    hint = button.sizeHint().width()
    if hint > button.width() + SLACK:
        return f"button {button.text()!r} needs {hint}px, has {button.width()}px"
    return None


def _combo_problem(combo: QComboBox) -> str | None:
    text = combo.currentText()
    if not text:
        return None
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    needed = combo.fontMetrics().horizontalAdvance(text)
    if needed > field.width() + SLACK:
        return f"combo {text!r} needs {needed}px, has {field.width()}px"
    return None


def _outside(widget: QWidget, window: QWidget) -> str | None:
    if widget.parentWidget() is None:
        return None
    top_left = widget.mapTo(window, QPoint(0, 0))
    rect = QRect(top_left, widget.size())
    visible_parent = widget.parentWidget().visibleRegion().boundingRect()
    if rect.right() > window.width() + SLACK and not visible_parent.isEmpty():
        text = getattr(widget, "text", lambda: "")()
        return f"{type(widget).__name__} {text!r} runs off the right edge"
    return None


def cut_texts(window: QWidget) -> list[str]:
    """Every piece of text in `window` that the layout cut or squeezed, in words."""
    problems: list[str] = []
    for widget in window.findChildren(QWidget):
        if not _shown(widget):
            continue
        problem: str | None = None
        if isinstance(widget, QLabel):
            problem = _label_problem(widget)
        elif isinstance(widget, QPushButton | QToolButton | QCheckBox):
            problem = _button_problem(widget)
        elif isinstance(widget, QComboBox):
            problem = _combo_problem(widget)
        if problem is None and isinstance(widget, QAbstractButton | QComboBox | QLabel):
            problem = _outside(widget, window)
        if problem:
            problems.append(problem)
    return problems
