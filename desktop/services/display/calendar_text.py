"""How the calendar words things: range titles, block labels, tooltips, the drop notices.

Times are written in the display zone; ET follows in brackets when the display zone is
another one, since the contract is reckoned in ET.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from desktop.services.business_time import BusinessClock
from desktop.services.display.layout import DisplayZone
from desktop.services.display.session_format import DASH
from desktop.services.scheduling.ledger import Busy
from desktop.services.scheduling.sessions import SessionRecord
from desktop.services.scheduling.status import SessionStatus


def range_title(first: date, last: date) -> str:
    """'23 – 29 Nov 2026', '30 Nov – 6 Dec 2026', '28 Dec 2026 – 3 Jan 2027', 'Mon 23 Nov 2026'."""
    if first == last:
        return f"{first:%a} {first.day} {first:%b %Y}"
    if first.year != last.year:
        return f"{first.day} {first:%b %Y} {DASH} {last.day} {last:%b %Y}"
    if first.month != last.month:
        return f"{first.day} {first:%b} {DASH} {last.day} {last:%b %Y}"
    return f"{first.day} {DASH} {last.day} {last:%b %Y}"


def month_title(day: date) -> str:
    return f"{day:%B %Y}"


def clock_span(start: datetime, end: datetime) -> str:
    return f"{start:%H:%M}{DASH}{end:%H:%M}"


def long_day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


class CalendarTexts:
    """Labels for sessions and busy time; `labels` maps kind names to the policy's labels."""

    def __init__(self, clock: BusinessClock, labels: dict[str, str]) -> None:
        self.clock = clock
        self.labels = labels

    def kind(self, kind: str) -> str:
        return self.labels.get(kind, kind)

    @staticmethod
    def who(session: SessionRecord) -> str:
        """'Acme Logistics', or 'Acme Logistics +2' for a round table of three."""
        if not session.customers:
            return "(no customer)"
        extra = len(session.customers) - 1
        return session.customers[0] + (f" +{extra}" if extra else "")

    def when(self, session: SessionRecord | Busy, zone: DisplayZone) -> str:
        """'Tue 24 Nov 2026, 10:00–11:00 Chicago (11:00–12:00 ET)' or '… all day'."""
        if session.all_day:
            first = self.clock.et_date(session.start_utc)
            last = self.clock.et_date(session.end_utc - timedelta(seconds=1))
            if last <= first:
                return f"{first:%a} {first.day} {first:%b %Y}, all day"
            return f"{range_title(first, last)}, all day"
        start, end = zone.wall(session.start_utc), zone.wall(session.end_utc)
        text = f"{start:%a} {start.day} {start:%b %Y}, {clock_span(start, end)} {zone.short}"
        if end.date() != start.date():
            text = (
                f"{start:%a} {start.day} {start:%b} {start:%H:%M} {DASH} "
                f"{end:%a} {end.day} {end:%b %Y} {end:%H:%M} {zone.short}"
            )
        if zone.name != self.clock.tz.zone:
            start_et, end_et = self.clock.et(session.start_utc), self.clock.et(session.end_utc)
            et_day = f"{start_et:%a} " if start_et.date() != start.date() else ""
            text += f" ({et_day}{clock_span(start_et, end_et)} {self.clock.rules.zone_label})"
        return text

    def session_tooltip(self, session: SessionRecord, zone: DisplayZone) -> str:
        lines = [
            f"{', '.join(session.customers)} {DASH} {self.kind(session.kind)}",
            self.when(session, zone),
        ]
        if session.title:
            lines.append(session.title)
        status = SessionStatus(session.status)
        if status is not SessionStatus.PLANNED:
            lines.append(status.label)
        if session.billable:
            lines.append("Billable")
        if session.override_reason:
            lines.append(f"Contract overridden: {session.override_reason}")
        lines.append(
            "Click to edit · drag to move"
            if status is SessionStatus.PLANNED
            else "Click for details"
        )
        return "\n".join(lines)

    def busy_tooltip(self, busy: Busy, zone: DisplayZone) -> str:
        summary = busy.summary or "Busy"
        return f"{summary}\n{self.when(busy, zone)}\nBusy in your own calendar"

    def details(self, session: SessionRecord, zone: DisplayZone) -> str:
        """What a session that can no longer change says when clicked."""
        lines = [
            f"{self.kind(session.kind)} with {', '.join(session.customers)}",
            self.when(session, zone),
        ]
        if session.title:
            lines.append(f"Title: {session.title}")
        if session.notes:
            lines.append(f"Notes: {session.notes}")
        word = SessionStatus(session.status).label.lower()
        lines.append(f"It is marked {word}, so it can no longer be moved or edited.")
        return "\n".join(lines)
