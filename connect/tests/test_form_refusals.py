"""A service's refusal shown on the form that asked for the change (GOV.UK error pattern): the
service's own sentence beside the field it names (or the field the page shows it on), the page
shown again with status 400, nothing written. The wellbeing page shows the refusals of both the
social prescribing rules and the outcomes app that keeps the answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from connect.models import OnwardReferral, WellbeingCheck
from connect.services.consent import record_consent
from connect.services.onward import refer_onward
from connect.services.referrals import make_referral
from directory.tests import factories as f
from outcomes.models import AnswerSet

pytestmark = pytest.mark.django_db
ONS4 = {"life_satisfaction": "6", "worthwhile": "7", "happiness": "5", "anxiety": "3"}


@pytest.fixture
def world() -> dict[str, Any]:
    person = f.user(Role.PERSON, display_name="Ada Lovelace", email="ada@example.org")
    worker = f.user(Role.LINK_WORKER, email="worker@example.org")
    referral = make_referral(
        actor=person,
        person=person,
        source="self",
        reason="Lonely since moving",
        today=timezone.localdate() - dt.timedelta(days=10),
    )
    return {"person": person, "worker": worker, "referral": referral}


def _wellbeing(world: dict[str, Any], answered_on: dt.date) -> Any:
    client = Client()
    client.force_login(world["person"])
    return client.post(
        reverse("connect:wellbeing", args=[world["referral"].pk, "first_conversation"]),
        {**ONS4, "answered_on": answered_on.isoformat()},
    )


def test_wellbeing_dated_before_the_referral_is_refused_beside_the_date(
    world: dict[str, Any],
) -> None:
    page = _wellbeing(world, world["referral"].received_on - dt.timedelta(days=1))
    assert page.status_code == 400
    assert page.context["form"].errors == {
        "answered_on": ["The date must be on or after the day the referral was received"]
    }
    assert not WellbeingCheck.objects.exists()
    assert not AnswerSet.objects.exists()


def test_wellbeing_dated_after_today_is_refused_by_outcomes_beside_the_date(
    world: dict[str, Any],
) -> None:
    page = _wellbeing(world, timezone.localdate() + dt.timedelta(days=1))
    assert page.status_code == 400
    assert page.context["form"].errors == {"answered_on": ["The date must be today or in the past"]}
    assert "The date must be today or in the past" in page.content.decode()
    assert not WellbeingCheck.objects.exists()
    assert not AnswerSet.objects.exists()


def test_answering_another_services_referral_is_refused_beside_the_decision(
    world: dict[str, Any],
) -> None:
    record_consent(
        actor=world["worker"],
        referral=world["referral"],
        share_back=False,
        onward=True,
        outcomes=False,
    )
    lunch_club = f.service(organization_=f.organization(), name="Lunch club")
    onward = refer_onward(
        actor=world["worker"], referral=world["referral"], service_id=lunch_club.pk
    )
    stranger = f.provider_user(f.organization())
    client = Client()
    client.force_login(stranger)
    page = client.post(
        reverse("connect:provider_inbox"),
        {"onward": str(onward.pk), f"o{onward.pk}-decision": "accept"},
    )
    assert page.status_code == 400
    # The service names no field of the answer form ("service"): the page puts it on the answer.
    assert page.context["form"].errors == {"decision": ["You do not act for this service"]}
    onward.refresh_from_db()
    assert onward.status == OnwardReferral.Status.SENT
