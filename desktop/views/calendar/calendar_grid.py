"""The day and week time grid, painted by hand: hundreds of sessions redraw in milliseconds.

`TimeGridView` stacks a `DayHeader` (day names, holidays, the all-day row) over a scrolled
`TimeGrid` (24 hours, 07:00-19:00 in view at first). Both read a `CalendarLayout` that is
already in the display zone; they only turn minutes into pixels and back. Gestures come out
as signals in the display zone's wall clock: the page decides what they mean.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleEvent,
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QScrollArea,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from desktop.services.display.calendar_text import CalendarTexts, clock_span
from desktop.services.display.layout import (
    DAY_MINUTES,
    AllDayBar,
    CalendarLayout,
    DayInfo,
    DisplayZone,
    TimedBlock,
)
from desktop.services.scheduling.ledger import Busy
from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.scheduling.status import SessionStatus
from desktop.views.calendar.calendar_style import CalendarColours, KindLook
from desktop.views.theme import CLASH

GUTTER = 60
MIN_HOUR_HEIGHT = 36
VISIBLE_HOURS = 12
FIRST_VISIBLE_HOUR = 7
COLUMN_GAP = 10  # kept free on each column's right, so a busy day still takes a double-click
RADIUS = 4.0
MIN_BLOCK_HEIGHT = 16
EDGE = 3
RESIZE_GRIP = 5  # pixels at the bottom of a block that grab its end rather than the block
LABEL_LEAD = 9


def _utc_offset(zone: DisplayZone, day: date) -> str:
    """'UTC−5', 'UTC+5:30' at noon of `day` in the display zone."""
    local = zone.local(zone.instant(day, time(12)))
    offset = local.utcoffset() or timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


class _Fonts:
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


class _Press:
    """A button press on a session, until it turns out to be a click or a drag.

    A press on a block's bottom edge (`resizing`) drags its end instead of the whole block."""

    def __init__(
        self, session: SessionRecord, pos: QPoint, grab_minutes: int, resizing: bool = False
    ) -> None:
        self.session = session
        self.pos = pos
        self.grab_minutes = grab_minutes
        self.resizing = resizing
        self.dragging = False
        self.target: tuple[int, int] | None = None  # column, start minute
        self.minutes = session.minutes  # the length being dragged to, when resizing


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


class TimeGrid(QWidget):
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
        self._press: _Press | None = None
        self._hover: int | None = None
        self._selected: int | None = None  # the keyboard's session
        self._colours = CalendarColours(self.palette())
        self._fonts = _Fonts(self.font())
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
        self._press = None
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
        column = min(len(days) - 1, max(0, int((pos.x() - GUTTER) // self.column_width())))
        minutes = int(pos.y() / self._hour_height * 60)
        minutes = max(0, min(DAY_MINUTES - self._step, minutes // self._step * self._step))
        return days[column], time(minutes // 60, minutes % 60)

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

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._place()
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._colours = CalendarColours(self.palette())
        if event.type() == QEvent.Type.FontChange:
            self._fonts = _Fonts(self.font())
        super().changeEvent(event)

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

        dragged = self._press.session.id if self._press and self._press.dragging else None
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
        x = self.column_x(column)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self._colours.now_line, 2))
        painter.drawLine(QPointF(x, y), QPointF(x + self.column_width(), y))
        painter.setBrush(self._colours.now_line)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(QPointF(x, y), 4.5, 4.5)
        painter.restore()

    def _ghost_rect(self) -> QRectF | None:
        press = self._press
        if press is None or not press.dragging or press.target is None:
            return None
        column, start = press.target
        minutes = press.minutes
        top = self.y_for(start) + 1
        height = max(MIN_BLOCK_HEIGHT, self.y_for(start + minutes) - top - 1)
        return QRectF(self.column_x(column) + 1, top, self.column_width() - COLUMN_GAP - 2, height)

    def _paint_ghost(self, painter: QPainter) -> None:
        rect = self._ghost_rect()
        press = self._press
        if rect is None or press is None or press.target is None:
            return
        column, start = press.target
        session = press.session
        look = self._colours.kind(session.kind)
        day = self.days[column]
        begin = datetime.combine(day, time()) + timedelta(minutes=start)
        fonts = self._fonts
        lines = [
            (
                clock_span(begin, begin + timedelta(minutes=press.minutes)),
                fonts.bold,
                fonts.bold_metrics,
                False,
            ),
            (self._texts.who(session), fonts.small, fonts.small_metrics, True),
        ]
        if rect.height() - 3 < fonts.bold_metrics.height() + fonts.small_metrics.height():
            lines = [
                (
                    f"{begin:%H:%M} {self._texts.who(session)}",
                    fonts.small_bold,
                    fonts.small_bold_metrics,
                    False,
                )
            ]
        paint_block(painter, rect, look, fit_lines(rect, lines), outline=self._colours.accent)

    def _paint_hint(self, painter: QPainter) -> None:
        visible = self.visibleRegion().boundingRect()
        if visible.isEmpty():
            return
        fonts = self._fonts
        metrics = fonts.normal_metrics
        text_width = metrics.horizontalAdvance(self._hint)
        box = QRectF(0, 0, text_width + 32, metrics.height() + 18)
        area = QRectF(visible).adjusted(GUTTER, 0, 0, 0)
        box.moveCenter(area.center())
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self._colours.grid_line)
        painter.setBrush(self._colours.base)
        painter.drawRoundedRect(box, box.height() / 2, box.height() / 2)
        painter.setFont(fonts.normal)
        painter.setPen(self._colours.muted)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self._hint)
        painter.restore()

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
            self._press = None
            return
        session_minutes = self._start_minute(block)
        pointer = event.position().y() / self._hour_height * 60
        self._press = _Press(
            block.session,
            event.position().toPoint(),
            int(pointer - session_minutes),
            resizing=self._on_bottom_edge(block, event.position()),
        )

    def _start_minute(self, block: TimedBlock) -> int:
        """Minutes from the block's day's midnight to its start, in the display zone."""
        zone = self._zone
        assert zone is not None
        start = zone.wall(block.session.start_utc)
        return int(
            (start - datetime.combine(self.days[block.column], time())).total_seconds() // 60
        )

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
        press = self._press
        pos = event.position().toPoint()
        if press is None:
            self._update_hover(pos)
            return
        if not press.dragging:
            moved = (pos - press.pos).manhattanLength()
            if (
                moved < QApplication.startDragDistance()
                or press.session.status != SessionStatus.PLANNED
            ):
                return
            press.dragging = True
            self.setCursor(
                Qt.CursorShape.SizeVerCursor if press.resizing else Qt.CursorShape.ClosedHandCursor
            )
        if press.resizing:
            self._drag_end(press, pos)
            return
        days = self.days
        column = min(len(days) - 1, max(0, int((pos.x() - GUTTER) // self.column_width())))
        pointer = pos.y() / self._hour_height * 60 - press.grab_minutes
        start = round(pointer / self._step) * self._step
        start = max(0, min(DAY_MINUTES - self._step, start))
        press.target = (column, start)
        if self.scroller is not None:
            self.scroller.ensureVisible(pos.x(), pos.y(), 0, int(self._hour_height / 2))
        self.update()

    def _drag_end(self, press: _Press, pos: QPoint) -> None:
        """Resizing: the end follows the pointer in steps; the start and day stay put."""
        block = next((b for _r, b, _l in self._rects if b.session.id == press.session.id), None)
        if block is None:
            return
        start = self._start_minute(block)
        end = round(pos.y() / self._hour_height * 60 / self._step) * self._step
        end = max(start + self._step, min(DAY_MINUTES, end))
        press.minutes = end - start
        press.target = (block.column, start)
        if self.scroller is not None:
            self.scroller.ensureVisible(pos.x(), pos.y(), 0, int(self._hour_height / 2))
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        press = self._press
        self._press = None
        self.unsetCursor()
        if press is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        if not press.dragging:
            self.session_clicked.emit(press.session.id)
            return
        self.update()
        if press.target is None:
            return
        if press.resizing:
            if press.minutes != press.session.minutes:
                self.session_resized.emit(press.session.id, press.minutes)
            return
        column, start = press.target
        day = self.days[column]
        new_time = time(start // 60, start % 60)
        zone = self._zone
        assert zone is not None
        old = zone.wall(press.session.start_utc)
        if (old.date(), old.time()) != (day, new_time):
            self.session_dropped.emit(press.session.id, day, new_time)

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
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)


class DayHeader(QWidget):
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
        self._press: tuple[AllDayBar, QPoint] | None = None
        self._drag_delta: int | None = None
        self._colours = CalendarColours(self.palette())
        self._fonts = _Fonts(self.font())
        self._fit_height()

    def set_content(
        self, layout: CalendarLayout, zone: DisplayZone, today: date, day_view: bool
    ) -> None:
        self._layout = layout
        self._zone = zone
        self._today = today
        self._day_view = day_view
        self._press = None
        self._drag_delta = None
        self._fit_height()
        self._place()
        self.update()

    def set_right_inset(self, inset: int) -> None:
        if inset != self._right_inset:
            self._right_inset = inset
            self._place()
            self.update()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._colours = CalendarColours(self.palette())
        if event.type() == QEvent.Type.FontChange:
            self._fonts = _Fonts(self.font())
            self._fit_height()
        super().changeEvent(event)

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

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._place()
        super().resizeEvent(event)

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
                _utc_offset(zone, layout.days[0].day),
            )
        painter.setFont(fonts.small)
        painter.drawText(
            QRectF(4, names_bottom + 3, GUTTER - 12, self._bar_height()),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            "all day",
        )

        dragged = None
        if self._press is not None and self._drag_delta is not None:
            dragged = self._press[0]
        for rect, bar in self._bars:
            self._paint_bar(painter, rect, bar, faded=bar is dragged)
        if dragged is not None and self._drag_delta:
            for rect, bar in self._bars:
                if bar is dragged:
                    shift = self._drag_delta * column_width
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
            painter.setPen(QColor("#ffffff"))
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
            self._press = (bar, event.position().toPoint())
            self._drag_delta = None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        if self._press is None:
            bar = self.hit(event.position())
            if bar is not None and isinstance(bar.item, SessionRecord):
                self.setCursor(Qt.CursorShape.PointingHandCursor)
            else:
                self.unsetCursor()
            return
        bar, start = self._press
        item = bar.item
        assert isinstance(item, SessionRecord)
        if self._drag_delta is None:
            far = (pos - start).manhattanLength() >= QApplication.startDragDistance()
            if not far or item.status != SessionStatus.PLANNED:
                return
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        column_width = self.column_width()
        self._drag_delta = round((pos.x() - start.x()) / column_width)
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        press, delta = self._press, self._drag_delta
        self._press, self._drag_delta = None, None
        self.unsetCursor()
        if press is None or event.button() != Qt.MouseButton.LeftButton:
            return
        item = press[0].item
        assert isinstance(item, SessionRecord)
        self.update()
        if delta is None:
            self.session_clicked.emit(item.id)
        elif delta:
            self.bar_dropped.emit(item.id, delta)

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
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)


class TimeGridView(QWidget):
    """Header over scrolled grid; keeps the grid's hour height so about twelve hours show."""

    def __init__(
        self, texts: CalendarTexts, step_minutes: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("timeGridView")
        self.header = DayHeader(texts)
        self.grid = TimeGrid(texts, step_minutes)
        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("timeGridScroll")
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll_area.setWidget(self.grid)
        self.grid.scroller = self.scroll_area
        self.scroll_area.viewport().installEventFilter(self)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.header)
        column.addWidget(self.scroll_area, 1)
        self._top_minutes = FIRST_VISIBLE_HOUR * 60
        self._fitting = False
        self.scroll_area.verticalScrollBar().valueChanged.connect(self._scrolled)

    def set_content(
        self,
        layout: CalendarLayout,
        zone: DisplayZone,
        today: date,
        now: datetime | None,
        hint: str,
        day_view: bool,
    ) -> None:
        self.header.set_content(layout, zone, today, day_view)
        self.grid.set_content(layout, zone, now, hint)

    def scroll_to(self, minutes: int) -> None:
        """Put wall clock `minutes` at the top of the visible hours (as far as it can go)."""
        self._top_minutes = minutes
        self._apply_scroll()

    def top_minutes(self) -> int:
        return self._top_minutes

    def _scrolled(self, value: int) -> None:
        if not self._fitting:
            self._top_minutes = round((value + LABEL_LEAD) / self.grid.hour_height * 60)

    def _apply_scroll(self) -> None:
        self._fitting = True
        try:
            bar = self.scroll_area.verticalScrollBar()
            # The grid's new height reaches the scroll bar's range only once the scroll
            # area has laid it out; do that now so the value is not clamped to the old range.
            if bar.maximum() < self.grid.height() - self.scroll_area.viewport().height():
                bar.setRange(0, self.grid.height() - self.scroll_area.viewport().height())
            # A few pixels above the first hour, so its label is not cut in half.
            lead = LABEL_LEAD if self._top_minutes > 0 else 0
            bar.setValue(round(self.grid.y_for(self._top_minutes)) - lead)
        finally:
            self._fitting = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.scroll_area.viewport() and event.type() == QEvent.Type.Resize:
            self._fit()
        return super().eventFilter(watched, event)

    def _fit(self) -> None:
        viewport = self.scroll_area.viewport()
        self._fitting = True
        try:
            self.grid.set_hour_height(max(MIN_HOUR_HEIGHT, viewport.height() / VISIBLE_HOURS))
            self.header.set_right_inset(self.scroll_area.width() - viewport.width())
        finally:
            self._fitting = False
        self._apply_scroll()

    def sizeHint(self) -> QSize:
        return QSize(800, 600)
