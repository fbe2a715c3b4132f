"""The four states of a session and every word the app says about them.

A `StrEnum`, so the value stored in the book stays the plain string ("no-show") and compares
equal to it; code names the member, never the string.
"""

from __future__ import annotations

from enum import StrEnum


class SessionStatus(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"
    NO_SHOW = "no-show"

    @property
    def label(self) -> str:
        """A table cell or a calendar block: 'Planned', 'No-show'."""
        return _LABELS[self]

    @property
    def summary_word(self) -> str:
        """The customer's summary speaks of what happened: 'held', 'missed (counts as used)'."""
        return _SUMMARY_WORDS[self]

    @property
    def change_noun(self) -> str:
        """Undo's menu text: 'Undo cancellation of ...', 'Undo marking done of ...'."""
        return _CHANGE_NOUNS[self]

    @property
    def counts(self) -> bool:
        """Cancelled sessions count for nothing; a no-show counts as used."""
        return self is not SessionStatus.CANCELLED

    @property
    def used(self) -> bool:
        """Held or missed: the entitlement is spent."""
        return self in USED_STATUSES


USED_STATUSES = frozenset({SessionStatus.DONE, SessionStatus.NO_SHOW})
# The statuses that count, for a stored status as read (a plain string): a set lookup where
# building the member cost a microsecond a session in a team's ledger.
COUNTING = frozenset(status.value for status in SessionStatus if status.counts)

_LABELS = {
    SessionStatus.PLANNED: "Planned",
    SessionStatus.DONE: "Done",
    SessionStatus.CANCELLED: "Cancelled",
    SessionStatus.NO_SHOW: "No-show",
}
_SUMMARY_WORDS = {
    SessionStatus.PLANNED: "planned",
    SessionStatus.DONE: "held",
    SessionStatus.CANCELLED: "cancelled",
    SessionStatus.NO_SHOW: "missed (counts as used)",
}
_CHANGE_NOUNS = {
    SessionStatus.PLANNED: "reopening",
    SessionStatus.DONE: "marking done",
    SessionStatus.CANCELLED: "cancellation",
    SessionStatus.NO_SHOW: "no-show",
}


def status_of(value: str) -> SessionStatus:
    """The member for a stored value; an unknown one is a bug in the store, so it raises."""
    return SessionStatus(value)
