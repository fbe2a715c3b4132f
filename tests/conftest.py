"""Shared fixtures of the non-GUI suite: the shipped policy, its clock, a book on a temp file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from desktop.models.database import Database
from desktop.services.business_time import BusinessClock
from desktop.services.customers import CustomerBook
from desktop.services.policy import Policy, load_policy

# The loopback SMTP server and the in-memory keyring of the mail tests (issue 11).
from mail_helpers import memory_keyring, smtp_server  # noqa: F401


@pytest.fixture(autouse=True)
def isolated_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test's profile and accounts live under tmp_path, never in the user's own."""
    folder = tmp_path / "user-config"
    monkeypatch.setenv("AMPLAN_CONFIG", str(folder))
    return folder


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="session")
def clock(policy: Policy) -> BusinessClock:
    return BusinessClock(policy.time)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "book.sqlite")
    yield database
    database.close()


@pytest.fixture
def book(db: Database, policy: Policy) -> CustomerBook:
    return CustomerBook(db, policy)
