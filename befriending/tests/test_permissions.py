"""Issue 14: befriending's role checks are named predicates (``befriending.access``) used by views
and services alike. This runs every role (and a superuser) against every service that changes data.

Each actor holds one role and is neither a befriender nor a person on any match, so what they may
do comes from their role alone: coordinators and administrators (and superusers, who hold the
administrator role) run befriending; everyone else is refused with a sentence, and nothing is
written. Feedback on an ended match is the befriender's and the person's own: nobody else adds it.
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
from befriending import access, services, views
from befriending.models import (
    Check,
    Contact,
    Match,
    Membership,
    PeerGroup,
    Request,
    Volunteer,
)
from befriending.services import (
    _common,
    befriender_requests,
    contacts,
    matches,
    peer_groups,
    volunteers,
)
from befriending.services._common import BefriendingRefused
from befriending.tests import factories as b
from directory.tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = b.TODAY
ACTORS = [role.value for role in Role] + ["superuser"]
COORDINATORS = {Role.COORDINATOR.value, Role.ADMINISTRATOR.value, "superuser"}
NOBODY: set[str] = set()


def actor(name: str) -> User:
    if name == "superuser":
        return f.user(None, is_superuser=True, is_staff=True)
    return f.user(name)


class World:
    """Volunteers, a waiting request, matches at each stage, a concern and a peer group, made by a
    coordinator when a service first asks for them (so each case builds only what it uses)."""

    def __init__(self) -> None:
        self.boss = b.coordinator()

    @cached_property
    def unchecked(self) -> Volunteer:
        return b.volunteer(checked=False)

    @cached_property
    def checked(self) -> Volunteer:
        return b.volunteer(by=self.boss)

    @cached_property
    def waiting(self) -> Request:
        return b.request()

    @cached_property
    def proposed(self) -> Match:
        return matches.propose_match(
            actor=self.boss, request_=b.request(), volunteer=self.checked, today=TODAY
        )

    @cached_property
    def running(self) -> Match:
        return b.running_match(by=self.boss)

    @cached_property
    def ended(self) -> Match:
        match = b.running_match(by=self.boss)
        return matches.end_match(
            actor=self.boss, match=match, reason="goals_met", last_meeting_on=TODAY, today=TODAY
        )

    @cached_property
    def concern(self) -> Contact:
        match = self.running
        return contacts.log_contact(
            actor=b.volunteer_account(match.volunteer),
            match=match,
            on=TODAY,
            how="phone",
            minutes=20,
            concern="Had not eaten",
            today=TODAY,
        )

    @cached_property
    def group(self) -> PeerGroup:
        return peer_groups.create_group(
            actor=self.boss, name="Walk and talk", service_id=str(f.service().pk), today=TODAY
        )


SERVICES: dict[str, tuple[Callable[[World, User], Any], set[str]]] = {
    "record_check": (
        lambda w, u: volunteers.record_check(
            actor=u,
            volunteer=w.unchecked,
            kind="reference",
            checked_on=TODAY - dt.timedelta(days=1),
            today=TODAY,
        ),
        COORDINATORS,
    ),
    # The volunteer stops themselves, or a coordinator records it.
    "stop_volunteering": (
        lambda w, u: volunteers.stop_volunteering(actor=u, volunteer=w.checked, today=TODAY),
        COORDINATORS,
    ),
    "ask_for_befriender (a referral)": (
        lambda w, u: befriender_requests.ask_for_befriender(
            actor=u,
            person=f.user(Role.PERSON),
            referrer="Their GP",
            about="A weekly chat",
            today=TODAY,
        ),
        COORDINATORS,
    ),
    "propose_match": (
        lambda w, u: matches.propose_match(
            actor=u, request_=w.waiting, volunteer=w.checked, today=TODAY
        ),
        COORDINATORS,
    ),
    # Each side agrees for themselves; a coordinator records either side's yes.
    "agree": (
        lambda w, u: matches.agree(actor=u, match=w.proposed, side="person", today=TODAY),
        COORDINATORS,
    ),
    "end_match": (
        lambda w, u: matches.end_match(
            actor=u, match=w.running, reason="goals_met", last_meeting_on=TODAY, today=TODAY
        ),
        COORDINATORS,
    ),
    "add_feedback": (
        lambda w, u: matches.add_feedback(actor=u, match=w.ended, feedback="It helped"),
        NOBODY,
    ),
    "log_contact": (
        lambda w, u: contacts.log_contact(
            actor=u, match=w.running, on=TODAY, how="phone", minutes=20, today=TODAY
        ),
        COORDINATORS,
    ),
    "mark_concern_read": (
        lambda w, u: contacts.mark_concern_read(actor=u, contact=w.concern, today=TODAY),
        COORDINATORS,
    ),
    "create_group": (
        lambda w, u: peer_groups.create_group(
            actor=u, name="Knit and natter", service_id=str(f.service().pk), today=TODAY
        ),
        COORDINATORS,
    ),
    "set_lead": (
        lambda w, u: peer_groups.set_lead(actor=u, group=w.group, lead=None, today=TODAY),
        COORDINATORS,
    ),
}

USES = {
    "record_check": ("unchecked",),
    "stop_volunteering": ("checked",),
    "propose_match": ("waiting", "checked"),
    "agree": ("proposed",),
    "end_match": ("running",),
    "add_feedback": ("ended",),
    "log_contact": ("running",),
    "mark_concern_read": ("concern",),
    "set_lead": ("group",),
}
"""What each service is given, built before the snapshot of what is written."""

NO_ROLE_CHECK = {
    "apply_to_volunteer": "anyone signed in offers to volunteer, once, for themselves",
    "ask_for_befriender": "for themselves anyone may; for someone else it is the referral above",
    "join_group": "anyone signed in joins a group, for themselves",
    "leave_group": "a member leaves a group, for themselves",
}


def _written() -> tuple[object, ...]:
    return (
        AuditEvent.objects.exclude(action=AuditEvent.Action.VIEW).count(),
        Volunteer.objects.count(),
        Check.objects.count(),
        Request.objects.count(),
        Match.objects.count(),
        Contact.objects.count(),
        PeerGroup.objects.count(),
        Membership.objects.count(),
        sorted(Volunteer.objects.values_list("pk", "status")),
        sorted(Request.objects.values_list("pk", "status")),
        sorted(
            Match.objects.values_list(
                "pk",
                "stage",
                "person_agreed_on",
                "volunteer_agreed_on",
                "person_feedback",
                "volunteer_feedback",
            )
        ),
        sorted(Contact.objects.values_list("pk", "concern_read_on")),
        sorted(PeerGroup.objects.values_list("pk", "lead_id")),
    )


@pytest.mark.parametrize("role", ACTORS)
@pytest.mark.parametrize("service", list(SERVICES))
def test_every_role_against_every_service_that_changes_data(service: str, role: str) -> None:
    world = World()
    call, allowed = SERVICES[service]
    user = actor(role)
    if role in allowed:
        call(world, user)  # no refusal
        return
    for name in USES.get(service, ()):
        getattr(world, name)
    before = _written()
    with pytest.raises(BefriendingRefused) as refused:
        call(world, user)
    assert refused.value.message
    assert _written() == before


def test_every_service_that_changes_data_is_in_the_table_or_explained() -> None:
    functions = {name for name in services.__all__ if inspect.isfunction(getattr(services, name))}
    table = {name.split(" ")[0] for name in SERVICES}
    assert functions - table == set(NO_ROLE_CHECK) - table
    assert table <= functions


@pytest.mark.parametrize("role", ACTORS)
def test_the_coordinator_predicate_is_the_coordinating_roles(role: str) -> None:
    assert access.is_coordinator(actor(role)) is (role in COORDINATORS)


def test_views_and_services_ask_the_predicates() -> None:
    """No role check of their own: the views and every service module ask ``access``."""
    modules = (views, _common, volunteers, befriender_requests, matches, contacts, peer_groups)
    for module in modules:
        source = inspect.getsource(module)
        assert "has_role(" not in source and "Role." not in source, module.__name__
    assert "access.is_coordinator" in inspect.getsource(views)
    assert "access.is_coordinator" in inspect.getsource(_common)
