"""The plan dialog's sentences, without the dialog (services/scheduling/plan_words)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from desktop.services.policy import Policy, load_policy
from desktop.services.scheduling.plan_words import describe_booked, kinds_phrase, plan_summary


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


@dataclass
class _Booked:
    kind: str
    customer_ids: tuple[int, ...]


def test_kinds_are_counted_in_the_order_first_met_singular_or_plural(policy: Policy) -> None:
    phrase = kinds_phrase(policy, ["onboarding", "cadence", "onboarding"])
    assert phrase == "2 onboarding sessions, 1 account-management call"


def test_the_summary_says_how_many_are_ticked(policy: Policy) -> None:
    kinds = ["onboarding", "onboarding", "cadence"]
    assert plan_summary(policy, kinds, 3) == (
        "3 sessions proposed: 2 onboarding sessions, 1 account-management call. "
        "Untick any you do not want."
    )
    assert plan_summary(policy, kinds, 2).endswith(
        "2 of them ticked; tick any others you want too."
    )
    assert plan_summary(policy, [], 0).startswith("Nothing to propose")


def test_what_was_booked_in_a_line(policy: Policy) -> None:
    records = [_Booked("onboarding", (1,)), _Booked("cadence", (2,))]
    assert describe_booked(policy, records) == (  # type: ignore[arg-type]
        "Booked 2 planned sessions for 2 customers: 1 onboarding assistance, "
        "1 account-management call; Edit ▸ Undo takes them back."
    )
    assert describe_booked(policy, []) == "Nothing was booked."
