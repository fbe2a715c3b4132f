"""The one place that knows where `resources/` lives, from a checkout or an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_path(*parts: str) -> Path:
    """Path of a shipped resource: the wheel carries them in `desktop/_resources`."""
    for base in (_PACKAGE_DIR / "_resources", _PACKAGE_DIR.parent / "resources"):
        if base.is_dir():
            return base.joinpath(*parts)
    raise FileNotFoundError(f"amplan resources not found near {_PACKAGE_DIR}")
