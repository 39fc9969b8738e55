"""Prioritisation panels, the pure part: stratified sampling and rank aggregation (no Django).

* :func:`largest_remainder` and :func:`stratified_sample` draw a People's Panel from a pool of
  registered residents: strata (e.g. age band x neighbourhood) get seats in proportion to their size,
  rounded by the largest-remainder (Hamilton) method, and members are drawn inside each stratum with
  a seeded :class:`random.Random`, so anyone with the pool, the size and the seed gets the same panel.
* :func:`borda`, :func:`kemeny` and :func:`kendall_w` aggregate complete rankings (most preferred
  first): Borda scores, a Kemeny consensus (the order that disagrees with the fewest pairwise
  preferences; exact by dynamic programming over subsets up to :data:`KEMENY_EXACT_MAX` items, else
  a local search that starts from the Borda order), and Kendall's coefficient of concordance W
  (0 = no agreement, 1 = everyone gave the same ranking).

Everything is exact (integers and :class:`fractions.Fraction`) and deterministic: ties are broken by
the order in which the items are given.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
Item = str

KEMENY_EXACT_MAX = 12
"""Up to this many items the Kemeny consensus is computed exactly (2^n x n^2 steps)."""

SAMPLING_METHOD = "stratified-proportional-largest-remainder/python-random-v1"


class RankingError(ValueError):
    """Rankings that cannot be aggregated (not a complete ranking of the items)."""


class SampleError(ValueError):
    """A panel that cannot be drawn from the pool."""


# --- sampling --------------------------------------------------------------------------------------


def largest_remainder(sizes: Mapping[K, int], seats: int) -> dict[K, int]:
    """Seats per stratum in proportion to ``sizes``, rounded by largest remainder.

    Each stratum gets ``floor(seats x size / total)``; the seats left over go to the largest
    fractional remainders (ties: the larger stratum, then the order of ``sizes``). The result adds up
    to ``seats`` and no stratum gets more seats than its size.
    """
    if seats < 0:
        raise SampleError("The panel size cannot be negative.")
    if any(size < 0 for size in sizes.values()):
        raise SampleError("A stratum cannot have a negative size.")
    total = sum(sizes.values())
    if seats > total:
        raise SampleError(
            f"The pool has {total} people, fewer than the {seats} seats on the panel."
        )
    if seats == 0:
        return dict.fromkeys(sizes, 0)
    quotas = {key: Fraction(seats * size, total) for key, size in sizes.items()}
    allocation = {key: int(q) for key, q in quotas.items()}  # floor: quotas are non-negative
    left = seats - sum(allocation.values())
    order = list(sizes)
    by_remainder = sorted(
        order,
        key=lambda key: (-(quotas[key] - allocation[key]), -sizes[key], order.index(key)),
    )
    for key in by_remainder[:left]:
        allocation[key] += 1
    return allocation


@dataclass(frozen=True)
class Draw(Generic[K]):
    """A reproducible draw: who was chosen, and the figures needed to audit it."""

    seed: int
    size: int
    strata_sizes: dict[K, int]
    allocation: dict[K, int]
    selected: tuple[int, ...]
    method: str = SAMPLING_METHOD


def stratified_sample(pool: Sequence[tuple[int, K]], size: int, seed: int) -> Draw[K]:
    """Draw ``size`` members from ``pool`` (pairs of member id and stratum), proportionally by stratum.

    Strata are taken in sorted order and each stratum's members in increasing id order, then
    ``random.Random(seed).sample`` picks that stratum's seats: the same pool, size and seed always
    give the same panel, whatever order the pool is passed in.
    """
    ids = [member for member, _ in pool]
    if len(set(ids)) != len(ids):
        raise SampleError("A person is in the pool more than once.")
    members: dict[K, list[int]] = {}
    for member, stratum in pool:
        members.setdefault(stratum, []).append(member)
    strata = sorted(members, key=repr)
    sizes = {stratum: len(members[stratum]) for stratum in strata}
    allocation = largest_remainder(sizes, size)
    rng = random.Random(seed)
    selected: list[int] = []
    for stratum in strata:
        chosen = rng.sample(sorted(members[stratum]), allocation[stratum])
        selected.extend(sorted(chosen))
    return Draw(seed, size, sizes, allocation, tuple(sorted(selected)))


# --- rank aggregation ------------------------------------------------------------------------------


def check_rankings(rankings: Sequence[Sequence[Item]], items: Sequence[Item]) -> None:
    """Raise :class:`RankingError` unless every ranking orders all the items exactly once."""
    if len(set(items)) != len(items):
        raise RankingError("An item is listed twice.")
    wanted = set(items)
    for number, ranking in enumerate(rankings, start=1):
        if len(ranking) != len(items) or set(ranking) != wanted:
            raise RankingError(f"Ranking {number} does not rank every item exactly once.")


def borda(rankings: Sequence[Sequence[Item]], items: Sequence[Item]) -> dict[Item, int]:
    """Borda scores: an item in position ``i`` (0-based) of ``n`` items scores ``n - 1 - i``."""
    check_rankings(rankings, items)
    n = len(items)
    scores = dict.fromkeys(items, 0)
    for ranking in rankings:
        for position, item in enumerate(ranking):
            scores[item] += n - 1 - position
    return scores


def borda_order(rankings: Sequence[Sequence[Item]], items: Sequence[Item]) -> list[Item]:
    """Items by Borda score, highest first; ties in the order of ``items``."""
    scores = borda(rankings, items)
    return sorted(items, key=lambda item: (-scores[item], items.index(item)))


def pairwise(rankings: Sequence[Sequence[Item]], items: Sequence[Item]) -> list[list[int]]:
    """``P[a][b]``: how many rankings put item ``a`` (by index) above item ``b``."""
    check_rankings(rankings, items)
    index = {item: i for i, item in enumerate(items)}
    n = len(items)
    table = [[0] * n for _ in range(n)]
    for ranking in rankings:
        positions = [index[item] for item in ranking]
        for i, a in enumerate(positions):
            for b in positions[i + 1 :]:
                table[a][b] += 1
    return table


def kemeny_distance(order: Sequence[Item], rankings: Sequence[Sequence[Item]]) -> int:
    """Total Kendall tau distance: pairs on which a ranking disagrees with ``order``, summed."""
    position = {item: i for i, item in enumerate(order)}
    total = 0
    for ranking in rankings:
        ranks = [position[item] for item in ranking]
        for i in range(len(ranks)):
            for j in range(i + 1, len(ranks)):
                if ranks[i] > ranks[j]:
                    total += 1
    return total


@dataclass(frozen=True)
class Consensus:
    order: tuple[Item, ...]
    distance: int
    """The Kemeny score: the number of pairwise disagreements with all rankings."""
    exact: bool
    """True if the order is proven optimal; False if found by local search."""


def kemeny(rankings: Sequence[Sequence[Item]], items: Sequence[Item]) -> Consensus:
    """A Kemeny consensus ranking.

    Up to :data:`KEMENY_EXACT_MAX` items: exact, by dynamic programming over subsets of items (the
    cost of putting ``x`` first among the set ``S`` is the number of rankings that prefer some other
    item of ``S`` to ``x``); among optimal orders the one that comes first in the order of ``items``
    wins. Beyond that: a local search from the Borda order that moves one item to its best position
    while that lowers the distance (each move strictly improves, so it ends), which is a standard,
    good but not always optimal heuristic.
    """
    table = pairwise(rankings, items)
    n = len(items)
    if n == 0:
        return Consensus((), 0, True)
    if n <= KEMENY_EXACT_MAX:
        order = _kemeny_exact(table, n)
        exact = True
    else:
        start = borda_order(rankings, items)
        index = {item: i for i, item in enumerate(items)}
        order = _local_search(table, [index[item] for item in start])
        exact = False
    result = tuple(items[i] for i in order)
    return Consensus(result, kemeny_distance(result, rankings), exact)


def _kemeny_exact(table: list[list[int]], n: int) -> list[int]:
    full = (1 << n) - 1
    # against[x][S]: rankings preferring some y in S over x, summed over y (cost of x before S).
    best = [0] * (
        1 << n
    )  # best[S]: least disagreement when ordering the items of S among themselves
    for subset in range(1, full + 1):
        value = None
        for x in range(n):
            if subset >> x & 1:
                rest = subset & ~(1 << x)
                cost = best[rest] + sum(table[y][x] for y in range(n) if rest >> y & 1)
                if value is None or cost < value:
                    value = cost
        assert value is not None
        best[subset] = value
    order: list[int] = []
    subset = full
    while subset:
        for x in range(n):
            if subset >> x & 1:
                rest = subset & ~(1 << x)
                cost = best[rest] + sum(table[y][x] for y in range(n) if rest >> y & 1)
                if cost == best[subset]:
                    order.append(x)
                    subset = rest
                    break
    return order


def _order_cost(table: list[list[int]], order: Sequence[int]) -> int:
    return sum(
        table[order[j]][order[i]] for i in range(len(order)) for j in range(i + 1, len(order))
    )


def _local_search(table: list[list[int]], order: list[int]) -> list[int]:
    current = _order_cost(table, order)
    improved = True
    while improved:
        improved = False
        best_move: tuple[int, list[int]] | None = None
        for i in range(len(order)):
            rest = order[:i] + order[i + 1 :]
            for j in range(len(order)):
                if j == i:
                    continue
                candidate = [*rest[:j], order[i], *rest[j:]]
                cost = _order_cost(table, candidate)
                if cost < current and (best_move is None or cost < best_move[0]):
                    best_move = (cost, candidate)
        if best_move is not None:
            current, order = best_move
            improved = True
    return order


def kendall_w(rankings: Sequence[Sequence[Item]], items: Sequence[Item]) -> Fraction:
    """Kendall's W for complete rankings without ties: ``12 S / (m^2 (n^3 - n))``.

    ``S`` is the sum of squared deviations of each item's rank total from the mean rank total, ``m``
    the number of rankings and ``n`` the number of items. W is 1 when every ranking is the same and
    0 when the rank totals are all equal. Undefined (returned as 0) with fewer than two items or no
    rankings.
    """
    check_rankings(rankings, items)
    m, n = len(rankings), len(items)
    if m == 0 or n < 2:
        return Fraction(0)
    totals = dict.fromkeys(items, 0)
    for ranking in rankings:
        for position, item in enumerate(ranking, start=1):
            totals[item] += position
    mean = Fraction(m * (n + 1), 2)
    spread = sum(((Fraction(total) - mean) ** 2 for total in totals.values()), Fraction(0))
    return Fraction(12) * spread / (m * m * (n**3 - n))


def agreement_words(w: Fraction) -> str:
    """A plain-English reading of Kendall's W (our reading aid, not a statistical test)."""
    if w >= Fraction(7, 10):
        return "strong agreement"
    if w >= Fraction(4, 10):
        return "moderate agreement"
    if w >= Fraction(2, 10):
        return "weak agreement"
    return "little agreement"
