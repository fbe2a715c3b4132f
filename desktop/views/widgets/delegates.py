"""What item delegates that paint themselves share: the index type Qt hands them and a pill.

`AnyIndex` keeps a `paint(painter, option, index)` override to one readable signature;
`draw_pill` draws a rounded count or tag, the navigation's "needs you" count among them.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter

AnyIndex = QModelIndex | QPersistentModelIndex
"""The index a delegate's `paint` and `sizeHint` receive."""


def pill_font(font: QFont) -> QFont:
    """A pill's text: a little smaller and bolder than the item's."""
    small = QFont(font)
    small.setPointSizeF(font.pointSizeF() * 0.85)
    small.setWeight(QFont.Weight.DemiBold)
    return small


def draw_pill(
    painter: QPainter,
    right: float,
    middle: float,
    text: str,
    font: QFont,
    colours: tuple[QColor, QColor],
) -> QRectF:
    """A rounded pill holding `text`, its right edge at `right`, centred on `middle`;
    `colours` is (background, text). Returns where it was drawn."""
    metrics = QFontMetrics(font)
    height = metrics.height() + 2
    width = max(height, metrics.horizontalAdvance(text) + 12)
    rect = QRectF(right - width, middle - height / 2 + 0.5, width, height)
    background, foreground = colours
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(background)
    painter.drawRoundedRect(rect, height / 2, height / 2)
    painter.setFont(font)
    painter.setPen(foreground)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()
    return rect
