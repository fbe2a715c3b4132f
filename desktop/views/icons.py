"""Icons drawn as `currentColor` SVGs and tinted from the palette, so they suit light and dark."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from desktop.resources import resource_path

_SIZES = (16, 20, 24, 32, 48, 64, 96)
# The stylesheet's accent buttons and selected navigation items draw white on the accent.
ON_ACCENT = QColor("#ffffff")


def _pixmap(svg: bytes, size: int, color: QColor) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(svg.replace(b"currentColor", color.name().encode())))
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


def icon(name: str, color: QColor | None = None, selected: QColor | None = None) -> QIcon:
    """The icon `resources/icons/<name>.svg`, drawn in `color` (default: the palette's text)."""
    svg = resource_path("icons", f"{name}.svg").read_bytes()
    palette = QGuiApplication.palette()
    normal = color or palette.color(QPalette.ColorRole.WindowText)
    result = QIcon()
    for size in _SIZES:
        result.addPixmap(_pixmap(svg, size, normal), QIcon.Mode.Normal)
        if selected is not None:
            result.addPixmap(_pixmap(svg, size, selected), QIcon.Mode.Selected)
    return result


def app_icon() -> QIcon:
    return QIcon(str(resource_path("icons", "amplan.svg")))
