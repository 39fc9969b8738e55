"""The predicates of ``outcomes.access`` as tables of actors: who opens a person's outcome record
(the person, a helper they chose and have not revoked, a broker or administrator who reaches them,
the link worker holding their open referral), who manages helpers and consent (the person only),
who sees aggregates and manages wording (by role), who starts follow-up, and which teams' worklists
someone works."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from budgets.models import CaseAssignment, CaseTeam
from connect import services as connect_services
from connect.models import Referral
from directory.tests import factories as f
from outcomes import access
from outcomes.models import Helper

pytestmark = pytest.mark.django_db


def anonymous() -> User:
    """A visitor who has not signed in (views pass ``request.user``)."""
    return cast(User, AnonymousUser())


@dataclass
class Cast:
    person: User
    other: User
    helper: User  # the person's helper
    revoked: User  # a helper the person revoked
    broker: User  # has the person on their caseload
    administrator: User  # has the person on their caseload
    commissioner: User  # has the person on their caseload, but sees aggregates only
    stranger_broker: User
    coordinator: User
    link_worker: User  # holds the person's open referral
    other_link_worker: User
    provider: User


@pytest.fixture
def cast_() -> Cast:
    person = f.user(Role.PERSON)
    c = Cast(
        person=person,
        other=f.user(Role.PERSON),
        helper=f.user(Role.CARER),
        revoked=f.user(Role.CARER),
        broker=f.user(Role.BROKER),
        administrator=f.user(Role.ADMINISTRATOR),
        commissioner=f.user(Role.COMMISSIONER),
        stranger_broker=f.user(Role.BROKER),
        coordinator=f.user(Role.COORDINATOR),
        link_worker=f.user(Role.LINK_WORKER),
        other_link_worker=f.user(Role.LINK_WORKER),
        provider=f.user(Role.PROVIDER),
    )
    Helper.objects.create(person=person, helper=c.helper)
    Helper.objects.create(person=person, helper=c.revoked, revoked_at=timezone.now())
    for holder in (c.broker, c.administrator, c.commissioner, c.coordinator):
        CaseAssignment.objects.create(person=person, practitioner=holder)
    referral = connect_services.make_referral(
        actor=person, person=person, source="self", reason="Lonely"
    )
    connect_services.set_status(actor=c.link_worker, referral=referral, status="contacted")
    return c


def test_is_helper(cast_: Cast) -> None:
    """A helper the person chose and has not revoked, for that person only."""
    c = cast_
    assert access.is_helper(c.helper, c.person.pk) is True
    assert access.is_helper(c.revoked, c.person.pk) is False
    assert access.is_helper(c.helper, c.other.pk) is False
    assert access.is_helper(c.broker, c.person.pk) is False
    assert access.is_helper(c.person, c.person.pk) is False
    assert not access.is_helper(anonymous(), c.person.pk)


def test_practitioner_reaches(cast_: Cast) -> None:
    """A broker or administrator who reaches the person; not a commissioner or coordinator even
    with a caseload record, not a broker who does not reach them, never for themselves."""
    c = cast_
    assert access.practitioner_reaches(c.broker, c.person.pk) is True
    assert access.practitioner_reaches(c.administrator, c.person.pk) is True
    assert access.practitioner_reaches(c.commissioner, c.person.pk) is False
    assert access.practitioner_reaches(c.coordinator, c.person.pk) is False
    assert access.practitioner_reaches(c.stranger_broker, c.person.pk) is False
    assert access.practitioner_reaches(c.broker, c.other.pk) is False
    assert access.practitioner_reaches(c.person, c.person.pk) is False
    assert access.practitioner_reaches(c.helper, c.person.pk) is False
    assert not access.practitioner_reaches(anonymous(), c.person.pk)
    CaseAssignment.objects.create(person=c.broker, practitioner=c.broker)
    assert access.practitioner_reaches(c.broker, c.broker.pk) is False


def test_link_worker_holds(cast_: Cast) -> None:
    """The link worker holding the person's open referral; not another link worker, not for
    another person, not someone without a link worker's role named on a referral, and not once
    the referral is closed."""
    c = cast_
    assert access.link_worker_holds(c.link_worker, c.person.pk) is True
    assert access.link_worker_holds(c.other_link_worker, c.person.pk) is False
    assert access.link_worker_holds(c.link_worker, c.other.pk) is False
    assert access.link_worker_holds(c.broker, c.person.pk) is False
    assert access.link_worker_holds(c.person, c.person.pk) is False
    assert not access.link_worker_holds(anonymous(), c.person.pk)
    # A referral naming someone without a link worker's role gives them nothing.
    named = connect_services.make_referral(
        actor=c.other, person=c.other, source="self", reason="Lonely"
    )
    Referral.objects.filter(pk=named.pk).update(link_worker=c.stranger_broker, status="contacted")
    assert access.link_worker_holds(c.stranger_broker, c.other.pk) is False
    # A link worker holding their own referral is the person, not their link worker.
    own = connect_services.make_referral(
        actor=c.other_link_worker, person=c.other_link_worker, source="self", reason="Tired"
    )
    connect_services.set_status(actor=c.other_link_worker, referral=own, status="contacted")
    assert access.link_worker_holds(c.other_link_worker, c.other_link_worker.pk) is False
    referral = Referral.objects.get(person=c.person)
    connect_services.set_status(actor=c.link_worker, referral=referral, status="closed")
    assert access.link_worker_holds(c.link_worker, c.person.pk) is False


def test_can_open(cast_: Cast) -> None:
    """Each way in opens the record alone: the person, a helper, a broker or administrator who
    reaches them, the holding link worker; nobody else, never an anonymous visitor."""
    c = cast_
    allowed = [c.person, c.helper, c.broker, c.administrator, c.link_worker]
    refused = [
        c.other,
        c.revoked,
        c.commissioner,
        c.coordinator,
        c.stranger_broker,
        c.other_link_worker,
        c.provider,
    ]
    for user in allowed:
        assert access.can_open(user, c.person.pk) is True, user
    for user in refused:
        assert access.can_open(user, c.person.pk) is False, user
    assert access.can_open(anonymous(), c.person.pk) is False
    assert access.can_open(c.helper, c.other.pk) is False


def test_helpers_and_consent_are_the_persons_own(cast_: Cast) -> None:
    """Only the person manages their helpers and their consent to aggregates."""
    c = cast_
    for predicate in (access.can_manage_helpers, access.can_set_consent):
        assert predicate(c.person, c.person.pk) is True
        for user in (c.other, c.helper, c.broker, c.administrator, c.link_worker):
            assert predicate(user, c.person.pk) is False
        assert predicate(anonymous(), c.person.pk) is False


ROLE_TABLE = [
    # role, sees aggregates, manages wording
    (Role.PERSON, False, False),
    (Role.CARER, False, False),
    (Role.BROKER, False, False),
    (Role.LINK_WORKER, False, False),
    (Role.COMMISSIONER, True, False),
    (Role.PROVIDER, True, False),
    (Role.COORDINATOR, True, True),
    (Role.ADMINISTRATOR, True, True),
    (None, False, False),
]


@pytest.mark.parametrize(("role", "aggregates", "wording"), ROLE_TABLE)
def test_role_predicates(role: str | None, aggregates: bool, wording: bool) -> None:
    """Aggregates: commissioners, providers, coordinators, administrators; the licensed wording:
    coordinators and administrators."""
    user = f.user(role)
    assert access.can_see_aggregates(user) is aggregates
    assert access.can_manage_wording(user) is wording


def test_role_predicates_for_anonymous_and_superuser() -> None:
    """An anonymous visitor has neither; a superuser (an administrator) has both."""
    assert not access.can_see_aggregates(anonymous())
    assert not access.can_manage_wording(anonymous())
    superuser = f.user(None, is_superuser=True)
    assert access.can_see_aggregates(superuser) is True
    assert access.can_manage_wording(superuser) is True


def test_can_start_follow_up(cast_: Cast) -> None:
    """Coordinators and administrators put anyone else on follow-up; a broker who reaches the
    person too; nobody for themselves, and not a helper, commissioner or anonymous visitor."""
    c = cast_
    assert access.can_start_follow_up(c.coordinator, c.other.pk) is True
    assert access.can_start_follow_up(c.administrator, c.other.pk) is True
    assert access.can_start_follow_up(c.broker, c.person.pk) is True
    assert access.can_start_follow_up(c.stranger_broker, c.person.pk) is False
    assert access.can_start_follow_up(c.commissioner, c.person.pk) is False
    assert access.can_start_follow_up(c.helper, c.person.pk) is False
    assert access.can_start_follow_up(c.person, c.person.pk) is False
    assert access.can_start_follow_up(c.coordinator, c.coordinator.pk) is False
    assert access.can_start_follow_up(c.administrator, c.administrator.pk) is False
    assert access.can_start_follow_up(anonymous(), c.person.pk) is False


def test_teams_and_worklists(cast_: Cast) -> None:
    """Coordinators and administrators work every team's list; anyone else the lists of the
    teams they belong to (none for a team without them); an anonymous visitor none."""
    c = cast_
    north = CaseTeam.objects.create(name="North")
    south = CaseTeam.objects.create(name="South")
    empty = CaseTeam.objects.create(name="Empty")
    north.members.add(c.broker)
    south.members.add(c.stranger_broker)
    every = {north, south, empty}
    assert set(access.teams_of(c.coordinator)) == every
    assert set(access.teams_of(c.administrator)) == every
    assert access.teams_of(c.broker) == [north]
    assert access.teams_of(c.stranger_broker) == [south]
    assert access.teams_of(c.person) == []
    assert access.teams_of(anonymous()) == []
    for team in every:
        assert access.can_work_list(c.coordinator, team) is True
        assert access.can_work_list(c.administrator, team) is True
        assert access.can_work_list(anonymous(), team) is False
    assert access.can_work_list(c.broker, north) is True
    assert access.can_work_list(c.broker, south) is False
    assert access.can_work_list(c.broker, empty) is False
    assert access.can_work_list(c.person, north) is False


def test_require() -> None:
    """``require`` passes a true condition and refuses a false one with the given message, by
    default "You cannot do that."."""
    access.require(True)
    with pytest.raises(access.NotAllowed) as refused:
        access.require(False)
    assert str(refused.value) == "You cannot do that."
    with pytest.raises(access.NotAllowed) as refused:
        access.require(False, "Only the person can do this.")
    assert str(refused.value) == "Only the person can do this."
