"""Open data (public, nothing personal), the report's CSV beside its XLSX, portfolio scenarios on
the page, and print styles for the report."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from budgets import services as budgets_services
from directory.tests import factories as f
from evidence import services
from evidence.models import Project
from evidence.open_data import HIDDEN, LICENCE

pytestmark = pytest.mark.django_db
LUNCH_CLUB = Path(__file__).resolve().parents[2] / "rules" / "sroi" / "examples" / "lunch_club.yaml"


def _lunch_club(name: str = "Lunch club") -> Project:
    case = yaml.safe_load(LUNCH_CLUB.read_text())
    case.pop("deflator")  # the area's series is loaded on its own page
    case["name"] = name
    return Project.objects.create(name=name, case=case)


@pytest.fixture
def deflator() -> None:
    services.set_deflator(
        f.user(Role.COMMISSIONER),
        series={2024: Decimal(100), 2026: Decimal(105)},
        source="Fictional index",
    )


def test_gap_open_data_is_public_and_hides_what_the_page_hides(client: Client) -> None:
    for _ in range(5):
        services.record_search_demand("dementia cafe", 0, "Eastfield")
    for _ in range(4):
        services.record_search_demand("jo bloggs", 0)
    data = json.loads(client.get(reverse("evidence:open-gap-json")).content)
    assert data["licence"] == LICENCE
    assert data["searches"]["shown"] == [
        {"words": "dementia cafe", "searches": 5, "neighbourhoods": ["Eastfield"]}
    ]
    assert data["searches"]["not_shown"] == 4
    assert "jo bloggs" not in json.dumps(data)
    response = client.get(reverse("evidence:open-gap-csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "row", "column", "value", "note"]
    assert ["searches", "dementia cafe", "Eastfield", "5", ""] in rows
    assert ["licence", LICENCE["name"], "", "", LICENCE["url"]] in rows
    assert client.get(reverse("evidence:open-data")).status_code == 200


def test_a_hidden_cell_is_empty_with_its_reason_never_zero(client: Client) -> None:
    hood = f.neighbourhood("Eastfield")
    for _ in range(3):
        person = f.user(Role.PERSON)
        plan = budgets_services.start_plan(person=person, actor=person)
        budgets_services.set_neighbourhood(plan=plan, actor=person, neighbourhood=hood)
        outcome = budgets_services.add_outcome(
            plan=plan, actor=person, text="Eat", wellbeing=["participation"]
        )
        budgets_services.add_line(
            outcome=outcome, actor=person, kind="not_found", description="x", need="meals"
        )
    data = json.loads(client.get(reverse("evidence:open-gap-json")).content)
    plans = next(t for t in data["tables"] if t["id"] == "plans")
    cell = next(
        c
        for c in plans["cells"]
        if (c["need"], c["neighbourhood"]) == ("Meals and food", "Eastfield")
    )
    assert cell == {
        "section": "plans",
        "need": "Meals and food",
        "neighbourhood": "Eastfield",
        "count": None,
        "note": HIDDEN,
    }
    text = client.get(reverse("evidence:open-gap-csv")).content.decode()
    assert ["plans", "Meals and food", "Eastfield", "", HIDDEN] in list(
        csv.reader(io.StringIO(text))
    )


def test_portfolio_open_data_matches_the_matrix(client: Client, deflator: None) -> None:
    _lunch_club()
    data = json.loads(client.get(reverse("evidence:open-portfolio-json")).content)
    assert data["projects"] == [
        {
            "name": "Lunch club",
            "total_inputs": "15000.00",
            "present_value": "35540.97",
            "ratio": "2.37",
        }
    ]
    assert data["total_present_value"] == "35540.97"
    cells = {(c["invested_by"], c["gained_by"]): c["present_value"] for c in data["matrix"]}
    # The lunch club's worked example: 2/3 of the £34,390.53 for people is the council's money.
    assert cells[("Council adult social care", "People and their families")] == "22927.02"
    assert data["licence"]["name"] == "Open Government Licence v3.0"
    text = client.get(reverse("evidence:open-portfolio-csv")).content.decode()
    assert "project,Lunch club,present value,35540.97," in text
    assert "total,present value,,35540.97," in text


def test_the_report_downloads_as_csv_beside_the_xlsx(client: Client, deflator: None) -> None:
    project = _lunch_club()
    url = reverse("evidence:csv", args=[project.pk])
    assert client.get(url).status_code == 302  # commissioners only: to sign in
    client.force_login(f.user(Role.COMMISSIONER))
    page = client.get(reverse("evidence:project", args=[project.pk])).content.decode()
    assert url in page
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode())))
    assert ["Summary", "Present value", "35540.97", ""] in rows
    assert {r[0] for r in rows} >= {"sheet", "Summary", "Inputs", "Impact map", "Sensitivity"}
    # The print style sheet is linked for print only.
    assert 'href="/static/evidence/print.css" media="print"' in page


def test_scenarios_scale_or_drop_a_project(client: Client, deflator: None) -> None:
    first, second = _lunch_club("Lunch club"), _lunch_club("Second club")
    client.force_login(f.user(Role.COMMISSIONER))
    url = reverse("evidence:scenarios")
    page = client.get(url)
    assert page.status_code == 200 and "£71081.94" in page.content.decode()  # both, as they are
    page = client.get(url, {f"scale-{first.pk}": "1.5", f"scale-{second.pk}": "0"})
    html = page.content.decode()
    # 35,540.9689... x 1.5 = 53,311.4534... -> £53,311.45; the second club left out, so the
    # value falls by 71,081.94 - 53,311.45 and the inputs by 30,000 - 22,500.
    assert "£53311.45" in html and "Second club: left out" in html
    assert "Present value changes by -£17,770.48; inputs by -£7,500.00" in html
    bad = client.get(url, {f"scale-{first.pk}": "10.01"}).content.decode()
    assert "There is a problem" in bad and "Enter a scale from 0" in bad
    assert f'href="#id_scale-{first.pk}"' in bad
    client.force_login(f.user(Role.PROVIDER))
    assert client.get(url).status_code == 403
