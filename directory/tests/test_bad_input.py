"""Issue 11, finding 1: odd input to the directory's search page and the ORUK API is a clear 400
naming the parameter (problem JSON on the API, an error message on the page), or a 404 for an id,
and never a 500.

The examples first (each failed before the fix), then hypothesis properties that throw arbitrary
text, and a list of known nasties, at every parameter of the search page and of each API endpoint,
and at every ``/{kind}/{id}``. The requests go through the whole site except
``RejectMalformedInputMiddleware``: that project-wide floor refuses NUL and the like before any
view, and the directory must not depend on it (so NUL reaches the views and the database here).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.test import Client, override_settings
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from directory.models import Accessibility
from directory.search import ACCESSIBILITY, SearchError, parse_search
from directory.tests import oruk_factories as f

pytestmark = pytest.mark.django_db

API = "/api/oruk"
PAGE = "/find-support/"

WITHOUT_INPUT_FLOOR = override_settings(
    MIDDLEWARE=[
        m for m in django_settings.MIDDLEWARE if not m.endswith(".RejectMalformedInputMiddleware")
    ]
)

NASTIES: tuple[str, ...] = (
    "",
    " ",
    "²",
    "١٢",
    "𝟗",
    "Ⅻ",
    "1_000",
    "0",
    "-0",
    "-1",
    "+1",
    "1.5",
    ".5",
    "1e-400",
    "1e400",
    "1e999999999999",
    str(2**63),
    str(2**64),
    str(-(2**63) - 1),
    "9" * 5000,
    "NaN",
    "sNaN",
    "-Infinity",
    "90",
    "-90.0000001",
    "180.0000001",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59.999999",
    "2026-02-30",
    "2026-01-31T09:00:00+99:00",
    "12:00+05:00",
    "12:00Z",
    "24:00",
    "23:59:60",
    "\x00",
    "a\x00b",
    "\n",
    "line\r\nbreak",
    "\u2028",
    "\x1b[31m",
    "\ud800",
    "\udfff\ud800",
    "\ufffd",
    "🙂" * 300,
    "x" * 100_000,
    "%",
    "'; DROP TABLE directory_service; --",
    "<script>alert(1)</script>",
    '"',
    "\\",
    "true",
    "yes",
    "MO",
    "monday",
    "ß",
    "free",
    "step-free",
)

# Half the draws are the nasties above, half anything else.
VALUES = st.one_of(
    st.sampled_from(NASTIES),
    st.one_of(
        st.text(max_size=60),
        st.integers().map(str),
        st.integers(min_value=2**63 - 2, max_value=2**80).map(str),
        st.floats().map(repr),
        st.dates().map(str),
        st.datetimes(timezones=st.none() | st.timezones()).map(lambda d: d.isoformat()),
        st.times(timezones=st.none() | st.timezones()).map(lambda t: t.isoformat()),
    ),
)

# Thrown at every parameter (and id) on every run, whatever hypothesis draws besides.
ALWAYS = (
    "²",
    str(2**63),
    "9" * 5000,
    "\x00",
    "a\nb",
    "\ud800",
    "12:00+05:00",
    "0001-01-01T00:00:00+14:00",
)


_Test = TypeVar("_Test", bound=Callable[..., None])


def always(name: str) -> Callable[[_Test], _Test]:
    """Hypothesis tries each of ``ALWAYS`` for ``name`` before its own values."""

    def decorate(test: _Test) -> _Test:
        for value in reversed(ALWAYS):
            test = example(**{name: value})(test)
        return test

    return decorate


FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=6,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def data() -> f.Directory:
    return f.directory(3)


def _quote(text: str) -> str:
    """Percent-encoded as a client would send it; a lone surrogate goes as its (invalid) UTF-8
    bytes, which is all a client can send."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def _get(client: Client, path: str, params: dict[str, str] | None = None) -> Any:
    query = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in (params or {}).items())
    with WITHOUT_INPUT_FLOOR:
        return client.get(f"{path}?{query}" if query else path)


# A longitude without a latitude is refused as "latitude" (the pair is named by its first half).
PAIRED = {"longitude": ("latitude",)}


def _assert_api_answer(response: Any, parameter: str | None) -> None:
    assert response.status_code in (200, 400, 404), (response.status_code, response.content[:500])
    assert response["Access-Control-Allow-Origin"] == "*"
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"
        body = response.json()
        assert body["status"] == response.status_code and body["detail"]
        if response.status_code == 400 and parameter is not None:
            assert body["parameter"] in {parameter, *PAIRED.get(parameter, ())}, body


def _assert_page_answer(response: Any) -> None:
    assert response.status_code in (200, 400), (response.status_code, response.content[:500])
    if response.status_code == 400:
        assert "There is a problem" in response.content.decode()


# --- the examples from the review -------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "parameter", "message"),
    [
        ({"page": "²"}, "page", "Page must be a whole number"),
        ({"page": "١٢"}, "page", "Page must be a whole number"),
        ({"latitude": str(2**63), "longitude": "1"}, "latitude", "Latitude must be between"),
        ({"latitude": "1", "longitude": "𝟗"}, "longitude", "Longitude must be a number"),
        ({"latitude": "1", "longitude": "1", "within": "1_0"}, "within", "Distance must be"),
        ({"category": "a\x00b"}, "category", "must not contain control characters"),
        ({"neighbourhood": "x" * 51}, "neighbourhood", "50 characters or fewer"),
        ({"language": "p\nl"}, "language", "must not contain control characters"),
        ({"accessibility": "rooftop"}, "accessibility", "Choose accessibility from the list"),
    ],
)
def test_search_page_refuses_odd_values_with_a_message_naming_them(
    client: Client, data: f.Directory, params: dict[str, str], parameter: str, message: str
) -> None:
    response = _get(client, PAGE, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and message in html, html


def test_search_page_numbers_past_the_last_page_show_the_last_page(
    client: Client, data: f.Directory
) -> None:
    for page in (str(2**63), "9" * 5000):
        response = _get(client, PAGE, {"page": page})
        assert response.status_code == 200
        assert "service" in response.content.decode()


def test_search_words_with_control_characters_are_searched_as_words(
    client: Client, data: f.Directory
) -> None:
    assert parse_search({"q": ["lunch\x00club\r\n\x1b"]}).q == "lunch club"
    assert _get(client, PAGE, {"q": "Service\x00A"}).status_code == 200


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/services", {"page": "²"}, "page"),
        ("/services", {"per_page": "²"}, "per_page"),
        ("/organizations", {"page": "9" * 5000}, "page"),
        ("/taxonomies", {"per_page": str(2**63)}, "per_page"),
        ("/services", {"minimum_age": str(2**63)}, "minimum_age"),
        ("/services", {"maximum_age": "١٢"}, "maximum_age"),
        ("/services", {"latitude": str(2**64), "longitude": "1"}, "latitude"),
        ("/services", {"latitude": "1", "longitude": "1", "proximity": str(2**63)}, "proximity"),
        ("/services", {"modified_after": "0001-01-01T00:00:00+14:00"}, "modified_after"),
        ("/services", {"modified_after": "9999-12-31T23:59:59-14:00"}, "modified_after"),
        ("/services", {"modified_after": "２０２６-01-01"}, "modified_after"),
        ("/services", {"start_time": "12:00+05:00"}, "start_time"),
        ("/services", {"end_time": "12:00Z"}, "end_time"),
        ("/service_at_locations", {"start_time": "09:00-03:00"}, "start_time"),
        ("/services", {"search": "a\x00b"}, "search"),
        ("/services", {"organization_id": "a\nb"}, "organization_id"),
        ("/organizations", {"search": "\x1b"}, "search"),
        ("/taxonomy_terms", {"parent_id": "\x00"}, "parent_id"),
        ("/services", {"accessibility": "x"}, "accessibility"),
        ("/services", {"language": "e\x00n"}, "language"),
    ],
)
def test_api_refuses_odd_values_with_problem_json_naming_the_parameter(
    client: Client, data: f.Directory, path: str, params: dict[str, str], parameter: str
) -> None:
    response = _get(client, API + path, params)
    assert response.status_code == 400, response.content
    _assert_api_answer(response, parameter)


def test_api_dates_at_the_ends_of_the_calendar_that_fit_are_answered(
    client: Client, data: f.Directory
) -> None:
    for value in ("0001-01-01", "9999-12-31", "9999-12-31T23:59:59.999999", "2026-01-31+01:00"):
        response = _get(client, f"{API}/services", {"modified_after": value})
        assert response.status_code == 200, (value, response.content)


def test_api_many_accessibility_values_are_refused_not_run(
    client: Client, data: f.Directory
) -> None:
    query = "&".join(f"accessibility=feature-{i}" for i in range(500))
    with WITHOUT_INPUT_FLOOR:
        response = client.get(f"{API}/services?{query}")
    _assert_api_answer(response, "accessibility")
    assert response.status_code == 400


def test_api_ages_between_whole_years_round_the_safe_way(client: Client, data: f.Directory) -> None:
    """``minimum_age=7.5`` asks for services whose minimum age is at least 7.5: 8 or more (an
    integer column would have truncated it to 7)."""
    service = data.services[0]
    service.minimum_age, service.maximum_age = 7, 10
    service.save()

    def ids(**params: str) -> set[str]:
        response = _get(client, f"{API}/services", {"per_page": "100", **params})
        return {s["id"] for s in response.json()["contents"]}

    assert service.pk in ids(minimum_age="7") and service.pk not in ids(minimum_age="7.5")
    assert service.pk in ids(maximum_age="10") and service.pk not in ids(maximum_age="9.5")


@pytest.mark.parametrize(
    "kind", ["services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"]
)
@pytest.mark.parametrize(
    "item_id",
    ["\x00", "a\nb", "a\r", "\ud800", "🙂", "x" * 100_000, "é" * 300, "../../etc/passwd", "%", "²"],
)
def test_every_kind_of_record_answers_an_odd_id_with_a_404_problem(
    client: Client, data: f.Directory, kind: str, item_id: str
) -> None:
    with WITHOUT_INPUT_FLOOR:
        response = client.get(f"{API}/{kind}/{_quote(item_id)}")
    assert response.status_code == 404, response.content[:300]
    _assert_api_answer(response, None)
    assert len(response.json()["detail"]) < 300


def test_accessibility_features_of_the_search_are_the_models() -> None:
    assert set(ACCESSIBILITY) == set(Accessibility.Feature.values)


# --- properties ---------------------------------------------------------------------------------

# A valid companion for parameters that need one to be read at all.
NEEDS = {
    "latitude": {"longitude": "-1.2"},
    "longitude": {"latitude": "52.1"},
    "within": {"latitude": "52.1", "longitude": "-1.2"},
    "proximity": {"latitude": "52.1", "longitude": "-1.2"},
}
PAGE_PARAMETERS = (
    "q",
    "category",
    "neighbourhood",
    "latitude",
    "longitude",
    "within",
    "day",
    "price",
    "personal_budgets",
    "time_credits",
    "micro",
    "language",
    "accessibility",
    "sort",
    "page",
)
PAGING = ("page", "per_page", "format")
SERVICE_FILTERS = (
    "search",
    "taxonomy_term_id",
    "taxonomy_id",
    "organization_id",
    "minimum_age",
    "maximum_age",
    "start_time",
    "end_time",
    "day",
    "modified_after",
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
)
API_PARAMETERS = [
    *[("/services", p) for p in (*PAGING, *SERVICE_FILTERS, "full")],
    *[("/service_at_locations", p) for p in (*PAGING, *SERVICE_FILTERS)],
    *[("/organizations", p) for p in (*PAGING, "search", "full")],
    *[("/taxonomies", p) for p in (*PAGING, "search")],
    *[("/taxonomy_terms", p) for p in (*PAGING, "search", "taxonomy_id", "parent_id", "top_only")],
    ("/organizations/{org}", "full_service"),
]


@pytest.mark.parametrize("parameter", PAGE_PARAMETERS)
@FUZZ
@given(value=VALUES)
@always("value")
def test_search_page_never_fails_on_any_value_of_any_parameter(
    client: Client, data: f.Directory, parameter: str, value: str
) -> None:
    _assert_page_answer(_get(client, PAGE, {**NEEDS.get(parameter, {}), parameter: value}))


@pytest.mark.parametrize(("path", "parameter"), API_PARAMETERS)
@FUZZ
@given(value=VALUES)
@always("value")
def test_api_never_fails_on_any_value_of_any_parameter(
    client: Client, data: f.Directory, path: str, parameter: str, value: str
) -> None:
    path = path.replace("{org}", data.orgs[0].pk)
    response = _get(client, API + path, {**NEEDS.get(parameter, {}), parameter: value})
    _assert_api_answer(response, parameter)


@pytest.mark.parametrize(
    "kind", ["services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"]
)
@FUZZ
@given(item_id=VALUES.filter(bool))
@always("item_id")
def test_api_never_fails_on_any_id(
    client: Client, data: f.Directory, kind: str, item_id: str
) -> None:
    with WITHOUT_INPUT_FLOOR:
        response = client.get(f"{API}/{kind}/{_quote(item_id)}")
    _assert_api_answer(response, None)


@FUZZ
@given(params=st.dictionaries(st.sampled_from(PAGE_PARAMETERS), VALUES, max_size=5))
def test_search_page_never_fails_on_any_mix_of_parameters(
    client: Client, data: f.Directory, params: dict[str, str]
) -> None:
    _assert_page_answer(_get(client, PAGE, params))


@FUZZ
@given(params=st.dictionaries(st.sampled_from(SERVICE_FILTERS + PAGING), VALUES, max_size=5))
def test_api_services_never_fail_on_any_mix_of_parameters(
    client: Client, data: f.Directory, params: dict[str, str]
) -> None:
    response = _get(client, f"{API}/services", params)
    _assert_api_answer(response, None)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(
    params=st.dictionaries(
        st.sampled_from(PAGE_PARAMETERS),
        st.lists(VALUES, min_size=1, max_size=3),
        max_size=6,
    )
)
def test_parse_search_only_ever_raises_search_error(params: dict[str, list[str]]) -> None:
    """The parser the page, the API and the benchmark share: any text at all (surrogates too,
    which no request can carry) either parses or is a SearchError naming a parameter."""
    try:
        search = parse_search(params)
    except SearchError as error:
        assert error.parameter in PAGE_PARAMETERS and error.message
    else:
        assert 1 <= search.page <= 10_000
        assert len(search.q) <= 200
        assert set(search.accessibility) <= set(ACCESSIBILITY)
