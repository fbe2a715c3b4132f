"""The dashboard's left column: a card per thing to act on, grouped in folding sections, and
the panel that says nothing needs the manager."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.services.attention import AttentionItem
from desktop.services.dashboard import split_title
from desktop.views.theme import ACCENT
from desktop.views.widgets.icons import icon

ITEMS_SHOWN = 4
# Cards added per click on "Show more": a lead's team can owe thousands, and building them
# all at once froze the window for seconds.
MORE_PER_CLICK = 50


class AttentionCard(QFrame):
    """One thing to act on: who, what, why, and the button that does it."""

    def __init__(self, item: AttentionItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.acted = False  # set once its button worked; the card goes before the recount
        self.setObjectName("attentionCard")
        self.setProperty("category", item.category)
        who, what = split_title(item)
        self.title = QLabel()
        self.title.setObjectName("attentionTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setText(f"{who} · {what}" if who else what)
        self.title.setWordWrap(True)
        self.detail = QLabel(item.detail)
        self.detail.setObjectName("attentionDetail")
        self.detail.setWordWrap(True)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.title)
        text.addWidget(self.detail)
        self.buttons: list[QPushButton] = []
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(14, 9, 12, 9)
        self._row.setSpacing(10)
        self._row.addLayout(text, 1)

    def add_button(self, text: str, tooltip: str, primary: bool = False) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName("cardPrimary" if primary else "cardButton")
        button.setToolTip(tooltip)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._row.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.buttons.append(button)
        return button


class AttentionSection(QWidget):
    """A category's header with its count, then its first few cards; "Show all" (or "Show 50
    more", a page at a time) unfolds the rest, "Show fewer" folds them again."""

    def __init__(
        self,
        category: str,
        title: str,
        hint: str,
        parent: QWidget | None = None,
        first_shown: int = ITEMS_SHOWN,
    ):
        super().__init__(parent)
        self.category = category
        self.first_shown = first_shown
        self.setObjectName("attentionSection")
        self.title = QLabel(title)
        self.title.setObjectName("sectionTitle")
        self.count = QLabel()
        self.count.setObjectName("countPill")
        self.count.setProperty("category", category)
        self.count.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = QLabel(hint)
        self.hint.setObjectName("sectionHint")
        self.hint.setWordWrap(True)  # a narrow window wraps it rather than widening the page
        self.fewer_button = _link_button("Hide" if not first_shown else "Show fewer")
        self.fewer_button.setToolTip(
            f"Show only the first {first_shown}." if first_shown else "Fold them away."
        )
        self.fewer_button.clicked.connect(lambda: self.set_expanded(False))
        self.more_button = _link_button("")
        self.more_button.clicked.connect(self._more_or_fewer)
        header = QHBoxLayout()
        header.setSpacing(8)
        header.addWidget(self.title)
        header.addWidget(self.count)
        header.addSpacing(4)
        header.addWidget(self.hint, 1)
        header.addWidget(self.fewer_button)
        header.addWidget(self.more_button)
        self._cards = QVBoxLayout()
        self._cards.setSpacing(6)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        column.addLayout(header)
        column.addLayout(self._cards)
        self._items: list[AttentionItem] = []
        self._shown = first_shown  # kept when the items are recomputed
        self._make_card: Callable[[AttentionItem], AttentionCard] | None = None
        self.cards: list[AttentionCard] = []

    def set_items(
        self, items: Sequence[AttentionItem], make_card: Callable[[AttentionItem], AttentionCard]
    ) -> None:
        self._items = list(items)
        self._make_card = make_card
        self.count.setText(str(len(self._items)))
        self.setVisible(bool(self._items))
        self._fill()

    def _fill(self) -> None:
        for card in self.cards:
            card.hide()
            card.deleteLater()
        self.cards = []
        if self._make_card is None:
            return
        for item in self._items[: self._shown]:
            card = self._make_card(item)
            self._cards.addWidget(card)
            card.show()  # now, not when the event loop gets to it
            self.cards.append(card)
        self._label_buttons()

    def _label_buttons(self) -> None:
        total = len(self._items)
        left = total - len(self.cards)
        unfolded = self._shown > self.first_shown and total > self.first_shown
        fewer = self.fewer_button.text()
        self.more_button.setVisible(left > 0 or unfolded)
        self.fewer_button.setVisible(left > 0 and unfolded)
        if left > MORE_PER_CLICK:
            self.more_button.setText(f"Show {MORE_PER_CLICK} more")
            tip = f"{left:,} more not shown; show the next {MORE_PER_CLICK}."
        elif left > 0:
            self.more_button.setText(f"Show all {total:,}")
            tip = f"{left} more not shown; show every one."
        else:
            self.more_button.setText(fewer)
            tip = self.fewer_button.toolTip()
        self.more_button.setToolTip(tip)

    def _more_or_fewer(self) -> None:
        self.set_expanded(len(self.cards) < len(self._items))

    def set_expanded(self, expanded: bool) -> None:
        """Unfold the next cards (all of them if few are left), or fold back to the first."""
        if expanded:
            self._shown = max(self._shown, self.first_shown) + MORE_PER_CLICK
        else:
            self._shown = self.first_shown
        self._fill()


def _link_button(text: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName("linkButton")
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


def _centred_label(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


def all_clear_panel() -> QFrame:
    """What the left column shows when nothing needs the manager (hidden until then)."""
    panel = QFrame()
    panel.setObjectName("allClearPanel")
    clear_icon = QLabel()
    clear_icon.setPixmap(icon("check-circle", ACCENT).pixmap(QSize(48, 48)))
    clear_icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
    clear_text = _centred_label(
        "Every onboarding is scheduled, every call is booked and no session waits to be "
        "marked. Enjoy the quiet, or look ahead on the Customers page.",
        "emptyText",
    )
    clear_text.setWordWrap(True)
    column = QVBoxLayout(panel)
    column.setContentsMargins(32, 36, 32, 40)
    column.setSpacing(10)
    column.addWidget(clear_icon)
    column.addWidget(_centred_label("Nothing needs you today", "emptyTitle"))
    column.addWidget(clear_text)
    panel.hide()
    return panel
