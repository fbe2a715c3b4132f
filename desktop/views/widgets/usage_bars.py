"""Usage bars: how much of each allowance is used, scheduled and left, at a glance.

A painted bar says more than three numbers: used in solid accent, scheduled hatched, left
empty; whatever runs past the allowance is red, with the allowance marked by a tick.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from desktop.services.display.session_format import hours_text
from desktop.services.scheduling.usage import Allowance, CustomerUsage
from desktop.views.widgets.bar_paint import paint_amounts, paint_track

BAR_HEIGHT = 10


def _amount(value: float, unit: str) -> str:
    return hours_text(value) if unit == "hours" else f"{value:g}"


def allowance_text(allowance: Allowance) -> str:
    """'Onboarding hours: 3 used · 2 scheduled · 3 left of 8' (over: '… · 2 over the 8')."""
    used = f"{allowance.used:g} used · {allowance.scheduled:g} scheduled"
    if allowance.over:
        return f"{allowance.label}: {used} · {allowance.over:g} over the {allowance.allowed:g}"
    return f"{allowance.label}: {used} · {allowance.remaining:g} left of {allowance.allowed:g}"


def billable_text(usage: CustomerUsage) -> str:
    """'Billable: 2.5 h = $1,225'."""
    dollars = f"${usage.billable_usd:,.0f}"
    if usage.billable_usd != round(usage.billable_usd):
        dollars = f"${usage.billable_usd:,.2f}"
    return f"Billable: {hours_text(usage.billable_hours)} = {dollars}"


class UsageBar(QWidget):
    """One allowance drawn as a bar; it only paints what it is given."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usageBar")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(BAR_HEIGHT + 2)
        self._allowed = 0.0
        self._used = 0.0
        self._scheduled = 0.0

    def set_amounts(self, allowed: float, used: float, scheduled: float) -> None:
        self._allowed, self._used, self._scheduled = allowed, used, scheduled
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(200, BAR_HEIGHT + 2)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        track = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        palette = self.palette()
        inner = paint_track(painter, track, palette)
        total = self._used + self._scheduled
        scale = max(self._allowed, total)
        if scale <= 0:
            painter.end()
            return

        def x_at(amount: float) -> float:
            return inner.left() + inner.width() * min(amount, scale) / scale

        allowed_x = x_at(self._allowed)
        paint_amounts(painter, inner, x_at(self._used), x_at(total), allowed_x)
        if total > self._allowed:
            painter.setPen(QPen(palette.color(QPalette.ColorRole.WindowText), 1.5))
            painter.drawLine(int(allowed_x), 0, int(allowed_x), self.height())
        painter.end()


class _Legend(QWidget):
    """'■ used  ▨ scheduled  □ left', drawn with the bar's own colours."""

    def __init__(self) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        for label, amounts in (("used", (1, 1, 0)), ("scheduled", (1, 0, 1)), ("left", (1, 0, 0))):
            swatch = UsageBar()
            swatch.setFixedSize(22, BAR_HEIGHT + 2)
            swatch.set_amounts(*amounts)
            text = QLabel(label)
            text.setObjectName("usageLegend")
            row.addWidget(swatch)
            row.addWidget(text)
            row.addSpacing(6)
        row.addStretch()


class UsageBars(QWidget):
    """Every allowance of one customer, plus the billable hours line when there are any."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usageBars")
        # A column, not a grid: wrapped labels only get their height right in a box layout.
        self._rows = QVBoxLayout()
        self._rows.setContentsMargins(0, 0, 0, 0)
        self._rows.setSpacing(3)
        self.billable = QLabel()
        self.billable.setObjectName("usageBillable")
        self.billable.hide()
        self.legend = _Legend()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(self._rows)
        layout.addWidget(self.billable)
        layout.addWidget(self.legend)
        self._texts: list[str] = []

    def set_usage(self, usage: CustomerUsage | None) -> None:
        while self._rows.count():
            item = self._rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self._texts = []
        if usage is None:
            self.billable.hide()
            return
        for allowance in usage.allowances:
            text = allowance_text(allowance)
            self._texts.append(text)
            label = QLabel(self._rich(allowance))
            label.setObjectName("usageLabel")
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setWordWrap(True)
            label.setProperty("over", allowance.over > 0)
            label.setToolTip(self._tooltip(allowance))
            bar = UsageBar()
            bar.set_amounts(allowance.allowed, allowance.used, allowance.scheduled)
            bar.setToolTip(label.toolTip())
            self._rows.addWidget(label)
            self._rows.addWidget(bar)
            self._rows.addSpacing(5)
        if usage.billable_hours:
            self.billable.setText(billable_text(usage))
            self.billable.show()
        else:
            self.billable.hide()

    @staticmethod
    def _rich(allowance: Allowance) -> str:
        """The same words as `allowance_text`, with the name in bold and each figure kept
        whole when the line wraps ('3 left of 8' never splits across lines)."""
        name, _, figures = allowance_text(allowance).partition(": ")
        parts = [html.escape(part).replace(" ", "&nbsp;") for part in figures.split(" · ")]
        return f"<b>{html.escape(name)}</b>: " + " · ".join(parts)

    @staticmethod
    def _tooltip(allowance: Allowance) -> str:
        unit = "hours" if allowance.unit == "hours" else "sessions"
        text = (
            f"{_amount(allowance.used, allowance.unit)} used, "
            f"{_amount(allowance.scheduled, allowance.unit)} scheduled of "
            f"{_amount(allowance.allowed, allowance.unit)} ({unit})"
        )
        if allowance.period is not None:
            last = allowance.period.last_day
            text += f"\nCounted {allowance.period.start:%d %b %Y} – {last:%d %b %Y}"
        return text

    def texts(self) -> list[str]:
        """The allowance lines as shown, in order (the billable line apart)."""
        return list(self._texts)
