"""SQLModel tables. Datetimes are aware UTC (SQLModel stores and returns them as UTC); dates are calendar dates.

The DDL that creates them lives in `migrations.py`; a test checks the two agree.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel


class Customer(SQLModel, table=True):
    __tablename__ = "customer"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    product: str
    users: int
    start: date
    package: str = "none"
    package_start: date
    tz: str = "America/New_York"
    archived: bool = False
    notes: str = ""
    created_utc: datetime
    updated_utc: datetime


class Contact(SQLModel, table=True):
    __tablename__ = "contact"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    position: int = 0
    name: str
    email: str


class Setting(SQLModel, table=True):
    """Key/value preferences that belong to the book, not the machine (the manager's profile)."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True)
    value: str
