"""Issue 14: Shared Lives' role checks are named predicates (``sharedlives.access``) used by views
and services alike. This runs every role (and a superuser) against every service that changes data.

Each actor holds one role and is neither the person on a referral nor a carer, so what they may do
comes from their role alone: only scheme workers run Shared Lives (administrators and superusers
do not: they run the Django admin and erasure, not placements, see ``docs/roles.md``). Everyone
else is refused with a sentence, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from functools import cached_property
from typing import Any

import pytest

from accounts.models import AuditEvent, User
from accounts.roles import Role
from directory.tests import factories as f
from sharedlives import access, services, views
from sharedlives.models import Carer, CarerCheck, HouseholdAdult, Match, MatchEvent, Referral
from sharedlives.services import carers, introductions, matches, placements, referrals
from sharedlives.services._common import SharedLivesRefused
from sharedlives.tests import factories as sl

pytestmark = pytest.mark.django_db

DAY = sl.DAY
ACTORS = [role.value for role in Role] + ["superuser"]
WORKERS = {Role.SHARED_LIVES_WORKER.value}


def actor(name: str) -> User:
    if name == "superuser":
        return f.user(None, is_superuser=True, is_staff=True)
    return f.user(name)


class World:
    """Households (being assessed and approved), referrals, and a match at each stage, made by a
    scheme worker when a service first asks for them (so each case builds only what it uses)."""

    def __init__(self) -> None:
        self.worker = sl.worker()

    @cached_property
    def assessing(self) -> Carer:
        household = sl.carer(self.worker, name="The Birch household", approve=False)
        sl.record_all_checks(self.worker, household)
        return household

    @cached_property
    def ash(self) -> Carer:
        return sl.carer(self.worker)

    @cached_property
    def referral(self) -> Referral:
        return sl.referral(self.worker)

    @cached_property
    def proposed(self) -> Match:
        return self._match(Match.Stage.PROPOSED)

    @cached_property
    def agreed(self) -> Match:
        return self._match(Match.Stage.AGREED)

    @cached_property
    def introduced(self) -> Match:
        return self._match(Match.Stage.INTRODUCED)

    def _match(self, stage: str) -> Match:
        household = sl.carer(self.worker, name=f"The {stage} household")
        match = matches.propose_match(
            actor=self.worker, referral=sl.referral(self.worker), carer=household, on=DAY
        )
        if stage == Match.Stage.PROPOSED:
            return match
        for side in (Match.Side.PERSON, Match.Side.CARER):
            matches.answer(actor=self.worker, match=match, side=side, agree=True, on=DAY)
        if stage == Match.Stage.INTRODUCED:
            introductions.record_event(actor=self.worker, match=match, kind="introduction", on=DAY)
            match.refresh_from_db()
        return match


SERVICES: dict[str, tuple[Callable[[World, User], Any], set[str]]] = {
    "add_carer": (
        lambda w, u: carers.add_carer(
            actor=u, user=f.user(Role.CARER), name="The Elm household", places=1, today=DAY
        ),
        WORKERS,
    ),
    "update_carer": (
        lambda w, u: carers.update_carer(actor=u, carer=w.ash, name="The Ash family"),
        WORKERS,
    ),
    "add_adult": (lambda w, u: carers.add_adult(actor=u, carer=w.ash, name="Bo Ash"), WORKERS),
    "record_check": (
        lambda w, u: carers.record_check(
            actor=u,
            carer=w.ash,
            kind="reference",
            checked_on=DAY - dt.timedelta(days=1),
            today=DAY,
        ),
        WORKERS,
    ),
    "approve_carer": (
        lambda w, u: carers.approve_carer(actor=u, carer=w.assessing, on=DAY),
        WORKERS,
    ),
    "withdraw_carer": (
        lambda w, u: carers.withdraw_carer(actor=u, carer=w.ash, reason="Moving away"),
        WORKERS,
    ),
    "make_referral": (
        lambda w, u: referrals.make_referral(
            actor=u, person=f.user(Role.PERSON), today=DAY, offer="short_breaks"
        ),
        WORKERS,
    ),
    "update_referral": (
        lambda w, u: referrals.update_referral(actor=u, referral=w.referral, about="Loves music"),
        WORKERS,
    ),
    "close_referral": (
        lambda w, u: referrals.close_referral(
            actor=u, referral=w.referral, reason="Found a home", on=DAY
        ),
        WORKERS,
    ),
    "propose_match": (
        lambda w, u: matches.propose_match(actor=u, referral=w.referral, carer=w.ash, on=DAY),
        WORKERS,
    ),
    # Either side answers for themselves; a worker records either side's answer.
    "answer (yes)": (
        lambda w, u: matches.answer(actor=u, match=w.proposed, side="person", agree=True, on=DAY),
        WORKERS,
    ),
    "answer (no)": (
        lambda w, u: matches.answer(actor=u, match=w.proposed, side="carer", agree=False, on=DAY),
        WORKERS,
    ),
    "end_match": (
        lambda w, u: matches.end_match(
            actor=u, match=w.agreed, side="person", reason="Changed their mind", on=DAY
        ),
        WORKERS,
    ),
    "record_event": (
        lambda w, u: introductions.record_event(
            actor=u, match=w.agreed, kind="introduction", on=DAY
        ),
        WORKERS,
    ),
    "start_placement": (
        lambda w, u: placements.start_placement(actor=u, match=w.introduced, started_on=DAY),
        WORKERS,
    ),
}


def _written() -> tuple[object, ...]:
    return (
        AuditEvent.objects.exclude(action=AuditEvent.Action.VIEW).count(),
        Carer.objects.count(),
        HouseholdAdult.objects.count(),
        CarerCheck.objects.count(),
        Referral.objects.count(),
        Match.objects.count(),
        MatchEvent.objects.count(),
        sorted(Carer.objects.values_list("pk", "name", "status")),
        sorted(Referral.objects.values_list("pk", "status", "about")),
        sorted(Match.objects.values_list("pk", "stage", "person_agreed_on", "carer_agreed_on")),
    )


USES = {
    "update_carer": ("ash",),
    "add_adult": ("ash",),
    "record_check": ("ash",),
    "approve_carer": ("assessing",),
    "withdraw_carer": ("ash",),
    "update_referral": ("referral",),
    "close_referral": ("referral",),
    "propose_match": ("referral", "ash"),
    "answer (yes)": ("proposed",),
    "answer (no)": ("proposed",),
    "end_match": ("agreed",),
    "record_event": ("agreed",),
    "start_placement": ("introduced",),
}
"""What each service is given, built before the snapshot of what is written."""


def _build_what_it_uses(world: World, service: str) -> None:
    for name in USES.get(service, ()):
        getattr(world, name)


@pytest.mark.parametrize("role", ACTORS)
@pytest.mark.parametrize("service", list(SERVICES))
def test_every_role_against_every_service_that_changes_data(service: str, role: str) -> None:
    world = World()
    call, allowed = SERVICES[service]
    user = actor(role)
    if role in allowed:
        call(world, user)  # no refusal
        return
    _build_what_it_uses(world, service)
    before = _written()
    with pytest.raises(SharedLivesRefused) as refused:
        call(world, user)
    assert refused.value.message
    assert _written() == before


def test_every_service_that_changes_data_is_in_the_table() -> None:
    """A new service must be added to the table (every public one changes data)."""
    functions = {name for name in services.__all__ if inspect.isfunction(getattr(services, name))}
    assert functions == {name.split(" ")[0] for name in SERVICES}


@pytest.mark.parametrize("role", ACTORS)
def test_the_scheme_worker_predicate_is_the_worker_role(role: str) -> None:
    assert access.is_scheme_worker(actor(role)) is (role in WORKERS)


def test_views_and_services_ask_the_predicates() -> None:
    """No role check of their own: the views and every service module ask ``access``."""
    for module in (views, *(m for m in (carers, referrals, matches, introductions, placements))):
        source = inspect.getsource(module)
        assert "has_role(" not in source and "Role." not in source, module.__name__
    assert "access.is_scheme_worker" in inspect.getsource(views)
    assert "access.is_scheme_worker" in inspect.getsource(services._common)
