"""Open Referral UK 1.0 service records rewritten in ORUK 3.0 shape, so one importer serves both.

ORUK 1.0 (the LGA's 2019 profile, still served by many council feeds) nests the same things under
other names: ``regular_schedules`` for ``schedules``, ``eligibilitys`` (ages and eligibility
criteria), ``service_taxonomys`` (``taxonomy`` with a ``vocabulary``) for ``attributes``,
``physical_addresses`` and ``accessibility_for_disabilities`` under a location, ``language`` for a
language's name, and an organisation's ``url`` for ``website``. Pages use ``content`` where 3.0 has
``contents``.

What 1.0 feeds say about who a service is for and how to get it is kept: the audience
(``pc_targetAudience``, the only "who is it for" many feeds have) joins the eligibility
description; ``attending_type``, ``attending_access`` and ``deliverable_type`` become the
extensions ``x_attending_type``, ``x_attending_access`` and ``x_deliverable_type``; the booking
notes (``pc_attendingAccess_additionalInfo``) become ``application_process``; the publisher's dates
(``pc_metadata.date_created`` / ``date_modified``) become ``x_date_created`` / ``x_date_modified``.
What 3.0 has no place for (``holiday_schedules``, ``fundings``, ``reviews``, ``links``) is left out.
"""

from __future__ import annotations

import uuid
from typing import Any

V1_KEYS = frozenset(
    {
        "pc_targetAudience",
        "pc_metadata",
        "regular_schedules",
        "holiday_schedules",
        "eligibilitys",
        "service_taxonomys",
        "fundings",
        "deliverable_type",
        "attending_access",
        "reviews",
    }
)
VOCABULARY_NAMESPACE = uuid.UUID("0d7b1f52-93a2-4c47-9f0e-0b6b7e0d2a11")


def is_v1(record: dict[str, Any]) -> bool:
    if V1_KEYS & record.keys():
        return True
    sals = record.get("service_at_locations")
    if isinstance(sals, list):
        for sal in sals:
            location = sal.get("location") if isinstance(sal, dict) else None
            if isinstance(location, dict) and (
                "physical_addresses" in location or "accessibility_for_disabilities" in location
            ):
                return True
    return False


def vocabulary_id(vocabulary: str) -> str:
    """A stable taxonomy id for a 1.0 vocabulary name, so re-imports find the same taxonomy."""
    return str(uuid.uuid5(VOCABULARY_NAMESPACE, vocabulary.strip().lower()))


def _list(record: dict[str, Any], key: str) -> list[Any]:
    value = record.get(key)
    return value if isinstance(value, list) else []


def _term(taxonomy: Any) -> dict[str, Any] | None:
    if not isinstance(taxonomy, dict) or not taxonomy.get("id"):
        return None
    term: dict[str, Any] = {
        "id": taxonomy["id"],
        "name": taxonomy.get("name") or taxonomy["id"],
        "description": taxonomy.get("description") or "",
    }
    vocabulary = taxonomy.get("vocabulary")
    if isinstance(vocabulary, str) and vocabulary.strip():
        term["taxonomy_detail"] = {
            "id": vocabulary_id(vocabulary),
            "name": vocabulary.strip(),
            "description": f"ORUK 1.0 vocabulary {vocabulary.strip()}",
        }
    parent = taxonomy.get("parent")
    if isinstance(parent, dict):
        parent = parent.get("id")
    if isinstance(parent, str) and parent:
        term["parent_id"] = parent
    return term


def _schedule(schedule: Any) -> Any:
    if not isinstance(schedule, dict):
        return schedule
    return {k: v for k, v in schedule.items() if k not in ("service_at_location_id",)}


def _location(location: Any) -> Any:
    if not isinstance(location, dict):
        return location
    result = {
        k: v
        for k, v in location.items()
        if k not in ("physical_addresses", "accessibility_for_disabilities", "service_at_locations")
    }
    result.setdefault("location_type", "physical")
    if "physical_addresses" in location:
        result["addresses"] = [
            {**a, "address_type": a.get("address_type") or "physical"} if isinstance(a, dict) else a
            for a in _list(location, "physical_addresses")
        ]
    if "accessibility_for_disabilities" in location:
        result["accessibility"] = [
            {
                "id": a.get("id"),
                "description": a.get("accessibility") or a.get("description"),
                "details": a.get("details"),
            }
            if isinstance(a, dict)
            else a
            for a in _list(location, "accessibility_for_disabilities")
        ]
    return result


# Which keys of a 1.0 record ``to_v3`` rewrites (the rest are copied as they are).
_REWRITTEN = V1_KEYS | {
    "service_at_locations",
    "languages",
    "organization",
    "service_areas",
    "attending_type",
    "links",
    "contacts",
    "pc_targetAudience",
    "pc_attendingAccess_additionalInfo",
    "pc_metadata",
}


def to_v3(record: dict[str, Any]) -> dict[str, Any]:
    """An ORUK 1.0 service record in ORUK 3.0 shape.

    Each part of the record is rewritten by its own function, which returns the 3.0 keys it
    sets; they are added in this order (the order of the keys in the result)."""
    result: dict[str, Any] = {k: v for k, v in record.items() if k not in _REWRITTEN}
    for part in (_organization, _schedules, _service_at_locations, _languages, _contacts):
        result.update(part(record))
    result.update(_service_areas(record))
    eligibility, eligibility_terms = _eligibility(record)
    result.update(eligibility)
    result.update(_attributes(record, eligibility_terms))
    result.update(_delivery(record))
    result.update(_booking(record))
    result.update(_publisher_dates(record))
    result.update(_audience(record, result.get("eligibility_description")))
    return result


def _organization(record: dict[str, Any]) -> dict[str, Any]:
    """The organisation, its ``url`` as ``website``, and ``organization_id`` if not given."""
    organization = record.get("organization")
    if not isinstance(organization, dict):
        return {}
    org = {
        k: v
        for k, v in organization.items()
        if k not in ("url", "services", "reviews", "link_taxonomies")
    }
    if organization.get("url") and not org.get("website"):
        org["website"] = organization["url"]
    part: dict[str, Any] = {"organization": org}
    if "organization_id" not in record:
        part["organization_id"] = org.get("id")
    return part


def _schedules(record: dict[str, Any]) -> dict[str, Any]:
    if "regular_schedules" not in record:
        return {}
    return {"schedules": [_schedule(s) for s in _list(record, "regular_schedules")]}


def _service_at_locations(record: dict[str, Any]) -> dict[str, Any]:
    if "service_at_locations" not in record:
        return {}
    return {"service_at_locations": [_sal(s) for s in _list(record, "service_at_locations")]}


def _sal(sal: Any) -> Any:
    """A service at a location: its location rewritten, ``regular_schedules`` as ``schedules``."""
    if not isinstance(sal, dict):
        return sal
    converted = {
        k: v
        for k, v in sal.items()
        if k not in ("regular_schedules", "holiday_schedules", "location")
    }
    converted["location"] = _location(sal.get("location"))
    if "regular_schedules" in sal:
        converted["schedules"] = [_schedule(s) for s in _list(sal, "regular_schedules")]
    return converted


def _languages(record: dict[str, Any]) -> dict[str, Any]:
    """1.0 names a language in ``language``; 3.0 in ``name``."""
    if "languages" not in record:
        return {}
    return {
        "languages": [
            {"id": lang.get("id"), "name": lang.get("language") or lang.get("name")}
            if isinstance(lang, dict)
            else lang
            for lang in _list(record, "languages")
        ]
    }


def _contacts(record: dict[str, Any]) -> dict[str, Any]:
    """Contacts with their phones, less each phone's 1.0 ``language``."""
    if "contacts" not in record:
        return {}
    return {"contacts": [_contact(c) for c in _list(record, "contacts")]}


def _contact(contact: Any) -> Any:
    if not isinstance(contact, dict):
        return contact
    phones = [
        {k: v for k, v in p.items() if k != "language"} if isinstance(p, dict) else p
        for p in _list(contact, "phones")
    ]
    return {**contact, "phones": phones}


def _service_areas(record: dict[str, Any]) -> dict[str, Any]:
    """1.0's ``service_area`` and ``extent`` are 3.0's ``name`` and ``description``."""
    if "service_areas" not in record:
        return {}
    return {
        "service_areas": [
            {
                "id": a.get("id"),
                "name": a.get("service_area") or a.get("name"),
                "description": a.get("extent") or a.get("description"),
            }
            if isinstance(a, dict)
            else a
            for a in _list(record, "service_areas")
        ]
    }


def _eligibility(record: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """From ``eligibilitys``: the youngest minimum and oldest maximum age and the criteria
    (where the record does not give its own), and the taxonomy terms the rules name (returned
    apart, as attributes)."""
    if "eligibilitys" not in record:
        return {}, []
    minimums: list[Any] = []
    maximums: list[Any] = []
    criteria: list[str] = []
    terms: list[dict[str, Any]] = []
    for rule in _list(record, "eligibilitys"):
        if not isinstance(rule, dict):
            continue
        if _positive_age(rule, "minimum_age"):
            minimums.append(rule["minimum_age"])
        if _positive_age(rule, "maximum_age"):
            maximums.append(rule["maximum_age"])
        if isinstance(rule.get("eligibility"), str) and rule["eligibility"].strip():
            criteria.append(rule["eligibility"].strip())
        terms.extend(t for t in (_term(x) for x in _list(rule, "taxonomys")) if t is not None)
    part: dict[str, Any] = {}
    if minimums and "minimum_age" not in record:
        part["minimum_age"] = min(minimums)
    if maximums and "maximum_age" not in record:
        part["maximum_age"] = max(maximums)
    if criteria and not record.get("eligibility_description"):
        part["eligibility_description"] = "; ".join(dict.fromkeys(criteria))
    return part, terms


def _positive_age(rule: dict[str, Any], key: str) -> bool:
    value = rule.get(key)
    return isinstance(value, int | float) and value > 0


def _attributes(record: dict[str, Any], eligibility_terms: list[dict[str, Any]]) -> dict[str, Any]:
    """``service_taxonomys`` (with their link ids), then the eligibility rules' terms."""
    attributes: list[dict[str, Any]] = []
    for link in _list(record, "service_taxonomys"):
        term = _term(link.get("taxonomy")) if isinstance(link, dict) else None
        if term is not None:
            attributes.append({"id": link.get("id"), "taxonomy_term": term})
    attributes.extend({"taxonomy_term": term} for term in eligibility_terms)
    if "service_taxonomys" not in record and not attributes:
        return {}
    return {"attributes": attributes}


def _delivery(record: dict[str, Any]) -> dict[str, Any]:
    """How a service is attended and delivered, as the ``x_`` extensions."""
    part: dict[str, Any] = {}
    for key in ("attending_type", "attending_access", "deliverable_type"):
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            part[f"x_{key}"] = value.strip()
    return part


def _booking(record: dict[str, Any]) -> dict[str, Any]:
    """The booking notes as ``application_process``, unless the record gives one."""
    booking = record.get("pc_attendingAccess_additionalInfo")
    if isinstance(booking, str) and booking.strip() and not record.get("application_process"):
        return {"application_process": booking.strip()}
    return {}


def _publisher_dates(record: dict[str, Any]) -> dict[str, Any]:
    """The publisher's own dates from ``pc_metadata``."""
    metadata = record.get("pc_metadata")
    if not isinstance(metadata, dict):
        return {}
    return {
        f"x_{key}": metadata[key].strip()
        for key in ("date_created", "date_modified")
        if isinstance(metadata.get(key), str) and metadata[key].strip()
    }


def _audience(record: dict[str, Any], eligibility_description: Any) -> dict[str, Any]:
    """Who the service is for, added to the eligibility description."""
    audience = audience_names(record.get("pc_targetAudience"))
    if not audience:
        return {}
    who = "For: " + ", ".join(audience) + "."
    text = f"{eligibility_description}\n{who}" if eligibility_description else who
    return {"eligibility_description": text}


def audience_names(audience: Any) -> list[str]:
    """The names in an ORUK 1.0 ``pc_targetAudience`` list ("Parents>Grandparents" is
    "Grandparents (parents)"), each once, in order."""
    names: list[str] = []
    for item in audience if isinstance(audience, list) else []:
        name = item.get("audienceType") if isinstance(item, dict) else item
        if not isinstance(name, str) or not name.strip():
            continue
        parts = [p.strip() for p in name.split(">") if p.strip()]
        if not parts:
            continue
        label = parts[-1] if len(parts) == 1 else f"{parts[-1]} ({', '.join(parts[:-1]).lower()})"
        if label not in names:
            names.append(label)
    return names
