"""Builders and readers shared by the iCalendar tests (export, interop, busy import, CLI).

Expected instants are computed here independently of amplan: with `zoneinfo` from the wall
clock a user means ("09:00 ET on 2026-03-09"), or written out literally in the tests.

The interoperability readers run the two external parsers the issue names:
- ical.js (Thunderbird's parser) through node: `tests/interop/icaljs_times.mjs` and
  `icaljs_props.mjs`; both register the file's own VTIMEZONE, so they check amplan's zone
  rules, not a built-in copy.
- libical (Evolution/KDE) through the system Python's GObject introspection:
  `tests/interop/libical_times.py` and `libical_props.py`.
The third reader is in-process: icalendar with recurring-ical-events (tzdata for IANA zones).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from desktop.app import AppContext, build_context
from desktop.services.customers import CustomerDraft, CustomerRecord
from desktop.services.profile import ProfileStore
from desktop.services.scheduling.sessions import BookingRequest, SessionRecord, parse_times

TESTS = Path(__file__).resolve().parent
INTEROP = TESTS / "interop"
FIXTURES = TESTS / "fixtures" / "ics"
SYSTEM_PYTHON = Path("/usr/bin/python3")
ET = ZoneInfo("America/New_York")
TODAY = date(2026, 11, 26)
# A date far enough out that every occurrence of every test file is inside it.
UNTIL_YEAR = "2045"

PROFILE_NAME = "Dana Manager"
PROFILE_EMAIL = "dana.manager@inflectra.example"


# --- expected instants, computed without amplan ----------------------------------------------
def utc(wall: str, tz: str = "America/New_York") -> datetime:
    """The UTC instant of a wall-clock time in `tz` (zoneinfo, i.e. tzdata)."""
    return datetime.fromisoformat(wall).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def z(wall: str, tz: str = "America/New_York") -> str:
    """`utc()` written the way the interop scripts print instants: 2026-03-09T13:00:00Z."""
    return utc(wall, tz).strftime("%Y-%m-%dT%H:%M:%SZ")


def zulu(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- a book with a profile, customers with contacts, and sessions ----------------------------
class CalBook:
    """One manager's book on disk, with short ways to add customers and book sessions.

    Sessions are booked with a written override reason and a request two weeks ahead, so a
    calendar test never depends on today or on the contract's quotas: what is tested here is
    what the files say, not whether the contract allows the session.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.ctx: AppContext = build_context(path)
        self.clock = self.ctx.clock
        self.policy = self.ctx.policy
        self.scheduler = self.ctx.scheduler
        self.customers = self.ctx.customers
        self.calendars = self.ctx.calendars

    def close(self) -> None:
        self.ctx.close()

    def profile(self, name: str = PROFILE_NAME, email: str = PROFILE_EMAIL) -> None:
        ProfileStore().set_identity(name, email)

    def customer(
        self,
        name: str,
        tz: str = "America/New_York",
        contacts: str = "Ann Lee <ann.lee@acme.example>",
        package: str = "platinum",
        product: str = "SpiraPlan",
        users: int = 300,
        start: str = "2026-01-05",
    ) -> CustomerRecord:
        return self.customers.add(
            CustomerDraft(
                name=name,
                product=product,
                users=str(users),
                start=start,
                package=package,
                tz=tz,
                contacts=contacts,
            )
        )

    def book(
        self,
        who: CustomerRecord | tuple[CustomerRecord, ...],
        kind: str,
        start: str,
        minutes: int | None = None,
        end: str | None = None,
        title: str = "",
        notes: str = "",
    ) -> SessionRecord:
        """Book a session at ET wall-clock `start` (a DATE for all-day kinds)."""
        customers = who if isinstance(who, tuple) else (who,)
        times = parse_times(self.clock, self.policy, kind, start, minutes, end)
        request = BookingRequest(
            customers=customers,
            kind=kind,
            times=times,
            requested_utc=times.start_utc - timedelta(days=14),
            title=title,
            notes=notes,
            override_reason="calendar test",
        )
        outcome = self.scheduler.book(request)
        assert outcome.saved
        return outcome.session

    def move(self, record: SessionRecord, start: str, minutes: int) -> SessionRecord:
        times = parse_times(self.clock, self.policy, record.kind, start, minutes)
        outcome = self.scheduler.move(
            record.id, times, times.start_utc - timedelta(days=14), "calendar test"
        )
        assert outcome.saved
        return self.scheduler.get(record.id)

    def cancel(self, record: SessionRecord) -> SessionRecord:
        return self.scheduler.set_status(record.id, "cancelled")

    def busy_count(self) -> int:
        return len(self.scheduler.busy_blocks())

    def codes(self, who: CustomerRecord, kind: str, start: str, minutes: int) -> list[str]:
        """The rule codes a booking would meet ([] = allowed); saves nothing."""
        times = parse_times(self.clock, self.policy, kind, start, minutes)
        request = BookingRequest(
            customers=(who,),
            kind=kind,
            times=times,
            requested_utc=times.start_utc - timedelta(days=14),
        )
        proposal = self.scheduler.proposal_for(request)
        return [v.rule for v in self.scheduler.validate(proposal)]


# --- reading what was written -----------------------------------------------------------------
def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def vevents(data: bytes) -> list[icalendar.Event]:
    return list(parse(data).walk("VEVENT"))


def only_event(data: bytes) -> icalendar.Event:
    (event,) = vevents(data)
    return event


def physical_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n"), "the last line must end with CRLF"
    return data[:-2].split(b"\r\n")


def unfolded_lines(data: bytes) -> list[str]:
    """Content lines with folds joined (RFC 5545 3.1), from the raw bytes."""
    lines: list[str] = []
    for raw in physical_lines(data):
        text = raw.decode("utf-8")
        if text[:1] in (" ", "\t"):
            lines[-1] += text[1:]
        else:
            lines.append(text)
    return lines


def property_name(line: str) -> str:
    """The name of a content line: what stands before the first `;` or `:`."""
    cut = min(i for i in (line.find(";"), line.find(":"), len(line)) if i >= 0)
    return line[:cut].upper()


def component_names(data: bytes, component: str = "VEVENT") -> list[list[str]]:
    """Per `component`, the names of its own content lines (sub-components left out), read
    from the raw text with a parser that shares no code with amplan or icalendar."""
    found: list[list[str]] = []
    depth = 0
    current: list[str] | None = None
    for line in unfolded_lines(data):
        name = property_name(line)
        value = line.split(":", 1)[1].upper() if ":" in line else ""
        if name == "BEGIN" and value == component and current is None:
            current, depth = [], 0
            continue
        if current is None:
            continue
        if name == "BEGIN":
            depth += 1
        elif name == "END" and depth:
            depth -= 1
        elif name == "END":
            found.append(current)
            current = None
        elif depth == 0:
            current.append(name)
    return found


def text_unescape(escaped: str) -> str:
    """A TEXT value with its escapes undone (RFC 5545 3.3.11)."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], escaped)


def mailto(value: object) -> str:
    """The e-mail of a CAL-ADDRESS value, percent-decoding what the export encoded."""
    from urllib.parse import unquote

    text = str(value)
    assert text.lower().startswith("mailto:"), text
    return unquote(text[len("mailto:") :])


# --- the three parsers --------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class Occurrence:
    uid: str
    start: str  # 2026-03-09T13:00:00Z, or 2026-06-01 for an all-day date
    end: str


def _occurrences(rows: list[dict[str, Any]]) -> list[Occurrence]:
    return sorted(Occurrence(r["uid"], r["start"], r["end"]) for r in rows)


def node_missing_message() -> str:
    return (
        "node is needed for the ical.js interoperability tests: install Node.js (Debian: "
        "`apt-get install nodejs npm`) and run `make test-deps` (or `npm ci` in tests/interop)."
    )


def libical_missing_message() -> str:
    return (
        "libical is needed for the interoperability tests: install the system packages "
        "`python3-gi gir1.2-ical-3.0` (Debian/Ubuntu; `make test-deps` does it) so that "
        "/usr/bin/python3 can `from gi.repository import ICalGLib`."
    )


def check_node() -> None:
    assert shutil.which("node"), node_missing_message()


def check_libical() -> None:
    assert SYSTEM_PYTHON.exists(), libical_missing_message()
    probe = subprocess.run(
        [
            str(SYSTEM_PYTHON),
            "-c",
            "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 0, f"{libical_missing_message()}\n{probe.stderr}"


def ensure_icaljs() -> None:
    """ical.js in tests/interop/node_modules, installed from the lock file when missing."""
    check_node()
    if (INTEROP / "node_modules" / "ical.js" / "package.json").exists():
        return
    npm = shutil.which("npm")
    assert npm, node_missing_message()
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=INTEROP,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"`npm ci` in tests/interop failed:\n{done.stderr}"


def _run(command: list[str]) -> Any:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout)


def icaljs_times(path: Path) -> list[Occurrence]:
    return _occurrences(_run(["node", str(INTEROP / "icaljs_times.mjs"), str(path), UNTIL_YEAR]))


@dataclass(frozen=True)
class LibicalReport:
    restriction_ok: bool
    errors: list[str]
    occurrences: list[Occurrence]


def libical_times(path: Path) -> LibicalReport:
    data = _run([str(SYSTEM_PYTHON), str(INTEROP / "libical_times.py"), str(path), UNTIL_YEAR])
    return LibicalReport(data["restriction_ok"], data["errors"], _occurrences(data["occurrences"]))


def icaljs_props(path: Path) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = _run(["node", str(INTEROP / "icaljs_props.mjs"), str(path)])
    return result


def libical_props(path: Path) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = _run(
        [str(SYSTEM_PYTHON), str(INTEROP / "libical_props.py"), str(path)]
    )
    return result


def python_times(path: Path) -> list[Occurrence]:
    """icalendar + recurring-ical-events, in-process."""
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    rows = []
    for event in recurring_ical_events.of(calendar).between(
        date(2000, 1, 1), date(int(UNTIL_YEAR), 12, 31)
    ):
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        if isinstance(start, datetime):
            assert start.tzinfo is not None, f"floating time in {path.name}: {start}"
            rows.append({"uid": str(event["UID"]), "start": zulu(start), "end": zulu(end)})
        else:
            rows.append(
                {"uid": str(event["UID"]), "start": start.isoformat(), "end": end.isoformat()}
            )
    return _occurrences(rows)


# --- the command line -------------------------------------------------------------------------
@dataclass
class CliRun:
    code: int
    out: str
    err: str

    @property
    def data(self) -> Any:
        return json.loads(self.out)


def run_cli(db: Path, *args: str, as_json: bool = True) -> CliRun:
    """`amplan --db DB ARGS [--json]` in-process; usage errors become their exit code."""
    import contextlib
    import io

    from desktop.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv = ["--db", str(db), *args, *(["--json"] if as_json else [])]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
    assert "Traceback" not in err.getvalue()
    return CliRun(code, out.getvalue(), err.getvalue())
