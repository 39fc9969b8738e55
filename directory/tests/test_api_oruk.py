"""The ORUK API's parameters: each filter narrows as described, bad input gets a 4xx problem JSON
naming the parameter (never a 500), and a page costs a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from directory.models import Service
from directory.tests import oruk_factories as f

pytestmark = pytest.mark.django_db

API = "/api/oruk"


@pytest.fixture
def data() -> f.Directory:
    return f.directory(7)


def names(client: Client, path: str = "/services", **params: Any) -> list[str]:
    response = client.get(f"{API}{path}", {"per_page": 100, **params})
    assert response.status_code == 200, response.content
    items = response.json()["contents"]
    return [i["name"] if "name" in i else i["service"]["name"] for i in items]


def problem(client: Client, url: str, status: int = 400) -> dict[str, Any]:
    response = client.get(f"{API}{url}")
    assert response.status_code == status, (url, response.content)
    assert response["Content-Type"] == "application/problem+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    return body


# --- filters ------------------------------------------------------------------------------------


def test_search_uses_the_directory_search(client: Client, data: f.Directory) -> None:
    assert names(client, search="charlie") == ["Service C"]
    assert names(client, search="nothing like it") == []


def test_taxonomy_term_includes_child_terms_and_taxonomy_id_any_term(
    client: Client, data: f.Directory
) -> None:
    home = ["Service A", "Service C", "Service E", "Service G"]
    assert names(client, taxonomy_term_id=data.care.id) == home
    assert names(client, taxonomy_term_id=data.home_care.id) == home
    assert names(client, taxonomy_term_id=data.social.id) == ["Service B", "Service D", "Service F"]
    assert len(names(client, taxonomy_id=data.taxonomy.id)) == 7
    assert names(client, taxonomy_id="another") == []


def test_organization_ages_and_modified_after(client: Client, data: f.Directory) -> None:
    assert names(client, organization_id=data.orgs[1].id) == ["Service B", "Service D", "Service F"]
    # Services A, D and G take people from 5; the rest from 18 (ORUK: "minimum age of at least").
    assert names(client, minimum_age="18") == ["Service B", "Service C", "Service E", "Service F"]
    assert names(client, maximum_age="65") == ["Service B", "Service C", "Service E", "Service F"]
    later = timezone.now() + timedelta(days=1)
    Service.objects.filter(name="Service B").update(last_modified=later + timedelta(hours=1))
    assert names(client, modified_after=later.isoformat()) == ["Service B"]
    assert names(client, modified_after="2000-01-01") != []


def test_day_and_opening_times(client: Client, data: f.Directory) -> None:
    # Services open at 8:00, 9:00 or 10:00 (by position) on Monday and Wednesday to 17:00, and
    # at their location on Friday from 7:00 to 18:00.
    assert len(names(client, day="monday")) == 7
    assert names(client, day="SU") == []
    assert names(client, start_time="10:00") == ["Service C", "Service F"]
    assert names(client, start_time="09:30", day="WE") == ["Service C", "Service F"]
    assert names(client, end_time="16:00") == []
    assert len(names(client, end_time="17:00")) == 7


def test_platform_extras(client: Client, data: f.Directory) -> None:
    service_d = Service.objects.get(name="Service D")
    service_d.accepts_personal_budgets = service_d.accepts_direct_payments = False
    service_d.save()  # signals keep the search rows in step (a queryset update would not)
    assert "Service D" not in names(client, personal_budgets="true")
    assert names(client, price="paid") == ["Service A", "Service C", "Service E", "Service G"]
    assert len(names(client, language="en", accessibility="step-free")) == 7


def test_distance_from_a_neighbourhood_or_a_point(client: Client, data: f.Directory) -> None:
    # Service n is about 1.1 km * n north of the Northgate centroid (52.0, -1.0).
    assert names(client, neighbourhood="northgate", proximity="2500") == [
        "Service A",
        "Service B",
        "Service C",
    ]
    body = client.get(
        f"{API}/services", {"latitude": "52.06", "longitude": "-1", "proximity": "1500"}
    ).json()
    assert [s["name"] for s in body["contents"]] == ["Service G", "Service F"]
    assert body["contents"][0]["x_distance_km"] == pytest.approx(0.0, abs=0.01)
    sal = client.get(
        f"{API}/service_at_locations",
        {"latitude": "52.03", "longitude": "-1.0", "proximity": "1200"},
    ).json()
    assert [s["service"]["name"] for s in sal["contents"]] == [
        "Service D",
        "Service C",
        "Service E",
    ]
    assert sal["contents"][0]["x_distance_km"] == pytest.approx(0.0, abs=0.01)
    assert sal["contents"][1]["x_distance_km"] == pytest.approx(1.113, abs=0.01)


def test_service_at_locations_filter_by_service_fields(client: Client, data: f.Directory) -> None:
    assert names(
        client, "/service_at_locations", taxonomy_term_id=data.social.id, minimum_age="18"
    ) == ["Service B", "Service F"]
    assert names(client, "/service_at_locations", search="echo") == ["Service E"]


def test_organizations_and_taxonomy_term_filters(client: Client, data: f.Directory) -> None:
    assert names(client, "/organizations", search=data.orgs[1].name) == [data.orgs[1].name]
    full = client.get(f"{API}/organizations", {"full": "true"}).json()["contents"][0]
    assert full["organization_identifiers"] and full["contacts"][0]["phones"]
    assert names(client, "/taxonomy_terms", top_only="true") == ["Care", "Social activities"]
    assert names(client, "/taxonomy_terms", parent_id=data.care.id) == ["Home care"]
    assert names(client, "/taxonomy_terms", taxonomy_id=data.taxonomy.id, search="care") == [
        "Care",
        "Home care",
    ]
    assert names(client, "/taxonomies", search="ESD") == ["ESD services"]


def test_detail_records_carry_extensions(client: Client, data: f.Directory) -> None:
    service = client.get(f"{API}/services/{data.services[0].id}").json()
    assert service["x_accepts_personal_budgets"] is True
    assert service["x_help_with_cost"].startswith("Ask us")
    assert service["organization"]["organization_identifiers"][0]["identifier_scheme"] == "GB-CHC"
    assert service["service_at_locations"][0]["location"]["x_neighbourhood"] == "northgate"
    assert service["service_at_locations"][0]["schedules"][0]["byday"] == "FR"
    assert service["attributes"][0]["taxonomy_term"]["taxonomy_detail"]["name"] == "ESD services"
    assert service["phones"][0]["number"] == "01632 960002"
    sal_id = service["service_at_locations"][0]["id"]
    sal = client.get(f"{API}/service_at_locations/{sal_id}").json()
    assert sal["service"]["id"] == service["id"] and sal["location"]["addresses"]
    term = client.get(f"{API}/taxonomy_terms/{data.home_care.id}").json()
    assert term["parent_id"] == data.care.id and term["taxonomy"] == "ESD services"
    taxonomy = client.get(f"{API}/taxonomies/{data.taxonomy.id}").json()
    assert len(taxonomy["taxonomy_terms"]) == 3


def test_unpublished_services_are_not_served(client: Client, data: f.Directory) -> None:
    closed = Service.objects.get(name="Closed service")
    problem(client, f"/services/{closed.id}", 404)
    assert "Closed service" not in names(client)


# --- bad input --------------------------------------------------------------------------------


def test_unknown_parameters_are_refused_by_name(client: Client, data: f.Directory) -> None:
    body = problem(client, "/services?text=care&vocabulary=x")
    assert body["parameter"] == "text"
    assert [p["name"] for p in body["invalid_params"]] == ["text", "vocabulary"]
    assert "text, vocabulary" in body["detail"]
    assert problem(client, "/taxonomies?taxonomy_id=x")["parameter"] == "taxonomy_id"
    assert problem(client, "/?page=1")["parameter"] == "page"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=-1", "page"),
        ("page=1.5", "page"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("per_page=ten", "per_page"),
        ("page=1&page=2", "page"),
        ("minimum_age=old", "minimum_age"),
        ("maximum_age=-3", "maximum_age"),
        ("minimum_age=NaN", "minimum_age"),
        ("start_time=9am", "start_time"),
        ("end_time=25:00", "end_time"),
        ("modified_after=yesterday", "modified_after"),
        ("day=someday", "day"),
        ("latitude=52", "latitude"),
        ("latitude=95&longitude=0", "latitude"),
        ("proximity=500", "proximity"),
        ("latitude=52&longitude=-1&proximity=5", "proximity"),
        ("neighbourhood=atlantis", "neighbourhood"),
        ("personal_budgets=maybe", "personal_budgets"),
        ("price=cheap", "price"),
        ("postcode=TE11ST", "postcode"),
        ("minimal=true", "minimal"),
        ("format=ndjson", "format"),
        (f"search={'x' * 201}", "search"),
    ],
)
def test_bad_values_get_a_400_naming_the_parameter(
    client: Client, data: f.Directory, query: str, parameter: str
) -> None:
    assert problem(client, f"/services?{query}")["parameter"] == parameter


def test_service_at_locations_bad_values_too(client: Client, data: f.Directory) -> None:
    assert problem(client, "/service_at_locations?postcode=TE11ST")["parameter"] == "postcode"
    assert problem(client, "/service_at_locations?neighbourhood=atlantis")["parameter"] == (
        "neighbourhood"
    )
    assert problem(client, "/taxonomy_terms?top_only=perhaps")["parameter"] == "top_only"


@pytest.mark.parametrize(
    "path", ["services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"]
)
def test_unknown_ids_are_404_problems(client: Client, data: f.Directory, path: str) -> None:
    body = problem(client, f"/{path}/no-such-id", 404)
    assert "no-such-id" in body["detail"] and body["parameter"] == "id"


def test_wrong_method_and_unknown_endpoint(client: Client) -> None:
    response = client.post(f"{API}/services", {})
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Content-Type"] == "application/problem+json"
    problem(client, "/vocabularies", 404)
    kind = problem(client, "/services?page=x")["type"]
    assert client.get(kind.removeprefix("http://testserver")).json()["status"] == 400


def test_a_page_past_the_end_is_empty_not_the_last_page(client: Client, data: f.Directory) -> None:
    body = client.get(f"{API}/services?search=service&per_page=5&page=3").json()
    assert body["contents"] == [] and body["empty"] and body["page_number"] == 3
    assert body["total_pages"] == 2 and not body["last_page"]


# --- query counts --------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url",
    [
        "/services?per_page=100",
        "/services?per_page=100&full=true",
        "/services?per_page=100&search=service",
        "/services?per_page=100&search=service&minimum_age=1",
        "/service_at_locations?per_page=100&latitude=52&longitude=-1",
        "/service_at_locations?per_page=100&search=service&minimum_age=1",
        "/organizations?per_page=100&full=true",
        "/taxonomy_terms?per_page=100",
        "/taxonomies?per_page=100",
    ],
)
def test_a_page_costs_the_same_queries_however_many_records(client: Client, url: str) -> None:
    # Each first request brings the in-memory search copy up to date (built, then patched with
    # the new services): the second counts the page's own queries.
    f.directory(2)
    _queries(client, f"{API}{url}")
    small = _queries(client, f"{API}{url}")
    f.directory(9)
    _queries(client, f"{API}{url}")
    assert _queries(client, f"{API}{url}") == small
    assert small <= 25


def test_detail_endpoints_cost_a_fixed_number_of_queries(client: Client) -> None:
    data = f.directory(2)
    service = data.services[0]
    for _ in range(4):
        f.service(service.organization)  # more services for the organisation page
    counts = {
        "service": _queries(client, f"{API}/services/{service.id}"),
        "sal": _queries(
            client, f"{API}/service_at_locations/{service.service_at_locations.get().id}"
        ),
        "org": _queries(client, f"{API}/organizations/{service.organization_id}?full_service=true"),
    }
    assert counts["service"] <= 16 and counts["sal"] <= 20 and counts["org"] <= 20, counts
