"""The predicates of ``sharedlives.access`` as tables of actors: the scheme worker (by role), the
person a referral is about, the carer of a household, and who may answer a match for which side
(the person for themselves, the carer for their household, a worker for any side)."""

from __future__ import annotations

from typing import cast

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from accounts.roles import Role
from directory.tests import factories as f
from sharedlives import access
from sharedlives.models import Carer, Match, Referral

pytestmark = pytest.mark.django_db

SIDES = (Match.Side.PERSON, Match.Side.CARER, Match.Side.WORKER)


def anonymous() -> User:
    """A visitor who has not signed in (views pass ``request.user``)."""
    return cast(User, AnonymousUser())


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.SHARED_LIVES_WORKER, True),
        (Role.PERSON, False),
        (Role.CARER, False),
        (Role.ADMINISTRATOR, False),
        (Role.COORDINATOR, False),
        (None, False),
    ],
)
def test_is_scheme_worker(role: str | None, expected: bool) -> None:
    """Scheme workers hold the Shared Lives worker role; nobody else, not an anonymous visitor."""
    assert access.is_scheme_worker(f.user(role)) is expected
    assert access.is_scheme_worker(anonymous()) is False


def test_is_the_person_and_is_the_carer() -> None:
    """The person a referral is about, the carer of a household: them only, never an anonymous
    visitor (whose id is no one's)."""
    person, carer_user, someone = f.user(Role.PERSON), f.user(Role.CARER), f.user(Role.PERSON)
    referral = Referral(person=person)
    household = Carer(user=carer_user)
    assert access.is_the_person(person, referral) is True
    assert access.is_the_person(someone, referral) is False
    assert access.is_the_person(carer_user, referral) is False
    assert access.is_the_person(anonymous(), referral) is False
    assert access.is_the_person(anonymous(), Referral()) is False
    assert access.is_the_carer(carer_user, household) is True
    assert access.is_the_carer(someone, household) is False
    assert access.is_the_carer(person, household) is False
    assert access.is_the_carer(anonymous(), household) is False
    assert access.is_the_carer(anonymous(), Carer()) is False


def test_may_answer_for() -> None:
    """The person answers the person's side, the carer the carer's side, a scheme worker any of
    the three sides (an unknown side: nobody); the worker's side is the worker's only."""
    person, carer_user = f.user(Role.PERSON), f.user(Role.CARER)
    worker, someone = f.user(Role.SHARED_LIVES_WORKER), f.user(Role.PERSON)
    match = Match(referral=Referral(person=person), carer=Carer(user=carer_user))
    table = {
        person: {Match.Side.PERSON},
        carer_user: {Match.Side.CARER},
        worker: set(SIDES),
        someone: set(),
        anonymous(): set(),
    }
    for user, sides in table.items():
        for side in SIDES:
            assert access.may_answer_for(user, match, side) is (side in sides), (user, side)
        assert access.may_answer_for(user, match, "landlord") is False
