"""Reads for the directory: search, and the pages that show one service or organisation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Field,
    FloatField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import Expression, RawSQL
from django.db.models.functions import Cast

from directory.models import (
    Attribute,
    CostOption,
    Language,
    Location,
    Neighbourhood,
    Organization,
    ProviderKind,
    Review,
    Schedule,
    Service,
    ServiceAtLocation,
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


def _words(q: str) -> list[str]:
    return [w.lower() for w in WORD.findall(q)][:12]


class _ServiceSearchSQL(Expression):
    """SQL over the generated ``search_vector`` column (PostgreSQL only, migration 0002), which
    is not a model field. It names the service table by the alias the query gives it, so the
    search also works nested inside another query."""

    def __init__(self, template: str, q: str, output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.template, self.q = template, q

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        sql = self.template.replace("{t}", table)
        return sql, [self.q] * sql.count("%s")


_MATCHES = "{t}.search_vector @@ websearch_to_tsquery('english', %s)"
_SIMILAR_NAME = "{t}.name %% %s"
_RANK = "ts_rank({t}.search_vector, websearch_to_tsquery('english', %s)) + similarity({t}.name, %s)"


def _text_filter(qs: QuerySet[Service], q: str) -> QuerySet[Service]:
    if not _words(q):
        return qs
    if uses_postgres():
        # websearch_to_tsquery stems and understands quotes and OR like a search box (GIN index
        # on search_vector). Only when no service matches the words at all does the search fall
        # back to trigram similarity on names (GIN trigram index), which catches typos
        # ("gardning") but would otherwise flood a good search with near-misses.
        matches = _ServiceSearchSQL(_MATCHES, q, BooleanField())
        if Service.objects.filter(matches).exists():
            return qs.filter(matches)
        return qs.filter(_ServiceSearchSQL(_SIMILAR_NAME, q, BooleanField()))
    condition = Q()
    for word in _words(q):
        condition &= Q(search_document__icontains=_stem(word))
    return qs.filter(condition)


def _rank(q: str) -> Any:
    """How well a service matches the words: higher first."""
    if uses_postgres():
        return _ServiceSearchSQL(_RANK, q, FloatField())
    rank: Any = Value(0.0)
    for word in _words(q):
        # A word in the name counts more than a word elsewhere.
        rank = rank + Case(
            When(name__icontains=_stem(word), then=Value(1.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    return ExpressionWrapper(rank, FloatField())


def term_and_descendants(term_id: str) -> list[str]:
    ids = [term_id]
    frontier = [term_id]
    while frontier:
        frontier = list(
            TaxonomyTerm.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
        )
        ids += frontier
    return ids


def _distance_sq(origin: Origin, prefix: str = "") -> Any:
    """Squared distance in km² from the origin to a location (equirectangular, see search.py):
    monotone in distance, and needs no square root in SQL."""
    ky, kx = km_per_degree(origin.latitude)
    dy = Cast(F(f"{prefix}latitude"), FloatField()) - origin.latitude
    dx = Cast(F(f"{prefix}longitude"), FloatField()) - origin.longitude
    return dy * dy * (ky * ky) + dx * dx * (kx * kx)


def _within(origin: Origin, km: float) -> Exists:
    """The service has a location within ``km`` of the origin (a bounding box on the indexed
    latitude and longitude first, then the exact distance)."""
    ky, kx = km_per_degree(origin.latitude)
    locations = (
        ServiceAtLocation.objects.filter(
            service=OuterRef("pk"),
            location__latitude__range=(origin.latitude - km / ky, origin.latitude + km / ky),
            location__longitude__range=(origin.longitude - km / kx, origin.longitude + km / kx),
        )
        .annotate(distance_sq=_distance_sq(origin, "location__"))
        .filter(distance_sq__lte=km * km)
    )
    return Exists(locations)


def search_queryset(
    search: ServiceSearch, *, base: QuerySet[Service] | None = None
) -> tuple[QuerySet[Service], Origin | None]:
    """The services the search accepts, as an unordered queryset with no joins that repeat rows
    (so counting is cheap), and the point distances are measured from. ``base`` narrows the
    services searched (the ORUK API adds its own filters this way); it defaults to the public
    services."""
    qs = public_services() if base is None else base
    if search.q:
        qs = _text_filter(qs, search.q)
    if search.category:
        terms = term_and_descendants(search.category)
        qs = qs.filter(
            Exists(Attribute.objects.filter(service=OuterRef("pk"), taxonomy_term_id__in=terms))
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
        spoken = Q(code__iexact=search.language) | Q(name__iexact=search.language)
        qs = qs.filter(Exists(Language.objects.filter(spoken, service=OuterRef("pk"))))
    for feature in search.accessibility:
        qs = qs.filter(
            Exists(
                ServiceAtLocation.objects.filter(
                    service=OuterRef("pk"), location__accessibility__description=feature
                )
            )
        )
    origin = resolve_origin(search)
    if origin is not None and search.within_km is not None:
        qs = qs.filter(_within(origin, search.within_km))
    return qs, origin


# Below this many matches, measuring every match is cheaper than walking outwards.
_MEASURE_ALL_BELOW = 2000


def _nearest_first(
    qs: QuerySet[Service], origin: Origin, start: int, stop: int, total: int
) -> list[tuple[str, float | None]]:
    """Ids of the services in ``qs`` ordered by their nearest location (then name), for rows
    start..stop, with their distances in km. Services with no place on the map come last."""
    if uses_postgres() and total >= _MEASURE_ALL_BELOW:
        ranked = _walk_outwards(qs, origin, stop)
    else:
        rows = (
            qs.values("pk")
            .annotate(distance_sq=Min(_distance_sq(origin, "service_at_locations__location__")))
            .order_by(F("distance_sq").asc(nulls_last=True), "name", "pk")
            .values_list("pk", "distance_sq")[:stop]
        )
        ranked = [(pk, None if d is None else max(d, 0.0) ** 0.5) for pk, d in rows]
    return ranked[start:stop]


def _walk_outwards(
    qs: QuerySet[Service], origin: Origin, stop: int
) -> list[tuple[str, float | None]]:
    """PostgreSQL: take locations nearest first from the GiST index on ll_to_earth (migration
    0004; a k-nearest-neighbour scan reads only what it returns), keep those that hold a matching
    service, and widen until ``stop`` services are found or every location has been seen."""
    nearest = (
        Location.objects.filter(latitude__isnull=False, longitude__isnull=False)
        .annotate(chord_m=RawSQL(_CHORD, [origin.latitude, origin.longitude]))
        .order_by("chord_m")
        .values_list("pk", "chord_m")
    )
    batch = max(256, stop * 8)
    while True:
        places = list(nearest[:batch])
        links = ServiceAtLocation.objects.filter(
            location_id__in=[pk for pk, _ in places], service__in=qs.values("pk")
        ).values_list("location_id", "service_id")
        services_at: dict[str, list[str]] = {}
        for location_id, service_id in links:
            services_at.setdefault(location_id, []).append(service_id)
        found: dict[str, float] = {}
        for location_id, chord in places:
            for service_id in sorted(services_at.get(location_id, ())):
                found.setdefault(service_id, chord / 1000.0)
        exhausted = len(places) < batch
        if len(found) >= stop or exhausted:
            break
        batch *= 4
    ranked: list[tuple[str, float | None]] = list(found.items())[:stop]
    if len(ranked) < stop and exhausted:
        unmapped = (
            qs.exclude(pk__in=[pk for pk, _ in ranked])
            .exclude(service_at_locations__location__latitude__isnull=False)
            .order_by("name", "pk")
            .values_list("pk", flat=True)[: stop - len(ranked)]
        )
        ranked += [(pk, None) for pk in unmapped]
    return ranked


# The straight-line (chord) distance in metres through the earth between two points; for
# neighbours in one area it equals the distance along the surface to well under a millimetre.
_CHORD = (
    "ll_to_earth(directory_location.latitude::float8, directory_location.longitude::float8)"
    " <-> ll_to_earth(%s, %s)"
)


def _distances_for(ids: list[str], origin: Origin) -> dict[str, float]:
    rows = (
        ServiceAtLocation.objects.filter(service_id__in=ids, location__latitude__isnull=False)
        .values("service_id")
        .annotate(distance_sq=Min(_distance_sq(origin, "location__")))
        .values_list("service_id", "distance_sq")
    )
    return {pk: max(d, 0.0) ** 0.5 for pk, d in rows}


def search_services(
    search: ServiceSearch,
    *,
    page_size: int = PAGE_SIZE,
    base: QuerySet[Service] | None = None,
    clamp_page: bool = True,
) -> SearchResults:
    """One page of results. A page past the end shows the last page, unless ``clamp_page`` is
    false (the API then returns an empty page, as ORUK expects).

    The page's ids are found first with narrow queries (an id and a sort key), then only those
    services are loaded with what the page shows."""
    qs, origin = search_queryset(search, base=base)
    total = qs.count()
    pages = max(1, -(-total // page_size))
    page = min(search.page, pages) if clamp_page else search.page
    start, stop = (page - 1) * page_size, page * page_size
    by_distance = origin is not None and (
        search.sort == "distance" or (search.sort == "relevance" and not search.q)
    )
    distances: dict[str, float | None] = {}
    if total == 0 or start >= total:
        ids: list[str] = []
    elif by_distance:
        assert origin is not None
        ranked = _nearest_first(qs, origin, start, stop, total)
        ids = [pk for pk, _ in ranked]
        distances = dict(ranked)
    elif search.sort == "relevance" and search.q:
        ranked_qs = qs.annotate(rank=_rank(search.q)).order_by("-rank", "name", "pk")
        ids = list(ranked_qs.values_list("pk", flat=True)[start:stop])
    else:
        ids = list(qs.order_by("name", "pk").values_list("pk", flat=True)[start:stop])
    if origin is not None and not by_distance and ids:
        distances = dict(_distances_for(ids, origin))
    loaded = Service.objects.select_related("organization").prefetch_related(
        "cost_options",
        "service_at_locations__location__addresses",
        "service_at_locations__location__neighbourhood",
    )
    by_id = {service.pk: service for service in loaded.filter(pk__in=ids)}
    services = [by_id[pk] for pk in ids if pk in by_id]
    for service in services:
        service.distance_km = distances.get(service.pk)  # type: ignore[attr-defined]
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
