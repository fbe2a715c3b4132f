"""The dashboard: what needs the manager, acted on from the page; counts on the navigation;
this week; the allowance chart; the worker for large books; a dark palette."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from desktop.app import AppContext
from desktop.services.attention import AttentionItem
from desktop.services.customers import CustomerDraft, CustomerRecord
from desktop.services.scheduling.ledger import Busy
from desktop.views.dashboard import card_actions
from desktop.views.dashboard.attention_cards import AttentionCard, AttentionSection
from desktop.views.dashboard.dashboard_page import DashboardPage
from desktop.views.sessions.plan_dialog import PlanDialog
from desktop.views.sessions.session_editor import SessionEditor
from desktop.views.shell.application import apply_style
from desktop.views.shell.main_window import CUSTOMERS, DASHBOARD, MainWindow
from desktop.views.widgets import messages
from PySide6.QtCore import QPoint, QSettings, Qt, QThreadPool, QTime
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from .booking import NOW, book, fixed_now, gold, silver, wait_checked
from .conftest import Dialogs


@pytest.fixture(autouse=True)
def no_worker_left() -> Iterator[None]:
    """A plan still running on the pool must not outlive the test's book."""
    yield
    QThreadPool.globalInstance().waitForDone(5000)


@pytest.fixture
def acme(context: AppContext) -> CustomerRecord:
    # Gold from a week before NOW: 8 onboarding hours, quarterly calls, 4 screen-shares a month.
    return gold(context, "Acme Logistics", start="2026-03-04")


def open_dashboard(
    qtbot: QtBot, context: AppContext, settings: QSettings, unfold_later: bool = True
) -> MainWindow:
    """The dashboard, with "Later" unfolded (as a click does) unless asked not to: most tests
    look at items whose dates lie after NOW's week."""
    window = MainWindow(context, settings, now=fixed_now)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_page(DASHBOARD)
    if unfold_later:
        window.dashboard.later.set_expanded(True)
    return window


def titles(page: DashboardPage, category: str | None = None) -> list[str]:
    return [card.title.text() for card in page.cards(category)]


def test_every_category_has_its_section_and_the_navigation_counts_them(
    qtbot: QtBot, context: AppContext, settings: QSettings, acme: CustomerRecord
) -> None:
    book(context, acme, "onboarding", "2026-03-09T10:00")  # past, still planned
    window = open_dashboard(qtbot, context, settings)
    page = window.dashboard
    assert page.currentWidget() is not page.empty_state
    assert titles(page, "overdue") == [
        "Acme Logistics · onboarding assistance still marked planned"
    ]
    assert titles(page, "onboarding") == ["Acme Logistics · 7 hours of onboarding not scheduled"]
    [cadence] = titles(page, "cadence")
    assert cadence.startswith("Acme Logistics · no quarterly") and cadence.endswith("call booked")
    assert titles(page, "screen-share") == ["Acme Logistics · 4 of 4 screen-shares unused in March"]
    assert page.sections["overdue"].count.text() == "1"
    assert not page.sections["yearly"].isVisible()
    assert page.subtitle.text() == "Wednesday 11 March 2026 · 4 things need you"
    assert window.attention_badge() == 4
    item = window.navigation.item(DASHBOARD)
    assert item.toolTip() == "4 things need you"
    assert not page.all_clear.isVisible()
    # Every button says what it does, and a tooltip says more.
    for card in page.cards():
        assert card.buttons and all(button.toolTip() for button in card.buttons)


def test_done_on_a_past_session_takes_it_off_the_list_and_can_be_undone(
    qtbot: QtBot, context: AppContext, settings: QSettings, acme: CustomerRecord
) -> None:
    past = book(context, acme, "onboarding", "2026-03-09T10:00")
    window = open_dashboard(qtbot, context, settings)
    page = window.dashboard
    [card] = page.cards("overdue")
    done, no_show = card.buttons
    assert (done.text(), no_show.text()) == ("Done", "No-show")
    qtbot.mouseClick(done, Qt.MouseButton.LeftButton)

    assert context.scheduler.get(past.id).status == "done"
    assert page.cards("overdue") == []
    assert not page.sections["overdue"].isVisible()
    assert window.attention_badge() == 3
    assert window.undo_action.text() == (
        "Undo marking done of Acme Logistics onboarding assistance"
    )
    # The customer page saw it too.
    window.customers_page.select_customer(acme.id)
    assert window.customers_page.sessions.model.index(0, 3).data() == "Done"

    window.undo_action.trigger()
    assert context.scheduler.get(past.id).status == "planned"
    assert len(page.cards("overdue")) == 1
    assert window.attention_badge() == 4


def test_no_show_marks_it_and_counts_it_as_used(
    qtbot: QtBot, context: AppContext, settings: QSettings, acme: CustomerRecord
) -> None:
    past = book(context, acme, "onboarding", "2026-03-09T10:00")
    window = open_dashboard(qtbot, context, settings)
    [card] = window.dashboard.cards("overdue")
    card.buttons[1].click()
    assert context.scheduler.get(past.id).status == "no-show"
    assert window.dashboard.cards("overdue") == []


def test_plan_onboarding_opens_the_plan_dialog_for_that_customer(
    qtbot: QtBot, context: AppContext, settings: QSettings, acme: CustomerRecord
) -> None:
    silver(context)  # another customer: the dialog must be about Acme only
    window = open_dashboard(qtbot, context, settings)
    page = window.dashboard
    before = window.attention_badge()
    [card] = [c for c in page.cards("onboarding") if c.item.customer == acme]
    [button] = card.buttons
    assert button.text() == "Plan onboarding…"
    button.click()
    dialog = window.findChild(PlanDialog)
    assert dialog is not None
    assert dialog.windowTitle() == "Plan the year for Acme Logistics"
    qtbot.waitUntil(lambda: not dialog.is_planning(), timeout=5000)
    chosen = dialog.model.chosen()
    assert chosen and {p.kind for p in chosen} == {"onboarding"}, "only onboarding is ticked"
    assert len(chosen) < dialog.model.rowCount(), "the calls are proposed, unticked"
    assert "ticked; tick any others you want too" in dialog.summary.text()
    dialog.book_button.click()

    assert [c for c in page.cards("onboarding") if c.item.customer == acme] == []
    assert window.attention_badge() == before - 1
    assert window.undo_action.text().startswith("Undo plan of ")


def test_book_screen_share_opens_the_editor_on_the_next_legal_slot(
    qtbot: QtBot, context: AppContext, settings: QSettings, acme: CustomerRecord
) -> None:
    window = open_dashboard(qtbot, context, settings)
    page = window.dashboard
    [card] = page.cards("screen-share")
    [button] = card.buttons
    assert button.text() == "Book screen-share…"
    button.click()
    editor = window.findChild(SessionEditor)
    assert editor is not None
    qtbot.waitExposed(editor)
    assert editor.primary_customer() == acme
    assert editor.kind() == "screen-share"
    assert editor.slot_texts(), "the next legal slots are listed"
    violations, _ = editor.findings()
    assert violations == [], "the slot filled in is legal"
    editor.save_button.click()
    assert titles(page, "screen-share") == ["Acme Logistics · 3 of 4 screen-shares unused in March"]
    assert window.undo_action.text() == "Undo booking of Acme Logistics screen-share"


def test_nothing_needs_you_says_so(qtbot: QtBot, context: AppContext, settings: QSettings) -> None:
    # 15 users, no package, onboarding long over: nothing to schedule, nothing to call.
    context.customers.add(
        CustomerDraft(
            name="Quiet Co",
            product="SpiraTest",
            users="15",
            start="2025-01-06",
            package="none",
            package_start="2025-01-06",
            tz="America/New_York",
            contacts="Quinn <q@quiet.example>",
        )
    )
    window = open_dashboard(qtbot, context, settings)
    page = window.dashboard
    assert page.all_clear.isVisible()
    assert page.cards() == []
    assert page.subtitle.text() == "Wednesday 11 March 2026 · Nothing needs you"
    assert window.attention_badge() == 0
    assert window.navigation.item(DASHBOARD).toolTip() == "Nothing needs you today"
    assert page.week_empty.isVisible()


def test_an_empty_book_keeps_the_welcome(window: MainWindow) -> None:
    window.show_page(DASHBOARD)
    page = window.dashboard
    assert page.currentWidget() is page.empty_state
    assert window.dashboard_add_button.isVisible()
    assert window.attention_badge() == 0


def test_this_week_lists_the_sessions_and_a_click_opens_the_editor(
    qtbot: QtBot, context: AppContext, settings: QSettings, acme: CustomerRecord
) -> None:
    ahead = book(context, acme, "screen-share", "2026-03-12T10:00")
    book(context, acme, "onboarding", "2026-03-23T10:00")  # next week: not listed
    window = open_dashboard(qtbot, context, settings)
    page = window.dashboard
    assert page.week_texts() == ["Acme Logistics · Screen-share"]
    assert page.week_subtitle.text() == "9 Mar – 15 Mar · 1 session"
    item = page.week_list.item(0)
    page.week_list.itemClicked.emit(item)
    editor = window.findChild(SessionEditor)
    assert editor is not None
    assert editor.windowTitle() == "Edit session"
    assert editor.save_button.text() == "Save changes"
    assert ahead.id == item.data(Qt.ItemDataRole.UserRole).id


def errors_shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts of the error dialogs the dashboard's cards show from now on."""
    errors: list[str] = []
    monkeypatch.setattr(card_actions, "show_error", lambda _p, _title, text: errors.append(text))
    return errors


def test_a_week_session_deleted_elsewhere_says_so_when_clicked(
    qtbot: QtBot,
    context: AppContext,
    settings: QSettings,
    acme: CustomerRecord,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The week lists its sessions without reading them whole; a click reads one then. If a
    colleague deleted it meanwhile, the manager is told, and no editor opens on nothing."""
    session = book(context, acme, "screen-share", "2026-03-12T10:00")
    errors = errors_shown(monkeypatch)
    window = open_dashboard(qtbot, context, settings)
    page = window.dashboard
    context.scheduler.delete(session.id)  # elsewhere: the page does not know yet
    page.week_list.itemClicked.emit(page.week_list.item(0))
    assert window.findChild(SessionEditor) is None
    assert errors and "no longer in the book" in errors[0]
    qtbot.waitUntil(lambda: page.week_texts() == [], timeout=3000)


def test_a_done_session_of_this_week_opens_on_the_customer_page(
    qtbot: QtBot, context: AppContext, settings: QSettings, acme: CustomerRecord
) -> None:
    held = book(context, acme, "onboarding", "2026-03-10T10:00")
    context.scheduler.set_status(held.id, "done", now=NOW)
    window = open_dashboard(qtbot, context, settings)
    page = window.dashboard
    page.week_list.itemClicked.emit(page.week_list.item(0))
    assert window.pages.currentWidget() is window.customers_page
    selected = window.customers_page.sessions.selected_session()
    assert selected is not None and selected.id == held.id


def test_counts_follow_customer_changes(
    qtbot: QtBot, context: AppContext, settings: QSettings, acme: CustomerRecord
) -> None:
    window = open_dashboard(qtbot, context, settings)
    before = window.attention_badge()
    gold(context, "Borealis Health", start="2026-03-02")
    window.refresh()  # what the customer dialog's save does
    assert window.attention_badge() == before + 3


def test_the_allowance_chart_shows_the_fullest_allowances(
    qtbot: QtBot, context: AppContext, settings: QSettings, acme: CustomerRecord
) -> None:
    other = silver(context)
    book(context, acme, "screen-share", "2026-03-12T10:00")
    book(context, acme, "screen-share", "2026-03-13T10:00")
    book(context, other, "onboarding", "2026-03-16T10:00", minutes=90)
    window = open_dashboard(qtbot, context, settings)
    chart = window.dashboard.chart
    assert chart.texts() == [
        "Acme Logistics: Screen-shares this month 0 used · 2 scheduled · 2 left of 4 (50%)",
        "Brandt Logistik: Onboarding hours 0 used · 1.5 scheduled · 4.5 left of 6 h (25%)",
    ]
    with qtbot.waitSignal(chart.customer_clicked) as clicked:
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(20, 5))
    assert clicked.args == [acme.id]
    assert window.customers_page.selected_customer() == acme


def test_a_large_book_is_computed_off_the_gui_thread(
    qtbot: QtBot, context: AppContext, settings: QSettings, acme: CustomerRecord
) -> None:
    window = open_dashboard(qtbot, context, settings)
    page = window.dashboard
    page.background = True
    past = book(context, acme, "onboarding", "2026-03-09T10:00")
    page.refresh()
    assert page.is_updating() and page.updating_label.isVisible()
    page.refresh()  # asked again meanwhile: computed once more afterwards
    qtbot.waitUntil(lambda: not page.is_updating(), timeout=5000)
    assert not page.updating_label.isVisible()
    assert [c.item.session.id for c in page.cards("overdue") if c.item.session] == [past.id]
    assert window.attention_badge() == 4
    assert page.wait_for_idle()


@pytest.fixture
def dark(qapp: QApplication) -> Iterator[QPalette]:
    light = QPalette(qapp.palette())
    palette = QPalette(light)
    for role, color in (
        (QPalette.ColorRole.Window, "#202124"),
        (QPalette.ColorRole.WindowText, "#e8eaed"),
        (QPalette.ColorRole.Base, "#2a2b2f"),
        (QPalette.ColorRole.AlternateBase, "#313236"),
        (QPalette.ColorRole.Text, "#e8eaed"),
        (QPalette.ColorRole.Button, "#303134"),
        (QPalette.ColorRole.ButtonText, "#e8eaed"),
        (QPalette.ColorRole.Mid, "#4a4b50"),
        (QPalette.ColorRole.PlaceholderText, "#9aa0a6"),
    ):
        palette.setColor(role, QColor(color))
    qapp.setPalette(palette)
    apply_style(qapp)
    yield palette
    qapp.setStyleSheet("")
    qapp.setPalette(light)


def test_a_dark_palette_gives_dark_cards_and_readable_text(
    qtbot: QtBot, context: AppContext, settings: QSettings, acme: CustomerRecord, dark: QPalette
) -> None:
    window = open_dashboard(qtbot, context, settings)
    [card] = window.dashboard.cards("onboarding")
    image = card.grab().toImage()
    background = image.pixelColor(image.width() // 2, image.height() - 3)
    assert background.lightness() < 80, "the card is not left white"
    title = card.title.palette().color(card.title.foregroundRole())
    assert title.lightness() - background.lightness() > 120, "its text stays readable"
    # The stylesheet's dark tail replaces the light warning boxes.
    assert "#3a2c10" in QApplication.instance().styleSheet()  # type: ignore[union-attr]


def test_a_long_section_shows_four_and_a_show_all(
    qtbot: QtBot, context: AppContext, settings: QSettings
) -> None:
    for number in range(6):  # onboarding windows that close on Sat 14 Mar, in NOW's week
        gold(context, f"Customer {number}", start="2025-12-14")
    window = open_dashboard(qtbot, context, settings, unfold_later=False)
    section = window.dashboard.sections["onboarding"]
    assert section.count.text() == "6"
    assert len(section.cards) == 4
    assert section.more_button.text() == "Show all 6"
    assert section.more_button.toolTip() == "2 more not shown; show every one."
    section.more_button.click()
    assert len(section.cards) == 6
    assert section.more_button.text() == "Show fewer"


def test_a_section_of_thousands_unfolds_fifty_at_a_time(qtbot: QtBot) -> None:
    """A lead's team can owe thousands of clashes: "Show all" built every card at once and
    froze the window for seconds; the cards now come fifty a click, and fold back at any time."""
    items = [
        AttentionItem("conflict", None, f"Customer {n}: clashes", "", "move", date(2026, 3, 12))
        for n in range(120)
    ]
    # In a window of its own that has no layout: growing, it changes no window's size.
    window = QWidget()
    window.setMinimumSize(600, 400)
    qtbot.addWidget(window)
    section = AttentionSection("conflict", "Clashes", "", parent=window)
    section.set_items(items, AttentionCard)
    window.show()
    assert (len(section.cards), section.more_button.text()) == (4, "Show 50 more")
    assert section.more_button.toolTip() == "116 more not shown; show the next 50."
    assert not section.fewer_button.isVisible()
    section.more_button.click()
    assert (len(section.cards), section.more_button.text()) == (54, "Show 50 more")
    assert section.fewer_button.isVisible()
    section.more_button.click()
    assert (len(section.cards), section.more_button.text()) == (104, "Show all 120")
    section.set_items(items[:110], AttentionCard)  # recomputed: as far unfolded as before
    assert (len(section.cards), section.more_button.text()) == (104, "Show all 110")
    section.more_button.click()
    assert (len(section.cards), section.more_button.text()) == (110, "Show fewer")
    assert not section.fewer_button.isVisible()
    section.more_button.click()
    assert len(section.cards) == 4
    section.more_button.click()
    section.fewer_button.click()
    assert (len(section.cards), section.more_button.text()) == (4, "Show 50 more")


def test_what_is_due_after_this_week_waits_folded_under_later(
    qtbot: QtBot, context: AppContext, settings: QSettings
) -> None:
    gold(context, "Due soon", start="2025-12-14")  # onboarding window closes Sat 14 Mar
    gold(context, "Due later", start="2026-03-02")  # ... closes in May
    window = open_dashboard(qtbot, context, settings, unfold_later=False)
    page = window.dashboard
    assert [t for t in titles(page, "onboarding") if "onboarding" in t] == [
        "Due soon · 8 hours of onboarding not scheduled"
    ]
    later = page.later
    assert later.isVisible() and later.cards == []
    assert int(later.count.text()) >= 1 and later.more_button.text().startswith("Show all")
    later.more_button.click()
    assert "Due later · 8 hours of onboarding not scheduled" in titles(page, "onboarding")
    assert later.more_button.text() == "Hide"
    assert page.attention_count() == int(later.count.text()) + sum(
        int(s.count.text()) for s in page.sections.values() if s.isVisible()
    ), "the navigation badge still counts everything"


def test_a_busy_import_shows_a_clash_and_move_resolves_it(
    qtbot: QtBot,
    context: AppContext,
    settings: QSettings,
    acme: CustomerRecord,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = book(context, acme, "onboarding", "2026-03-13T10:00")
    ics = tmp_path / "mine.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        "UID:dentist@example.org\r\nDTSTAMP:20260301T080000Z\r\n"
        "DTSTART:20260313T140000Z\r\nDTEND:20260313T150000Z\r\nSUMMARY:Dentist\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *_args: (str(ics), "")))
    infos: list[str] = []
    monkeypatch.setattr(messages, "show_info", lambda _p, _title, text: infos.append(text))
    window = open_dashboard(qtbot, context, settings)
    page = window.dashboard
    assert titles(page, "conflict") == []
    window.import_calendar_action.trigger()
    qtbot.waitUntil(lambda: bool(infos), timeout=5000)  # the import runs in the background
    assert "1 booked session now clash" in infos[0]
    qtbot.waitUntil(lambda: bool(titles(page, "conflict")), timeout=3000)
    assert titles(page, "conflict") == ["Acme Logistics · onboarding assistance clashes"]
    [card] = page.cards("conflict")
    assert "Dentist" in card.detail.text()
    assert [b.text() for b in card.buttons] == ["Move…"]
    card.buttons[0].click()
    editor = window.findChild(SessionEditor)
    assert editor is not None
    wait_checked(qtbot, editor, ["conflict"])
    editor.time_edit.setTime(QTime(13, 0))
    wait_checked(qtbot, editor, [])
    editor.save_button.click()
    moved = context.scheduler.get(session.id)
    assert context.clock.et(moved.start_utc).hour == 13
    qtbot.waitUntil(lambda: titles(page, "conflict") == [], timeout=3000)


def test_move_on_a_clash_deleted_elsewhere_says_so_and_the_card_goes(
    qtbot: QtBot,
    context: AppContext,
    settings: QSettings,
    acme: CustomerRecord,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A clash card names its session without reading it whole; Move reads it then. If a
    colleague deleted it meanwhile, the manager is told, and no editor opens on nothing."""
    session = book(context, acme, "onboarding", "2026-03-13T10:00")
    start = context.clock.parse("2026-03-13T10:30")
    context.scheduler.add_busy([Busy(start, start + timedelta(hours=1), "Dentist")])
    errors = errors_shown(monkeypatch)
    window = open_dashboard(qtbot, context, settings)
    page = window.dashboard
    qtbot.waitUntil(lambda: bool(titles(page, "conflict")), timeout=3000)
    [card] = page.cards("conflict")
    context.scheduler.delete(session.id)  # elsewhere: the page does not know yet
    card.buttons[0].click()
    assert window.findChild(SessionEditor) is None
    assert errors and "no longer in the book" in errors[0]
    qtbot.waitUntil(lambda: titles(page, "conflict") == [], timeout=3000)


def count_computations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one each time the dashboard is computed from now on."""
    from desktop.views.dashboard import dashboard_refresh

    computed: list[int] = []
    compute = dashboard_refresh.compute_dashboard

    def counted(*args: object) -> object:
        computed.append(1)
        return compute(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(dashboard_refresh, "compute_dashboard", counted)
    return computed


def test_a_hidden_dashboard_recomputes_once_when_shown_again(
    qtbot: QtBot,
    context: AppContext,
    settings: QSettings,
    acme: CustomerRecord,
    monkeypatch: pytest.MonkeyPatch,
) -> None:

    first = book(context, acme, "onboarding", "2026-03-09T10:00")
    second = book(context, acme, "onboarding", "2026-03-10T10:00")
    window = open_dashboard(qtbot, context, settings)
    page = window.dashboard
    assert len(page.cards("overdue")) == 2
    computed = count_computations(monkeypatch)
    window.show_page(CUSTOMERS)
    assert not page.isVisible()
    for session in (first, second):
        window.session_actions.set_status(session.id, "done", now=NOW)
    assert computed == [], "a hidden dashboard computes nothing at once"
    window.show_page(DASHBOARD)
    assert computed == [1], "one computation for both changes"
    assert page.cards("overdue") == []
    window.show_page(CUSTOMERS)
    window.show_page(DASHBOARD)
    assert computed == [1], "nothing changed meanwhile"


def test_a_hidden_dashboard_keeps_the_navigation_count_true(
    qtbot: QtBot,
    context: AppContext,
    settings: QSettings,
    acme: CustomerRecord,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from desktop.views.dashboard import dashboard_refresh

    monkeypatch.setattr(dashboard_refresh, "BADGE_AFTER_MS", 50)
    first = book(context, acme, "onboarding", "2026-03-09T10:00")
    second = book(context, acme, "onboarding", "2026-03-10T10:00")
    window = open_dashboard(qtbot, context, settings)
    page = window.dashboard
    badge = window.attention_badge()
    assert badge >= 2
    computed = count_computations(monkeypatch)
    window.show_page(CUSTOMERS)
    for session in (first, second):
        window.session_actions.set_status(session.id, "done", now=NOW)
    assert computed == []
    qtbot.waitUntil(lambda: window.attention_badge() == badge - 2, timeout=5000)
    assert computed == [1], "one computation for the run of changes"
    window.show_page(DASHBOARD)
    assert computed == [1], "shown after the count was brought up to date: nothing to redo"
    assert page.cards("overdue") == []


def test_a_worker_that_cannot_read_the_book_says_so_in_plain_words(
    qtbot: QtBot,
    context: AppContext,
    settings: QSettings,
    acme: CustomerRecord,
    monkeypatch: pytest.MonkeyPatch,
    dialogs: Dialogs,
) -> None:
    from desktop.errors import BadInput
    from desktop.views.dashboard import dashboard_refresh

    window = open_dashboard(qtbot, context, settings)
    page = window.dashboard
    before = titles(page)
    page.background = True

    def unreadable(*_args: object) -> object:
        raise BadInput("The book is locked by a colleague.")

    monkeypatch.setattr(dashboard_refresh, "compute_dashboard", unreadable)
    page.refresh()
    assert page.is_updating()
    qtbot.waitUntil(lambda: not page.is_updating(), timeout=5000)
    assert dialogs.errors == [("Could not read the book", "The book is locked by a colleague.")]
    assert not page.updating_label.isVisible()
    assert titles(page) == before, "what was shown stays"


def test_a_result_of_the_customers_shown_before_is_dropped(
    qtbot: QtBot,
    context: AppContext,
    settings: QSettings,
    acme: CustomerRecord,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Found in review: choosing an owner with no customers while the worker computed the
    previous choice showed the previous choice's items when the worker ended."""
    import threading

    from desktop.views.dashboard import dashboard_refresh

    book(context, acme, "onboarding", "2026-03-09T10:00")
    window = open_dashboard(qtbot, context, settings)
    page = window.dashboard
    assert page.attention_count() > 0
    page.background = True
    release = threading.Event()
    compute = dashboard_refresh.compute_dashboard

    def slow(*args: object) -> object:
        release.wait(5)
        return compute(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(dashboard_refresh, "compute_dashboard", slow)
    page.refresh()
    assert page.is_updating()
    page.set_customers([], total=1)  # a colleague's filter with nobody in it
    assert page.attention_count() == 0
    release.set()
    qtbot.waitUntil(lambda: not page.is_updating(), timeout=5000)
    assert page.attention_count() == 0
    assert window.attention_badge() == 0
    assert not page.updating_label.isVisible()
