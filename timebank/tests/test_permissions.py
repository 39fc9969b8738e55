"""Issue 14: the time bank's role checks are named predicates (``timebank.permissions``) used by
views and services alike. This runs every role against every service that changes data.

Each actor below holds one role and is not a time bank member, and not a party to anything in the
world the test builds, so what they may do comes from their role alone: coordinators and
administrators (and superusers, who hold the administrator role) may do everything a coordinator
does; everyone else is refused with a sentence, and nothing is written.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from datetime import time, timedelta
from types import ModuleType
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from directory.tests import factories as f
from timebank import permissions, services
from timebank.models import ApiToken, Exchange, LedgerTransaction, Member, Posting
from timebank.services._common import TimebankRefused
from timebank.tests import factories as tb

pytestmark = pytest.mark.django_db

ACTORS = [role.value for role in Role] + ["superuser"]
COORDINATORS = {Role.COORDINATOR.value, Role.ADMINISTRATOR.value, "superuser"}
NOBODY: set[str] = set()


def actor(name: str) -> User:
    if name == "superuser":
        return f.user(None, is_superuser=True, is_staff=True)
    return f.user(name)


class World:
    """Members, an application, exchanges, a request, a rota and a token, made by a coordinator."""

    def __init__(self) -> None:
        self.cora = tb.coordinator()
        self.a = tb.member(by=self.cora, name="Alf")
        self.b = tb.member(by=self.cora, name="Bea")
        self.org = tb.member(by=self.cora, name="Library", kind=Member.Kind.SERVICE)
        self.applicant = tb.member(approved=False, name="Cy")
        self.confirmed = tb.exchange(self.a, self.b, 30, start=tb.at(-3, 10))
        self.proposed = tb.exchange(self.a, self.b, 30, start=tb.at(-3, 14), confirm=False)
        self.req = services.create_request(member=self.b, title="A lift", category=None)
        first = timezone.localdate() - timedelta(days=7)
        self.first = first
        self.rota = services.create_rota(
            coordinator=self.cora,
            title="Lift",
            weekday=first.weekday(),
            start_time=time(9),
            duration_minutes=60,
            first_date=first,
            end_date=first + timedelta(weeks=2),
            receiver=self.b,
        )
        services.assign_to_rota(
            coordinator=self.cora, rota=self.rota, member=self.a, starting=first, until=first
        )
        services.issue_api_token(user=self.a.user)
        self.token = ApiToken.objects.get(user=self.a.user)


SERVICES: dict[str, tuple[Callable[[World, User], Any], set[str]]] = {
    # Coordinators only.
    "approve_member": (
        lambda w, u: services.approve_member(coordinator=u, member=w.applicant),
        COORDINATORS,
    ),
    "decline_member": (
        lambda w, u: services.decline_member(coordinator=u, member=w.applicant, reason="No"),
        COORDINATORS,
    ),
    "set_debit_limit": (
        lambda w, u: services.set_debit_limit(coordinator=u, member=w.a, minutes=-60),
        COORDINATORS,
    ),
    "record_check": (
        lambda w, u: services.record_check(
            coordinator=u,
            member=w.a,
            kind="reference",
            checked_on=timezone.localdate() - timedelta(days=1),
        ),
        COORDINATORS,
    ),
    "reverse_exchange": (
        lambda w, u: services.reverse_exchange(coordinator=u, exchange=w.confirmed, reason="Oops"),
        COORDINATORS,
    ),
    "create_rota": (
        lambda w, u: services.create_rota(
            coordinator=u,
            title="Shopping",
            weekday=w.first.weekday(),
            start_time=time(14),
            duration_minutes=60,
            first_date=w.first,
            end_date=w.first + timedelta(weeks=1),
        ),
        COORDINATORS,
    ),
    "assign_to_rota": (
        lambda w, u: services.assign_to_rota(
            coordinator=u, rota=w.rota, member=w.org, starting=w.first + timedelta(weeks=1)
        ),
        COORDINATORS,
    ),
    "import_members": (
        lambda w, u: services.import_members(
            coordinator=u, data="username,email,name,kind,neighbourhood\nnewbie,,Newbie,person,\n"
        ),
        COORDINATORS,
    ),
    "import_exchanges": (
        lambda w, u: services.import_exchanges(
            coordinator=u,
            data="giver,receiver,date,minutes,description\n"
            f"{w.a.user.username},{w.b.user.username},"
            f"{timezone.localdate() - timedelta(days=20)},45,Shopping\n",
        ),
        COORDINATORS,
    ),
    # The members concerned, or coordinators (the actors are neither members nor parties).
    "submit_exchange": (
        lambda w, u: services.submit_exchange(
            by=u,
            giver=w.a,
            receiver=w.b,
            minutes=30,
            start=tb.at(-4, 10),
            idempotency_key="third-party",
        ),
        COORDINATORS,
    ),
    "submit_exchange (record and confirm)": (
        lambda w, u: services.submit_exchange(
            by=u,
            giver=w.a.pk,
            receiver=w.b.pk,
            minutes=30,
            start=tb.at(-5, 10),
            idempotency_key="third-party-confirmed",
            confirm=True,
        ),
        COORDINATORS,
    ),
    "confirm_exchange": (
        lambda w, u: services.confirm_exchange(by=u, exchange=w.proposed),
        COORDINATORS,
    ),
    "decline_exchange": (
        lambda w, u: services.decline_exchange(by=u, exchange=w.proposed),
        COORDINATORS,
    ),
    "close_request": (lambda w, u: services.close_request(by=u, req=w.req), COORDINATORS),
    "issue_credits": (
        lambda w, u: services.issue_credits(
            by=u,
            organisation=w.org,
            member=w.a,
            minutes=30,
            reason="Volunteering",
            idempotency_key="issue",
        ),
        COORDINATORS,
    ),
    "redeem_credits": (
        lambda w, u: services.redeem_credits(
            by=u, member=w.a, partner=w.org, minutes=30, activity="Art", idempotency_key="spend"
        ),
        COORDINATORS,
    ),
    "record_rota_visit": (
        lambda w, u: services.record_rota_visit(
            by=u, rota=w.rota, day=w.first, member=w.a, done=True
        ),
        COORDINATORS,
    ),
    "revoke_api_token": (
        lambda w, u: services.revoke_api_token(by=u, token=w.token),
        COORDINATORS,
    ),
    "issue_api_token": (lambda w, u: services.issue_api_token(user=u), COORDINATORS),
    # A member's own rota dates: only members (none of the actors is one, whatever their role).
    "take_rota_slot": (
        lambda w, u: services.take_rota_slot(by=u, rota=w.rota, day=w.first + timedelta(weeks=2)),
        NOBODY,
    ),
    "give_back_rota_slot": (
        lambda w, u: services.give_back_rota_slot(
            by=u, rota=w.rota, day=w.first + timedelta(weeks=2)
        ),
        NOBODY,
    ),
    "offer_rota_slot": (
        lambda w, u: services.offer_rota_slot(
            by=u, rota=w.rota, day=w.first + timedelta(weeks=2), to=w.org
        ),
        NOBODY,
    ),
    "answer_rota_swap": (
        lambda w, u: services.answer_rota_swap(
            by=u, rota=w.rota, day=w.first + timedelta(weeks=2), accept=True
        ),
        NOBODY,
    ),
}

NO_ROLE_CHECK = {
    "apply_to_join": "anyone signed in applies once, for themselves",
    "create_offer": "writes for the member passed; the views pass the signed-in member's own",
    "create_request": "writes for the member passed; the views pass the signed-in member's own",
    "request_for_plan": "called by budgets after its own check that the actor may edit the plan",
    "send_due_reminders": "the daily command, no person acting",
    "propose_exchange": "submit_exchange under another name",
    "account_for": "creates a missing account row for a member; no person acting",
    "issuer_account": "creates the time bank's own account once; no person acting",
    "user_for_token": "authenticates an API request (writes the token's last-used time)",
    "tell_coordinators_unmatched": "emails coordinators about a request; writes nothing",
    "write_entry": "the ledger's write step inside _post, under the caller's checks and locks",
}
"""Public functions of ``timebank.services`` that write but are not given a person acting."""

READS = {
    "api_token_days",
    "commitment_for",
    "date_in_range",
    "dbs_valid_until",
    "default_debit_limit",
    "has_ended",
    "has_forbidden_characters",
    "hash_token",
    "joining_credit_minutes",
    "limit_for",
    "plan_for",
    "rota_slot_start",
}


def _service_modules() -> list[ModuleType]:
    """The modules of the ``timebank.services`` package (one per thing people do)."""
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
    """Other apps import ``timebank.services.<name>``: each public function of the modules is
    re-exported there, in ``__all__``, as the very function its module defines."""
    missing = _public_functions() - set(services.__all__)
    assert not missing, f"add these to timebank/services/__init__.py: {missing}"
    for module in _service_modules():
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and fn.__module__ == module.__name__:
                assert getattr(services, name) is fn, name


def test_every_public_service_function_is_in_the_table_or_explained() -> None:
    table = {name.split(" ")[0] for name in SERVICES}
    unclassified = _public_functions() - table - set(NO_ROLE_CHECK) - READS
    assert not unclassified, f"add these to the role table (or explain them): {unclassified}"


def _written() -> tuple[int, ...]:
    return (
        Exchange.objects.filter(status=Exchange.Status.CONFIRMED).count(),
        Exchange.objects.count(),
        LedgerTransaction.objects.count(),
        Posting.objects.count(),
        Member.objects.filter(status=Member.Status.APPROVED).count(),
        ApiToken.objects.filter(revoked_at__isnull=True).count(),
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
    before = _written()
    with pytest.raises(TimebankRefused):
        call(world, user)
    assert _written() == before


@pytest.mark.parametrize("role", ACTORS)
def test_the_coordinator_predicate_is_the_coordinating_roles(role: str) -> None:
    assert permissions.is_coordinator(actor(role)) is (role in COORDINATORS)


def test_views_and_services_share_the_predicates() -> None:
    """The views module asks the same predicates (no role check of its own)."""
    from timebank import views

    source = inspect.getsource(views)
    assert "has_role(" not in source and "Role." not in source
    assert vars(views)["is_coordinator"] is permissions.is_coordinator
    for module in _service_modules():  # and the services modules ask the same predicate
        if hasattr(module, "is_coordinator"):
            assert module.is_coordinator is permissions.is_coordinator, module.__name__
