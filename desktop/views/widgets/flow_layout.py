"""A layout that wraps its items onto the next line when the row runs out of room.

Toolbars of filters use it so that a narrow window (1024 px, the minimum) shows every control
whole on two lines instead of squeezing their texts. Items keep their size hint; an item
with a horizontal stretch factor (`stretch_last`) takes the rest of its line.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QWidget


class FlowLayout(QLayout):
    def __init__(
        self, parent: QWidget | None = None, spacing: int = 6, line_spacing: int = 6
    ) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._line_spacing = line_spacing
        self.stretch_last = False
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    # --- QLayout's interface ------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    # --- placing ------------------------------------------------------------------------
    def _visible(self) -> list[QLayoutItem]:
        return [item for item in self._items if not _hidden(item.widget())]

    def lines(self, width: int) -> list[list[QLayoutItem]]:
        """The items of each line for a given width: what wraps where."""
        result: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._visible():
            wanted = item.sizeHint().width()
            if result[-1] and used + self._spacing + wanted > width:
                result.append([])
                used = 0
            used += (self._spacing if result[-1] else 0) + wanted
            result[-1].append(item)
        return [line for line in result if line]

    def _arrange(self, rect: QRect, apply: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        y = area.y()
        for line in self.lines(area.width()):
            height = max(item.sizeHint().height() for item in line)
            x = area.x()
            for index, item in enumerate(line):
                hint = item.sizeHint()
                width = hint.width()
                last = index == len(line) - 1
                if last and self.stretch_last and _grows(item.widget()):
                    width = max(width, area.right() + 1 - x)
                if apply:
                    top = y + (height - hint.height()) // 2
                    item.setGeometry(QRect(QPoint(x, top), QSize(width, hint.height())))
                x += width + self._spacing
            y += height + self._line_spacing
        return y - self._line_spacing - rect.y() + margins.bottom() if self._items else 0


def _hidden(widget: QWidget | None) -> bool:
    return widget is not None and widget.isHidden()


def _grows(widget: QWidget | None) -> bool:
    return (
        widget is not None
        and widget.sizePolicy().horizontalPolicy() == QSizePolicy.Policy.Expanding
    )
