"""The window's menus as a table: each entry names its text, keys, icon and the window's
method it calls. The menus' titles are there from the first paint; their entries arrive with
the book (they act on it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar

from desktop.views.shell.window_pages import PAGES
from desktop.views.widgets.icons import icon

if TYPE_CHECKING:
    from desktop.views.shell.main_window import MainWindow

Keys = QKeySequence.StandardKey
Role = QAction.MenuRole


@dataclass(frozen=True)
class Entry:
    """One menu entry. `name`: the window attribute that keeps the action ("": none)."""

    name: str
    text: str
    slot: str
    icon: str = ""
    keys: QKeySequence.StandardKey | str | None = None
    tip: str = ""
    role: QAction.MenuRole | None = None
    enabled: bool = True


class MenuActions:
    """The actions `fill_menus` keeps on the window, for its code and its tests."""

    add_action: QAction
    sample_action: QAction
    copy_book_action: QAction
    print_calendar_action: QAction
    backup_action: QAction
    restore_action: QAction
    preferences_action: QAction
    undo_action: QAction
    redo_action: QAction
    find_action: QAction
    go_to_date_action: QAction
    new_session_action: QAction
    plan_book_action: QAction
    export_calendar_action: QAction
    import_calendar_action: QAction
    clear_busy_action: QAction
    sync_now_action: QAction
    caldav_account_action: QAction
    caldav_conflicts_action: QAction
    page_actions: dict[int, QAction]
    calendar_view_actions: dict[str, QAction]


SEPARATOR = None
MenuEntries = tuple[Entry | None, ...]

FILE: MenuEntries = (
    Entry("add_action", "&Add customer…", "add_customer", "add", Keys.New),
    Entry("sample_action", "Load &sample book", "load_sample_book", "sample"),
    Entry(
        "copy_book_action",
        "&Copy book to a team server…",
        "copy_book",
        tip="Copy the whole book into an empty team book.",
    ),
    SEPARATOR,
    Entry(
        "print_calendar_action",
        "&Print calendar…",
        "print_calendar",
        keys=Keys.Print,
        tip="Print or save as PDF the calendar's day, week, month or agenda as shown.",
    ),
    SEPARATOR,
    Entry("backup_action", "&Back up now", "back_up"),
    Entry("restore_action", "&Restore from backup…", "restore_backup"),
    SEPARATOR,
    Entry(
        "preferences_action",
        "&Preferences…",
        "show_preferences",
        keys=Keys.Preferences,
        role=Role.PreferencesRole,
    ),
    SEPARATOR,
    Entry("", "&Quit", "close", keys=Keys.Quit, role=Role.QuitRole),
)
EDIT: MenuEntries = (  # after Undo and Redo
    SEPARATOR,
    Entry(
        "find_action",
        "&Find…",
        "find_in_book",
        "search",
        Keys.Find,
        "Find customers, sessions and busy time in the whole book.",
    ),
)
VIEW_END: MenuEntries = (  # after the pages and the calendar's views
    SEPARATOR,
    Entry("", "&Today", "go_to_today", keys="Ctrl+T"),
    Entry("go_to_date_action", "&Go to date…", "ask_date", keys="Ctrl+G"),
)
SESSIONS: MenuEntries = (
    Entry(
        "new_session_action",
        "&New session…",
        "new_session",
        "add",
        "Ctrl+Shift+N",
        "Book a session, checked against the contract as you type (Ctrl+Shift+N).",
    ),
    Entry(
        "plan_book_action",
        "&Plan the book…",
        "plan_book",
        "plan",
        tip="Propose the onboarding and account-management calls of the next 12 months for "
        "every customer; you choose which to book.",
    ),
    SEPARATOR,
    Entry(
        "export_calendar_action",
        "&Export calendar…",
        "export_calendar",
        "calendar-export",
        tip="Save a calendar file (.ics) of a customer's or the whole book's sessions.",
    ),
    Entry(
        "import_calendar_action",
        "&Import my calendar…",
        "import_my_calendar",
        "calendar-import",
        tip="Your Outlook, Google or Apple calendar as busy time that bookings avoid.",
    ),
    Entry("clear_busy_action", "&Clear busy time…", "clear_busy_time"),
    SEPARATOR,
    Entry("sync_now_action", "S&ync now", "sync_now", keys="F5"),
    Entry(
        "caldav_account_action",
        "Calendar &account…",
        "edit_caldav_account",
        tip="Your CalDAV calendar (Nextcloud, Fastmail, iCloud...): sessions go there, busy "
        "time comes back.",
    ),
    Entry(
        "caldav_conflicts_action", "Calendar &conflicts…", "show_caldav_conflicts", enabled=False
    ),
)
HELP: MenuEntries = (Entry("", "&About amplan", "show_about", role=Role.AboutRole),)
TITLES = ("&File", "&Edit", "&View", "&Sessions", "&Help")


def add_menus(bar: QMenuBar) -> dict[str, QMenu]:
    """The menus' titles, empty until the book is open."""
    return {title: bar.addMenu(title) for title in TITLES}


def fill_menus(window: MainWindow, menus: dict[str, QMenu]) -> None:
    """Every entry of every menu, each action kept on the window under its entry's name."""
    _add(window, menus["&File"], FILE)
    edit = menus["&Edit"]
    stack = window.session_actions.stack
    # Qt keeps their text current: "Undo move of Acme Logistics screen-share".
    window.undo_action = stack.createUndoAction(window, "Undo")
    window.undo_action.setShortcuts(Keys.Undo)
    window.undo_action.setIcon(icon("undo"))
    window.redo_action = stack.createRedoAction(window, "Redo")
    window.redo_action.setShortcuts(Keys.Redo)
    window.redo_action.setIcon(icon("redo"))
    edit.addAction(window.undo_action)
    edit.addAction(window.redo_action)
    _add(window, edit, EDIT)
    _fill_view_menu(window, menus["&View"])
    _add(window, menus["&Sessions"], SESSIONS)
    _add(window, menus["&Help"], HELP)


def _fill_view_menu(window: MainWindow, menu: QMenu) -> None:
    """Every page and calendar view with its shortcut, for the keyboard and the curious."""
    from desktop.views.calendar.calendar_page import VIEW_LABELS, VIEWS

    window.page_actions = {}
    for number, (page, (label, _icon)) in enumerate(PAGES.items(), start=1):
        action = _action(window, label, f"Ctrl+{number}")
        action.triggered.connect(lambda _checked=False, p=page: window.show_page(p))
        menu.addAction(action)
        window.page_actions[page] = action
    menu.addSeparator()
    window.calendar_view_actions = {}
    for view in VIEWS:
        label = VIEW_LABELS[view]
        action = _action(window, f"{label} view", f"Ctrl+Shift+{label[0]}")
        action.triggered.connect(lambda _checked=False, v=view: window.show_calendar_view(v))
        menu.addAction(action)
        window.calendar_view_actions[view] = action
    _add(window, menu, VIEW_END)


def _action(window: MainWindow, text: str, keys: QKeySequence.StandardKey | str) -> QAction:
    action = QAction(text, window)
    action.setShortcut(QKeySequence(keys))
    return action


def _add(window: MainWindow, menu: QMenu, entries: MenuEntries) -> None:
    for entry in entries:
        if entry is None:
            menu.addSeparator()
            continue
        action = QAction(entry.text, window)
        if entry.icon:
            action.setIcon(icon(entry.icon))
        if entry.keys is not None:
            action.setShortcut(QKeySequence(entry.keys))
        if entry.tip:
            action.setToolTip(entry.tip)
        if entry.role is not None:
            action.setMenuRole(entry.role)
        action.setEnabled(entry.enabled)
        action.triggered.connect(getattr(window, entry.slot))
        menu.addAction(action)
        if entry.name:
            setattr(window, entry.name, action)
