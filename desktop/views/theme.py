"""The app's look in one place: its colours and its stylesheet.

Widgets that paint take their colours from here; everything a stylesheet can say lives in
`resources/style.qss` (with a `@dark` tail for dark palettes), which `style_sheet` reads.
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
