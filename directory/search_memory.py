"""An in-memory copy of the search rows' tags, one per server process, for searches that filter
only by tags (category, day, price, personal budgets, time credits, micro-providers) and list by
name or nearest first.

Each public service has a position: its place in the order the search lists by name (the
database's ``ORDER BY name, service_id``). Each tag is a bitset of positions (a Python int), so a
search is a few ANDs, its exact total is a bit count, and a page by name is the set bits numbered
start..stop, lowest first.

It also holds the neighbourhoods' centres. It is never stale: every change to the search rows (or
to a neighbourhood) writes a new random number to
``SearchIndexVersion`` in the same transaction (``directory.search_index``), and every search reads
that number first (one small query) and rebuilds the copy when it differs from the copy's.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from directory.models import Neighbourhood, SearchEntry
from directory.search_index import current_version


@dataclass
class Snapshot:
    version: int | None
    ids: list[str]  # position -> service id, in name order
    tag_bits: dict[str, int]
    # slug -> (name, latitude, longitude): a search near a neighbourhood needs no query for it
    neighbourhoods: dict[str, tuple[str, float, float]] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)

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
    ids: list[str] = []
    positions: defaultdict[str, list[int]] = defaultdict(list)
    rows = SearchEntry.objects.order_by("name", "service_id").values_list("service_id", "tags")
    for i, (pk, tags) in enumerate(rows.iterator(chunk_size=5000)):
        ids.append(pk)
        for tag in tags.split():
            positions[tag].append(i)
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
    return Snapshot(version, ids, tag_bits, hoods)


_lock = threading.Lock()
_current: Snapshot | None = None
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


def snapshot() -> Snapshot:
    """The copy matching the rows as this connection sees them now (rebuilt if they changed)."""
    global _current
    version = current_version()
    found = _current
    if found is not None and found.version == version:
        return found
    with _lock:
        found = _current
        if found is None or found.version != version:
            found = build(version)
            _current = found
    return found
