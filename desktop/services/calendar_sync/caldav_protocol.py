"""The CalDAV requests the sync makes, and how their answers are read.

Listings come from the sync-collection REPORT (RFC 6578), followed over truncated replies,
or from a Depth 1 PROPFIND of the ETags where a server has no sync tokens.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

from desktop.services.calendar_sync.caldav_account import DavServer, SyncFailed

MULTIGET_CHUNK = 100
MAX_SYNC_PAGES = 50
_SYNC_BODY = (
    '<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:">'
    "<D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level>"
    "<D:prop><D:getetag/></D:prop></D:sync-collection>"
)
_ETAGS_BODY = (
    '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:">'
    "<D:prop><D:getetag/><D:resourcetype/></D:prop></D:propfind>"
)
_MULTIGET_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:prop><D:getetag/><C:calendar-data/></D:prop>{hrefs}</C:calendar-multiget>"
)
_RANGE_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
    '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
    '<C:time-range start="{start}" end="{end}"/>'
    "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"
)


@dataclass
class Listing:
    """What a calendar holds (complete) or what changed in it since a token."""

    etags: dict[str, str]  # path -> etag, for every present (or changed) resource
    deleted: set[str]
    token: str
    complete: bool


def path_of(href: str) -> str:
    """An href as a comparable key: its path, percent-decoded."""
    return unquote(urlsplit(href).path)


def etag_value(value: Any) -> str:
    return str(value or "").strip()


def resource_name(uid: str) -> str:
    """The file name of a session's event, fixed by its UID: a sync cut short and done again
    writes to the same place instead of making a twin."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", uid)
    if safe != uid:
        safe += "-" + hashlib.sha1(uid.encode()).hexdigest()[:8]
    return f"{safe}.ics"


def read_listing(server: DavServer, url: str, token: str) -> Listing:
    own = path_of(url)
    for attempt in [token, ""] if token else [""]:
        etags: dict[str, str] = {}
        deleted: set[str] = set()
        current = attempt
        for _page in range(MAX_SYNC_PAGES):
            body = _SYNC_BODY.format(token=escape(current))
            response = server.report(url, body, 0)  # Depth 0: RFC 6578 section 3.2
            if response.status != 207:
                break  # an expired token (403/409) or no sync support at all
            result = response.parse_sync_collection()
            for item in result.changed:
                if (path := path_of(item.href)) != own:
                    etags[path] = etag_value(item.etag)
                    deleted.discard(path)
            for href in result.deleted:
                deleted.add(path_of(href))
                etags.pop(path_of(href), None)
            current = str(result.sync_token or "")
            if not result.truncated or not current:  # RFC 6578 3.6: ask on from there
                return Listing(etags, deleted, current, attempt == "")
        else:  # still more after many pages: the next sync goes on from this token
            return Listing(etags, deleted, current, False)
    # No RFC 6578 here: the whole list of ETags says what changed.
    results = server.propfind(url, _ETAGS_BODY, 1)
    etags = {
        path_of(r.href): etag_value(r.properties.get("{DAV:}getetag"))
        for r in results
        if path_of(r.href) != own
    }
    return Listing(etags, set(), "", True)


def multiget(server: DavServer, url: str, paths: Sequence[str]) -> dict[str, tuple[str, str]]:
    """path -> (etag, calendar data) of each that still exists."""
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(paths), MULTIGET_CHUNK):
        chunk = paths[start : start + MULTIGET_CHUNK]
        hrefs = "".join(
            f"<D:href>{escape(urlsplit(server.absolute(p)).path)}</D:href>" for p in chunk
        )
        response = server.report(url, _MULTIGET_BODY.format(hrefs=hrefs), None)
        if response.status != 207:
            raise SyncFailed("error", f"The server did not send events (HTTP {response.status}).")
        for item in response.parse_calendar_query():
            if item.status == 200 and item.calendar_data:
                found[path_of(item.href)] = (etag_value(item.etag), str(item.calendar_data))
    return found


def etag_of(server: DavServer, url: str) -> str:
    results = server.propfind(url, _ETAGS_BODY, 0)
    return next((etag_value(r.properties.get("{DAV:}getetag")) for r in results), "")


def time_range(server: DavServer, url: str, first: date, last: date) -> dict[str, tuple[str, str]]:
    """path -> (etag, data) of the events with an occurrence in [first, last)."""
    body = _RANGE_BODY.format(start=f"{first:%Y%m%d}T000000Z", end=f"{last:%Y%m%d}T000000Z")
    response = server.report(url, body, 1)
    if response.status != 207:
        raise SyncFailed(
            "error", f"The server did not answer the time-range query (HTTP {response.status})."
        )
    return {
        path_of(item.href): (etag_value(item.etag), str(item.calendar_data))
        for item in response.parse_calendar_query()
        if item.status == 200 and item.calendar_data
    }


def uid_in(data: str) -> str:
    match = re.search(r"^UID:(.*)$", data.replace("\r\n ", ""), re.MULTILINE)
    return match.group(1).strip() if match else ""


def event_of(calendar: Any, uid: str) -> Any:
    return next(
        (
            e
            for e in calendar.walk("VEVENT")
            if str(e.get("UID", "")) == uid and not e.get("RECURRENCE-ID")
        ),
        None,
    )


def essence(event: Any) -> tuple[object, ...]:
    """What a person sees of an event: when, what, and the text (not stamps or alarms)."""

    def when(name: str) -> object:
        value = event.get(name)
        if value is None:
            return None
        try:
            moment = value.dt
        except ValueError:  # icalendar's BrokenCalendarProperty: compare the text as sent
            return str(value.to_ical(), "utf-8", "replace")
        return moment.astimezone(UTC) if isinstance(moment, datetime) else moment

    def text(name: str) -> str:
        return " ".join(str(event.get(name, "")).split())

    return (
        when("DTSTART"),
        when("DTEND"),
        text("SUMMARY"),
        text("DESCRIPTION"),
        text("LOCATION"),
        text("STATUS"),
        int(event.get("SEQUENCE", 0)),
    )
