"""How the calendar paints by hand: fonts, a session's block and its text fitted once per
layout, a clash's red frame, busy time's hatch, the hint over an empty period. Shared by the
week grid, its all-day row and the month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QPainter,
    QPen,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import QToolTip, QWidget

from desktop.services.display.calendar_text import clock_span
from desktop.services.display.layout import (
    DisplayZone,
)
from desktop.views.calendar.calendar_style import CalendarColours, KindLook
from desktop.views.theme import CLASH

RADIUS = 4.0
EDGE = 3
GUTTER = 60  # the hour (and zone) column on the left of the grid and its header


def utc_offset(zone: DisplayZone, day: date) -> str:
    """'UTC−5', 'UTC+5:30' at noon of `day` in the display zone."""
    local = zone.local(zone.instant(day, time(12)))
    offset = local.utcoffset() or timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


class Fonts:
    """The calendar's fonts and their metrics, made once per font change."""

    def __init__(self, base: QFont) -> None:
        self.normal = QFont(base)
        self.bold = QFont(base)
        self.bold.setWeight(QFont.Weight.DemiBold)
        self.small = QFont(base)
        self.small.setPointSizeF(max(7.0, base.pointSizeF() * 0.88))
        self.small_bold = QFont(self.small)
        self.small_bold.setWeight(QFont.Weight.DemiBold)
        self.big = QFont(base)
        self.big.setPointSizeF(base.pointSizeF() * 1.45)
        self.big.setWeight(QFont.Weight.DemiBold)
        self.normal_metrics = QFontMetrics(self.normal)
        self.bold_metrics = QFontMetrics(self.bold)
        self.small_metrics = QFontMetrics(self.small)
        self.small_bold_metrics = QFontMetrics(self.small_bold)
        self.big_metrics = QFontMetrics(self.big)


Line = tuple[str, QFont, QFontMetrics, bool]  # text, font, its metrics, muted


@dataclass(frozen=True)
class FittedLine:
    """One line of a block's text, elided to the block and placed: computed once per layout
    (not per paint), which is what keeps a busy week's repaint in a few milliseconds."""

    rect: QRectF
    text: str
    font: QFont
    muted: bool
    advance: int


def fit_lines(rect: QRectF, lines: list[Line]) -> tuple[FittedLine, ...]:
    """The lines that fit in a block at `rect`, each elided on the right."""
    text_rect = rect.adjusted(EDGE + 5, 2, -4, -1)
    y = text_rect.top()
    width = int(text_rect.width())
    fitted = []
    for text, font, metrics, muted in lines:
        height = metrics.height()
        if y + height > text_rect.bottom() + 3 and y > text_rect.top():
            break
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
        fitted.append(
            FittedLine(
                QRectF(text_rect.left(), y, text_rect.width(), height),
                shown,
                font,
                muted,
                metrics.horizontalAdvance(shown),
            )
        )
        y += height
    return tuple(fitted)


def paint_block(
    painter: QPainter,
    rect: QRectF,
    look: KindLook,
    lines: tuple[FittedLine, ...],
    faded: bool = False,
    struck: bool = False,
    outline: QColor | None = None,
) -> None:
    """A session: a tinted rounded block with its kind's bar on the left and its text."""
    if faded:
        painter.setOpacity(0.55)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(look.fill)
    painter.drawRoundedRect(rect, RADIUS, RADIUS)
    if outline is not None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(outline, 1.5))
        painter.drawRoundedRect(rect.adjusted(0.75, 0.75, -0.75, -0.75), RADIUS, RADIUS)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.fillRect(QRectF(rect.left(), rect.top(), EDGE, rect.height()), look.edge)
    align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    for line in lines:
        painter.setFont(line.font)
        painter.setPen(look.muted_text if line.muted else look.text)
        painter.drawText(line.rect, align, line.text)
        if struck:
            mid = line.rect.center().y()
            painter.drawLine(
                QPointF(line.rect.left(), mid), QPointF(line.rect.left() + line.advance, mid)
            )
    if faded:
        painter.setOpacity(1.0)


CLASH_MARK = "⚠ "
CLASH_COLOUR = CLASH


def paint_clash(painter: QPainter, rect: QRectF) -> None:
    """A session that overlaps busy time or another session: a red frame and a red corner,
    plain at any zoom and in both palettes (a thin hatch alone is easy to miss)."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(CLASH_COLOUR, 2.5))
    painter.drawRoundedRect(rect.adjusted(1.25, 1.25, -1.25, -1.25), RADIUS, RADIUS)
    size = min(14.0, rect.height() / 2, rect.width() / 3)
    corner = QPolygonF(
        [
            QPointF(rect.right() - size, rect.top()),
            QPointF(rect.right(), rect.top()),
            QPointF(rect.right(), rect.top() + size),
        ]
    )
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(CLASH_COLOUR)
    painter.drawPolygon(corner)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)


def paint_busy(
    painter: QPainter, rect: QRectF, colours: CalendarColours, label: str, font: QFont
) -> None:
    painter.fillRect(rect, colours.busy_fill)
    painter.fillRect(rect, colours.busy_brush())
    painter.setPen(colours.busy_hatch)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(rect.adjusted(0, 0, -1, -1))
    metrics = QFontMetrics(font)
    if rect.height() >= metrics.height() + 2 and label:
        painter.setFont(font)
        text_rect = rect.adjusted(5, 1, -4, -1)
        shown = metrics.elidedText(label, Qt.TextElideMode.ElideRight, int(text_rect.width()))
        back = QRectF(
            text_rect.left() - 2,
            text_rect.top(),
            metrics.horizontalAdvance(shown) + 4,
            metrics.height(),
        )
        painter.fillRect(back, colours.busy_fill)
        painter.setPen(colours.busy_text)
        painter.drawText(back, Qt.AlignmentFlag.AlignCenter, shown)


def paint_hint(
    painter: QPainter, area: QRectF, text: str, fonts: Fonts, colours: CalendarColours
) -> None:
    """The hint over an empty period: muted text in a pill, centred in `area`."""
    metrics = fonts.normal_metrics
    box = QRectF(0, 0, metrics.horizontalAdvance(text) + 32, metrics.height() + 18)
    box.moveCenter(area.center())
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(colours.grid_line)
    painter.setBrush(colours.base)
    painter.drawRoundedRect(box, box.height() / 2, box.height() / 2)
    painter.setFont(fonts.normal)
    painter.setPen(colours.muted)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()


def paint_now(painter: QPainter, start: QPointF, width: float, colours: CalendarColours) -> None:
    """The now line across today's column, with a dot where it starts."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(colours.now_line, 2))
    painter.drawLine(start, QPointF(start.x() + width, start.y()))
    painter.setBrush(colours.now_line)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(start, 4.5, 4.5)
    painter.restore()


def ghost_lines(begin: datetime, minutes: int, who: str, fonts: Fonts, rect: QRectF) -> list[Line]:
    """A dragged block's text where it would land: the new times first, then who."""
    if rect.height() - 3 < fonts.bold_metrics.height() + fonts.small_metrics.height():
        return [(f"{begin:%H:%M} {who}", fonts.small_bold, fonts.small_bold_metrics, False)]
    span = clock_span(begin, begin + timedelta(minutes=minutes))
    return [
        (span, fonts.bold, fonts.bold_metrics, False),
        (who, fonts.small, fonts.small_metrics, True),
    ]


class CalendarCanvas(QWidget):
    """A calendar view painted by hand: its colours follow the palette (light or dark), its
    fonts the widget's font, and it places its items again when resized."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._colours = CalendarColours(self.palette())
        self._fonts = Fonts(self.font())

    def _place(self) -> None:
        """Work out where everything is drawn (once per layout or size, not per paint)."""

    def _fonts_changed(self) -> None:
        """The font changed: a view whose height follows its text fits it again."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._colours = CalendarColours(self.palette())
        if event.type() == QEvent.Type.FontChange:
            self._fonts = Fonts(self.font())
            self._fonts_changed()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._place()
        super().resizeEvent(event)

    def _show_tip(self, event: QHelpEvent, text: str) -> bool:
        """Show `text` as the tooltip, or none (the event ignored) when it is empty."""
        if text:
            QToolTip.showText(event.globalPos(), text, self)
        else:
            QToolTip.hideText()
            event.ignore()
        return True
