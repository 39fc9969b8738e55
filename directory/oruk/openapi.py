"""The OpenAPI document this API serves at /api/oruk/openapi.json.

It is the Open Referral UK 3.0 document (``spec/oruk-3.0-openapi.json``, see ``spec/SOURCE.txt``)
with what this API adds or does differently written in: the server URL, the ``/organizations``
endpoints, the parameters each endpoint really accepts (ORUK's and this platform's extras), the
``x_`` extension fields, and problem-JSON errors. Two invalid bits of the upstream document are
corrected so the result passes the OpenAPI 3.0 meta-schema: ``start_time``/``end_time`` had
``"type": "time"`` (now a string with format ``time``) and ``modified_after`` had format
``datetime`` (now ``date-time``).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

UPSTREAM = Path(__file__).with_name("spec") / "oruk-3.0-openapi.json"
UK_SCHEMAS = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema"
PROFILE = "https://openreferraluk.org/specifications/3.0"

OPTIONAL = {
    "/taxonomies",
    "/taxonomies/{id}",
    "/taxonomy_terms",
    "/taxonomy_terms/{id}",
    "/service_at_locations",
    "/service_at_locations/{id}",
    "/organizations",
    "/organizations/{id}",
}


def _param(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


EXTRA_PARAMETERS: dict[str, dict[str, Any]] = {
    "postcode": _param(
        "postcode",
        "A full UK postcode, like DN15 6NL (any case, with or without the space): the point "
        "for distance ordering and `proximity` is its centre, from the area's postcode "
        "directory. On `/services` results come nearest first unless `sort` says otherwise. A "
        "postcode that is not a full postcode, or that the directory does not hold, gets a "
        "400 naming `postcode`. Service areas are not held, so no coverage check is made.",
        {"type": "string", "maxLength": 200, "example": "DN15 6NL"},
    ),
    "sort": _param(
        "sort",
        "Extension. `relevance` (the default: best match for `search` first, else nearest "
        "first when a point is given, else by name), `distance` (nearest first; needs a point) "
        "or `name`.",
        {"type": "string", "enum": ["relevance", "distance", "name"], "default": "relevance"},
    ),
    "neighbourhood": _param(
        "neighbourhood",
        "Extension. Slug of one of this area's neighbourhoods: its centroid is "
        "the point for distance ordering and `proximity`.",
        {"type": "string"},
    ),
    "latitude": _param(
        "latitude",
        "Extension. Latitude (WGS84) of the point for distance "
        "ordering and `proximity`; give with `longitude`.",
        {"type": "number", "minimum": -90, "maximum": 90},
    ),
    "longitude": _param(
        "longitude",
        "Extension. Longitude (WGS84); give with `latitude`.",
        {"type": "number", "minimum": -180, "maximum": 180},
    ),
    "proximity": _param(
        "proximity",
        "Only results within this many metres of the point given by `postcode`, by "
        "`latitude` and `longitude`, or by `neighbourhood`.",
        {"type": "number", "minimum": 100, "maximum": 50000},
    ),
    "personal_budgets": _param(
        "personal_budgets",
        "Extension. Only services that accept a personal budget or direct payment.",
        {"type": "boolean"},
    ),
    "time_credits": _param(
        "time_credits", "Extension. Only services that accept time credits.", {"type": "boolean"}
    ),
    "micro": _param(
        "micro", "Extension. Only micro-providers (5 or fewer staff).", {"type": "boolean"}
    ),
    "language": _param(
        "language",
        "Extension. Only services offered in this language (name or ISO 639 code).",
        {"type": "string"},
    ),
    "accessibility": {
        **_param(
            "accessibility",
            "Extension. Only services with a location that has this "
            "accessibility feature; repeat for several.",
            {
                "type": "array",
                "items": {
                    "type": "string",
                    "enum": [
                        "step-free",
                        "accessible-toilet",
                        "hearing-loop",
                        "bsl",
                        "large-print",
                        "quiet-space",
                        "parking",
                    ],
                },
            },
        ),
        "style": "form",
        "explode": True,
    },
    "price": _param(
        "price",
        "Extension. `free` (the provider gave cost options and every one is 0) or `paid` (a "
        "cost option above zero). A service whose cost is not known matches neither.",
        {"type": "string", "enum": ["free", "paid"]},
    ),
    "parent_id": _param(
        "parent_id", "Only taxonomy terms whose parent has this id.", {"type": "string"}
    ),
    "top_only": _param("top_only", "Only taxonomy terms with no parent.", {"type": "boolean"}),
}

SERVICE_EXTENSIONS = {
    "alternate_name": {"type": "string", "description": "HSDS 3.0 field."},
    "eligibility_description": {"type": "string", "description": "HSDS 3.0 field."},
    "phones": {"type": "array", "items": {"type": "object"}, "description": "HSDS 3.0 field."},
    "x_accepts_personal_budgets": {
        "type": "boolean",
        "description": "Extension. Accepts a personal budget: true or false as the provider said; "
        "left out when not known.",
    },
    "x_accepts_direct_payments": {
        "type": "boolean",
        "description": "Extension. Accepts direct payments: true or false as the provider said; "
        "left out when not known.",
    },
    "x_accepts_time_credits": {
        "type": "boolean",
        "description": "Extension. Accepts time credits: true or false as the provider said; "
        "left out when not known.",
    },
    "application_process": {
        "type": "string",
        "description": "HSDS 3.0 field. How to book or apply (a feed's booking notes).",
    },
    "x_attending_type": {
        "type": "string",
        "description": "Extension (ORUK 1.0 attending_type). How people attend: venue, phone, "
        "online, home visit.",
    },
    "x_attending_access": {
        "type": "string",
        "description": "Extension (ORUK 1.0 attending_access). Drop-in, appointment, referral…",
    },
    "x_deliverable_type": {
        "type": "string",
        "description": "Extension (ORUK 1.0 deliverable_type). The kind of support given.",
    },
    "x_date_created": {
        "type": "string",
        "format": "date",
        "description": "Extension. When the publisher created the record, as its feed said.",
    },
    "x_date_modified": {
        "type": "string",
        "format": "date",
        "description": "Extension. When the publisher last changed the record, as its feed said.",
    },
    "x_help_with_cost": {
        "type": "string",
        "description": "Extension. Can I get help with the cost? In plain words.",
    },
    "x_cqc_location_id": {"type": "string", "description": "Extension. CQC location id."},
    "x_cqc_rating": {
        "type": "string",
        "description": "Extension. CQC overall rating.",
        "enum": ["Outstanding", "Good", "Requires improvement", "Inadequate", "Not yet rated"],
    },
    "x_cqc_rating_date": {
        "type": "string",
        "format": "date",
        "description": "Extension. Date of the CQC rating.",
    },
    "x_distance_km": {
        "type": "number",
        "description": "Extension. Distance from the point "
        "searched from, in kilometres (only when a point is given).",
    },
}
ORGANIZATION_EXTENSIONS = {
    "alternate_name": {"type": "string", "description": "HSDS 3.0 field."},
    "contacts": {"type": "array", "items": {"type": "object"}, "description": "HSDS 3.0 field."},
    "x_provider_kind": {
        "type": "string",
        "description": "Extension. Kind of provider.",
        "enum": ["micro", "social_enterprise", "charity", "community_group", "private", "public"],
    },
    "x_staff_count": {"type": "integer", "description": "Extension. Number of staff."},
}

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "parameter": {"type": "string", "description": "The query parameter at fault."},
        "invalid_params": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
}


def _ref(name: str, where: str = "parameters") -> dict[str, str]:
    return {"$ref": f"#/components/{where}/{name}"}


def _page_of(item_schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "allOf": [_ref("Page", "schemas")],
        "properties": {"contents": {"type": "array", "items": item_schema}},
    }


def _with(upstream: str, extension: str) -> dict[str, Any]:
    return {"allOf": [{"$ref": upstream}, _ref(extension, "schemas")]}


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "200": {"description": description, "content": {"application/json": {"schema": schema}}}
    }


def _organization_paths() -> dict[str, Any]:
    return {
        "/organizations": {
            "get": {
                "description": "Paginated list of organizations (one-to-one fields).",
                "summary": "Paginated list of organizations.",
                "operationId": "getPaginatedListOfOrganizations",
                "parameters": [
                    _ref("search"),
                    _ref("full"),
                    _ref("page"),
                    _ref("per_page"),
                    _ref("format"),
                ],
                "responses": _ok(
                    "Paginated list of organizations.",
                    _page_of(
                        _with(
                            f"{UK_SCHEMAS}/compiled/organization_list.json",
                            "OrganizationExtensions",
                        )
                    ),
                ),
            }
        },
        "/organizations/{id}": {
            "parameters": [
                {
                    "in": "path",
                    "name": "id",
                    "required": True,
                    "description": "The id of the organization.",
                    "schema": {"type": "string"},
                }
            ],
            "get": {
                "description": "Organization with its identifiers and its services (one-to-one "
                "fields, or fully nested with `full_service`).",
                "summary": "Organization by id.",
                "operationId": "getOrganizationById",
                "parameters": [_ref("full_service")],
                "responses": _ok(
                    "The organization.",
                    _with(f"{UK_SCHEMAS}/compiled/organization.json", "OrganizationExtensions"),
                ),
            },
        },
    }


SERVICE_EXTRAS = [
    "organization_id",
    "modified_after",
    "format",
    "neighbourhood",
    "latitude",
    "longitude",
    "proximity",
    "personal_budgets",
    "time_credits",
    "micro",
    "language",
    "accessibility",
    "price",
]


@cache
def _document() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(UPSTREAM.read_text(encoding="utf-8"))
    doc["info"] = {
        **doc["info"],
        "title": "Wellbeing Hub directory: Open Referral UK 3.0 API",
        "description": (
            "Read-only, open (no key; `Access-Control-Allow-Origin: *`) Open Referral UK 3.0 API "
            "of this area's directory. Based on the ORUK 3.0 OpenAPI document "
            f"({PROFILE}/openapi.json). Fields and parameters this platform adds are marked "
            "'Extension' and have an `x_` prefix where HSDS has no name for them. Unknown or "
            "invalid query parameters get a 400 `application/problem+json` (RFC 9457) response; "
            "an unknown id gets a 404. `per_page` is at most 100 (default 20); a page past the "
            "last is empty. ORUK's `minimal` and `format=ndjson` are not served."
        ),
        "x-profile": PROFILE,
    }
    components = doc["components"]
    params = components["parameters"]
    params["start_time"]["schema"] = {"type": "string", "format": "time", "example": "09:00"}
    params["end_time"]["schema"] = {"type": "string", "format": "time", "example": "17:00"}
    for name in ("start_time", "end_time"):
        params[name]["description"] = (
            f"{params[name].get('description', '').rstrip('.')}. A local time of day at the "
            "service, like 09:00 or 17:00:00; a time zone is refused (opening times are local)."
        ).lstrip(". ")
    params["modified_after"]["schema"] = {"type": "string", "format": "date-time"}
    params["format"]["schema"] = {"type": "string", "enum": ["json"]}
    params["per_page"]["schema"] = {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
    params["page"]["schema"] = {"type": "integer", "minimum": 1, "maximum": 100_000, "default": 1}
    params["taxonomy_term_id"]["description"] = (
        "Services with this taxonomy term or any term below it."
    )
    params["proximity"] = EXTRA_PARAMETERS["proximity"]
    params["postcode"] = EXTRA_PARAMETERS["postcode"]
    for name, param in EXTRA_PARAMETERS.items():
        params.setdefault(name, param)
    components["schemas"]["ServiceExtensions"] = {
        "type": "object",
        "properties": SERVICE_EXTENSIONS,
    }
    components["schemas"]["OrganizationExtensions"] = {
        "type": "object",
        "properties": ORGANIZATION_EXTENSIONS,
    }
    components["schemas"]["LocationExtensions"] = {
        "type": "object",
        "properties": {
            "x_neighbourhood": {"type": "string", "description": "Extension. Neighbourhood slug."},
            "x_distance_km": SERVICE_EXTENSIONS["x_distance_km"],
        },
    }
    components["schemas"]["Problem"] = PROBLEM
    components["responses"] = {
        "BadRequest": {
            "description": "A query parameter is unknown or invalid.",
            "content": {"application/problem+json": {"schema": _ref("Problem", "schemas")}},
        },
        "NotFound": {
            "description": "No record has this id.",
            "content": {"application/problem+json": {"schema": _ref("Problem", "schemas")}},
        },
    }

    paths = doc["paths"]
    paths.update(_organization_paths())
    services = paths["/services"]["get"]
    services["parameters"] += [_ref(n) for n in [*SERVICE_EXTRAS, "postcode", "sort", "full"]]
    services["responses"] = _ok(
        "A paginated list of services with their one-to-one fields (fully nested with `full`).",
        _page_of(_with(f"{UK_SCHEMAS}/compiled/service_list.json", "ServiceExtensions")),
    )
    paths["/services/{id}"]["get"]["responses"] = _ok(
        "The fully nested service.",
        _with(f"{UK_SCHEMAS}/compiled/service.json", "ServiceExtensions"),
    )
    sal = paths["/service_at_locations"]["get"]
    sal["parameters"] += [_ref(n) for n in SERVICE_EXTRAS if _ref(n) not in sal["parameters"]]
    sal["responses"] = _ok(
        "A paginated list of service_at_location records, each with its location and service.",
        _page_of(
            _with(f"{UK_SCHEMAS}/compiled/service_at_location_list.json", "LocationExtensions")
        ),
    )
    paths["/service_at_locations/{id}"]["get"]["responses"] = _ok(
        "The service_at_location with its full location and fully nested service.",
        {"$ref": f"{UK_SCHEMAS}/compiled/service_at_location.json"},
    )
    paths["/taxonomies"]["get"]["parameters"] += [_ref("search"), _ref("format")]
    paths["/taxonomy_terms"]["get"]["parameters"] += [
        _ref("search"),
        _ref("taxonomy_id"),
        _ref("parent_id"),
        _ref("top_only"),
        _ref("format"),
    ]
    doc["paths"]["/openapi.json"] = {
        "get": {
            "description": "This document.",
            "summary": "This OpenAPI document.",
            "operationId": "getOpenApiDocument",
            "responses": _ok("This document.", {"type": "object"}),
        }
    }

    doc["tags"] = [
        {
            "name": "Optional",
            "description": "ORUK 3.0 endpoints the validator treats as optional (Level 2).",
        }
    ]
    for route, item in paths.items():
        operation = item["get"]
        if route in OPTIONAL:
            operation["tags"] = ["Optional"]
        operation["responses"]["400"] = _ref("BadRequest", "responses")
        if "{id}" in route:
            operation["responses"]["404"] = _ref("NotFound", "responses")
    return doc


def openapi_document(server_url: str) -> dict[str, Any]:
    """The document for this API served at ``server_url`` (the API root, no trailing slash)."""
    doc = copy.deepcopy(_document())
    doc["servers"] = [{"url": server_url, "description": "This directory's ORUK 3.0 API."}]
    return doc
