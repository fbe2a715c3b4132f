"""Hostile input, fuzzed with hypothesis: the CSV importer, the busy-time (.ics) importer, the
policy loader and the CLI's arguments. Never a traceback: a result, or a message and exit 2
with nothing saved; bounded time. Text that goes into HTML is escaped, and a CSV cell a
spreadsheet would run as a formula is neutralised.

`make test` runs AMPLAN_FUZZ_EXAMPLES (default 200) cases per target; `make soak` 2,500.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from desktop.cli import main
from desktop.errors import AmplanError
from desktop.models.database import Database
from desktop.services.business_time import BusinessClock
from desktop.services.calendar_files.ical_import import read_busy
from desktop.services.customers import CustomerBook, CustomerDraft
from desktop.services.mail.replies import read_replies
from desktop.services.policy import Policy, default_policy_path, load_policy
from desktop.services.reports.book_report import book_csv
from desktop.services.reports.report_html import email_document
from desktop.services.reports.reports import Reports
from desktop.services.scheduling.sessions import Scheduler
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("AMPLAN_FUZZ_EXAMPLES", "200"))
SLOWEST_SECONDS = 30.0
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # a loaded CI machine is slow; the bound is checked below, generously
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
TODAY = date(2026, 11, 20)

# --- pieces the strategies put together --------------------------------------------------------

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "\x00",
            "a\x00b",
            '=HYPERLINK("http://x")',
            "+1",
            "-2",
            "@SUM(A1)",
            "<script>alert(1)</script>",
            "\ufeff",
            "\u2028",
            "9" * 40,
            "-1",
            "0",
            "1e309",
            "NaN",
            "2026-02-30",
            "2200-01-01",
            "1969-12-31",
            "0001-01-01",
            "America/New_York",
            "Mars/Olympus",
            "'; DROP TABLE customer; --",
            "x" * 5000,
            '"',
            "\r\n",
        ]
    ),
)


CASES: dict[str, int] = {}


def _bounded(started: float, target: str) -> None:
    CASES[target] = CASES.get(target, 0) + 1
    assert time.monotonic() - started < SLOWEST_SECONDS


@pytest.fixture(scope="module", autouse=True)
def print_counts() -> Iterator[None]:
    """`make soak` (pytest -s) shows how many cases each target ran."""
    yield
    total = sum(CASES.values())
    print(f"\nfuzz cases: {total} ({', '.join(f'{k} {v}' for k, v in sorted(CASES.items()))})")


@pytest.fixture
def fuzz_book(tmp_path: Path, policy: Policy) -> Iterator[CustomerBook]:
    db = Database(tmp_path / "fuzz.sqlite")
    book = CustomerBook(db, policy)
    book.add(CustomerDraft("Acme Logistics", "SpiraPlan", "120", "2026-01-05", "gold"))
    yield book
    db.close()


def _count(db: Database, table: str) -> int:
    conn = sqlite3.connect(db.path)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


# --- CSV importer --------------------------------------------------------------------------------

CSV_CELL = st.one_of(
    HOSTILE_TEXT,
    st.sampled_from(["SpiraPlan", "SpiraTest", "gold", "none", "12", "2026-01-05", "A <a@x.org>"]),
)


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.text(max_size=400))
    header = draw(
        st.lists(
            st.sampled_from(
                ["name", "product", "users", "start", "package", "tz", "contacts", "x", ""]
            ),
            min_size=0,
            max_size=9,
        )
    )
    rows = draw(st.lists(st.lists(CSV_CELL, max_size=10), max_size=8))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    if draw(st.booleans()):  # a stray quote, a NUL or a cut in the middle
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from(['"', "\x00", "\r", "\n\n"])) + text[cut:]
    return text


@FUZZ
@given(text=csv_texts())
def test_csv_import_gives_a_report_or_a_message_never_a_crash(
    fuzz_book: CustomerBook, text: str
) -> None:
    db = fuzz_book.db
    before = (_count(db, "customer"), _count(db, "contact"), _count(db, "audit_entry"))
    started = time.monotonic()
    try:
        report = fuzz_book.import_rows(text, "fuzz.csv")
    except AmplanError as exc:
        assert str(exc)
        assert (_count(db, "customer"), _count(db, "contact"), _count(db, "audit_entry")) == before
        return
    finally:
        _bounded(started, "csv")
    if report.errors:
        assert report.imported == 0
        assert (_count(db, "customer"), _count(db, "contact"), _count(db, "audit_entry")) == before
    else:
        assert _count(db, "customer") == before[0] + report.imported
        for customer in fuzz_book.list(include_archived=True):
            assert "\x00" not in customer.name


# --- .ics importer -------------------------------------------------------------------------------

ICS_NAMES = st.sampled_from(
    [
        "BEGIN",
        "END",
        "DTSTART",
        "DTEND",
        "DURATION",
        "RRULE",
        "RDATE",
        "EXDATE",
        "RECURRENCE-ID",
        "UID",
        "SUMMARY",
        "TRANSP",
        "STATUS",
        "TZID",
        "X-WR-TIMEZONE",
        "TZOFFSETFROM",
    ]
)
ICS_VALUES = st.one_of(
    HOSTILE_TEXT,
    st.sampled_from(
        [
            "VCALENDAR",
            "VEVENT",
            "VTIMEZONE",
            "STANDARD",
            "VALARM",
            "20261201T140000Z",
            "20261201T140000",
            "20261201",
            "FREQ=WEEKLY",
            "FREQ=DAILY;COUNT=100000",
            "FREQ=SECONDLY",
            "FREQ=MINUTELY;COUNT=1000000",
            "FREQ=YEARLY;BYMONTH=13",
            "PT1H",
            "-P1D",
            "Europe/Berlin",
            "Eastern Standard Time",
        ]
    ),
)
ICS_PARAMS = st.sampled_from(
    ["", ";TZID=America/New_York", ";VALUE=DATE", ";TZope Standard Time", ';TZID="a:b"', ";X="]
)


@st.composite
def ics_files(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=600))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//fuzz//EN"]
    for _ in range(draw(st.integers(0, 4))):
        lines.append("BEGIN:VEVENT")
        lines += [
            f"{draw(ICS_NAMES)}{draw(ICS_PARAMS)}:{draw(ICS_VALUES)}"
            for _ in range(draw(st.integers(0, 8)))
        ]
        lines.append("END:VEVENT")
    if draw(st.booleans()):
        lines.append("END:VCALENDAR")
    text = "\r\n".join(lines) + "\r\n"
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(data)))
        data = (
            data[:cut] + draw(st.sampled_from([b"\xff\xfe", b"\x00", b"\r\n ", b"\n"])) + data[cut:]
        )
    return data


@FUZZ
@given(data=ics_files())
def test_busy_import_gives_blocks_or_a_message_never_a_crash(
    clock: BusinessClock, data: bytes
) -> None:
    started = time.monotonic()
    try:
        result = read_busy(data, "fuzz.ics", clock, TODAY)
    except AmplanError as exc:
        assert str(exc)
        return
    finally:
        _bounded(started, "ics")
    for event in result.events:
        assert event.block.end_utc > event.block.start_utc


REPLY_LINES = st.sampled_from(
    [
        "METHOD:REPLY",
        "METHOD:REQUEST",
        "UID:s1@amplan",
        "UID:",
        "SEQUENCE:0",
        "SEQUENCE:99999999999999999999",
        "SEQUENCE:-1",
        "ATTENDEE;PARTSTAT=ACCEPTED;CN=Ann:mailto:ann@acme.example",
        "ATTENDEE;PARTSTAT=DECLINED:mailto:bob@acme.example",
        'ATTENDEE;PARTSTAT=TENTATIVE;CN="A, B":MAILTO:',
        "ATTENDEE;PARTSTAT=X-WHATEVER:mailto:x@y",
        "ATTENDEE:not-an-address",
        "DTSTAMP:20261201T140000Z",
        "DTSTAMP:not-a-time",
    ]
)


@st.composite
def reply_files(draw: st.DrawFn) -> bytes:
    """An iTIP REPLY as a .ics, or wrapped in an e-mail the way mail clients send it."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//fuzz//EN"]
    lines += draw(st.lists(REPLY_LINES, max_size=3))
    for _ in range(draw(st.integers(0, 3))):
        lines.append("BEGIN:VEVENT")
        lines += draw(st.lists(REPLY_LINES, max_size=8))
        lines += [f"{draw(ICS_NAMES)}{draw(ICS_PARAMS)}:{draw(ICS_VALUES)}"]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    ics = "\r\n".join(lines) + "\r\n"
    if draw(st.booleans()):
        return ics.encode("utf-8", "surrogatepass")
    boundary = draw(st.sampled_from(["b1", "", "b1\r\n--b1"]))
    encoding = draw(st.sampled_from(["7bit", "base64", "quoted-printable", "x-bad"]))
    mail = (
        "From: ann@acme.example\r\nSubject: Accepted\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/calendar; method=REPLY; charset=UTF-8\r\n"
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n{ics}\r\n--{boundary}--\r\n"
    )
    data = mail.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.sampled_from([b"\xff\xfe", b"\x00", b"\r\n "])) + data[cut:]
    return data


@FUZZ
@given(data=reply_files())
def test_reply_import_reads_answers_or_says_why_never_a_crash(data: bytes) -> None:
    """Attendees' replies come from outside (issue 11): hostile ones get a message."""
    started = time.monotonic()
    try:
        parsed = read_replies(data, "fuzz.eml")
    except AmplanError as exc:
        assert str(exc)
        return
    finally:
        _bounded(started, "replies")
    for item in parsed.items:
        assert item.partstat in {"accepted", "declined", "tentative", "needs-action", "delegated"}


def test_ten_thousand_nested_components_are_refused_quickly(clock: BusinessClock) -> None:
    data = (
        b"BEGIN:VCALENDAR\r\n"
        + b"BEGIN:VEVENT\r\n" * 10_000
        + b"END:VEVENT\r\n" * 10_000
        + b"END:VCALENDAR\r\n"
    )
    started = time.monotonic()
    with pytest.raises(AmplanError, match="nested"):
        read_busy(data, "nested.ics", clock, TODAY)
    _bounded(started, "nested")


# --- policy loader -------------------------------------------------------------------------------


@FUZZ
@given(
    edits=st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(0, 40), st.text(max_size=12)), max_size=4
    )
)
def test_a_damaged_policy_file_is_a_message(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[int, int, str]]
) -> None:
    text = default_policy_path().read_text(encoding="utf-8")
    for at, length, insert in edits:
        at %= len(text) + 1
        text = text[:at] + insert + text[at + length :]
    path = tmp_path_factory.mktemp("policy") / "policy.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    started = time.monotonic()
    try:
        load_policy(path)
    except AmplanError as exc:
        assert str(exc)
    finally:
        _bounded(started, "policy")


# --- the CLI's arguments -----------------------------------------------------------------------

VALUE = st.one_of(
    HOSTILE_TEXT,
    st.sampled_from(
        [
            "Acme Logistics",
            "1",
            "2026-03-17T10:00",
            "2026-03-17",
            "assistance",
            "event-plan",
            "99999999999999999999",
            "-5",
            "100000000",
            "SpiraPlan",
        ]
    ),
)
COMMANDS = [
    ["customer", "add", "--name", "{v}", "--product", "{v}", "--users", "{v}", "--start", "{v}"],
    ["customer", "edit", "{v}", "--users", "{v}"],
    ["customer", "edit", "{v}", "--tz", "{v}", "--contact", "{v}"],
    ["customer", "show", "{v}"],
    ["customer", "archive", "{v}"],
    ["entitlements", "--product", "{v}", "--users", "{v}"],
    ["book", "--customer", "{v}", "--kind", "{v}", "--start", "{v}", "--minutes", "{v}"],
    ["book", "--customer", "{v}", "--kind", "assistance", "--start", "{v}", "--end", "{v}"],
    ["move", "{v}", "--start", "{v}", "--override", "{v}"],
    ["cancel", "{v}"],
    ["done", "{v}"],
    ["sessions", "--customer", "{v}", "--from", "{v}", "--to", "{v}"],
    ["slots", "--customer", "{v}", "--kind", "{v}", "--minutes", "{v}", "--count", "{v}"],
    ["plan", "--customer", "{v}", "--from", "{v}", "--until", "{v}"],
    ["export-ics", "--session", "{v}", "-o", "{out}", "--reminder", "{v}"],
    ["export-ics", "--all", "--from", "{v}", "--to", "{v}", "-o", "{out}"],
    ["export-ics", "--all", "-o", "{out}", "--reminder", "{v}"],
    ["history", "--session", "{v}"],
    ["history", "--customer", "{v}"],
    ["busy", "{v}"],
    ["{v}"],
    ["summary", "--customer", "{v}", "-o", "{v}"],
]


@FUZZ
@given(template=st.sampled_from(COMMANDS), values=st.lists(VALUE, min_size=10, max_size=10))
def test_cli_arguments_give_an_answer_or_a_message_never_a_traceback(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    template: list[str],
    values: list[str],
) -> None:
    folder = tmp_path_factory.mktemp("cli")
    book = folder / "book.sqlite"
    assert main(["--db", str(book), "customer", "add", "--name", "Acme Logistics",
                 "--product", "SpiraPlan", "--users", "120", "--start", "2026-01-05",
                 "--package", "gold"]) == 0  # fmt: skip
    supply = iter(values)
    argv = [
        part.replace("{out}", str(folder / "out.ics")).replace("{v}", next(supply))
        if "{" in part
        else part
        for part in template
    ]
    if argv[0] in ("gui", "restore") or argv[0].startswith("-"):
        argv[0] = "sessions"  # never a window; never another book's content
    capsys.readouterr()
    started = time.monotonic()
    code = main(["--db", str(book), *argv])
    _bounded(started, "cli")
    err = capsys.readouterr().err
    assert code in (0, 2, 3), (argv, code, err)
    assert "Traceback" not in err
    if code == 2:
        assert err.strip()
    conn = sqlite3.connect(book)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        names = [row[0] for row in conn.execute("SELECT name FROM customer")]
    finally:
        conn.close()
    assert all("\x00" not in name for name in names)


# --- what goes out: HTML escaped, CSV cells never formulas ---------------------------------------


@FUZZ
@given(name=st.text(min_size=1, max_size=30).filter(lambda t: t.strip() and "\x00" not in t))
def test_names_are_escaped_in_html_and_neutralised_in_csv(
    tmp_path_factory: pytest.TempPathFactory,
    policy: Policy,
    clock: BusinessClock,
    name: str,
) -> None:
    CASES["html-csv"] = CASES.get("html-csv", 0) + 1
    hostile = f"{name[:1] if name[:1] in '=+-@' else '='}<b>{name}</b>&"
    db = Database(tmp_path_factory.mktemp("report") / "book.sqlite")
    try:
        book = CustomerBook(db, policy)
        try:
            book.add(CustomerDraft(hostile, "SpiraPlan", "120", "2026-01-05", "gold"))
        except AmplanError:
            return  # refused as a name (only digits, and so on): nothing to print
        reports = Reports(Scheduler(db, policy, clock, book))
        from datetime import UTC, datetime

        now = datetime(2026, 3, 1, tzinfo=UTC)
        report = reports.book(now)
        for row in csv.reader(io.StringIO(book_csv(report, clock))):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@")) or cell.startswith("'")
        customer = book.list()[0]
        html = email_document([reports.summary(customer, now).printable()])
        assert "<b>" not in html
        assert "&lt;b&gt;" in html
    finally:
        db.close()
