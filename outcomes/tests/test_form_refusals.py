"""A service's refusal shown on the form that asked for the change (GOV.UK error pattern): the
service's own sentence beside the field it names, the page shown again (200), nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from directory.tests import factories as f
from outcomes.models import Goal, Helper
from outcomes.services._common import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def person() -> User:
    return f.user(username="pat", display_name="Pat")


def test_a_goal_started_tomorrow_is_refused_beside_its_date(client: Client, person: User) -> None:
    client.force_login(person)
    tomorrow = today() + dt.timedelta(days=1)
    page = client.post(
        reverse("outcomes:goal-new", args=[person.pk]),
        {"text": "Walk to the park", "starting_score": "3", "started_on": tomorrow.isoformat()},
    )
    assert page.status_code == 200
    assert page.context["form"].errors == {"started_on": ["The date must be today or in the past"]}
    assert "The date must be today or in the past" in page.content.decode()
    assert not Goal.objects.exists()


def test_a_helper_with_no_account_is_refused_beside_the_name_given(
    client: Client, person: User
) -> None:
    client.force_login(person)
    page = client.post(
        reverse("outcomes:helpers", args=[person.pk]), {"identifier": "nobody-by-this-name"}
    )
    assert page.status_code == 200
    assert page.context["form"].errors == {
        "identifier": ["No account has that username or email address"]
    }
    assert "No account has that username or email address" in page.content.decode()
    assert not Helper.objects.exists()


def test_choosing_yourself_as_helper_is_refused_beside_the_name_given(
    client: Client, person: User
) -> None:
    client.force_login(person)
    page = client.post(reverse("outcomes:helpers", args=[person.pk]), {"identifier": "pat"})
    assert page.status_code == 200
    assert page.context["form"].errors == {
        "identifier": ["Enter someone else's username or email address"]
    }
    assert not Helper.objects.exists()
