"""The manager's CalDAV account: settings, password, and the server's calendars.

Settings (server, user, calendars) live in the user configuration, section "caldav"; the
password lives in the OS keyring, or in env `AMPLAN_CALDAV_PASSWORD`, never in a file or a
log. A user may type just the host: the principal is found at the URL given, else through
`/.well-known/caldav` (RFC 6764). Every request goes through `DavServer`, which turns network
and login failures into one `SyncFailed` whose `kind` says offline, refused or error.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

from desktop.errors import AmplanError, BadInput
from desktop.services import os_keyring
from desktop.services.user_config import UserConfig

SECTION = "caldav"
PASSWORD_ENV = "AMPLAN_CALDAV_PASSWORD"
KEYRING_SERVICE = "amplan-caldav"
DEFAULT_CALENDAR = "amplan"
TIMEOUT_SECONDS = 20

DAV = "{DAV:}"
CALDAV = "{urn:ietf:params:xml:ns:caldav}"
_PROPFIND_PRINCIPAL = (
    '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:">'
    "<D:prop><D:current-user-principal/></D:prop></D:propfind>"
)
_PROPFIND_HOME = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:prop><C:calendar-home-set/></D:prop></D:propfind>"
)
_PROPFIND_CALENDARS = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:prop><D:resourcetype/><D:displayname/><C:supported-calendar-component-set/>"
    "</D:prop></D:propfind>"
)


class SyncFailed(AmplanError):
    """The server could not be used: `kind` is "offline" (unreachable), "refused" (the
    login), or "error" (it answered something amplan cannot use). Nothing local changed."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class CalDavSettings:
    url: str
    user: str
    calendar: str = DEFAULT_CALENDAR
    busy: tuple[str, ...] = ()  # empty: every calendar of the account but `calendar`

    def as_config(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "user": self.user,
            "calendar": self.calendar,
            "busy": list(self.busy),
        }

    @property
    def keyring_user(self) -> str:
        return f"{self.user}@{normalize_url(self.url)}"


def normalize_url(text: str) -> str:
    """What the user typed as a URL: a bare host gets https:// and a trailing slash."""
    text = text.strip()
    if not text:
        raise BadInput("Give the CalDAV server, e.g. --url calendar.example.com.")
    if "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(f"'{text}' is not a server address (http:// or https://).")
    path = parts.path or "/"
    if not path.endswith("/"):
        path += "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def load_settings(config: UserConfig | None = None) -> CalDavSettings | None:
    values = (config or UserConfig()).section(SECTION)
    if not values.get("url") or not values.get("user"):
        return None
    busy = values.get("busy") or []
    return CalDavSettings(
        url=str(values["url"]),
        user=str(values["user"]),
        calendar=str(values.get("calendar") or DEFAULT_CALENDAR),
        busy=tuple(str(name) for name in busy) if isinstance(busy, list) else (),
    )


def save_settings(settings: CalDavSettings, config: UserConfig | None = None) -> None:
    (config or UserConfig()).save_section(SECTION, settings.as_config())


# --- password ----------------------------------------------------------------------------
_keyring = os_keyring.keyring
keyring_available = os_keyring.available


def read_password(settings: CalDavSettings) -> str | None:
    """The env variable wins (scripts, CI); then the keyring."""
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not keyring_available():
        return None
    try:
        value = _keyring().get_password(KEYRING_SERVICE, settings.keyring_user)
    except Exception:  # a locked or broken keyring: no password, said by the caller
        return None
    return str(value) if value else None


def require_keyring() -> None:
    if not keyring_available():
        raise BadInput(
            "No keyring is available on this system to keep the password safe. Set "
            f"{PASSWORD_ENV} in the environment instead (amplan never writes it to a file)."
        )


def store_password(settings: CalDavSettings, password: str) -> None:
    require_keyring()
    try:
        _keyring().set_password(KEYRING_SERVICE, settings.keyring_user, password)
    except Exception as exc:
        raise BadInput(
            f"The keyring refused to keep the password ({type(exc).__name__})."
        ) from None


def missing_password_message() -> str:
    return (
        "No CalDAV password: `amplan caldav set ... --password-stdin` keeps it in the "
        f"keyring, or set {PASSWORD_ENV}."
    )


# --- the server ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RemoteCalendar:
    url: str  # absolute, ends with /
    name: str
    events: bool = True  # holds VEVENTs (a tasks-only list does not)


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]

    @property
    def etag(self) -> str:
        return str(self.headers.get("ETag") or self.headers.get("etag") or "")


@dataclass
class DavServer:
    """One logged-in connection: discovery, the account's calendars, and raw requests."""

    settings: CalDavSettings
    password: str
    timeout: float = TIMEOUT_SECONDS
    principal_url: str = ""
    home_url: str = ""
    _client: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.base_url = normalize_url(self.settings.url)
        self._client = self._new_client("basic")

    def _new_client(self, auth_type: str | None) -> Any:
        """Basic auth up front saves a 401 round trip per connection; a server that wants
        another scheme gets it negotiated (see `discover`)."""
        from caldav.davclient import DAVClient

        return DAVClient(
            url=self.base_url,
            username=self.settings.user,
            password=self.password,
            timeout=int(self.timeout),
            auth_type=auth_type,
            enable_rfc6764=False,  # no DNS look-ups: the URL, then its well-known address
        )

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a dead connection: nothing to report
            self._client.close()

    # -- requests ------------------------------------------------------------------------
    def absolute(self, href: str) -> str:
        return urljoin(self.base_url, quote(unquote(href), safe="/:@!$&'()*+,;=-._~"))

    def _send(self, method: str, url: str, body: str, headers: Mapping[str, str]) -> Any:
        """One request; caldav's DAVResponse back, or the failure as `SyncFailed`."""
        from caldav.lib import error

        try:
            return self._client.request(url, method, body, dict(headers))
        except error.AuthorizationError as exc:
            if getattr(exc, "status", None) == 403 or _expired_token(exc):
                return _Forbidden()
            raise SyncFailed(
                "refused",
                f"The CalDAV server refused the user name or password for {self.settings.user}.",
            ) from None
        except error.DAVError as exc:
            raise SyncFailed("error", f"The CalDAV server answered an error: {exc}") from None
        except Exception as exc:
            if _is_network_error(exc):
                host = urlsplit(self.base_url).netloc
                raise SyncFailed("offline", f"Cannot reach the CalDAV server {host}.") from None
            raise

    def _xml(self, method: str, url: str, body: str, depth: int | None) -> Any:
        headers = {"Content-Type": 'application/xml; charset="utf-8"'}
        if depth is not None:
            headers["Depth"] = str(depth)
        return self._send(method, url, body, headers)

    def propfind(self, url: str, body: str, depth: int) -> list[Any]:
        response = self._xml("PROPFIND", url, body, depth)
        if response.status == 404:
            return []
        if response.status not in (200, 207):
            raise SyncFailed("error", f"PROPFIND {url} failed (HTTP {response.status}).")
        return list(response.parse_propfind())

    def report(self, url: str, body: str, depth: int | None) -> Any:
        """A REPORT; caldav's DAVResponse (its parsers read it) or a 403 stand-in."""
        return self._xml("REPORT", url, body, depth)

    def put(self, url: str, data: bytes, headers: Mapping[str, str]) -> Response:
        all_headers = dict(headers) | {"Content-Type": "text/calendar; charset=utf-8"}
        response = self._send("PUT", url, data.decode("utf-8"), all_headers)
        return Response(int(response.status), dict(response.headers or {}))

    def delete(self, url: str, headers: Mapping[str, str]) -> Response:
        response = self._send("DELETE", url, "", headers)
        return Response(int(response.status), dict(response.headers or {}))

    # -- discovery -------------------------------------------------------------------------
    def discover(self) -> None:
        """Find the principal and its calendar home (RFC 6764 well-known URL as a fallback)."""
        candidates = [self.base_url]
        parts = urlsplit(self.base_url)
        well_known = f"{parts.scheme}://{parts.netloc}/.well-known/caldav"
        if parts.path in ("", "/"):
            candidates.append(well_known)
        try:
            found = self._principal_at(self.base_url)
        except SyncFailed as exc:
            if exc.kind != "refused":
                raise
            self.close()
            self._client = self._new_client(None)  # perhaps Digest: let the server say
            found = self._principal_at(self.base_url)
        for candidate in candidates[1:]:
            if found:
                break
            found = self._principal_at(candidate)
        if found:
            self.principal_url = found
        else:
            raise SyncFailed(
                "error",
                f"{self.base_url} does not look like a CalDAV server (no principal found there "
                "or at its /.well-known/caldav). Check the address.",
            )
        results = self.propfind(self.principal_url, _PROPFIND_HOME, 0)
        home = next((r.properties.get(f"{CALDAV}calendar-home-set") for r in results), None)
        if isinstance(home, list):
            home = home[0] if home else None
        self.home_url = self.absolute(str(home)) if home else self.principal_url

    def _principal_at(self, url: str) -> str:
        try:
            results = self.propfind(url, _PROPFIND_PRINCIPAL, 0)
        except SyncFailed as exc:
            if exc.kind == "error":
                return ""
            raise
        for result in results:
            value = result.properties.get(f"{DAV}current-user-principal")
            if isinstance(value, str) and value:
                return self.absolute(value)
        return ""

    def calendars(self) -> list[RemoteCalendar]:
        found = []
        for result in self.propfind(self.home_url, _PROPFIND_CALENDARS, 1):
            kinds = result.properties.get(f"{DAV}resourcetype") or []
            if f"{CALDAV}calendar" not in kinds:
                continue
            url = self.absolute(result.href)
            if not url.endswith("/"):
                url += "/"
            name = result.properties.get(f"{DAV}displayname")
            components = result.properties.get(f"{CALDAV}supported-calendar-component-set")
            events = not components or "VEVENT" in components
            path_name = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
            found.append(RemoteCalendar(url, str(name) if name else path_name, events))
        return found

    def make_calendar(self, name: str) -> RemoteCalendar:
        """Create the publish calendar under the home (MKCALENDAR with its display name)."""
        from caldav.collection import Principal

        try:
            principal = Principal(client=self._client, url=self.principal_url)
            principal.calendar_home_set = self.home_url
            made: Any = principal.make_calendar(name=name)
        except SyncFailed:
            raise
        except Exception as exc:
            if _is_network_error(exc):
                raise SyncFailed("offline", "The CalDAV server went away.") from None
            raise SyncFailed(
                "error", f"The CalDAV server did not create the calendar '{name}': {exc}"
            ) from None
        url = str(made.url)
        return RemoteCalendar(url if url.endswith("/") else url + "/", name)


class _Forbidden:
    """A 403 the library raised as an exception (an expired sync token, no permission)."""

    status = 403
    headers: dict[str, str] = {}  # noqa: RUF012 - read only

    @staticmethod
    def parse_propfind() -> list[Any]:
        return []


def _expired_token(exc: Exception) -> bool:
    return any("sync-token" in str(p) for p in (getattr(exc, "preconditions", None) or ()))


def _is_network_error(exc: BaseException) -> bool:
    """Connection refused, DNS failure, timeout, TLS trouble: the server is out of reach."""
    if isinstance(exc, (OSError, TimeoutError)):
        return True
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"ConnectionError", "Timeout", "RequestException", "SSLError"})


def connect(settings: CalDavSettings, password: str) -> DavServer:
    server = DavServer(settings, password)
    server.discover()
    return server
