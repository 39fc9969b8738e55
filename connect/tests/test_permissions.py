"""Issue 14: social prescribing asks named predicates (``connect.permissions``) in views and
services alike. This runs every role against every service that changes data.

Each actor below holds one role (or is a superuser, who holds the administrator role) and is not
a party to anything in the world the test builds: not on the staff of the GP practice that made
the referral, not the person referred, not a member of the organisation running the community
service, not the link worker holding the referral. So what they may do comes from their role
alone: link workers and coordinators may do what a link worker does; everyone else is refused
with a sentence, and nothing is written.
"""

from __future__ import annotations

import importlib
import inspect
import itertools
import pkgutil
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.roles import Role
from connect import permissions, services
from connect.models import (
    CommunityPot,
    FundingAward,
    Invitation,
    OnwardReferral,
    Referral,
    ReferringOrganisation,
    ServiceReferralTerms,
    WellbeingCheck,
)
from connect.services._common import ConnectError
from connect.services.consent import record_consent
from connect.services.funding import award_funding
from connect.services.invitations import find_or_invite_person
from connect.services.onward import answer_onward, mark_attended, refer_onward, withdraw_onward
from connect.services.referrals import make_referral, refer, set_status
from connect.services.service_terms import set_service_terms
from connect.services.wellbeing import record_wellbeing
from directory.tests import factories as f

pytestmark = pytest.mark.django_db

ACTORS = [role.value for role in Role] + ["superuser"]
LINK_WORKERS = {Role.LINK_WORKER.value, Role.COORDINATOR.value}
REPORT_READERS = LINK_WORKERS | {Role.COMMISSIONER.value, Role.ADMINISTRATOR.value, "superuser"}
NOBODY: set[str] = set()
_emails = itertools.count()


def actor(name: str) -> User:
    if name == "superuser":
        return f.user(None, is_superuser=True, is_staff=True)
    return f.user(name)


class World:
    """A GP practice's referral held by a link worker, with the person's consent, one onward
    referral waiting for the service's answer and one accepted, and a community pot."""

    def __init__(self) -> None:
        self.gp = f.user(Role.PERSON)
        self.practice = ReferringOrganisation.objects.create(
            name="Hill Street Surgery", kind=ReferringOrganisation.Kind.GP_PRACTICE
        )
        self.practice.staff.add(self.gp)
        self.person = f.user(Role.PERSON)
        self.worker = f.user(Role.LINK_WORKER)
        org = f.organization()
        self.service = f.service(organization_=org, name="Lunch club")
        self.other_service = f.service(organization_=org, name="Walking group")
        self.provider = f.provider_user(org)
        self.referral = make_referral(
            actor=self.gp,
            person=self.person,
            source=Referral.Source.GP_PRACTICE,
            organisation=self.practice,
            reason="Lonely",
        )
        record_consent(
            actor=self.gp, referral=self.referral, share_back=True, onward=True, outcomes=True
        )
        set_status(actor=self.worker, referral=self.referral, status="contacted")
        self.sent = refer_onward(
            actor=self.worker, referral=self.referral, service_id=self.service.pk
        )
        self.accepted = refer_onward(
            actor=self.worker, referral=self.referral, service_id=self.other_service.pk
        )
        answer_onward(actor=self.provider, onward=self.accepted, accept=True)
        self.pot = CommunityPot.objects.create(
            name="Northgate pot",
            kind=CommunityPot.Kind.MONEY,
            total_pence=50000,
            max_award_pence=5000,
        )


def _new_email() -> str:
    return f"referred{next(_emails)}@example.org"


SERVICES: dict[str, tuple[Callable[[World, User], Any], set[str]]] = {
    # What a link worker (or coordinator) does.
    "make_referral": (
        lambda w, u: make_referral(
            actor=u, person=w.person, source=Referral.Source.LINK_WORKER, reason="Low mood"
        ),
        LINK_WORKERS,
    ),
    "refer": (
        lambda w, u: refer(
            actor=u,
            source=Referral.Source.LINK_WORKER,
            reason="Low mood",
            what_matters="Gardening",
            consent={"share_back": True},
            consent_on=timezone.localdate(),
            name="Grace Hopper",
            email=_new_email(),
        ),
        LINK_WORKERS,
    ),
    "find_or_invite_person": (
        lambda w, u: find_or_invite_person(actor=u, name="Alan Turing", email=_new_email()),
        LINK_WORKERS,
    ),
    "set_status": (
        lambda w, u: set_status(actor=u, referral=w.referral, status="first_conversation"),
        LINK_WORKERS,
    ),
    "record_consent": (
        lambda w, u: record_consent(
            actor=u, referral=w.referral, share_back=False, onward=True, outcomes=False
        ),
        LINK_WORKERS,
    ),
    "refer_onward": (
        lambda w, u: refer_onward(actor=u, referral=w.referral, service_id=w.service.pk),
        LINK_WORKERS,
    ),
    "mark_attended": (
        lambda w, u: mark_attended(actor=u, onward=w.accepted),
        LINK_WORKERS,
    ),
    "award_funding": (
        lambda w, u: award_funding(
            actor=u,
            referral=w.referral,
            pot=w.pot,
            purpose="Art class materials",
            key="permissions-test",
            amount="25",
        ),
        LINK_WORKERS,
    ),
    # For the referring organisation's staff only (no actor is on a practice's staff).
    "make_referral (for a GP practice)": (
        lambda w, u: make_referral(
            actor=u,
            person=w.person,
            source=Referral.Source.GP_PRACTICE,
            organisation=w.practice,
            reason="Lonely",
        ),
        NOBODY,
    ),
    # For the service's organisation only (no actor is a member of it).
    "set_service_terms": (
        lambda w, u: set_service_terms(
            actor=u, service_id=w.service.pk, takes_referrals=False, typical_wait_days=None
        ),
        NOBODY,
    ),
    "answer_onward": (
        lambda w, u: answer_onward(actor=u, onward=w.sent, accept=True),
        NOBODY,
    ),
    # For the person referred (or, for ONS4, the link worker holding their open referral).
    "withdraw_onward": (lambda w, u: withdraw_onward(person=u, onward=w.sent), NOBODY),
    "record_wellbeing": (
        lambda w, u: record_wellbeing(
            actor=u,
            referral=w.referral,
            stage=WellbeingCheck.Stage.FIRST_CONVERSATION,
            answers={},
            answered_on=timezone.localdate(),
        ),
        NOBODY,
    ),
}

NO_ROLE_CHECK = {
    "accept_invitation": "the person invited, proved by the one-time token they were sent",
    "decline_overdue": "the daily command, no person acting",
}
"""Public functions of ``connect.services`` that write but are not given a person acting."""

READS = {"invitation_for", "local_today", "pot_remaining_pence", "wellbeing_stage_open"}


def _service_modules() -> list[ModuleType]:
    """The modules of the ``connect.services`` package (one per thing people do)."""
    return [
        importlib.import_module(f"{services.__name__}.{info.name}")
        for info in pkgutil.iter_modules(services.__path__)
    ]


def _public_functions() -> set[str]:
    """Public functions written in the services modules (not imported into them)."""
    return {
        name
        for module in _service_modules()
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_") and fn.__module__ == module.__name__
    }


def test_every_public_service_function_is_exported_by_the_package() -> None:
    """Other apps import ``connect.services.<name>``: each public function of the modules is
    re-exported there, in ``__all__``, as the very function its module defines."""
    missing = _public_functions() - set(services.__all__)
    assert not missing, f"add these to connect/services/__init__.py: {missing}"
    for module in _service_modules():
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and fn.__module__ == module.__name__:
                assert getattr(services, name) is fn, name


def test_every_public_service_function_is_in_the_table_or_explained() -> None:
    table = {name.split(" ")[0] for name in SERVICES}
    unclassified = _public_functions() - table - set(NO_ROLE_CHECK) - READS
    assert not unclassified, f"add these to the role table (or explain them): {unclassified}"


def _written() -> tuple[Any, ...]:
    return (
        AuditEvent.objects.count(),
        User.objects.count(),
        Invitation.objects.count(),
        Referral.objects.count(),
        tuple(Referral.objects.values_list("status", "consent_share_back", "consent_outcomes")),
        tuple(OnwardReferral.objects.order_by("pk").values_list("status", flat=True)),
        ServiceReferralTerms.objects.count(),
        WellbeingCheck.objects.count(),
        FundingAward.objects.count(),
    )


@pytest.mark.parametrize("role", ACTORS)
@pytest.mark.parametrize("service", list(SERVICES))
def test_every_role_against_every_service_that_changes_data(service: str, role: str) -> None:
    world = World()
    call, allowed = SERVICES[service]
    user = actor(role)
    if role in allowed:
        before = AuditEvent.objects.count()
        call(world, user)  # no refusal
        assert AuditEvent.objects.count() > before, "an allowed write is audited"
        return
    before_all = _written()
    with pytest.raises(ConnectError):
        call(world, user)
    assert _written() == before_all


@pytest.mark.parametrize("role", ACTORS)
def test_the_role_predicates_are_the_roles(role: str) -> None:
    user = actor(role)
    assert permissions.is_link_worker(user) is (role in LINK_WORKERS)
    assert permissions.may_read_reports(user) is (role in REPORT_READERS)
    assert permissions.may_refer_others(user) is (role in LINK_WORKERS)
    assert permissions.is_provider(user) is (role == Role.PROVIDER.value)


def test_nobody_signed_out_holds_a_role() -> None:
    nobody = AnonymousUser()
    assert permissions.signed_in(nobody) is None
    assert not permissions.is_link_worker(nobody)
    assert not permissions.may_read_reports(nobody)
    assert not permissions.may_refer_others(nobody)


def test_referring_staff_may_refer_others_and_record_the_consent_they_took() -> None:
    """Staff of a GP practice (not link workers) refer, and record the consent the person gave
    for their own referrals only."""
    world = World()
    assert permissions.may_refer_others(world.gp)
    assert permissions.may_record_consent(world.gp, world.referral)
    other = ReferringOrganisation.objects.create(
        name="Riverside Surgery", kind=ReferringOrganisation.Kind.GP_PRACTICE
    )
    colleague = f.user(Role.PERSON)
    other.staff.add(colleague)
    assert permissions.may_refer_others(colleague)
    assert not permissions.may_record_consent(colleague, world.referral)
    with pytest.raises(ConnectError):
        record_consent(
            actor=colleague, referral=world.referral, share_back=False, onward=False, outcomes=False
        )


def test_views_and_services_share_the_predicates() -> None:
    """The views and worklists ask the same predicates (no role check of their own)."""
    from connect import views, worklists

    for module in (views, worklists):
        source = inspect.getsource(module)
        assert "has_role(" not in source and "Role." not in source, module.__name__
        assert module.permissions is permissions
    predicates = {
        name
        for name, fn in inspect.getmembers(permissions, inspect.isfunction)
        if fn.__module__ == permissions.__name__
    }
    for module in _service_modules():  # and the services modules ask the same predicates
        for name in predicates & set(vars(module)):
            assert getattr(module, name) is getattr(permissions, name), module.__name__
