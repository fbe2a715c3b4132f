"""CalDAV: the calendar account dialog and the sync status."""
