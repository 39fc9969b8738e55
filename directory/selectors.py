"""Reads for the directory: search, and the pages that show one service or organisation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from directory.models import (
    Attribute,
    CostOption,
    Neighbourhood,
    Organization,
    ProviderKind,
    Review,
    Schedule,
    Service,
    TaxonomyTerm,
)
from directory.search import SearchError, ServiceSearch, km_per_degree

PAGE_SIZE = 20
WORD = re.compile(r"[\w']+", re.UNICODE)


@dataclass(frozen=True)
class Origin:
    label: str
    latitude: float
    longitude: float


@dataclass
class SearchResults:
    services: list[Service]
    total: int
    page: int
    pages: int
    origin: Origin | None


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def public_services() -> QuerySet[Service]:
    return Service.objects.filter(status=Service.Status.ACTIVE)


def resolve_origin(search: ServiceSearch) -> Origin | None:
    if search.has_point:
        assert search.latitude is not None and search.longitude is not None
        return Origin("the point you chose", search.latitude, search.longitude)
    if search.neighbourhood:
        hood = Neighbourhood.objects.filter(slug=search.neighbourhood).first()
        if hood is None:
            raise SearchError("neighbourhood", "Choose a neighbourhood from the list")
        return Origin(hood.name, float(hood.latitude), float(hood.longitude))
    return None


def _stem(word: str) -> str:
    """A light English stemmer for the SQLite fallback (PostgreSQL uses its own)."""
    for suffix in ("ing", "ers", "ies", "es", "er", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _text_filter(qs: QuerySet[Service], q: str) -> QuerySet[Service]:
    words = [w.lower() for w in WORD.findall(q)][:12]
    if not words:
        return qs
    if uses_postgres():
        # websearch_to_tsquery: stemming and quotes/OR like a search box; pg_trgm similarity on the
        # name catches typos ("gardning"). Both use indexes created in migration 0002.
        # A self-contained subquery, so the filter also works when this queryset is itself
        # used inside another query (where Django renames the table).
        match = RawSQL(
            "SELECT id FROM directory_service "
            "WHERE search_vector @@ websearch_to_tsquery('english', %s) OR name %% %s",
            [q, q],
        )
        rank = RawSQL(
            "ts_rank_cd(directory_service.search_vector, websearch_to_tsquery('english', %s))"
            " + similarity(directory_service.name, %s)",
            [q, q],
            output_field=FloatField(),
        )
        return qs.filter(pk__in=match).annotate(rank=rank)
    condition = Q()
    rank_terms: Any = Value(0.0)
    for word in words:
        stem = _stem(word)
        condition &= Q(search_document__icontains=stem)
        # A word in the name counts more than a word elsewhere.
        rank_terms = rank_terms + Case(
            When(name__icontains=stem, then=Value(1.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    return qs.filter(condition).annotate(rank=ExpressionWrapper(rank_terms, FloatField()))


def term_and_descendants(term_id: str) -> list[str]:
    ids = [term_id]
    frontier = [term_id]
    while frontier:
        frontier = list(
            TaxonomyTerm.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
        )
        ids += frontier
    return ids


def search_queryset(
    search: ServiceSearch, *, base: QuerySet[Service] | None = None
) -> tuple[QuerySet[Service], Origin | None]:
    """The search as a queryset (filtered, annotated with ``rank`` and ``distance_sq`` where they
    apply, and ordered), and the point distances are measured from. ``base`` narrows the services
    searched (the ORUK API adds its own filters this way); it defaults to the public services."""
    qs = public_services() if base is None else base
    if search.q:
        qs = _text_filter(qs, search.q)
    if search.category:
        qs = qs.filter(
            Exists(
                Attribute.objects.filter(
                    service=OuterRef("pk"),
                    taxonomy_term_id__in=term_and_descendants(search.category),
                )
            )
        )
    if search.day:
        qs = qs.filter(
            Exists(Schedule.objects.filter(service=OuterRef("pk"), byday__contains=search.day))
        )
    paid = CostOption.objects.filter(service=OuterRef("pk"), amount__gt=0)
    if search.price == "free":
        qs = qs.filter(~Exists(paid))
    elif search.price == "paid":
        qs = qs.filter(Exists(paid))
    if search.personal_budgets:
        qs = qs.filter(Q(accepts_personal_budgets=True) | Q(accepts_direct_payments=True))
    if search.time_credits:
        qs = qs.filter(accepts_time_credits=True)
    if search.micro_only:
        qs = qs.filter(organization__provider_kind=ProviderKind.MICRO)
    if search.language:
        qs = qs.filter(
            Q(languages__code__iexact=search.language) | Q(languages__name__iexact=search.language)
        ).distinct()
    for feature in search.accessibility:
        qs = qs.filter(service_at_locations__location__accessibility__description=feature)
    if search.accessibility:
        qs = qs.distinct()

    origin = resolve_origin(search)
    if origin is not None:
        ky, kx = km_per_degree(origin.latitude)
        dy = Cast(F("service_at_locations__location__latitude"), FloatField()) - origin.latitude
        dx = Cast(F("service_at_locations__location__longitude"), FloatField()) - origin.longitude
        # Squared distance: monotone in distance, and needs no square root in SQL.
        qs = qs.annotate(distance_sq=Min(dy * dy * (ky * ky) + dx * dx * (kx * kx)))
        if search.within_km is not None:
            lat_span = search.within_km / ky
            lon_span = search.within_km / kx
            qs = qs.filter(
                service_at_locations__location__latitude__range=(
                    origin.latitude - lat_span,
                    origin.latitude + lat_span,
                ),
                service_at_locations__location__longitude__range=(
                    origin.longitude - lon_span,
                    origin.longitude + lon_span,
                ),
            ).filter(distance_sq__lte=search.within_km**2)

    by_distance = [F("distance_sq").asc(nulls_last=True), "name", "pk"]
    order: list[Any] = ["name", "pk"]
    if search.sort == "distance" and origin is not None:
        order = by_distance
    elif search.sort == "relevance" and search.q:
        order = [F("rank").desc(), "name", "pk"]
    elif search.sort == "relevance" and origin is not None:
        # With no words to rank by, the nearest is the most relevant.
        order = by_distance
    return qs.order_by(*order), origin


def search_services(
    search: ServiceSearch,
    *,
    page_size: int = PAGE_SIZE,
    base: QuerySet[Service] | None = None,
    clamp_page: bool = True,
) -> SearchResults:
    """One page of results. A page past the end shows the last page, unless ``clamp_page`` is
    false (the API then returns an empty page, as ORUK expects)."""
    qs, origin = search_queryset(search, base=base)
    total = qs.count()
    pages = max(1, -(-total // page_size))
    page = min(search.page, pages) if clamp_page else search.page
    start = (page - 1) * page_size
    services = list(
        qs.select_related("organization").prefetch_related(
            "cost_options",
            Prefetch("service_at_locations__location__addresses"),
            "service_at_locations__location__neighbourhood",
        )[start : start + page_size]
    )
    for service in services:
        dist_sq = getattr(service, "distance_sq", None)
        service.distance_km = None if dist_sq is None else max(dist_sq, 0.0) ** 0.5  # type: ignore[attr-defined]
    return SearchResults(services, total, page, pages, origin)


def service_for_page(service_id: str) -> Service | None:
    return (
        public_services()
        .select_related("organization")
        .prefetch_related(
            "cost_options",
            "schedules",
            "languages",
            "contacts__phones",
            "phones",
            "service_at_locations__location__addresses",
            "service_at_locations__location__accessibility",
            "service_at_locations__location__neighbourhood",
            "attributes__taxonomy_term",
            "service_areas",
        )
        .filter(pk=service_id)
        .first()
    )


def rating_summary(service: Service) -> dict[str, Any]:
    published = Review.objects.filter(service=service, state=Review.State.PUBLISHED)
    summary = published.aggregate(count=Count("id"), average=Avg("rating"))
    counts = dict(published.values_list("rating").annotate(n=Count("id")))
    summary["by_star"] = [(star, counts.get(star, 0)) for star in range(5, 0, -1)]
    return summary


def published_reviews(service: Service) -> QuerySet[Review]:
    return Review.objects.filter(service=service, state=Review.State.PUBLISHED).select_related(
        "author"
    )


def organization_for_page(org_id: str) -> Organization | None:
    return (
        Organization.objects.prefetch_related(
            "transparency_facts",
            "onboarding_checks",
            "organization_identifiers",
        )
        .filter(pk=org_id)
        .first()
    )


def categories() -> QuerySet[TaxonomyTerm]:
    """Top-level need categories people choose from when searching."""
    return TaxonomyTerm.objects.filter(parent__isnull=True).order_by("name")


def neighbourhoods() -> QuerySet[Neighbourhood]:
    return Neighbourhood.objects.all()
