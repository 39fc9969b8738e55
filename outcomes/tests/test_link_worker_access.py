"""``access.can_open``: the link worker holding a person's open social prescribing referral may
open and add to the person's outcome record (to record ONS4 with help); nobody else on the
strength of a referral, and not once it is closed or declined. The person always can."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import User
from accounts.roles import Role
from connect import services as connect_services
from connect.models import Referral
from directory.tests import factories as f
from outcomes import access
from outcomes.models import AnswerSet
from outcomes.services._common import OutcomesRefused
from outcomes.services.answers import record_answers

pytestmark = pytest.mark.django_db
ONS4 = {"life_satisfaction": 6, "worthwhile": 7, "happiness": 5, "anxiety": 3}


@pytest.fixture
def people() -> tuple[User, User, User, Referral]:
    person = f.user(Role.PERSON, username="ada", display_name="Ada")
    worker = f.user(Role.LINK_WORKER, username="lin", display_name="Lin")
    other = f.user(Role.LINK_WORKER, username="oli", display_name="Oli")
    referral = connect_services.make_referral(
        actor=person, person=person, source="self", reason="Lonely"
    )
    connect_services.set_status(actor=worker, referral=referral, status="contacted")
    return person, worker, other, referral


def test_only_the_worker_holding_the_open_referral_opens_the_record(
    people: tuple[User, User, User, Referral],
) -> None:
    person, worker, other, _referral = people
    assert access.can_open(person, person.pk)
    assert access.can_open(worker, person.pk)
    assert not access.can_open(other, person.pk)
    # Holding a referral for Ada reaches Ada's record only.
    assert not access.can_open(worker, other.pk)


@pytest.mark.parametrize("status", ["closed", "declined"])
def test_the_reach_ends_with_the_referral(
    people: tuple[User, User, User, Referral], status: str
) -> None:
    person, worker, _other, referral = people
    connect_services.set_status(actor=worker, referral=referral, status=status)
    assert not access.can_open(worker, person.pk)
    assert access.can_open(person, person.pk)
    with pytest.raises(access.NotAllowed):
        record_answers(
            person=person,
            actor=worker,
            measure_id="ons4",
            answers=dict(ONS4),
            answered_on=dt.date.today(),
            answered_by="with_help",
        )
    assert not AnswerSet.objects.exists()


def test_the_holding_worker_records_with_help_but_never_as_a_proxy(
    people: tuple[User, User, User, Referral],
) -> None:
    person, worker, _other, _referral = people
    with pytest.raises(OutcomesRefused):
        record_answers(
            person=person,
            actor=worker,
            measure_id="ons4",
            answers=dict(ONS4),
            answered_on=dt.date.today(),
            answered_by="proxy",
        )
    answer_set, _score = record_answers(
        person=person,
        actor=worker,
        measure_id="ons4",
        answers=dict(ONS4),
        answered_on=dt.date.today(),
        answered_by="with_help",
    )
    assert (answer_set.answered_by, answer_set.recorded_by) == ("with_help", worker)
