"""Calendar files on disk: safe names, the folders last used, and the "saved" message with
an Open folder button."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from PySide6.QtCore import QDate, QSettings, QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from desktop.app import AppContext
from desktop.views.widgets import messages

ICS_FILTER = "Calendar files (*.ics)"
OPEN_FILTER = f"{ICS_FILTER};;All files (*)"
SAVE_FOLDER_KEY = "calendarFiles/saveFolder"
IMPORT_FOLDER_KEY = "calendarFiles/importFolder"
_UNSAFE = set('\\/:*?"<>|')


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def safe_file_name(stem: str, suffix: str = ".ics") -> str:
    """`stem` as a file name every system accepts: no separators, no reserved characters."""
    cleaned = "".join("-" if ch in _UNSAFE or ord(ch) < 32 else ch for ch in stem)
    cleaned = " ".join(cleaned.split()).strip(" .")[:120].strip(" .")
    return f"{cleaned or 'calendar'}{suffix}"


def last_folder(key: str) -> Path:
    """The folder last used for `key`, else Documents, else home."""
    stored = QSettings().value(key)
    if stored and Path(str(stored)).is_dir():
        return Path(str(stored))
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return Path(documents)
    return Path.home()


def remember_folder(key: str, folder: Path) -> None:
    settings = QSettings()
    settings.setValue(key, str(folder))
    settings.sync()


def ask_save_path(parent: QWidget | None, title: str, file_name: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(
        parent, title, str(last_folder(SAVE_FOLDER_KEY) / file_name), ICS_FILTER
    )
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() != ".ics":
        path = path.with_name(f"{path.name}.ics")
    remember_folder(SAVE_FOLDER_KEY, path.parent)
    return path


def today_et(context: AppContext) -> date:
    return context.clock.et_date(datetime.now(UTC))


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def open_folder(parent: QWidget | None, folder: Path) -> bool:
    """Show `folder` in the system's file manager."""
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
        return True
    messages.show_error(
        parent, "Folder not opened", f"The folder could not be opened. The file is in {folder}."
    )
    return False


def show_saved(parent: QWidget | None, title: str, text: str, path: Path) -> None:
    """Say what was saved, with an "Open folder" button next to OK.

    Shaped like the functions of `messages` (tests replace it the same way), with the saved
    file as the one extra argument.
    """
    box = QMessageBox(
        QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    box.setObjectName("calendarFileSaved")
    folder_button = box.addButton("Open folder", QMessageBox.ButtonRole.ActionRole)
    ok = box.addButton(QMessageBox.StandardButton.Ok)
    box.setDefaultButton(ok)
    box.setEscapeButton(ok)
    box.exec()
    if box.clickedButton() is folder_button:
        open_folder(parent, path.parent)
