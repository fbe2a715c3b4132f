"""The day and week time grid, painted by hand: hundreds of sessions redraw in milliseconds.

`TimeGridView` stacks a `DayHeader` (day names, holidays, the all-day row) over a scrolled
`TimeGrid` (24 hours, 07:00-19:00 in view at first). Both read a `CalendarLayout` that is
already in the display zone; they only turn minutes into pixels and back. Gestures come out
as signals in the display zone's wall clock: the page decides what they mean.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleEvent,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
)
from PySide6.QtWidgets import (
    QScrollArea,
    QWidget,
)

from desktop.services.display.calendar_text import CalendarTexts, clock_span
from desktop.services.display.grid_time import (
    clock_of,
    minute_of_day,
    resized_length,
    slot_start,
    snapped_start,
)
from desktop.services.display.layout import (
    DAY_MINUTES,
    CalendarLayout,
    DayInfo,
    DisplayZone,
    TimedBlock,
)
from desktop.services.scheduling.ledger import Busy
from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.scheduling.status import SessionStatus
from desktop.views.calendar.calendar_gesture import DragGesture, Press
from desktop.views.calendar.calendar_paint import (
    CLASH_MARK,
    GUTTER,
    CalendarCanvas,
    FittedLine,
    Line,
    fit_lines,
    ghost_lines,
    paint_block,
    paint_busy,
    paint_clash,
    paint_hint,
    paint_now,
)

GridPress = Press[TimedBlock, tuple[int, int]]  # target: column, start minute

MIN_HOUR_HEIGHT = 36
VISIBLE_HOURS = 12
FIRST_VISIBLE_HOUR = 7
COLUMN_GAP = 10  # kept free on each column's right, so a busy day still takes a double-click
MIN_BLOCK_HEIGHT = 16
RESIZE_GRIP = 5  # pixels at the bottom of a block that grab its end rather than the block
LABEL_LEAD = 9


class TimeGrid(CalendarCanvas):
    """The scrolled body: one column per day, 24 hours high."""

    session_clicked = Signal(int)
    slot_double_clicked = Signal(object, object)  # date, time (display zone)
    session_dropped = Signal(int, object, object)  # session id, new start date, time
    session_resized = Signal(int, int)  # session id, new length in minutes

    def __init__(
        self, texts: CalendarTexts, step_minutes: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("timeGrid")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._texts = texts
        self._step = step_minutes
        self._hour_height = float(MIN_HOUR_HEIGHT * 1.4)
        self._layout: CalendarLayout | None = None
        self._zone: DisplayZone | None = None
        self._now: datetime | None = None
        self._hint = ""
        self._rects: list[tuple[QRectF, TimedBlock, tuple[FittedLine, ...]]] = []
        self._busy_rects: list[tuple[QRectF, Busy]] = []
        self._gesture: DragGesture[TimedBlock, tuple[int, int]] = DragGesture(
            self, self._follow, self._drop, self.session_clicked.emit
        )
        self._hover: int | None = None
        self._selected: int | None = None  # the keyboard's session
        self.scroller: QScrollArea | None = None
        self._fit_height()

    # --- content ------------------------------------------------------------------------
    def set_content(
        self, layout: CalendarLayout, zone: DisplayZone, now: datetime | None, hint: str
    ) -> None:
        """Show `layout`; `now` is the display zone's wall clock (for the now line)."""
        self._layout = layout
        self._zone = zone
        self._now = now
        self._hint = hint
        self._gesture.clear()
        self._hover = None
        self._place()
        if self._selected is not None and self.session_rect(self._selected) is None:
            self._selected = None
        self._announce()
        self.update()

    # --- the keyboard's selection -------------------------------------------------------
    def ordered_sessions(self) -> list[SessionRecord]:
        """The drawn sessions in time order: what Up and Down walk through."""
        blocks = sorted(
            (b for _r, b, _l in self._rects), key=lambda b: (b.session.start_utc, b.column)
        )
        seen: set[int] = set()
        ordered = []
        for block in blocks:
            if block.session.id not in seen:
                seen.add(block.session.id)
                ordered.append(block.session)
        return ordered

    @property
    def selected(self) -> SessionRecord | None:
        return next((s for s in self.ordered_sessions() if s.id == self._selected), None)

    def select(self, session_id: int | None) -> None:
        self._selected = session_id
        rect = self.session_rect(session_id) if session_id is not None else None
        if rect is not None and self.scroller is not None:
            self.scroller.ensureVisible(rect.center().x(), rect.center().y(), 0, rect.height())
        self._announce()
        self.update()

    def select_next(self, step: int) -> None:
        """Select the next (`step` 1) or previous (-1) session; the first or last if none."""
        ordered = self.ordered_sessions()
        if not ordered:
            return
        ids = [s.id for s in ordered]
        if self._selected in ids:
            index = max(0, min(len(ids) - 1, ids.index(self._selected) + step))
        else:
            index = 0 if step > 0 else len(ids) - 1
        self.select(ids[index])

    def _announce(self) -> None:
        """Screen readers hear the selected session: the grid's accessible name says it."""
        session = self.selected
        zone = self._zone
        if session is None or zone is None:
            self.setAccessibleName("Calendar")
            self.setAccessibleDescription(
                "Up and Down select a session; Enter opens it; Alt with the arrows moves it."
            )
        else:
            self.setAccessibleName(self._texts.session_tooltip(session, zone).split("\n")[0])
            self.setAccessibleDescription(self._texts.when(session, zone))
        QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.NameChanged))

    def set_now(self, now: datetime | None) -> None:
        self._now = now
        self.update()

    @property
    def days(self) -> list[date]:
        return [d.day for d in self._layout.days] if self._layout else []

    @property
    def hour_height(self) -> float:
        return self._hour_height

    def set_hour_height(self, height: float) -> None:
        if abs(height - self._hour_height) < 0.01:
            return
        self._hour_height = height
        self._fit_height()
        self._place()
        self.update()

    def _fit_height(self) -> None:
        self.setFixedHeight(math.ceil(self._hour_height * 24) + 1)

    # --- geometry (public: tests and the page use it) ---------------------------------------
    def column_width(self) -> float:
        count = max(1, len(self.days))
        return max(1.0, (self.width() - GUTTER) / count)

    def column_x(self, column: int) -> float:
        return GUTTER + column * self.column_width()

    def y_for(self, minutes: float) -> float:
        return minutes / 60 * self._hour_height

    def point_for(self, day: date, clock_time: time) -> QPoint:
        """The pixel at wall clock `clock_time` of `day` (display zone), in the column's middle
        of its free strip: where a double-click there lands."""
        column = self.days.index(day)
        minutes = clock_time.hour * 60 + clock_time.minute
        x = self.column_x(column) + (self.column_width() - COLUMN_GAP) / 2
        return QPoint(int(x), int(self.y_for(minutes)) + 2)

    def session_rect(self, session_id: int) -> QRect | None:
        """Where the session's first piece is drawn, or None when it is not in view."""
        for rect, block, _lines in self._rects:
            if block.session.id == session_id:
                return rect.toAlignedRect()
        return None

    def clashing(self) -> list[int]:
        """Ids of the shown sessions drawn as clashing (red frame and corner, a ⚠ mark)."""
        layout = self._layout
        if layout is None:
            return []
        return sorted({b.session.id for _r, b, _l in self._rects} & layout.clashing)

    def block_texts(self, session_id: int) -> list[str]:
        """The lines drawn in a session's block."""
        for _rect, block, lines in self._rects:
            if block.session.id == session_id:
                return [line.text for line in lines]
        return []

    def busy_rects(self) -> list[tuple[QRect, str]]:
        """Each busy block's piece as drawn, with its summary."""
        return [(rect.toAlignedRect(), busy.summary) for rect, busy in self._busy_rects]

    def hint(self) -> str:
        """The hint painted over an empty period ('' when there is something to show)."""
        layout = self._layout
        return self._hint if layout is not None and layout.empty else ""

    def slot_at(self, pos: QPoint) -> tuple[date, time] | None:
        """Day and slot start (snapped down to the policy's step) under `pos`."""
        days = self.days
        if not days or pos.x() < GUTTER:
            return None
        minutes = slot_start(self._minutes_at(pos.y()), self._step)
        return days[self._column_at(pos.x())], clock_of(minutes)

    def _column_at(self, x: float) -> int:
        """The day column under `x`, the nearest one when outside them."""
        return min(len(self.days) - 1, max(0, int((x - GUTTER) // self.column_width())))

    def _minutes_at(self, y: float) -> float:
        """Wall-clock minutes past the display day's midnight at pixel row `y`."""
        return y / self._hour_height * 60

    def _place(self) -> None:
        self._rects = []
        self._busy_rects = []
        layout = self._layout
        if layout is None:
            return
        width = self.column_width() - COLUMN_GAP
        for band in layout.busy:
            x = self.column_x(band.column)
            top, bottom = self.y_for(band.start_min), self.y_for(band.end_min)
            self._busy_rects.append(
                (QRectF(x + 1, top + 1, self.column_width() - 2, bottom - top - 1), band.busy)
            )
        for block in layout.timed:
            lane_width = width / block.lanes
            x = self.column_x(block.column) + 1 + block.lane * lane_width
            top = self.y_for(block.start_min) + 1
            height = max(MIN_BLOCK_HEIGHT, self.y_for(block.end_min) - top - 1)
            rect = QRectF(x, top, max(4.0, lane_width - 2), height)
            self._rects.append((rect, block, fit_lines(rect, self._lines(block, rect))))

    # --- painting -------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        colours = self._colours
        clip = QRectF(event.rect())
        width, height = self.width(), self.height()
        painter.fillRect(clip, colours.base)
        layout = self._layout
        days = layout.days if layout else ()
        column_width = self.column_width()
        for column, info in enumerate(days):
            self._paint_day(painter, column, info, column_width, height)

        # Hour and half-hour lines, then the columns' edges.
        painter.setPen(colours.half_line)
        for hour in range(24):
            y = round(self.y_for(hour * 60 + 30))
            if clip.top() - 1 <= y <= clip.bottom() + 1:
                painter.drawLine(GUTTER, y, width, y)
        painter.setPen(colours.grid_line)
        for hour in range(25):
            y = round(self.y_for(hour * 60))
            if clip.top() - 1 <= y <= clip.bottom() + 1:
                painter.drawLine(GUTTER - 5, y, width, y)
        for column in range(len(days) + 1):
            x = round(self.column_x(column))
            painter.drawLine(x, 0, x, height)

        # The hour labels, centred on their lines.
        fonts = self._fonts
        painter.setFont(fonts.small)
        painter.setPen(colours.muted)
        label_height = fonts.small_metrics.height()
        for hour in range(1, 24):
            label_y = self.y_for(hour * 60)
            if clip.top() - label_height <= label_y <= clip.bottom() + label_height:
                painter.drawText(
                    QRectF(0, label_y - label_height / 2, GUTTER - 9, label_height),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    f"{hour:02d}:00",
                )

        for rect, busy in self._busy_rects:
            if rect.intersects(clip):
                paint_busy(painter, rect, colours, busy.summary or "Busy", fonts.small)

        dragged_press = self._gesture.dragged
        dragged = dragged_press.session.id if dragged_press is not None else None
        for rect, block, lines in self._rects:
            if not rect.intersects(clip):
                continue
            session = block.session
            look = colours.kind(session.kind)
            faded = session.status != SessionStatus.PLANNED or session.id == dragged
            outline = look.edge if session.id == self._hover and dragged is None else None
            if session.id == self._selected:
                outline = colours.accent
            paint_block(
                painter,
                rect,
                look,
                lines,
                faded=faded,
                struck=session.status == SessionStatus.CANCELLED,
                outline=outline,
            )
            if layout is not None and session.id in layout.clashing:
                paint_clash(painter, rect)

        self._paint_now(painter)
        self._paint_ghost(painter)
        if layout is not None and layout.empty and self._hint:
            self._paint_hint(painter)
        painter.end()

    def _paint_day(
        self, painter: QPainter, column: int, info: DayInfo, column_width: float, height: int
    ) -> None:
        colours = self._colours
        x = self.column_x(column)
        closed = info.weekend or info.holiday is not None
        painter.fillRect(
            QRectF(x, 0, column_width, height), colours.weekend if closed else colours.off_hours
        )
        for begin, stop in info.work:
            top = self.y_for(begin)
            painter.fillRect(QRectF(x, top, column_width, self.y_for(stop) - top), colours.working)

    def _lines(self, block: TimedBlock, rect: QRectF) -> list[Line]:
        """Customer, then time and kind, then the title, as far as the block's height goes."""
        fonts = self._fonts
        session = block.session
        who = self._texts.who(session)
        if block.starts_here:
            # From the layout's minutes: no zone conversion per block.
            start = datetime.combine(date.min, time()) + timedelta(minutes=block.start_min)
            end = start + timedelta(minutes=session.minutes)
        else:
            zone = self._zone
            assert zone is not None
            start, end = zone.wall(session.start_utc), zone.wall(session.end_utc)
        two_lines = fonts.bold_metrics.height() + fonts.small_metrics.height()
        if rect.height() - 3 < two_lines:
            prefix = f"{start:%H:%M}" if block.starts_here else "…"
            if self._layout is not None and session.id in self._layout.clashing:
                prefix = f"{CLASH_MARK}{prefix}"
            return [(f"{prefix} {who}", fonts.small_bold, fonts.small_bold_metrics, False)]
        kind = self._texts.kind(session.kind)
        if self._layout is not None and session.id in self._layout.clashing:
            who = f"{CLASH_MARK}{who}"
        lines: list[Line] = [
            (who, fonts.bold, fonts.bold_metrics, False),
            (f"{clock_span(start, end)} · {kind}", fonts.small, fonts.small_metrics, True),
        ]
        if session.title:
            lines.append((session.title, fonts.small, fonts.small_metrics, False))
        return lines

    def _paint_now(self, painter: QPainter) -> None:
        now = self._now
        if now is None or now.date() not in self.days:
            return
        column = self.days.index(now.date())
        y = self.y_for(now.hour * 60 + now.minute)
        paint_now(painter, QPointF(self.column_x(column), y), self.column_width(), self._colours)

    def _ghost_rect(self) -> QRectF | None:
        press = self._gesture.dragged
        if press is None or press.target is None:
            return None
        column, start = press.target
        minutes = press.minutes
        top = self.y_for(start) + 1
        height = max(MIN_BLOCK_HEIGHT, self.y_for(start + minutes) - top - 1)
        return QRectF(self.column_x(column) + 1, top, self.column_width() - COLUMN_GAP - 2, height)

    def _paint_ghost(self, painter: QPainter) -> None:
        rect = self._ghost_rect()
        press = self._gesture.dragged
        if rect is None or press is None or press.target is None:
            return
        column, start = press.target
        session = press.session
        look = self._colours.kind(session.kind)
        day = self.days[column]
        begin = datetime.combine(day, time()) + timedelta(minutes=start)
        lines = ghost_lines(begin, press.minutes, self._texts.who(session), self._fonts, rect)
        paint_block(painter, rect, look, fit_lines(rect, lines), outline=self._colours.accent)

    def _paint_hint(self, painter: QPainter) -> None:
        visible = self.visibleRegion().boundingRect()
        if not visible.isEmpty():
            area = QRectF(visible).adjusted(GUTTER, 0, 0, 0)
            paint_hint(painter, area, self._hint, self._fonts, self._colours)

    # --- gestures -------------------------------------------------------------------------
    def block_at(self, pos: QPointF | QPoint) -> TimedBlock | None:
        point = QPointF(pos)
        for rect, block, _lines in reversed(self._rects):
            if rect.contains(point):
                return block
        return None

    def _busy_at(self, pos: QPointF) -> Busy | None:
        for rect, busy in reversed(self._busy_rects):
            if rect.contains(pos):
                return busy
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        block = self.block_at(event.position())
        if block is None:
            self._gesture.clear()
            return
        pointer = self._minutes_at(event.position().y())
        self._gesture.start(
            Press(
                block,
                block.session,
                event.position().toPoint(),
                resizing=self._on_bottom_edge(block, event.position()),
                grab_minutes=int(pointer - self._start_minute(block)),
            )
        )

    def _start_minute(self, block: TimedBlock) -> int:
        """Minutes from the block's day's midnight to its start, in the display zone."""
        zone = self._zone
        assert zone is not None
        return minute_of_day(zone, block.session.start_utc, self.days[block.column])

    def _on_bottom_edge(self, block: TimedBlock, pos: QPointF) -> bool:
        """Whether `pos` grabs the block's end: its bottom few pixels, on a planned session
        that ends on the day it is drawn on."""
        if block.session.status != SessionStatus.PLANNED:
            return False
        for rect, drawn, _lines in self._rects:
            if drawn is block:
                return rect.bottom() - RESIZE_GRIP <= pos.y() <= rect.bottom() + 1 and (
                    self._start_minute(block) + block.session.minutes <= DAY_MINUTES
                )
        return False

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        if not self._gesture.move(pos):
            self._update_hover(pos)

    def _follow(self, press: GridPress, pos: QPoint) -> None:
        """Dragging: the block follows the pointer in grid steps; resizing: only its end."""
        if press.resizing:
            block = press.item
            start = self._start_minute(block)
            press.minutes = resized_length(start, self._minutes_at(pos.y()), self._step)
            press.target = (block.column, start)
        else:
            pointer = self._minutes_at(pos.y()) - press.grab_minutes
            press.target = (self._column_at(pos.x()), snapped_start(pointer, self._step))
        if self.scroller is not None:
            self.scroller.ensureVisible(pos.x(), pos.y(), 0, int(self._hour_height / 2))

    def _drop(self, press: GridPress) -> None:
        assert press.target is not None
        if press.resizing:
            if press.minutes != press.session.minutes:
                self.session_resized.emit(press.session.id, press.minutes)
            return
        column, start = press.target
        day, new_time = self.days[column], clock_of(start)
        zone = self._zone
        assert zone is not None
        old = zone.wall(press.session.start_utc)
        if (old.date(), old.time()) != (day, new_time):
            self.session_dropped.emit(press.session.id, day, new_time)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if not self._gesture.release(event.button()):
            super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if self.block_at(event.position()) is not None:
            return
        slot = self.slot_at(event.position().toPoint())
        if slot is not None:
            self.slot_double_clicked.emit(*slot)

    def leaveEvent(self, event: QEvent) -> None:
        if self._hover is not None:
            self._hover = None
            self.update()
        super().leaveEvent(event)

    def _update_hover(self, pos: QPoint) -> None:
        block = self.block_at(pos)
        hover = block.session.id if block is not None else None
        if block is None:
            self.unsetCursor()
        elif self._on_bottom_edge(block, QPointF(pos)):
            self.setCursor(Qt.CursorShape.SizeVerCursor)
        elif block.session.status == SessionStatus.PLANNED:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        if hover != self._hover:
            self._hover = hover
            self.update()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            zone = self._zone
            block = self.block_at(event.pos())
            text = ""
            if zone is not None and block is not None:
                text = self._texts.session_tooltip(block.session, zone)
            elif zone is not None:
                busy = self._busy_at(QPointF(event.pos()))
                if busy is not None:
                    text = self._texts.busy_tooltip(busy, zone)
            return self._show_tip(event, text)
        return super().event(event)
