"""Open Referral UK 3.0 API (read-only JSON), as the standard defines it.

Thin views: each checks its query parameters, calls a read in ``directory.oruk.queries`` and
serialises with ``directory.oruk.serialisers``. Every response, errors and CORS preflight included,
carries ``Access-Control-Allow-Origin: *``; every error is RFC 9457 problem JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from directory.oruk import queries, serialisers
from directory.oruk.openapi import openapi_document
from directory.oruk.problems import PROBLEM_TYPES, ApiProblem, Params, problem_response
from directory.search import SearchError, ServiceSearch, parse_search
from directory.selectors import public_services
from directory.text import has_control_characters

ORUK_VERSION = "HSDS-UK-3.0"
ORUK_PROFILE = "https://openreferraluk.org/specifications/3.0"
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
MIN_PROXIMITY_M = 100
MAX_PROXIMITY_M = 50_000
MAX_ID_LENGTH = 250  # directory.models.HsdsModel.id

PAGING = frozenset({"page", "per_page", "format"})
# ORUK 3.0 service filters, then this platform's extras (the directory search's own names).
SERVICE_FILTERS = frozenset(
    {
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
        "postcode",
        "latitude",
        "longitude",
        "proximity",
        "personal_budgets",
        "time_credits",
        "micro",
        "language",
        "accessibility",
        "price",
    }
)
# Named by ORUK but not served here: refused with the reason rather than ignored.
UNSUPPORTED = {
    "minimal": "minimal is not supported: use /services and read id and last_modified.",
}


def with_cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response["Access-Control-Allow-Headers"] = "*"
    response["Access-Control-Max-Age"] = "86400"
    response["Allow"] = "GET, HEAD, OPTIONS"
    return response


def oruk_endpoint(allowed: frozenset[str]) -> Callable[..., Callable[..., HttpResponse]]:
    """Open CORS, GET only, unknown parameters refused, problems rendered as problem JSON."""

    def decorate(view: Callable[..., Any]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "OPTIONS":
                return with_cors(_preflight())
            try:
                if request.method not in ("GET", "HEAD"):
                    raise ApiProblem(
                        "method-not-allowed",
                        f"{request.method} is not allowed: this API is read-only.",
                    )
                params = Params(request, allowed, refused=frozenset(UNSUPPORTED))
                for name, reason in UNSUPPORTED.items():
                    if params.has(name):
                        raise ApiProblem("unsupported-parameter", reason, parameter=name)
                if params.text("format") not in ("", "json"):
                    raise ApiProblem(
                        "unsupported-parameter", "Only format=json is served.", parameter="format"
                    )
                body = view(request, params, *args, **kwargs)
                response: HttpResponse
                if isinstance(body, queries.RawJson):  # records stored as JSON text
                    response = HttpResponse(body.text, content_type="application/json")
                else:
                    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
            except ApiProblem as problem:
                response = problem_response(request, problem)
                if problem.kind == "method-not-allowed":
                    response["Allow"] = "GET, HEAD, OPTIONS"
            return with_cors(response)

        return wrapped

    return decorate


def _paging(params: Params) -> tuple[int, int]:
    page = params.integer("page", default=1, low=1, high=MAX_PAGE)
    per_page = params.integer("per_page", default=DEFAULT_PER_PAGE, low=1, high=MAX_PER_PAGE)
    return page, per_page


def _not_found(what: str, item_id: str) -> ApiProblem:
    shown = item_id if len(item_id) <= 100 else item_id[:100] + "…"
    return ApiProblem("not-found", f"There is no {what} with id {shown!r}.", parameter="id")


def _id(what: str, item_id: str) -> str:
    """An id from the path, or a 404 at once for one that no record can have (too long for the
    id column, or holding control characters), without asking the database."""
    if len(item_id) > MAX_ID_LENGTH or has_control_characters(item_id):
        raise _not_found(what, item_id)
    return item_id


# --- discovery and the OpenAPI document --------------------------------------------------------


@oruk_endpoint(frozenset())
def root(request: HttpRequest, params: Params) -> dict[str, Any]:
    """The discovery document: which version and profile this API serves, and its OpenAPI URL."""
    return {
        "version": ORUK_VERSION,
        "profile": ORUK_PROFILE,
        "openapi_url": request.build_absolute_uri(reverse("oruk-api:openapi")),
    }


@oruk_endpoint(frozenset())
def openapi(request: HttpRequest, params: Params) -> dict[str, Any]:
    return openapi_document(request.build_absolute_uri(reverse("oruk-api:root")).rstrip("/"))


# --- services ----------------------------------------------------------------------------------

_SEARCH_NAMES = {
    "q": "search",
    "category": "taxonomy_term_id",
    "within": "proximity",
    "micro": "micro",
}


def _service_search(
    params: Params, *, with_distance: bool
) -> tuple[ServiceSearch, queries.OrukFilters, float | None]:
    """ORUK parameters mapped onto the directory search, plus the ORUK-only filters."""
    proximity = params.number("proximity", low=MIN_PROXIMITY_M, high=MAX_PROXIMITY_M)
    has_point = any(params.has(n) for n in ("latitude", "longitude", "neighbourhood", "postcode"))
    if proximity is not None and not has_point:
        raise ApiProblem(
            "invalid-parameter",
            "proximity needs a point: give postcode, latitude and longitude, or neighbourhood.",
            parameter="proximity",
        )
    raw = {
        "q": [params.text("search")],
        "category": [params.text("taxonomy_term_id", max_length=250)],
        "neighbourhood": [params.text("neighbourhood")],
        "postcode": [params.text("postcode")],
        # /services lists by relevance, distance or name as the web search does (a postcode
        # alone: nearest first); /service_at_locations does not take it
        "sort": [params.text("sort")],
        "latitude": [params.text("latitude")],
        "longitude": [params.text("longitude")],
        "day": [params.text("day")],
        "price": [params.text("price")],
        "personal_budgets": [str(params.flag("personal_budgets"))],
        "time_credits": [str(params.flag("time_credits"))],
        "micro": [str(params.flag("micro"))],
        "language": [params.text("language")],
        "accessibility": params.query.getlist("accessibility"),
    }
    if with_distance and proximity is not None:
        raw["within"] = [f"{float(proximity) / 1000:.6f}"]
    try:
        search = parse_search(raw)
    except SearchError as error:
        name = _SEARCH_NAMES.get(error.parameter, error.parameter)
        raise ApiProblem("invalid-parameter", error.message, parameter=name) from None
    filters = queries.OrukFilters(
        taxonomy_id=params.text("taxonomy_id", max_length=250),
        organization_id=params.text("organization_id", max_length=250),
        minimum_age=params.number("minimum_age", low=0, high=150),
        maximum_age=params.number("maximum_age", low=0, high=150),
        modified_after=params.datetime("modified_after"),
        start_time=params.time("start_time"),
        end_time=params.time("end_time"),
        day=search.day,
    )
    return search, filters, None if proximity is None else float(proximity)


def _search_problem(error: SearchError) -> ApiProblem:
    name = _SEARCH_NAMES.get(error.parameter, error.parameter)
    return ApiProblem("invalid-parameter", error.message, parameter=name)


@oruk_endpoint(PAGING | SERVICE_FILTERS | {"full", "sort"})
def services(request: HttpRequest, params: Params) -> dict[str, Any] | queries.RawJson:
    page, per_page = _paging(params)
    search, filters, _ = _service_search(params, with_distance=True)
    full = params.flag("full")
    try:
        result = queries.list_services(search, filters, page=page, per_page=per_page)
    except SearchError as error:
        raise _search_problem(error) from None
    if full:
        ids = [pk for pk, _ in result.items]
        nested = {s.pk: s for s in queries.with_full_service(public_services().filter(pk__in=ids))}
        return result.envelope([serialisers.service_full(nested[i]) for i in ids if i in nested])
    return result.envelope_json([record for _, record in result.items])


@oruk_endpoint(frozenset())
def service(request: HttpRequest, params: Params, service_id: str) -> dict[str, Any]:
    found = queries.full_service(_id("service", service_id))
    if found is None:
        raise _not_found("service", service_id)
    return serialisers.service_full(found)


@oruk_endpoint(PAGING | SERVICE_FILTERS)
def service_at_locations(request: HttpRequest, params: Params) -> dict[str, Any]:
    page, per_page = _paging(params)
    search, filters, proximity = _service_search(params, with_distance=False)
    try:
        result = queries.list_service_at_locations(
            search, filters, proximity_m=proximity, page=page, per_page=per_page
        )
    except SearchError as error:
        raise _search_problem(error) from None
    return result.envelope([serialisers.service_at_location_flat(s) for s in result.items])


@oruk_endpoint(frozenset())
def service_at_location(request: HttpRequest, params: Params, sal_id: str) -> dict[str, Any]:
    found = queries.full_service_at_location(_id("service at location", sal_id))
    if found is None:
        raise _not_found("service at location", sal_id)
    return serialisers.service_at_location_full(found)


# --- organisations and taxonomies ---------------------------------------------------------------


@oruk_endpoint(PAGING | {"search", "full"})
def organizations(request: HttpRequest, params: Params) -> dict[str, Any]:
    page, per_page = _paging(params)
    full = params.flag("full")
    result = queries.list_organizations(
        search=params.text("search"), full=full, page=page, per_page=per_page
    )
    serialise = serialisers.organization_nested if full else serialisers.organization_basic
    return result.envelope([serialise(o) for o in result.items])


@oruk_endpoint(frozenset({"full_service"}))
def organization(request: HttpRequest, params: Params, org_id: str) -> dict[str, Any]:
    full_service = params.flag("full_service")
    found = queries.organization_with_services(
        _id("organization", org_id), full_service=full_service
    )
    if found is None:
        raise _not_found("organization", org_id)
    org, org_services = found
    return serialisers.organization_full(org, org_services, full_service=full_service)


@oruk_endpoint(PAGING | {"search"})
def taxonomies(request: HttpRequest, params: Params) -> dict[str, Any]:
    page, per_page = _paging(params)
    result = queries.list_taxonomies(search=params.text("search"), page=page, per_page=per_page)
    return result.envelope([serialisers.taxonomy(t) for t in result.items])


@oruk_endpoint(frozenset())
def taxonomy(request: HttpRequest, params: Params, taxonomy_id: str) -> dict[str, Any]:
    found = queries.taxonomy_with_terms(_id("taxonomy", taxonomy_id))
    if found is None:
        raise _not_found("taxonomy", taxonomy_id)
    tax, terms = found
    return serialisers.taxonomy(tax, terms=terms)


@oruk_endpoint(PAGING | {"search", "taxonomy_id", "parent_id", "top_only"})
def taxonomy_terms(request: HttpRequest, params: Params) -> dict[str, Any]:
    page, per_page = _paging(params)
    result = queries.list_taxonomy_terms(
        search=params.text("search"),
        taxonomy_id=params.text("taxonomy_id", max_length=250),
        parent_id=params.text("parent_id", max_length=250),
        top_only=params.flag("top_only"),
        page=page,
        per_page=per_page,
    )
    return result.envelope([serialisers.taxonomy_term(t) for t in result.items])


@oruk_endpoint(frozenset())
def taxonomy_term(request: HttpRequest, params: Params, term_id: str) -> dict[str, Any]:
    found = queries.taxonomy_term(_id("taxonomy term", term_id))
    if found is None:
        raise _not_found("taxonomy term", term_id)
    return serialisers.taxonomy_term(found, detail=True)


# --- problems -------------------------------------------------------------------------------------


@oruk_endpoint(frozenset())
def problem_type(request: HttpRequest, params: Params, kind: str) -> dict[str, Any]:
    """What a problem ``type`` URI means (so the URIs in error bodies resolve)."""
    if kind not in PROBLEM_TYPES:
        raise ApiProblem("not-found", f"There is no problem type {kind!r}.")
    title, status = PROBLEM_TYPES[kind]
    return {"type": request.build_absolute_uri(), "title": title, "status": status}


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under the API: a 404 in problem JSON (preflight still answered)."""
    if request.method == "OPTIONS":
        return with_cors(_preflight())
    problem = ApiProblem(
        "not-found",
        f"There is no endpoint /{rest} in this API. See {reverse('oruk-api:openapi')}.",
    )
    return with_cors(problem_response(request, problem))
