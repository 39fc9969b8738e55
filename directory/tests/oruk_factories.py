"""Test data for the ORUK API, import and export: small builders for fully populated records."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Any

from directory.models import (
    Accessibility,
    Address,
    Attribute,
    Contact,
    CostOption,
    Language,
    Location,
    Neighbourhood,
    Organization,
    OrganizationIdentifier,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from directory.services.search_words import refresh_search_documents

_n = itertools.count(1)


def taxonomy(**fields: Any) -> Taxonomy:
    fields.setdefault("name", f"Taxonomy {next(_n)}")
    fields.setdefault("description", "Terms for testing")
    fields.setdefault("uri", "https://id.esd.org.uk/list/services")
    return Taxonomy.objects.create(**fields)


def term(tax: Taxonomy | None, name: str, parent: TaxonomyTerm | None = None) -> TaxonomyTerm:
    return TaxonomyTerm.objects.create(
        taxonomy=tax,
        parent=parent,
        name=name,
        description=f"{name} services",
        code=f"T{next(_n)}",
        term_uri=f"https://id.esd.org.uk/service/{next(_n)}",
    )


def organization(**fields: Any) -> Organization:
    n = next(_n)
    fields.setdefault("name", f"Organisation {n}")
    fields.setdefault("description", f"Organisation {n} helps people.")
    fields.setdefault("email", f"hello{n}@example.org")
    fields.setdefault("website", f"https://org{n}.example.org")
    org = Organization.objects.create(**fields)
    OrganizationIdentifier.objects.create(
        organization=org,
        identifier_scheme="GB-CHC",
        identifier_type="Charity number",
        identifier=str(1_000_000 + n),
    )
    contact = Contact.objects.create(
        organization=org, name="Office", email=f"office{n}@example.org"
    )
    Phone.objects.create(contact=contact, number="01632 960000")
    return org


def neighbourhood(
    name: str = "Northgate", lat: str = "52.000000", lon: str = "-1.000000"
) -> Neighbourhood:
    hood, _ = Neighbourhood.objects.get_or_create(
        slug=name.lower().replace(" ", "-"),
        defaults={"name": name, "latitude": Decimal(lat), "longitude": Decimal(lon)},
    )
    return hood


def location(
    org: Organization, *, lat: str, lon: str, hood: Neighbourhood | None = None
) -> Location:
    n = next(_n)
    loc = Location.objects.create(
        organization=org,
        name=f"Hall {n}",
        description="A community hall",
        latitude=Decimal(lat),
        longitude=Decimal(lon),
        neighbourhood=hood,
    )
    Address.objects.create(
        location=loc, address_1=f"{n} High Street", city="Testbury", postal_code="TE1 1ST"
    )
    Accessibility.objects.create(location=loc, description=Accessibility.Feature.STEP_FREE)
    return loc


def service(
    org: Organization,
    *,
    terms: Sequence[TaxonomyTerm] = (),
    lat: str = "52.001000",
    lon: str = "-1.001000",
    hood: Neighbourhood | None = None,
    days: str = "MO,WE",
    opens: time = time(9, 0),
    closes: time = time(17, 0),
    amount: str | None = "0",
    **fields: Any,
) -> Service:
    n = next(_n)
    fields.setdefault("name", f"Service {n}")
    fields.setdefault("description", f"Service {n} description")
    fields.setdefault("url", f"https://service{n}.example.org")
    fields.setdefault("email", f"service{n}@example.org")
    fields.setdefault("minimum_age", 18)
    fields.setdefault("maximum_age", 99)
    fields.setdefault("assured_date", date(2026, 1, 5))
    fields.setdefault("accepts_personal_budgets", True)
    fields.setdefault("help_with_cost", "Ask us about help with the cost.")
    svc = Service.objects.create(organization=org, **fields)
    Schedule.objects.create(
        service=svc,
        freq="WEEKLY",
        byday=days,
        opens_at=opens,
        closes_at=closes,
        description="Weekly",
    )
    loc = location(org, lat=lat, lon=lon, hood=hood)
    sal = ServiceAtLocation.objects.create(service=svc, location=loc)
    Schedule.objects.create(
        service_at_location=sal,
        freq="WEEKLY",
        byday="FR",
        opens_at=time(7, 0),
        closes_at=time(18, 0),
    )
    if amount is not None:
        CostOption.objects.create(
            service=svc,
            option="Session",
            amount=Decimal(amount),
            amount_description="per hour",
            valid_from=date(2026, 1, 1),
        )
    Language.objects.create(service=svc, name="English", code="en")
    ServiceArea.objects.create(service=svc, name="Testbury", description="The whole borough")
    contact = Contact.objects.create(
        service=svc, name="Sam", title="Coordinator", email=f"sam{n}@example.org"
    )
    Phone.objects.create(contact=contact, number="01632 960001", description="Office")
    Phone.objects.create(service=svc, number="01632 960002", type="text")
    for t in terms:
        Attribute.objects.create(service=svc, taxonomy_term=t)
    return svc


@dataclass
class Directory:
    taxonomy: Taxonomy
    care: TaxonomyTerm
    home_care: TaxonomyTerm
    social: TaxonomyTerm
    orgs: list[Organization]
    services: list[Service] = field(default_factory=list)
    hood: Neighbourhood | None = None


def directory(count: int = 7) -> Directory:
    """``count`` active services over two organisations, plus one inactive service."""
    tax = taxonomy(name="ESD services")
    care = term(tax, "Care")
    home_care = term(tax, "Home care", parent=care)
    social = term(tax, "Social activities")
    hood = neighbourhood()
    orgs = [organization(), organization()]
    data = Directory(tax, care, home_care, social, orgs, hood=hood)
    words = [
        "alpha",
        "bravo",
        "charlie",
        "delta",
        "echo",
        "foxtrot",
        "golf",
        "hotel",
        "india",
        "juliett",
        "kilo",
        "lima",
    ]
    for i in range(count):
        chosen = [home_care] if i % 2 == 0 else [social]
        data.services.append(
            service(
                orgs[i % 2],
                terms=chosen,
                name=f"Service {chr(65 + i)}",
                description=f"The {words[i % len(words)]} service",
                lat=f"{52 + i * 0.01:.6f}",
                lon="-1.000000",
                hood=hood if i < 2 else None,
                minimum_age=18 if i % 3 else 5,
                maximum_age=65 if i % 3 else 99,
                opens=time(8 + i % 3, 0),
                amount="0" if i % 2 else "12.50",
            )
        )
    service(orgs[0], name="Closed service", status=Service.Status.DEFUNCT)
    refresh_search_documents(Service.objects.select_related("organization"))
    return data
