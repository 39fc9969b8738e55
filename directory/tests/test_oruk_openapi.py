"""The served OpenAPI document: its upstream copy is current, and it documents exactly the
parameters each endpoint accepts."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from directory import api
from directory.oruk.openapi import UPSTREAM, openapi_document

ACCEPTED = {
    "/services": api.PAGING | api.SERVICE_FILTERS | {"full", "sort"},
    "/service_at_locations": api.PAGING | api.SERVICE_FILTERS,
    "/organizations": api.PAGING | {"search", "full"},
    "/organizations/{id}": {"full_service"},
    "/taxonomies": api.PAGING | {"search"},
    "/taxonomy_terms": api.PAGING | {"search", "taxonomy_id", "parent_id", "top_only"},
}


def test_the_upstream_copy_matches_the_shared_standard(shared_dir: Path) -> None:
    assert UPSTREAM.read_bytes() == (shared_dir / "standards/oruk/3.0/openapi.json").read_bytes()


@pytest.mark.parametrize("path", sorted(ACCEPTED))
def test_each_endpoints_parameters_are_documented(path: str) -> None:
    doc = openapi_document("https://example.org/api/oruk")
    documented = set()
    for param in doc["paths"][path]["get"].get("parameters", []):
        if "$ref" in param:
            param = doc["components"]["parameters"][param["$ref"].rsplit("/", 1)[1]]
        documented.add(param["name"])
    assert documented == set(ACCEPTED[path])


def test_documented_paths_are_served(db: None) -> None:
    doc = openapi_document("https://example.org/api/oruk")
    client = Client()
    for path in doc["paths"]:
        response = client.get("/api/oruk" + path.replace("{id}", "none"))
        assert response.status_code in (200, 404), path
        assert response["Content-Type"].split(";")[0] in (
            "application/json",
            "application/problem+json",
        )


def test_the_document_is_a_fresh_copy_each_time() -> None:
    first = openapi_document("https://one.example/api/oruk")
    first["paths"].clear()
    assert openapi_document("https://two.example/api/oruk")["paths"]
