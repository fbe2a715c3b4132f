"""Two small painted charts: allowance use of the busiest customers, and screen-shares per month.

Painted by hand rather than with QtCharts: they share the usage bars' colours and hatching,
take their text colours from the palette (so a dark palette just works), cost no extra
module at start-up, and every figure they show is also in a tooltip and in `texts()`.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from desktop.services.display.session_format import hours_text
from desktop.services.scheduling.usage import MonthUsage
from desktop.views.theme import ACCENT, OVER, OVER_LIGHT, SCHEDULED, accent_text

BAR_HEIGHT = 10
ROW_GAP = 12


@dataclass(frozen=True)
class AllowanceUse:
    """One customer's most used allowance, as the dashboard's chart draws it."""

    customer_id: int
    customer: str
    label: str  # "Assistance hours this package year"
    unit: str  # "hours" or "sessions"
    allowed: float
    used: float
    scheduled: float

    @property
    def share(self) -> float:
        return (self.used + self.scheduled) / self.allowed if self.allowed else 0.0

    def figures(self) -> str:
        """'2 used · 9 scheduled · 1 left of 12 h': both used and scheduled count."""
        left = max(0.0, self.allowed - self.used - self.scheduled)
        whole = hours_text(self.allowed) if self.unit == "hours" else f"{self.allowed:g}"
        return f"{self.used:g} used · {self.scheduled:g} scheduled · {left:g} left of {whole}"

    def text(self) -> str:
        return f"{self.customer}: {self.label} {self.figures()} ({self.share:.0%})"

    def tooltip(self) -> str:
        unit = "h" if self.unit == "hours" else ""
        return (
            f"{self.customer}\n{self.label}\n"
            f"{self.used:g}{unit} used, {self.scheduled:g}{unit} scheduled "
            f"of {self.allowed:g}{unit} ({self.share:.0%})"
        )


def _muted(palette: QPalette) -> QColor:
    return palette.color(QPalette.ColorRole.PlaceholderText)


def _hatched(painter: QPainter, rect: QRectF, fill: QColor, lines: QColor) -> None:
    """Scheduled: light fill with a hatch, so it reads as "not yet" even in greyscale."""
    painter.setBrush(fill)
    painter.drawRect(rect)
    painter.setBrush(QBrush(lines, Qt.BrushStyle.BDiagPattern))
    painter.drawRect(rect)


def _small(font: QFont, factor: float = 0.9) -> QFont:
    smaller = QFont(font)
    smaller.setPointSizeF(max(6.0, font.pointSizeF() * factor))
    return smaller


class AllowanceChart(QWidget):
    """Horizontal bars, one per customer: the share of their most used allowance.

    Used is solid, scheduled hatched, anything past the allowance red; a click on a row
    emits `customer_clicked` with the customer's id.
    """

    customer_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("allowanceChart")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self._rows: list[AllowanceUse] = []
        self._hover = -1
        self._update_height()

    def set_rows(self, rows: Sequence[AllowanceUse]) -> None:
        self._rows = list(rows)
        self._hover = -1
        self._update_height()
        self.update()

    def rows(self) -> list[AllowanceUse]:
        return list(self._rows)

    def texts(self) -> list[str]:
        return [row.text() for row in self._rows]

    def _row_height(self) -> int:
        """Name and share, the bar, then what the allowance is in small print."""
        small = QFontMetrics(_small(self.font())).lineSpacing()
        return self.fontMetrics().lineSpacing() + 3 + BAR_HEIGHT + 3 + small + ROW_GAP

    def _update_height(self) -> None:
        self.setFixedHeight(max(1, len(self._rows)) * self._row_height())

    def sizeHint(self) -> QSize:
        return QSize(360, self.height())

    def _row_at(self, y: float) -> int:
        row = int(y // self._row_height())
        return row if 0 <= row < len(self._rows) else -1

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text_color = palette.color(QPalette.ColorRole.WindowText)
        muted = _muted(palette)
        bold = QFont(self.font())
        bold.setWeight(QFont.Weight.DemiBold)
        small = _small(self.font())
        bold_metrics, small_metrics = QFontMetrics(bold), QFontMetrics(small)
        line = self.fontMetrics().lineSpacing()
        width = self.width()
        # Bars share one scale, so 100% lines up; past 100% the scale stretches for everyone.
        scale = max([1.0] + [row.share for row in self._rows])
        for index, row in enumerate(self._rows):
            top = index * self._row_height()
            share = f"{row.share:.0%}"
            share_width = bold_metrics.horizontalAdvance(share)
            name = bold_metrics.elidedText(
                row.customer, Qt.TextElideMode.ElideRight, max(40, width - share_width - 12)
            )
            baseline = top + bold_metrics.ascent()
            painter.setFont(bold)
            painter.setPen(accent_text(palette) if index == self._hover else text_color)
            painter.drawText(QPointF(0, baseline), name)
            painter.setPen(OVER if row.share > 1 else text_color)
            painter.drawText(QPointF(width - share_width, baseline), share)
            bar = QRectF(0.5, top + line + 3.5, width - 1.0, BAR_HEIGHT)
            self._paint_bar(painter, bar, row, scale, palette)
            painter.setFont(small)
            painter.setPen(muted)
            caption = f"{row.label}: {row.figures()}"
            if row.scheduled:
                caption += f", {row.scheduled:g} of them scheduled"
            caption = small_metrics.elidedText(caption, Qt.TextElideMode.ElideRight, width)
            painter.drawText(QPointF(0, bar.bottom() + 3 + small_metrics.ascent()), caption)
        painter.end()

    @staticmethod
    def _paint_bar(
        painter: QPainter, track: QRectF, row: AllowanceUse, scale: float, palette: QPalette
    ) -> None:
        radius = track.height() / 2
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(track, radius, radius)
        inner = track.adjusted(1, 1, -1, -1)
        if row.allowed <= 0:
            return

        def x_at(share: float) -> float:
            return inner.left() + inner.width() * min(share, scale) / scale

        clip = QPainterPath()
        clip.addRoundedRect(inner, inner.height() / 2, inner.height() / 2)
        painter.save()
        painter.setClipPath(clip)
        painter.setPen(Qt.PenStyle.NoPen)
        used_x = x_at(row.used / row.allowed)
        total_x = x_at(row.share)
        full_x = x_at(1.0)
        top, height = inner.top(), inner.height()
        painter.setBrush(ACCENT)
        painter.drawRect(QRectF(inner.left(), top, min(used_x, full_x) - inner.left(), height))
        if used_x > full_x:
            painter.setBrush(OVER)
            painter.drawRect(QRectF(full_x, top, used_x - full_x, height))
        within = max(used_x, min(total_x, full_x))
        if within > used_x:
            _hatched(painter, QRectF(used_x, top, within - used_x, height), SCHEDULED, ACCENT)
        start = max(used_x, full_x)
        if total_x > start:
            _hatched(painter, QRectF(start, top, total_x - start, height), OVER_LIGHT, OVER)
        painter.restore()
        if scale > 1:
            painter.setPen(QPen(palette.color(QPalette.ColorRole.WindowText), 1.5))
            painter.drawLine(QPointF(full_x, track.top() - 2), QPointF(full_x, track.bottom() + 2))

    # --- interaction --------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            row = self._row_at(event.pos().y())
            if row >= 0:
                QToolTip.showText(event.globalPos(), self._rows[row].tooltip(), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        row = self._row_at(event.position().y())
        if row != self._hover:
            self._hover = row
            self.setCursor(
                Qt.CursorShape.PointingHandCursor if row >= 0 else Qt.CursorShape.ArrowCursor
            )
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._hover = -1
        self.update()
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        row = self._row_at(event.position().y())
        if event.button() == Qt.MouseButton.LeftButton and row >= 0:
            self.customer_clicked.emit(self._rows[row].customer_id)
        super().mouseReleaseEvent(event)


class MonthlyChart(QWidget):
    """Screen-shares per month of the package year: a column per month, the allowance as a
    dashed line; used solid, scheduled hatched, past the allowance red. The current month's
    label is in the accent colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monthlyChart")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._months: list[MonthUsage] = []
        self._today: date | None = None
        self.setFixedHeight(self.fontMetrics().lineSpacing() * 7)

    def set_months(self, months: Sequence[MonthUsage], today: date | None) -> None:
        self._months = list(months)
        self._today = today
        self.update()

    def texts(self) -> list[str]:
        """'Mar 2026: 2 used, 1 scheduled of 4' per month."""
        return [self._describe(m) for m in self._months]

    @staticmethod
    def _describe(month: MonthUsage) -> str:
        name = f"{calendar.month_abbr[month.month]} {month.year}"
        return f"{name}: {month.used} used, {month.scheduled} scheduled of {month.allowed}"

    def sizeHint(self) -> QSize:
        return QSize(320, self.height())

    def _plot(self) -> QRectF:
        metrics = self.fontMetrics()
        left = metrics.horizontalAdvance("00") + 8
        bottom = QFontMetrics(_small(self.font())).lineSpacing() + 6
        return QRectF(left, 6, max(1, self.width() - left - 2), self.height() - 6 - bottom)

    def _column_at(self, x: float) -> int:
        if not self._months:
            return -1
        plot = self._plot()
        index = int((x - plot.left()) // (plot.width() / len(self._months)))
        return index if 0 <= index < len(self._months) else -1

    def paintEvent(self, _event: QPaintEvent) -> None:
        if not self._months:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        muted = _muted(palette)
        grid = palette.color(QPalette.ColorRole.Mid)
        plot = self._plot()
        top_value = max(
            [m.allowed for m in self._months] + [m.used + m.scheduled for m in self._months]
        )
        top_value = max(top_value, 1)

        def y_at(value: float) -> float:
            return plot.bottom() - plot.height() * value / top_value

        small = _small(self.font(), 0.85)
        painter.setFont(small)
        small_metrics = QFontMetrics(small)
        # A few round grid lines: 0, the allowance, and the top when it is above it.
        allowed = self._months[0].allowed
        for value in sorted({0, allowed, top_value}):
            y = y_at(value)
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(muted)
            label = f"{value:g}"
            painter.drawText(
                QPointF(
                    plot.left() - 6 - small_metrics.horizontalAdvance(label),
                    y + small_metrics.ascent() / 2 - 1,
                ),
                label,
            )
        slot = plot.width() / len(self._months)
        column_width = max(4.0, min(28.0, slot * 0.56))
        current = (self._today.year, self._today.month) if self._today else None
        for index, month in enumerate(self._months):
            centre = plot.left() + slot * (index + 0.5)
            left = centre - column_width / 2
            painter.setPen(Qt.PenStyle.NoPen)
            within_used = min(month.used, month.allowed)
            if within_used:
                painter.setBrush(ACCENT)
                painter.drawRect(
                    QRectF(left, y_at(within_used), column_width, plot.bottom() - y_at(within_used))
                )
            if month.used > month.allowed:
                painter.setBrush(OVER)
                painter.drawRect(
                    QRectF(
                        left, y_at(month.used), column_width, y_at(month.allowed) - y_at(month.used)
                    )
                )
            total = month.used + month.scheduled
            if month.scheduled:
                low = month.used
                split = max(low, min(total, month.allowed))
                if split > low:
                    _hatched(
                        painter,
                        QRectF(left, y_at(split), column_width, y_at(low) - y_at(split)),
                        SCHEDULED,
                        ACCENT,
                    )
                if total > split:
                    _hatched(
                        painter,
                        QRectF(left, y_at(total), column_width, y_at(split) - y_at(total)),
                        OVER_LIGHT,
                        OVER,
                    )
        self._paint_month_labels(painter, plot, slot, small, current, palette)
        # The allowance: a dashed line over the columns.
        pen = QPen(palette.color(QPalette.ColorRole.WindowText), 1, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        y = y_at(allowed)
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.end()

    def _paint_month_labels(
        self,
        painter: QPainter,
        plot: QRectF,
        slot: float,
        small: QFont,
        current: tuple[int, int] | None,
        palette: QPalette,
    ) -> None:
        """Month names under the columns; every second (or third) one when they would touch,
        the current month always, in the accent colour."""
        labels = []
        for index, month in enumerate(self._months):
            label = calendar.month_abbr[month.month]
            if month.month == 1 and index:
                label = f"{label} {month.year % 100:02d}"
            labels.append(label)
        metrics = QFontMetrics(small)
        widest = max(metrics.horizontalAdvance(label) for label in labels)
        step = max(1, int((widest + 6) // slot) + 1) if widest + 6 > slot else 1
        current_index = next(
            (i for i, m in enumerate(self._months) if (m.year, m.month) == current), None
        )
        bold = QFont(small)
        bold.setWeight(QFont.Weight.DemiBold)
        for index, label in enumerate(labels):
            is_current = index == current_index
            near_current = current_index is not None and 0 < abs(index - current_index) < step
            if not is_current and (index % step or near_current):
                continue
            font = bold if is_current else small
            painter.setFont(font)
            painter.setPen(accent_text(palette) if is_current else _muted(palette))
            width = QFontMetrics(font).horizontalAdvance(label)
            centre = plot.left() + slot * (index + 0.5)
            x = min(max(0.0, centre - width / 2), self.width() - width)
            painter.drawText(QPointF(x, self.height() - 3), label)
        painter.setFont(small)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            column = self._column_at(event.pos().x())
            if column >= 0:
                QToolTip.showText(event.globalPos(), self._describe(self._months[column]), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)
