"""What the plan dialog says about a plan, in words: the proposals by kind, what was booked.

Qt-free, so the sentences are tested without a dialog.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from desktop.services.policy import Policy
from desktop.services.scheduling.sessions import SessionRecord


def kinds_phrase(policy: Policy, kinds: Iterable[str]) -> str:
    """'8 onboarding sessions, 1 account-management call': each kind counted, in the order
    first met, singular or plural as the count asks."""
    parts = []
    for kind, number in Counter(kinds).items():
        info = policy.kind(kind)
        parts.append(f"{number} {(info.label if number == 1 else info.plural).lower()}")
    return ", ".join(parts)


def describe_booked(policy: Policy, records: Sequence[SessionRecord]) -> str:
    """What a plan booked, in a line: 'Booked 13 planned sessions for 2 customers: 8
    onboarding sessions, 5 account-management calls; Edit > Undo takes them back.'"""
    count = len(records)
    if not count:
        return "Nothing was booked."
    customers = len({c for r in records for c in r.customer_ids})
    return (
        f"Booked {count} planned session{'s' * (count != 1)} for {customers} "
        f"customer{'s' * (customers != 1)}: {kinds_phrase(policy, (r.kind for r in records))}; "
        "Edit ▸ Undo takes them back."
    )


def plan_summary(policy: Policy, proposed_kinds: Sequence[str], ticked: int) -> str:
    """The line above the proposals: how many of which kind, and what to do with them."""
    if not proposed_kinds:
        return (
            "Nothing to propose: what the contract gives is already booked, "
            "or there is nothing to plan in this year."
        )
    hint = (
        "Untick any you do not want."
        if ticked == len(proposed_kinds)
        else f"{ticked} of them ticked; tick any others you want too."
    )
    return (
        f"{len(proposed_kinds)} sessions proposed: {kinds_phrase(policy, proposed_kinds)}. {hint}"
    )
