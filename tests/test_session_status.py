"""The session states: stored as their plain strings, spoken of in one place."""

from desktop.services.changes import EVERYTHING, BookChange
from desktop.services.scheduling.status import USED_STATUSES, SessionStatus


def test_a_status_is_stored_as_its_string_and_read_back_from_it() -> None:
    assert SessionStatus.NO_SHOW == "no-show"
    assert SessionStatus("cancelled") is SessionStatus.CANCELLED
    assert {str(s) for s in SessionStatus} == {"planned", "done", "cancelled", "no-show"}


def test_what_counts_and_what_is_used() -> None:
    assert not SessionStatus.CANCELLED.counts
    assert SessionStatus.NO_SHOW.counts and SessionStatus.NO_SHOW.used
    assert not SessionStatus.PLANNED.used
    assert {SessionStatus.DONE, SessionStatus.NO_SHOW} == USED_STATUSES


def test_every_status_has_its_words() -> None:
    assert [s.label for s in SessionStatus] == ["Planned", "Done", "Cancelled", "No-show"]
    assert SessionStatus.NO_SHOW.summary_word == "missed (counts as used)"
    assert SessionStatus.CANCELLED.change_noun == "cancellation"


def test_a_change_says_which_customers_it_touched() -> None:
    change = BookChange.of_sessions([4], [1, 2]).merged(BookChange(busy=True))
    assert change.session_ids == {4} and change.busy
    assert change.touches_customer(2) and not change.touches_customer(3)
    assert EVERYTHING.touches_customer(3)
