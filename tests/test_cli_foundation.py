"""The CLI contract (shared/CLI.md) for profile, customer and entitlements commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from desktop.cli import main
from desktop.launch import gui_request
from desktop.models.database import Database, InstanceLock
from desktop.services.customers import CustomerBook
from desktop.services.policy import Policy
from desktop.services.profile import ProfileStore
from desktop.views.shell.startup import GuiRequest

FIXTURES = Path(__file__).parent / "fixtures"

# `customer add/show`: the keys CLI.md lists
CUSTOMER_KEYS = {
    "id",
    "name",
    "product",
    "users",
    "band",
    "start",
    "package",
    "package_start",
    "tz",
    "contacts",
}

ACME = [
    "customer",
    "add",
    "--name",
    "Acme Logistics",
    "--product",
    "SpiraPlan",
    "--users",
    "120",
    "--start",
    "2026-01-05",
    "--package",
    "gold",
    "--tz",
    "America/Chicago",
    "--contact",
    "Dana Whitfield <dana@acme.example>",
    "--contact",
    "Raj Patel <raj@acme.example>",
]


class Cli:
    """Runs `amplan` in-process on one book and returns (exit code, stdout, stderr)."""

    def __init__(self, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.db = db
        self.capsys = capsys

    def raw(self, *argv: str) -> tuple[int, str, str]:
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse's usage errors leave through SystemExit
            code = exc.code if isinstance(exc.code, int) else 2
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        return self.raw("--db", str(self.db), *argv)

    def json(self, *argv: str) -> Any:
        code, out, err = self(*argv, "--json")
        assert code == 0, err
        return json.loads(out)


@pytest.fixture(autouse=True)
def env_book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test may touch the user's real book: AMPLAN_DB points into tmp_path."""
    path = tmp_path / "env" / "from-env.sqlite"
    monkeypatch.setenv("AMPLAN_DB", str(path))
    return path


@pytest.fixture
def cli(book_location: Path | str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(book_location, capsys)


def stored_names(path: Path, policy: Policy) -> list[str]:
    db = Database(path)
    try:
        return [c.name for c in CustomerBook(db, policy).list(include_archived=True)]
    finally:
        db.close()


# --- customer add / show / list / edit / archive -------------------------------------------------


def test_customer_add_json_has_the_contract_keys(cli: Cli) -> None:
    code, out, err = cli(*ACME, "--json")
    assert code == 0
    data = json.loads(out)  # stdout is JSON and nothing else
    assert set(data) >= CUSTOMER_KEYS
    assert data["id"] == 1
    assert data["name"] == "Acme Logistics"
    assert data["product"] == "SpiraPlan"
    assert data["users"] == 120
    assert data["band"] == "101-250"
    assert data["start"] == "2026-01-05"
    assert data["package"] == "gold"
    assert data["package_start"] == "2026-01-05"
    assert data["tz"] == "America/Chicago"
    assert data["contacts"] == [
        {"name": "Dana Whitfield", "email": "dana@acme.example"},
        {"name": "Raj Patel", "email": "raj@acme.example"},
    ]
    assert "Added Acme Logistics (id 1)" in err


def test_customer_add_without_json_writes_text(cli: Cli) -> None:
    code, out, err = cli(*ACME)
    assert code == 0
    assert out.startswith("Acme Logistics (id 1)")
    assert "101-250" in out and "Dana Whitfield <dana@acme.example>" in out
    assert "8 onboarding hours until Sat 4 Apr 2026" in out
    assert "Added Acme Logistics" in err and "Added" not in out


def test_customer_add_defaults(cli: Cli) -> None:
    data = cli.json(
        "customer", "add", "--name", "Cobalt", "--product", "SpiraTest", "--users", "15",
        "--start", "2026-11-02",
    )  # fmt: skip
    assert (data["package"], data["package_start"], data["tz"], data["contacts"]) == (
        "none",
        "2026-11-02",
        "America/New_York",
        [],
    )


def test_customer_show_by_name_and_by_id(cli: Cli) -> None:
    added = cli.json(*ACME)
    by_name = cli.json("customer", "show", "Acme Logistics")
    by_id = cli.json("customer", "show", str(added["id"]))
    assert by_name == by_id
    assert set(by_name) >= CUSTOMER_KEYS
    assert {key: by_name[key] for key in CUSTOMER_KEYS} == {
        key: added[key] for key in CUSTOMER_KEYS
    }
    ent = by_name["entitlements"]
    assert (ent["onboarding_hours"], ent["cadence"], ent["screen_shares_per_month"]) == (
        8,
        "quarterly",
        4,
    )
    code, out, _err = cli("customer", "show", "Acme Logistics")
    assert code == 0
    assert "a quarterly call" in out


def test_json_flag_before_or_after_the_command(cli: Cli) -> None:
    cli.json(*ACME)
    outputs = [
        cli.raw("--json", "--db", str(cli.db), "customer", "show", "Acme Logistics"),
        cli("customer", "--json", "show", "Acme Logistics"),
        cli("customer", "show", "Acme Logistics", "--json"),
        cli.raw("customer", "show", "--json", "Acme Logistics", "--db", str(cli.db)),
    ]
    assert {code for code, _out, _err in outputs} == {0}
    parsed = [json.loads(out) for _code, out, _err in outputs]
    assert all(p == parsed[0] for p in parsed)
    assert parsed[0]["name"] == "Acme Logistics"


def test_customer_list_and_archive(cli: Cli) -> None:
    code, out, err = cli("customer", "list", "--json")
    assert code == 0
    assert json.loads(out) == {"customers": []}
    assert "No customers yet" in err
    cli.json(*ACME)
    cli.json("customer", "add", "--name", "Borealis", "--product", "SpiraTeam", "--users", "310",
             "--start", "2026-09-14", "--package", "platinum")  # fmt: skip
    listed = cli.json("customer", "list")["customers"]
    assert [c["name"] for c in listed] == ["Acme Logistics", "Borealis"]
    assert all(set(c) >= CUSTOMER_KEYS for c in listed)

    archived = cli.json("customer", "archive", "Borealis")
    assert archived["name"] == "Borealis"
    assert [c["name"] for c in cli.json("customer", "list")["customers"]] == ["Acme Logistics"]
    everyone = cli.json("customer", "list", "--archived")["customers"]
    assert [c["name"] for c in everyone] == ["Acme Logistics", "Borealis"]
    code, out, _err = cli("customer", "list", "--archived")
    assert code == 0
    assert "Borealis" in out and "archived" in out


def test_customer_edit_keeps_what_is_not_given(cli: Cli) -> None:
    before = cli.json(*ACME)
    after = cli.json("customer", "edit", "Acme Logistics", "--users", "300")
    assert after["users"] == 300
    assert after["band"] == "251+"
    for key in CUSTOMER_KEYS - {"users", "band"}:
        assert after[key] == before[key], key
    moved = cli.json(
        "customer", "edit", "1", "--start", "2026-02-02", "--contact", "Ann <a@b.example>"
    )
    assert (moved["start"], moved["package_start"]) == ("2026-02-02", "2026-02-02")
    assert moved["contacts"] == [{"name": "Ann", "email": "a@b.example"}]
    code, _out, err = cli("customer", "edit", "Acme Logistics")
    assert code == 2
    assert "Nothing to change" in err


def test_duplicate_name_is_refused(cli: Cli, policy: Policy) -> None:
    cli.json(*ACME)
    argv = [*ACME]
    argv[argv.index("Acme Logistics")] = "ACME logistics"
    code, out, err = cli(*argv)
    assert code == 2
    assert out == ""
    assert "already exists" in err
    assert stored_names(cli.db, policy) == ["Acme Logistics"]


# --- customer import -----------------------------------------------------------------------------


def test_import_good_csv(cli: Cli, policy: Policy) -> None:
    data = cli.json("customer", "import", str(FIXTURES / "customers_good.csv"))
    assert data == {"imported": 4, "errors": []}
    assert len(stored_names(cli.db, policy)) == 4


def test_import_bad_rows_reports_each_and_saves_nothing(cli: Cli, policy: Policy) -> None:
    cli.json(*ACME)
    path = str(FIXTURES / "customers_bad_rows.csv")
    code, out, err = cli("customer", "import", path)
    assert code == 2
    assert out == ""
    for line, field in [
        (3, "product"),
        (4, "users"),
        (5, "start"),
        (6, "tz"),
        (7, "contacts"),
        (8, "name"),
    ]:
        assert f"line {line} (" in err and f"): {field}:" in err, (line, field)
    assert "Nothing imported: 6 problem(s)" in err
    assert "Traceback" not in err
    assert stored_names(cli.db, policy) == ["Acme Logistics"]
    code, out, err = cli("customer", "import", path, "--json")
    assert code == 2
    data = json.loads(out)
    assert data["imported"] == 0 and len(data["errors"]) == 6


# --- profile -------------------------------------------------------------------------------------


def test_profile_set(cli: Cli, policy: Policy) -> None:
    code, out, err = cli(
        "profile", "set", "--name", "Ann Manager", "--email", "ann@vendor.example", "--json"
    )
    assert code == 0
    saved = json.loads(out)
    assert (saved["name"], saved["email"]) == ("Ann Manager", "ann@vendor.example")
    assert "Profile saved" in err
    assert ProfileStore().identity() == ("Ann Manager", "ann@vendor.example")
    code, out, err = cli("profile", "set", "--name", "Ann", "--email", "nope")
    assert (code, out) == (2, "")
    assert "not an e-mail address" in err


# --- where the book is ---------------------------------------------------------------------------


def test_amplan_db_environment_variable(
    env_book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], policy: Policy
) -> None:
    cli = Cli(tmp_path / "unused.sqlite", capsys)
    code, _out, err = cli.raw(*ACME)
    assert code == 0, err
    assert env_book.exists()
    assert stored_names(env_book, policy) == ["Acme Logistics"]
    # --db wins over AMPLAN_DB
    flag_book = tmp_path / "flag.sqlite"
    code, out, _err = cli.raw("--db", str(flag_book), "customer", "list", "--json")
    assert code == 0
    assert json.loads(out) == {"customers": []}
    code, out, _err = cli.raw("customer", "list", "--json", "--db", str(flag_book))
    assert json.loads(out) == {"customers": []}
    code, out, _err = cli.raw("customer", "list", "--json")
    assert [c["name"] for c in json.loads(out)["customers"]] == ["Acme Logistics"]


def test_entitlements_by_product_needs_no_book(env_book: Path, cli: Cli) -> None:
    code, out, _err = cli.raw("entitlements", "--product", "SpiraTest", "--users", "15", "--json")
    assert code == 0
    assert json.loads(out)["onboarding_hours"] == 1
    assert not env_book.exists()


def test_entitlements_text_output(cli: Cli) -> None:
    code, out, err = cli.raw(
        "entitlements", "--product", "SpiraPlan", "--users", "120", "--package", "gold"
    )
    assert code == 0
    assert err == ""
    assert "8 onboarding hours in the first 90 days" in out
    assert "Account management: a quarterly call" in out


# --- bad input: exit 2, a message on stderr, never a traceback, nothing saved --------------------

BAD_INPUT = [
    pytest.param(["customer", "show", "Nobody"], "No customer named 'Nobody'", id="show-unknown"),
    pytest.param(["customer", "show", "999"], "No customer named '999'", id="show-unknown-id"),
    pytest.param(
        ["customer", "edit", "Nobody", "--users", "3"], "No customer named", id="edit-unknown"
    ),
    pytest.param(["customer", "archive", "Nobody"], "No customer named", id="archive-unknown"),
    pytest.param(["entitlements", "--customer", "Nobody"], "No customer named", id="ent-unknown"),
    pytest.param(
        [
            "customer",
            "add",
            "--name",
            "X",
            "--product",
            "SpiraTest",
            "--users",
            "5",
            "--start",
            "2026-02-30",
        ],
        "'2026-02-30' is not a start date",
        id="add-bad-date",
    ),
    pytest.param(
        [
            "customer",
            "add",
            "--name",
            "X",
            "--product",
            "SpiraTest",
            "--users",
            "5",
            "--start",
            "2026-01-05",
            "--tz",
            "Mars/Base",
        ],
        "'Mars/Base' is not a time zone",
        id="add-unknown-zone",
    ),
    pytest.param(
        [
            "customer",
            "add",
            "--name",
            "X",
            "--product",
            "SpiraTest",
            "--users",
            "abc",
            "--start",
            "2026-01-05",
        ],
        "users: Concurrent users must be a whole number",
        id="add-bad-users",
    ),
    pytest.param(
        [
            "customer",
            "add",
            "--name",
            "X",
            "--product",
            "SpiraTest",
            "--users",
            "5",
            "--start",
            "2026-01-05",
            "--package",
            "diamond",
        ],
        "invalid choice: 'diamond'",
        id="add-unknown-package",
    ),
    pytest.param(
        [
            "customer",
            "add",
            "--name",
            "X",
            "--product",
            "Jira",
            "--users",
            "5",
            "--start",
            "2026-01-05",
        ],
        "Choose a product",
        id="add-unknown-product",
    ),
    pytest.param(
        [
            "customer",
            "add",
            "--name",
            "X",
            "--product",
            "SpiraTest",
            "--users",
            "5",
            "--start",
            "2026-01-05",
            "--contact",
            "Jo <jo-at-example>",
        ],
        "is not a contact",
        id="add-bad-contact",
    ),
    pytest.param(["customer", "add", "--name", "X"], "required", id="add-missing-flags"),
    pytest.param(
        ["customer", "edit", "Acme Logistics", "--start", "05/01/2026"],
        "Use YYYY-MM-DD",
        id="edit-bad-date",
    ),
    pytest.param(
        ["customer", "edit", "Acme Logistics", "--tz", "Europe/Atlantis"],
        "not a time zone",
        id="edit-bad-zone",
    ),
    pytest.param(
        ["customer", "edit", "Acme Logistics", "--package", "bronze"],
        "invalid choice",
        id="edit-bad-package",
    ),
    pytest.param(
        ["customer", "import", str(FIXTURES / "customers_missing_column.csv")],
        "missing column(s) users",
        id="import-missing-column",
    ),
    pytest.param(
        ["customer", "import", str(FIXTURES / "customers_bad_rows.csv")],
        "line 3",
        id="import-bad-rows",
    ),
    pytest.param(
        ["customer", "import", str(FIXTURES / "no-such-file.csv")],
        "File not found",
        id="import-no-file",
    ),
    pytest.param(
        ["entitlements", "--product", "SpiraTest", "--users", "5", "--package", "diamond"],
        "invalid choice: 'diamond'",
        id="ent-unknown-package",
    ),
    pytest.param(
        ["entitlements", "--product", "Jira", "--users", "5"],
        "Unknown product 'Jira'",
        id="ent-unknown-product",
    ),
    pytest.param(
        ["entitlements", "--product", "SpiraTest", "--users", "0"],
        "at least 1",
        id="ent-zero-users",
    ),
    pytest.param(
        ["entitlements", "--product", "SpiraTest", "--users", "many"],
        "invalid int value",
        id="ent-bad-users",
    ),
    pytest.param(["entitlements", "--product", "SpiraTest"], "--users", id="ent-missing-users"),
    pytest.param(
        ["entitlements", "--customer", "Acme Logistics", "--product", "SpiraTest"],
        "not both",
        id="ent-both",
    ),
    pytest.param(["customer", "frobnicate"], "invalid choice", id="unknown-action"),
    pytest.param(
        ["profile", "set", "--name", "", "--email", "a@b.example"],
        "Enter your name",
        id="profile-no-name",
    ),
]


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
@pytest.mark.parametrize(("argv", "message"), BAD_INPUT)
def test_bad_input_exits_2_with_a_message_and_saves_nothing(
    cli: Cli, policy: Policy, argv: list[str], message: str, as_json: bool
) -> None:
    cli.json(*ACME)
    before = cli.json("customer", "show", "Acme Logistics")
    code, out, err = cli(*argv, *(["--json"] if as_json else []))
    assert code == 2
    assert message in err
    assert err.startswith("amplan: ") or "line 3" in err
    assert "Traceback" not in err
    if as_json and argv[:2] == ["customer", "import"] and out:
        assert json.loads(out)["imported"] == 0
    else:
        assert out == ""
    assert stored_names(cli.db, policy) == ["Acme Logistics"]
    assert cli.json("customer", "show", "Acme Logistics") == before


# --- the window from the command line --------------------------------------------------------


def test_gui_without_a_screen_says_so_instead_of_crashing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert main(["--db", str(tmp_path / "book.sqlite"), "gui"]) == 2
    assert "No screen to open the window on" in capsys.readouterr().err


def test_python_m_desktop_opens_the_window_and_quits_after_the_first_paint(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    book = tmp_path / "book.sqlite"
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "--db", str(book), "gui", "--quit-after-start"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert book.exists()  # the window opened the book (and made it)


def _amplan(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m desktop ARGV` on the offscreen platform, as a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "desktop", *argv],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("argv", "request_"),
    [
        ([], GuiRequest()),
        (["gui"], GuiRequest()),
        (["--db", "b.sqlite", "gui"], GuiRequest(db="b.sqlite")),
        (["gui", "--db=b", "--quit-after-start"], GuiRequest(db="b", quit_after_start=True)),
        (["--db", "a", "gui", "--db", "b"], GuiRequest(db="b")),  # after the command wins
        (["--policy", "p.toml", "--json"], GuiRequest(policy="p.toml")),
        (["gui", "--open", "x.ics"], GuiRequest(open_file="x.ics")),
        (["--open", "x.ics"], None),  # a usage error: argparse says so
        (["--quit-after-start"], None),
        (["gui", "--quit"], None),  # an abbreviation: argparse knows it
        (["--db"], None),
        (["--db", "--json"], None),
        (["--help"], None),
        (["customer", "list"], None),
        (["gui", "gui"], None),
    ],
)
def test_a_window_start_is_told_apart_from_every_other_command(
    argv: list[str], request_: GuiRequest | None
) -> None:
    assert gui_request(argv) == request_


def test_the_window_frame_loads_without_the_services() -> None:
    script = (
        "import sys, desktop.launch, desktop.views.shell.application\n"
        "print([m for m in ('sqlalchemy', 'desktop.app', 'desktop.cli') if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_the_window_paints_before_the_book_opens(tmp_path: Path) -> None:
    log = tmp_path / "startup.log"
    done = _amplan(
        "--db", str(tmp_path / "book.sqlite"), "gui", "--quit-after-start",
        AMPLAN_STARTUP_LOG=str(log),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    moments = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    assert [name for name, _ in moments] == ["first_paint", "ready"]
    assert float(moments[0][1]) <= float(moments[1][1])


def test_the_fast_start_refuses_a_book_as_the_command_line_does(tmp_path: Path) -> None:
    folder = tmp_path / "folder.sqlite"
    folder.mkdir()
    fast = _amplan("--db", str(folder), "gui", "--quit-after-start")
    full = _amplan("--db", str(folder), "gui", "--quit")  # argparse's path
    assert fast.returncode == full.returncode == 2
    assert fast.stderr == full.stderr
    assert "folder" in fast.stderr
    missing = _amplan("--db", str(tmp_path / "b.sqlite"), "gui", "--open", "nothing.ics")
    assert missing.returncode == 2
    assert missing.stderr == "amplan: nothing.ics: no such file to open.\n"


def test_the_fast_start_exits_2_on_a_book_open_in_another_window(tmp_path: Path) -> None:
    book = tmp_path / "book.sqlite"
    Database(book).close()
    other_window = InstanceLock(book)
    other_window.acquire()
    try:
        done = _amplan("--db", str(book), "gui", "--quit-after-start")
    finally:
        other_window.release()
    assert done.returncode == 2
    assert "already open in another amplan window" in done.stderr


def test_an_archived_customer_can_be_brought_back(
    book_location: Path | str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(book_location)
    add = ["--db", db, "customer", "add", "--name", "Acme", "--product", "SpiraTest"]
    assert main([*add, "--users", "10", "--start", "2026-01-05"]) == 0
    assert main(["--db", db, "customer", "archive", "Acme"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "customer", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["customers"] == []
    assert main(["--db", db, "customer", "unarchive", "Acme", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["archived"] is False
    assert main(["--db", db, "customer", "list", "--json"]) == 0
    assert [c["name"] for c in json.loads(capsys.readouterr().out)["customers"]] == ["Acme"]
