"""Issue 14: the directory's role checks are named predicates (``directory.permissions``) used by
views and services alike. This runs every role (and a superuser) against every directory service
that changes data, so a service that lost its check fails here even though its view still has one.

Each actor holds one role and is not a member of any organisation, not the person who asked an
enquiry nor the author of a review, so what they may do comes from their role alone: moderators
(coordinators, administrators, superusers) moderate; anyone signed in may ask and review; only an
organisation's own members (none of the actors) act for it. A refusal is a ``DirectoryError`` and
writes nothing.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from datetime import date
from types import ModuleType
from typing import Any

import pytest

from accounts.models import User
from accounts.roles import Role
from directory import permissions, services
from directory.models import (
    Enquiry,
    EnquiryDelivery,
    EnquiryMessage,
    ListingChange,
    OnboardingCheck,
    Review,
    Service,
)
from directory.services import enquiries, listings, onboarding, reviews
from directory.services._common import DirectoryError
from directory.tests import factories as f

pytestmark = pytest.mark.django_db

ACTORS = [role.value for role in Role] + ["superuser"]
MODERATORS = {Role.COORDINATOR.value, Role.ADMINISTRATOR.value, "superuser"}
EVERYONE = set(ACTORS)
NOBODY: set[str] = set()


def actor(name: str) -> User:
    if name == "superuser":
        return f.user(None, is_superuser=True, is_staff=True)
    return f.user(name)


class World:
    """A provider with a listed service and a member, a person's enquiry waiting for the
    coordinators to pass on, a published and a waiting review, and a waiting listing change."""

    def __init__(self) -> None:
        self.org = f.organization()
        self.service = f.service(organization_=self.org, name="Lunch club")
        self.member = f.provider_user(self.org)
        self.person = f.user()
        # No member and no address: the enquiry goes to the coordinators, who pass it on.
        self.unreachable = f.service(organization_=f.organization(email=""), email="")
        self.enquiry = enquiries.send_enquiry(
            person=self.person, service=self.unreachable, subject="Room?", body="Is there room?"
        )
        self.published = reviews.submit_review(
            author=self.person, service=self.service, rating=4, body="Good", used_service_on=""
        )
        Review.objects.filter(pk=self.published.pk).update(state=Review.State.PUBLISHED)
        self.published.refresh_from_db()
        self.waiting = reviews.submit_review(
            author=f.user(), service=self.service, rating=2, body="Cold", used_service_on=""
        )
        self.change = listings.propose_listing_change(
            author=self.member, service=self.service, changes={"name": "Lunch club (Fridays)"}
        )


SERVICES: dict[str, tuple[Callable[[World, User], Any], set[str]]] = {
    # Anyone signed in.
    "send_enquiry": (
        lambda w, u: enquiries.send_enquiry(
            person=u, service=w.service, subject="Parking?", body="Is there parking?"
        ),
        EVERYONE,
    ),
    "submit_review": (
        lambda w, u: reviews.submit_review(
            author=u, service=w.service, rating=5, body="Lovely", used_service_on="May"
        ),
        EVERYONE,
    ),
    # Moderators only.
    "moderate_review": (
        lambda w, u: reviews.moderate_review(moderator=u, review=w.waiting, publish=True),
        MODERATORS,
    ),
    "moderate_review (refuse)": (
        lambda w, u: reviews.moderate_review(
            moderator=u, review=w.waiting, publish=False, reason="Names a member of staff"
        ),
        MODERATORS,
    ),
    "decide_listing_change": (
        lambda w, u: listings.decide_listing_change(moderator=u, change=w.change, publish=True),
        MODERATORS,
    ),
    "decide_listing_change (refuse)": (
        lambda w, u: listings.decide_listing_change(
            moderator=u, change=w.change, publish=False, reason="Say which day"
        ),
        MODERATORS,
    ),
    "record_onboarding_check": (
        lambda w, u: onboarding.record_onboarding_check(
            coordinator=u,
            organization=w.org,
            check_name=OnboardingCheck.Check.INSURANCE,
            confirmed_on=date(2026, 1, 5),
            expires_on=None,
        ),
        MODERATORS,
    ),
    "record_passed_on": (
        lambda w, u: enquiries.record_passed_on(
            coordinator=u, enquiry=w.enquiry, note="Phoned the club"
        ),
        MODERATORS,
    ),
    # The organisation's own members, or the person who asked: none of the actors.
    "reply_to_enquiry": (
        lambda w, u: enquiries.reply_to_enquiry(author=u, enquiry=w.enquiry, body="Hello"),
        NOBODY,
    ),
    "reply_to_review": (
        lambda w, u: reviews.reply_to_review(author=u, review=w.published, reply="Thank you"),
        NOBODY,
    ),
    "propose_listing_change": (
        lambda w, u: listings.propose_listing_change(
            author=u, service=w.service, changes={"name": "Something else"}
        ),
        NOBODY,
    ),
    "propose_new_service": (
        lambda w, u: listings.propose_new_service(
            author=u, organization=w.org, fields={"name": "Walking group"}
        ),
        NOBODY,
    ),
    "propose_facts": (
        lambda w, u: listings.propose_facts(
            author=u, organization=w.org, facts={"staff_count": "4"}
        ),
        NOBODY,
    ),
}

NO_ROLE_CHECK = {
    "add_member": "set-up: the admin and the demo users make someone a member; no person acting",
    "refresh_search_documents": "rebuilds the search words of the services given; no person acting",
}
"""Public functions of ``directory.services`` that write but are not given a person acting."""

READS = {"organizations_of", "search_document_for"}


def _service_modules() -> list[ModuleType]:
    """The modules of the ``directory.services`` package (one per thing people do)."""
    return [
        importlib.import_module(f"{services.__name__}.{info.name}")
        for info in pkgutil.iter_modules(services.__path__)
    ]


def _public_functions() -> set[str]:
    """Public functions written in the services modules (not imported into them; ``_common``'s
    helpers are the modules' own)."""
    return {
        name
        for module in _service_modules()
        if not module.__name__.rpartition(".")[2].startswith("_")
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_") and fn.__module__ == module.__name__
    }


def test_every_public_service_function_is_exported_by_the_package() -> None:
    """Other apps import ``directory.services.<name>``: each public function of the modules is
    re-exported there, in ``__all__``, as the very function its module defines."""
    missing = _public_functions() - set(services.__all__)
    assert not missing, f"add these to directory/services/__init__.py: {missing}"
    for name in _public_functions():
        fn = getattr(services, name)
        assert getattr(importlib.import_module(fn.__module__), name) is fn, name


def test_every_public_service_function_is_in_the_table_or_explained() -> None:
    table = {name.split(" ")[0] for name in SERVICES}
    unclassified = _public_functions() - table - set(NO_ROLE_CHECK) - READS
    assert not unclassified, f"add these to the role table (or explain them): {unclassified}"


def _written() -> tuple[Any, ...]:
    return (
        Enquiry.objects.count(),
        EnquiryMessage.objects.count(),
        tuple(EnquiryDelivery.objects.order_by("pk").values_list("state", flat=True)),
        tuple(Review.objects.order_by("pk").values_list("state", "provider_reply")),
        tuple(ListingChange.objects.order_by("pk").values_list("state", "proposed")),
        tuple(Service.objects.order_by("pk").values_list("name", "status")),
        OnboardingCheck.objects.count(),
    )


@pytest.mark.parametrize("role", ACTORS)
@pytest.mark.parametrize("service", list(SERVICES))
def test_every_role_against_every_service_that_changes_data(service: str, role: str) -> None:
    world = World()
    call, allowed = SERVICES[service]
    user = actor(role)
    before = _written()
    if role in allowed:
        call(world, user)  # no refusal
        assert _written() != before
        return
    with pytest.raises(DirectoryError):
        call(world, user)
    assert _written() == before


@pytest.mark.parametrize("role", ACTORS)
def test_the_moderator_predicate_is_the_moderating_roles(role: str) -> None:
    assert permissions.is_moderator(actor(role)) is (role in MODERATORS)


def test_views_and_services_share_the_predicates() -> None:
    """The views and the services modules ask the predicates (no role check of their own)."""
    from directory import views

    for module in [views, *_service_modules()]:
        source = inspect.getsource(module)
        assert "has_role(" not in source and "Role." not in source, module.__name__
    assert vars(views)["permissions"] is permissions
