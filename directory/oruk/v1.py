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


def to_v3(record: dict[str, Any]) -> dict[str, Any]:
    """An ORUK 1.0 service record in ORUK 3.0 shape."""
    skip = V1_KEYS | {
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
    result: dict[str, Any] = {k: v for k, v in record.items() if k not in skip}

    organization = record.get("organization")
    if isinstance(organization, dict):
        org = {
            k: v
            for k, v in organization.items()
            if k not in ("url", "services", "reviews", "link_taxonomies")
        }
        if organization.get("url") and not org.get("website"):
            org["website"] = organization["url"]
        result["organization"] = org
        result.setdefault("organization_id", org.get("id"))

    if "regular_schedules" in record:
        result["schedules"] = [_schedule(s) for s in _list(record, "regular_schedules")]

    if "service_at_locations" in record:
        sals = []
        for sal in _list(record, "service_at_locations"):
            if not isinstance(sal, dict):
                sals.append(sal)
                continue
            converted = {
                k: v
                for k, v in sal.items()
                if k not in ("regular_schedules", "holiday_schedules", "location")
            }
            converted["location"] = _location(sal.get("location"))
            if "regular_schedules" in sal:
                converted["schedules"] = [_schedule(s) for s in _list(sal, "regular_schedules")]
            sals.append(converted)
        result["service_at_locations"] = sals

    if "languages" in record:
        result["languages"] = [
            {"id": lang.get("id"), "name": lang.get("language") or lang.get("name")}
            if isinstance(lang, dict)
            else lang
            for lang in _list(record, "languages")
        ]

    if "contacts" in record:
        result["contacts"] = [
            {
                **c,
                "phones": [
                    {k: v for k, v in p.items() if k != "language"} if isinstance(p, dict) else p
                    for p in _list(c, "phones")
                ],
            }
            if isinstance(c, dict)
            else c
            for c in _list(record, "contacts")
        ]

    if "service_areas" in record:
        result["service_areas"] = [
            {
                "id": a.get("id"),
                "name": a.get("service_area") or a.get("name"),
                "description": a.get("extent") or a.get("description"),
            }
            if isinstance(a, dict)
            else a
            for a in _list(record, "service_areas")
        ]

    attributes: list[dict[str, Any]] = []
    for link in _list(record, "service_taxonomys"):
        term = _term(link.get("taxonomy")) if isinstance(link, dict) else None
        if term is not None:
            attributes.append({"id": link.get("id"), "taxonomy_term": term})

    if "eligibilitys" in record:
        minimums, maximums, criteria = [], [], []
        for rule in _list(record, "eligibilitys"):
            if not isinstance(rule, dict):
                continue
            if isinstance(rule.get("minimum_age"), int | float) and rule["minimum_age"] > 0:
                minimums.append(rule["minimum_age"])
            if isinstance(rule.get("maximum_age"), int | float) and rule["maximum_age"] > 0:
                maximums.append(rule["maximum_age"])
            if isinstance(rule.get("eligibility"), str) and rule["eligibility"].strip():
                criteria.append(rule["eligibility"].strip())
            for taxonomy in _list(rule, "taxonomys"):
                term = _term(taxonomy)
                if term is not None:
                    attributes.append({"taxonomy_term": term})
        if minimums and "minimum_age" not in record:
            result["minimum_age"] = min(minimums)
        if maximums and "maximum_age" not in record:
            result["maximum_age"] = max(maximums)
        if criteria and not record.get("eligibility_description"):
            result["eligibility_description"] = "; ".join(dict.fromkeys(criteria))
    if "service_taxonomys" in record or attributes:
        result["attributes"] = attributes

    for key in ("attending_type", "attending_access", "deliverable_type"):
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            result[f"x_{key}"] = value.strip()
    booking = record.get("pc_attendingAccess_additionalInfo")
    if isinstance(booking, str) and booking.strip() and not record.get("application_process"):
        result["application_process"] = booking.strip()
    metadata = record.get("pc_metadata")
    if isinstance(metadata, dict):
        for key in ("date_created", "date_modified"):
            if isinstance(metadata.get(key), str) and metadata[key].strip():
                result[f"x_{key}"] = metadata[key].strip()
    audience = audience_names(record.get("pc_targetAudience"))
    if audience:
        who = "For: " + ", ".join(audience) + "."
        current = result.get("eligibility_description")
        result["eligibility_description"] = f"{current}\n{who}" if current else who
    return result


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
