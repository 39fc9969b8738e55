"""An in-memory copy of the search rows, one per server process, for searches that filter by
tags (category, day, price, personal budgets, time credits, micro-providers), by distance, and by
words, listing by relevance, name or nearest first.

Each public service has a **slot**: a small number it keeps while it is in the copy (a new
service gets the next one). Each tag is a bitset of slots (a Python int), so a search is a few
ANDs and its exact total is a bit count. Name order is kept apart from the slots: each service
also has a **key**, a number that grows with ``(name, service id)`` (the database's
``ORDER BY name, service_id``), with room between neighbours (:data:`KEY_GAP`), so a new or
renamed service gets a key between its neighbours without renumbering anyone. The keys, sorted,
with their slots (``keys``/``slot_of_key``) list the services by name; a page by name takes the
matching slots in that order. Right after a build the slots are in name order, and a page by name
is the set bits numbered start..stop, lowest first.

It also holds the neighbourhoods' centres, the services' places on the map (for "within" and
distances; on PostgreSQL with their ``ll_to_earth`` points, so nearest first needs no query), and
the services' words in an SQLite FTS5 index (``directory.search_text``: stemmed,
BM25-ranked, typos and synonyms; its rowids are the keys, so equal scores come in name order),
so free-text searches are answered here too, the same way on SQLite and PostgreSQL.

It is never stale, and a write costs each process milliseconds: every change to the search rows
(or to a neighbourhood, or the synonyms) numbers itself in ``SearchIndexVersion`` and lists what
it touched in ``SearchChange``, in the writer's transaction (``directory.search_index``, which
explains why no change can be missed). Every search reads the number first (one small query;
the ORUK API reads it with the page's records instead, and searches again in the rare case it
had moved on: :func:`unchecked`); when it has moved on, the search reads the log since the copy's number and patches the copy:
the changed services' rows are read again and their tags, words, name order and places replaced
(:func:`patch`); synonyms are applied when a search is read, so a new list is only read again.
A patched copy is a new ``Snapshot`` sharing the unchanged parts, so a search already using the
old one finishes with it. The copy is built whole only the first time, when it is further behind
than the log keeps, after a change too big to list, or when too many slots have been freed; a
small copy is built by the search that needs it, a large one (the text index takes seconds at
100,000 services) in a background thread while searches are answered by the database.
"""

from __future__ import annotations

import bisect
import ctypes
import logging
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import InitVar, dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection, transaction
from django.db.models import FloatField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from directory import search_index, search_text, synonyms
from directory.models import Location, Neighbourhood, SearchEntry, ServiceAtLocation
from directory.search_index import current_state

log = logging.getLogger(__name__)

State = tuple[int, int]  # the rows' version and its token
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Point = tuple[float, float, float]  # a point on the earth as ``ll_to_earth`` gives it, in metres
# Places as read: slots, latitudes, longitudes, location numbers, points on the earth (or None)
PlaceArrays = tuple[IntArray, FloatArray, FloatArray, IntArray, FloatArray | None]

# A copy of at least this many rows is rebuilt in the background (searches meanwhile go to the
# database); a smaller one is rebuilt by the search that finds it out of date.
BACKGROUND_FROM_ROWS = 20_000
# Room between neighbouring keys after a build: a run of this many halvings (new services that
# all sort just after the same one) fits before the copy is rebuilt.
KEY_GAP = 1 << 24
# The most changed services a patch takes (more: rebuild), and the share of freed slots that
# makes a rebuild worthwhile.
MAX_PATCH = 5000
# From this many services the text index is kept in a temporary file with a bounded page cache
# (``search_text.FILE_CACHE_KIB``) instead of in memory: see docs/benchmarks.md, search curve.
TEXT_IN_FILE_FROM_ROWS = 50_000
MAX_FREE_SHARE = 0.5


class NeedsRebuild(Exception):
    """The copy cannot be patched to the rows' version (too far behind, a change too big to
    list, a history that is not the database's, no room for a key)."""


@dataclass
class Places:
    """Every mapped place of every service in the copy, as the database's float8 values, by
    slot, with a second order by latitude for "within"."""

    row: IntArray  # the service's slot, ascending
    latitude: npt.NDArray[np.float64]
    longitude: npt.NDArray[np.float64]
    size: int  # slots
    # Beside each place: its location (a number, :func:`_location_number`) and, on PostgreSQL,
    # its point on the earth as the database's ``ll_to_earth`` puts it (x, y, z in metres), so a
    # search nearest first measures the same chords as the database's nearest-places scan.
    location: InitVar[IntArray | None] = None
    earth: InitVar[npt.NDArray[np.float64] | None] = None
    start: IntArray = field(init=False)  # slot s: places start[s]..start[s+1]
    sorted_latitude: npt.NDArray[np.float64] = field(init=False)
    longitude_by_latitude: npt.NDArray[np.float64] = field(init=False)
    row_by_latitude: IntArray = field(init=False)
    location_by_latitude: IntArray = field(init=False)
    earth_by_latitude: npt.NDArray[np.float64] | None = field(init=False)

    def __post_init__(
        self, location: IntArray | None, earth: npt.NDArray[np.float64] | None
    ) -> None:
        order = np.argsort(self.row, kind="stable")
        self.row, self.latitude, self.longitude = (
            self.row[order],
            self.latitude[order],
            self.longitude[order],
        )
        self._index()
        by_latitude = np.argsort(self.latitude, kind="stable")
        self.sorted_latitude = self.latitude[by_latitude]
        self.longitude_by_latitude = self.longitude[by_latitude]
        self.row_by_latitude = self.row[by_latitude]
        # Only the order by latitude is searched by location and point (``Snapshot.nearest``).
        if location is None:
            location = np.full(len(order), -1, dtype=np.int64)
        self.location_by_latitude = location[order][by_latitude]
        self.earth_by_latitude = None if earth is None else earth[order][by_latitude]

    def _index(self) -> None:
        counts = np.bincount(self.row, minlength=self.size + 1)
        self.start = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)

    def patched(self, slots: IntArray, arriving: PlaceArrays, size: int) -> Places:
        """A copy with the places of ``slots`` replaced by these (in O(places): the kept
        places stay sorted and the new ones are merged in, not everything sorted again)."""
        new = Places.__new__(Places)
        new.size = size
        keep = ~np.isin(self.row, slots)
        row, latitude, longitude, location, earth = arriving
        order = np.argsort(row, kind="stable")
        row, latitude, longitude, location = (
            row[order],
            latitude[order],
            longitude[order],
            location[order],
        )
        earth = None if earth is None else earth[order]
        kept_row = self.row[keep]
        at = np.searchsorted(kept_row, row, side="right")
        new.row = np.insert(kept_row, at, row)
        new.latitude = np.insert(self.latitude[keep], at, latitude)
        new.longitude = np.insert(self.longitude[keep], at, longitude)
        new._index()
        keep = ~np.isin(self.row_by_latitude, slots)
        order = np.argsort(latitude, kind="stable")
        kept_latitude = self.sorted_latitude[keep]
        at = np.searchsorted(kept_latitude, latitude[order], side="right")
        new.sorted_latitude = np.insert(kept_latitude, at, latitude[order])
        new.longitude_by_latitude = np.insert(
            self.longitude_by_latitude[keep], at, longitude[order]
        )
        new.row_by_latitude = np.insert(self.row_by_latitude[keep], at, row[order])
        new.location_by_latitude = np.insert(self.location_by_latitude[keep], at, location[order])
        new.earth_by_latitude = None
        if self.earth_by_latitude is not None and earth is not None:
            new.earth_by_latitude = np.insert(
                self.earth_by_latitude[keep], at, earth[order], axis=0
            )
        return new


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


EARTH_RADIUS_M = 6378168.0  # earthdistance's earth(): the sphere ll_to_earth puts points on


def _chord_beyond(sorted_latitude: FloatArray, low: int, high: int, latitude: float) -> float:
    """A chord in metres that no place outside ``sorted_latitude[low:high]`` is nearer than:
    two points' angle at the earth's centre is at least their difference in latitude. A hair
    shorter than that, so rounding never lets a nearer place hide outside."""
    below = latitude - float(sorted_latitude[low]) if low > 0 else math.inf
    above = float(sorted_latitude[high - 1]) - latitude if high < len(sorted_latitude) else math.inf
    gap = max(min(below, above), 0.0)
    if math.isinf(gap):
        return math.inf
    angle = math.radians(min(gap, 180.0))
    return 2 * EARTH_RADIUS_M * math.sin(angle / 2) * (1 - 1e-9) - 1e-3


@dataclass
class Snapshot:
    """One state of the copy. Patching makes a new one; the parts a patch only adds to (``ids``,
    ``position``, the text index) are shared, so each snapshot keeps its own ``size``."""

    state: State | None
    ids: list[str]  # slot -> service id (a freed slot keeps its old id; it is not ``live``)
    tag_bits: dict[str, int]
    live: int  # the slots in use
    keys: IntArray  # the services' keys, ascending: name order
    slot_of_key: IntArray  # beside ``keys``: each one's slot
    key_of_slot: IntArray  # slot -> key (-1: free)
    size: int  # slots (``ids`` may have grown since, for a newer snapshot)
    # slug -> (name, latitude, longitude): a search near a neighbourhood needs no query for it
    neighbourhoods: dict[str, tuple[str, float, float]] = field(default_factory=dict)
    # slug -> the centre's point on the earth (PostgreSQL), for nearest first without a query
    neighbourhood_points: dict[str, Point] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)  # service id -> slot
    location_numbers: dict[str, int] = field(default_factory=dict)  # location id -> a number
    # the words (SQLite FTS5 in memory; None: text searches go to the database)
    text: search_text.TextIndex | None = None
    places: Places | None = None
    slots_in_name_order: bool = True
    build_seconds: float = 0.0

    @property
    def version(self) -> int | None:
        return None if self.state is None else self.state[0]

    @property
    def everything(self) -> int:
        return self.live

    def matching(self, tags: list[str]) -> int:
        """The slots of the services that carry every tag."""
        bits = self.live
        for tag in tags:
            bits &= self.tag_bits.get(tag, 0)
            if not bits:
                break
        return bits

    def mask(self, bits: int) -> npt.NDArray[np.bool_]:
        """A bitset of slots as one bool per slot."""
        data = np.frombuffer(bits.to_bytes((self.size + 7) // 8 or 1, "little"), np.uint8)
        return np.unpackbits(data, bitorder="little")[: self.size].astype(np.bool_)

    def _words(self, bits: int) -> memoryview:
        size = (self.size + 63) // 64 * 8 or 8
        return memoryview(bits.to_bytes(size, "little")).cast("Q")

    def page(self, bits: int, start: int, stop: int) -> list[str]:
        """The ids of the matching services numbered start..stop-1 in name order."""
        if not self.slots_in_name_order:
            mask = self.mask(bits)
            in_order = self.slot_of_key[mask[self.slot_of_key]]
            return [self.ids[s] for s in in_order[start:stop].tolist()]
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

    def in_name_order(self, slots: IntArray) -> IntArray:
        """These slots, their services in name order."""
        if self.slots_in_name_order:
            return np.sort(slots)
        return slots[np.argsort(self.key_of_slot[slots], kind="stable")]

    def slots_of(self, keys: IntArray) -> IntArray:
        """The slots of the services with these keys, in the same order (a key this snapshot
        does not hold, written by a newer one meanwhile, is left out)."""
        if not len(keys) or not len(self.keys):
            return np.zeros(0, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        held = self.keys[at] == keys
        found: IntArray = self.slot_of_key[at[held]]
        return found

    def member_test(self, bits: int) -> MemberTest:
        return MemberTest(self, bits.to_bytes((self.size + 7) // 8 or 1, "little"))

    def member_test_of(self, mask: npt.NDArray[np.bool_]) -> MemberTest:
        return MemberTest(self, np.packbits(mask, bitorder="little").tobytes() or b"\0")

    def text_search(self, q: str, first: int | None = None) -> search_text.Ranked:
        """The text index's matches as slots, best first."""
        assert self.text is not None, "only a copy with a text index is searched by words"
        ranked = self.text.search(q, first)
        slots = self.slots_of(ranked.rows)
        dropped = len(ranked.rows) - len(slots)
        if dropped:  # rows of a newer copy, written while this one was in use
            all_words = int(np.count_nonzero(np.isin(ranked.rows[: ranked.all_words], self.keys)))
            return search_text.Ranked(
                slots, all_words, ranked.expression, max(ranked.total - dropped, len(slots))
            )
        return search_text.Ranked(slots, ranked.all_words, ranked.expression, ranked.total)

    # places

    def _distance_sq(
        self, at: IntArray, latitude: float, longitude: float, ky: float, kx: float
    ) -> npt.NDArray[np.float64]:
        """``selectors._distance_sq`` for these places: the same float8 operations in the same
        order as the SQL it writes."""
        assert self.places is not None, "places are loaded with the copy"
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
        assert self.places is not None, "places are loaded with the copy"
        p = self.places
        lat_low, lat_high, lon_low, lon_high = box
        # latitude BETWEEN low AND high: a slice of the places sorted by latitude
        first = np.searchsorted(p.sorted_latitude, lat_low, side="left")
        last = np.searchsorted(p.sorted_latitude, lat_high, side="right")
        lon = p.longitude_by_latitude[first:last]
        boxed = np.flatnonzero((lon >= lon_low) & (lon <= lon_high))
        lat, lon = p.sorted_latitude[first:last][boxed], lon[boxed]
        near = _distance_sq(lat, lon, latitude, longitude, ky, kx) <= km * km
        mask = np.zeros(self.size, dtype=np.bool_)
        mask[p.row_by_latitude[first:last][boxed[near]]] = True
        return mask

    def distances(
        self, ids: list[str], latitude: float, longitude: float, ky: float, kx: float
    ) -> dict[str, float]:
        """``selectors._distances_for``: each service's nearest place, in km (every place of
        the page's services measured at once)."""
        assert self.places is not None, "places are loaded with the copy"
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

    def nearest(
        self, accepted: npt.NDArray[np.bool_], latitude: float, origin: Point, stop: int
    ) -> list[tuple[str, float]] | None:
        """The first ``stop`` accepted services with the chord to their nearest place in
        metres, as the database's nearest-places scan finds them
        (``selectors._walk_outwards_in_memory``): places nearest first, the accepted services at
        a place in id order, each service where it is first met. None when only the database
        can say: no points on the earth held (SQLite), fewer than ``stop`` accepted services
        with a place, or two places at exactly the same distance, whose order only its index
        scan decides."""
        if self.places is None or self.places.earth_by_latitude is None:
            return None
        near = self._nearest_places(accepted, latitude, origin, stop)
        return None if near is None else self._first_met(*near, stop)

    def _nearest_places(
        self, accepted: npt.NDArray[np.bool_], latitude: float, origin: Point, stop: int
    ) -> tuple[IntArray, FloatArray, IntArray] | None:
        """The accepted places (slots, chords, locations) nearer than every place outside a band
        of latitude around the origin, the band widened until they hold ``stop`` services (so
        each of those services' nearest place is among them); None when every place is in the
        band and they hold fewer."""
        p = self.places
        assert p is not None and p.earth_by_latitude is not None, "checked by nearest()"
        count = len(p.sorted_latitude)
        centre = int(np.searchsorted(p.sorted_latitude, latitude))
        share = max(int(np.count_nonzero(accepted)), 1) / max(self.size, 1)
        half = max(64, int(2 * stop / share))
        point = np.array(origin, dtype=np.float64)
        while True:
            low, high = max(0, centre - half), min(count, centre + half)
            rows = p.row_by_latitude[low:high]
            kept = np.flatnonzero(accepted[rows])
            d = p.earth_by_latitude[low:high][kept] - point
            # cube_distance's sum, in its order: ((dx² + dy²) + dz²), then the root
            chord = np.sqrt(d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1] + d[:, 2] * d[:, 2])
            inside = chord < _chord_beyond(p.sorted_latitude, low, high, latitude)
            slots = rows[kept[inside]]
            if len(np.unique(slots)) >= stop:
                return slots, chord[inside], p.location_by_latitude[low:high][kept[inside]]
            if low == 0 and high == count:
                return None
            half *= 4

    def _first_met(
        self, slots: IntArray, chords: FloatArray, locations: IntArray, stop: int
    ) -> list[tuple[str, float]] | None:
        """The scan's order over these places: by chord, a place's services by id; None when two
        places meet at the same chord before the ``stop``-th service is met (or at it)."""
        order = np.lexsort((locations, chords))
        chord_at, location_at = chords[order].tolist(), locations[order].tolist()
        slot_at = slots[order].tolist()
        found: dict[str, float] = {}
        i, count = 0, len(order)
        while i < count and len(found) < stop:
            chord, location = chord_at[i], location_at[i]
            j = i
            while j < count and chord_at[j] == chord and location_at[j] == location:
                j += 1
            if j < count and chord_at[j] == chord:  # another place just as far
                return None
            for pk in sorted(self.ids[s] for s in slot_at[i:j]):
                found.setdefault(pk, chord)
            i = j
        return list(found.items())[:stop]


@dataclass
class MemberTest:
    """Is a service among the matches (a byte lookup, not a big-int operation per test)."""

    snapshot: Snapshot
    data: bytes

    def __call__(self, service_id: str) -> bool:
        position = self.snapshot.position.get(service_id)
        if position is None or position >= self.snapshot.size:
            return False
        return bool(self.data[position >> 3] >> (position & 7) & 1)


# --- building -----------------------------------------------------------------------------------

_ROW_FIELDS = (
    "service_id",
    "tags",
    "name",
    "service__search_document",
    "service__eligibility_description",
)


def _words_of(document: str | None, audience: str | None) -> tuple[str, str]:
    """A service's words: its search document, with who it is for apart (it ends it)."""
    document, audience = document or "", audience or ""
    if audience and document.endswith(audience):
        document = document[: -len(audience)]
    return document, audience


def _bitsets(positions: dict[str, list[int]], size: int) -> dict[str, int]:
    nbytes = (size + 7) // 8 or 1
    out = {}
    for tag, where in positions.items():
        buffer = bytearray(nbytes)
        for p in where:
            buffer[p >> 3] |= 1 << (p & 7)
        out[tag] = int.from_bytes(buffer, "little")
    return out


def _neighbourhoods() -> dict[str, tuple[str, float, float]]:
    return {
        slug: (name, float(lat), float(lon))
        for slug, name, lat, lon in Neighbourhood.objects.values_list(
            "slug", "name", "latitude", "longitude"
        )
    }


# A place's point on the earth, as the nearest-places scan measures it (``ll_to_earth`` of the
# coordinates as float8: the expression migration 0004 indexes), one coordinate at a time.
_EARTH = "cube_ll_coord(ll_to_earth({t}.latitude::float8, {t}.longitude::float8), %s)"


def _earth(table: str) -> list[RawSQL]:
    # The table is a model's own table name; the axis is a bound parameter.
    sql = _EARTH.format(t=table)
    return [RawSQL(sql, [axis]) for axis in (1, 2, 3)]  # noqa: S611


def _neighbourhood_points() -> dict[str, Point]:
    """PostgreSQL: each neighbourhood's centre on the earth, as the nearest-places scan puts the
    origin (the centre's float coordinates, which are the same float8 values)."""
    if connection.vendor != "postgresql":
        return {}
    x, y, z = _earth(Neighbourhood._meta.db_table)
    rows = Neighbourhood.objects.annotate(x=x, y=y, z=z).values_list("slug", "x", "y", "z")
    return {slug: (x, y, z) for slug, x, y, z in rows}


builds = 0  # copies built whole in this process (the tests count them)
patches = 0  # copies patched


def build(state: State | None) -> Snapshot:
    """The whole copy, read from the rows (labelled with the state read before them)."""
    global builds
    started = time.perf_counter()
    ids: list[str] = []
    positions: defaultdict[str, list[int]] = defaultdict(list)
    # a coordinator's edits, or the file; a large index in a file with a bounded cache
    in_file = SearchEntry.objects.count() >= TEXT_IN_FILE_FROM_ROWS
    text = search_text.TextIndex(synonyms.in_force(), in_file=in_file)
    rows = SearchEntry.objects.order_by(*search_index.name_order()).values_list(*_ROW_FIELDS)

    def words() -> Iterator[tuple[int, str, str, str]]:
        for i, (pk, tags, name, document, audience) in enumerate(rows.iterator(chunk_size=5000)):
            ids.append(pk)
            for tag in tags.split():
                positions[tag].append(i)
            yield ((i + 1) * KEY_GAP, name, *_words_of(document, audience))

    text.add(words())
    size = len(ids)
    slots = np.arange(size, dtype=np.int64)
    snap = Snapshot(
        state,
        ids,
        _bitsets(positions, size),
        (1 << size) - 1,
        keys=(slots + 1) * KEY_GAP,
        slot_of_key=slots,
        key_of_slot=(slots + 1) * KEY_GAP,
        size=size,
        neighbourhoods=_neighbourhoods(),
        neighbourhood_points=_neighbourhood_points(),
        position={pk: i for i, pk in enumerate(ids)},
    )
    snap.places = _places(snap.position, snap.location_numbers, None, size)
    snap.text = text.finish()
    snap.build_seconds = time.perf_counter() - started
    builds += 1
    return snap


def _places_query(service_ids: list[str] | None) -> list[tuple[Any, ...]]:
    """(service id, latitude, longitude, location id) of every mapped place, with its point on
    the earth (x, y, z) after them on PostgreSQL."""
    rows = ServiceAtLocation.objects.filter(
        location__latitude__isnull=False, location__longitude__isnull=False
    )
    if service_ids is not None:
        rows = rows.filter(service_id__in=service_ids)
    rows = rows.annotate(
        lat=Cast("location__latitude", FloatField()),
        lon=Cast("location__longitude", FloatField()),
    )
    fields = ["service_id", "lat", "lon", "location_id"]
    if connection.vendor == "postgresql":
        points = _earth(Location._meta.db_table)
        rows = rows.annotate(x=points[0], y=points[1], z=points[2])
        fields += ["x", "y", "z"]
    return list(rows.values_list(*fields))


def _place_arrays(
    found: list[tuple[Any, ...]], position: dict[str, int], numbers: dict[str, int]
) -> PlaceArrays:
    kept = [(position[row[0]], *row[1:]) for row in found if row[0] in position]
    earth = None
    if connection.vendor == "postgresql":
        earth = np.array([t[4:7] for t in kept], dtype=np.float64).reshape(-1, 3)
    return (
        np.array([t[0] for t in kept], dtype=np.int64),
        np.array([t[1] for t in kept], dtype=np.float64),
        np.array([t[2] for t in kept], dtype=np.float64),
        np.array([numbers.setdefault(t[3], len(numbers)) for t in kept], dtype=np.int64),
        earth,
    )


def _places(
    position: dict[str, int], numbers: dict[str, int], service_ids: list[str] | None, size: int
) -> Places:
    row, latitude, longitude, location, earth = _place_arrays(
        _places_query(service_ids), position, numbers
    )
    return Places(
        row=row, latitude=latitude, longitude=longitude, size=size, location=location, earth=earth
    )


# --- patching -----------------------------------------------------------------------------------


def patch(snap: Snapshot, state: State) -> Snapshot:
    """The copy brought to ``state`` with the changes logged since its own (see the module's
    description). Raises :class:`NeedsRebuild` when it cannot be."""
    global patches
    if snap.state is None or state[0] < snap.state[0] or snap.text is None:
        raise NeedsRebuild("no history to patch from")
    log_rows = search_index.changes_since(snap.state[0], state[0], MAX_PATCH + 1000)
    # The copy's own change must be in the log as the copy saw it: else it was rolled back, or
    # has been pruned from the log.
    own = [token for seq, token, _kind, _pk in log_rows if seq == snap.state[0]]
    if not own or own[0] != snap.state[1]:
        raise NeedsRebuild("the copy's own change is not in the log")
    later = [(seq, token, kind, pk) for seq, token, kind, pk in log_rows if seq > snap.state[0]]
    if not later or later[-1][0] != state[0] or later[-1][1] != state[1]:
        raise NeedsRebuild("the log does not reach the rows' version")
    kinds = {kind for _seq, _token, kind, _pk in later}
    changed = list(dict.fromkeys(pk for _s, _t, kind, pk in later if kind == search_index.SERVICE))
    if search_index.ALL in kinds or len(changed) > MAX_PATCH:
        raise NeedsRebuild("too many changes")
    new = _apply(snap, changed) if changed else replace(snap)
    new.state = state
    if search_index.HOODS in kinds:
        new.neighbourhoods = _neighbourhoods()
        new.neighbourhood_points = _neighbourhood_points()
    if search_index.SYNONYMS in kinds:
        assert new.text is not None, "checked above"
        new.text.use_synonyms(synonyms.in_force())
    patches += 1
    return new


def _apply(snap: Snapshot, changed: list[str]) -> Snapshot:
    """A new snapshot with these services' rows read again (gone: their slots freed)."""
    assert snap.text is not None and snap.places is not None, "a built copy has both"
    text = snap.text
    rows = {
        row[0]: row
        for row in SearchEntry.objects.filter(service_id__in=changed).values_list(*_ROW_FIELDS)
    }
    ids, position = snap.ids, snap.position
    old_slots = [position[pk] for pk in changed if pk in position]
    # Free the old slots: out of the tags, the name order and the text index.
    clear = 0
    for slot in old_slots:
        clear |= 1 << slot
    tag_bits = {tag: bits & ~clear for tag, bits in snap.tag_bits.items()}
    live = snap.live & ~clear
    keep = ~np.isin(snap.slot_of_key, np.array(old_slots, dtype=np.int64))
    keys, slot_of_key = snap.keys[keep], snap.slot_of_key[keep]
    key_of_slot = snap.key_of_slot.copy()
    text.remove([int(key_of_slot[s]) for s in old_slots])
    key_of_slot[old_slots] = -1
    # Each service still public keeps its slot (a new one takes the next) and gets a key between
    # its neighbours by (name, id), the order the database lists them in.
    size = snap.size
    arriving = sorted((rows[pk][2], pk) for pk in changed if pk in rows)

    def sort_key(index: int) -> tuple[str, str]:
        return (text.name_of(int(keys[index])), ids[int(slot_of_key[index])])

    gaps: defaultdict[int, list[tuple[str, str]]] = defaultdict(list)
    kept = _Keyed(len(keys), sort_key)
    for entry in arriving:  # in order, so a run of them in one gap gets keys in order
        gaps[bisect.bisect_left(kept, entry)].append(entry)
    new_keys: list[int] = []
    new_slots: list[int] = []
    new_pks: list[str] = []
    insert_at: list[int] = []
    words: list[tuple[int, str, str, str]] = []
    positions: defaultdict[str, list[int]] = defaultdict(list)
    for at, entries in sorted(gaps.items()):
        low = int(keys[at - 1]) if at > 0 else 0
        high = int(keys[at]) if at < len(keys) else low + (len(entries) + 1) * KEY_GAP
        if high - low <= len(entries):
            raise NeedsRebuild("no room for a key")
        step = (high - low) // (len(entries) + 1)
        for n, (name, pk) in enumerate(entries, start=1):
            slot = position.get(pk, -1)
            if slot < 0:  # a new service: the next slot
                slot = size
                size += 1
            key = low + step * n
            new_keys.append(key)
            new_slots.append(slot)
            new_pks.append(pk)
            insert_at.append(at)
            _pk, tags, _name, document, audience = rows[pk]
            for tag in tags.split():
                positions[tag].append(slot)
            words.append((key, name, *_words_of(document, audience)))
    for pk, slot in zip(new_pks, new_slots, strict=True):
        if slot >= len(ids):
            ids.append(pk)
        position[pk] = slot  # (a dict update: a search using the older snapshot ignores it)
    for pk in changed:
        if pk not in rows:
            position.pop(pk, None)
    if size > len(key_of_slot):
        grown = np.full(size - len(key_of_slot), -1, dtype=np.int64)
        key_of_slot = np.concatenate((key_of_slot, grown))
    key_of_slot[new_slots] = new_keys
    keys = np.insert(keys, insert_at, new_keys)
    slot_of_key = np.insert(slot_of_key, insert_at, new_slots)
    text.add(words)
    for tag, where in positions.items():
        bits = 0
        for slot in where:
            bits |= 1 << slot
        tag_bits[tag] = tag_bits.get(tag, 0) | bits
    for slot in new_slots:
        live |= 1 << slot
    # Slots still in name order (a new service that sorts last, a rename that keeps its place):
    # pages by name stay a walk over the bits.
    in_name_order = snap.slots_in_name_order and (
        not arriving or bool(np.all(np.diff(slot_of_key) > 0))
    )
    places = snap.places.patched(
        np.array(old_slots + new_slots, dtype=np.int64),
        _place_arrays(_places_query(changed), position, snap.location_numbers),
        size,
    )
    return replace(
        snap,
        tag_bits=tag_bits,
        live=live,
        keys=keys,
        slot_of_key=slot_of_key,
        key_of_slot=key_of_slot,
        size=size,
        places=places,
        slots_in_name_order=in_name_order,
    )


class _Keyed:
    """The kept services in name order as a sequence of (name, id), for ``bisect`` (each look
    reads one name from the text index: about 20 of them to place a service among 1,000,000)."""

    def __init__(self, length: int, at: Callable[[int], tuple[str, str]]) -> None:
        self._length = length
        self._at = at

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: int) -> tuple[str, str]:
        return self._at(index)


def _needs_compacting(snap: Snapshot) -> bool:
    """Half the slots freed: a rebuild gives a smaller copy."""
    return snap.size > 1000 and len(snap.keys) < snap.size * (1 - MAX_FREE_SHARE)


# --- the process's copy -------------------------------------------------------------------------

_lock = threading.Lock()
_current: Snapshot | None = None
_building: set[None] = set()  # not empty while a copy is built in the background
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
    is being built in the background (search the database meanwhile). Inside :func:`unchecked`,
    the process's copy as it stands, without reading the rows' version."""
    used = getattr(_state, "unchecked", None)
    found = _current
    if used is not None and found is not None and not _building:  # (being rebuilt: behind)
        used.append(found)
        return found
    return snapshot_for(current_state())


@contextmanager
def unchecked() -> Iterator[list[Snapshot]]:
    """Searches in this thread use the process's copy as it stands, without reading the rows'
    version first (a statement fewer). The copies they used are listed: the caller reads the
    version with its next statement and searches again, checked, when it has moved on
    (``selectors.search_page_with_documents``)."""
    used: list[Snapshot] = []
    _state.unchecked = used
    try:
        yield used
    finally:
        _state.unchecked = None


def snapshot_for(state: State | None) -> Snapshot | None:
    """The copy for this state of the rows: patched when the changes since the copy's own are
    in the log (milliseconds), else built again (now when it is small, in the background when
    it is large)."""
    global _current
    found = _current
    if found is not None and found.state == state:
        return found
    if found is not None and state is not None and not _needs_compacting(found):
        with _lock:
            found = _current
            if found is not None and found.state == state:
                return found
            if found is not None:
                try:
                    found = patch(found, state)
                except NeedsRebuild as why:
                    log.info("search copy to be rebuilt: %s", why)
                else:
                    _current = found
                    return found
    if _large(found):
        _build_in_background()
        return None
    with _lock:
        found = _current
        if found is None or found.state != state:
            found = build(state)
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
        return len(found.keys) >= BACKGROUND_FROM_ROWS
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
    """Build the copy in this thread's own connection, labelled with the rows' state read
    before the rows (on PostgreSQL in one repeatable-read transaction). Rows newer than the label
    do no harm: their changes are in the log after it, and patching applies them again."""
    global _current
    try:
        if connection.vendor == "postgresql":
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                snap = build(current_state())
        else:
            # SQLite's transactions take the write lock here (IMMEDIATE): read without one.
            snap = build(current_state())
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
    """The services the words find, best first (only the ``first`` of them when given), as
    slots of the copy matching the rows now; None while a copy is being built in the background
    (the database answers meanwhile)."""
    snap = snapshot()
    if snap is None or snap.text is None:
        return None
    return snap, snap.text_search(q, first)
