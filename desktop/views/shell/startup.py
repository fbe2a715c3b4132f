"""The window's fast start: Qt and the window's frame first, the book after the first paint.

`start_gui` is what `amplan` (or `amplan gui`) runs: it checks what can be checked without
the book, shows the frame, and only then imports SQLAlchemy and the services and opens the
book. Errors of the start read and exit exactly as the command line's (shared/CLI.md).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.errors import AmplanError, BadInput

if TYPE_CHECKING:
    from desktop.app import AppContext


@dataclass(frozen=True)
class GuiRequest:
    """What a start of the window was asked for on the command line."""

    db: str | None = None
    policy: str | None = None
    quit_after_start: bool = False
    open_file: str | None = None


def require_a_screen() -> None:
    """Qt would abort the process with a core dump when there is no screen: say so instead."""
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    ):
        raise BadInput(
            "No screen to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set). "
            "Run amplan in a desktop session, or use its commands (`amplan --help`)."
        )


def file_to_open(opened: str | None) -> Path | None:
    """The calendar file handed over by the desktop, which must exist."""
    if opened and not Path(opened).is_file():
        raise BadInput(f"{opened}: no such file to open.")
    return Path(opened) if opened else None


def start_gui(request: GuiRequest) -> int:
    """Open the window on the requested book; the exit code, as `amplan gui` gives it."""
    try:
        require_a_screen()
        open_file = file_to_open(request.open_file)
    except AmplanError as exc:
        print(f"amplan: {exc}", file=sys.stderr)
        return exc.exit_code
    from desktop.views.shell.application import WindowRun  # Qt and the frame, no services

    run = WindowRun(lambda: _open_book(request), request.quit_after_start, open_file)
    try:
        return run.run()
    except AmplanError as exc:
        print(f"amplan: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("amplan: interrupted; nothing more was saved.", file=sys.stderr)
        return 130
    except OSError as exc:  # a path the system refuses (name too long, no permission...)
        name = f" ({str(exc.filename)[:80]})" if exc.filename else ""
        print(f"amplan: {exc.strerror or exc}{name}. Nothing was saved.", file=sys.stderr)
        return 2
    except Exception as exc:
        return _store_failure(exc, request)
    finally:
        if run.context is not None:
            run.context.close()


def _open_book(request: GuiRequest) -> AppContext:
    from desktop.app import build_context, resolve_db_path
    from desktop.collector import set_aside_what_lasts

    context = build_context(resolve_db_path(request.db), request.policy)
    set_aside_what_lasts()
    return context


def _store_failure(exc: Exception, request: GuiRequest) -> int:
    """A book the system refuses (a full disk, a read-only medium, a damaged file) reads as
    the command line says it; anything else is a bug and is raised."""
    from desktop.app import resolve_db_path
    from desktop.models.store_errors import is_store_failure, translate

    if not is_store_failure(exc):
        raise exc
    print(f"amplan: {translate(exc, resolve_db_path(request.db))}", file=sys.stderr)
    return 2
