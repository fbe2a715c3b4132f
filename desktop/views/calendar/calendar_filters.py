"""The calendar's filter bar: the display zone, a customer (or an owner's customers), kinds,
packages, cancelled sessions and a search. It wraps onto a second line in a narrow window.

The bar only holds the choices; `calendar_view_state` decides what they mean.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, QTimeZone, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from desktop.errors import AmplanError
from desktop.services.business_time import zone
from desktop.services.calendar_files.calendar_view import CalendarFilter
from desktop.services.customers import CustomerRecord
from desktop.services.display.calendar_view_state import LOCAL_KEY, chosen_customers
from desktop.services.display.layout import DisplayZone
from desktop.views.calendar.calendar_style import kind_swatch
from desktop.views.widgets.flow_layout import FlowLayout
from desktop.views.widgets.icons import search_box

SEARCH_DELAY_MS = 250


def system_zone_name() -> str:
    """This computer's IANA zone (Qt knows it on every platform), or UTC if Qt cannot say."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode(errors="ignore")
    try:
        zone(name)
    except AmplanError:
        return "UTC"
    return name


def _captioned(caption: QLabel, field: QWidget) -> QWidget:
    """A caption and its field as one piece, so that a wrapping bar never parts them."""
    pair = QWidget()
    row = QHBoxLayout(pair)
    row.setContentsMargins(0, 0, 8, 0)
    row.setSpacing(6)
    row.addWidget(caption)
    row.addWidget(field)
    return pair


def _combo(name: str, contents: int) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setMaxVisibleItems(20)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(contents)
    return combo


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("fieldCaption")
    return label


class CalendarFilterBar(QWidget):
    """`filters_changed` when what is shown changes; `zone_chosen(key)` for another clock."""

    filters_changed = Signal()
    zone_chosen = Signal(str)

    def __init__(
        self, kinds: dict[str, str], packages: dict[str, str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("calendarFilterBar")
        self.zone_combo = _combo("zoneCombo", 20)
        self.zone_combo.setToolTip("The clock the calendar is drawn in")
        self.zone_combo.currentIndexChanged.connect(self._zone_index_changed)
        self.customer_combo = _combo("customerFilter", 16)
        self.customer_combo.currentIndexChanged.connect(self.filters_changed)
        self.kind_button, self.kind_actions = self._filter_button("kinds", kinds, swatches=True)
        self.package_button, self.package_actions = self._filter_button("packages", packages)
        self.cancelled_check = QCheckBox("Cancelled")
        self.cancelled_check.setToolTip("Also show cancelled sessions (struck through)")
        self.cancelled_check.toggled.connect(self.filters_changed)
        self.search = search_box("Search sessions", 150)
        self.search.setToolTip("Matches customer names, titles, notes and kinds")
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.filters_changed)
        self.search.textChanged.connect(lambda _text: self.search_timer.start())

        filters = FlowLayout(self, spacing=6, line_spacing=8)
        filters.stretch_last = True
        filters.addWidget(_captioned(_caption("Times in"), self.zone_combo))
        filters.addWidget(_captioned(_caption("Show"), self.customer_combo))
        filters.addWidget(self.kind_button)
        filters.addWidget(self.package_button)
        filters.addWidget(self.cancelled_check)
        self.search.setMinimumWidth(200)
        self.search.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        filters.addWidget(self.search)

    def _filter_button(
        self, noun: str, choices: dict[str, str], swatches: bool = False
    ) -> tuple[QToolButton, dict[str, QAction]]:
        button = QToolButton()
        button.setObjectName("filterButton")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        menu = QMenu(button)
        menu.setObjectName(f"{noun}Menu")
        chosen: dict[str, QAction] = {}
        show_all = menu.addAction(f"All {noun}")
        menu.addSeparator()
        for name, label in choices.items():
            action = menu.addAction(label)
            action.setCheckable(True)
            action.setData(name)
            if swatches:
                action.setIcon(kind_swatch(name, self.palette(), 14))
            action.toggled.connect(self.filters_changed)
            chosen[name] = action
        show_all.triggered.connect(lambda: self.set_checked(chosen, []))
        button.setMenu(menu)
        button.setProperty("noun", noun)
        return button, chosen

    # --- filling ---------------------------------------------------------------------------
    def fill_zones(self, zones: dict[str, DisplayZone], fallback: str) -> str:
        """Offer `zones`, keeping the current choice if it is still there; the chosen key."""
        combo = self.zone_combo
        current = combo.currentData() or fallback
        combo.blockSignals(True)
        combo.clear()
        for key, display in zones.items():
            combo.addItem(display.label, key)
            if key == LOCAL_KEY and len(zones) > 2:
                combo.insertSeparator(combo.count())
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)
        return str(combo.currentData())

    def fill_customers(
        self, customers: Sequence[CustomerRecord], owners: list[tuple[str, str]]
    ) -> None:
        combo = self.customer_combo
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("All customers", None)
        for label, key in owners:
            combo.addItem(label, key)
        for record in sorted(customers, key=lambda c: c.name.casefold()):
            combo.addItem(record.name, record.id)
        index = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(0, index))
        combo.blockSignals(False)

    def set_zone(self, key: str) -> None:
        index = self.zone_combo.findData(key)
        if index < 0:
            raise ValueError(f"no display zone {key!r}")
        self.zone_combo.setCurrentIndex(index)

    def _zone_index_changed(self) -> None:
        key = self.zone_combo.currentData()
        if isinstance(key, str):
            self.zone_chosen.emit(key)

    def set_checked(self, actions: dict[str, QAction], names: list[str]) -> None:
        for name, action in actions.items():
            action.blockSignals(True)
            action.setChecked(name in names)
            action.blockSignals(False)
        self.filters_changed.emit()

    # --- reading ---------------------------------------------------------------------------
    def current(self, customers: Sequence[CustomerRecord]) -> CalendarFilter:
        """The filter the bar's choices make, and the filter buttons labelled for it."""
        self.search_timer.stop()
        self._label(self.kind_button, self.kind_actions, "kinds")
        self._label(self.package_button, self.package_actions, "packages")
        return CalendarFilter(
            customer_ids=chosen_customers(self.customer_combo.currentData(), customers),
            kinds=tuple(n for n, a in self.kind_actions.items() if a.isChecked()),
            packages=tuple(n for n, a in self.package_actions.items() if a.isChecked()),
            text=self.search.text().strip(),
            include_cancelled=self.cancelled_check.isChecked(),
        )

    @staticmethod
    def _label(button: QToolButton, actions: dict[str, QAction], noun: str) -> None:
        chosen = [a.text() for a in actions.values() if a.isChecked()]
        if not chosen:
            text = f"All {noun}"
        elif len(chosen) == 1:
            text = chosen[0]
        else:
            text = f"{len(chosen)} {noun}"
        button.setText(text)
        button.setToolTip(", ".join(chosen) if chosen else f"Showing all {noun}")
        button.setProperty("active", bool(chosen))
        button.style().unpolish(button)
        button.style().polish(button)
