"""Who may do what in social prescribing: named predicates, one per rule.

The views (what a page shows and accepts) and the services (what is written) ask the same
predicate, so a rule is written once. ``connect/tests/test_permissions.py`` runs every role
against every service that changes data.

Link workers hold the caseload. Coordinators keep oversight of the referrals (they assign work
and cover absences); brokers no longer see social prescribing records (least privilege). A
superuser holds the administrator role (see ``accounts.models.User.roles``), which is not a link
worker's. A person who is not signed in holds no role.
"""

from __future__ import annotations

from accounts.models import User
from accounts.roles import Role
from connect import selectors
from connect.models import OnwardReferral, Referral, ReferringOrganisation
from directory import referral_selectors

LINK_WORKER_ROLES = (Role.LINK_WORKER, Role.COORDINATOR)
"""The roles that hold and manage social prescribing referrals (``outcomes.access`` names the
same two for a link worker's help with ONS4)."""
REPORT_ROLES = (Role.LINK_WORKER, Role.COORDINATOR, Role.COMMISSIONER, Role.ADMINISTRATOR)
"""Who reads the suppressed reports by practice, service and worker."""
REFERRING_KINDS = (ReferringOrganisation.Kind.GP_PRACTICE, ReferringOrganisation.Kind.HOSPITAL)
"""The organisations whose staff refer people (a GP practice, a hospital)."""


def signed_in(user: object) -> User | None:
    """``user`` as a signed-in person, or None (nobody, or an anonymous visitor)."""
    if isinstance(user, User) and user.is_authenticated:
        return user
    return None


def is_link_worker(user: object) -> bool:
    """A signed-in link worker (or coordinator): takes referrals, keeps the caseload, refers
    onward, attaches funding."""
    person = signed_in(user)
    return person is not None and person.has_role(*LINK_WORKER_ROLES)


def may_read_reports(user: object) -> bool:
    person = signed_in(user)
    return person is not None and person.has_role(*REPORT_ROLES)


def is_provider(user: object) -> bool:
    """A signed-in provider (their services' referral terms page is theirs, even when empty)."""
    person = signed_in(user)
    return person is not None and person.has_role(Role.PROVIDER)


def can_refer_for(user: object, organisation: ReferringOrganisation) -> bool:
    """``user`` is on the staff of the referring organisation."""
    person = signed_in(user)
    return person is not None and organisation.staff.filter(pk=person.pk).exists()


def may_refer_others(user: object) -> bool:
    """Link workers, and staff of a GP practice or hospital, refer someone else (and so may find
    or invite the person by email)."""
    person = signed_in(user)
    return person is not None and (
        is_link_worker(person)
        or selectors.organisations_of(person).filter(kind__in=REFERRING_KINDS).exists()
    )


def may_manage_referral(user: object, referral: Referral) -> bool:
    """Link workers set a referral's status and refer the person onward."""
    return is_link_worker(user)


def may_record_consent(user: object, referral: Referral) -> bool:
    """Link workers, and whoever made the referral (recording the consent the person gave then;
    for a self-referral, the person)."""
    person = signed_in(user)
    return person is not None and (is_link_worker(person) or referral.referred_by_id == person.pk)


def may_receive_summary(user: object, referral: Referral) -> bool:
    """Link workers, and staff of the organisation that made the referral."""
    if is_link_worker(user):
        return True
    organisation = referral.referring_organisation
    return organisation is not None and can_refer_for(user, organisation)


def acts_for_service(user: object, service_id: str) -> bool:
    """A member of the organisation that runs the service: says whether it takes referrals and
    answers the onward referrals sent to it."""
    person = signed_in(user)
    return person is not None and referral_selectors.acts_for_service(person, service_id)


def may_record_attendance(user: object, onward: OnwardReferral) -> bool:
    return is_link_worker(user) or acts_for_service(user, onward.service_id)


def may_record_wellbeing_with_help(user: object, referral: Referral) -> bool:
    """The link worker holding the person's open referral records their ONS4 answers with them."""
    person = signed_in(user)
    return (
        person is not None
        and person.pk != referral.person_id
        and is_link_worker(person)
        and selectors.on_open_caseload(person, referral.person_id)
    )
