"""Busy time in from the CalDAV calendars the user reads (the other half of the sync).

The first read of a calendar is a time-range query over the horizon of the `.ics` import
(a month back, 18 months ahead), expanded the same way; later reads ask only for what
changed since the last sync token (RFC 6578), or compare ETags where there is none. Each
calendar's changes land in one transaction, with its new token.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from desktop.errors import AmplanError
from desktop.models.database import Database
from desktop.models.tables import BusyBlock, CalDavBusyObject, CalDavCalendar
from desktop.services.business_time import BusinessClock
from desktop.services.calendar_files.ical_import import import_horizon, read_busy
from desktop.services.calendar_sync.caldav_account import DavServer, RemoteCalendar
from desktop.services.calendar_sync.caldav_protocol import (
    Listing,
    multiget,
    read_listing,
    time_range,
    uid_in,
)
from desktop.services.customers import CustomerBook

BUSY_SOURCE_PREFIX = "caldav:"
# The horizon moves with the days: a calendar is read whole again after this long.
FULL_READ_EVERY = timedelta(days=7)


def calendar_row(session: Session, url: str, role: str, name: str) -> CalDavCalendar:
    """The stored row of a calendar (a new one if unknown), with its role and name now."""
    row = session.exec(select(CalDavCalendar).where(CalDavCalendar.url == url)).first()
    if row is None:
        row = CalDavCalendar(url=url, role=role, name=name)
    row.role, row.name = role, name
    return row


class BusyReader:
    """Brings the busy blocks of the read calendars up to date."""

    def __init__(self, db: Database, clock: BusinessClock, customers: CustomerBook) -> None:
        self.db = db
        self.clock = clock
        self.customers = customers

    def pull(self, server: DavServer, calendar: RemoteCalendar, today: date | None) -> int:
        """Busy blocks of one calendar brought up to date; returns the events added, changed
        or removed."""
        today = today or self.clock.et_date(datetime.now(UTC))
        source = BUSY_SOURCE_PREFIX + calendar.name
        with self.db.reading() as session:
            row = calendar_row(session, calendar.url, "busy", calendar.name)
            known = {
                o.href: o
                for o in session.exec(
                    select(CalDavBusyObject).where(CalDavBusyObject.calendar_url == calendar.url)
                ).all()
            }
            # `busy clear` took this calendar's blocks away: read it whole again.
            cleared = (
                any(o.uid for o in known.values())
                and not session.exec(
                    select(BusyBlock.id).where(BusyBlock.source == source).limit(1)
                ).first()
            )
        now = datetime.now(UTC)
        stale = row.full_read_utc is None or now - _aware(row.full_read_utc) > FULL_READ_EVERY
        stale = stale or bool(cleared)
        listing = read_listing(server, calendar.url, "" if stale else row.sync_token)
        if stale:  # after a `busy clear`, every event read counts as brought back
            before = {} if cleared else known
            return self._read_whole(server, calendar, source, listing, today, now, before)
        changed = [p for p, e in listing.etags.items() if p not in known or known[p].etag != e]
        deleted = [p for p in listing.deleted if p in known]
        if listing.complete:
            deleted += [p for p in known if p not in listing.etags]
        fetched = multiget(server, calendar.url, changed) if changed else {}
        with self.db.transaction() as session:
            for path in [*changed, *deleted]:
                old = known.get(path)
                if old is not None and old.uid:
                    session.execute(
                        delete(BusyBlock).where(
                            col(BusyBlock.source) == source, col(BusyBlock.uid) == old.uid
                        )
                    )
                session.execute(
                    delete(CalDavBusyObject).where(
                        col(CalDavBusyObject.calendar_url) == calendar.url,
                        col(CalDavBusyObject.href) == path,
                    )
                )
            for path in changed:
                etag, data = fetched.get(path, (listing.etags[path], ""))
                uid = self._add_blocks(session, source, data, today) if data else ""
                session.add(
                    CalDavBusyObject(calendar_url=calendar.url, href=path, etag=etag, uid=uid)
                )
            stored = calendar_row(session, calendar.url, "busy", calendar.name)
            stored.sync_token = listing.token
            session.add(stored)
        return len(changed) + len(deleted)

    def _read_whole(
        self,
        server: DavServer,
        calendar: RemoteCalendar,
        source: str,
        listing: Listing,
        today: date,
        now: datetime,
        known: dict[str, CalDavBusyObject],
    ) -> int:
        """The first read (and a weekly one, as the horizon moves): a time-range query.
        Returns the events added, changed or removed since the last read."""
        if not listing.complete:
            listing = read_listing(server, calendar.url, "")
        first, last = import_horizon(today)  # the .ics import's horizon, the same days
        in_range = time_range(server, calendar.url, first, last)
        with self.db.transaction() as session:
            session.execute(delete(BusyBlock).where(col(BusyBlock.source) == source))
            session.execute(
                delete(CalDavBusyObject).where(col(CalDavBusyObject.calendar_url) == calendar.url)
            )
            for path in sorted(set(listing.etags) | set(in_range)):
                etag, data = in_range.get(path, (listing.etags.get(path, ""), ""))
                uid = self._add_blocks(session, source, data, today) if data else ""
                session.add(
                    CalDavBusyObject(
                        calendar_url=calendar.url,
                        href=path,
                        etag=listing.etags.get(path, etag),
                        uid=uid,
                    )
                )
            stored = calendar_row(session, calendar.url, "busy", calendar.name)
            stored.sync_token, stored.full_read_utc = listing.token, now
            session.add(stored)
        changed = [p for p, e in listing.etags.items() if p not in known or known[p].etag != e]
        return len(changed) + sum(1 for p in known if p not in listing.etags)

    def _add_blocks(self, session: Session, source: str, data: str, today: date) -> str:
        """The busy blocks of one event (its occurrences over the horizon); returns its UID.
        An event amplan cannot read is left out rather than stopping the sync."""
        try:
            parsed = read_busy(data.encode("utf-8"), source, self.clock, today)
        except AmplanError:
            return uid_in(data)
        owner = self.customers.manager_email()  # busy time is its manager's (team book)
        for event in parsed.events:
            session.add(
                BusyBlock(
                    source=source,
                    owner=owner,
                    uid=event.uid,
                    summary=event.block.summary,
                    start_utc=event.block.start_utc,
                    end_utc=event.block.end_utc,
                    all_day=event.block.all_day,
                )
            )
        return next(iter(sorted(parsed.uids)), "") or uid_in(data)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
