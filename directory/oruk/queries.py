"""Reads for the ORUK API and the export: the directory's own search, plus the filters ORUK has and
the directory search does not.

Words, day, neighbourhood/point/distance, personal budgets and the other platform filters go through
``directory.selectors.search_services`` (the same search as the web pages). ORUK's extra filters
(``taxonomy_id``, ``organization_id``, ages, ``modified_after``, opening times) narrow the services
that selector finds. Every query here prefetches what the serialisers read, so a page costs a fixed
number of queries whatever its size.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, time
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.db.models import Exists, F, FloatField, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Cast

from directory.models import (
    Attribute,
    Contact,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from directory.search import ServiceSearch, km_per_degree
from directory.selectors import (
    public_services,
    resolve_origin,
    search_documents,
    search_page,
    search_page_with_documents,
    search_queryset,
)

T = TypeVar("T")


@dataclass(frozen=True)
class RawJson:
    """A response body that is already JSON text."""

    text: str


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def total_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def _head(self, size: int) -> dict[str, Any]:
        return {
            "total_items": self.total,
            "total_pages": self.total_pages,
            "page_number": self.page,
            "size": size,
            "first_page": self.page == 1,
            "last_page": self.page == self.total_pages,
            "empty": size == 0,
        }

    def envelope(self, contents: list[Any]) -> dict[str, Any]:
        """The ORUK 3.0 pagination envelope around the serialised items."""
        return {**self._head(len(contents)), "contents": contents}

    def envelope_json(self, contents: list[str]) -> RawJson:
        """The same envelope around records that are already JSON text (spliced in as they are)."""
        head = json.dumps(self._head(len(contents)), ensure_ascii=False)
        return RawJson(f'{head[:-1]}, "contents": [{", ".join(contents)}]}}')


def _paginate(qs: QuerySet[Any], page: int, per_page: int) -> Page[Any]:
    total = qs.count()
    start = (page - 1) * per_page
    items = list(qs[start : start + per_page]) if start < total else []
    return Page(items, total, page, per_page)


# --- what a fully nested service needs ---------------------------------------------------------


def _contacts() -> QuerySet[Contact]:
    return Contact.objects.order_by("id").prefetch_related(
        Prefetch("phones", queryset=Phone.objects.order_by("id"))
    )


def with_full_service(qs: QuerySet[Service]) -> QuerySet[Service]:
    return qs.select_related("organization").prefetch_related(
        Prefetch("schedules", queryset=Schedule.objects.order_by("id")),
        "service_areas",
        "languages",
        "cost_options",
        Prefetch("contacts", queryset=_contacts()),
        Prefetch("phones", queryset=Phone.objects.filter(contact__isnull=True).order_by("id")),
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location__neighbourhood")
            .prefetch_related(
                Prefetch("schedules", queryset=Schedule.objects.order_by("id")),
                "location__addresses",
                "location__accessibility",
            )
            .order_by("id"),
        ),
        Prefetch(
            "attributes",
            queryset=Attribute.objects.select_related("taxonomy_term__taxonomy").order_by("id"),
        ),
        "organization__organization_identifiers",
        Prefetch(
            "organization__contacts",
            queryset=_contacts().filter(service__isnull=True),
        ),
    )


def full_service(service_id: str) -> Service | None:
    return with_full_service(public_services()).filter(pk=service_id).first()


def services_for_export() -> Iterator[Service]:
    """Every service (any status), fully nested, in id order, fetched in chunks."""
    return with_full_service(Service.objects.order_by("id")).iterator(chunk_size=200)


# --- /services and /service_at_locations --------------------------------------------------------


@dataclass(frozen=True)
class OrukFilters:
    """ORUK 3.0 filters that ``directory.search.ServiceSearch`` does not have."""

    taxonomy_id: str = ""
    organization_id: str = ""
    minimum_age: Decimal | None = None
    maximum_age: Decimal | None = None
    modified_after: datetime | None = None
    start_time: time | None = None
    end_time: time | None = None
    day: str = ""

    @property
    def active(self) -> bool:
        return any(
            value not in (None, "")
            for value in (
                self.taxonomy_id,
                self.organization_id,
                self.minimum_age,
                self.maximum_age,
                self.modified_after,
                self.start_time,
                self.end_time,
            )
        )

    def apply(self, qs: QuerySet[Service]) -> QuerySet[Service]:
        if self.taxonomy_id:
            qs = qs.filter(
                Exists(
                    Attribute.objects.filter(
                        service=OuterRef("pk"), taxonomy_term__taxonomy_id=self.taxonomy_id
                    )
                )
            )
        if self.organization_id:
            qs = qs.filter(organization_id=self.organization_id)
        # As ORUK 3.0 words them: "a minimum age of at least" and "a maximum age equal to or below".
        # Ages are whole numbers in the table: 7.5 means 8 or more, and 7 or less (an integer
        # column would otherwise truncate the Decimal to 7 for both).
        if self.minimum_age is not None:
            qs = qs.filter(minimum_age__gte=math.ceil(self.minimum_age))
        if self.maximum_age is not None:
            qs = qs.filter(maximum_age__lte=math.floor(self.maximum_age))
        if self.modified_after is not None:
            qs = qs.filter(last_modified__gte=self.modified_after)
        if self.start_time is not None or self.end_time is not None:
            times = Q(service=OuterRef("pk")) | Q(service_at_location__service=OuterRef("pk"))
            if self.start_time is not None:
                times &= Q(opens_at__gte=self.start_time)
            if self.end_time is not None:
                times &= Q(closes_at__lte=self.end_time)
            if self.day:
                times &= Q(byday__contains=self.day)
            qs = qs.filter(Exists(Schedule.objects.filter(times)))
        return qs


def _is_plain(search: ServiceSearch) -> bool:
    return replace(search, page=1) == ServiceSearch()


def _matching_services(search: ServiceSearch, filters: OrukFilters) -> QuerySet[Service]:
    """Services both searches accept: the ORUK filters narrow what the directory search sees."""
    qs, _origin = search_queryset(search, base=filters.apply(public_services()))
    return qs


def list_services(
    search: ServiceSearch, filters: OrukFilters, *, page: int, per_page: int
) -> Page[tuple[str, str]]:
    """A page of ``GET /services`` records as ``(id, JSON text)``: the directory search finds the
    page's ids and their stored records are returned as they are (``full`` pages are nested from
    the tables by the caller)."""
    searched = replace(search, page=page)
    if filters.active:
        base = filters.apply(public_services())
        found = search_page(searched, page_size=per_page, base=base, clamp_page=False)
        records = search_documents(found)
    else:
        found, records = search_page_with_documents(searched, page_size=per_page, clamp_page=False)
    return Page(records, found.total, page, per_page)


def list_service_at_locations(
    search: ServiceSearch,
    filters: OrukFilters,
    *,
    proximity_m: float | None,
    page: int,
    per_page: int,
) -> Page[ServiceAtLocation]:
    """Service-at-location links whose service matches; a point (latitude/longitude or a
    neighbourhood's centroid) orders them by the distance of each location, and ``proximity``
    (metres) keeps those within it."""
    origin = resolve_origin(search)
    service_search = replace(
        search,
        latitude=None,
        longitude=None,
        within_km=None,
        neighbourhood="",
        sort="relevance",
        page=1,
    )
    if _is_plain(service_search):
        services: Any = filters.apply(public_services())
    else:
        services = _matching_services(service_search, filters).values("pk")
    qs = ServiceAtLocation.objects.filter(service__in=services).select_related(
        "service__organization", "location__neighbourhood"
    )
    order: list[Any] = ["service__name", "service_id", "id"]
    if origin is not None:
        ky, kx = km_per_degree(origin.latitude)
        dy = Cast(F("location__latitude"), FloatField()) - origin.latitude
        dx = Cast(F("location__longitude"), FloatField()) - origin.longitude
        qs = qs.annotate(distance_sq=dy * dy * (ky * ky) + dx * dx * (kx * kx))
        if proximity_m is not None:
            km = proximity_m / 1000
            qs = qs.filter(
                location__latitude__range=(origin.latitude - km / ky, origin.latitude + km / ky),
                location__longitude__range=(origin.longitude - km / kx, origin.longitude + km / kx),
                distance_sq__lte=km * km,
            )
        order = [F("distance_sq").asc(nulls_last=True), *order]
    result = _paginate(qs.order_by(*order), page, per_page)
    for sal in result.items:
        dist_sq = getattr(sal, "distance_sq", None)
        sal.distance_km = None if dist_sq is None else max(dist_sq, 0.0) ** 0.5
    return result


def full_service_at_location(sal_id: str) -> ServiceAtLocation | None:
    sal = (
        ServiceAtLocation.objects.filter(pk=sal_id, service__in=public_services())
        .select_related("location__neighbourhood")
        .prefetch_related(
            Prefetch("schedules", queryset=Schedule.objects.order_by("id")),
            "location__addresses",
            "location__accessibility",
        )
        .first()
    )
    if sal is not None:
        # The nested service, with everything a full service has.
        service = with_full_service(Service.objects.filter(pk=sal.service_id)).get()
        sal.service = service
    return sal


# --- organisations and taxonomies ---------------------------------------------------------------


def list_organizations(*, search: str, full: bool, page: int, per_page: int) -> Page[Organization]:
    qs = Organization.objects.order_by("name", "id")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(description__icontains=search))
    if full:
        qs = qs.prefetch_related(
            "organization_identifiers",
            Prefetch("contacts", queryset=_contacts().filter(service__isnull=True)),
        )
    return _paginate(qs, page, per_page)


def organization_with_services(
    org_id: str, *, full_service: bool
) -> tuple[Organization, list[Service]] | None:
    org = (
        Organization.objects.prefetch_related(
            "organization_identifiers",
            Prefetch("contacts", queryset=_contacts().filter(service__isnull=True)),
        )
        .filter(pk=org_id)
        .first()
    )
    if org is None:
        return None
    services = public_services().filter(organization=org).order_by("name", "pk")
    if full_service:
        services = with_full_service(services)
    services_list = list(services)
    for service in services_list:
        service.organization = org  # already loaded; avoids a query per service
    return org, services_list


def list_taxonomies(*, search: str, page: int, per_page: int) -> Page[Taxonomy]:
    qs = Taxonomy.objects.order_by("name", "id")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(description__icontains=search))
    return _paginate(qs, page, per_page)


def taxonomy_with_terms(tax_id: str) -> tuple[Taxonomy, list[TaxonomyTerm]] | None:
    tax = Taxonomy.objects.filter(pk=tax_id).first()
    if tax is None:
        return None
    terms = list(TaxonomyTerm.objects.filter(taxonomy=tax).order_by("name", "id"))
    for term in terms:
        term.taxonomy = tax
    return tax, terms


def list_taxonomy_terms(
    *, search: str, taxonomy_id: str, parent_id: str, top_only: bool, page: int, per_page: int
) -> Page[TaxonomyTerm]:
    qs = TaxonomyTerm.objects.select_related("taxonomy").order_by("name", "id")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(description__icontains=search))
    if taxonomy_id:
        qs = qs.filter(taxonomy_id=taxonomy_id)
    if parent_id:
        qs = qs.filter(parent_id=parent_id)
    if top_only:
        qs = qs.filter(parent__isnull=True)
    return _paginate(qs, page, per_page)


def taxonomy_term(term_id: str) -> TaxonomyTerm | None:
    return TaxonomyTerm.objects.select_related("taxonomy").filter(pk=term_id).first()
