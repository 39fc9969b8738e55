"""The gap in the market from support plans ("could not find this") and from referrals declined
for lack of space; offered as themes to a participatory budgeting round (issue 18)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from budgets import services as budgets_services
from budgets.models import PlanOutcome
from directory.models import Neighbourhood
from directory.tests import factories as f
from evidence import selectors
from participation.models import Theme
from participation.tests import factories as pf
from rules.outcomes.aggregates import determined_entries, table_lines

pytestmark = pytest.mark.django_db


def _could_not_find(
    hood: Neighbourhood | None, need: str = "meals", text: str = "A lunch club near the bus stop"
) -> PlanOutcome:
    person = f.user(Role.PERSON)
    plan = budgets_services.start_plan(person=person, actor=person)
    if hood is not None:
        budgets_services.set_neighbourhood(plan=plan, actor=person, neighbourhood=hood)
    outcome = budgets_services.add_outcome(
        plan=plan, actor=person, text="Eat with others", wellbeing=["participation"]
    )
    budgets_services.add_line(
        outcome=outcome, actor=person, kind="not_found", description=text, need=need
    )
    return outcome


@pytest.fixture
def plans() -> Neighbourhood:
    east = f.neighbourhood("Eastfield")
    for _ in range(5):
        _could_not_find(east, text="Secret words about Mrs Example")
    return east


@pytest.mark.parametrize(("count", "shown"), [(4, None), (5, 5)])
def test_a_need_is_shown_from_five_plans(count: int, shown: int | None) -> None:
    east = f.neighbourhood("Eastfield")
    for _ in range(count):
        _could_not_find(east)
    table = selectors.plan_gap()
    assert table.shown("Meals and food", "Eastfield") == shown
    assert table.shown(None, None) == shown


def test_a_plan_without_a_neighbourhood_counts_as_not_given() -> None:
    for _ in range(5):
        _could_not_find(None, need="health")
    assert selectors.plan_gap().shown("Staying healthy and active", "Not given") == 5


def test_hidden_figures_cannot_be_worked_out_from_the_totals() -> None:
    east, west = f.neighbourhood("Eastfield"), f.neighbourhood("Westfield")
    for hood, need, n in ((east, "meals", 6), (west, "meals", 4), (east, "company", 5)):
        for _ in range(n):
            outcome = _could_not_find(hood, need=need)
    # A second line for the same need on one plan counts once.
    budgets_services.add_line(
        outcome=outcome,
        actor=outcome.plan.person,
        kind="not_found",
        description="Another",
        need="company",
    )
    table = selectors.plan_gap()
    assert table.counts[("Meals and food", "Eastfield")] == 6
    assert table.counts[("Company and things to do", "Eastfield")] == 5
    assert table.shown("Meals and food", "Westfield") is None
    hidden = [k for k, s in table.status.items() if s != "published"]
    lines = table_lines(table.rows, table.columns)
    assert determined_entries(hidden, lines, table.counts) == []


def test_the_public_page_shows_counts_not_words(client: Client, plans: Neighbourhood) -> None:
    html = client.get(reverse("evidence:gap")).content.decode()  # nobody signed in
    assert "Support people could not find for their plans" in html
    assert "Mrs Example" not in html  # what people wrote stays on their plan
    html = client.get(reverse("evidence:gap"), {"neighbourhood": "Eastfield"}).content.decode()
    assert (
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Eastfield">5</td>'
        in html
    )
    assert "Offer as a theme" not in html  # not for the public


def test_declined_for_capacity_names_services_from_five(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[dt.date] = []

    def declined(since: dt.date) -> list[dict[str, Any]]:
        asked.append(since)
        return [
            {"service_id": "svc-1", "service_name": "Day centre", "count": 5},
            {"service_id": "svc-2", "service_name": "Swim club", "count": 4},
            {"service_id": "svc-3", "service_name": "Choir", "count": 1},
        ]

    monkeypatch.setattr("connect.selectors.declined_for_capacity", declined)
    shown, hidden = selectors.declined_gap(selectors.gap_report().since)
    assert [(d.service_name, d.count) for d in shown] == [("Day centre", 5)]
    assert hidden == 5
    html = client.get(reverse("evidence:gap")).content.decode()
    assert "Day centre" in html and "Swim club" not in html and "Choir" not in html
    assert "5 other declines not shown" in html
    assert 'aria-labelledby="declined-title declined-desc"' in html  # the shared chart


def test_a_coordinator_offers_a_gap_as_a_theme(client: Client, plans: Neighbourhood) -> None:
    coordinator = pf.staff(Role.COORDINATOR)
    round_ = pf.round_(by=coordinator, title="Eastfield fund 2027")
    client.force_login(coordinator)
    html = client.get(reverse("evidence:gap"), {"neighbourhood": "Eastfield"}).content.decode()
    assert "Offer as a theme" in html
    url = reverse("evidence:gap-offer")
    params = {"source": "plans", "need": "Meals and food", "neighbourhood": "Eastfield"}
    page = client.get(url, params)
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["title"] == "Meals and food in Eastfield"
    assert form.initial["evidence"].startswith(
        "5 support plans recorded that the person could not find meals and food in Eastfield"
    )
    missing = client.post(url, {**params, "title": "Meals", "evidence": "x"})
    assert missing.status_code == 400
    assert "Select the round to offer the theme to" in missing.content.decode()
    done = client.post(
        url,
        {
            **params,
            "round": str(round_.pk),
            "title": form.initial["title"],
            "evidence": form.initial["evidence"],
        },
    )
    assert done.status_code == 302 and done["Location"].endswith(f"/rounds/{round_.slug}/")
    assert Theme.objects.get().title == "Meals and food in Eastfield"
    again = client.post(
        url,
        {
            **params,
            "round": str(round_.pk),
            "title": "meals and food in eastfield",
            "evidence": "x",
        },
    )
    assert "already been offered to this round" in again.content.decode()
    # A figure not on the page cannot be offered, nor one that is hidden.
    west = f.neighbourhood("Westfield")
    for _ in range(4):
        _could_not_find(west, need="company")
    for hidden in (
        {**params, "need": "Unicorns"},
        {**params, "need": "Company and things to do", "neighbourhood": "Westfield"},
    ):
        assert client.get(url, hidden).status_code == 404


def test_only_round_staff_offer_themes(client: Client, plans: Neighbourhood) -> None:
    url = reverse("evidence:gap-offer")
    params = {"source": "plans", "need": "Meals and food", "neighbourhood": "Eastfield"}
    assert client.get(url, params).status_code == 302  # to sign in
    client.force_login(f.user(Role.PROVIDER))
    assert client.get(url, params).status_code == 403
