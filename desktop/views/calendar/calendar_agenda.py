"""The agenda: the period's sessions and busy time as a list grouped by day.

Days with nothing on them are left out, except holidays (worth knowing about when planning).
Enter or a double-click on a session opens it, as in every list of the app.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QFont, QHelpEvent, QIcon, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from desktop.services.display.calendar_text import CalendarTexts, clock_span, long_day
from desktop.services.display.layout import DayEntry, DayInfo, DisplayZone
from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.scheduling.status import SessionStatus
from desktop.views.calendar.calendar_style import CalendarColours, busy_swatch, kind_swatch

SESSION_ROLE = Qt.ItemDataRole.UserRole
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
DAY_ROLE = Qt.ItemDataRole.UserRole + 2
WHEN, WHO, KIND, DETAILS = range(4)
HEADERS = ("Time", "Customer", "Kind", "Details")


class _DayBand(QStyledItemDelegate):
    """Paints a day's heading row itself, as a tinted band across the list: the style
    sheet's item rule would draw over an item's own background."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        if not index.data(DAY_ROLE):
            super().paint(painter, option, index)
            return
        view = self.parent()
        palette = view.palette() if isinstance(view, QWidget) else QPalette()
        colours = CalendarColours(palette)
        painter.save()
        painter.fillRect(option.rect, colours.weekend)
        painter.setPen(colours.grid_line)
        painter.drawLine(option.rect.bottomLeft(), option.rect.bottomRight())
        font = index.data(Qt.ItemDataRole.FontRole)
        if isinstance(font, QFont):
            painter.setFont(font)
        brush = index.data(Qt.ItemDataRole.ForegroundRole)
        painter.setPen(brush.color() if isinstance(brush, QBrush) else colours.text)
        painter.drawText(
            option.rect.adjusted(8, 0, -8, 0),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            str(index.data(Qt.ItemDataRole.DisplayRole) or ""),
        )
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)
        if index.data(DAY_ROLE):
            size.setHeight(size.height() + 10)
        return size


class AgendaList(QTreeWidget):
    session_activated = Signal(int)

    def __init__(self, texts: CalendarTexts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agendaList")
        self._texts = texts
        self.setColumnCount(len(HEADERS))
        self.setHeaderLabels(list(HEADERS))
        self.setRootIsDecorated(False)
        self.setItemsExpandable(False)
        self.setUniformRowHeights(False)
        self.setAllColumnsShowFocus(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setIndentation(0)
        header = self.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(WHEN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(WHO, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(KIND, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(WHO, 280)
        self.itemActivated.connect(self._activated)
        self.setItemDelegate(_DayBand(self))
        self._zone: DisplayZone | None = None

    def set_entries(
        self,
        days: list[DayInfo],
        entries: dict[date, list[DayEntry]],
        zone: DisplayZone,
        today: date,
        empty_text: str,
    ) -> None:
        colours = CalendarColours(self.palette())
        palette = self.palette()
        self._zone = zone
        day_font = QFont(self.font())
        day_font.setWeight(QFont.Weight.DemiBold)
        muted = QBrush(colours.muted)
        swatches = {kind: kind_swatch(kind, palette) for kind in self._texts.labels}
        busy_icon = busy_swatch(palette)
        rows: list[QTreeWidgetItem] = []
        spanned: list[QTreeWidgetItem] = []
        for info in days:
            listed = entries.get(info.day, [])
            if not listed and not info.holiday:
                continue
            title = long_day(info.day)
            if info.day == today:
                title = f"Today · {title}"
            if info.holiday:
                title += f" · {info.holiday}"
            day_item = QTreeWidgetItem([title])
            day_item.setFont(WHEN, day_font)
            day_item.setData(WHEN, DAY_ROLE, True)
            day_item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            if info.holiday:
                day_item.setForeground(WHEN, QBrush(colours.holiday))
            elif info.day == today:
                day_item.setForeground(WHEN, QBrush(colours.accent_text))
            rows.append(day_item)
            spanned.append(day_item)
            if not listed:
                note = QTreeWidgetItem(["", "No sessions: a holiday"])
                note.setFlags(Qt.ItemFlag.ItemIsEnabled)
                note.setForeground(WHO, muted)
                rows.append(note)
            rows += [self._row(entry, zone, swatches, busy_icon, muted) for entry in listed]
        if not rows:
            note = QTreeWidgetItem([empty_text])
            note.setFlags(Qt.ItemFlag.ItemIsEnabled)
            note.setForeground(WHEN, muted)
            rows.append(note)
            spanned.append(note)
        # All rows in one go, spans after: item by item, each span relaid the whole list.
        self.setUpdatesEnabled(False)
        try:
            self.clear()
            self.addTopLevelItems(rows)
            for item in spanned:
                item.setFirstColumnSpanned(True)
        finally:
            self.setUpdatesEnabled(True)

    def _row(
        self,
        entry: DayEntry,
        zone: DisplayZone,
        swatches: dict[str, QIcon],
        busy_icon: QIcon,
        muted: QBrush,
    ) -> QTreeWidgetItem:
        when = "all day"
        if entry.start is not None and entry.end is not None:
            when = f"{clock_span(entry.start, entry.end)} {zone.short}"
            if entry.end.date() != entry.start.date():
                when += " (+1)"
        item = entry.item
        if isinstance(item, SessionRecord):
            details = []
            if item.title:
                details.append(item.title)
            if item.status != SessionStatus.PLANNED:
                details.append(SessionStatus(item.status).label)
            if item.billable:
                details.append("billable")
            if item.override_reason:
                details.append(f"override: {item.override_reason}")
            row = QTreeWidgetItem(
                [when, ", ".join(item.customers), self._texts.kind(item.kind), " · ".join(details)]
            )
            row.setIcon(KIND, swatches.get(item.kind) or kind_swatch(item.kind, self.palette()))
            row.setData(WHEN, SESSION_ROLE, item.id)
            row.setData(WHEN, RECORD_ROLE, item)
            if item.status != SessionStatus.PLANNED:
                for column in range(len(HEADERS)):
                    row.setForeground(column, muted)
            return row
        row = QTreeWidgetItem([when, item.summary or "Busy", "Busy", "In your own calendar"])
        row.setIcon(KIND, busy_icon)
        row.setFlags(Qt.ItemFlag.ItemIsEnabled)
        for column in range(len(HEADERS)):
            row.setForeground(column, muted)
        return row

    def session_ids(self) -> list[int]:
        ids = []
        for index in range(self.topLevelItemCount()):
            item = self.topLevelItem(index)
            value = item.data(WHEN, SESSION_ROLE) if item is not None else None
            if isinstance(value, int):
                ids.append(value)
        return ids

    def texts(self) -> list[str]:
        """Each row's cells joined by ' | ': what the user reads, for tests and screen readers."""
        rows = []
        for index in range(self.topLevelItemCount()):
            item = self.topLevelItem(index)
            if item is None:
                continue
            cells = [item.text(c) for c in range(len(HEADERS))]
            rows.append(" | ".join(c for c in cells if c))
        return rows

    def viewportEvent(self, event: QEvent) -> bool:
        # Tooltips are worded when asked for: hundreds of rows need none up front.
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            item = self.itemAt(event.pos())
            record = item.data(WHEN, RECORD_ROLE) if item is not None else None
            if isinstance(record, SessionRecord) and self._zone is not None:
                QToolTip.showText(
                    event.globalPos(), self._texts.session_tooltip(record, self._zone), self
                )
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        value = item.data(WHEN, SESSION_ROLE)
        if isinstance(value, int):
            self.session_activated.emit(value)
