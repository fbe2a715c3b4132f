"""Two-way CalDAV sync: sessions out to the publish calendar, busy time in from the others.

Publish: a session lives at an href made from its UID, so a sync cut short (even by SIGKILL)
finds its own work again instead of duplicating it. New events go up with `If-None-Match: *`,
changes and removals with `If-Match: <etag>`: an event someone changed on the server is
never overwritten, it is reported as a conflict. The state of each event is written right
after the server's success.

Busy time comes in from the other calendars through `caldav_busy.BusyReader`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import icalendar
from sqlalchemy import delete
from sqlmodel import Session, col, select

from desktop.errors import AmplanError, BadInput
from desktop.models.tables import BusyBlock, CalDavBusyObject, CalDavCalendar, CalDavPublished
from desktop.services.calendar_files.ical_export import CalendarWriter
from desktop.services.calendar_sync.caldav_account import (
    CalDavSettings,
    DavServer,
    RemoteCalendar,
    Response,
    SyncFailed,
    connect,
    load_settings,
    missing_password_message,
    read_password,
)
from desktop.services.calendar_sync.caldav_busy import (
    BUSY_SOURCE_PREFIX,
    BusyReader,
    calendar_row,
)
from desktop.services.calendar_sync.caldav_protocol import (
    essence,
    etag_of,
    event_of,
    multiget,
    path_of,
    read_listing,
    resource_name,
    uid_in,
)
from desktop.services.customers import CustomerBook, CustomerRecord
from desktop.services.scheduling.sessions import Scheduler, SessionRecord
from desktop.services.scheduling.status import SessionStatus
from desktop.services.user_config import UserConfig

# Bumped when the published event's shape changes, so every event is written again.
WRITER_VERSION = "1"


@dataclass(frozen=True)
class Conflict:
    """A published event that changed on the server: amplan leaves it for the user."""

    session_id: int | None
    uid: str
    title: str
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {
            "session": self.session_id,
            "uid": self.uid,
            "title": self.title,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class SyncReport:
    published: int = 0
    updated: int = 0
    removed: int = 0
    busy: int = 0
    conflicts: tuple[Conflict, ...] = ()
    finished_utc: datetime = field(default_factory=lambda: datetime.now(UTC))

    def as_json(self) -> dict[str, Any]:
        return {
            "published": self.published,
            "updated": self.updated,
            "removed": self.removed,
            "busy": self.busy,
            "conflicts": len(self.conflicts),
            "conflicted": [c.as_json() for c in self.conflicts],
        }


@dataclass
class _Counts:
    published: int = 0
    updated: int = 0
    removed: int = 0


class CalendarSync:
    """Syncs the open book with the CalDAV account of the user configuration."""

    def __init__(
        self,
        scheduler: Scheduler,
        customers: CustomerBook,
        config: UserConfig | None = None,
        connector: Callable[[CalDavSettings, str], DavServer] = connect,
    ) -> None:
        self.scheduler = scheduler
        self.customers = customers
        self.db = scheduler.db
        self.config = config
        self.connector = connector
        self.writer = CalendarWriter(scheduler.policy, scheduler.clock)
        self.busy = BusyReader(self.db, scheduler.clock, customers)

    # --- entry points ------------------------------------------------------------------------
    def settings(self) -> CalDavSettings:
        settings = load_settings(self.config)
        if settings is None:
            raise BadInput(
                "No CalDAV account yet: `amplan caldav set --url URL --user U --password-stdin`."
            )
        return settings

    def configured(self) -> bool:
        try:
            return load_settings(self.config) is not None
        except AmplanError:
            return False

    def sync(self, today: date | None = None) -> SyncReport:
        """One whole sync. Unreachable server or refused login: `SyncFailed`, and nothing
        local changed. Cut short later, what reached the server is recorded."""
        settings = self.settings()
        password = read_password(settings)
        if not password:
            raise BadInput(missing_password_message())
        server = self.connector(settings, password)
        try:
            publish, busy = self.calendars(server, settings)
            self._forget_other_calendars(publish, busy)
            counts = self._publish(server, publish)
            changed_busy = sum(self.busy.pull(server, calendar, today) for calendar in busy)
        finally:
            server.close()
        return SyncReport(
            counts.published, counts.updated, counts.removed, changed_busy, self.conflicts()
        )

    def check(
        self, settings: CalDavSettings, password: str
    ) -> tuple[RemoteCalendar, list[RemoteCalendar]]:
        """Log in, find the calendars, create the publish one if missing: what `caldav set`
        and the account dialog do before they save anything."""
        server = self.connector(settings, password)
        try:
            return self.calendars(server, settings)
        finally:
            server.close()

    def calendars(
        self, server: DavServer, settings: CalDavSettings
    ) -> tuple[RemoteCalendar, list[RemoteCalendar]]:
        """The publish calendar (created if missing) and the calendars read as busy time."""
        found = server.calendars()
        publish = next((c for c in found if c.name == settings.calendar), None)
        if publish is None:
            publish = next(
                (c for c in found if c.name.casefold() == settings.calendar.casefold()), None
            )
        if settings.busy:
            busy = []
            for name in settings.busy:
                match = next((c for c in found if c.name == name), None)
                if match is None:
                    names = ", ".join(sorted(c.name for c in found)) or "none"
                    raise SyncFailed(
                        "error",
                        f"The CalDAV account has no calendar named '{name}' (it has: {names}). "
                        "`amplan caldav set ... --busy NAME` names the busy calendars.",
                    )
                busy.append(match)
        else:
            busy = [c for c in found if c.events and (publish is None or c.url != publish.url)]
        if publish is None:
            publish = server.make_calendar(settings.calendar)
        busy = [c for c in busy if c.url != publish.url]
        return publish, busy

    def conflicts(self) -> tuple[Conflict, ...]:
        with self.db.reading() as session:
            rows = session.exec(
                select(CalDavPublished)
                .where(CalDavPublished.conflict != "")
                .order_by(col(CalDavPublished.id))
            ).all()
            uids = [row.session_uid for row in rows]
        by_uid = {s.uid: s for s in self.scheduler.find()} if uids else {}
        found = []
        for row in rows:
            record = by_uid.get(row.session_uid)
            title = self.writer.summary(record) if record else row.session_uid
            found.append(
                Conflict(record.id if record else None, row.session_uid, title, row.conflict)
            )
        return tuple(found)

    def resolve(self, which: str, keep: str) -> Conflict:
        """Settle a conflict: keep "amplan"'s version (sent by the next sync, still only over
        the server copy amplan saw) or the "server"'s (amplan leaves it until the session
        changes again). `which` is a session id or an event UID."""
        if keep not in ("amplan", "server"):
            raise BadInput("Keep either 'amplan' or 'server'.")
        conflict = next(
            (c for c in self.conflicts() if which.strip() in (str(c.session_id), c.uid)), None
        )
        if conflict is None:
            raise BadInput(f"No conflict for '{which}'. `amplan sync` lists the conflicts.")
        record = next((s for s in self.scheduler.find() if s.uid == conflict.uid), None)
        live = record is not None and record.status != SessionStatus.CANCELLED
        everyone = {c.id: c for c in self.customers.list(include_archived=True)}
        with self.db.transaction() as session:
            row = session.exec(
                select(CalDavPublished).where(CalDavPublished.session_uid == conflict.uid)
            ).one()
            if keep == "server" and not live:
                session.delete(row)  # amplan forgets the event; the server keeps it
                return conflict
            row.conflict, row.etag = "", row.server_etag
            if keep == "server" and record is not None:
                row.digest, row.sequence = self._digest(record, everyone), record.sequence
            else:
                row.digest = ""  # differs from any session: the next sync sends amplan's
            session.add(row)
        return conflict

    # --- bookkeeping ---------------------------------------------------------------------------
    def _forget_other_calendars(
        self, publish: RemoteCalendar, busy: Sequence[RemoteCalendar]
    ) -> None:
        """A new publish calendar starts afresh; calendars no longer read lose their busy
        time."""
        sources = {BUSY_SOURCE_PREFIX + c.name for c in busy}
        urls = {c.url for c in busy}
        with self.db.transaction() as session:
            old = session.exec(
                select(CalDavCalendar).where(CalDavCalendar.role == "publish")
            ).first()
            if old is not None and old.url != publish.url:
                session.execute(delete(CalDavPublished))
                session.delete(old)
                old = None
            if old is None:
                session.add(CalDavCalendar(url=publish.url, role="publish", name=publish.name))
            for row in session.exec(
                select(CalDavCalendar).where(CalDavCalendar.role == "busy")
            ).all():
                if row.url not in urls:
                    session.delete(row)
            session.execute(
                delete(CalDavBusyObject).where(col(CalDavBusyObject.calendar_url).not_in(urls))
            )
            session.execute(
                delete(BusyBlock).where(
                    col(BusyBlock.source).startswith(BUSY_SOURCE_PREFIX),
                    col(BusyBlock.source).not_in(sources),
                )
            )

    # --- publishing ------------------------------------------------------------------------------
    def _digest(self, record: SessionRecord, customers: dict[int, CustomerRecord]) -> str:
        who = [(c.name, c.tz) for cid in record.customer_ids if (c := customers.get(cid))]
        parts = (
            WRITER_VERSION,
            record.kind,
            record.start_utc.isoformat(),
            record.end_utc.isoformat(),
            record.all_day,
            record.title,
            record.notes,
            record.status,
            record.sequence,
            who,
        )
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]

    def _body(self, record: SessionRecord, customers: dict[int, CustomerRecord]) -> bytes:
        who = [customers[cid] for cid in record.customer_ids if cid in customers]
        return self.writer.resource(record, who)

    def _publish(self, server: DavServer, calendar: RemoteCalendar) -> _Counts:
        counts = _Counts()
        everyone = {c.id: c for c in self.customers.list(include_archived=True)}
        sessions = {s.uid: s for s in self.scheduler.find()}
        with self.db.reading() as session:
            token = calendar_row(session, calendar.url, "publish", calendar.name).sync_token
            rows = {r.session_uid: r for r in session.exec(select(CalDavPublished)).all()}
        self._server_side_changes(server, calendar, token, rows, sessions, everyone, counts)
        folder = path_of(calendar.url)
        for uid, record in sorted(sessions.items(), key=lambda item: item[1].id):
            if record.status == SessionStatus.CANCELLED:
                continue
            row = rows.get(uid)
            digest = self._digest(record, everyone)
            if row is None or (not row.etag and not row.conflict and row.digest != digest):
                path = row.href if row else folder + resource_name(uid)
                self._create(server, record, everyone, path, digest, counts)
            elif row.etag and not row.conflict and row.digest != digest:
                self._update(server, record, everyone, row, digest, counts)
        for uid, row in rows.items():
            current = sessions.get(uid)
            if (current is not None and current.status != SessionStatus.CANCELLED) or row.conflict:
                continue
            self._remove(server, row, counts)
        return counts

    def _server_side_changes(
        self,
        server: DavServer,
        calendar: RemoteCalendar,
        token: str,
        rows: dict[str, CalDavPublished],
        sessions: dict[str, SessionRecord],
        everyone: dict[int, CustomerRecord],
        counts: _Counts,
    ) -> None:
        """Compare the server with what amplan last wrote there: changed by someone else is a
        conflict; the server already holding what amplan would write (a sync cut short after
        the server's success) is taken as written."""
        listing = read_listing(server, calendar.url, token)
        by_path = {row.href: row for row in rows.values()}
        suspects: list[str] = []
        gone: list[str] = []
        for path, row in by_path.items():
            if row.conflict or not row.etag:
                continue
            if path in listing.deleted or (listing.complete and path not in listing.etags):
                gone.append(path)
            elif path in listing.etags and listing.etags[path] != row.etag:
                suspects.append(path)
        fetched = multiget(server, calendar.url, suspects) if suspects else {}
        with self.db.transaction() as session:
            for path in gone:
                row = by_path[path]
                record = sessions.get(row.session_uid)
                stored = self._stored(session, row)
                if record is None or record.status == SessionStatus.CANCELLED:
                    session.delete(stored)  # a removal cut short before it was recorded
                    del rows[row.session_uid]
                    counts.removed += 1
                else:
                    stored.conflict = "deleted on the server"
                    stored.server_etag = ""
                    session.add(stored)
                    rows[row.session_uid] = stored
            for path in suspects:
                row = by_path[path]
                record = sessions.get(row.session_uid)
                stored = self._stored(session, row)
                etag, data = fetched.get(path, ("", ""))
                if not data:
                    continue  # gone meanwhile: the next sync's listing says so
                if record is not None and self._same_event(data, record, everyone):
                    stored.etag = etag
                    stored.sequence = record.sequence
                    stored.digest = self._digest(record, everyone)
                else:
                    stored.conflict = "changed on the server"
                    stored.server_etag = etag
                session.add(stored)
                rows[row.session_uid] = stored
            publish_row = calendar_row(session, calendar.url, "publish", calendar.name)
            publish_row.sync_token = listing.token
            session.add(publish_row)

    @staticmethod
    def _stored(session: Session, row: CalDavPublished) -> CalDavPublished:
        stored = session.exec(
            select(CalDavPublished).where(CalDavPublished.session_uid == row.session_uid)
        ).first()
        return stored if stored is not None else row

    def _same_event(
        self, data: str, record: SessionRecord, everyone: dict[int, CustomerRecord]
    ) -> bool:
        """Does the server's copy say what amplan would write now (time, title, text)?"""
        try:
            theirs = event_of(icalendar.Calendar.from_ical(data), record.uid)
            ours = event_of(icalendar.Calendar.from_ical(self._body(record, everyone)), record.uid)
        except Exception:  # an unreadable copy is not ours
            return False
        if theirs is None or ours is None:
            return False
        return essence(theirs) == essence(ours)

    def _save(self, row: CalDavPublished) -> None:
        """Recorded at once after the server's success: a cut sync resumes from here."""
        with self.db.transaction() as session:
            stored = session.exec(
                select(CalDavPublished).where(CalDavPublished.session_uid == row.session_uid)
            ).first()
            if stored is None:
                stored = CalDavPublished(session_uid=row.session_uid, href=row.href)
            for name in ("href", "etag", "sequence", "digest", "conflict", "server_etag"):
                setattr(stored, name, getattr(row, name))
            session.add(stored)

    def _conflict(self, uid: str, path: str, reason: str, server_etag: str = "") -> None:
        with self.db.transaction() as session:
            stored = session.exec(
                select(CalDavPublished).where(CalDavPublished.session_uid == uid)
            ).first()
            if stored is None:
                stored = CalDavPublished(session_uid=uid, href=path)
            stored.conflict, stored.server_etag = reason, server_etag
            session.add(stored)

    def _create(
        self,
        server: DavServer,
        record: SessionRecord,
        everyone: dict[int, CustomerRecord],
        path: str,
        digest: str,
        counts: _Counts,
    ) -> None:
        url = server.absolute(path)
        response = server.put(url, self._body(record, everyone), {"If-None-Match": "*"})
        if response.status == 412:  # already there: written by a sync that was cut short?
            existing = multiget(server, url.rsplit("/", 1)[0] + "/", [path]).get(path)
            if existing is None:
                return  # gone again meanwhile: the next sync creates it
            etag, data = existing
            if self._same_event(data, record, everyone):
                response = Response(201, {"ETag": etag})
            elif uid_in(data) == record.uid:  # an older version of ours: brought up to date
                response = server.put(url, self._body(record, everyone), {"If-Match": etag})
                if response.status == 412:
                    self._conflict(record.uid, path, "changed on the server")
                    return
            else:
                self._conflict(record.uid, path, "another event is at its place on the server")
                return
        if response.status >= 300:
            self._refused(record.uid, path, response.status)
            return
        etag = response.etag or etag_of(server, url)
        self._save(
            CalDavPublished(
                session_uid=record.uid,
                href=path,
                etag=etag,
                sequence=record.sequence,
                digest=digest,
            )
        )
        counts.published += 1

    def _update(
        self,
        server: DavServer,
        record: SessionRecord,
        everyone: dict[int, CustomerRecord],
        row: CalDavPublished,
        digest: str,
        counts: _Counts,
    ) -> None:
        url = server.absolute(row.href)
        response = server.put(url, self._body(record, everyone), {"If-Match": row.etag})
        if response.status == 412:  # another ETag: the same text (another amplan) or a change
            folder = url.rsplit("/", 1)[0] + "/"
            etag, data = multiget(server, folder, [row.href]).get(row.href, ("", ""))
            if not (data and self._same_event(data, record, everyone)):
                self._conflict(record.uid, row.href, "changed on the server", etag)
                return
            response = Response(204, {"ETag": etag})
        if response.status == 404:
            self._conflict(record.uid, row.href, "deleted on the server")
            return
        if response.status >= 300:
            self._refused(record.uid, row.href, response.status)
            return
        row.etag = response.etag or etag_of(server, url)
        row.sequence, row.digest = record.sequence, digest
        self._save(row)
        counts.updated += 1

    def _remove(self, server: DavServer, row: CalDavPublished, counts: _Counts) -> None:
        if row.etag:
            response = server.delete(server.absolute(row.href), {"If-Match": row.etag})
            if response.status == 412:
                self._conflict(row.session_uid, row.href, "changed on the server")
                return
            if response.status >= 300 and response.status != 404:
                self._refused(row.session_uid, row.href, response.status)
                return
            counts.removed += 1
        with self.db.transaction() as session:
            session.execute(
                delete(CalDavPublished).where(col(CalDavPublished.session_uid) == row.session_uid)
            )

    def _refused(self, uid: str, path: str, status: int) -> None:
        if status >= 500:
            raise SyncFailed("error", f"The CalDAV server failed (HTTP {status}); try again later.")
        self._conflict(uid, path, f"refused by the server (HTTP {status})")
