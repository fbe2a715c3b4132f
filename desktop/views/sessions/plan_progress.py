"""The plan dialog's first page: planning under way, with a Cancel that really stops it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget


class PlanningProgress(QWidget):
    """A busy bar for one customer; a book fills the bar customer by customer."""

    def __init__(self, names: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        single = len(names) == 1
        self.label = QLabel(
            f"Planning {names[0]}…" if single else f"Planning {len(names)} customers…"
        )
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bar = QProgressBar()
        # One customer is one step: a busy bar. A book fills it customer by customer.
        self.bar.setRange(0, 0 if single else len(names))
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(320)
        self.stop_button = QPushButton("Cancel")
        self.stop_button.setToolTip("Stop planning; nothing is proposed or booked.")
        column = QVBoxLayout(self)
        column.addStretch()
        column.addWidget(self.label)
        column.addWidget(self.bar, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addSpacing(8)
        column.addWidget(self.stop_button, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch()

    def show_count(self, done: int, total: int) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)
        self.label.setText(f"Planning… {done} of {total} customers done")
