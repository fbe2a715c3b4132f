"""Which actions a session's status allows: the one rule the sessions panel's buttons follow.

Qt-free so that the rule is tested on its own: a planned session can be edited, cancelled and
invited to; once it has started it can be marked done or no-show, and those two can be
swapped afterwards; a cancelled session's invite becomes its cancellation.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.services.scheduling.status import SessionStatus


@dataclass(frozen=True)
class StatusActions:
    edit: bool = False
    invite: bool = False  # the invite, or for a cancelled session its cancellation
    cancel: bool = False
    mark_done: bool = False
    mark_no_show: bool = False
    # Planned but not started yet: "done" and "no-show" wait for the start.
    waiting_for_start: bool = False
    invite_cancels: bool = False


def status_actions(status: SessionStatus | None, started: bool) -> StatusActions:
    """What the buttons offer for a session in `status` (None: nothing selected)."""
    if status is None:
        return StatusActions()
    planned = status is SessionStatus.PLANNED
    cancelled = status is SessionStatus.CANCELLED
    return StatusActions(
        edit=planned,
        invite=planned or cancelled,
        cancel=planned,
        mark_done=started and status in (SessionStatus.PLANNED, SessionStatus.NO_SHOW),
        mark_no_show=started and status in (SessionStatus.PLANNED, SessionStatus.DONE),
        waiting_for_start=planned and not started,
        invite_cancels=cancelled,
    )
