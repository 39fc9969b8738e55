"""Issue 14: each ``connect.permissions`` predicate as a table of actors.

``test_permissions.py`` runs every role against every service with actors who are party to
nothing. Here each predicate is asked directly, with the parties too: the GP who made the
referral and a colleague at another practice, staff of an organisation that does not refer, the
link worker holding the person's open referral and another link worker, the person referred, a
member of the organisation running the service and a member of another one, and nobody
(``None``), an anonymous visitor and a signed-in person with no role.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from accounts.roles import Role
from connect import permissions
from connect.models import OnwardReferral, Referral, ReferringOrganisation
from connect.services.consent import record_consent
from connect.services.onward import refer_onward
from connect.services.referrals import make_referral, set_status
from directory.tests import factories as f

pytestmark = pytest.mark.django_db

Kind = ReferringOrganisation.Kind
RECEIVED = dt.date(2026, 1, 5)


@dataclass
class World:
    gp: User
    colleague: User
    other_staff: User
    practice: ReferringOrganisation
    person: User
    worker: User
    other_worker: User
    coordinator: User
    member: User
    other_member: User
    stranger: User
    referral: Referral
    self_referral: Referral
    onward: OnwardReferral


def _organisation(kind: str, *staff: User) -> ReferringOrganisation:
    made = ReferringOrganisation.objects.create(name=f"{kind} {len(staff)}", kind=kind)
    made.staff.add(*staff)
    return made


@pytest.fixture
def world() -> World:
    """A GP practice's referral, held by a link worker (status contacted), with one onward
    referral to a service; a person's self-referral; a GP practice and a hospital with no staff."""
    gp, colleague, other_staff = f.user(), f.user(), f.user()
    practice = _organisation(Kind.GP_PRACTICE, gp)
    _organisation(Kind.GP_PRACTICE, colleague)
    _organisation(Kind.OTHER, other_staff)
    _organisation(Kind.GP_PRACTICE)
    _organisation(Kind.HOSPITAL)
    person, worker = f.user(), f.user(Role.LINK_WORKER)
    org = f.organization()
    service = f.service(organization_=org)
    referral = make_referral(
        actor=gp,
        person=person,
        source=Referral.Source.GP_PRACTICE,
        organisation=practice,
        reason="Lonely",
    )
    record_consent(actor=gp, referral=referral, share_back=True, onward=True, outcomes=True)
    set_status(actor=worker, referral=referral, status="contacted")
    referral.refresh_from_db()
    self_referral = Referral.objects.create(
        person=f.user(), source=Referral.Source.SELF, reason="Low mood", received_on=RECEIVED
    )
    self_referral.referred_by = self_referral.person
    self_referral.save()
    return World(
        gp=gp,
        colleague=colleague,
        other_staff=other_staff,
        practice=practice,
        person=person,
        worker=worker,
        other_worker=f.user(Role.LINK_WORKER),
        coordinator=f.user(Role.COORDINATOR),
        member=f.provider_user(org),
        other_member=f.provider_user(f.service().organization),
        stranger=f.user(),
        referral=referral,
        self_referral=self_referral,
        onward=refer_onward(actor=worker, referral=referral, service_id=service.pk),
    )


def test_signed_in_is_the_person_only_when_signed_in(world: World) -> None:
    """Nobody and an anonymous visitor are not signed in; an account is."""
    assert permissions.signed_in(None) is None
    assert permissions.signed_in(AnonymousUser()) is None
    assert permissions.signed_in(world.stranger) is world.stranger


def test_link_workers_are_link_workers_and_coordinators(world: World) -> None:
    """Link workers and coordinators hold the caseload and manage referrals; nobody else."""
    for user in (world.worker, world.other_worker, world.coordinator):
        assert permissions.is_link_worker(user) is True
        assert permissions.may_manage_referral(user, world.referral) is True
    for other in (None, AnonymousUser(), world.stranger, world.gp, world.member):
        assert permissions.is_link_worker(other) is False
        assert permissions.may_manage_referral(other, world.referral) is False
    admin = f.user(None, is_superuser=True, is_staff=True)
    assert permissions.is_link_worker(admin) is False


def test_reports_and_provider_predicates(world: World) -> None:
    """Link workers, coordinators, commissioners and administrators (and superusers) read the
    reports; a provider is a signed-in person with the provider role; nobody signed out is
    either."""
    for role in (Role.LINK_WORKER, Role.COORDINATOR, Role.COMMISSIONER, Role.ADMINISTRATOR):
        assert permissions.may_read_reports(f.user(role)) is True
    assert permissions.may_read_reports(f.user(None, is_superuser=True)) is True
    for other in (world.stranger, world.member, world.gp):
        assert permissions.may_read_reports(other) is False
    for nobody in (None, AnonymousUser()):
        assert permissions.may_read_reports(nobody) is False
        assert permissions.is_provider(nobody) is False
    assert permissions.is_provider(world.member) is True
    assert permissions.is_provider(world.worker) is False


def test_only_the_organisations_staff_refer_for_it(world: World) -> None:
    """``can_refer_for``: on the staff of that organisation (not another's, not a link worker)."""
    assert permissions.can_refer_for(world.gp, world.practice) is True
    for other in (None, AnonymousUser(), world.colleague, world.worker, world.stranger):
        assert permissions.can_refer_for(other, world.practice) is False


def test_link_workers_and_referring_staff_refer_others(world: World) -> None:
    """Link workers, and staff of a GP practice or hospital (not of another kind of body)."""
    hospital_nurse = f.user()
    _organisation(Kind.HOSPITAL, hospital_nurse)
    for user in (world.worker, world.coordinator, world.gp, world.colleague, hospital_nurse):
        assert permissions.may_refer_others(user) is True
    for other in (None, AnonymousUser(), world.other_staff, world.stranger, world.member):
        assert permissions.may_refer_others(other) is False


def test_consent_is_recorded_by_link_workers_and_whoever_referred(world: World) -> None:
    """Link workers, and the one who made the referral (for a self-referral, the person)."""
    assert permissions.may_record_consent(world.worker, world.referral) is True
    assert permissions.may_record_consent(world.other_worker, world.referral) is True
    assert permissions.may_record_consent(world.gp, world.referral) is True
    for other in (None, AnonymousUser(), world.colleague, world.person, world.stranger):
        assert permissions.may_record_consent(other, world.referral) is False
    mine = world.self_referral
    assert permissions.may_record_consent(mine.person, mine) is True
    assert permissions.may_record_consent(world.gp, mine) is False


def test_the_summary_goes_to_link_workers_and_the_referring_staff(world: World) -> None:
    """Link workers, and staff of the organisation that made the referral; a self-referral's
    summary goes to link workers only."""
    assert permissions.may_receive_summary(world.worker, world.referral) is True
    assert permissions.may_receive_summary(world.coordinator, world.referral) is True
    assert permissions.may_receive_summary(world.gp, world.referral) is True
    for other in (None, AnonymousUser(), world.colleague, world.stranger, world.person):
        assert permissions.may_receive_summary(other, world.referral) is False
    assert permissions.may_receive_summary(world.worker, world.self_referral) is True
    for other in (world.gp, world.stranger, world.self_referral.person):
        assert permissions.may_receive_summary(other, world.self_referral) is False


def test_the_services_members_act_for_it_and_record_attendance(world: World) -> None:
    """Members of the organisation running the service answer for it and record attendance;
    link workers record attendance too; members of another organisation do neither."""
    service_id = world.onward.service_id
    assert permissions.acts_for_service(world.member, service_id) is True
    assert permissions.may_record_attendance(world.member, world.onward) is True
    for other in (None, AnonymousUser(), world.other_member, world.stranger, world.worker):
        assert permissions.acts_for_service(other, service_id) is False
    assert permissions.may_record_attendance(world.worker, world.onward) is True
    assert permissions.may_record_attendance(world.coordinator, world.onward) is True
    for other in (None, AnonymousUser(), world.other_member, world.stranger, world.gp):
        assert permissions.may_record_attendance(other, world.onward) is False


def test_only_the_link_worker_holding_the_open_referral_records_wellbeing_with_help(
    world: World,
) -> None:
    """The link worker holding the person's open referral; not another link worker, not the
    person themselves, not anyone else; and not once the referral is closed."""
    referral = world.referral
    assert permissions.may_record_wellbeing_with_help(world.worker, referral) is True
    for other in (None, AnonymousUser(), world.other_worker, world.coordinator, world.person):
        assert permissions.may_record_wellbeing_with_help(other, referral) is False
    assert permissions.may_record_wellbeing_with_help(world.gp, referral) is False
    Referral.objects.filter(pk=referral.pk).update(status=Referral.Status.CLOSED)
    assert permissions.may_record_wellbeing_with_help(world.worker, referral) is False


def test_a_link_worker_never_records_wellbeing_with_help_for_themselves(world: World) -> None:
    """A link worker referred themselves and holds their own referral: not "with help"."""
    worker = world.worker
    own = Referral.objects.create(
        person=worker,
        source=Referral.Source.LINK_WORKER,
        reason="Stress",
        link_worker=worker,
        status=Referral.Status.CONTACTED,
        received_on=RECEIVED,
    )
    assert permissions.may_record_wellbeing_with_help(worker, own) is False
