"""Issue 14: the evidence app's role checks are named predicates (``evidence.access``) used by views
and services alike. This runs every role (and a superuser) against every service that changes data.

Commissioners and administrators (and superusers, who hold the administrator role) build SROI
projects, proxies and deflators; coordinators also record co-production sessions, since they run
them. Everyone else is refused with a sentence (``access.NotAllowed``, a 403 page) and nothing is
written.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from decimal import Decimal
from functools import cached_property
from typing import Any

import pytest

from accounts.models import AuditEvent, User
from accounts.roles import Role
from directory.tests import factories as f
from evidence import access, services, views
from evidence.models import AreaProxy, CoproductionSession, DeflatorYear, Project
from evidence.tests.test_pages import LONELY
from timebank.tests import factories as tb

pytestmark = pytest.mark.django_db

ACTORS = [role.value for role in Role] + ["superuser"]
EVIDENCE = {Role.COMMISSIONER.value, Role.ADMINISTRATOR.value, "superuser"}
SESSIONS = EVIDENCE | {Role.COORDINATOR.value}

GRANT = {
    "name": "Council grant",
    "kind": "money",
    "sector": "adult_social_care",
    "amount": "10000.00",
    "source": "Grant agreement",
}


def actor(name: str) -> User:
    if name == "superuser":
        return f.user(None, is_superuser=True, is_staff=True)
    return f.user(name)


class World:
    """A project with one input, and a day of confirmed time-bank exchanges, made when a service
    first asks for them."""

    @cached_property
    def project(self) -> Project:
        made = services.create_project(
            f.user(Role.COMMISSIONER),
            name="Lunch club",
            summary="Volunteers run a weekly lunch",
            base_year=2026,
            discount_rate="3.5%",
            discount_rate_source="Green Book",
            discount_first_year=True,
        )
        services.add_input(f.user(Role.COMMISSIONER), made, GRANT)
        made.refresh_from_db()
        return made

    @cached_property
    def exchange_day(self) -> dt.date:
        tb.exchange(tb.member(), tb.member(), 90)
        return tb.at(-1).date()


SERVICES: dict[str, tuple[Callable[[World, User], Any], set[str]]] = {
    "create_project": (
        lambda w, u: services.create_project(
            u,
            name="Walking group",
            summary="",
            base_year=2026,
            discount_rate="3.5%",
            discount_rate_source="Green Book",
            discount_first_year=True,
        ),
        EVIDENCE,
    ),
    "add_input": (
        lambda w, u: services.add_input(u, w.project, {**GRANT, "name": "Room"}),
        EVIDENCE,
    ),
    "add_time_bank_hours": (
        lambda w, u: services.add_time_bank_hours(
            u,
            w.project,
            start=w.exchange_day,
            end=w.exchange_day,
            rate="12.00",
            rate_source="Area rate",
            sector="people_and_families",
        ),
        EVIDENCE,
    ),
    "add_outcome": (lambda w, u: services.add_outcome(u, w.project, LONELY), EVIDENCE),
    "remove_item": (
        lambda w, u: services.remove_item(
            u, w.project, "inputs", w.project.case["inputs"][0]["id"]
        ),
        EVIDENCE,
    ),
    "add_proxy": (
        lambda w, u: services.add_proxy(
            u,
            name="A night in hospital avoided",
            description="",
            value=Decimal("420.00"),
            price_year=2024,
            source="Fictional unit cost",
            licence="OGL",
        ),
        EVIDENCE,
    ),
    "set_deflator": (
        lambda w, u: services.set_deflator(
            u, series={2024: Decimal(100), 2026: Decimal(105)}, source="Fictional index"
        ),
        EVIDENCE,
    ),
    "record_session": (
        lambda w, u: services.record_session(
            u,
            organisation="Lunch club",
            held_on=dt.date.today() - dt.timedelta(days=1),
            description="Planning the menu with members",
            member_hours=Decimal(6),
            staff_hours=None,
        ),
        SESSIONS,
    ),
}

USES = {
    "add_input": ("project",),
    "add_time_bank_hours": ("project", "exchange_day"),
    "add_outcome": ("project",),
    "remove_item": ("project",),
}
"""What each service is given, built before the snapshot of what is written."""

NO_ROLE_CHECK = {
    "record_search_demand": "counts a directory search that found little; no person is kept",
}
READS = {"case_with_area_figures", "normalise_search", "parse_deflator", "time_bank_hours"}


def _written() -> tuple[object, ...]:
    return (
        AuditEvent.objects.exclude(action=AuditEvent.Action.VIEW).count(),
        sorted((p.pk, str(p.case)) for p in Project.objects.all()),
        AreaProxy.objects.count(),
        sorted(DeflatorYear.objects.values_list("year", "index")),
        CoproductionSession.objects.count(),
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
    with pytest.raises(access.NotAllowed) as refused:
        call(world, user)
    assert str(refused.value)
    assert _written() == before


def test_time_bank_hours_are_refused_before_the_time_bank_is_counted() -> None:
    """Someone who may not change evidence learns nothing about the time bank's exchanges: the
    role is checked first, not after the count (an empty period is not "no exchanges")."""
    world = World()
    with pytest.raises(access.NotAllowed):
        services.add_time_bank_hours(
            f.user(Role.PERSON),
            world.project,
            start=dt.date(2001, 1, 1),
            end=dt.date(2001, 1, 31),
            rate="12.00",
            rate_source="Area rate",
            sector="people_and_families",
        )


def test_every_public_service_function_is_in_the_table_or_explained() -> None:
    public = {
        name
        for name, function in inspect.getmembers(services, inspect.isfunction)
        if not name.startswith("_") and function.__module__ == services.__name__
    }
    assert public == set(SERVICES) | set(NO_ROLE_CHECK) | READS


@pytest.mark.parametrize("role", ACTORS)
def test_the_predicates_are_the_roles(role: str) -> None:
    user = actor(role)
    assert access.can_use(user) is (role in EVIDENCE)
    assert access.can_record_sessions(user) is (role in SESSIONS)


def test_views_and_services_ask_the_predicates() -> None:
    for module in (views, services):
        source = inspect.getsource(module)
        assert "has_role(" not in source and "Role." not in source, module.__name__
    assert "access.can_use" in inspect.getsource(views)
    assert "access.can_record_sessions" in inspect.getsource(views)
