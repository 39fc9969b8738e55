"""Directory records as Open Referral UK 3.0 JSON (dicts ready for ``json.dumps``).

Field names follow ORUK 3.0 (the UK profile of HSDS 3.0). Where HSDS 3.0 has a field the UK profile
leaves out (``alternate_name``, ``eligibility_description``, service and contact ``phones``, language
``name``/``code``/``note``, taxonomy term ``code`` and ``taxonomy_detail``) the HSDS name is used.
This platform's own fields carry an ``x_`` prefix so they can never clash with a future ORUK or HSDS
name. Empty optional values are left out rather than sent as ``""`` or ``null``: the UK schemas check
formats (``uri``, ``email``), which an empty string fails.

The functions expect the related rows to be prefetched (see ``directory.oruk.queries``); they never
query the database themselves.
"""

from __future__ import annotations

from datetime import date, datetime, time
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

Json = dict[str, Any]


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def _compact(record: Json, *, keep: tuple[str, ...] = ()) -> Json:
    """Drop empty optional values; ``keep`` names fields the schema requires even when empty."""
    return {
        key: _value(value)
        for key, value in record.items()
        if key in keep or not (value is None or value == "")
    }


def _sorted(rows: Any) -> list[Any]:
    return sorted(rows, key=lambda row: row.pk)


# --- taxonomies ---------------------------------------------------------------------------------


def taxonomy(tax: Taxonomy, *, terms: list[TaxonomyTerm] | None = None) -> Json:
    record = _compact(
        {
            "id": tax.id,
            "name": tax.name,
            "description": tax.description,
            "uri": tax.uri,
            "version": tax.version,
        },
        keep=("description",),
    )
    if terms is not None:
        record["taxonomy_terms"] = [taxonomy_term(term) for term in terms]
    return record


def taxonomy_term(term: TaxonomyTerm, *, detail: bool = False) -> Json:
    tax = term.taxonomy
    record = _compact(
        {
            "id": term.id,
            "name": term.name,
            "description": term.description,
            "parent_id": term.parent_id,
            "taxonomy": tax.name if tax else None,
            "taxonomy_id": term.taxonomy_id,
            "term_uri": term.term_uri,
            "code": term.code,
        },
        keep=("description",),
    )
    if detail and tax is not None:
        record["taxonomy_detail"] = taxonomy(tax)
    return record


def attribute(attr: Attribute, *, link_type: str = "service") -> Json:
    return {
        "id": attr.id,
        "link_id": attr.service_id,
        "link_type": link_type,
        "taxonomy_term_id": attr.taxonomy_term_id,
        "taxonomy_term": taxonomy_term(attr.taxonomy_term, detail=True),
    }


# --- organisations ------------------------------------------------------------------------------


def organization_identifier(ident: OrganizationIdentifier) -> Json:
    return _compact(
        {
            "id": ident.id,
            "organization_id": ident.organization_id,
            "identifier_scheme": ident.identifier_scheme,
            "identifier_type": ident.identifier_type,
            "identifier": ident.identifier,
        },
        keep=("identifier_type", "identifier"),
    )


def organization_basic(org: Organization) -> Json:
    """One-to-one fields only, as in the list endpoints."""
    return _compact(
        {
            "id": org.id,
            "name": org.name,
            "alternate_name": org.alternate_name,
            "description": org.description,
            "email": org.email,
            "website": org.website,
            "x_provider_kind": org.provider_kind,
            "x_staff_count": org.staff_count,
        },
        keep=("description",),
    )


def organization_nested(org: Organization) -> Json:
    """With identifiers and the organisation's own contacts (needs them prefetched)."""
    record = organization_basic(org)
    record["organization_identifiers"] = [
        organization_identifier(i) for i in _sorted(org.organization_identifiers.all())
    ]
    record["contacts"] = [contact(c) for c in _sorted(org.contacts.all()) if c.service_id is None]
    return record


def organization_full(org: Organization, services: list[Service], *, full_service: bool) -> Json:
    record = organization_nested(org)
    record["services"] = [
        service_full(s, with_organization=False) if full_service else service_flat(s, nested=False)
        for s in services
    ]
    return record


# --- the parts of a service ---------------------------------------------------------------------


def phone(p: Phone) -> Json:
    return _compact(
        {
            "id": p.id,
            "service_id": p.service_id,
            "contact_id": p.contact_id,
            "number": p.number,
            "type": p.type,
            "description": p.description,
        },
        keep=("number",),
    )


def contact(c: Contact) -> Json:
    record = _compact(
        {
            "id": c.id,
            "service_id": c.service_id,
            "organization_id": c.organization_id,
            "name": c.name,
            "title": c.title,
            "email": c.email,
        }
    )
    record["phones"] = [phone(p) for p in _sorted(c.phones.all())]
    return record


def schedule(s: Schedule) -> Json:
    return _compact(
        {
            "id": s.id,
            "service_id": s.service_id,
            "service_at_location_id": s.service_at_location_id,
            "freq": s.freq,
            "interval": s.interval,
            "byday": s.byday,
            "opens_at": s.opens_at,
            "closes_at": s.closes_at,
            "valid_from": s.valid_from,
            "valid_to": s.valid_to,
            "description": s.description,
            "attending_type": s.attending_type,
            "notes": s.notes,
        }
    )


def cost_option(c: CostOption) -> Json:
    return _compact(
        {
            "id": c.id,
            "service_id": c.service_id,
            "option": c.option,
            "amount": c.amount,
            "amount_description": c.amount_description,
            "valid_from": c.valid_from,
            "valid_to": c.valid_to,
        }
    )


def language(lang: Language) -> Json:
    return _compact(
        {
            "id": lang.id,
            "service_id": lang.service_id,
            "name": lang.name,
            "code": lang.code,
            "note": lang.note,
        }
    )


def service_area(area: ServiceArea) -> Json:
    return _compact(
        {
            "id": area.id,
            "service_id": area.service_id,
            "name": area.name,
            "description": area.description,
        }
    )


def address(a: Address) -> Json:
    return _compact(
        {
            "id": a.id,
            "location_id": a.location_id,
            "address_1": a.address_1,
            "city": a.city,
            "region": a.region,
            "state_province": a.state_province,
            "postal_code": a.postal_code,
            "country": a.country,
            "address_type": a.address_type,
        },
        keep=("address_1", "city", "state_province", "postal_code", "country", "address_type"),
    )


def accessibility(a: Accessibility) -> Json:
    return _compact(
        {
            "id": a.id,
            "location_id": a.location_id,
            "description": a.description,
            "details": a.details,
            "url": a.url,
        }
    )


def location_basic(loc: Location) -> Json:
    return _compact(
        {
            "id": loc.id,
            "location_type": loc.location_type,
            "name": loc.name,
            "description": loc.description,
            "latitude": loc.latitude,
            "longitude": loc.longitude,
            "x_neighbourhood": loc.neighbourhood.slug if loc.neighbourhood else None,
        }
    )


def location_full(loc: Location) -> Json:
    record = location_basic(loc)
    record["addresses"] = [address(a) for a in _sorted(loc.addresses.all())]
    record["accessibility"] = [accessibility(a) for a in _sorted(loc.accessibility.all())]
    return record


def service_at_location_nested(sal: ServiceAtLocation) -> Json:
    """As it sits inside a fully nested service."""
    record = _compact(
        {
            "id": sal.id,
            "service_id": sal.service_id,
            "location_id": sal.location_id,
            "description": sal.description,
        }
    )
    record["location"] = location_full(sal.location)
    record["schedules"] = [schedule(s) for s in _sorted(sal.schedules.all())]
    return record


# --- services -----------------------------------------------------------------------------------


def service_flat(service: Service, *, nested: bool = True) -> Json:
    """One-to-one fields (and the basic organisation), as in ``GET /services``."""
    record = _compact(
        {
            "id": service.id,
            "organization_id": service.organization_id,
            "name": service.name,
            "alternate_name": service.alternate_name,
            "description": service.description,
            "url": service.url,
            "email": service.email,
            "status": service.status,
            "fees": service.fees_description,
            "eligibility_description": service.eligibility_description,
            "accreditations": service.accreditations,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "assured_date": service.assured_date,
            "alert": service.alert,
            "last_modified": service.last_modified,
            "application_process": service.application_process,
            "x_attending_type": service.attending_type,
            "x_attending_access": service.attending_access,
            "x_deliverable_type": service.deliverable_type,
            "x_date_created": service.publisher_created,
            "x_date_modified": service.publisher_modified,
            # Not known (None) is left out, never sent as false.
            "x_accepts_personal_budgets": service.accepts_personal_budgets,
            "x_accepts_direct_payments": service.accepts_direct_payments,
            "x_accepts_time_credits": service.accepts_time_credits,
            "x_help_with_cost": service.help_with_cost,
            "x_cqc_location_id": service.cqc_location_id,
            "x_cqc_rating": service.cqc_rating,
            "x_cqc_rating_date": service.cqc_rating_date,
        }
    )
    distance = getattr(service, "distance_km", None)
    if distance is not None:
        record["x_distance_km"] = round(distance, 3)
    if nested:
        record["organization"] = organization_basic(service.organization)
    return record


def service_full(service: Service, *, with_organization: bool = True) -> Json:
    """The fully nested service, as in ``GET /services/{id}`` and the export file."""
    record = service_flat(service, nested=False)
    record["schedules"] = [
        schedule(s) for s in _sorted(service.schedules.all()) if s.service_at_location_id is None
    ]
    record["service_areas"] = [service_area(a) for a in _sorted(service.service_areas.all())]
    record["service_at_locations"] = [
        service_at_location_nested(sal) for sal in _sorted(service.service_at_locations.all())
    ]
    record["languages"] = [language(lang) for lang in _sorted(service.languages.all())]
    if with_organization:
        record["organization"] = organization_nested(service.organization)
    record["cost_options"] = [cost_option(c) for c in _sorted(service.cost_options.all())]
    record["contacts"] = [contact(c) for c in _sorted(service.contacts.all())]
    record["phones"] = [phone(p) for p in _sorted(service.phones.all()) if p.contact_id is None]
    record["attributes"] = [attribute(a) for a in _sorted(service.attributes.all())]
    return record


# --- service at location ------------------------------------------------------------------------


def service_at_location_flat(sal: ServiceAtLocation) -> Json:
    """As in ``GET /service_at_locations``: the link, its location and its service (one-to-one)."""
    record = _compact(
        {
            "id": sal.id,
            "service_id": sal.service_id,
            "location_id": sal.location_id,
            "description": sal.description,
        }
    )
    record["location"] = location_basic(sal.location)
    record["service"] = service_flat(sal.service)
    distance = getattr(sal, "distance_km", None)
    if distance is not None:
        record["x_distance_km"] = round(distance, 3)
    return record


def service_at_location_full(sal: ServiceAtLocation) -> Json:
    """As in ``GET /service_at_locations/{id}``: full location and the fully nested service."""
    record = service_at_location_flat(sal)
    record["location"] = location_full(sal.location)
    record["schedules"] = [schedule(s) for s in _sorted(sal.schedules.all())]
    service = service_full(sal.service)
    service.pop("service_at_locations")
    record["service"] = service
    return record
