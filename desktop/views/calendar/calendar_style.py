"""How the calendar paints the theme's kind hues: tints that suit a light and a dark palette,
and text that keeps its contrast on whichever tint it sits on.

Every calendar view (week grid, month chips, agenda swatches) takes its colours from here, so
a kind looks the same wherever it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPalette, QPixmap

from desktop.views.theme import (
    ACCENT,
    ACCENT_TEXT_DARK,
    DARK_TEXT,
    FALLBACK_COLOUR,
    HOLIDAY_DARK,
    HOLIDAY_LIGHT,
    KIND_COLOURS,
    LIGHT_TEXT,
    NOW_LINE,
    WHITE,
    palette_is_dark,
)


def mix(first: QColor, second: QColor, amount: float) -> QColor:
    """`amount` of `first` over `second` (0 = second, 1 = first), opaque."""
    keep = 1.0 - amount
    return QColor(
        round(first.red() * amount + second.red() * keep),
        round(first.green() * amount + second.green() * keep),
        round(first.blue() * amount + second.blue() * keep),
    )


def _luminance(colour: QColor) -> float:
    """WCAG relative luminance."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.red())
        + 0.7152 * channel(colour.green())
        + 0.0722 * channel(colour.blue())
    )


def contrast(first: QColor, second: QColor) -> float:
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_on(fill: QColor) -> QColor:
    """Near-black or near-white, whichever reads better on `fill`."""
    return DARK_TEXT if contrast(DARK_TEXT, fill) >= contrast(LIGHT_TEXT, fill) else LIGHT_TEXT


@dataclass(frozen=True)
class KindLook:
    """How one kind is painted on one palette: the block's fill, its edge bar and its text."""

    fill: QColor
    edge: QColor
    text: QColor
    muted_text: QColor


class CalendarColours:
    """Colours for one palette; rebuilt when the palette changes (light/dark switch)."""

    def __init__(self, palette: QPalette) -> None:
        self.dark = palette_is_dark(palette)
        self.base = palette.color(QPalette.ColorRole.Base)
        self.window = palette.color(QPalette.ColorRole.Window)
        self.text = palette.color(QPalette.ColorRole.Text)
        self.muted = palette.color(QPalette.ColorRole.PlaceholderText)
        if contrast(self.muted, self.base) < 3.0:
            self.muted = mix(self.text, self.base, 0.62)
        self.grid_line = mix(self.text, self.base, 0.12 if self.dark else 0.10)
        self.half_line = mix(self.text, self.base, 0.06 if self.dark else 0.05)
        # Off hours, weekends and holidays sit a step away from the base, working hours on it
        # with a faint accent tint, so the bookable window reads at a glance.
        self.off_hours = mix(self.text, self.base, 0.06 if self.dark else 0.045)
        self.working = mix(ACCENT, self.base, 0.10 if self.dark else 0.05)
        self.weekend = mix(self.text, self.base, 0.09 if self.dark else 0.075)
        self.header = self.window
        self.busy_fill = mix(self.text, self.base, 0.10 if self.dark else 0.07)
        self.busy_hatch = mix(self.text, self.base, 0.34 if self.dark else 0.26)
        self.busy_text = mix(self.text, self.base, 0.78)
        self.holiday = HOLIDAY_DARK if self.dark else HOLIDAY_LIGHT
        self.accent = ACCENT
        # The accent as text: the fill blue is too dark to read on a dark base.
        self.accent_text = ACCENT_TEXT_DARK if self.dark else ACCENT
        self.now_line = NOW_LINE
        self.today_fill = mix(ACCENT, self.base, 0.16 if self.dark else 0.08)
        self._kinds: dict[str, KindLook] = {}

    def kind(self, kind: str) -> KindLook:
        look = self._kinds.get(kind)
        if look is None:
            hue = QColor(KIND_COLOURS.get(kind, FALLBACK_COLOUR))
            if self.dark:
                fill = mix(hue, self.base, 0.42)
                edge = mix(hue, WHITE, 0.80)
            else:
                fill = mix(hue, self.base, 0.16)
                edge = hue
            text = text_on(fill)
            look = KindLook(fill, edge, text, mix(text, fill, 0.74))
            self._kinds[kind] = look
        return look

    def busy_brush(self) -> QBrush:
        return QBrush(self.busy_hatch, Qt.BrushStyle.BDiagPattern)


def kind_swatch(kind: str, palette: QPalette, size: int = 12) -> QIcon:
    """A small rounded square in the kind's colour: menus, the agenda and the legend."""
    colours = CalendarColours(palette)
    look = colours.kind(kind)
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(look.edge)
    painter.setBrush(look.fill)
    painter.drawRoundedRect(QRectF(0.5, 0.5, size - 1, size - 1), 3, 3)
    painter.fillRect(1, 1, 3, size - 2, look.edge)
    painter.end()
    return QIcon(pixmap)


def busy_swatch(palette: QPalette, size: int = 12) -> QIcon:
    colours = CalendarColours(palette)
    pixmap = QPixmap(size, size)
    pixmap.fill(colours.busy_fill)
    painter = QPainter(pixmap)
    painter.fillRect(0, 0, size, size, colours.busy_brush())
    painter.setPen(colours.busy_hatch)
    painter.drawRect(0, 0, size - 1, size - 1)
    painter.end()
    return QIcon(pixmap)
