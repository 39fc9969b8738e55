"""Bad input gets a clear 4xx or a form error naming the field; never a 500, never a half-saved
record."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from budgets.models import CaseTeam
from directory.tests import factories as f
from outcomes.models import AnswerSet, FollowUp, Goal

pytestmark = pytest.mark.django_db
NASTY = ["", "abc", "3.0", "-1", "99999999999999999999999", "1e3", "ⅷ", "٣", " 3 ", "True"]


@pytest.mark.parametrize("value", NASTY)
def test_answer_values_that_are_not_on_the_scale(client: Client, value: str) -> None:
    person = f.user()
    client.force_login(person)
    data = {
        "life_satisfaction": value,
        "worthwhile": "5",
        "happiness": "5",
        "anxiety": "5",
        "answered_on": "2026-01-01",
    }
    page = client.post(reverse("outcomes:answer", args=[person.pk, "ons4"]), data)
    assert page.status_code == 200
    assert 'id="id_life_satisfaction-error"' in page.content.decode()
    assert not AnswerSet.objects.exists()


@pytest.mark.parametrize("value", [*NASTY, "11", "2026-02-30"])
def test_goal_form_values(client: Client, value: str) -> None:
    person = f.user()
    client.force_login(person)
    for field in ("starting_score", "started_on"):
        data = {"text": "Walk", "starting_score": "2", "started_on": "2026-01-01", field: value}
        page = client.post(reverse("outcomes:goal-new", args=[person.pk]), data)
        assert page.status_code == 200 and "There is a problem" in page.content.decode()
    assert not Goal.objects.exists()


def test_unknown_measure_and_ids_are_404(client: Client) -> None:
    person = f.user()
    client.force_login(person)
    assert client.get(reverse("outcomes:answer", args=[person.pk, "ascot_sct4"])).status_code == 404
    assert client.get(reverse("outcomes:answer", args=[person.pk, "nope"])).status_code == 404
    assert client.get(reverse("outcomes:measure", args=[person.pk, "swemwbs"])).status_code == 404
    assert client.get(reverse("outcomes:goal", args=[999])).status_code == 404
    assert client.get(reverse("outcomes:report", args=[person.pk])).status_code == 404


@pytest.mark.parametrize("threshold", ["abc", "1e400", "123456789", "NaN", "Infinity"])
def test_follow_up_threshold_must_be_a_number(client: Client, threshold: str) -> None:
    person = f.user()
    team = CaseTeam.objects.create(name="Team")
    coordinator = f.user(Role.COORDINATOR)
    client.force_login(coordinator)
    page = client.post(
        reverse("outcomes:follow-up", args=[person.pk]),
        {
            "team": team.pk,
            "measure_value": "swemwbs:metric",
            "threshold": threshold,
            "reminder_days": "14",
            "response_days": "2",
        },
    )
    assert page.status_code == 200 and 'id="id_threshold-error"' in page.content.decode()
    assert not FollowUp.objects.exists()


def test_follow_up_value_must_belong_to_the_measure(client: Client) -> None:
    person = f.user()
    team = CaseTeam.objects.create(name="Team")
    client.force_login(f.user(Role.COORDINATOR))
    page = client.post(
        reverse("outcomes:follow-up", args=[person.pk]),
        {
            "team": team.pk,
            "measure_value": "swemwbs:anxiety",
            "threshold": "3",
            "reminder_days": "14",
            "response_days": "2",
        },
    )
    assert page.status_code == 200 and 'id="id_measure_value-error"' in page.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"rows": "person"},
        {"measure": "swemwbs", "rows": "service", "columns": "service"},
        {"measure": "ons4"},
    ],
)
def test_report_choices(client: Client, query: dict[str, str]) -> None:
    client.force_login(f.user(Role.COMMISSIONER))
    assert client.get(reverse("outcomes:aggregates"), query).status_code == 400
    assert client.get(reverse("outcomes:aggregates-csv"), query).status_code == 400
