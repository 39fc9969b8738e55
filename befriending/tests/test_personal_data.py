"""Befriending's personal data: every account reference covered, exported, and erased so that the
dated shell of a match stays (the service's record and hours) while the person's words go."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.conf import settings

from accounts.roles import Role
from accounts.services import erase_person, export_personal_data
from befriending import personal_data, selectors
from befriending.models import Contact, Match, Request, Volunteer
from befriending.services import contacts, peer_groups
from befriending.tests import factories as b
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


def test_every_reference_to_an_account_is_covered() -> None:
    found = {
        (model.__name__, field.name)
        for model in apps.get_app_config("befriending").get_models()
        for field in model._meta.get_fields()
        if field.is_relation
        and not field.auto_created
        and (field.concrete or field.many_to_many)
        and field.related_model is not None
        and field.related_model._meta.label == settings.AUTH_USER_MODEL
    }
    assert found == set(personal_data.COVERED)


def test_export_and_erase_the_person_keeps_the_dated_shell() -> None:
    boss = b.coordinator()
    m = b.running_match(by=boss, on=b.TODAY)
    person = b.person_account(m.request)
    assert person is not None
    contacts.log_contact(
        actor=b.volunteer_account(m.volunteer),
        match=m,
        on=b.TODAY,
        how="in_person",
        minutes=50,
        notes="SECRET-NOTE",
        concern="SECRET-CONCERN",
        today=b.TODAY,
    )
    group = peer_groups.create_group(actor=boss, name="Walkers", service_id=str(f.service().pk))
    peer_groups.join_group(person=person, group=group)
    data = export_personal_data(person=person, requested_by=person, request=None)["befriending"]
    text = json.dumps(data)
    assert "A weekly chat over a cup of tea" in text and "SECRET-NOTE" in text
    assert data["requests"][0]["matches"][0]["befriender"] == m.volunteer.name
    assert data["peer_groups"][0]["group"] == "Walkers"
    erase_person(person=person, erased_by=boss, request=None)
    r = Request.objects.get(pk=m.request.pk)
    assert (r.person, r.name, r.about) == (None, personal_data.ERASED, "")
    c = Contact.objects.get()
    assert (c.notes, c.concern, c.minutes) == ("", "", 50)
    assert Match.objects.get().started_on == b.TODAY
    assert selectors.volunteer_hours(b.TODAY, b.TODAY) == 50
    assert not group.memberships.exists()


def test_erasing_a_volunteer_clears_their_words_and_keeps_their_checks_dates() -> None:
    boss = b.coordinator()
    v = b.volunteer(by=boss, about="SECRET-ABOUT")
    user = b.volunteer_account(v)
    assert user is not None
    data = export_personal_data(person=user, requested_by=user, request=None)["befriending"]
    assert data["volunteer"]["about"] == "SECRET-ABOUT" and len(data["volunteer"]["checks"]) == 4
    erase_person(person=user, erased_by=boss, request=None)
    v = Volunteer.objects.get(pk=v.pk)
    assert (v.user, v.name, v.about) == (None, personal_data.ERASED, "")
    assert v.checks.count() == 4
    erase_person(person=boss, erased_by=f.user(Role.ADMINISTRATOR), request=None)
    assert not v.checks.filter(recorded_by__isnull=False).exists()
