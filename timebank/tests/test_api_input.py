"""The JSON API answers any body with a 4xx problem naming the field, never a 500 (issue 11).

Targeted cases for each kind of odd input, a property test that sends arbitrary JSON values (with
the nasty ones mixed in) for every field of every endpoint, and on PostgreSQL the NUL case.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_django import Settings

from timebank.api import FIELDS
from timebank.models import ApiToken, Exchange
from timebank.services.tokens import issue_api_token, revoke_api_token
from timebank.tests import factories as tb

pytestmark = pytest.mark.django_db

URL = "/time-bank/api/exchanges/"


@pytest.fixture
def setup() -> dict[str, Any]:
    a, b = tb.member(), tb.member()
    token = issue_api_token(user=tb.coordinator())
    body = {
        "idempotency_key": "odd-1",
        "giver": a.pk,
        "receiver": b.pk,
        "minutes": 30,
        "start": tb.at(-1).isoformat(),
        "description": "Gardening",
        "confirm": True,
    }
    return {"a": a, "b": b, "token": token, "body": body}


def _post(
    client: Client, token: str, payload: Any, url: str = URL, kind: str = "application/json"
) -> Any:
    """POST ``payload``. The site's middleware already refuses NUL characters and lone surrogates
    in bodies sent as ``application/json``; sent as ``text/plain`` they reach the endpoint's own
    checks, which must hold by themselves."""
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post(url, raw, content_type=kind, HTTP_AUTHORIZATION=f"Bearer {token}")


def _assert_problem(response: Any, status: int, field: str | None) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["detail"]
    if field is not None:  # the middleware's "parameter" is a phrase that names the field
        assert body.get("field") == field or field in body.get("parameter", "")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("giver", 2**63),
        ("giver", -(2**70)),
        ("giver", 1.5),
        ("giver", True),
        ("giver", "1"),
        ("giver", None),
        ("giver", [1]),
        ("giver", 0),
        ("receiver", 10**30),
        ("receiver", {"id": 1}),
        ("minutes", 2**63),
        ("minutes", 30.0),
        ("minutes", False),
        ("minutes", "30"),
        ("request", 2**64),
        ("request", 0.5),
        ("request", "x"),
        ("request", False),
        ("confirm", "yes"),
        ("confirm", 1),
        ("description", "a\x00b"),
        ("description", "\ud800"),
        ("description", "x" * 301),
        ("description", 5),
        ("idempotency_key", "k\x00"),
        ("idempotency_key", "k" * 97),
        ("idempotency_key", ""),
        ("idempotency_key", 7),
        ("start", "0001-01-01T00:00:00+14:00"),
        ("start", "9999-12-31T23:59:59-12:00"),
        ("start", "2026-03-04T10:00:00"),
        ("start", "2026-03-04T10:00:00+25:00"),
        ("start", "not a date"),
        ("start", 20260304),
        ("start", "2026-03-04\x00"),
        ("unexpected", 1),
    ],
)
@pytest.mark.parametrize("kind", ["application/json", "text/plain"])
def test_each_bad_field_is_a_400_problem_naming_it(
    client: Client, setup: dict[str, Any], field: str, value: Any, kind: str
) -> None:
    response = _post(client, setup["token"], {**setup["body"], field: value}, kind=kind)
    _assert_problem(response, 400, field)
    if kind == "text/plain":  # the endpoint's own answer
        body = response.json()
        assert body["error"] == body["detail"] and body["invalid_params"][0]["name"] == field
    assert Exchange.objects.count() == 0


@pytest.mark.parametrize("field", ["idempotency_key", "giver", "receiver", "minutes", "start"])
def test_a_missing_required_field_is_named(
    client: Client, setup: dict[str, Any], field: str
) -> None:
    body = {k: v for k, v in setup["body"].items() if k != field}
    _assert_problem(_post(client, setup["token"], body), 400, field)


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        b"[1, 2]",
        b'"text"',
        b"null",
        b"{bad json",
        b'{"minutes": NaN}',
        b'{"minutes": Infinity}',
        b"\xff\xfe\x00",
        b'{"giver": 1' + b"0" * 5000 + b"}",
    ],
)
def test_bodies_that_are_not_a_json_object(client: Client, setup: dict[str, Any], raw: str) -> None:
    response = _post(client, setup["token"], raw)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_a_good_body_still_records(client: Client, setup: dict[str, Any]) -> None:
    response = _post(client, setup["token"], setup["body"])
    assert response.status_code == 201 and response.json()["status"] == "confirmed"
    repeat = _post(client, setup["token"], setup["body"])
    assert repeat.status_code == 200 and repeat.json()["id"] == response.json()["id"]


def test_business_refusals_are_422_problems(client: Client, setup: dict[str, Any]) -> None:
    response = _post(client, setup["token"], {**setup["body"], "minutes": 0})
    _assert_problem(response, 422, None)
    assert "more than zero" in response.json()["detail"]
    response = _post(client, setup["token"], {**setup["body"], "request": 2**40})
    _assert_problem(response, 422, "request")


def test_wrong_method_and_confirm_of_unknown_exchange(
    client: Client, setup: dict[str, Any]
) -> None:
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {setup['token']}")
    assert response.status_code == 405 and response["Allow"] == "POST"
    confirm = reverse("timebank:api-exchange-confirm", args=[10**25])
    _assert_problem(_post(client, setup["token"], {}, confirm), 404, None)


# --- the property: any JSON value in any field of any endpoint is never a 5xx -------------------

NASTY_TEXT = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "\ud800",
        "\udfff x",
        "x" * 5000,
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01",
        "9999-12-31",
        "2026-03-04T10:00:00",
        "2026-03-04T10:00:00Z",
        "2026-03-04T10:00:00+23:59",
        "10:00+01:00",
        "2026-W10-3T10:00+00:00",
        "NaN",
        "-1",
        "99999999999999999999",
    ]
)
NASTY_NUMBERS = st.sampled_from(
    [0, -1, 1, 1440, 1441, 2**31, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 10**40, 1e308, -0.0]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    NASTY_NUMBERS,
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    NASTY_TEXT,
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.text(max_size=5), children, max_size=3),
    ),
    max_leaves=8,
)


def _no_server_error(response: Any) -> None:
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"


def _in_rollback(send: Any) -> Any:
    """Run one example inside a transaction that is rolled back, so examples do not pile up."""
    with transaction.atomic():
        response = send()
        transaction.set_rollback(True)
    return response


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(field=st.sampled_from([*FIELDS, "other"]), value=JSON_VALUES)
def test_any_json_value_in_any_field_of_the_exchanges_endpoint_is_never_a_5xx(
    setup: dict[str, Any], field: str, value: Any
) -> None:
    client = Client()
    body = {**setup["body"], field: value}
    response = _in_rollback(lambda: _post(client, setup["token"], body, kind="text/plain"))
    _no_server_error(response)
    if response.status_code == 400:
        assert response.json().get("field") == field


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=JSON_VALUES)
def test_any_json_body_is_never_a_5xx(setup: dict[str, Any], body: Any) -> None:
    client = Client()
    for kind in ("application/json", "text/plain"):
        _no_server_error(
            _in_rollback(lambda kind=kind: _post(client, setup["token"], body, kind=kind))
        )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    pk=st.one_of(st.integers(min_value=0), NASTY_NUMBERS.filter(lambda n: n >= 0)), body=JSON_VALUES
)
def test_the_confirm_endpoint_with_any_id_and_body_is_never_a_5xx(
    setup: dict[str, Any], pk: int, body: Any
) -> None:
    client = Client()
    url = f"/time-bank/api/exchanges/{int(pk)}/confirm/"
    _no_server_error(_in_rollback(lambda: _post(client, setup["token"], body, url)))


@settings(max_examples=25, deadline=None)
@given(header=st.text(max_size=300))
def test_any_authorization_header_is_401_or_accepted(header: str) -> None:
    client = Client()
    response = client.post(URL, b"{}", content_type="application/json", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


# --- PostgreSQL: NUL characters never reach the database -----------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("field", "value"),
    [("description", "tea\x00"), ("idempotency_key", "k\x00"), ("start", "2026-03-04\x00")],
)
def test_nul_in_a_string_field_is_a_400_on_postgresql(
    client: Client, setup: dict[str, Any], field: str, value: Any
) -> None:
    body = {**setup["body"], field: value}
    for kind in ("application/json", "text/plain"):
        _assert_problem(_post(client, setup["token"], body, kind=kind), 400, field)
    assert Exchange.objects.count() == 0


@pytest.mark.postgres
def test_nul_in_the_token_is_a_401_on_postgresql(client: Client, setup: dict[str, Any]) -> None:
    response = client.post(
        URL, b"{}", content_type="application/json", HTTP_AUTHORIZATION="Bearer a\x00b"
    )
    assert response.status_code == 401


# --- tokens: expiry, revocation, only a hash kept --------------------------------------------------


def test_tokens_expire_and_only_their_hash_is_kept(client: Client, setup: dict[str, Any]) -> None:
    row = ApiToken.objects.get()
    assert setup["token"] not in {row.token_hash} and len(row.token_hash) == 64
    assert timedelta(days=89) < row.expires_at - row.created_at <= timedelta(days=90)
    assert _post(client, setup["token"], setup["body"]).status_code == 201
    row.refresh_from_db()
    assert row.last_used_at is not None
    ApiToken.objects.update(expires_at=row.created_at)
    response = _post(client, setup["token"], {**setup["body"], "idempotency_key": "later"})
    _assert_problem(response, 401, None)
    assert response["WWW-Authenticate"] == "Bearer"


def test_token_lifetime_follows_the_setting(settings: Settings) -> None:
    settings.TIMEBANK_API_TOKEN_DAYS = 7
    issue_api_token(user=tb.coordinator())
    row = ApiToken.objects.get()
    assert timedelta(days=6) < row.expires_at - row.created_at <= timedelta(days=7)


def test_revoked_tokens_are_refused(client: Client, setup: dict[str, Any]) -> None:
    row = ApiToken.objects.get()
    revoke_api_token(by=row.user, token=row)
    _assert_problem(_post(client, setup["token"], setup["body"]), 401, None)
