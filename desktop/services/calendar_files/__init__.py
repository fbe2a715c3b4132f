"""iCalendar in and out: export, busy-time import, feeds, attendees."""
