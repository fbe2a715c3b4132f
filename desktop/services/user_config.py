"""The person's settings, apart from any book: profile, mail and calendar accounts.

They live in one JSON file in the user configuration directory (platformdirs), or in the
directory `AMPLAN_CONFIG` names, so that a manager who opens the team's book and a solo book
is the same person in both. Passwords never go here: they belong in the OS keyring.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import platformdirs

from desktop.errors import BadInput

CONFIG_ENV = "AMPLAN_CONFIG"
CONFIG_FILE = "config.json"


def default_config_dir() -> Path:
    """`AMPLAN_CONFIG` wins over the per-user configuration directory."""
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).expanduser()
    return Path(platformdirs.user_config_dir("amplan", appauthor=False))


class UserConfig:
    """Named sections of plain values, each written whole and atomically."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory if directory is not None else default_config_dir()
        self.path = self.directory / CONFIG_FILE

    def _read_all(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise BadInput(f"Cannot read your settings ({self.path}): {exc.strerror}.") from None
        try:
            data = json.loads(text)
        except ValueError:
            raise BadInput(
                f"Your settings file {self.path} is not valid JSON; fix or remove it."
            ) from None
        if not isinstance(data, dict):
            raise BadInput(f"Your settings file {self.path} does not hold settings.")
        return data

    def section(self, name: str) -> dict[str, Any]:
        value = self._read_all().get(name, {})
        return dict(value) if isinstance(value, dict) else {}

    def has_section(self, name: str) -> bool:
        return name in self._read_all()

    def save_section(self, name: str, values: Mapping[str, Any]) -> None:
        """Replace one section; a crash mid-write leaves the previous file whole."""
        data = self._read_all()
        data[name] = dict(values)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".config-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=2, sort_keys=True)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except OSError as exc:
            raise BadInput(f"Cannot save your settings ({self.path}): {exc.strerror}.") from None
