"""An in-memory copy of the search rows' tags, one per server process, for searches that filter
only by tags (category, day, price, personal budgets, time credits, micro-providers) and list by
name or nearest first.

Each public service has a position: its place in the order the search lists by name (the
database's ``ORDER BY name, service_id``). Each tag is a bitset of positions (a Python int), so a
search is a few ANDs, its exact total is a bit count, and a page by name is the set bits numbered
start..stop, lowest first.

It also holds the neighbourhoods' centres, the services' places on the map (for "within" and
distances), and the services' words in an SQLite FTS5 index (``directory.search_text``: stemmed,
BM25-ranked, typos and synonyms), so free-text searches are answered here too, the same way on
SQLite and PostgreSQL.

It is never stale: every change to the search rows (or to a neighbourhood or place) writes a new
random number to ``SearchIndexVersion`` in the same transaction (``directory.search_index``), and
every search reads that number first (one small query) and uses the copy only when the numbers
are equal. A small copy is built by
the search that needs it; a large one (the text index takes seconds at 100,000 services) is built in
a background thread while searches are answered by the database.
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from django.db import connection, transaction
from django.db.models import FloatField
from django.db.models.functions import Cast

from directory import search_text, synonyms
from directory.models import Neighbourhood, SearchEntry, ServiceAtLocation
from directory.search_index import current_version

log = logging.getLogger(__name__)

# A copy of at least this many rows is rebuilt in the background (searches meanwhile go to the
# database); a smaller one is rebuilt by the search that finds it out of date.
BACKGROUND_FROM_ROWS = 20_000


@dataclass
class Places:
    """Every mapped place of every service in the copy, as the database's float8 values, in the
    services' order, with a second order by latitude for "within"."""

    row: npt.NDArray[np.int64]  # the service's position, ascending
    latitude: npt.NDArray[np.float64]
    longitude: npt.NDArray[np.float64]
    start: npt.NDArray[np.int64] = field(init=False)  # position r: places start[r]..start[r+1]
    sorted_latitude: npt.NDArray[np.float64] = field(init=False)
    longitude_by_latitude: npt.NDArray[np.float64] = field(init=False)
    row_by_latitude: npt.NDArray[np.int64] = field(init=False)

    def __post_init__(self) -> None:
        order = np.argsort(self.row, kind="stable")
        self.row, self.latitude, self.longitude = (
            self.row[order],
            self.latitude[order],
            self.longitude[order],
        )
        size = int(self.row[-1]) + 2 if len(self.row) else 1
        self.start = np.searchsorted(self.row, np.arange(size)).astype(np.int64)
        by_latitude = np.argsort(self.latitude, kind="stable")
        self.sorted_latitude = self.latitude[by_latitude]
        self.longitude_by_latitude = self.longitude[by_latitude]
        self.row_by_latitude = self.row[by_latitude]


def _distance_sq(
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    latitude: float,
    longitude: float,
    ky: float,
    kx: float,
) -> npt.NDArray[np.float64]:
    dy = lat - latitude
    dx = lon - longitude
    return dy * dy * (ky * ky) + dx * dx * (kx * kx)


@dataclass
class Snapshot:
    version: int | None
    ids: list[str]  # position -> service id, in name order
    tag_bits: dict[str, int]
    # slug -> (name, latitude, longitude): a search near a neighbourhood needs no query for it
    neighbourhoods: dict[str, tuple[str, float, float]] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)
    # the words (SQLite FTS5 in memory; None: text searches go to the database)
    text: search_text.TextIndex | None = None
    places: Places | None = None
    build_seconds: float = 0.0

    def __post_init__(self) -> None:
        self.position = {pk: i for i, pk in enumerate(self.ids)}

    @property
    def everything(self) -> int:
        return (1 << len(self.ids)) - 1

    def matching(self, tags: list[str]) -> int:
        """The positions of the services that carry every tag."""
        bits = self.everything
        for tag in tags:
            bits &= self.tag_bits.get(tag, 0)
            if not bits:
                break
        return bits

    def mask(self, bits: int) -> npt.NDArray[np.bool_]:
        """A bitset of positions as one bool per position."""
        data = np.frombuffer(bits.to_bytes((len(self.ids) + 7) // 8 or 1, "little"), np.uint8)
        return np.unpackbits(data, bitorder="little")[: len(self.ids)].astype(np.bool_)

    def _words(self, bits: int) -> memoryview:
        size = (len(self.ids) + 63) // 64 * 8 or 8
        return memoryview(bits.to_bytes(size, "little")).cast("Q")

    def page(self, bits: int, start: int, stop: int) -> list[str]:
        """The ids of the matching services numbered start..stop-1 in name order."""
        out: list[str] = []
        seen = 0
        for index, word in enumerate(self._words(bits)):
            if not word:
                continue
            count = word.bit_count()
            if seen + count <= start:
                seen += count
                continue
            while word:
                low = word & -word
                if seen >= start:
                    out.append(self.ids[index * 64 + low.bit_length() - 1])
                seen += 1
                if seen >= stop:
                    return out
                word ^= low
        return out

    def member_test(self, bits: int) -> MemberTest:
        return MemberTest(self, bits.to_bytes((len(self.ids) + 7) // 8 or 1, "little"))

    def member_test_of(self, mask: npt.NDArray[np.bool_]) -> MemberTest:
        return MemberTest(self, np.packbits(mask, bitorder="little").tobytes() or b"\0")

    # places

    def _distance_sq(
        self, at: npt.NDArray[np.int64], latitude: float, longitude: float, ky: float, kx: float
    ) -> npt.NDArray[np.float64]:
        """``selectors._distance_sq`` for these places: the same float8 operations in the same
        order as the SQL it writes."""
        assert self.places is not None
        return _distance_sq(
            self.places.latitude[at], self.places.longitude[at], latitude, longitude, ky, kx
        )

    def within(
        self,
        latitude: float,
        longitude: float,
        km: float,
        ky: float,
        kx: float,
        box: tuple[float, float, float, float],
    ) -> npt.NDArray[np.bool_]:
        """The services with a place within ``km`` (``selectors._within``: the box on the
        coordinates, bounds as the database compares them, then the distance)."""
        assert self.places is not None
        p = self.places
        lat_low, lat_high, lon_low, lon_high = box
        # latitude BETWEEN low AND high: a slice of the places sorted by latitude
        first = np.searchsorted(p.sorted_latitude, lat_low, side="left")
        last = np.searchsorted(p.sorted_latitude, lat_high, side="right")
        lon = p.longitude_by_latitude[first:last]
        boxed = np.flatnonzero((lon >= lon_low) & (lon <= lon_high))
        lat, lon = p.sorted_latitude[first:last][boxed], lon[boxed]
        near = _distance_sq(lat, lon, latitude, longitude, ky, kx) <= km * km
        mask = np.zeros(len(self.ids), dtype=np.bool_)
        mask[p.row_by_latitude[first:last][boxed[near]]] = True
        return mask

    def distances(
        self, ids: list[str], latitude: float, longitude: float, ky: float, kx: float
    ) -> dict[str, float]:
        """``selectors._distances_for``: each service's nearest place, in km (every place of
        the page's services measured at once)."""
        assert self.places is not None
        p = self.places
        rows = np.array([self.position[pk] for pk in ids], dtype=np.int64)
        mapped = rows + 1 < len(p.start)
        starts, stops = np.zeros_like(rows), np.zeros_like(rows)
        starts[mapped], stops[mapped] = p.start[rows[mapped]], p.start[rows[mapped] + 1]
        counts = stops - starts
        placed = np.flatnonzero(counts > 0)
        if len(placed) == 0:
            return {}
        counts = counts[placed]
        first = np.cumsum(counts) - counts
        at = np.repeat(starts[placed] - first, counts) + np.arange(int(counts.sum()))
        nearest = np.minimum.reduceat(self._distance_sq(at, latitude, longitude, ky, kx), first)
        return {
            ids[i]: max(d, 0.0) ** 0.5
            for i, d in zip(placed.tolist(), nearest.tolist(), strict=True)
        }


@dataclass
class MemberTest:
    """Is a service among the matches (a byte lookup, not a big-int operation per test)."""

    snapshot: Snapshot
    data: bytes

    def __call__(self, service_id: str) -> bool:
        position = self.snapshot.position.get(service_id)
        if position is None:
            return False
        return bool(self.data[position >> 3] >> (position & 7) & 1)


def build(version: int | None) -> Snapshot:
    started = time.perf_counter()
    ids: list[str] = []
    positions: defaultdict[str, list[int]] = defaultdict(list)
    text = search_text.TextIndex(synonyms.in_force())  # a coordinator's edits, or the file
    rows = SearchEntry.objects.order_by("name", "service_id").values_list(
        "service_id", "tags", "name", "service__search_document", "service__eligibility_description"
    )

    def words() -> Iterator[tuple[int, str, str, str]]:
        """Each service's words: its search document, with who it is for apart (it ends it)."""
        for i, (pk, tags, name, document, audience) in enumerate(rows.iterator(chunk_size=5000)):
            ids.append(pk)
            for tag in tags.split():
                positions[tag].append(i)
            document, audience = document or "", audience or ""
            if audience and document.endswith(audience):
                document = document[: -len(audience)]
            yield i, name, document, audience

    text.add(words())
    size = (len(ids) + 7) // 8 or 1
    tag_bits = {}
    for tag, where in positions.items():
        buffer = bytearray(size)
        for p in where:
            buffer[p >> 3] |= 1 << (p & 7)
        tag_bits[tag] = int.from_bytes(buffer, "little")
    hoods = {
        slug: (name, float(lat), float(lon))
        for slug, name, lat, lon in Neighbourhood.objects.values_list(
            "slug", "name", "latitude", "longitude"
        )
    }
    snap = Snapshot(version, ids, tag_bits, hoods)
    snap.places = _places(snap)
    snap.text = text.finish()
    snap.build_seconds = time.perf_counter() - started
    return snap


def _places(snap: Snapshot) -> Places:
    rows = (
        ServiceAtLocation.objects.filter(
            location__latitude__isnull=False, location__longitude__isnull=False
        )
        .annotate(
            lat=Cast("location__latitude", FloatField()),
            lon=Cast("location__longitude", FloatField()),
        )
        .values_list("service_id", "lat", "lon")
    )
    found = [(snap.position.get(pk, -1), lat, lon) for pk, lat, lon in rows]
    kept = [t for t in found if t[0] >= 0]
    return Places(
        row=np.array([t[0] for t in kept], dtype=np.int64),
        latitude=np.array([t[1] for t in kept], dtype=np.float64),
        longitude=np.array([t[2] for t in kept], dtype=np.float64),
    )


_lock = threading.Lock()
_current: Snapshot | None = None
_building: set[int | None] = set()  # versions being built in the background
_state = threading.local()


def enabled() -> bool:
    return not getattr(_state, "disabled", False)


@contextmanager
def disabled() -> Iterator[None]:
    """Searches in this thread run in the database alone (the benchmark's SQL lower bound and
    the tests that compare both ways use this)."""
    _state.disabled = True
    try:
        yield
    finally:
        _state.disabled = False


def snapshot() -> Snapshot | None:
    """The copy matching the rows as this connection sees them now, or None while a copy for them
    is being built in the background (search the database meanwhile)."""
    return snapshot_for(current_version())


def snapshot_for(version: int | None) -> Snapshot | None:
    """The copy for this version of the rows (built now when there is none or it is small)."""
    global _current
    found = _current
    if found is not None and found.version == version:
        return found
    if _large(found):
        _build_in_background()
        return None
    with _lock:
        found = _current
        if found is None or found.version != version:
            found = build(version)
            _current = found
    _release_freed_memory()
    return found


def _release_freed_memory() -> None:
    """Hand the build's freed working memory (hundreds of MB at 100,000 services) back to the
    system: glibc keeps freed heap memory for reuse otherwise."""
    with suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL(None).malloc_trim(0)


def _large(found: Snapshot | None) -> bool:
    """Is the copy to build large enough to build in the background? (The first time, by
    PostgreSQL's estimate of the rows; -1 when it has none, which counts as small.)"""
    if found is not None:
        return len(found.ids) >= BACKGROUND_FROM_ROWS
    if connection.vendor != "postgresql":  # SQLite counts its rows in milliseconds
        return SearchEntry.objects.count() >= BACKGROUND_FROM_ROWS
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [SearchEntry._meta.db_table]
        )
        row = cursor.fetchone()
    return row is not None and row[0] >= BACKGROUND_FROM_ROWS


def _build_in_background() -> None:
    with _lock:
        if _building:
            return
        _building.add(None)
    threading.Thread(target=_background_build, name="search-memory-build", daemon=True).start()


def _background_build() -> None:
    """Build the copy in this thread's own connection, reading the version and the rows in one
    repeatable-read transaction, so the copy is labelled with the version its rows belong to."""
    global _current
    try:
        if connection.vendor == "postgresql":
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                snap = build(current_version())
        else:
            # SQLite's transactions take the write lock here (IMMEDIATE): read without one, and
            # keep the copy only if no write landed meanwhile (the version is the same after).
            version = current_version()
            snap = build(version)
            if current_version() != version:
                return
        with _lock:
            _current = snap
        _release_freed_memory()
        log.info("search copy rebuilt in %.1fs", snap.build_seconds)
    except Exception:  # the searches go on in the database; the next one tries again
        log.exception("rebuilding the in-memory search copy failed")
    finally:
        connection.close()
        with _lock:
            _building.clear()


def text_search(q: str, first: int | None = None) -> tuple[Snapshot, search_text.Ranked] | None:
    """The services the words find, best first (only the ``first`` of them when given), from
    the copy matching the rows now; None while a copy is being built in the background (the
    database answers meanwhile)."""
    snap = snapshot()
    if snap is None or snap.text is None:
        return None
    return snap, snap.text.search(q, first)
