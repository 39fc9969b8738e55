"""Figures fed from the platform, not typed twice, each saying what was counted and how: Shared
Lives placements against the alternative, people supported by social prescribing, and experts by
experience's hours in co-production hours. The other apps' selectors are replaced here by rows of
the shape they document (sharedlives.selectors.placement_costs, connect.selectors.people_supported,
voice.selectors.expert_hours); their own tests cover how they count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from directory.tests import factories as f
from evidence import feeds, selectors
from evidence.models import Project

pytestmark = pytest.mark.django_db

OUTCOME = {
    "deadweight": "0%",
    "deadweight_source": "None: the placements replaced the alternative",
    "attribution": "0%",
    "attribution_source": "None",
}


def _placement(
    pk: int, weeks: int, cost: str = "645.00", alternative: str = "995.00"
) -> dict[str, Any]:
    return {
        "placement_id": pk,
        "weekly_cost": Decimal(cost),
        "alternative_weekly_cost": Decimal(alternative),
        "weeks": weeks,
        "started_on": dt.date(2026, 1, 5),
        "ended_on": None,
    }


@pytest.fixture
def project(client: Client) -> Project:
    client.force_login(f.user(Role.COMMISSIONER))
    return Project.objects.create(
        name="Shared Lives",
        case={
            "name": "Shared Lives",
            "base_year": 2026,
            "discount_rate": "3.5%",
            "discount_rate_source": "Green Book",
            "discount_first_year": True,
            "inputs": [
                {
                    "id": "grant",
                    "name": "Scheme",
                    "kind": "money",
                    "sector": "adult_social_care",
                    "amount": "5000.00",
                    "source": "Budget",
                }
            ],
            "outcomes": [],
        },
    )


def test_shared_lives_placements_become_a_saving_line(
    client: Client, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        _placement(1, 10),
        _placement(2, 20),
        _placement(3, 8, "700.00", "650.00"),  # costs more than the alternative: no saving
        _placement(4, 0, "500.00", "900.00"),  # not a whole week yet: left out
    ]
    monkeypatch.setattr(
        "sharedlives.selectors.placement_costs", lambda today=None: rows, raising=True
    )
    groups = feeds.shared_lives_savings(dt.date(2026, 12, 3))
    assert [(g.placements, g.weeks, g.saving_per_week) for g in groups] == [
        (2, 30, Decimal("350.00")),
        (1, 8, Decimal("-50.00")),
    ]
    url = reverse("evidence:outcome-new", args=[project.pk])
    page = client.get(url).content.decode()
    assert "?proxy=shared-lives%3A645.00%3A995.00" in page
    assert "no saving, so not offered" in page
    form = client.get(url, {"proxy": "shared-lives:645.00:995.00"}).context["form"]
    assert form.initial["quantity"] == "30"
    assert form.initial["proxy_value"] == "350.00"
    assert form.initial["benefits_sector"] == "adult_social_care"
    assert form.initial["saving_kind"] == "cashable"
    assert "2 placements at £645.00 a week against £995.00" in form.initial["quantity_source"]
    assert "30 whole weeks" in form.initial["quantity_source"]
    # Saved as given, the report values 30 weeks x £350.00 = £10,500.00 / 1.035 = £10,144.93.
    response = client.post(url, {**form.initial, **OUTCOME})
    assert response.status_code == 302, response.content.decode()[:2000]
    report = selectors.report_for(Project.objects.get(pk=project.pk))
    assert report.data is not None and report.data["present_value"] == "10144.93"
    # A group with no saving, or one not there, fills nothing in.
    for key in ("shared-lives:700.00:650.00", "shared-lives:1.00:2.00"):
        assert "quantity" not in client.get(url, {"proxy": key}).context["form"].initial


@pytest.mark.parametrize(("count", "usable"), [(4, False), (5, True)])
def test_people_supported_is_used_from_five(
    client: Client, project: Project, monkeypatch: pytest.MonkeyPatch, count: int, usable: bool
) -> None:
    seen: list[tuple[dt.date, dt.date]] = []

    def supported(start: dt.date, end: dt.date) -> int:
        seen.append((start, end))
        return count

    monkeypatch.setattr("connect.selectors.people_supported", supported)
    url = reverse("evidence:outcome-new", args=[project.pk])
    page = client.get(url).content.decode()
    form = client.get(url, {"proxy": feeds.PEOPLE_SUPPORTED}).context["form"]
    start, end = seen[0]
    assert (end - start).days == 364  # a year, both days counted
    if usable:
        assert f"{count} people supported by a link worker" in page
        assert form.initial["quantity"] == str(count)
        assert "different people a link worker supported" in form.initial["quantity_source"]
    else:
        assert "Fewer than 5 people were supported" in page
        assert "quantity" not in form.initial


def test_experts_by_experience_hours_count_as_members_hours(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def expert_hours(start: dt.date, end: dt.date) -> list[dict[str, object]]:
        rows: list[dict[str, Any]] = [
            {"organisation": "Riverside Care", "month": "2026-10", "minutes": 150},
            {"organisation": "Riverside Care", "month": "2026-11", "minutes": 45},
        ]
        return [r for r in rows if start.strftime("%Y-%m") <= r["month"] <= end.strftime("%Y-%m")]

    monkeypatch.setattr("voice.selectors.expert_hours", expert_hours)
    rows = selectors.coproduction(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert [(r.organisation, r.member_hours, r.expert_hours, r.staff_hours) for r in rows] == [
        ("Riverside Care", Fraction(5, 2), Fraction(5, 2), None)
    ]
    client.force_login(f.user(Role.COMMISSIONER))
    period = {"start": "2026-10-01", "end": "2026-11-30"}
    html = client.get(reverse("evidence:coproduction"), period).content.decode()
    assert "Of which experts by experience" in html and "quality check" in html
    assert "2.50" in html and "0.75" in html
    lines = client.get(reverse("evidence:coproduction-csv"), period).content.decode().splitlines()
    assert "2026-10,Riverside Care,2.50,not recorded,0,2.50" in lines
    assert "2026-11,Riverside Care,0.75,not recorded,0,0.75" in lines
