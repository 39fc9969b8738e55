"""Who may do what in people's voice: named predicates, one per rule.

The views (what a page shows and accepts), the selectors (whose lists a person sees) and the
services (what is written) ask the same predicate, so a rule is written once.
``voice/tests/test_permissions.py`` runs every role against every service that changes data.

Roles come from ``accounts.roles.Role``; a superuser holds the administrator role (see
``accounts.models.User.roles``). A person who is not signed in holds no role.
"""

from __future__ import annotations

from accounts.models import User
from accounts.roles import Role
from directory import selectors as directory_selectors
from directory import services as directory_services
from voice.models import Feedback, QualityCheck

MODERATING_ROLES = (Role.MODERATOR,)
"""The independent voice organisation's moderators (not the council, not a provider)."""
STAFF_ENTRY_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR, Role.MODERATOR)
"""Staff who enter feedback received by phone or on paper for someone else."""
OVERDUE_READER_ROLES = (Role.COMMISSIONER, Role.MODERATOR, Role.ADMINISTRATOR)
"""Who reads the list of feedback and reports past their deadline (and is told of escalations)."""
COPRODUCTION_ROLES = (Role.MODERATOR, Role.COMMISSIONER, Role.ADMINISTRATOR)
"""Who writes up a co-production workshop's self-assessment."""


def signed_in(user: object) -> User | None:
    """``user`` as a signed-in person, or None (nobody, or an anonymous visitor)."""
    if isinstance(user, User) and user.is_authenticated:
        return user
    return None


def _holds(user: object, roles: tuple[Role, ...]) -> bool:
    person = signed_in(user)
    return person is not None and person.has_role(*roles)


def is_moderator(user: object) -> bool:
    """A signed-in independent voice moderator: moderates feedback, verifies changes, runs
    experts-by-experience quality checks and keeps the register of experts."""
    return _holds(user, MODERATING_ROLES)


def is_commissioner(user: object) -> bool:
    """A signed-in commissioner (told of escalations; reads the figures, never who gave feedback)."""
    return _holds(user, (Role.COMMISSIONER,))


def can_enter_for_others(user: object) -> bool:
    """Coordinators, administrators and moderators enter feedback given by phone or on paper."""
    return _holds(user, STAFF_ENTRY_ROLES)


def may_see_overdue(user: object) -> bool:
    """Commissioners, moderators and administrators read what is past its deadline."""
    return _holds(user, OVERDUE_READER_ROLES)


def can_record_coproduction(user: object) -> bool:
    """The voice organisation's moderators, commissioners and administrators write up a
    workshop's self-assessment."""
    return _holds(user, COPRODUCTION_ROLES)


def _acts_for_organization(person: User, organization_id: str) -> bool:
    organization = (
        directory_selectors.organization_for_page(organization_id) if organization_id else None
    )
    return organization is not None and directory_services.can_act_for(person, organization)


def can_respond(user: object, feedback: Feedback) -> bool:
    """Members of the organisation (directory) or council team the feedback is about, once a
    moderator has passed it on. Nobody responds to feedback about "something else" here."""
    person = signed_in(user)
    if person is None:
        return False
    if feedback.moderation not in (Feedback.Moderation.PUBLISHED, Feedback.Moderation.PRIVATE):
        return False
    if feedback.about == Feedback.About.TEAM and feedback.team is not None:
        return feedback.team.members.filter(pk=person.pk).exists()
    if feedback.about == Feedback.About.SERVICE:
        return _acts_for_organization(person, feedback.organization_id)
    return False


def can_answer_for_check(user: object, check: QualityCheck) -> bool:
    """People who speak for the checked provider or team: members of its directory organisation
    or of the council team. They give the self-assessment and the response, and cannot be
    experts on the check."""
    person = signed_in(user)
    if person is None:
        return False
    if check.about == QualityCheck.About.TEAM and check.team is not None:
        return check.team.members.filter(pk=person.pk).exists()
    if check.about == QualityCheck.About.SERVICE:
        return _acts_for_organization(person, check.organization_id)
    return False
