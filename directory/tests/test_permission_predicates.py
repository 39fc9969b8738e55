"""Issue 14: each ``directory.permissions`` predicate as a table of actors.

``test_permissions.py`` runs every role against every service; its actors are never members of an
organisation, nor the person who asked, nor a review's author. Here each predicate is asked
directly, with those people too: an anonymous visitor, a signed-in person with no role, the
enquirer or author, a member of the provider, a member of another provider, a coordinator, an
administrator and a superuser, on enquiries in each delivery state and reviews in each state.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from accounts.roles import Role
from directory import permissions
from directory.models import Enquiry, EnquiryDelivery, EnquiryMessage, Organization, Review
from directory.tests import factories as f

pytestmark = pytest.mark.django_db

State = EnquiryDelivery.State


@dataclass
class People:
    org: Organization
    other_org: Organization
    person: User
    member: User
    other_member: User
    stranger: User
    coordinator: User
    administrator: User
    superuser: User
    enquiry: Enquiry


def _enquiry(person: User, org: Organization) -> Enquiry:
    return Enquiry.objects.create(service=f.service(organization_=org), person=person, subject="Q")


def _message(enquiry: Enquiry, state: str, *, from_provider: bool = False) -> EnquiryDelivery:
    message = EnquiryMessage.objects.create(
        enquiry=enquiry, author=None, from_provider=from_provider, body="Hello"
    )
    return EnquiryDelivery.objects.create(
        message=message, route=EnquiryDelivery.Route.COORDINATORS, state=state
    )


@pytest.fixture
def people() -> People:
    org, other_org = f.organization(), f.organization()
    person = f.user()
    return People(
        org=org,
        other_org=other_org,
        person=person,
        member=f.provider_user(org),
        other_member=f.provider_user(other_org),
        stranger=f.user(),
        coordinator=f.user(Role.COORDINATOR),
        administrator=f.user(Role.ADMINISTRATOR),
        superuser=f.user(None, is_superuser=True, is_staff=True),
        enquiry=_enquiry(person, org),
    )


def test_is_moderator_is_a_signed_in_coordinator_or_administrator(people: People) -> None:
    """Moderators: coordinators, administrators, superusers; nobody anonymous or without role."""
    assert permissions.is_moderator(AnonymousUser()) is False
    assert permissions.is_moderator(people.stranger) is False
    assert permissions.is_moderator(people.member) is False
    assert permissions.is_moderator(f.user(Role.COMMISSIONER)) is False
    assert permissions.is_moderator(people.coordinator) is True
    assert permissions.is_moderator(people.administrator) is True
    assert permissions.is_moderator(people.superuser) is True


def test_can_act_for_is_membership_of_that_organisation(people: People) -> None:
    """Only a member of the organisation acts for it: not a member of another one, not the
    provider role alone, not a moderator, not an anonymous visitor."""
    assert permissions.can_act_for(people.member, people.org) is True
    assert permissions.can_act_for(people.other_member, people.org) is False
    assert permissions.can_act_for(people.member, people.other_org) is False
    assert permissions.can_act_for(f.user(Role.PROVIDER), people.org) is False
    assert permissions.can_act_for(people.coordinator, people.org) is False
    assert permissions.can_act_for(people.superuser, people.org) is False
    assert permissions.can_act_for(people.stranger, people.org) is False
    assert permissions.can_act_for(AnonymousUser(), people.org) is False


def test_the_enquirer_and_the_providers_members_reply_to_an_enquiry(people: People) -> None:
    """The person who asked and the provider's members reply; nobody else (not a moderator)."""
    enquiry = people.enquiry
    assert permissions.can_reply_to_enquiry(people.person, enquiry) is True
    assert permissions.can_reply_to_enquiry(people.member, enquiry) is True
    assert permissions.can_reply_to_enquiry(people.other_member, enquiry) is False
    assert permissions.can_reply_to_enquiry(people.stranger, enquiry) is False
    assert permissions.can_reply_to_enquiry(people.coordinator, enquiry) is False
    assert permissions.can_reply_to_enquiry(AnonymousUser(), enquiry) is False


@pytest.mark.parametrize(
    ("state", "passed_on"),
    [
        (State.WAITING, True),
        (State.PASSED_ON, True),
        (State.FAILED, True),
        (State.QUEUED, False),
        (State.SENT, False),
        (State.NOT_EMAILED, False),
    ],
)
def test_a_moderator_passes_on_an_enquiry_waiting_passed_on_or_failed(
    people: People, state: str, passed_on: bool
) -> None:
    """A moderator reads an enquiry whose message from the person is waiting for them, was passed
    on or failed to send; one that was sent (or is sending, or had no address) is not theirs."""
    _message(people.enquiry, state)
    for moderator in (people.coordinator, people.administrator, people.superuser):
        assert permissions.may_pass_on_enquiry(moderator, people.enquiry) is passed_on
    for other in (people.stranger, people.member, people.person, AnonymousUser()):
        assert permissions.may_pass_on_enquiry(other, people.enquiry) is False


def test_passing_on_looks_at_this_enquirys_messages_from_the_person(people: People) -> None:
    """Only this enquiry's messages from the person count: a provider's message that failed, or
    another enquiry waiting, gives the moderator nothing to pass on here."""
    _message(people.enquiry, State.SENT)
    _message(people.enquiry, State.FAILED, from_provider=True)
    _message(_enquiry(people.stranger, people.org), State.WAITING)
    assert permissions.may_pass_on_enquiry(people.coordinator, people.enquiry) is False
    assert permissions.can_see_enquiry(people.coordinator, people.enquiry) is False


def test_who_sees_an_enquiry(people: People) -> None:
    """Those who may reply, and a moderator with it to pass on; nobody else."""
    enquiry = people.enquiry
    _message(enquiry, State.SENT)
    assert permissions.can_see_enquiry(people.person, enquiry) is True
    assert permissions.can_see_enquiry(people.member, enquiry) is True
    assert permissions.can_see_enquiry(people.coordinator, enquiry) is False
    assert permissions.can_see_enquiry(people.other_member, enquiry) is False
    assert permissions.can_see_enquiry(AnonymousUser(), enquiry) is False
    _message(enquiry, State.WAITING)
    assert permissions.can_see_enquiry(people.coordinator, enquiry) is True
    assert permissions.can_see_enquiry(people.stranger, enquiry) is False


@pytest.mark.parametrize("state", [Review.State.PENDING, Review.State.REJECTED])
def test_an_unpublished_review_is_seen_by_its_author_and_the_moderators(
    people: People, state: str
) -> None:
    """Before publication: the author and moderators only (not the provider, not a visitor)."""
    review = Review.objects.create(
        service=f.service(organization_=people.org), author=people.person, rating=3, body="OK"
    )
    Review.objects.filter(pk=review.pk).update(state=state)
    review.refresh_from_db()
    assert permissions.can_see_review(people.person, review) is True
    assert permissions.can_see_review(people.coordinator, review) is True
    assert permissions.can_see_review(people.administrator, review) is True
    assert permissions.can_see_review(people.superuser, review) is True
    assert permissions.can_see_review(people.member, review) is False
    assert permissions.can_see_review(people.stranger, review) is False
    assert permissions.can_see_review(AnonymousUser(), review) is False


def test_a_published_review_is_seen_by_everyone(people: People) -> None:
    """Once published, everyone reads it, an anonymous visitor too."""
    review = Review.objects.create(
        service=f.service(organization_=people.org),
        author=people.person,
        rating=5,
        body="Lovely",
        state=Review.State.PUBLISHED,
    )
    for user in (AnonymousUser(), people.stranger, people.member, people.person):
        assert permissions.can_see_review(user, review) is True


def test_the_providers_members_reply_to_a_review(people: People) -> None:
    """Members of the reviewed service's organisation reply; nobody else."""
    review = Review.objects.create(
        service=f.service(organization_=people.org),
        author=people.person,
        rating=4,
        body="Good",
        state=Review.State.PUBLISHED,
    )
    assert permissions.may_reply_to_review(people.member, review) is True
    assert permissions.may_reply_to_review(people.other_member, review) is False
    assert permissions.may_reply_to_review(people.person, review) is False
    assert permissions.may_reply_to_review(people.coordinator, review) is False
    assert permissions.may_reply_to_review(AnonymousUser(), review) is False
