"""Prints the documents of desktop/services (summary, book report) to PDF or a printer.

Qt's rich-text engine lays the HTML out page by page; each page gets a header (document and
customer, from page 2 on), a footer (date of issue, vendor, "Page N of M") and the margins of
US Letter or A4. Qt embeds the fonts it uses as subsets and writes real text, so a PDF is
searchable. The same painting serves a QPdfWriter (CLI, Save as PDF) and a QPrinter (Print,
Print preview).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QLocale,
    QMarginsF,
    QRectF,
    QSizeF,
    QStandardPaths,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextBlock,
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextTable,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewWidget
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import AmplanError, BadInput
from desktop.services.calendar_files.calendar_files import write_file
from desktop.services.reports.report_html import (
    BODY_PT,
    FAINT,
    MUTED,
    RULE,
    Printable,
    email_document,
    long_day,
)
from desktop.views.widgets import messages

PAPER_SIZES = {"letter": QPageSize.PageSizeId.Letter, "a4": QPageSize.PageSizeId.A4}
PAPER_LABELS = {"letter": "US Letter", "a4": "A4"}
# Sans-serif families that print well, best first; DejaVu Sans ships with the Makefile's
# system packages, so the list always ends on something installed.
FONT_FAMILIES = (
    "Inter",
    "Source Sans 3",
    "Noto Sans",
    "Liberation Sans",
    "Arial",
    "Helvetica",
    "DejaVu Sans",
)
MARGINS_MM = QMarginsF(17, 13, 17, 12)
HEADER_PT = 7.5
BAND_GAP_PT = 10  # between the header or footer rule and the body
# A heading this close to the foot of a page moves to the next page with its section.
KEEP_WITH_NEXT_PT = 80
# A section no taller than this share of a page is never split: it starts a new page instead.
KEEP_TOGETHER_SHARE = 0.5
PDF_RESOLUTION = 600

# Called with (documents done, documents in all); returns False to stop.
Progress = Callable[[int, int], bool]


def ensure_gui_application() -> None:
    """Text layout needs a QGuiApplication. The CLI has none: make one, off screen when no
    display is there (a cron job, SSH, CI). PySide keeps the application it made alive
    (as its `qApp`) until the interpreter ends: nothing here needs to hold it."""
    if QGuiApplication.instance() is not None:
        return
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and sys.platform.startswith("linux") and "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    QGuiApplication(["amplan"])


@lru_cache(maxsize=1)
def document_family() -> str:
    installed = set(QFontDatabase.families())
    return next((family for family in FONT_FAMILIES if family in installed), "Sans Serif")


def document_font(points: float = BODY_PT, bold: bool = False) -> QFont:
    font = QFont(document_family())
    font.setPointSizeF(points)
    font.setBold(bold)
    font.setStyleHint(QFont.StyleHint.SansSerif)
    # Ligatures would put one glyph for "fl" in the PDF: "inflectra.com" copied out of it, or
    # searched for, would then not match. Plain letters keep the text what it says.
    for tag in ("liga", "clig", "dlig"):
        font.setFeature(QFont.Tag(tag), 0)
    return font


def page_layout(paper: str, landscape: bool = False) -> QPageLayout:
    if paper not in PAPER_SIZES:
        raise BadInput(f"Unknown paper size '{paper}': use letter or a4.")
    orientation = (
        QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    )
    return QPageLayout(
        QPageSize(PAPER_SIZES[paper]), orientation, MARGINS_MM, QPageLayout.Unit.Millimeter
    )


class _Composer:
    """One document laid out for one device: its pages and how to paint each."""

    def __init__(self, printable: Printable, device: QPagedPaintDevice) -> None:
        self.printable = printable
        self.dpi = device.logicalDpiY()
        self.scale = self.dpi / 96  # rich-text lengths (padding, margins) are 96-dpi pixels
        paint_rect = device.pageLayout().paintRectPixels(device.logicalDpiY())
        self.width = float(paint_rect.width())
        self.height = float(paint_rect.height())
        self.small = document_font(HEADER_PT)
        band = QFontMetricsF(self.small, device).height() + self.points(BAND_GAP_PT)
        self.header_height = band
        self.footer_height = band
        self.body = QRectF(
            0, band, self.width, self.height - self.header_height - self.footer_height
        )

        self.document = QTextDocument()
        self.document.documentLayout().setPaintDevice(device)
        self.document.setDefaultFont(document_font())
        self.document.setDocumentMargin(0)
        self.document.setHtml(printable.body_html)
        self.document.setPageSize(QSizeF(self.body.width(), self.body.height()))
        self._paginate()

    def points(self, value: float) -> float:
        return value * self.dpi / 72

    @property
    def page_count(self) -> int:
        return max(1, self.document.pageCount())

    def _paginate(self) -> None:
        """Rich text has no keep-with-next and splits a table row line by line. In document
        order (each move shifts what follows): a heading with little of its section under it
        at the foot of a page, or a short section that would be split, starts the next page;
        so does a table row that would be split."""
        self.document.pageCount()  # lays the whole document out: positions are final
        headings: list[tuple[int, QTextBlock | QTextTable]] = [
            (block.position(), block)
            for block in self._blocks()
            if block.blockFormat().headingLevel() and QTextCursor(block).currentTable() is None
        ]
        tables: list[tuple[int, QTextBlock | QTextTable]] = [
            (frame.firstPosition(), frame)
            for frame in self.document.rootFrame().childFrames()
            if isinstance(frame, QTextTable)
        ]
        for _, item in sorted(headings + tables, key=lambda pair: pair[0]):
            if isinstance(item, QTextTable):
                self._keep_rows_whole(item)
            else:
                self._keep_heading_with_section(item)

    def _blocks(self) -> list[QTextBlock]:
        blocks = []
        block = self.document.begin()
        while block.isValid():
            blocks.append(block)
            block = block.next()
        return blocks

    def _break_before(self, block: QTextBlock) -> None:
        form = QTextBlockFormat(block.blockFormat())
        form.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
        QTextCursor(block).setBlockFormat(form)

    def _keep_heading_with_section(self, block: QTextBlock) -> None:
        layout = self.document.documentLayout()
        page_height = self.body.height()
        heading = layout.blockBoundingRect(block)
        last = block
        following = block.next()
        while following.isValid() and not following.blockFormat().headingLevel():
            last = following
            following = following.next()
        section_bottom = layout.blockBoundingRect(last).bottom()
        page_end = (int(heading.top() // page_height) + 1) * page_height
        short = section_bottom - heading.top() <= page_height * KEEP_TOGETHER_SHARE
        keep = self.points(KEEP_WITH_NEXT_PT)
        if section_bottom > page_end and (short or page_end - heading.bottom() < keep):
            self._break_before(block)
            self.document.pageCount()  # lay out again before measuring what follows

    def _keep_rows_whole(self, table: QTextTable) -> None:
        """A row whose lines would straddle two pages starts the next one instead.

        The layout itself carries a row over, under the repeated header, when the first line
        of one of its cells does not fit; a row of several lines it splits. So the row above
        is lengthened (bottom padding, white: rows are ruled above) till this row's first
        line crosses the foot of the page. A page break inside a cell, or padding on the row
        itself, would be carried over with the row and leave a gap under the header."""
        layout = self.document.documentLayout()
        page_height = self.body.height()
        for row in range(table.format().headerRowCount() + 1, table.rows()):
            cells = [table.cellAt(row, column) for column in range(table.columns())]
            firsts = [self.document.findBlock(cell.firstPosition()) for cell in cells]
            lasts = [self.document.findBlock(cell.lastPosition()) for cell in cells]
            top = min(layout.blockBoundingRect(block).top() for block in firsts)
            bottom = max(layout.blockBoundingRect(block).bottom() for block in lasts)
            page_end = (int(top // page_height) + 1) * page_height
            if bottom - 0.5 <= page_end or bottom - top > page_height / 2:
                continue
            pad = page_end - top - self.points(1)
            # One edit: each separate format change would cost a layout of the whole table.
            edit = QTextCursor(self.document)
            edit.beginEditBlock()
            for column in range(table.columns()):
                above = table.cellAt(row - 1, column)
                form = above.format().toTableCellFormat()
                form.setBottomPadding(form.bottomPadding() + pad / self.scale)
                above.setFormat(form)
            edit.endEditBlock()
            self.document.pageCount()

    def paint_page(self, painter: QPainter, index: int) -> None:
        painter.save()
        top = index * self.body.height()
        painter.translate(0, self.body.top() - top)
        self.document.drawContents(painter, QRectF(0, top, self.width, self.body.height()))
        painter.restore()
        self._paint_bands(painter, index)

    def _paint_bands(self, painter: QPainter, index: int) -> None:
        printable = self.printable
        painter.save()
        painter.setFont(self.small)
        metrics = QFontMetricsF(self.small, painter.device())
        rule = QPen(QColor(RULE))
        rule.setWidthF(self.points(0.5))
        line = metrics.height()
        flags = Qt.AlignmentFlag.AlignVCenter
        if index > 0:
            painter.setPen(QColor(MUTED))
            band = QRectF(0, 0, self.width, line)
            painter.drawText(
                band,
                flags | Qt.AlignmentFlag.AlignLeft,
                metrics.elidedText(
                    f"{printable.subject} · {printable.title}",
                    Qt.TextElideMode.ElideRight,
                    self.width * 0.7,
                ),
            )
            painter.drawText(band, flags | Qt.AlignmentFlag.AlignRight, printable.vendor)
            painter.setPen(rule)
            y = line + self.points(3)
            painter.drawLine(0, round(y), round(self.width), round(y))
        footer = QRectF(0, self.height - line, self.width, line)
        painter.setPen(rule)
        y = footer.top() - self.points(3)
        painter.drawLine(0, round(y), round(self.width), round(y))
        painter.setPen(QColor(FAINT))
        left = f"{printable.title} · issued {long_day(printable.issued)} · {printable.vendor}"
        if index == 0 and printable.subject:
            left = f"{printable.subject} · {left}"
        painter.drawText(
            footer,
            flags | Qt.AlignmentFlag.AlignLeft,
            metrics.elidedText(left, Qt.TextElideMode.ElideRight, self.width * 0.75),
        )
        painter.setPen(QColor(MUTED))
        painter.drawText(
            footer,
            flags | Qt.AlignmentFlag.AlignRight,
            f"Page {index + 1} of {self.page_count}",
        )
        painter.restore()


def paint_documents(
    documents: Sequence[Printable],
    device: QPagedPaintDevice,
    paper: str,
    progress: Progress | None = None,
) -> int:
    """Paint every document on `device`, each from a new page; returns the pages painted."""
    if not documents:
        return 0
    pages = 0
    painter: QPainter | None = None
    try:
        for number, printable in enumerate(documents):
            layout = page_layout(paper, printable.landscape)
            if painter is None:
                device.setPageLayout(layout)
                painter = QPainter()
                if not painter.begin(device):
                    raise BadInput("Cannot start printing: the printer or file refused.")
            else:
                if device.pageLayout().orientation() != layout.orientation():
                    device.setPageLayout(layout)
                device.newPage()
            composer = _Composer(printable, device)
            for index in range(composer.page_count):
                if index:
                    device.newPage()
                composer.paint_page(painter, index)
                pages += 1
            if progress is not None and not progress(number + 1, len(documents)):
                break
    finally:
        if painter is not None:
            painter.end()
    return pages


def render_pdf(
    documents: Sequence[Printable], paper: str = "letter", progress: Progress | None = None
) -> tuple[bytes, int]:
    """The PDF file's bytes and its number of pages."""
    ensure_gui_application()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PDF_RESOLUTION)
    writer.setCreator("amplan")
    if documents:
        first = documents[0]
        writer.setTitle(first.title if len(documents) > 1 else f"{first.title}: {first.subject}")
    writer.setPageLayout(page_layout(paper, bool(documents) and documents[0].landscape))
    pages = paint_documents(documents, writer, paper, progress)
    del writer  # finishes the PDF into the buffer
    buffer.close()
    return bytes(data.data()), pages


def write_pdf(
    path: Path,
    documents: Sequence[Printable],
    paper: str = "letter",
    progress: Progress | None = None,
) -> int:
    """The whole file or nothing (temp file, then rename); returns the number of pages."""
    data, pages = render_pdf(documents, paper, progress)
    write_file(path, data)
    return pages


# --- the GUI: preview, print, save ----------------------------------------------------------


def paper_of(layout: QPageLayout, fallback: str) -> str:
    """'a4' or 'letter' for the page size a user chose in a print dialog."""
    size = layout.pageSize().id()
    return next((name for name, page in PAPER_SIZES.items() if page == size), fallback)


def default_paper() -> str:
    """US Letter where people use it (the US, Canada, Mexico...), A4 elsewhere."""
    imperial = QLocale().measurementSystem() == QLocale.MeasurementSystem.ImperialUSSystem
    return "letter" if imperial else "a4"


def suggested_path(stem: str, suffix: str) -> str:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    safe = "".join(ch if ch.isalnum() or ch in "-_ " else "-" for ch in stem).strip()
    return str(Path(folder or Path.home()) / f"{safe or 'document'}.{suffix}")


def save_pdf_as(
    parent: QWidget | None, documents: Sequence[Printable], paper: str, stem: str
) -> Path | None:
    """Ask for a file name and write the PDF; None when the user cancelled or it failed."""
    name, _ = QFileDialog.getSaveFileName(
        parent, "Save as PDF", suggested_path(stem, "pdf"), "PDF documents (*.pdf)"
    )
    if not name:
        return None
    path = Path(name) if Path(name).suffix.lower() == ".pdf" else Path(f"{name}.pdf")
    try:
        write_pdf(path, documents, paper)
    except AmplanError as exc:
        messages.show_error(parent, "Could not save the PDF", str(exc))
        return None
    return path


def save_html_as(parent: QWidget | None, documents: Sequence[Printable], stem: str) -> Path | None:
    """The e-mail version: one self-contained HTML file."""
    name, _ = QFileDialog.getSaveFileName(
        parent, "Save for e-mail (HTML)", suggested_path(stem, "html"), "HTML files (*.html)"
    )
    if not name:
        return None
    path = Path(name) if Path(name).suffix.lower() in (".html", ".htm") else Path(f"{name}.html")
    try:
        write_file(path, email_document(documents).encode("utf-8"))
    except AmplanError as exc:
        messages.show_error(parent, "Could not save the HTML file", str(exc))
        return None
    return path


def print_with_dialog(
    parent: QWidget | None,
    documents: Sequence[Printable],
    paper: str,
    printer: QPrinter | None = None,
) -> bool:
    """The system print dialog, then print; False when the user cancelled."""
    printer = printer or QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(page_layout(paper, bool(documents) and documents[0].landscape))
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    paint_documents(documents, printer, paper_of(printer.pageLayout(), paper))
    return True


class DocumentPreview(QDialog):
    """Print preview of one or more documents, with what a customer document needs next:
    Print, Save as PDF and Save for e-mail (HTML)."""

    def __init__(
        self,
        documents: Sequence[Printable],
        paper: str,
        stem: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("documentPreview")
        self.documents = list(documents)
        self.paper = paper
        self.stem = stem
        first = self.documents[0]
        self.setWindowTitle(f"{first.title} — {first.subject}")
        landscape = first.landscape
        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self.printer.setPageLayout(page_layout(paper, landscape))
        self.preview = QPrintPreviewWidget(self.printer, self)
        self.preview.paintRequested.connect(self._paint)
        self.preview.previewChanged.connect(self._update_pages)

        self.paper_box = QComboBox()
        for key, label in PAPER_LABELS.items():
            self.paper_box.addItem(label, key)
        self.paper_box.setCurrentIndex(list(PAPER_LABELS).index(paper))
        self.paper_box.currentIndexChanged.connect(self._paper_changed)
        zoom_out = QPushButton("−")
        zoom_in = QPushButton("+")
        fit = QPushButton("Fit width")
        for button in (zoom_out, zoom_in):
            button.setObjectName("compact")
            button.setFixedWidth(36)
        fit.setObjectName("compact")
        zoom_out.clicked.connect(lambda: self.preview.zoomOut())
        zoom_in.clicked.connect(lambda: self.preview.zoomIn())
        fit.clicked.connect(lambda: self.preview.fitToWidth())
        self.pages = QLabel()
        self.pages.setObjectName("previewPages")
        self.print_button = QPushButton("Print…")
        self.print_button.setObjectName("primary")
        self.pdf_button = QPushButton("Save as PDF…")
        self.html_button = QPushButton("Save for e-mail…")
        self.html_button.setToolTip(
            "A self-contained HTML file to paste into or attach to an e-mail"
        )
        close = QPushButton("Close")
        self.print_button.clicked.connect(self.print_documents)
        self.pdf_button.clicked.connect(self.save_pdf)
        self.html_button.clicked.connect(self.save_html)
        close.clicked.connect(self.reject)

        self.paper_box.setToolTip("Paper size")
        bar = QHBoxLayout()
        bar.setSpacing(6)
        bar.addWidget(self.paper_box)
        bar.addSpacing(8)
        bar.addWidget(zoom_out)
        bar.addWidget(zoom_in)
        bar.addWidget(fit)
        bar.addSpacing(8)
        bar.addWidget(self.pages)
        bar.addStretch()
        bar.addWidget(self.html_button)
        bar.addWidget(self.pdf_button)
        bar.addWidget(self.print_button)
        bar.addWidget(close)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 12, 12, 12)
        column.addLayout(bar)
        column.addWidget(self.preview, 1)
        # WORKAROUND: a minimum size set before the first show keeps the layout from setting one
        # on the live window, which the offscreen platform (CI) reports as a Qt warning.
        self.ensurePolished()
        self.setMinimumSize(self.minimumSizeHint())
        self.resize(1080 if landscape else 960, 900)
        self.preview.fitToWidth()

    def _paint(self, printer: QPrinter) -> None:
        paint_documents(self.documents, printer, self.paper)

    def _update_pages(self) -> None:
        count = self.preview.pageCount()
        self.pages.setText(f"{count} page{'s' if count != 1 else ''}")

    def _paper_changed(self) -> None:
        self.paper = str(self.paper_box.currentData())
        self.printer.setPageLayout(page_layout(self.paper, self.documents[0].landscape))
        self.preview.updatePreview()

    def print_documents(self) -> bool:
        return print_with_dialog(self, self.documents, self.paper)

    def save_pdf(self) -> Path | None:
        return save_pdf_as(self, self.documents, self.paper, self.stem)

    def save_html(self) -> Path | None:
        return save_html_as(self, self.documents, self.stem)
