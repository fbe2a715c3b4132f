"""The policy file: the default loads; a damaged copy is refused naming the key; data, not code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from desktop.cli import main
from desktop.errors import PolicyError
from desktop.services.business_time import BusinessClock
from desktop.services.policy import Policy, default_policy_path, load_policy

DEFAULT_TEXT = default_policy_path().read_text(encoding="utf-8")


def write_policy(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def edited(old: str, new: str, count: int = 1) -> str:
    """The default policy with one exact edit; fails loudly if the anchor text moved."""
    assert DEFAULT_TEXT.count(old) >= count, f"anchor {old!r} not in the default policy"
    return DEFAULT_TEXT.replace(old, new, count)


def section_edit(section: str, old: str, new: str) -> str:
    """Replace `old` only inside the TOML table `[section]`."""
    start = DEFAULT_TEXT.index(f"[{section}]\n")
    end = DEFAULT_TEXT.find("\n[", start + 1)
    body = DEFAULT_TEXT[start:end]
    assert old in body, f"{old!r} not in [{section}]"
    return DEFAULT_TEXT[:start] + body.replace(old, new, 1) + DEFAULT_TEXT[end:]


def test_default_policy_loads(policy: Policy) -> None:
    assert policy.products == ("SpiraTest", "SpiraTeam", "SpiraPlan")
    assert [b.name for b in policy.bands] == ["standard", "21-50", "51-100", "101-250", "251+"]
    assert set(policy.packages) == {"none", "silver", "gold", "platinum"}
    assert policy.time.zone_name == "America/New_York"
    assert policy.time.holiday_calendar == "US"
    assert policy.source == str(default_policy_path())
    assert len(set(policy.kinds)) == 7


def test_band_for_every_user_count_at_the_edges(policy: Policy) -> None:
    assert policy.band_for(1).name == "standard"
    assert policy.band_for(20).name == "standard"
    assert policy.band_for(21).name == "21-50"
    assert policy.band_for(251).name == "251+"
    assert policy.band_for(1_000_000).name == "251+"
    with pytest.raises(PolicyError, match="0 users"):
        policy.band_for(0)
    with pytest.raises(PolicyError, match="diamond"):
        policy.package("diamond")


@pytest.mark.parametrize(
    ("text", "key_message"),
    [
        pytest.param(
            section_edit(
                "packages.gold", "screen_shares_per_month = 4", "screen_shares_per_month = -1"
            ),
            "'packages.gold.screen_shares_per_month' must be a whole number >= 0",
            id="negative-number",
        ),
        pytest.param(
            section_edit(
                "packages.silver", "price_usd_per_year = 18000", 'price_usd_per_year = "18k"'
            ),
            "'packages.silver.price_usd_per_year' must be a whole number",
            id="text-for-number",
        ),
        pytest.param(
            section_edit("packages.platinum", "weekends = true", 'weekends = "yes"'),
            "'packages.platinum.weekends' must be true or false",
            id="text-for-flag",
        ),
        pytest.param(
            section_edit("packages.gold", 'label = "Gold"', 'label = "Gold"\nfoo = 1'),
            "unknown key 'packages.gold.foo'",
            id="unknown-package-key",
        ),
        pytest.param(
            "surprise = true\n" + DEFAULT_TEXT,
            "unknown key 'surprise'",
            id="unknown-top-level-key",
        ),
        pytest.param(
            section_edit("packages.platinum", "weekends = true\n", ""),
            "missing key 'packages.platinum.weekends'",
            id="missing-package-key",
        ),
        pytest.param(
            section_edit("limits", "screen_share_max_minutes = 60\n", ""),
            "missing key 'limits.screen_share_max_minutes'",
            id="missing-limit",
        ),
        pytest.param(
            edited("SpiraTest = 1, SpiraTeam = 2, SpiraPlan = 2", "SpiraTest = 1, SpiraTeam = 2"),
            "missing key 'bands[0].onboarding_hours.SpiraPlan'",
            id="missing-product-hours",
        ),
        pytest.param(
            edited("min_users = 21", "min_users = 22"),
            "'bands[1].min_users' must be 21 so the bands leave no gap",
            id="band-gap",
        ),
        pytest.param(
            edited("min_users = 51", "min_users = 41"),
            "'bands[2].min_users' must be 51",
            id="band-overlap",
        ),
        pytest.param(
            edited('cadence = "quarterly"', 'cadence = "weekly"'),
            "'bands[3].cadence' must be one of",
            id="unknown-cadence",
        ),
        pytest.param(
            edited("max_users = 0\n", "max_users = 1000\n"),
            "the last band must have no upper bound",
            id="bounded-last-band",
        ),
        pytest.param(
            edited('zone = "America/New_York"', 'zone = "America/New_Yrok"'),
            "'time.zone' is not a known time zone: 'America/New_Yrok'",
            id="unknown-zone",
        ),
        pytest.param(
            edited('holiday_calendar = "US"', 'holiday_calendar = "Atlantis"'),
            "'time.holiday_calendar' is not a known calendar",
            id="unknown-holiday-calendar",
        ),
        pytest.param(
            edited('request_cutoff = "17:00"', 'request_cutoff = "5pm"'),
            "'time.request_cutoff' must be a time as HH:MM",
            id="bad-clock",
        ),
        pytest.param(
            edited('working_hours = ["09:00", "17:00"]', 'working_hours = ["17:00", "09:00"]'),
            "'time.working_hours' must start before it ends",
            id="hours-backwards",
        ),
        pytest.param(
            edited('working_hours = ["09:00", "17:00"]', 'working_hours = ["09:00", "25:00"]'),
            "'time.working_hours' must be a time as HH:MM",
            id="hour-out-of-range",
        ),
    ],
)
def test_damaged_policy_is_refused_naming_the_key(
    tmp_path: Path, text: str, key_message: str
) -> None:
    path = write_policy(tmp_path, text)
    with pytest.raises(PolicyError, match=re.escape(key_message)) as caught:
        load_policy(path)
    assert str(path) in str(caught.value)


def test_band_with_an_empty_range_is_refused(tmp_path: Path) -> None:
    # 21-15 would make a band no one can be in and let the next one overlap the first.
    text = edited("max_users = 50", "max_users = 15").replace("min_users = 51", "min_users = 16")
    with pytest.raises(PolicyError, match=re.escape("bands[1]")):
        load_policy(write_policy(tmp_path, text))


def test_not_toml_and_missing_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy(write_policy(tmp_path, "products = [\n"))
    with pytest.raises(PolicyError, match="not found"):
        load_policy(tmp_path / "nowhere.toml")


def test_policy_without_holidays_loads(tmp_path: Path) -> None:
    policy = load_policy(
        write_policy(tmp_path, edited('holiday_calendar = "US"', 'holiday_calendar = ""'))
    )
    assert policy.time.holiday_calendar == ""
    # Thanksgiving is an ordinary Thursday under such a policy
    from datetime import date

    assert BusinessClock(policy.time).is_business_day(date(2026, 11, 26))


def test_cli_policy_flag_reads_numbers_from_the_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = section_edit("packages.gold", "price_usd_per_year = 36000", "price_usd_per_year = 39500")
    text = text.replace(
        "SpiraTest = 4, SpiraTeam = 6, SpiraPlan = 8", "SpiraTest = 5, SpiraTeam = 7, SpiraPlan = 9"
    )
    text = text.replace("additional_hour_usd = 490", "additional_hour_usd = 510")
    path = write_policy(tmp_path, text)
    argv = [
        "entitlements",
        "--product",
        "SpiraPlan",
        "--users",
        "120",
        "--package",
        "gold",
        "--json",
    ]

    assert main(argv) == 0
    before = json.loads(capsys.readouterr().out)
    assert (before["price_usd_per_year"], before["onboarding_hours"]) == (36000, 8)

    assert main(["--policy", str(path), *argv]) == 0
    after = json.loads(capsys.readouterr().out)
    assert after["price_usd_per_year"] == 39500
    assert after["onboarding_hours"] == 9
    assert after["additional_hour_usd"] == 510
    assert after["screen_shares_per_month"] == before["screen_shares_per_month"]


def test_cli_refuses_a_bad_policy_with_exit_2(
    book_location: Path | str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_policy(
        tmp_path, section_edit("packages.gold", 'label = "Gold"', 'label = "Gold"\nfoo = 1')
    )
    argv = ["--policy", str(path), "entitlements", "--product", "SpiraTest", "--users", "3"]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "unknown key 'packages.gold.foo'" in captured.err
    assert "Traceback" not in captured.err
    # the same for a command that opens the book
    db = book_location
    assert main(["--policy", str(path), "--db", str(db), "customer", "list"]) == 2
    assert "unknown key 'packages.gold.foo'" in capsys.readouterr().err
