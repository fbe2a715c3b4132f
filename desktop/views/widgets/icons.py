"""Icons drawn as `currentColor` SVGs and tinted from the palette, so they suit light and dark."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QLineEdit, QPushButton

from desktop.resources import resource_path
from desktop.views.theme import ON_ACCENT

_SIZES = (16, 20, 24, 32, 48, 64, 96)


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


def icon_button(text: str, icon_name: str, primary: bool = False) -> QPushButton:
    """A toolbar button with its icon; `primary` is the page's one accent-coloured action."""
    button = QPushButton(icon(icon_name, ON_ACCENT if primary else None), text)
    button.setIconSize(QSize(16, 16))
    if primary:
        button.setObjectName("primary")
    return button


def search_box(placeholder: str, min_width: int) -> QLineEdit:
    """The search field every page uses: magnifier in front, a clear button, styled `search`."""
    box = QLineEdit()
    box.setObjectName("search")
    box.setPlaceholderText(placeholder)
    box.setClearButtonEnabled(True)
    box.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
    box.setMinimumWidth(min_width)
    return box
