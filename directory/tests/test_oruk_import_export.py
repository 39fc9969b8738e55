"""Import of ORUK 3.0 and 1.0 feeds, and the export that imports back to the same data."""

from __future__ import annotations

import copy
import json
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from directory.models import (
    Accessibility,
    Address,
    Attribute,
    Contact,
    CostOption,
    Language,
    Location,
    Organization,
    OrganizationIdentifier,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from directory.oruk.exporter import export_to
from directory.oruk.importer import ImportReport, import_data, import_paths
from directory.tests import oruk_factories as f

pytestmark = pytest.mark.django_db

EXAMPLES = Path("standards/examples/oruk-3.0")


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _example(shared: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((shared / EXAMPLES / f"{name}.json").read_text())
    return data


def _service_record(n: int, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": f"svc-{n}",
        "name": f"Imported service {n}",
        "status": "active",
        "description": "Help at home",
        "organization": {"id": "org-1", "name": "Helpers", "description": "We help."},
        "schedules": [
            {
                "id": f"sch-{n}",
                "freq": "WEEKLY",
                "byday": "MO",
                "opens_at": "09:00",
                "closes_at": "12:00",
            }
        ],
        "service_at_locations": [
            {
                "id": f"sal-{n}",
                "location": {
                    "id": f"loc-{n}",
                    "location_type": "physical",
                    "latitude": 52.1,
                    "longitude": -1.2,
                    "addresses": [
                        {
                            "id": f"addr-{n}",
                            "address_1": "1 Road",
                            "city": "Town",
                            "state_province": "",
                            "postal_code": "TE1 1ST",
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
        "cost_options": [{"id": f"cost-{n}", "amount": 5, "option": "Visit"}],
        "attributes": [
            {
                "id": f"attr-{n}",
                "taxonomy_term": {
                    "id": "term-1",
                    "name": "Home care",
                    "description": "",
                    "taxonomy": "ESD",
                },
            }
        ],
    }
    record.update(changes)
    return record


# --- ORUK 3.0 --------------------------------------------------------------------------------


def test_imports_the_oruk_30_example_fully_nested_service(shared_dir: Path) -> None:
    record = _example(shared_dir, "service_full")
    # The published example puts its location at latitude 100; the importer refuses that …
    report = import_data(copy.deepcopy(record))
    assert report.failed == 1 and "latitude 100" in str(report.errors[0])
    assert not Service.objects.exists() and not Organization.objects.exists()
    # … and takes the rest once the location is on the map.
    location = record["service_at_locations"][0]["location"]
    location["latitude"], location["longitude"] = 52.5, -1.5
    report = import_data(record)
    assert (report.created, report.failed) == (1, 0), report.errors
    service = Service.objects.get(pk=record["id"])
    assert service.organization.name == "Example Organization Inc."
    assert service.fees_description == "fees_description"
    assert service.minimum_age == 12 and service.maximum_age == 100
    assert service.schedules.get().byday == "TH,FR"
    assert service.schedules.get().attending_type == record["schedules"][0]["attending_type"]
    assert service.cost_options.get().amount == 35
    assert Address.objects.get().country == "US"
    assert service.attributes.get().taxonomy_term.name == "name"
    assert service.organization.organization_identifiers.get().identifier == "1234567"
    assert "Counselling" in service.search_document


def test_a_page_of_flat_services_imports_and_keeps_existing_children(shared_dir: Path) -> None:
    page = _example(shared_dir, "service_list")
    report = import_data(page)
    assert report.created == len(page["contents"]) and report.failed == 0
    first = page["contents"][0]
    import_data(
        _service_record(
            1, id=first["id"], organization_id=first["organization"]["id"], organization=None
        )
    )
    report = import_data(page)  # flat records: schedules and the rest stay as they are
    assert report.updated == len(page["contents"])
    assert Service.objects.get(pk=first["id"]).schedules.count() == 1


def test_importing_the_same_feed_twice_updates_rather_than_duplicates(tmp_path: Path) -> None:
    feed = _write(tmp_path / "feed.json", [_service_record(1), _service_record(2)])
    first = import_paths([feed])
    assert (first.created, first.updated, first.failed) == (2, 0, 0)
    counts = {
        m.__name__: m.objects.count()
        for m in (
            Service,
            Organization,
            Location,
            Address,
            Schedule,
            CostOption,
            Attribute,
            TaxonomyTerm,
            Taxonomy,
            ServiceAtLocation,
        )
    }
    second = import_paths([feed])
    assert (second.created, second.updated, second.failed) == (0, 2, 0)
    assert counts == {
        m.__name__: m.objects.count()
        for m in (
            Service,
            Organization,
            Location,
            Address,
            Schedule,
            CostOption,
            Attribute,
            TaxonomyTerm,
            Taxonomy,
            ServiceAtLocation,
        )
    }
    changed = _service_record(1, name="Renamed", cost_options=[])
    import_data(changed)
    service = Service.objects.get(pk="svc-1")
    assert service.name == "Renamed" and not service.cost_options.exists()


def test_a_bad_record_is_reported_with_its_position_and_leaves_nothing_behind(
    tmp_path: Path,
) -> None:
    bad_address = _service_record(2)
    del bad_address["service_at_locations"][0]["location"]["addresses"][0]["postal_code"]
    page = {
        "total_items": 4,
        "page_number": 3,
        "contents": [_service_record(1), bad_address, "not an object", _service_record(4, name="")],
    }
    report = import_paths([_write(tmp_path / "page-3.json", page)])
    assert (report.created, report.failed) == (1, 3)
    messages = [str(e) for e in report.errors]
    assert messages[0].startswith(f"{tmp_path / 'page-3.json'}, page 3, record 2, id svc-2: ")
    assert "postal_code is missing" in messages[0]
    assert "record 3" in messages[1] and "JSON object" in messages[1]
    assert "record 4, id svc-4: name is missing" in messages[2]
    # The failing records wrote nothing: not their service, location, schedule or organisation.
    assert list(Service.objects.values_list("pk", flat=True)) == ["svc-1"]
    assert not Location.objects.filter(pk="loc-2").exists()
    assert not Schedule.objects.filter(pk="sch-2").exists()
    assert "1 services created" in report.summary() and "3 failed" in report.summary()


def test_a_child_id_used_by_another_service_fails_that_record_only() -> None:
    import_data(_service_record(1))
    clash = _service_record(2, cost_options=[{"id": "cost-1", "amount": 1}])
    report = import_data(clash)
    assert report.failed == 1 and "cost option id cost-1 is already used" in str(report.errors[0])
    assert CostOption.objects.get(pk="cost-1").service_id == "svc-1"


def test_paginated_feed_saved_as_a_folder_of_page_files_imports_in_page_order(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "feed"
    folder.mkdir()
    for number in (1, 2, 10):
        records = [_service_record(number * 100 + i) for i in range(2)]
        _write(folder / f"page-{number}.json", {"page_number": number, "contents": records})
    (folder / "notes.txt").write_text("not a page")
    report = import_paths([folder])
    assert (report.files, report.created, report.failed) == (3, 6, 0)


def test_oversized_and_non_json_files_are_refused_clearly(tmp_path: Path) -> None:
    big = _write(tmp_path / "big.json", [_service_record(1)])
    text = tmp_path / "feed.json"
    text.write_text("<html>not json</html>")
    binary = tmp_path / "feed.bin"
    binary.write_bytes(b"\xff\xfe\x00bad")
    other = _write(tmp_path / "other.json", {"hello": "world"})
    with override_settings(MAX_IMPORT_BYTES=100):
        report = import_paths([big, text, binary, other, tmp_path / "missing.json"])
    messages = [str(e) for e in report.errors]
    assert "over the 0.0 MB limit (MAX_IMPORT_BYTES)" in messages[0]
    assert "not valid JSON (line 1, column 1" in messages[1]
    assert "not a JSON file" in messages[2] or "not valid JSON" in messages[2]
    assert "not an Open Referral UK feed" in messages[3]
    assert "no such file" in messages[4]
    assert not Service.objects.exists()


# --- ORUK 1.0 --------------------------------------------------------------------------------

V1_SERVICE: dict[str, Any] = {
    "id": "v1-service",
    "name": "Carers' café",
    "description": "A monthly café for carers.",
    "url": "www.carers.example.org",
    "email": "cafe@carers.example.org",
    "status": "active",
    "fees": "Free",
    "accreditations": None,
    "deliverable_type": "Information",
    "assured_date": "05/02/2026 00:00:00",
    "attending_type": "Drop in",
    "attending_access": "Drop in",
    "organization": {
        "id": "v1-org",
        "name": "Carers Trust Testbury",
        "description": "Support for carers",
        "url": "https://carers.example.org",
        "logo": None,
        "uri": None,
        "reviews": [],
    },
    "eligibilitys": [
        {
            "id": "el-1",
            "eligibility": "Carers",
            "minimum_age": 16,
            "maximum_age": 0,
            "taxonomys": [],
        }
    ],
    "fundings": [{"id": "fund-1", "source": "Council"}],
    "holiday_schedules": [],
    "regular_schedules": [
        {
            "id": "rs-1",
            "opens_at": "10:00",
            "closes_at": "12:00",
            "byday": "TU",
            "freq": "MONTHLY",
            "interval": 1,
            "description": "First Tuesday",
        }
    ],
    "reviews": [],
    "service_areas": [{"id": "sa-1", "service_area": "Testbury", "extent": None, "uri": None}],
    "service_at_locations": [
        {
            "id": "v1-sal",
            "location": {
                "id": "v1-loc",
                "name": "Library",
                "description": "",
                "latitude": 52.2,
                "longitude": -1.1,
                "physical_addresses": [
                    {
                        "id": "pa-1",
                        "address_1": "2 Library Way",
                        "city": "Testbury",
                        "state_province": "Testshire",
                        "postal_code": "TE2 2ND",
                        "country": "England",
                    }
                ],
                "accessibility_for_disabilities": [{"id": "afd-1", "accessibility": "step-free"}],
            },
            "regular_schedules": [
                {"id": "rs-2", "opens_at": "10:00:00", "closes_at": "11:00:00", "byday": "TU"}
            ],
            "holiday_schedules": [],
        }
    ],
    "service_taxonomys": [
        {
            "id": "st-1",
            "taxonomy": {
                "id": "esd-service-1",
                "name": "Carer support",
                "vocabulary": "esdServiceTypes",
                "parent": None,
            },
        }
    ],
    "contacts": [
        {
            "id": "c-1",
            "name": "Ann",
            "title": "Organiser",
            "phones": [{"id": "p-1", "number": "01632 960100", "language": None}],
        }
    ],
    "cost_options": [
        {"id": "co-1", "option": "Tea", "amount": "1.50", "amount_description": "per cup"}
    ],
    "languages": [{"id": "l-1", "language": "Polish"}],
}


def test_imports_an_oruk_10_page_with_its_field_names(tmp_path: Path) -> None:
    page = {
        "totalElements": 1,
        "totalPages": 1,
        "number": 1,
        "size": 1,
        "first": True,
        "last": True,
        "content": [V1_SERVICE],
    }
    report = import_paths([_write(tmp_path / "v1.json", page)])
    assert (report.created, report.failed) == (1, 0), report.errors
    service = Service.objects.get(pk="v1-service")
    assert service.url == "https://www.carers.example.org"
    assert service.organization.website == "https://carers.example.org"
    assert service.fees_description == "Free"
    assert service.assured_date == date(2026, 2, 5)
    assert service.minimum_age == 16 and service.maximum_age is None
    assert service.eligibility_description == "Carers"
    assert [(s.freq, s.byday) for s in service.schedules.all()] == [("MONTHLY", "TU")]
    sal = service.service_at_locations.get()
    assert sal.schedules.get().opens_at == time(10)
    address = sal.location.addresses.get()
    assert (address.postal_code, address.country, address.state_province) == (
        "TE2 2ND",
        "GB",
        "Testshire",
    )
    assert sal.location.accessibility.get().description == "step-free"
    term = service.attributes.get().taxonomy_term
    assert term.taxonomy is not None
    assert term.name == "Carer support" and term.taxonomy.name == "esdServiceTypes"
    assert service.contacts.get().phones.get().number == "01632 960100"
    assert service.languages.get().name == "Polish"
    assert service.service_areas.get().name == "Testbury"
    assert str(service.cost_options.get().amount) == "1.50"
    again = import_paths([tmp_path / "v1.json"])
    assert (again.updated, again.failed) == (1, 0)
    assert Taxonomy.objects.count() == 1 and Phone.objects.count() == 1


def test_a_single_oruk_10_service_object_imports_too() -> None:
    report = import_data(V1_SERVICE)
    assert report.created == 1 and Contact.objects.get().name == "Ann"


# --- export and round trip ---------------------------------------------------------------------


def _without_times(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_times(v) for k, v in data.items() if k != "last_modified"}
    if isinstance(data, list):
        return [_without_times(v) for v in data]
    return data


def test_export_writes_an_oruk_30_page_that_reimports_to_the_same_data(
    tmp_path: Path, shared_dir: Path
) -> None:
    data = f.directory(4)
    assert Service.objects.count() == 5  # four active, one defunct: all are exported
    first = tmp_path / "export.json"
    assert export_to(first) == 5
    exported = json.loads(first.read_text())
    assert (exported["total_items"], exported["size"], exported["empty"]) == (5, 5, False)
    assert {s["status"] for s in exported["contents"]} == {"active", "defunct"}
    assert exported["contents"][0]["organization"]["organization_identifiers"]

    # Each exported service is valid against the UK schema for a fully nested service.
    import jsonschema  # type: ignore[import-untyped]  # no types-jsonschema in the lock file

    schema = json.loads(
        (shared_dir / "standards/oruk/validator/schemas-3.0-uk/service.json").read_text()
    )
    checker = jsonschema.FormatChecker()
    for record in exported["contents"]:
        assert (
            list(
                jsonschema.Draft202012Validator(schema, format_checker=checker).iter_errors(record)
            )
            == []
        )

    # Scramble the directory: every list a service carries goes, and its own fields change.
    # (Updates and child deletes only: deleting services would reach other apps' tables.)
    for model in (
        Schedule,
        CostOption,
        Attribute,
        ServiceAtLocation,
        Contact,
        Phone,
        Language,
        ServiceArea,
        Address,
        Accessibility,
        OrganizationIdentifier,
    ):
        model.objects.all().delete()
    Service.objects.update(
        name="x", description="", minimum_age=None, url="", accepts_personal_budgets=False
    )
    Organization.objects.update(name="x", website="", provider_kind="")
    Location.objects.update(latitude=None, neighbourhood=None)
    TaxonomyTerm.objects.update(parent=None)
    report: ImportReport = import_paths([first])
    assert (report.created, report.updated, report.failed) == (0, 5, 0), report.errors
    second = tmp_path / "again.json"
    export_to(second)
    assert _without_times(json.loads(second.read_text())) == _without_times(exported)
    assert data.hood is not None
    assert Location.objects.filter(neighbourhood=data.hood).count() == 2
    parent = TaxonomyTerm.objects.get(name="Home care").parent
    assert parent is not None and parent.name == "Care"


def test_export_of_an_empty_directory_is_an_empty_page(tmp_path: Path) -> None:
    assert export_to(tmp_path / "empty.json") == 0
    page = json.loads((tmp_path / "empty.json").read_text())
    assert page["contents"] == [] and page["empty"] is True and page["total_items"] == 0
