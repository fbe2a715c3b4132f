"""Meeting links: the profile's default conferencing URL and a session's own override."""

from __future__ import annotations

from urllib.parse import urlsplit

from desktop.errors import BadInput
from desktop.services.user_config import UserConfig


def clean_meeting_url(text: str) -> str:
    """An http(s) address, one line, no spaces; "" clears it."""
    url = text.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.netloc
        or any(c.isspace() or ord(c) < 32 for c in url)
    ):
        raise BadInput(
            f"'{url}' is not a meeting link: give the whole https://... address "
            "(Zoom, Teams, Webex...)."
        )
    return url


def profile_meeting_url(config: UserConfig | None = None) -> str:
    """The profile's default link (section "profile", key "meeting_url"), or ""."""
    value = (config or UserConfig()).section("profile").get("meeting_url", "")
    return value.strip() if isinstance(value, str) else ""
