"""The pieces every form dialog repeats: a title with an intro, a grid of captioned fields each
with its message line, and the OK/Cancel row with the primary button named.

One place for them, so Preferences, the first-invite profile question and the other forms
look alike by construction.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

Field = QWidget | QHBoxLayout


def dialog_buttons(
    primary: QDialogButtonBox.StandardButton, text: str | None = None
) -> tuple[QDialogButtonBox, QPushButton]:
    """`primary` and Cancel, without the stock icons some desktop styles add (words suffice);
    the primary one styled as such and, with `text`, saying it."""
    buttons = QDialogButtonBox(primary | QDialogButtonBox.StandardButton.Cancel)
    button: QPushButton = buttons.button(primary)
    if text is not None:
        button.setText(text)
    button.setObjectName("primary")
    for each in buttons.buttons():
        each.setIcon(QIcon())
    return buttons, button


def field_grid(rows: Sequence[tuple[str, Field, QWidget]]) -> QGridLayout:
    """Caption | field, and the field's message line beneath it; a caption is the buddy of
    a single-widget field (Alt+letter focuses it)."""
    grid = QGridLayout()
    grid.setHorizontalSpacing(14)
    grid.setVerticalSpacing(2)
    grid.setColumnStretch(1, 1)
    for row, (caption_text, field, message) in enumerate(rows):
        caption = QLabel(caption_text)
        caption.setObjectName("fieldLabel")
        grid.addWidget(caption, row * 2, 0, Qt.AlignmentFlag.AlignRight)
        if isinstance(field, QHBoxLayout):
            grid.addLayout(field, row * 2, 1)
        else:
            caption.setBuddy(field)
            grid.addWidget(field, row * 2, 1)
        grid.addWidget(message, row * 2 + 1, 1)
    return grid


def dialog_column(dialog: QDialog, spacing: int) -> QVBoxLayout:
    """The dialog's own layout, with the margins every form dialog keeps."""
    layout = QVBoxLayout(dialog)
    layout.setContentsMargins(20, 18, 20, 16)
    layout.setSpacing(spacing)
    return layout


def hint_and_buttons(hint: QWidget, buttons: QWidget) -> QHBoxLayout:
    """The footer: why Save waits (or what it will do) on the left, the buttons on the right."""
    footer = QHBoxLayout()
    footer.addWidget(hint, 1)
    footer.addWidget(buttons)
    return footer


def _add(layout: QVBoxLayout, part: QLayout | QWidget, stretch: int = 0) -> None:
    if isinstance(part, QLayout):
        layout.addLayout(part, stretch)
    else:
        layout.addWidget(part, stretch)


def titled_page(
    dialog: QDialog,
    title: str,
    intro: str,
    body: QLayout | QWidget,
    footer: QLayout | QWidget,
    body_stretch: int = 0,
) -> QVBoxLayout:
    """The dialog's layout: its title, a line or two of why, the body, the buttons."""
    title_label = QLabel(title)
    title_label.setObjectName("dialogTitle")
    intro_label = QLabel(intro)
    intro_label.setObjectName("cardSubtitle")
    intro_label.setWordWrap(True)
    layout = dialog_column(dialog, 10)
    layout.addWidget(title_label)
    layout.addWidget(intro_label)
    _add(layout, body, body_stretch)
    _add(layout, footer)
    return layout
