"""participation.rules: sampling and rank aggregation, by hand and by property."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participation import rules

# --- largest remainder -----------------------------------------------------------------------------


def test_largest_remainder_by_hand() -> None:
    # 10 seats over 50/30/20 people: quotas 5, 3, 2 exactly.
    assert rules.largest_remainder({"a": 50, "b": 30, "c": 20}, 10) == {"a": 5, "b": 3, "c": 2}
    # 5 seats over 7/7/6: quotas 1.75, 1.75, 1.5 -> floors 1,1,1, two left to a and b.
    assert rules.largest_remainder({"a": 7, "b": 7, "c": 6}, 5) == {"a": 2, "b": 2, "c": 1}
    # 4 seats over 2/2/2: equal remainders, equal sizes -> the first in order gets the extra seat.
    assert rules.largest_remainder({"x": 2, "y": 2, "z": 2}, 4) == {"x": 2, "y": 1, "z": 1}


def test_largest_remainder_refuses_impossible_panels() -> None:
    with pytest.raises(rules.SampleError, match="fewer than the 5 seats"):
        rules.largest_remainder({"a": 2, "b": 2}, 5)
    with pytest.raises(rules.SampleError):
        rules.largest_remainder({"a": 2}, -1)


@given(
    st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 40), min_size=1, max_size=8),
    st.data(),
)
def test_largest_remainder_adds_up_and_is_within_one_of_the_quota(
    sizes: dict[str, int], data: st.DataObject
) -> None:
    total = sum(sizes.values())
    seats = data.draw(st.integers(0, total))
    allocation = rules.largest_remainder(sizes, seats)
    assert sum(allocation.values()) == seats
    for key, size in sizes.items():
        assert 0 <= allocation[key] <= size
        if total:
            quota = Fraction(seats * size, total)
            assert quota - 1 < allocation[key] < quota + 1


# --- stratified sample -----------------------------------------------------------------------------


def _pool() -> list[tuple[int, tuple[str, str]]]:
    pool = []
    member = 1
    for band, hood, count in [
        ("18-34", "Northgate", 10),
        ("18-34", "Millbrook", 5),
        ("65+", "Northgate", 3),
        ("65+", "Millbrook", 2),
    ]:
        for _ in range(count):
            pool.append((member, (band, hood)))
            member += 1
    return pool


def test_stratified_sample_is_proportional_and_reproducible() -> None:
    draw = rules.stratified_sample(_pool(), 8, seed=20260401)
    assert draw.allocation == {
        ("18-34", "Millbrook"): 2,
        ("18-34", "Northgate"): 4,
        ("65+", "Millbrook"): 1,
        ("65+", "Northgate"): 1,
    }
    assert len(draw.selected) == 8
    again = rules.stratified_sample(list(reversed(_pool())), 8, seed=20260401)
    assert again.selected == draw.selected
    strata = dict(_pool())
    for stratum, seats in draw.allocation.items():
        assert sum(1 for m in draw.selected if strata[m] == stratum) == seats


def test_different_seeds_usually_give_different_panels() -> None:
    panels = {rules.stratified_sample(_pool(), 8, seed=s).selected for s in range(20)}
    assert len(panels) > 1


def test_sample_refuses_duplicates_and_too_small_pools() -> None:
    with pytest.raises(rules.SampleError, match="more than once"):
        rules.stratified_sample([(1, "a"), (1, "b")], 1, seed=1)
    with pytest.raises(rules.SampleError, match="fewer than"):
        rules.stratified_sample([(1, "a")], 2, seed=1)


@given(
    st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=40),
    st.integers(0, 2**32),
    st.data(),
)
def test_sample_property(strata: list[str], seed: int, data: st.DataObject) -> None:
    pool = list(enumerate(strata, start=1))
    size = data.draw(st.integers(0, len(pool)))
    draw = rules.stratified_sample(pool, size, seed)
    assert len(set(draw.selected)) == size
    assert set(draw.selected) <= {m for m, _ in pool}
    assert draw == rules.stratified_sample(pool, size, seed)


# --- Borda, Kemeny, Kendall's W --------------------------------------------------------------------

ITEMS = ["hips", "eyes", "teeth", "ears"]


def test_borda_by_hand() -> None:
    rankings = [
        ["hips", "eyes", "teeth", "ears"],
        ["eyes", "hips", "ears", "teeth"],
        ["hips", "teeth", "eyes", "ears"],
    ]
    assert rules.borda(rankings, ITEMS) == {"hips": 8, "eyes": 6, "teeth": 3, "ears": 1}
    assert rules.borda_order(rankings, ITEMS) == ["hips", "eyes", "teeth", "ears"]


def test_kemeny_by_hand() -> None:
    # The classic Condorcet cycle a>b>c, b>c>a, c>a>b: every order has distance 4; first in item order.
    cycle = [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]]
    result = rules.kemeny(cycle, ["a", "b", "c"])
    assert result.distance == 4
    assert result.order == ("a", "b", "c")
    assert result.exact
    # Two agree, one reverses: the consensus is the majority's order, 3 disagreements.
    rankings = [["a", "b", "c"], ["a", "b", "c"], ["c", "b", "a"]]
    assert rules.kemeny(rankings, ["c", "b", "a"]) == rules.Consensus(("a", "b", "c"), 3, True)


def test_kendall_w_by_hand() -> None:
    same = [ITEMS, ITEMS, ITEMS]
    assert rules.kendall_w(same, ITEMS) == 1
    reversed_pair = [ITEMS, list(reversed(ITEMS))]
    assert rules.kendall_w(reversed_pair, ITEMS) == 0
    # m=3, n=3 rank totals 3, 6, 9 (everyone agrees) -> W = 1; with one swap: totals 4,5,9.
    rankings = [["a", "b", "c"], ["a", "b", "c"], ["b", "a", "c"]]
    # mean 6; S = 4 + 1 + 9 = 14; W = 12*14 / (9 * 24) = 168/216 = 7/9
    assert rules.kendall_w(rankings, ["a", "b", "c"]) == Fraction(7, 9)
    assert rules.agreement_words(Fraction(7, 9)) == "strong agreement"
    assert rules.agreement_words(Fraction(0)) == "little agreement"


def test_incomplete_rankings_are_refused() -> None:
    with pytest.raises(rules.RankingError, match="Ranking 2"):
        rules.borda([ITEMS, ["hips", "eyes"]], ITEMS)
    with pytest.raises(rules.RankingError):
        rules.kemeny([["hips", "hips", "teeth", "ears"]], ITEMS)
    with pytest.raises(rules.RankingError, match="twice"):
        rules.kendall_w([], ["a", "a"])


def rankings_strategy(max_items: int) -> st.SearchStrategy[tuple[list[str], list[list[str]]]]:
    return st.integers(1, max_items).flatmap(
        lambda n: st.tuples(
            st.just([f"i{k}" for k in range(n)]),
            st.lists(st.permutations([f"i{k}" for k in range(n)]), min_size=1, max_size=7),
        )
    )


@settings(max_examples=60, deadline=None)
@given(rankings_strategy(6))
def test_exact_kemeny_matches_brute_force(case: tuple[list[str], list[list[str]]]) -> None:
    items, rankings = case
    result = rules.kemeny(rankings, items)
    best = min(rules.kemeny_distance(order, rankings) for order in itertools.permutations(items))
    assert result.exact
    assert result.distance == best == rules.kemeny_distance(result.order, rankings)
    assert sorted(result.order) == sorted(items)


@settings(max_examples=40, deadline=None)
@given(rankings_strategy(6))
def test_unanimous_rankings_are_the_consensus_and_w_is_one(
    case: tuple[list[str], list[list[str]]],
) -> None:
    items, rankings = case
    unanimous = [rankings[0]] * 3
    assert rules.kemeny(unanimous, items).order == tuple(rankings[0])
    assert rules.borda_order(unanimous, items) == rankings[0]
    if len(items) > 1:
        assert rules.kendall_w(unanimous, items) == 1


@settings(max_examples=40, deadline=None)
@given(rankings_strategy(7))
def test_w_is_between_zero_and_one(case: tuple[list[str], list[list[str]]]) -> None:
    items, rankings = case
    assert 0 <= rules.kendall_w(rankings, items) <= 1


def test_local_search_for_many_items_is_no_worse_than_borda() -> None:
    items = [f"item{k:02d}" for k in range(14)]
    rng = random.Random(7)
    base = list(items)
    rankings = []
    for _ in range(9):
        ranking = list(base)
        for _ in range(6):  # near the base order, with noise
            i, j = rng.randrange(14), rng.randrange(14)
            ranking[i], ranking[j] = ranking[j], ranking[i]
        rankings.append(ranking)
    result = rules.kemeny(rankings, items)
    assert not result.exact
    assert sorted(result.order) == sorted(items)
    borda = rules.borda_order(rankings, items)
    assert result.distance <= rules.kemeny_distance(borda, rankings)
    # No single move improves a local optimum.
    for i in range(14):
        rest = list(result.order[:i] + result.order[i + 1 :])
        for j in range(14):
            moved = [*rest[:j], result.order[i], *rest[j:]]
            assert rules.kemeny_distance(moved, rankings) >= result.distance
