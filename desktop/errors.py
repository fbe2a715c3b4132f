"""One hierarchy of expected errors: each carries a message meant for the user.

Anything else that escapes is a bug and goes to the crash handler, never to a silent pass.
"""

from __future__ import annotations


class AmplanError(Exception):
    """An expected problem the user can act on; `str()` is the message to show."""

    exit_code = 2


class BadInput(AmplanError):
    """Input that does not make sense (unknown customer, bad date, malformed file)."""


class StoreError(AmplanError):
    """The database file cannot be used as asked; the file itself is left untouched."""


class StoreLocked(StoreError):
    """Another amplan window already has this book open."""


class PolicyError(AmplanError):
    """The policy file is missing, malformed, or has a bad key."""
