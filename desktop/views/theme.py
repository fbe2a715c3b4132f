"""The app's look in one place: its colours and its stylesheet.

Widgets that paint take their colours from here (the calendar's kind hues too); everything a
stylesheet can say lives in `resources/style.qss` (with a `@dark` tail for dark palettes), read
by `style_sheet`, and the calendar page's own rules in `resources/calendar.qss`.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

from desktop.resources import resource_path

ACCENT = QColor("#2563eb")
# The accent as text on a dark background: the bar colour itself is too dim to read there.
ACCENT_ON_DARK = QColor("#7aa7ff")
# The stylesheet's accent buttons and selected navigation items draw white on the accent.
ON_ACCENT = QColor("#ffffff")
SCHEDULED = QColor("#bfd3fb")
OVER = QColor("#c62828")
OVER_LIGHT = QColor("#f5c2c0")
CLASH = QColor("#dc2626")
BILLABLE = QColor("#8a5300")

# --- the calendar ---------------------------------------------------------------------------
# One hue per kind; chosen to stay apart for the common kinds of colour-blindness as far as
# seven hues allow (blue/orange carry the two most frequent kinds).
KIND_COLOURS: dict[str, str] = {
    "onboarding": "#2563eb",
    "cadence": "#0d9488",
    "screen-share": "#7c3aed",
    "assistance": "#ea580c",
    "event-plan": "#16a34a",
    "round-table": "#db2777",
    "product-team": "#a16207",
}
FALLBACK_COLOUR = "#64748b"
NOW_LINE = QColor("#dc2626")
HOLIDAY_LIGHT = QColor("#b45309")
HOLIDAY_DARK = QColor("#fbbf24")
DARK_TEXT = QColor("#111827")
LIGHT_TEXT = QColor("#f9fafb")
WHITE = QColor("#ffffff")
# The accent as calendar text on a dark base (a shade lighter than theme.ACCENT_ON_DARK, which
# the calendar's small bold captions need).
ACCENT_TEXT_DARK = QColor("#7cb0ff")

DARK_MARKER = "/* @dark"


def palette_is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def accent_text(palette: QPalette) -> QColor:
    """The accent colour for text on this palette (light text means a dark background)."""
    dark = palette.color(QPalette.ColorRole.Text).lightness() > 128
    return ACCENT_ON_DARK if dark else ACCENT


def style_sheet(dark: bool) -> str:
    """`style.qss`, with its `@dark` tail only on a dark palette; `url(@icons/...)` point
    into the shipped icon folder."""
    text = resource_path("style.qss").read_text(encoding="utf-8")
    light, _, _dark_part = text.partition(DARK_MARKER)
    if not dark:
        text = light
    icons = resource_path("icons").as_posix()
    return text.replace("url(@icons/", f"url({icons}/")


def calendar_style_sheet() -> str:
    """The calendar page's own rules (`resources/calendar.qss`), icons pointed into the
    shipped icon folder as `theme.style_sheet` does."""
    text = resource_path("calendar.qss").read_text(encoding="utf-8")
    return text.replace("url(@icons/", f"url({resource_path('icons').as_posix()}/")
