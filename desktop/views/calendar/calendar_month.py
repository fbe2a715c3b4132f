"""The month view: six weeks of day cells, each with as many session chips as fit and
"+3 more" for the rest (which opens that day). Painted by hand like the week grid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QHelpEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from desktop.services.display.calendar_text import CalendarTexts
from desktop.services.display.layout import DayEntry, DayInfo, DisplayZone
from desktop.services.scheduling.ledger import Busy
from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.scheduling.status import SessionStatus
from desktop.views.calendar.calendar_gesture import DragGesture, Press
from desktop.views.calendar.calendar_paint import (
    CalendarCanvas,
    fit_lines,
    paint_block,
    paint_busy,
    paint_hint,
)
from desktop.views.theme import ON_ACCENT

WEEKS = 6
CHIP_GAP = 2


@dataclass(frozen=True)
class _Chip:
    rect: QRectF
    day: date
    session: SessionRecord


class MonthGrid(CalendarCanvas):
    session_clicked = Signal(int)
    day_requested = Signal(object)  # date: the day number or "+3 more" was clicked
    day_double_clicked = Signal(object)  # date: a double-click on a cell's free space
    session_moved_days = Signal(int, int)  # session id, days moved

    def __init__(self, texts: CalendarTexts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monthGrid")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._texts = texts
        self._month = 1
        self._days: list[DayInfo] = []
        self._entries: dict[date, list[DayEntry]] = {}
        self._zone: DisplayZone | None = None
        self._today: date | None = None
        self._hint = ""
        self._chips: list[_Chip] = []
        self._more: dict[date, QRectF] = {}
        self._numbers: dict[date, QRectF] = {}
        self._busy_marks: dict[date, QRectF] = {}
        self._gesture: DragGesture[_Chip, date] = DragGesture(
            self, self._follow, self._drop, self.session_clicked.emit
        )

    def set_content(
        self,
        month: int,
        days: list[DayInfo],
        entries: dict[date, list[DayEntry]],
        zone: DisplayZone,
        today: date,
        hint: str,
    ) -> None:
        self._month = month
        self._days = days
        self._entries = entries
        self._zone = zone
        self._today = today
        self._hint = hint
        self._gesture.clear()
        self._place()
        self.update()

    # --- geometry ---------------------------------------------------------------------------
    def _header_height(self) -> int:
        return self._fonts.small_bold_metrics.height() + 12

    def cell_rect(self, day: date) -> QRectF:
        index = [d.day for d in self._days].index(day)
        row, column = divmod(index, 7)
        width = self.width() / 7
        top = self._header_height()
        height = (self.height() - top) / WEEKS
        return QRectF(column * width, top + row * height, width, height)

    def session_rect(self, session_id: int) -> QRect | None:
        for chip in self._chips:
            if chip.session.id == session_id:
                return chip.rect.toAlignedRect()
        return None

    def more_rect(self, day: date) -> QRect | None:
        rect = self._more.get(day)
        return rect.toAlignedRect() if rect is not None else None

    def point_for(self, day: date) -> QPoint:
        """A point in the cell's free space (below its chips): where a double-click books."""
        rect = self.cell_rect(day)
        return QPoint(int(rect.center().x()), int(rect.bottom() - 4))

    def caption(self, day: date) -> str:
        """The cell's first line: the day's number, then the holiday's name."""
        for info in self._days:
            if info.day == day:
                text = str(day.day)
                return f"{text} · {info.holiday}" if info.holiday else text
        return ""

    def hidden_count(self, day: date) -> int:
        """How many sessions of `day` hide behind "+N more"."""
        sessions = sum(isinstance(e.item, SessionRecord) for e in self._entries.get(day, []))
        return sessions - len(self.shown_sessions(day))

    def shown_sessions(self, day: date) -> list[int]:
        return [chip.session.id for chip in self._chips if chip.day == day]

    def _place(self) -> None:
        self._chips = []
        self._more = {}
        self._numbers = {}
        self._busy_marks = {}
        fonts = self._fonts
        line = fonts.bold_metrics.height() + 6
        chip_height = fonts.small_bold_metrics.height() + 4
        for info in self._days:
            cell = self.cell_rect(info.day)
            number = str(info.day.day) if info.day.day != 1 else f"{info.day.day} {info.day:%b}"
            number_width = fonts.bold_metrics.horizontalAdvance(number) + 12
            self._numbers[info.day] = QRectF(
                cell.left() + 3, cell.top() + 3, number_width, line - 2
            )
            entries = self._entries.get(info.day, [])
            sessions = [e for e in entries if isinstance(e.item, SessionRecord)]
            if any(isinstance(e.item, Busy) for e in entries):
                mark_width = fonts.small_metrics.horizontalAdvance("busy") + 12
                mark_height = fonts.small_metrics.height() + 2
                self._busy_marks[info.day] = QRectF(
                    cell.right() - mark_width - 5,
                    cell.top() + 3 + (line - 2 - mark_height) / 2,
                    mark_width,
                    mark_height,
                )
            top = cell.top() + line + 2
            room = int((cell.bottom() - 3 - top + CHIP_GAP) // (chip_height + CHIP_GAP))
            shown = sessions if len(sessions) <= room else sessions[: max(0, room - 1)]
            for index, entry in enumerate(shown):
                y = top + index * (chip_height + CHIP_GAP)
                rect = QRectF(cell.left() + 4, y, cell.width() - 8, chip_height)
                assert isinstance(entry.item, SessionRecord)
                self._chips.append(_Chip(rect, info.day, entry.item))
            hidden = len(sessions) - len(shown)
            if hidden:
                y = top + len(shown) * (chip_height + CHIP_GAP)
                self._more[info.day] = QRectF(cell.left() + 4, y, cell.width() - 8, chip_height)

    # --- painting -------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        colours = self._colours
        fonts = self._fonts
        painter.fillRect(self.rect(), colours.base)
        header = self._header_height()
        painter.fillRect(QRectF(0, 0, self.width(), header), colours.header)
        painter.setFont(fonts.small_bold)
        painter.setPen(colours.muted)
        width = self.width() / 7
        for column, info in enumerate(self._days[:7]):
            painter.drawText(
                QRectF(column * width, 0, width, header),
                Qt.AlignmentFlag.AlignCenter,
                f"{info.day:%a}".upper(),
            )
        for info in self._days:
            self._paint_cell(painter, info)
        painter.setPen(colours.grid_line)
        for column in range(1, 7):
            x = round(column * width)
            painter.drawLine(x, 0, x, self.height())
        height = (self.height() - header) / WEEKS
        for row in range(WEEKS):
            y = round(header + row * height)
            painter.drawLine(0, y, self.width(), y)

        press = self._gesture.dragged
        dragged = press.item if press is not None and press.target else None
        drag_day = press.target if press is not None else None
        for chip in self._chips:
            self._paint_chip(painter, chip.rect, chip.session, faded=chip is dragged)
        for day, rect in self._more.items():
            hidden = self.hidden_count(day)
            painter.setFont(fonts.small_bold)
            painter.setPen(colours.accent_text)
            painter.drawText(
                rect.adjusted(6, 0, 0, 0),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"+{hidden} more",
            )
        if dragged is not None and drag_day is not None and drag_day != dragged.day:
            cell = self.cell_rect(drag_day)
            ghost = QRectF(
                cell.left() + 4,
                cell.top() + fonts.bold_metrics.height() + 8,
                cell.width() - 8,
                dragged.rect.height(),
            )
            painter.fillRect(cell.adjusted(1, 1, -1, -1), colours.today_fill)
            self._paint_chip(painter, ghost, dragged.session, outline=colours.accent)
        if self._hint and not self._chips and not self._more:
            self._paint_hint(painter)
        painter.end()

    def _paint_cell(self, painter: QPainter, info: DayInfo) -> None:
        colours = self._colours
        fonts = self._fonts
        cell = self.cell_rect(info.day)
        inside = info.day.month == self._month
        if not inside:
            painter.fillRect(cell, colours.off_hours)
        elif info.weekend or info.holiday:
            painter.fillRect(cell, colours.weekend)
        number_rect = self._numbers[info.day]
        number = str(info.day.day) if info.day.day != 1 else f"{info.day.day} {info.day:%b}"
        painter.setFont(fonts.bold)
        if info.day == self._today:
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colours.accent)
            painter.drawRoundedRect(number_rect, number_rect.height() / 2, number_rect.height() / 2)
            painter.restore()
            painter.setPen(ON_ACCENT)
        else:
            painter.setPen(colours.text if inside else colours.muted)
        painter.drawText(number_rect, Qt.AlignmentFlag.AlignCenter, number)
        busy = self._busy_marks.get(info.day)
        right = busy.left() - 4 if busy is not None else cell.right() - 4
        if info.holiday:
            painter.setFont(fonts.small)
            painter.setPen(colours.holiday)
            left = number_rect.right() + 2
            text = fonts.small_metrics.elidedText(
                info.holiday, Qt.TextElideMode.ElideRight, int(right - left)
            )
            painter.drawText(
                QRectF(left, number_rect.top(), right - left, number_rect.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                text,
            )
        if busy is not None:
            paint_busy(painter, busy, colours, "busy", fonts.small)

    def _paint_chip(
        self,
        painter: QPainter,
        rect: QRectF,
        session: SessionRecord,
        faded: bool = False,
        outline: QColor | None = None,
    ) -> None:
        fonts = self._fonts
        zone = self._zone
        who = self._texts.who(session)
        if session.all_day or zone is None:
            text = f"{self._texts.kind(session.kind)} · {who}"
        else:
            text = f"{zone.wall(session.start_utc):%H:%M} {who}"
        paint_block(
            painter,
            rect,
            self._colours.kind(session.kind),
            fit_lines(rect, [(text, fonts.small_bold, fonts.small_bold_metrics, False)]),
            faded=faded or session.status != SessionStatus.PLANNED,
            struck=session.status == SessionStatus.CANCELLED,
            outline=outline,
        )

    def _paint_hint(self, painter: QPainter) -> None:
        paint_hint(painter, QRectF(self.rect()), self._hint, self._fonts, self._colours)

    # --- gestures -------------------------------------------------------------------------
    def _chip_at(self, pos: QPointF) -> _Chip | None:
        for chip in self._chips:
            if chip.rect.contains(pos):
                return chip
        return None

    def _day_at(self, pos: QPointF) -> date | None:
        for info in self._days:
            if self.cell_rect(info.day).contains(pos):
                return info.day
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position()
        chip = self._chip_at(pos)
        if chip is not None:
            self._gesture.start(Press(chip, chip.session, pos.toPoint()))
            return
        for day, rect in list(self._more.items()) + list(self._numbers.items()):
            if rect.contains(pos):
                self.day_requested.emit(day)
                return

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._gesture.move(pos.toPoint()):
            return
        over = self._chip_at(pos) is not None or any(
            r.contains(pos) for r in [*self._more.values(), *self._numbers.values()]
        )
        if over:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.unsetCursor()

    def _follow(self, press: Press[_Chip, date], pos: QPoint) -> None:
        press.target = self._day_at(QPointF(pos)) or press.item.day

    def _drop(self, press: Press[_Chip, date]) -> None:
        day = press.item.day
        if press.target is not None and press.target != day:
            self.session_moved_days.emit(press.session.id, (press.target - day).days)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._gesture.release(event.button())

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if event.button() != Qt.MouseButton.LeftButton or self._chip_at(pos) is not None:
            return
        if any(r.contains(pos) for r in [*self._more.values(), *self._numbers.values()]):
            return
        day = self._day_at(pos)
        if day is not None:
            self.day_double_clicked.emit(day)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            pos = QPointF(event.pos())
            zone = self._zone
            text = ""
            chip = self._chip_at(pos)
            if chip is not None and zone is not None:
                text = self._texts.session_tooltip(chip.session, zone)
            elif zone is not None:
                for day, rect in self._busy_marks.items():
                    if rect.contains(pos):
                        text = "\n\n".join(
                            self._texts.busy_tooltip(e.item, zone)
                            for e in self._entries.get(day, [])
                            if isinstance(e.item, Busy)
                        )
                for day, rect in self._more.items():
                    if rect.contains(pos):
                        text = f"Show all of {day:%a} {day.day} {day:%b}"
                under = self._day_at(pos)
                info = next((d for d in self._days if d.day == under), None)
                number = self._numbers.get(under) if under is not None else None
                if (
                    not text
                    and info is not None
                    and info.holiday
                    and number is not None
                    and pos.y() <= number.bottom()
                ):
                    text = info.holiday
            return self._show_tip(event, text)
        return super().event(event)
