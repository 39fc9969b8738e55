"""A goal can say which support-plan outcome it works towards, and the plan's review shows it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from budgets.tests import helpers
from directory.tests import factories as f
from outcomes.models import Goal
from outcomes.services._common import OutcomesRefused
from outcomes.services.goals import review_goal, set_goal

pytestmark = pytest.mark.django_db


def goal_data(**extra: str) -> dict[str, str]:
    return {
        "text": "Make a friend at the craft club",
        "starting_score": "2",
        "started_on": (dt.date.today() - dt.timedelta(days=5)).isoformat(),
        **extra,
    }


def test_a_goal_is_linked_to_a_plan_outcome_and_the_review_shows_it() -> None:
    person, broker = f.user(Role.PERSON), f.user(Role.BROKER)
    plan = helpers.agreed_plan(person, broker)
    type(plan).objects.filter(pk=plan.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    outcome = plan.outcomes.get()
    client = Client()
    client.force_login(person)
    url = reverse("outcomes:goal-new", args=[person.pk])
    form = client.get(url).content.decode()
    assert "Which outcome in your support plan does this goal work towards?" in form
    assert "“Get out to the craft club”" in form
    response = client.post(url, goal_data(plan_outcome=str(outcome.pk)))
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert goal.plan_outcome == outcome
    page = client.get(reverse("outcomes:goal", args=[goal.pk])).content.decode()
    assert "This goal works towards “Get out to the craft club” in the support plan." in page
    review_goal(goal=goal, actor=person, rated_on=dt.date.today(), score_value=6)
    broker_client = Client()
    broker_client.force_login(broker)
    review = broker_client.get(reverse("budgets:plan-review", args=[plan.pk])).content.decode()
    assert "(towards “Get out to the craft club”): 2 to 6 out of 10" in review


def test_a_goal_cannot_be_linked_to_someone_elses_plan_outcome() -> None:
    person, other, broker = f.user(Role.PERSON), f.user(Role.PERSON), f.user(Role.BROKER)
    helpers.agreed_plan(person, broker)
    others_outcome = helpers.agreed_plan(other, broker).outcomes.get()
    with pytest.raises(OutcomesRefused, match="Choose one of the outcomes"):
        set_goal(
            person=person,
            actor=person,
            text="Walk",
            started_on=dt.date.today(),
            starting_score=2,
            steps=[],
            plan_outcome_id=others_outcome.pk,
        )
    client = Client()
    client.force_login(person)
    response = client.post(
        reverse("outcomes:goal-new", args=[person.pk]),
        goal_data(plan_outcome=str(others_outcome.pk)),
    )
    assert response.status_code != 302
    assert "Choose one of your plan&#x27;s outcomes, or none" in response.content.decode()
    assert not Goal.objects.exists()


def test_without_a_plan_there_is_no_question_and_goals_still_save() -> None:
    person = f.user(Role.PERSON)
    client = Client()
    client.force_login(person)
    url = reverse("outcomes:goal-new", args=[person.pk])
    assert "Which outcome in your support plan" not in client.get(url).content.decode()
    assert client.post(url, goal_data()).status_code == 302
    assert Goal.objects.get().plan_outcome is None
