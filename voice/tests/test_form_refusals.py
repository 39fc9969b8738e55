"""A service's refusal shown on the form that asked for the change (GOV.UK error pattern): the
service's own sentence beside the field it names, the page shown again with status 400 (as every
voice form with errors), nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from directory.tests import factories
from timebank.tests import factories as tb
from voice.models import Change, CoproductionAssessment, ExpertByExperience
from voice.services import responses as responses_services
from voice.tests.test_coproduction import answers
from voice.tests.test_quality_checks import plan
from voice.tests.test_voice import _publish, _submit

pytestmark = pytest.mark.django_db


def test_registering_an_expert_with_no_account_is_refused_beside_who(client: Client) -> None:
    client.force_login(factories.user(Role.MODERATOR, username="mod"))
    page = client.post(
        reverse("voice:check-experts"),
        {
            "who": "nobody@example.org",
            "recruited_from": ExpertByExperience.RecruitedFrom.values[0],
            "training": "Quality checker training, 2 days",
            "trained_on": "2026-01-05",
        },
    )
    assert page.status_code == 400
    message = (
        "We could not find one account with the username or email address "
        "‘nobody@example.org’. Check it, or ask the expert to create an account first"
    )
    assert page.context["form"].errors == {"who": [message]}
    assert not ExpertByExperience.objects.exists()


def test_a_workshop_dated_after_today_is_refused_beside_its_date(client: Client) -> None:
    client.force_login(factories.user(Role.MODERATOR, username="mod"))
    later = dt.date.today() + dt.timedelta(days=2)  # after today in any time zone
    page = client.post(reverse("voice:coproduction-new"), answers(held_on=later.isoformat()))
    assert page.status_code == 400
    assert page.context["form"].errors == {
        "held_on": ["The date of the workshop must be today or in the past"]
    }
    assert "The date of the workshop must be today or in the past" in page.content.decode()
    assert not CoproductionAssessment.objects.exists()


def test_a_workshop_subject_with_no_words_is_refused_beside_the_subject(client: Client) -> None:
    client.force_login(factories.user(Role.MODERATOR, username="mod"))
    page = client.post(reverse("voice:coproduction-new"), answers(subject="!!!"))
    assert page.status_code == 400
    assert page.context["form"].errors == {
        "subject": ["Enter the name of the organisation or project in words"]
    }
    assert not CoproductionAssessment.objects.exists()


def test_responding_to_a_report_not_yet_published_is_refused_beside_the_response(
    client: Client,
) -> None:
    org = factories.organization(name="Riverside Care")
    world = {
        "svc": factories.service(organization_=org, name="Riverside Day Centre"),
        "moderator": factories.user(Role.MODERATOR, username="mod"),
        "voice_org": tb.member(kind="group", name="Borough Voice", by=tb.coordinator()),
    }
    check = plan(world)
    client.force_login(factories.provider_user(org))
    page = client.post(reverse("voice:check-respond", args=[check.reference]), {"text": "Thanks"})
    assert page.status_code == 400
    assert page.context["form"].errors == {"text": ["The report is not published yet"]}
    assert "The report is not published yet" in page.content.decode()
    check.refresh_from_db()
    assert check.response == "" and check.responded_at is None


def test_verifying_a_change_the_person_confirms_themselves_is_refused_beside_the_evidence(
    client: Client,
) -> None:
    org = factories.organization(name="Riverside Care")
    provider = factories.provider_user(org)
    moderator = factories.user(Role.MODERATOR, username="mod", email="mod@example.com")
    world = {
        "svc": factories.service(organization_=org, name="Riverside Day Centre"),
        "moderator": moderator,
    }
    carer = factories.user(Role.CARER, username="carer", email="c@example.com")
    feedback = _publish(world, _submit(world, author=carer))
    responses_services.respond(feedback=feedback, user=provider, text="Sorry", change="New rota")
    change = Change.objects.get()
    client.force_login(moderator)
    page = client.post(
        reverse("voice:verify-change", args=[change.pk]), {"evidence": "The new rota, seen"}
    )
    assert page.status_code == 400
    assert page.context["form"].errors == {
        "evidence": ["The person who gave this feedback confirms it themselves"]
    }
    change.refresh_from_db()
    assert change.state == Change.State.PROMISED and change.evidence == ""
