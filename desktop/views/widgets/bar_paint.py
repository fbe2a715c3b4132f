"""How an allowance bar is painted, shared by the usage bars and the dashboard's chart: a
rounded track, used in solid accent (red past the allowance), scheduled hatched."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPalette, QPen

from desktop.views.theme import ACCENT, OVER, OVER_LIGHT, SCHEDULED


def hatched(painter: QPainter, rect: QRectF, fill: QColor, lines: QColor) -> None:
    """Scheduled: light fill with a hatch, so it reads as "not yet" even in greyscale."""
    painter.setBrush(fill)
    painter.drawRect(rect)
    painter.setBrush(QBrush(lines, Qt.BrushStyle.BDiagPattern))
    painter.drawRect(rect)


def paint_track(painter: QPainter, track: QRectF, palette: QPalette) -> QRectF:
    """The empty bar; returns the inside, where the amounts go."""
    radius = track.height() / 2
    painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
    painter.setBrush(palette.color(QPalette.ColorRole.Base))
    painter.drawRoundedRect(track, radius, radius)
    return track.adjusted(1, 1, -1, -1)


def paint_amounts(
    painter: QPainter, inner: QRectF, used_x: float, total_x: float, full_x: float
) -> None:
    """Used up to `used_x`, scheduled on to `total_x`; what lies past `full_x` (the
    allowance) in red."""
    clip = QPainterPath()
    clip.addRoundedRect(inner, inner.height() / 2, inner.height() / 2)
    painter.save()
    painter.setClipPath(clip)
    painter.setPen(Qt.PenStyle.NoPen)
    top, height = inner.top(), inner.height()
    painter.setBrush(ACCENT)
    painter.drawRect(QRectF(inner.left(), top, min(used_x, full_x) - inner.left(), height))
    if used_x > full_x:
        painter.setBrush(OVER)
        painter.drawRect(QRectF(full_x, top, used_x - full_x, height))
    within = max(used_x, min(total_x, full_x))
    if within > used_x:
        hatched(painter, QRectF(used_x, top, within - used_x, height), SCHEDULED, ACCENT)
    start = max(used_x, full_x)
    if total_x > start:
        hatched(painter, QRectF(start, top, total_x - start, height), OVER_LIGHT, OVER)
    painter.restore()
