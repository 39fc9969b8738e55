"""Download my data and erasure cover everything Shared Lives holds about a person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.conf import settings

from accounts.models import User
from accounts.roles import Role
from accounts.services import erase_person, export_personal_data
from directory.tests import factories as f
from sharedlives import personal_data
from sharedlives.models import Carer, CarerCheck, Match, Referral
from sharedlives.services import introductions, matches
from sharedlives.tests import factories as sl

pytestmark = pytest.mark.django_db
DAY = sl.DAY


def test_every_reference_to_an_account_is_covered() -> None:
    found = {
        (model.__name__, field.name)
        for model in apps.get_app_config("sharedlives").get_models()
        for field in model._meta.get_fields()
        if field.is_relation
        and not field.auto_created
        and (field.concrete or field.many_to_many)
        and field.related_model is not None
        and field.related_model._meta.label == settings.AUTH_USER_MODEL
    }
    assert found == set(personal_data.COVERED)


def _placed() -> tuple[User, Carer, User, Match]:
    worker = sl.worker()
    carer = sl.carer(worker, faith="Quaker")
    person = f.user(Role.PERSON, first_name="Pat", display_name="Pat Secretname")
    referral = sl.referral(worker, person=person, about="SECRET-ABOUT")
    match = matches.propose_match(actor=worker, referral=referral, carer=carer, on=DAY)
    matches.answer(actor=worker, match=match, side="person", agree=True, on=DAY)
    matches.answer(actor=worker, match=match, side="carer", agree=True, on=DAY)
    introductions.record_event(actor=worker, match=match, kind="introduction", on=DAY, note="Tea")
    return worker, carer, person, match


def test_the_person_exports_their_referral_and_erasure_deletes_it() -> None:
    _worker, _carer, person, _match = _placed()
    data = export_personal_data(person=person, requested_by=person, request=None)["sharedlives"]
    assert data["referrals"][0]["about_you"] == "SECRET-ABOUT"
    assert data["referrals"][0]["matches"][0]["carer_household"] == "The Ash household"
    assert data["referrals"][0]["matches"][0]["events"][0]["what"] == "Introduction"
    erase_person(person=person, erased_by=f.user(Role.ADMINISTRATOR), request=None)
    assert not Referral.objects.exists()
    assert not Match.objects.exists()


def test_the_carer_exports_their_household_and_erasure_removes_its_details() -> None:
    _worker, carer, _person, match = _placed()
    data = export_personal_data(person=carer.user, requested_by=carer.user, request=None)[
        "sharedlives"
    ]
    household = data["carer_household"]
    assert household["faith"] == "Quaker"
    assert household["adults"] == ["Ann Ash"]
    assert household["matches"][0]["person"] == "Pat"
    assert "Secretname" not in str(household)
    erase_person(person=carer.user, erased_by=f.user(Role.ADMINISTRATOR), request=None)
    carer.refresh_from_db()
    assert carer.name.startswith("Erased household")
    assert (carer.faith, carer.interests, carer.status) == ("", "", Carer.Status.WITHDRAWN)
    assert not carer.adults.exists() and not carer.checks.exists()
    assert Match.objects.filter(pk=match.pk).exists()  # the person's record stays


def test_erasing_a_worker_clears_their_links_and_keeps_the_records() -> None:
    worker, carer, _person, _match = _placed()
    data = export_personal_data(person=worker, requested_by=worker, request=None)["sharedlives"]
    assert data["caseload"] == [
        {"received_on": (DAY - dt.timedelta(days=10)).isoformat(), "status": "Looking for a match"}
    ]
    erase_person(person=worker, erased_by=f.user(Role.ADMINISTRATOR), request=None)
    assert Referral.objects.get().worker is None
    assert not CarerCheck.objects.filter(recorded_by__isnull=False).exists()
    carer.refresh_from_db()
    assert carer.approved_by is None
