"""The customer book: add, edit, archive, list, show, CSV import (all rows or none), profile."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from desktop.app import build_context
from desktop.errors import BadInput
from desktop.services.customers import (
    CustomerBook,
    CustomerDraft,
    parse_contacts,
    validate_draft,
)
from desktop.services.policy import Policy

FIXTURES = Path(__file__).parent / "fixtures"


def draft(**fields: str) -> CustomerDraft:
    base = {
        "name": "Acme Logistics",
        "product": "SpiraPlan",
        "users": "120",
        "start": "2026-01-05",
        "package": "gold",
        "tz": "America/Chicago",
        "contacts": "Dana Whitfield <dana@acme.example>; Raj Patel <raj@acme.example>",
    }
    return CustomerDraft(**(base | fields))


# --- add, show, list -----------------------------------------------------------------------------


def test_add_and_get(book: CustomerBook) -> None:
    added = book.add(draft())
    assert added.id > 0
    assert (added.name, added.product, added.users, added.band) == (
        "Acme Logistics",
        "SpiraPlan",
        120,
        "101-250",
    )
    assert added.start == date(2026, 1, 5)
    assert added.package == "gold"
    assert added.package_start == date(2026, 1, 5)  # follows the start by default
    assert added.tz == "America/Chicago"
    assert [(c.name, c.email) for c in added.contacts] == [
        ("Dana Whitfield", "dana@acme.example"),
        ("Raj Patel", "raj@acme.example"),
    ]
    assert book.get("Acme Logistics") == added
    assert book.get(added.id) == added
    assert book.get(str(added.id)) == added
    assert book.count() == 1


def test_defaults_of_a_minimal_customer(book: CustomerBook) -> None:
    added = book.add(
        CustomerDraft(
            name="  Cobalt   Insurance ", product="SpiraTest", users="15", start="2026-11-02"
        )
    )
    assert added.name == "Cobalt Insurance"  # spaces tidied
    assert added.package == "none"
    assert added.package_start == date(2026, 11, 2)
    assert added.tz == "America/New_York"
    assert added.contacts == ()
    assert added.band == "standard"


def test_package_bought_later_keeps_its_own_start(book: CustomerBook) -> None:
    added = book.add(draft(package="silver", package_start="2026-06-01"))
    assert added.start == date(2026, 1, 5)
    assert added.package_start == date(2026, 6, 1)


def test_entitlements_of_a_customer(book: CustomerBook) -> None:
    ent = book.entitlements(book.add(draft()))
    assert (ent.band, ent.onboarding_hours, ent.cadence, ent.screen_shares_per_month) == (
        "101-250",
        8,
        "quarterly",
        4,
    )


def test_list_is_sorted_case_insensitively_and_hides_archived(book: CustomerBook) -> None:
    for name in ("zephyr Air", "Acme Logistics", "borealis Health"):
        book.add(draft(name=name))
    assert [c.name for c in book.list()] == ["Acme Logistics", "borealis Health", "zephyr Air"]
    archived = book.set_archived("borealis Health")
    assert archived.archived
    assert [c.name for c in book.list()] == ["Acme Logistics", "zephyr Air"]
    assert [c.name for c in book.list(include_archived=True)] == [
        "Acme Logistics",
        "borealis Health",
        "zephyr Air",
    ]
    # archived customers can still be shown and brought back
    assert book.get("borealis Health").archived
    assert not book.set_archived("borealis Health", False).archived
    assert len(book.list()) == 3


def test_unknown_customer_is_bad_input(book: CustomerBook) -> None:
    with pytest.raises(BadInput, match="No customer named 'Nobody'"):
        book.get("Nobody")
    with pytest.raises(BadInput, match="No customer named '42'"):
        book.get(42)
    with pytest.raises(BadInput):
        book.set_archived("Nobody")
    with pytest.raises(BadInput):
        book.edit("Nobody", {"users": "5"})


def test_duplicate_names_are_refused_case_insensitively(book: CustomerBook) -> None:
    book.add(draft())
    for name in ("Acme Logistics", "ACME LOGISTICS", "acme  logistics"):
        with pytest.raises(BadInput, match="already exists"):
            book.add(draft(name=name))
    other = book.add(draft(name="Other Corp"))
    with pytest.raises(BadInput, match="already exists"):
        book.edit(other.id, {"name": "acme logistics"})
    assert book.count() == 2
    assert book.get(other.id).name == "Other Corp"


# --- validation, field by field ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field_name", "message"),
    [
        ({"name": "  "}, "name", "Enter the customer's name"),
        ({"name": "1234"}, "name", "cannot be only digits"),
        (
            {"product": "SpiraWhatever"},
            "product",
            "Choose a product: SpiraTest, SpiraTeam, SpiraPlan",
        ),
        ({"product": "spiraplan"}, "product", "Choose a product"),
        ({"users": "abc"}, "users", "whole number of at least 1"),
        ({"users": "0"}, "users", "whole number of at least 1"),
        ({"users": "-5"}, "users", "whole number of at least 1"),
        ({"users": "12.5"}, "users", "whole number of at least 1"),
        ({"start": "2026-02-30"}, "start", "'2026-02-30' is not a start date"),
        ({"start": "05/01/2026"}, "start", "Use YYYY-MM-DD"),
        ({"start": ""}, "start", "is not a start date"),
        ({"package": "diamond"}, "package", "Choose a package: none, silver, gold, platinum"),
        ({"package_start": "2026-13-01"}, "package_start", "is not a package start date"),
        ({"tz": "Mars/Olympus_Mons"}, "tz", "'Mars/Olympus_Mons' is not a time zone"),
        ({"tz": "EST5EDTX"}, "tz", "is not a time zone"),
        ({"contacts": "Jo Smith <not-an-address>"}, "contacts", "is not a contact"),
        ({"contacts": "Jo <jo@x.example>; nonsense"}, "contacts", "'nonsense' is not a contact"),
    ],
)
def test_validation_message_per_field(
    policy: Policy, book: CustomerBook, fields: dict[str, str], field_name: str, message: str
) -> None:
    valid, errors = validate_draft(policy, draft(**fields))
    assert valid is None
    assert list(errors) == [field_name]
    assert message in errors[field_name]
    with pytest.raises(BadInput, match=f"not saved.*{field_name}: "):
        book.add(draft(**fields))
    assert book.count() == 0


def test_every_bad_field_is_reported_at_once(policy: Policy) -> None:
    valid, errors = validate_draft(
        policy, CustomerDraft(name="", product="X", users="x", start="y", package="z", tz="w")
    )
    assert valid is None
    assert set(errors) == {"name", "product", "users", "start", "package", "tz"}


def test_package_name_is_case_insensitive(policy: Policy) -> None:
    valid, errors = validate_draft(policy, draft(package=" Platinum "))
    assert errors == {}
    assert valid is not None and valid.package == "platinum"


def test_contacts_forms() -> None:
    parsed = parse_contacts("Dana W <dana@acme.example>;ops@acme.example ; ;<x@acme.example>")
    assert [(c.name, c.email) for c in parsed] == [
        ("Dana W", "dana@acme.example"),
        ("ops@acme.example", "ops@acme.example"),
        ("x@acme.example", "x@acme.example"),
    ]
    assert str(parsed[0]) == "Dana W <dana@acme.example>"
    with pytest.raises(BadInput):
        parse_contacts("Dana <dana@@acme.example>")


# --- edit ----------------------------------------------------------------------------------------


def test_edit_keeps_unspecified_fields(book: CustomerBook) -> None:
    before = book.add(draft())
    after = book.edit("Acme Logistics", {"users": "300"})
    assert after.users == 300
    assert after.band == "251+"
    assert after.id == before.id
    for field in ("name", "product", "start", "package", "package_start", "tz", "contacts"):
        assert getattr(after, field) == getattr(before, field), field
    assert book.get(before.id) == after


def test_edit_replaces_contacts_and_renames(book: CustomerBook) -> None:
    added = book.add(draft())
    edited = book.edit(added.id, {"contacts": "New Person <new@acme.example>", "name": "Acme Corp"})
    assert edited.name == "Acme Corp"
    assert [c.email for c in edited.contacts] == ["new@acme.example"]
    assert book.get("Acme Corp").contacts == edited.contacts
    with pytest.raises(BadInput):
        book.get("Acme Logistics")
    # changing only the case of one's own name is no clash
    assert book.edit("Acme Corp", {"name": "ACME Corp"}).name == "ACME Corp"


def test_package_start_follows_start_unless_set_apart(book: CustomerBook) -> None:
    book.add(draft())
    moved = book.edit("Acme Logistics", {"start": "2026-02-02"})
    assert moved.package_start == date(2026, 2, 2)
    separate = book.edit("Acme Logistics", {"package_start": "2026-06-01"})
    assert separate.start == date(2026, 2, 2)
    moved_again = book.edit("Acme Logistics", {"start": "2026-03-02"})
    assert moved_again.package_start == date(2026, 6, 1)  # bought later: stays


def test_bad_edit_changes_nothing(book: CustomerBook) -> None:
    before = book.add(draft())
    with pytest.raises(BadInput, match=r"not changed.*users: .*tz: "):
        book.edit("Acme Logistics", {"users": "many", "tz": "Nowhere/Land", "product": "SpiraTest"})
    assert book.get(before.id) == before


# --- CSV import ----------------------------------------------------------------------------------


def test_import_good_csv(book: CustomerBook) -> None:
    report = book.import_csv(FIXTURES / "customers_good.csv")
    assert report.errors == []
    assert report.imported == 4
    customers = {c.name: c for c in book.list()}
    assert set(customers) == {
        "Northwind Traders",
        "Contoso Health",
        "Fabrikam Tools",
        "Tailspin Toys",
    }
    northwind = customers["Northwind Traders"]
    assert (northwind.band, northwind.package, northwind.tz) == (
        "101-250",
        "gold",
        "America/Chicago",
    )
    assert [c.name for c in northwind.contacts] == ["Dana Whitfield", "Raj Patel"]
    contoso = customers["Contoso Health"]
    assert contoso.package_start == date(2026, 5, 4)
    assert contoso.band == "251+"
    fabrikam = customers["Fabrikam Tools"]  # empty optional columns take the defaults
    assert (fabrikam.package, fabrikam.package_start, fabrikam.tz) == (
        "none",
        date(2026, 3, 2),
        "America/New_York",
    )
    assert customers["Tailspin Toys"].package == "silver"
    assert [c.email for c in customers["Tailspin Toys"].contacts] == ["ops@tailspin.example"]


def test_import_with_bad_rows_names_every_row_and_field_and_saves_nothing(
    book: CustomerBook,
) -> None:
    book.add(draft(name="Already Here"))
    report = book.import_csv(FIXTURES / "customers_bad_rows.csv")
    assert report.imported == 0
    text = "\n".join(report.errors)
    expected = [
        ("line 3 (Bad Product Inc): product:", "Choose a product"),
        ("line 4 (Bad Users Inc): users:", "whole number"),
        ("line 5 (Bad Date Inc): start:", "2026-02-30"),
        ("line 6 (Bad Zone Inc): tz:", "Mars/Olympus_Mons"),
        ("line 7 (Bad Contact Inc): contacts:", "not-an-address"),
        ("line 8 (good row one): name:", "line 2"),
    ]
    for where, what in expected:
        assert any(e.startswith(where) and what in e for e in report.errors), (where, text)
    assert len(report.errors) == len(expected)
    assert "line 2 " not in text and "line 9 " not in text  # the good rows are not blamed
    assert [c.name for c in book.list()] == ["Already Here"]


def test_import_reports_every_clash_with_the_book(book: CustomerBook) -> None:
    assert book.import_csv(FIXTURES / "customers_good.csv").imported == 4
    report = book.import_csv(FIXTURES / "customers_good.csv")
    assert report.imported == 0
    assert len(report.errors) == 4
    assert all("already exists" in e for e in report.errors)
    assert book.count() == 4


def test_import_with_a_missing_column_is_refused(book: CustomerBook) -> None:
    with pytest.raises(BadInput, match=r"missing column.*users"):
        book.import_csv(FIXTURES / "customers_missing_column.csv")
    assert book.count() == 0


def test_import_of_nothing_like_a_csv(book: CustomerBook, tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="File not found"):
        book.import_csv(tmp_path / "nowhere.csv")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(BadInput, match="Cannot read"):
        book.import_csv(binary)
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("name,product,users,start,colour\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"unknown column.*colour"):
        book.import_csv(unknown)
    assert book.count() == 0


def test_import_of_a_header_alone_adds_nobody(book: CustomerBook, tmp_path: Path) -> None:
    # Found by the fuzz test: an empty batch once wrote one customer of defaults (and failed).
    header = tmp_path / "header.csv"
    header.write_text("name,product,users,start\r\n", encoding="utf-8")
    report = book.import_csv(header)
    assert (report.imported, report.errors) == (0, [])
    assert book.count() == 0


def test_import_extra_fields_and_blank_lines(book: CustomerBook, tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text(
        "name,product,users,start\n"
        "Alpha,SpiraTest,5,2026-01-05\n"
        ",,,\n"
        "Beta,SpiraTest,5,2026-01-05,surplus\n",
        encoding="utf-8",
    )
    report = book.import_csv(path)
    assert report.errors == ["line 4: more fields than columns"]
    assert book.count() == 0


def test_import_accepts_a_byte_order_mark_and_header_case(
    book: CustomerBook, tmp_path: Path
) -> None:
    path = tmp_path / "excel.csv"
    path.write_text(
        "\ufeffName,Product,Users,Start\nAlpha,SpiraTeam,30,2026-01-05\n", encoding="utf-8"
    )
    report = book.import_csv(path)
    assert report.errors == []
    assert book.get("Alpha").band == "21-50"


# --- the sample book -----------------------------------------------------------------------------


def test_sample_book_covers_every_product_band_and_package(tmp_path: Path, policy: Policy) -> None:
    context = build_context(tmp_path / "sample.sqlite")
    try:
        report = context.load_sample_book(today=date(2026, 11, 26))
        assert report.errors == []
        assert report.imported == 26
        customers = context.customers.list()
        assert len(customers) == 26
        assert {c.product for c in customers} == set(policy.products)
        assert {c.band for c in customers} == {b.name for b in policy.bands}
        assert {c.package for c in customers} == set(policy.packages)
        assert context.customers.get("Acme Logistics").start == date(2026, 10, 5)
        # a second load clashes with the names already there and adds nothing
        again = context.load_sample_book(today=date(2026, 11, 26))
        assert again.imported == 0 and len(again.errors) == 26
        assert context.customers.count() == 26
    finally:
        context.close()


def test_sample_book_dates_move_with_today(tmp_path: Path) -> None:
    context = build_context(tmp_path / "sample.sqlite")
    try:
        assert context.load_sample_book(today=date(2027, 11, 26)).imported == 26
        acme = context.customers.get("Acme Logistics")
        assert (acme.start, acme.package_start) == (date(2027, 10, 5), date(2027, 10, 5))
    finally:
        context.close()
