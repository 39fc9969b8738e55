"""The search read model and its in-memory copy: kept in step with every kind of write, and giving
the same results as the searches written straight against the directory's own tables (the way
search worked before the read model), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from accounts.services import erase_person
from directory import search_index, search_memory
from directory.demo_area import generate_area
from directory.models import (
    Attribute,
    CostOption,
    ListingChange,
    Location,
    Neighbourhood,
    ProviderKind,
    Schedule,
    SearchEntry,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from directory.oruk.importer import import_data
from directory.oruk.serialisers import service_flat
from directory.search import ServiceSearch, km_per_degree
from directory.selectors import search_page, search_services, term_and_descendants
from directory.services import decide_listing_change, propose_listing_change, submit_review
from directory.tests import factories as f

pytestmark = pytest.mark.django_db

FIELDS = ("service_id", "name", "tags", "document", *search_index.BOX_FIELDS)


def rows() -> dict[str, tuple[Any, ...]]:
    return {r[0]: r for r in SearchEntry.objects.values_list(*FIELDS)}


def assert_in_step() -> None:
    """The rows equal what a rebuild from the tables makes."""
    before = rows()
    search_index.rebuild()
    assert rows() == before


def tags_of(service: Service) -> set[str]:
    return set(SearchEntry.objects.get(pk=service.pk).tags.split())


def names(**search: Any) -> list[str]:
    return [s.name for s in search_services(ServiceSearch(**search)).services]


# --- kept in step ---------------------------------------------------------------------------------


def test_every_kind_of_write_keeps_the_rows_in_step() -> None:
    hood = f.neighbourhood()
    social = f.term("Social activities")
    lunch = f.term("Lunch clubs", parent=social)
    svc = f.service(name="Lunch at the hall", terms=[lunch], days="MO", at=hood, cost="0")
    assert_in_step()
    assert {"d:MO", "free", search_index.term_tag(lunch.pk), search_index.term_tag(social.pk)} <= (
        tags_of(svc)
    )

    svc.name, svc.accepts_direct_payments = "Lunch in the hall", True
    svc.save()
    Schedule.objects.create(service=svc, byday="SA,SU")
    CostOption.objects.create(service=svc, amount=Decimal("3.50"))
    assert_in_step()
    assert {"d:MO", "d:SA", "d:SU", "pb", "paid"} <= tags_of(svc)
    assert "free" not in tags_of(svc)
    assert SearchEntry.objects.get(pk=svc.pk).name == "Lunch in the hall"

    Schedule.objects.filter(service=svc, byday="MO").delete()
    CostOption.objects.filter(service=svc).delete()  # no cost given: neither free nor paid
    assert "d:MO" not in tags_of(svc) and not {"free", "paid"} & tags_of(svc)

    food = f.term("Food")
    lunch.parent = food  # a category moves in the tree
    lunch.save()
    assert search_index.term_tag(food.pk) in tags_of(svc)
    assert search_index.term_tag(social.pk) not in tags_of(svc)
    food_tag = search_index.term_tag(food.pk)
    food.delete()  # its narrower category keeps its place, without it
    assert food_tag not in tags_of(svc)
    assert_in_step()

    org = svc.organization
    org.provider_kind, org.name = ProviderKind.MICRO, "Renamed organisation"
    org.save()
    assert "micro" in tags_of(svc)
    assert '"Renamed organisation"' in SearchEntry.objects.get(pk=svc.pk).document

    location = Location.objects.get(service_at_locations__service=svc)
    location.latitude = Decimal("52.500000")
    location.save()
    assert SearchEntry.objects.get(pk=svc.pk).max_latitude == 52.5
    assert_in_step()

    svc.status = Service.Status.INACTIVE
    svc.save()
    assert not SearchEntry.objects.filter(pk=svc.pk).exists()
    svc.status = Service.Status.ACTIVE
    svc.save()
    assert SearchEntry.objects.filter(pk=svc.pk).exists()
    svc.delete()
    assert not SearchEntry.objects.exists()


def test_the_stored_record_is_the_api_record() -> None:
    svc = f.service(name="Befriending", accepts_time_credits=True)
    svc.refresh_from_db()
    assert json.loads(SearchEntry.objects.get(pk=svc.pk).document) == service_flat(svc)


def test_publishing_a_listing_change_updates_the_rows() -> None:
    svc = f.service(name="Knitting circle")
    provider = f.provider_user(svc.organization)
    coordinator = f.user(Role.COORDINATOR)
    change = propose_listing_change(
        author=provider, service=svc, changes={"name": "Knit and natter"}
    )
    assert names(q="natter") == []  # nothing public changes before it is published
    decide_listing_change(moderator=coordinator, change=change, publish=True)
    assert ListingChange.objects.get(pk=change.pk).state == ListingChange.State.PUBLISHED
    assert names(q="natter") == ["Knit and natter"]
    assert_in_step()


def test_an_import_and_a_second_import_keep_the_rows_in_step() -> None:
    record: dict[str, Any] = {
        "id": "svc-imported",
        "name": "Imported walking group",
        "status": "active",
        "organization": {"id": "org-imported", "name": "Walkers", "description": "We walk."},
        "schedules": [{"id": "sch-1", "freq": "WEEKLY", "byday": "SA"}],
        "cost_options": [{"id": "cost-1", "amount": 2}],
    }
    assert import_data(record).created == 1
    assert {"d:SA", "paid"} <= set(SearchEntry.objects.get(pk="svc-imported").tags.split())
    assert names(day="SA") == ["Imported walking group"]
    record["schedules"] = [{"id": "sch-2", "freq": "WEEKLY", "byday": "TU"}]
    record["status"] = "defunct"
    assert import_data(record).updated == 1
    assert not SearchEntry.objects.filter(pk="svc-imported").exists()
    assert names(day="SA") == []
    assert_in_step()


def test_erasing_a_person_leaves_search_as_it_was() -> None:
    svc = f.service(name="Choir")
    person = f.user()
    submit_review(author=person, service=svc, rating=5, body="Lovely", used_service_on="May")
    before = rows()
    erase_person(person=person, erased_by=f.user(Role.ADMINISTRATOR), request=None)
    assert rows() == before
    assert names(q="choir") == ["Choir"]


def test_the_in_memory_copy_follows_writes_and_rollbacks() -> None:
    from django.db import transaction

    term = f.term("Advice")
    f.service(name="Money advice", terms=[term])
    assert search_page(ServiceSearch(category=term.pk)).total == 1
    second = f.service(name="Benefits advice", terms=[term])
    assert search_page(ServiceSearch(category=term.pk)).total == 2
    assert search_page(ServiceSearch(category=term.pk)).ids[0] == second.pk  # by name
    with pytest.raises(RuntimeError), transaction.atomic():
        Attribute.objects.filter(service=second).delete()
        assert search_page(ServiceSearch(category=term.pk)).total == 1
        raise RuntimeError("roll back")
    assert search_page(ServiceSearch(category=term.pk)).total == 2
    Neighbourhood.objects.create(slug="new-town", name="New Town", latitude=1, longitude=1)
    assert search_page(ServiceSearch(neighbourhood="new-town")).origin is not None


# --- the same results as searching the tables themselves --------------------------------------


def _reference(search: ServiceSearch) -> QuerySet[Service]:
    """The search as it was written before the read model: straight against the tables."""
    qs = Service.objects.filter(status=Service.Status.ACTIVE)
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
    if search.within_km is not None:
        hood = Neighbourhood.objects.get(slug=search.neighbourhood)
        lat, lon = float(hood.latitude), float(hood.longitude)
        ky, kx = km_per_degree(lat)
        inside = {
            sid
            for sid, la, lo in ServiceAtLocation.objects.filter(
                location__latitude__isnull=False
            ).values_list("service_id", "location__latitude", "location__longitude")
            if la is not None
            and lo is not None
            and (float(la) - lat) ** 2 * ky * ky + (float(lo) - lon) ** 2 * kx * kx
            <= search.within_km**2
        }
        qs = qs.filter(pk__in=inside)
    return qs.order_by("name", "pk")


@pytest.fixture
def area() -> Any:
    return generate_area(seed=7, services=300)


def _searches() -> list[ServiceSearch]:
    top = list(TaxonomyTerm.objects.filter(parent__isnull=True).values_list("pk", flat=True))
    child = TaxonomyTerm.objects.filter(parent__isnull=False).values_list("pk", flat=True)[0]
    hood = Neighbourhood.objects.order_by("name").values_list("slug", flat=True)[0]
    searches = [ServiceSearch()]
    searches += [ServiceSearch(category=c) for c in [*top[:4], child]]
    searches += [ServiceSearch(day=d) for d in ("MO", "SA", "SU")]
    searches += [
        ServiceSearch(day="SA", personal_budgets=True),
        ServiceSearch(price="free", time_credits=True),
        ServiceSearch(price="paid", micro_only=True),
        ServiceSearch(category=top[0], day="WE", personal_budgets=True),
        ServiceSearch(neighbourhood=hood, within_km=2.0, sort="name"),
        ServiceSearch(neighbourhood=hood, within_km=3.0, day="SA", sort="name"),
    ]
    return searches


def test_tag_searches_match_the_tables_and_the_database_alone(area: Any) -> None:
    for search in _searches():
        expected = list(_reference(search).values_list("pk", flat=True))
        for page in (1, 2):
            paged = ServiceSearch(**{**search.__dict__, "page": page})
            found = search_page(paged, page_size=10, clamp_page=False)
            with search_memory.disabled():
                in_sql = search_page(paged, page_size=10, clamp_page=False)
            assert found.total == in_sql.total == len(expected), search
            assert found.ids == in_sql.ids == expected[(page - 1) * 10 : page * 10], search


def test_nearest_first_is_the_same_from_memory_and_from_the_database(
    area: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from directory import selectors

    # Walk outwards (PostgreSQL) even for this small area, both ways.
    monkeypatch.setattr(selectors, "_MEASURE_ALL_BELOW", 10)
    for hood in Neighbourhood.objects.values_list("slug", flat=True)[:4]:
        for search in (
            ServiceSearch(neighbourhood=hood),
            ServiceSearch(neighbourhood=hood, day="SA", page=2),
        ):
            found = search_page(search)
            with search_memory.disabled():
                in_sql = search_page(search)
            assert (found.total, found.ids) == (in_sql.total, in_sql.ids)
            assert found.distances == pytest.approx(in_sql.distances)
            distances = [found.distances[i] for i in found.ids]
            assert distances == sorted(distances)  # type: ignore[type-var]


def _by_the_scan(search: ServiceSearch, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The page as the database's nearest-places scan orders it (the copy's own order off)."""
    from directory import selectors

    with monkeypatch.context() as m:
        m.setattr(selectors, "_nearest_from_copy", lambda *_args: None)
        return search_page(search)


@pytest.mark.postgres
def test_nearest_first_from_the_copy_is_the_scan_exactly_without_its_statement(
    area: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from directory import selectors

    monkeypatch.setattr(selectors, "_MEASURE_ALL_BELOW", 10)
    for hood in Neighbourhood.objects.values_list("slug", flat=True)[:4]:
        for search in (
            ServiceSearch(neighbourhood=hood),
            ServiceSearch(neighbourhood=hood, day="SA", page=2),
            ServiceSearch(neighbourhood=hood, q="group", sort="distance"),
        ):
            search_page(search)  # the copy up to date
            with CaptureQueriesContext(connection) as sent:
                found = search_page(search)
            assert not [q for q in sent.captured_queries if "<->" in q["sql"]], search
            in_scan = _by_the_scan(search, monkeypatch)
            # the same ids, and distances to the last bit (the same chords as the database's)
            assert (found.total, found.ids, found.distances) == (
                in_scan.total,
                in_scan.ids,
                in_scan.distances,
            ), search
    # A new place, patched into the copy: a few metres from the centre (where one service is).
    centre = Neighbourhood.objects.order_by("name").first()
    assert centre is not None
    near = f"{centre.latitude + Decimal('0.00002'):f}"
    new = f.service(name="Aardvark Club", lat=near, lon=f"{centre.longitude:f}")
    search = ServiceSearch(neighbourhood=centre.slug)
    builds = search_memory.builds
    with CaptureQueriesContext(connection) as sent:
        found = search_page(search)
    assert search_memory.builds == builds  # patched, not built again
    assert not [q for q in sent.captured_queries if "<->" in q["sql"]]  # the scan
    assert new.pk in found.ids[:2]
    assert found == _by_the_scan(search, monkeypatch)


@pytest.mark.postgres
def test_places_equally_far_are_ordered_by_the_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two places at the same distance: only the database's index scan knows which it meets
    first, so the copy leaves the order to it."""
    from directory import selectors

    monkeypatch.setattr(selectors, "_MEASURE_ALL_BELOW", 1)
    hood = f.neighbourhood("Northgate", lat="52.000000", lon="-1.000000")
    for n in range(6):
        f.service(name=f"Club {n}", lat=f"52.00{n + 1}000", lon="-1.000000")
    twins = [f.service(name=f"Twin {n}", lat="52.000500", lon="-1.000000") for n in range(2)]
    search = ServiceSearch(neighbourhood=hood.slug)
    snap = search_memory.snapshot()
    assert snap is not None
    point = snap.neighbourhood_points[hood.slug]
    everyone = snap.mask(snap.everything)
    assert snap.nearest(everyone, 52.0, point, 2) is None  # the twins tie for first
    found = search_page(search)
    assert found.ids[:2] == _by_the_scan(search, monkeypatch).ids[:2]
    assert set(found.ids[:2]) == {t.pk for t in twins}
    assert found == _by_the_scan(search, monkeypatch)


def test_text_searches_the_database_answers_keep_the_text_index_matches_and_order(
    area: Any,
) -> None:
    """Searches narrowed by the database (the ORUK API's own filters, languages, accessibility)
    take their matches and order from the same in-memory text index as every other search."""
    everyone = Service.objects.filter(status=Service.Status.ACTIVE)
    for q in ("lunch club", "gardening", "carers", "memory café", "walking"):
        found = search_page(ServiceSearch(q=q), page_size=15)
        narrowed = search_page(ServiceSearch(q=q), page_size=15, base=everyone)
        assert found.total == narrowed.total > 0, q
        assert found.ids == narrowed.ids, q


def test_api_search_reads_the_version_with_the_records_and_sees_a_write_at_once(
    client: Any, area: Any
) -> None:
    """The API finds the page in the copy as it stands and reads the rows' version with the
    page's records (one statement on PostgreSQL); after a write the version has moved on, so the
    search is made again with the copy brought up to date."""
    hood = Neighbourhood.objects.order_by("name").first()
    assert hood is not None
    saturday = "/api/oruk/services?day=SA&per_page=5"
    before_saturday = client.get(saturday).json()  # the copy up to date
    with CaptureQueriesContext(connection) as sent:
        assert client.get(saturday).json() == before_saturday
    assert len(sent) == (1 if connection.vendor == "postgresql" else 2)
    url = f"/api/oruk/services?neighbourhood={hood.slug}&per_page=5"
    before = client.get(url).json()
    new = f.service(name="Aardvark Lunch Club", at=hood)  # at the centre: nearest of all
    body = client.get(url).json()
    assert body["contents"][0]["id"] == new.pk
    assert body["total_items"] == before["total_items"] + 1
    found = client.get("/api/oruk/services?search=aardvark").json()
    assert [r["id"] for r in found["contents"]] == [new.pk]
    Neighbourhood.objects.create(slug="new-town", name="New Town", latitude=52, longitude=-1)
    assert client.get("/api/oruk/services?neighbourhood=new-town").status_code == 200
    missing = client.get("/api/oruk/services?neighbourhood=no-such-place")
    assert missing.status_code == 400 and missing.json()["parameter"] == "neighbourhood"


def test_api_pages_are_the_stored_records_in_an_exact_envelope(client: Any, area: Any) -> None:
    hood = Neighbourhood.objects.order_by("name").values_list("slug", flat=True)[0]
    body = client.get("/api/oruk/services", {"neighbourhood": hood, "per_page": 7}).json()
    total = Service.objects.filter(status=Service.Status.ACTIVE).count()
    assert (body["total_items"], body["total_pages"], body["size"]) == (total, -(-total // 7), 7)
    assert body["first_page"] is True and body["empty"] is False
    distances = []
    for record in body["contents"]:
        distances.append(record.pop("x_distance_km"))
        assert record == service_flat(Service.objects.get(pk=record["id"]))
    assert distances == sorted(distances)
    last = client.get("/api/oruk/services", {"per_page": 7, "page": body["total_pages"] + 1})
    assert last.json()["contents"] == [] and last.json()["empty"] is True
