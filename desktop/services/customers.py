"""The customer book: validation, queries and changes. The only module that queries customers."""

from __future__ import annotations

import builtins
import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import pytz
from sqlalchemy import func, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from desktop.errors import BadInput
from desktop.models.database import Database
from desktop.models.store_errors import row_id
from desktop.models.tables import Contact, Customer
from desktop.services.business_time import check_year
from desktop.services.entitlements import Entitlements, entitlements_for
from desktop.services.history import Change, actor_name, record_change, record_changes
from desktop.services.policy import PACKAGE_NAMES, Policy
from desktop.services.profile import ProfileStore

CSV_COLUMNS = ("name", "product", "users", "start", "package", "package_start", "tz", "contacts")
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
_CONTACT = re.compile(r"(?P<name>[^<>]*?)<(?P<email>[^<>]*)>\s*[;\n]?")
MAX_USERS = 1_000_000
# The columns a customer row, a record and a validated draft share by name.
_CONTRACT_FIELDS = ("name", "product", "users", "start", "package", "package_start", "tz")


@dataclass(frozen=True)
class ContactInfo:
    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


@dataclass(frozen=True)
class CustomerDraft:
    """What a user typed for a customer, before validation: every field as text."""

    name: str = ""
    product: str = ""
    users: str = ""
    start: str = ""
    package: str = "none"
    package_start: str = ""
    tz: str = ""  # empty: the policy's zone (US Eastern)
    contacts: str = ""
    owner: str = ""  # empty: the manager's own e-mail (a new customer) or unchanged (an edit)


@dataclass(frozen=True)
class CustomerRecord:
    id: int
    name: str
    product: str
    users: int
    band: str
    start: date
    package: str
    package_start: date
    tz: str
    contacts: tuple[ContactInfo, ...]
    archived: bool = False
    owner: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "product": self.product,
            "users": self.users,
            "band": self.band,
            "start": self.start.isoformat(),
            "package": self.package,
            "package_start": self.package_start.isoformat(),
            "tz": self.tz,
            "contacts": [{"name": c.name, "email": c.email} for c in self.contacts],
            "archived": self.archived,
            "owner": self.owner,
        }


@dataclass(frozen=True)
class ValidCustomer:
    name: str
    product: str
    users: int
    start: date
    package: str
    package_start: date
    tz: str
    contacts: tuple[ContactInfo, ...]
    owner: str = ""


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[str] = field(default_factory=list)


def parse_date(text: str, what: str = "date") -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(f"'{text}' is not a {what}. Use YYYY-MM-DD, e.g. 2026-01-05.") from None
    return check_year(day, what)


def parse_contacts(text: str) -> tuple[ContactInfo, ...]:
    """`Name <email>; Name <email>` (one per line works too). A name may itself hold `;`
    or quotes; a bare address, without `<>`, is taken with the address as the name."""
    contacts: list[ContactInfo] = []
    position = 0
    for match in _CONTACT.finditer(text):
        _bare_addresses(text[position : match.start()], contacts)
        # Bare addresses may stand before a name ("a@x.com; Name <b@x.com>").
        parts = re.split(r"[;\n]", match["name"])
        while len(parts) > 1 and (not parts[0].strip() or _EMAIL.match(parts[0].strip())):
            _bare_addresses(parts.pop(0), contacts)
        name = ";".join(parts).strip(" \t\r\n;")
        email = match["email"].strip()
        if not _EMAIL.match(email):
            raise BadInput(
                f"'{match.group(0).strip(' ;')}' is not a contact: '{email}' is not an e-mail "
                "address. Write it as Name <name@example.com>."
            )
        contacts.append(ContactInfo(" ".join(name.split()) or email, email))
        position = match.end()
    _bare_addresses(text[position:], contacts)
    return tuple(contacts)


def _bare_addresses(text: str, into: list[ContactInfo]) -> None:
    for part in re.split(r"[;\n]", text):
        part = part.strip()
        if not part:
            continue
        if not _EMAIL.match(part):
            raise BadInput(f"'{part}' is not a contact. Write it as Name <name@example.com>.")
        into.append(ContactInfo(part, part))


def validate_draft(
    policy: Policy, draft: CustomerDraft
) -> tuple[ValidCustomer | None, dict[str, str]]:
    """Check every field; returns the clean customer or a message per bad field."""
    errors: dict[str, str] = {}
    for field_name, value in vars(draft).items():
        if "\x00" in value:
            errors[field_name] = "Contains a NUL character (\\0); type it again without it."
    if errors:
        return None, errors
    name = " ".join(draft.name.split())
    if not name:
        errors["name"] = "Enter the customer's name."
    elif name.isdigit():
        errors["name"] = "A name cannot be only digits (numbers name customers by id)."
    product = draft.product.strip()
    if product not in policy.products:
        errors["product"] = f"Choose a product: {', '.join(policy.products)}."
    users = 0
    try:
        users = int(draft.users.strip())
        if users < 1:
            errors["users"] = "Concurrent users must be a whole number of at least 1."
        elif users > MAX_USERS:
            errors["users"] = f"Concurrent users must be at most {MAX_USERS:,}."
    except ValueError:
        errors["users"] = "Concurrent users must be a whole number of at least 1."
    start: date | None = None
    try:
        start = parse_date(draft.start, "start date")
    except BadInput as exc:
        errors["start"] = str(exc)
    package = draft.package.strip().lower() or "none"
    if package not in PACKAGE_NAMES:
        errors["package"] = f"Choose a package: {', '.join(PACKAGE_NAMES)}."
    package_start = start
    if draft.package_start.strip():
        try:
            package_start = parse_date(draft.package_start, "package start date")
        except BadInput as exc:
            errors["package_start"] = str(exc)
    tz = draft.tz.strip() or policy.time.zone_name
    if tz not in pytz.all_timezones_set:
        errors["tz"] = f"'{tz}' is not a time zone. Use an IANA name such as Europe/Berlin."
    contacts: tuple[ContactInfo, ...] = ()
    try:
        contacts = parse_contacts(draft.contacts)
    except BadInput as exc:
        errors["contacts"] = str(exc)
    owner = draft.owner.strip()
    if owner and not _EMAIL.match(owner):
        errors["owner"] = f"'{owner}' is not an e-mail address (the owner is a manager's e-mail)."
    if errors or start is None or package_start is None:
        return None, errors
    valid = ValidCustomer(name, product, users, start, package, package_start, tz, contacts, owner)
    return valid, {}


def _describe_errors(errors: Mapping[str, str]) -> str:
    return " ".join(f"{field_name}: {message}" for field_name, message in errors.items())


class CustomerBook:
    """Queries and changes of customers and contacts; each public method is one transaction."""

    def __init__(self, db: Database, policy: Policy, profiles: ProfileStore | None = None) -> None:
        self.db = db
        self.policy = policy
        self.profiles = profiles or ProfileStore()
        # A contract's terms depend on its product, users and package alone: worked out once.
        self._entitlements = lru_cache(maxsize=None)(partial(entitlements_for, policy))

    # --- reading ---------------------------------------------------------------------
    def _record(self, session: Session, row: Customer) -> CustomerRecord:
        contacts = session.exec(
            select(Contact).where(Contact.customer_id == row.id).order_by(col(Contact.position))
        ).all()
        return self._to_record(row, contacts)

    def _to_record(self, row: Customer, contacts: Iterable[Contact]) -> CustomerRecord:
        assert row.id is not None
        return CustomerRecord(
            id=row.id,
            band=self.policy.band_for(row.users).name,
            contacts=tuple(ContactInfo(c.name, c.email) for c in contacts),
            archived=row.archived,
            owner=row.owner,
            **{name: getattr(row, name) for name in _CONTRACT_FIELDS},
        )

    def list(
        self, include_archived: bool = False, owner: str | None = None
    ) -> list[CustomerRecord]:
        """Customers by name; `owner`: only that manager's (by e-mail, any case)."""
        with self.db.reading() as session:
            query = select(Customer).order_by(func.lower(Customer.name))
            if not include_archived:
                query = query.where(col(Customer.archived).is_(False))
            if owner is not None:
                query = query.where(func.lower(Customer.owner) == owner.strip().lower())
            rows = session.exec(query).all()
            contacts: dict[int, list[Contact]] = {}
            for contact in session.exec(select(Contact).order_by(col(Contact.position))).all():
                contacts.setdefault(contact.customer_id, []).append(contact)
            return [self._to_record(row, contacts.get(row.id or 0, [])) for row in rows]

    def count(self, include_archived: bool = True) -> int:
        with self.db.reading() as session:
            query = select(func.count()).select_from(Customer)
            if not include_archived:
                query = query.where(col(Customer.archived).is_(False))
            return int(session.exec(query).one())

    def name_clash(self, name: str, own_id: int | None = None) -> str | None:
        """Why `name` cannot be used (another customer has it, in any case), or None."""
        with self.db.reading() as session:
            try:
                self._check_name_free(session, " ".join(name.split()), own_id)
            except BadInput as exc:
                return str(exc)
        return None

    def _find(self, session: Session, ref: str | int) -> Customer:
        text = str(ref).strip()
        row = session.exec(select(Customer).where(Customer.name == text)).first()
        number = row_id(text)
        if row is None and number is not None:
            row = session.get(Customer, number)
        if row is None:
            raise BadInput(f"No customer named '{text}'. `amplan customer list` shows them all.")
        return row

    def read_in(self, session: Session, customer_ids: Iterable[int]) -> tuple[CustomerRecord, ...]:
        """These customers as `session` sees them (a writer re-reads the contract it checks)."""
        records = []
        for customer_id in customer_ids:
            row = session.get(Customer, customer_id)
            if row is None:
                raise BadInput(f"Customer {customer_id} no longer exists.")
            records.append(self._record(session, row))
        return tuple(records)

    def get(self, ref: str | int) -> CustomerRecord:
        with self.db.reading() as session:
            return self._record(session, self._find(session, ref))

    def entitlements(self, customer: CustomerRecord) -> Entitlements:
        return self._entitlements(customer.product, customer.users, customer.package)

    # --- changing --------------------------------------------------------------------
    def _check_name_free(self, session: Session, name: str, own_id: int | None = None) -> None:
        clash = session.exec(
            select(Customer).where(func.lower(Customer.name) == name.lower())
        ).first()
        if clash is not None and clash.id != own_id:
            raise BadInput(f"A customer named '{clash.name}' already exists.")

    def _insert(self, session: Session, valid: ValidCustomer) -> Customer:
        self._check_name_free(session, valid.name)
        now = datetime.now(UTC)
        owner = valid.owner or self.manager_email()
        row = Customer(owner=owner, created_utc=now, updated_utc=now, **_contract(valid))
        session.add(row)
        session.flush()
        self._replace_contacts(session, row, valid.contacts)
        return row

    def _replace_contacts(
        self, session: Session, row: Customer, contacts: tuple[ContactInfo, ...]
    ) -> None:
        assert row.id is not None
        for old in session.exec(select(Contact).where(Contact.customer_id == row.id)).all():
            session.delete(old)
        for position, contact in enumerate(contacts):
            session.add(
                Contact(
                    customer_id=row.id, position=position, name=contact.name, email=contact.email
                )
            )
        session.flush()

    def add(self, draft: CustomerDraft) -> CustomerRecord:
        valid, errors = validate_draft(self.policy, draft)
        if valid is None:
            raise BadInput(f"The customer was not saved. {_describe_errors(errors)}")
        with self.db.transaction() as session:
            row = self._insert(session, valid)
            record_change(
                session, Change(self.actor(), "add", customer_id=row.id, details=_fields(valid))
            )
            return self._record(session, row)

    def draft_of(self, customer: CustomerRecord) -> CustomerDraft:
        return CustomerDraft(
            name=customer.name,
            product=customer.product,
            users=str(customer.users),
            start=customer.start.isoformat(),
            package=customer.package,
            package_start=customer.package_start.isoformat(),
            tz=customer.tz,
            contacts="; ".join(str(c) for c in customer.contacts),
            owner=customer.owner,
        )

    def edit(self, ref: str | int, changes: Mapping[str, str]) -> CustomerRecord:
        """Apply text changes to some fields (the rest keep their values) in one transaction."""
        with self.db.transaction() as session:
            row = self._find(session, ref)
            draft = self.draft_of(self._record(session, row))
            if (
                "start" in changes
                and "package_start" not in changes
                and row.package_start == row.start
            ):
                changes = {**changes, "package_start": changes["start"]}
            draft = replace(draft, **dict(changes))
            valid, errors = validate_draft(self.policy, draft)
            if valid is None:
                raise BadInput(f"The customer was not changed. {_describe_errors(errors)}")
            self._check_name_free(session, valid.name, row.id)
            before = self._record(session, row)
            for name, value in _contract(valid).items():
                setattr(row, name, value)
            row.owner = valid.owner or row.owner
            row.updated_utc = datetime.now(UTC)
            session.add(row)
            session.flush()
            self._replace_contacts(session, row, valid.contacts)
            after = self._record(session, row)
            details = {"before": _record_fields(before), "after": _record_fields(after)}
            record_change(
                session, Change(self.actor(), "edit", customer_id=row.id, details=details)
            )
            return after

    def set_archived(self, ref: str | int, archived: bool = True) -> CustomerRecord:
        with self.db.transaction() as session:
            row = self._find(session, ref)
            row.archived = archived
            row.updated_utc = datetime.now(UTC)
            session.add(row)
            action = "archive" if archived else "unarchive"
            record_change(
                session,
                Change(self.actor(), action, customer_id=row.id, details={"name": row.name}),
            )
            return self._record(session, row)

    # --- import ----------------------------------------------------------------------
    def import_csv(self, path: Path) -> ImportReport:
        """All rows or none: any bad row or field is reported and nothing is saved."""
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise BadInput(f"File not found: {path}") from None
        except OSError as exc:
            raise BadInput(f"Cannot read {str(path)[:200]}: {exc.strerror}.") from None
        except UnicodeDecodeError as exc:
            raise BadInput(f"Cannot read {path}: {exc}") from None
        return self.import_rows(text, str(path))

    def import_rows(self, text: str, source: str = "CSV") -> ImportReport:
        reader = csv.DictReader(io.StringIO(text))
        try:
            fieldnames = reader.fieldnames or []
        except csv.Error as exc:
            raise BadInput(f"{source}, line 1: {exc}; nothing imported.") from None
        header = [h.strip().lower() for h in fieldnames]
        missing = [c for c in ("name", "product", "users", "start") if c not in header]
        unknown = [h for h in header if h not in CSV_COLUMNS]
        if missing or unknown:
            problems = []
            if missing:
                problems.append(f"missing column(s) {', '.join(missing)}")
            if unknown:
                problems.append(f"unknown column(s) {', '.join(unknown)}")
            raise BadInput(
                f"{source}: {'; '.join(problems)}. Expected columns: {','.join(CSV_COLUMNS)}."
            )
        reader.fieldnames = header
        report = ImportReport()
        valid_rows: list[ValidCustomer] = []
        seen: dict[str, int] = {}
        with self.db.reading() as session:
            existing = {name.lower(): name for name in session.exec(select(Customer.name)).all()}
        for line_number, row in _rows(reader, source):
            if None in row:
                report.errors.append(f"line {line_number}: more fields than columns")
                continue
            values = {k: (v or "").strip() for k, v in row.items()}
            if not any(values.values()):
                continue
            draft = CustomerDraft(**{column: values.get(column, "") for column in CSV_COLUMNS})
            valid, errors = validate_draft(self.policy, draft)
            label = f"line {line_number} ({draft.name or 'no name'})"
            key = " ".join(draft.name.split()).lower()
            if key and "name" not in errors:
                if key in existing:
                    clash = f"a customer named '{existing[key]}' already exists."
                    errors = {"name": clash, **errors}
                elif key in seen:
                    errors = {"name": f"the same name is on line {seen[key]}.", **errors}
                else:
                    seen[key] = line_number
            for field_name, message in errors.items():
                report.errors.append(f"{label}: {field_name}: {message}")
            if valid is None or errors:
                continue
            valid_rows.append(valid)
        if report.errors:
            return report
        try:
            # Only the writing holds the book's write lock, and it is linear in the rows: the
            # names are checked against one read of the book, not one query per row.
            with self.db.transaction() as session:
                self._insert_many(session, valid_rows, source)
        except BadInput as exc:
            report.errors.append(str(exc))
            return report
        report.imported = len(valid_rows)
        return report

    # --- owners ----------------------------------------------------------------------------
    def manager_email(self) -> str:
        """The e-mail of the manager using amplan: their profile (the user configuration)."""
        return self.profiles.identity()[1]

    def owners(self) -> builtins.list[str]:
        """Every manager who owns a customer of the book, for a "colleague" filter."""
        with self.db.reading() as session:
            found = session.exec(select(Customer.owner).distinct()).all()
        return sorted({owner for owner in found if owner}, key=str.lower)

    def _insert_many(self, session: Session, rows: Sequence[ValidCustomer], source: str) -> None:
        if not rows:  # an INSERT with no rows would write one row of defaults
            return
        taken = {name.lower(): name for name in session.exec(select(Customer.name)).all()}
        for valid in rows:
            if valid.name.lower() in taken:
                raise BadInput(f"A customer named '{taken[valid.name.lower()]}' already exists.")
        now = datetime.now(UTC)
        manager = self.manager_email()  # imported customers are the importer's by default
        # One batched INSERT per table (the new ids read back by name), not one per row.
        session.execute(
            insert(Customer),
            [
                {
                    **_contract(valid),
                    "owner": valid.owner or manager,
                    "archived": False,
                    "notes": "",
                    "created_utc": now,
                    "updated_utc": now,
                }
                for valid in rows
            ],
        )
        new_ids = {
            str(name).lower(): int(new_id)
            for name, new_id in session.execute(sa_select(Customer.name, Customer.id))  # type: ignore[call-overload]
        }
        ids = [new_ids[valid.name.lower()] for valid in rows]
        contacts = [
            {"customer_id": new_id, "position": position, "name": c.name, "email": c.email}
            for new_id, valid in zip(ids, rows, strict=True)
            for position, c in enumerate(valid.contacts)
        ]
        if contacts:
            session.execute(insert(Contact), contacts)
        actor = self.actor()
        record_changes(
            session,
            (
                Change(
                    actor,
                    "import",
                    customer_id=new_id,
                    details={"source": source, **_fields(valid)},
                )
                for new_id, valid in zip(ids, rows, strict=True)
            ),
        )

    # --- who is working -------------------------------------------------------------------
    def actor(self) -> str:
        """Who is making a change, for the history: the manager's profile."""
        return actor_name(*self.profiles.identity())


def _contract(valid: ValidCustomer) -> dict[str, Any]:
    """The customer's own columns, as stored (contacts and owner are kept apart)."""
    return {name: getattr(valid, name) for name in _CONTRACT_FIELDS}


def _fields(valid: ValidCustomer) -> dict[str, object]:
    """The history's account of a new customer: dates as text, contacts on one line."""
    return {
        **_contract(valid),
        "start": valid.start.isoformat(),
        "package_start": valid.package_start.isoformat(),
        "contacts": "; ".join(str(c) for c in valid.contacts),
    }


def _record_fields(record: CustomerRecord) -> dict[str, object]:
    data = record.as_json()
    data["contacts"] = "; ".join(str(c) for c in record.contacts)
    data.pop("id", None)
    return data


def _rows(reader: csv.DictReader[str], source: str) -> Iterator[tuple[int, dict[str, str]]]:
    """The CSV's rows with their line numbers; a row the csv module cannot read is bad input."""
    number = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BadInput(f"{source}, line {number + 1}: {exc}; nothing imported.") from None
        number += 1
        yield number, row


SAMPLE_REFERENCE_DAY = date(2026, 11, 26)


def sample_book_csv(csv_text: str, today: date, skip_names: Iterable[str] = ()) -> str:
    """The shipped sample book with its dates moved so that it is as fresh today as when
    written, without the customers whose names the book already has."""
    taken = {name.casefold() for name in skip_names}
    shift = today - SAMPLE_REFERENCE_DAY
    reader = csv.DictReader(io.StringIO(csv_text))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in reader:
        if row["name"].casefold() in taken:
            continue
        for key in ("start", "package_start"):
            row[key] = (date.fromisoformat(row[key]) + shift).isoformat()
        writer.writerow(row)
    return out.getvalue()
