"""Reads for the directory: search, and the pages that show one service or organisation."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import django
import numpy as np
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
    Window,
)
from django.db.models.expressions import Expression, RawSQL
from django.db.models.functions import Cast, StrIndex
from django.db.models.lookups import GreaterThan

from directory import search_index, search_memory
from directory.models import (
    Language,
    Location,
    Neighbourhood,
    Organization,
    Postcode,
    Review,
    Schedule,
    SearchEntry,
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
    # The point on the earth as the database's nearest-places scan puts it, when the in-memory
    # copy holds it (a neighbourhood's centre on PostgreSQL): nearest first needs no query then.
    point: search_memory.Point | None = None


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
    if search.postcode:
        found = Postcode.objects.filter(postcode=search.postcode).first()
        if found is None:
            raise SearchError(
                "postcode",
                f"We cannot find the postcode {search.postcode}. Check it is right, like "
                "DN15 6NL, or choose a place from the Near list instead",
            )
        return Origin(found.postcode, float(found.latitude), float(found.longitude))
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


class _EntrySQL(Expression):
    """SQL over the PostgreSQL-only columns of the search rows (``vector``, ``tag_array``,
    migration 0005), which are not model fields. It names the table by the alias the query gives
    it, so the search also works nested inside another query."""

    def __init__(self, template: str, params: list[Any], output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.template, self.params = template, params

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        # Django 6 quotes every alias (quote_name); 5.2 leaves its short aliases unquoted.
        quote = (
            compiler.quote_name if django.VERSION >= (6, 0) else compiler.quote_name_unless_alias
        )
        table = quote(compiler.query.get_initial_alias())
        return self.template.replace("{t}", table), tuple(self.params)


_MATCHES = "{t}.vector @@ websearch_to_tsquery('english', %s)"
_SIMILAR_NAME = "{t}.name %% %s"
_RANK = "ts_rank({t}.vector, websearch_to_tsquery('english', %s)) + similarity({t}.name, %s)"
_HAS_TAGS = "{t}.tag_array @> %s::text[]"

# How a free-text search matches: "words" (stemmed full text), "names" (typo-tolerant names,
# PostgreSQL), or "auto": words, unless no public service matches the words at all.
TextMode = str


def _words_match(q: str) -> _EntrySQL:
    return _EntrySQL(_MATCHES, [q], BooleanField())


def _text_filter(qs: QuerySet[SearchEntry], q: str, mode: TextMode) -> QuerySet[SearchEntry]:
    if not _words(q):
        return qs
    ranked = _ranked_ids(q)
    if ranked is not None:  # the in-memory text index decides, as on the in-memory path
        return qs.filter(_ids_in(ranked))
    if uses_postgres():
        # websearch_to_tsquery stems and understands quotes and OR like a search box (GIN index
        # on vector). Only when no public service matches the words at all does the search fall
        # back to trigram similarity on names (GIN trigram index), which catches typos
        # ("gardning") but would otherwise flood a good search with near-misses.
        if mode == "auto":
            mode = "words" if _any_match_words(q) else "names"
        if mode == "words":
            return qs.filter(_words_match(q))
        return qs.filter(_EntrySQL(_SIMILAR_NAME, [q], BooleanField()))
    condition = Q()
    for word in _words(q):
        condition &= Q(service__search_document__icontains=_stem(word))
    return qs.filter(condition)


def _ranked_ids(q: str) -> list[str] | None:
    """The services the words find, best first, from the in-memory text index
    (``directory.search_text``); None when the copy is switched off or being built (the
    database's own word matching answers then)."""
    if not search_memory.enabled():
        return None
    found = search_memory.text_search(q)
    if found is None:
        return None
    snap, ranked = found
    return [snap.ids[i] for i in ranked.rows.tolist()]


def _ids_in(ids: list[str]) -> _EntrySQL:
    """The rows of these services, as one parameter however many there are."""
    if uses_postgres():
        return _EntrySQL("{t}.service_id = ANY(%s)", [ids], BooleanField())
    return _EntrySQL(
        "{t}.service_id IN (SELECT value FROM json_each(%s))", [json.dumps(ids)], BooleanField()
    )


def _any_match_words(q: str) -> bool:
    return SearchEntry.objects.filter(_words_match(q)).exists()


def _rank(q: str) -> Any:
    """How well a service matches the words: higher first."""
    if uses_postgres():
        return _EntrySQL(_RANK, [q, q], FloatField())
    rank: Any = Value(0.0)
    for word in _words(q):
        # A word in the name counts more than a word elsewhere.
        rank = rank + Case(
            When(name__icontains=_stem(word), then=Value(1.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    return ExpressionWrapper(rank, FloatField())


def _has_tags(qs: QuerySet[SearchEntry], tags: list[str]) -> QuerySet[SearchEntry]:
    """Rows that carry every tag (one GIN index condition on PostgreSQL)."""
    if not tags:
        return qs
    if uses_postgres():
        return qs.filter(_EntrySQL(_HAS_TAGS, [tags], BooleanField()))
    for tag in tags:  # instr() is case-sensitive, as tags are
        qs = qs.filter(GreaterThan(StrIndex("tags", Value(f" {tag} ")), 0))
    return qs


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
            service=OuterRef("service_id"),
            location__latitude__range=(origin.latitude - km / ky, origin.latitude + km / ky),
            location__longitude__range=(origin.longitude - km / kx, origin.longitude + km / kx),
        )
        .annotate(distance_sq=_distance_sq(origin, "location__"))
        .filter(distance_sq__lte=km * km)
    )
    return Exists(locations)


def _tags(search: ServiceSearch) -> list[str]:
    """The tags a service must carry to pass the search's filters."""
    tags = []
    if search.category:  # a service's tags name its categories and every broader one
        tags.append(search_index.term_tag(search.category))
    if search.day:
        tags.append(search_index.day_tag(search.day))
    if search.price == "free":
        tags.append(search_index.FREE)
    elif search.price == "paid":
        tags.append(search_index.PAID)
    if search.personal_budgets:
        tags.append(search_index.PERSONAL_BUDGETS)
    if search.time_credits:
        tags.append(search_index.TIME_CREDITS)
    if search.micro_only:
        tags.append(search_index.MICRO)
    return tags


def _tags_only(search: ServiceSearch) -> bool:
    """The search filters by tags alone (no words, language, accessibility or distance limit)."""
    return not (
        _words(search.q) or search.language or search.accessibility or search.within_km is not None
    )


def search_entries(
    search: ServiceSearch, *, base: QuerySet[Service] | None = None, text: TextMode = "auto"
) -> tuple[QuerySet[SearchEntry], Origin | None]:
    """The search rows (one per public service) the search accepts, unordered and with no joins
    that repeat rows, and the point distances are measured from. ``base`` narrows the services
    searched (the ORUK API's own filters); by default every public service is searched."""
    qs = SearchEntry.objects.all()
    if base is not None:
        qs = qs.filter(service_id__in=base.values("pk"))
    if search.q:
        qs = _text_filter(qs, search.q, text)
    qs = _has_tags(qs, _tags(search))
    if search.language:
        spoken = Q(code__iexact=search.language) | Q(name__iexact=search.language)
        qs = qs.filter(Exists(Language.objects.filter(spoken, service=OuterRef("service_id"))))
    for feature in search.accessibility:
        qs = qs.filter(
            Exists(
                ServiceAtLocation.objects.filter(
                    service=OuterRef("service_id"), location__accessibility__description=feature
                )
            )
        )
    origin = resolve_origin(search)
    if origin is not None and search.within_km is not None:
        qs = _box_meets(qs, origin, search.within_km).filter(_within(origin, search.within_km))
    return qs, origin


# A hair wider than the search's own box, so rounding can never drop a place on its edge.
_BOX_SLACK = 1e-6
_BOX_MEETS = (
    "{t}.min_latitude IS NOT NULL AND box(point({t}.min_longitude, {t}.min_latitude),"
    " point({t}.max_longitude, {t}.max_latitude)) && box(point(%s, %s), point(%s, %s))"
)


def _box_meets(qs: QuerySet[SearchEntry], origin: Origin, km: float) -> QuerySet[SearchEntry]:
    """Services whose box around their places meets the box around the circle (a superset of
    those with a place in the circle; the exact test follows)."""
    ky, kx = km_per_degree(origin.latitude)
    south = origin.latitude - km / ky - _BOX_SLACK
    north = origin.latitude + km / ky + _BOX_SLACK
    west = origin.longitude - km / kx - _BOX_SLACK
    east = origin.longitude + km / kx + _BOX_SLACK
    if uses_postgres():
        return qs.filter(_EntrySQL(_BOX_MEETS, [west, south, east, north], BooleanField()))
    return qs.filter(
        max_latitude__gte=south,
        min_latitude__lte=north,
        max_longitude__gte=west,
        min_longitude__lte=east,
    )


def search_queryset(
    search: ServiceSearch, *, base: QuerySet[Service] | None = None
) -> tuple[QuerySet[Service], Origin | None]:
    """The services the search accepts (see ``search_entries``), as a service queryset."""
    entries, origin = search_entries(search, base=base)
    return public_services().filter(pk__in=entries.values("service_id")), origin


# Below this many matches, measuring every match is cheaper than walking outwards.
_MEASURE_ALL_BELOW = 2000


def _nearest_first(
    qs: QuerySet[SearchEntry], origin: Origin, start: int, stop: int, total: int
) -> list[tuple[str, float | None]]:
    """Ids of the services in ``qs`` ordered by their nearest location (then name), for rows
    start..stop, with their distances in km. Services with no place on the map come last."""
    if uses_postgres() and total >= _MEASURE_ALL_BELOW:
        ranked = _walk_outwards(qs, origin, stop)
    else:
        prefix = "service__service_at_locations__location__"
        rows = (
            qs.values("service_id")
            .annotate(distance_sq=Min(_distance_sq(origin, prefix)))
            .order_by(F("distance_sq").asc(nulls_last=True), *search_index.name_order())
            .values_list("service_id", "distance_sq")[:stop]
        )
        ranked = [(pk, None if d is None else max(d, 0.0) ** 0.5) for pk, d in rows]
    return ranked[start:stop]


def _walk_outwards(
    qs: QuerySet[SearchEntry], origin: Origin, stop: int
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
            location_id__in=[pk for pk, _ in places], service_id__in=qs.values("service_id")
        ).values_list("location_id", "service_id")
        services_at: dict[str, list[str]] = {}
        for location_id, service_id in links:
            services_at.setdefault(location_id, []).append(service_id)
        found: dict[str, float | None] = {}
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
            qs.exclude(service_id__in=[pk for pk, _ in ranked])
            .exclude(service__service_at_locations__location__latitude__isnull=False)
            .order_by(*search_index.name_order())
            .values_list("service_id", flat=True)[: stop - len(ranked)]
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


@dataclass
class SearchPage:
    """One page of a search as service ids (in order), with distances where measured."""

    ids: list[str]
    distances: dict[str, float | None]
    total: int
    page: int
    pages: int
    origin: Origin | None


def search_page(
    search: ServiceSearch,
    *,
    page_size: int = PAGE_SIZE,
    base: QuerySet[Service] | None = None,
    clamp_page: bool = True,
) -> SearchPage:
    """The ids of one page of results, found with narrow queries on the search rows (an id and
    a sort key), or without any when the search filters by tags alone (the in-memory copy,
    ``directory.search_memory``). A page past the end shows the last page, unless ``clamp_page``
    is false (the API then returns an empty page, as ORUK expects)."""
    if base is None and search_memory.enabled():
        if _tags_only(search):
            snap = search_memory.snapshot()
            if snap is not None:
                return _page_from_memory(snap, search, page_size=page_size, clamp_page=clamp_page)
        elif _text_in_memory(search):
            from_memory = _text_page_from_memory(search, page_size=page_size, clamp_page=clamp_page)
            if from_memory is not None:
                return from_memory
    qs, origin = search_entries(search, base=base, text="words")
    by_distance = origin is not None and (
        search.sort == "distance" or (search.sort == "relevance" and not search.q)
    )
    ranked_by_words = not by_distance and search.sort == "relevance" and bool(search.q)
    found: list[str] | None = None
    if ranked_by_words:
        # One statement finds the page and counts the matches (a window over them): the
        # filters' index scans run once instead of twice.
        found, total = _ranked_page(qs, search.q, search.page, page_size)
    else:
        total = qs.count()
    if (
        total == 0
        and uses_postgres()
        and _words(search.q)
        and _ranked_ids(search.q) is None
        and not _any_match_words(search.q)
    ):
        # No public service matches the words at all: match names, tolerating typos.
        qs, origin = search_entries(search, base=base, text="names")
        found = None
        total = qs.count()
    pages = max(1, -(-total // page_size))
    page = min(search.page, pages) if clamp_page else search.page
    start, stop = (page - 1) * page_size, page * page_size
    distances: dict[str, float | None] = {}
    if total == 0 or start >= total:
        ids: list[str] = []
    elif found is not None and page == search.page:
        ids = found
    elif by_distance:
        assert origin is not None
        ranked = _nearest_first(qs, origin, start, stop, total)
        ids = [pk for pk, _ in ranked]
        distances = dict(ranked)
    elif search.sort == "relevance" and search.q:
        if _ranked_ids(search.q) is not None:
            ids, _total = _ranked_page(qs, search.q, page, page_size)
        else:
            ranked_qs = qs.annotate(rank=_rank(search.q)).order_by(
                "-rank", *search_index.name_order()
            )
            ids = list(ranked_qs.values_list("service_id", flat=True)[start:stop])
    else:
        ids = list(
            qs.order_by(*search_index.name_order()).values_list("service_id", flat=True)[start:stop]
        )
    if origin is not None and not by_distance and ids:
        distances = dict(_distances_for(ids, origin))
    return SearchPage(ids, distances, total, page, pages, origin)


def _ranked_page(
    qs: QuerySet[SearchEntry], q: str, page: int, page_size: int
) -> tuple[list[str], int]:
    """The ids on a page of matches ranked by the words, and how many match in all."""
    start = (page - 1) * page_size
    ranked = _ranked_ids(q)
    if ranked is not None:  # qs is already narrowed to them (``_text_filter``): keep their order
        accepted = set(qs.values_list("service_id", flat=True))
        order = [pk for pk in ranked if pk in accepted]
        return order[start : start + page_size], len(order)
    rows = list(
        qs.annotate(rank=_rank(q), matches=Window(Count("service_id")))
        .order_by("-rank", *search_index.name_order())
        .values_list("service_id", "matches")[start : start + page_size]
    )
    if rows:
        return [pk for pk, _ in rows], rows[0][1]
    return [], (qs.count() if page > 1 else 0)


def _page_from_memory(
    snap: search_memory.Snapshot, search: ServiceSearch, *, page_size: int, clamp_page: bool
) -> SearchPage:
    origin = _origin_from(snap, search)
    bits = snap.matching(_tags(search))
    total = bits.bit_count()
    pages = max(1, -(-total // page_size))
    page = min(search.page, pages) if clamp_page else search.page
    start, stop = (page - 1) * page_size, page * page_size
    by_distance = origin is not None and search.sort in ("distance", "relevance")
    distances: dict[str, float | None] = {}
    ranked: list[tuple[str, float | None]] | None = None
    if total == 0 or start >= total:
        ids: list[str] = []
    elif by_distance:
        assert origin is not None
        if uses_postgres() and total >= _MEASURE_ALL_BELOW:
            ranked = _nearest_from_copy(snap, snap.mask(bits), origin, stop)
            if ranked is None:
                ranked = _walk_outwards_in_memory(snap.member_test(bits), origin, stop)
        if ranked is None:  # few matches, SQLite, or every place seen: as any other search
            qs, _origin = search_entries(search)
            ranked = _nearest_first(qs, origin, 0, stop, total)
        ranked = ranked[start:stop]
        ids = [pk for pk, _ in ranked]
        distances = dict(ranked)
    else:
        ids = snap.page(bits, start, stop)
    if origin is not None and not by_distance and ids:
        distances = dict(_distances_for(ids, origin))
    return SearchPage(ids, distances, total, page, pages, origin)


def _text_in_memory(search: ServiceSearch) -> bool:
    """Free-text searches (with any tags, a point and a distance limit) are answered from the
    in-memory copy's text index; languages and accessibility go to the database (which still
    takes the matches and their order from that index, ``_text_filter``)."""
    return bool(search.q) and not (search.language or search.accessibility)


def _text_page_from_memory(
    search: ServiceSearch, *, page_size: int, clamp_page: bool
) -> SearchPage | None:
    """A free-text search from the copy: the text index's matches, best first
    (``directory.search_text``), narrowed by the filters; by name or nearest first when asked.
    None: ask the database."""
    tags = _tags(search)
    # Ranked by the words alone: only the page's rows need ranking (the total is a count).
    first = (
        search.page * page_size
        if search.sort == "relevance" and not tags and search.within_km is None
        else None
    )
    found = search_memory.text_search(search.q, first)
    if found is None:
        return None
    snap, ranked = found
    origin = _origin_from(snap, search)
    if first is not None and _words(search.q):  # every service is accepted
        rows, total = ranked.rows, ranked.total
    else:
        accepted = snap.mask(snap.matching(tags))
        if origin is not None and search.within_km is not None:
            ky, kx = km_per_degree(origin.latitude)
            box = _box_as_compared(origin, search.within_km)
            accepted &= snap.within(
                origin.latitude, origin.longitude, search.within_km, ky, kx, box
            )
        if _words(search.q):
            rows = ranked.rows[accepted[ranked.rows]] if len(ranked.rows) else ranked.rows
        else:  # no words at all (punctuation): the filters alone, by name
            rows = snap.in_name_order(np.flatnonzero(accepted).astype(np.int64))
        total = len(rows)
    pages = max(1, -(-total // page_size))
    page = min(search.page, pages) if clamp_page else search.page
    start, stop = (page - 1) * page_size, page * page_size
    by_distance = origin is not None and search.sort == "distance"
    distances: dict[str, float | None] = {}
    if total == 0 or start >= total:
        ids: list[str] = []
    elif by_distance:
        assert origin is not None
        ranked_places: list[tuple[str, float | None]] | None = None
        if uses_postgres() and total >= _MEASURE_ALL_BELOW:
            mask = np.zeros(snap.size, dtype=np.bool_)
            mask[rows] = True
            ranked_places = _nearest_from_copy(snap, mask, origin, stop)
            if ranked_places is None:
                ranked_places = _walk_outwards_in_memory(snap.member_test_of(mask), origin, stop)
        if ranked_places is None:  # measure every match in memory
            ranked_places = _nearest_of(snap, rows, origin, stop)
        ranked_places = ranked_places[start:stop]
        ids = [pk for pk, _ in ranked_places]
        distances = dict(ranked_places)
    elif search.sort == "relevance":
        ids = [snap.ids[i] for i in rows[start:stop].tolist()]
    else:
        ids = [snap.ids[i] for i in snap.in_name_order(rows)[start:stop].tolist()]
    if origin is not None and not by_distance and ids:
        ky, kx = km_per_degree(origin.latitude)
        distances = dict(snap.distances(ids, origin.latitude, origin.longitude, ky, kx))
    return SearchPage(ids, distances, total, page, pages, origin)


def _nearest_of(
    snap: search_memory.Snapshot, rows: Any, origin: Origin, stop: int
) -> list[tuple[str, float | None]]:
    """The first ``stop`` of these services by their nearest place (then name); services with no
    place on the map last."""
    ky, kx = km_per_degree(origin.latitude)
    every = [snap.ids[i] for i in snap.in_name_order(rows).tolist()]
    measured = snap.distances(every, origin.latitude, origin.longitude, ky, kx)
    order = sorted(
        range(len(every)),
        key=lambda n: (every[n] not in measured, measured.get(every[n], 0.0), n),
    )
    return [(every[n], measured.get(every[n])) for n in order[:stop]]


def _box_as_compared(origin: Origin, km: float) -> tuple[float, float, float, float]:
    """The box ``_within`` gives the database, as the database compares it: Django turns each
    float bound into a Decimal of the column's 9 significant digits (``DecimalField``)."""
    ky, kx = km_per_degree(origin.latitude)
    lat, lon = Location._meta.get_field("latitude"), Location._meta.get_field("longitude")
    return (
        float(lat.get_prep_value(origin.latitude - km / ky)),
        float(lat.get_prep_value(origin.latitude + km / ky)),
        float(lon.get_prep_value(origin.longitude - km / kx)),
        float(lon.get_prep_value(origin.longitude + km / kx)),
    )


def _origin_from(snap: search_memory.Snapshot, search: ServiceSearch) -> Origin | None:
    """As ``resolve_origin``, with the neighbourhoods held in memory."""
    if search.has_point or search.postcode or not search.neighbourhood:
        return resolve_origin(search)
    hood = snap.neighbourhoods.get(search.neighbourhood)
    if hood is None:
        raise SearchError("neighbourhood", "Choose a neighbourhood from the list")
    return Origin(*hood, point=snap.neighbourhood_points.get(search.neighbourhood))


def _nearest_from_copy(
    snap: search_memory.Snapshot, accepted: Any, origin: Origin, stop: int
) -> list[tuple[str, float | None]] | None:
    """As ``_walk_outwards_in_memory``, from the places' points on the earth held in the copy
    (the same chords, ties and order, without its statement); None when the copy cannot say
    exactly (no point for the origin, few services with a place, two places equally far)."""
    if origin.point is None:
        return None
    found = snap.nearest(accepted, origin.latitude, origin.point, stop)
    if found is None:
        return None
    return [(pk, chord / 1000.0) for pk, chord in found]


def _walk_outwards_in_memory(
    matches: search_memory.MemberTest, origin: Origin, stop: int
) -> list[tuple[str, float | None]] | None:
    """As ``_walk_outwards``, with the matching services tested in memory and the nearest places
    fetched with the services at each in one statement. None when every place has been seen
    before ``stop`` services were found (services with no place then follow)."""
    batch = max(32, stop * 2)  # enough when most services match; widened fourfold if not
    while True:
        with connection.cursor() as cursor:
            cursor.execute(_NEAREST_WITH_SERVICES, [origin.latitude, origin.longitude, batch])
            rows = cursor.fetchall()
        places: list[tuple[str, float]] = []
        services_at: dict[str, list[str]] = {}
        for location_id, chord, service_id in rows:
            if not places or places[-1][0] != location_id:
                places.append((location_id, chord))
            if service_id is not None and matches(service_id):
                services_at.setdefault(location_id, []).append(service_id)
        found: dict[str, float | None] = {}
        for location_id, chord in places:
            for service_id in sorted(services_at.get(location_id, ())):
                found.setdefault(service_id, chord / 1000.0)
        if len(found) >= stop:
            return list(found.items())[:stop]
        if len(places) < batch:
            return None
        batch *= 4


# The ``batch`` nearest places (the same index scan as ``_walk_outwards``, numbered in the order
# it returns them) with the services at each.
_NEAREST_WITH_SERVICES = """
SELECT k.id, k.chord_m, sal.service_id
FROM (
    SELECT k0.id, k0.chord_m, row_number() OVER () AS n
    FROM (
        SELECT directory_location.id,
            ll_to_earth(directory_location.latitude::float8, directory_location.longitude::float8)
            <-> ll_to_earth(%s, %s) AS chord_m
        FROM directory_location
        WHERE latitude IS NOT NULL AND longitude IS NOT NULL
        ORDER BY chord_m
        LIMIT %s
    ) k0
) k
LEFT JOIN directory_serviceatlocation sal ON sal.location_id = k.id
ORDER BY k.n
"""


def search_services(
    search: ServiceSearch,
    *,
    page_size: int = PAGE_SIZE,
    base: QuerySet[Service] | None = None,
    clamp_page: bool = True,
) -> SearchResults:
    """One page of results as services loaded with what the search page shows."""
    found = search_page(search, page_size=page_size, base=base, clamp_page=clamp_page)
    loaded = Service.objects.select_related("organization").prefetch_related(
        "cost_options",
        "service_at_locations__location__addresses",
        "service_at_locations__location__neighbourhood",
    )
    by_id = (
        {service.pk: service for service in loaded.filter(pk__in=found.ids)} if found.ids else {}
    )
    services = [by_id[pk] for pk in found.ids if pk in by_id]
    for service in services:
        service.distance_km = found.distances.get(service.pk)  # type: ignore[attr-defined]
    return SearchResults(services, found.total, found.page, found.pages, found.origin)


_DOCUMENTS_SQL = "SELECT service_id, document FROM directory_searchentry WHERE service_id = ANY(%s)"


def _documents(ids: list[str]) -> dict[str, str]:
    if uses_postgres():
        # One plain statement: building the ORM query took as long as running it (about 0.4 ms
        # of every search page).
        with connection.cursor() as cursor:
            cursor.execute(_DOCUMENTS_SQL, [ids])
            return dict(cursor.fetchall())
    return dict(
        SearchEntry.objects.filter(service_id__in=ids).values_list("service_id", "document")
    )


def search_documents(found: SearchPage) -> list[tuple[str, str]]:
    """The page's services as ORUK ``GET /services`` records in JSON text, ``(id, json)``, from
    the search rows (one query; nothing to serialise or parse), with ``x_distance_km`` added
    where the search measured distance."""
    if not found.ids:
        return []
    return _records(found, _documents(found.ids))


# The page's records and the rows' version in one statement, so one snapshot of the database:
# the records are those of that version.
_DOCUMENTS_AND_STATE_SQL = (
    "SELECT service_id, document, NULL::bigint, NULL::bigint FROM directory_searchentry"
    " WHERE service_id = ANY(%s)"
    " UNION ALL SELECT NULL, NULL, version, token FROM directory_searchindexversion WHERE id = 1"
)


def _documents_and_state(
    found: SearchPage,
) -> tuple[list[tuple[str, str]], search_memory.State | None]:
    """``search_documents``, and the rows' version as the records were read."""
    if not uses_postgres():  # the version read after the records: unchanged, so theirs
        records = search_documents(found)
        return records, search_index.current_state()
    with connection.cursor() as cursor:
        cursor.execute(_DOCUMENTS_AND_STATE_SQL, [found.ids])
        rows = cursor.fetchall()
    state = next(((int(v), int(t)) for pk, _d, v, t in rows if pk is None), None)
    return _records(found, {pk: d for pk, d, _v, _t in rows if pk is not None}), state


def search_page_with_documents(
    search: ServiceSearch, *, page_size: int = PAGE_SIZE, clamp_page: bool = True
) -> tuple[SearchPage, list[tuple[str, str]]]:
    """``search_page`` and the page's ``search_documents``, with a statement fewer: the page is
    found in the process's in-memory copy as it stands and the rows' version is read with the
    page's records. Only when the version has moved on since the copy (a write since this
    process's last search) is the search made again the usual way (version first)."""
    if search_memory.enabled():
        try:
            with search_memory.unchecked() as used:
                found = search_page(search, page_size=page_size, clamp_page=clamp_page)
        except SearchError:
            pass  # perhaps only the copy is behind (a neighbourhood just added): ask again
        else:
            if not used:  # the database answered: nothing to check
                return found, search_documents(found)
            records, state = _documents_and_state(found)
            if all(snap.state == state for snap in used):
                return found, records
    found = search_page(search, page_size=page_size, clamp_page=clamp_page)
    return found, search_documents(found)


def _records(found: SearchPage, rows: dict[str, str]) -> list[tuple[str, str]]:
    records = []
    for pk in found.ids:
        if pk not in rows:
            continue
        record = rows[pk]
        distance = found.distances.get(pk)
        if distance is not None:  # the stored record is an object: "{...}"
            record = f'{record[:-1]}, "x_distance_km": {json.dumps(round(distance, 3))}}}'
        records.append((pk, record))
    return records


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
    """The reviews anyone may read (``directory.services.can_see_review``)."""
    return Review.objects.filter(service=service, state=Review.State.PUBLISHED).select_related(
        "author"
    )


def unpublished_review_by(service: Service, user: Any) -> Review | None:
    """The person's own review of the service while it is not published (waiting for moderation,
    or refused with a reason), which only they and the moderators may read."""
    if not user.is_authenticated:
        return None
    return (
        Review.objects.filter(service=service, author=user)
        .exclude(state=Review.State.PUBLISHED)
        .first()
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


def taxonomy_terms() -> QuerySet[TaxonomyTerm]:
    """Every need category, broad and narrow (``categories`` gives the broad ones), by name."""
    return TaxonomyTerm.objects.all()


def neighbourhoods() -> QuerySet[Neighbourhood]:
    return Neighbourhood.objects.all()


def neighbourhoods_in(ids: Iterable[int]) -> QuerySet[Neighbourhood]:
    """These neighbourhoods (by id), by name."""
    return neighbourhoods().filter(pk__in=list(ids))


def opening_times_on(service_ids: list[str], day: str) -> dict[str, list[Schedule]]:
    """Each service's opening times that include this day (a day code, "SA"), read the way the
    search's day filter reads them (``search_index.days_open``), in opening order."""
    found: dict[str, list[Schedule]] = {}
    if not service_ids:
        return found
    schedules = Schedule.objects.filter(service_id__in=service_ids).order_by(
        "opens_at", "closes_at", "pk"
    )
    for schedule in schedules:
        if day in search_index.days_open([schedule.byday]) and schedule.service_id:
            found.setdefault(schedule.service_id, []).append(schedule)
    return found
