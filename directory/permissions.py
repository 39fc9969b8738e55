"""Who may do what in the directory: named predicates, one per rule.

The views (what a page shows and accepts) and the services (what is written) ask the same
predicate, so each rule is written once. ``directory/tests/test_permissions.py`` runs every role
against every directory service that changes data.

A moderator is a person holding the coordinator or the administrator role (a superuser holds the
administrator role, see ``accounts.models.User.roles``). A provider acts for an organisation they
are a member of; the provider role alone gives no organisation.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from accounts.roles import Role
from directory.models import Enquiry, EnquiryDelivery, Organization, OrganizationMember, Review

MODERATING_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR)
"""The roles that moderate listings and reviews, record checks and pass enquiries on."""

AnyUser = User | AnonymousUser


def is_moderator(user: AnyUser) -> bool:
    """A signed-in coordinator or administrator: publishes or refuses listing changes and
    reviews, records onboarding checks, passes on enquiries, edits the search synonyms."""
    return isinstance(user, User) and user.is_authenticated and user.has_role(*MODERATING_ROLES)


def can_act_for(user: AnyUser, organization: Organization) -> bool:
    """A member of the organisation: proposes its listings and facts, answers its enquiries and
    replies to reviews of its services."""
    return (
        isinstance(user, User)
        and user.is_authenticated
        and OrganizationMember.objects.filter(user=user, organization=organization).exists()
    )


def may_pass_on_enquiry(user: AnyUser, enquiry: Enquiry) -> bool:
    """A moderator may read an enquiry that came to the directory team, or whose email to the
    provider failed: they pass it on."""
    if not is_moderator(user):
        return False
    return EnquiryDelivery.objects.filter(
        message__enquiry=enquiry,
        message__from_provider=False,
        state__in=[
            EnquiryDelivery.State.WAITING,
            EnquiryDelivery.State.PASSED_ON,
            EnquiryDelivery.State.FAILED,
        ],
    ).exists()


def can_reply_to_enquiry(user: AnyUser, enquiry: Enquiry) -> bool:
    """The person who asked, and the provider's members."""
    return (isinstance(user, User) and enquiry.person_id == user.pk) or can_act_for(
        user, enquiry.service.organization
    )


def can_see_enquiry(user: AnyUser, enquiry: Enquiry) -> bool:
    """Those who may reply, and a moderator who has it to pass on."""
    return can_reply_to_enquiry(user, enquiry) or may_pass_on_enquiry(user, enquiry)


def can_see_review(user: AnyUser, review: Review) -> bool:
    """Who may read a review: everyone once it is published; before that (waiting for
    moderation, or not published) only its author and the moderators (coordinators and
    administrators). The provider of the service is not told of it until it is published."""
    if review.state == Review.State.PUBLISHED:
        return True
    return user.is_authenticated and (review.author_id == user.pk or is_moderator(user))


def may_reply_to_review(user: AnyUser, review: Review) -> bool:
    """The provider of the reviewed service (a reply is public: only to a published review,
    which the service checks)."""
    return can_act_for(user, review.service.organization)
