"""`amplan` and `python -m desktop`: a window start takes a fast path, everything else the CLI.

Opening the window (`amplan`, `amplan gui`, with `--db`, `--policy`, `--quit-after-start`,
`--open`) is recognised here with no more than the standard library, so that Qt and the
window's frame load first and the window paints before SQLAlchemy and the services are even
imported. Anything else (another command, --help, a flag this scan does not know, a usage
error) goes to the full command line (`desktop.cli.main`), which behaves as it always did.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from desktop.collector import collect_less_often
from desktop.views.shell.startup import GuiRequest

GLOBAL_VALUES = ("--db", "--policy")


def gui_request(argv: Sequence[str]) -> GuiRequest | None:
    """The window start `argv` asks for, or None when it asks for anything else."""
    values: dict[str, str] = {}
    command = False
    quit_after_start = False
    tokens = list(argv)
    while tokens:
        token = tokens.pop(0)
        name, equals, value = token.partition("=")
        if name in GLOBAL_VALUES or (command and name == "--open"):
            if not equals:
                if not tokens or tokens[0].startswith("-"):
                    return None  # argparse says what is missing
                value = tokens.pop(0)
            values[name] = value
        elif token == "--json":
            continue  # accepted by the command line, meaningless for the window
        elif token == "gui" and not command:
            command = True
        elif token == "--quit-after-start" and command:
            quit_after_start = True
        else:
            return None
    return GuiRequest(
        values.get("--db"), values.get("--policy"), quit_after_start, values.get("--open")
    )


def main(argv: Sequence[str] | None = None) -> int:
    collect_less_often()
    arguments = list(sys.argv[1:] if argv is None else argv)
    request = gui_request(arguments)
    if request is None:
        from desktop.cli import main as command_line

        return command_line(arguments)
    from desktop.views.shell.startup import start_gui

    return start_gui(request)
