"""Where amplan keeps its files for this user (platformdirs): the default book, team-book
backups, logs."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "amplan"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
