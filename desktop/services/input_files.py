"""Reading a file the user chose (a calendar export, a reply): its problems as BadInput."""

from __future__ import annotations

from pathlib import Path

from desktop.errors import BadInput


def read_input_file(path: Path, max_bytes: int, what: str) -> bytes:
    """The file's bytes; a missing, unreadable or oversized file (over `max_bytes`, "too large
    to be `what`") is refused before anything is parsed."""
    try:
        if path.stat().st_size > max_bytes:
            raise BadInput(f"{path} is too large to be {what}.")
        return path.read_bytes()
    except FileNotFoundError:
        raise BadInput(f"File not found: {path}") from None
    except OSError as exc:
        raise BadInput(f"Cannot read {path}: {exc.strerror}") from None
