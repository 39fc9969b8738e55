"""The ORUK validator's checks (shared/standards/CONFORMANCE.md section 3), run against this API.

1. discovery: ``GET /`` has version, profile and openapi_url, and the URL serves the document;
2. the OpenAPI document: openapi, info, paths, non-empty title/version, and valid against the
   OpenAPI 3.0 meta-schema;
3. every GET path in the document is called (collections first; their ids feed the ``{id}``
   endpoints) and each response is checked against the validator's UK 3.0 response schemas;
4. pagination on the first, middle and last pages (and past the last) for per_page 1 and 5;
5. open CORS and no authentication.
The validator's own mock responses prove the schema checker: the Default ones pass, the failing
ones are rejected.
"""

from __future__ import annotations

import importlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no types-jsonschema in the lock file
import openapi_spec_validator
import pytest
from django.test import Client

from directory.tests import oruk_factories as f

# jsonschema checks the "uri" and "date-time" formats only when these are installed: loaded by
# name here (they have no type information), so a missing one fails the test run at once.
for _format_checker in ("rfc3339_validator", "rfc3986_validator"):
    importlib.import_module(_format_checker)

pytestmark = pytest.mark.django_db

API = "/api/oruk"
SCHEMAS = Path("standards/oruk/validator/schemas-3.0-uk")
MOCKS = Path("standards/examples/validator-mocks")

# Response schema for each path, as the validator's own OpenAPI document (open_api.json) has them.
# The validator's organization_list.json is the schema of one item, not of a page, so the items of
# /organizations are checked against it.
ENDPOINT_SCHEMAS = {
    "/": ("api_details", None),
    "/services": ("service_list", None),
    "/services/{id}": ("service", None),
    "/service_at_locations": ("service_at_location_list", None),
    "/service_at_locations/{id}": ("service_at_location", None),
    "/organizations": (None, "organization_list"),
    "/organizations/{id}": ("organization", None),
    "/taxonomies": ("taxonomy_list", None),
    "/taxonomies/{id}": ("taxonomy", None),
    "/taxonomy_terms": ("taxonomy_term_list", None),
    "/taxonomy_terms/{id}": ("taxonomy_term", None),
}
PAGED = ["/services", "/service_at_locations", "/organizations", "/taxonomies", "/taxonomy_terms"]


@cache
def _schema(shared: Path, name: str) -> Any:
    return json.loads((shared / SCHEMAS / f"{name}.json").read_text())


def schema_errors(
    shared: Path, document: Any, *, whole: str | None = None, items: str | None = None
) -> list[str]:
    """What the validator would report: the document against ``whole``, and each of its
    ``contents`` against ``items``. Formats (uuid, uri, email, date-time) are checked."""
    checker = jsonschema.FormatChecker()
    errors: list[str] = []
    if whole:
        validator = jsonschema.Draft202012Validator(_schema(shared, whole), format_checker=checker)
        errors += [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(document)
        ]
    if items:
        validator = jsonschema.Draft202012Validator(_schema(shared, items), format_checker=checker)
        for i, item in enumerate(document.get("contents", [])):
            errors += [
                f"contents/{i}/{'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in validator.iter_errors(item)
            ]
    return errors


def page_errors(page: dict[str, Any], *, requested: int, per_page: int) -> list[str]:
    """The validator's pagination assertions (its 2025 test profile), plus sound totals."""
    contents = page.get("contents")
    if not isinstance(contents, list):
        return ["contents is not a list"]
    errors = []
    expected_pages = max(1, -(-page["total_items"] // per_page))
    checks = {
        "page_number is the page asked for": page["page_number"] == requested,
        "total_pages fits total_items": page["total_pages"] == expected_pages,
        "first_page == (page == 1)": page["first_page"] == (requested == 1),
        "last_page == (page == total_pages)": page["last_page"]
        == (requested == page["total_pages"]),
        "empty == (no contents)": page["empty"] == (not contents),
        "size == len(contents)": page["size"] == len(contents),
        "a full page except the last": (
            len(contents) == per_page
            if requested < page["total_pages"]
            else len(contents) <= per_page
        ),
        "nothing past the last page": requested <= page["total_pages"] or not contents,
    }
    errors += [name for name, ok in checks.items() if not ok]
    return errors


@pytest.fixture
def data() -> f.Directory:
    return f.directory(7)


@pytest.fixture
def client() -> Client:
    return Client()


def get(client: Client, url: str, **params: Any) -> Any:
    response = client.get(url, params)
    assert response["Access-Control-Allow-Origin"] == "*", url
    assert response.status_code == 200, (url, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


# --- 1 and 2: discovery and the OpenAPI document -------------------------------------------------


def test_discovery_document_names_version_profile_and_a_working_openapi_url(
    client: Client, shared_dir: Path
) -> None:
    root = get(client, f"{API}/")
    assert schema_errors(shared_dir, root, whole="api_details") == []
    assert root["version"] == "HSDS-UK-3.0"
    assert root["profile"].startswith("https://openreferraluk.org/specifications/3.0")
    assert root["openapi_url"] == "http://testserver/api/oruk/openapi.json"
    doc = get(client, root["openapi_url"].removeprefix("http://testserver"))
    assert doc["openapi"].startswith("3.0")


def test_openapi_document_passes_the_validators_document_checks(client: Client) -> None:
    doc = get(client, f"{API}/openapi.json")
    assert doc.get("openapi") or doc.get("swagger"), "MISSING_OPENAPI_VERSION"
    assert doc.get("info"), "MISSING_INFO"
    assert doc.get("paths"), "MISSING_PATHS / NO_ENDPOINTS"
    assert doc["info"]["title"].strip() and doc["info"]["version"].strip()
    assert doc["servers"] == [
        {"url": "http://testserver/api/oruk", "description": "This directory's ORUK 3.0 API."}
    ]


def test_openapi_document_is_valid_against_the_openapi_30_meta_schema(client: Client) -> None:
    resources = openapi_spec_validator.__name__
    from importlib.resources import files

    meta = json.loads(files(resources).joinpath("resources/schemas/v3.0/schema.json").read_text())
    doc = get(client, f"{API}/openapi.json")
    validator_class = jsonschema.validators.validator_for(meta)
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator_class(meta).iter_errors(doc)
    ]
    assert errors == [], "SCHEMA_VALIDATION_FAILED"


def test_openapi_document_covers_every_oruk_30_path_and_our_routes_serve_them(
    client: Client, shared_dir: Path, data: f.Directory
) -> None:
    upstream = json.loads((shared_dir / "standards/oruk/3.0/openapi.json").read_text())
    doc = get(client, f"{API}/openapi.json")
    assert set(upstream["paths"]) <= set(doc["paths"])
    assert set(ENDPOINT_SCHEMAS) <= set(doc["paths"])
    optional = {p for p, item in doc["paths"].items() if "Optional" in item["get"].get("tags", [])}
    assert optional == {
        p for p in ENDPOINT_SCHEMAS if p not in ("/", "/services", "/services/{id}")
    }


# --- 3: every endpoint against the UK response schemas; ids from lists resolve ------------------


def test_every_endpoint_validates_and_every_listed_id_resolves(
    client: Client, shared_dir: Path, data: f.Directory
) -> None:
    doc = get(client, f"{API}/openapi.json")
    collections = [p for p in doc["paths"] if "{id}" not in p and p in ENDPOINT_SCHEMAS]
    ids: dict[str, list[str]] = {}
    for path in collections:
        whole, items = ENDPOINT_SCHEMAS[path]
        body = get(client, f"{API}{path}", **({} if path == "/" else {"per_page": 100}))
        assert schema_errors(shared_dir, body, whole=whole, items=items) == [], path
        if path != "/":
            ids[path] = [item["id"] for item in body["contents"]]
            assert ids[path], f"NO_IDS_AVAILABLE for {path}"
    for path in [p for p in doc["paths"] if "{id}" in p]:
        collection = path.removesuffix("/{id}")
        whole, items = ENDPOINT_SCHEMAS[path]
        for item_id in ids[collection]:
            body = get(client, f"{API}{path.replace('{id}', item_id)}")
            assert body["id"] == item_id
            assert schema_errors(shared_dir, body, whole=whole, items=items) == [], (path, item_id)


def test_services_list_holds_the_active_services_with_full_detail_on_request(
    client: Client, shared_dir: Path, data: f.Directory
) -> None:
    body = get(client, f"{API}/services", per_page=100, full="true")
    assert body["total_items"] == 7  # the defunct service is not published
    assert schema_errors(shared_dir, body, whole="service_list") == []
    single = _schema(shared_dir, "service")
    for item in body["contents"]:
        assert item["service_at_locations"] and item["attributes"]
        assert (
            list(
                jsonschema.Draft202012Validator(
                    single, format_checker=jsonschema.FormatChecker()
                ).iter_errors(item)
            )
            == []
        )


def test_organization_with_full_services_validates(
    client: Client, shared_dir: Path, data: f.Directory
) -> None:
    org = data.orgs[0]
    body = get(client, f"{API}/organizations/{org.id}", full_service="true")
    assert schema_errors(shared_dir, body, whole="organization") == []
    assert {s["name"] for s in body["services"]} == {
        "Service A",
        "Service C",
        "Service E",
        "Service G",
    }
    assert all("service_at_locations" in s for s in body["services"])


# --- 4: pagination ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGED)
@pytest.mark.parametrize("per_page", [1, 5])
def test_pagination_first_middle_last_and_past_the_end(
    client: Client, shared_dir: Path, data: f.Directory, path: str, per_page: int
) -> None:
    whole, items = ENDPOINT_SCHEMAS[path]
    first = get(client, f"{API}{path}", page=1, per_page=per_page)
    assert first["total_items"] > 0, "EMPTY_FEED_WARNING"
    total_pages = first["total_pages"]
    pages = sorted({1, max(1, total_pages // 2), total_pages, total_pages + 1, total_pages + 7})
    seen: list[str] = []
    for number in pages:
        body = first if number == 1 else get(client, f"{API}{path}", page=number, per_page=per_page)
        assert page_errors(body, requested=number, per_page=per_page) == [], (path, number)
        assert schema_errors(shared_dir, body, whole=whole, items=items) == []
        assert body["total_items"] == first["total_items"]
    for number in range(1, total_pages + 1):
        body = get(client, f"{API}{path}", page=number, per_page=per_page)
        seen += [item["id"] for item in body["contents"]]
    assert len(seen) == len(set(seen)) == first["total_items"], "pages overlap or skip items"


def test_pagination_holds_with_a_search_and_with_oruk_only_filters(
    client: Client, data: f.Directory
) -> None:
    for params in (
        {"search": "service"},
        {"minimum_age": "10"},
        {"search": "service", "organization_id": data.orgs[0].id},
    ):
        first = get(client, f"{API}/services", per_page=2, **params)
        assert first["total_items"] > 2
        for number in range(1, first["total_pages"] + 2):
            body = get(client, f"{API}/services", page=number, per_page=2, **params)
            assert page_errors(body, requested=number, per_page=2) == [], (params, number)


# --- 5: openness ------------------------------------------------------------------------------


def test_cors_is_open_on_every_response_including_errors_and_preflight(
    client: Client, data: f.Directory
) -> None:
    for url in [
        f"{API}/",
        f"{API}/services",
        f"{API}/services/nope",
        f"{API}/services?x=1",
        f"{API}/openapi.json",
        f"{API}/no-such-endpoint",
        f"{API}/services?page=0",
    ]:
        response = client.get(url)
        assert response["Access-Control-Allow-Origin"] == "*", url
    preflight = client.options(
        f"{API}/services",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert client.post(f"{API}/services")["Access-Control-Allow-Origin"] == "*"


def test_no_authentication_is_needed(data: f.Directory) -> None:
    anonymous = Client(enforce_csrf_checks=True)
    for path in ["/", "/services", "/taxonomies", "/organizations", "/service_at_locations"]:
        assert anonymous.get(f"{API}{path}").status_code == 200


# --- the schema checker itself, on the validator's mock responses --------------------------------

MOCK_SCHEMAS = {
    "api_details": ("api_details", None),
    "service_list": ("service_list", None),
    "service_full": ("service", None),
    "service_at_location_list": ("service_at_location_list", None),
    "service_at_location_full": ("service_at_location", None),
    "organization": ("organization", None),
    "organization_full": ("organization", None),
    "organization_list": (None, "organization_list"),
    "taxonomy": ("taxonomy", None),
    "taxonomy_list": ("taxonomy_list", None),
    "taxonomy_term": ("taxonomy_term", None),
    "taxonomy_term_list": ("taxonomy_term_list", None),
}
# The failing mocks that fail on their content (the others fail the validator's endpoint checks,
# such as ids, which the endpoint tests above cover for this API).
FAILING = {
    "api_details": ["profile' is a required property", "is not a 'uri'"],
    "service_full": ["is not a 'uri'", "is not a 'email'"],
    "service_list": ["'name' is a required property", "size == len(contents)"],
    "taxonomy_term": ["'description' is a required property", "is not a 'uri'"],
}


def _mock(shared: Path, kind: str, name: str) -> Any:
    return json.loads((shared / MOCKS / kind / f"{name}.json").read_text())


@pytest.mark.parametrize("name", sorted(set(MOCK_SCHEMAS) - {"organization_full"}))
def test_validator_default_mocks_pass_the_schema_checker(shared_dir: Path, name: str) -> None:
    whole, items = MOCK_SCHEMAS[name]
    assert (
        schema_errors(
            shared_dir, _mock(shared_dir, "V3.0-UK-Default", name), whole=whole, items=items
        )
        == []
    )


@pytest.mark.parametrize("name", sorted(FAILING))
def test_validator_failing_mocks_are_rejected_for_their_faults(shared_dir: Path, name: str) -> None:
    document = _mock(shared_dir, "V3.0-UK-Fail", name)
    whole, items = MOCK_SCHEMAS[name]
    found = schema_errors(shared_dir, document, whole=whole, items=items)
    if "contents" in document:
        found += page_errors(
            document, requested=document["page_number"], per_page=max(document["size"], 1)
        )
    report = "\n".join(found)
    for fault in FAILING[name]:
        assert fault in report, (name, fault, report)


def test_warn_mock_taxonomy_term_list_breaks_the_pagination_assertions(shared_dir: Path) -> None:
    document = _mock(shared_dir, "V3.0-UK-Warn", "taxonomy_term_list")
    assert "last_page == (page == total_pages)" in page_errors(document, requested=1, per_page=1)
