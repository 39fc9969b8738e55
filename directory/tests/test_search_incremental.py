"""A directory write costs each server process a patch of its in-memory search copy, not a
rebuild: the process reads the change log since its copy's version and replaces just the changed
services' tags, words, name order and places (``directory.search_memory.patch``). The patched copy
must answer every search exactly as a copy built afresh from the rows does."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import Role
from directory import search_index, search_memory, synonyms
from directory.models import (
    Attribute,
    CostOption,
    Location,
    Neighbourhood,
    Schedule,
    SearchChange,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from directory.search import ServiceSearch, km_per_degree
from directory.selectors import search_page
from directory.services import refresh_search_documents
from directory.tests import factories as f

pytestmark = pytest.mark.django_db

_ = AnonymousUser  # (the searches here need no request)


def found(**search: Any) -> list[str]:
    return search_page(ServiceSearch(**search), page_size=1000).ids


def current() -> search_memory.Snapshot:
    snap = search_memory.snapshot()
    assert snap is not None, "small copies are built by the search that needs them"
    return snap


def test_a_write_patches_the_copy_and_does_not_rebuild_it() -> None:
    walking = f.service(name="Walking group", description="Gentle walks for older people.")
    f.service(name="Memory cafe", description="A cafe for people living with dementia.")
    assert found(q="walks") == [walking.pk]
    builds = search_memory.builds
    patches = search_memory.patches

    # a new service, found by its words, among the others by name
    added = f.service(name="Bereavement support", description="Someone to talk to after a loss.")
    assert found(q="loss") == [added.pk]
    assert [s for s in found() if s == added.pk] == [added.pk]
    assert found()[0] == added.pk  # "Bereavement" sorts first
    # renamed: its place in name order moves with it
    added.name = "Zest for life"
    added.save()
    refresh_search_documents([added])
    assert found()[-1] == added.pk
    assert found(q="zest") == [added.pk]
    # withdrawn: gone from every search
    walking.status = Service.Status.INACTIVE
    walking.save()
    assert found(q="walks") == []
    assert walking.pk not in found()

    assert search_memory.builds == builds, "every write was patched in, nothing rebuilt"
    assert search_memory.patches >= patches + 3


def test_a_category_day_price_or_place_change_is_patched_in() -> None:
    hood = f.neighbourhood("Ashby", "53.500000", "-0.600000")
    service = f.service(name="Lunch club")
    assert found(day="SA") == []
    builds = search_memory.builds
    term = f.term("Food")
    Attribute.objects.create(service=service, taxonomy_term=term)
    Schedule.objects.create(service=service, byday="SA")
    CostOption.objects.create(service=service, amount=Decimal("0"), option="free")
    location = Location.objects.create(
        name="Hall", latitude=Decimal("53.500000"), longitude=Decimal("-0.600000")
    )
    ServiceAtLocation.objects.create(service=service, location=location)
    assert found(category=term.pk) == [service.pk]
    assert found(day="SA", price="free") == [service.pk]
    assert found(neighbourhood=hood.slug, within_km=1.0) == [service.pk]
    location.latitude = Decimal("54.500000")  # moved 100 km away
    location.save()
    assert found(neighbourhood=hood.slug, within_km=1.0) == []
    assert search_memory.builds == builds


def test_a_synonym_edit_is_read_again_not_rebuilt() -> None:
    yoga = f.service(name="Chair yoga", description="Seated stretches.")
    assert found(q="stretching exercises") == [] or yoga.pk in found(q="stretching")
    builds = search_memory.builds
    coordinator = f.user(Role.COORDINATOR)
    synonyms.save(coordinator=coordinator, text="limbering, yoga\n")
    assert found(q="limbering") == [yoga.pk]
    assert search_memory.builds == builds


def test_a_change_the_copy_saw_and_that_was_rolled_back_makes_it_rebuild() -> None:
    """The copy's number names a change that never committed: the database then gives that
    number to another change, and the token tells them apart."""
    kept = f.service(name="Kept service")
    assert found() == [kept.pk]
    with transaction.atomic():
        ghost = f.service(name="Ghost service")
        assert ghost.pk in found()  # the copy, patched inside the transaction, has it
        transaction.set_rollback(True)
    other = f.service(name="Other service")  # takes the same version number
    builds = search_memory.builds
    assert found() == [kept.pk, other.pk]
    assert search_memory.builds == builds + 1


def test_a_copy_too_far_behind_or_after_a_big_change_is_rebuilt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    f.service(name="One")
    current()
    monkeypatch.setattr(search_index, "LOG_ALL_ABOVE", 1)
    f.service(name="Two")
    f.service(name="Three")
    search_index.refresh(Service.objects.values_list("pk", flat=True))  # 3 services: "all"
    assert SearchChange.objects.filter(kind=search_index.ALL).exists()
    builds = search_memory.builds
    assert len(found()) == 3
    assert search_memory.builds == builds + 1


def test_the_log_numbers_changes_one_by_one_with_what_each_touched() -> None:
    # No version row yet (a flushed database, before any write) counts as 0: the first write
    # makes it.
    start = search_index.current_version() or 0
    service = f.service(name="Numbered")
    after = search_index.current_version()
    assert after is not None and after > start
    touched = set(
        SearchChange.objects.filter(seq__gt=start, seq__lte=after).values_list(
            "service_id", flat=True
        )
    )
    assert service.pk in touched
    f.neighbourhood("Somewhere")
    latest = search_index.current_version()
    assert latest is not None
    assert SearchChange.objects.filter(seq=latest, kind=search_index.HOODS).exists()


# --- the patched copy answers as a fresh one --------------------------------------------------

NAMES = ["Alpha", "alpha", "Beta club", "Zed", "Ábaco", "beta", "Memory cafe", "Walk"]
WORDS = ["dementia", "carers", "walking", "yoga", "cafe", "support", "group", "older", "loss"]
DAYS = ["MO", "SA", "SU"]

operation = st.one_of(
    st.tuples(
        st.just("create"),
        st.sampled_from(NAMES),
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
        st.sampled_from(["", *DAYS]),
        st.sampled_from([None, "0", "5"]),
        st.integers(0, 2),  # category
        st.booleans(),  # a place
    ),
    st.tuples(st.just("rename"), st.integers(0, 50), st.sampled_from(NAMES)),
    st.tuples(
        st.just("describe"),
        st.integers(0, 50),
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
    ),
    st.tuples(st.just("withdraw"), st.integers(0, 50)),
    st.tuples(st.just("reopen"), st.integers(0, 50)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("category"), st.integers(0, 50), st.integers(0, 2)),
    st.tuples(st.just("day"), st.integers(0, 50), st.sampled_from(DAYS)),
    st.tuples(
        st.just("search"),
    ),
)

SEARCHES: list[dict[str, Any]] = [
    {},
    {"sort": "name"},
    {"day": "SA"},
    {"price": "free"},
    {"price": "paid", "day": "MO"},
    *({"q": w} for w in WORDS),
    {"q": "dementia carers"},
    {"q": "walking group", "sort": "name"},
    {"q": "yoga", "day": "SU"},
    {"q": "demntia"},
    {"q": "cafe", "neighbourhood": "middle", "within_km": 5.0},
    {"neighbourhood": "middle", "within_km": 5.0, "sort": "name"},
    {"neighbourhood": "middle", "sort": "distance"},
    {"q": "support", "neighbourhood": "middle", "sort": "distance"},
]


def _apply(op: tuple[Any, ...], services: list[Service], terms: list[TaxonomyTerm]) -> None:
    kind = op[0]
    if kind == "create":
        _, name, words, day, cost, category, placed = op
        services.append(
            f.service(
                name=name,
                description=" ".join(words),
                days=day,
                cost=cost,
                terms=[terms[category]],
                lat=f"{53.5 + 0.01 * len(services):.6f}" if placed else None,
                lon="-0.600000" if placed else None,
            )
        )
        return
    if kind == "search":
        found()
        return
    if not services:
        return
    service = services[op[1] % len(services)]
    if not Service.objects.filter(pk=service.pk).exists():
        return
    service.refresh_from_db()
    if kind == "rename":
        service.name = op[2]
        service.save()
        refresh_search_documents([service])
    elif kind == "describe":
        service.description = " ".join(op[2])
        service.save()
        refresh_search_documents([service])
    elif kind in ("withdraw", "reopen"):
        service.status = Service.Status.INACTIVE if kind == "withdraw" else Service.Status.ACTIVE
        service.save()
    elif kind == "delete":
        service.delete()
    elif kind == "category":
        Attribute.objects.filter(service=service).delete()
        Attribute.objects.create(service=service, taxonomy_term=terms[op[2]])
    elif kind == "day":
        Schedule.objects.filter(service=service).delete()
        Schedule.objects.create(service=service, byday=op[2])


def _answers(snap: search_memory.Snapshot, terms: list[TaxonomyTerm]) -> dict[str, Any]:
    """What the copy says to every search: through the selectors, and its own parts."""
    search_memory._current = snap
    out: dict[str, Any] = {}
    for n, search in enumerate(
        [*SEARCHES, *({"category": t.pk} for t in terms), {"q": "cafe", "category": terms[0].pk}]
    ):
        page = search_page(ServiceSearch(**search), page_size=1000)
        distances = {k: round(v, 9) if v is not None else v for k, v in page.distances.items()}
        out[f"{n}:{search}"] = (page.ids, page.total, distances)
    out["tags"] = {
        tag: snap.page(bits & snap.live, 0, 10_000) for tag, bits in snap.tag_bits.items() if bits
    }
    out["everyone"] = snap.page(snap.live, 0, 10_000)
    ky, kx = km_per_degree(53.5)
    out["distances"] = snap.distances(out["everyone"], 53.5, -0.6, ky, kx)
    return out


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(operation, min_size=1, max_size=14))
def test_a_patched_copy_answers_every_search_as_a_fresh_copy(ops: list[tuple[Any, ...]]) -> None:
    with transaction.atomic():  # each example starts from an empty directory
        if not Neighbourhood.objects.filter(slug="middle").exists():
            f.neighbourhood("Middle", "53.550000", "-0.600000")
        food = f.term("Food")
        terms = [food, f.term("Lunch", parent=food), f.term("Exercise")]
        services: list[Service] = [
            f.service(name="Start", description="support group", terms=[terms[2]])
        ]
        current()  # built (or patched) here: every write below is patched in
        builds = search_memory.builds
        for op in ops:
            _apply(op, services, terms)
        patched = current()
        assert search_memory.builds == builds, "patched, not rebuilt"
        fresh = search_memory.build(search_index.current_state())
        try:
            assert _answers(patched, terms) == _answers(fresh, terms)
        finally:
            search_memory._current = patched
        transaction.set_rollback(True)
