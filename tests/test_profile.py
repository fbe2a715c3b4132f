"""The manager's profile: kept in the user configuration, validated, handed over from a book."""

from __future__ import annotations

import json
from datetime import time
from pathlib import Path

import pytest
from desktop.app import build_context
from desktop.errors import BadInput
from desktop.models.database import Database
from desktop.models.tables import Setting
from desktop.services.profile import ManagerProfile, ProfileStore, parse_lunch
from desktop.services.user_config import UserConfig

from test_cli_foundation import Cli


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(tmp_path / "book.sqlite", capsys)


def test_defaults_before_anything_is_saved() -> None:
    profile = ProfileStore().load()
    assert profile == ManagerProfile()
    assert (profile.tz, profile.max_per_day, profile.buffer_minutes) == ("America/New_York", 6, 15)
    assert profile.lunch == (time(12), time(13)) and profile.lead_days == 1


def test_first_set_needs_name_and_email_then_fields_change_one_by_one() -> None:
    store = ProfileStore()
    with pytest.raises(BadInput, match="both --name and --email"):
        store.update(max_per_day=4)
    store.update(name="  Ann   Manager ", email=" ann@vendor.example ")
    assert store.identity() == ("Ann Manager", "ann@vendor.example")
    store.update(max_per_day="4", lunch="none", tz="Europe/London")
    profile = store.load()
    assert (profile.name, profile.max_per_day, profile.lunch, profile.tz) == (
        "Ann Manager",
        4,
        None,
        "Europe/London",
    )
    assert UserConfig().section("profile")["lunch"] == "none"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": " "}, "Enter your name"),
        ({"email": "ann.vendor.example"}, "not an e-mail"),
        ({"tz": "Mars/Olympus"}, "Unknown time zone"),
        ({"max_per_day": "0"}, "Sessions a day must be from 1"),
        ({"buffer_minutes": "ten"}, "whole number"),
        ({"lunch": "13:00-12:00"}, "ends before it starts"),
        ({"lunch": "noon"}, "HH:MM-HH:MM"),
        ({"lead_days": "-1"}, "Lead days"),
        ({"meeting_url": "zoom"}, "meeting link"),
    ],
)
def test_bad_values_are_refused_and_nothing_changes(changes: dict[str, str], message: str) -> None:
    store = ProfileStore()
    store.update(name="Ann", email="ann@vendor.example")
    before = store.load()
    with pytest.raises(BadInput, match=message):
        store.update(**changes)
    assert store.load() == before


def test_a_damaged_value_in_the_file_falls_back_to_its_default() -> None:
    UserConfig().save_section(
        "profile", {"name": "Ann", "email": "a@b.example", "max_per_day": "x", "lunch": "??"}
    )
    profile = ProfileStore().load()
    assert (profile.name, profile.max_per_day, profile.lunch) == ("Ann", 6, (time(12), time(13)))


def test_parse_lunch() -> None:
    assert parse_lunch("12:30-13:15") == (time(12, 30), time(13, 15))
    assert parse_lunch("NONE") is None


def test_a_first_release_book_hands_its_profile_over_once(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = Database(path)
    with db.transaction() as session:
        session.add(Setting(key="profile.name", value="Old Name"))
        session.add(Setting(key="profile.email", value="old@vendor.example"))
    db.close()
    context = build_context(path)
    try:
        assert context.profiles.identity() == ("Old Name", "old@vendor.example")
        context.profiles.update(name="New Name")
    finally:
        context.close()
    again = build_context(path)  # the book's old rows no longer win
    try:
        assert again.profiles.identity() == ("New Name", "old@vendor.example")
    finally:
        again.close()


def test_profile_set_cli_with_workload_flags(cli: Cli) -> None:
    code, _, err = cli("profile", "set", "--max-per-day", "4")
    assert code == 2 and "both --name and --email" in err
    code, out, _ = cli("profile", "set", "--name", "Ann", "--email", "ann@vendor.example", "--json")
    assert code == 0
    code, out, err = cli(
        "profile",
        "set",
        "--tz",
        "Europe/Berlin",
        "--max-per-day",
        "5",
        "--buffer",
        "20",
        "--lunch",
        "12:30-13:30",
        "--lead-days",
        "2",
        "--meeting-url",
        "https://meet.example/ann",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out) == {
        "name": "Ann",
        "email": "ann@vendor.example",
        "tz": "Europe/Berlin",
        "meeting_url": "https://meet.example/ann",
        "max_per_day": 5,
        "buffer_minutes": 20,
        "lunch": "12:30-13:30",
        "lead_days": 2,
    }
    code, _, err = cli("profile", "set", "--lunch", "lunchtime")
    assert code == 2 and "HH:MM-HH:MM" in err
