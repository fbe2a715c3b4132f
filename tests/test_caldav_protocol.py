"""What sync compares of an event: a server's event with a broken time is compared as text,
never a crash of the whole sync."""

from __future__ import annotations

from desktop.services.calendar_sync.caldav_protocol import essence
from icalendar import Calendar

EVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VEVENT\r\nUID:a@amplan\r\n"
    "DTSTART:{start}\r\nSUMMARY:Kick-off\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _event(start: str) -> object:
    return Calendar.from_ical(EVENT.format(start=start).encode()).walk("VEVENT")[0]


def test_an_event_with_a_broken_start_is_compared_by_its_text() -> None:
    broken = essence(_event("garbage"))
    assert broken[0] == "garbage" and broken[2] == "Kick-off"
    assert essence(_event("garbage")) == broken
    assert essence(_event("20261201T150000Z")) != broken
