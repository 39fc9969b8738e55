"""Search near a postcode in the ORUK API (issue 12): ``postcode`` on ``/services`` and
``/service_at_locations`` as on the web search (nearest first, ``proximity`` in metres, ``sort``
on ``/services``), with the web search's messages in a 400 problem body, and documented."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from directory.models import Postcode
from directory.oruk.openapi import openapi_document
from directory.tests import factories as f

pytestmark = pytest.mark.django_db

API = "/api/oruk"


@pytest.fixture
def clubs() -> dict[str, str]:
    Postcode.objects.create(
        postcode="DN15 6NL", latitude=Decimal("53.588000"), longitude=Decimal("-0.654000")
    )
    return {
        "far": f.service(name="Far club", lat="53.700000", lon="-0.400000").pk,
        "near": f.service(name="Near club", lat="53.589000", lon="-0.655000").pk,
        "middle": f.service(name="Middle club", lat="53.570000", lon="-0.630000").pk,
        "nowhere": f.service(name="Anywhere club").pk,  # no place: last
    }


def ids(client: Client, path: str, **params: Any) -> list[str]:
    response = client.get(f"{API}{path}", params)
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["contents"]]


def problem(client: Client, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"{API}{path}", params)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def test_services_near_a_postcode_come_nearest_first(client: Client, clubs: dict[str, str]) -> None:
    order = [clubs["near"], clubs["middle"], clubs["far"], clubs["nowhere"]]
    assert ids(client, "/services", postcode="DN15 6NL") == order
    assert ids(client, "/services", postcode="dn156nl") == order  # as people type it
    # within 5 km: the far club (about 20 km) and the one with no place are left out
    assert ids(client, "/services", postcode="DN15 6NL", proximity=5000) == order[:2]
    by_name = ids(client, "/services", postcode="DN15 6NL", sort="name")
    assert by_name == [clubs[k] for k in ("nowhere", "far", "middle", "near")]


def test_service_at_locations_near_a_postcode(client: Client, clubs: dict[str, str]) -> None:
    response = client.get(f"{API}/service_at_locations", {"postcode": "DN15 6NL"})
    assert response.status_code == 200
    services = [item["service"]["id"] for item in response.json()["contents"]]
    assert services == [clubs["near"], clubs["middle"], clubs["far"]]


@pytest.mark.parametrize("path", ["/services", "/service_at_locations"])
def test_a_postcode_that_cannot_be_used_gets_the_web_searchs_message(
    client: Client, clubs: dict[str, str], path: str
) -> None:
    body = problem(client, path, postcode="not a postcode")
    assert body["parameter"] == "postcode"
    assert body["detail"].startswith("Enter a full postcode, like DN15 6NL, or leave it empty")
    body = problem(client, path, postcode="ZZ9 9ZZ")
    assert body["parameter"] == "postcode"
    assert body["detail"].startswith("We cannot find the postcode ZZ9 9ZZ")


def test_sort_and_proximity_are_checked(client: Client, clubs: dict[str, str]) -> None:
    assert problem(client, "/services", postcode="DN15 6NL", sort="cheapest")["parameter"] == (
        "sort"
    )
    assert problem(client, "/services", proximity=5000)["detail"].startswith(
        "proximity needs a point: give postcode"
    )
    assert problem(client, "/service_at_locations", sort="name")["parameter"] == "sort"


def test_the_openapi_document_describes_postcode_and_sort() -> None:
    doc = openapi_document("https://example.org/api/oruk")

    def names(path: str) -> list[str]:
        return [p["$ref"].rsplit("/", 1)[-1] for p in doc["paths"][path]["get"]["parameters"]]

    assert "postcode" in names("/services") and "sort" in names("/services")
    assert "postcode" in names("/service_at_locations")
    assert "sort" not in names("/service_at_locations")
    described = doc["components"]["parameters"]
    assert "DN15 6NL" in described["postcode"]["description"]
    assert described["sort"]["schema"]["enum"] == ["relevance", "distance", "name"]
    assert "postcode" not in doc["info"]["description"].split("not served")[0][-60:]
