"""DOMAIN.md section 2, row by row, through the service and through `amplan entitlements --json`.

The expected numbers are copied from DOMAIN.md into the tables below, never read from the
policy file, so a wrong policy value fails here.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from desktop.cli import main
from desktop.services.business_time import BusinessClock
from desktop.services.entitlements import describe, entitlements_for
from desktop.services.policy import Policy

PRODUCTS = ("SpiraTest", "SpiraTeam", "SpiraPlan")

# band edges: users -> band name (DOMAIN.md section 1)
BAND_EDGES = [
    (1, "standard"),
    (20, "standard"),
    (21, "21-50"),
    (50, "21-50"),
    (51, "51-100"),
    (100, "51-100"),
    (101, "101-250"),
    (250, "101-250"),
    (251, "251+"),
    (10000, "251+"),
]

# band -> (onboarding hours Test, Team, Plan), cadence   (DOMAIN.md section 2, first table)
BANDS: dict[str, tuple[tuple[int, int, int], str]] = {
    "standard": ((1, 2, 2), "as-needed"),
    "21-50": ((4, 6, 8), "as-needed"),
    "51-100": ((4, 6, 8), "annual"),
    "101-250": ((4, 6, 8), "quarterly"),
    "251+": ((4, 6, 8), "monthly"),
}

# package -> every column of DOMAIN.md section 2, second table ("none" = no premium at all)
PACKAGES: dict[str, dict[str, Any]] = {
    "none": {
        "screen_shares_per_month": 0,
        "notice_business_days": 0,
        "weekends": False,
        "assistance_hours_per_year": 0,
        "event_plans_per_year": 0,
        "round_tables_per_year": 0,
        "product_team_meetings_per_year": 0,
        "feature_fixes_per_year": 0,
        "premium_courses": False,
        "price_usd_per_year": 0,
    },
    "silver": {
        "screen_shares_per_month": 2,
        "notice_business_days": 2,
        "weekends": False,
        "assistance_hours_per_year": 2,
        "event_plans_per_year": 0,
        "round_tables_per_year": 0,
        "product_team_meetings_per_year": 0,
        "feature_fixes_per_year": 0,
        "premium_courses": True,
        "price_usd_per_year": 18000,
    },
    "gold": {
        "screen_shares_per_month": 4,
        "notice_business_days": 1,
        "weekends": False,
        "assistance_hours_per_year": 4,
        "event_plans_per_year": 1,
        "round_tables_per_year": 2,
        "product_team_meetings_per_year": 0,
        "feature_fixes_per_year": 0,
        "premium_courses": True,
        "price_usd_per_year": 36000,
    },
    "platinum": {
        "screen_shares_per_month": 6,
        "notice_business_days": 1,
        "weekends": True,
        "assistance_hours_per_year": 12,
        "event_plans_per_year": 2,
        "round_tables_per_year": 2,
        "product_team_meetings_per_year": 1,
        "feature_fixes_per_year": 1,
        "premium_courses": True,
        "price_usd_per_year": 72000,
    },
}

# the same for everyone (DOMAIN.md sections 2 and 3)
COMMON = {
    "onboarding_window_days": 90,
    "screen_share_max_minutes": 60,
    "round_table_max_customers": 10,
    "additional_hour_usd": 490,
}

# the JSON keys of `entitlements`, exactly as CLI.md lists them
JSON_KEYS = {
    "band",
    "onboarding_hours",
    "onboarding_window_days",
    "cadence",
    "screen_shares_per_month",
    "screen_share_max_minutes",
    "notice_business_days",
    "weekends",
    "assistance_hours_per_year",
    "event_plans_per_year",
    "round_tables_per_year",
    "round_table_max_customers",
    "product_team_meetings_per_year",
    "feature_fixes_per_year",
    "premium_courses",
    "price_usd_per_year",
    "additional_hour_usd",
}


def expected(product: str, users: int, package: str) -> dict[str, Any]:
    band = dict(BAND_EDGES)[users]
    hours, cadence = BANDS[band]
    return {
        "band": band,
        "onboarding_hours": hours[PRODUCTS.index(product)],
        "cadence": cadence,
        **PACKAGES[package],
        **COMMON,
    }


CASES = [
    pytest.param(product, users, package, id=f"{product}-{users}-{package}")
    for product in PRODUCTS
    for users, _band in BAND_EDGES
    for package in PACKAGES
]


@pytest.mark.parametrize(("product", "users", "package"), CASES)
def test_service_gives_the_domain_table(
    policy: Policy, product: str, users: int, package: str
) -> None:
    ent = entitlements_for(policy, product, users, package)
    assert ent.product == product
    assert ent.package == package
    assert ent.as_json() == expected(product, users, package)


@pytest.mark.parametrize(("product", "users", "package"), CASES)
def test_cli_json_gives_the_domain_table(
    capsys: pytest.CaptureFixture[str], product: str, users: int, package: str
) -> None:
    code = main(
        [
            "entitlements",
            "--product",
            product,
            "--users",
            str(users),
            "--package",
            package,
            "--json",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = json.loads(captured.out)
    assert set(data) == JSON_KEYS
    assert data == expected(product, users, package)
    # numbers are numbers and flags are booleans (CLI.md)
    for key, value in data.items():
        if key in ("band", "cadence"):
            assert isinstance(value, str)
        elif key in ("weekends", "premium_courses"):
            assert isinstance(value, bool)
        else:
            assert isinstance(value, int) and not isinstance(value, bool), key


def test_cli_package_defaults_to_none(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["entitlements", "--product", "SpiraTeam", "--users", "60", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == expected("SpiraTeam", 51, "none") | {
        "band": "51-100"
    }


def test_cli_entitlements_of_a_stored_customer(
    book_location: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(book_location)
    args = ["--db", db, "customer", "add", "--name", "Acme Logistics", "--product", "SpiraPlan"]
    args += ["--users", "120", "--start", "2026-01-05", "--package", "gold"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(["--db", db, "entitlements", "--customer", "Acme Logistics", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == expected("SpiraPlan", 101, "gold")
    # named by id as well (CLI.md: a customer is named by its exact name or its numeric id)
    assert main(["--db", db, "entitlements", "--customer", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["band"] == "101-250"


def test_worked_example_1_spiraplan_120_gold(policy: Policy) -> None:
    ent = entitlements_for(policy, "SpiraPlan", 120, "gold")
    assert ent.onboarding_hours == 8
    assert ent.cadence == "quarterly"
    assert ent.screen_shares_per_month == 4
    assert ent.notice_business_days == 1
    assert ent.weekends is False
    assert ent.assistance_hours_per_year == 4
    assert ent.event_plans_per_year == 1
    assert ent.round_tables_per_year == 2


def test_worked_example_2_spiratest_15_no_premium(policy: Policy) -> None:
    ent = entitlements_for(policy, "SpiraTest", 15, "none")
    assert ent.onboarding_hours == 1
    assert ent.cadence == "as-needed"
    assert ent.screen_shares_per_month == 0
    assert not ent.allows_kind("screen-share")
    assert not ent.allows_kind("cadence")
    assert ent.allows_kind("onboarding")


# DOMAIN.md section 4: who may have which session kind
KIND_ACCESS = {
    "none": {"onboarding"},
    "silver": {"onboarding", "screen-share", "assistance"},
    "gold": {"onboarding", "screen-share", "assistance", "event-plan", "round-table"},
    "platinum": {
        "onboarding",
        "screen-share",
        "assistance",
        "event-plan",
        "round-table",
        "product-team",
    },
}
KINDS = (
    "onboarding",
    "cadence",
    "screen-share",
    "assistance",
    "event-plan",
    "round-table",
    "product-team",
)


@pytest.mark.parametrize("package", list(KIND_ACCESS))
@pytest.mark.parametrize(("users", "band"), BAND_EDGES[::2])
def test_who_may_have_which_kind(policy: Policy, package: str, users: int, band: str) -> None:
    ent = entitlements_for(policy, "SpiraTeam", users, package)
    allowed = set(KIND_ACCESS[package])
    if band in ("51-100", "101-250", "251+"):
        allowed.add("cadence")
    assert {kind for kind in KINDS if ent.allows_kind(kind)} == allowed
    assert not ent.allows_kind("tea-party")


def test_describe_example_1_in_words(policy: Policy, clock: BusinessClock) -> None:
    ent = entitlements_for(policy, "SpiraPlan", 120, "gold")
    lines = describe(ent, policy, clock, date(2026, 1, 5))
    text = "\n".join(lines)
    assert lines[0] == "8 onboarding hours until Sat 4 Apr 2026"
    assert "a quarterly call" in text
    assert "4 screen-shares a month (up to 60 min each)" in text
    assert "book one business day ahead by 17:00 ET" in text
    assert "not on weekends" in text
    assert "4 assistance hours per package year" in text
    assert "1 event plan per package year" in text
    assert "2 strategic round tables per package year (up to 10 customers each)" in text
    assert "$36,000 per year" in text
    assert "$490 per hour" in text
    assert "product team" not in text


def test_describe_platinum_and_no_premium(policy: Policy, clock: BusinessClock) -> None:
    platinum = "\n".join(
        describe(entitlements_for(policy, "SpiraTest", 5, "platinum"), policy, clock)
    )
    assert "1 onboarding hour in the first 90 days" in platinum
    assert "and on weekends" in platinum
    assert "book one business day ahead" in platinum
    assert "1 1:1 meeting with the product team" in platinum
    assert "1 small feature fix per package year" in platinum
    assert "premium courses included" in platinum
    plain = describe(entitlements_for(policy, "SpiraTest", 15, "none"), policy, clock)
    assert plain[1] == "Account-management calls as needed"
    assert not any("screen-share" in line for line in plain)
    assert not any("premium" in line.lower() for line in plain)
    silver = "\n".join(describe(entitlements_for(policy, "SpiraTest", 15, "silver"), policy, clock))
    assert "book 2 business days ahead by 17:00 ET" in silver
