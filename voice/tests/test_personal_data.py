import datetime as dt

import pytest
from django.apps import apps
from django.conf import settings

from accounts.roles import Role
from accounts.services import erase_person, export_personal_data
from directory.tests import factories
from voice import personal_data
from voice.models import Feedback
from voice.services.checks import plan_check, publish_check
from voice.services.experts import add_expert, register_expert
from voice.services.feedback import submit_feedback
from voice.services.moderation import moderate
from voice.services.scores import submit_scores

pytestmark = pytest.mark.django_db


def test_every_reference_to_an_account_is_covered() -> None:
    found = {
        (model.__name__, field.name)
        for model in apps.get_app_config("voice").get_models()
        for field in model._meta.get_fields()
        if field.is_relation
        and not field.auto_created  # forward fields only; many-to-many counted on every Django
        and (field.concrete or field.many_to_many)
        and field.related_model is not None
        and field.related_model._meta.label == settings.AUTH_USER_MODEL
    }
    assert found == set(personal_data.COVERED)


def test_export_and_erase() -> None:
    carer = factories.user(Role.CARER, username="carer", first_name="Carla", last_name="Secret")
    staff = factories.user(Role.COORDINATOR, username="staff")
    moderator = factories.user(Role.MODERATOR, username="mod")
    feedback = submit_feedback(
        about="other",
        topic="assessment",
        kind="concern",
        given_as="carer",
        text="Carla Secret's words",
        identity="named",
        author=carer,
    )
    moderate(
        feedback=feedback,
        moderator=moderator,
        decision="published",
        reason="ok",
        published_text="A carer's words",
    )
    data = export_personal_data(person=carer, requested_by=carer, request=None)["voice"]
    assert data["feedback"][0]["your_words"] == "Carla Secret's words"
    assert data["feedback"][0]["name_given"] == carer.get_full_name()
    name = carer.get_full_name()
    erase_person(person=carer, erased_by=staff, request=None)
    feedback.refresh_from_db()
    assert feedback.author is None and feedback.name == "" and "Secret" not in feedback.text
    assert name not in str(feedback.__dict__)
    assert feedback.published_text == "A carer's words"
    assert Feedback.objects.count() == 1


def test_expert_on_a_quality_check_export_and_erase() -> None:
    from rules.voice.quality_parameters import DOMAIN_KEYS
    from voice import selectors
    from voice.models import CheckExpert, ExpertByExperience

    org = factories.organization(name="Riverside Care")
    svc = factories.service(organization_=org, name="Riverside Day Centre")
    moderator = factories.user(Role.MODERATOR, username="mod")
    staff = factories.user(Role.COORDINATOR, username="staff")
    experts = [factories.user(Role.PERSON, username=f"exp{n}") for n in range(3)]
    check = plan_check(
        lead=moderator,
        about="service",
        service_id=str(svc.pk),
        visit_date=dt.date(2026, 11, 2),
        minutes_per_expert=120,
    )
    for n, person in enumerate(experts):
        register_expert(
            lead=moderator,
            who=person.username,
            recruited_from="peoples_panel",
            training="Quality checker training",
            trained_on=dt.date(2026, 10, 1),
        )
        add_expert(lead=moderator, check=check, who=person.username, reward="none")
        submit_scores(
            expert=person,
            check=check,
            scores=dict.fromkeys(DOMAIN_KEYS, str(n + 2)),
            notes=f"Private note {n}",
        )
    publish_check(lead=moderator, check=check, summary="Ok")
    data = export_personal_data(person=experts[0], requested_by=experts[0], request=None)["voice"]
    (mine,) = data["quality_checks_as_expert"]
    assert mine["your_notes"] == "Private note 0" and mine["minutes"] == 120
    assert mine["your_scores"]["workforce"] == 2 and mine["shown_as"] == "Expert A"
    assert data["expert_register"] == [
        {
            "recruited_from": "peoples_panel",
            "training": "Quality checker training",
            "trained_on": "2026-10-01",
        }
    ]
    lead_data = export_personal_data(person=moderator, requested_by=moderator, request=None)
    assert lead_data["voice"]["quality_checks_planned"] == [check.reference]
    before = selectors.result_for(check)
    erase_person(person=experts[0], erased_by=staff, request=None)
    place = CheckExpert.objects.get(label="Expert A")
    assert place.expert is None and place.notes == ""
    assert not ExpertByExperience.objects.filter(user=experts[0]).exists()
    assert selectors.result_for(check) == before  # the published report does not change
