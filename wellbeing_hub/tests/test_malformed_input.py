"""Malformed input is refused with a 400 that names the field, before any view can fail on it."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_nul_in_a_query_parameter_of_a_page_gets_the_error_page(client: Client) -> None:
    response = client.get("/find-support/", {"q": "lunch\x00club"})
    assert response.status_code == 400
    assert b"Sorry, there is a problem with what was sent" in response.content
    assert b"The query parameter &#x27;q&#x27; contains a NUL character" in response.content


def test_nul_in_a_query_parameter_name_is_refused(client: Client) -> None:
    assert client.get("/find-support/?a%00b=1").status_code == 400


def test_nul_in_an_api_query_gets_a_json_problem(client: Client) -> None:
    response = client.get("/api/oruk/services", {"text": "\x00"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 400 and "'text'" in body["parameter"]


def test_nul_in_the_path_is_refused(client: Client) -> None:
    response = client.get("/api/oruk/services/abc%00def")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_nul_in_a_form_field_is_refused(client: Client) -> None:
    response = client.post("/account/sign-in/", {"username": "a\x00", "password": "x"})
    assert response.status_code == 400
    assert b"&#x27;username&#x27; contains a NUL character" in response.content


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"note": "a\x00b"}, "note"),
        ({"items": [{"name": "\x00"}]}, "items[0].name"),
        ({"a\x00": 1}, "a\x00"),
    ],
)
def test_nul_anywhere_in_a_json_body_is_refused(client: Client, body: object, field: str) -> None:
    response = client.post("/time-bank/api/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["parameter"] == f"The JSON field {field!r}"


def test_a_lone_surrogate_in_json_is_refused(client: Client) -> None:
    response = client.post(
        "/time-bank/api/", '{"note": "\\ud800"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert "lone surrogate" in response.json()["detail"]


@pytest.mark.parametrize(("depth", "status"), [(32, None), (33, 400), (100_000, 400)])
def test_json_nesting_is_bounded(client: Client, depth: int, status: int | None) -> None:
    body = "[" * depth + "]" * depth
    response = client.post("/time-bank/api/", body, content_type="application/json")
    if status is None:
        assert response.status_code != 400 or "nested" not in response.content.decode()
    else:
        assert response.status_code == status
        assert "nested more than 32 levels" in response.json()["detail"]


def test_ordinary_input_passes(client: Client) -> None:
    assert client.get("/find-support/", {"q": "lunch club £5 🙂"}).status_code == 200


def test_health_says_ok_when_the_database_answers(client: Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_unknown_pages_use_the_service_404_page(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


@pytest.mark.parametrize(("length", "status"), [(2000, 200), (2001, 400)])
def test_query_values_are_bounded(client: Client, length: int, status: int) -> None:
    response = client.get("/", {"q": "x" * length})
    assert response.status_code == status


def test_a_huge_admin_search_is_refused_not_a_server_error(admin_client: Client) -> None:
    response = admin_client.get("/admin/directory/organization/", {"q": "x" * 100_000})
    assert response.status_code == 400
