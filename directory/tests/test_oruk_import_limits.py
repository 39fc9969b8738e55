"""Issue 11, findings 2-4 for the ORUK importer: a bad record (nested too deep, invalid Unicode,
over a length limit, an absurd number) is refused with its position, id and reason while the good
ones are kept, and nothing stops an import half-way; a feed cannot move a service to another
organisation by reusing its id; names are made one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from directory.models import Location, Organization, Service
from directory.oruk import importer
from directory.oruk.importer import import_data, import_paths
from directory.tests.test_oruk_import_export import _service_record

pytestmark = pytest.mark.django_db


HUGE_INT = "<a JSON integer of 5,000 digits>"


def _page(path: Path, records: list[Any], page: int = 3) -> Path:
    path.write_text(json.dumps({"page_number": page, "contents": records}), encoding="utf-8")
    return path


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- finding 2: nothing stops an import half-way -----------------------------------------------


def test_a_record_nested_deeper_than_python_can_parse_fails_alone(tmp_path: Path) -> None:
    good = [json.dumps(_service_record(n)) for n in (1, 3)]
    deep = json.dumps(_service_record(2, description="PLACEHOLDER")).replace(
        '"PLACEHOLDER"', _nested(100_000)
    )
    path = tmp_path / "page-3.json"
    path.write_text(
        f'{{"total_items": 3, "page_number": 3, "contents": [{good[0]}, {deep}, {good[1]}]}}'
    )
    report = import_paths([path])
    assert (report.created, report.failed) == (2, 1), report.errors
    assert str(report.errors[0]).startswith(f"{path}, page 3, record 2, id svc-2: ")
    assert "nested more than 32 levels deep" in str(report.errors[0])
    assert sorted(report.kept) == ["svc-1", "svc-3"]
    assert sorted(Service.objects.values_list("pk", flat=True)) == ["svc-1", "svc-3"]


def test_a_list_file_and_a_10_page_nested_too_deep_are_read_record_by_record(
    tmp_path: Path,
) -> None:
    deep = json.dumps(_service_record(2, alert="X")).replace('"X"', _nested(50_000))
    listing = tmp_path / "list.json"
    listing.write_text(f"[{json.dumps(_service_record(1))}, {deep}]")
    v1 = tmp_path / "v1.json"
    v1.write_text(
        f'{{"number": 4, "content": [{deep.replace("svc-2", "svc-5")}, '
        f"{json.dumps(_service_record(6))}], "
        f'"metadata": {_nested(50_000)}, "totalElements": 2}}'
    )
    whole = tmp_path / "whole.json"
    whole.write_text(_nested(100_000))
    other = tmp_path / "other.json"
    other.write_text(f'{{"hello": {_nested(100_000)}}}')
    report = import_paths([listing, v1, whole, other])
    assert (report.created, report.failed) == (2, 3), report.errors
    messages = [str(e) for e in report.errors]
    assert "list.json, record 2, id svc-2: the record is nested more than 32" in messages[0]
    assert "v1.json, page 4, record 1, id svc-5: the record is nested" in messages[1]
    assert "whole.json, record 1: the record is nested more than 32 levels deep" in messages[2]
    assert "other.json: this file is nested more than 32 levels deep and is not" in messages[3]
    assert sorted(report.kept) == ["svc-1", "svc-6"]


def test_a_record_nested_deep_but_parseable_is_refused_with_where(tmp_path: Path) -> None:
    deep: Any = "bottom"
    for _ in range(40):
        deep = {"more": deep}
    report = import_data([_service_record(1, x_extra=deep), _service_record(2)])
    assert (report.created, report.failed) == (1, 1)
    assert "record 1, id svc-1: the record is nested more than 32 levels deep at x_extra.more" in (
        str(report.errors[0])
    )


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"description": "Help\ud800 at home"}, "description holds text that is not valid Unicode"),
        ({"name": "\udfff"}, "name holds text that is not valid Unicode"),
        ({"id": "svc\n2"}, "holds a line break or control character"),
        ({"id": "s" * 251}, "the most is 250"),
        ({"minimum_age": HUGE_INT}, "minimum_age must be a number"),
        ({"minimum_age": "1e999999999"}, "minimum_age is too large"),
        ({"maximum_age": 2**63}, "maximum_age is too large"),
        ({"name": "n" * 251}, "service: name: Ensure this value has at most 250 characters"),
        ({"x_accepts_time_credits": "z" * 100_000}, "must be true or false, not 'zzz"),
    ],
)
def test_a_bad_value_fails_its_record_with_the_field_named_and_the_rest_are_kept(
    tmp_path: Path, changes: dict[str, Any], reason: str
) -> None:
    bad = _service_record(2, **changes)
    path = tmp_path / "page-3.json"
    text = json.dumps({"page_number": 3, "contents": [_service_record(1), bad, _service_record(3)]})
    text = text.replace(f'"{HUGE_INT}"', "9" * 5000)  # an integer Python will not read
    path.write_text(text, encoding="utf-8")
    report = import_paths([path])
    assert (report.created, report.failed) == (2, 1), report.errors
    message = str(report.errors[0])
    assert "page 3, record 2" in message and reason in message, message
    assert len(message) < 1000
    message.encode("utf-8")  # printable: no lone surrogate from the feed
    assert sorted(Service.objects.values_list("pk", flat=True)) == ["svc-1", "svc-3"]


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        (
            {"description": "x" * 10_001},
            "service.description",
            "Ensure this value has at most 10000",
        ),
        ({"description": "x" * 21_000_000}, "service.description", "21,000,000 characters long"),
        (
            {"eligibility_description": "y" * 10_001},
            "service.eligibility_description",
            "Ensure this value",
        ),
    ],
)
def test_optional_text_over_its_limit_is_set_aside_with_a_warning_and_the_record_kept(
    tmp_path: Path, changes: dict[str, Any], field: str, reason: str
) -> None:
    path = tmp_path / "page-3.json"
    bad = _service_record(2, **changes)
    path.write_text(json.dumps({"page_number": 3, "contents": [_service_record(1), bad]}))
    report = import_paths([path])
    assert (report.created, report.failed) == (2, 0), report.errors
    (warning,) = [w for w in report.warnings if w.severity == "dropped"]
    assert warning.field == field and reason in warning.reason and warning.record_id == "svc-2"
    assert "page 3, record 2" in str(warning) and len(str(warning)) < 1000
    assert report.exit_status == 1
    kept = Service.objects.get(pk="svc-2")
    assert getattr(kept, field.split(".")[1]) == ""


def test_bytes_that_are_not_utf8_fail_only_their_record(tmp_path: Path) -> None:
    records = [
        json.dumps(_service_record(1)),
        json.dumps(_service_record(2, description="BAD")),
        json.dumps(_service_record(3)),
    ]
    raw = ("[" + ", ".join(records) + "]").encode("utf-8").replace(b"BAD", b"caf\xe9 \xed\xa0\x80")
    path = tmp_path / "latin1.json"
    path.write_bytes(raw)
    report = import_paths([path])
    assert (report.created, report.failed) == (2, 1), report.errors
    assert "record 2, id svc-2: description holds text that is not valid Unicode" in str(
        report.errors[0]
    )


def test_one_record_failing_in_an_unexpected_way_does_not_stop_the_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importer._Importer.schedule

    def broken(self: Any, record: dict[str, Any], **kwargs: Any) -> None:
        if record.get("id") == "sch-2":
            raise RuntimeError("a bug")
        real(self, record, **kwargs)

    monkeypatch.setattr(importer._Importer, "schedule", broken)
    report = import_data([_service_record(n) for n in (1, 2, 3)])
    assert (report.created, report.failed) == (2, 1)
    assert "record 2, id svc-2: the record could not be imported (RuntimeError: a bug)" in str(
        report.errors[0]
    )
    assert not Service.objects.filter(pk="svc-2").exists()
    assert not Location.objects.filter(pk="loc-2").exists()


def test_an_interrupted_import_reports_what_was_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importer._Importer.service

    def interrupted(self: Any, record: dict[str, Any]) -> bool:
        if record["id"] == "svc-3":
            raise KeyboardInterrupt
        return real(self, record)

    monkeypatch.setattr(importer._Importer, "service", interrupted)
    report = import_paths([_page(tmp_path / "p.json", [_service_record(n) for n in (1, 2, 3, 4)])])
    assert report.interrupted and (report.created, report.failed) == (2, 0)
    assert report.kept == ["svc-1", "svc-2"]
    assert "Interrupted: the services counted above were kept" in report.summary()
    assert sorted(Service.objects.values_list("pk", flat=True)) == ["svc-1", "svc-2"]
    # Each kept service is complete and found by its words, though the import stopped early.
    assert "Home care" in Service.objects.get(pk="svc-2").search_document


# --- finding 3: a feed cannot move a service to another organisation ----------------------------


def test_a_feed_reusing_a_service_id_cannot_move_it_to_another_organisation() -> None:
    assert import_data(_service_record(1)).created == 1
    takeover = _service_record(
        1,
        name="Taken over",
        organization={"id": "org-evil", "name": "Someone else", "description": "Not us."},
    )
    report = import_data([takeover, _service_record(2)])
    assert (report.created, report.updated, report.failed) == (1, 0, 1)
    message = str(report.errors[0])
    assert "record 1, id svc-1: service 'svc-1' belongs to organisation 'org-1'" in message
    assert "names organisation 'org-evil'" in message and "keeps its organisation" in message
    service = Service.objects.get(pk="svc-1")
    assert service.organization_id == "org-1" and service.name == "Imported service 1"
    assert not Organization.objects.filter(pk="org-evil").exists()


def test_the_same_organisation_updates_its_own_service() -> None:
    import_data(_service_record(1))
    report = import_data(_service_record(1, name="Renamed by its publisher"))
    assert (report.updated, report.failed) == (1, 0)
    assert Service.objects.get(pk="svc-1").name == "Renamed by its publisher"


def test_organization_id_and_organization_must_agree() -> None:
    record = _service_record(1, organization_id="org-2")
    report = import_data(record)
    assert report.failed == 1
    assert "organization_id 'org-2' and organization.id 'org-1' differ" in str(report.errors[0])


def test_another_organisations_place_is_linked_to_but_not_changed() -> None:
    import_data(_service_record(1))
    other = _service_record(
        2, organization={"id": "org-2", "name": "Neighbours", "description": "Also here."}
    )
    place = other["service_at_locations"][0]["location"]
    place.update(id="loc-1", name="Renamed by someone else", latitude=10, longitude=10)
    report = import_data(other)
    assert (report.created, report.failed) == (1, 0), report.errors
    location = Location.objects.get(pk="loc-1")
    assert location.organization_id == "org-1" and location.name == ""
    assert location.latitude is not None and float(location.latitude) == 52.1
    assert Service.objects.get(pk="svc-2").service_at_locations.get().location_id == "loc-1"


# --- finding 4: names are one line --------------------------------------------------------------


def test_imported_names_are_made_one_line_and_descriptions_keep_plain_line_breaks() -> None:
    record = _service_record(
        1,
        name="Lunch\nclub\r\n\u2028for\tall\x1b",
        description="First line.\r\nSecond\x00 line.\r\rThird\u2029line.",
        organization={"id": "org-1", "name": "Helpers\r\nLtd", "description": "We help."},
    )
    record["service_at_locations"][0]["location"]["name"] = "Village\nhall"
    report = import_data(record)
    assert report.failed == 0, report.errors
    service = Service.objects.select_related("organization").get()
    assert service.name == "Lunch club for all"
    assert service.description == "First line.\nSecond line.\n\nThird\nline."
    assert service.organization.name == "Helpers Ltd"
    assert Location.objects.get().name == "Village hall"


def test_a_folder_with_odd_file_names_is_read_in_page_order(tmp_path: Path) -> None:
    folder = tmp_path / "feed"
    folder.mkdir()
    for number, name in ((1, "page-²"), (2, "page-10"), (3, "page-2"), (4, "page-١")):
        _page(folder / f"{name}.json", [_service_record(number)], page=number)
    report = import_paths([folder])
    assert (report.files, report.created, report.failed) == (4, 4, 0), report.errors
    assert report.kept == ["svc-3", "svc-2", "svc-1", "svc-4"]
