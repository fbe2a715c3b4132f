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
