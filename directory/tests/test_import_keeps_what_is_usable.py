"""Issue 12, "Import that keeps what is usable": one feed with every kind of flaw a real council
feed has, each outcome checked; the report (record, field, problem, action), the exit status, a
re-import that updates in place and marks what the publisher dropped, and the coordinator's pages
for each import."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role
from directory.models import ImportRun, Organization, SearchEntry, Service
from directory.oruk import importer
from directory.oruk.importer import ORGANISATION_NOT_GIVEN_ID, import_paths, run_import
from directory.tests import factories as f
from directory.tests.test_oruk_import_export import _service_record
from wellbeing_hub import cli

pytestmark = pytest.mark.django_db

HTML = (
    "<p>Tai Chi for older people.&nbsp;</p><ul><li>Gentle</li><li>Seated</li></ul>"
    '<p><a href="https://example.org/t" onclick="steal()">More</a> '
    '<a href="javascript:alert(1)">bad</a></p><script>alert(1)</script>'
    '<table><tr><td style="color:red">Day</td><td>Tuesday</td></tr></table>'
)


def v1_record(n: int, **changes: Any) -> dict[str, Any]:
    """An ORUK 1.0 record shaped like North Lincolnshire's."""
    record: dict[str, Any] = {
        "id": f"v1-{n}",
        "name": f"Feed service {n}",
        "description": f"<p>Service {n} helps.</p>",
        "url": "https://example.org/",
        "email": f"s{n}@example.org",
        "status": "active",
        "fees": "",
        "deliverable_type": "",
        "attending_type": "",
        "attending_access": "",
        "pc_attendingAccess_additionalInfo": "",
        "assured_date": "2024-12-10",
        "organization": {"id": "org-nl", "name": "North Helpers", "description": "We help."},
        "pc_metadata": {"date_created": "2024-01-09", "date_modified": "2024-12-10"},
        "pc_targetAudience": [],
    }
    record.update(changes)
    return record


def flawed_feed() -> list[dict[str, Any]]:
    return [
        v1_record(1, url="www.example.org/one", email="one@example.org.", description=HTML),
        v1_record(2, url="http:www.example.org/two", email="\u200btwo@example.org"),
        v1_record(3, email="not an email"),  # an optional field that cannot be kept
        {k: v for k, v in v1_record(4).items() if k != "organization"},  # no organisation
        v1_record(5, name="First with this id"),
        v1_record(5, name="Second with the same id"),  # a repeated id
        v1_record(
            6,
            pc_targetAudience=[
                {"id": "ChronicallyIll", "audienceType": "Dementia "},
                {"id": "45527", "audienceType": "Parents>Grandparents"},
            ],
            attending_type="Venue",
            attending_access="Drop-in",
            deliverable_type="Social activity",
            pc_attendingAccess_additionalInfo="Book a place by phone",
        ),
        v1_record(7, name=""),  # a required field missing: this record is not kept
    ]


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_feed_with_every_kind_of_flaw_keeps_what_is_usable_and_reports_each_thing(
    tmp_path: Path,
) -> None:
    report = import_paths([_write(tmp_path / "feed.json", flawed_feed())])
    assert (report.created, report.updated, report.failed) == (6, 0, 2), report.problems()

    # Fixable values repaired, and reported as repaired.
    one, two = Service.objects.get(pk="v1-1"), Service.objects.get(pk="v1-2")
    assert one.url == "https://www.example.org/one" and one.email == "one@example.org"
    assert two.url == "http://www.example.org/two" and two.email == "two@example.org"
    repaired = {(w.record_id, w.field) for w in report.warnings if w.severity == "repaired"}
    assert {("v1-1", "url"), ("v1-1", "email"), ("v1-2", "url"), ("v1-2", "email")} <= repaired
    url_note = next(w for w in report.warnings if (w.record_id, w.field) == ("v1-1", "url"))
    assert "scheme added: https://www.example.org/one" in url_note.action

    # An invalid optional field is set aside with a warning; the record is kept.
    three = Service.objects.get(pk="v1-3")
    assert three.email == ""
    (dropped,) = [w for w in report.warnings if w.severity == "dropped"]
    assert (dropped.record_id, dropped.field) == ("v1-3", "service.email")
    assert "'not an email'" in dropped.reason and "set aside" in dropped.action

    # A service without an organisation is kept under a clearly labelled record.
    four = Service.objects.select_related("organization").get(pk="v1-4")
    assert four.organization.pk == ORGANISATION_NOT_GIVEN_ID
    assert four.organization.name == "Organisation not given by the publisher"
    assert any(w.record_id == "v1-4" and w.field == "organization" for w in report.warnings)

    # A repeated id is reported, and never overwrites the first record.
    assert Service.objects.get(pk="v1-5").name == "First with this id"
    repeated = [e for e in report.errors if e.record_id == "v1-5"]
    assert len(repeated) == 1 and "already used by feed.json, record 5" in repeated[0].reason

    # What the feed says is kept: audience, attending type/access, delivery, booking, dates.
    six = Service.objects.get(pk="v1-6")
    assert six.eligibility_description == "For: Dementia, Grandparents (parents)."
    assert (six.attending_type, six.attending_access, six.deliverable_type) == (
        "Venue",
        "Drop-in",
        "Social activity",
    )
    assert six.application_process == "Book a place by phone"
    assert (six.publisher_created, six.publisher_modified) == (date(2024, 1, 9), date(2024, 12, 10))
    assert six.last_modified == datetime(2024, 12, 10, tzinfo=UTC)
    document = json.loads(SearchEntry.objects.get(pk="v1-6").document)
    assert document["x_attending_type"] == "Venue"
    assert document["application_process"] == "Book a place by phone"
    assert document["last_modified"].startswith("2024-12-10")

    # A required field missing refuses only that record, naming it.
    assert not Service.objects.filter(pk="v1-7").exists()
    assert any(e.record_id == "v1-7" and "name is missing" in e.reason for e in report.errors)

    # HTML kept cleaned to the allow-list, searched as plain text.
    assert "<script" not in one.description and "onclick" not in one.description
    assert "javascript:" not in one.description and "style=" not in one.description
    assert "<ul><li>Gentle</li>" in one.description
    assert "nbsp" not in one.search_document and "<" not in one.search_document
    assert "Tai Chi for older people." in one.search_document

    # The machine-readable report: one row per record and field, with what was done.
    rows = report.as_dict()["problems"]
    assert {"record", "field", "problem", "action", "position", "severity"} <= rows[0].keys()
    assert report.exit_status == 1  # records and a field were set aside


def test_exit_status_0_all_in_1_set_aside_2_file_unusable(tmp_path: Path) -> None:
    clean = import_paths([_write(tmp_path / "clean.json", [v1_record(1)])])
    assert clean.exit_status == 0 and not clean.problems()
    repaired_only = import_paths([_write(tmp_path / "r.json", [v1_record(2, url="www.a.org")])])
    assert repaired_only.exit_status == 0 and repaired_only.repaired == 1
    partial = import_paths([_write(tmp_path / "p.json", [v1_record(3), v1_record(4, name="")])])
    assert partial.exit_status == 1
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    unusable = import_paths([broken])
    assert unusable.exit_status == 2 and unusable.errors[0].action == "file not read"


def test_the_command_prints_a_summary_writes_the_report_and_exits_with_the_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = _write(tmp_path / "feed.json", flawed_feed())
    out = tmp_path / "report.json"
    status = cli.main(["import-oruk", str(feed), "--feed", "test feed", "--report", str(out)])
    assert status == 1
    printed = capsys.readouterr()
    assert "6 services created, 0 updated, 2 failed" in printed.out
    assert "1 field set aside" in printed.out
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["exit_status"] == 1
    assert any(
        row["record"] == "v1-3" and row["field"] == "service.email" for row in written["problems"]
    )
    run = ImportRun.objects.get()
    assert (run.feed, run.created, run.failed, run.outcome) == ("test feed", 6, 2, 1)
    assert AuditEvent.objects.filter(summary__startswith="Imported ORUK feed test feed").exists()
    broken = tmp_path / "broken.json"
    broken.write_text("[", encoding="utf-8")
    assert cli.main(["import-oruk", str(broken), "--report", str(tmp_path / "b.json")]) == 2


def test_a_reimport_updates_in_place_and_marks_the_services_the_publisher_dropped(
    tmp_path: Path,
) -> None:
    first, _ = run_import(
        [_write(tmp_path / "a.json", [v1_record(1), v1_record(2), v1_record(3)])], feed="nl"
    )
    assert first.created == 3
    second, run = run_import(
        [_write(tmp_path / "b.json", [v1_record(1, name="Renamed"), v1_record(3)])], feed="nl"
    )
    assert (second.created, second.updated) == (0, 2)
    assert Service.objects.get(pk="v1-1").name == "Renamed"
    dropped = Service.objects.get(pk="v1-2")
    assert dropped.status == Service.Status.INACTIVE
    assert not SearchEntry.objects.filter(pk="v1-2").exists()  # no longer public
    assert second.withdrawn == ["v1-2"] and run.withdrawn == 1
    assert any(p["severity"] == "withdrawn" and p["record"] == "v1-2" for p in run.problems)
    # Back in a later feed: shown again.
    run_import([_write(tmp_path / "c.json", [v1_record(2)])], feed="nl")
    assert Service.objects.get(pk="v1-2").status == Service.Status.ACTIVE
    # Another feed's import never withdraws this feed's services.
    run_import([_write(tmp_path / "d.json", [v1_record(9)])], feed="other")
    assert Service.objects.get(pk="v1-2").status == Service.Status.ACTIVE


def test_an_unusable_file_withdraws_nothing(tmp_path: Path) -> None:
    run_import([_write(tmp_path / "a.json", [v1_record(1)])], feed="nl")
    broken = tmp_path / "a2.json"
    broken.write_text("{", encoding="utf-8")
    report, _ = run_import([broken], feed="nl")
    assert report.exit_status == 2 and not report.withdrawn
    assert Service.objects.get(pk="v1-1").status == Service.Status.ACTIVE


def test_data_quality_suggestions_list_prices_and_phones_the_listing_lacks(tmp_path: Path) -> None:
    feed = [
        v1_record(1, description="<p>Tai Chi, £5 a session. Call 01724 296969.</p>"),
        v1_record(2, description="<p>A friendly group.</p>"),
    ]
    _, run = run_import([_write(tmp_path / "a.json", feed)], feed="nl")
    items = [p for p in run.problems if p["severity"] == "suggestion"]
    assert {(p["record"], p["field"]) for p in items} == {("v1-1", "cost"), ("v1-1", "phone")}
    assert all("not published" in p["action"] for p in items)
    # Never published: the service still has no cost and no phone.
    service = Service.objects.get(pk="v1-1")
    assert not service.cost_options.exists() and not service.phones.exists()
    assert service.cost_known() is None


def test_the_coordinator_sees_each_import_its_report_and_what_needs_attention(
    client: Client, tmp_path: Path
) -> None:
    _, run = run_import([_write(tmp_path / "feed.json", flawed_feed())], feed="North Lincolnshire")
    client.force_login(f.user(Role.COORDINATOR))
    moderation = client.get(reverse("directory:moderation")).content.decode()
    assert reverse("directory:import", args=[run.pk]) in moderation
    listing = client.get(reverse("directory:imports")).content.decode()
    assert (
        "North Lincolnshire" in listing and "Imported, with records or fields set aside" in listing
    )
    page = client.get(reverse("directory:import", args=[run.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    for section in ("error", "dropped", "repaired"):
        assert f'data-section="{section}"' in html
    assert "Second with the same id" not in html or "already used" in html
    assert "not an email" in html and reverse("directory:service", args=["v1-3"]) in html
    report = client.get(reverse("directory:import-report", args=[run.pk]))
    assert report["Content-Type"] == "application/json"
    assert any(row["record"] == "v1-7" for row in json.loads(report.content)["problems"])


@pytest.mark.parametrize("role", [None, Role.PERSON, Role.PROVIDER])
def test_import_pages_are_for_coordinators_only(
    client: Client, role: Role | None, tmp_path: Path
) -> None:
    _, run = run_import([_write(tmp_path / "feed.json", [v1_record(1)])], feed="nl")
    if role is not None:
        client.force_login(f.user(role))
    for url in (
        reverse("directory:imports"),
        reverse("directory:import", args=[run.pk]),
        reverse("directory:import-report", args=[run.pk]),
    ):
        assert client.get(url).status_code in (302, 403)


def test_a_missing_import_is_404(client: Client) -> None:
    client.force_login(f.user(Role.COORDINATOR))
    assert client.get(reverse("directory:import", args=[999])).status_code == 404


def test_the_labelled_organisation_is_shared_not_duplicated(tmp_path: Path) -> None:
    records = [{k: v for k, v in v1_record(n).items() if k != "organization"} for n in (1, 2)]
    import_paths([_write(tmp_path / "feed.json", records)])
    assert Organization.objects.filter(pk=ORGANISATION_NOT_GIVEN_ID).count() == 1
    assert Service.objects.filter(organization_id=ORGANISATION_NOT_GIVEN_ID).count() == 2


def test_a_facebook_redirect_link_becomes_the_address_it_leads_to() -> None:
    record = {"url": "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.babysensory.com%2Fs%2F&h=x"}
    assert importer._url(record, "url") == "https://www.babysensory.com/s/"


def test_a_3_0_record_round_trips_the_new_fields(tmp_path: Path) -> None:
    record = _service_record(
        1,
        application_process="Phone to book",
        x_attending_type="Online",
        x_deliverable_type="1 to 1 support",
        x_date_modified="2024-05-01",
        x_accepts_personal_budgets=False,
    )
    report = import_paths([_write(tmp_path / "a.json", [record])])
    assert report.created == 1, report.problems()
    service = Service.objects.get(pk="svc-1")
    assert service.accepts_personal_budgets is False  # said no: known no
    assert service.accepts_time_credits is None  # not said: not known
    document = json.loads(SearchEntry.objects.get(pk="svc-1").document)
    assert document["x_accepts_personal_budgets"] is False
    assert "x_accepts_time_credits" not in document
    assert document["x_attending_type"] == "Online" and document["x_date_modified"] == "2024-05-01"


def test_a_bad_optional_date_is_set_aside_not_the_record(tmp_path: Path) -> None:
    report = import_paths([_write(tmp_path / "a.json", [v1_record(1, assured_date="soon")])])
    assert (report.created, report.failed) == (1, 0)
    (warning,) = report.warnings
    assert (warning.field, warning.severity) == ("assured_date", "dropped")
    assert Service.objects.get(pk="v1-1").assured_date is None
