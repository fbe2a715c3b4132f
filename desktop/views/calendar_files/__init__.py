"""Importing and exporting iCalendar files, feeds and invites."""
