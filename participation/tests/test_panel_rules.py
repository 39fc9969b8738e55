"""participation.rules for publishing panels (quorum, balance, ties, agreement) and the public draw."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participation import rules

pytestmark = pytest.mark.pure

ITEMS = ["a", "b", "c"]

# --- ties ------------------------------------------------------------------------------------------


def test_a_cycle_is_a_three_way_tie_not_a_proven_best_order() -> None:
    rankings = [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]]
    ties = rules.kemeny_ties(rankings, ITEMS)
    assert ties.orders == 3
    assert not ties.unique
    assert ties.places == {"a": (1, 2, 3), "b": (1, 2, 3), "c": (1, 2, 3)}


def test_a_clear_order_is_unique() -> None:
    rankings = [["a", "b", "c"]] * 3 + [["c", "b", "a"]]
    ties = rules.kemeny_ties(rankings, ITEMS)
    assert ties.orders == 1 and ties.places == {"a": (1,), "b": (2,), "c": (3,)}


def test_two_items_tied_for_second() -> None:
    rankings = [["a", "b", "c"], ["a", "c", "b"]]
    ties = rules.kemeny_ties(rankings, ITEMS)
    assert ties.orders == 2
    assert ties.places == {"a": (1,), "b": (2, 3), "c": (2, 3)}


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=1, max_value=5).flatmap(
        lambda n: st.lists(st.permutations(list(range(n))), min_size=1, max_size=6)
    )
)
def test_ties_match_brute_force(rankings: list[list[int]]) -> None:
    items = [str(i) for i in range(len(rankings[0]))]
    named = [[str(i) for i in r] for r in rankings]
    costs = {order: rules.kemeny_distance(order, named) for order in itertools.permutations(items)}
    low = min(costs.values())
    best = [order for order, cost in costs.items() if cost == low]
    ties = rules.kemeny_ties(named, items)
    assert ties.orders == len(best)
    for item in items:
        assert set(ties.places[item]) == {order.index(item) + 1 for order in best}
    assert rules.kemeny(named, items).order in best


def test_borda_places_mark_shared_places() -> None:
    scores = {"a": 5, "b": 3, "c": 3, "d": 1}
    assert rules.borda_places(scores, ["a", "b", "c", "d"]) == {
        "a": "1",
        "b": "=2",
        "c": "=2",
        "d": "4",
    }


# --- quorum and balance ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "quorum"), [(2, 2), (3, 2), (4, 3), (6, 4), (12, 8), (15, 10), (16, 11)]
)
def test_default_quorum_is_two_thirds_rounded_up(size: int, quorum: int) -> None:
    assert rules.default_quorum(size) == quorum


def test_smallest_quorum_is_half_rounded_up() -> None:
    assert [rules.smallest_quorum(n) for n in (2, 3, 15, 16)] == [2, 2, 8, 8]


def _panel_of_15() -> list[tuple[str, str]]:
    # Three neighbourhoods of five; two age groups in each.
    seats = []
    for hood in ("North", "South", "West"):
        seats += [("25-34", hood)] * 3 + [("65-79", hood)] * 2
    return seats


def test_two_of_fifteen_from_one_group_cannot_be_published() -> None:
    seated = _panel_of_15()
    ranked = [("25-34", "North"), ("25-34", "North")]
    check = rules.publication_check(
        seated, ranked, ("age group", "neighbourhood"), quorum=10, tolerance=10
    )
    assert not check.ready
    assert check.took_part == 2 and check.members == 15
    assert "Only 2 of 15 members have ranked" in check.problems[0]
    assert "at least 10" in check.problems[0]
    joined = " ".join(check.problems)
    assert "neighbourhood North has 33% of the seats but 100% of those who ranked" in joined
    assert "age group 65-79 has 40% of the seats but 0%" in joined


def test_quorum_met_but_one_neighbourhood_missing_is_refused() -> None:
    seated = _panel_of_15()
    ranked = [s for s in seated if s[1] != "West"]  # 10 of 15, nobody from West
    check = rules.publication_check(
        seated, ranked, ("age group", "neighbourhood"), quorum=10, tolerance=10
    )
    assert not check.ready
    assert any("neighbourhood West has 33% of the seats but 0%" in p for p in check.problems)
    assert not any("Only" in p for p in check.problems)


def test_balance_within_tolerance_at_the_boundary() -> None:
    # Two groups of 5 seats (50% each); 10 ranked: 6 and 4 -> 60% / 40%, exactly 10 points off.
    seated = [("x", "A")] * 5 + [("x", "B")] * 5
    ranked = [("x", "A")] * 3 + [("x", "B")] * 2
    assert rules.publication_check(
        seated, ranked, ("age group", "neighbourhood"), quorum=5, tolerance=10
    ).ready
    ranked = [("x", "A")] * 4 + [("x", "B")] * 1  # 80% / 20%: 30 points off
    check = rules.publication_check(
        seated, ranked, ("age group", "neighbourhood"), quorum=5, tolerance=10
    )
    assert not check.ready
    seated = [("x", "A")] * 10 + [("x", "B")] * 10
    ranked = [("x", "A")] * 6 + [("x", "B")] * 4  # exactly 10 points: allowed
    assert rules.publication_check(seated, ranked, ("g", "n"), quorum=10, tolerance=10).ready
    ranked = [("x", "A")] * 7 + [("x", "B")] * 4  # 63.6% vs 50%: refused
    assert not rules.publication_check(seated, ranked, ("g", "n"), quorum=10, tolerance=10).ready


def test_everyone_ranked_is_always_balanced() -> None:
    seated = _panel_of_15()
    check = rules.publication_check(seated, seated, ("g", "n"), quorum=15, tolerance=0)
    assert check.ready


# --- agreement -------------------------------------------------------------------------------------


def test_two_members_agreeing_is_not_called_strong_agreement() -> None:
    rankings = [["a", "b", "c"], ["a", "b", "c"]]
    agreement = rules.describe_agreement(rankings, ITEMS)
    assert agreement.w == 1
    assert "strong" not in agreement.words
    assert agreement.words.startswith("no clear agreement: with 2 members and 3 items")
    assert agreement.chance_w == Fraction(1, 2)


def test_many_members_agreeing_is_strong_agreement_among_them() -> None:
    rankings = [["a", "b", "c", "d", "e"]] * 10 + [["b", "a", "c", "d", "e"]] * 2
    agreement = rules.describe_agreement(rankings, list("abcde"))
    assert agreement.words == "strong agreement among 12 members (clearly more than chance)"
    assert agreement.p_value < 0.001


def test_words_follow_the_size_of_w() -> None:
    assert rules.size_words(Fraction(7, 10)) == "strong agreement"
    assert rules.size_words(Fraction(69, 100)) == "moderate agreement"
    assert rules.size_words(Fraction(1, 2)) == "moderate agreement"
    assert rules.size_words(Fraction(3, 10)) == "weak agreement"
    assert rules.size_words(Fraction(29, 100)) == "very little agreement"


def test_chi2_survival_known_values() -> None:
    assert rules.chi2_survival(4.0, 2) == pytest.approx(math.exp(-2), rel=1e-12)
    assert rules.chi2_survival(3.841458820694124, 1) == pytest.approx(0.05, rel=1e-9)
    assert rules.chi2_survival(11.070497693516351, 5) == pytest.approx(0.05, rel=1e-9)
    assert rules.chi2_survival(0.0, 3) == 1.0
    assert rules.chi2_survival(1000.0, 3) == pytest.approx(0.0, abs=1e-200)


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0.001, max_value=200, allow_nan=False))
def test_chi2_survival_matches_closed_forms(x: float) -> None:
    # df 1 and 3 via erfc; df 2 and 4 via exp.
    one = math.erfc(math.sqrt(x / 2))
    assert rules.chi2_survival(x, 1) == pytest.approx(one, rel=1e-9, abs=1e-300)
    three = one + math.sqrt(2 * x / math.pi) * math.exp(-x / 2)
    assert rules.chi2_survival(x, 3) == pytest.approx(three, rel=1e-9, abs=1e-300)
    assert rules.chi2_survival(x, 2) == pytest.approx(math.exp(-x / 2), rel=1e-9, abs=1e-300)
    four = math.exp(-x / 2) * (1 + x / 2)
    assert rules.chi2_survival(x, 4) == pytest.approx(four, rel=1e-9, abs=1e-300)


# --- the public draw -------------------------------------------------------------------------------


def _pool() -> list[tuple[int, tuple[str, ...]]]:
    groups = [("25-34", "North"), ("25-34", "South"), ("65-79", "North"), ("65-79", "South")]
    return [(entry, groups[entry % 4 if entry % 5 else 0]) for entry in range(1, 41)]


def test_public_draw_is_a_function_of_pool_seed_and_size() -> None:
    first = rules.public_draw(_pool(), 12, "seed-one")
    again = rules.public_draw(_pool(), 12, "seed-one")
    assert first == again
    assert len(first.selected) == 12
    assert sum(first.allocation.values()) == 12
    assert first.allocation == rules.largest_remainder(first.strata_sizes, 12)
    other = {rules.public_draw(_pool(), 12, f"seed-{n}").selected for n in range(10)}
    assert len(other) > 1


def test_public_draw_by_hand() -> None:
    # Within a stratum, the entries with the lowest SHA-256 of "seed:entry" win.
    pool = [(1, ("g",)), (2, ("g",)), (3, ("g",)), (4, ("g",))]
    keys = sorted((rules.entry_key("s", e), e) for e, _ in pool)
    assert rules.public_draw(pool, 2, "s").selected == tuple(sorted(e for _, e in keys[:2]))


def test_seed_commitment() -> None:
    seed = "3f" * 32
    commitment = rules.seed_commitment(seed)
    assert len(commitment) == 64
    assert rules.seed_matches(seed, commitment)
    assert rules.seed_matches(seed, commitment.upper())
    assert not rules.seed_matches("3f" * 31 + "3e", commitment)
    assert rules.seed_commitment("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_public_draw_refusals() -> None:
    with pytest.raises(rules.SampleError, match="more than once"):
        rules.public_draw([(1, ("a",)), (1, ("b",))], 1, "s")
    with pytest.raises(rules.SampleError, match="empty"):
        rules.public_draw([(1, ("a",))], 1, "")
    with pytest.raises(rules.SampleError, match="fewer than"):
        rules.public_draw([(1, ("a",))], 2, "s")
