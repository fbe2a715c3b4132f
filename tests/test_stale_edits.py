"""An edit made on a copy of a session that someone changed since is refused with a clear
message, never written over the newer change (two windows, or two managers of a team)."""

from __future__ import annotations

from pathlib import Path

import pytest
from desktop.services.scheduling.sessions import StaleEdit

from sessions_helpers import open_book


def test_a_change_on_a_stale_copy_is_refused_and_saves_nothing(
    book_location: Path | str,
) -> None:
    with open_book(book_location) as mine, open_book(book_location) as theirs:
        acme = mine.customer("Acme")
        opened = mine.book(acme, "screen-share", "2026-03-17T10:00")
        # A colleague moves it first.
        requested = theirs.t("2026-03-01T09:00")
        theirs.scheduler.move(
            opened.id, theirs.times("screen-share", "2026-03-18T10:00"), requested
        )
        later = mine.times("screen-share", "2026-03-19T10:00")
        with pytest.raises(StaleEdit, match="changed elsewhere"):
            mine.scheduler.move(opened.id, later, requested, expected_sequence=opened.sequence)
        with pytest.raises(StaleEdit):
            mine.scheduler.set_status(opened.id, "cancelled", expected_sequence=opened.sequence)
        request = mine.request(acme, "screen-share", "2026-03-20T10:00")
        with pytest.raises(StaleEdit):
            mine.scheduler.update(opened.id, request, expected_sequence=opened.sequence)
        now = mine.scheduler.get(opened.id)
        assert (now.sequence, now.status) == (1, "planned")
        assert now.start_utc == mine.t("2026-03-18T10:00")
        # On the fresh copy the same change goes through.
        moved = mine.scheduler.move(opened.id, later, requested, expected_sequence=now.sequence)
        assert moved.saved and moved.session.sequence == 2


def test_a_drag_keeps_the_length_and_is_refused_on_a_stale_copy(
    book_location: Path | str,
) -> None:
    with open_book(book_location) as mine, open_book(book_location) as theirs:
        acme = mine.customer("Acme")
        opened = mine.book(acme, "screen-share", "2026-03-17T10:00")
        requested = mine.t("2026-03-01T09:00")
        length = opened.end_utc - opened.start_utc
        moved = mine.scheduler.move_start(
            opened.id, mine.t("2026-03-18T14:00"), requested, expected_sequence=opened.sequence
        ).session
        assert moved.start_utc == mine.t("2026-03-18T14:00")
        assert moved.end_utc - moved.start_utc == length
        with pytest.raises(StaleEdit):
            theirs.scheduler.move_start(
                opened.id, theirs.t("2026-03-19T14:00"), expected_sequence=opened.sequence
            )
        assert mine.scheduler.get(opened.id).start_utc == mine.t("2026-03-18T14:00")


def test_undo_of_a_move_is_refused_once_a_colleague_moved_the_session_since(
    book_location: Path | str,
) -> None:
    with open_book(book_location) as mine, open_book(book_location) as theirs:
        acme = mine.customer("Acme")
        before = mine.book(acme, "screen-share", "2026-03-17T10:00")
        requested = mine.t("2026-03-01T09:00")
        mine.scheduler.move(before.id, mine.times("screen-share", "2026-03-18T10:00"), requested)
        after = mine.scheduler.get(before.id)
        theirs.scheduler.move(
            before.id, theirs.times("screen-share", "2026-03-19T10:00"), requested
        )
        with pytest.raises(StaleEdit, match=r"Not undone: .* was changed elsewhere since \(by "):
            mine.scheduler.restore(before, expected_sequence=after.sequence)
        kept = mine.scheduler.get(before.id)
        assert kept.start_utc == mine.t("2026-03-19T10:00")
        # As this window left it, the undo goes through, and the next one expects its result.
        undone = mine.scheduler.restore(before, expected_sequence=kept.sequence)
        assert undone.start_utc == before.start_utc and undone.sequence == kept.sequence + 1


def test_undo_of_a_booking_is_refused_once_a_colleague_changed_it_and_deletes_nothing(
    book_location: Path | str,
) -> None:
    with open_book(book_location) as mine, open_book(book_location) as theirs:
        acme = mine.customer("Acme")
        first = mine.book(acme, "screen-share", "2026-03-17T10:00")
        second = mine.book(acme, "screen-share", "2026-03-18T10:00")
        theirs.scheduler.set_status(second.id, "cancelled")
        expected = {first.id: first.sequence, second.id: second.sequence}
        with pytest.raises(StaleEdit, match="Not undone"):
            mine.scheduler.delete([first.id, second.id], expected)
        assert mine.scheduler.get(first.id).status == "planned"
        assert mine.scheduler.get(second.id).status == "cancelled"
        mine.scheduler.delete([first.id], {first.id: first.sequence})
        assert [s.id for s in mine.scheduler.find()] == [second.id]
