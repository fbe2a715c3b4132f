"""The sessions panel's buttons follow one rule per status (services, no Qt)."""

from __future__ import annotations

from desktop.services.scheduling.status import SessionStatus
from desktop.services.scheduling.status_actions import StatusActions, status_actions


def test_nothing_selected_offers_nothing() -> None:
    assert status_actions(None, True) == StatusActions()


def test_a_planned_session_not_started_can_be_changed_but_not_marked() -> None:
    actions = status_actions(SessionStatus.PLANNED, started=False)
    assert (actions.edit, actions.invite, actions.cancel) == (True, True, True)
    assert (actions.mark_done, actions.mark_no_show) == (False, False)
    assert actions.waiting_for_start and not actions.invite_cancels


def test_a_started_planned_session_can_be_marked_either_way() -> None:
    actions = status_actions(SessionStatus.PLANNED, started=True)
    assert actions.mark_done and actions.mark_no_show and not actions.waiting_for_start


def test_done_and_no_show_swap_but_are_not_edited() -> None:
    done = status_actions(SessionStatus.DONE, started=True)
    assert (done.mark_done, done.mark_no_show) == (False, True)
    assert not (done.edit or done.cancel)
    missed = status_actions(SessionStatus.NO_SHOW, started=True)
    assert (missed.mark_done, missed.mark_no_show, missed.invite) == (True, False, False)


def test_a_cancelled_session_only_sends_its_cancellation() -> None:
    actions = status_actions(SessionStatus.CANCELLED, started=True)
    assert actions.invite and actions.invite_cancels
    assert not (actions.edit or actions.cancel or actions.mark_done or actions.mark_no_show)
