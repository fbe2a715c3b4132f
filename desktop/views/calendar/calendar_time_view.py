"""`TimeGridView` stacks a `DayHeader` (day names, holidays, the all-day row) over a scrolled
`TimeGrid` (24 hours, 07:00-19:00 in view at first) and keeps about twelve hours in view."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import (
    QFrame,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.services.display.calendar_text import CalendarTexts
from desktop.services.display.layout import (
    CalendarLayout,
    DisplayZone,
)
from desktop.views.calendar.calendar_grid import (
    FIRST_VISIBLE_HOUR,
    LABEL_LEAD,
    MIN_HOUR_HEIGHT,
    VISIBLE_HOURS,
    TimeGrid,
)
from desktop.views.calendar.calendar_header import DayHeader


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
