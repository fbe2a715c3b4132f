"""Whose customers the window shows first: a team's book opens on the manager's own, a solo
book on everyone. One rule for the Customers page's filter and for the pages (the dashboard)
that show a choice before the Customers page exists."""

from __future__ import annotations

from desktop.app import AppContext
from desktop.errors import AmplanError
from desktop.services.customers import CustomerRecord


def opening_owner(context: AppContext) -> str | None:
    if not context.db.is_server:
        return None
    try:
        return context.customers.manager_email() or None
    except AmplanError:
        return None


def of_owner(rows: list[CustomerRecord], owner: str | None) -> list[CustomerRecord]:
    """The rows of `owner` (an e-mail, matched without case); every row for None."""
    if not owner:
        return rows
    return [r for r in rows if r.owner.lower() == owner.lower()]
