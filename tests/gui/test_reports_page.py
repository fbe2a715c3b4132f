"""The Reports page: the book report as a sortable table read off the GUI thread, CSV export,
book PDF and print preview, and the selected customer's entitlement summary with its preview
(Print, Save as PDF, Save for e-mail)."""

from __future__ import annotations

import csv
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from desktop.app import AppContext
from desktop.errors import BadInput
from desktop.services.profile import ProfileStore
from desktop.services.reports.reports import Reports
from desktop.views.reports import reports_page
from desktop.views.reports.printing import DocumentPreview
from desktop.views.reports.reports_page import (
    CUSTOMER,
    FIRST_ALLOWANCE,
    RISKS,
    BookTableModel,
    ReportsPage,
)
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import QDialog, QFileDialog
from pytestqt.qtbot import QtBot

from summary_helpers import MANAGER, page_size_pt, pdf_text

from .conftest import Dialogs


def fixed_now(context: AppContext) -> datetime:
    return context.clock.parse("2026-03-12T09:00")


def open_page(qtbot: QtBot, context: AppContext) -> ReportsPage:
    page = ReportsPage(context, now=lambda: fixed_now(context))
    qtbot.addWidget(page)
    # Shown on its own here (inside the main window in the app): a minimum size set before
    # the first show keeps the offscreen platform from warning (see CustomerDialog).
    page.ensurePolished()
    page.setMinimumSize(page.minimumSizeHint())
    page.resize(1200, 600)
    with qtbot.waitSignal(page.report_loaded, timeout=10_000):
        page.show()
    return page


@pytest.fixture
def book_context(context: AppContext) -> AppContext:
    ProfileStore().set_identity(*MANAGER)
    from desktop.services.customers import CustomerDraft

    for name, product, users, package in (
        ("Acme Logistics", "SpiraPlan", "120", "gold"),
        ("Borealis Health", "SpiraTeam", "310", "platinum"),
        ("Cobalt Insurance", "SpiraTest", "15", "none"),
    ):
        context.customers.add(
            CustomerDraft(name=name, product=product, users=users, start="2026-01-05",
                          package=package)
        )  # fmt: skip
    return context


def save_as(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    """Every file dialog answers `path`; returns the captions it was asked with."""
    asked: list[str] = []

    def answer(_parent: Any, caption: str, *_args: Any, **_kwargs: Any) -> tuple[str, str]:
        asked.append(caption)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(answer))
    return asked


def previews(monkeypatch: pytest.MonkeyPatch) -> list[DocumentPreview]:
    shown: list[DocumentPreview] = []

    def exec_(dialog: DocumentPreview) -> int:
        shown.append(dialog)
        return 0

    monkeypatch.setattr(DocumentPreview, "exec", exec_)
    return shown


def test_model_is_a_sound_table(qtmodeltester: Any, book_context: AppContext) -> None:
    report = Reports(book_context.scheduler).book(fixed_now(book_context))
    model = BookTableModel(book_context.clock)
    model.set_rows(report.rows, report.issued)
    qtmodeltester.check(model)
    assert model.rowCount() == 3


def test_the_book_is_listed_and_sortable(qtbot: QtBot, book_context: AppContext) -> None:
    page = open_page(qtbot, book_context)
    assert page.currentWidget() is not page.empty_state
    proxy = page.proxy
    names = [proxy.index(r, CUSTOMER).data() for r in range(proxy.rowCount())]
    assert names == ["Acme Logistics", "Borealis Health", "Cobalt Insurance"]
    assert "3 customers" in page.caption.text()
    assert "as of Thu 12 Mar 2026" in page.caption.text()
    # In a 1280-pixel window (the page beside the sidebar) the caption and the legend that
    # says how to read a cell are whole.
    page.resize(1080, 600)
    qtbot.waitUntil(lambda: page.caption.width() < 700)
    assert not page.caption.is_elided()
    assert not page.legend.is_elided()
    assert "% of this period" in page.legend.text()
    # Screen-shares: not entitled ("—") sorts below 0%.
    shares = FIRST_ALLOWANCE + 2
    page.table.sortByColumn(shares, Qt.SortOrder.AscendingOrder)
    assert proxy.index(0, CUSTOMER).data() == "Cobalt Insurance"
    assert proxy.index(0, shares).data() == "—"
    assert proxy.index(2, shares).data() == "0 / 0 / 100"
    # Most risks first: the premium customers have more to act on than Cobalt.
    page.table.sortByColumn(RISKS, Qt.SortOrder.DescendingOrder)
    assert proxy.index(2, CUSTOMER).data() == "Cobalt Insurance"
    page.search.setText("borealis")
    assert proxy.rowCount() == 1


def test_an_empty_book_says_so(qtbot: QtBot, context: AppContext) -> None:
    page = open_page(qtbot, context)
    assert page.currentWidget() is page.empty_state


def test_export_csv(
    qtbot: QtBot, book_context: AppContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    page = open_page(qtbot, book_context)
    target = tmp_path / "book"  # the extension is added
    assert save_as(monkeypatch, target) == []
    page.csv_button.click()
    written = tmp_path / "book.csv"
    with written.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["customer"] for row in rows] == [
        "Acme Logistics",
        "Borealis Health",
        "Cobalt Insurance",
    ]


def test_save_the_book_as_pdf_off_the_gui_thread(
    qtbot: QtBot, book_context: AppContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    page = open_page(qtbot, book_context)
    target = tmp_path / "book.pdf"
    save_as(monkeypatch, target)
    with qtbot.waitSignal(page.pdf_saved, timeout=20_000) as saved:
        page.pdf_button.click()
    assert saved.args == [target]
    width, height = page_size_pt(target)
    assert width > height
    assert "Borealis Health" in pdf_text(target)


def test_cancelled_file_dialog_writes_nothing(
    qtbot: QtBot, book_context: AppContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    page = open_page(qtbot, book_context)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    assert page.export_csv() is None
    page.save_book_pdf()
    assert not page.busy
    assert list(tmp_path.glob("*.csv")) == [] and list(tmp_path.glob("*.pdf")) == []


def test_entitlement_summary_of_the_selected_customer(
    qtbot: QtBot, book_context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(qtbot, book_context)
    shown = previews(monkeypatch)
    assert not page.summary_button.isEnabled()
    page.table.selectRow(1)
    assert page.summary_button.isEnabled()
    page.summary_button.click()
    (dialog,) = shown
    qtbot.addWidget(dialog)
    (document,) = dialog.documents
    assert (document.title, document.subject) == ("Entitlement summary", "Borealis Health")
    assert "Platinum: $72,000 per year" in document.body_html


def test_book_print_preview(
    qtbot: QtBot, book_context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(qtbot, book_context)
    shown = previews(monkeypatch)
    page.paper.setCurrentIndex(page.paper.findData("a4"))
    page.preview_button.click()
    (dialog,) = shown
    qtbot.addWidget(dialog)
    assert dialog.documents[0].landscape
    assert dialog.paper == "a4"


def test_preview_dialog_prints_and_saves(
    qtbot: QtBot,
    book_context: AppContext,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    customer = book_context.customers.get("Acme Logistics")
    summary = Reports(book_context.scheduler).summary(customer, fixed_now(book_context))
    dialog = DocumentPreview([summary.printable()], "letter", "acme summary")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.preview.pageCount() >= 2, timeout=10_000)
    assert dialog.pages.text() == f"{dialog.preview.pageCount()} pages"

    save_as(monkeypatch, tmp_path / "acme.pdf")
    assert dialog.save_pdf() == tmp_path / "acme.pdf"
    assert "Acme Logistics" in pdf_text(tmp_path / "acme.pdf")
    save_as(monkeypatch, tmp_path / "acme")
    assert dialog.save_html() == tmp_path / "acme.html"
    assert "Acme Logistics" in (tmp_path / "acme.html").read_text(encoding="utf-8")

    printed = tmp_path / "printed.pdf"

    def accept(print_dialog: QPrintDialog) -> int:
        print_dialog.printer().setOutputFileName(str(printed))
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    assert dialog.print_documents()
    assert "Acme Logistics" in pdf_text(printed)
    monkeypatch.setattr(QPrintDialog, "exec", lambda _d: int(QDialog.DialogCode.Rejected))
    assert not dialog.print_documents()

    dialog.paper_box.setCurrentIndex(dialog.paper_box.findData("a4"))
    assert dialog.paper == "a4"
    size = dialog.printer.pageLayout().pageSize().sizePoints()
    assert (size.width(), size.height()) == (595, 842)


def test_a_write_error_is_shown_not_raised(
    qtbot: QtBot,
    book_context: AppContext,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    dialogs: Dialogs,
) -> None:
    page = open_page(qtbot, book_context)
    save_as(monkeypatch, tmp_path / "missing" / "book.csv")
    assert page.export_csv() is None
    assert dialogs.errors and "Cannot write" in dialogs.errors[0][1]


def test_slow_reads_show_progress_and_errors_reach_the_user(
    qtbot: QtBot, book_context: AppContext, monkeypatch: pytest.MonkeyPatch, dialogs: Dialogs
) -> None:
    page = open_page(qtbot, book_context)
    assert not page.progress.isVisible()
    real_book = Reports.book

    def slow(self: Reports, now: datetime, customers: Any = None) -> Any:
        time.sleep(0.8)
        return real_book(self, now, customers)

    monkeypatch.setattr(Reports, "book", slow)
    with qtbot.waitSignal(page.report_loaded, timeout=10_000):
        page.refresh()
        qtbot.waitUntil(page.progress.isVisible, timeout=5_000)
        assert not page.csv_button.isEnabled()
    assert not page.progress.isVisible()
    assert page.csv_button.isEnabled()

    def broken(self: Reports, now: datetime, customers: Any = None) -> Any:
        raise BadInput("The book cannot be read right now.")

    monkeypatch.setattr(Reports, "book", broken)
    with qtbot.waitSignal(page.work_failed, timeout=10_000):
        page.refresh()
    assert dialogs.errors[-1] == ("Reports", "The book cannot be read right now.")
    assert reports_page.PROGRESS_DELAY_MS == 500


def test_a_hidden_reports_page_reads_the_book_once_when_shown_again(
    qtbot: QtBot, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.views.shell.main_window import DASHBOARD, REPORTS, MainWindow
    from PySide6.QtCore import QSettings

    from .booking import NOW, book, gold
    from .booking import fixed_now as booking_now

    acme = gold(context, "Acme Logistics", start="2026-03-04")
    first = book(context, acme, "onboarding", "2026-03-09T10:00")
    second = book(context, acme, "onboarding", "2026-03-10T10:00")
    window = MainWindow(context, QSettings(), now=booking_now)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.reports_page.report_loaded, timeout=10_000):
        window.show_page(REPORTS)
    window.show_page(DASHBOARD)
    reads: list[datetime] = []
    real_book = Reports.book

    def counted(self: Reports, now: datetime, customers: Any = None) -> Any:
        reads.append(now)
        return real_book(self, now, customers)

    monkeypatch.setattr(Reports, "book", counted)
    for session in (first, second):
        window.session_actions.set_status(session.id, "done", now=NOW)
    qtbot.wait(50)
    assert reads == [], "a hidden page reads nothing"
    with qtbot.waitSignal(window.reports_page.report_loaded, timeout=10_000):
        window.show_page(REPORTS)
    assert len(reads) == 1, "one read for both changes"
