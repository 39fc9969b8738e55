"""The search read model (``directory.models.SearchEntry``): one narrow row per public service with
its filterable facts as tags, its search words and its ORUK ``/services`` record, kept in step with
every write.

Single writes (a service, its organisation, schedules, cost options, categories, a category's
place in the tree) refresh the rows they affect from ``post_save``/``post_delete`` signals, inside
the writer's transaction, so a rolled-back write leaves the rows as they were. Writers that change
many rows at once (the importer, the demo-area generator, ``refresh_search_documents``) either call
:func:`refresh` themselves or collect the services in :func:`batch` and refresh them once.
:func:`rebuild` makes every row again from the tables (the migration that adds the model runs it).
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from django.db import connection
from django.db.models import F, Q
from django.db.models.functions import Collate
from django.db.models.signals import post_delete, post_save

from directory.facts import cost_status
from directory.models import (
    Attribute,
    CostOption,
    Location,
    Neighbourhood,
    Organization,
    ProviderKind,
    Schedule,
    SearchChange,
    SearchEntry,
    SearchIndexVersion,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from directory.search import DAYS

CHUNK = 1000

# --- tags ---------------------------------------------------------------------------------------

PERSONAL_BUDGETS = "pb"
TIME_CREDITS = "tc"
MICRO = "micro"
PAID = "paid"
FREE = "free"


def name_order(prefix: str = "") -> list[F | Collate]:
    """The order of services by name (then id) wherever it is asked for: code point by code point,
    as Python compares text, so the database's pages agree with the in-memory copy
    (``directory.search_memory``), which places a new service among the others in Python. Without
    it a PostgreSQL database with a language collation (en_GB.UTF-8, ICU) would order "age UK",
    "Age Concern" and "A-Z Club" one way and the copy another. SQLite compares code points."""
    fields = [f"{prefix}name", f"{prefix}service_id"]
    if connection.vendor == "postgresql":
        return [Collate(F(field), "C") for field in fields]
    return [F(field) for field in fields]


def day_tag(day: str) -> str:
    return f"d:{day}"


def term_tag(term_id: str) -> str:
    # Ids are free text in HSDS: quoted so a tag never holds a space.
    return "t:" + quote(term_id, safe="")


def days_open(bydays: Iterable[str]) -> set[str]:
    """The days named in schedules' ``byday`` values ("MO,WE,SA"; "1SA" counts as Saturday, as a
    substring test did before)."""
    found: set[str] = set()
    for byday in bydays:
        upper = byday.upper()
        found.update(day for day in DAYS if day in upper)
    return found


def tags_for(
    service: Service,
    *,
    bydays: Iterable[str],
    amounts: Iterable[Any],
    term_ids: Iterable[str],
    parents: dict[str, str | None],
) -> str:
    """The tags of one service, as stored (space-separated, a space at each end). A fact that is
    not known (``None``) gives no tag, so no filter matches it."""
    tags = [day_tag(day) for day in sorted(days_open(bydays))]
    if service.accepts_personal_budgets or service.accepts_direct_payments:
        tags.append(PERSONAL_BUDGETS)
    if service.accepts_time_credits:
        tags.append(TIME_CREDITS)
    if service.organization.provider_kind == ProviderKind.MICRO:
        tags.append(MICRO)
    # Only what the provider said: "free" when every cost option is 0, "paid" when one asks for
    # money, neither when no cost is given (an unknown never matches a price filter).
    cost = cost_status(amounts)
    if cost is not None:
        tags.append(PAID if cost == "paid" else FREE)
    terms: set[str] = set()
    for term_id in term_ids:
        current: str | None = term_id
        while current is not None and current not in terms:  # stops on a loop in the tree
            terms.add(current)
            current = parents.get(current)
    tags += sorted(term_tag(t) for t in terms)
    return " " + " ".join(tags) + " "


# --- refreshing ---------------------------------------------------------------------------------


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def refresh(service_ids: Iterable[str]) -> None:
    """Make the rows of these services match the tables again (delete the rows of services that
    are gone or not active)."""
    ids = list(dict.fromkeys(i for i in service_ids if i))
    if not ids:
        return
    parents: dict[str, str | None] = dict(TaxonomyTerm.objects.values_list("id", "parent_id"))
    for chunk in _chunks(ids):
        _refresh_chunk(chunk, parents)
    bump_version(ids)


# A change touching more services than this is logged as one "all" entry: processes rebuild.
LOG_ALL_ABOVE = 2000
# Changes kept in the log (by number); a process further behind than this rebuilds its copy.
KEEP_CHANGES = 20_000

SERVICE, HOODS, SYNONYMS, ALL = "service", "hoods", "synonyms", "all"


def bump_version(service_ids: Iterable[str] = (), kind: str = SERVICE) -> None:
    """Mark the search rows as changed, in the writer's transaction: the version goes up by one
    (with a new random token) and the change log (``SearchChange``) lists what changed, so each
    server process patches its in-memory copy with just that (``search_memory``).

    Why no change is ever missed, on either database: the version is one row, and the writer's
    UPDATE of it holds that row's lock until its transaction ends. So a transaction that gets
    number n+1 waits until the one holding n has committed (or rolled back, when n is handed out
    again), and numbers become visible strictly in order: a reader that sees n+1 sees everything
    up to n+1. (A PostgreSQL sequence would not do: its numbers commit out of order.) Every
    writer of the search rows already updated this row, so this adds no waiting. The token
    catches the one other case: a process that read a change in its own transaction that was
    then rolled back (tests do that), whose copy then claims a number the database gave to a
    different change."""
    token = secrets.randbits(62)
    if SearchIndexVersion.objects.filter(pk=1).update(version=F("version") + 1, token=token):
        seq = SearchIndexVersion.objects.values_list("version", flat=True).get(pk=1)
    else:
        SearchIndexVersion.objects.update_or_create(pk=1, defaults={"version": 1, "token": token})
        seq = 1
    ids = list(dict.fromkeys(service_ids))
    if kind == SERVICE and len(ids) > LOG_ALL_ABOVE:
        kind, ids = ALL, []
    SearchChange.objects.bulk_create(
        [SearchChange(seq=seq, token=token, kind=kind, service_id=i) for i in ids or [""]]
    )
    if seq % 1000 == 0:
        SearchChange.objects.filter(seq__lt=seq - KEEP_CHANGES).delete()


_STATE_SQL = "SELECT version, token FROM directory_searchindexversion WHERE id = 1"


def current_state() -> tuple[int, int] | None:
    """The rows' version and its token (None before the first change)."""
    # One plain statement: every search reads it, and building the ORM query took longer than
    # running it (about 0.6 ms of a 1.2 ms search answered from memory).
    with connection.cursor() as cursor:
        cursor.execute(_STATE_SQL)
        row = cursor.fetchone()
    return None if row is None else (int(row[0]), int(row[1]))


def current_version() -> int | None:
    state = current_state()
    return None if state is None else state[0]


def changes_since(seq: int, upto: int, limit: int) -> list[tuple[int, int, str, str]]:
    """The log from ``seq`` (its own entries included, to check the token) to ``upto``, in
    order, as (seq, token, kind, service id); at most ``limit`` entries."""
    return list(
        SearchChange.objects.filter(seq__gte=seq, seq__lte=upto)
        .order_by("seq", "pk")
        .values_list("seq", "token", "kind", "service_id")[:limit]
    )


def _refresh_chunk(ids: list[str], parents: dict[str, str | None]) -> None:
    from directory.oruk.serialisers import service_flat

    services = list(
        Service.objects.filter(pk__in=ids, status=Service.Status.ACTIVE).select_related(
            "organization"
        )
    )
    active = [s.pk for s in services]
    bydays: dict[str, list[str]] = {}
    for service_id, byday in Schedule.objects.filter(service_id__in=active).values_list(
        "service_id", "byday"
    ):
        bydays.setdefault(service_id, []).append(byday)
    amounts: dict[str, list[Any]] = {}
    for service_id, amount in CostOption.objects.filter(service_id__in=active).values_list(
        "service_id", "amount"
    ):
        amounts.setdefault(service_id, []).append(amount)
    terms: dict[str, list[str]] = {}
    for service_id, term_id in Attribute.objects.filter(service_id__in=active).values_list(
        "service_id", "taxonomy_term_id"
    ):
        terms.setdefault(service_id, []).append(term_id)
    boxes: dict[str, list[float]] = {}
    for service_id, raw_lat, raw_lon in ServiceAtLocation.objects.filter(
        service_id__in=active, location__latitude__isnull=False, location__longitude__isnull=False
    ).values_list("service_id", "location__latitude", "location__longitude"):
        if raw_lat is None or raw_lon is None:  # excluded by the query; narrowed for the types
            continue
        lat, lon = float(raw_lat), float(raw_lon)
        box = boxes.get(service_id)
        if box is None:
            boxes[service_id] = [lat, lat, lon, lon]
        else:
            box[:] = [min(box[0], lat), max(box[1], lat), min(box[2], lon), max(box[3], lon)]
    rows = [
        SearchEntry(
            service_id=s.pk,
            name=s.name,
            tags=tags_for(
                s,
                bydays=bydays.get(s.pk, ()),
                amounts=amounts.get(s.pk, ()),
                term_ids=terms.get(s.pk, ()),
                parents=parents,
            ),
            document=json.dumps(service_flat(s), ensure_ascii=False),
            **_box_fields(boxes.get(s.pk)),
        )
        for s in services
    ]
    gone = set(ids) - set(active)
    if gone:
        SearchEntry.objects.filter(service_id__in=gone).delete()
    if connection.vendor == "postgresql":
        _upsert_postgres(rows)
    else:
        SearchEntry.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["service"],
            update_fields=["name", "tags", "document", *BOX_FIELDS],
        )


BOX_FIELDS = ("min_latitude", "max_latitude", "min_longitude", "max_longitude")


def _box_fields(box: list[float] | None) -> dict[str, float | None]:
    return dict(zip(BOX_FIELDS, box or (None, None, None, None), strict=True))


def _upsert_postgres(rows: list[SearchEntry]) -> None:
    """One statement that writes the rows with the service's tsvector (no second version of each
    row, as an insert followed by an update would leave)."""
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO directory_searchentry (service_id, name, tags, document, min_latitude,"
            " max_latitude, min_longitude, max_longitude, vector)"
            " SELECT v.*, s.search_vector"
            " FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::float8[],"
            "   %s::float8[], %s::float8[], %s::float8[])"
            "   AS v(service_id, name, tags, document, a, b, c, d)"
            " JOIN directory_service s ON s.id = v.service_id"
            " ON CONFLICT (service_id) DO UPDATE SET name = EXCLUDED.name,"
            " tags = EXCLUDED.tags, document = EXCLUDED.document,"
            " min_latitude = EXCLUDED.min_latitude, max_latitude = EXCLUDED.max_latitude,"
            " min_longitude = EXCLUDED.min_longitude, max_longitude = EXCLUDED.max_longitude,"
            " vector = EXCLUDED.vector",
            [
                [r.service_id for r in rows],
                [r.name for r in rows],
                [r.tags for r in rows],
                [r.document for r in rows],
                *([getattr(r, f) for r in rows] for f in BOX_FIELDS),
            ],
        )


def rebuild() -> int:
    """Every row made again from the tables; returns the number of public services."""
    gone = list(
        SearchEntry.objects.filter(~Q(service__status=Service.Status.ACTIVE)).values_list(
            "service_id", flat=True
        )
    )
    ids = list(
        Service.objects.filter(status=Service.Status.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    refresh(ids + gone)  # the rows of the services that are not public are deleted (and logged)
    return len(ids)


# --- collecting changes -------------------------------------------------------------------------

_state = threading.local()


@contextmanager
def batch() -> Iterator[None]:
    """Collect the services that signals mark as changed and refresh them once, at the end of the
    block (which should be inside the writer's transaction)."""
    outer = getattr(_state, "pending", None)
    if outer is not None:  # nested: the outermost block refreshes
        yield
        return
    _state.pending = set()
    try:
        yield
        pending, _state.pending = _state.pending, None
        refresh(pending)
    finally:
        _state.pending = None


def changed(service_ids: Iterable[str]) -> None:
    pending = getattr(_state, "pending", None)
    if pending is not None:
        pending.update(service_ids)
    else:
        refresh(service_ids)


def _deleting_parent(kwargs: dict[str, Any]) -> bool:
    """A row deleted because its service or organisation is being deleted: the service's entry
    goes with it (on delete cascade), so there is nothing to refresh."""
    origin = kwargs.get("origin")
    model = getattr(origin, "model", type(origin))
    return model in (Service, Organization)


def _on_service(sender: Any, instance: Service, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        changed([instance.pk])


def _on_service_deleted(sender: Any, instance: Service, **kwargs: Any) -> None:
    changed([instance.pk])  # its row went with it (on delete cascade); the version moves on


def _on_organization(sender: Any, instance: Organization, **kwargs: Any) -> None:
    if kwargs.get("raw") or "created" not in kwargs or kwargs.get("created"):
        return
    changed(Service.objects.filter(organization=instance).values_list("pk", flat=True))


def _on_service_part(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw") or _deleting_parent(kwargs):
        return
    if instance.service_id:
        changed([instance.service_id])


def _on_location(sender: Any, instance: Location, **kwargs: Any) -> None:
    """A place moved: the boxes of the services there change."""
    if kwargs.get("raw") or kwargs.get("created"):
        return
    changed(
        ServiceAtLocation.objects.filter(location=instance).values_list("service_id", flat=True)
    )


def _on_neighbourhood(sender: Any, instance: Neighbourhood, **kwargs: Any) -> None:
    """Neighbourhoods' centres are held beside the rows in memory (``search_memory``)."""
    if not kwargs.get("raw"):
        bump_version(kind=HOODS)


def _on_term(sender: Any, instance: TaxonomyTerm, **kwargs: Any) -> None:
    if not (kwargs.get("raw") or kwargs.get("created")):
        term_moved(instance.pk)


def _on_term_deleted(sender: Any, instance: TaxonomyTerm, **kwargs: Any) -> None:
    """Narrower categories lost this one as their parent: their services lose its tag."""
    changed(
        SearchEntry.objects.filter(tags__contains=f" {term_tag(instance.pk)} ").values_list(
            "service_id", flat=True
        )
    )


def term_moved(term_id: str) -> None:
    """A category moved in the tree: services under it get new ancestor tags."""
    subtree = {term_id}
    frontier = [term_id]
    while frontier:
        frontier = [
            pk
            for pk in TaxonomyTerm.objects.filter(parent_id__in=frontier).values_list(
                "pk", flat=True
            )
            if pk not in subtree
        ]
        subtree.update(frontier)
    changed(
        Attribute.objects.filter(taxonomy_term_id__in=subtree)
        .values_list("service_id", flat=True)
        .distinct()
    )


def connect() -> None:
    post_save.connect(_on_service, sender=Service, dispatch_uid="search_index_service")
    post_delete.connect(_on_service_deleted, sender=Service, dispatch_uid="search_index_del_svc")
    post_save.connect(_on_organization, sender=Organization, dispatch_uid="search_index_org")
    post_save.connect(_on_location, sender=Location, dispatch_uid="search_index_location")
    post_save.connect(_on_neighbourhood, sender=Neighbourhood, dispatch_uid="search_index_hood")
    post_delete.connect(_on_neighbourhood, sender=Neighbourhood, dispatch_uid="search_index_hood_d")
    for model in (Schedule, CostOption, Attribute, ServiceAtLocation):
        post_save.connect(_on_service_part, sender=model, dispatch_uid=f"search_index_{model}")
        post_delete.connect(
            _on_service_part, sender=model, dispatch_uid=f"search_index_del_{model}"
        )
    post_save.connect(_on_term, sender=TaxonomyTerm, dispatch_uid="search_index_term")
    post_delete.connect(_on_term_deleted, sender=TaxonomyTerm, dispatch_uid="search_index_del_term")
