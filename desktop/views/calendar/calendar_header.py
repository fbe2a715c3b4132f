"""The week grid's head: day names, holiday names and the all-day row (event plans and
all-day busy time as bars), aligned with the grid's columns; bars drag by whole days."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
)
from PySide6.QtWidgets import (
    QWidget,
)

from desktop.services.display.calendar_text import CalendarTexts
from desktop.services.display.layout import (
    AllDayBar,
    CalendarLayout,
    DayInfo,
    DisplayZone,
)
from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.scheduling.status import SessionStatus
from desktop.views.calendar.calendar_gesture import DragGesture, Press
from desktop.views.calendar.calendar_paint import (
    GUTTER,
    CalendarCanvas,
    fit_lines,
    paint_block,
    paint_busy,
    utc_offset,
)
from desktop.views.theme import ON_ACCENT


class DayHeader(CalendarCanvas):
    """Day names, holiday names and the all-day row, aligned with the grid's columns."""

    session_clicked = Signal(int)
    bar_dropped = Signal(int, int)  # session id, days moved

    MAX_ROWS = 6

    def __init__(self, texts: CalendarTexts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dayHeader")
        self.setMouseTracking(True)
        self._texts = texts
        self._layout: CalendarLayout | None = None
        self._zone: DisplayZone | None = None
        self._today: date | None = None
        self._day_view = False
        self._right_inset = 0
        self._bars: list[tuple[QRectF, AllDayBar]] = []
        self._gesture: DragGesture[AllDayBar, int] = DragGesture(
            self, self._follow, self._drop, self.session_clicked.emit
        )
        self._fit_height()

    def set_content(
        self, layout: CalendarLayout, zone: DisplayZone, today: date, day_view: bool
    ) -> None:
        self._layout = layout
        self._zone = zone
        self._today = today
        self._day_view = day_view
        self._gesture.clear()
        self._fit_height()
        self._place()
        self.update()

    def set_right_inset(self, inset: int) -> None:
        if inset != self._right_inset:
            self._right_inset = inset
            self._place()
            self.update()

    def _fonts_changed(self) -> None:
        self._fit_height()

    # --- geometry ---------------------------------------------------------------------------
    @property
    def days(self) -> list[date]:
        return [d.day for d in self._layout.days] if self._layout else []

    def _names_height(self) -> int:
        fonts = self._fonts
        return (
            8
            + fonts.small_metrics.height()
            + fonts.big_metrics.height()
            + fonts.small_metrics.height()
            + 6
        )

    def _bar_height(self) -> int:
        return self._fonts.small_bold_metrics.height() + 6

    def _rows(self) -> int:
        rows = self._layout.all_day_rows if self._layout else 0
        return max(1, min(self.MAX_ROWS, rows))

    def _fit_height(self) -> None:
        self.setFixedHeight(self._names_height() + self._rows() * (self._bar_height() + 3) + 6)

    def column_width(self) -> float:
        count = max(1, len(self.days))
        return max(1.0, (self.width() - self._right_inset - GUTTER) / count)

    def column_x(self, column: int) -> float:
        return GUTTER + column * self.column_width()

    def caption(self, day: date) -> str:
        """What the column of `day` is headed with: 'Mon 25', then the holiday's name."""
        for info in self._layout.days if self._layout else ():
            if info.day == day:
                text = f"{info.day:%a} {info.day.day}"
                return f"{text} · {info.holiday}" if info.holiday else text
        return ""

    def bar_texts(self) -> list[str]:
        """The all-day row's bars as labelled (sessions and all-day busy time)."""
        texts = []
        for _rect, bar in self._bars:
            item = bar.item
            if isinstance(item, SessionRecord):
                texts.append(f"{self._texts.kind(item.kind)} · {self._texts.who(item)}")
            else:
                texts.append(item.summary or "Busy")
        return texts

    def bar_rect(self, session_id: int) -> QRect | None:
        for rect, bar in self._bars:
            if isinstance(bar.item, SessionRecord) and bar.item.id == session_id:
                return rect.toAlignedRect()
        return None

    def _place(self) -> None:
        self._bars = []
        if self._layout is None:
            return
        top = self._names_height() + 3
        height = self._bar_height()
        for bar in self._layout.all_day:
            if bar.row >= self.MAX_ROWS:
                continue
            x0 = self.column_x(bar.first) + (1 if bar.continues_before else 3)
            x1 = self.column_x(bar.last + 1) - (1 if bar.continues_after else 4)
            y = top + bar.row * (height + 3)
            self._bars.append((QRectF(x0, y, x1 - x0, height), bar))

    # --- painting -------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        colours = self._colours
        fonts = self._fonts
        width = self.width() - self._right_inset
        height = self.height()
        painter.fillRect(self.rect(), colours.header)
        layout = self._layout
        names_bottom = self._names_height()
        if layout is None:
            painter.end()
            return
        column_width = self.column_width()
        for column, info in enumerate(layout.days):
            x = self.column_x(column)
            if info.weekend or info.holiday:
                painter.fillRect(QRectF(x, 0, column_width, height), colours.weekend)
            self._paint_name(painter, info, QRectF(x, 0, column_width, names_bottom))

        painter.setPen(colours.grid_line)
        painter.drawLine(GUTTER, names_bottom, width, names_bottom)
        painter.drawLine(0, height - 1, self.width(), height - 1)
        for column in range(len(layout.days) + 1):
            x = round(self.column_x(column))
            painter.drawLine(x, 0 if column else names_bottom, x, height)

        # The gutter: the display zone and its UTC offset, then what the bar row is.
        zone = self._zone
        painter.setPen(colours.muted)
        if zone is not None and layout.days:
            painter.setFont(fonts.small_bold)
            line = fonts.small_metrics.height()
            painter.drawText(
                QRectF(4, 8, GUTTER - 12, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                fonts.small_bold_metrics.elidedText(
                    zone.short, Qt.TextElideMode.ElideRight, GUTTER - 14
                ),
            )
            painter.setFont(fonts.small)
            painter.drawText(
                QRectF(4, 8 + line, GUTTER - 12, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                utc_offset(zone, layout.days[0].day),
            )
        painter.setFont(fonts.small)
        painter.drawText(
            QRectF(4, names_bottom + 3, GUTTER - 12, self._bar_height()),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            "all day",
        )

        press = self._gesture.dragged
        dragged = press.item if press is not None else None
        for rect, bar in self._bars:
            self._paint_bar(painter, rect, bar, faded=bar is dragged)
        if press is not None and press.target:
            for rect, bar in self._bars:
                if bar is dragged:
                    shift = press.target * column_width
                    self._paint_bar(painter, rect.translated(shift, 0), bar, ghost=True)
        painter.end()

    def _paint_name(self, painter: QPainter, info: DayInfo, rect: QRectF) -> None:
        colours = self._colours
        fonts = self._fonts
        today = info.day == self._today
        small = fonts.small_metrics.height()
        big = fonts.big_metrics.height()
        weekday = f"{info.day:%A}" if self._day_view else f"{info.day:%a}"
        painter.setFont(fonts.small_bold)
        painter.setPen(colours.accent_text if today else colours.muted)
        painter.drawText(
            QRectF(rect.left(), rect.top() + 8, rect.width(), small),
            Qt.AlignmentFlag.AlignCenter,
            weekday.upper(),
        )
        number = f"{info.day.day} {info.day:%b}" if self._day_view else str(info.day.day)
        number_rect = QRectF(rect.left(), rect.top() + 8 + small, rect.width(), big)
        if today:
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colours.accent)
            pill_width = max(big + 2, fonts.big_metrics.horizontalAdvance(number) + 16)
            pill = QRectF(0, 0, pill_width, big + 2)
            pill.moveCenter(number_rect.center())
            painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
            painter.restore()
            painter.setPen(ON_ACCENT)
        else:
            painter.setPen(colours.text)
        painter.setFont(fonts.big)
        painter.drawText(number_rect, Qt.AlignmentFlag.AlignCenter, number)
        if info.holiday:
            painter.setFont(fonts.small_bold)
            painter.setPen(colours.holiday)
            text = fonts.small_bold_metrics.elidedText(
                info.holiday, Qt.TextElideMode.ElideRight, int(rect.width() - 8)
            )
            painter.drawText(
                QRectF(rect.left() + 4, rect.top() + 10 + small + big, rect.width() - 8, small),
                Qt.AlignmentFlag.AlignCenter,
                text,
            )

    def _paint_bar(
        self,
        painter: QPainter,
        rect: QRectF,
        bar: AllDayBar,
        faded: bool = False,
        ghost: bool = False,
    ) -> None:
        fonts = self._fonts
        item = bar.item
        if isinstance(item, SessionRecord):
            look = self._colours.kind(item.kind)
            text = f"{self._texts.kind(item.kind)} · {self._texts.who(item)}"
            if item.title:
                text += f" · {item.title}"
            paint_block(
                painter,
                rect,
                look,
                fit_lines(rect, [(text, fonts.small_bold, fonts.small_bold_metrics, False)]),
                faded=faded or item.status != SessionStatus.PLANNED,
                struck=item.status == SessionStatus.CANCELLED,
                outline=self._colours.accent if ghost else None,
            )
        else:
            paint_busy(painter, rect, self._colours, item.summary or "Busy", fonts.small)

    def hit(self, pos: QPointF) -> AllDayBar | None:
        for rect, bar in reversed(self._bars):
            if rect.contains(pos):
                return bar
        return None

    # --- gestures ---------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        bar = self.hit(event.position())
        if bar is not None and isinstance(bar.item, SessionRecord):
            self._gesture.start(Press(bar, bar.item, event.position().toPoint()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._gesture.move(event.position().toPoint()):
            return
        bar = self.hit(event.position())
        if bar is not None and isinstance(bar.item, SessionRecord):
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.unsetCursor()

    def _follow(self, press: Press[AllDayBar, int], pos: QPoint) -> None:
        """Whole days: how many columns the pointer is from where it took hold."""
        press.target = round((pos.x() - press.pos.x()) / self.column_width())

    def _drop(self, press: Press[AllDayBar, int]) -> None:
        if press.target:
            self.bar_dropped.emit(press.session.id, press.target)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._gesture.release(event.button())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = ""
            zone = self._zone
            point = QPointF(event.pos())
            bar = self.hit(point)
            if zone is not None and bar is not None:
                item = bar.item
                text = (
                    self._texts.session_tooltip(item, zone)
                    if isinstance(item, SessionRecord)
                    else self._texts.busy_tooltip(item, zone)
                )
            elif self._layout is not None and point.y() < self._names_height():
                column = int((point.x() - GUTTER) // self.column_width())
                if 0 <= column < len(self._layout.days):
                    info = self._layout.days[column]
                    text = info.holiday or ""
            return self._show_tip(event, text)
        return super().event(event)
