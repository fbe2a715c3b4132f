"""The dashboard's right column: this week's sessions, and the allowance chart."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.attention import WeekSession
from desktop.services.business_time import BusinessClock
from desktop.services.dashboard import AllowanceUse, week_subtitle
from desktop.services.display.session_format import DASH
from desktop.services.policy import Policy
from desktop.services.scheduling.status import SessionStatus
from desktop.views.theme import accent_text
from desktop.views.widgets.charts import AllowanceChart

WEEK_ROWS_SHOWN = 9
SESSION_ROLE = Qt.ItemDataRole.UserRole
_TEXTS_ROLE = Qt.ItemDataRole.UserRole + 1


class _WeekDelegate(QStyledItemDelegate):
    """Two lines per session: who and what, then when and its status; the day on the left."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        line = option.fontMetrics.lineSpacing()
        return QSize(200, line * 2 + 14)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        record = index.data(SESSION_ROLE)
        texts = index.data(_TEXTS_ROLE)
        if not isinstance(record, WeekSession) or not isinstance(texts, tuple):
            super().paint(painter, option, index)
            return
        painter.save()
        self._paint_hover(painter, option)
        self._paint_texts(painter, option, texts, faded=record.status != SessionStatus.PLANNED)
        painter.restore()

    @staticmethod
    def _paint_hover(painter: QPainter, option: QStyleOptionViewItem) -> None:
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected or hovered:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(option.palette.color(QPalette.ColorRole.AlternateBase))
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.drawRoundedRect(QRect(option.rect).adjusted(0, 1, 0, -1), 6, 6)

    @staticmethod
    def _paint_texts(
        painter: QPainter,
        option: QStyleOptionViewItem,
        texts: tuple[str, str, str, bool],
        faded: bool,
    ) -> None:
        day, top_line, bottom_line, is_today = texts
        palette = option.palette
        rect = QRect(option.rect)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        text = palette.color(QPalette.ColorRole.Text)
        font = QFont(option.font)
        metrics = QFontMetrics(font)
        line = metrics.lineSpacing()
        day_width = metrics.horizontalAdvance("Wed 30") + 16
        bold = QFont(font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(accent_text(palette) if is_today else text)
        top = rect.top() + 7
        painter.drawText(
            QRect(rect.left() + 8, top, day_width, line), Qt.AlignmentFlag.AlignLeft, day
        )
        left = rect.left() + 8 + day_width
        width = rect.width() - day_width - 16
        painter.setPen(muted if faded else text)
        painter.drawText(
            QRect(left, top, width, line),
            Qt.AlignmentFlag.AlignLeft,
            QFontMetrics(bold).elidedText(top_line, Qt.TextElideMode.ElideRight, width),
        )
        painter.setFont(font)
        painter.setPen(muted)
        painter.drawText(
            QRect(left, top + line, width, line),
            Qt.AlignmentFlag.AlignLeft,
            metrics.elidedText(bottom_line, Qt.TextElideMode.ElideRight, width),
        )


def _card_label(text: str, name: str, wrap: bool = False) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


class _Card(QFrame):
    """A white card: a title, a subtitle, then its content."""

    def __init__(self, title: str, subtitle: QLabel, bottom: int) -> None:
        super().__init__()
        self.setObjectName("dashCard")
        self.title = _card_label(title, "cardTitle")
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(16, 14, 16, bottom)
        self.column.setSpacing(4)
        self.column.addWidget(self.title)
        self.column.addWidget(subtitle)


class WeekCard(_Card):
    """This week's sessions, two lines each; a click opens one (`session_opened`)."""

    session_opened = Signal(object)  # the WeekSession

    def __init__(self, clock: BusinessClock, policy: Policy) -> None:
        self.subtitle = _card_label("", "cardSubtitle")
        super().__init__("This week", self.subtitle, 14)
        self._clock = clock
        self._policy = policy
        self.list = QListWidget()
        self.list.setObjectName("weekList")
        self.list.setItemDelegate(_WeekDelegate(self.list))
        self.list.setMouseTracking(True)
        self.list.setFrameShape(QFrame.Shape.NoFrame)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.list.setCursor(Qt.CursorShape.PointingHandCursor)
        self.list.itemActivated.connect(self._opened)
        self.list.itemClicked.connect(self._opened)
        self.empty = _card_label("Nothing is booked this week.", "cardEmpty", wrap=True)
        self.empty.hide()
        self.column.addSpacing(6)
        self.column.addWidget(self.list)
        self.column.addWidget(self.empty)

    def show_week(self, sessions: Sequence[WeekSession], today: date) -> None:
        self.subtitle.setText(week_subtitle(today, len(sessions)))
        self.list.clear()
        for record in sessions:
            self.list.addItem(self._item(record, today))
        rows = self.list.count()
        if rows:
            # A busy week scrolls inside the card rather than stretching the page.
            hint = self.list.sizeHintForRow(0)
            self.list.setFixedHeight(hint * min(rows, WEEK_ROWS_SHOWN) + 2)
        self.list.setVisible(bool(rows))
        self.empty.setVisible(not rows)

    def _item(self, record: WeekSession, today: date) -> QListWidgetItem:
        start = self._clock.et(record.start_utc)
        end = self._clock.et(record.end_utc)
        kind = self._policy.kind(record.kind).label
        who = ", ".join(record.customers)
        if record.all_day:
            when = "All day"
        else:
            when = f"{start:%H:%M}{DASH}{end:%H:%M} {self._policy.time.zone_label}"
        planned = record.status == SessionStatus.PLANNED
        status = "" if planned else f" · {record.status}"
        item = QListWidgetItem(f"{who} · {kind}")
        item.setData(SESSION_ROLE, record)
        item.setData(
            _TEXTS_ROLE,
            (f"{start:%a} {start.day}", who, f"{when} · {kind}{status}", start.date() == today),
        )
        item.setToolTip(
            f"{who}\n{kind}, {start:%A} {start.day} {start:%B}, {when}{status}\n"
            + ("Click to change it." if planned else "Click to open.")
        )
        return item

    def _opened(self, item: QListWidgetItem) -> None:
        record = item.data(SESSION_ROLE)
        if isinstance(record, WeekSession):
            self.session_opened.emit(record)

    def texts(self) -> list[str]:
        return [self.list.item(row).text() for row in range(self.list.count())]


class ChartCard(_Card):
    """Each customer's fullest allowance; a click on one asks for the customer."""

    def __init__(self) -> None:
        super().__init__(
            "Allowance use",
            _card_label(
                "Each customer's fullest allowance, the fullest first: used, then scheduled "
                "(hatched). Click one to open the customer.",
                "cardSubtitle",
                wrap=True,
            ),
            16,
        )
        self.chart = AllowanceChart()
        self.empty = _card_label("No allowance is in use yet this period.", "cardEmpty", True)
        self.empty.hide()
        self.chart.hide()
        self.column.addSpacing(10)
        self.column.addWidget(self.chart)
        self.column.addWidget(self.empty)

    def show_chart(self, chart: Sequence[AllowanceUse]) -> None:
        self.chart.set_rows(chart)
        self.chart.setVisible(bool(chart))
        self.empty.setVisible(not chart)


def right_column(week: WeekCard, chart: ChartCard, minimum: int, maximum: int) -> QWidget:
    """The week over the chart, as wide as the page lets it be between the two widths."""
    side = QWidget()
    column = QVBoxLayout(side)
    column.setSpacing(16)
    column.addWidget(week)
    column.addWidget(chart)
    column.addStretch()
    side.setMinimumWidth(minimum)
    side.setMaximumWidth(maximum)
    return side
