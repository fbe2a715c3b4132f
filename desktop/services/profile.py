"""The account manager's profile: identity and workload, kept with the person, not the book.

Stored in the user configuration (section "profile", see `user_config`). A book written by the
first release still holds the name and e-mail as Setting rows; `hand_over` copies them once.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import asdict, dataclass, replace
from datetime import time
from typing import Any

from sqlmodel import Session

from desktop.errors import BadInput
from desktop.models.database import Database
from desktop.models.tables import Setting
from desktop.services.business_time import zone
from desktop.services.user_config import UserConfig

SECTION = "profile"
DEFAULT_TZ = "America/New_York"
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_LUNCH = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
MAX_SESSIONS_PER_DAY = 50
MAX_BUFFER_MINUTES = 240
MAX_LEAD_DAYS = 60


@dataclass(frozen=True)
class ManagerProfile:
    """Who the manager is (ORGANIZER of invites) and how much work a day may hold."""

    name: str = ""
    email: str = ""
    tz: str = DEFAULT_TZ
    meeting_url: str = ""
    max_per_day: int = 6
    buffer_minutes: int = 15
    lunch: tuple[time, time] | None = (time(12), time(13))
    lead_days: int = 1

    @property
    def has_identity(self) -> bool:
        return bool(self.email)

    @property
    def lunch_text(self) -> str:
        if self.lunch is None:
            return "none"
        return f"{self.lunch[0]:%H:%M}-{self.lunch[1]:%H:%M}"

    def as_json(self) -> dict[str, Any]:
        values = asdict(self)
        values["lunch"] = self.lunch_text
        return values


def parse_lunch(text: str) -> tuple[time, time] | None:
    """'12:00-13:00' or 'none'."""
    cleaned = text.strip().lower()
    if cleaned in ("none", "no", ""):
        return None
    match = _LUNCH.match(cleaned)
    if match is None:
        raise BadInput(f"Lunch '{text}' is not HH:MM-HH:MM (e.g. 12:00-13:00) or 'none'.")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise BadInput(f"Lunch '{text}' is not a time of day.")
    first, last = time(h1, m1), time(h2, m2)
    if last <= first:
        raise BadInput(f"Lunch '{text}' ends before it starts.")
    return first, last


def _whole(value: Any, what: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise BadInput(f"{what} must be a whole number, not '{value}'.") from None
    if not low <= number <= high:
        raise BadInput(f"{what} must be from {low} to {high}; {number} is not.")
    return number


def validated(
    name: str,
    email: str,
    tz: str = DEFAULT_TZ,
    meeting_url: str = "",
    max_per_day: Any = 6,
    buffer_minutes: Any = 15,
    lunch: str | tuple[time, time] | None = "12:00-13:00",
    lead_days: Any = 1,
) -> ManagerProfile:
    """A profile from user input; every field checked, with a message naming what is wrong."""
    name = " ".join(name.split())
    email = email.strip()
    if not name:
        raise BadInput("Enter your name.")
    if not _EMAIL.match(email):
        raise BadInput(f"'{email}' is not an e-mail address.")
    tz = tz.strip() or DEFAULT_TZ
    zone(tz)
    meeting_url = meeting_url.strip()
    if meeting_url and not re.match(r"^https?://\S+$", meeting_url):
        raise BadInput(f"'{meeting_url}' is not a meeting link (https://...).")
    lunch_times = parse_lunch(lunch) if isinstance(lunch, str) else lunch
    return ManagerProfile(
        name=name,
        email=email,
        tz=tz,
        meeting_url=meeting_url,
        max_per_day=_whole(max_per_day, "Sessions a day", 1, MAX_SESSIONS_PER_DAY),
        buffer_minutes=_whole(buffer_minutes, "Minutes between sessions", 0, MAX_BUFFER_MINUTES),
        lunch=lunch_times,
        lead_days=_whole(lead_days, "Lead days", 0, MAX_LEAD_DAYS),
    )


class ProfileStore:
    """Reads and writes the profile section; a damaged value falls back to its default."""

    def __init__(self, config: UserConfig | None = None) -> None:
        self.config = config if config is not None else UserConfig()

    def load(self) -> ManagerProfile:
        raw = self.config.section(SECTION)
        default = ManagerProfile()
        values: dict[str, Any] = {}
        for key in ("name", "email", "tz", "meeting_url"):
            if isinstance(raw.get(key), str):
                values[key] = raw[key]
        for key in ("max_per_day", "buffer_minutes", "lead_days"):
            if isinstance(raw.get(key), int) and not isinstance(raw.get(key), bool):
                values[key] = raw[key]
        profile = replace(default, **values)
        if "lunch" in raw:
            with contextlib.suppress(BadInput):
                profile = replace(profile, lunch=parse_lunch(str(raw["lunch"])))
        try:
            zone(profile.tz)
        except BadInput:
            profile = replace(profile, tz=DEFAULT_TZ)
        return profile

    def identity(self) -> tuple[str, str]:
        profile = self.load()
        return profile.name, profile.email

    def save(self, profile: ManagerProfile) -> None:
        values = dict(self.config.section(SECTION))  # keep keys other helpers may add
        values.update(profile.as_json())
        self.config.save_section(SECTION, values)

    def update(self, **changes: Any) -> ManagerProfile:
        """Change the given fields (None = keep); the first change needs a name and e-mail."""
        current = self.load()
        given = {k: v for k, v in changes.items() if v is not None}
        merged: dict[str, Any] = current.as_json()
        merged.update(given)
        if not current.has_identity and ("name" not in given or "email" not in given):
            raise BadInput("Your first profile needs both --name and --email.")
        profile = validated(**merged)
        self.save(profile)
        return profile

    def set_identity(self, name: str, email: str) -> ManagerProfile:
        return self.update(name=name, email=email)

    def hand_over(self, db: Database) -> bool:
        """Copy a first-release book's profile (Setting rows) once, when the person has none."""
        if self.config.has_section(SECTION) and self.load().has_identity:
            return False
        with db.reading() as session:
            name, email = _book_identity(session)
        if not email:
            return False
        try:
            profile = validated(name or email, email)
        except BadInput:
            return False
        self.save(profile)
        return True


def _book_identity(session: Session) -> tuple[str, str]:
    name = session.get(Setting, "profile.name")
    email = session.get(Setting, "profile.email")
    return (name.value if name else "", email.value if email else "")
