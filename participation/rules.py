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

import hashlib
import math
import operator
import random
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, TypeVar

from rules.apportion import largest_remainder as apportion

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
    keys = list(sizes)
    weights = [sizes[key] for key in keys]
    parts = apportion(weights, seats, tie_break=lambda i: (-weights[i], i))
    return dict(zip(keys, parts, strict=True))


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


# --- ties in the consensus -------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsensusTies:
    """Every order with the fewest disagreements, summarised (exact method only).

    ``orders`` is how many different orders share the lowest Kemeny distance (1: the order is the
    only best fit). ``places`` gives, for each item, the places (1-based) it takes in at least one of
    those orders: an item with more than one possible place is tied with others.
    """

    orders: int
    places: dict[Item, tuple[int, ...]]

    @property
    def unique(self) -> bool:
        return self.orders == 1


def kemeny_ties(rankings: Sequence[Sequence[Item]], items: Sequence[Item]) -> ConsensusTies:
    """How many orders tie for the best Kemeny fit, and where each item can stand among them.

    Exact, by the same dynamic programme as :func:`kemeny` (so only up to :data:`KEMENY_EXACT_MAX`
    items): an optimal order picks, from the set ``S`` of items still to place, any ``x`` whose cost
    plus the best cost of ``S`` without ``x`` equals the best cost of ``S``. Counting those paths
    gives the number of optimal orders; following them gives each item's possible places.
    """
    table = pairwise(rankings, items)
    n = len(items)
    if n == 0:
        return ConsensusTies(1, {})
    if n > KEMENY_EXACT_MAX:
        raise RankingError(f"Ties are only worked out exactly up to {KEMENY_EXACT_MAX} items.")
    full = (1 << n) - 1
    best = [0] * (1 << n)
    ways = [0] * (1 << n)
    ways[0] = 1

    def step_cost(subset: int, x: int) -> int:
        rest = subset & ~(1 << x)
        return best[rest] + sum(table[y][x] for y in range(n) if rest >> y & 1)

    for subset in range(1, full + 1):
        members = [x for x in range(n) if subset >> x & 1]
        costs = {x: step_cost(subset, x) for x in members}
        low = min(costs.values())
        best[subset] = low
        ways[subset] = sum(ways[subset & ~(1 << x)] for x, c in costs.items() if c == low)
    places: dict[int, set[int]] = {x: set() for x in range(n)}
    frontier = {full}
    place = 1
    while frontier:
        following: set[int] = set()
        for subset in frontier:
            for x in range(n):
                if subset >> x & 1 and step_cost(subset, x) == best[subset]:
                    places[x].add(place)
                    rest = subset & ~(1 << x)
                    if rest:
                        following.add(rest)
        frontier = following
        place += 1
    return ConsensusTies(
        ways[full], {items[x]: tuple(sorted(spots)) for x, spots in places.items()}
    )


def borda_places(scores: Mapping[Item, int], order: Sequence[Item]) -> dict[Item, str]:
    """Places by Borda score with ties shown as ties: ``"1"``, ``"=2"``, ``"=2"``, ``"4"``."""
    places: dict[Item, str] = {}
    for item in order:
        better = sum(1 for other in order if scores[other] > scores[item])
        tied = sum(1 for other in order if scores[other] == scores[item]) > 1
        places[item] = f"={better + 1}" if tied else str(better + 1)
    return places


# --- publishing: quorum, balance and what agreement means -----------------------------------------

DEFAULT_QUORUM = Fraction(2, 3)
"""By default at least two thirds of the panel (rounded up) must rank before a result is published."""

DEFAULT_BALANCE_TOLERANCE = 10
"""Percentage points: each group's share of those who ranked may differ from its share of the
panel's seats by at most this much."""

AGREEMENT_SIGNIFICANCE = 0.05
"""Below this chance probability (Friedman's test) agreement is called more than chance."""


def default_quorum(size: int) -> int:
    """Two thirds of ``size`` rounded up, and never fewer than two."""
    return max(2, -(-size * DEFAULT_QUORUM.numerator // DEFAULT_QUORUM.denominator))


def smallest_quorum(size: int) -> int:
    """The lowest quorum a panel may set: half its seats rounded up, and at least two."""
    return max(2, -(-size // 2))


@dataclass(frozen=True)
class BalanceRow:
    dimension: str
    group: str
    seats: int
    ranked: int
    seat_share: Fraction
    ranked_share: Fraction
    within: bool


@dataclass(frozen=True)
class PublicationCheck:
    members: int
    took_part: int
    quorum: int
    tolerance: int
    balance: tuple[BalanceRow, ...]
    problems: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return not self.problems


def _percent(value: Fraction) -> str:
    return f"{float(value * 100):.0f}%"


def balance_rows(
    seated: Sequence[tuple[str, ...]],
    ranked: Sequence[tuple[str, ...]],
    dimensions: Sequence[str],
    tolerance: int,
) -> list[BalanceRow]:
    """Each group's share of the seats against its share of those who ranked.

    ``seated`` and ``ranked`` hold one tuple per member: the member's group on each of
    ``dimensions`` (e.g. age group, neighbourhood). Rows are made for each dimension on its own and,
    with more than one dimension, for the strata the panel was drawn on (all dimensions together).
    A row is within tolerance when the two shares differ by at most ``tolerance`` percentage points.
    """
    if any(len(member) != len(dimensions) for member in [*seated, *ranked]):
        raise SampleError("Every member needs a group on each dimension.")
    views: list[tuple[str, Callable[[tuple[str, ...]], str]]] = [
        (name, operator.itemgetter(i)) for i, name in enumerate(dimensions)
    ]
    if len(dimensions) > 1:
        views.append((" and ".join(dimensions), " / ".join))
    rows: list[BalanceRow] = []
    limit = Fraction(tolerance, 100)
    for name, key in views:
        seats: dict[str, int] = {}
        for member in seated:
            seats[key(member)] = seats.get(key(member), 0) + 1
        took: dict[str, int] = {}
        for member in ranked:
            took[key(member)] = took.get(key(member), 0) + 1
        for group in sorted(set(seats) | set(took)):
            seat_share = Fraction(seats.get(group, 0), len(seated)) if seated else Fraction(0)
            ranked_share = Fraction(took.get(group, 0), len(ranked)) if ranked else Fraction(0)
            rows.append(
                BalanceRow(
                    name,
                    group,
                    seats.get(group, 0),
                    took.get(group, 0),
                    seat_share,
                    ranked_share,
                    abs(seat_share - ranked_share) <= limit,
                )
            )
    return rows


def publication_check(
    seated: Sequence[tuple[str, ...]],
    ranked: Sequence[tuple[str, ...]],
    dimensions: Sequence[str],
    *,
    quorum: int,
    tolerance: int,
) -> PublicationCheck:
    """Whether a panel's rankings may be published: a quorum, and balance across its strata."""
    problems: list[str] = []
    if len(ranked) < quorum:
        problems.append(
            f"Only {len(ranked)} of {len(seated)} members have ranked the items; this panel "
            f"needs at least {quorum} before its result can be published."
        )
    rows = balance_rows(seated, ranked, dimensions, tolerance) if ranked else []
    for row in rows:
        if not row.within:
            problems.append(
                f"The {row.dimension} {row.group} has {_percent(row.seat_share)} of the seats "
                f"but {_percent(row.ranked_share)} of those who ranked ({row.ranked} of "
                f"{len(ranked)}); the panel allows a difference of at most {tolerance} "
                "percentage points. Ask the members from under-represented groups to rank first."
            )
    return PublicationCheck(
        len(seated), len(ranked), quorum, tolerance, tuple(rows), tuple(problems)
    )


def chi2_survival(x: float, df: int) -> float:
    """P(X >= x) for a chi-squared variable with ``df`` degrees of freedom.

    The regularised upper incomplete gamma function Q(df/2, x/2), by its series below ``a + 1`` and
    by Lentz's continued fraction above (as in Numerical Recipes, 6.2), to about 1e-12.
    """
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if x <= 0:
        return 1.0
    a, z = df / 2, x / 2
    log_prefix = -z + a * math.log(z) - math.lgamma(a)
    if z < a + 1:
        term = total = 1.0 / a
        k = a
        for _ in range(10_000):
            k += 1
            term *= z / k
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return max(0.0, 1.0 - total * math.exp(log_prefix))
    tiny = 1e-300
    b = z + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return min(1.0, math.exp(log_prefix) * h)


@dataclass(frozen=True)
class Agreement:
    w: Fraction
    members: int
    items: int
    chance_w: Fraction
    """The W that random rankings give on average (1/members)."""
    p_value: float
    """Friedman's test: the chance of a W this large if members had ranked at random."""
    words: str


def size_words(w: Fraction) -> str:
    """How large W is (after Schmidt 1997: 0.1 very weak … 0.7 strong)."""
    if w >= Fraction(7, 10):
        return "strong agreement"
    if w >= Fraction(5, 10):
        return "moderate agreement"
    if w >= Fraction(3, 10):
        return "weak agreement"
    return "very little agreement"


def describe_agreement(rankings: Sequence[Sequence[Item]], items: Sequence[Item]) -> Agreement:
    """Kendall's W with words that fit both its size and how many members ranked.

    Random rankings by ``m`` members give W = 1/m on average, so a large W from few members means
    little. Friedman's statistic ``m (n - 1) W`` is compared with chi-squared on ``n - 1`` degrees of
    freedom (an approximation, rough for very few members or items); only when that chance is below
    :data:`AGREEMENT_SIGNIFICANCE` is the size of W put into words, otherwise the words say the
    agreement is not clearly more than chance.
    """
    w = kendall_w(rankings, items)
    m, n = len(rankings), len(items)
    if m < 2 or n < 2:
        return Agreement(w, m, n, Fraction(1, max(m, 1)), 1.0, "too few rankings to measure")
    p = chi2_survival(float(m * (n - 1) * w), n - 1)
    chance = Fraction(1, m)
    if p >= AGREEMENT_SIGNIFICANCE:
        words = (
            f"no clear agreement: with {m} members and {n} items, rankings made at random "
            f"would give a W this large {p:.0%} of the time"
        )
    else:
        words = f"{size_words(w)} among {m} members (clearly more than chance)"
    return Agreement(w, m, n, chance, p, words)


# --- a draw anyone can repeat ---------------------------------------------------------------------

PUBLIC_DRAW_METHOD = "stratified-proportional-largest-remainder/sha256-rank-v2"

Stratum = tuple[str, ...]


def seed_commitment(seed: str) -> str:
    """The SHA-256 hash (hex) of the seed's UTF-8 text, announced before the draw."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def seed_matches(seed: str, commitment: str) -> bool:
    """True if ``seed`` is the one whose hash was announced."""
    return seed_commitment(seed) == commitment.strip().lower()


def entry_key(seed: str, entry: int) -> str:
    """An entry's place in the lottery: SHA-256 of ``"<seed>:<entry>"``, lowest first."""
    return hashlib.sha256(f"{seed}:{entry}".encode()).hexdigest()


@dataclass(frozen=True)
class PublicDraw:
    seed: str
    size: int
    allocation: dict[Stratum, int]
    strata_sizes: dict[Stratum, int]
    selected: tuple[int, ...]
    method: str = PUBLIC_DRAW_METHOD


def public_draw(pool: Sequence[tuple[int, Stratum]], size: int, seed: str) -> PublicDraw:
    """Draw ``size`` entries from a published pool of (entry number, stratum), given the seed.

    Seats go to strata (in sorted order) in proportion to their size in the pool, by largest
    remainder (:func:`largest_remainder`). Inside each stratum the entries with the lowest
    :func:`entry_key` win its seats. Only SHA-256, sorting and integer arithmetic are used, so the
    draw can be repeated in any language from the pool file, the panel size and the seed.
    """
    if not seed:
        raise SampleError("The seed is empty.")
    entries = [entry for entry, _ in pool]
    if len(set(entries)) != len(entries):
        raise SampleError("An entry number is in the pool more than once.")
    members: dict[Stratum, list[int]] = {}
    for entry, stratum in pool:
        members.setdefault(tuple(stratum), []).append(entry)
    strata = sorted(members)
    sizes = {stratum: len(members[stratum]) for stratum in strata}
    allocation = largest_remainder(sizes, size)
    selected: list[int] = []
    for stratum in strata:
        ranked = sorted(members[stratum], key=lambda entry: (entry_key(seed, entry), entry))
        selected.extend(ranked[: allocation[stratum]])
    return PublicDraw(seed, size, allocation, sizes, tuple(sorted(selected)))
