"""Small builders for directory test data: each makes one valid record with overridable fields."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import time
from decimal import Decimal
from typing import Any

from accounts.models import User
from accounts.roles import Role
from accounts.services import grant_role
from directory.models import (
    Accessibility,
    Address,
    Attribute,
    CostOption,
    Language,
    Location,
    Neighbourhood,
    Organization,
    OrganizationMember,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from directory.services.search_words import refresh_search_documents

_counter = itertools.count(1)


def user(role: str | None = Role.PERSON, **fields: Any) -> User:
    n = next(_counter)
    fields.setdefault("username", f"user{n}")
    fields.setdefault("email", f"user{n}@example.org")
    fields.setdefault("display_name", f"Test Person {n}")
    person = User.objects.create_user(password="a-long-test-password", **fields)
    if role:
        grant_role(person, role)
    return person


def neighbourhood(
    name: str = "Northgate", lat: str = "52.000000", lon: str = "-1.000000"
) -> Neighbourhood:
    return Neighbourhood.objects.create(
        slug=name.lower().replace(" ", "-"),
        name=name,
        latitude=Decimal(lat),
        longitude=Decimal(lon),
    )


def organization(**fields: Any) -> Organization:
    fields.setdefault("name", f"Test Organisation {next(_counter)}")
    fields.setdefault("description", "A test organisation.")
    return Organization.objects.create(**fields)


def service(
    *,
    organization_: Organization | None = None,
    terms: Sequence[TaxonomyTerm] = (),
    days: str = "",
    cost: str | None = None,
    at: Neighbourhood | None = None,
    lat: str | None = None,
    lon: str | None = None,
    languages: Sequence[tuple[str, str]] = (),
    accessibility: Sequence[str] = (),
    **fields: Any,
) -> Service:
    fields.setdefault("name", f"Test Service {next(_counter)}")
    fields.setdefault("description", "A service used in tests, with enough words to read.")
    svc = Service.objects.create(organization=organization_ or organization(), **fields)
    for term in terms:
        Attribute.objects.create(service=svc, taxonomy_term=term)
    if days:
        Schedule.objects.create(service=svc, byday=days, opens_at=time(10), closes_at=time(12))
    if cost is not None:
        CostOption.objects.create(service=svc, amount=Decimal(cost), option="per session")
    for code, name in languages:
        Language.objects.create(service=svc, code=code, name=name)
    if at is not None or lat is not None:
        loc = Location.objects.create(
            name=f"{svc.name} venue",
            neighbourhood=at,
            latitude=Decimal(lat) if lat else at.latitude,  # type: ignore[union-attr]
            longitude=Decimal(lon) if lon else at.longitude,  # type: ignore[union-attr]
        )
        Address.objects.create(
            location=loc, address_1="1 Test Street", city="Testville", postal_code="ZZ99 1AA"
        )
        for feature in accessibility:
            Accessibility.objects.create(location=loc, description=feature)
        ServiceAtLocation.objects.create(service=svc, location=loc)
    refresh_search_documents([svc])
    return svc


def term(name: str, parent: TaxonomyTerm | None = None) -> TaxonomyTerm:
    return TaxonomyTerm.objects.create(name=name, parent=parent, description=name)


def provider_user(org: Organization) -> User:
    person = user(Role.PROVIDER)
    OrganizationMember.objects.create(organization=org, user=person)
    return person
