"""The contract's numbers and texts, loaded from a TOML file and validated key by key.

Nothing in the code repeats a number of DOMAIN.md: it reads it from a `Policy`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from datetime import time
from pathlib import Path
from typing import Any

import pytz

from desktop.errors import PolicyError
from desktop.resources import resource_path

PACKAGE_NAMES = ("none", "silver", "gold", "platinum")
CADENCES = ("as-needed", "annual", "quarterly", "monthly")
KIND_NAMES = (
    "onboarding",
    "cadence",
    "screen-share",
    "assistance",
    "event-plan",
    "round-table",
    "product-team",
)


@dataclass(frozen=True)
class Band:
    name: str
    label: str
    min_users: int
    max_users: int | None
    cadence: str
    onboarding_hours: dict[str, int]

    def contains(self, users: int) -> bool:
        return users >= self.min_users and (self.max_users is None or users <= self.max_users)


@dataclass(frozen=True)
class Package:
    name: str
    label: str
    screen_shares_per_month: int
    notice_business_days: int
    weekends: bool
    assistance_hours_per_year: int
    event_plans_per_year: int
    round_tables_per_year: int
    product_team_meetings_per_year: int
    feature_fixes_per_year: int
    premium_courses: bool
    price_usd_per_year: int


# The fields of a Package that say what it gives (the same names in Entitlements).
PACKAGE_GIVES = tuple(f.name for f in fields(Package) if f.name not in ("name", "label"))


@dataclass(frozen=True)
class KindInfo:
    name: str
    label: str
    plural: str
    all_day: bool
    default_minutes: int
    covers: str


@dataclass(frozen=True)
class TimeRules:
    zone_name: str
    zone_label: str
    holiday_calendar: str
    working_start: time
    working_end: time
    weekend_start: time
    weekend_end: time
    request_cutoff: time
    onboarding_window_days: int
    slot_step_minutes: int


@dataclass(frozen=True)
class Limits:
    screen_share_max_minutes: int
    round_table_max_customers: int
    event_plan_min_days: int
    event_plan_max_days: int
    additional_hour_usd: int
    technical_consulting_usd: int


@dataclass(frozen=True)
class SupportTexts:
    standard_terms: tuple[str, ...]
    assistance_services: tuple[str, ...]
    assistance_exclusions: tuple[str, ...]
    exclusions: tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    title: str
    vendor: str
    currency: str
    time: TimeRules
    products: tuple[str, ...]
    bands: tuple[Band, ...]
    cadence_months: dict[str, int]
    cadence_labels: dict[str, str]
    packages: dict[str, Package]
    limits: Limits
    kinds: dict[str, KindInfo]
    support: SupportTexts
    source: str

    def band_for(self, users: int) -> Band:
        for band in self.bands:
            if band.contains(users):
                return band
        raise PolicyError(f"No licence band in the policy covers {users} users.")

    def package(self, name: str) -> Package:
        try:
            return self.packages[name]
        except KeyError:
            raise PolicyError(f"Unknown premium package '{name}'.") from None

    def kind(self, name: str) -> KindInfo:
        try:
            return self.kinds[name]
        except KeyError:
            raise PolicyError(f"Unknown session kind '{name}'.") from None

    def all_day_kinds(self) -> list[str]:
        """The kinds held all day (event plans), which may run over several days."""
        return sorted(name for name, info in self.kinds.items() if info.all_day)


def default_policy_path() -> Path:
    return resource_path("policy", "default.toml")


def load_policy(path: Path | str | None = None) -> Policy:
    """Read and validate a policy file; a problem names the file and the offending key."""
    policy_path = Path(path) if path is not None else default_policy_path()
    try:
        raw = tomllib.loads(policy_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(f"Policy file not found: {policy_path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"Cannot read policy file {policy_path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"Policy file {policy_path} is not valid TOML: {exc}") from None
    try:
        return _parse(raw, str(policy_path))
    except PolicyError as exc:
        raise PolicyError(f"Policy file {policy_path}: {exc}") from None


class _Table:
    """A TOML table read key by key, so every error names its full key path."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise PolicyError(f"'{path}' must be a table.")
        self.data: dict[str, Any] = data
        self.path = path
        self.used: set[str] = set()

    def _key(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str) -> Any:
        if key not in self.data:
            raise PolicyError(f"missing key '{self._key(key)}'.")
        self.used.add(key)
        return self.data[key]

    def integer(self, key: str, minimum: int = 0) -> int:
        value = self.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise PolicyError(f"'{self._key(key)}' must be a whole number >= {minimum}.")
        return value

    def flag(self, key: str) -> bool:
        value = self.get(key)
        if not isinstance(value, bool):
            raise PolicyError(f"'{self._key(key)}' must be true or false.")
        return value

    def text(self, key: str, allow_empty: bool = False) -> str:
        value = self.get(key)
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            raise PolicyError(f"'{self._key(key)}' must be a non-empty text.")
        return value

    def clock(self, key: str) -> time:
        return _parse_clock(self.text(key), self._key(key))

    def hours(self, key: str) -> tuple[time, time]:
        value = self.get(key)
        if not (
            isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)
        ):
            raise PolicyError(f'\'{self._key(key)}\' must be ["HH:MM", "HH:MM"].')
        start, end = (_parse_clock(v, self._key(key)) for v in value)
        if start >= end:
            raise PolicyError(f"'{self._key(key)}' must start before it ends.")
        return start, end

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.get(key)
        if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            raise PolicyError(f"'{self._key(key)}' must be a non-empty list of texts.")
        return tuple(value)

    def table(self, key: str) -> _Table:
        return _Table(self.get(key), self._key(key))

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise PolicyError(f"unknown key '{self._key(unknown[0])}'.")


def _parse_clock(text: str, key: str) -> time:
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise PolicyError(f"'{key}' must be a time as HH:MM, not '{text}'.") from None


def _parse(raw: dict[str, Any], source: str) -> Policy:
    root = _Table(raw, "")
    meta = root.table("meta")
    title, vendor, currency = meta.text("title"), meta.text("vendor"), meta.text("currency")
    meta.done()

    time_rules = _parse_time(root.table("time"))
    products = root.texts("products")

    cadence_months_table = root.table("cadence_months")
    cadence_months = {c: cadence_months_table.integer(c, 1) for c in CADENCES if c != "as-needed"}
    cadence_months_table.done()
    labels_table = root.table("cadence_labels")
    cadence_labels = {c: labels_table.text(c) for c in CADENCES}
    labels_table.done()

    bands = _parse_bands(root.get("bands"), products)

    packages_table = root.table("packages")
    packages = {name: _parse_package(packages_table.table(name)) for name in PACKAGE_NAMES}
    packages_table.done()

    limits_table = root.table("limits")
    limits = Limits(
        screen_share_max_minutes=limits_table.integer("screen_share_max_minutes", 1),
        round_table_max_customers=limits_table.integer("round_table_max_customers", 1),
        event_plan_min_days=limits_table.integer("event_plan_min_days", 1),
        event_plan_max_days=limits_table.integer("event_plan_max_days", 1),
        additional_hour_usd=limits_table.integer("additional_hour_usd"),
        technical_consulting_usd=limits_table.integer("technical_consulting_usd"),
    )
    limits_table.done()

    kinds_table = root.table("kinds")
    kinds = {}
    for name in KIND_NAMES:
        kind = kinds_table.table(name)
        kinds[name] = KindInfo(
            name=name,
            label=kind.text("label"),
            plural=kind.text("plural"),
            all_day=kind.flag("all_day"),
            default_minutes=kind.integer("default_minutes"),
            covers=kind.text("covers"),
        )
        kind.done()
    kinds_table.done()

    support_table = root.table("support")
    support = SupportTexts(
        standard_terms=support_table.texts("standard_terms"),
        assistance_services=support_table.texts("assistance_services"),
        assistance_exclusions=support_table.texts("assistance_exclusions"),
        exclusions=support_table.texts("exclusions"),
    )
    support_table.done()
    root.done()

    return Policy(
        title=title,
        vendor=vendor,
        currency=currency,
        time=time_rules,
        products=products,
        bands=bands,
        cadence_months=cadence_months,
        cadence_labels=cadence_labels,
        packages=packages,
        limits=limits,
        kinds=kinds,
        support=support,
        source=source,
    )


def _parse_time(table: _Table) -> TimeRules:
    zone_name = table.text("zone")
    if zone_name not in pytz.all_timezones_set:
        raise PolicyError(f"'time.zone' is not a known time zone: '{zone_name}'.")
    holiday_calendar = table.text("holiday_calendar", allow_empty=True)
    if holiday_calendar:
        import holidays

        if holiday_calendar not in holidays.list_supported_countries():
            raise PolicyError(
                f"'time.holiday_calendar' is not a known calendar: '{holiday_calendar}'."
            )
    working_start, working_end = table.hours("working_hours")
    weekend_start, weekend_end = table.hours("weekend_hours")
    rules = TimeRules(
        zone_name=zone_name,
        zone_label=table.text("zone_label"),
        holiday_calendar=holiday_calendar,
        working_start=working_start,
        working_end=working_end,
        weekend_start=weekend_start,
        weekend_end=weekend_end,
        request_cutoff=table.clock("request_cutoff"),
        onboarding_window_days=table.integer("onboarding_window_days", 1),
        slot_step_minutes=table.integer("slot_step_minutes", 1),
    )
    table.done()
    return rules


def _parse_bands(raw: Any, products: tuple[str, ...]) -> tuple[Band, ...]:
    if not isinstance(raw, list) or not raw:
        raise PolicyError("'bands' must be a non-empty list of tables ([[bands]]).")
    bands = []
    expected_min = 1
    for index, item in enumerate(raw):
        table = _Table(item, f"bands[{index}]")
        max_users = table.integer("max_users")
        band = Band(
            name=table.text("name"),
            label=table.text("label"),
            min_users=table.integer("min_users", 1),
            max_users=max_users or None,
            cadence=table.text("cadence"),
            onboarding_hours={},
        )
        if band.cadence not in CADENCES:
            raise PolicyError(f"'bands[{index}].cadence' must be one of {', '.join(CADENCES)}.")
        if band.min_users != expected_min:
            raise PolicyError(
                f"'bands[{index}].min_users' must be {expected_min} so the bands leave no gap."
            )
        if band.max_users is not None and band.max_users < band.min_users:
            raise PolicyError(
                f"'bands[{index}].max_users' must be at least min_users ({band.min_users}), "
                "or 0 for no upper bound."
            )
        hours_table = table.table("onboarding_hours")
        hours = {product: hours_table.integer(product) for product in products}
        hours_table.done()
        table.done()
        bands.append(
            Band(band.name, band.label, band.min_users, band.max_users, band.cadence, hours)
        )
        if band.max_users is None:
            if index != len(raw) - 1:
                raise PolicyError(f"'bands[{index}]' has no upper bound but is not the last band.")
        else:
            expected_min = band.max_users + 1
    if bands[-1].max_users is not None:
        raise PolicyError("the last band must have no upper bound (max_users = 0).")
    return tuple(bands)


def _parse_package(table: _Table) -> Package:
    name, label = table.path.split(".")[-1], table.text("label")
    # What a package gives, read in the order of its fields: a true/false or a count each.
    gives: dict[str, Any] = {
        field.name: table.flag(field.name) if field.type == "bool" else table.integer(field.name)
        for field in fields(Package)
        if field.name in PACKAGE_GIVES
    }
    package = Package(name=name, label=label, **gives)
    table.done()
    return package
