"""The dashboard's narrow reads: a window returns its customer's counted sessions of its kinds
on its ET days, nothing else, whether found through the customer index or by kind and day."""

from __future__ import annotations

from datetime import date

import pytest
from desktop.services import attention_reads
from desktop.services.attention_reads import UtcDays, Window, counted_in_windows
from desktop.services.scheduling.status import SessionStatus

from sessions_helpers import Book


@pytest.mark.parametrize("few", [500, 0])
def test_a_window_holds_its_customers_counted_sessions_of_its_kinds_and_days(
    team: Book, few: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(attention_reads, "FEW_CUSTOMERS", few)
    acme, globex = team.customer("Acme Corp"), team.customer("Globex")
    # Tue 31 Mar 2026 20:30 ET is 1 April in UTC: the ET day decides.
    first = team.book(acme, "screen-share", "2026-03-02T10:00")
    late = team.book(acme, "screen-share", "2026-03-31T20:30", override="an evening call")
    team.book(acme, "screen-share", "2026-04-01T10:00")  # next month
    cancelled = team.book(acme, "screen-share", "2026-03-10T10:00")
    team.scheduler.set_status(cancelled.id, SessionStatus.CANCELLED)
    team.book(acme, "assistance", "2026-03-11T10:00", minutes=60)  # another kind
    team.book(globex, "screen-share", "2026-03-12T10:00")  # not asked for
    march = Window(acme.id, ("screen-share",), date(2026, 3, 1), date(2026, 4, 1))
    found = counted_in_windows(team.ctx.db, UtcDays(team.clock), [march])
    assert list(found) == [acme.id]
    assert [s.id for s in found[acme.id]] == [first.id, late.id]
    assert all(s.customer_ids == (acme.id,) for s in found[acme.id])


def test_two_windows_of_one_customer_return_a_session_once(team: Book) -> None:
    acme = team.customer("Acme Corp")
    held = team.book(acme, "assistance", "2026-03-11T10:00", minutes=60)
    kinds = ("assistance", "event-plan")
    windows = [
        Window(acme.id, kinds, date(2026, 3, 1), date(2026, 4, 1)),
        Window(acme.id, kinds, date(2026, 3, 10), date(2026, 3, 12)),
        Window(acme.id, kinds, date(2026, 5, 1), date(2026, 5, 1)),  # empty: ignored
    ]
    found = counted_in_windows(team.ctx.db, UtcDays(team.clock), windows)
    assert [s.id for s in found[acme.id]] == [held.id]
    assert found[acme.id][0].minutes == 60
